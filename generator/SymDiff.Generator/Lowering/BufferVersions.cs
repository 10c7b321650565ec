using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Lowering
{
    /// <summary>
    /// An element-wise update in place, <c>h[j] = Math.Tanh(h[j]);</c>, after the layer was filled (<c>h[j] = b[j];
    /// for (k...) h[j] += w * x[k];</c>): the reverse sweep needs the element's value from before the update, which the
    /// update overwrote. Like SSA for a scalar, the buffer gets a second version: everything before the update writes and
    /// reads <c>hPre</c> (a buffer of the same length), the update reads <c>hPre[j]</c> and writes <c>h[j]</c>, and what
    /// follows reads <c>h</c>. Each version is then filled once, so the buffer rules of <see cref="LocalBuffers"/> apply
    /// to each, and no tape is needed. A pure pass over the source model, after <see cref="BufferScopes"/>.
    /// </summary>
    /// <remarks>
    /// The update must sit at the top level of the body of a loop of the buffer's declaring block that counts
    /// <c>j</c> from 0 by 1 to the buffer's length, at index <c>j</c>, so every element is updated exactly once and the
    /// values read after the loop are all updated ones. Inside that loop, before the update, the buffer is mentioned only
    /// at index <c>j</c> (the element not yet updated), and after it at index <c>j</c> only (the updated one); anything
    /// else keeps the rules as they were (SD1000 where they say so). The primal values are the same, bit for bit.
    /// </remarks>
    internal static class BufferVersions
    {
        /// <summary>The statements with each in-place update split into two buffers; <paramref name="fresh"/> names the new ones.</summary>
        public static EquatableArray<SourceStmt> Split(EquatableArray<SourceStmt> statements, Func<string, string> fresh)
        {
            var result = Block(statements, fresh);
            return result is null ? statements : result.ToEquatableArray();
        }

        /// <summary>The rewritten block, or null when nothing changed.</summary>
        private static List<SourceStmt>? Block(IReadOnlyList<SourceStmt> statements, Func<string, string> fresh)
        {
            var output = BufferScopes.RewriteNested(statements, b => Block(b, fresh));
            var current = (output ?? statements).ToList();
            bool changed = output is not null;

            // Several updates of one buffer (h = tanh(h), then h = 2 h) make several versions, one split at a time.
            for (int round = 0; round < 8; round++)
            {
                bool split = false;
                for (int d = 0; d < current.Count && !split; d++)
                {
                    if (current[d] is SourceBuffer buffer && FindUpdate(current, d, buffer) is var (loopAt, update, counter))
                    {
                        // The first update's version is hPre, the next one's hPre2...: they read in the order they are made.
                        var pre = new SourceBuffer(fresh(buffer.Name + "Pre"), buffer.Element, buffer.Length) { Origin = buffer.Origin };
                        current = Apply(current, d, loopAt, update, counter, buffer.Name, pre);
                        split = true;
                    }
                }

                if (!split)
                {
                    break;
                }

                changed = true;
            }

            return changed ? current : null;
        }

        /// <summary>The loop (its index in the block) holding the buffer's one update in place, the update's position in its body, and the counter.</summary>
        private static (int Loop, int Update, string Counter)? FindUpdate(IReadOnlyList<SourceStmt> block, int declaration, SourceBuffer buffer)
        {
            string name = buffer.Name;
            for (int k = declaration + 1; k < block.Count; k++)
            {
                if (block[k] is not SourceLoop { TestFirst: true } loop || k == 0)
                {
                    continue;
                }

                int update = -1;
                for (int u = 0; u < loop.Body.Count; u++)
                {
                    if (loop.Body[u] is SourceStore store && store.Array == name && IsUpdate(store, name))
                    {
                        if (update >= 0)
                        {
                            return null; // two updates in one iteration: not this shape
                        }

                        update = u;
                    }
                }

                if (update < 0)
                {
                    continue;
                }

                var target = (SourceStore)loop.Body[update];
                string counted = string.Empty;
                bool covers = BufferScopes.CountsOverBuffer(block[k - 1], loop, buffer, out counted)
                    || (PrefixBound(block, declaration, buffer) is { } bound && SourceLoops.CountsTo(block[k - 1], loop, out counted) is { } limit && limit.Equals(bound));
                if (target.Index is not Var { Name: var counter } || !covers || counted != counter
                    || BufferScopes.Mentions(loop.Condition, name) || loop.Increment.Any(s => BufferScopes.Mentions(s, name)))
                {
                    return null;
                }

                // Before the update only the element being updated; after it, only the updated element; no other update.
                var own = new Elem(name, new Var(counter, ValType.Int), buffer.Element);
                for (int u = 0; u < loop.Body.Count; u++)
                {
                    if (u != update && !OnlyAt(loop.Body[u], name, own))
                    {
                        return null;
                    }
                }

                if (!OnlyAt(target.Value, name, own))
                {
                    return null;
                }

                return (k, update, counter);
            }

            return null;
        }

        /// <summary>
        /// A bound <c>n</c> such that every statement after the declaration that mentions the buffer is a loop
        /// <c>for (int j = 0; j &lt; n; j++)</c> of the declaring block, mentioning it only at <c>h[j]</c>, with the same
        /// <c>n</c>, which nothing in the block assigns: a prefix of a larger buffer (<c>stackalloc double[16]</c> for up
        /// to 16 units) that every loop covers alike, so an update of <c>h[0..n)</c> in place updates every element written
        /// and read. Null otherwise.
        /// </summary>
        private static Expr? PrefixBound(IReadOnlyList<SourceStmt> block, int declaration, SourceBuffer buffer)
        {
            string name = buffer.Name;
            Expr? bound = null;
            for (int k = declaration + 1; k < block.Count; k++)
            {
                if (!BufferScopes.Mentions(block[k], name))
                {
                    continue;
                }

                if (k == 0 || block[k] is not SourceLoop loop || SourceLoops.CountsTo(block[k - 1], loop, out string counter) is not { } limit
                    || (bound is not null && !bound.Equals(limit)) || BufferScopes.Mentions(loop.Condition, name) || loop.Increment.Any(s => BufferScopes.Mentions(s, name))
                    || !loop.Body.All(s => OnlyAt(s, name, new Elem(name, new Var(counter, ValType.Int), buffer.Element))))
                {
                    return null;
                }

                bound = limit;
            }

            if (bound is null || Walk.Contains(bound, x => x is Elem or Opaque or UserCall))
            {
                return null;
            }

            var names = new List<string>();
            Walk.Vars(bound, names.Add);
            return block.Skip(declaration + 1).Any(s => names.Any(v => SourceLoops.Assigns(s, v))) ? null : bound;
        }

        /// <summary><c>h[i] = f(h[i])</c> that is not an accumulation <c>h[i] = h[i] ± e</c> (the accumulation rule's own form).</summary>
        private static bool IsUpdate(SourceStore store, string name)
        {
            if (store.Value is Binary { Op: BinaryOp.Add or BinaryOp.Sub, Left: Elem own, Right: var e } && own.Array == name && own.Index.Equals(store.Index) && !BufferScopes.Mentions(e, name))
            {
                return false;
            }

            return BufferScopes.Mentions(store.Value, name);
        }

        /// <summary>Whether every mention of the buffer in the statement is the element <paramref name="own"/> (stores included).</summary>
        internal static bool OnlyAt(SourceStmt s, string name, Elem own) => s switch
        {
            SourceAssign a => OnlyAt(a.Value, name, own),
            SourceStore st => (st.Array != name || st.Index.Equals(own.Index)) && OnlyAt(st.Index, name, own) && OnlyAt(st.Value, name, own),
            SourceIf i => OnlyAt(i.Condition, name, own) && i.Then.All(x => OnlyAt(x, name, own)) && i.Else.All(x => OnlyAt(x, name, own)),
            SourceLoop l => OnlyAt(l.Condition, name, own) && l.Body.All(x => OnlyAt(x, name, own)) && l.Increment.All(x => OnlyAt(x, name, own)),
            SourceReturn r => r.Value is null || OnlyAt(r.Value, name, own),
            SourceBuffer b => b.Name != name && !BufferScopes.Mentions(b.Length, name),
            SourceBreak or SourceContinue => true,
            _ => false,
        };

        private static bool OnlyAt(Expr e, string name, Elem own)
        {
            if (e is Elem el && el.Array == name)
            {
                return el.Index.Equals(own.Index);
            }

            if (e is Len or SpanRef or SpanView or Opaque && BufferScopes.Mentions(e, name))
            {
                return false;
            }

            return Walk.Children(e).All(c => OnlyAt(c, name, own));
        }

        /// <summary>
        /// Declares <paramref name="pre"/> before the buffer, renames the buffer to it in every statement between the
        /// declaration and the loop, in the loop's body before the update, and in the update's value.
        /// </summary>
        private static List<SourceStmt> Apply(List<SourceStmt> block, int declaration, int loopAt, int update, string counter, string name, SourceBuffer pre)
        {
            var output = new List<SourceStmt>();
            for (int k = 0; k < block.Count; k++)
            {
                if (k == declaration)
                {
                    output.Add(pre);
                    output.Add(block[k]);
                }
                else if (k > declaration && k < loopAt)
                {
                    output.Add(Rename(block[k], name, pre.Name));
                }
                else if (k == loopAt)
                {
                    var loop = (SourceLoop)block[k];
                    var body = loop.Body.Select((s, u) => u < update ? Rename(s, name, pre.Name)
                        : u == update ? new SourceStore(name, ((SourceStore)s).Index, Rename(((SourceStore)s).Value, name, pre.Name)) { Origin = s.Origin, Site = ((SourceStore)s).Site }
                        : s).ToEquatableArray();
                    output.Add(loop with { Body = body });
                }
                else
                {
                    output.Add(block[k]);
                }
            }

            return output;
        }

        private static SourceStmt Rename(SourceStmt s, string from, string to) => s switch
        {
            SourceAssign a => a with { Value = Rename(a.Value, from, to) },
            SourceStore st => st with { Array = st.Array == from ? to : st.Array, Index = Rename(st.Index, from, to), Value = Rename(st.Value, from, to) },
            SourceIf i => i with { Condition = Rename(i.Condition, from, to), Then = i.Then.Select(x => Rename(x, from, to)).ToEquatableArray(), Else = i.Else.Select(x => Rename(x, from, to)).ToEquatableArray() },
            SourceLoop l => l with { Condition = Rename(l.Condition, from, to), Body = l.Body.Select(x => Rename(x, from, to)).ToEquatableArray(), Increment = l.Increment.Select(x => Rename(x, from, to)).ToEquatableArray() },
            SourceReturn r => r.Value is null ? r : r with { Value = Rename(r.Value, from, to) },
            _ => s,
        };

        private static Expr Rename(Expr e, string from, string to) => Walk.Transform(e, x => x switch
        {
            Elem el when el.Array == from => new Elem(to, el.Index, el.Type),
            Len len when len.Array == from => new Len(to),
            SpanRef span when span.Array == from => new SpanRef(to, span.Element),
            SpanView view when view.Array == from => view with { Array = to },
            _ => x,
        });
    }
}

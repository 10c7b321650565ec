using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Lowering
{
    /// <summary>
    /// Moves a local buffer declared before a loop into that loop when each iteration fills it completely before reading
    /// it: the natural way to write a hidden layer (<c>Span&lt;double&gt; h = stackalloc double[H];</c> once, then
    /// <c>for (s...) { for (j = 0; j &lt; H; j++) h[j] = ...; ... }</c>), which C# asks for (a <c>stackalloc</c> inside a
    /// loop grows the stack, CA2014). Every element an iteration reads was written earlier in the same iteration, so the
    /// buffer declared inside the loop holds the same values (the primal stays bit for bit the same), and the buffer
    /// rule of <see cref="LocalBuffers.CheckWriteOnce"/> (each element written once per iteration of the declaring
    /// loop) then applies as if the user had declared it there. A pure pass over the source model.
    /// </summary>
    internal static class BufferScopes
    {
        /// <summary>The statements with each buffer that can be moved into the loop that refills it moved there.</summary>
        public static EquatableArray<SourceStmt> Privatize(EquatableArray<SourceStmt> statements)
        {
            var known = BufferHistory.Known(statements);
            var result = Block(statements, known);
            return result is null ? statements : result.ToEquatableArray();
        }

        /// <summary>The rewritten block, or null when nothing changed.</summary>
        private static List<SourceStmt>? Block(IReadOnlyList<SourceStmt> statements, Dictionary<string, Expr?> known)
        {
            var output = RewriteNested(statements, b => Block(b, known));
            var current = output ?? (IReadOnlyList<SourceStmt>)statements;
            for (int i = 0; i < current.Count; i++)
            {
                if (current[i] is SourceBuffer buffer && RefillingLoop(current, i, buffer, known) is int at)
                {
                    var list = current.ToList();
                    var loop = (SourceLoop)list[at];
                    list.RemoveAt(i);
                    // Moved to the top of the loop's body, then maybe further in (a loop inside that refills it).
                    var body = new List<SourceStmt> { buffer };
                    body.AddRange(loop.Body);
                    var moved = loop with { Body = (Block(body, known) ?? body).ToEquatableArray() };
                    list[at - 1] = moved;
                    return Block(list, known) ?? list;
                }
            }

            return output;
        }

        /// <summary>
        /// The index of the loop the buffer declared at <paramref name="declaration"/> can move into: the only statement
        /// after the declaration that mentions the buffer, a loop whose body, before anything else mentions the buffer,
        /// runs a complete fill (<see cref="IsCompleteFill"/>); its condition and increment do not mention the buffer.
        /// </summary>
        private static int? RefillingLoop(IReadOnlyList<SourceStmt> block, int declaration, SourceBuffer buffer, Dictionary<string, Expr?> known)
        {
            int? found = null;
            for (int k = declaration + 1; k < block.Count; k++)
            {
                if (!Mentions(block[k], buffer.Name))
                {
                    continue;
                }

                if (found is not null || block[k] is not SourceLoop)
                {
                    return null;
                }

                found = k;
            }

            if (found is not int at || block[at] is not SourceLoop loop || Mentions(loop.Condition, buffer.Name) || loop.Increment.Any(s => Mentions(s, buffer.Name)))
            {
                return null;
            }

            for (int k = 0; k < loop.Body.Count; k++)
            {
                if (!Mentions(loop.Body[k], buffer.Name))
                {
                    continue;
                }

                return (k > 0 && (IsCompleteFill(loop.Body[k - 1], loop.Body[k], buffer) || BufferStencil.FillsWhatItReads(loop.Body, k, buffer, known)))
                    || IsConstantFill(loop.Body, k, buffer) ? at : null;
            }

            return null;
        }

        /// <summary>
        /// The statements with <paramref name="block"/> applied to the blocks of each loop body and branch (a pass's recursion
        /// into nested statements), or null when it changed none of them.
        /// </summary>
        internal static List<SourceStmt>? RewriteNested(IReadOnlyList<SourceStmt> statements, Func<IReadOnlyList<SourceStmt>, List<SourceStmt>?> block)
        {
            List<SourceStmt>? output = null;
            for (int i = 0; i < statements.Count; i++)
            {
                var s = statements[i];
                SourceStmt? rewritten = s switch
                {
                    SourceLoop loop when block(loop.Body) is { } body => loop with { Body = body.ToEquatableArray() },
                    SourceIf branch when (block(branch.Then), block(branch.Else)) is var (then, @else) && (then is not null || @else is not null) =>
                        branch with { Then = (then ?? (IReadOnlyList<SourceStmt>)branch.Then).ToEquatableArray(), Else = (@else ?? (IReadOnlyList<SourceStmt>)branch.Else).ToEquatableArray() },
                    _ => null,
                };
                if (rewritten is not null)
                {
                    output ??= statements.Take(i).ToList();
                    output.Add(rewritten);
                }
                else
                {
                    output?.Add(s);
                }
            }

            return output;
        }

        /// <summary>
        /// <c>int j = 0;</c> (<paramref name="init"/>) then <c>for (; j &lt; length; j++)</c> over the buffer's length (its
        /// declaration's expression or <c>h.Length</c>), with a body that never leaves early nor assigns the counter.
        /// </summary>
        internal static bool CountsOverBuffer(SourceStmt init, SourceLoop loop, SourceBuffer buffer, out string counter) =>
            SourceLoops.CountsTo(init, loop, out counter) is { } limit
            && (limit.Equals(buffer.Length) || (loop.KnownLimit is { } known && known.Equals(buffer.Length)) || limit is Len len && len.Array == buffer.Name);

        /// <summary>
        /// <c>for (int j = 0; j &lt; length; j++) { ...; h[j] = value; ... }</c>: a counter from 0 by 1 to the buffer's
        /// length (the same expression as its declaration's, or <c>h.Length</c>), a body whose first mention of the buffer is
        /// a store of <c>h[j]</c> at its top level from a value that does not read the buffer, and whose later mentions are
        /// of <c>h[j]</c> only; it never leaves early and does not change the counter.
        /// </summary>
        private static bool IsCompleteFill(SourceStmt init, SourceStmt statement, SourceBuffer buffer)
        {
            if (statement is not SourceLoop loop || !CountsOverBuffer(init, loop, buffer, out string counter))
            {
                return false;
            }

            // The first statement that mentions the buffer stores h[j] from a value that does not read it; what follows in
            // the iteration mentions only h[j] (h[j] += w * x[k] in an inner loop, h[j] = Math.Tanh(h[j])), so every
            // element is written in this iteration before anything reads it.
            var mentions = loop.Body.Where(s => Mentions(s, buffer.Name)).ToList();
            var own = new Elem(buffer.Name, new Var(counter, ValType.Int), buffer.Element);
            return mentions.Count > 0 && mentions[0] is SourceStore { Index: Var index } store && index.Name == counter && store.Array == buffer.Name
                && ReadsOnlyEarlier(store.Value, buffer.Name, counter) && mentions.Skip(1).All(s => BufferVersions.OnlyAt(s, buffer.Name, own));
        }

        /// <summary>
        /// From the body's statement <paramref name="first"/> on, pieces (<see cref="WritePieces"/>) that write every element
        /// of a buffer of constant length before anything else mentions it: <c>h[0] = a; h[1] = b;</c> (a layer with one
        /// store per output, inlined), or range fills (a layer called into each half: two layers' outputs concatenated).
        /// Every element an iteration reads was then written earlier in the same iteration.
        /// </summary>
        private static bool IsConstantFill(IReadOnlyList<SourceStmt> body, int first, SourceBuffer buffer) =>
            buffer.Length is Const { Value: var length } && length >= 1 && length <= 1024 && length == Math.Floor(length)
            && WritePieces(body, first, buffer.Name, (int)length).Written.Count == (int)length;

        /// <summary>
        /// The elements the statements of <paramref name="block"/> from <paramref name="first"/> on write in pieces, each
        /// element once, before anything else mentions the buffer: stores at constant indices whose values read only elements
        /// already written, range fills (<see cref="RangeFilled"/>), and between them statements that do not mention the
        /// buffer or assign a local from elements already written. Stops at the first statement that is none of these, or
        /// once <paramref name="length"/> elements are written (a known length also bounds the constant indices); returns
        /// the elements written and the index it stopped at.
        /// </summary>
        internal static (HashSet<int> Written, int Stop) WritePieces(IReadOnlyList<SourceStmt> block, int first, string buffer, int? length)
        {
            var written = new HashSet<int>();
            int k = first;
            for (; k < block.Count && (length is not int n || written.Count < n); k++)
            {
                var s = block[k];
                if (!Mentions(s, buffer))
                {
                    continue;
                }

                if (s is SourceStore { Index: Const { Value: var c } } store && store.Array == buffer && c >= 0 && (length is not int bound || c < bound)
                    && c == Math.Floor(c) && !written.Contains((int)c) && ReadsOnlyWritten(store.Value, buffer, written))
                {
                    written.Add((int)c);
                }
                else if (s is SourceLoop loop && k > 0 && RangeFilled(block[k - 1], loop, buffer, written) is { } range && range.Start >= 0
                    && (length is not int bound2 || range.Start + range.Count <= bound2) && Enumerable.Range((int)range.Start, (int)range.Count).All(i => !written.Contains(i)))
                {
                    written.UnionWith(Enumerable.Range((int)range.Start, (int)range.Count));
                }
                else if (!(s is SourceAssign assign && ReadsOnlyWritten(assign.Value, buffer, written)))
                {
                    break;
                }
            }

            return (written, k);
        }

        /// <summary>
        /// <c>int j = 0; for (; j &lt; n; j++) { ...; h[c + j] = v; ... }</c> with constants <c>n</c> and <c>c</c>, no early exit,
        /// one store at the top level of the body: the range <c>[c, c + n)</c>. Besides that store, the body mentions the
        /// buffer only in reads, in the store's value or in locals assigned at its top level, of elements
        /// <paramref name="written"/> holds (earlier pieces): <c>h[d + j]</c> or <c>h[d]</c>, with constant <c>d</c>
        /// (<c>z[4 + j] = x[j] * z[j]</c> after <c>z[0..4)</c> is filled: a trial user's concatenation, once SD1000).
        /// </summary>
        internal static (double Start, double Count)? RangeFilled(SourceStmt init, SourceLoop loop, string buffer, HashSet<int>? written = null)
        {
            if (SourceLoops.CountsTo(init, loop, out string counter) is not Const { Value: var n } || n != Math.Floor(n) || n < 0
                || Mentions(loop.Condition, buffer) || loop.Increment.Any(x => Mentions(x, buffer)))
            {
                return null;
            }

            var mentions = loop.Body.Where(x => Mentions(x, buffer)).ToList();
            var stores = mentions.OfType<SourceStore>().Where(st => st.Array == buffer).ToList();
            if (stores.Count != 1 || Mentions(stores[0].Index, buffer)
                || !mentions.All(m => m switch
                {
                    SourceStore st when ReferenceEquals(st, stores[0]) => ReadsOnlyWritten(st.Value, buffer, written, counter, n),
                    SourceAssign a when a.Name != counter => ReadsOnlyWritten(a.Value, buffer, written, counter, n),
                    _ => false,
                }))
            {
                return null;
            }

            return CounterOffset(stores[0].Index, counter) is double start ? (start, n) : null;
        }

        /// <summary><c>d</c> of an index <c>j</c>, <c>d + j</c> or <c>j + d</c> (<c>j</c> the counter, <c>d</c> an integer constant), or null.</summary>
        private static double? CounterOffset(Expr index, string counter) => index switch
        {
            Var v when v.Name == counter => 0,
            Binary { Op: BinaryOp.Add, Left: Const { Value: var c }, Right: Var v } when v.Name == counter && c == Math.Floor(c) => c,
            Binary { Op: BinaryOp.Add, Left: Var v, Right: Const { Value: var c } } when v.Name == counter && c == Math.Floor(c) => c,
            _ => null,
        };

        /// <summary>
        /// Whether <paramref name="value"/> reads the buffer (not as a whole) only at elements in <paramref name="written"/>
        /// (none when it is null): at constant indices, or, inside a loop whose <paramref name="counter"/> runs over
        /// <c>[0, n)</c>, at <c>j + d</c> for every value of <c>j</c>.
        /// </summary>
        private static bool ReadsOnlyWritten(Expr value, string buffer, HashSet<int>? written, string? counter = null, double n = 0) => !Walk.Contains(value, x => x switch
        {
            Elem el when el.Array == buffer => written is null || !(counter is not null && CounterOffset(el.Index, counter) is double d
                ? Enumerable.Range(0, (int)n).All(j => written.Contains((int)d + j))
                : el.Index is Const { Value: var i } && i == Math.Floor(i) && written.Contains((int)i)),
            Len len when len.Array == buffer => false,
            SpanRef or SpanView or Opaque => Mentions(x, buffer),
            _ => false,
        });

        /// <summary>
        /// Whether <paramref name="value"/> reads the buffer only at elements this iteration of the fill already wrote,
        /// <c>h[j - c]</c> with <c>c &gt;= 1</c> (a chain, <c>h[j] = v + (j &gt; 0 ? h[j - 1] : 0)</c>), or not at all: the
        /// same values whether the buffer is declared before the loop or inside it.
        /// </summary>
        private static bool ReadsOnlyEarlier(Expr value, string buffer, string counter) => !Walk.Contains(value, x => x switch
        {
            Elem el when el.Array == buffer => !(el.Index is Binary { Op: BinaryOp.Sub, Left: Var v, Right: Const { Value: >= 1 } } && v.Name == counter) || Mentions(el.Index, buffer),
            Len or SpanRef or SpanView or Opaque => Mentions(x, buffer),
            _ => false,
        });

        internal static bool Mentions(SourceStmt s, string name) => s switch
        {
            SourceAssign a => a.Name == name || Mentions(a.Value, name),
            SourceStore st => st.Array == name || Mentions(st.Index, name) || Mentions(st.Value, name),
            SourceIf i => Mentions(i.Condition, name) || i.Then.Any(x => Mentions(x, name)) || i.Else.Any(x => Mentions(x, name)),
            SourceLoop l => Mentions(l.Condition, name) || l.Body.Any(x => Mentions(x, name)) || l.Increment.Any(x => Mentions(x, name)),
            SourceReturn r => r.Value is not null && Mentions(r.Value, name),
            SourceBuffer b => b.Name == name || Mentions(b.Length, name),
            SourceBreak or SourceContinue => false,
            _ => true, // a statement this pass does not know: assume it does (nothing moves)
        };

        internal static bool Mentions(Expr e, string name) => IR.Mentions.In(e, name);
    }
}

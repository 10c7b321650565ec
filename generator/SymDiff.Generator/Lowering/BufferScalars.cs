using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Lowering
{
    /// <summary>
    /// Lowering pass: a small local buffer used only at constant indices (<c>Span&lt;double&gt; b = stackalloc double[2];
    /// b[0] = v[0]; b[0] *= v[1];</c>) becomes one local per element (<c>b0</c>, <c>b1</c>), set to 0 where the buffer is
    /// declared, as <c>stackalloc</c> and <c>new</c> zero it. An element may then be written any number of times, as a
    /// local may (a buffer's element written twice was SD1000: a trial user's three-line method), and the generated code
    /// keeps no array. A buffer declared before a loop that writes it (<c>stackalloc</c> outside the loop, as C# asks)
    /// keeps its values from one iteration to the next, as the locals then do: they are carried by the loop like any
    /// local. Only where nothing else uses the buffer: no index that is not a constant inside it, no span of it (a call, a
    /// view), no gradient cut watched through it.
    /// </summary>
    internal static class BufferScalars
    {
        /// <summary>The most elements a buffer turned into locals has.</summary>
        public const int MaxElements = 16;

        /// <param name="body">The parsed body.</param>
        /// <param name="fresh">A name not used in the method, from a stem.</param>
        /// <param name="keep">Buffers to leave as they are (watched by SD1005).</param>
        /// <param name="locals">The names of the element locals made (<c>b0</c>, <c>b1</c>, <c>b2</c>): the user's, to keep as they are.</param>
        public static EquatableArray<SourceStmt> Apply(EquatableArray<SourceStmt> body, Func<string, string> fresh, ISet<string> keep, out EquatableArray<string> locals)
        {
            locals = EquatableArray<string>.Empty;
            var candidates = new Dictionary<string, SourceBuffer>(StringComparer.Ordinal);
            Declarations(body, candidates, keep);
            if (candidates.Count == 0)
            {
                return body;
            }

            Disqualify(body, candidates);
            if (candidates.Count == 0)
            {
                return body;
            }

            var names = candidates.ToDictionary(
                c => c.Key,
                c => Enumerable.Range(0, (int)((Const)c.Value.Length).Value).Select(k => fresh(c.Key + k.ToString(CultureInfo.InvariantCulture))).ToArray(),
                StringComparer.Ordinal);
            locals = names.Values.SelectMany(n => n).ToEquatableArray();
            return Rewrite(body, candidates, names);
        }

        private static void Declarations(IEnumerable<SourceStmt> block, Dictionary<string, SourceBuffer> into, ISet<string> keep)
        {
            foreach (var s in block)
            {
                if (s is SourceBuffer { IsHistory: false, Length: Const { Value: var n } } buffer && n >= 1 && n <= MaxElements && n == Math.Floor(n) && !keep.Contains(buffer.Name))
                {
                    into[buffer.Name] = buffer;
                }

                foreach (var nested in SourceStmt.Nested(s))
                {
                    Declarations(nested, into, keep);
                }
            }
        }

        /// <summary>Removes the buffers used other than at constant indices inside them.</summary>
        private static void Disqualify(IEnumerable<SourceStmt> block, Dictionary<string, SourceBuffer> candidates)
        {
            foreach (var s in block)
            {
                if (s is SourceStore store && candidates.TryGetValue(store.Array, out var target) && !Inside(store.Index, target))
                {
                    candidates.Remove(store.Array);
                }

                foreach (var e in Expressions(s))
                {
                    Walk.Contains(e, x =>
                    {
                        switch (x)
                        {
                            case Elem el when candidates.TryGetValue(el.Array, out var read) && !Inside(el.Index, read):
                                candidates.Remove(el.Array);
                                break;
                            case SpanRef r:
                                candidates.Remove(r.Array);
                                break;
                            case SpanView v:
                                candidates.Remove(v.Array);
                                break;
                        }

                        return false;
                    });
                }

                foreach (var nested in SourceStmt.Nested(s))
                {
                    Disqualify(nested, candidates);
                }
            }
        }

        private static bool Inside(Expr index, SourceBuffer buffer) =>
            index is Const { Value: var k } && k >= 0 && k == Math.Floor(k) && k < ((Const)buffer.Length).Value;

        private static IEnumerable<Expr> Expressions(SourceStmt s) => s switch
        {
            SourceAssign a => new[] { a.Value },
            SourceStore st => new[] { st.Index, st.Value },
            SourceIf i => new[] { i.Condition },
            SourceLoop l => l.KnownLimit is null ? new[] { l.Condition } : new[] { l.Condition, l.KnownLimit },
            SourceReturn { Value: { } value } => new[] { value },
            SourceBuffer b => new[] { b.Length },
            _ => Array.Empty<Expr>(),
        };

        private static EquatableArray<SourceStmt> Rewrite(EquatableArray<SourceStmt> block, Dictionary<string, SourceBuffer> buffers, Dictionary<string, string[]> names)
        {
            Expr Expression(Expr e) => Walk.Transform(e, x => x switch
            {
                Elem el when names.TryGetValue(el.Array, out var locals) => new Var(locals[(int)((Const)el.Index).Value], el.Type),
                Len len when buffers.TryGetValue(len.Array, out var b) => b.Length,
                _ => x,
            });

            var output = new List<SourceStmt>(block.Count);
            foreach (var s in block)
            {
                switch (s)
                {
                    case SourceBuffer b when names.TryGetValue(b.Name, out var locals):
                        output.AddRange(locals.Select(local => new SourceAssign(local, b.Element, Const.Of(0, b.Element)) { Origin = b.Origin }));
                        break;
                    case SourceStore st when names.TryGetValue(st.Array, out var locals):
                        output.Add(new SourceAssign(locals[(int)((Const)st.Index).Value], buffers[st.Array].Element, Expression(st.Value)) { Origin = st.Origin });
                        break;
                    case SourceAssign a:
                        output.Add(a with { Value = Expression(a.Value) });
                        break;
                    case SourceStore st:
                        output.Add(st with { Index = Expression(st.Index), Value = Expression(st.Value) });
                        break;
                    case SourceIf i:
                        output.Add(i with { Condition = Expression(i.Condition), Then = Rewrite(i.Then, buffers, names), Else = Rewrite(i.Else, buffers, names) });
                        break;
                    case SourceLoop l:
                        output.Add(l with
                        {
                            Condition = Expression(l.Condition),
                            Body = Rewrite(l.Body, buffers, names),
                            Increment = Rewrite(l.Increment, buffers, names),
                            KnownLimit = l.KnownLimit is null ? null : Expression(l.KnownLimit),
                        });
                        break;
                    case SourceReturn { Value: { } value } r:
                        output.Add(r with { Value = Expression(value) });
                        break;
                    case SourceBuffer b:
                        output.Add(b with { Length = Expression(b.Length) });
                        break;
                    default:
                        output.Add(s);
                        break;
                }
            }

            return output.ToEquatableArray();
        }
    }
}

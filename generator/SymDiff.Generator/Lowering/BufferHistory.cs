using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Lowering
{
    /// <summary>
    /// A local buffer carried from one iteration of a loop to the next: a recurrent state that each time step reads and
    /// then fills again (<c>for (t...) { for (j...) next[j] = Math.Tanh(... state[k] ...); for (j...) state[j] = next[j]; }</c>,
    /// or <c>state[j] = Math.Tanh(w * state[j] + x[t])</c> in place). The reverse sweep needs every step's state, so, like
    /// SSA for a scalar carried by a loop, the buffer gets one version per iteration, side by side in a history buffer
    /// <c>stateHistory</c> of <c>(iterations + 1) * length</c> elements: version 0 is the state before the loop, iteration
    /// <c>t</c> reads version <c>t - start</c> and fills version <c>t - start + 1</c>, and what follows the loop reads the
    /// last one. Every element of the history is then written once, so the write-once rule of <see cref="LocalBuffers"/>
    /// holds by construction and no tape beyond the history is needed. A pure pass over the source model, after
    /// <see cref="BufferVersions"/>; the primal values are the same, bit for bit.
    /// </summary>
    /// <remarks>
    /// The shape: the buffer is declared in a block; the last statement of that block that stores into it is a loop
    /// <c>for (int t = a; t &lt; b; t++)</c> with <c>a</c> and <c>b</c> known at the top of the method (constants, lengths,
    /// parameters the method never assigns), that never leaves early; inside it, one statement at its top level refills
    /// the buffer completely, <c>for (int j = 0; j &lt; length; j++)</c> with one store <c>h[j] = v</c> at the top level of
    /// its body, mentioning the buffer only at <c>[j]</c>; before the refill something reads the buffer (or the refill reads
    /// the element it replaces). Every mention of the buffer is an element read or store (not passed whole). Statements
    /// before the loop fill version 0 under the usual rules (a buffer of their own, copied in); a buffer nothing fills
    /// before the loop starts from zeros, as C# gives.
    /// </remarks>
    internal static class BufferHistory
    {
        /// <summary>The statements with each carried buffer given a history; <paramref name="fresh"/> names the new buffers and counters.</summary>
        public static EquatableArray<SourceStmt> Apply(EquatableArray<SourceStmt> statements, Func<string, string> fresh)
        {
            var known = Known(statements);
            var result = Block(statements, fresh, known);
            return result is null ? statements : result.ToEquatableArray();
        }

        /// <summary>
        /// The names the method assigns: for an <c>int</c> local assigned once, at the top level, from values known at the
        /// start, that value (it stands in for the local); for every other assigned name, null (not known at the start).
        /// </summary>
        internal static Dictionary<string, Expr?> Known(IReadOnlyList<SourceStmt> statements)
        {
            var assignments = new Dictionary<string, int>(StringComparer.Ordinal);
            CollectAssigned(statements, assignments);
            var known = new Dictionary<string, Expr?>(StringComparer.Ordinal);
            foreach (var a in statements.OfType<SourceAssign>())
            {
                if (a.Type == ValType.Int && assignments[a.Name] == 1 && KnownAtStart(a.Value, known))
                {
                    known[a.Name] = Resolve(a.Value, known);
                }
            }

            foreach (var name in assignments.Keys.Where(n => !known.ContainsKey(n)).ToList())
            {
                known[name] = null;
            }

            return known;
        }

        /// <summary>Every history in the statements, at any depth, for SD1006.</summary>
        internal static IEnumerable<SourceBuffer> Histories(IEnumerable<SourceStmt> statements) =>
            statements.SelectMany(s => (s is SourceBuffer { IsHistory: true } b ? new[] { b } : Enumerable.Empty<SourceBuffer>()).Concat(LocalBuffers.Nested(s).SelectMany(Histories)));

        private sealed record Plan(int Loop, string Counter, Expr Start, Expr End, Expr StartValue, Expr EndValue, int Refill, string RefillCounter, int Store)
        {
            /// <summary>Set when the refill is a stencil sweep over a range of the buffer rather than a complete refill.</summary>
            public BufferStencil.Sweep? Stencil { get; init; }
        }

        private static List<SourceStmt>? Block(IReadOnlyList<SourceStmt> statements, Func<string, string> fresh, Dictionary<string, Expr?> known)
        {
            var output = BufferScopes.RewriteNested(statements, b => Block(b, fresh, known));
            var current = (output ?? statements).ToList();
            bool changed = output is not null;
            for (int d = 0; d < current.Count; d++)
            {
                if (current[d] is SourceBuffer buffer && Find(current, d, buffer, known) is { } plan)
                {
                    current = Rewrite(current, d, buffer, plan, fresh);
                    changed = true;
                }
                else if (current[d] is SourceBuffer single && BufferStencil.WrapSinglePass(current, d, single, known, fresh) is { } wrapped
                    && Find(wrapped, d, single, known) is { } once)
                {
                    // A stencil swept once, outside any loop that repeats it: a sweep loop of one iteration (two versions).
                    current = Rewrite(wrapped, d, single, once, fresh);
                    changed = true;
                }
            }

            return changed ? current : null;
        }

        private static Plan? Find(IReadOnlyList<SourceStmt> block, int declaration, SourceBuffer buffer, Dictionary<string, Expr?> known)
        {
            string name = buffer.Name;
            int loopAt = -1;
            for (int k = declaration + 1; k < block.Count; k++)
            {
                if (StoresTo(block[k], name))
                {
                    loopAt = k;
                }
            }

            // After the loop the state may also be passed whole, or a part of it, to a method (return Loss(h)): the last version.
            if (loopAt < declaration + 2 || block[loopAt] is not SourceLoop { TestFirst: true } loop || block[loopAt - 1] is not SourceAssign { Type: ValType.Int } init
                || !block.Skip(declaration + 1).Take(loopAt - declaration).All(s => OnlyElements(s, name))
                || !block.Skip(loopAt + 1).All(s => OnlyElements(s, name, orPassed: true)) || Mentions(init, name))
            {
                return null;
            }

            // for (int t = a; t < b; t++), a and b known at the top, t assigned only by the increment, no early exit.
            string t = init.Name;
            if (loop.Condition is not Binary { Op: BinaryOp.Lt, Left: Var v, Right: var end } || v.Name != t || !KnownAtStart(init.Value, known) || !KnownAtStart(end, known)
                || loop.Increment.Count != 1 || loop.Increment[0] is not SourceAssign { Value: Binary { Op: BinaryOp.Add, Left: Var c, Right: Const { Value: 1 } } } step
                || step.Name != t || c.Name != t || Mentions(loop.Condition, name) || loop.Body.Any(s => SourceLoops.LeavesEarly(s) || SourceLoops.Assigns(s, t)))
            {
                return null;
            }

            // Exactly one statement of the body stores into the buffer: a complete refill at its top level, or a stencil sweep
            // over a range of it (BufferStencil).
            var storing = Enumerable.Range(0, loop.Body.Count).Where(k => StoresTo(loop.Body[k], name)).ToList();
            if (storing.Count != 1 || storing[0] == 0 || loop.Body[storing[0]] is not SourceLoop refill || Mentions(loop.Body[storing[0] - 1], name))
            {
                return null;
            }

            int r = storing[0];
            if (!BufferScopes.CountsOverBuffer(loop.Body[r - 1], refill, buffer, out string j))
            {
                return BufferStencil.Find(loop.Body[r - 1], refill, buffer, known) is { } sweep
                    ? new Plan(loopAt, t, init.Value, end, Resolve(init.Value, known), Resolve(end, known), r, sweep.Counter, sweep.Store) { Stencil = sweep }
                    : null;
            }

            var stores = Enumerable.Range(0, refill.Body.Count).Where(k => StoresTo(refill.Body[k], name)).ToList();
            var own = new Elem(name, new Var(j, ValType.Int), buffer.Element);
            if (stores.Count != 1 || refill.Body[stores[0]] is not SourceStore { Index: Var index } store || store.Array != name || index.Name != j
                || !refill.Body.All(s => BufferVersions.OnlyAt(s, name, own)) || Mentions(refill.Condition, name) || refill.Increment.Any(s => Mentions(s, name)))
            {
                return null;
            }

            // Carried: something reads the buffer before the refill, or the refill reads the element it replaces.
            bool carried = loop.Body.Take(r).Any(s => Mentions(s, name)) || refill.Body.Take(stores[0]).Any(s => Mentions(s, name)) || Mentions(store.Value, name);
            return carried ? new Plan(loopAt, t, init.Value, end, Resolve(init.Value, known), Resolve(end, known), r, j, stores[0]) : null;
        }

        private static List<SourceStmt> Rewrite(List<SourceStmt> block, int declaration, SourceBuffer buffer, Plan plan, Func<string, string> fresh)
        {
            string name = buffer.Name;
            var loop = (SourceLoop)block[plan.Loop];
            var length = buffer.Length;
            var t = new Var(plan.Counter, ValType.Int);

            // iterations = b > a ? b - a : 0; the history holds iterations + 1 versions (its length with the values of locals).
            var iterations = Iterations(plan.Start, plan.End);
            var history = new SourceBuffer(fresh(name + "History"), buffer.Element, Mul(Add(Iterations(plan.StartValue, plan.EndValue), Const.Of(1, ValType.Int)), length)) { Origin = buffer.Origin, IsHistory = true, HistoryOf = new CarriedBuffer(name, buffer.Length, loop.Site) };
            Expr At(Expr version, Expr index) => Add(Mul(version, length), index);
            var before = Sub(t, plan.Start);
            var after = Add(before, Const.Of(1, ValType.Int));

            bool initialised = Enumerable.Range(declaration + 1, plan.Loop - declaration - 2).Any(k => Mentions(block[k], name));
            var tainted = Tainted(block);
            var output = new List<SourceStmt>();
            for (int k = 0; k < block.Count; k++)
            {
                if (k == declaration)
                {
                    // The buffer itself keeps the statements before the loop (version 0), copied into the history,
                    // and stays declared where something reads its length.
                    if (initialised || block.Skip(declaration + 1).SelectMany(BufferStencil.Expressions).Any(e => Walk.Contains(e, x => x is Len len && len.Array == name)))
                    {
                        output.Add(block[k]);
                    }

                    output.Add(history);
                }
                else if (k == plan.Loop - 1 && initialised)
                {
                    string copy = fresh(name + "Index");
                    var i = new Var(copy, ValType.Int);
                    output.Add(new SourceAssign(copy, ValType.Int, Const.Of(0, ValType.Int)));
                    output.Add(new SourceLoop(
                        new Binary(BinaryOp.Lt, i, length, ValType.Bool),
                        EquatableArray.Create<SourceStmt>(new SourceStore(history.Name, i, new Elem(name, i, buffer.Element))),
                        EquatableArray.Create<SourceStmt>(new SourceAssign(copy, ValType.Int, Add(i, Const.Of(1, ValType.Int)))),
                        TestFirst: true));
                    output.Add(block[k]);
                }
                else if (k == plan.Loop)
                {
                    var body = new List<SourceStmt>();
                    for (int u = 0; u < loop.Body.Count; u++)
                    {
                        var s = loop.Body[u];
                        if (u == plan.Refill - 1 && plan.Stencil is { } sweep)
                        {
                            // The elements the sweep does not write: copied from the previous version first, so every
                            // version is complete and each of its elements written once.
                            body.AddRange(BufferStencil.CopyRest(sweep, history.Name, buffer.Element, length, index => At(before, index), index => At(after, index), fresh(name + "Index")));
                            body.Add(s);
                        }
                        else if (u == plan.Refill && plan.Stencil is { } stencil)
                        {
                            body.Add(BufferStencil.Rewrite((SourceLoop)s, stencil, name, history.Name, index => At(before, index), index => At(after, index)));
                        }
                        else
                        {
                            var previous = u > 0 ? loop.Body[u - 1] : null;
                            body.Add(u < plan.Refill ? new Redirector(name, history.Name, index => At(before, index), null, length, tainted).Statement(s, previous, NoCounters)
                                : u == plan.Refill ? RewriteRefill((SourceLoop)s, name, history.Name, plan, length, tainted, index => At(before, index), index => At(after, index))
                                : new Redirector(name, history.Name, index => At(after, index), null, length, tainted).Statement(s, previous, NoCounters));
                        }
                    }

                    output.Add(loop with { Body = body.ToEquatableArray() });
                }
                else if (k > plan.Loop)
                {
                    output.Add(new Redirector(name, history.Name, index => At(iterations, index), length, length, tainted).Statement(block[k], block[k - 1], NoCounters));
                }
                else
                {
                    output.Add(block[k]);
                }
            }

            return output;
        }

        private static SourceStmt RewriteRefill(SourceLoop refill, string name, string history, Plan plan, Expr length, HashSet<string> tainted, Func<Expr, Expr> old, Func<Expr, Expr> updated)
        {
            // Inside the refill its counter runs over the buffer's length: h[j] needs no check.
            var counters = NoCounters.Add(plan.RefillCounter, length);
            var reads = new Redirector(name, history, old, null, length, tainted);
            var body = refill.Body.Select((s, u) =>
                u < plan.Store ? reads.Statement(s, u > 0 ? refill.Body[u - 1] : null, counters)
                : u == plan.Store ? new SourceStore(history, updated(((SourceStore)s).Index), reads.Expression(((SourceStore)s).Value, counters)) { Origin = s.Origin, Site = ((SourceStore)s).Site }
                : new Redirector(name, history, updated, null, length, tainted).Statement(s, u > 0 ? refill.Body[u - 1] : null, counters)).ToEquatableArray();
            return refill with { Body = body };
        }

        /// <summary>Whether an index is read from data: an element, a call, a cast of a real, or an int local set from one.</summary>
        private static bool FromData(Expr i, HashSet<string> tainted) =>
            Walk.Contains(i, x => x is Elem or Call or UserCall or Opaque || (x is Unary { Op: UnaryOp.Convert } cast && cast.Operand.Type.IsFloating()) || (x is Var v && tainted.Contains(v.Name)));

        /// <summary>The int locals of the statements (at any depth) assigned, directly or through each other, from data.</summary>
        private static HashSet<string> Tainted(IReadOnlyList<SourceStmt> statements)
        {
            var assigns = new List<SourceAssign>();
            void Collect(IEnumerable<SourceStmt> block)
            {
                foreach (var s in block)
                {
                    if (s is SourceAssign { Type: ValType.Int } a)
                    {
                        assigns.Add(a);
                    }

                    foreach (var nested in LocalBuffers.Nested(s))
                    {
                        Collect(nested);
                    }
                }
            }

            Collect(statements);
            var tainted = new HashSet<string>(StringComparer.Ordinal);
            bool changed = true;
            while (changed)
            {
                changed = false;
                foreach (var a in assigns)
                {
                    if (!tainted.Contains(a.Name) && FromData(a.Value, tainted))
                    {
                        changed |= tainted.Add(a.Name);
                    }
                }
            }

            return tainted;
        }

        private static readonly System.Collections.Immutable.ImmutableDictionary<string, Expr> NoCounters = System.Collections.Immutable.ImmutableDictionary.Create<string, Expr>(StringComparer.Ordinal);

        /// <summary>
        /// Redirects a buffer's elements into another array (a recurrent state's into its history) at <c>index</c> of their
        /// index. With a <c>checkLength</c>, each read whose index is read from data and not shown inside the buffer (a
        /// constant below a constant length, the counter of an enclosing <c>for (int k = 0; k &lt; length; k++)</c>) keeps its
        /// bounds check (<see cref="CheckedIndex"/>), so <c>h[labels[t]]</c> with a label out of range throws as the user's
        /// <c>h[k]</c> does instead of reading another version (found in review). With a <c>spanLength</c>, the buffer
        /// passed whole or a part of it becomes that part of the other array.
        /// </summary>
        private sealed class Redirector
        {
            private readonly string _from;
            private readonly string _to;
            private readonly Func<Expr, Expr> _index;
            private readonly Expr? _spanLength;
            private readonly Expr? _length;
            private readonly HashSet<string> _tainted;

            public Redirector(string from, string to, Func<Expr, Expr> index, Expr? spanLength, Expr? checkLength, HashSet<string> tainted)
            {
                _tainted = tainted;
                _from = from;
                _to = to;
                _index = index;
                _spanLength = spanLength;
                _length = checkLength;
            }

            public SourceStmt Statement(SourceStmt s, SourceStmt? previous, System.Collections.Immutable.ImmutableDictionary<string, Expr> counters) => s switch
            {
                SourceAssign a => a with { Value = Expression(a.Value, counters) },
                SourceStore st => st with { Index = Expression(st.Index, counters), Value = Expression(st.Value, counters) },
                SourceIf i => i with { Condition = Expression(i.Condition, counters), Then = Block(i.Then, counters), Else = Block(i.Else, counters) },
                SourceLoop l => l with
                {
                    Condition = Expression(l.Condition, counters),
                    Body = Block(l.Body, previous is not null && SourceLoops.CountsTo(previous, l, out string counter) is { } limit ? counters.SetItem(counter, limit) : counters),
                    Increment = l.Increment.Select(x => Statement(x, null, counters)).ToEquatableArray(),
                },
                SourceReturn r => r.Value is null ? r : r with { Value = Expression(r.Value, counters) },
                _ => s,
            };

            private EquatableArray<SourceStmt> Block(EquatableArray<SourceStmt> block, System.Collections.Immutable.ImmutableDictionary<string, Expr> counters) =>
                block.Select((x, u) => Statement(x, u > 0 ? block[u - 1] : null, counters)).ToEquatableArray();

            public Expr Expression(Expr e, System.Collections.Immutable.ImmutableDictionary<string, Expr> counters) => Walk.Transform(e, x => x switch
            {
                Elem el when el.Array == _from => new Elem(_to, Checked(el.Index, counters), el.Type),
                SpanRef whole when whole.Array == _from && _spanLength is not null => new SpanView(_to, _index(Const.Of(0, ValType.Int)), _spanLength, whole.Element, ReadOnly: true, OverArray: false),
                SpanView part when part.Array == _from && _spanLength is not null => part with { Array = _to, Start = _index(part.Start) },
                _ => x,
            });

            private Expr Checked(Expr i, System.Collections.Immutable.ImmutableDictionary<string, Expr> counters)
            {
                if (_length is null)
                {
                    return _index(i);
                }

                bool inside = i switch
                {
                    // A constant (structural, as before): checked only where it is certainly outside.
                    Const { Value: var c } => c >= 0 && !(_length is Const { Value: var n } && c >= n),
                    Var { Name: var name } when counters.TryGetValue(name, out var limit)
                        && (limit.Equals(_length) || (limit is Len len && len.Array == _from) || (limit is Const { Value: var b } && _length is Const { Value: var m } && b <= m)) => true,
                    // A view's index, already checked (Parser.ViewIndex): it stays outside under the offset.
                    _ when CheckedIndex.Is(i) => true,
                    // An index made of counters, constants, lengths and int parameters (a stencil's i - 1, (j + 1) % H): the
                    // shapes the history was planned for, left as they were; an index read from data (an element, a call,
                    // a cast of a real) is checked.
                    _ => !FromData(i, _tainted),
                };
                if (inside)
                {
                    return _index(i);
                }

                return CheckedIndex.Of(CheckedIndex.Within(i, _length), _index(i));
            }
        }

        /// <summary>
        /// The statement with every element of <paramref name="from"/> read from <paramref name="to"/> at <paramref name="index"/>
        /// of its index, unchecked (the stencil sweeps, whose reads are at constant offsets inside the buffer by their plan).
        /// </summary>
        internal static SourceStmt Redirect(SourceStmt s, string from, string to, Func<Expr, Expr> index) =>
            new Redirector(from, to, index, spanLength: null, checkLength: null, new HashSet<string>(StringComparer.Ordinal)).Statement(s, null, NoCounters);

        /// <summary>The expression with every element of <paramref name="from"/> read from <paramref name="to"/> at <paramref name="index"/> of its index, unchecked.</summary>
        internal static Expr Redirect(Expr e, string from, string to, Func<Expr, Expr> index) =>
            new Redirector(from, to, index, spanLength: null, checkLength: null, new HashSet<string>(StringComparer.Ordinal)).Expression(e, NoCounters);

        /// <summary>
        /// Whether every mention of the buffer in the statement is an element read or store (never the whole buffer), or
        /// with <paramref name="orPassed"/> also the whole buffer or a part of it passed to a method (a span argument).
        /// </summary>
        private static bool OnlyElements(SourceStmt s, string name, bool orPassed = false) => s switch
        {
            SourceAssign a => OnlyElements(a.Value, name, orPassed),
            SourceStore st => OnlyElements(st.Index, name, orPassed) && OnlyElements(st.Value, name, orPassed),
            SourceIf i => OnlyElements(i.Condition, name, orPassed) && i.Then.All(x => OnlyElements(x, name, orPassed)) && i.Else.All(x => OnlyElements(x, name, orPassed)),
            SourceLoop l => OnlyElements(l.Condition, name, orPassed) && l.Body.All(x => OnlyElements(x, name, orPassed)) && l.Increment.All(x => OnlyElements(x, name, orPassed)),
            SourceReturn r => r.Value is null || OnlyElements(r.Value, name, orPassed),
            SourceBuffer b => b.Name != name && OnlyElements(b.Length, name, orPassed),
            SourceBreak or SourceContinue => true,
            _ => false,
        };

        private static bool OnlyElements(Expr e, string name, bool orPassed = false) => e switch
        {
            Elem el when el.Array == name => OnlyElements(el.Index, name, orPassed),
            Len len when len.Array == name => true, // the declaration stays for it
            SpanRef whole when orPassed && whole.Array == name => true,
            SpanView part when orPassed && part.Array == name => OnlyElements(part.Start, name, orPassed) && OnlyElements(part.Length, name, orPassed),
            Len or SpanRef or SpanView or Opaque when BufferScopes.Mentions(e, name) => false,
            _ => Walk.Children(e).All(c => OnlyElements(c, name, orPassed)),
        };

        /// <summary>
        /// Constants, lengths, parameters the method never assigns and <c>int</c> locals assigned once at its top level from
        /// such values (<paramref name="known"/>: a local's value, or null for a name assigned otherwise): the same value all
        /// through the method, computable at its top, where the history is allocated.
        /// </summary>
        internal static bool KnownAtStart(Expr e, Dictionary<string, Expr?> known) => e switch
        {
            Const => true,
            Len => true,
            Var v => !known.TryGetValue(v.Name, out var value) || value is not null,
            Binary { Op: BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul } b => KnownAtStart(b.Left, known) && KnownAtStart(b.Right, known),
            _ => false,
        };

        /// <summary>The expression with each known local replaced by its value (parameters stay).</summary>
        internal static Expr Resolve(Expr e, Dictionary<string, Expr?> known) =>
            Walk.Transform(e, x => x is Var v && known.TryGetValue(v.Name, out var value) && value is not null ? value : x);

        private static void CollectAssigned(IReadOnlyList<SourceStmt> statements, Dictionary<string, int> assignments)
        {
            foreach (var s in statements)
            {
                if (s is SourceAssign a)
                {
                    assignments[a.Name] = assignments.TryGetValue(a.Name, out int n) ? n + 1 : 1;
                }

                foreach (var nested in LocalBuffers.Nested(s))
                {
                    CollectAssigned(nested, assignments);
                }
            }
        }

        private static bool StoresTo(SourceStmt s, string buffer) => LocalBuffers.StoresTo(s, buffer);

        private static bool Mentions(SourceStmt s, string name) => BufferScopes.Mentions(s, name);

        private static bool Mentions(Expr e, string name) => BufferScopes.Mentions(e, name);

        private static Expr Iterations(Expr start, Expr end) => start is Const a && end is Const b
            ? Const.Of(Math.Max(0, b.Value - a.Value), ValType.Int)
            : new Cond(new Binary(BinaryOp.Gt, end, start, ValType.Bool), Sub(end, start), Const.Of(0, ValType.Int), ValType.Int);

        internal static Expr Add(Expr a, Expr b) =>
            b is Const { Value: 0 } ? a : a is Const { Value: 0 } ? b : a is Const ca && b is Const cb ? Const.Of(ca.Value + cb.Value, ValType.Int) : new Binary(BinaryOp.Add, a, b, ValType.Int);

        internal static Expr Sub(Expr a, Expr b) =>
            b is Const { Value: 0 } ? a : a is Const ca && b is Const cb ? Const.Of(ca.Value - cb.Value, ValType.Int) : new Binary(BinaryOp.Sub, a, b, ValType.Int);

        internal static Expr Mul(Expr a, Expr b) =>
            b is Const { Value: 1 } ? a : a is Const { Value: 1 } ? b : a is Const ca && b is Const cb ? Const.Of(ca.Value * cb.Value, ValType.Int) : new Binary(BinaryOp.Mul, a, b, ValType.Int);
    }
}

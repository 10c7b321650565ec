using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>
    /// Scheduler pass: loop fusion and the buffer rules it enables. Three general rules, none of which changes a
    /// floating-point operation of the value:
    /// <list type="bullet">
    /// <item><b>Fusion</b> (<see cref="FuseLoops"/>): two loops of one block, adjacent but for pure lets between them,
    /// counting up by one from the same start to bounds proven equal, become one loop whose body is the first body
    /// followed by the second, when no iteration of one depends on another iteration of the other: every buffer one of
    /// them writes and the other reads or writes is accessed by both only at the counter (<c>h[j]</c>), or only added
    /// into by both (an adjoint buffer: additions commute, up to rounding of the gradient). Each carried chain keeps its
    /// own operations in its own order, so the value is bit for bit the same.</item>
    /// <item><b>Covered clears</b> (<see cref="DropCoveredClears"/>): a buffer cleared and then filled whole by a loop from
    /// 0 to its length that stores element <c>[j]</c> before anything reads it needs no clear.</item>
    /// <item><b>Buffers that live one iteration</b> (<see cref="ScalarizeBuffers"/>): a zeroed buffer whose every access is
    /// at the top level of one loop's body at that loop's counter, and whose element that body leaves zero, holds zero at
    /// the start of every iteration: its element becomes a local (an adjoint buffer of a hidden layer, once the loop that
    /// adds into it and the loop that reads it are fused). No clear, no memory traffic.</item>
    /// </list>
    /// </summary>
    internal sealed partial class Scheduler
    {
        // ---- Fusion -----------------------------------------------------------------------------------------------------

        /// <summary>Fuses adjacent loops of equal trip counts without cross-iteration dependence, to a fixed point.</summary>
        public static Block FuseLoops(Block body)
        {
            while (true)
            {
                var finals = FinalCounters(body);
                var renames = new Dictionary<string, string>(StringComparer.Ordinal);
                body = FuseIn(body, finals, renames);
                if (renames.Count == 0)
                {
                    return body;
                }

                // The second loop's counter is the first's, in its body and after the loop (SSA: names are unique).
                body = Walk.Rename(body, renames);
            }
        }

        private static Block FuseIn(Block block, Dictionary<string, (Expr Init, Expr Bound)> finals, Dictionary<string, string> renames)
        {
            var statements = block.Statements.Map(s => Walk.MapBlocks(s, b => FuseIn(b, finals, renames)));
            var list = statements.ToList();
            bool changed = statements.AsImmutableArray() != block.Statements.AsImmutableArray();
            for (int a = 0; a < list.Count; a++)
            {
                if (list[a] is not Loop first || Shape(first) is not { } s1)
                {
                    continue;
                }

                int b = a + 1;
                while (b < list.Count && list[b] is Let or Comment)
                {
                    b++;
                }

                if (b >= list.Count || list[b] is not Loop second || Shape(second) is not { } s2)
                {
                    continue;
                }

                bool firstsBound = false;
                // A bound that is the final counter of a loop from the same start to the same bound as the first (the
                // first's own counter included: a reverse loop over the iterations the forward loop ran) is that bound.
                if (s2.Bound is Var finalCounter && s1.Init.Equals(s2.Init) && finals.TryGetValue(finalCounter.Name, out var ended)
                    && ended.Init.Equals(s1.Init) && ended.Bound.Equals(s1.Bound))
                {
                    second = second with { Condition = new Binary(BinaryOp.Lt, new Var(s2.Counter, ValType.Int), s1.Bound, ValType.Bool) };
                    s2 = (s2.Counter, s2.Init, s1.Bound);
                    firstsBound = true;
                }

                // A comment between (the reverse sweep's mark) goes with the loops it separated.
                var between = list.GetRange(a + 1, b - a - 1).OfType<Let>().ToList();
                if (!CanFuse(first, s1, second, s2, between, finals, firstsBound))
                {
                    continue;
                }

                var carried = first.Carried.Concat(second.Carried.Where(v => v.Name != s2.Counter)).ToEquatableArray();
                var fused = first with
                {
                    Carried = carried,
                    Body = new Block(first.Body.Statements.Concat(second.Body.Statements).ToEquatableArray()),
                };
                renames[s2.Counter] = s1.Counter;
                list.RemoveRange(a, b - a + 1);
                list.InsertRange(a, between.Cast<Stmt>().Append(fused));
                changed = true;
                break; // one fusion per block and round: the next round sees the renamed counter
            }

            return changed ? new Block(list.ToEquatableArray()) : block;
        }

        /// <summary>A loop <c>c = init; while (c &lt; bound) { ...; c = c + 1 }</c> with an empty header: its counter, start and bound.</summary>
        private static (string Counter, Expr Init, Expr Bound)? Shape(Loop loop)
        {
            if (LoopShape.Counter(loop) is not { Step: 1 } shape
                || loop.Condition is not Binary { Op: BinaryOp.Lt, Left: Var tested, Right: var bound } || tested.Name != shape.Counter.Name)
            {
                return null;
            }

            return (shape.Counter.Name, shape.Counter.Init, bound);
        }

        /// <summary>
        /// The final value of every counting loop whose start and bound read no memory: a loop from <c>a</c> while
        /// <c>c &lt; b</c> by one ends with <c>c</c> = max(a, b), so two such loops with the same start and bound end equal.
        /// </summary>
        private static Dictionary<string, (Expr Init, Expr Bound)> FinalCounters(Block body)
        {
            var finals = new Dictionary<string, (Expr, Expr)>(StringComparer.Ordinal);
            void Collect(Block b)
            {
                foreach (var s in b.Statements)
                {
                    if (s is Loop loop && Shape(loop) is { } shape && PureOfMemory(shape.Init) && PureOfMemory(shape.Bound)
                        && !loop.Carried.Any(v => Walk.Reads(shape.Bound, v.Name)))
                    {
                        finals[shape.Counter] = (shape.Init, shape.Bound);
                    }

                    foreach (var nested in Walk.Blocks(s))
                    {
                        Collect(nested);
                    }
                }
            }

            Collect(body);
            return finals;
        }

        /// <summary>Reads no element, calls no method and holds no C# text: its value depends on variables only.</summary>
        private static bool PureOfMemory(Expr e) => !Walk.Contains(e, x => x is Elem or UserCall or Opaque or SpanRef or SpanView or TupleItem);

        /// <summary>Whether evaluating <paramref name="e"/> cannot throw other than by an index out of range (no integer division by a variable, no call).</summary>
        private static bool SafeToMove(Expr e) => !Walk.Contains(e, x =>
            x is UserCall or Opaque or TupleItem
            || (x is Binary { Op: BinaryOp.Div or BinaryOp.Rem } d && !d.Type.IsFloating() && d.Right is not Const { IsZero: false }));

        private static bool SameBound(Expr a, Expr b, Dictionary<string, (Expr Init, Expr Bound)> finals) =>
            a.Equals(b)
            || (a is Var va && b is Var vb && finals.TryGetValue(va.Name, out var fa) && finals.TryGetValue(vb.Name, out var fb)
                && fa.Init.Equals(fb.Init) && fa.Bound.Equals(fb.Bound));

        private static bool CanFuse(Loop first, (string Counter, Expr Init, Expr Bound) s1, Loop second, (string Counter, Expr Init, Expr Bound) s2, List<Let> between, Dictionary<string, (Expr Init, Expr Bound)> finals, bool firstsBound = false)
        {
            if (!s1.Init.Equals(s2.Init) || !PureOfMemory(s1.Init) || !PureOfMemory(s1.Bound) || !PureOfMemory(s2.Bound)
                || !SameBound(s1.Bound, s2.Bound, finals)
                || first.Carried.Any(v => Walk.Reads(s1.Bound, v.Name))
                || second.Carried.Any(v => Walk.Reads(s2.Bound, v.Name)))
            {
                return false;
            }

            var accesses1 = new List<Access>();
            var accesses2 = new List<Access>();
            // The two conditions stay where they are (the fused loop tests the first's; the second's bound was checked
            // above) and read no carried value: a condition that may throw (u.Length / cols) throws at its first test,
            // before either loop's body runs, as before.
            if (!CollectLoop(first, accesses1, invariantCondition: true) || !CollectLoop(second, accesses2, invariantCondition: true))
            {
                return false;
            }

            // What moves before the first loop (the lets between, the second loop's start values and bound) may not read
            // what the first loop defines or writes, and may not throw anything but an index out of range. A bound that
            // is the first's own (firstsBound) does not move: the fused loop tests the first's condition.
            var firstNames = new HashSet<string>(first.Carried.Select(v => v.Name), StringComparer.Ordinal);
            var written1 = new HashSet<string>(accesses1.Where(x => x.Kind != AccessKind.Read).Select(x => x.Array), StringComparer.Ordinal);
            bool MovesFreely(Expr e)
            {
                if (!SafeToMove(e) || Walk.Contains(e, x => x is Var v && firstNames.Contains(v.Name)))
                {
                    return false;
                }

                var moved = new List<Access>();
                Accesses(e, moved);
                return !moved.Any(x => written1.Contains(x.Array));
            }

            if (!between.All(l => MovesFreely(l.Value)) || !second.Carried.All(v => MovesFreely(v.Init)) || (!firstsBound && !MovesFreely(s2.Bound)))
            {
                return false;
            }

            // The second loop reads nothing the first defines (its final values): the fused body runs before they exist.
            var secondExprs = Walk.AllExpressions(second);
            if (secondExprs.Any(e => Walk.Contains(e, x => x is Var v && firstNames.Contains(v.Name))))
            {
                return false;
            }

            // No cross-iteration dependence through buffers.
            var arrays = new HashSet<string>(accesses1.Select(x => x.Array).Concat(accesses2.Select(x => x.Array)), StringComparer.Ordinal);
            foreach (var array in arrays)
            {
                var in1 = accesses1.Where(x => x.Array == array).ToList();
                var in2 = accesses2.Where(x => x.Array == array).ToList();
                bool writes1 = in1.Any(x => x.Kind != AccessKind.Read);
                bool writes2 = in2.Any(x => x.Kind != AccessKind.Read);
                if (in1.Count == 0 || in2.Count == 0 || (!writes1 && !writes2))
                {
                    continue;
                }

                // Additions only, on both sides: an adjoint buffer, whose contributions commute.
                if (in1.Concat(in2).All(x => x.Kind == AccessKind.Add && x.Index is not null))
                {
                    continue;
                }

                var c1 = new Var(s1.Counter, ValType.Int);
                var c2 = new Var(s2.Counter, ValType.Int);
                if (!in1.All(x => x.Kind != AccessKind.Other && c1.Equals(x.Index)) || !in2.All(x => x.Kind != AccessKind.Other && c2.Equals(x.Index)))
                {
                    return false;
                }
            }

            return true;
        }

        private enum AccessKind
        {
            Read,
            Store,
            Add,
            Other,
        }

        private readonly struct Access
        {
            public Access(string array, AccessKind kind, Expr? index)
            {
                Array = array;
                Kind = kind;
                Index = index;
            }

            public string Array { get; }

            public AccessKind Kind { get; }

            public Expr? Index { get; }
        }

        /// <summary>
        /// The buffer accesses of a loop (condition, carried values, body at any depth); false for a statement this pass
        /// does not reason about (calls, clears, outputs, C# text...), so such a loop is never fused.
        /// </summary>
        /// <param name="calls">Also accept calls of [Differentiable] helpers (<see cref="CallWithGradient"/>), recording their
        /// arguments' accesses (a span argument is <see cref="AccessKind.Other"/>): for a pass that only reorders additions
        /// into a buffer no call is given, not for one that moves statements past each other.</param>
        private static bool CollectLoop(Loop loop, List<Access> into, bool invariantCondition = false, bool calls = false)
        {
            if (loop.Header.Statements.Count != 0)
            {
                return false;
            }

            foreach (var v in loop.Carried)
            {
                if (!SafeToMove(v.Next) || !SafeToMove(v.Init))
                {
                    return false;
                }

                Accesses(v.Next, into);
            }

            Accesses(loop.Condition, into);
            return (invariantCondition || SafeToMove(loop.Condition)) && CollectBlock(loop.Body, into, calls);
        }

        private static bool CollectBlock(Block block, List<Access> into, bool calls = false)
        {
            foreach (var s in block.Statements)
            {
                switch (s)
                {
                    case Let l when SafeToMove(l.Value):
                        Accesses(l.Value, into);
                        break;
                    case Store st when SafeToMove(st.Index) && SafeToMove(st.Value):
                        into.Add(new Access(st.Array, AccessKind.Store, st.Index));
                        Accesses(st.Index, into);
                        Accesses(st.Value, into);
                        break;
                    case Accumulate { Index: not null } ac when SafeToMove(ac.Index) && SafeToMove(ac.Value):
                        into.Add(new Access(ac.Target, AccessKind.Add, ac.Index));
                        Accesses(ac.Index, into);
                        Accesses(ac.Value, into);
                        break;
                    case If i when SafeToMove(i.Condition) && i.Phis.All(p => SafeToMove(p.WhenTrue) && SafeToMove(p.WhenFalse)):
                        Accesses(i.Condition, into);
                        foreach (var p in i.Phis)
                        {
                            Accesses(p.WhenTrue, into);
                            Accesses(p.WhenFalse, into);
                        }

                        if (!CollectBlock(i.Then, into, calls) || !CollectBlock(i.Else, into, calls))
                        {
                            return false;
                        }

                        break;
                    case Loop inner:
                        if (!CollectLoop(inner, into, calls: calls))
                        {
                            return false;
                        }

                        break;
                    case CallWithGradient call when calls:
                        if (call.Call.Receiver is { } receiver)
                        {
                            Accesses(receiver, into);
                        }

                        foreach (var argument in call.Call.Args)
                        {
                            Accesses(argument, into);
                        }

                        break;
                    default:
                        return false;
                }
            }

            return true;
        }

        /// <summary>The element reads of an expression (and any other mention of an array, as <see cref="AccessKind.Other"/>).</summary>
        private static void Accesses(Expr e, List<Access> into)
        {
            switch (e)
            {
                case Elem el:
                    into.Add(new Access(el.Array, AccessKind.Read, el.Index));
                    break;
                case SpanRef span:
                    into.Add(new Access(span.Array, AccessKind.Other, null));
                    break;
                case SpanView view:
                    into.Add(new Access(view.Array, AccessKind.Other, null));
                    break;
            }

            foreach (var c in Walk.Children(e))
            {
                Accesses(c, into);
            }
        }

        // ---- Branches on the same condition ---------------------------------------------------------------------------

        /// <summary>
        /// Two <c>if</c> statements of one block on the same condition, with only pure lets between them (typically a
        /// fused loop's forward branch and its reverse branch), become one: the first's arms followed by the second's, at
        /// the place of the second. The condition is the same value at both places: it reads variables only (SSA: each
        /// has one value), or nothing between them and the first's arms writes memory. One test and one jump instead of
        /// two; every floating-point operation is the same.
        /// </summary>
        public static Block MergeBranches(Block body)
        {
            var statements = body.Statements.Map(s => Walk.MapBlocks(s, MergeBranches));
            var list = statements.ToList();
            bool changed = statements.AsImmutableArray() != body.Statements.AsImmutableArray();
            for (int a = 0; a < list.Count; a++)
            {
                if (list[a] is not If first)
                {
                    continue;
                }

                int b = a + 1;
                while (b < list.Count && list[b] is Let let && SafeToMove(let.Value))
                {
                    b++;
                }

                if (b >= list.Count || list[b] is not If second || !second.Condition.Equals(first.Condition))
                {
                    continue;
                }

                var between = list.GetRange(a + 1, b - a - 1).Cast<Let>().ToList();
                // Before scope repair a value defined in an arm may be read after the branch; a let between the two that
                // reads one would run before its definition once the arms move down (FINDINGS F62), so it counts as a phi.
                var phis = new HashSet<string>(first.Phis.Select(p => p.Name).Concat(DefinedInArms(first)), StringComparer.Ordinal);
                bool firstWrites = Walk.HasEffect(first);
                bool stable = PureOfMemory(first.Condition) || !firstWrites;
                bool independent = between.All(l => !Walk.Contains(l.Value, x => x is Var v && phis.Contains(v.Name)) && !(firstWrites && !PureOfMemory(l.Value)));
                // The second's arms and phis run before the first's phis exist now: they may not read them.
                bool readsPhis = Walk.AllExpressions(second).Any(e => Walk.Contains(e, x => x is Var v && phis.Contains(v.Name)));
                if (!stable || !independent || readsPhis)
                {
                    continue;
                }

                var merged = new If(
                    first.Condition,
                    new Block(first.Then.Statements.Concat(second.Then.Statements).ToEquatableArray()),
                    new Block(first.Else.Statements.Concat(second.Else.Statements).ToEquatableArray()),
                    first.Phis.Concat(second.Phis).ToEquatableArray());
                list.RemoveRange(a, b - a + 1);
                list.InsertRange(a, between.Cast<Stmt>().Append(merged));
                changed = true;
                a--; // the merged branch may meet a third on the same condition
            }

            return changed ? new Block(list.ToEquatableArray()) : body;
        }

        private static IEnumerable<string> DefinedInArms(If branch)
        {
            IEnumerable<string> In(Block block) => block.Statements.SelectMany(s => Walk.Defines(s).Concat(Walk.Blocks(s).SelectMany(In)));
            return In(branch.Then).Concat(In(branch.Else));
        }

        // ---- Stored values read back ----------------------------------------------------------------------------------

        /// <summary>
        /// <c>h[j] = v; ... h[j]</c> in one block, for a buffer the method allocates itself (no parameter can alias it) and
        /// with nothing between that writes <c>h</c>: the later reads are <c>v</c>, kept in a local (a fused loop that
        /// fills a layer and reads it back in the same iteration). The same value, without the loads and their bounds
        /// checks.
        /// </summary>
        private Block ForwardStores(Block body)
        {
            var buffers = new HashSet<string>(StringComparer.Ordinal);
            void Collect(Block b)
            {
                foreach (var s in b.Statements)
                {
                    if (s is RentBuffer r)
                    {
                        buffers.Add(r.Name);
                    }

                    foreach (var nested in Walk.Blocks(s))
                    {
                        Collect(nested);
                    }
                }
            }

            Collect(body);
            return buffers.Count == 0 ? body : ForwardIn(body, buffers);
        }

        private Block ForwardIn(Block block, HashSet<string> buffers)
        {
            var mapped = block.Statements.Map(s => Walk.MapBlocks(s, b => ForwardIn(b, buffers)));
            bool changed = mapped.AsImmutableArray() != block.Statements.AsImmutableArray();

            // First which stores are read back (so only those get a local), then the rewrite.
            var used = new HashSet<int>();
            Simulate(mapped, buffers, (position, _) => used.Add(position));
            if (used.Count == 0)
            {
                return changed ? new Block(mapped) : block;
            }

            var names = new Dictionary<int, Var>();
            var output = new List<Stmt>(mapped.Count + used.Count);
            var known = new Dictionary<Elem, int>();
            for (int k = 0; k < mapped.Count; k++)
            {
                var stmt = mapped[k];
                if (known.Count > 0 && stmt is Let or Store or Accumulate)
                {
                    stmt = Walk.MapExpressions(stmt, e => Walk.Transform(e, x => x is Elem el && known.TryGetValue(el, out var at) ? names[at] : x));
                }

                Forget(known, stmt);
                if (Forwardable(stmt, buffers) is { } st)
                {
                    if (used.Contains(k))
                    {
                        var value = st.Value as Var;
                        if (value is null)
                        {
                            value = new Var(_namer.NewTemp(), st.Value.Type);
                            output.Add(new Let(value.Name, st.Value));
                            stmt = new Store(st.Array, st.Index, value);
                        }

                        names[k] = value;
                    }

                    known[new Elem(st.Array, st.Index, st.Value.Type)] = k;
                }

                output.Add(stmt);
            }

            return new Block(output.ToEquatableArray());
        }

        /// <summary>Walks the block as <see cref="ForwardIn"/> does, reporting each read that a store before it answers.</summary>
        private static void Simulate(EquatableArray<Stmt> statements, HashSet<string> buffers, Action<int, Elem> read)
        {
            var known = new Dictionary<Elem, int>();
            for (int k = 0; k < statements.Count; k++)
            {
                var stmt = statements[k];
                if (known.Count > 0 && stmt is Let or Store or Accumulate)
                {
                    var exprs = new List<Expr>();
                    Walk.DirectExpressions(stmt, exprs);
                    foreach (var e in exprs)
                    {
                        Walk.Contains(e, x =>
                        {
                            if (x is Elem el && known.TryGetValue(el, out var at))
                            {
                                read(at, el);
                            }

                            return false;
                        });
                    }
                }

                Forget(known, stmt);
                if (Forwardable(stmt, buffers) is { } st)
                {
                    known[new Elem(st.Array, st.Index, st.Value.Type)] = k;
                }
            }
        }

        /// <summary>A store into a buffer the method allocates, at an index that reads no memory, of a value that may move.</summary>
        private static Store? Forwardable(Stmt s, HashSet<string> buffers) =>
            s is Store st && buffers.Contains(st.Array) && PureOfMemory(st.Index) && SafeToMove(st.Value) && st.Value is not Const ? st : null;

        /// <summary>A write to a buffer forgets what was known of its elements.</summary>
        private static void Forget(Dictionary<Elem, int> known, Stmt s)
        {
            if (known.Count == 0)
            {
                return;
            }

            foreach (var written in Walk.WrittenBuffers(s))
            {
                foreach (var key in known.Keys.Where(k => k.Array == written).ToList())
                {
                    known.Remove(key);
                }
            }
        }

        // ---- Invariant guards of loops ---------------------------------------------------------------------------------

        /// <summary>
        /// A loop <c>while (g &amp;&amp; rest)</c> whose guard <c>g</c> reads nothing the loop defines and no memory (an adjoint
        /// that is not zero, <c>hBar != 0.0</c>, guarding an inner loop) tests <c>g</c> once: <c>if (g) { while (rest) }</c>,
        /// the carried values taking their start values when <c>g</c> is false. The guard was the first thing every
        /// iteration evaluated and it cannot change, so the same iterations run; the loop left is a plain counting loop.
        /// </summary>
        private Block HoistLoopGuards(Block block)
        {
            var mapped = block.Statements.Map(s => Walk.MapBlocks(s, HoistLoopGuards));
            bool changed = mapped.AsImmutableArray() != block.Statements.AsImmutableArray();
            var output = new List<Stmt>(mapped.Count);
            foreach (var s in mapped)
            {
                if (s is Loop loop && loop.Header.Statements.Count == 0 && loop.Condition is Binary { Op: BinaryOp.And, Left: var guard, Right: var rest }
                    && PureOfMemory(guard) && SafeToMove(guard) && !loop.Carried.Any(v => Walk.Reads(guard, v.Name)))
                {
                    // A value the loop carries unchanged (next = itself) is its start value throughout: a let before the branch.
                    var invariant = loop.Carried.Where(v => v.Next is Var self && self.Name == v.Name && v.Name != loop.Counter).ToList();
                    foreach (var v in invariant)
                    {
                        output.Add(new Let(v.Name, v.Init));
                    }

                    var carried = loop.Carried.Where(v => !invariant.Contains(v)).ToEquatableArray();
                    var renames = carried.ToDictionary(v => v.Name, v => _namer.NewSourceName(v.Name), StringComparer.Ordinal);
                    var inner = (Loop)Walk.Rename(
                        loop with { Condition = rest, Carried = carried },
                        n => renames.TryGetValue(n, out var r) ? r : n,
                        e => Walk.Transform(e, x => x is Var v && renames.TryGetValue(v.Name, out var r) ? new Var(r, v.Type) : x));
                    var phis = carried.Select(v => new Phi(v.Name, v.Type, new Var(renames[v.Name], v.Type), v.Init)).ToEquatableArray();
                    output.Add(new If(guard, Block.Of(inner), Block.Empty, phis));
                    changed = true;
                    continue;
                }

                output.Add(s);
            }

            return changed ? new Block(output.ToEquatableArray()) : block;
        }

        // ---- Covered clears -----------------------------------------------------------------------------------------------

        /// <summary>
        /// Removes the clear of a buffer that the next loop to mention it fills whole before reading it: a loop from 0 while
        /// <c>j &lt; length</c> by one whose first statement mentioning the buffer, at the top level of its body, stores
        /// <c>[j]</c>, and which mentions the buffer nowhere else but at <c>[j]</c>. Every element is written before it is
        /// read, in the loop and after it, so the zeros are never seen.
        /// </summary>
        public static Block DropCoveredClears(Block body)
        {
            var lengths = new Dictionary<string, Expr>(StringComparer.Ordinal);
            void Collect(Block b)
            {
                foreach (var s in b.Statements)
                {
                    if (s is RentBuffer { Zeroed: true } r)
                    {
                        lengths[r.Name] = r.Length;
                    }

                    foreach (var nested in Walk.Blocks(s))
                    {
                        Collect(nested);
                    }
                }
            }

            Collect(body);
            return lengths.Count == 0 ? body : DropClearsIn(body, lengths);
        }

        private static Block DropClearsIn(Block block, Dictionary<string, Expr> lengths)
        {
            var mapped = block.Statements.Map(s => Walk.MapBlocks(s, b => DropClearsIn(b, lengths)));
            var statements = mapped.ToList();
            bool changed = mapped.AsImmutableArray() != block.Statements.AsImmutableArray();
            for (int a = statements.Count - 1; a >= 0; a--)
            {
                string? name = statements[a] switch
                {
                    ClearArray c when lengths.TryGetValue(c.Name, out var length) && length.Equals(c.Length) => c.Name,
                    ClearBuffer c when lengths.ContainsKey(c.Target) => c.Target,
                    _ => null,
                };
                if (name is null)
                {
                    continue;
                }

                int k = a + 1;
                while (k < statements.Count && !Mentions(statements[k], name))
                {
                    k++;
                }

                if (k < statements.Count && statements[k] is Loop loop && FillsWhole(loop, name, lengths[name]))
                {
                    statements.RemoveAt(a);
                    changed = true;
                }
            }

            return changed ? new Block(statements.ToEquatableArray()) : block;
        }

        private static bool FillsWhole(Loop loop, string buffer, Expr length)
        {
            if (Shape(loop) is not { } shape || shape.Init is not Const { Value: 0 } || !shape.Bound.Equals(length)
                || loop.Carried.Any(v => Mentions(v.Init, buffer) || Mentions(v.Next, buffer)))
            {
                return false;
            }

            var counter = new Var(shape.Counter, ValType.Int);
            bool stored = false;
            foreach (var s in loop.Body.Statements)
            {
                if (!Mentions(s, buffer))
                {
                    continue;
                }

                if (!stored)
                {
                    if (s is not Store st || st.Array != buffer || !counter.Equals(st.Index) || Mentions(st.Value, buffer))
                    {
                        return false;
                    }

                    stored = true;
                    continue;
                }

                if (!OnlyAtIndex(s, buffer, counter))
                {
                    return false;
                }
            }

            return stored;
        }

        /// <summary>Whether every mention of the buffer in the statement tree is a read, store or addition at <paramref name="index"/>.</summary>
        private static bool OnlyAtIndex(Stmt s, string buffer, Expr index)
        {
            switch (s)
            {
                case Store st when st.Array == buffer && !index.Equals(st.Index):
                case Accumulate ac when ac.Target == buffer && !index.Equals(ac.Index):
                    return false;
                case Let or Store or Accumulate or If or Loop:
                    break;
                default:
                    return !Mentions(s, buffer);
            }

            var exprs = new List<Expr>();
            Walk.DirectExpressions(s, exprs);
            foreach (var e in exprs)
            {
                if (Walk.Contains(e, x => x switch
                {
                    Elem el => el.Array == buffer && !index.Equals(el.Index),
                    SpanRef span => span.Array == buffer,
                    SpanView view => view.Array == buffer,
                    Opaque o => IR.Mentions.In(o, buffer),
                    _ => false,
                }))
                {
                    return false;
                }
            }

            return Walk.Blocks(s).All(b => b.Statements.All(x => OnlyAtIndex(x, buffer, index)));
        }

        private static bool Mentions(Expr e, string buffer) => IR.Mentions.In(e, buffer);

        /// <summary>Whether a statement (nested blocks included) names the buffer anywhere.</summary>
        private static bool Mentions(Stmt s, string buffer) => IR.Mentions.In(s, buffer);

        // ---- Buffers that live one iteration --------------------------------------------------------------------------------

        /// <summary>
        /// A zeroed buffer whose every access, but its allocation and clears, is a top-level statement of one loop's body at
        /// that loop's counter, where the body's last access stores zero, holds zero at the start of every iteration (each
        /// iteration touches only its own element and leaves it zero; the allocation and the clears zero the rest): its
        /// element becomes a local. <c>hBar[j] += u; v = hBar[j]; hBar[j] = 0</c> is <c>hBarJ = u; v = hBarJ</c>. The first
        /// addition into the zero element is the added value itself (equal up to the sign of a zero, as the overwriting
        /// gradient's stores are). The loop's bound may not pass the buffer's length, so no index exception is lost.
        /// </summary>
        private Block ScalarizeBuffers(Block body)
        {
            var rents = new List<RentBuffer>();
            void Collect(Block b)
            {
                foreach (var s in b.Statements)
                {
                    if (s is RentBuffer { Zeroed: true } r)
                    {
                        rents.Add(r);
                    }

                    foreach (var nested in Walk.Blocks(s))
                    {
                        Collect(nested);
                    }
                }
            }

            Collect(body);
            if (rents.Count == 0)
            {
                return body;
            }

            var finals = FinalCounters(body);
            foreach (var rent in rents)
            {
                var loops = new List<Loop>();
                if (!OnlyInOneLoop(body, rent.Name, loops) || loops.Count != 1 || Rewritable(loops[0], rent, finals) is not { } counter)
                {
                    continue;
                }

                var loop = loops[0];
                var rewritten = loop with { Body = Scalarized(loop.Body, rent, counter) };
                body = Replace(body, loop, rewritten, rent.Name);
            }

            return body;
        }

        /// <summary>Finds the loops whose bodies' top level mentions the buffer; false when it is mentioned anywhere else (but its allocation and clears).</summary>
        private static bool OnlyInOneLoop(Block block, string buffer, List<Loop> loops)
        {
            foreach (var s in block.Statements)
            {
                switch (s)
                {
                    case RentBuffer r when r.Name == buffer:
                    case ClearArray c when c.Name == buffer:
                    case ClearBuffer cb when cb.Target == buffer:
                        continue;
                    case Loop loop when loop.Body.Statements.Any(x => Mentions(x, buffer)):
                        if (loop.Carried.Any(v => Mentions(v.Init, buffer) || Mentions(v.Next, buffer)) || Mentions(loop.Condition, buffer)
                            || loop.Header.Statements.Any(x => Mentions(x, buffer)) || loops.Any(l => ReferenceEquals(l, loop)))
                        {
                            return false;
                        }

                        // The whole loop is the candidate unless its body holds the mentions only in nested statements.
                        if (loop.Body.Statements.Any(x => x is Let or Store or Accumulate && Mentions(x, buffer)))
                        {
                            loops.Add(loop);
                            if (loop.Body.Statements.Any(x => x is not (Let or Store or Accumulate) && Mentions(x, buffer)))
                            {
                                return false;
                            }

                            continue;
                        }

                        if (!OnlyInOneLoop(loop.Body, buffer, loops))
                        {
                            return false;
                        }

                        continue;
                    case If i when Mentions(i.Condition, buffer) || i.Phis.Any(p => Mentions(p.WhenTrue, buffer) || Mentions(p.WhenFalse, buffer)):
                        return false;
                    case If i:
                        if (!OnlyInOneLoop(i.Then, buffer, loops) || !OnlyInOneLoop(i.Else, buffer, loops))
                        {
                            return false;
                        }

                        continue;
                    default:
                        if (Mentions(s, buffer))
                        {
                            return false;
                        }

                        continue;
                }
            }

            return true;
        }

        /// <summary>The counter when the loop's body may be scalarized for the buffer.</summary>
        private static Var? Rewritable(Loop loop, RentBuffer rent, Dictionary<string, (Expr Init, Expr Bound)> finals)
        {
            if (Shape(loop) is not { } shape || shape.Init is not Const { Value: >= 0 } || !rent.Type.IsFloating())
            {
                return null;
            }

            // The counter stays below the buffer's length: the bound is the length, or a counter that ended at it.
            bool bounded = shape.Bound.Equals(rent.Length)
                || (shape.Bound is Var v && finals.TryGetValue(v.Name, out var f) && f.Init is Const { Value: >= 0 } && f.Bound.Equals(rent.Length));
            if (!bounded)
            {
                return null;
            }

            var counter = new Var(shape.Counter, ValType.Int);
            if (Walk.AllExpressions(loop).Any(e => Walk.Contains(e, x => x is Len len && len.Array == rent.Name)))
            {
                return null;
            }

            Stmt? last = null;
            foreach (var s in loop.Body.Statements)
            {
                if (!Mentions(s, rent.Name))
                {
                    continue;
                }

                if (!OnlyAtIndex(s, rent.Name, counter) || s is not (Let or Store or Accumulate))
                {
                    return null;
                }

                last = s;
            }

            return last is Store { Value: Const { IsZero: true } zero } store && store.Array == rent.Name && !(1.0 / zero.Value < 0) ? counter : null;
        }

        private Block Scalarized(Block body, RentBuffer rent, Var counter)
        {
            var element = new Elem(rent.Name, counter, rent.Type);
            Expr current = Ir.Lit(0, rent.Type);
            var output = new List<Stmt>(body.Statements.Count);
            Expr Read(Expr e) => Walk.Transform(e, x => x.Equals(element) ? current : x);
            foreach (var s in body.Statements)
            {
                switch (s)
                {
                    case Accumulate ac when ac.Target == rent.Name:
                    {
                        var value = Read(ac.Value);
                        var sum = current is Const { IsZero: true } ? value : new Binary(BinaryOp.Add, current, value, rent.Type);
                        var name = _namer.NewSourceName(rent.Name);
                        output.Add(new Let(name, sum));
                        current = new Var(name, rent.Type);
                        break;
                    }

                    case Store st when st.Array == rent.Name:
                    {
                        var value = Read(st.Value);
                        if (value is Var or Const)
                        {
                            current = value;
                        }
                        else
                        {
                            var name = _namer.NewSourceName(rent.Name);
                            output.Add(new Let(name, value));
                            current = new Var(name, rent.Type);
                        }

                        break;
                    }

                    case Let l when Mentions(l.Value, rent.Name):
                        output.Add(new Let(l.Name, Read(l.Value)));
                        break;
                    default:
                        output.Add(s);
                        break;
                }
            }

            return new Block(output.ToEquatableArray());
        }

        /// <summary>The body with <paramref name="loop"/> replaced, and the buffer's allocation and clears removed.</summary>
        private static Block Replace(Block block, Loop loop, Loop rewritten, string buffer)
        {
            var output = new List<Stmt>(block.Statements.Count);
            foreach (var s in block.Statements)
            {
                if (s is RentBuffer r && r.Name == buffer || s is ClearArray c && c.Name == buffer || s is ClearBuffer cb && cb.Target == buffer)
                {
                    continue;
                }

                output.Add(ReferenceEquals(s, loop) ? rewritten : Walk.MapBlocks(s, b => Replace(b, loop, rewritten, buffer)));
            }

            return new Block(output.ToEquatableArray());
        }
    }
}

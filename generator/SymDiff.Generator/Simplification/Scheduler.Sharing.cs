using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>Scheduler pass: common subexpressions (every unconditional subexpression gets a temporary, equal ones share it).</summary>
    internal sealed partial class Scheduler
    {
        /// <summary>Shares subexpressions in <paramref name="block"/>, given the values available where it starts; <paramref name="available"/> is as it was when this returns.</summary>
        private Block ShareSubexpressions(Block block, AvailableValues available)
        {
            int scope = available.Mark();
            var output = new List<Stmt>();
            var hoists = HoistCandidates(block, available);
            int nextHoist = 0; // hoists are in statement order
            HashSet<int>? moved = null; // lets moved up to a hoist point: written there, under their own names
            Dictionary<Expr, int>? letsByValue = null; // the value of each let of the user's, at its first let (built when first needed)
            var scratch = new List<Expr>();
            for (int k = 0; k < block.Statements.Count; k++)
            {
                var s = block.Statements[k];
                for (; nextHoist < hoists.Count && hoists[nextHoist].Statement == k; nextHoist++)
                {
                    var hoist = hoists[nextHoist].Expr;
                    if (LaterLet(block, k, hoist) is int m)
                    {
                        // The value is a later let's (the user's 'norm2 = Math.Sqrt(norm)' after a tangent that reads it):
                        // that let moves up, so the shared value keeps the user's name instead of a temporary's.
                        MoveUp(m);
                        continue;
                    }

                    Flatten(hoist, available, output, unconditional: true);
                }

                // A value this statement computes that a later let of the user's names (a buffer rented ahead of
                // 'int hidden = w.Length / 3', as a reverse sweep rents first): that let moves up, so the value keeps the
                // user's name instead of a temporary's, when nothing between redefines what it reads.
                foreach (int m in NamedLater(k))
                {
                    MoveUp(m);
                }

                if (moved is not null && moved.Contains(k))
                {
                    continue;
                }

                Stmt mapped;
                switch (s)
                {
                    case If branch:
                    {
                        var condition = Flatten(branch.Condition, available, output, unconditional: true);
                        var then = ShareWithTail(branch.Then, available, branch.Phis.Select(p => p.WhenTrue).ToList(), out var thenTails);
                        var @else = ShareWithTail(branch.Else, available, branch.Phis.Select(p => p.WhenFalse).ToList(), out var elseTails);
                        var phis = branch.Phis.Select((p, i) => new Phi(p.Name, p.Type, thenTails[i], elseTails[i])).ToEquatableArray();
                        mapped = new If(condition, then, @else, phis);
                        break;
                    }

                    case Loop loop:
                    {
                        var inits = loop.Carried.Select(v => FlattenRoot(v.Init, available, output)).ToList();
                        var condition = Substitute(loop.Condition, available);
                        var header = ShareSubexpressions(loop.Header, available);
                        var body = ShareWithTail(loop.Body, available, loop.Carried.Select(v => v.Next).ToList(), out var nexts);
                        var carried = loop.Carried.Select((v, i) => new LoopVar(v.Name, v.Type, inits[i], nexts[i])).ToEquatableArray();
                        mapped = loop with { Carried = carried, Condition = condition, Header = header, Body = body };
                        break;
                    }

                    case Let plain:
                        mapped = new Let(plain.Name, FlattenLetValue(plain.Value, available, output));
                        break;

                    case CallWithGradient withGradient:
                        mapped = new CallWithGradient(withGradient.Name, (UserCall)MapOperands(withGradient.Call, available, output, unconditional: true), withGradient.Partials);
                        break;

                    case Invoke invoke:
                        mapped = new Invoke((UserCall)MapOperands(invoke.Call, available, output, unconditional: true));
                        break;

                    case CallBackward backward:
                        mapped = new CallBackward(
                            (UserCall)MapOperands(backward.Call, available, output, unconditional: true),
                            FlattenRoot(backward.Seed, available, output),
                            backward.Outputs);
                        break;

                    case CallWithDerivative withDerivative:
                        mapped = new CallWithDerivative(
                            withDerivative.Name,
                            (UserCall)MapOperands(withDerivative.Call, available, output, unconditional: true),
                            withDerivative.Tangents.Select(t => FlattenRoot(t, available, output)).ToEquatableArray(),
                            withDerivative.Tangent);
                        break;

                    default:
                        mapped = Walk.MapExpressions(s, e => FlattenRoot(e, available, output));
                        break;
                }

                if (mapped is Let let && Shareable(let.Value))
                {
                    available[let.Value] = let.Ref;
                    if (let.Value is Var earlier && s is Let { Value: not Var } && !_keep.Contains(let.Name))
                    {
                        // A value computed again (a reverse loop's recomputation, fused beside the forward code) is the
                        // earlier let: later reads of this name read that one, so what they compute is shared too. A
                        // name the user wrote stays (it is never inlined away either).
                        _aliases[let.Name] = earlier;
                    }
                }

                output.Add(mapped);
            }

            available.Rollback(scope);
            return new Block(output.ToEquatableArray());

            IEnumerable<int> NamedLater(int k)
            {
                if (letsByValue is null)
                {
                    letsByValue = new Dictionary<Expr, int>();
                    for (int j = 0; j < block.Statements.Count; j++)
                    {
                        if (block.Statements[j] is Let { Value: var v } let && _keep.Contains(let.Name) && !Ir.IsAtomic(v) && !letsByValue.ContainsKey(v))
                        {
                            letsByValue[v] = j;
                        }
                    }
                }

                if (letsByValue.Count == 0)
                {
                    return Array.Empty<int>();
                }

                var computed = new HashSet<Expr>();
                DirectExpressions(block.Statements[k], scratch);
                foreach (var e in scratch)
                {
                    Walk.Unconditional(e, computed, Ir.IsAtomic);
                }

                var found = new List<(Expr Value, int At)>();
                foreach (var e in computed)
                {
                    if (letsByValue.TryGetValue(e, out int m) && m > k && moved?.Contains(m) != true && !available.ContainsKey(e) && Shareable(e)
                        && LaterLet(block, m, e) == m
                        && !block.Statements.Skip(k).Take(m - k).Any(x => Walk.Defines(x).Any(d => IR.Mentions.In(e, d))))
                    {
                        found.Add((e, m));
                    }
                }

                // The smallest first, so a moved value's parts are named when it is.
                return found.OrderBy(f => Size(f.Value)).Select(f => f.At);
            }

            void MoveUp(int m)
            {
                var later = (Let)block.Statements[m];
                var value = FlattenLetValue(later.Value, available, output);
                output.Add(new Let(later.Name, value));
                available[later.Value] = later.Ref;
                available[value] = later.Ref;
                (moved ??= new HashSet<int>()).Add(m);
            }
        }

        /// <summary>
        /// The index of a let at or after statement <paramref name="k"/> whose whole value is <paramref name="value"/>,
        /// when nothing before it names it (so it can move up to <paramref name="k"/>); null otherwise.
        /// </summary>
        private static int? LaterLet(Block block, int k, Expr value)
        {
            for (int m = k; m < block.Statements.Count; m++)
            {
                if (block.Statements[m] is Let let && let.Value.Equals(value))
                {
                    for (int j = 0; j < m; j++)
                    {
                        if (IR.Mentions.In(block.Statements[j], let.Name) || Walk.Defines(block.Statements[j]).Contains(let.Name))
                        {
                            return null;
                        }
                    }

                    return m;
                }
            }

            return null;
        }

        /// <summary>
        /// Expressions this block evaluates unconditionally at its own level that also occur inside its nested
        /// blocks: computing them once, before the first statement that needs them, costs nothing extra. With the
        /// index of that statement.
        /// </summary>
        private List<(Expr Expr, int Statement)> HoistCandidates(Block block, AvailableValues available)
        {
            // Only a block with nested blocks or selections has anything to hoist.
            bool nested = false;
            foreach (var s in block.Statements)
            {
                nested |= s is If or Loop;
            }

            var direct = new HashSet<Expr>();
            var scratch = new List<Expr>();
            foreach (var s in block.Statements)
            {
                DirectExpressions(s, scratch);
                foreach (var e in scratch)
                {
                    Walk.Unconditional(e, direct, Ir.IsAtomic);
                    nested = nested || Walk.Contains(e, x => x is IR.Cond or Binary { Op: BinaryOp.And or BinaryOp.Or });
                }
            }

            if (!nested)
            {
                return new List<(Expr, int)>();
            }

            direct.RemoveWhere(e => available.ContainsKey(e) || !Shareable(e));
            if (direct.Count == 0)
            {
                return new List<(Expr, int)>();
            }

            var nestedCounts = new Dictionary<Expr, int>();
            var first = new Dictionary<Expr, int>();
            for (int k = 0; k < block.Statements.Count; k++)
            {
                var s = block.Statements[k];
                DirectExpressions(s, scratch);
                foreach (var e in scratch)
                {
                    VisitDirect(e, k, direct, first, nestedCounts, conditional: false);
                }

                NestedExpressions(s, scratch);
                foreach (var e in scratch)
                {
                    VisitNested(e, k, direct, first, nestedCounts);
                }
            }

            // An expression can only move up to a point where everything it reads is defined. A loop's carried names
            // mean the iteration's values inside it and the final values after it: an expression after the loop that
            // reads them is not the one inside, and must not move above the loop.
            var definedAt = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int k = 0; k < block.Statements.Count; k++)
            {
                foreach (var name in Walk.Defines(block.Statements[k]))
                {
                    definedAt[name] = k;
                }
            }

            bool Movable(Expr e)
            {
                bool ok = true;
                Walk.Vars(e, name => ok &= !definedAt.TryGetValue(name, out int k) || k < first[e]);
                return ok;
            }

            // Smallest first, so a hoisted expression's own parts are already named when it is.
            return nestedCounts.Keys
                .Where(Movable)
                .Select(e => (Expr: e, Statement: first[e]))
                .OrderBy(h => h.Statement)
                .ThenBy(h => Size(h.Expr))
                .ToList();
        }

        private static int Size(Expr e)
        {
            int size = 1;
            foreach (var c in Walk.Children(e))
            {
                size += Size(c);
            }

            return size;
        }

        /// <summary>
        /// Records statement <paramref name="k"/> as the first to evaluate each hoistable node of <paramref name="e"/> not
        /// seen before (pre-order). A node in an arm of a selection (a gated tangent term, <c>t != 0 ? p * t : 0</c>) that
        /// a later statement evaluates anyway (the value) counts as nested: it moves before this statement, so that both
        /// share it, when it calls a Math function and cannot throw (no element read, no call of the user's).
        /// </summary>
        private static void VisitDirect(Expr e, int k, HashSet<Expr> direct, Dictionary<Expr, int> first, Dictionary<Expr, int> nestedCounts, bool conditional)
        {
            if (direct.Contains(e))
            {
                if (!conditional)
                {
                    if (!first.ContainsKey(e))
                    {
                        first[e] = k;
                    }
                }
                else if ((!first.TryGetValue(e, out int seen) || seen > k) && Walk.Contains(e, x => x is Call) && !Walk.Contains(e, x => x is Elem or UserCall or Opaque or SpanView or Binary { Op: BinaryOp.Div or BinaryOp.Rem, Type: ValType.Int }))
                {
                    VisitNested(e, k, direct, first, nestedCounts);
                    return;
                }
            }

            switch (e)
            {
                case IR.Cond c:
                    VisitDirect(c.Condition, k, direct, first, nestedCounts, conditional);
                    VisitDirect(c.WhenTrue, k, direct, first, nestedCounts, conditional: true);
                    VisitDirect(c.WhenFalse, k, direct, first, nestedCounts, conditional: true);
                    return;
                case Binary { Op: BinaryOp.And or BinaryOp.Or } b:
                    VisitDirect(b.Left, k, direct, first, nestedCounts, conditional);
                    VisitDirect(b.Right, k, direct, first, nestedCounts, conditional: true);
                    return;
            }

            foreach (var c in Walk.Children(e))
            {
                VisitDirect(c, k, direct, first, nestedCounts, conditional);
            }
        }

        /// <summary>Counts the hoistable nodes of <paramref name="e"/>, evaluated in a block nested in statement <paramref name="k"/> (pre-order: the order of the counts' keys decides ties).</summary>
        private static void VisitNested(Expr e, int k, HashSet<Expr> direct, Dictionary<Expr, int> first, Dictionary<Expr, int> nestedCounts)
        {
            if (direct.Contains(e))
            {
                nestedCounts[e] = nestedCounts.TryGetValue(e, out int n) ? n + 1 : 1;
                if (!first.TryGetValue(e, out int at) || at > k)
                {
                    first[e] = k;
                }
            }

            foreach (var c in Walk.Children(e))
            {
                VisitNested(c, k, direct, first, nestedCounts);
            }
        }

        /// <summary>The expressions a statement evaluates in its enclosing block (a branch condition, a loop's initial values, a let's value...), into <paramref name="into"/> (cleared first); sharing and inlining both read it.</summary>
        private static void DirectExpressions(Stmt s, List<Expr> into)
        {
            into.Clear();
            switch (s)
            {
                case If i:
                    into.Add(i.Condition);
                    break;
                case Loop l:
                    foreach (var v in l.Carried)
                    {
                        into.Add(v.Init);
                    }

                    break;
                default:
                    Walk.DirectExpressions(s, into);
                    break;
            }
        }

        /// <summary>The expressions a statement evaluates inside its nested blocks (phi and next values included), into <paramref name="into"/> (cleared first).</summary>
        private static void NestedExpressions(Stmt s, List<Expr> into)
        {
            into.Clear();
            switch (s)
            {
                case If i:
                    foreach (var p in i.Phis)
                    {
                        into.Add(p.WhenTrue);
                        into.Add(p.WhenFalse);
                    }

                    Walk.AllExpressions(i.Then, into);
                    Walk.AllExpressions(i.Else, into);
                    break;
                case Loop l:
                    foreach (var v in l.Carried)
                    {
                        into.Add(v.Next);
                    }

                    into.Add(l.Condition);
                    Walk.AllExpressions(l.Header, into);
                    Walk.AllExpressions(l.Body, into);
                    break;
            }
        }

        /// <summary>Shares subexpressions in a nested block whose end also evaluates <paramref name="tails"/> (phi or next values).</summary>
        private Block ShareWithTail(Block block, AvailableValues available, List<Expr> tails, out List<Expr> mappedTails)
        {
            var shared = ShareSubexpressions(block, available);

            // Rebuild the availability at the end of the block to flatten the tails there.
            int scope = available.Mark();
            foreach (var s in shared.Statements)
            {
                if (s is Let let && Shareable(let.Value))
                {
                    available[let.Value] = let.Ref;
                }
            }

            var extra = new List<Stmt>();
            mappedTails = tails.Select(t => FlattenRoot(t, available, extra)).ToList();
            available.Rollback(scope);
            return extra.Count == 0 ? shared : new Block(shared.Statements.Concat(extra).ToEquatableArray());
        }

        private Expr FlattenRoot(Expr e, AvailableValues available, List<Stmt> output)
        {
            if (available.TryGetValue(e, out var known))
            {
                return known;
            }

            // The root of a value that is not a let (an output, a return) gets a temporary too, so a later statement
            // can share it; the inliner puts it back when nothing does.
            return Flatten(e, available, output, unconditional: true);
        }

        /// <summary>A let's own value: its operands are shared, the value itself becomes the let.</summary>
        private Expr FlattenLetValue(Expr e, AvailableValues available, List<Stmt> output)
        {
            if (available.TryGetValue(e, out var known))
            {
                return known;
            }

            // Its operands flattened, it may be a value computed before (the same operands under other names).
            var mapped = MapOperands(e, available, output, unconditional: true);
            return available.TryGetValue(mapped, out known) ? known : mapped;
        }

        private Expr Flatten(Expr e, AvailableValues available, List<Stmt> output, bool unconditional)
        {
            Limits.EnsureStack();
            if (Ir.IsAtomic(e))
            {
                return e is Var v && _aliases.TryGetValue(v.Name, out var alias) ? alias : e;
            }

            if (available.TryGetValue(e, out var known))
            {
                return known;
            }

            var mapped = MapOperands(e, available, output, unconditional);
            if (available.TryGetValue(mapped, out known))
            {
                return known;
            }

            if (!unconditional || !Shareable(mapped))
            {
                return mapped;
            }

            var temp = new Let(_namer.NewTemp(), mapped);
            output.Add(temp);
            available[mapped] = temp.Ref;

            // The expression as it was written names the same value here: a parent flattened later finds it at once,
            // instead of walking down to it again (which made deep expressions quadratic).
            available[e] = temp.Ref;
            return temp.Ref;
        }

        /// <summary>Flattens the operands of <paramref name="e"/>; operands evaluated only conditionally are only substituted.</summary>
        private Expr MapOperands(Expr e, AvailableValues available, List<Stmt> output, bool unconditional)
        {
            switch (e)
            {
                case Cond c:
                {
                    var condition = Flatten(c.Condition, available, output, unconditional);
                    var t = Flatten(c.WhenTrue, available, output, unconditional: false);
                    var f = Flatten(c.WhenFalse, available, output, unconditional: false);
                    return new Cond(condition, t, f, c.Type);
                }

                case Binary { Op: BinaryOp.And or BinaryOp.Or } b:
                {
                    var l = Flatten(b.Left, available, output, unconditional);
                    var r = Flatten(b.Right, available, output, unconditional: false);
                    return new Binary(b.Op, l, r, b.Type);
                }

                default:
                    var flatten = new FlattenMap(this, available, output, unconditional);
                    return Walk.MapChildren(e, ref flatten);
            }
        }

        /// <summary><see cref="Flatten"/> as a struct mapping: no closure or delegate per node.</summary>
        private readonly struct FlattenMap : IExprMap
        {
            private readonly Scheduler _scheduler;
            private readonly AvailableValues _available;
            private readonly List<Stmt> _output;
            private readonly bool _unconditional;

            public FlattenMap(Scheduler scheduler, AvailableValues available, List<Stmt> output, bool unconditional)
            {
                _scheduler = scheduler;
                _available = available;
                _output = output;
                _unconditional = unconditional;
            }

            public Expr Map(Expr e) => _scheduler.Flatten(e, _available, _output, _unconditional);
        }

        private static Expr Substitute(Expr e, AvailableValues available)
        {
            var map = new SubstituteMap(available);
            return map.Map(e);
        }

        private readonly struct SubstituteMap : IExprMap
        {
            private readonly AvailableValues _available;

            public SubstituteMap(AvailableValues available) => _available = available;

            public Expr Map(Expr e)
            {
                if (_available.TryGetValue(e, out var known))
                {
                    return known;
                }

                var self = this;
                return Walk.MapChildren(e, ref self);
            }
        }

        /// <summary>Lets found equal to an earlier let by <see cref="ShareSubexpressions"/> (names are unique: SSA): their reads read the earlier one.</summary>
        private readonly Dictionary<string, Var> _aliases = new Dictionary<string, Var>(StringComparer.Ordinal);

        private readonly Dictionary<object, bool> _shareable = new Dictionary<object, bool>(ReferenceComparer.Instance);

        /// <summary>Whether an expression's value may be shared: not a read of an array that changes during the method. Memoized per node, so the scheduler stays linear in the size of the method.</summary>
        private bool Shareable(Expr e)
        {
            if (e is Var or Const)
            {
                return true;
            }

            if (_shareable.TryGetValue(e, out bool known))
            {
                return known;
            }

            bool result = !(e is Elem el && _unstable.Contains(el.Array));
            if (result)
            {
                foreach (var c in Walk.Children(e))
                {
                    if (!Shareable(c))
                    {
                        result = false;
                        break;
                    }
                }
            }

            _shareable[e] = result;
            return result;
        }

        /// <summary>
        /// The values available at a point of the method (an expression and the name that holds it), for every nested
        /// block at once: a block's additions are undone when it ends (<see cref="Mark"/>, <see cref="Rollback"/>), instead
        /// of each block copying its parent's table.
        /// </summary>
        internal sealed class AvailableValues
        {
            private readonly Dictionary<Expr, Expr> _values = new Dictionary<Expr, Expr>();
            private readonly List<(Expr Key, Expr? Previous)> _undo = new List<(Expr, Expr?)>();

            public Expr this[Expr key]
            {
                set
                {
                    _undo.Add((key, _values.TryGetValue(key, out var previous) ? previous : null));
                    _values[key] = value;
                }
            }

            public bool TryGetValue(Expr key, out Expr value) => _values.TryGetValue(key, out value!);

            public bool ContainsKey(Expr key) => _values.ContainsKey(key);

            /// <summary>A point to come back to.</summary>
            public int Mark() => _undo.Count;

            /// <summary>Undoes every change made since <paramref name="mark"/>, latest first.</summary>
            public void Rollback(int mark)
            {
                for (int i = _undo.Count - 1; i >= mark; i--)
                {
                    var (key, previous) = _undo[i];
                    if (previous is null)
                    {
                        _values.Remove(key);
                    }
                    else
                    {
                        _values[key] = previous;
                    }
                }

                _undo.RemoveRange(mark, _undo.Count - mark);
            }
        }
    }
}

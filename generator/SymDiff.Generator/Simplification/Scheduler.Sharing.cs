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
            for (int k = 0; k < block.Statements.Count; k++)
            {
                var s = block.Statements[k];
                for (; nextHoist < hoists.Count && hoists[nextHoist].Statement == k; nextHoist++)
                {
                    Flatten(hoists[nextHoist].Expr, available, output, unconditional: true);
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
        }

        /// <summary>
        /// Expressions this block evaluates unconditionally at its own level that also occur inside its nested
        /// blocks: computing them once, before the first statement that needs them, costs nothing extra. With the
        /// index of that statement.
        /// </summary>
        private List<(Expr Expr, int Statement)> HoistCandidates(Block block, AvailableValues available)
        {
            // Only a block with nested blocks has anything to hoist.
            bool nested = false;
            foreach (var s in block.Statements)
            {
                nested |= s is If or Loop;
            }

            if (!nested)
            {
                return new List<(Expr, int)>();
            }

            var direct = new HashSet<Expr>();
            foreach (var s in block.Statements)
            {
                foreach (var e in DirectExpressions(s))
                {
                    Walk.Unconditional(e, direct, Ir.IsAtomic);
                }
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
                foreach (var e in DirectExpressions(s))
                {
                    Visit(e, x =>
                    {
                        if (direct.Contains(x) && !first.ContainsKey(x))
                        {
                            first[x] = k;
                        }
                    });
                }

                foreach (var e in NestedExpressions(s))
                {
                    Visit(e, x =>
                    {
                        if (direct.Contains(x))
                        {
                            nestedCounts[x] = nestedCounts.TryGetValue(x, out int n) ? n + 1 : 1;
                            if (!first.ContainsKey(x) || first[x] > k)
                            {
                                first[x] = k;
                            }
                        }
                    });
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

        private static void Visit(Expr e, Action<Expr> action)
        {
            action(e);
            foreach (var c in Walk.Children(e))
            {
                Visit(c, action);
            }
        }

        /// <summary>The expressions a statement evaluates in its enclosing block.</summary>
        private static IEnumerable<Expr> DirectExpressions(Stmt s) => s switch
        {
            If i => new[] { i.Condition },
            Loop l => l.Carried.Select(v => v.Init),
            _ => CollectExpressions(s),
        };

        /// <summary>The expressions a statement evaluates inside its nested blocks (phi and next values included).</summary>
        private static IEnumerable<Expr> NestedExpressions(Stmt s) => s switch
        {
            If i => i.Phis.SelectMany(p => new[] { p.WhenTrue, p.WhenFalse }).Concat(i.Then.Statements.Concat(i.Else.Statements).SelectMany(Walk.AllExpressions)),
            Loop l => l.Carried.Select(v => v.Next).Concat(new[] { l.Condition }).Concat(l.Header.Statements.Concat(l.Body.Statements).SelectMany(Walk.AllExpressions)),
            _ => Array.Empty<Expr>(),
        };

        private static List<Expr> CollectExpressions(Stmt s)
        {
            var list = new List<Expr>();
            Walk.MapExpressions(s, e =>
            {
                list.Add(e);
                return e;
            });
            return list;
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
                    return Walk.MapChildren(e, c => Flatten(c, available, output, unconditional));
            }
        }

        private static Expr Substitute(Expr e, AvailableValues available) =>
            available.TryGetValue(e, out var known) ? known : Walk.MapChildren(e, c => Substitute(c, available));

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

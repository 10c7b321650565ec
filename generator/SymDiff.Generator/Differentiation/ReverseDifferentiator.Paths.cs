using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.IR;
using SymDiff.Generator.Simplification;
using static SymDiff.Generator.Simplification.Ir;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>
    /// Path liveness of adjoints. An adjoint that a branch sets to zero on one side (the result's adjoint when an early
    /// return was not taken) is zero because the value did not reach the result on the path the run took, not because a
    /// partial derivative is zero. Like PyTorch, which never visits a node that is not an ancestor of the output, the
    /// reverse sweep of a loop fed only by such adjoints runs only on the path where they are live: otherwise it would
    /// multiply the zero by the loop's partials, and after an overflow 0 * inf is NaN (FINDINGS F15).
    /// </summary>
    internal sealed partial class ReverseDifferentiator
    {
        /// <summary>
        /// A condition outside which <paramref name="adjoint"/> is zero by construction (false: always zero), or null
        /// when it may be non-zero on every path.
        /// </summary>
        private Expr? LiveWhen(Expr adjoint)
        {
            if (IsZero(adjoint))
            {
                return Const.False;
            }

            switch (adjoint)
            {
                case Var v:
                    return _state.LiveWhen.TryGetValue(v.Name, out var condition) ? condition : null;
                case Unary { Op: UnaryOp.Neg or UnaryOp.Convert } u:
                    return LiveWhen(u.Operand);
                case Binary { Op: BinaryOp.Mul } b:
                    return LiveWhen(b.Left) ?? LiveWhen(b.Right);
                case Binary { Op: BinaryOp.Div } b:
                    return LiveWhen(b.Left);
                case Binary { Op: BinaryOp.Add or BinaryOp.Sub } b:
                    return Either(LiveWhen(b.Left), LiveWhen(b.Right));
                case IR.Cond c when IsZero(c.WhenFalse):
                    return Ir.And(c.Condition, LiveWhen(c.WhenTrue) ?? Const.True);
                case IR.Cond c when IsZero(c.WhenTrue):
                    return Ir.And(Not(c.Condition), LiveWhen(c.WhenFalse) ?? Const.True);
                case Elem e when e.Array == _outputSeed && _outputAdjoint is null:
                    // Vector Backward: an output whose seed is zero is not part of the objective (the rows of GJacobian
                    // seed one output at a time, FINDINGS F19).
                    return new Binary(BinaryOp.Ne, e, Lit(0, e.Type), ValType.Bool);
                default:
                    return null;
            }
        }

        /// <summary>Records the liveness of an adjoint phi: zero on one side of the branch, live on the other side's path.</summary>
        private void RecordLiveness(string name, ValType type, Expr condition, Expr fromThen, Expr fromElse)
        {
            var liveThen = LiveWhen(fromThen);
            var liveElse = LiveWhen(fromElse);
            Expr? live = IsZero(fromThen) ? Ir.And(Not(condition), liveElse ?? Const.True)
                : IsZero(fromElse) ? Ir.And(condition, liveThen ?? Const.True)
                : null;

            // A side whose liveness is its own run-time value (a sweep's output, FINDINGS F57) may be a local of that
            // branch, out of scope after it; and where both sides are live on some paths only, the condition is one or
            // the other. The phi's own value is then the test.
            if ((live is not null && TestsValue(live)) || (live is null && liveThen is not null && liveElse is not null && (TestsValue(liveThen) || TestsValue(liveElse))))
            {
                live = new Binary(BinaryOp.Ne, new Var(name, type), Lit(0, type), ValType.Bool);
            }

            Record(name, live);
        }

        /// <summary>The adjoints whose recorded liveness is the test of their own value.</summary>
        private List<string> LiveByValue()
        {
            var names = new List<string>();
            foreach (var pair in _state.LiveWhen)
            {
                if (pair.Value is Binary { Op: BinaryOp.Ne, Left: Var v, Right: Const { Value: 0 } } && v.Name == pair.Key)
                {
                    names.Add(pair.Key);
                }
            }

            return names;
        }

        /// <summary>Whether a liveness condition tests an adjoint's run-time value (<c>bar != 0</c>).</summary>
        private bool TestsValue(Expr live) => Walk.Contains(live, x => x is Binary { Op: BinaryOp.Ne, Left: Var v, Right: Const { Value: 0 } } && _state.AdjointNames.Contains(v.Name));

        private void Record(string name, Expr? live)
        {
            if (live is not null && !(live is Const { Value: not 0 }))
            {
                _state.LiveWhen[name] = live;
            }
        }

        /// <summary>
        /// The condition under which a loop whose only sources of adjoint are <paramref name="incoming"/> has anything to
        /// sweep, or null when it always has.
        /// </summary>
        private Expr? LoopLiveWhen(IEnumerable<Expr> incoming)
        {
            Expr? live = Const.False;
            foreach (var adjoint in incoming)
            {
                live = Either(live, LiveWhen(adjoint));
                if (live is null)
                {
                    return null;
                }
            }

            return live is Const ? null : live;
        }

        /// <summary>
        /// <paramref name="adjoint"/> times a partial derivative that may be infinite (a rule's, a callee's): where the
        /// adjoint is zero by construction (not live), the product is zero, not 0 * inf = NaN. PyTorch never visits a
        /// node that is not an ancestor of the output; a zero that is a value of the user's computation still multiplies
        /// (FINDINGS F15, F19).
        /// </summary>
        private Expr Scale(Expr adjoint, Expr partial) => partial is Const ? Mul(adjoint, partial) : Scale(adjoint, a => Mul(a, partial));

        /// <summary>
        /// <paramref name="term"/> of <paramref name="adjoint"/> (a product with a partial, a quotient by a divisor that may
        /// be zero), zero where the adjoint is zero by construction: the same rule as <see cref="Scale(Expr, Expr)"/>.
        /// </summary>
        /// <param name="adjoint">The adjoint.</param>
        /// <param name="term">The term built from it.</param>
        /// <param name="pathOnly">
        /// Gate only where the adjoint is zero because its path was not taken (a branch, an early return, an output whose
        /// seed is 0), not where the test is of its own run-time value, which may be a computed zero (<c>Tanh'(inf)</c>):
        /// there IEEE decides, as README says. A quotient's terms use this (a review found <c>Tanh(a / b)</c> at b = 0 sent
        /// back 0 instead of NaN through a value test); the rules' infinite partials keep the wider gate they always had.
        /// </param>
        private Expr Scale(Expr adjoint, Func<Expr, Expr> term, bool pathOnly = false)
        {
            if (adjoint is IR.Cond c && (IsZero(c.WhenFalse) || IsZero(c.WhenTrue)))
            {
                return Ir.Cond(c.Condition, IsZero(c.WhenTrue) ? c.WhenTrue : Scale(c.WhenTrue, term, pathOnly), IsZero(c.WhenFalse) ? c.WhenFalse : Scale(c.WhenFalse, term, pathOnly));
            }

            var live = LiveWhen(adjoint);
            if (pathOnly && live is not null && TestsValue(live))
            {
                return term(adjoint);
            }

            return live is null || live is Const { Value: not 0 } ? term(adjoint)
                : live is Const ? Lit(0, adjoint.Type)
                : Ir.Cond(live, term(adjoint), Lit(0, adjoint.Type));
        }

        private static Expr? Either(Expr? a, Expr? b) => (a, b) switch
        {
            (null, _) or (_, null) => null,
            (Const { Value: 0 }, _) => b,
            (_, Const { Value: 0 }) => a,
            (Const, _) or (_, Const) => Const.True,
            _ when a.Equals(b) || Disjuncts(a).Contains(b) => a,
            _ when Disjuncts(b).Contains(a) => b,
            _ => new Binary(BinaryOp.Or, a, b, ValType.Bool),
        };

        private static IEnumerable<Expr> Disjuncts(Expr e) => e is Binary { Op: BinaryOp.Or } or ? Disjuncts(or.Left).Concat(Disjuncts(or.Right)) : new[] { e };

        private static Expr Not(Expr condition) => condition switch
        {
            Unary { Op: UnaryOp.Not } not => not.Operand,
            Const c => Const.Of(c.Value == 0 ? 1 : 0, ValType.Bool),
            Binary { Left.Type: ValType.Int, Right.Type: ValType.Int } b when Flipped(b.Op) is { } flipped => new Binary(flipped, b.Left, b.Right, b.Type), // no NaN among ints
            _ => new Unary(UnaryOp.Not, condition, ValType.Bool),
        };

        private static BinaryOp? Flipped(BinaryOp op) => op switch
        {
            BinaryOp.Lt => BinaryOp.Ge,
            BinaryOp.Le => BinaryOp.Gt,
            BinaryOp.Gt => BinaryOp.Le,
            BinaryOp.Ge => BinaryOp.Lt,
            BinaryOp.Eq => BinaryOp.Ne,
            BinaryOp.Ne => BinaryOp.Eq,
            _ => null,
        };
    }
}

using System;
using System.Collections.Generic;
using SymDiff.Generator.IR;
using static SymDiff.Generator.Simplification.Ir;

namespace SymDiff.Generator.Rules
{
    /// <summary>
    /// The derivative table: for each <see cref="KnownFunction"/>, the partial derivatives with respect to each
    /// argument, as IR built from the arguments and the call's own result (so <c>exp</c>, <c>tanh</c> and
    /// <c>sqrt</c> reuse the value the forward pass computed). Forward and reverse mode both read it.
    /// </summary>
    internal static class DerivativeRules
    {
        /// <summary>A rule: the arguments and the call expression (its result) to one partial per argument.</summary>
        internal delegate Expr[] Rule(IReadOnlyList<Expr> args, Expr result, ValType t);

        private static readonly Dictionary<KnownFunction, Rule> s_rules = new Dictionary<KnownFunction, Rule>
        {
            [KnownFunction.Sin] = (a, r, t) => new[] { Testing.FaultInjection.Is(Testing.Fault.SinRuleSign) ? Neg(Call(KnownFunction.Cos, t, a[0])) : Call(KnownFunction.Cos, t, a[0]) },
            [KnownFunction.Cos] = (a, r, t) => new[] { Neg(Call(KnownFunction.Sin, t, a[0])) },

            // tan' = 1 + tan^2, from the result.
            [KnownFunction.Tan] = (a, r, t) => new[] { Add(Lit(1, t), Square(r)) },
            [KnownFunction.Asin] = (a, r, t) => new[] { Div(Lit(1, t), Call(KnownFunction.Sqrt, t, Sub(Lit(1, t), Square(a[0])))) },
            [KnownFunction.Acos] = (a, r, t) => new[] { Neg(Div(Lit(1, t), Call(KnownFunction.Sqrt, t, Sub(Lit(1, t), Square(a[0]))))) },
            [KnownFunction.Atan] = (a, r, t) => new[] { Div(Lit(1, t), Add(Lit(1, t), Square(a[0]))) },

            // atan2(y, x): d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2).
            [KnownFunction.Atan2] = (a, r, t) =>
            {
                var denominator = Add(Square(a[1]), Square(a[0]));
                return new[] { Div(a[1], denominator), Neg(Div(a[0], denominator)) };
            },
            [KnownFunction.Sinh] = (a, r, t) => new[] { Call(KnownFunction.Cosh, t, a[0]) },
            [KnownFunction.Cosh] = (a, r, t) => new[] { Call(KnownFunction.Sinh, t, a[0]) },

            // tanh' = 1 - tanh^2, from the result.
            [KnownFunction.Tanh] = (a, r, t) => new[] { Sub(Lit(1, t), Square(r)) },
            [KnownFunction.Exp] = (a, r, t) => new[] { r },
            [KnownFunction.Log] = (a, r, t) => new[] { Div(Lit(1, t), a[0]) },

            // log_b(x) = ln x / ln b: d/dx = 1 / (x ln b), d/db = -log_b(x) / (b ln b).
            [KnownFunction.LogBase] = (a, r, t) =>
            {
                var lnB = Call(KnownFunction.Log, t, a[1]);
                return new[] { Div(Lit(1, t), Mul(a[0], lnB)), Neg(Div(r, Mul(a[1], lnB))) };
            },
            [KnownFunction.Log2] = (a, r, t) => new[] { Div(Lit(1, t), Mul(a[0], Lit(Math.Log(2), t))) },
            [KnownFunction.Log10] = (a, r, t) => new[] { Div(Lit(1, t), Mul(a[0], Lit(Math.Log(10), t))) },

            // d/dx x^y = y x^(y-1), finite for negative x when y is constant; d/dy = x^y ln x, only built when y is active.
            [KnownFunction.Pow] = (a, r, t) => new[]
            {
                Mul(a[1], Call(KnownFunction.Pow, t, a[0], Sub(a[1], Lit(1, t)))),
                Mul(r, Call(KnownFunction.Log, t, a[0])),
            },

            // sqrt'(x) = 0.5 / sqrt(x), from the result; sqrt'(0) = +Infinity.
            [KnownFunction.Sqrt] = (a, r, t) => new[] { Div(Lit(0.5, t), r) },

            // cbrt'(x) = 1 / (3 cbrt(x)^2), from the result.
            [KnownFunction.Cbrt] = (a, r, t) => new[] { Div(Lit(1, t), Mul(Lit(3, t), Square(r))) },

            // Abs'(0) = 0.
            [KnownFunction.Abs] = (a, r, t) => new[]
            {
                Cond(Compare(BinaryOp.Gt, a[0], Lit(0, t)), Lit(1, t), Cond(Compare(BinaryOp.Lt, a[0], Lit(0, t)), Lit(-1, t), Lit(0, t))),
            },

            // Max and Min send the gradient to the first argument on a tie.
            [KnownFunction.Max] = (a, r, t) =>
            {
                var first = Compare(BinaryOp.Ge, a[0], a[1]);
                return new[] { Cond(first, Lit(1, t), Lit(0, t)), Cond(first, Lit(0, t), Lit(1, t)) };
            },
            [KnownFunction.Min] = (a, r, t) =>
            {
                var first = Compare(BinaryOp.Le, a[0], a[1]);
                return new[] { Cond(first, Lit(1, t), Lit(0, t)), Cond(first, Lit(0, t), Lit(1, t)) };
            },

            // Clamp(x, lo, hi): to x strictly inside, otherwise to the bound that is hit.
            [KnownFunction.Clamp] = (a, r, t) => new[]
            {
                Cond(And(Compare(BinaryOp.Gt, a[0], a[1]), Compare(BinaryOp.Lt, a[0], a[2])), Lit(1, t), Lit(0, t)),
                Cond(Compare(BinaryOp.Le, a[0], a[1]), Lit(1, t), Lit(0, t)),
                Cond(And(Compare(BinaryOp.Gt, a[0], a[1]), Compare(BinaryOp.Ge, a[0], a[2])), Lit(1, t), Lit(0, t)),
            },
            [KnownFunction.FusedMultiplyAdd] = (a, r, t) => new[] { a[1], a[0], Lit(1, t) },

            // Piecewise constant: zero derivative (and an analyzer warning when applied to an active value).
            [KnownFunction.Floor] = Zero,
            [KnownFunction.Ceiling] = Zero,
            [KnownFunction.Round] = Zero,
            [KnownFunction.Truncate] = Zero,
            [KnownFunction.Sign] = Zero,

            // Grad.Detach: the identity, with no gradient.
            [KnownFunction.Detach] = Zero,

            // Grad.Retain: the identity; what makes it special is the local it is assigned to (RetainedLocal).
            [KnownFunction.Retain] = (a, r, t) => new[] { Lit(1, t) },
        };

        /// <summary>The partials of <paramref name="call"/> with respect to each argument.</summary>
        public static Expr[] Partials(IR.Call call)
        {
            var t = call.Type;
            return s_rules[call.Function](call.Args.AsImmutableArray(), call, t);
        }

        /// <summary>Whether a function's derivative is zero everywhere it exists.</summary>
        /// <summary>
        /// Whether a partial of <paramref name="f"/> can be infinite (or NaN) at a finite argument, or grow without bound
        /// (<c>Sqrt'(0)</c>, <c>Log'(0)</c>, <c>Pow(0, 0)</c>, <c>Exp</c> past its range): a term of such a partial is
        /// written only where its adjoint or tangent is not zero by construction.
        /// </summary>
        public static bool MayHaveInfinitePartial(KnownFunction f) => f is KnownFunction.Tan or KnownFunction.Asin or KnownFunction.Acos
            or KnownFunction.Atan2 or KnownFunction.Sinh or KnownFunction.Cosh or KnownFunction.Exp or KnownFunction.Log or KnownFunction.LogBase
            or KnownFunction.Log2 or KnownFunction.Log10 or KnownFunction.Pow or KnownFunction.Sqrt or KnownFunction.Cbrt;

        public static bool IsPiecewiseConstant(KnownFunction f) => f is KnownFunction.Floor or KnownFunction.Ceiling or KnownFunction.Round
            or KnownFunction.Truncate or KnownFunction.Sign or KnownFunction.Detach;

        public static bool Has(KnownFunction f) => s_rules.ContainsKey(f);

        private static Expr[] Zero(IReadOnlyList<Expr> args, Expr result, ValType t)
        {
            var zeros = new Expr[args.Count];
            for (int i = 0; i < zeros.Length; i++)
            {
                zeros[i] = Lit(0, t);
            }

            return zeros;
        }
    }
}

using System.Collections.Generic;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Rules
{
    /// <summary>
    /// The derivative of a <see cref="KnownFunction"/> call: the partial derivatives with respect to each argument, as IR
    /// built from the arguments and the call's own result (so <c>exp</c>, <c>tanh</c> and <c>sqrt</c> reuse the value the
    /// forward pass computed). The rules themselves are a column of <see cref="MathFunctions"/>; forward and reverse mode
    /// both read them here.
    /// </summary>
    internal static class DerivativeRules
    {
        /// <summary>A rule: the arguments and the call expression (its result) to one partial per argument.</summary>
        internal delegate Expr[] Rule(IReadOnlyList<Expr> args, Expr result, ValType t);

        /// <summary>The partials of <paramref name="call"/> with respect to each argument.</summary>
        public static Expr[] Partials(IR.Call call) => MathFunctions.Of(call.Function).Rule(call.Args.AsImmutableArray(), call, call.Type);

        /// <summary>Whether a function's derivative is zero everywhere it exists.</summary>
        public static bool IsPiecewiseConstant(KnownFunction f) => MathFunctions.Of(f).PiecewiseConstant;

        /// <summary>
        /// Whether a partial of <paramref name="f"/> can be infinite (or NaN) at a finite argument, or grow without bound
        /// (<see cref="MathFunction.MayHaveInfinitePartial"/>): a term of such a partial is written only where its adjoint
        /// or tangent is not zero by construction.
        /// </summary>
        public static bool MayHaveInfinitePartial(KnownFunction f) => MathFunctions.Of(f).MayHaveInfinitePartial;
    }
}

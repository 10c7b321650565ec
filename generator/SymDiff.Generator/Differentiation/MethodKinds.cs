using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>
    /// One kind of generated method: its suffix, when it is generated, its signature (the one definition the real
    /// method and its throwing stub share) and its builder. Adding a mode is one row here and one builder class.
    /// </summary>
    /// <param name="Applies">Whether it is generated for a method, from (is a vector function, <c>Hessian = true</c>).</param>
    internal sealed record MethodKind(
        string Suffix,
        Func<bool, bool, bool> Applies,
        Func<MethodSpec, string> ReturnType,
        Func<Signatures, List<GeneratedParam>> Parameters,
        Func<BuildContext, MethodFamily> Build)
    {
        /// <summary>Generated only for a method that retains locals with <c>Grad.Retain</c>.</summary>
        public bool OnlyWithRetained { get; init; }
    }

    /// <summary>Every kind of generated method, in the order they appear in the generated file.</summary>
    internal static class MethodKinds
    {
        private static string Scalar(MethodSpec spec) => spec.Scalar.Keyword();

        private static string Void(MethodSpec spec) => "void";

        public static IReadOnlyList<MethodKind> All { get; } = new[]
        {
            new MethodKind("Gradient", (vector, hessian) => !vector, Scalar, s => s.GradientParameters, Builders.GradientBuilder.Build),
            new MethodKind("Backward", (vector, hessian) => !vector, Void, s => s.BackwardParameters, Builders.BackwardBuilder.Build),
            new MethodKind("Derivative", (vector, hessian) => !vector, Scalar, s => s.DerivativeParameters, Builders.ForwardModeBuilder.Build),
            new MethodKind("Hessian", (vector, hessian) => !vector && hessian, Scalar, s => s.HessianParameters, Builders.HessianBuilder.Build),
            new MethodKind("HessianVectorProduct", (vector, hessian) => !vector && hessian, Scalar, s => s.HessianVectorProductParameters, Builders.HessianVectorProductBuilder.Build),
            new MethodKind("Backward", (vector, hessian) => vector, Void, s => s.VectorBackwardParameters, Builders.VectorBackwardBuilder.Build),
            new MethodKind("Derivative", (vector, hessian) => vector, Void, s => s.VectorDerivativeParameters, Builders.VectorDerivativeBuilder.Build),
            new MethodKind("Jacobian", (vector, hessian) => vector, Void, s => s.JacobianParameters, Builders.JacobianBuilder.Build),
            new MethodKind("GradientRetained", (vector, hessian) => !vector, Scalar, s => s.GradientRetainedParameters, Builders.RetainedBuilder.Gradient) { OnlyWithRetained = true },
            new MethodKind("BackwardRetained", (vector, hessian) => vector, Void, s => s.VectorBackwardRetainedParameters, Builders.RetainedBuilder.VectorBackward) { OnlyWithRetained = true },
        };

        /// <summary>The kinds generated for a method.</summary>
        /// <param name="retains">Whether the method retains locals (<c>Grad.Retain</c>).</param>
        public static IEnumerable<MethodKind> For(bool isVector, bool hessian, bool retains = false) => All.Where(k => k.Applies(isVector, hessian) && (retains || !k.OnlyWithRetained));
    }
}

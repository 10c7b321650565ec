using System;

namespace SymDiff
{
    /// <summary>
    /// Marks a method whose derivatives SymDiff generates at compile time.
    /// </summary>
    /// <remarks>
    /// With no arguments the method is differentiated with respect to every floating-point parameter
    /// that is not marked <see cref="NoGradAttribute"/>. With names (use <c>nameof</c>) it is differentiated
    /// with respect to exactly those parameters, like JAX's <c>argnums</c> or PyTorch's <c>requires_grad</c>.
    /// Every containing type must be <c>partial</c>.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class DifferentiableAttribute : Attribute
    {
        /// <summary>Differentiate with respect to the named parameters, or all floating-point ones when none are named.</summary>
        /// <param name="wrt">The names of the active parameters.</param>
        public DifferentiableAttribute(params string[] wrt)
        {
            Wrt = wrt ?? Array.Empty<string>();
        }

        /// <summary>The names of the parameters the method is differentiated with respect to; empty means all.</summary>
        public string[] Wrt { get; }

        /// <summary>Also generate <c>FHessian</c> and <c>FHessianVectorProduct</c>.</summary>
        public bool Hessian { get; set; }

        /// <summary>
        /// Makes the generated methods check every value and adjoint they compute and throw an
        /// <see cref="ArithmeticException"/> at the first one that is NaN or infinite although everything it was computed
        /// from is finite, naming this method's source line and expression and the sweep (forward or reverse). Values that
        /// are non-finite because an input was are passed on as usual. For a whole project, set the MSBuild property
        /// <c>SymDiffCheckFinite</c> to <c>true</c>; <c>CheckFinite = false</c> here turns the checks off for this method.
        /// Off (the default), the generated code has no check at all.
        /// </summary>
        public bool CheckFinite { get; set; }

        /// <summary>
        /// Lets the generated <c>Gradient</c> and <c>Backward</c> turn fused loops over unit-stride spans into SIMD loops
        /// (256-bit SIMD lanes, several independent accumulators, a scalar remainder loop) and use the vector forms of
        /// <c>Math.Exp</c> and <c>Math.Log</c> (within 4 ulp of <c>Math</c>'s per element). Sums are reordered, so the
        /// returned value may differ from the method's own in the last bits, and derivatives agree with the default path to
        /// the tolerance docs/performance.md states. A loop that cannot be vectorised (or a target framework without the
        /// vector APIs) stays scalar, with an info diagnostic (SD1023) saying why. Off (the default), every generated value is
        /// bit-exact.
        /// </summary>
        public bool Vectorize { get; set; }
    }
}

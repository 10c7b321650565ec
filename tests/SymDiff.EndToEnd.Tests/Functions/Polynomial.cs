using System;

namespace SymDiff.EndToEnd.Tests.Functions
{
    /// <summary>A method reading elements of a ReadOnlySpan parameter; its gradient is a Span buffer.</summary>
    public static partial class Polynomial
    {
        /// <summary>c[0] + c[1] x + c[2] x^2.</summary>
        [Differentiable]
        public static double Quadratic(ReadOnlySpan<double> c, double x) => c[0] + (c[1] * x) + (c[2] * x * x);
    }
}

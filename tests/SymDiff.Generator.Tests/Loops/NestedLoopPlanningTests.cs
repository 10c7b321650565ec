using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Loops
{
    /// <summary>
    /// Loop planning's second attempt: an inner loop that may fuse (its adjoint is the output seed's element, known
    /// before it) inside an outer loop that may not (it carries a product recurrence, whose adjoint changes every
    /// iteration). The outer body is recomputed in a separate reverse loop, so the inner loop must not fuse there: a
    /// fused inner loop would run its reverse sweep in the forward loop and again in the recomputation. Planning first
    /// differentiates the body with inner fusion allowed, finds the outer loop does not fuse, and drops that attempt
    /// whole. No other test or fuzzed program reached this path (counted while writing this test).
    /// </summary>
    public class NestedLoopPlanningTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class F
{
    // y[i] = x0^i * (x0 + x1 + ... ).
    [Differentiable]
    public static void Powers(ReadOnlySpan<double> x, Span<double> y)
    {
        double s = 1.0;
        for (int i = 0; i < y.Length; i++)
        {
            double t = 0.0;
            for (int j = 0; j < x.Length; j++)
            {
                t = t + x[j] * s;
            }

            y[i] = t;
            s = s * x[0];
        }
    }
}";

        private static readonly double[] X = { 1.3, -0.4, 0.7 };

        /// <summary>dy_i/dx_k = x0^i + [k = 0] i x0^(i-1) S, with S = x0 + x1 + x2.</summary>
        private static double[] ClosedFormJacobian(int outputs)
        {
            double sum = X.Sum();
            var jacobian = new double[outputs * X.Length];
            for (int i = 0; i < outputs; i++)
            {
                for (int k = 0; k < X.Length; k++)
                {
                    jacobian[(i * X.Length) + k] = Math.Pow(X[0], i) + (k == 0 && i > 0 ? i * Math.Pow(X[0], i - 1) * sum : 0.0);
                }
            }

            return jacobian;
        }

        [Fact]
        public void Jacobian_is_the_closed_form()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double[] x = { 1.3, -0.4, 0.7 }, y = new double[4], jacobian = new double[12];
        F.PowersJacobian(x, y, jacobian);
        return jacobian;");
            FiniteDifferences.AssertClose(ClosedFormJacobian(4), r, relTol: 1e-13, absTol: 1e-14, "Powers Jacobian");
        }

        [Fact]
        public void Backward_is_the_transposed_jacobian_times_the_seed()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double[] x = { 1.3, -0.4, 0.7 }, y = new double[4], seed = { 0.5, -1.0, 2.0, 0.25 }, dX = new double[3];
        F.PowersBackward(x, y, seed, dX);
        return dX;");
            double[] seed = { 0.5, -1.0, 2.0, 0.25 };
            var jacobian = ClosedFormJacobian(4);
            var expected = Enumerable.Range(0, X.Length).Select(k => Enumerable.Range(0, 4).Sum(i => seed[i] * jacobian[(i * X.Length) + k])).ToArray();
            FiniteDifferences.AssertClose(expected, r, relTol: 1e-13, absTol: 1e-14, "Powers vector-Jacobian product");
        }
    }
}

using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Calls
{
    /// <summary>A call of a differentiable method in a branch of ?: is made only when that branch is taken, and differentiated.</summary>
    public class ConditionalCallTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class C
{
    public static int Calls;

    [Differentiable]
    public static double Cube(double x) { return x * x * x; }

    // x > 0: x^3 + 2x, derivative 3x^2 + 2; otherwise sin(x) + 2x, derivative cos(x) + 2.
    [Differentiable]
    public static double F(double x) => (x > 0 ? Cube(x) : Math.Sin(x)) + 2 * x;
}";

        [Theory]
        [InlineData(1.5)]
        [InlineData(-0.5)]
        public void Gradient_and_derivative_follow_the_branch_taken(double x)
        {
            double expected = x > 0 ? (3 * x * x) + 2 : System.Math.Cos(x) + 2;
            string literal = x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            var r = GeneratedCode.RunDriver(Source, $@"
        double v = C.FGradient({literal}, out double g);
        C.FDerivative({literal}, 1.0, out double d);
        return new[] {{ v - C.F({literal}), g, d }};");
            Assert.Equal(0.0, r[0]);
            FiniteDifferences.AssertClose(expected, r[1], 1e-14, 1e-15, "gradient");
            FiniteDifferences.AssertClose(expected, r[2], 1e-14, 1e-15, "derivative");
        }
    }
}

using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.Loops;
using Xunit;

namespace SymDiff.Generator.Tests.Forward
{
    /// <summary>
    /// Forward mode (FDerivative): the directional derivative along a tangent equals the tangent dotted with the
    /// analytic gradient, and a central difference of the user's function along that direction.
    /// </summary>
    public class ForwardModeTests
    {
        private const string Tutorial = @"
using System;
using SymDiff;
public static partial class T
{
    [Differentiable]
    public static double Y(double w, double x) => (w + x) * (w + 1);

    [Differentiable]
    public static double Square(double x) => x * x;

    [Differentiable]
    public static double Branchy(double a, double b)
    {
        double y = a * b;
        if (y > 1)
        {
            y = Math.Log(y) + Square(a);
        }
        else
        {
            y = Math.Exp(y - 1) - b;
        }

        return y > 0.5 ? Math.Sqrt(y) : y * y;
    }
}";

        [Fact]
        public void Square_at_three_along_one_is_six()
        {
            // d/dx x^2 = 2x = 6 at x = 3; the value is 9.
            var r = GeneratedCode.RunDriver(Tutorial, "double v = T.SquareDerivative(3.0, 1.0, out double d); return new[] { v, d };");
            Assert.Equal(new[] { 9.0, 6.0 }, r);
        }

        [Fact]
        public void Tutorial_directional_derivatives_are_the_partials()
        {
            // y = (w + x)(w + 1) at (1, 2): dy/dw = (w + 1) + (w + x) = 5, dy/dx = w + 1 = 2; along (0.5, -3): 2.5 - 6.
            var r = GeneratedCode.RunDriver(Tutorial, @"
        T.YDerivative(1.0, 2.0, 1.0, 0.0, out double dw);
        T.YDerivative(1.0, 2.0, 0.0, 1.0, out double dx);
        T.YDerivative(1.0, 2.0, 0.5, -3.0, out double along);
        return new[] { dw, dx, along };");
            Assert.Equal(new[] { 5.0, 2.0, -3.5 }, r);
        }

        [Theory]
        [InlineData(2.0, 0.75)]
        [InlineData(0.3, 0.4)]
        [InlineData(-0.6, 1.5)]
        public void Branches_and_calls_agree_with_the_gradient_and_finite_differences(double a, double b)
        {
            // Both branches of each if are exercised by the three points; the derivative must match
            // (a) the reverse-mode gradient dotted with the tangent and (b) a central difference along it.
            var r = GeneratedCode.RunDriver(Tutorial, $@"
        double a = {a.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, b = {b.ToString("R", System.Globalization.CultureInfo.InvariantCulture)};
        double ta = 0.3, tb = -1.1, h = 1e-6;
        double v = T.BranchyDerivative(a, b, ta, tb, out double d);
        T.BranchyGradient(a, b, out double ga, out double gb);
        double fd = (T.Branchy(a + h * ta, b + h * tb) - T.Branchy(a - h * ta, b - h * tb)) / (2 * h);
        return new[] {{ v, T.Branchy(a, b), d, ga * ta + gb * tb, fd }};");
            Assert.Equal(BitConverter.DoubleToInt64Bits(r[1]), BitConverter.DoubleToInt64Bits(r[0]));
            FiniteDifferences.AssertClose(r[3], r[2], 1e-12, 1e-14, "forward vs reverse");
            FiniteDifferences.AssertClose(r[4], r[2], 1e-6, 1e-8, "forward vs central difference");
        }

        [Fact]
        public void Horner_recurrence_forward_matches_the_analytic_directional_derivative()
        {
            var c = new[] { 0.5, -1.25, 2.0, 0.75, -0.3 };
            var tc = new[] { 1.0, 0.5, -0.25, 2.0, 0.1 };
            double x = 1.3, tx = -0.7;

            // p(x) = sum c_k x^k; dp = sum tc_k x^k + tx * sum k c_k x^(k-1).
            double expected = 0;
            for (int k = 0; k < c.Length; k++)
            {
                expected += (tc[k] * Math.Pow(x, k)) + (tx * k * c[k] * Math.Pow(x, k - 1));
            }

            var r = GeneratedCode.RunDriver(LoopGradientTests.Horner, @"
        double v = W.HornerDerivative(new double[] { 0.5, -1.25, 2.0, 0.75, -0.3 }, 1.3, new double[] { 1.0, 0.5, -0.25, 2.0, 0.1 }, -0.7, out double d);
        return new[] { v, W.Horner(new double[] { 0.5, -1.25, 2.0, 0.75, -0.3 }, 1.3), d };");
            Assert.Equal(BitConverter.DoubleToInt64Bits(r[1]), BitConverter.DoubleToInt64Bits(r[0]));
            FiniteDifferences.AssertClose(expected, r[2], 1e-12, 1e-14, "Horner JVP");
        }

        [Fact]
        public void Rosenbrock_forward_equals_gradient_dot_tangent()
        {
            var r = GeneratedCode.RunDriver(LoopGradientTests.Rosenbrock, @"
        var x = new double[10]; var t = new double[10]; var g = new double[10];
        for (int i = 0; i < 10; i++) { x[i] = 1 + 0.1 * Math.Sin(i); t[i] = Math.Cos(3 * i); }
        W.RosenbrockDerivative(x, t, out double d);
        W.RosenbrockGradient(x, g);
        double dot = 0; for (int i = 0; i < 10; i++) dot += g[i] * t[i];
        return new[] { d, dot };");
            FiniteDifferences.AssertClose(r[1], r[0], 1e-12, 1e-12, "JVP vs gradient . tangent");
        }

        [Fact]
        public void Wrong_tangent_length_throws_naming_the_tangent()
        {
            var r = GeneratedCode.RunDriver(LoopGradientTests.Rosenbrock, @"
        try { W.RosenbrockDerivative(new double[3], new double[2], out double d); return new[] { 0.0 }; }
        catch (ArgumentException e) when (e.ParamName == ""tX"" && e.Message.Contains(""'x'"")) { return new[] { 1.0 }; }");
            Assert.Equal(new[] { 1.0 }, r);
        }

        [Fact]
        public void Snapshot_of_forward_mode()
        {
            var output = GeneratorRunner.Run(Tutorial);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Regressions
{
    /// <summary>
    /// Programs whose generated code once did not compile (issue 9). Each now compiles with zero warnings
    /// (<see cref="GeneratedCode.RunDriver"/> fails otherwise) and its derivatives agree with a hand derivation
    /// and central differences.
    /// </summary>
    public sealed class CompileRegressionTests
    {
        [Fact]
        public void Expression_after_a_loop_that_reads_its_final_values_is_not_hoisted_above_it()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class C
{
    [Differentiable]
    public static double F(double w)
    {
        double s = w;
        int k = 0;
        while (k < 4)
        {
            s = s * 0.5 + w;
            k++;
        }

        return s;
    }
}";
            // s4 = w (0.5^4 + 0.5^3 + 0.5^2 + 0.5 + 1): ds4/dw = 1.9375.
            var result = GradientProbe.Run(source, new[] { 0.3 }, "C.F(p[0])", "C.FGradient(p[0], out g[0])", "C.FBackward(p[0], seed, ref g[0]);", "C.FDerivative(p[0], t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(result, new[] { 1.9375 });
        }

        [Fact]
        public void Product_inside_and_after_a_recurrence_loop()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class C
{
    [Differentiable]
    public static double F(double s0, double y, int n)
    {
        double s = s0;
        double acc = 0;
        for (int i = 0; i < n; i++)
        {
            acc += s * y;
            s = Math.Sin(s * y);
        }

        return acc + s * y;
    }
}";
            // Forward mode by hand, one tangent per input.
            double[] Expected(double s0, double y)
            {
                var g = new double[2];
                for (int k = 0; k < 2; k++)
                {
                    double s = s0, ds = k == 0 ? 1 : 0, dy = k == 1 ? 1 : 0, acc = 0, dacc = 0;
                    for (int i = 0; i < 3; i++)
                    {
                        acc += s * y;
                        dacc += (ds * y) + (s * dy);
                        double u = s * y, du = (ds * y) + (s * dy);
                        s = Math.Sin(u);
                        ds = Math.Cos(u) * du;
                    }

                    g[k] = dacc + (ds * y) + (s * dy);
                }

                return g;
            }

            var result = GradientProbe.Run(source, new[] { 0.7, 1.3 }, "C.F(p[0], p[1], 3)", "C.FGradient(p[0], p[1], 3, out g[0], out g[1])", "C.FBackward(p[0], p[1], 3, seed, ref g[0], ref g[1]);", "C.FDerivative(p[0], p[1], 3, t[0], t[1], out double d) * 0 + d");
            GradientProbe.AssertAgrees(result, Expected(0.7, 1.3));
        }

        [Theory]
        [InlineData(0.9, 4)] // returns from inside the loop (s passes 10 at the third iteration)
        [InlineData(0.5, 4)] // runs to the end
        public void Early_return_inside_a_loop(double x, int n)
        {
            const string source = @"
using System;
using SymDiff;
public static partial class C
{
    [Differentiable]
    public static double F(double x, int n)
    {
        double s = 1;
        for (int i = 0; i < n; i++)
        {
            s = s * x + 5;
            if (s > 10)
            {
                return s * 2;
            }
        }

        return s;
    }
}";
            double s = 1, ds = 0, result = double.NaN, dresult = double.NaN;
            for (int i = 0; i < n; i++)
            {
                ds = (ds * x) + s;
                s = (s * x) + 5;
                if (s > 10)
                {
                    result = s * 2;
                    dresult = ds * 2;
                    break;
                }
            }

            if (double.IsNaN(result))
            {
                dresult = ds;
            }

            var r = GradientProbe.Run(source, new[] { x }, $"C.F(p[0], {n})", $"C.FGradient(p[0], {n}, out g[0])", $"C.FBackward(p[0], {n}, seed, ref g[0]);", $"C.FDerivative(p[0], {n}, t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, new[] { dresult });
        }

        [Fact]
        public void Loop_from_one_reading_the_previous_element_with_a_stored_running_maximum()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class C
{
    [Differentiable]
    public static double F(double[] x)
    {
        double m = x[0];
        for (int i = 1; i < x.Length; i++)
        {
            double d = x[i] - x[i - 1];
            m = Math.Max(m, d * d);
        }

        return m;
    }
}";
            // x = {0.1, 0.9, 0.5, 2.0}: squares of steps 0.64, 0.16, 2.25; the maximum is the last, 2.25 = (x3 - x2)^2.
            double[] x = { 0.1, 0.9, 0.5, 2.0 };
            double[] expected = { 0, 0, -2 * (x[3] - x[2]), 2 * (x[3] - x[2]) };
            var r = GradientProbe.Run(source, x, "C.F(p)", "C.FGradient(p, g)", "C.FBackward(p, seed, g);", "C.FDerivative(p, t, out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, expected);
        }

        [Fact]
        public void Fused_loop_with_an_invariant_factor_names_every_adjoint_it_reads()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class C
{
    [Differentiable]
    public static double F(double[] x, double k, double c)
    {
        double e = 0;
        for (int i = 1; i < x.Length; i++)
        {
            double s = x[i] - x[i - 1] - c;
            e += 0.5 * k * s * s;
        }

        return e;
    }
}";
            double[] x = { 0.3, -1.2, 0.8, 2.5 };
            double k = 1.7, c = 0.2;
            var expected = new double[x.Length + 2];
            for (int i = 1; i < x.Length; i++)
            {
                double s = x[i] - x[i - 1] - c;
                expected[i] += k * s;
                expected[i - 1] -= k * s;
                expected[x.Length] += 0.5 * s * s;
                expected[x.Length + 1] -= k * s;
            }

            string xs = "p[..4]";
            var r = GradientProbe.Run(
                source,
                x.Concat(new[] { k, c }).ToArray(),
                $"C.F({xs}, p[4], p[5])",
                $"C.FGradient({xs}, p[4], p[5], g.AsSpan(0, 4), out g[4], out g[5])",
                $"C.FBackward({xs}, p[4], p[5], seed, g.AsSpan(0, 4), ref g[4], ref g[5]);",
                $"C.FDerivative({xs}, p[4], p[5], t.AsSpan(0, 4), t[4], t[5], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, expected);
        }

        [Fact]
        public void Fused_loop_with_a_detached_factor()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class C
{
    [Differentiable]
    public static double F(double[] x, double w)
    {
        double e = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = Grad.Detach(x[i] * w);
            e += w * x[i] * d;
        }

        return e;
    }
}";
            // d is a constant: de/dx_i = w d_i, de/dw = sum x_i d_i.
            double[] x = { 0.5, -1.5, 2.0 };
            double w = 0.8;
            var expected = x.Select(xi => w * (xi * w)).Append(x.Sum(xi => xi * (xi * w))).ToArray();
            var r = GradientProbe.Run(
                source,
                x.Append(w).ToArray(),
                "C.F(p[..3], p[3])",
                "C.FGradient(p[..3], p[3], g.AsSpan(0, 3), out g[3])",
                "C.FBackward(p[..3], p[3], seed, g.AsSpan(0, 3), ref g[3]);",
                "C.FDerivative(p[..3], p[3], t.AsSpan(0, 3), t[3], out double d) * 0 + d");

            // Central differences see the detached factor change, so only the hand derivation is compared.
            Assert.Equal(BitConverter.DoubleToInt64Bits(r.Value), BitConverter.DoubleToInt64Bits(r.GradientValue));
            FiniteDifferences.AssertClose(expected, r.Gradient, 1e-12, 1e-14, "FGradient");
            FiniteDifferences.AssertClose(expected, r.Backward, 1e-12, 1e-14, "FBackward");
            FiniteDifferences.AssertClose(expected, r.Directional, 1e-12, 1e-14, "FDerivative");
        }

        [Fact]
        public void Vector_function_with_keyword_named_parameters()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class C
{
    [Differentiable]
    public static void V(double @in, double @double, Span<double> @out)
    {
        @out[0] = @in * @double;
        @out[1] = @in + @double;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        var y = new double[2];
        var j = new double[4];
        C.VJacobian(3, 5, y, j);
        double din = 0, ddouble = 0;
        C.VBackward(3, 5, y, new double[] { 1, 10 }, ref din, ref ddouble);
        var dy = new double[2];
        C.VDerivative(3, 5, y, 1, 0, dy);
        return new[] { j[0], j[1], j[2], j[3], din, ddouble, dy[0], dy[1] };");

            // J = [[double, in], [1, 1]] at in = 3, double = 5.
            Assert.Equal(new double[] { 5, 3, 1, 1, 15, 13, 5, 1 }, r);
        }
    }
}

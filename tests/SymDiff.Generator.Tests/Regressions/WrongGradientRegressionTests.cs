using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Regressions
{
    /// <summary>
    /// Programs that once got silently wrong gradients (issue 9), each written small and checked against a
    /// derivative computed by hand below (and central differences).
    /// </summary>
    public sealed class WrongGradientRegressionTests
    {
        [Fact]
        public void Call_in_a_loop_with_a_carried_argument_sees_each_iteration_value()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    private static double Mul(double a, double b) => a * b;

    [Differentiable]
    public static double F(double w, int n)
    {
        double s = 1;
        for (int i = 0; i < n; i++)
        {
            s = Mul(s, w) + 0.25;
        }

        return s;
    }
}";
            // s' = s' w + s, by hand.
            double w = 0.6, s = 1, ds = 0;
            for (int i = 0; i < 4; i++)
            {
                ds = (ds * w) + s;
                s = (s * w) + 0.25;
            }

            Assert.Equal(1.6840, ds, 4); // the value the issue gives
            var result = GradientProbe.Run(source, new[] { w }, "R.F(p[0], 4)", "R.FGradient(p[0], 4, out g[0])", "R.FBackward(p[0], 4, seed, ref g[0]);", "R.FDerivative(p[0], 4, t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(result, new[] { ds });
        }

        [Fact]
        public void Int_local_stepped_in_a_do_loop_and_used_as_index_is_restored_per_iteration()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double w, [NoGrad] double[] xs, int n)
    {
        double s = 0;
        int i = 0;
        do
        {
            i++;
            if (xs[i - 1] < 0)
            {
                continue;
            }

            s = s * w + xs[i - 1];
        }
        while (i < n);
        return s;
    }
}";
            double[] xs = { 1, -2, 3, 0.5, -1, 2 };
            double w = 0.7, s = 0, ds = 0;
            foreach (double x in xs)
            {
                if (x < 0)
                {
                    continue;
                }

                ds = (ds * w) + s;
                s = (s * w) + x;
            }

            string data = GradientProbe.Literal(xs);
            var result = GradientProbe.Run(source, new[] { w }, $"R.F(p[0], {data}, 6)", $"R.FGradient(p[0], {data}, 6, out g[0])", $"R.FBackward(p[0], {data}, 6, seed, ref g[0]);", $"R.FDerivative(p[0], {data}, 6, t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(result, new[] { ds });
        }

        [Fact]
        public void Int_counter_of_a_while_true_series_is_restored_per_iteration()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x)
    {
        double sum = 0;
        double term = 1;
        int k = 0;
        while (true)
        {
            k++;
            if (k % 3 == 0)
            {
                term = term * x / k;
                continue;
            }

            sum += term;
            term = term * x / k;
            if (k >= 25 || Math.Abs(term) < 1e-14)
            {
                break;
            }
        }

        return sum;
    }
}";
            // The same loop in forward mode by hand: (term, term') and (sum, sum').
            double x = 0.8, sum = 0, dsum = 0, term = 1, dterm = 0;
            int k = 0;
            while (true)
            {
                k++;
                if (k % 3 == 0)
                {
                    dterm = ((dterm * x) + term) / k;
                    term = term * x / k;
                    continue;
                }

                sum += term;
                dsum += dterm;
                dterm = ((dterm * x) + term) / k;
                term = term * x / k;
                if (k >= 25 || Math.Abs(term) < 1e-14)
                {
                    break;
                }
            }

            var result = GradientProbe.Run(source, new[] { x }, "R.F(p[0])", "R.FGradient(p[0], out g[0])", "R.FBackward(p[0], seed, ref g[0]);", "R.FDerivative(p[0], t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(result, new[] { dsum });
        }

        [Fact]
        public void A_zero_of_the_users_own_arithmetic_keeps_IEEE_semantics()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x) => 0 * Math.Log(x);
}";
            // d/dx = 0 * (1 / x): NaN at 0 (0 * inf), 0 elsewhere, as PyTorch computes it.
            double[] r = GeneratedCode.RunDriver(source, @"
        double atZero = R.FGradient(0.0, out double g0) * 0;
        R.FGradient(2.0, out double g2);
        double b0 = 0; R.FBackward(0.0, 1.0, ref b0);
        R.FDerivative(0.0, 1.0, out double d0);
        return new[] { g0, g2, b0, d0 };");
            Assert.True(double.IsNaN(r[0]), "FGradient at 0: " + r[0]);
            Assert.Equal(0.0, r[1]);
            Assert.True(double.IsNaN(r[2]), "FBackward at 0: " + r[2]);
            Assert.True(double.IsNaN(r[3]), "FDerivative at 0: " + r[3]);
        }

        [Theory]
        [InlineData(0.05, 1.0)] // returns u[0] from inside the inner loop, in the first outer iteration
        [InlineData(0.5, 3.0)] // runs both loops to the end and returns 3 u[0]
        public void Early_return_from_a_loop_nested_in_a_branch_of_another_loop(double x, double expected)
        {
            // Found by the fuzzer: the inner loop, recomputed by the outer loop's reverse sweep, read the outer loop's
            // final "returned" flag instead of the one it started the iteration with (taped now), so no gradient flowed.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double[] u, double[] v, double x)
    {
        int c2 = 0;
        while (c2 < 2)
        {
            if (v[c2] >= 0.75)
            {
                double s3 = u[c2] * x;
            }
            else
            {
                int c5 = 0;
                do
                {
                    c5++;
                    if (x < 0.1)
                    {
                        return u[c2];
                    }
                }
                while (c5 < u.Length);
            }

            c2++;
        }

        return u[0] * 3;
    }
}";
            string literal = GradientProbe.Literal(new[] { x });
            double[] r = GeneratedCode.RunDriver(source, $@"
        double[] u = {{ 1.5, -0.25, 2.0 }};
        double[] v = {{ -0.625, 0.625 }};
        var du = new double[3];
        var dv = new double[2];
        R.FGradient(u, v, {literal}[0], du, dv, out double dx);
        var bu = new double[3];
        var bv = new double[2];
        double bx = 0;
        R.FBackward(u, v, {literal}[0], 1.0, bu, bv, ref bx);
        return new[] {{ du[0], du[1], du[2], dx, bu[0], bx }};");
            Assert.Equal(new[] { expected, 0, 0, 0, expected, 0 }, r);
        }
    

        [Fact]
        public void A_quotient_a_branch_skips_at_a_zero_divisor_sends_nothing_back()
        {
            // A user trial (stop 36): r = a / b is computed before the test that decides not to use it. At b = 0 the
            // quotient's partials (1 / b, -r / b) are infinite and the adjoint of r is zero by construction, so the
            // gradient is 0 (README: a path not taken contributes nothing, even through an infinite partial), as
            // FDerivative already said; FGradient and FBackward gave NaN (0 / 0). Away from b = 0: d/da = 1 / b,
            // d/db = -a / b^2. In a loop, 1 / (x_i - a) skipped where x_i = a: d/da = sum over the others of 1 / (x_i - a)^2.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double a, double b)
    {
        double r = a / b;
        if (b == 0)
        {
            return 0.0;
        }

        return r;
    }

    [Differentiable]
    public static double G(double a, double b)
    {
        double r = a % b;
        return b == 0 ? 0.0 : r + a / b;
    }

    [Differentiable]
    public static double S(double a, [NoGrad] double[] x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = x[i] - a;
            double r = 1 / d;
            if (d == 0)
            {
                continue;
            }

            s += r;
        }

        return s;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        R.FGradient(0.0, 0.0, out double fa, out double fb);
        double ba = 0, bb = 0;
        R.FBackward(0.0, 0.0, 2.0, ref ba, ref bb);
        R.FDerivative(0.0, 0.0, 1.0, 1.0, out double fd);
        R.FGradient(3.0, 2.0, out double fa2, out double fb2);
        R.GGradient(1.5, 0.0, out double ga, out double gb);
        R.GDerivative(1.5, 0.0, 1.0, 1.0, out double gd);
        double[] x = { 1.0, 2.0, 3.0 };
        R.SGradient(1.0, x, out double sa);
        R.SDerivative(1.0, x, 1.0, out double sd);
        return new[] { fa, fb, ba, bb, fd, fa2, fb2, ga, gb, gd, sa, sd };");
            Assert.Equal(new[] { 0.0, 0.0, 0.0, 0.0, 0.0 }, r.Take(5));
            Assert.Equal(1 / 2.0, r[5], 15);
            Assert.Equal(-3.0 / 4.0, r[6], 15);
            Assert.Equal(new[] { 0.0, 0.0, 0.0 }, r.Skip(7).Take(3));
            Assert.Equal(1.0 + (1.0 / 4.0), r[10], 15);
            Assert.Equal(1.0 + (1.0 / 4.0), r[11], 15);
        }
    

        [Fact]
        public void A_computed_zero_adjoint_still_meets_a_quotients_infinite_partial()
        {
            // The review of the quotient gate: Tanh(a / b) at b = 0 has Tanh'(inf) = 0, a computed zero, not a path not
            // taken; IEEE decides (0 / 0 is NaN), in F, whose early return makes the adjoint's liveness a test of its value,
            // as in G, which has none. Away from b = 0: d/da = x-sum * (1 - tanh^2(a / b)) / b.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double a, double b, [NoGrad] double[] x)
    {
        double q = a / b;
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] > 5)
            {
                return s;
            }

            s += Math.Tanh(q) * x[i];
        }

        return s;
    }

    [Differentiable]
    public static double G(double a, double b, [NoGrad] double[] x)
    {
        double q = a / b;
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += Math.Tanh(q) * x[i];
        }

        return s;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        double[] x = { 1.0, 2.0 };
        R.FGradient(1.0, 0.0, x, out double fa, out double fb);
        R.GGradient(1.0, 0.0, x, out double ga, out double gb);
        R.FGradient(1.0, 2.0, x, out double fa2, out double fb2);
        return new[] { fa, fb, ga, gb, fa2 };");
            Assert.All(r.Take(4), v => Assert.True(double.IsNaN(v)));
            double t = Math.Tanh(0.5);
            Assert.Equal(3.0 * (1 - (t * t)) / 2.0, r[4], 14);
        }
    }
}

using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Loops
{
    /// <summary>
    /// Reverse mode over loops, checked numerically: each generated gradient against a gradient derived by hand
    /// (calculus written out below) and against central differences of the user's own method.
    /// </summary>
    public class LoopGradientTests
    {
        /// <summary>
        /// Runs <paramref name="source"/>'s method <c>F</c> through a driver that returns
        /// <c>[F(x), FGradient(x) value, gradient..., central differences of F...]</c>, where <paramref name="call"/>
        /// calls a method with <c>double[] p</c> standing for the flattened active values.
        /// </summary>
        private static (double Value, double GeneratedValue, double[] Gradient, double[] Numeric) Run(string source, double[] point, string valueCall, string gradientCall)
        {
            string literal = "new double[] { " + string.Join(", ", point.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + " }";
            string driver = $@"
        double[] p = {literal};
        Func<double[], double> f = p => {valueCall};
        double value = f(p);
        double[] g = new double[p.Length];
        double generated = {gradientCall};
        double[] fd = new double[p.Length];
        for (int k = 0; k < p.Length; k++)
        {{
            double h = 1e-6 * Math.Max(1.0, Math.Abs(p[k]));
            double[] up = (double[])p.Clone(); up[k] += h;
            double[] down = (double[])p.Clone(); down[k] -= h;
            fd[k] = (f(up) - f(down)) / (up[k] - down[k]);
        }}
        var result = new double[2 + 2 * p.Length];
        result[0] = value; result[1] = generated;
        Array.Copy(g, 0, result, 2, p.Length);
        Array.Copy(fd, 0, result, 2 + p.Length, p.Length);
        return result;";
            var r = GeneratedCode.RunDriver(source, driver);
            int n = point.Length;
            return (r[0], r[1], r.Skip(2).Take(n).ToArray(), r.Skip(2 + n).Take(n).ToArray());
        }

        private static void AssertGradient(double[] analytic, (double Value, double GeneratedValue, double[] Gradient, double[] Numeric) run, double fdTolerance = 1e-6)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(run.Value), BitConverter.DoubleToInt64Bits(run.GeneratedValue));
            FiniteDifferences.AssertClose(analytic, run.Gradient, 1e-9, 1e-12, "generated gradient vs analytic");
            FiniteDifferences.AssertClose(run.Numeric, run.Gradient, fdTolerance, 1e-7, "generated gradient vs central differences");
        }

        /// <summary>BENCHMARKS.md data: x_i = (i % 97) / 9.7, y_i = 2 x_i + 5 + 0.1 sin(i).</summary>
        private static (double[] X, double[] Y) LinearData(int n)
        {
            var x = Enumerable.Range(0, n).Select(i => (i % 97) / 9.7).ToArray();
            var y = Enumerable.Range(0, n).Select(i => (2 * x[i]) + 5 + (0.1 * Math.Sin(i))).ToArray();
            return (x, y);
        }

        private static string Array(double[] values) => "new double[] { " + string.Join(", ", values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + " }";

        public const string LinearRegression = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable]
    public static double Loss(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = y[i] - (w * x[i] + b);
            sum += 0.5 * r * r;
        }
        return sum / x.Length;
    }
}";

        [Fact]
        public void W1_linear_regression_matches_the_closed_form()
        {
            var (x, y) = LinearData(50);
            double w = 1.5, b = 0.5;

            // L = mean 0.5 r^2 with r = y - (w x + b): dL/dw = -mean(r x), dL/db = -mean(r).
            double gw = 0, gb = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double r = y[i] - ((w * x[i]) + b);
                gw -= r * x[i] / x.Length;
                gb -= r / x.Length;
            }

            var run = Run(
                LinearRegression,
                new[] { w, b },
                $"W.Loss(p[0], p[1], {Array(x)}, {Array(y)})",
                $"W.LossGradient(p[0], p[1], {Array(x)}, {Array(y)}, out g[0], out g[1])");
            AssertGradient(new[] { gw, gb }, run);
        }

        public const string Rosenbrock = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable]
    public static double Rosenbrock(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double t = x[i + 1] - x[i] * x[i];
            double u = 1 - x[i];
            f += 100 * t * t + u * u;
        }
        return f;
    }
}";

        [Theory]
        [InlineData(2)]
        [InlineData(10)]
        public void W2_rosenbrock_matches_the_analytic_gradient(int n)
        {
            var x = Enumerable.Range(0, n).Select(i => 1 + (0.1 * Math.Sin(i))).ToArray();

            // d/dx_i: -400 x_i (x_{i+1} - x_i^2) - 2 (1 - x_i) for i < n-1, plus 200 (x_i - x_{i-1}^2) for i > 0.
            var g = new double[n];
            for (int i = 0; i < n; i++)
            {
                if (i < n - 1)
                {
                    g[i] += (-400 * x[i] * (x[i + 1] - (x[i] * x[i]))) - (2 * (1 - x[i]));
                }

                if (i > 0)
                {
                    g[i] += 200 * (x[i] - (x[i - 1] * x[i - 1]));
                }
            }

            var run = Run(Rosenbrock, x, "W.Rosenbrock(p)", "W.RosenbrockGradient(p, g)");
            AssertGradient(g, run, fdTolerance: 1e-5);
        }

        public const string LogisticRegression = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable]
    public static double LogReg(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> xs, [NoGrad] ReadOnlySpan<double> t)
    {
        int d = w.Length;
        double loss = 0;
        for (int i = 0; i < t.Length; i++)
        {
            double z = 0;
            for (int j = 0; j < d; j++)
            {
                z += w[j] * xs[i * d + j];
            }
            loss += Math.Log(1 + Math.Exp(-t[i] * z));
        }
        return loss / t.Length;
    }
}";

        [Fact]
        public void W3_logistic_regression_with_a_nested_dot_product()
        {
            const int d = 16, n = 60;
            var xs = new double[n * d];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    xs[(i * d) + j] = Math.Sin((0.37 * i) + (1.3 * j));
                }
            }

            var t = Enumerable.Range(0, n).Select(i => i % 3 == 0 ? -1.0 : 1.0).ToArray();
            var w = Enumerable.Range(0, d).Select(j => 0.01 * j).ToArray();

            // d/dz log(1 + e^{-t z}) = -t / (1 + e^{t z}); z = w . X_i, so dL/dw_j = mean_i(-t_i X_ij / (1 + e^{t_i z_i})).
            var g = new double[d];
            for (int i = 0; i < n; i++)
            {
                double z = 0;
                for (int j = 0; j < d; j++)
                {
                    z += w[j] * xs[(i * d) + j];
                }

                for (int j = 0; j < d; j++)
                {
                    g[j] += -t[i] * xs[(i * d) + j] / (1 + Math.Exp(t[i] * z)) / n;
                }
            }

            var run = Run(LogisticRegression, w, $"W.LogReg(p, {Array(xs)}, {Array(t)})", $"W.LogRegGradient(p, {Array(xs)}, {Array(t)}, g)");
            AssertGradient(g, run);
        }

        public const string Horner = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable]
    public static double Horner(ReadOnlySpan<double> c, double x)
    {
        double s = 0;
        for (int i = c.Length - 1; i >= 0; i--)
        {
            s = s * x + c[i];
        }
        return s;
    }
}";

        [Fact]
        public void Horner_recurrence_with_active_coefficients_and_point()
        {
            var c = new[] { 0.5, -1.25, 2.0, 0.75, -0.3 };
            double x = 1.3;

            // p(x) = sum c_k x^k: dp/dc_k = x^k, dp/dx = sum k c_k x^(k-1).
            var g = new double[c.Length + 1];
            for (int k = 0; k < c.Length; k++)
            {
                g[k] = Math.Pow(x, k);
                g[c.Length] += k * c[k] * Math.Pow(x, k - 1);
            }

            var point = c.Concat(new[] { x }).ToArray();
            var run = Run(
                Horner,
                point,
                "W.Horner(p.AsSpan(0, p.Length - 1), p[p.Length - 1])",
                "W.HornerGradient(p.AsSpan(0, p.Length - 1), p[p.Length - 1], g.AsSpan(0, g.Length - 1), out g[g.Length - 1])");
            AssertGradient(g, run);
        }

        public const string Break = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable]
    public static double PartialSum(double w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] double limit)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] > limit)
            {
                break;
            }

            s += Math.Sin(w * x[i]) * s + x[i];
        }
        return s;
    }
}";

        [Fact]
        public void Loop_with_a_data_dependent_break_and_a_nonlinear_recurrence()
        {
            var x = new[] { 0.3, 0.9, 1.4, 2.5, 0.1, 0.2 };
            double w = 0.7, limit = 2.0;

            // s_{k+1} = s_k (1 + sin(w x_k)) + x_k for k before the first x_k > limit;
            // ds_{k+1}/dw = ds_k/dw (1 + sin(w x_k)) + s_k cos(w x_k) x_k.
            double s = 0, ds = 0;
            foreach (var xk in x)
            {
                if (xk > limit)
                {
                    break;
                }

                ds = (ds * (1 + Math.Sin(w * xk))) + (s * Math.Cos(w * xk) * xk);
                s = (s * (1 + Math.Sin(w * xk))) + xk;
            }

            var run = Run(Break, new[] { w }, $"W.PartialSum(p[0], {Array(x)}, 2.0)", $"W.PartialSumGradient(p[0], {Array(x)}, 2.0, out g[0])");
            AssertGradient(new[] { ds }, run);
        }

        public const string MatrixVector = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable]
    public static double Residual(ReadOnlySpan<double> a, [NoGrad] ReadOnlySpan<double> v, [NoGrad] ReadOnlySpan<double> y)
    {
        int n = v.Length;
        double loss = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double row = 0;
            for (int j = 0; j < n; j++)
            {
                row += a[i * n + j] * v[j];
            }
            double r = row - y[i];
            loss += r * r;
        }
        return loss;
    }
}";

        [Fact]
        public void Nested_loops_matrix_vector_product_inside_a_loss()
        {
            var v = new[] { 1.0, -2.0, 0.5 };
            var y = new[] { 0.25, 3.0 };
            var a = new[] { 0.1, 0.2, 0.3, -0.4, 0.5, -0.6 };

            // L = sum_i r_i^2 with r_i = sum_j A_ij v_j - y_i: dL/dA_ij = 2 r_i v_j.
            var g = new double[a.Length];
            for (int i = 0; i < 2; i++)
            {
                double r = -y[i];
                for (int j = 0; j < 3; j++)
                {
                    r += a[(i * 3) + j] * v[j];
                }

                for (int j = 0; j < 3; j++)
                {
                    g[(i * 3) + j] = 2 * r * v[j];
                }
            }

            var run = Run(MatrixVector, a, $"W.Residual(p, {Array(v)}, {Array(y)})", $"W.ResidualGradient(p, {Array(v)}, {Array(y)}, g)");
            AssertGradient(g, run);
        }

        public const string WhileProduct = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable]
    public static double Product(double a, [NoGrad] int n)
    {
        double p = 1;
        int k = 0;
        while (k < n)
        {
            p = p * (1 + a * k);
            k = k + 1;
        }
        return p;
    }
}";

        [Fact]
        public void While_loop_with_a_multiplicative_recurrence()
        {
            double a = 0.35;
            int n = 6;

            // p = prod_k (1 + a k): dp/da = p * sum_k k / (1 + a k).
            double p = 1, sum = 0;
            for (int k = 0; k < n; k++)
            {
                p *= 1 + (a * k);
                sum += k / (1 + (a * k));
            }

            var run = Run(WhileProduct, new[] { a }, "W.Product(p[0], 6)", "W.ProductGradient(p[0], 6, out g[0])");
            AssertGradient(new[] { p * sum }, run);
        }

        public const string ForEachContinue = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable]
    public static double Positive(double w, [NoGrad] ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (var xi in x)
        {
            if (xi < 0)
            {
                continue;
            }

            s += Math.Exp(w * xi);
        }
        return s;
    }
}";

        [Fact]
        public void Foreach_with_continue()
        {
            var x = new[] { 0.5, -1.0, 0.25, -0.5, 1.5 };
            double w = 0.4;

            // d/dw sum_{x_i >= 0} exp(w x_i) = sum_{x_i >= 0} x_i exp(w x_i).
            double g = x.Where(v => v >= 0).Sum(v => v * Math.Exp(w * v));
            var run = Run(ForEachContinue, new[] { w }, $"W.Positive(p[0], {Array(x)})", $"W.PositiveGradient(p[0], {Array(x)}, out g[0])");
            AssertGradient(new[] { g }, run);
        }

        [Fact]
        public void Backward_over_a_loop_accumulates_seed_times_the_gradient()
        {
            // Backward adds seed * gradient; called twice with seed 0.5 on buffers holding 1, it adds the gradient once.
            // The gradient is Rosenbrock's closed form (see W2_rosenbrock_matches_the_analytic_gradient).
            var x = new[] { 0.9, 1.1, 1.3 };
            var g = new double[3];
            for (int i = 0; i < 3; i++)
            {
                if (i < 2)
                {
                    g[i] += (-400 * x[i] * (x[i + 1] - (x[i] * x[i]))) - (2 * (1 - x[i]));
                }

                if (i > 0)
                {
                    g[i] += 200 * (x[i] - (x[i - 1] * x[i - 1]));
                }
            }

            string driver = $@"
        double[] g = new double[] {{ 1.0, 1.0, 1.0 }};
        W.RosenbrockBackward({Array(x)}, 0.5, g);
        W.RosenbrockBackward({Array(x)}, 0.5, g);
        return g;";
            var accumulated = GeneratedCode.RunDriver(Rosenbrock, driver);
            FiniteDifferences.AssertClose(g.Select(v => v + 1).ToArray(), accumulated, 1e-12, 1e-12, "1 + 2 * 0.5 * gradient");
        }

        [Fact]
        public void Wrong_gradient_buffer_length_throws_before_writing()
        {
            string driver = @"
        double[] g = new double[] { 7.0, 7.0 };
        try
        {
            W.RosenbrockGradient(new double[] { 1.0, 2.0, 3.0 }, g);
            return new double[] { 0.0 };
        }
        catch (ArgumentException e) when (e.ParamName == ""dX"" && e.Message.Contains(""'x'""))
        {
            return new double[] { 1.0, g[0], g[1] };
        }";
            var result = GeneratedCode.RunDriver(Rosenbrock, driver);
            Assert.Equal(new[] { 1.0, 7.0, 7.0 }, result);
        }

        [Fact]
        public void Gradients_of_loops_allocate_nothing()
        {
            // Warm up (the pool's first rent allocates), then measure many calls on this thread.
            string source = LinearRegression + Rosenbrock.Replace("using System;\nusing SymDiff;", string.Empty) + Horner.Replace("using System;\nusing SymDiff;", string.Empty);
            string driver = @"
        var x = new double[1000]; var y = new double[1000];
        for (int i = 0; i < x.Length; i++) { x[i] = (i % 97) / 9.7; y[i] = 2 * x[i] + 5 + 0.1 * Math.Sin(i); }
        var r = new double[100]; var gr = new double[100];
        for (int i = 0; i < r.Length; i++) { r[i] = 1 + 0.1 * Math.Sin(i); }
        var c = new double[64]; var gc = new double[64];
        for (int i = 0; i < c.Length; i++) { c[i] = 1.0 / (i + 1); }
        double sink = 0;
        for (int round = 0; round < 2; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 200; k++)
            {
                sink += W.LossGradient(1.5, 0.5, x, y, out double dw, out double db) + dw + db;
                sink += W.RosenbrockGradient(r, gr);
                sink += W.HornerGradient(c, 0.9, gc, out double dx) + dx;
            }
            long after = GC.GetAllocatedBytesForCurrentThread();
            if (round == 1) return new double[] { after - before, sink };
        }
        return new double[] { -1 };";
            var result = GeneratedCode.RunDriver(source, driver);
            Assert.Equal(0.0, result[0]);
        }
    }
}

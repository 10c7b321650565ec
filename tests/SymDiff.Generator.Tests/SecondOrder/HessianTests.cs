using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.SecondOrder
{
    /// <summary>
    /// Second order with [Differentiable(Hessian = true)]: FHessianVectorProduct (forward over reverse, one pass)
    /// and FHessian (one product per active scalar, made exactly symmetric), against closed forms and against
    /// central differences of the generated gradient.
    /// </summary>
    public class HessianTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class H
{
    [Differentiable(Hessian = true)]
    public static double Square(double x) => x * x;

    [Differentiable(Hessian = true)]
    public static double Rosen(double x, double y) => 100 * (y - x * x) * (y - x * x) + (1 - x) * (1 - x);

    [Differentiable(Hessian = true)]
    public static double Chain(ReadOnlySpan<double> x)
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

    // A loop-carried recurrence: p(x) = sum c_k x^k by Horner, differentiated twice through its tape.
    [Differentiable(Hessian = true)]
    public static double Horner(ReadOnlySpan<double> c, double x)
    {
        double s = 0;
        for (int i = c.Length - 1; i >= 0; i--)
        {
            s = s * x + c[i];
        }
        return s * s;
    }
}";

        [Fact]
        public void Second_derivative_of_x_squared_at_three_is_two()
        {
            var r = GeneratedCode.RunDriver(Source, "var h = new double[1]; double v = H.SquareHessian(3.0, h); return new[] { v, h[0] };");
            Assert.Equal(new[] { 9.0, 2.0 }, r);
        }

        [Fact]
        public void Rosenbrock_hessian_at_the_classic_start_is_the_closed_form()
        {
            // f = 100 (y - x^2)^2 + (1 - x)^2: f_xx = 1200 x^2 - 400 y + 2, f_xy = -400 x, f_yy = 200; at (-1.2, 1): 1330, 480, 200.
            var r = GeneratedCode.RunDriver(Source, "var h = new double[4]; H.RosenHessian(-1.2, 1.0, h); return h;");
            FiniteDifferences.AssertClose(new[] { 1330.0, 480.0, 480.0, 200.0 }, r, 1e-12, 1e-9, "Rosenbrock Hessian");
        }

        [Fact]
        public void W2_hessian_vector_product_with_n_100_matches_differences_of_the_gradient()
        {
            // H d ≈ (g(x + h d) - g(x - h d)) / 2h, g the generated gradient (itself checked against the analytic one elsewhere).
            var r = GeneratedCode.RunDriver(Source, @"
        int n = 100;
        var x = new double[n]; var d = new double[n];
        for (int i = 0; i < n; i++) { x[i] = 1 + 0.1 * Math.Sin(i); d[i] = Math.Cos(0.7 * i); }
        var hv = new double[n];
        double value = H.ChainHessianVectorProduct(x, d, hv);
        double h = 1e-5;
        var up = new double[n]; var down = new double[n]; var gu = new double[n]; var gd = new double[n];
        for (int i = 0; i < n; i++) { up[i] = x[i] + h * d[i]; down[i] = x[i] - h * d[i]; }
        H.ChainGradient(up, gu); H.ChainGradient(down, gd);
        var result = new double[1 + 2 * n];
        result[0] = value - H.Chain(x);
        for (int i = 0; i < n; i++) { result[1 + i] = hv[i]; result[1 + n + i] = (gu[i] - gd[i]) / (2 * h); }
        return result;");
            Assert.Equal(0.0, r[0]);
            FiniteDifferences.AssertClose(r.Skip(101).ToArray(), r.Skip(1).Take(100).ToArray(), 1e-6, 1e-5, "HVP vs differences of the gradient");
        }

        [Fact]
        public void Hessian_of_a_recurrence_matches_the_analytic_one_and_is_bit_symmetric()
        {
            // f = p^2 with p = sum c_k x^k: f_ij = 2 (p_i p_j + p p_ij), p_{c_k} = x^k, p_x = sum k c_k x^(k-1),
            // p_{c_k x} = k x^(k-1), p_xx = sum k (k-1) c_k x^(k-2), p_{c_j c_k} = 0.
            var c = new[] { 0.5, -1.25, 2.0, 0.75 };
            double x = 1.3;
            int m = c.Length, n = m + 1;
            double p = 0, px = 0, pxx = 0;
            var pc = new double[m];
            var pcx = new double[m];
            for (int k = 0; k < m; k++)
            {
                p += c[k] * Math.Pow(x, k);
                px += k * c[k] * Math.Pow(x, k - 1);
                pxx += k * (k - 1) * c[k] * Math.Pow(x, k - 2);
                pc[k] = Math.Pow(x, k);
                pcx[k] = k * Math.Pow(x, k - 1);
            }

            var grad = pc.Concat(new[] { px }).ToArray();
            var expected = new double[n * n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double second = (i == m && j == m) ? pxx : i == m ? pcx[j] : j == m ? pcx[i] : 0;
                    expected[(i * n) + j] = 2 * ((grad[i] * grad[j]) + (p * second));
                }
            }

            var r = GeneratedCode.RunDriver(Source, "var h = new double[25]; H.HornerHessian(new double[] { 0.5, -1.25, 2.0, 0.75 }, 1.3, h); return h;");
            FiniteDifferences.AssertClose(expected, r, 1e-12, 1e-12, "Horner Hessian");
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(r[(i * n) + j]), BitConverter.DoubleToInt64Bits(r[(j * n) + i]));
                }
            }
        }

        [Fact]
        public void Wrong_buffer_lengths_are_reported_by_name()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double a = 0, b = 0;
        try { H.RosenHessian(1, 1, new double[3]); } catch (ArgumentException e) when (e.ParamName == ""hessian"") { a = 1; }
        try { H.RosenHessianVectorProduct(1, 1, new double[2], new double[3]); } catch (ArgumentException e) when (e.ParamName == ""product"") { b = 1; }
        return new[] { a, b };");
            Assert.Equal(new[] { 1.0, 1.0 }, r);
        }

        [Fact]
        public void Snapshot_of_second_order_methods()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        [Fact]
        public void SD1007_a_call_of_another_differentiable_method_is_not_differentiated_twice()
        {
            const string source = @"
using SymDiff;
public static partial class C
{
    [Differentiable]
    public static double Sq(double x) => x * x;

    [Differentiable(Hessian = true)]
    public static double F(double x) => Sq(x) + x;
}";
            var output = GeneratorRunner.Run(source);
            var d = Assert.Single(output.GeneratorDiagnostics, x => x.Id == "SD1007");
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
            Assert.Equal("Sq(x)", d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));

            // Without Hessian = true the same method is fine.
            var firstOrder = GeneratorRunner.Run(source.Replace("(Hessian = true)", string.Empty));
            Assert.DoesNotContain(firstOrder.GeneratorDiagnostics, x => x.Id == "SD1007");
            GeneratorRunner.AssertCleanCompile(firstOrder);
        }
    }
}

using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Vectorize
{
    /// <summary>
    /// F72: a vectorised loop whose bound is a conditional expression (the user's <c>i &lt; (n &lt; x.Length ? n : x.Length)</c>,
    /// or the gap zeroing of <c>OverwriteRows</c>, <c>q &lt; (f &lt; b.Length ? f : b.Length)</c>) was emitted as
    /// <c>i &lt;= f &lt; n ? f : n - C</c>, which does not compile (CS0019). Against the default path, every length from 0 to
    /// 20 and bounds below, at and above it: the gradient against its analytic value (x[i] below the bound, 0 above), the
    /// value against the sum written out in the test (bit for bit on the default path, within the reordered-sum rule of
    /// <see cref="VectorizeNumericTests"/>, (2 n + 16) eps sum |t_k|, vectorised); the grid against central differences.
    /// </summary>
    public class VectorizeBoundTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class B
{
    [Differentiable]
    public static double Head(ReadOnlySpan<double> x, int n)
    {
        double s = 0;
        for (int i = 0; i < (n < x.Length ? n : x.Length); i++)
        {
            s += x[i] * x[i] * 0.5;
        }

        return s;
    }

    [Differentiable(Vectorize = true)]
    public static double HeadV(ReadOnlySpan<double> x, int n)
    {
        double s = 0;
        for (int i = 0; i < (n < x.Length ? n : x.Length); i++)
        {
            s += x[i] * x[i] * 0.5;
        }

        return s;
    }

    // The fuzzer's program: a grid nest under Vectorize = true, whose gradient's zero loops have conditional bounds.
    [Differentiable(Vectorize = true)]
    public static double GridV(double[] u, int n, double w)
    {
        double g = 0.0;
        for (int gi = 0; gi < 2; gi++)
        {
            for (int gj = 1; gj < n - 1; gj++)
            {
                g += u[gi * n + gj + 1] * u[(gi + 2) * n + gj] + w * u[(gi + 1) * n + gj];
            }
        }

        return g;
    }

    [Differentiable]
    public static double Grid(double[] u, int n, double w)
    {
        double g = 0.0;
        for (int gi = 0; gi < 2; gi++)
        {
            for (int gj = 1; gj < n - 1; gj++)
            {
                g += u[gi * n + gj + 1] * u[(gi + 2) * n + gj] + w * u[(gi + 1) * n + gj];
            }
        }

        return g;
    }
}";

        [Fact]
        public void Conditional_bounds_compile_and_agree_with_the_default_path()
        {
            GeneratorRunner.AssertCleanCompile(GeneratorRunner.Run(Source));
            var r = GeneratedCode.RunDriver(Source, @"
        var r = new System.Collections.Generic.List<double>();
        for (int len = 0; len <= 20; len++)
        {
            foreach (int n in new[] { 0, 3, len, len + 4 })
            {
                double[] x = new double[len];
                for (int i = 0; i < len; i++) x[i] = 0.3 + 0.1 * i;
                double[] g = new double[len], gv = new double[len];
                for (int i = 0; i < len; i++) { g[i] = double.NaN; gv[i] = double.NaN; }
                double v = B.HeadGradient(x, n, g);
                double vv = B.HeadVGradient(x, n, gv);
                double bound = 0;
                for (int i = 0; i < Math.Min(n, len); i++) bound += x[i] * x[i] * 0.5;
                // The value: the sum written out here; the gradient: x[i] below the bound, 0 above (analytic).
                r.Add(v == bound && Math.Abs(vv - bound) <= (2 * len + 16) * 1.1102230246251565E-16 * bound ? 1 : 0);
                for (int i = 0; i < len; i++)
                {
                    double want = i < Math.Min(n, len) ? x[i] : 0.0;
                    r.Add(g[i] == want && gv[i] == want ? 1 : 0);
                }
            }
        }

        foreach (int n in new[] { 0, 1, 2, 3, 4, 6 })
        {
            double[] u = new double[4 * Math.Max(n, 1) + 2];
            for (int i = 0; i < u.Length; i++) u[i] = Math.Sin(0.9 * i + 0.1);
            double[] g = new double[u.Length], gv = new double[u.Length];
            for (int i = 0; i < u.Length; i++) { g[i] = double.NaN; gv[i] = double.NaN; }
            double v = B.GridGradient(u, n, 0.7, g, out double dw);
            double vv = B.GridVGradient(u, n, 0.7, gv, out double dwv);
            r.Add(v == B.Grid(u, n, 0.7) && Math.Abs(v - vv) <= 1e-12 * (1 + Math.Abs(v)) ? 1 : 0);
            double fdw = (B.Grid(u, n, 0.7 + 1e-6) - B.Grid(u, n, 0.7 - 1e-6)) / 2e-6;
            r.Add(Math.Abs(dwv - fdw) <= 1e-6 * (1 + Math.Abs(fdw)) ? 1 : 0);
            for (int i = 0; i < u.Length; i++)
            {
                // Central differences of the user's method (the terms are bilinear: exact up to rounding).
                double[] q = (double[])u.Clone();
                q[i] = u[i] + 1e-6; double up = B.Grid(q, n, 0.7);
                q[i] = u[i] - 1e-6; double down = B.Grid(q, n, 0.7);
                double fd = (up - down) / 2e-6;
                r.Add(!double.IsNaN(gv[i]) && Math.Abs(gv[i] - fd) <= 1e-6 * (1 + Math.Abs(fd)) && Math.Abs(g[i] - fd) <= 1e-6 * (1 + Math.Abs(fd)) ? 1 : 0);
            }
        }

        return r.ToArray();");
            Assert.True(r.Length > 100);
            Assert.All(r, ok => Assert.Equal(1.0, ok));
        }
    }
}

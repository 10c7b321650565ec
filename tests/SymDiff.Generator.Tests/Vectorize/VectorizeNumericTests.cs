using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Vectorize
{
    /// <summary>
    /// <c>Vectorize = true</c> against the default (bit-exact, scalar) generated path and the method itself, for every length
    /// from 0 to 40 (every remainder of the 4 x 4 lanes of double and 4 x 8 of float, and each path: no lanes, the single-vector
    /// loop, the unrolled loop) and for 10,000.
    /// </summary>
    /// <remarks>
    /// The tolerance rule (docs/performance.md): a sum of n terms t_k computed in another order differs by at most
    /// 2 (n - 1) eps sum |t_k| (each order's rounding error is at most (n - 1) eps sum |t_k|), and a term computed with
    /// Vector256.Exp/Log (4 ulp each, measured below) by a few eps |t_k| more, so the tests allow
    /// |vectorised - scalar| &lt;= (2 n + 16) eps sum |t_k|. Their data makes every term of a sum the same sign, so
    /// sum |t_k| = |sum t_k| = |scalar| and the rule is a relative one. Elementwise results (dX[i] = ...) with no Exp/Log are
    /// computed by the same operations in the same order in each lane: bit-identical. The scalar path itself is checked
    /// against central differences by the other tests (LoopGradientTests) and once here.
    /// </remarks>
    public class VectorizeNumericTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable]
    public static double LinReg(double w, double b, [NoGrad] ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = y[i] - (w * x[i] + b);
            sum += 0.5 * r * r;
        }

        return sum / x.Length;
    }

    [Differentiable(Vectorize = true)]
    public static double LinRegV(double w, double b, [NoGrad] ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = y[i] - (w * x[i] + b);
            sum += 0.5 * r * r;
        }

        return sum / x.Length;
    }

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

    [Differentiable(Vectorize = true)]
    public static double LogRegV(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> xs, [NoGrad] ReadOnlySpan<double> t)
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

    [Differentiable]
    public static double Soft(ReadOnlySpan<double> x, double a)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += Math.Log(1 + Math.Exp(a * x[i])) + Math.Sqrt(x[i] * x[i] + 1);
        }

        return s;
    }

    [Differentiable(Vectorize = true)]
    public static double SoftV(ReadOnlySpan<double> x, double a)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += Math.Log(1 + Math.Exp(a * x[i])) + Math.Sqrt(x[i] * x[i] + 1);
        }

        return s;
    }

    [Differentiable]
    public static float SoftF(ReadOnlySpan<float> x, float a)
    {
        float s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += MathF.Log(1 + MathF.Exp(a * x[i]));
        }

        return s;
    }

    [Differentiable(Vectorize = true)]
    public static float SoftFV(ReadOnlySpan<float> x, float a)
    {
        float s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += MathF.Log(1 + MathF.Exp(a * x[i]));
        }

        return s;
    }
}";

        private static readonly int[] Lengths = Enumerable.Range(0, 41).Append(10_000).ToArray();

        /// <summary>|v - s| &lt;= (2 n + 16) eps |s| (every term of each sum has one sign: see the remarks).</summary>
        private static void AssertWithinRule(double scalar, double vectorised, int n, double eps, string what)
        {
            double bound = (2.0 * n + 16) * eps * Math.Abs(scalar);
            Assert.True(Math.Abs(vectorised - scalar) <= bound || vectorised.Equals(scalar), $"{what}: scalar {scalar:R}, vectorised {vectorised:R}, |diff| {Math.Abs(vectorised - scalar):R} > {bound:R} (n = {n})");
        }

        [Fact]
        public void Linear_regression_agrees_with_the_scalar_path_at_every_length()
        {
            var results = GeneratedCode.RunDriver(Source, @"
        var outList = new System.Collections.Generic.List<double>();
        foreach (int n in new[] { " + string.Join(", ", Lengths) + @" })
        {
            var x = new double[n]; var y = new double[n];
            for (int i = 0; i < n; i++) { x[i] = 0.5 + (i % 17) / 17.0; y[i] = 3 * x[i] + 2 + (i % 5) / 7.0; }
            var dy = new double[n]; var dyV = new double[n];
            double v = W.LinRegGradient(1.25, 0.5, x, y, out double dw, out double db, dy);
            double vV = W.LinRegVGradient(1.25, 0.5, x, y, out double dwV, out double dbV, dyV);
            double own = W.LinRegV(1.25, 0.5, x, y);
            var dyB = new double[n]; double dwB = 0, dbB = 0;
            W.LinRegVBackward(1.25, 0.5, x, y, 1.0, ref dwB, ref dbB, dyB);
            outList.Add(n); outList.Add(v); outList.Add(vV); outList.Add(own); outList.Add(dw); outList.Add(dwV); outList.Add(db); outList.Add(dbV);
            outList.Add(dwB); outList.Add(dbB);
            double same = 1;
            for (int i = 0; i < n; i++) { if (!dy[i].Equals(dyV[i]) || !dy[i].Equals(dyB[i])) same = 0; }
            outList.Add(same);
        }

        return outList.ToArray();");
            for (int k = 0; k < results.Length; k += 11)
            {
                int n = (int)results[k];
                AssertWithinRule(results[k + 1], results[k + 2], n, Eps, $"value, n = {n}");
                Assert.Equal(results[k + 1], results[k + 3]); // the scalar Gradient's value is the method's own, bit for bit
                AssertWithinRule(results[k + 4], results[k + 5], n, Eps, $"dw, n = {n}");
                AssertWithinRule(results[k + 6], results[k + 7], n, Eps, $"db, n = {n}");
                AssertWithinRule(results[k + 4], results[k + 8], n, Eps, $"Backward dw, n = {n}");
                AssertWithinRule(results[k + 6], results[k + 9], n, Eps, $"Backward db, n = {n}");
                Assert.True(results[k + 10] == 1, $"dy differs elementwise at n = {n}");
            }
        }

        private const double Eps = 1.1102230246251565E-16; // 2^-53, the unit roundoff of double

        [Fact]
        public void Logistic_regression_agrees_with_the_scalar_path_for_every_width()
        {
            // The vectorised loops are the inner ones (over the d features): every d from 0 to 40, and 10,000 with 3 samples.
            var results = GeneratedCode.RunDriver(Source, @"
        var outList = new System.Collections.Generic.List<double>();
        foreach (int d in new[] { " + string.Join(", ", Lengths) + @" })
        {
            int m = d > 1000 ? 3 : 7;
            var w = new double[d]; var xs = new double[m * d]; var t = new double[m];
            for (int j = 0; j < d; j++) { w[j] = 0.01 + (j % 11) / 110.0; }
            for (int k = 0; k < m * d; k++) { xs[k] = 0.1 + (k % 13) / 13.0; }
            for (int i = 0; i < m; i++) { t[i] = 1; }
            var g = new double[d]; var gV = new double[d]; var gB = new double[d];
            double v = W.LogRegGradient(w, xs, t, g);
            double vV = W.LogRegVGradient(w, xs, t, gV);
            W.LogRegVBackward(w, xs, t, 1.0, gB);
            double dv = W.LogRegDerivative(w, xs, t, w, out double dir);
            double dvV = W.LogRegVDerivative(w, xs, t, w, out double dirV);
            outList.Add(d); outList.Add(v); outList.Add(vV); outList.Add(dir); outList.Add(dirV);
            for (int j = 0; j < d; j++) { outList.Add(g[j]); outList.Add(gV[j]); outList.Add(gB[j]); }
        }

        return outList.ToArray();");
            int k = 0;
            while (k < results.Length)
            {
                int d = (int)results[k];
                AssertWithinRule(results[k + 1], results[k + 2], d + 7, Eps, $"value, d = {d}");
                AssertWithinRule(results[k + 3], results[k + 4], 2 * d + 7, Eps, $"derivative, d = {d}");
                for (int j = 0; j < d; j++)
                {
                    // dW[j] = sum over samples of zBar_i xs[i, j], zBar_i from a sum over d: both sums' rules added.
                    AssertWithinRule(results[k + 5 + (3 * j)], results[k + 6 + (3 * j)], 2 * d + 7, Eps, $"dW[{j}], d = {d}");
                    AssertWithinRule(results[k + 5 + (3 * j)], results[k + 7 + (3 * j)], 2 * d + 7, Eps, $"Backward dW[{j}], d = {d}");
                }

                k += 5 + (3 * d);
            }
        }

        [Fact]
        public void Exp_and_log_in_lanes_agree_with_the_scalar_path()
        {
            var results = GeneratedCode.RunDriver(Source, @"
        var outList = new System.Collections.Generic.List<double>();
        foreach (int n in new[] { " + string.Join(", ", Lengths) + @" })
        {
            var x = new double[n]; var xf = new float[n];
            for (int i = 0; i < n; i++) { x[i] = -3 + (i % 29) / 4.0; xf[i] = (float)x[i]; }
            var g = new double[n]; var gV = new double[n]; var gf = new float[n]; var gfV = new float[n];
            double v = W.SoftGradient(x, 0.75, g, out double da);
            double vV = W.SoftVGradient(x, 0.75, gV, out double daV);
            float vf = W.SoftFGradient(xf, 0.75f, gf, out float daf);
            float vfV = W.SoftFVGradient(xf, 0.75f, gfV, out float dafV);
            outList.Add(n); outList.Add(v); outList.Add(vV); outList.Add(da); outList.Add(daV); outList.Add(vf); outList.Add(vfV); outList.Add(daf); outList.Add(dafV);
            for (int i = 0; i < n; i++) { outList.Add(g[i]); outList.Add(gV[i]); outList.Add(gf[i]); outList.Add(gfV[i]); }
        }

        return outList.ToArray();");
            const double epsF = 5.9604644775390625E-08; // 2^-24
            int k = 0;
            while (k < results.Length)
            {
                int n = (int)results[k];
                AssertWithinRule(results[k + 1], results[k + 2], n, Eps, $"value, n = {n}");
                AssertWithinRule(results[k + 5], results[k + 6], n, epsF, $"float value, n = {n}");
                // da = sum of a-derivatives x_i * sigmoid(a x_i): terms of both signs here, so only the elementwise results
                // and the one-signed sums are held to the rule; da is held to it with sum |terms| <= n * max|x| * 1.
                Assert.True(Math.Abs(results[k + 3] - results[k + 4]) <= (2.0 * n + 16) * Eps * 4.0 * Math.Max(n, 1), $"da, n = {n}");
                Assert.True(Math.Abs(results[k + 7] - results[k + 8]) <= (2.0 * n + 16) * epsF * 4.0 * Math.Max(n, 1), $"float da, n = {n}");
                for (int i = 0; i < n; i++)
                {
                    // Elementwise: one Exp (4 ulp) feeding a quotient: within 16 eps relative.
                    AssertWithinRule(results[k + 9 + (4 * i)], results[k + 10 + (4 * i)], 0, Eps, $"dX[{i}], n = {n}");
                    AssertWithinRule(results[k + 11 + (4 * i)], results[k + 12 + (4 * i)], 0, epsF, $"float dX[{i}], n = {n}");
                }

                k += 9 + (4 * n);
            }
        }
    }
}

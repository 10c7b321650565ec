using System;
using System.Globalization;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace SymDiff.Generator.Tests.Vectorize
{
    /// <summary>
    /// <c>Math.Tanh</c> in lanes: .NET has no <c>Vector256.Tanh</c>, so the generated lanes call SymDiff's own (a local
    /// function of the lanes' block, <c>Emit/Emitter.Vector.cs</c>). Its accuracy is measured on the generated code itself
    /// (a vector function <c>y[i] = Math.Tanh(x[i])</c>, whose <c>Derivative</c> writes <c>y</c> in lanes) over a dense sweep
    /// with tiny, denormal, large, infinite and NaN inputs; the gradients of a tanh layer agree with the default path under
    /// the tolerance rule of docs/performance.md for every length 0-40 (double) and 0-67 (float: 4 x 8 lanes), and 10,000.
    /// </summary>
    public class VectorizeTanhTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable(Vectorize = true)]
    public static void TanhV(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = Math.Tanh(x[i]);
        }
    }

    [Differentiable(Vectorize = true)]
    public static void TanhFV(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = MathF.Tanh(x[i]);
        }
    }

    [Differentiable]
    public static double Layer(ReadOnlySpan<double> x, double a, double b)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += Math.Tanh(a * x[i] + b);
        }

        return s;
    }

    [Differentiable(Vectorize = true)]
    public static double LayerV(ReadOnlySpan<double> x, double a, double b)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += Math.Tanh(a * x[i] + b);
        }

        return s;
    }

    [Differentiable]
    public static float LayerF(ReadOnlySpan<float> x, float a)
    {
        float s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += MathF.Tanh(a * x[i]);
        }

        return s;
    }

    [Differentiable(Vectorize = true)]
    public static float LayerFV(ReadOnlySpan<float> x, float a)
    {
        float s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += MathF.Tanh(a * x[i]);
        }

        return s;
    }
}";

        private const double Eps = 1.1102230246251565E-16; // 2^-53
        private const double EpsF = 5.9604644775390625E-08; // 2^-24

        private readonly ITestOutputHelper _output;

        public VectorizeTanhTests(ITestOutputHelper output) => _output = output;

        /// <summary>The sweep: dense in [-3, 3] (both branches and the switch at 0.625), each binade from the smallest denormal to the largest finite, and the special values.</summary>
        private const string Sweep = @"
        var xs = new System.Collections.Generic.List<double> { 0.0, -0.0, double.Epsilon, -double.Epsilon, 2.2250738585072014E-308, -1e-310, double.PositiveInfinity, double.NegativeInfinity, double.NaN, double.MaxValue, -double.MaxValue, 0.625, -0.625, 0.6250000000000001, 19.0625, 354.0, 355.0, 710.0 };
        for (int k = -300_000; k <= 300_000; k++) { xs.Add(k * 1e-5); }
        for (int k = 0; k < 200_000; k++) { xs.Add(0.6 + k * 2.5e-7); xs.Add(-0.6 - k * 2.5e-7); }
        for (int e = -1074; e < 1024; e++) { for (int m = 0; m < 16; m++) { double v = System.Math.ScaleB(1.0 + m / 16.0, e); xs.Add(v); xs.Add(-v); } }
";

        [Fact]
        public void The_vector_tanh_of_double_is_within_4_ulp_of_Math_Tanh()
        {
            var results = GeneratedCode.RunDriver(Source, Sweep + @"
        var x = xs.ToArray();
        var y = new double[x.Length]; var dy = new double[x.Length];
        W.TanhVDerivative(x, y, x, dy);
        var outList = new System.Collections.Generic.List<double>();
        outList.Add(System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? 1 : 0);
        for (int i = 0; i < x.Length; i++) { outList.Add(x[i]); outList.Add(y[i]); }
        return outList.ToArray();");
            long worst = 0;
            double at = 0;
            for (int k = 1; k + 1 < results.Length; k += 2)
            {
                double x = results[k], y = results[k + 1], want = Math.Tanh(x);
                Assert.True(double.IsNaN(want) == double.IsNaN(y), $"tanh({x:R}): {y:R}, Math.Tanh {want:R}");
                if (double.IsNaN(want))
                {
                    continue;
                }

                Assert.True(BitConverter.DoubleToInt64Bits(y) < 0 == BitConverter.DoubleToInt64Bits(want) < 0, $"tanh({x:R}): sign of {y:R}, Math.Tanh {want:R}");
                long ulps = VectorMathAccuracyTests.Ulps(want, y);
                if (ulps > worst)
                {
                    worst = ulps;
                    at = x;
                }
            }

            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"double: vector tanh max {worst} ulp (at {at:R}) over {(results.Length - 1) / 2} values; lanes accelerated: {results[0] == 1}"));
            Assert.Equal(1, results[0]);
            Assert.InRange(worst, 0, 4);
        }

        [Fact]
        public void The_vector_tanh_of_float_is_within_4_ulp_of_MathF_Tanh()
        {
            var results = GeneratedCode.RunDriver(Source, Sweep + @"
        var fs = new System.Collections.Generic.List<float> { float.Epsilon, -float.Epsilon, 1.17549435E-38f, float.MaxValue, -float.MaxValue, 9.0f, 44.0f, 88.0f, 89.0f };
        foreach (double v in xs) { fs.Add((float)v); }
        for (int e = -149; e < 128; e++) { for (int m = 0; m < 64; m++) { float v = System.MathF.ScaleB(1f + m / 64f, e); fs.Add(v); fs.Add(-v); } }
        var x = fs.ToArray();
        var y = new float[x.Length]; var dy = new float[x.Length];
        W.TanhFVDerivative(x, y, x, dy);
        var outList = new System.Collections.Generic.List<double>();
        for (int i = 0; i < x.Length; i++) { outList.Add(x[i]); outList.Add(y[i]); }
        return outList.ToArray();");
            long worst = 0;
            double at = 0;
            for (int k = 0; k + 1 < results.Length; k += 2)
            {
                float x = (float)results[k], y = (float)results[k + 1], want = MathF.Tanh(x);
                Assert.True(float.IsNaN(want) == float.IsNaN(y), $"tanh({x:R}): {y:R}, MathF.Tanh {want:R}");
                if (float.IsNaN(want))
                {
                    continue;
                }

                Assert.True(BitConverter.SingleToInt32Bits(y) < 0 == BitConverter.SingleToInt32Bits(want) < 0, $"tanh({x:R}): sign of {y:R}, MathF.Tanh {want:R}");
                long ulps = VectorMathAccuracyTests.Ulps(want, y);
                if (ulps > worst)
                {
                    worst = ulps;
                    at = x;
                }
            }

            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"float: vector tanh max {worst} ulp (at {at:R}) over {results.Length / 2} values"));
            Assert.InRange(worst, 0, 4);
        }

        [Fact]
        public void A_tanh_layer_agrees_with_the_scalar_path_at_every_length()
        {
            var doubles = Enumerable.Range(0, 41).Append(10_000).ToArray();
            var floats = Enumerable.Range(0, 68).Append(10_000).ToArray();
            var results = GeneratedCode.RunDriver(Source, @"
        var outList = new System.Collections.Generic.List<double>();
        foreach (int n in new[] { " + string.Join(", ", doubles) + @" })
        {
            var x = new double[n];
            for (int i = 0; i < n; i++) { x[i] = -2 + (i % 37) / 9.0; }
            var g = new double[n]; var gV = new double[n];
            double v = W.LayerGradient(x, 0.75, 0.25, g, out double da, out double db);
            double vV = W.LayerVGradient(x, 0.75, 0.25, gV, out double daV, out double dbV);
            double sumAbs = 0; for (int i = 0; i < n; i++) { sumAbs += System.Math.Abs(System.Math.Tanh(0.75 * x[i] + 0.25)); }
            outList.Add(n); outList.Add(sumAbs); outList.Add(v); outList.Add(vV); outList.Add(da); outList.Add(daV); outList.Add(db); outList.Add(dbV);
            for (int i = 0; i < n; i++) { outList.Add(g[i]); outList.Add(gV[i]); }
        }

        outList.Add(-1);
        foreach (int n in new[] { " + string.Join(", ", floats) + @" })
        {
            var x = new float[n];
            for (int i = 0; i < n; i++) { x[i] = -2 + (i % 37) / 9.0f; }
            var g = new float[n]; var gV = new float[n];
            float v = W.LayerFGradient(x, 0.75f, g, out float da);
            float vV = W.LayerFVGradient(x, 0.75f, gV, out float daV);
            double sumAbs = 0; for (int i = 0; i < n; i++) { sumAbs += System.Math.Abs(System.Math.Tanh(0.75 * x[i])); }
            outList.Add(n); outList.Add(sumAbs); outList.Add(v); outList.Add(vV); outList.Add(da); outList.Add(daV);
            for (int i = 0; i < n; i++) { outList.Add(g[i]); outList.Add(gV[i]); }
        }

        return outList.ToArray();");

            // The rule: |v - s| <= (2 n + 16) eps sum |t_k|. The terms here have both signs, so sum |t_k| is computed:
            // tanh terms are at most 1 in size, and da's terms x_k (1 - tanh^2) at most |x_k| <= 2.
            static void Within(double scalar, double vectorised, int n, double eps, double sumAbs, string what) =>
                Assert.True(Math.Abs(vectorised - scalar) <= (2.0 * n + 16) * eps * sumAbs || vectorised.Equals(scalar), string.Create(CultureInfo.InvariantCulture, $"{what}: scalar {scalar:R}, vectorised {vectorised:R} (n = {n})"));

            int k = 0;
            while (results[k] >= 0)
            {
                int n = (int)results[k];
                double sumAbs = Math.Max(results[k + 1], 1e-300);
                Within(results[k + 2], results[k + 3], n, Eps, sumAbs, "value");
                Within(results[k + 4], results[k + 5], n, Eps, 2.0 * n + 1, "da");
                Within(results[k + 6], results[k + 7], n, Eps, n + 1, "db");
                for (int i = 0; i < n; i++)
                {
                    // dX[i] = a (1 - tanh^2): one vector tanh (4 ulp) and three roundings; 1 - t^2 may cancel by up to a
                    // factor 1 / (1 - t^2), so the bound is relative to 1 rather than to dX[i].
                    Within(results[k + 8 + (2 * i)], results[k + 9 + (2 * i)], 0, Eps, 1.0, $"dX[{i}]");
                }

                k += 8 + (2 * n);
            }

            k++;
            while (k < results.Length)
            {
                int n = (int)results[k];
                double sumAbs = Math.Max(results[k + 1], 1e-30);
                Within(results[k + 2], results[k + 3], n, EpsF, sumAbs, "float value");
                Within(results[k + 4], results[k + 5], n, EpsF, 2.0 * n + 1, "float da");
                for (int i = 0; i < n; i++)
                {
                    Within(results[k + 6 + (2 * i)], results[k + 7 + (2 * i)], 0, EpsF, 1.0, $"float dX[{i}]");
                }

                k += 6 + (2 * n);
            }
        }
    }
}

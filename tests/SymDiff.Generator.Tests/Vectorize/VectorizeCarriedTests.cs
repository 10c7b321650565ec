using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Vectorize
{
    /// <summary>
    /// <c>Vectorize = true</c> on loops that carry a value one iteration (a stencil's <c>x[i + 1]</c> reused as the next
    /// <c>x[i]</c>, the reverse sweep's adjoint of <c>x[i + 1]</c> carried to the next element: lanes rotate the next values
    /// by one lane) and on sums into constant-index gradient elements (W5), against the default scalar path for every length
    /// from 0 to 40 (every remainder of the 4 x 4 lanes of double and the 4 x 8 of float, each path: no lanes, the
    /// one-vector loop, the unrolled loop, and the carry across all of them) and 10,000. Tolerance rule as in
    /// <see cref="VectorizeNumericTests"/>: sums within (2 n + 16) eps sum |t_k| (the data make every term one-signed),
    /// elementwise results bit-identical (each lane does the scalar operations in the scalar order).
    /// </summary>
    public class VectorizeCarriedTests
    {
        private const double Eps = 1.1102230246251565E-16; // 2^-53
        private const double EpsF = 5.9604644775390625E-08; // 2^-24

        private const string Source = @"
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

    [Differentiable(Vectorize = true)]
    public static double RosenbrockV(ReadOnlySpan<double> x)
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

    [Differentiable]
    public static float Smooth(ReadOnlySpan<float> x, float a)
    {
        float s = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            float d = x[i + 1] - a * x[i];
            s += d * d + x[i + 1] * x[i];
        }

        return s;
    }

    [Differentiable(Vectorize = true)]
    public static float SmoothV(ReadOnlySpan<float> x, float a)
    {
        float s = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            float d = x[i + 1] - a * x[i];
            s += d * d + x[i + 1] * x[i];
        }

        return s;
    }

    [Differentiable]
    public static double PolyMse(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = w[0] * (x[i] * x[i]) + w[1] * x[i] + w[2] - y[i];
            sum += r * r;
        }

        return sum / x.Length;
    }

    [Differentiable(Vectorize = true)]
    public static double PolyMseV(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = w[0] * (x[i] * x[i]) + w[1] * x[i] + w[2] - y[i];
            sum += r * r;
        }

        return sum / x.Length;
    }
}";

        private static readonly int[] Lengths = Enumerable.Range(0, 41).Append(10_000).ToArray();

        private static void AssertWithinRule(double scalar, double vectorised, int n, double eps, string what)
        {
            double bound = (2.0 * n + 16) * eps * Math.Abs(scalar);
            Assert.True(Math.Abs(vectorised - scalar) <= bound || vectorised.Equals(scalar), $"{what}: scalar {scalar:R}, vectorised {vectorised:R}, |diff| {Math.Abs(vectorised - scalar):R} > {bound:R} (n = {n})");
        }

        [Fact]
        public void The_compared_methods_run_in_lanes_with_their_carried_values_rotated()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            var messages = output.GeneratorDiagnostics.Where(d => d.Id == "SD1023").Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            foreach (string method in new[] { "RosenbrockVGradient", "RosenbrockVBackward", "SmoothVGradient", "PolyMseVGradient", "PolyMseVBackward" })
            {
                Assert.DoesNotContain(messages, m => m.Contains(" in " + method + " ", StringComparison.Ordinal));
            }

            string Text(string type) => output.GeneratedSources.Single(x => x.HintName.EndsWith("W." + type + ".g.cs", StringComparison.Ordinal)).Text;
            Assert.Contains("Vector256.Create(3L, 0L, 1L, 2L)", Text("RosenbrockV"), StringComparison.Ordinal);
            Assert.Contains("Vector256.Create(7, 0, 1, 2, 3, 4, 5, 6)", Text("SmoothV"), StringComparison.Ordinal);
            Assert.Contains("Vector256.Sum(", Text("PolyMseV"), StringComparison.Ordinal);
        }

        [Fact]
        public void Rosenbrock_in_lanes_agrees_with_the_scalar_path_and_the_analytic_gradient_at_every_length()
        {
            var results = GeneratedCode.RunDriver(Source, @"
        var outList = new System.Collections.Generic.List<double>();
        foreach (int n in new[] { " + string.Join(", ", Lengths) + @" })
        {
            var x = new double[n];
            for (int i = 0; i < n; i++) { x[i] = 0.3 + (i % 23) / 40.0; }
            var g = new double[n]; var gV = new double[n]; var gB = new double[n]; var gB0 = new double[n];
            for (int i = 0; i < n; i++) { gB[i] = 0.25 * i; gB0[i] = 0.25 * i; }
            double v = W.RosenbrockGradient(x, g);
            double vV = W.RosenbrockVGradient(x, gV);
            W.RosenbrockVBackward(x, 1.0, gB);
            var dir = new double[n];
            for (int i = 0; i < n; i++) { dir[i] = 1.0; }
            double dv = W.RosenbrockDerivative(x, dir, out double slope);
            double dvV = W.RosenbrockVDerivative(x, dir, out double slopeV);
            outList.Add(n); outList.Add(v); outList.Add(vV); outList.Add(slope); outList.Add(slopeV);
            for (int i = 0; i < n; i++) { outList.Add(x[i]); outList.Add(g[i]); outList.Add(gV[i]); outList.Add(gB[i] - gB0[i]); }
        }

        return outList.ToArray();");
            int k = 0;
            while (k < results.Length)
            {
                int n = (int)results[k];
                AssertWithinRule(results[k + 1], results[k + 2], n, Eps, $"value, n = {n}");
                double sumAbs = 0;
                for (int i = 0; i < n; i++)
                {
                    double x = results[k + 5 + (4 * i)];
                    double g = results[k + 6 + (4 * i)];
                    double gV = results[k + 7 + (4 * i)];
                    double gB = results[k + 8 + (4 * i)];
                    sumAbs += Math.Abs(g);
                    Assert.True(g.Equals(gV), $"dX[{i}] differs in lanes at n = {n}: {g:R} vs {gV:R}");
                    Assert.True(Math.Abs(gB - gV) <= 4 * Eps * (Math.Abs(gV) + (0.25 * i)), $"Backward dX[{i}], n = {n}: {gB:R} vs {gV:R}");

                    // The independent reference: the analytic gradient of the Rosenbrock function.
                    double analytic = 0;
                    if (i + 1 < n)
                    {
                        double xn = results[k + 5 + (4 * (i + 1))];
                        analytic += (-400 * x * (xn - (x * x))) - (2 * (1 - x));
                    }

                    if (i > 0)
                    {
                        double xp = results[k + 5 + (4 * (i - 1))];
                        analytic += 200 * (x - (xp * xp));
                    }

                    Assert.True(Math.Abs(gV - analytic) <= 1e-12 * Math.Max(1, Math.Abs(analytic)), $"dX[{i}] = {gV:R}, analytic {analytic:R}, n = {n}");
                }

                // The slope along all-ones is a sum of the gradient's elements, which have both signs: the rule with sum |t_k|.
                Assert.True(Math.Abs(results[k + 3] - results[k + 4]) <= ((2.0 * n) + 16) * Eps * 4 * Math.Max(sumAbs, 1), $"slope, n = {n}: {results[k + 3]:R} vs {results[k + 4]:R}");
                k += 5 + (4 * n);
            }
        }

        [Fact]
        public void A_float_stencil_in_eight_lanes_agrees_with_the_scalar_path_at_every_length()
        {
            var results = GeneratedCode.RunDriver(Source, @"
        var outList = new System.Collections.Generic.List<double>();
        foreach (int n in new[] { " + string.Join(", ", Lengths) + @" })
        {
            var x = new float[n];
            for (int i = 0; i < n; i++) { x[i] = 1.5f + (i % 19) / 8.0f; }
            var g = new float[n]; var gV = new float[n];
            float v = W.SmoothGradient(x, 0.25f, g, out float da);
            float vV = W.SmoothVGradient(x, 0.25f, gV, out float daV);
            outList.Add(n); outList.Add(v); outList.Add(vV); outList.Add(da); outList.Add(daV);
            for (int i = 0; i < n; i++) { outList.Add(g[i]); outList.Add(gV[i]); }
        }

        return outList.ToArray();");
            int k = 0;
            while (k < results.Length)
            {
                int n = (int)results[k];
                AssertWithinRule(results[k + 1], results[k + 2], n, EpsF, $"value, n = {n}");
                // da = sum of -2 d x[i]: x >= 1.5 and d = x[i + 1] - x[i] / 4 > 0, so every term is negative.
                AssertWithinRule(results[k + 3], results[k + 4], n, EpsF, $"da, n = {n}");
                for (int i = 0; i < n; i++)
                {
                    Assert.True(results[k + 5 + (2 * i)].Equals(results[k + 6 + (2 * i)]), $"dX[{i}] differs in lanes at n = {n}: {results[k + 5 + (2 * i)]:R} vs {results[k + 6 + (2 * i)]:R}");
                }

                k += 5 + (2 * n);
            }
        }

        [Fact]
        public void Sums_into_constant_index_gradient_elements_agree_with_the_scalar_path_at_every_length()
        {
            var results = GeneratedCode.RunDriver(Source, @"
        var outList = new System.Collections.Generic.List<double>();
        var w = new[] { 0.5, 0.25, 1.0 };
        foreach (int n in new[] { " + string.Join(", ", Lengths) + @" })
        {
            var x = new double[n]; var y = new double[n];
            for (int i = 0; i < n; i++) { x[i] = 0.2 + (i % 31) / 31.0; y[i] = 0.1 * ((i % 7) / 7.0); }
            var g = new double[3]; var gV = new double[3]; var gB = new double[3];
            double v = W.PolyMseGradient(w, x, y, g);
            double vV = W.PolyMseVGradient(w, x, y, gV);
            W.PolyMseVBackward(w, x, y, 1.0, gB);
            outList.Add(n); outList.Add(v); outList.Add(vV);
            for (int j = 0; j < 3; j++) { outList.Add(g[j]); outList.Add(gV[j]); outList.Add(gB[j]); }
        }

        return outList.ToArray();");
            for (int k = 0; k < results.Length; k += 12)
            {
                int n = (int)results[k];
                if (n == 0)
                {
                    // 0 / 0: NaN on both paths.
                    Assert.True(double.IsNaN(results[k + 1]) && double.IsNaN(results[k + 2]), "n = 0");
                    continue;
                }

                // r = w0 x^2 + w1 x + w2 - y > 0 for this data: every term of every sum is positive.
                AssertWithinRule(results[k + 1], results[k + 2], n, Eps, $"value, n = {n}");
                for (int j = 0; j < 3; j++)
                {
                    AssertWithinRule(results[k + 3 + (3 * j)], results[k + 4 + (3 * j)], n, Eps, $"dW[{j}], n = {n}");
                    AssertWithinRule(results[k + 3 + (3 * j)], results[k + 5 + (3 * j)], n, Eps, $"Backward dW[{j}], n = {n}");
                }
            }
        }
    }
}

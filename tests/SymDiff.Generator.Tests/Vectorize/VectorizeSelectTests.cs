using System;
using System.Globalization;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Vectorize
{
    /// <summary>
    /// <c>Vectorize = true</c> with conditionals, <c>Math.Max</c>/<c>Min</c> and <c>Math.Abs</c>'s derivative in lanes: a
    /// conditional on values that change with the counter is a mask and a select (both sides computed in every lane, each
    /// lane keeps the side the scalar code takes), so elementwise results are bit-identical to the default path, ties,
    /// signed zeros and NaN included; sums follow the tolerance rule of <see cref="VectorizeNumericTests"/>.
    /// </summary>
    public class VectorizeSelectTests
    {
        private const double Eps = 1.1102230246251565E-16;

        private const string Body = @"
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double m = Math.Max(x[i], 0.5 * y[i]) + Math.Min(x[i], y[i]) * Math.Abs(x[i] - 1);
            s += x[i] > y[i] ? m * x[i] : m + y[i];
        }

        return s;";

        private static readonly string Source = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable]
    public static double Sel(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {" + Body + @"
    }

    [Differentiable(Vectorize = true)]
    public static double SelV(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {" + Body + @"
    }

    [Differentiable(Vectorize = true)]
    public static double MaxInv(ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> z)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += 1 / Math.Max(x[i], z[i]);
        }

        return s;
    }

    [Differentiable(Vectorize = true)]
    public static double MinInv(ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> z)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += 1 / Math.Min(x[i], z[i]);
        }

        return s;
    }
}";

        [Fact]
        public void Max_min_abs_and_conditionals_vectorise()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            var messages = output.GeneratorDiagnostics.Where(d => d.Id == "SD1023").Select(d => d.GetMessage(CultureInfo.InvariantCulture)).ToList();
            // The ?: in the sum becomes, in the reverse sweep, a branch that adds into dX or dY: masked additions.
            Assert.DoesNotContain(messages, m => m.Contains("'SelV'", StringComparison.Ordinal));
            string text = output.GeneratedSources.Single(s => s.HintName.EndsWith("W.SelV.g.cs", StringComparison.Ordinal)).Text;
            Assert.Contains("Vector256.ConditionalSelect(", text, StringComparison.Ordinal);
            Assert.Contains("Vector256.Max(", text, StringComparison.Ordinal);
            Assert.Contains("Vector256.GreaterThan(", text, StringComparison.Ordinal);
            Assert.Contains("Vector256.LessThan(", text, StringComparison.Ordinal); // Abs's derivative
        }

        [Fact]
        public void Selects_agree_with_the_scalar_path_bit_for_bit_elementwise_at_every_length()
        {
            var lengths = Enumerable.Range(0, 41).Append(10_000).ToArray();
            var results = GeneratedCode.RunDriver(Source, @"
        var outList = new System.Collections.Generic.List<double>();
        foreach (int n in new[] { " + string.Join(", ", lengths) + @" })
        {
            var x = new double[n]; var y = new double[n];
            // Positive values with ties: x == y, x == y / 2, x == 1 (Abs's kink).
            for (int i = 0; i < n; i++) { x[i] = 0.5 + (i % 6) / 4.0; y[i] = 0.5 + (i % 5) / 2.0; }
            var gx = new double[n]; var gy = new double[n]; var gxV = new double[n]; var gyV = new double[n];
            double v = W.SelGradient(x, y, gx, gy);
            double vV = W.SelVGradient(x, y, gxV, gyV);
            outList.Add(n); outList.Add(v); outList.Add(vV);
            double same = 1;
            for (int i = 0; i < n; i++) { if (!gx[i].Equals(gxV[i]) || !gy[i].Equals(gyV[i])) same = 0; }
            outList.Add(same);
        }

        return outList.ToArray();");
            for (int k = 0; k < results.Length; k += 4)
            {
                int n = (int)results[k];
                double bound = ((2.0 * n) + 16) * Eps * Math.Abs(results[k + 1]);
                Assert.True(Math.Abs(results[k + 1] - results[k + 2]) <= bound, $"value, n = {n}: {results[k + 1]:R} vs {results[k + 2]:R}");
                Assert.True(results[k + 3] == 1, $"the gradient differs elementwise at n = {n}");
            }
        }

        [Fact]
        public void Max_and_min_in_lanes_keep_Math_results_at_signed_zeros_and_NaN()
        {
            // 1 / Math.Max(-0.0, +0.0) is +Infinity and 1 / Math.Min(+0.0, -0.0) is -Infinity, in either order; NaN wins.
            var results = GeneratedCode.RunDriver(Source, @"
        var outList = new System.Collections.Generic.List<double>();
        foreach (int order in new[] { 0, 1 })
        {
            var x = new double[8]; var z = new double[8];
            for (int i = 0; i < 8; i++) { x[i] = order == 0 ? -0.0 : 0.0; z[i] = order == 0 ? 0.0 : -0.0; }
            var g = new double[8];
            outList.Add(W.MaxInvGradient(x, z, g)); outList.Add(W.MaxInv(x, z));
            outList.Add(W.MinInvGradient(x, z, g)); outList.Add(W.MinInv(x, z));
            x[5] = double.NaN;
            outList.Add(W.MaxInvGradient(x, z, g)); outList.Add(W.MinInvGradient(x, z, g));
            x[5] = 1; z[6] = double.NaN;
            outList.Add(W.MaxInvGradient(x, z, g)); outList.Add(W.MinInvGradient(x, z, g));
        }

        return outList.ToArray();");
            for (int k = 0; k < results.Length; k += 8)
            {
                Assert.Equal(double.PositiveInfinity, results[k]);
                Assert.Equal(results[k + 1], results[k]);
                Assert.Equal(double.NegativeInfinity, results[k + 2]);
                Assert.Equal(results[k + 3], results[k + 2]);
                for (int j = 4; j < 8; j++)
                {
                    Assert.True(double.IsNaN(results[k + j]), $"NaN case {j}, order {k / 8}: {results[k + j]:R}");
                }
            }
        }

        private const string ZeroTestBody = @"
        double acc = 0, prod = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = x[i] - s;
            acc += Math.Max(d, -0.5);
            prod += x[i] * x[i];
        }

        return acc * prod;";

        /// <summary>
        /// Two sums multiplied (a trial user's program): the reverse loop tests <c>acc != 0</c>, a condition that does not
        /// change with the counter. It was SD1023 ("selects on a condition that does not change with the counter"); a
        /// comparison of loop-invariant values is now a compare of broadcasts, the same in every lane.
        /// </summary>
        private static readonly string ZeroTestSource = @"
using System;
using SymDiff;
public static partial class Z
{
    [Differentiable]
    public static double Two(ReadOnlySpan<double> x, double s)
    {" + ZeroTestBody + @"
    }

    [Differentiable(Vectorize = true)]
    public static double TwoV(ReadOnlySpan<double> x, double s)
    {" + ZeroTestBody + @"
    }
}";

        [Fact]
        public void A_loop_invariant_zero_test_runs_in_lanes_and_agrees_with_the_scalar_path_elementwise()
        {
            var output = GeneratorRunner.Run(ZeroTestSource);
            GeneratorRunner.AssertCleanCompile(output);
            Assert.DoesNotContain(output.GeneratorDiagnostics, d => d.Id == "SD1023");
            var lengths = Enumerable.Range(0, 41).Append(10_000).ToArray();
            var results = GeneratedCode.RunDriver(ZeroTestSource, @"
        var outList = new System.Collections.Generic.List<double>();
        foreach (int n in new[] { " + string.Join(", ", lengths) + @" })
        {
            foreach (double s in new[] { 0.25, 1.0 })
            {
                // s = 1: every x[i] - s is 0, so acc is exactly 0 and the zero test takes its other side.
                var x = new double[n];
                for (int i = 0; i < n; i++) { x[i] = s == 1.0 ? 1.0 : 0.5 + (i % 7) / 3.0 - (i % 3); }
                var g = new double[n]; var gV = new double[n];
                double v = Z.TwoGradient(x, s, g, out double dS);
                double vV = Z.TwoVGradient(x, s, gV, out double dSV);
                outList.Add(n); outList.Add(v); outList.Add(vV); outList.Add(dS); outList.Add(dSV);
                double same = 1;
                for (int i = 0; i < n; i++) { if (Math.Abs(g[i] - gV[i]) > 1e-12 * (1 + Math.Abs(g[i]))) same = 0; }
                outList.Add(same);
            }
        }

        return outList.ToArray();");
            for (int k = 0; k < results.Length; k += 6)
            {
                int n = (int)results[k];
                Assert.True(Math.Abs(results[k + 1] - results[k + 2]) <= 1e-12 * (1 + Math.Abs(results[k + 1])), $"value, n = {n}: {results[k + 1]:R} vs {results[k + 2]:R}");
                Assert.True(Math.Abs(results[k + 3] - results[k + 4]) <= 1e-12 * (1 + Math.Abs(results[k + 3])), $"dS, n = {n}: {results[k + 3]:R} vs {results[k + 4]:R}");
                Assert.True(results[k + 5] == 1, $"the gradient differs at n = {n}");
            }
        }
    }
}

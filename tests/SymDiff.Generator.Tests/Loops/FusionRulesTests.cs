using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.LocalBuffers;
using Xunit;

namespace SymDiff.Generator.Tests.Loops
{
    /// <summary>
    /// Loop fusion and the buffer rules it enables (<c>Scheduler.Fusion.cs</c>, docs/performance.md), checked against
    /// central differences of the user's own method on shapes unlike the benchmarks: a two-pass normalisation whose
    /// third loop reads the second's sum (so it must stay apart), a batch of rows through a 4-unit layer whose units also
    /// meet their neighbour (<c>h[j] * h[j + 1]</c>, a loop that must not be fused), and a loop over half a buffer
    /// followed by one over all of it (different ranges). Value bit for bit; gradient, Backward, Derivative and Hessian.
    /// </summary>
    public class FusionRulesTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class F
{
    // e filled by one loop, read at [j] by the next two; the third also reads the second's sum s.
    [Differentiable(Hessian = true)]
    public static double Normalised(ReadOnlySpan<double> p, [NoGrad] double c)
    {
        double[] e = new double[p.Length];
        for (int j = 0; j < p.Length; j++)
        {
            e[j] = Math.Exp(c * p[j]);
        }

        double s = 0;
        for (int j = 0; j < p.Length; j++)
        {
            s += e[j] * p[j];
        }

        double q = 0;
        for (int j = 0; j < p.Length; j++)
        {
            q += e[j] * e[j] - s * p[j];
        }

        return q + s * s;
    }

    // Rows of 2 features through 4 tanh units; the loss pairs each unit with the next one.
    [Differentiable(Hessian = true)]
    public static double Rows(ReadOnlySpan<double> p, [NoGrad] double c)
    {
        Span<double> h = stackalloc double[4];
        double loss = 0;
        for (int s = 0; s < 3; s++)
        {
            for (int j = 0; j < 4; j++)
            {
                h[j] = Math.Tanh(p[2 * j] * (c + s) + p[2 * j + 1] * (c - s));
            }

            double t = 0;
            for (int j = 0; j < 4; j++)
            {
                t += p[8 + j] * h[j];
            }

            double pairs = 0;
            for (int j = 0; j < 3; j++)
            {
                pairs += h[j] * h[j + 1];
            }

            loss += t * t + 0.5 * pairs;
        }

        return loss;
    }

    // A branch on the same condition in the forward and the reverse sweep of one fused loop: merged into one.
    [Differentiable]
    public static double Branchy(ReadOnlySpan<double> p, [NoGrad] double c)
    {
        double s = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double v = p[i] * c - 0.2;
            if (Math.Abs(v) < 0.3 + 0.1 * i)
            {
                s += Math.Log(1 + v * v);
            }
            else
            {
                s -= Math.Sqrt(1 + Math.Abs(v)) * p[i];
            }
        }

        return s;
    }

    // Half the buffer, then all of it: different ranges.
    [Differentiable]
    public static double HalfThenAll(ReadOnlySpan<double> p, [NoGrad] double c)
    {
        double a = 0;
        for (int j = 0; j < p.Length / 2; j++)
        {
            a += Math.Sin(c * p[j]);
        }

        double b = 0;
        for (int j = 0; j < p.Length; j++)
        {
            b += a * p[j] * p[j];
        }

        return b;
    }
}";

        [Theory]
        [InlineData("Normalised", "{ 0.9, -0.4, 1.3, 0.2, -0.8, 0.6, 0.1 }")]
        [InlineData("Normalised", "{ 0.7 }")]
        [InlineData("Rows", "{ 0.9, -0.4, 1.3, 0.2, -0.8, 0.6, 0.1, 0.5, -0.3, 0.4, 0.8, -0.6 }")]
        [InlineData("HalfThenAll", "{ 0.9, -0.4, 1.3, 0.2, -0.8 }")]
        [InlineData("Branchy", "{ 0.9, -0.4, 1.3, 0.2, -0.8, 0.45, 2.1, -1.7 }")]
        public void Gradient_Backward_and_Derivative_match_differences(string method, string point) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "F", method, point, "0.7");

        [Theory]
        [InlineData("Normalised", "{ 0.9, -0.4, 1.3, 0.2, -0.8 }")]
        [InlineData("Rows", "{ 0.9, -0.4, 1.3, 0.2, -0.8, 0.6, 0.1, 0.5, -0.3, 0.4, 0.8, -0.6 }")]
        public void Hessian_matches_differences_of_the_gradient(string method, string point) =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "F", method, point, "0.7, ", "Hessian after fusion");

        [Fact]
        public void The_rules_fire_where_they_apply_and_nowhere_else()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            string Method(string name)
            {
                string all = string.Join("\n", output.GeneratedSources.Select(s => s.Text));
                int start = all.IndexOf(" " + name + "(global::", StringComparison.Ordinal);
                int end = all.IndexOf("[global::System.CodeDom.Compiler.GeneratedCode", start + 1, StringComparison.Ordinal);
                return all.Substring(start, (end < 0 ? all.Length : end) - start);
            }

            static int Loops(string code) => code.Split("for (").Length - 1 + code.Split("while (").Length - 1;

            // Normalised: the fill and the sum fuse (one loop); the third loop reads the sum and stays apart (its reverse
            // sweep fused into it); then the zeroing of dP's tail and the reverse loop of the first two: 4 loops (6 unfused).
            string normalised = Method("NormalisedGradient");
            Assert.Equal(4, Loops(normalised));
            Assert.Single(normalised.Split("global::System.Math.Exp(").Skip(1)); // the fill, once

            // Rows: per row, the fill and the weighted sum fuse and the pairs loop (h[j + 1]) stays apart; the layer's
            // per-row clear goes (filled whole before any read), and its adjoint stays a buffer (read at j + 1).
            string rows = Method("RowsGradient");
            Assert.Equal(1, rows.Split("Checks.Zero(h)").Length - 1); // once, after allocation
            Assert.Contains("hBar", rows, StringComparison.Ordinal);

            // Branchy: the length check and one branch per iteration (forward and reverse arms merged), not two.
            Assert.Equal(2, Method("BranchyGradient").Split("if (").Length - 1);

            // HalfThenAll: different ranges, and the second reads the first's sum: both forward loops stay, then the tail
            // zeroing and the first loop's reverse.
            string half = Method("HalfThenAllGradient");
            Assert.Equal(4, Loops(half));
            Assert.Contains("j < p.Length / 2; j++)", half, StringComparison.Ordinal);
        }
    }
}

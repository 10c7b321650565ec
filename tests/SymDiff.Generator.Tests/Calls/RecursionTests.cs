using System;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.Regressions;
using Xunit;

namespace SymDiff.Generator.Tests.Calls
{
    /// <summary>
    /// Issue 11 item 5 (API.md 9, recursion): a [Differentiable] method that calls itself, directly or through another,
    /// is a call like any other: FGradient calls FGradient, FBackward calls FBackward, FDerivative calls FDerivative.
    /// </summary>
    public sealed class RecursionTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class Rec
{
    // x^n by direct recursion.
    [Differentiable]
    public static double Power(double x, int n) => n == 0 ? 1.0 : x * Power(x, n - 1);

    // x^n by mutual recursion, with a scale that flows through both.
    [Differentiable]
    public static double Even(double x, double c, int n) => n == 0 ? c : x * Odd(x, c, n - 1);

    [Differentiable]
    public static double Odd(double x, double c, int n) => n == 0 ? c : x * Even(x, c, n - 1);
}";

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(5)]
        public void Direct_recursion_matches_n_x_to_the_n_minus_1(int n)
        {
            double x = 1.3;
            double expected = n == 0 ? 0 : n * Math.Pow(x, n - 1);
            var r = GradientProbe.Run(Source, new[] { x }, $"Rec.Power(p[0], {n})", $"Rec.PowerGradient(p[0], {n}, out g[0])", $"Rec.PowerBackward(p[0], {n}, seed, ref g[0]);", $"Rec.PowerDerivative(p[0], {n}, t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, new[] { expected });
        }

        [Fact]
        public void Mutual_recursion_matches_the_closed_form()
        {
            // Even(x, c, 6) = c x^6: d/dx = 6 c x^5, d/dc = x^6.
            double x = 0.8, c = 1.7;
            double[] expected = { 6 * c * Math.Pow(x, 5), Math.Pow(x, 6) };
            var r = GradientProbe.Run(Source, new[] { x, c }, "Rec.Even(p[0], p[1], 6)", "Rec.EvenGradient(p[0], p[1], 6, out g[0], out g[1])", "Rec.EvenBackward(p[0], p[1], 6, seed, ref g[0], ref g[1]);", "Rec.EvenDerivative(p[0], p[1], 6, t[0], t[1], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, expected);
        }

        [Fact]
        public void Generated_code_calls_the_generated_method_of_itself()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

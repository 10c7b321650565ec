using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Vectorize
{
    /// <summary>
    /// A vectorised loop that reads constant data: an array field, a <c>ReadOnlySpan</c> property and a <c>Span</c> property
    /// (the long fuzz run of seed 22: <c>'double[]' does not contain a definition for 'Slice'</c> in 4 of 5,600 programs).
    /// Each is loaded through a <c>ReadOnlySpan</c>. Checked against the closed form.
    /// </summary>
    public sealed class VectorizedConstantDataTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class D
{
    private static readonly double[] Weights = { 0.5, -1.0, 1.5, 2.0, -0.5, 0.25, 1.0, -2.0, 0.75, 1.25 };
    private static ReadOnlySpan<double> Offsets => new double[] { 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0 };
    private static Span<double> Scales => new double[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };

    [Differentiable(Vectorize = true)]
    public static double Fit(ReadOnlySpan<double> x, double a)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = a * Weights[i] * x[i] + Offsets[i] - Scales[i];
            s += r * r;
        }

        return s;
    }
}";

        [Fact]
        public void Constant_data_is_loaded_through_a_read_only_span_and_the_gradient_matches_the_closed_form()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Assert.Contains("(global::System.ReadOnlySpan<double>)global::D.Weights", string.Join("\n", output.GeneratedSources.Select(s => s.Text)), System.StringComparison.Ordinal);

            double[] r = GeneratedCode.RunDriver(Source, @"
        double[] x = new double[10];
        for (int i = 0; i < x.Length; i++) x[i] = 0.3 * i - 1.0;
        double[] dX = new double[10];
        double value = D.FitGradient(x, 0.8, dX, out double dA);
        var result = new System.Collections.Generic.List<double> { value, dA };
        result.AddRange(dX);
        return result.ToArray();");

            double[] w = { 0.5, -1.0, 1.5, 2.0, -0.5, 0.25, 1.0, -2.0, 0.75, 1.25 };
            double a = 0.8, expectedValue = 0, expectedA = 0;
            var expectedX = new double[10];
            for (int i = 0; i < 10; i++)
            {
                double xi = (0.3 * i) - 1.0;
                double res = (a * w[i] * xi) + (0.1 * (i + 1)) - (i + 1);
                expectedValue += res * res;
                expectedA += 2 * res * w[i] * xi;
                expectedX[i] = 2 * res * a * w[i];
            }

            FiniteDifferences.AssertClose(new[] { expectedValue, expectedA }.Concat(expectedX).ToArray(), r, 1e-12, 1e-12, "FitGradient");
        }
    }
}

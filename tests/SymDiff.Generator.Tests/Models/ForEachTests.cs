using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.LocalBuffers;
using Xunit;

namespace SymDiff.Generator.Tests.Models
{
    /// <summary>
    /// <c>foreach</c> over constant data (static and instance array fields, a <c>ReadOnlySpan</c> property, an <c>int[]</c>
    /// read into a <c>double</c> variable) and over a filled local buffer, as a user iterates a table of observations or
    /// sums a layer. Checked against central differences of the user's own method and a closed form.
    /// </summary>
    public sealed class ForEachTests
    {
        private const string Source = @"
using System;
using SymDiff;
public partial class Fe
{
    private static readonly double[] Knots = { 0.5, 1.0, 2.0 };
    private static readonly int[] Counts = { 1, 2, 3 };
    private static ReadOnlySpan<double> Weights => new double[] { 0.2, 0.3, 0.5 };
    private readonly double[] _values;

    public Fe(double[] values) { _values = values; }

    [Differentiable]
    public static double Fit(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (double k in Knots)
        {
            s += Math.Exp(-p[0] * k) * p[1];
        }

        foreach (double c in Counts)
        {
            s += c * p[0] * p[1];
        }

        int i = 0;
        foreach (var w in Weights)
        {
            s += w * Math.Sin(p[i % 2] * x[i]);
            i++;
        }

        Span<double> h = stackalloc double[3];
        for (int j = 0; j < 3; j++)
        {
            h[j] = Math.Tanh(p[j % 2] * x[j]);
        }

        foreach (double v in h)
        {
            s += v * v;
        }

        return s;
    }

    [Differentiable]
    public double Weighted(double a)
    {
        double s = 0;
        foreach (double v in _values)
        {
            s += v * a * a;
        }

        return s;
    }
}";

        [Fact]
        public void Foreach_over_data_and_buffers_generates_an_indexed_loop()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        [Fact]
        public void Gradient_backward_and_derivative_match_central_differences() =>
            ModelChecks.GradientBackwardAndDerivative(Source, "Fe", "Fit", "new[] { 0.7, -1.1 }", "new[] { 0.3, -0.8, 1.2 }");

        [Fact]
        public void An_instance_field_is_iterated_through_this()
        {
            // Weighted = a^2 sum(v): d/da = 2 a sum(v).
            double[] r = GeneratedCode.RunDriver(Source, @"
        var fe = new Fe(new[] { 1.5, -0.5, 2.0 });
        double value = fe.WeightedGradient(1.25, out double da);
        return new[] { value, da };");
            Assert.Equal(new[] { 1.25 * 1.25 * 3.0, 2 * 1.25 * 3.0 }, r);
        }

        [Fact]
        public void Foreach_over_a_list_is_SD1000_naming_what_works()
        {
            var output = GeneratorRunner.Run(@"
using System.Collections.Generic;
using SymDiff;
public static partial class L
{
    private static readonly List<double> Items = new List<double> { 1.0 };

    [Differentiable]
    public static double F(double x)
    {
        double s = 0;
        foreach (double v in Items)
        {
            s += v * x;
        }

        return s;
    }
}");
            var diagnostic = Assert.Single(output.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
            Assert.Equal("SD1000", diagnostic.Id);
            Assert.Contains("constant data of the type, local buffers, and parts of these", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
    }
}

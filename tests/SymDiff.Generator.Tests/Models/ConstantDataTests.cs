using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.Regressions;
using Xunit;

namespace SymDiff.Generator.Tests.Models
{
    /// <summary>
    /// API.md 9, constant data: array, span and ReadOnlySpan fields and properties (static or of the instance) are read
    /// like scalar fields, as constants: indexed with any int expression and with .Length. Writing them is an error.
    /// </summary>
    public sealed class ConstantDataTests
    {
        internal const string Source = @"
using System;
using SymDiff;
public partial class Fit
{
    private static readonly double[] Xs = { 1.0, 2.0, 3.0, 4.0 };
    private static ReadOnlySpan<double> Ys => new double[] { 2.0, 4.1, 5.9, 8.2 };
    private static readonly int[] Order = { 3, 1, 0, 2 };
    private readonly double[] _scale = { 0.5, 0.25 };

    [Differentiable(Hessian = true)]
    public static double Loss(double a, double b)
    {
        double s = 0;
        for (int i = 0; i < Xs.Length; i++)
        {
            double r = a * Xs[Order[i]] + b - Ys[Order[i]];
            s += r * r;
        }

        return s;
    }

    [Differentiable]
    public double Scaled(double x) => _scale[0] * x + this._scale[1] * x * x;
}";

        private static readonly double[] Xs = { 1.0, 2.0, 3.0, 4.0 };
        private static readonly double[] Ys = { 2.0, 4.1, 5.9, 8.2 };

        [Fact]
        public void Fields_and_properties_are_read_where_they_are_used()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        [Fact]
        public void Gradient_backward_and_forward_match_the_closed_form()
        {
            // L = sum (a x + b - y)^2 (the permutation Order changes nothing): dL/da = 2 sum r x, dL/db = 2 sum r.
            double a = 1.5, b = -0.25;
            double[] r = Xs.Select((x, i) => (a * x) + b - Ys[i]).ToArray();
            double[] expected = { 2 * r.Select((ri, i) => ri * Xs[i]).Sum(), 2 * r.Sum() };
            var result = GradientProbe.Run(Source, new[] { a, b }, "Fit.Loss(p[0], p[1])", "Fit.LossGradient(p[0], p[1], out g[0], out g[1])", "Fit.LossBackward(p[0], p[1], seed, ref g[0], ref g[1]);", "Fit.LossDerivative(p[0], p[1], t[0], t[1], out double d) * 0 + d");
            GradientProbe.AssertAgrees(result, expected);
        }

        [Fact]
        public void Hessian_matches_the_closed_form()
        {
            // H = 2 [[sum x^2, sum x], [sum x, n]].
            double[] h = GeneratedCode.RunDriver(Source, @"
        double[] hessian = new double[4];
        Fit.LossHessian(1.5, -0.25, hessian);
        return hessian;");
            double sxx = Xs.Sum(x => x * x), sx = Xs.Sum();
            FiniteDifferences.AssertClose(new[] { 2 * sxx, 2 * sx, 2 * sx, 2.0 * Xs.Length }, h, 1e-12, 1e-12, "LossHessian");
        }

        [Fact]
        public void An_instance_array_field_is_read_through_this()
        {
            // Scaled = 0.5 x + 0.25 x^2: d/dx = 0.5 + 0.5 x.
            double[] r = GeneratedCode.RunDriver(Source, @"
        var fit = new Fit();
        double value = fit.ScaledGradient(3.0, out double dx);
        return new[] { value, dx };");
            Assert.Equal(new[] { (0.5 * 3) + (0.25 * 9), 0.5 + (0.5 * 3) }, r);
        }

        [Fact]
        public void Writing_constant_data_is_SD1000()
        {
            var output = GeneratorRunner.Run(@"
using SymDiff;
public static partial class W
{
    private static readonly double[] Cache = new double[4];

    [Differentiable]
    public static double F(double x)
    {
        Cache[0] = x;
        return x * x;
    }
}");
            var diagnostic = Assert.Single(output.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
            Assert.Equal("SD1000", diagnostic.Id);
            string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("Writing to an element of 'W.Cache'", message, StringComparison.Ordinal);
            Assert.Contains("constant data", message, StringComparison.Ordinal);
        }
    }
}

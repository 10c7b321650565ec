using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.LocalBuffers;
using Xunit;

namespace SymDiff.Generator.Tests.Calls
{
    /// <summary>
    /// A part of a span or array parameter passed to another <c>[Differentiable]</c> method (a row of a matrix, one layer's
    /// part of a flat parameter vector): the callee's Backward adds into the same part of the gradient span, its Derivative
    /// reads the same part of the tangent, its Hessian-vector product takes that part of the direction. Checked against
    /// central differences of the user's own method (and the Hessian against differences of the gradient).
    /// </summary>
    public class SliceArgumentTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class S
{
    // Rows of a data matrix, and the parameter vector split in two parts (weights, then biases).
    [Differentiable(Hessian = true)]
    public static double Rows(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        int d = 2;
        double s = 0;
        for (int i = 0; i < x.Length / d; i++)
        {
            double z = Dot(p.Slice(0, d), x.Slice(i * d, d)) + p[d + (i % 2)];
            s += Math.Log(1 + Math.Exp(z)) - 0.5 * z;
        }

        return s + 0.1 * Dot(p.Slice(d), p.Slice(d));
    }

    // Overlapping parts of the same parameter, a part to the end, and a part of data for a parameter the callee differentiates.
    [Differentiable(Hessian = true)]
    public static double Overlapping(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        double a = Dot(p.Slice(0, 3), p.Slice(1, 3));
        double b = Dot(x.Slice(4), p.Slice(p.Length - 2));
        return Math.Sin(a) * b + Dot(p.Slice(1, 2), x.Slice(0, 2));
    }

    // An array parameter: array.AsSpan(start, length).
    [Differentiable(Hessian = true)]
    public static double Arrays(double[] p, [NoGrad] double[] x) => Dot(p.AsSpan(1, 2), x.AsSpan(0, 2)) * p[0] + Dot(p.AsSpan(0, 2), p.AsSpan(2, 2));

    [Differentiable(Hessian = true)]
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i] * (1 + 0.1 * a[i]);
        }

        return s;
    }
}";

        private const string Point = "new double[] { 0.3, -0.7, 0.45, 0.2 }";
        private const string Data = "new double[] { 1.2, 0.4, -0.9, 0.25, 0.6, -1.1 }";

        [Theory]
        [InlineData("Rows")]
        [InlineData("Overlapping")]
        public void Gradient_backward_and_derivative_match_central_differences(string method) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "S", method, Point, Data);

        [Theory]
        [InlineData("Rows")]
        [InlineData("Overlapping")]
        [InlineData("Arrays")]
        public void Hessian_matches_differences_of_the_gradient(string method) =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "S", method, Point, Data + ", ", method + " Hessian");

        [Fact]
        public void Arrays_gradient_backward_and_derivative_match_central_differences() =>
            ModelChecks.GradientBackwardAndDerivative(Source, "S", "Arrays", Point, Data);

        [Fact]
        public void A_part_passed_to_a_method_that_is_not_differentiable_is_SD1000()
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class S
{
    [Differentiable]
    public static double F(ReadOnlySpan<double> p) => Sum(p.Slice(1)) * p[0];

    public static double Sum(ReadOnlySpan<double> a) => a[0] + a[1];
}");
            var d = Assert.Single(output.GeneratorDiagnostics, x => x.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
            Assert.Equal("SD1000", d.Id);
            Assert.Contains("Passing a part of 'p'", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        [Fact]
        public void Snapshot_of_slices_passed_to_calls()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

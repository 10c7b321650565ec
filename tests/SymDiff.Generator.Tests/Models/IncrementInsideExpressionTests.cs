using System;
using System.Globalization;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.LocalBuffers;
using Xunit;

namespace SymDiff.Generator.Tests.Models
{
    /// <summary>
    /// <c>p[k++]</c>: a flat parameter vector walked in order, the way hand-written C# unpacks one (a trial user's was
    /// SD1000). The increment of an int local inside a declaration or an expression statement is made after the
    /// statement, with the value before it (postfix) or after it (prefix); where the local is also used elsewhere in the
    /// statement, or inside a condition, it stays SD1000.
    /// </summary>
    public class IncrementInsideExpressionTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class Walk
{
    // y = a * x^2 + b * x + c per point, its parameters read in order; then two scales read with ++k and k--.
    [Differentiable(Hessian = true)]
    public static double Fit(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            int k = 0;
            double a = p[k++];
            double b = p[k++];
            s += Math.Sin(a * x[i] * x[i] + b * x[i] + p[k++]);
            s *= 1 + 0.1 * p[++k];
            s += p[k--] * p[4];
        }

        return s;
    }
}";

        private const string Point = "new double[] { 0.3, -1.2, 0.9, 0.5, 0.1 }";

        [Fact]
        public void Gradient_backward_and_derivative_match_central_differences() =>
            ModelChecks.GradientBackwardAndDerivative(Source, "Walk", "Fit", Point, "new double[] { 0.5, -1.0, 2.0 }");

        [Fact]
        public void Hessian_matches_differences_of_the_gradient() =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "Walk", "Fit", Point, "new double[] { 0.5, -1.0, 2.0 }, ", "Fit Hessian");

        /// <summary>The increments read p[0], p[1], p[2], then p[4] (++k from 3) twice, never p[3]: its gradient is exactly 0.</summary>
        [Fact]
        public void The_increments_read_the_elements_CSharp_reads()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double[] g = new double[5];
        Walk.FitGradient(new double[] { 0.3, -1.2, 0.9, 0.5, 0.1 }, new double[] { 0.5, -1.0, 2.0 }, g);
        return g;");
            Assert.Equal(0.0, r[3]);
            Assert.NotEqual(0.0, r[4]);
        }

        [Theory]
        [InlineData("double s = p[k++] * p[k];", "'k++' where 'k' is also used elsewhere in the statement")]
        [InlineData("double s = 0; while (p[k++] > 0) s += 1;", "'k++' is not supported")]
        [InlineData("double s = p[0] > 0 ? p[k++] : 0;", "'k++' on a side of")]
        [InlineData("double s = 0; bool b = p[0] > 0 && p[k++] > 0; if (b) s = 1;", "'k++' on a side of")]
        public void An_increment_SymDiff_cannot_order_is_SD1000(string body, string message)
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class S
{
    [Differentiable]
    public static double F(ReadOnlySpan<double> p) { int k = 0; " + body + @" return s; }
}");
            var d = Assert.Single(output.GeneratorDiagnostics, x => x.Severity == DiagnosticSeverity.Error);
            Assert.Equal("SD1000", d.Id);
            Assert.Contains(message, d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
    }
}

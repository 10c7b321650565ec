using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Diagnostics
{
    /// <summary>
    /// SD1000 for constructs a trial user wrote, each with the rewrite that works (they were bare "is not supported", or
    /// listed only scalar locals though buffers and views are locals too).
    /// </summary>
    public class UnsupportedHintTests
    {
        [Theory]
        [InlineData("double p, q; p = q = v * x; return p + q;", "'q = v * x' is not supported", "assign one variable per statement")]
        [InlineData("return x is > 0 and < 1 ? x : 2 * x;", "'x is > 0 and < 1' is not supported", "'x > 0 && x < 1'")]
        [InlineData("var l = new System.Collections.Generic.List<double>(); return x * v;", "A local of type 'System.Collections.Generic.List<double>", "Span<T> h = stackalloc T[n]")]
        public void The_message_says_what_to_write_instead(string body, string what, string hint)
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class H
{
    [Differentiable]
    public static double F(double x, double v)
    {
        " + body + @"
    }
}");
            var d = Assert.Single(output.GeneratorDiagnostics, x => x.Severity == DiagnosticSeverity.Error);
            Assert.Equal("SD1000", d.Id);
            string message = d.GetMessage(CultureInfo.InvariantCulture);
            Assert.Contains(what, message, StringComparison.Ordinal);
            Assert.Contains(hint, message, StringComparison.Ordinal);
        }

        [Fact]
        public void The_rewrites_the_hints_give_are_accepted()
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class H
{
    [Differentiable]
    public static double F(double x, double v)
    {
        double q = v * x;
        double p = q;
        return (x > 0 && x < 1 ? x : 2 * x) + p + q;
    }
}");
            Assert.DoesNotContain(output.GeneratorDiagnostics, x => x.Severity == DiagnosticSeverity.Error);
        }

        /// <summary>
        /// Constant data (a static field) passed to a [Differentiable] call, whole or a part of it: the message named a
        /// ReadOnlySpan "value" (whole) or called the data "a part of" itself; it says what to write now, and the copy it
        /// suggests gives the gradient of central differences.
        /// </summary>
        [Theory]
        [InlineData("SumSq(Centers)")]
        [InlineData("SumSq(Centers.AsSpan(2, 2))")]
        [InlineData("SumSq(Centers[1..3])")]
        public void Constant_data_passed_to_a_call_says_to_copy_it_into_a_local_buffer(string call)
        {
            var output = GeneratorRunner.Run(DataSource.Replace("SumSq(c)", call, StringComparison.Ordinal));
            var d = Assert.Single(output.GeneratorDiagnostics, x => x.Severity == DiagnosticSeverity.Error);
            Assert.Equal("SD1000", d.Id);
            string message = d.GetMessage(CultureInfo.InvariantCulture);
            Assert.Contains("Passing constant data ('" + call.Substring(6, call.Length - 7) + "', from 'D.Centers') to 'SumSq'", message, StringComparison.Ordinal);
            Assert.Contains("copy it into a local buffer first", message, StringComparison.Ordinal);
        }

        [Fact]
        public void Constant_data_copied_into_a_local_buffer_is_accepted_with_the_right_gradient()
        {
            var r = GeneratedCode.RunDriver(DataSource, @"
        double[] p = { 0.3, -0.2 };
        double[] g = new double[2];
        double value = D.LossGradient(p, g);
        double h = 1e-6;
        return new[] { value, D.Loss(p), g[0], g[1], (D.Loss(new[] { 0.3 + h, -0.2 }) - D.Loss(new[] { 0.3 - h, -0.2 })) / (2 * h), (D.Loss(new[] { 0.3, -0.2 + h }) - D.Loss(new[] { 0.3, -0.2 - h })) / (2 * h) };");
            Assert.Equal(r[1], r[0]);
            FiniteDifferences.AssertClose(new[] { r[4], r[5] }, new[] { r[2], r[3] }, relTol: 1e-6, absTol: 1e-9, "LossGradient");
        }

        private const string DataSource = @"
using System;
using SymDiff;
public static partial class D
{
    static readonly double[] Centers = { 0.1, 0.2, 0.3, 0.4 };

    [Differentiable]
    public static double SumSq(ReadOnlySpan<double> a)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * a[i];
        return s;
    }

    [Differentiable]
    public static double Loss(double[] p)
    {
        Span<double> c = stackalloc double[2];
        for (int i = 0; i < 2; i++) c[i] = Centers[2 + i] * p[1];
        return SumSq(c) * p[0];
    }
}";
    }
}

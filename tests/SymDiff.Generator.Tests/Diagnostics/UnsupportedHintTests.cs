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
        [InlineData("return x is double d && d > 1 ? x : 2 * x;", "'x is double d' is not supported", "write other patterns as comparisons")]
        [InlineData("return x is double.NaN ? 0 : 2 * x;", "The pattern 'NaN'", "double.IsNaN(x)")]
        [InlineData("double Sq(double t) => t * t; return Sq(x) * v;", "A local function is not supported", "make it a static method of the type marked [Differentiable]")]
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
    }
}

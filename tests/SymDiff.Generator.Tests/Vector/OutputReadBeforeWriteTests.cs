using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Vector
{
    /// <summary>SD1008: an element of the output span read before it is written, at the read.</summary>
    public class OutputReadBeforeWriteTests
    {
        private static string Source(string body) => $@"
using System;
using SymDiff;
public static partial class V
{{
    [Differentiable]
    public static void Step(double w, double x, Span<double> y)
    {{
{body}
    }}
}}";

        [Theory]
        [InlineData("y[0] = y[0] + w * x; y[1] = w + x;", "y[0]")]
        [InlineData("y[0] += w * x; y[1] = w + x;", "y[0] += w * x")]
        [InlineData("y[0] = w; y[1] = y[1] * x;", "y[1]")]
        public void SD1008_a_read_before_the_first_write_is_an_error_at_the_read(string body, string at)
        {
            var output = GeneratorRunner.Run(Source(body));
            var d = Assert.Single(output.GeneratorDiagnostics, x => x.Id == "SD1008");
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
            Assert.Equal(at, d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length));
        }

        [Theory]
        [InlineData("y[0] = w * x; y[0] = y[0] / (1 + w * w); y[1] = y[0] + x;")]
        [InlineData("for (int i = 0; i < y.Length; i++) { y[i] = w * i; } y[0] = y[0] + x;")]
        [InlineData("if (w > 0) { y[0] = w; } else { y[0] = x; } y[1] = y[0] * 2;")]
        public void SD1008_is_silent_once_the_element_may_have_been_written(string body)
        {
            var output = GeneratorRunner.Run(Source(body));
            Assert.DoesNotContain(output.GeneratorDiagnostics, x => x.Id == "SD1008");
            GeneratorRunner.AssertCleanCompile(output);
        }
    }
}

using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Loops
{
    /// <summary>SD1006: a loop whose reverse sweep stores values says what and how much, at the loop keyword.</summary>
    public class LoopStorageDiagnosticTests
    {
        [Fact]
        public void SD1006_reports_what_a_recurrence_stores_per_iteration()
        {
            var output = GeneratorRunner.Run(LoopGradientTests.Horner);
            var diagnostic = Assert.Single(output.GeneratorDiagnostics, d => d.Id == "SD1006");
            Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
            Assert.Equal("for", diagnostic.Location.SourceTree!.ToString().Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));

            // Horner's recurrence reads s from the previous iteration: one double, 8 bytes; the counter is rebuilt.
            string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("1 value: s (double)", message);
            Assert.Contains("8 bytes", message);
            Assert.DoesNotContain("(int)", message);
        }

        [Fact]
        public void SD1006_reports_a_stored_counter_of_a_loop_with_break()
        {
            var output = GeneratorRunner.Run(LoopGradientTests.Break);
            string message = Assert.Single(output.GeneratorDiagnostics, d => d.Id == "SD1006").GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("2 values", message);
            Assert.Contains("12 bytes", message);
        }

        [Theory]
        [InlineData(LoopGradientTests.LinearRegression)]
        [InlineData(LoopGradientTests.Rosenbrock)]
        [InlineData(LoopGradientTests.LogisticRegression)]
        public void SD1006_is_silent_on_loops_that_store_nothing(string source)
        {
            var output = GeneratorRunner.Run(source);
            Assert.DoesNotContain(output.GeneratorDiagnostics, d => d.Id == "SD1006");
            GeneratorRunner.AssertCleanCompile(output);
        }
    }
}

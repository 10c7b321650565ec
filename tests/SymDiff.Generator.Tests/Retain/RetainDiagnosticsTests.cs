using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Retain
{
    /// <summary>SD1020, SD1021 and SD1022: misuses of <c>Grad.Retain</c>, each with a positive and a negative case.</summary>
    public sealed class RetainDiagnosticsTests
    {
        private static string InP(string members) => $$"""
            using System;
            using SymDiff;

            public static partial class P
            {
            {{members}}
            }
            """;

        // ---------------------------------------------------------------- SD1020: Grad.Retain inside a loop

        [Theory]
        [InlineData("for (int i = 0; i < v.Length; i++) { double a = Grad.Retain(v[i] * w); s += a; }", "Grad.Retain(v[i] * w)")]
        [InlineData("double a = 0; foreach (double e in v) { a = Grad.Retain(e * w); s += a * a; }", "Grad.Retain(e * w)")]
        [InlineData("int k = 0; while (k < 3) { double a = Grad.Retain(s + w); s = a * w; k++; }", "Grad.Retain(s + w)")]
        public void SD1020_retain_inside_a_loop(string loop, string call)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($$"""
                [Differentiable] public static double F(double w, ReadOnlySpan<double> v) { double s = 0; {{loop}} return s; }
                """));

            AssertReports(output, "SD1020", DiagnosticSeverity.Error, call, "'a'", "inside a loop", "before or after the loop");
        }

        [Fact]
        public void SD1020_not_reported_before_or_after_a_loop()
        {
            AssertClean(InP("""
                [Differentiable]
                public static double F(double w, ReadOnlySpan<double> v)
                {
                    double scale = Grad.Retain(w * w);
                    double s = 0;
                    for (int i = 0; i < v.Length; i++) { s += scale * v[i]; }
                    double total = Grad.Retain(s);
                    return Math.Sin(total);
                }
                """));
        }

        // ---------------------------------------------------------------- SD1021: Grad.Retain that retains no local

        [Theory]
        [InlineData("return Grad.Retain(x * x) * 2;", "Grad.Retain(x * x)", "is not the whole value of a local")]
        [InlineData("double a = 1 + Grad.Retain(x); return a * x;", "Grad.Retain(x)", "is not the whole value of a local")]
        [InlineData("double a = Grad.Retain(x * x); a = Grad.Retain(a * 2); return a;", "Grad.Retain(a * 2)", "retains the local 'a' a second time")]
        public void SD1021_retain_that_retains_no_local(string body, string call, string why)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($$"""
                [Differentiable] public static double F(double x) { {{body}} }
                """));

            AssertReports(output, "SD1021", DiagnosticSeverity.Error, call, why, "whole value of a local, once per local");
        }

        [Fact]
        public void SD1021_not_reported_for_a_declaration_or_an_assignment()
        {
            AssertClean(InP("""
                [Differentiable] public static double F(double x) { double a; a = Grad.Retain(x * x); double b = (Grad.Retain(a + x)); return a * b; }
                """));
        }

        // ---------------------------------------------------------------- SD1022: no gradient reaches a retained local

        [Theory]
        [InlineData("double a = Grad.Retain(x * 2); return x;", "Grad.Retain(x * 2)")]
        [InlineData("double a = Grad.Retain(Grad.Detach(x) * 2); return a * x;", "Grad.Retain(Grad.Detach(x) * 2)")]
        [InlineData("double a = Grad.Retain(x * 2); return x > a ? x : 1.0;", "Grad.Retain(x * 2)")]
        public void SD1022_retained_value_no_gradient_reaches(string body, string call)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($$"""
                [Differentiable] public static double F(double x) { {{body}} }
                """));

            AssertReports(output, "SD1022", DiagnosticSeverity.Warning, call, "'a'", "'F'", "always 0");
            Assert.Empty(output.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));

            // The method is still generated, and the retained gradient is 0.
            string generated = output.Result.GeneratedSources.Single().SourceText.ToString();
            Assert.Contains("FGradientRetained(double x, out double dX, out double dA)", generated, StringComparison.Ordinal);
            Assert.Contains("dA = 0.0;", generated, StringComparison.Ordinal);
        }

        [Fact]
        public void SD1022_not_reported_when_some_path_reaches_it()
        {
            AssertClean(InP("""
                [Differentiable] public static double F(double x) { double a = Grad.Retain(x * 2); return x > 0 ? a : x; }
                """));
        }

        private static void AssertClean(string source)
        {
            GeneratorOutput output = GeneratorRunner.Run(source);
            GeneratorRunner.AssertCleanCompile(output);
            Assert.DoesNotContain(output.GeneratorDiagnostics, d => d.Id is "SD1020" or "SD1021" or "SD1022");
        }

        private static void AssertReports(GeneratorOutput output, string id, DiagnosticSeverity severity, string spanText, params string[] messageParts)
        {
            Assert.Null(output.Result.Exception);
            Diagnostic[] reported = output.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
            if (reported.Length != 1 || reported[0].Id != id)
            {
                Assert.Fail(GeneratorRunner.Describe(output, $"Expected exactly one generator diagnostic, {id}."));
            }

            Diagnostic diagnostic = reported[0];
            Assert.Equal(severity, diagnostic.Severity);
            Assert.Same(DiagnosticDescriptors.ById(id), DiagnosticDescriptors.All.Single(d => d.Id == diagnostic.Id));
            Assert.EndsWith($"docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri, StringComparison.Ordinal);
            Assert.Equal(spanText, diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
            string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
            foreach (string part in messageParts)
            {
                Assert.Contains(part, message, StringComparison.Ordinal);
            }
        }
    }
}

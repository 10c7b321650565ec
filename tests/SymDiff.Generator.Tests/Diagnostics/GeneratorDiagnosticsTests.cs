using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using SymDiff.Generator.Parsing;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Testing;
using Xunit;

namespace SymDiff.Generator.Tests.Diagnostics
{
    /// <summary>
    /// Every diagnostic the generator reports: a source that triggers it (ID, severity, the exact text at the
    /// location, the message) and the corrected source, which must compile clean. Also the promises around them:
    /// an unsupported body still gets throwing stubs (one SymDiff error, no CS0117 cascade), and a failure in one
    /// method never stops the others.
    /// </summary>
    public sealed class GeneratorDiagnosticsTests
    {
        /// <summary>Wraps members in <c>public static partial class P</c> with the usual usings.</summary>
        private static string InP(string members) => $$"""
            using System;
            using SymDiff;

            public static partial class P
            {
            {{members}}
            }
            """;

        // ---------------------------------------------------------------- SD0001: containing type must be partial
        // Found by the parser, reported by ParserDiagnosticsAnalyzer only (AnalyzerReported), so that dotnet format can
        // apply its fix; the generator stays silent and generates nothing (tests/SymDiff.Analyzers.Tests: SD0001_*).

        [Theory]
        [InlineData("public static class Model {", "Model")]
        [InlineData("public static class Outer { public static partial class Inner {", "Outer")]
        [InlineData("public static partial class Outer { public static class Inner {", "Inner")]
        public void SD0001_found_by_the_parser_and_left_to_the_analyzer(string declarations, string namedType)
        {
            string source = $$"""
                using SymDiff;
                {{declarations}}
                    [Differentiable] public static double Square(double x) => x * x;
                }{{(declarations.Contains("Inner", StringComparison.Ordinal) ? " }" : string.Empty)}}
                """;
            GeneratorOutput output = GeneratorRunner.Run(source);

            Assert.Null(output.Result.Exception);
            Assert.Empty(output.GeneratorDiagnostics);
            Assert.Empty(output.GeneratedSources);
            DiagnosticInfo found = Assert.Single(ParseFirstMethod(output), d => d.Id == "SD0001");
            Assert.Equal(new[] { "Square", namedType }, found.Arguments);
        }

        [Fact]
        public void SD0001_fixed_by_partial()
        {
            AssertClean("""
                using SymDiff;
                public static partial class Outer
                {
                    public static partial class Model
                    {
                        [Differentiable] public static double Square(double x) => x * x;
                    }
                }
                """);
        }

        // ---------------------------------------------------------------- SD0002: unsupported parameter

        [Theory]
        [InlineData("ref double x", "x * x", "'ref'")]
        [InlineData("in double x", "x * x", "'in'")]
        [InlineData("params double[] x", "x[0] * x[0]", "remove 'params' and pass an array or span")]
        [InlineData("out double x", "x = 1", "return the value")]
        [InlineData("ref readonly double x", "x * x", "'ref readonly' parameters")]
        [InlineData("Span<double> x", "x[0] * x[0]", "ReadOnlySpan")]
        public void SD0002_unsupported_parameter(string parameter, string body, string explanation)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($"[Differentiable] public static double F({parameter}) => {body};"));

            AssertReports(output, "SD0002", DiagnosticSeverity.Error, "x", "'x'", explanation);
            Assert.Empty(output.CompilationDiagnostics);
        }

        // User study: a double[,] parameter was SD0006 "no parameter to differentiate" at the method's name.
        [Theory]
        [InlineData("double[,] x", "x[0, 0] * x[0, 1]", "double[]", "ReadOnlySpan<double>")]
        [InlineData("[NoGrad] double[,,] x, double w", "w * x[0, 0, 0]", "double[]", "ReadOnlySpan<double>")]
        [InlineData("float[,] x", "x[0, 0] * x[0, 1]", "float[]", "ReadOnlySpan<float>")]
        public void SD0002_multidimensional_array_says_so_at_the_parameter_and_suggests_a_flattened_array(string parameters, string body, string array, string span)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($"[Differentiable] public static double F({parameters}) => {body};"));

            AssertReports(output, "SD0002", DiagnosticSeverity.Error, "x", "'x'", "multidimensional arrays are not supported",
                $"as a {array} or {span}", "index it as x[i * cols + j]");
            Assert.DoesNotContain(output.GeneratorDiagnostics, d => d.Id == "SD0006");
        }

        [Fact]
        public void SD0002_multidimensional_array_fixed_by_a_flattened_span()
        {
            AssertClean(InP("""
                [Differentiable]
                public static double F(ReadOnlySpan<double> x, [NoGrad] int cols)
                {
                    double s = 0;
                    for (int i = 0; i < x.Length / cols; i++)
                    {
                        for (int j = 0; j < cols; j++)
                        {
                            s += x[i * cols + j] * x[i * cols + j];
                        }
                    }

                    return s;
                }
                """));
        }

        [Fact]
        public void SD0002_out_parameter()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("[Differentiable] public static double F(double x, out double y) { y = x; return x * x; }"));

            AssertReports(output, "SD0002", DiagnosticSeverity.Error, "y", "'y'", "'out'");
        }

        [Fact]
        public void SD0002_fixed_by_passing_by_value()
        {
            AssertClean(InP("""
                [Differentiable] public static double F(double x) => x * x;
                [Differentiable] public static double G(ReadOnlySpan<double> x) => x[0] * x[0];
                [Differentiable] public static double H(double[] x) => x[0] * x[0];
                """));
        }

        // ---------------------------------------------------------------- SD0003: unsupported return type

        [Theory]
        [InlineData("int", "1", "'int'")]
        [InlineData("decimal", "1m", "'decimal'")]
        [InlineData("double?", "x", "'double?'")]
        public void SD0003_unsupported_return_type(string returnType, string body, string named)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($"[Differentiable] public static {returnType} F(double x) => {body};"));

            AssertReports(output, "SD0003", DiagnosticSeverity.Error, returnType, "'F'", named);
            Assert.Empty(output.CompilationDiagnostics);
        }

        [Fact]
        public void SD0003_void_without_an_output_span()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("[Differentiable] public static void F(double x) { }"));

            AssertReports(output, "SD0003", DiagnosticSeverity.Error, "void", "'F'", "'void'", "no Span");
        }

        [Fact]
        public void SD0003_void_with_two_output_spans()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("[Differentiable] public static void F(double x, Span<double> y, Span<double> z) { y[0] = x; z[0] = x; }"));

            AssertReports(output, "SD0003", DiagnosticSeverity.Error, "void", "'F'", "more than one Span");
        }

        [Fact]
        public void SD0003_fixed_by_returning_double()
        {
            AssertClean(InP("[Differentiable] public static double F(double x) => x * 2;"));
        }

        // ---------------------------------------------------------------- SD0004: bad wrt name

        [Theory]
        [InlineData("[Differentiable(\"z\")]", "double x, double y", "'z'", "not a parameter of 'F'")]
        [InlineData("[Differentiable(\"n\")]", "double x, int n", "'n'", "'int'")]
        [InlineData("[Differentiable(\"x\")]", "[NoGrad] double x, double y", "'x'", "[NoGrad]")]
        public void SD0004_wrt_names_a_parameter_that_cannot_be_differentiated(string attribute, string parameters, string named, string explanation)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($"{attribute} public static double F({parameters}) => x;"));

            AssertReports(output, "SD0004", DiagnosticSeverity.Error, "F", named, explanation);
            Assert.Empty(output.CompilationDiagnostics);
        }

        [Fact]
        public void SD0004_fixed_by_naming_a_floating_point_parameter()
        {
            AssertClean(InP("""
                [Differentiable(nameof(x))] public static double F(double x, double y) => x * y;
                [Differentiable("x", "y")] public static double G(double x, double y, int n) => x * y * n;
                """));
        }

        // ---------------------------------------------------------------- SD0005: mixed precision

        [Theory]
        [InlineData("double", "double x, float y", "x * y")]
        [InlineData("float", "double x", "(float)x")]
        [InlineData("double", "double x, [NoGrad] ReadOnlySpan<float> data", "x * data[0]")]
        public void SD0005_mixed_precision(string returnType, string parameters, string body)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($"[Differentiable] public static {returnType} F({parameters}) => {body};"));

            AssertReports(output, "SD0005", DiagnosticSeverity.Error, "F", "'F'", "double and float");
            Assert.Empty(output.CompilationDiagnostics);
        }

        [Fact]
        public void SD0005_fixed_by_one_precision_in_the_signature()
        {
            // A float local inside a double method is data, not part of the signature: fine.
            AssertClean(InP("""
                [Differentiable] public static double F(double x, double y) => x * y;
                [Differentiable] public static float G(float x, float y) => x * y;
                [Differentiable] public static double H(double x) { float half = 0.5f; return half * x; }
                """));
        }

        // ---------------------------------------------------------------- SD0006: no active parameter

        [Theory]
        [InlineData("[NoGrad] double x", "x")]
        [InlineData("int n", "n")]
        [InlineData("[NoGrad] ReadOnlySpan<double> v, int n", "v[n]")]
        public void SD0006_no_active_parameter(string parameters, string body)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($"[Differentiable] public static double F({parameters}) => {body};"));

            AssertReports(output, "SD0006", DiagnosticSeverity.Error, "F", "'F'");
            Assert.Empty(output.CompilationDiagnostics);
        }

        [Fact]
        public void SD0006_fixed_by_an_active_parameter()
        {
            AssertClean(InP("[Differentiable] public static double F(double w, [NoGrad] double x, int n) => w * x * n;"));
        }

        // ---------------------------------------------------------------- SD0007: generics

        [Fact]
        public void SD0007_generic_method()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("[Differentiable] public static double F<T>(double x) => x * x;"));

            AssertReports(output, "SD0007", DiagnosticSeverity.Error, "F", "'F'", "generic");
            Assert.Empty(output.CompilationDiagnostics);
        }

        [Fact]
        public void SD0007_generic_containing_type()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                using SymDiff;
                public static partial class Box<T>
                {
                    [Differentiable] public static double F(double x) => x * x;
                }
                """);

            AssertReports(output, "SD0007", DiagnosticSeverity.Error, "F", "'F'", "generic");
        }

        [Fact]
        public void SD0007_fixed_by_a_concrete_method()
        {
            AssertClean("""
                using SymDiff;
                public static partial class Box
                {
                    [Differentiable] public static double F(double x) => x * x;
                }
                """);
        }

        // ---------------------------------------------------------------- SD0008: generated name clash

        [Theory]
        [InlineData("public static double HGradient() => 0;", "HGradient")]
        [InlineData("public static int HBackward;", "HBackward")]
        [InlineData("public static double HDerivative => 0;", "HDerivative")]
        [InlineData("public sealed class HGradient { }", "HGradient")]
        public void SD0008_generated_name_clashes(string existingMember, string clash)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($"""
                [Differentiable] public static double H(double x) => x * x;
                {existingMember}
                """));

            AssertReports(output, "SD0008", DiagnosticSeverity.Error, "H", $"'{clash}'", "'H'");
            Assert.Empty(output.CompilationDiagnostics);
        }

        [Fact]
        public void SD0008_fixed_by_renaming()
        {
            AssertClean(InP("""
                [Differentiable] public static double H(double x) => x * x;
                public static double HGrad() => 0;
                """));
        }

        // ---------------------------------------------------------------- SD1000: unsupported construct

        [Theory]
        [InlineData("{ try { return x; } catch (ArithmeticException) { return 0; } }", "try { return x; } catch (ArithmeticException) { return 0; }", "try/catch/finally")]
        [InlineData("{ double y = x * x; if (y > 4) { throw new ArgumentOutOfRangeException(nameof(x)); } return y; }", "throw new ArgumentOutOfRangeException(nameof(x));", "A throw other than an argument check")]
        [InlineData("{ switch (x > 0) { case true when x > 1: return x; default: return -x; } }", "case true when x > 1:", "This case label")]
        [InlineData("{ Func<double, double> f = v => v * v; return f(x); }", "f = v => v * v", "'System.Func<double, double>'")]
        [InlineData("=> Sum(new[] { x, x });", "new[] { x, x }", "Allocation")]
        [InlineData("{ Console.WriteLine(x); return x; }", "Console.WriteLine(x)", "as a statement")]
        [InlineData("{ s_last = x; return x; }", "s_last = x", "'s_last'")]
        [InlineData("=> System.Linq.Enumerable.Max(s_data) * x;", "System.Linq.Enumerable.Max(s_data)", "LINQ ('Max')")]
        public void SD1000_unsupported_construct(string body, string construct, string named)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($$"""
                public static double s_last;
                public static double[] s_data = { 1.0, 2.0 };
                public static double Sum(double[] values) => values[0] + values[1];
                [Differentiable] public static double Square(double x) => x * x;
                [Differentiable] public static double F(double x) {{body}}
                """));

            AssertReports(output, "SD1000", DiagnosticSeverity.Error, construct, named, "not supported in a [Differentiable] method");
            Assert.Empty(output.CompilationDiagnostics); // F gets throwing stubs, so nothing else breaks
        }

        /// <summary>A user trial's constructs: each message says what to write instead.</summary>
        [Theory]
        [InlineData("{ (double, double) t = (x * x, x - 1); return t.Item1; }", "t = (x * x, x - 1)", "'var (a, b) = (x * y, x - y);'")]
        [InlineData("{ var s = new Spring { K = 2 }; return s.K * x; }", "s = new Spring { K = 2 }", "pass the 'Spring' as a parameter, or hold it in a field")]
        [InlineData("{ double[] c = s_data; return c[0] * x; }", "c = s_data", "'ReadOnlySpan<double> c = s_data;'")]
        [InlineData("{ System.Diagnostics.Debug.Assert(x > 0); return x; }", "System.Diagnostics.Debug.Assert(x > 0)", "check an argument at the top with 'if (...) throw new ArgumentException(...);'")]
        [InlineData("{ Console.WriteLine($\"x = {x}\"); return x; }", "Console.WriteLine($\"x = {x}\")", "a call made only for its effect")]
        public void SD1000_says_what_to_write_instead(string body, string construct, string hint)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($$"""
                public static double[] s_data = { 1.0, 2.0 };
                public struct Spring { public double K; }
                [Differentiable] public static double F(double x) {{body}}
                """));

            AssertReports(output, "SD1000", DiagnosticSeverity.Error, construct, hint);
        }

        [Fact]
        public void SD0006_names_a_collection_parameter_and_what_to_take_instead()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable] public static double F(System.Collections.Generic.List<double> xs, [NoGrad] double k) => xs[0] * k;
                """));

            AssertReports(output, "SD0006", DiagnosticSeverity.Error, "F", "'xs' is a System.Collections.Generic.List<double>", "take a double[] or a ReadOnlySpan<double> instead");
        }

        [Fact]
        public void SD1000_calling_a_vector_function_it_cannot_inline_names_it_and_says_what_to_do()
        {
            // A vector function is inlined at the call (VectorCallTests); one with an argument check is not yet.
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable] public static void Scale(ReadOnlySpan<double> z, Span<double> y) { if (z.Length < 2) throw new ArgumentException("short", nameof(z)); y[0] = 2 * z[0]; y[1] = 3 * z[1]; }
                [Differentiable] public static double F(ReadOnlySpan<double> z)
                {
                    Span<double> y = stackalloc double[2];
                    Scale(z, y);
                    return y[0] + y[1];
                }
                """));

            AssertReports(output, "SD1000", DiagnosticSeverity.Error, "Scale(z, y)", "the [Differentiable] vector function 'Scale', whose body has argument checks (throw)", "write its loop in this method");
        }

        [Fact]
        public void SD1000_reading_the_output_in_a_loop_says_how_to_write_it_instead()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                using System;
                using SymDiff;
                public static partial class S
                {
                    [Differentiable]
                    public static void Softmax(ReadOnlySpan<double> z, Span<double> p)
                    {
                        double sum = 0;
                        for (int i = 0; i < z.Length; i++) { p[i] = Math.Exp(z[i]); if (z[i] > -5) { sum += p[i]; } }
                        for (int i = 0; i < z.Length; i++) { p[i] /= sum; }
                    }
                }
                """);
            var diagnostic = Assert.Single(output.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
            Assert.Equal("SD1000", diagnostic.Id);
            string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
            // At the top level of a loop the read is supported (FINDINGS F14, taped); inside a branch of a loop not yet.
            Assert.Contains("Reading an element of the output span 'p' inside a nested loop or a branch of a loop (in 'Softmax') is not supported in a [Differentiable] method yet; compute what the loop needs from the inputs", message, StringComparison.Ordinal);
            Assert.Contains("p[i] = Math.Exp(z[i] - max) / sum", message, StringComparison.Ordinal);
        }

        [Fact]
        public void SD1000_fixed_by_straight_line_code()
        {
            AssertClean(InP("""
                [Differentiable] public static double Square(double x) => x * x;
                [Differentiable]
                public static double F(double x)
                {
                    double clipped = x < 0 ? 0 : x;
                    double square = Square(x);
                    if (x > 0)
                    {
                        return square + clipped;
                    }

                    return -square;
                }
                """));
        }

        // ---------------------------------------------------------------- partial methods

        [Theory]
        [InlineData("[Differentiable] public static partial double F(double x, [NoGrad] double c);\npublic static partial double F(double x, double c) => c * x * x;")]
        [InlineData("public static partial double F(double x, [NoGrad] double c);\n[Differentiable] public static partial double F(double x, double c) => c * x * x;")]
        public void Partial_method_is_differentiated_from_its_implementing_part_wherever_the_attribute_is(string members)
        {
            // The attribute on the declaring part used to give a false "A method without a body" (SD1000).
            using GeneratedCode code = GeneratedCode.Compile(InP(members));

            Assert.Empty(code.Output.GeneratorDiagnostics);
            object?[] args = { 3.0, 2.0, null };
            object? value = code.Invoke("P", "FGradient", args);
            Assert.Equal(18.0, value);      // c x^2 at x = 3, c = 2
            Assert.Equal(12.0, args[2]);    // d/dx = 2 c x
        }

        [Fact]
        public void Partial_method_with_an_unsupported_body_is_reported_in_its_implementing_part()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable] public static partial double F(double x);
                public static partial double F(double x) { try { return x; } finally { } }
                """));

            Diagnostic reported = Assert.Single(output.GeneratorDiagnostics);
            Assert.Equal("SD1000", reported.Id);
            Assert.StartsWith("try", TextAt(output, reported.Location), StringComparison.Ordinal);
        }

        // ---------------------------------------------------------------- SD1001: leaf mutation
        // Found by the parser (every write), reported by ParserDiagnosticsAnalyzer only; the generator emits stubs that
        // are [Obsolete(..., error: true)], so a build with analyzers off cannot call them (tests/SymDiff.Analyzers.Tests).

        [Theory]
        [InlineData("double x", "{ x = 2 * x; return x; }", "x = 2 * x", "x")]
        [InlineData("double x", "{ x += 1; return x * x; }", "x += 1", "x")]
        [InlineData("double x", "{ x++; return x * x; }", "x++", "x")]
        [InlineData("double[] a", "{ a[0] = 1; return a[0] * a[1]; }", "a[0] = 1", "a")]
        [InlineData("double x", "{ double y = Bump(ref x); return x * y; }", "ref x", "x")]
        [InlineData("double[] a", "{ ref double r = ref a[0]; r *= 2; return a[0] * a[1]; }", "r = ref a[0]", "a")]
        [InlineData("double[] a", "{ System.Span<double> head = a.AsSpan(0, 2); head[1] = 1; return a[0] * a[1]; }", "head[1] = 1", "a")]
        [InlineData("double[] a", "{ System.Span<double> all = a; var tail = all.Slice(1); tail[0] += 1; return a[0] * a[1]; }", "tail[0] += 1", "a")]
        public void SD1001_leaf_mutation(string parameter, string body, string construct, string named)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($$"""
                public static double Bump(ref double v) { v += 1; return v; }
                [Differentiable] public static double F({{parameter}}) {{body}}
                """));

            Assert.Null(output.Result.Exception);
            Assert.Empty(output.GeneratorDiagnostics);
            DiagnosticInfo found = Assert.Single(ParseMethod(output, "F"), d => d.Id == "SD1001");
            Assert.Equal(new[] { named }, found.Arguments);
            Assert.Equal(construct, output.InputCompilation.SyntaxTrees.Single().GetText().ToString(found.Location!.Span));

            // The stubs exist (calls compile against them) but are obsolete-as-error with a message that says why.
            string generated = Assert.Single(output.GeneratedSources).Text;
            Assert.Equal(3, CountOf(generated, "[global::System.Obsolete(\"SymDiff cannot generate this method: 'P.F' modifies a parameter it differentiates (SD1001, reported at the method)"));
            Assert.Empty(output.CompilationDiagnostics);
        }

        [Fact]
        public void SD1001_every_write_is_found_and_a_call_to_a_stub_does_not_compile_without_analyzers()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable]
                public static double F(double w, double b)
                {
                    w = 2 * w;
                    b += 1;
                    w++;
                    return w * b;
                }

                public static double Use() => FGradient(1, 2, out _, out _);
                """));

            Assert.Empty(output.GeneratorDiagnostics);
            Assert.Equal(new[] { "w", "b", "w" }, ParseMethod(output, "F").Where(d => d.Id == "SD1001").Select(d => d.Arguments[0]));
            Diagnostic obsolete = Assert.Single(output.CompilationDiagnostics);
            Assert.Equal("CS0619", obsolete.Id);
            Assert.Contains("SD1001", obsolete.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        [Fact]
        public void A_method_calling_one_with_SD1001_gets_errors_in_its_generated_code_that_name_the_callee()
        {
            // The price of obsolete stubs: the caller's generated code calls them too. The errors say where to look.
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable] public static double F(double w) { w *= 2; return w; }
                [Differentiable] public static double G(double x) => F(x) * x;
                """));

            Assert.Empty(output.GeneratorDiagnostics);
            Assert.NotEmpty(output.CompilationDiagnostics);
            Assert.All(output.CompilationDiagnostics, d =>
            {
                Assert.Equal("CS0619", d.Id);
                Assert.Contains("'P.F' modifies a parameter it differentiates (SD1001", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            });
        }

        [Fact]
        public void Stubs_for_an_error_the_generator_reports_itself_are_not_marked_obsolete()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable] public static double F(double x) { try { return x; } finally { } }
                public static double Use() => FGradient(1, out _);
                """));

            Assert.Equal("SD1000", Assert.Single(output.GeneratorDiagnostics).Id);
            Assert.DoesNotContain("Obsolete", Assert.Single(output.GeneratedSources).Text, StringComparison.Ordinal);
            Assert.Empty(output.CompilationDiagnostics);
        }

        [Theory]
        [InlineData("double[] a, [NoGrad] double[] d", "ref double r = ref d[0]; r = a[0];", "r = ref d[0]", "The ref local 'r'")]
        [InlineData("double[] a, [NoGrad] double[] d", "ref readonly double r = ref a[0];", "r = ref a[0]", "The ref local 'r'")]
        public void SD1000_ref_locals_are_rejected_not_copied(string parameters, string statement, string construct, string message)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($$"""
                [Differentiable] public static double F({{parameters}}) { {{statement}} return a[0] * r; }
                """));

            AssertReports(output, "SD1000", DiagnosticSeverity.Error, construct, message, "plain local");
        }

        [Fact]
        public void SD1000_ref_local_into_the_output_span_says_so()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable] public static void G(double x, Span<double> y) { y[0] = x; ref double r = ref y[0]; r = r * x; }
                """));

            AssertReports(output, "SD1000", DiagnosticSeverity.Error, "r = ref y[0]", "ref local into the output span 'y'", "write 'y[...]' directly");
            Assert.DoesNotContain(output.GeneratorDiagnostics, d => d.Id == "SD1008");
        }

        [Fact]
        public void SD1001_fixed_by_a_local_copy()
        {
            // [NoGrad] parameters are data: modifying them is fine.
            AssertClean(InP("""
                [Differentiable] public static double F(double x) { double y = x; y = 2 * y; y += 1; return y * x; }
                [Differentiable] public static double G(double x, [NoGrad] double scale) { scale *= 2; return x * scale; }
                """));
        }

        // ---------------------------------------------------------------- SD1004: call no gradient flows through

        [Theory]
        [InlineData("Helper(x) * x", "Helper(x)", "'P.Helper'")]
        [InlineData("Math.BitIncrement(x)", "Math.BitIncrement(x)", "BitIncrement")]
        public void SD1004_call_without_derivative(string body, string call, string named)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($"""
                public static double Helper(double v) => v + 1;
                [Differentiable] public static double F(double x) => {body};
                """));

            AssertReports(output, "SD1004", DiagnosticSeverity.Error, call, named, "Grad.Detach");
            Assert.Empty(output.CompilationDiagnostics);
        }

        [Theory]
        [InlineData("[Differentiable] public static double Helper(double v) => v + 1;", "Helper(x) * x")]
        [InlineData("public static double Helper(double v) => v + 1;", "Helper(Grad.Detach(x)) * x")]
        [InlineData("public static double Helper(double v) => v + 1; [DerivativeOf(typeof(P), nameof(Helper))] public static double HelperDerivative(double v) => 1;", "Helper(x) * x")]
        public void SD1004_fixed_by_differentiable_detach_or_rule(string helper, string body)
        {
            AssertClean(InP($"""
                {helper}
                [Differentiable] public static double F(double x) => {body};
                """));
        }

        // ---------------------------------------------------------------- SD1005: gradient cut at a call

        [Theory]
        [InlineData("[Differentiable] public static double Scale(double a, [NoGrad] double k) => a * k;")]
        [InlineData("[Differentiable(nameof(a))] public static double Scale(double a, double k) => a * k;")]
        public void SD1005_active_argument_to_a_parameter_that_is_not_differentiated(string callee)
        {
            GeneratorOutput output = GeneratorRunner.Run(InP($"""
                {callee}
                [Differentiable] public static double F(double x) => Scale(x, x);
                """));

            AssertReports(output, "SD1005", DiagnosticSeverity.Warning, "Scale(x, x)", "'k'", "'Scale'");
            Assert.Empty(output.CompilationDiagnostics); // a warning: the gradient is still generated
            Assert.Contains(output.GeneratedSources, s => s.Text.Contains("FGradient", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("Scale(x, Grad.Detach(x))")]
        [InlineData("Scale(x, 2.0)")]
        public void SD1005_fixed_by_detach_or_an_inactive_argument(string body)
        {
            AssertClean(InP($"""
                [Differentiable] public static double Scale(double a, [NoGrad] double k) => a * k;
                [Differentiable] public static double F(double x) => {body};
                """));
        }

        // ---------------------------------------------------------------- SD9001: internal failure

        [Fact]
        public void SD9001_descriptor_exists()
        {
            DiagnosticDescriptor descriptor = DiagnosticDescriptors.ById("SD9001");

            Assert.Same(DiagnosticDescriptors.InternalError, descriptor);
            Assert.Equal(DiagnosticSeverity.Error, descriptor.DefaultSeverity);
            Assert.True(descriptor.IsEnabledByDefault);
            Assert.Contains("{0}", descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("InvalidOperationException: Sequence contains no elements.")]
        [InlineData("NullReferenceException: Object reference not set to an instance of an object")]
        public void SD9001_message_reads_as_one_sentence_whatever_the_exception_message_ends_with(string failure)
        {
            string message = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, null, "Model.F", failure).ToDiagnostic().GetMessage(CultureInfo.InvariantCulture);

            Assert.DoesNotContain("..", message, StringComparison.Ordinal);
            Assert.StartsWith("SymDiff failed to generate derivatives of 'Model.F' (" + failure + ")", message, StringComparison.Ordinal);
        }

        // SD9001 is reported only when the generator itself throws, and no supported input makes it throw (that
        // would be a bug to fix). The tests below make it throw on purpose: through the fault switches of
        // FaultInjection, and by handing the internal steps a malformed model.
        [Theory]
        [InlineData(nameof(Fault.CrashInDifferentiation), "injected failure")]
        [InlineData(nameof(Fault.CrashInEmit), "while writing the generated code")]
        public void SD9001_internal_failure_names_the_method_and_the_rest_is_generated(string fault, string detail)
        {
            GeneratorOutput output;
            using (FaultInjection.Inject(Enum.Parse<Fault>(fault)))
            {
                output = GeneratorRunner.Run(InP("""
                    [Differentiable] public static double CrashMe(double x) => x * x;
                    [Differentiable] public static double Fine(double x) => x * x * x;
                    """));
            }

            AssertReports(output, "SD9001", DiagnosticSeverity.Error, "CrashMe", "'P.CrashMe'", detail, "other methods are generated as usual");
            Assert.Contains(output.GeneratedSources, s => s.HintName == "P.Fine.g.cs" && s.Text.Contains("FineGradient", StringComparison.Ordinal));
            Assert.Null(output.Result.Exception);
        }

        [Fact]
        public void SD9001_from_a_malformed_model_given_to_the_differentiate_step()
        {
            // A statement kind lowering does not know: what a parser bug would hand on.
            var spec = MalformedSpec(EquatableArray.Create<SourceStmt>(new UnknownStatement(), new SourceReturn(Const.One)));
            var result = DifferentiableGenerator.Differentiate(new DifferentiableGenerator.DifferentiateInput(spec, true, EquatableArray<string>.Empty, EquatableArray<RuleSpec>.Empty));

            DiagnosticInfo failure = Assert.Single(result.Diagnostics);
            Assert.Equal("SD9001", failure.Id);
            Assert.Equal("M.Broken", failure.Arguments[0]);
            Assert.Contains("UnknownStatement", failure.Arguments[1], StringComparison.Ordinal);

            // The method still gets its signatures (throwing stubs), so call sites compile and only SD9001 is reported.
            Assert.NotNull(result.Set);
            Assert.All(result.Set!.Methods, m => Assert.NotNull(m.Unsupported));
        }

        [Fact]
        public void SD9001_names_the_pass_whose_output_the_IR_verifier_rejects()
        {
            // A body reading a name nothing defines lowers to IR that reads it too; the verifier stops it there.
            var ghost = new Var("ghost", ValType.Double);
            var spec = MalformedSpec(EquatableArray.Create<SourceStmt>(new SourceAssign("a", ValType.Double, new Binary(BinaryOp.Mul, ghost, new Var("x", ValType.Double), ValType.Double)), new SourceReturn(new Var("a", ValType.Double))));
            var result = DifferentiableGenerator.Differentiate(new DifferentiableGenerator.DifferentiateInput(spec, true, EquatableArray<string>.Empty, EquatableArray<RuleSpec>.Empty));

            DiagnosticInfo failure = Assert.Single(result.Diagnostics);
            Assert.Equal("SD9001", failure.Id);
            Assert.Contains("IrVerificationException: after lowering: 'ghost' is read in the value of 'a' before it is defined", failure.Arguments[1], StringComparison.Ordinal);
            Assert.All(result.Set!.Methods, m => Assert.NotNull(m.Unsupported));
        }

        [Fact]
        public void SD9001_from_a_malformed_model_given_to_the_emit_step()
        {
            var method = new MethodFamily("BrokenGradient", "double", EquatableArray<GeneratedParam>.Empty, EquatableArray<LengthCheck>.Empty, EquatableArray<AliasCheck>.Empty,
                Block.Of(new UnknownIrStatement()), EquatableArray<string>.Empty, "A method.", null, null);
            var set = new DerivativeSet("M.Broken.g.cs", null, EquatableArray.Create(new TypeDeclSpec("class", "M", true)), "public", true, EquatableArray.Create(method));
            var file = DifferentiableGenerator.EmitSafely(new DifferentiableGenerator.DifferentiateResult("M.Broken.g.cs", set, EquatableArray<DiagnosticInfo>.Empty, "M.Broken"));

            Assert.Null(file.Text);
            DiagnosticInfo failure = Assert.Single(file.Diagnostics);
            Assert.Equal("SD9001", failure.Id);
            Assert.Equal("M.Broken", failure.Arguments[0]);
        }

        [Fact]
        public void SD9001_cannot_be_configured_away()
        {
            Assert.Contains(WellKnownDiagnosticTags.NotConfigurable, DiagnosticDescriptors.InternalError.CustomTags);
            GeneratorOutput output;
            using (FaultInjection.Inject(Fault.CrashInDifferentiation))
            {
                var compilation = CompilationFactory.Create(InP("[Differentiable] public static double CrashMe(double x) => x * x;"));
                compilation = compilation.WithOptions(compilation.Options.WithSpecificDiagnosticOptions(
                    compilation.Options.SpecificDiagnosticOptions.SetItem("SD9001", ReportDiagnostic.Suppress)));
                output = GeneratorRunner.Run(compilation);
            }

            Assert.Contains(output.GeneratorDiagnostics, d => d.Id == "SD9001" && d.Severity == DiagnosticSeverity.Error);
        }

        private sealed record UnknownStatement : SourceStmt;

        private sealed record UnknownIrStatement : Stmt;

        private static MethodSpec MalformedSpec(EquatableArray<SourceStmt> body) => new MethodSpec
        {
            Name = "Broken",
            Namespace = null,
            ContainingTypes = EquatableArray.Create(new TypeDeclSpec("class", "M", true)),
            Accessibility = "public",
            IsStatic = true,
            Scalar = ValType.Double,
            Parameters = EquatableArray.Create(new ParamSpec("x", ParamShape.Scalar, ValType.Double, true, "double")),
            IsVectorFunction = false,
            Body = body,
            Hessian = false,
            UserNames = EquatableArray.Create("x"),
        };

        // ---------------------------------------------------------------- SD0013-SD0018: declarations and rules

        [Fact]
        public void SD0013_file_local_type()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                using SymDiff;
                file static partial class Local
                {
                    [Differentiable] public static double Square(double x) => x * x;
                }
                """);

            AssertReports(output, "SD0013", DiagnosticSeverity.Error, "Square", "'Square'", "file-local type 'Local'", "without 'file'");
            Assert.Empty(output.GeneratedSources);
        }

        [Theory]
        [InlineData("public static double P { [Differentiable] get => 2.0; }", "a property or event accessor")]
        [InlineData("public double this[double x] { [Differentiable] get => x * x; }", "an indexer accessor")]
        [InlineData("public static double Outer(double x) { [Differentiable] static double Inner(double y) => y * y; return Inner(x); }", "a local function")]
        [InlineData("public static System.Func<double, double> L = [Differentiable] (double y) => y * y;", "a lambda")]
        public void SD0014_attribute_on_a_member_that_is_not_an_ordinary_method(string member, string kind)
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                using SymDiff;
                public partial class Members
                {
                """ + member + """

                }
                """);

            AssertReports(output, "SD0014", DiagnosticSeverity.Error, "Differentiable", kind, "ordinary method");
        }

        [Fact]
        public void SD0014_attribute_on_an_operator()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                using SymDiff;
                public partial struct V
                {
                    public double X;
                    [Differentiable] public static double operator *(V a, double s) => a.X * s;
                }
                """);

            AssertReports(output, "SD0014", DiagnosticSeverity.Error, "Differentiable", "an operator");
        }

        [Fact]
        public void SD0015_hessian_on_a_vector_function_warns_and_the_rest_is_generated()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable(Hessian = true)] public static void G(double x, Span<double> y) { y[0] = x * x; }
                """));

            AssertReports(output, "SD0015", DiagnosticSeverity.Warning, "G", "'G'", "GJacobian");
            Assert.Empty(output.CompilationDiagnostics);
            Assert.Contains(output.GeneratedSources, s => s.Text.Contains("GJacobian", StringComparison.Ordinal) && !s.Text.Contains("Hessian(", StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("private", "private", true)]
        [InlineData("private", "public", true)]
        [InlineData("public", "private", true)]
        [InlineData("internal", "public", false)]
        [InlineData("public", "internal", false)]
        public void SD0016_rule_the_generated_code_cannot_call(string classAccess, string ruleAccess, bool reported)
        {
            string source = InP("""
                [Differentiable] public static double F(double x) => Outer.Fn.Soft(x) * x;
                """) + """

                public static class Outer
                {
                """ + $"    {classAccess} static class Fn" + """

                    {
                        public static double Soft(double x) => System.Math.Log(1 + System.Math.Exp(x));
                """ + $"        [DerivativeOf(typeof(Fn), nameof(Soft))] {ruleAccess} static double SoftDerivative(double x) => 1 / (1 + System.Math.Exp(-x));" + """

                    }
                }
                """;
            if (classAccess == "private")
            {
                // The function itself must be visible to F, so a private Fn is nested in P instead.
                source = InP("""
                    [Differentiable] public static double F(double x) => Fn.Soft(x) * x;
                    private static class Fn
                    {
                        public static double Soft(double x) => System.Math.Log(1 + System.Math.Exp(x));
                    """ + $"    [DerivativeOf(typeof(Fn), nameof(Soft))] {ruleAccess} static double SoftDerivative(double x) => 1 / (1 + System.Math.Exp(-x));" + """

                    }
                    """);
                reported = ruleAccess == "private";
            }

            GeneratorOutput output = GeneratorRunner.Run(source);
            if (reported)
            {
                AssertReports(output, "SD0016", DiagnosticSeverity.Error, classAccess == "private" ? "Fn.Soft(x)" : "Outer.Fn.Soft(x)", "SoftDerivative", "not accessible from 'P.F'");
                Assert.Empty(output.CompilationDiagnostics);
            }
            else
            {
                GeneratorRunner.AssertCleanCompile(output);
            }
        }

        [Fact]
        public void SD0017_two_rules_for_one_function()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable] public static double F(double x) => Fn.Cube(x);
                """) + """

                public static class Fn
                {
                    public static double Cube(double x) => x * x * x;
                    [DerivativeOf(typeof(Fn), nameof(Cube))] public static double A(double x) => 3 * x * x;
                    [DerivativeOf(typeof(Fn), nameof(Cube))] public static double B(double x) => 3 * x * x;
                }
                """);

            AssertReports(output, "SD0017", DiagnosticSeverity.Error, "B", "'Cube' already has the derivative rule 'Fn.A'");
        }

        [Fact]
        public void SD0018_rule_for_a_function_with_a_built_in_derivative()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable] public static double F(double x) => Math.Exp(x);
                [DerivativeOf(typeof(Math), nameof(Math.Exp))] public static double MyExp(double x) => 2 * Math.Exp(x);
                """));

            AssertReports(output, "SD0018", DiagnosticSeverity.Warning, "MyExp", "'Math.Exp' has a built-in derivative", "'MyExp' is never called");
            Assert.Empty(output.CompilationDiagnostics);
            Assert.DoesNotContain(output.GeneratedSources, s => s.Text.Contains("MyExp", StringComparison.Ordinal));
        }

        [Fact]
        public void A_rule_that_does_not_fit_its_function_is_never_called()
        {
            // SD0011 (the analyzer's) rejects the rule; the generator must not call it (CS1061 on .Item1 of a double).
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable] public static double F(double x, double y) => Fn.Mix(x, y);
                """) + """

                public static class Fn
                {
                    public static double Mix(double a, double b) => a * b;
                    [DerivativeOf(typeof(Fn), nameof(Mix))] public static double MixDerivative(double a, double b) => a + b;
                }
                """);

            AssertReports(output, "SD1004", DiagnosticSeverity.Error, "Fn.Mix(x, y)", "'Fn.Mix'");
            Assert.Empty(output.CompilationDiagnostics);
        }

        [Fact]
        public void Two_identical_declarations_while_typing_keep_the_other_methods_generated()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable] public static double F(double x) => x * x;
                [Differentiable] public static double F(double x) => x * x;
                [Differentiable] public static double G(double x) => x * x * x;
                """));

            Assert.Null(output.Result.Exception);
            Assert.DoesNotContain(output.GeneratorDiagnostics, d => d.Id == "CS8785");
            Assert.Contains(output.GeneratedSources, s => s.Text.Contains("GGradient", StringComparison.Ordinal));
            Assert.Single(output.GeneratedSources, s => s.Text.Contains("FGradient", StringComparison.Ordinal));
        }

        [Fact]
        public void Null_wrt_list_means_every_parameter_and_a_null_name_is_SD0004()
        {
            AssertClean(InP("""
                [Differentiable(null!)] public static double F(double x, double y) => x * y;
                public static double Use() => FGradient(1, 2, out double dx, out double dy) + dx + dy;
                """));

            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable("x", null!)] public static double F(double x, double y) => x * y;
                """));
            AssertReports(output, "SD0004", DiagnosticSeverity.Error, "F", "'null'");
        }

        [Fact]
        public void One_method_never_stops_the_others()
        {
            // Overloads share a name and so, naively, a generated file name. Whatever the generator does with
            // them (generate both, or report an SD error), it must not throw (CS8785 drops ALL generated code).
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable] public static double F(double x) => x * x;
                [Differentiable] public static double F(double x, double y) => x * y;
                [Differentiable] public static double G(double x) => x * x * x;
                """));

            Assert.True(
                output.Result.Exception is null && output.GeneratorDiagnostics.All(d => d.Id != "CS8785"),
                GeneratorRunner.Describe(output, "The generator threw."));
            Assert.Contains(output.GeneratedSources, s => s.Text.Contains("GGradient", StringComparison.Ordinal));
            Assert.Empty(output.CompilationDiagnostics);
        }

        // ---------------------------------------------------------------- stubs: one error, no cascade

        [Fact]
        public void Unsupported_body_still_gets_throwing_stubs_so_call_sites_compile()
        {
            GeneratorOutput output = GeneratorRunner.Run(
                InP("[Differentiable] public static double F(double x, ReadOnlySpan<double> v) { try { return x * v[0]; } finally { } }"),
                """
                using System;
                public static class Caller
                {
                    public static double CallGradient()
                    {
                        double[] dV = new double[1];
                        return P.FGradient(1.0, new double[] { 2.0 }, out double dX, dV) + dX;
                    }

                    public static double CallBackward()
                    {
                        double dX = 0;
                        P.FBackward(1.0, new double[] { 2.0 }, 1.0, ref dX, new double[1]);
                        return dX;
                    }
                }
                """);

            AssertReports(output, "SD1000", DiagnosticSeverity.Error, "try { return x * v[0]; } finally { }", "try/catch/finally");
            Assert.True(output.CompilationDiagnostics.IsEmpty, GeneratorRunner.Describe(output, "Expected no compiler errors (no CS0117 cascade)."));

            GeneratedSource stub = Assert.Single(output.GeneratedSources);
            Assert.Contains("NotSupportedException", stub.Text, StringComparison.Ordinal);

            // And the stubs really throw, naming the method.
            using var image = new MemoryStream();
            EmitResult emit = output.OutputCompilation.Emit(image);
            Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
            image.Position = 0;
            var context = new AssemblyLoadContext("SymDiff stub test", isCollectible: true);
            try
            {
                Type caller = context.LoadFromStream(image).GetType("Caller", throwOnError: true)!;
                foreach (string name in new[] { "CallGradient", "CallBackward" })
                {
                    MethodInfo method = caller.GetMethod(name)!;
                    NotSupportedException e = Assert.Throws<NotSupportedException>(
                        () => method.Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, parameters: null, culture: null));
                    Assert.Contains("'P.F'", e.Message, StringComparison.Ordinal);
                }
            }
            finally
            {
                context.Unload();
            }
        }

        [Fact]
        public void A_vector_function_is_never_silently_skipped()
        {
            // API.md section 5: void G(..., Span<double> y) gets GBackward. Until it is generated, the generator
            // must say so with an SD error (and stubs), not leave the user with CS0117 at the call site.
            GeneratorOutput output = GeneratorRunner.Run(
                InP("[Differentiable] public static void G(double w, double x, Span<double> y) { y[0] = w * x; y[1] = w + x; }"),
                """
                public static class Caller
                {
                    public static double Call()
                    {
                        double dW = 0, dX = 0;
                        P.GBackward(1.0, 2.0, new double[2], new double[] { 1.0, 1.0 }, ref dW, ref dX);
                        return dW + dX;
                    }
                }
                """);

            bool reportedAnSdError = output.GeneratorDiagnostics.Any(d => d.Id.StartsWith("SD", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error);
            bool compiles = output.CompilationDiagnostics.IsEmpty && output.GeneratorDiagnostics.All(d => d.Severity < DiagnosticSeverity.Warning);
            Assert.True(
                reportedAnSdError ^ compiles,
                GeneratorRunner.Describe(output, "Expected either a clean compile with GBackward generated, or an SD error."));
            if (reportedAnSdError)
            {
                Assert.DoesNotContain(output.CompilationDiagnostics, d => d.Id == "CS0117");
            }
        }

        // ---------------------------------------------------------------- locations

        [Fact]
        public void Diagnostics_are_reported_in_source_so_pragma_and_SuppressMessage_apply()
        {
            // The compiler applies #pragma warning disable, [SuppressMessage] and per-file .editorconfig severities
            // only to diagnostics whose location is in a syntax tree of the compilation (Location.IsInSource).
            // A location made with Location.Create(path, span, lineSpan) is an external-file location, and then
            // "#pragma warning disable SD1005" around the call has no effect.
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                [Differentiable] public static double Scale(double a, [NoGrad] double k) => a * k;
                [Differentiable] public static double F(double x) => Scale(x, x);
                """));

            Diagnostic diagnostic = Assert.Single(output.GeneratorDiagnostics);
            Assert.Equal("SD1005", diagnostic.Id);
            Assert.True(diagnostic.Location.IsInSource, $"SD1005 is reported at a {diagnostic.Location.Kind} location, which #pragma cannot suppress.");
            Assert.Same(output.InputCompilation.SyntaxTrees.Single(), diagnostic.Location.SourceTree);
        }

        // ---------------------------------------------------------------- helpers

        /// <summary>
        /// Asserts that the generator reported exactly one warning or error, <paramref name="id"/>, with
        /// <paramref name="severity"/>, at the text <paramref name="spanText"/>, with a message containing every
        /// one of <paramref name="messageParts"/>.
        /// </summary>
        private static Diagnostic AssertReports(GeneratorOutput output, string id, DiagnosticSeverity severity, string spanText, params string[] messageParts)
        {
            Assert.Null(output.Result.Exception);
            Diagnostic[] reported = output.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
            if (reported.Length != 1 || reported[0].Id != id)
            {
                Assert.Fail(GeneratorRunner.Describe(output, $"Expected exactly one generator diagnostic, {id}."));
            }

            Diagnostic diagnostic = reported[0];
            Assert.Equal(severity, diagnostic.Severity);
            Assert.Equal(severity, diagnostic.Descriptor.DefaultSeverity);
            Assert.Same(DiagnosticDescriptors.ById(id), DiagnosticDescriptors.All.Single(d => d.Id == diagnostic.Id));
            Assert.EndsWith($"docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri, StringComparison.Ordinal);
            Assert.Equal(spanText, TextAt(output, diagnostic.Location));

            string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
            foreach (string part in messageParts)
            {
                Assert.Contains(part, message, StringComparison.Ordinal);
            }

            return diagnostic;
        }

        /// <summary>The source text at <paramref name="location"/>, checking that its line span agrees with its span.</summary>
        private static string TextAt(GeneratorOutput output, Location location)
        {
            FileLinePositionSpan lineSpan = location.GetLineSpan();
            SyntaxTree tree = location.SourceTree
                ?? output.InputCompilation.SyntaxTrees.SingleOrDefault(t => t.FilePath == lineSpan.Path)
                ?? throw new InvalidOperationException($"The diagnostic points at '{lineSpan.Path}', which is not a source of the compilation.");
            Assert.Equal(tree.GetLineSpan(location.SourceSpan).Span, lineSpan.Span);
            return tree.GetText().ToString(location.SourceSpan);
        }

        private static void AssertClean(params string[] sources) => GeneratorRunner.AssertCleanCompile(GeneratorRunner.Run(sources));

        /// <summary>What the generator's parser finds for the method <paramref name="name"/> of the run's source (all of it, including what analyzers report).</summary>
        private static DiagnosticInfo[] ParseMethod(GeneratorOutput output, string name)
        {
            var tree = output.InputCompilation.SyntaxTrees.Single();
            var model = output.InputCompilation.GetSemanticModel(tree);
            var syntax = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().Single(m => m.Identifier.ValueText == name);
            var method = (IMethodSymbol)model.GetDeclaredSymbol(syntax)!;
            return SymDiff.Generator.Parsing.Parser.Parse(method, syntax, model, default).Diagnostics.ToArray();
        }

        private static DiagnosticInfo[] ParseFirstMethod(GeneratorOutput output) => ParseMethod(output, "Square");

        private static int CountOf(string text, string part)
        {
            int count = 0;
            for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
            {
                count++;
            }

            return count;
        }
    }
}

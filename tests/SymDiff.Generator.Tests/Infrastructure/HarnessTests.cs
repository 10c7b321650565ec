using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;
using Xunit.Sdk;

namespace SymDiff.Generator.Tests.Infrastructure
{
    /// <summary>
    /// Tests of the harness itself. None of them needs the generator to generate anything, and none touches
    /// the real <c>Snapshots/</c> folder.
    /// </summary>
    public sealed class HarnessTests : IDisposable
    {
        // No [Differentiable] anywhere, so the generator must stay silent whatever it grows into;
        // typeof(...) and Grad.Detach prove that SymDiff.dll is referenced.
        private const string PlainSource = """
            using System;

            namespace Sample
            {
                public static class Plain
                {
                    public static Type Marker => typeof(SymDiff.DifferentiableAttribute);

                    public static double Square(double x) => SymDiff.Grad.Detach(x) * x;

                    public static double Divide(double a, double b, out double remainder)
                    {
                        remainder = Math.IEEERemainder(a, b);
                        return a / b;
                    }

                    public static void Fill(Span<double> values, double value) => values.Fill(value);
                }
            }
            """;

        private readonly string _snapshots = Path.Combine(Path.GetTempPath(), "symdiff-harness-tests", Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_snapshots))
            {
                Directory.Delete(_snapshots, recursive: true);
            }
        }

        // ---- GeneratorRunner / CompilationFactory ----

        [Fact]
        public void PlainSourceGeneratesNothingAndCompilesClean()
        {
            GeneratorOutput output = GeneratorRunner.Run(PlainSource);

            Assert.Empty(output.GeneratedSources);
            Assert.Empty(output.GeneratorDiagnostics);
            Assert.Empty(output.CompilationDiagnostics);
            Assert.Null(output.Result.Exception);
            GeneratorRunner.AssertCleanCompile(output);
        }

        [Fact]
        public void CompilationUsesTheAgreedOptions()
        {
            var compilation = CompilationFactory.Create(PlainSource, "class Other { }");

            Assert.Equal(new[] { "Source0.cs", "Source1.cs" }, compilation.SyntaxTrees.Select(t => t.FilePath));
            Assert.Equal(NullableContextOptions.Enable, compilation.Options.NullableContextOptions);
            Assert.Equal(OptimizationLevel.Release, compilation.Options.OptimizationLevel);
            Assert.Equal(OutputKind.DynamicallyLinkedLibrary, compilation.Options.OutputKind);
            Assert.False(compilation.Options.AllowUnsafe);
            Assert.Equal(CompilationFactory.WarningLevel, compilation.Options.WarningLevel);
            Assert.Same(CompilationFactory.References[0], compilation.References.First());
            Assert.Contains(compilation.References, r => r.Display?.EndsWith("SymDiff.dll", StringComparison.Ordinal) == true);
        }

        [Fact]
        public void AssertCleanCompileFailsOnAnUnusedVariableWarning()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                public static class Warns
                {
                    public static void M()
                    {
                        int unused;
                    }
                }
                """);

            FailException failure = Assert.Throws<FailException>(() => GeneratorRunner.AssertCleanCompile(output));
            Assert.Contains("CS0168", failure.Message, StringComparison.Ordinal);
            Assert.Contains("5 |         int unused;", failure.Message, StringComparison.Ordinal); // the source, numbered
        }

        [Theory]
        [InlineData("public static class N { public static string M(string? s) => s; }", "CS8603")] // nullable is on
        [InlineData("public class lowercase { }", "CS8981")] // a warning-wave warning, so the level is high enough
        [InlineData("public static class E { public static int M() => \"no\"; }", "CS0029")] // an error
        public void AssertCleanCompileFailsOnEveryWarningAndError(string source, string id)
        {
            GeneratorOutput output = GeneratorRunner.Run(source);

            FailException failure = Assert.Throws<FailException>(() => GeneratorRunner.AssertCleanCompile(output));
            Assert.Contains(id, failure.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void MalformedDocCommentsAreWarnings()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                public static class Docs
                {
                    /// <summary>Unclosed
                    public static void M() { }
                }
                """);

            Assert.Contains(output.CompilationDiagnostics, d => d.Id == "CS1570");
        }

        [Fact]
        public void RunAgainReusesTheDriver()
        {
            GeneratorOutput first = GeneratorRunner.Run(PlainSource);
            GeneratorOutput same = GeneratorRunner.RunAgain(first, c => c.Clone());
            GeneratorOutput second = GeneratorRunner.RunAgain(same, c => CompilationFactory.WithSource(c, 0, PlainSource + "\n// a comment\n"));

            Assert.Same(first.InputCompilation.SyntaxTrees.Single(), same.InputCompilation.SyntaxTrees.Single());
            Assert.NotSame(first.InputCompilation, second.InputCompilation);
            Assert.EndsWith("// a comment\n", second.InputCompilation.SyntaxTrees.Single().ToString(), StringComparison.Ordinal);
            Assert.Empty(second.GeneratedSources);
            GeneratorRunner.AssertCleanCompile(second);
            Assert.Equal(second.TrackedStepReasons.Keys, second.TrackedStepOutputs.Keys);
            KeyNotFoundException missing = Assert.Throws<KeyNotFoundException>(() => second.StepReasons("NoSuchStep"));
            Assert.Contains("NoSuchStep", missing.Message, StringComparison.Ordinal);
        }

        // ---- Snapshot ----

        [Fact]
        public void SnapshotPassesOnAMatchIgnoringLineEndingsAndVersion()
        {
            string version = typeof(DifferentiableGenerator).Assembly.GetName().Version!.ToString();
            WriteVerified("T", "Match", "Ns.C.M.g", "// v %VERSION%\nclass C { }\n");

            Snapshot.Verify(_snapshots, "T", "Match", Files(("Ns.C.M.g.cs", $"// v {version}\r\nclass C {{ }}\r\n")), accept: false);

            Assert.False(File.Exists(Received("T", "Match", "Ns.C.M.g")));
        }

        [Fact]
        public void SnapshotFailsOnAMismatchWithADiffAndWritesTheReceivedFile()
        {
            WriteVerified("T", "Mismatch", "A.g", "line 1\nline 2\nline 3\n");

            FailException failure = Assert.Throws<FailException>(() =>
                Snapshot.Verify(_snapshots, "T", "Mismatch", Files(("A.g.cs", "line 1\nline two\nline 3\n")), accept: false));

            Assert.Contains("-line 2", failure.Message, StringComparison.Ordinal);
            Assert.Contains("+line two", failure.Message, StringComparison.Ordinal);
            Assert.Contains(Snapshot.AcceptVariable + "=1", failure.Message, StringComparison.Ordinal);
            Assert.Equal("line 1\nline two\nline 3\n", File.ReadAllText(Received("T", "Mismatch", "A.g")));
            Assert.Equal("line 1\nline 2\nline 3\n", File.ReadAllText(Verified("T", "Mismatch", "A.g"))); // untouched
        }

        [Fact]
        public void SnapshotDiffIsCutAfterSixtyDifferingLines()
        {
            string expected = string.Concat(Enumerable.Range(0, 100).Select(i => $"old {i}\n"));
            string received = string.Concat(Enumerable.Range(0, 100).Select(i => $"new {i}\n"));
            WriteVerified("T", "Long", "A.g", expected);

            FailException failure = Assert.Throws<FailException>(() =>
                Snapshot.Verify(_snapshots, "T", "Long", Files(("A.g.cs", received)), accept: false));

            Assert.Contains("140 more differing lines", failure.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void SnapshotFailsOnAMissingVerifiedFileAndWritesTheReceivedFile()
        {
            FailException failure = Assert.Throws<FailException>(() =>
                Snapshot.Verify(_snapshots, "T", "Missing", Files(("New.g.cs", "class New { }\n")), accept: false));

            Assert.Contains("New.g.cs", failure.Message, StringComparison.Ordinal);
            Assert.Equal("class New { }\n", File.ReadAllText(Received("T", "Missing", "New.g")));
            Assert.False(File.Exists(Verified("T", "Missing", "New.g")));
        }

        [Fact]
        public void SnapshotFailsOnAStaleVerifiedFile()
        {
            WriteVerified("T", "Stale", "Kept.g", "kept\n");
            WriteVerified("T", "Stale", "Gone.g", "gone\n");

            FailException failure = Assert.Throws<FailException>(() =>
                Snapshot.Verify(_snapshots, "T", "Stale", Files(("Kept.g.cs", "kept\n")), accept: false));

            Assert.Contains("Gone.g.verified.cs", failure.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void AcceptModeWritesDeletesStaleFilesAndStillFails()
        {
            WriteVerified("T", "Accept", "Changed.g", "old\n");
            WriteVerified("T", "Accept", "Same.g", "same\n");
            WriteVerified("T", "Accept", "Gone.g", "gone\n");

            FailException failure = Assert.Throws<FailException>(() => Snapshot.Verify(
                _snapshots, "T", "Accept", Files(("Changed.g.cs", "new\n"), ("Same.g.cs", "same\n"), ("Added.g.cs", "added\n")), accept: true));

            Assert.Contains("accepted 3 snapshots (2 written, 1 stale deleted)", failure.Message, StringComparison.Ordinal);
            Assert.Contains("re-run without " + Snapshot.AcceptVariable, failure.Message, StringComparison.Ordinal);
            Assert.Equal("new\n", File.ReadAllText(Verified("T", "Accept", "Changed.g")));
            Assert.Equal("added\n", File.ReadAllText(Verified("T", "Accept", "Added.g")));
            Assert.False(File.Exists(Verified("T", "Accept", "Gone.g")));

            // After accepting, the normal mode passes.
            Snapshot.Verify(_snapshots, "T", "Accept", Files(("Changed.g.cs", "new\n"), ("Same.g.cs", "same\n"), ("Added.g.cs", "added\n")), accept: false);
        }

        [Fact]
        public void SnapshotRootIsThisProjectsFolder()
        {
            Assert.Equal("Snapshots", Path.GetFileName(Snapshot.SnapshotsDirectory));
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(Snapshot.SnapshotsDirectory)!, "SymDiff.Generator.Tests.csproj")));
        }

        [Fact]
        public void NormalizeReplacesOnlyWholeVersions()
        {
            string version = typeof(DifferentiableGenerator).Assembly.GetName().Version!.ToString();

            Assert.Equal("a\nb\n\"%VERSION%\"", Snapshot.Normalize($"a\r\nb\r\"{version}\""));
            Assert.Equal($"1{version}", Snapshot.Normalize($"1{version}"));
        }

        // ---- GeneratedCode ----

        [Fact]
        public void RunDriverReturnsWhatTheDriverComputes()
        {
            double[] values = GeneratedCode.RunDriver(PlainSource, """
                Span<double> buffer = stackalloc double[3];
                Sample.Plain.Fill(buffer, 2.5);
                return new[] { buffer[0] + buffer[2], Sample.Plain.Square(3.0), Grad.Detach(-1.0) };
                """);

            Assert.Equal(new[] { 5.0, 9.0, -1.0 }, values);
        }

        [Fact]
        public void InvokeCallsAMethodAndReturnsOutParameters()
        {
            using GeneratedCode code = GeneratedCode.Compile(PlainSource);
            object?[] args = { 7.0, 2.0, null };

            object? quotient = code.Invoke("Sample.Plain", "Divide", args);

            Assert.Equal(3.5, quotient);
            Assert.Equal(Math.IEEERemainder(7.0, 2.0), args[2]);
            Assert.Equal(16.0, code.Invoke("Sample.Plain", "Square", 4.0));
            Assert.Throws<ArgumentException>(() => code.Invoke("Sample.Plain", "Fill", 1.0, 2.0)); // spans: use RunDriver
            Assert.Throws<ArgumentException>(() => code.Invoke("Sample.Missing", "Square", 4.0));
        }

        [Fact]
        public void CompileFailsOnWarnings()
        {
            Assert.Throws<FailException>(() => GeneratedCode.Compile("public static class W { public static void M() { int unused = 1; } }"));
        }

        // ---- FiniteDifferences ----

        [Fact]
        public void DerivativeOfSinIsCos()
        {
            double estimate = FiniteDifferences.Derivative(Math.Sin, 0.3);

            FiniteDifferences.AssertClose(Math.Cos(0.3), estimate, relTol: 0, absTol: 1e-8, "d/dx sin(x) at 0.3");
        }

        [Fact]
        public void GradientMatchesTheAnalyticGradient()
        {
            double[] x = { 0.5, -2.0, 1e4 };
            double F(double[] v) => (v[0] * v[1]) + Math.Exp(v[0]) + (1e-8 * v[2] * v[2]); // |F| ~ 3, so rounding stays near 1e-9

            double[] gradient = FiniteDifferences.Gradient(F, x);

            FiniteDifferences.AssertClose(new[] { x[1] + Math.Exp(x[0]), x[0], 2e-8 * x[2] }, gradient, relTol: 1e-7, absTol: 1e-8, "grad F");
            Assert.Equal(new[] { 0.5, -2.0, 1e4 }, x); // not modified
        }

        [Fact]
        public void AssertCloseExplainsAFailure()
        {
            FailException failure = Assert.Throws<FailException>(() => FiniteDifferences.AssertClose(1.0, 1.1, relTol: 1e-3, absTol: 1e-9, "dy/dx"));

            Assert.StartsWith("dy/dx: expected 1, actual 1.1;", failure.Message, StringComparison.Ordinal);
            FiniteDifferences.AssertClose(double.NaN, double.NaN, 0, 0, "NaN");
            FiniteDifferences.AssertClose(double.PositiveInfinity, double.PositiveInfinity, 0, 0, "inf");
            Assert.Throws<FailException>(() => FiniteDifferences.AssertClose(double.PositiveInfinity, 1.0, 0, 0, "inf"));
            Assert.Throws<FailException>(() => FiniteDifferences.AssertClose(new[] { 1.0 }, new[] { 1.0, 2.0 }, 0, 0, "lengths"));
        }

        private static List<GeneratedSource> Files(params (string HintName, string Text)[] files) =>
            files.Select(f => new GeneratedSource(f.HintName, f.Text)).ToList();

        private string Verified(string testClass, string test, string stem) => Path.Combine(_snapshots, testClass, test, stem + ".verified.cs");

        private string Received(string testClass, string test, string stem) => Path.Combine(_snapshots, testClass, test, stem + ".received.cs");

        private void WriteVerified(string testClass, string test, string stem, string text)
        {
            string path = Verified(testClass, test, stem);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
    }
}

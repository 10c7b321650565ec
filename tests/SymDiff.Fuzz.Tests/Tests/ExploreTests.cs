using System;
using System.IO;
using System.Linq;
using SymDiff.Fuzz.Tests.Grammar;
using SymDiff.Fuzz.Tests.Harness;
using Xunit;
using Xunit.Abstractions;

namespace SymDiff.Fuzz.Tests.Tests
{
    public sealed class ExploreTests
    {
        private readonly ITestOutputHelper _out;

        public ExploreTests(ITestOutputHelper output) => _out = output;

        [Fact]
        public void Explore()
        {
            int n = int.Parse(Environment.GetEnvironmentVariable("FUZZ_EXPLORE") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
            if (n == 0)
            {
                return;
            }

            var grammar = Enum.Parse<FuzzGrammar>(Environment.GetEnvironmentVariable("FUZZ_GRAMMAR") ?? FuzzGrammars.Ci.ToString());
            int batch = int.Parse(Environment.GetEnvironmentVariable("FUZZ_BATCH") ?? "80", System.Globalization.CultureInfo.InvariantCulture);
            ulong seed = ulong.Parse(Environment.GetEnvironmentVariable("FUZZ_SEED") ?? "7", System.Globalization.CultureInfo.InvariantCulture);
            var report = FuzzRun.Run(new FuzzOptions(n, seed, BatchSize: Math.Min(n, batch), Grammar: grammar) { Log = _out.WriteLine, TolerateKnownBugs = Environment.GetEnvironmentVariable("FUZZ_KNOWN") is not null, First = int.Parse(Environment.GetEnvironmentVariable("FUZZ_FIRST") ?? "0", System.Globalization.CultureInfo.InvariantCulture) });
            foreach (int id in new[] { 71 }.Where(_ => Environment.GetEnvironmentVariable("FUZZ_PRINT") is not null).Select(_ => int.Parse(Environment.GetEnvironmentVariable("FUZZ_PRINT")!, System.Globalization.CultureInfo.InvariantCulture)))
            {
                File.WriteAllText($"/tmp/P{id}.cs", Renderer.Program(FuzzRun.Generate(grammar, FuzzRun.PcgOf(seed, id), id)));
            }
            _out.WriteLine(report.Summary());
            using var w = new StreamWriter("/tmp/fuzz-explore.txt");
            foreach (var g in report.Invalid.Concat(report.Failures).GroupBy(o => Regression.Signature(o) + (o.Details.Split('\n')[0].Contains("error CS", StringComparison.Ordinal) || o.Details.Contains("warning CS", StringComparison.Ordinal) ? System.Text.RegularExpressions.Regex.Replace(o.Details.Split('\n')[0], @"^.*?: ", "") : string.Empty)).OrderByDescending(g => g.Count()))
            {
                w.WriteLine($"##### {g.Count()} x {g.Key}: programs {string.Join(", ", g.Select(o => o.Program.Id))}");
            }

            foreach (var o in report.Invalid.Concat(report.Failures).Take(150))
            {
                w.WriteLine($"===== P{o.Program.Id} {o.Kind} {o.Class}\n{o.Details}\n");
                w.WriteLine(Renderer.Program(o.Program));
                foreach (var g in o.Generated)
                {
                    w.WriteLine($"--- {g.HintName}\n{g.Text}");
                }
            }

            foreach (int id in new[] { 71 }.Where(_ => Environment.GetEnvironmentVariable("FUZZ_PRINT") is not null).Select(_ => int.Parse(Environment.GetEnvironmentVariable("FUZZ_PRINT")!, System.Globalization.CultureInfo.InvariantCulture)))
            {
                File.WriteAllText($"/tmp/P{id}.cs", Renderer.Program(FuzzRun.Generate(grammar, FuzzRun.PcgOf(seed, id), id)));
            }
            _out.WriteLine(report.Summary());
        }
    }
}

namespace SymDiff.Fuzz.Tests.Tests
{
    using System.Collections.Immutable;
    using Microsoft.CodeAnalysis;
    using Microsoft.CodeAnalysis.CSharp;

    /// <summary>Runs the generator on a hand-written file (FUZZ_SOURCE) and prints the diagnostics: to check a FINDINGS.md repro.</summary>
    public sealed class ReproTool
    {
        private readonly ITestOutputHelper _out;

        public ReproTool(ITestOutputHelper output) => _out = output;

        [Fact]
        public void Repro()
        {
            string? path = Environment.GetEnvironmentVariable("FUZZ_SOURCE");
            if (path is null)
            {
                return;
            }

            var trees = new[] { CSharpSyntaxTree.ParseText(File.ReadAllText(path), BatchRunner.ParseOptions, "Repro.cs"), CSharpSyntaxTree.ParseText(Renderer.UserLibrary, BatchRunner.ParseOptions, "Lib.cs") };
            var compilation = CSharpCompilation.Create("Repro", trees, BatchRunner.References, BatchRunner.CompilationOptions);
            GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new SymDiff.Generator.DifferentiableGenerator().AsSourceGenerator() }, parseOptions: BatchRunner.ParseOptions);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
            _out.WriteLine($"generator {clock.ElapsedMilliseconds} ms");
            foreach (Diagnostic d in diagnostics.Concat(output.GetDiagnostics()).Where(d => d.Severity >= DiagnosticSeverity.Warning))
            {
                _out.WriteLine(d.ToString());
            }

            if (Environment.GetEnvironmentVariable("FUZZ_DUMP") is not null)
            {
                foreach (SyntaxTree t in output.SyntaxTrees.Where(t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal)))
                {
                    _out.WriteLine($"--- {t.FilePath}\n{t}");
                }
            }
        }
    }
}

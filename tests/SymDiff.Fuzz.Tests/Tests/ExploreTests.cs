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

        /// <summary>Runs FUZZ_EXPLORE programs (seed FUZZ_SEED, grammar FUZZ_GRAMMAR, batch FUZZ_BATCH, first FUZZ_FIRST) and writes every failure to fuzz-explore.txt in the temp folder.</summary>
        [ToolFact("FUZZ_EXPLORE")]
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

            // FUZZ_PRINT=<id> writes that program's source to P<id>.cs in the temp folder.
            if (Environment.GetEnvironmentVariable("FUZZ_PRINT") is { Length: > 0 } print)
            {
                int id = int.Parse(print, System.Globalization.CultureInfo.InvariantCulture);
                File.WriteAllText(Path.Combine(Path.GetTempPath(), $"P{id}.cs"), Renderer.Program(FuzzRun.Generate(grammar, FuzzRun.PcgOf(seed, id), id)));
            }

            _out.WriteLine(report.Summary());
            using var w = new StreamWriter(Path.Combine(Path.GetTempPath(), "fuzz-explore.txt"));
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

        [ToolFact("FUZZ_SOURCE")]
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

            // FUZZ_RUN: the file also has a class Repro with a static string Run(); compile, load and print what it returns
            // (to see the numbers of a hand-shrunk repro: the generated methods beside the user's method).
            if (Environment.GetEnvironmentVariable("FUZZ_RUN") is not null)
            {
                using var image = new MemoryStream();
                var emit = output.Emit(image);
                if (!emit.Success)
                {
                    _out.WriteLine("emit failed");
                    return;
                }

                var context = new System.Runtime.Loader.AssemblyLoadContext("repro", isCollectible: true);
                try
                {
                    image.Position = 0;
                    var run = context.LoadFromStream(image).GetType("Repro")!.GetMethod("Run")!;
                    _out.WriteLine((string)run.Invoke(null, null)!);
                }
                finally
                {
                    context.Unload();
                }
            }
        }
    }
}

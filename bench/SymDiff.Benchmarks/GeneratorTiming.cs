extern alias generator;

using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SymDiff.Benchmarks
{
    /// <summary>
    /// <c>--generator</c>: the generator's own time on a file of 200 mixed methods (GeneratorInput/Methods200.cs.in),
    /// as Roslyn measures it (<see cref="GeneratorDriver.GetTimingInfo"/>), median of 5 warm runs of a fresh driver,
    /// so every method is parsed, differentiated and emitted each run. Prints one line:
    /// <c>generator methods=200 ms_per_method=...</c>; with <c>--phases</c>, first the time per phase.
    /// </summary>
    public static class GeneratorTiming
    {
        public static int Run()
        {
            using var stream = typeof(GeneratorTiming).Assembly.GetManifestResourceStream("Methods200.cs")
                ?? throw new InvalidOperationException("The embedded file Methods200.cs is missing; resources: " + string.Join(", ", typeof(GeneratorTiming).Assembly.GetManifestResourceNames()));
            string source = new StreamReader(stream).ReadToEnd();
            var parse = new CSharpParseOptions(LanguageVersion.Latest);
            var tree = CSharpSyntaxTree.ParseText(source, parse, "Methods200.cs");
            int methods = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.AttributeSyntax>().Count(a => a.Name.ToString() == "Differentiable");
            var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Select(p => MetadataReference.CreateFromFile(p))
                .Append(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location));
            var compilation = CSharpCompilation.Create("Methods200", new[] { tree }, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

            // Where the time goes, summed over the measured runs (the generator's own phase timer).
            var phases = new System.Collections.Generic.Dictionary<string, double>(StringComparer.Ordinal);
            var times = new double[8];
            int generated = 0;
            ImmutableArray<Diagnostic> errors = ImmutableArray<Diagnostic>.Empty;
            for (int run = 0; run < times.Length; run++)
            {
                generator::SymDiff.Generator.Testing.PhaseTimer.Sink = run < 3 ? null : (phase, elapsed) =>
                {
                    lock (phases)
                    {
                        phases[phase] = (phases.TryGetValue(phase, out double sum) ? sum : 0) + elapsed.TotalMilliseconds;
                    }
                };

                GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new generator::SymDiff.Generator.DifferentiableGenerator().AsSourceGenerator() }, parseOptions: parse);
                driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
                times[run] = driver.GetTimingInfo().ElapsedTime.TotalMilliseconds;
                generated = driver.GetRunResult().GeneratedTrees.Length;
                errors = diagnostics.AddRange(output.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
            }

            if (!errors.IsEmpty)
            {
                Console.Error.WriteLine("The generated code has errors: " + string.Join(Environment.NewLine, errors.Take(5)));
                return 1;
            }

            // The first three runs warm the JIT; the median of the last five is the figure.
            double median = times.Skip(3).OrderBy(t => t).ElementAt(2);
            if (Array.IndexOf(Environment.GetCommandLineArgs(), "--phases") >= 0)
            {
                foreach (var (phase, ms) in phases.OrderByDescending(p => p.Value))
                {
                    Console.WriteLine(FormattableString.Invariant($"  {phase,-28} {ms / (times.Length - 3) / methods:F3} ms per method"));
                }
            }

            Console.WriteLine(FormattableString.Invariant($"generator methods={methods} ms_per_method={median / methods:F3} total_ms={median:F0} files={generated} runs_ms={string.Join("/", times.Skip(3).Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))}"));
            return 0;
        }
    }
}

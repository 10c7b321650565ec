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
    /// <c>generator methods=200 ms_per_method=...</c> (and <c>cpu_ms_per_method</c>, the process's CPU time over the same
    /// calls, steadier on a loaded machine); with <c>--phases</c>, first the time per phase; with <c>--fresh-compilation</c>,
    /// each run on a new compilation of the file, as a build compiles it. Then one line per
    /// expression depth, <c>generator depth=2000 ms=...</c> (<c>--depth-only</c>: only those).
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
                .Append(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location)).ToList();
            if (Array.IndexOf(Environment.GetCommandLineArgs(), "--depth-only") >= 0)
            {
                return Depth(references, parse);
            }

            var compilation = CSharpCompilation.Create("Methods200", new[] { tree }, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

            // Where the time goes, summed over the measured runs (the generator's own phase timer).
            var phases = new System.Collections.Generic.Dictionary<string, double>(StringComparer.Ordinal);
            var allocations = new System.Collections.Generic.Dictionary<string, long>(StringComparer.Ordinal);
            var times = new double[8];

            // The process's CPU time over the same calls (the generator runs on one thread; this also counts the
            // collector's threads and the driver's own work): steadier than the elapsed time on a loaded machine.
            var cpu = new double[8];
            bool fresh = Array.IndexOf(Environment.GetCommandLineArgs(), "--fresh-compilation") >= 0;
            using var process = System.Diagnostics.Process.GetCurrentProcess();
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
                generator::SymDiff.Generator.Testing.PhaseTimer.AllocatedBytes = GC.GetAllocatedBytesForCurrentThread;
                generator::SymDiff.Generator.Testing.PhaseTimer.AllocationSink = run < 3 ? null : (phase, bytes) =>
                {
                    lock (allocations)
                    {
                        allocations[phase] = (allocations.TryGetValue(phase, out long sum) ? sum : 0) + bytes;
                    }
                };

                if (fresh)
                {
                    // As a build does: a new compilation (and syntax tree) each run, so binding the file's declarations
                    // and attributes falls inside the generator's time.
                    var newTree = CSharpSyntaxTree.ParseText(source, parse, "Methods200.cs");
                    compilation = CSharpCompilation.Create("Methods200", new[] { newTree }, references, compilation.Options);
                }

                GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new generator::SymDiff.Generator.DifferentiableGenerator().AsSourceGenerator() }, parseOptions: parse);
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
                process.Refresh();
                cpu[run] = (process.TotalProcessorTime - cpuBefore).TotalMilliseconds;
                times[run] = driver.GetTimingInfo().ElapsedTime.TotalMilliseconds;
                generated = driver.GetRunResult().GeneratedTrees.Length;
                errors = diagnostics.AddRange(output.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
            }

            generator::SymDiff.Generator.Testing.PhaseTimer.Sink = null;
            generator::SymDiff.Generator.Testing.PhaseTimer.AllocationSink = null;
            generator::SymDiff.Generator.Testing.PhaseTimer.AllocatedBytes = null;
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
                    double kb = allocations.TryGetValue(phase, out long bytes) ? bytes / 1024.0 / (times.Length - 3) / methods : 0;
                    Console.WriteLine(FormattableString.Invariant($"  {phase,-28} {ms / (times.Length - 3) / methods:F3} ms per method {kb,8:F0} KB allocated per method"));
                }
            }

            double cpuMedian = cpu.Skip(3).OrderBy(t => t).ElementAt(2);
            Console.WriteLine(FormattableString.Invariant($"generator methods={methods} ms_per_method={median / methods:F3} total_ms={median:F0} files={generated} runs_ms={string.Join("/", times.Skip(3).Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))} cpu_ms_per_method={cpuMedian / methods:F3}"));
            return Depth(references, parse);
        }

        /// <summary>
        /// Linear in expression depth: one method whose body is a single expression nested 400, 800 and 2,000 deep, in
        /// two shapes (a recurrence <c>y = y * x + c</c> written out as one expression, and <c>Math.Sin(Math.Sin(...))</c>).
        /// Prints <c>generator depth=... ms=...</c> per depth (the slower shape, median of 3 warm runs of a fresh driver).
        /// </summary>
        private static int Depth(System.Collections.Generic.IEnumerable<MetadataReference> references, CSharpParseOptions parse)
        {
            int status = 0;

            // Roslyn binds nested parentheses and calls recursively: give the compilation a large stack, as a compiler
            // thread for such a file would need (the generator moves deep methods to its own large stack anyway).
            var thread = new System.Threading.Thread(
                () =>
                {
                    foreach (int depth in new[] { 400, 800, 2000 })
                    {
                        var shapes = new[] { ("recurrence", Recurrence(depth)), ("sin", Sines(depth)) };
                        var line = new System.Text.StringBuilder();
                        double worst = 0;
                        foreach (var (shape, body) in shapes)
                        {
                            string source = "using System;\nusing SymDiff;\npublic static partial class Deep\n{\n    [Differentiable]\n    public static double F(double x) => " + body + ";\n}\n";
                            var tree = CSharpSyntaxTree.ParseText(source, parse, "Deep.cs");
                            var compilation = CSharpCompilation.Create("Deep", new[] { tree }, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
                            var runs = new double[4];
                            var phases = new System.Collections.Generic.Dictionary<string, double>(StringComparer.Ordinal);
                            for (int run = 0; run < runs.Length; run++)
                            {
                                generator::SymDiff.Generator.Testing.PhaseTimer.Sink = run < 1 ? null : (phase, elapsed) =>
                                {
                                    lock (phases)
                                    {
                                        phases[phase] = (phases.TryGetValue(phase, out double sum) ? sum : 0) + elapsed.TotalMilliseconds;
                                    }
                                };
                                GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new generator::SymDiff.Generator.DifferentiableGenerator().AsSourceGenerator() }, parseOptions: parse);
                                driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
                                runs[run] = driver.GetTimingInfo().ElapsedTime.TotalMilliseconds;
                                if (run == 0)
                                {
                                    var problems = diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Concat(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)).Take(3).ToList();
                                    if (problems.Count > 0)
                                    {
                                        Console.Error.WriteLine($"depth {depth} ({shape}): " + string.Join(Environment.NewLine, problems));
                                        status = 1;
                                    }
                                }
                            }

                            generator::SymDiff.Generator.Testing.PhaseTimer.Sink = null;
                            if (Array.IndexOf(Environment.GetCommandLineArgs(), "--phases") >= 0)
                            {
                                Console.WriteLine(FormattableString.Invariant($"  depth={depth} {shape}: ") + string.Join(", ", phases.OrderByDescending(p => p.Value).Take(12).Select(p => FormattableString.Invariant($"{p.Key} {p.Value / (runs.Length - 1):F0}"))));
                            }

                            // The first run warms the JIT for this shape; the median of the other three is the figure.
                            double median = runs.Skip(1).OrderBy(t => t).ElementAt(1);
                            worst = Math.Max(worst, median);
                            line.Append(FormattableString.Invariant($" {shape}_ms={median:F0}"));
                        }

                        Console.WriteLine(FormattableString.Invariant($"generator depth={depth} ms={worst:F0}{line}"));
                    }
                },
                256 * 1024 * 1024);
            thread.Start();
            thread.Join();
            return status;
        }

        /// <summary>y = y * x + c, depth times, as one expression: ((x * x + 1) * x + 2) * x + ...</summary>
        private static string Recurrence(int depth)
        {
            var sb = new System.Text.StringBuilder("x");
            for (int i = 1; i < depth; i++)
            {
                sb.Insert(0, '(').Append(" * x + ").Append((i % 5) + 1).Append(')');
            }

            return sb.ToString();
        }

        /// <summary>Math.Sin(Math.Sin(... x)), depth calls.</summary>
        private static string Sines(int depth) =>
            string.Concat(Enumerable.Repeat("Math.Sin(", depth)) + "x" + new string(')', depth);
    }
}

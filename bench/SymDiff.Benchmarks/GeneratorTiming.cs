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
    /// as Roslyn measures it (<see cref="GeneratorDriver.GetTimingInfo"/>), median of 5 warm runs of a fresh driver
    /// (warm: after the JIT has finished tiering up, see the warm-up below), so every method is parsed, differentiated
    /// and emitted each run. Prints one line: <c>generator methods=200 ms_per_method=...</c> (and the minimum,
    /// <c>cpu_ms_per_method</c>, the process's CPU time over the same calls, and <c>thread_cpu_ms_per_method</c>, the
    /// generator thread's, the steadiest on a loaded machine); with <c>--phases</c>, first the time per phase;
    /// <c>--runs N</c> measures N runs, <c>--warm N</c> fixes the warm-up, <c>--verbose</c> prints every run, <c>--no-depth</c>
    /// skips the depth lines; with <c>--fresh-compilation</c>,
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
            string[] args = Environment.GetCommandLineArgs();
            int Option(string name, int fallback)
            {
                int at = Array.IndexOf(args, name);
                return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
            }

            // --runs N: N measured runs (default 5); the median and the minimum are printed.
            int measured = Math.Max(1, Option("--runs", 5));

            // Warm-up: the JIT compiles Roslyn's and the generator's methods at tier 0, then instrumented, then at tier 1
            // in a background thread, over several runs (tens of thousands of methods; on 2 shared cores the tier-1
            // thread falls behind, and a run measured while it still compiles runs partly on unoptimised code and
            // competes with it for a core). So the warm-up goes on until a run made the JIT compile fewer than 200 methods
            // (at least 3 runs, at most 40; methods called once or twice a run reach tier 1 only after 15-30 runs, and
            // cost little). --warm N: exactly N warm-up runs (the bench measured after 3 until
            // 2026-12-03, which on this machine was still tiering up).
            int fixedWarm = Option("--warm", -1);
            var times = new System.Collections.Generic.List<double>();

            // The process's CPU time over the same calls (the generator runs on one thread; this also counts the
            // collector's threads, the JIT's tier-1 thread and the driver's own work).
            var cpu = new System.Collections.Generic.List<double>();

            // The generator thread's own CPU time (clock_gettime(CLOCK_THREAD_CPUTIME_ID) on Linux; the collector's
            // gen0/gen1 work runs on this thread): the least sensitive to other processes on a shared machine.
            var threadCpu = new System.Collections.Generic.List<double>();

            // Methods the JIT compiled during each run.
            var jitted = new System.Collections.Generic.List<long>();

            // Bytes allocated on the generator thread during each run (Roslyn's binding included): unlike the times, the
            // load of the machine does not change it.
            var allocated = new System.Collections.Generic.List<double>();
            bool fresh = Array.IndexOf(args, "--fresh-compilation") >= 0;
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            int generated = 0;
            int warm = -1;
            ImmutableArray<Diagnostic> errors = ImmutableArray<Diagnostic>.Empty;
            // --alloc-types: the runtime's allocation samples (one per ~100 KB allocated) by type, over the measured runs.
            using var allocationTypes = Array.IndexOf(args, "--alloc-types") >= 0 ? new AllocationSampler() : null;
            for (int run = 0; warm < 0 || run < warm + measured; run++)
            {
                if (allocationTypes is not null)
                {
                    allocationTypes.Recording = warm >= 0 || (fixedWarm >= 0 ? run >= fixedWarm : run >= 40 || (run >= 3 && jitted[run - 1] < 200));
                }

                if (warm < 0 && (fixedWarm >= 0 ? run >= fixedWarm : run >= 40 || (run >= 3 && jitted[run - 1] < 200)))
                {
                    warm = run;
                }

                bool record = warm >= 0;
                generator::SymDiff.Generator.Testing.PhaseTimer.Sink = !record ? null : (phase, elapsed) =>
                {
                    lock (phases)
                    {
                        phases[phase] = (phases.TryGetValue(phase, out double sum) ? sum : 0) + elapsed.TotalMilliseconds;
                    }
                };
                generator::SymDiff.Generator.Testing.PhaseTimer.AllocatedBytes = GC.GetAllocatedBytesForCurrentThread;
                generator::SymDiff.Generator.Testing.PhaseTimer.AllocationSink = !record ? null : (phase, bytes) =>
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
                long jittedBefore = System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false);
                double threadBefore = ThreadCpuMilliseconds();
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
                allocated.Add(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore);
                threadCpu.Add(ThreadCpuMilliseconds() - threadBefore);
                process.Refresh();
                cpu.Add((process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
                times.Add(driver.GetTimingInfo().ElapsedTime.TotalMilliseconds);
                generated = driver.GetRunResult().GeneratedTrees.Length;
                errors = diagnostics.AddRange(output.GetDiagnostics()).Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();

                // Counted after the output's diagnostics, which bind the generated code (Roslyn methods the generator
                // run itself may need next time).
                jitted.Add(System.Runtime.JitInfo.GetCompiledMethodCount(currentThread: false) - jittedBefore);
            }

            generator::SymDiff.Generator.Testing.PhaseTimer.Sink = null;
            generator::SymDiff.Generator.Testing.PhaseTimer.AllocationSink = null;
            generator::SymDiff.Generator.Testing.PhaseTimer.AllocatedBytes = null;
            if (!errors.IsEmpty)
            {
                Console.Error.WriteLine("The generated code has errors: " + string.Join(Environment.NewLine, errors.Take(5)));
                return 1;
            }

            // The median of the measured runs is the figure.
            double median = Median(times.Skip(warm));
            if (Array.IndexOf(args, "--phases") >= 0)
            {
                foreach (var (phase, ms) in phases.OrderByDescending(p => p.Value))
                {
                    double kb = allocations.TryGetValue(phase, out long bytes) ? bytes / 1024.0 / measured / methods : 0;
                    Console.WriteLine(FormattableString.Invariant($"  {phase,-28} {ms / measured / methods:F3} ms per method {kb,8:F0} KB allocated per method"));
                }
            }

            if (Array.IndexOf(args, "--verbose") >= 0)
            {
                for (int run = 0; run < times.Count; run++)
                {
                    Console.WriteLine(FormattableString.Invariant($"  run {run}{(run < warm ? " (warm-up)" : "")}: {times[run]:F0} ms, thread CPU {threadCpu[run]:F0} ms, process CPU {cpu[run]:F0} ms, methods jitted {jitted[run]}"));
                }
            }

            allocationTypes?.Print(measured * methods);
            double cpuMedian = Median(cpu.Skip(warm));
            double threadMedian = Median(threadCpu.Skip(warm));
            Console.WriteLine(FormattableString.Invariant($"generator methods={methods} ms_per_method={median / methods:F3} total_ms={median:F0} files={generated} runs_ms={string.Join("/", times.Skip(warm).Select(t => t.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))} min_ms_per_method={times.Skip(warm).Min() / methods:F3} cpu_ms_per_method={cpuMedian / methods:F3} thread_cpu_ms_per_method={threadMedian / methods:F3} warm_runs={warm} jitted_in_measured_runs={jitted.Skip(warm).Sum()} alloc_kb_per_method={Median(allocated.Skip(warm)) / 1024 / methods:F0}"));
            return Array.IndexOf(args, "--no-depth") >= 0 ? 0 : Depth(references, parse);
        }

        private static double Median(System.Collections.Generic.IEnumerable<double> values)
        {
            var sorted = values.OrderBy(t => t).ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clock, out TimeSpec time);

        /// <summary>The calling thread's CPU time in milliseconds (Linux; NaN elsewhere).</summary>
        /// <summary>The runtime's <c>GCAllocationTick</c> events (one per about 100 KB allocated, naming the type that crossed the mark), summed by type.</summary>
        private sealed class AllocationSampler : System.Diagnostics.Tracing.EventListener
        {
            private readonly System.Collections.Generic.Dictionary<string, long> _bytes = new System.Collections.Generic.Dictionary<string, long>(StringComparer.Ordinal);

            public volatile bool Recording;

            protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
            {
                if (source.Name == "Microsoft-Windows-DotNETRuntime")
                {
                    EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);
                }
            }

            protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
            {
                if (!Recording || e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null)
                {
                    return;
                }

                int type = e.PayloadNames.IndexOf("TypeName");
                int amount = e.PayloadNames.IndexOf("AllocationAmount64");
                if (type < 0 || amount < 0)
                {
                    return;
                }

                string name = e.Payload![type] as string ?? "?";
                long bytes = Convert.ToInt64(e.Payload[amount], System.Globalization.CultureInfo.InvariantCulture);
                lock (_bytes)
                {
                    _bytes[name] = (_bytes.TryGetValue(name, out long sum) ? sum : 0) + bytes;
                }
            }

            public void Print(int perMethod)
            {
                lock (_bytes)
                {
                    long total = _bytes.Values.Sum();
                    foreach (var (name, bytes) in _bytes.OrderByDescending(p => p.Value).Take(40))
                    {
                        Console.WriteLine(FormattableString.Invariant($"  alloc {bytes / 1024.0 / perMethod,8:F1} KB per method {100.0 * bytes / total,5:F1} %  {name}"));
                    }
                }
            }
        }

        private static double ThreadCpuMilliseconds()
        {
            if (!OperatingSystem.IsLinux())
            {
                return double.NaN;
            }

            const int ClockThreadCpuTime = 3;
            return ClockGetTime(ClockThreadCpuTime, out var time) == 0 ? (time.Seconds * 1000.0) + (time.Nanoseconds / 1e6) : double.NaN;
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

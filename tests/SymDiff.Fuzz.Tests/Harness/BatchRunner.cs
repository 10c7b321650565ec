using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using SymDiff.Fuzz.Tests.Grammar;
using SymDiff.Fuzz.Tests.Oracle;
using SymDiff.Generator;

namespace SymDiff.Fuzz.Tests.Harness
{
    /// <summary>The generator did not return, even after cancellation: the run cannot go on (the thread cannot be stopped).</summary>
    public sealed class GeneratorHangException : Exception
    {
        public GeneratorHangException(IReadOnlyList<int> programs, TimeSpan waited)
            : base($"The generator did not return within {waited.TotalSeconds:0} s on programs {string.Join(", ", programs)}, and ignored cancellation.")
        {
            Programs = programs;
        }

        public IReadOnlyList<int> Programs { get; }
    }

    /// <summary>What happened to one program.</summary>
    public enum OutcomeKind
    {
        /// <summary>Every check agreed.</summary>
        Passed,

        /// <summary>The generator rejected the program with a documented SD error (not SD9001).</summary>
        Rejected,

        /// <summary>The program could not be judged: its value overflowed, or the user's method threw (a grammar limit, counted).</summary>
        Discarded,

        /// <summary>The fuzzer's own code did not compile: a bug in the fuzzer, not in SymDiff.</summary>
        Invalid,

        /// <summary>SD9001, a generator exception, generated code with a warning or error, an exception from generated code, or a disagreement.</summary>
        Failed,
    }

    /// <summary>The outcome of one program: the kind, a short class (a diagnostic ID, "disagreement", ...) and the details.</summary>
    public sealed record Outcome(FuzzProgram Program, OutcomeKind Kind, string Class, string Details)
    {
        /// <summary>The generated files of the program, for the failure report.</summary>
        public ImmutableArray<(string HintName, string Text)> Generated { get; init; } = ImmutableArray<(string, string)>.Empty;

        public int Compared { get; init; }

        public int Unchecked { get; init; }

        /// <summary>The inputs failed an argument check, and the generated methods were checked to throw what the user's method threw.</summary>
        public bool GuardThrew { get; init; }

        public ProgramRecord? Record { get; init; }

        /// <summary>A <c>Vectorize = true</c> program whose generated code has SIMD lanes (not every loop vectorises).</summary>
        public bool Lanes { get; init; }
    }

    /// <summary>
    /// Compiles a batch of programs in one compilation with one run of the generator, compiles what it generated with
    /// the strict options of a user project, loads the assembly, runs every program's driver and checks the numbers.
    /// A failure that cannot be pinned on one program (a generator exception) re-runs the batch in halves.
    /// </summary>
    public static class BatchRunner
    {
        private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);
        private static readonly Regex ProgramFile = new(@"(?:^|[/\\])P(\d+)(?:\.|_)", RegexOptions.CultureInvariant);

        public static CSharpParseOptions ParseOptions { get; } = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose);

        /// <summary>The options of a strict user project: Release, nullable, every warning wave; CS1591 off (no docs in test sources).</summary>
        public static CSharpCompilationOptions CompilationOptions { get; } =
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release, warningLevel: 9999,
                    nullableContextOptions: NullableContextOptions.Enable, deterministic: true)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["CS1591"] = ReportDiagnostic.Suppress });

        /// <summary>How long the drivers of one batch may run before the batch is declared hung.</summary>
        public static TimeSpan RunTimeout { get; set; } = TimeSpan.FromSeconds(120);

        /// <summary>Generator time allowed for a batch: 2 s per program (the issue's bound for anything accepted) plus 10 s.</summary>
        public static TimeSpan GeneratorBudget(int programs) => TimeSpan.FromSeconds(Scale * (10 + (2 * programs)));

        /// <summary>SYMDIFF_FUZZ_TIME_SCALE multiplies every time budget (a loaded machine; or smaller, to find a hang fast).</summary>
        private static double Scale => double.TryParse(Environment.GetEnvironmentVariable("SYMDIFF_FUZZ_TIME_SCALE"), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) ? s : 1.0;

        /// <summary>Wall-clock time per phase, summed over every batch of the process.</summary>
        public static class Timings
        {
            private static readonly object Gate = new object();
            private static readonly Dictionary<string, TimeSpan> Totals = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);

            public static void Add(string phase, TimeSpan t)
            {
                lock (Gate)
                {
                    Totals[phase] = Totals.GetValueOrDefault(phase) + t;
                }
            }

            public static string Describe()
            {
                lock (Gate)
                {
                    return string.Join(", ", Totals.Select(t => $"{t.Key} {t.Value.TotalSeconds:0.0} s"));
                }
            }
        }

        public static List<Outcome> Run(IReadOnlyList<FuzzProgram> programs)
        {
            var outcomes = new Dictionary<int, Outcome>();
            RunInto(programs, outcomes);
            return programs.Select(p => outcomes[p.Id]).ToList();
        }

        private static void RunInto(IReadOnlyList<FuzzProgram> programs, Dictionary<int, Outcome> outcomes)
        {
            if (programs.Count == 0)
            {
                return;
            }

            var byId = programs.ToDictionary(p => p.Id);
            var trees = new List<SyntaxTree> { CSharpSyntaxTree.ParseText(Renderer.Library, ParseOptions, "FuzzLibrary.cs") };
            foreach (FuzzProgram p in programs)
            {
                trees.Add(CSharpSyntaxTree.ParseText(Renderer.Program(p), ParseOptions, $"P{p.Id}.cs"));
                trees.Add(CSharpSyntaxTree.ParseText(Renderer.Oracle(p), ParseOptions, $"P{p.Id}.Oracle.cs"));
                trees.Add(CSharpSyntaxTree.ParseText(DriverRenderer.Render(p), ParseOptions, $"P{p.Id}.Driver.cs"));
            }

            var compilation = CSharpCompilation.Create("SymDiff.FuzzInput", trees, References, CompilationOptions);
            GeneratorDriver driver = CSharpGeneratorDriver.Create(
                new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            Compilation output;
            ImmutableArray<Diagnostic> generatorDiagnostics;
            using (var budget = new CancellationTokenSource(GeneratorBudget(programs.Count)))
            {
                try
                {
                    // The generator runs on a thread of its own: a generator that ignores cancellation and never returns
                    // (a hang) must not hang the test. Such a thread cannot be stopped, so a hang ends the whole run.
                    GeneratorDriver? ran = null;
                    Compilation? generatedCompilation = null;
                    ImmutableArray<Diagnostic> diagnostics = ImmutableArray<Diagnostic>.Empty;
                    Exception? thrown = null;
                    var worker = new Thread(() =>
                    {
                        try
                        {
                            ran = driver.RunGeneratorsAndUpdateCompilation(compilation, out generatedCompilation, out diagnostics, budget.Token);
                        }
                        catch (Exception e)
                        {
                            thrown = e;
                        }
                    }, 64 * 1024 * 1024) { IsBackground = true };
                    worker.Start();
                    if (!worker.Join(GeneratorBudget(programs.Count) + TimeSpan.FromSeconds(5)))
                    {
                        throw new GeneratorHangException(programs.Select(p => p.Id).ToList(), GeneratorBudget(programs.Count) + TimeSpan.FromSeconds(5));
                    }

                    if (thrown is not null)
                    {
                        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(thrown).Throw();
                    }

                    driver = ran!;
                    output = generatedCompilation!;
                    generatorDiagnostics = diagnostics;
                }
                catch (OperationCanceledException)
                {
                    Timings.Add("generator", clock.Elapsed);
                    if (programs.Count > 1)
                    {
                        int half = programs.Count / 2;
                        RunInto(programs.Take(half).ToList(), outcomes);
                        RunInto(programs.Skip(half).ToList(), outcomes);
                        return;
                    }

                    outcomes[programs[0].Id] = new Outcome(programs[0], OutcomeKind.Failed, "generator too slow",
                        $"the generator did not finish P{programs[0].Id} in {GeneratorBudget(1).TotalSeconds} s");
                    return;
                }
            }

            Timings.Add("generator", clock.Elapsed);
            clock.Restart();
            GeneratorRunResult result = driver.GetRunResult().Results.Single();
            if (result.Exception is not null)
            {
                if (programs.Count > 1)
                {
                    int half = programs.Count / 2;
                    RunInto(programs.Take(half).ToList(), outcomes);
                    RunInto(programs.Skip(half).ToList(), outcomes);
                    return;
                }

                outcomes[programs[0].Id] = new Outcome(programs[0], OutcomeKind.Failed, "generator exception", result.Exception.ToString());
                return;
            }

            var generated = result.GeneratedSources.Select(s => (s.HintName, Text: s.SourceText.ToString())).ToList();
            ImmutableArray<(string, string)> GeneratedOf(int id) =>
                generated.Where(g => ProgramOf(g.HintName) == id).ToImmutableArray();

            // Generator diagnostics: SD9001 is a failure, any other SD error a rejection; warnings and infos are the user's business.
            var done = new Dictionary<int, Outcome>();
            foreach (Diagnostic d in generatorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error))
            {
                int? id = ProgramOf(d.Location.SourceTree?.FilePath);
                if (id is null || !byId.ContainsKey(id.Value))
                {
                    throw new InvalidOperationException($"A generator error outside every program: {d}");
                }

                if (done.ContainsKey(id.Value))
                {
                    continue;
                }

                bool internalError = d.Id == "SD9001" || !d.Id.StartsWith("SD", StringComparison.Ordinal);
                done[id.Value] = new Outcome(byId[id.Value], internalError ? OutcomeKind.Failed : OutcomeKind.Rejected, d.Id, d.ToString()) { Generated = GeneratedOf(id.Value) };
            }

            Timings.Add("generator", TimeSpan.Zero);

            // Compile (one Emit: it reports every error and warning); attribute every warning or error to its program,
            // drop those programs and compile again. Warnings in the fuzzer's own files do not count.
            using var image = new MemoryStream();
            List<FuzzProgram> runnable = programs.ToList();
            for (int round = 0; ; round++)
            {
                runnable = programs.Where(p => !done.ContainsKey(p.Id)).ToList();
                if (runnable.Count == 0)
                {
                    break;
                }

                Compilation final = Without(output, done.Keys).AddSyntaxTrees(CSharpSyntaxTree.ParseText(MasterDriver(runnable), ParseOptions, "FuzzMain.cs"));
                image.SetLength(0);
                EmitResult emit = final.Emit(image);
                var problems = emit.Diagnostics
                    .Where(d => d.Severity == DiagnosticSeverity.Error || (d.Severity == DiagnosticSeverity.Warning && IsGenerated(d.Location.SourceTree?.FilePath)))
                    .ToList();
                if (problems.Count == 0 && emit.Success)
                {
                    break;
                }

                if (round >= 4)
                {
                    throw new InvalidOperationException("Emit failed:\n" + string.Join("\n", problems.Take(20)));
                }

                foreach (var group in problems.GroupBy(d => ProgramOf(d.Location.SourceTree?.FilePath)))
                {
                    if (group.Key is not int id || !byId.ContainsKey(id))
                    {
                        throw new InvalidOperationException("A compile error outside every program:\n" + string.Join("\n", group.Take(10)));
                    }

                    string path = group.First().Location.SourceTree?.FilePath ?? string.Empty;
                    string details = string.Join("\n", group.Take(12));
                    Outcome outcome = IsGenerated(path)
                        ? new Outcome(byId[id], OutcomeKind.Failed, "generated code does not compile", details)
                        : path.EndsWith(".Driver.cs", StringComparison.Ordinal)
                            ? new Outcome(byId[id], OutcomeKind.Failed, "generated signatures do not match the contract", details)
                            : new Outcome(byId[id], OutcomeKind.Invalid, "fuzzer source does not compile", details);
                    done[id] = outcome with { Generated = GeneratedOf(id) };
                }
            }

            foreach (var (id, outcome) in done)
            {
                outcomes[id] = outcome;
            }

            Timings.Add("compile", clock.Elapsed);
            clock.Restart();
            if (runnable.Count == 0)
            {
                return;
            }

            image.Position = 0;
            var context = new AssemblyLoadContext("SymDiff fuzz batch", isCollectible: true);
            var recorder = new Recorder();
            try
            {
                Assembly assembly = context.LoadFromStream(image);
                MethodInfo run = assembly.GetType("__FuzzMain")!.GetMethod("Run")!;
                Exception? crash = null;
                var thread = new Thread(() =>
                {
                    try
                    {
                        run.Invoke(null, BindingFlags.DoNotWrapExceptions, null, new object[] { recorder }, null);
                    }
                    catch (Exception e)
                    {
                        crash = e;
                    }
                }, 16 * 1024 * 1024);
                thread.IsBackground = true;
                thread.Start();
                if (!thread.Join(RunTimeout))
                {
                    int hung = recorder.CurrentProgram;
                    foreach (FuzzProgram p in runnable)
                    {
                        outcomes[p.Id] = p.Id == hung
                            ? new Outcome(p, OutcomeKind.Failed, "hang", $"the driver of P{p.Id} did not finish in {RunTimeout.TotalSeconds} s") { Generated = GeneratedOf(p.Id) }
                            : new Outcome(p, OutcomeKind.Discarded, "not run (batch hung)", string.Empty);
                    }

                    return;
                }

                if (crash is not null)
                {
                    throw new InvalidOperationException("The fuzz driver crashed.", crash);
                }
            }
            finally
            {
                context.Unload();
            }

            Timings.Add("run", clock.Elapsed);
            foreach (FuzzProgram p in runnable)
            {
                if (!recorder.Programs.TryGetValue(p.Id, out ProgramRecord? record))
                {
                    outcomes[p.Id] = new Outcome(p, OutcomeKind.Failed, "driver did not run", string.Empty);
                    continue;
                }

                Checker.Result check = Checker.Check(p, record);
                Outcome outcome = check.Discarded is not null
                    ? new Outcome(p, OutcomeKind.Discarded, check.Discarded, check.Discarded)
                    : check.Disagreements.Count > 0
                        ? new Outcome(p, OutcomeKind.Failed, Classify(check.Disagreements), string.Join("\n", check.Disagreements.Take(12)))
                        : new Outcome(p, OutcomeKind.Passed, "passed", string.Empty);
                bool lanes = p.Vectorize && GeneratedOf(p.Id).Any(g => g.Item2.Contains("Vector256.IsHardwareAccelerated", StringComparison.Ordinal));
                outcomes[p.Id] = outcome with { Lanes = lanes, Compared = check.Compared, Unchecked = check.Unchecked, GuardThrew = check.GuardThrew, Record = record, Generated = outcome.Kind == OutcomeKind.Failed ? GeneratedOf(p.Id) : ImmutableArray<(string, string)>.Empty };
            }
        }

        private static string Classify(List<Disagreement> ds)
        {
            Disagreement first = ds[0];
            if (first.What.StartsWith("HARNESS", StringComparison.Ordinal))
            {
                return "oracle value differs (fuzzer bug)";
            }

            if (first.What.Contains(" threw ", StringComparison.Ordinal))
            {
                return "generated code threw";
            }

            return double.IsNaN(first.Magnitude) ? "value not bit-exact" : "derivative disagrees";
        }

        private static string MasterDriver(IEnumerable<FuzzProgram> programs)
        {
            var sb = new System.Text.StringBuilder();
            sb.Append("using System;\nusing SymDiff.Fuzz.Tests.Oracle;\n\npublic static class __FuzzMain\n{\n    public static void Run(Recorder r)\n    {\n");
            foreach (FuzzProgram p in programs)
            {
                sb.Append($"        r.Begin({p.Id}); try {{ P{p.Id}_Driver.Run(r); }} catch (Exception e) {{ r.Threw(\"Driver\", e); }}\n");
            }

            sb.Append("    }\n}\n");
            return sb.ToString();
        }

        private static Compilation Without(Compilation output, IEnumerable<int> ids)
        {
            var set = new HashSet<int>(ids);
            if (set.Count == 0)
            {
                return output;
            }

            var remove = output.SyntaxTrees.Where(t => ProgramOf(t.FilePath) is int id && set.Contains(id)).ToList();
            return output.RemoveSyntaxTrees(remove);
        }

        private static bool IsGenerated(string? path) => path is not null && path.EndsWith(".g.cs", StringComparison.Ordinal);

        /// <summary>The program a file belongs to: <c>P12.cs</c>, <c>P12.Driver.cs</c>, generated <c>P12.F.g.cs</c>.</summary>
        public static int? ProgramOf(string? path)
        {
            if (path is null)
            {
                return null;
            }

            Match m = ProgramFile.Match(path);
            return m.Success ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;
        }

        public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

        private static ImmutableArray<MetadataReference> LoadReferences()
        {
            string tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
                ?? throw new InvalidOperationException("TRUSTED_PLATFORM_ASSEMBLIES is not set.");
            var paths = new SortedSet<string>(tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal)
            {
                typeof(DifferentiableAttribute).Assembly.Location,
                typeof(Recorder).Assembly.Location,
            };

            // Only the framework, SymDiff and the oracle: the test's own dependencies (xunit, Roslyn) stay out.
            return paths
                .Where(p => !Path.GetFileName(p).StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) && !Path.GetFileName(p).StartsWith("xunit", StringComparison.Ordinal))
                .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
                .ToImmutableArray();
        }
    }
}

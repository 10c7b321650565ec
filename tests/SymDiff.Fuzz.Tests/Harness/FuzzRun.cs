using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using CsCheck;
using SymDiff.Fuzz.Tests.Grammar;

namespace SymDiff.Fuzz.Tests.Harness
{
    /// <summary>Settings of one fuzz run.</summary>
    public sealed record FuzzOptions(int Programs, ulong Seed, int BatchSize = 80, FuzzGrammar Grammar = FuzzGrammar.All)
    {
        /// <summary>Stop at the first failing batch (the fault-injection tests).</summary>
        public bool StopAtFirstFailure { get; init; }

        /// <summary>Count failures of the open bugs in <see cref="KnownBugs"/> apart instead of failing on them.</summary>
        public bool TolerateKnownBugs { get; init; }

        /// <summary>The index of the first program (to re-run the tail of a run).</summary>
        public int First { get; init; }

        /// <summary>Print a line per batch.</summary>
        public Action<string>? Log { get; init; }
    }

    /// <summary>Totals of a run.</summary>
    public sealed class FuzzReport
    {
        public int Programs { get; set; }

        public int Passed { get; set; }

        public SortedDictionary<string, int> Rejections { get; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

        public SortedDictionary<string, int> Discards { get; } = new SortedDictionary<string, int>(StringComparer.Ordinal);

        /// <summary>A few messages per rejecting diagnostic, to see which construct the grammar should not generate.</summary>
        public SortedDictionary<string, List<string>> RejectionExamples { get; } = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);

        public List<Outcome> Failures { get; } = new List<Outcome>();

        public List<Outcome> Invalid { get; } = new List<Outcome>();

        /// <summary>Failures of open bugs listed in <see cref="KnownBugs"/>, by bug id.</summary>
        public SortedDictionary<string, List<Outcome>> Known { get; } = new SortedDictionary<string, List<Outcome>>(StringComparer.Ordinal);

        public int KnownCount => Known.Values.Sum(l => l.Count);

        public long Compared { get; set; }

        public long Unchecked { get; set; }

        /// <summary>Programs whose inputs failed an argument check (the generated methods were checked to throw the same).</summary>
        public int GuardThrows { get; set; }

        public TimeSpan Elapsed { get; set; }

        /// <summary>The seed string (CsCheck's PCG) of each failing program, by id.</summary>
        public Dictionary<int, string> SeedOf { get; } = new Dictionary<int, string>();

        public int RejectionCount => Rejections.Values.Sum();

        /// <summary>Checked <c>Vectorize = true</c> programs whose generated code has SIMD lanes.</summary>
        public int LanePrograms { get; set; }

        /// <summary>Of <see cref="LanePrograms"/>, those with an input or output long enough for the unrolled lanes (<see cref="GrammarCensus"/>).</summary>
        public int LaneProgramsUnrolled { get; set; }

        public string Summary()
        {
            var sb = new StringBuilder();
            sb.AppendLine(CultureInfo.InvariantCulture, $"programs {Programs}, passed {Passed}, failed {Failures.Count}, known open bugs {KnownCount}, rejected {RejectionCount} ({100.0 * RejectionCount / Math.Max(1, Programs):0.00}%), "
                + $"discarded {Discards.Values.Sum()}, invalid {Invalid.Count}; {Compared} numbers compared, {Unchecked} left open by the contract; {GuardThrows} failed an argument check (every generated method threw the same); "
                + $"{Elapsed.TotalSeconds:0.0} s ({Programs / Math.Max(0.001, Elapsed.TotalSeconds):0.0} programs/s)");
            sb.AppendLine(CultureInfo.InvariantCulture, $"Vectorize = true: {LanePrograms} checked programs ran SIMD lanes, {LaneProgramsUnrolled} of them with a length that reaches the unrolled lanes");
            if (Rejections.Count > 0)
            {
                sb.AppendLine("rejections: " + string.Join(", ", Rejections.Select(r => $"{r.Key} {r.Value}")));
                foreach (string example in RejectionExamples.Values.SelectMany(e => e))
                {
                    sb.AppendLine("  " + example);
                }
            }

            foreach (var (id, list) in Known)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"known bug {id} ({KnownBugs.All.First(b => b.Id == id).Title}): {list.Count} programs, e.g. {string.Join(", ", list.Take(5).Select(o => o.Program.Id))}");
            }

            if (Discards.Count > 0)
            {
                sb.AppendLine("discards: " + string.Join(", ", Discards.Select(r => $"{r.Key} {r.Value}")));
            }

            foreach (var group in Failures.GroupBy(f => f.Class))
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"failures '{group.Key}': {group.Count()}");
            }

            return sb.ToString();
        }
    }

    /// <summary>Runs many programs in batches.</summary>
    public static class FuzzRun
    {
        /// <summary>The seed string of program <paramref name="index"/> of a run with master seed <paramref name="seed"/>.</summary>
        public static PCG PcgOf(ulong seed, int index) => new PCG((uint)index, seed);

        public static FuzzProgram Generate(FuzzGrammar grammar, PCG pcg, int id)
        {
            var gen = new ProgramGen(grammar);
            return gen.Generate(pcg, null, out _) with { Id = id };
        }

        public static FuzzReport Run(FuzzOptions options)
        {
            var report = new FuzzReport();
            var clock = Stopwatch.StartNew();
            for (int start = options.First; start < options.Programs; start += options.BatchSize)
            {
                if (Environment.GetEnvironmentVariable("SYMDIFF_FUZZ_LOG") is { Length: > 0 } startLog)
                {
                    System.IO.File.AppendAllText(startLog, $"starting programs {start}..{Math.Min(options.Programs, start + options.BatchSize) - 1}" + Environment.NewLine);
                }

                var batch = new List<FuzzProgram>();
                for (int i = start; i < Math.Min(options.Programs, start + options.BatchSize); i++)
                {
                    PCG pcg = PcgOf(options.Seed, i);
                    string seedString = pcg.ToString();
                    batch.Add(Generate(options.Grammar, pcg, i));
                    report.SeedOf[i] = seedString;
                }

                var outcomes = BatchRunner.Run(batch);
                foreach (Outcome o in outcomes)
                {
                    report.Programs++;
                    report.Compared += o.Compared;
                    report.Unchecked += o.Unchecked;
                    report.GuardThrows += o.GuardThrew ? 1 : 0;
                    if (o.Lanes && o.Kind != OutcomeKind.Discarded)
                    {
                        report.LanePrograms++;
                        report.LaneProgramsUnrolled += GrammarCensus.Of(o.Program).Contains(GrammarCensus.UnrolledLanes) ? 1 : 0;
                    }

                    switch (o.Kind)
                    {
                        case OutcomeKind.Passed:
                            report.Passed++;
                            break;
                        case OutcomeKind.Rejected:
                            report.Rejections[o.Class] = report.Rejections.GetValueOrDefault(o.Class) + 1;
                            if (!report.RejectionExamples.TryGetValue(o.Class, out var examples))
                            {
                                examples = new List<string>();
                                report.RejectionExamples[o.Class] = examples;
                            }

                            if (examples.Count < 4)
                            {
                                examples.Add($"program {o.Program.Id}: {o.Details}");
                            }
                            break;
                        case OutcomeKind.Discarded:
                            report.Discards[o.Class] = report.Discards.GetValueOrDefault(o.Class) + 1;
                            break;
                        case OutcomeKind.Invalid:
                            report.Invalid.Add(o);
                            break;
                        default:
                            if (options.TolerateKnownBugs && KnownBugs.Match(o) is { } bug)
                            {
                                if (!report.Known.TryGetValue(bug.Id, out var list))
                                {
                                    list = new List<Outcome>();
                                    report.Known[bug.Id] = list;
                                }

                                list.Add(o);
                            }
                            else
                            {
                                report.Failures.Add(o);
                            }

                            break;
                    }
                }

                string line = string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed.TotalSeconds:0}s] {report.Programs}/{options.Programs}: failed {report.Failures.Count}, known {report.KnownCount}, rejected {report.RejectionCount}, discarded {report.Discards.Values.Sum()}, invalid {report.Invalid.Count} ({BatchRunner.Timings.Describe()})");
                options.Log?.Invoke(line);
                if (options.Log is null && Environment.GetEnvironmentVariable("SYMDIFF_FUZZ_LOG") is { Length: > 0 } logFile)
                {
                    System.IO.File.AppendAllText(logFile, line + Environment.NewLine);
                }
                if (options.StopAtFirstFailure && report.Failures.Count > 0)
                {
                    break;
                }
            }

            report.Elapsed = clock.Elapsed;
            return report;
        }
    }
}

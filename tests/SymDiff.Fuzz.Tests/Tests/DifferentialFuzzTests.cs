using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using SymDiff.Fuzz.Tests.Grammar;
using SymDiff.Fuzz.Tests.Harness;
using SymDiff.Generator.Testing;
using Xunit;
using Xunit.Abstractions;

namespace SymDiff.Fuzz.Tests.Tests
{
    /// <summary>
    /// The differential fuzzer of issue 9: random programs from a grammar of what README.md says is supported, each
    /// compiled with the generator and checked against a dual-number oracle rendered from the same tree (see
    /// docs/testing.md). One class, so that the runs never compete for the two cores.
    /// </summary>
    /// <remarks>
    /// Environment: <c>SYMDIFF_FUZZ_PROGRAMS</c> (default 2000), <c>SYMDIFF_FUZZ_SEED</c> (default <see cref="CiSeed"/>),
    /// <c>SYMDIFF_FUZZ_GRAMMAR</c> (flags of <see cref="FuzzGrammar"/>, default <see cref="FuzzGrammars.Ci"/>),
    /// <c>SYMDIFF_FUZZ_SHRINK_SECONDS</c> (default 60), <c>SYMDIFF_FUZZ_LOG</c> (a file that receives a progress line per batch),
    /// <c>SYMDIFF_FUZZ_FIRST</c> (resume a long run at this program).
    /// </remarks>
    public sealed class DifferentialFuzzTests
    {
        /// <summary>The seed of the CI run: fixed, so CI is reproducible.</summary>
        public const ulong CiSeed = 20261202;

        /// <summary>Programs in the CI run.</summary>
        public const int CiPrograms = 2000;

        private readonly ITestOutputHelper _out;

        public DifferentialFuzzTests(ITestOutputHelper output) => _out = output;

        private static int Programs => int.TryParse(Environment.GetEnvironmentVariable("SYMDIFF_FUZZ_PROGRAMS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : CiPrograms;

        private static ulong Seed => ulong.TryParse(Environment.GetEnvironmentVariable("SYMDIFF_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong s) ? s : CiSeed;

        private static FuzzGrammar Grammar => Environment.GetEnvironmentVariable("SYMDIFF_FUZZ_GRAMMAR") is { Length: > 0 } g ? Enum.Parse<FuzzGrammar>(g) : FuzzGrammars.Ci;

        /// <summary>SYMDIFF_FUZZ_FIRST: resume a long run at this program index (programs before it are not run).</summary>
        private static int First => int.TryParse(Environment.GetEnvironmentVariable("SYMDIFF_FUZZ_FIRST"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int f) ? f : 0;

        private static int ShrinkSeconds => int.TryParse(Environment.GetEnvironmentVariable("SYMDIFF_FUZZ_SHRINK_SECONDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : 60;

        [Fact]
        public void Random_programs_agree_with_the_dual_number_oracle()
        {
            var options = new FuzzOptions(Programs, Seed, Grammar: Grammar) { Log = Log, TolerateKnownBugs = true, First = First };
            Log($"fuzz: {options.Programs} programs, seed {options.Seed}, grammar {options.Grammar}");
            FuzzReport report = FuzzRun.Run(options);
            Log(report.Summary());

            var failures = new StringBuilder();
            foreach (var group in report.Failures.Concat(report.Invalid).GroupBy(Regression.Signature))
            {
                Outcome first = group.First();
                string seed = report.SeedOf[first.Program.Id];
                Outcome shrunk = Regression.Shrink(first, seed, options.Grammar, ShrinkSeconds, Log);
                failures.AppendLine(CultureInfo.InvariantCulture, $"===== {group.Count()} x {group.Key} (first: program {first.Program.Id}, CsCheck seed \"{seed}\")");
                failures.AppendLine(shrunk.Details);
                failures.AppendLine(Regression.Print(shrunk, seed));
            }

            if (failures.Length > 0)
            {
                Log(failures.ToString());
            }

            Assert.True(report.Invalid.Count == 0, $"The fuzzer generated {report.Invalid.Count} programs that do not compile (a fuzzer bug):\n{failures}");
            Assert.True(report.Failures.Count == 0, $"{report.Failures.Count} of {report.Programs} programs failed:\n{report.Summary()}\n{failures}");
            double rejectionRate = (double)report.RejectionCount / report.Programs;
            Assert.True(rejectionRate < 0.01, $"Rejection rate {rejectionRate:P2} (limit 1%): {report.Summary()}");
        }

        /// <summary>A fuzzer that cannot fail is not a check: each deliberate generator bug must be found by the CI-size run.</summary>
        [Theory]
        [InlineData("SinRuleSign")]
        [InlineData("MulDropsRightTerm")]
        [InlineData("TapeIndexOffByOne")]
        [InlineData("CarriedAdjointNotReset")]
        [InlineData("HoistAcrossLoop")]
        public void Injected_fault_is_caught(string faultName)
        {
            var fault = Enum.Parse<Fault>(faultName);
            var options = new FuzzOptions(CiPrograms, CiSeed, BatchSize: 40, Grammar: FuzzGrammars.Ci);
            int caughtAfter = -1;
            Outcome? caught = null;
            for (int start = 0; start < CiPrograms && caught is null; start += options.BatchSize)
            {
                FuzzReport report;
                using (FaultInjection.Inject(fault))
                {
                    report = FuzzRun.Run(options with { Programs = Math.Min(CiPrograms, start + options.BatchSize), First = start, StopAtFirstFailure = false });
                }

                // A failure counts only if the same program passes on the shipped generator: a known open bug is not the fault.
                foreach (Outcome failure in report.Failures)
                {
                    Outcome clean = BatchRunner.Run(new[] { failure.Program })[0];
                    if (clean.Kind is OutcomeKind.Passed)
                    {
                        caught = failure;
                        caughtAfter = start + options.BatchSize;
                        break;
                    }
                }
            }

            Assert.True(caught is not null, $"The CI-size run ({CiPrograms} programs) never caught the injected fault {fault}.");
            Log($"{fault}: caught within the first {caughtAfter} programs by program {caught!.Program.Id}: {caught.Class}\n{caught.Details.Split('\n')[0]}");
        }

        private void Log(string line)
        {
            _out.WriteLine(line);
            if (Environment.GetEnvironmentVariable("SYMDIFF_FUZZ_LOG") is { Length: > 0 } file)
            {
                File.AppendAllText(file, line + Environment.NewLine);
            }
        }
    }
}

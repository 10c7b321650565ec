using System;
using System.Globalization;
using System.IO;
using SymDiff.Fuzz.Tests.Grammar;
using SymDiff.Fuzz.Tests.Harness;
using Xunit;

namespace SymDiff.Fuzz.Tests.Tests
{
    /// <summary>
    /// Writes programs of a fuzz run to files, to read or repro a failure by its number:
    /// <c>FUZZ_DUMP_IDS=501,606 FUZZ_DUMP_DIR=/tmp dotnet test tests/SymDiff.Fuzz.Tests --filter DumpPrograms</c>
    /// (seed and grammar as the CI run unless <c>SYMDIFF_FUZZ_SEED</c> is set). Does nothing without the variable.
    /// </summary>
    public sealed class DumpPrograms
    {
        [Fact]
        public void Dump()
        {
            string? ids = Environment.GetEnvironmentVariable("FUZZ_DUMP_IDS");
            if (ids is null)
            {
                return;
            }

            ulong seed = ulong.TryParse(Environment.GetEnvironmentVariable("SYMDIFF_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong s) ? s : DifferentialFuzzTests.CiSeed;
            string dir = Environment.GetEnvironmentVariable("FUZZ_DUMP_DIR") ?? Path.GetTempPath();
            foreach (var id in ids.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                int n = int.Parse(id, CultureInfo.InvariantCulture);
                File.WriteAllText(Path.Combine(dir, $"P{n}.cs"), Renderer.Program(FuzzRun.Generate(FuzzGrammars.Ci, FuzzRun.PcgOf(seed, n), n)));
            }
        }
    }
}

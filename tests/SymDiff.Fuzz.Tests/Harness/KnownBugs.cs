using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Fuzz.Tests.Grammar;

namespace SymDiff.Fuzz.Tests.Harness
{
    /// <summary>
    /// Failures of open generator bugs, each written up in tests/SymDiff.Fuzz.Tests/FINDINGS.md, that the CI run counts
    /// and reports but does not fail on, so CI stays green while they are fixed. Only generated code that does not
    /// compile (or crashes) may be listed here; a wrong derivative is never tolerated (F8, NaN gradients from dead
    /// code, was listed while it was open, and only when every disagreement was a NaN next to an infinity). Remove an entry when its bug is
    /// fixed; the run prints how often each entry matched, so a zero count says the entry can go.
    /// </summary>
    public static class KnownBugs
    {
        public sealed record Bug(string Id, string Title, Func<Outcome, bool> Matches);

        public static IReadOnlyList<Bug> All { get; } = new[]
        {
            new Bug("F3", "a condition the generator folds to a constant gives CS0162 (unreachable code) in generated code",
                o => o.Class == "generated code does not compile" && Lines(o).All(l => l.Contains("warning CS0162", StringComparison.Ordinal))),
            new Bug("F5", "hoisting across loops: an adjoint or temporary used before its declaration or out of scope (CS0841, CS0103)",
                o => o.Class == "generated code does not compile" && Lines(o).All(l => l.Contains("error CS0841", StringComparison.Ordinal) || l.Contains("error CS0103", StringComparison.Ordinal) || l.Contains("error CS0165", StringComparison.Ordinal))),
            new Bug("F6", "with no active scalar (every active span empty), GJacobian does not write the outputs and FHessian/FHessianVectorProduct return 0",
                o => o.Class == "value not bit-exact" && DriverRenderer.ActiveCount(o.Program) == 0
                    && Lines(o).All(l => l.StartsWith("GJacobian's output", StringComparison.Ordinal) || l.StartsWith("FHessian", StringComparison.Ordinal))),
            new Bug("F7", "int locals updated inside a loop are not restored per iteration in the reverse sweep: IndexOutOfRangeException from generated code",
                o => o.Class == "generated code threw" && Lines(o).All(l => l.Contains("threw IndexOutOfRangeException", StringComparison.Ordinal))),
        };

        /// <summary>The known bug <paramref name="o"/> is an instance of, if any.</summary>
        public static Bug? Match(Outcome o) => All.FirstOrDefault(b => b.Matches(o));

        private static IEnumerable<string> Lines(Outcome o) => o.Details.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}

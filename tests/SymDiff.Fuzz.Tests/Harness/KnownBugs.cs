using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Fuzz.Tests.Grammar;

namespace SymDiff.Fuzz.Tests.Harness
{
    /// <summary>
    /// Failures of open generator bugs, each written up in tests/SymDiff.Fuzz.Tests/FINDINGS.md, that the CI run counts
    /// and reports but does not fail on, so CI stays green while they are fixed. Only generated code that does not
    /// compile (or crashes) may be listed here, and F8, whose derivatives are NaN (loud, never a silently wrong
    /// number) and only where the oracle met an infinity; a finite wrong derivative is never tolerated. Remove an entry when its bug is
    /// fixed; the run prints how often each entry matched, so a zero count says the entry can go.
    /// </summary>
    public static class KnownBugs
    {
        public sealed record Bug(string Id, string Title, Func<Outcome, bool> Matches);

        public static IReadOnlyList<Bug> All { get; } = new[]
        {
            new Bug("F3", "a condition the generator folds to a constant gives CS0162 (unreachable code) in generated code",
                o => o.Class == "generated code does not compile" && Lines(o).All(l => l.Contains("warning CS0162", StringComparison.Ordinal))),
            new Bug("F4", "Math.Clamp in a float method is emitted as MathF.Clamp, which does not exist (CS0117)",
                o => o.Class == "generated code does not compile" && Lines(o).All(l => l.Contains("'MathF' does not contain a definition for 'Clamp'", StringComparison.Ordinal))),
            new Bug("F5", "hoisting across loops: an adjoint or temporary used before its declaration or out of scope (CS0841, CS0103)",
                o => o.Class == "generated code does not compile" && Lines(o).All(l => l.Contains("error CS0841", StringComparison.Ordinal) || l.Contains("error CS0103", StringComparison.Ordinal) || l.Contains("error CS0165", StringComparison.Ordinal))),
            new Bug("F6", "with no active scalar (every active span empty), GJacobian does not write the outputs and FHessian/FHessianVectorProduct return 0",
                o => o.Class == "value not bit-exact" && DriverRenderer.ActiveCount(o.Program) == 0
                    && Lines(o).All(l => l.StartsWith("GJacobian's output", StringComparison.Ordinal) || l.StartsWith("FHessian", StringComparison.Ordinal))),
            new Bug("F7", "int locals updated inside a loop are not restored per iteration in the reverse sweep: IndexOutOfRangeException from generated code",
                o => o.Class == "generated code threw" && Lines(o).All(l => l.Contains("threw IndexOutOfRangeException", StringComparison.Ordinal))),
            new Bug("F8", "values that do not reach the result still get a reverse sweep: an infinite partial or an overflowed value there makes 0 * inf = NaN in a gradient that should be finite",
                o => o.Class == "derivative disagrees" && o.Record is { NonFiniteSeen: true } && Lines(o).All(l => l.Contains(": got NaN, want ", StringComparison.Ordinal))),
            new Bug("F9", "Max/Min of two equal expressions: the generated rule compares the expression with itself (CS1718)",
                o => o.Class == "generated code does not compile" && Lines(o).All(l => l.Contains("warning CS1718", StringComparison.Ordinal) || l.Contains("'MathF' does not contain a definition for 'Clamp'", StringComparison.Ordinal) || l.Contains("warning CS0162", StringComparison.Ordinal))),
        };

        /// <summary>The known bug <paramref name="o"/> is an instance of, if any.</summary>
        public static Bug? Match(Outcome o) => All.FirstOrDefault(b => b.Matches(o));

        private static IEnumerable<string> Lines(Outcome o) => o.Details.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Fuzz.Tests.Grammar;

namespace SymDiff.Fuzz.Tests.Harness
{
    /// <summary>
    /// Failures of open generator bugs, each written up in tests/SymDiff.Fuzz.Tests/FINDINGS.md, that the CI run counts
    /// and reports but does not fail on, so CI stays green while they are fixed. Only generated code that does not
    /// compile (or crashes) may be listed here; a wrong derivative is never tolerated, with one narrow exception: a NaN from
    /// a reverse sweep where the oracle has a finite number, in a program whose values overflowed (0 * inf), as F8 was while
    /// it was open and F15 is now. Remove an entry when its bug is fixed; the run prints how often each entry matched, so a
    /// zero count says the entry can go.
    /// </summary>
    public static class KnownBugs
    {
        public sealed record Bug(string Id, string Title, Func<Outcome, bool> Matches);

        /// <summary>How the failure lines of the reverse-mode methods begin.</summary>
        private static readonly string[] ReverseMode = { "FGradient ", "FBackward ", "GBackward ", "GJacobian[" };

        public static IReadOnlyList<Bug> All { get; } = new[]
        {
            // The one wrong-derivative class tolerated, as F8 was: only NaN where the oracle has a finite number, only from a
            // reverse sweep (forward mode is right), and only in a program whose values overflowed (0 * inf).
            new Bug("F15", "an early return not taken still sends a zero adjoint through the loop's overflowed values: 0 * inf = NaN in a reverse-mode gradient that should be finite",
                o => o.Class == "derivative disagrees" && o.Record is { NonFiniteSeen: true }
                    && Lines(o).All(l => l.Contains(": got NaN, want ", StringComparison.Ordinal) && !l.Contains("want NaN", StringComparison.Ordinal)
                        && ReverseMode.Any(m => l.StartsWith(m, StringComparison.Ordinal)))),
            new Bug("F16", "with an early return in a loop, the reverse sweep recomputes an inner loop of data with the outer counter at its final value: IndexOutOfRangeException from Gradient/Backward",
                o => o.Class == "generated code threw"
                    && Lines(o).All(l => (l.StartsWith("Gradient threw ", StringComparison.Ordinal) || l.StartsWith("Backward threw ", StringComparison.Ordinal) || l.StartsWith("Jacobian threw ", StringComparison.Ordinal))
                        && l.Contains("IndexOutOfRangeException", StringComparison.Ordinal))),
        };


        /// <summary>The known bug <paramref name="o"/> is an instance of, if any.</summary>
        public static Bug? Match(Outcome o) => All.FirstOrDefault(b => b.Matches(o));

        private static IEnumerable<string> Lines(Outcome o) => o.Details.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }
}

using System;
using System.Diagnostics;

namespace SymDiff.Generator.Testing
{
    /// <summary>
    /// Where generator time goes, for benchmarks and profiling harnesses: when <see cref="Sink"/> is set, each measured
    /// phase reports its name and elapsed time. Unset (as in the compiler) a measurement costs one field read.
    /// </summary>
    internal static class PhaseTimer
    {
        /// <summary>Receives (phase, elapsed) for every measured phase; set by a harness, never by the generator.</summary>
        public static Action<string, TimeSpan>? Sink { get; set; }

        public static Scope Measure(string phase) => new Scope(Sink is null ? null : phase);

        internal readonly struct Scope : IDisposable
        {
            private readonly string? _phase;
            private readonly long _start;

            public Scope(string? phase)
            {
                _phase = phase;
                _start = phase is null ? 0 : Stopwatch.GetTimestamp();
            }

            public void Dispose()
            {
                if (_phase is not null)
                {
                    Sink?.Invoke(_phase, TimeSpan.FromTicks((long)((Stopwatch.GetTimestamp() - _start) * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency))));
                }
            }
        }
    }
}

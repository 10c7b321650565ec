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

        /// <summary>Receives (phase, bytes allocated on the phase's thread) for every measured phase, when <see cref="Sink"/> is set too.</summary>
        public static Action<string, long>? AllocationSink { get; set; }

        /// <summary>The bytes allocated so far on the current thread (<c>GC.GetAllocatedBytesForCurrentThread</c>, which netstandard2.0 lacks); set with <see cref="AllocationSink"/>.</summary>
        public static Func<long>? AllocatedBytes { get; set; }

        public static Scope Measure(string phase) => new Scope(Sink is null ? null : phase);

        internal readonly struct Scope : IDisposable
        {
            private readonly string? _phase;
            private readonly long _start;
            private readonly long _allocated;

            public Scope(string? phase)
            {
                _phase = phase;
                _allocated = phase is null || AllocatedBytes is null ? 0 : AllocatedBytes();
                _start = phase is null ? 0 : Stopwatch.GetTimestamp();
            }

            public void Dispose()
            {
                if (_phase is not null)
                {
                    Sink?.Invoke(_phase, TimeSpan.FromTicks((long)((Stopwatch.GetTimestamp() - _start) * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency))));
                    if (AllocatedBytes is { } allocated)
                    {
                        AllocationSink?.Invoke(_phase, allocated() - _allocated);
                    }
                }
            }
        }
    }
}

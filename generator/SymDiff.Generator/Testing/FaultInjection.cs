using System;
using System.Threading;

namespace SymDiff.Generator.Testing
{
    /// <summary>
    /// Deliberate bugs that a test can switch on to prove that the differential fuzzer catches a broken
    /// generator (a fuzzer that cannot fail is not a check). Each names one place in the generator.
    /// </summary>
    internal enum Fault
    {
        /// <summary>The generator as shipped.</summary>
        None,

        /// <summary><c>sin' = -cos</c>: a sign error in one derivative rule.</summary>
        SinRuleSign,

        /// <summary>Reverse mode of <c>a * b</c> with both operands active drops the contribution to <c>b</c>.</summary>
        MulDropsRightTerm,

        /// <summary>A loop's reverse sweep restores its stored values from the tape slot one past the right one.</summary>
        TapeIndexOffByOne,

        /// <summary>A carried adjoint of an unfused loop adds its previous value instead of being replaced each iteration.</summary>
        CarriedAdjointNotReset,

        /// <summary>A fused loop treats every factor of a contribution as loop-invariant and moves it after the loop.</summary>
        HoistAcrossLoop,

        /// <summary>Differentiating a method whose name starts with <c>Crash</c> throws: the path to SD9001.</summary>
        CrashInDifferentiation,

        /// <summary>Emitting a method whose name starts with <c>Crash</c> throws: the path to SD9001 from the last step.</summary>
        CrashInEmit,
    }

    /// <summary>
    /// The switch for <see cref="Fault"/>. Scoped to the calling async flow, so tests running in parallel never see
    /// each other's faults; in the compiler it is always <see cref="Fault.None"/> (one field read per check).
    /// </summary>
    internal static class FaultInjection
    {
        private static readonly AsyncLocal<Fault> s_current = new AsyncLocal<Fault>();

        /// <summary>Whether <paramref name="fault"/> is switched on in this flow.</summary>
        public static bool Is(Fault fault) => fault != Fault.None && s_current.Value == fault;

        /// <summary>Switches <paramref name="fault"/> on until the result is disposed.</summary>
        public static IDisposable Inject(Fault fault)
        {
            var previous = s_current.Value;
            s_current.Value = fault;
            return new Scope(previous);
        }

        private sealed class Scope : IDisposable
        {
            private readonly Fault _previous;

            public Scope(Fault previous) => _previous = previous;

            public void Dispose() => s_current.Value = _previous;
        }
    }
}

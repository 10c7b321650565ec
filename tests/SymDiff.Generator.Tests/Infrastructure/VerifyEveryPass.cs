using System.Runtime.CompilerServices;
using SymDiff.Generator.Verification;

namespace SymDiff.Generator.Tests.Infrastructure
{
    /// <summary>Every test of this project runs the IR verifier after every pass of the generator, not only on the final IR.</summary>
    internal static class VerifyEveryPass
    {
        [ModuleInitializer]
        internal static void Initialize() => IrVerifier.Level = VerificationLevel.EveryPass;
    }
}

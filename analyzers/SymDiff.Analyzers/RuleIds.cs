using SymDiff.Generator.Diagnostics;

namespace SymDiff.Analyzers
{
    /// <summary>
    /// The IDs and diagnostic property names the code fixes need, re-exported from the generator's descriptor table
    /// (which is internal to the generator and visible to this assembly only).
    /// </summary>
    internal static class RuleIds
    {
        public const string NotPartial = DiagnosticDescriptors.NotPartialId;
        public const string LeafMutation = DiagnosticDescriptors.LeafMutationId;
        public const string MissingGradientReset = DiagnosticDescriptors.MissingGradientResetId;
        public const string OptimizerBufferReplaced = DiagnosticDescriptors.OptimizerBufferReplacedId;

        /// <summary>SD2006 property, present when the replacement is a fresh zeroed array of gradients that clearing the old one can stand for.</summary>
        public const string ClearProperty = "Clear";

        /// <summary>
        /// SD2001 property: the resets the loop lacks, one per line, each <c>Kind|text</c>: <c>Optimizer|optimizer</c>
        /// (call its <c>ZeroGrad()</c>), <c>Scalar|dw</c>, <c>Array|gradients</c> or <c>Span|g</c>, the text as written at the call.
        /// </summary>
        public const string ResetsProperty = "Resets";
    }
}

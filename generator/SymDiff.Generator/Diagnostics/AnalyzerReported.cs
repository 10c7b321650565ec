using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Diagnostics
{
    /// <summary>
    /// The errors the generator's parser finds but leaves to an analyzer to report: SD0001 (containing type not
    /// partial) and SD1001 (a leaf parameter modified). Both have code fixes, and <c>dotnet format analyzers</c>
    /// applies code fixes to analyzer diagnostics only, never to a generator's. So the parser keeps finding them (it must
    /// know that the method cannot be generated), the generator drops them from what it reports, and
    /// <c>ParserDiagnosticsAnalyzer</c> (analyzers/SymDiff.Analyzers) runs the same parser and reports exactly these.
    /// Every diagnostic is reported once, by one of the two. .NET's LibraryImport generator and analyzer split the same way.
    /// </summary>
    /// <remarks>
    /// A build with analyzers turned off (<c>RunAnalyzers=false</c>) runs the generator only. Such a method's stubs then
    /// carry <c>[Obsolete(..., error: true)]</c> (<see cref="MarkStubs"/>), so calling one is still a compile error that
    /// names the problem, and the build cannot succeed with a call that would only throw at run time. A method in a
    /// type that is not partial gets no code at all, so its calls fail to compile anyway (CS0117).
    /// </remarks>
    internal static class AnalyzerReported
    {
        /// <summary>Whether the diagnostic <paramref name="id"/> is reported by an analyzer rather than by the generator.</summary>
        public static bool Contains(string id) =>
            id == DiagnosticDescriptors.NotPartialId || id == DiagnosticDescriptors.LeafMutationId;

        /// <summary>The diagnostics of <paramref name="all"/> that the generator reports itself.</summary>
        public static EquatableArray<DiagnosticInfo> GeneratorReported(EquatableArray<DiagnosticInfo> all) =>
            all.Any(d => Contains(d.Id)) ? all.Where(d => !Contains(d.Id)).ToEquatableArray() : all;

        /// <summary>
        /// <paramref name="set"/>, with every method marked obsolete-as-error when it holds stubs only because of errors
        /// that analyzers report (the generator reports no error of its own for the method, so without this a build
        /// with analyzers off would compile calls that throw).
        /// </summary>
        /// <param name="errorIds">The IDs of every error found for the method (positions play no part: moving the method re-emits nothing).</param>
        public static DerivativeSet MarkStubs(DerivativeSet set, MethodSpec spec, bool bodyIsValid, EquatableArray<string> errorIds)
        {
            if (bodyIsValid || errorIds.Count == 0 || !errorIds.All(Contains))
            {
                return set;
            }

            string id = errorIds.Contains(DiagnosticDescriptors.LeafMutationId) ? DiagnosticDescriptors.LeafMutationId : errorIds[0];
            string problem = id == DiagnosticDescriptors.LeafMutationId ? "modifies a parameter it differentiates" : "has an error";
            string message = "SymDiff cannot generate this method: '" + spec.DisplayName + "' " + problem + " (" + id
                + ", reported at the method). Fix it, for example with 'dotnet format analyzers --diagnostics " + id + "'.";
            return set with { Methods = set.Methods.Select(m => m.Unsupported is null ? m : m with { ObsoleteError = message }).ToEquatableArray() };
        }
    }
}

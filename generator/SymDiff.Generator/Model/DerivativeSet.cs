using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Model
{
    /// <summary>A parameter of a generated method.</summary>
    /// <param name="Modifier">"", "out" or "ref".</param>
    /// <param name="Accumulates">Whether it carries <c>[SymDiff.Accumulates]</c>.</param>
    /// <param name="Doc">Its XML documentation text.</param>
    internal sealed record GeneratedParam(string Name, string TypeCode, string Modifier, bool Accumulates, string Doc);

    /// <summary>A buffer whose length is checked before anything is written.</summary>
    /// <param name="Buffer">The buffer parameter.</param>
    /// <param name="ExpectedLength">C# for the length it must have.</param>
    /// <param name="Message">The exception message, with <c>{0}</c> for the buffer's length and <c>{1}</c> for the expected one.</param>
    internal sealed record LengthCheck(string Buffer, string ExpectedLength, string Message);

    /// <summary>One generated method: signature, checks, and its body as scheduled IR.</summary>
    /// <param name="Hoisted">Names the body assigns after declaring them (scope repair).</param>
    /// <param name="Unsupported">When set, the body only throws <c>NotSupportedException</c> with this message.</param>
    internal sealed record MethodFamily(
        string Name,
        string ReturnType,
        EquatableArray<GeneratedParam> Parameters,
        EquatableArray<LengthCheck> Checks,
        Block Body,
        EquatableArray<string> Hoisted,
        string Summary,
        string? Returns,
        string? Unsupported)
    {
        /// <summary>When set, the body as C# lines, written as they are (the Jacobian drivers).</summary>
        public EquatableArray<string> RawBody { get; init; } = EquatableArray<string>.Empty;

        /// <summary>C# lines written after the checks and before <see cref="Body"/> (the views of flattened buffers).</summary>
        public EquatableArray<string> Prelude { get; init; } = EquatableArray<string>.Empty;

        /// <summary>When set (on stubs only), the method carries <c>[Obsolete(ObsoleteError, true)]</c>: see <c>AnalyzerReported</c>.</summary>
        public string? ObsoleteError { get; init; }
    }

    /// <summary>Everything emitted for one <c>[Differentiable]</c> method: one source file.</summary>
    internal sealed record DerivativeSet(
        string HintName,
        string? Namespace,
        EquatableArray<TypeDeclSpec> ContainingTypes,
        string Accessibility,
        bool IsStatic,
        EquatableArray<MethodFamily> Methods)
    {
        /// <summary>The consuming project's C# language version (see <see cref="LanguageVersions"/>).</summary>
        public int LanguageVersion { get; init; } = LanguageVersions.Latest;

        /// <summary>Whether the method is nested deeply enough that emitting it runs on a large stack.</summary>
        public bool IsDeep { get; init; }
    }
}

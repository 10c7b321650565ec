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
    /// <param name="ExpectedLength">The length it must have, an int expression of the parameters.</param>
    /// <param name="Message">The exception message, with <c>{0}</c> for the buffer's length and <c>{1}</c> for the expected one.</param>
    internal sealed record LengthCheck(string Buffer, Expr ExpectedLength, string Message);

    /// <summary>
    /// An output buffer that must not share memory with another span of the call (API.md section 9): checked before
    /// anything is written, an <c>ArgumentException</c> naming <see cref="Buffer"/> otherwise.
    /// </summary>
    /// <param name="Element">The element type both spans have.</param>
    internal sealed record AliasCheck(string Buffer, string Other, ValType Element);

    /// <summary>One generated method: signature, checks, and its body as IR (scheduled, or a driver written directly as IR).</summary>
    /// <param name="Hoisted">Names the body assigns after declaring them (scope repair).</param>
    /// <param name="Unsupported">When set, the body only throws <c>NotSupportedException</c> with this message.</param>
    internal sealed record MethodFamily(
        string Name,
        string ReturnType,
        EquatableArray<GeneratedParam> Parameters,
        EquatableArray<LengthCheck> Checks,
        EquatableArray<AliasCheck> Aliases,
        Block Body,
        EquatableArray<string> Hoisted,
        string Summary,
        string? Returns,
        string? Unsupported)
    {
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

        /// <summary>The argument checks every generated method with a body runs first, after its buffer checks.</summary>
        public EquatableArray<GuardSpec> Guards { get; init; } = EquatableArray<GuardSpec>.Empty;

        /// <summary>Whether the method is nested deeply enough that emitting it runs on a large stack.</summary>
        public bool IsDeep { get; init; }
    }
}

using Microsoft.CodeAnalysis;

namespace SymDiff.Generator.Parsing
{
    /// <summary>
    /// The types the fence recognises, resolved once per body from its compilation and compared as symbols (as the
    /// analyzers' <c>KnownSymbols</c> does), never by their display text.
    /// </summary>
    internal sealed class KnownTypes
    {
        private readonly INamedTypeSymbol? _math;
        private readonly INamedTypeSymbol? _mathF;
        private readonly INamedTypeSymbol? _grad;
        private readonly INamedTypeSymbol? _span;
        private readonly INamedTypeSymbol? _readOnlySpan;

        public KnownTypes(Compilation compilation)
        {
            _math = compilation.GetTypeByMetadataName("System.Math");
            _mathF = compilation.GetTypeByMetadataName("System.MathF");
            _grad = compilation.GetTypeByMetadataName(KnownNames.Grad);
            _span = compilation.GetTypeByMetadataName("System.Span`1");
            _readOnlySpan = compilation.GetTypeByMetadataName("System.ReadOnlySpan`1");
        }

        /// <summary><c>double</c> or <c>float</c>, whose static math methods (<c>double.Sin</c>) are the math functions too.</summary>
        public static bool IsNumber(ITypeSymbol? type) => type?.SpecialType is SpecialType.System_Double or SpecialType.System_Single;

        /// <summary><c>System.Math</c> or <c>System.MathF</c>.</summary>
        public bool IsMathClass(ITypeSymbol? type) => Is(type, _math) || Is(type, _mathF);

        /// <summary><c>SymDiff.Grad</c> (<c>Detach</c>, <c>Retain</c>).</summary>
        public bool IsGrad(ITypeSymbol? type) => Is(type, _grad);

        /// <summary><c>System.Span&lt;T&gt;</c> of any <c>T</c>.</summary>
        public bool IsSpan(ITypeSymbol? type) => Is(type?.OriginalDefinition, _span);

        /// <summary><c>System.ReadOnlySpan&lt;T&gt;</c> of any <c>T</c>.</summary>
        public bool IsReadOnlySpan(ITypeSymbol? type) => Is(type?.OriginalDefinition, _readOnlySpan);

        private static bool Is(ITypeSymbol? type, INamedTypeSymbol? known) => known is not null && SymbolEqualityComparer.Default.Equals(type, known);
    }
}

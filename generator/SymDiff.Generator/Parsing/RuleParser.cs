using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Parsing
{
    /// <summary>Reads a <c>[DerivativeOf(typeof(T), nameof(T.F))]</c> method into a <see cref="RuleSpec"/>. Checking the rule is the analyzer's job.</summary>
    internal static class RuleParser
    {
        public static RuleSpec? Parse(IMethodSymbol? rule, ImmutableArray<AttributeData> attributes)
        {
            var attribute = attributes.FirstOrDefault();
            if (rule is null || attribute is null || attribute.ConstructorArguments.Length != 2
                || attribute.ConstructorArguments[0].Value is not INamedTypeSymbol type || attribute.ConstructorArguments[1].Value is not string name)
            {
                return null;
            }

            var format = SymbolDisplayFormat.FullyQualifiedFormat;
            return new RuleSpec(
                type.ToDisplayString(format),
                name,
                rule.Parameters.Select(p => p.Type.ToDisplayString(format)).ToEquatableArray(),
                rule.ContainingType.ToDisplayString(format),
                rule.Name,
                rule.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownNames.DifferentiableAttribute));
        }
    }
}

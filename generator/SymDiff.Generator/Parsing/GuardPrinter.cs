using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SymDiff.Generator.Parsing
{
    /// <summary>
    /// Prints the user's code of an argument check so that it compiles in a generated file, which has none of the user's
    /// <c>using</c> directives: every type, namespace and static member named by a simple name is written fully qualified
    /// (<c>ArgumentException</c> becomes <c>global::System.ArgumentException</c>, <c>Abs</c> under <c>using static
    /// System.Math</c> becomes <c>global::System.Math.Abs</c>). Parameters, <c>nameof</c> and literals stay as written.
    /// </summary>
    internal static class GuardPrinter
    {
        /// <summary>The expression as one line of C#, or null with <paramref name="problem"/> set when it cannot be moved.</summary>
        public static string? Print(ExpressionSyntax expression, SemanticModel model, out string? problem)
        {
            var qualifier = new Qualifier(model);
            var rewritten = (ExpressionSyntax)qualifier.Visit(expression);
            problem = qualifier.Problem;
            return problem is null ? rewritten.NormalizeWhitespace(indentation: string.Empty, eol: " ").ToFullString() : null;
        }

        private sealed class Qualifier : CSharpSyntaxRewriter
        {
            private readonly SemanticModel _model;

            public Qualifier(SemanticModel model) => _model = model;

            public string? Problem { get; private set; }

            public override SyntaxNode? VisitIdentifierName(IdentifierNameSyntax node) => Qualify(node) ?? base.VisitIdentifierName(node);

            public override SyntaxNode? VisitGenericName(GenericNameSyntax node) => Qualify(node) ?? base.VisitGenericName(node);

            private SyntaxNode? Qualify(SimpleNameSyntax node)
            {
                var symbol = _model.GetSymbolInfo(node).Symbol;
                if (symbol is IMethodSymbol { MethodKind: MethodKind.ReducedExtension })
                {
                    Problem = $"the extension method call '{node.Parent}'";
                    return null;
                }

                if (symbol is ILocalSymbol)
                {
                    Problem = $"the local '{node}'";
                    return null;
                }

                // The right of 'a.b', 'A::b', a named argument, or a name inside nameof: written as it is.
                if (node.Parent is MemberAccessExpressionSyntax access && access.Name == node
                    || node.Parent is QualifiedNameSyntax qualified && qualified.Right == node
                    || node.Parent is AliasQualifiedNameSyntax
                    || node.Parent is NameColonSyntax
                    || node.Ancestors().OfType<InvocationExpressionSyntax>().Any(i => i.Expression is IdentifierNameSyntax { Identifier.ValueText: "nameof" } && _model.GetSymbolInfo(i).Symbol is null))
                {
                    return null;
                }

                switch (symbol)
                {
                    case INamespaceSymbol { IsGlobalNamespace: false } ns:
                        return SyntaxFactory.ParseTypeName(ns.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).WithTriviaFrom(node);
                    case ITypeSymbol type and not ITypeParameterSymbol:
                        return SyntaxFactory.ParseTypeName(type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).WithTriviaFrom(node);
                    case { IsStatic: true, ContainingType: { } owner } and (IMethodSymbol or IFieldSymbol or IPropertySymbol or IEventSymbol):
                        return SyntaxFactory.ParseExpression(owner.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + node.ToString()).WithTriviaFrom(node);
                    default:
                        return null;
                }
            }
        }
    }
}

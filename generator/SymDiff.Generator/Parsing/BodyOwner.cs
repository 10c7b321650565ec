using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.Parsing
{
    /// <summary>
    /// The declaration of a <c>[Differentiable]</c> method that holds its body. For a partial method whose attribute
    /// is on the declaring part (<c>[Differentiable] public static partial double F(double x);</c>), that is the
    /// implementing part, with its own symbol (whose parameters the body refers to) and semantic model; for every other
    /// method, the attributed declaration itself.
    /// </summary>
    internal static class BodyOwner
    {
        /// <summary>
        /// The method, declaration and model to parse for <paramref name="method"/> declared by <paramref name="syntax"/>.
        /// Generator only: an analyzer would need <c>Compilation.GetSemanticModel</c> here (RS1030), so
        /// <c>ParserDiagnosticsAnalyzer</c> starts from the implementing part instead (<see cref="IsParsedDeclaration"/>).
        /// </summary>
        public static (IMethodSymbol Method, MethodDeclarationSyntax Syntax, SemanticModel Model) Find(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken ct)
        {
            if (syntax.Body is not null || syntax.ExpressionBody is not null
                || method.PartialImplementationPart is not { } implementation
                || implementation.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) is not MethodDeclarationSyntax implementationSyntax)
            {
                return (method, syntax, model);
            }

            var implementationModel = implementationSyntax.SyntaxTree == syntax.SyntaxTree
                ? model
                : model.Compilation.GetSemanticModel(implementationSyntax.SyntaxTree);
            return (implementation, implementationSyntax, implementationModel);
        }

        /// <summary>
        /// <see cref="Parser.Parse"/> as the generator runs it, for the analyzers that share it: on a large stack when the
        /// body nests more deeply than the calling thread can walk recursively (<see cref="Limits.DeepNesting"/>).
        /// </summary>
        public static ParseResult Parse(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken ct)
        {
            int nesting = Parser.NestingDepth(syntax);
            return nesting > Limits.DeepNesting
                ? Limits.OnDeepStack(() => Parser.Parse(method, syntax, model, ct, nesting))
                : Parser.Parse(method, syntax, model, ct, nesting);
        }

        /// <summary>
        /// Whether <paramref name="syntax"/>, a declaration of <paramref name="method"/>, is the one the generator parses:
        /// the declaration that carries <c>[Differentiable]</c>, or the implementing part of a partial method whose
        /// declaring part carries it. Decided from the symbol's attributes, so no other syntax tree is bound.
        /// </summary>
        public static bool IsParsedDeclaration(IMethodSymbol method, MethodDeclarationSyntax syntax)
        {
            var site = method.GetAttributes()
                .FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == KnownNames.DifferentiableAttribute)?.ApplicationSyntaxReference;
            if (site is null)
            {
                return false;
            }

            bool hasBody = syntax.Body is not null || syntax.ExpressionBody is not null;
            if (Holds(syntax.SyntaxTree, syntax.Span, site))
            {
                return hasBody || method.PartialImplementationPart is null;
            }

            return hasBody && method.PartialDefinitionPart is { } definition
                && definition.DeclaringSyntaxReferences.Any(d => Holds(d.SyntaxTree, d.Span, site));
        }

        private static bool Holds(SyntaxTree tree, Microsoft.CodeAnalysis.Text.TextSpan span, SyntaxReference site) =>
            site.SyntaxTree == tree && span.Contains(site.Span);
    }
}

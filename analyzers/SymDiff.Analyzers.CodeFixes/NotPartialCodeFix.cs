using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SymDiff.Analyzers.CodeFixes
{
    /// <summary>
    /// SD0001 (reported by the generator at a <c>[Differentiable]</c> method's name): adds <c>partial</c> to every
    /// type around the method that lacks it, so the generated part can join them.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NotPartialCodeFix)), Shared]
    public sealed class NotPartialCodeFix : CodeFixProvider
    {
        private const string Title = "Make the containing types partial";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.NotPartial);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var method = root?.FindToken(context.Span.Start).Parent?.AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (method is null || !method.Ancestors().OfType<TypeDeclarationSyntax>().Any(IsNotPartial))
            {
                return;
            }

            foreach (var diagnostic in context.Diagnostics)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => AddPartialAsync(context.Document, method.Identifier.Span, ct), equivalenceKey: Title),
                    diagnostic);
            }
        }

        private static async Task<Document> AddPartialAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan methodName, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            var method = root?.FindToken(methodName.Start).Parent?.AncestorsAndSelf().OfType<MethodDeclarationSyntax>().FirstOrDefault();
            if (root is null || method is null)
            {
                return document;
            }

            var types = method.Ancestors().OfType<TypeDeclarationSyntax>().Where(IsNotPartial).ToList();
            return document.WithSyntaxRoot(root.ReplaceNodes(types, (_, rewritten) => AddPartial(rewritten)));
        }

        private static bool IsNotPartial(TypeDeclarationSyntax type) => !type.Modifiers.Any(SyntaxKind.PartialKeyword);

        /// <summary>Puts <c>partial</c> last among the modifiers, right before the type keyword, keeping the layout.</summary>
        private static TypeDeclarationSyntax AddPartial(TypeDeclarationSyntax type)
        {
            if (type.Modifiers.Count == 0)
            {
                // "class C" -> "partial class C": the keyword's leading trivia (indentation, comments) moves to 'partial'.
                var keyword = type.Keyword;
                var partial = SyntaxFactory.Token(keyword.LeadingTrivia, SyntaxKind.PartialKeyword, SyntaxFactory.TriviaList(SyntaxFactory.Space));
                return type.WithKeyword(keyword.WithLeadingTrivia()).WithModifiers(SyntaxFactory.TokenList(partial));
            }

            return type.WithModifiers(type.Modifiers.Add(SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space)));
        }
    }
}

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
    /// SD2006: replaces <c>g = new double[n];</c>, where <c>g</c> is an optimizer's gradient array, by
    /// <c>Array.Clear(g);</c>, which zeroes the array the optimizer holds. Offered only for a fresh array without an
    /// initializer (the analyzer says so in the diagnostic's properties): anything else is not a reset.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReplacedBufferCodeFix)), Shared]
    public sealed class ReplacedBufferCodeFix : CodeFixProvider
    {
        private const string Title = "Clear the array the optimizer holds instead of replacing it";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.OptimizerBufferReplaced);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                if (diagnostic.Properties.ContainsKey(RuleIds.ClearProperty))
                {
                    context.RegisterCodeFix(
                        CodeAction.Create(Title, ct => ClearAsync(context.Document, diagnostic.Location.SourceSpan, ct), equivalenceKey: Title),
                        diagnostic);
                }
            }

            return Task.CompletedTask;
        }

        private static async Task<Document> ClearAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
            if (root?.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AssignmentExpressionSyntax>() is not { Parent: ExpressionStatementSyntax statement } assignment
                || model is null)
            {
                return document;
            }

            var clear = SyntaxFactory.ParseStatement(MissingGradientResetCodeFix.ResetCode("Array", assignment.Left.ToString(), model, statement.SpanStart))
                .WithTriviaFrom(statement);
            return document.WithSyntaxRoot(root.ReplaceNode(statement, clear));
        }
    }
}

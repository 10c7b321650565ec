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
    /// SD2001: inserts the missing reset at the top of the loop the diagnostic names (its additional location):
    /// <c>optimizer.ZeroGrad();</c> when the loop steps an optimizer that owns the buffer, else <c>dw = 0;</c> for a
    /// scalar, <c>g.Clear();</c> for a span and <c>Array.Clear(g);</c> for an array.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MissingGradientResetCodeFix)), Shared]
    public sealed class MissingGradientResetCodeFix : CodeFixProvider
    {
        private const string Title = "Reset the gradient buffer at the top of the loop";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.MissingGradientReset);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            foreach (var diagnostic in context.Diagnostics)
            {
                if (diagnostic.AdditionalLocations.Count == 0 || !diagnostic.Properties.TryGetValue(RuleIds.ResetsProperty, out var resets) || string.IsNullOrEmpty(resets))
                {
                    continue;
                }

                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => InsertResetsAsync(context.Document, diagnostic, resets!, ct), equivalenceKey: Title),
                    diagnostic);
            }

            return Task.CompletedTask;
        }

        private static async Task<Document> InsertResetsAsync(Document document, Diagnostic diagnostic, string resets, CancellationToken ct)
        {
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
            if (root is null || model is null)
            {
                return document;
            }

            var loop = root.FindNode(diagnostic.AdditionalLocations[0].SourceSpan, getInnermostNodeForTie: true)
                .AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault(IsLoop);
            var body = loop switch
            {
                ForStatementSyntax f => f.Statement,
                ForEachStatementSyntax f => f.Statement,
                WhileStatementSyntax w => w.Statement,
                DoStatementSyntax d => d.Statement,
                _ => null,
            };
            if (loop is null || body is null)
            {
                return document;
            }

            // Every buffer the loop lacks a reset for, so that one fix and fix-all make the same edit.
            var statements = resets.Split('\n')
                .Select(spec => spec.Split(new[] { '|' }, 2))
                .Where(parts => parts.Length == 2)
                .Select(parts => SyntaxFactory.ParseStatement(ResetCode(parts[0], parts[1], model, body.SpanStart)))
                .ToList();
            string newLine = Layout.NewLine(root);

            if (body is BlockSyntax block)
            {
                return document.WithSyntaxRoot(root.ReplaceNode(block, Layout.InsertFirst(block, statements, newLine)));
            }

            // A loop without braces gets them, with the resets first.
            var newLoop = loop.ReplaceNode(body, Layout.WrapInBlock(loop, body, statements, newLine));
            var open = newLoop.DescendantTokens().First(t => t.IsKind(SyntaxKind.OpenBraceToken) && t.Parent is BlockSyntax b && b.Parent == newLoop);
            var before = open.GetPreviousToken();
            if (!before.TrailingTrivia.Any(t => t.IsKind(SyntaxKind.EndOfLineTrivia)))
            {
                newLoop = newLoop.ReplaceToken(before, before.WithTrailingTrivia(SyntaxFactory.EndOfLine(newLine)));
            }

            return document.WithSyntaxRoot(root.ReplaceNode(loop, newLoop));
        }

        /// <summary>The reset statement for a buffer (or, for <c>Optimizer</c>, the optimizer), written as it is written at the call.</summary>
        internal static string ResetCode(string kind, string buffer, SemanticModel model, int position)
        {
            switch (kind)
            {
                case "Optimizer":
                    return buffer + ".ZeroGrad();";
                case "Scalar":
                    return buffer + " = 0;";
                case "Span":
                    return buffer + ".Clear();";
                default:
                    // 'Array' when it means System.Array here (a 'using System;' is in scope), else qualified.
                    var array = model.Compilation.GetTypeByMetadataName("System.Array");
                    var visible = model.LookupNamespacesAndTypes(position, name: "Array");
                    string name = visible.Length == 1 && SymbolEqualityComparer.Default.Equals(visible[0], array) ? "Array" : "System.Array";

                    // Array.Clear(array) exists from .NET 6 on; older targets need the range overload.
                    bool oneArgument = array?.GetMembers("Clear").OfType<IMethodSymbol>().Any(m => m.Parameters.Length == 1) == true;
                    return oneArgument
                        ? $"{name}.Clear({buffer});"
                        : $"{name}.Clear({buffer}, 0, {buffer}.Length);";
            }
        }

        private static bool IsLoop(StatementSyntax statement) =>
            statement is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax;
    }
}

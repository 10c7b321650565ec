using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Globalization;
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
    /// SD1001 (reported by the generator where a leaf parameter is modified): copies the scalar parameter into a local
    /// at the top of the body (<c>double wLocal = w;</c>) and uses the local from the first write on. Offered for
    /// <c>double</c> and <c>float</c> parameters in block bodies; an array or span would need a copy that
    /// allocates, which a differentiable body cannot do.
    /// </summary>
    /// <remarks>
    /// "From the first write on" is counted in top-level statements of the body: the statement that contains the first
    /// write (a whole loop, when the write is inside one) and everything after it read the local, so a read earlier in
    /// a loop still sees the updated value on later iterations. Earlier statements keep reading the parameter, which
    /// holds the same value there.
    /// </remarks>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(LeafMutationCodeFix)), Shared]
    public sealed class LeafMutationCodeFix : CodeFixProvider
    {
        private const string Title = "Copy the parameter into a local and modify the local";

        /// <inheritdoc />
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIds.LeafMutation);

        /// <inheritdoc />
        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        /// <inheritdoc />
        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null)
            {
                return;
            }

            var node = root.FindNode(context.Span, getInnermostNodeForTie: true);
            if (WrittenParameter(node, model, context.CancellationToken) is not { } parameter
                || node.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>() is not { Body: { } body }
                || parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(context.CancellationToken) is not ParameterSyntax { Type: { } type })
            {
                return;
            }

            foreach (var diagnostic in context.Diagnostics)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => CopyToLocalAsync(context.Document, body.Span, parameter, type.ToString(), ct), equivalenceKey: Title),
                    diagnostic);
            }
        }

        /// <summary>The <c>double</c> or <c>float</c> parameter that the flagged assignment, increment or argument writes.</summary>
        private static IParameterSymbol? WrittenParameter(SyntaxNode node, SemanticModel model, CancellationToken ct)
        {
            ExpressionSyntax? target = node switch
            {
                AssignmentExpressionSyntax assignment => assignment.Left,
                PrefixUnaryExpressionSyntax prefix => prefix.Operand,
                PostfixUnaryExpressionSyntax postfix => postfix.Operand,
                ArgumentSyntax argument => argument.Expression,
                _ => null,
            };

            while (target is ParenthesizedExpressionSyntax parenthesized)
            {
                target = parenthesized.Expression;
            }

            return target is IdentifierNameSyntax && model.GetSymbolInfo(target, ct).Symbol is IParameterSymbol parameter
                && parameter.Type.SpecialType is SpecialType.System_Double or SpecialType.System_Single
                ? parameter
                : null;
        }

        private static async Task<Document> CopyToLocalAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan bodySpan, IParameterSymbol parameter, string type, CancellationToken ct)
        {
            var model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            if (model is null || root is null || root.FindNode(bodySpan, getInnermostNodeForTie: true) is not BlockSyntax body || body.Span != bodySpan)
            {
                return document;
            }

            var references = body.DescendantNodes().OfType<IdentifierNameSyntax>()
                .Where(n => n.Identifier.ValueText == parameter.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(n, ct).Symbol, parameter))
                .ToList();
            var firstWrite = references.Where(IsWrite).Select(r => r.SpanStart).DefaultIfEmpty(-1).Min();
            if (firstWrite < 0)
            {
                return document;
            }

            // From the top-level statement that holds the first write on, every reference reads the local.
            int first = body.Statements.IndexOf(s => s.FullSpan.Contains(firstWrite));
            int from = body.Statements[first].SpanStart;
            string local = FreshName(parameter.Name + "Local", body, model);
            var replaced = body.ReplaceNodes(
                references.Where(r => r.SpanStart >= from),
                (original, _) => SyntaxFactory.IdentifierName(local).WithTriviaFrom(original));

            var declaration = SyntaxFactory.LocalDeclarationStatement(
                    SyntaxFactory.VariableDeclaration(
                        SyntaxFactory.ParseTypeName(type),
                        SyntaxFactory.SingletonSeparatedList(
                            SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(local))
                                .WithInitializer(SyntaxFactory.EqualsValueClause(SyntaxFactory.IdentifierName(parameter.Name))))))
                .NormalizeWhitespace();
            return document.WithSyntaxRoot(root.ReplaceNode(body, Layout.InsertFirst(body, replaced, new[] { declaration }, Layout.NewLine(root))));
        }

        /// <summary>Whether this mention of the parameter writes it (assigned, incremented, passed by ref or out).</summary>
        private static bool IsWrite(IdentifierNameSyntax name)
        {
            SyntaxNode node = name;
            while (node.Parent is ParenthesizedExpressionSyntax)
            {
                node = node.Parent;
            }

            return node.Parent switch
            {
                AssignmentExpressionSyntax assignment => assignment.Left == node,
                PrefixUnaryExpressionSyntax prefix => prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression),
                PostfixUnaryExpressionSyntax => true,
                ArgumentSyntax argument => !argument.RefKindKeyword.IsKind(SyntaxKind.None),
                _ => false,
            };
        }

        /// <summary><paramref name="stem"/>, or <c>stem2</c>, <c>stem3</c> ..., whichever names nothing the body can see.</summary>
        private static string FreshName(string stem, BlockSyntax body, SemanticModel model)
        {
            var declared = new HashSet<string>(
                body.DescendantNodes().OfType<VariableDeclaratorSyntax>().Select(d => d.Identifier.ValueText)
                    .Concat(body.DescendantNodes().OfType<ForEachStatementSyntax>().Select(f => f.Identifier.ValueText))
                    .Concat(body.DescendantNodes().OfType<SingleVariableDesignationSyntax>().Select(d => d.Identifier.ValueText)),
                System.StringComparer.Ordinal);
            string name = stem;
            for (int i = 2; declared.Contains(name) || !model.LookupSymbols(body.SpanStart, name: name).IsEmpty; i++)
            {
                name = stem + i.ToString(CultureInfo.InvariantCulture);
            }

            return name;
        }
    }
}

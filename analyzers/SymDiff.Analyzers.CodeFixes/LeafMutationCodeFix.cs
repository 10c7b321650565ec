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
    /// SD1001 (reported at each write to a leaf parameter): copies the scalar parameter into a local at the top of the
    /// body (<c>double wLocal = w;</c>) and uses the local from the first write on. Offered for <c>double</c> and
    /// <c>float</c> parameters in block bodies; an array or span would need a copy that allocates, which a
    /// differentiable body cannot do. Fix-all copies every flagged parameter of a method in one edit.
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

        /// <summary>
        /// Fix-all groups the diagnostics by method: two parameters of one method insert their copies at the same place,
        /// which a batch of independent edits would see as a conflict.
        /// </summary>
        public override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixAllInDocumentAsync);

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
                || node.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>() is not { Body: { } body })
            {
                return;
            }

            foreach (var diagnostic in context.Diagnostics)
            {
                context.RegisterCodeFix(
                    CodeAction.Create(Title, ct => CopyToLocalsAsync(context.Document, body.Span, new[] { parameter.Name }, ct), equivalenceKey: Title),
                    diagnostic);
            }
        }

        private static async Task<Document?> FixAllInDocumentAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
        {
            var root = await document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var model = await document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            if (root is null || model is null)
            {
                return document;
            }

            // Method by method, last first, so the spans of the ones still to fix do not move.
            var byBody = new Dictionary<Microsoft.CodeAnalysis.Text.TextSpan, List<string>>();
            foreach (var diagnostic in diagnostics)
            {
                var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
                if (WrittenParameter(node, model, context.CancellationToken) is { } parameter
                    && node.FirstAncestorOrSelf<BaseMethodDeclarationSyntax>() is { Body: { } body })
                {
                    if (!byBody.TryGetValue(body.Span, out var names))
                    {
                        byBody[body.Span] = names = new List<string>();
                    }

                    if (!names.Contains(parameter.Name))
                    {
                        names.Add(parameter.Name);
                    }
                }
            }

            foreach (var entry in byBody.OrderByDescending(e => e.Key.Start))
            {
                document = await CopyToLocalsAsync(document, entry.Key, entry.Value, context.CancellationToken).ConfigureAwait(false);
            }

            return document;
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

        /// <summary>Copies each parameter of <paramref name="names"/> that the body at <paramref name="bodySpan"/> writes into a local of its own.</summary>
        private static async Task<Document> CopyToLocalsAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan bodySpan, IReadOnlyList<string> names, CancellationToken ct)
        {
            var model = await document.GetSemanticModelAsync(ct).ConfigureAwait(false);
            var root = await document.GetSyntaxRootAsync(ct).ConfigureAwait(false);
            if (model is null || root is null || root.FindNode(bodySpan, getInnermostNodeForTie: true) is not BlockSyntax body || body.Span != bodySpan
                || body.Parent is not BaseMethodDeclarationSyntax method)
            {
                return document;
            }

            var replacements = new Dictionary<IdentifierNameSyntax, string>();
            var declarations = new List<StatementSyntax>();
            var taken = new HashSet<string>(System.StringComparer.Ordinal);

            // In parameter order, so that the copies read like the signature whatever order the diagnostics came in.
            foreach (var parameterSyntax in method.ParameterList.Parameters.Where(p => names.Contains(p.Identifier.ValueText)))
            {
                if (model.GetDeclaredSymbol(parameterSyntax, ct) is not { } parameter || parameterSyntax.Type is not { } type)
                {
                    continue;
                }

                var references = body.DescendantNodes().OfType<IdentifierNameSyntax>()
                    .Where(n => n.Identifier.ValueText == parameter.Name && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(n, ct).Symbol, parameter))
                    .ToList();
                var firstWrite = references.Where(IsWrite).Select(r => r.SpanStart).DefaultIfEmpty(-1).Min();
                if (firstWrite < 0)
                {
                    continue;
                }

                // From the top-level statement that holds the first write on, every reference reads the local.
                int first = body.Statements.IndexOf(s => s.FullSpan.Contains(firstWrite));
                int from = body.Statements[first].SpanStart;
                string local = FreshName(parameter.Name + "Local", body, model, taken);
                foreach (var reference in references.Where(r => r.SpanStart >= from))
                {
                    replacements[reference] = local;
                }

                declarations.Add(SyntaxFactory.LocalDeclarationStatement(
                        SyntaxFactory.VariableDeclaration(
                            SyntaxFactory.ParseTypeName(type.ToString()),
                            SyntaxFactory.SingletonSeparatedList(
                                SyntaxFactory.VariableDeclarator(SyntaxFactory.Identifier(local))
                                    .WithInitializer(SyntaxFactory.EqualsValueClause(SyntaxFactory.IdentifierName(parameter.Name))))))
                    .NormalizeWhitespace());
            }

            if (declarations.Count == 0)
            {
                return document;
            }

            // After the copies an earlier fix made of parameters declared before these, so that fixing one parameter at
            // a time and all at once give the same text.
            int firstParameter = method.ParameterList.Parameters.IndexOf(p => names.Contains(p.Identifier.ValueText));
            int at = 0;
            while (at < body.Statements.Count && CopiedParameter(body.Statements[at], method) is { } copied && copied < firstParameter)
            {
                at++;
            }

            var replaced = body.ReplaceNodes(replacements.Keys, (original, _) => SyntaxFactory.IdentifierName(replacements[original]).WithTriviaFrom(original));
            return document.WithSyntaxRoot(root.ReplaceNode(body, Layout.InsertAt(body, replaced, at, declarations, Layout.NewLine(root))));
        }

        /// <summary>The position in the parameter list of the parameter that <paramref name="statement"/> copies (<c>double wLocal = w;</c>), or null.</summary>
        private static int? CopiedParameter(StatementSyntax statement, BaseMethodDeclarationSyntax method)
        {
            if (statement is LocalDeclarationStatementSyntax { Declaration.Variables: { Count: 1 } variables }
                && variables[0].Initializer?.Value is IdentifierNameSyntax source
                && method.ParameterList.Parameters.IndexOf(p => p.Identifier.ValueText == source.Identifier.ValueText) is var index and >= 0)
            {
                return index;
            }

            return null;
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

        /// <summary><paramref name="stem"/>, or <c>stem2</c>, <c>stem3</c> ..., whichever names nothing the body can see and is not <paramref name="taken"/> (then it is).</summary>
        private static string FreshName(string stem, BlockSyntax body, SemanticModel model, HashSet<string> taken)
        {
            var declared = new HashSet<string>(
                body.DescendantNodes().OfType<VariableDeclaratorSyntax>().Select(d => d.Identifier.ValueText)
                    .Concat(body.DescendantNodes().OfType<ForEachStatementSyntax>().Select(f => f.Identifier.ValueText))
                    .Concat(body.DescendantNodes().OfType<SingleVariableDesignationSyntax>().Select(d => d.Identifier.ValueText)),
                System.StringComparer.Ordinal);
            string name = stem;
            for (int i = 2; declared.Contains(name) || taken.Contains(name) || !model.LookupSymbols(body.SpanStart, name: name).IsEmpty; i++)
            {
                name = stem + i.ToString(CultureInfo.InvariantCulture);
            }

            taken.Add(name);
            return name;
        }
    }
}

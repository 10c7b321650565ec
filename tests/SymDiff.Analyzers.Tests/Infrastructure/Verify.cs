using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace SymDiff.Analyzers.Tests.Infrastructure
{
    /// <summary>
    /// Assertions over <see cref="TestProject"/>: the exact set of SymDiff diagnostics a marked-up source gets, and the
    /// exact text a code fix (or fix-all) makes of it.
    /// </summary>
    public static class Verify
    {
        /// <summary>
        /// Asserts that <paramref name="markup"/> compiles and that its SymDiff diagnostics of warning severity or more
        /// (generator and analyzers alike) are exactly the marked ones; <c>[|...|]</c> stands for <paramref name="defaultId"/>.
        /// A source without markers asserts silence.
        /// </summary>
        public static async Task<Diagnostics> DiagnosticsAsync(string markup, string defaultId, string? editorConfig = null)
        {
            var (source, expected) = Markup.Parse(markup);
            var document = TestProject.CreateDocument(source, editorConfig);
            var diagnostics = await TestProject.GetDiagnosticsAsync(document);
            AssertCompiles(diagnostics, source);

            var actual = diagnostics.SymDiff.Select(d => (d.Id, d.Location.SourceSpan)).ToList();
            var wanted = expected.Select(e => (Id: e.Id ?? defaultId, e.Span)).OrderBy(e => e.Span.Start).ThenBy(e => e.Id, StringComparer.Ordinal).ToList();
            if (!actual.SequenceEqual(wanted))
            {
                Assert.Fail(Describe("The SymDiff diagnostics differ from the marked ones.", source, wanted, diagnostics.SymDiff));
            }

            return diagnostics;
        }

        /// <summary>
        /// Applies the fix of <paramref name="provider"/> for the first <paramref name="id"/> diagnostic of
        /// <paramref name="markup"/> (or, with <paramref name="fixAll"/>, its fix-all over the document), asserts the
        /// resulting text is exactly <paramref name="expected"/>, and that the result compiles without that diagnostic.
        /// </summary>
        public static async Task CodeFixAsync(string markup, string expected, CodeFixProvider provider, string id, bool fixAll = false)
        {
            var (source, marked) = Markup.Parse(markup);
            var document = TestProject.CreateDocument(source);
            var diagnostics = await TestProject.GetDiagnosticsAsync(document);
            AssertCompiles(diagnostics, source);
            var toFix = diagnostics.SymDiff.Where(d => d.Id == id).ToImmutableArray();
            var markedSpans = marked.Where(m => (m.Id ?? id) == id).Select(m => m.Span).OrderBy(s => s.Start).ToList();
            Assert.True(
                toFix.Select(d => d.Location.SourceSpan).SequenceEqual(markedSpans),
                Describe($"The {id} diagnostics differ from the marked ones.", source, markedSpans.Select(s => (id, s)).ToList(), toFix));
            Assert.NotEmpty(toFix);

            var actions = new List<CodeAction>();
            var context = new CodeFixContext(document, toFix[0], (action, _) => actions.Add(action), CancellationToken.None);
            await provider.RegisterCodeFixesAsync(context);
            Assert.True(actions.Count > 0, $"{provider.GetType().Name} offered no fix for {toFix[0]}.");

            CodeAction fix = actions[0];
            if (fixAll)
            {
                var fixAllProvider = provider.GetFixAllProvider();
                Assert.NotNull(fixAllProvider);
                var fixAllContext = new FixAllContext(document, provider, FixAllScope.Document, fix.EquivalenceKey, new[] { id }, new FixedDiagnostics(toFix), CancellationToken.None);
                fix = await fixAllProvider!.GetFixAsync(fixAllContext) ?? throw new InvalidOperationException("The fix-all provider made no fix.");
            }

            var operations = await fix.GetOperationsAsync(CancellationToken.None);
            var apply = Assert.Single(operations.OfType<ApplyChangesOperation>());
            var fixedDocument = apply.ChangedSolution.GetDocument(document.Id)!;
            string actual = (await fixedDocument.GetTextAsync()).ToString();
            if (!string.Equals(expected, actual, StringComparison.Ordinal))
            {
                Assert.Fail($"The fixed text differs from the expected one.{Environment.NewLine}===== expected ====={Environment.NewLine}{expected}{Environment.NewLine}===== actual ====={Environment.NewLine}{actual}");
            }

            var after = await TestProject.GetDiagnosticsAsync(TestProject.CreateDocument(actual));
            AssertCompiles(after, actual);
            Assert.DoesNotContain(after.SymDiff, d => d.Id == id);
        }

        /// <summary>The code actions <paramref name="provider"/> offers for the first <paramref name="id"/> diagnostic of <paramref name="markup"/>, which must be marked.</summary>
        public static async Task<IReadOnlyList<CodeAction>> CodeFixActionsAsync(string markup, CodeFixProvider provider, string id)
        {
            var (source, marked) = Markup.Parse(markup);
            var document = TestProject.CreateDocument(source);
            var diagnostics = await TestProject.GetDiagnosticsAsync(document);
            AssertCompiles(diagnostics, source);
            var diagnostic = diagnostics.SymDiff.First(d => d.Id == id);
            Assert.Contains(marked, m => m.Span == diagnostic.Location.SourceSpan);

            var actions = new List<CodeAction>();
            await provider.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None));
            return actions;
        }

        private static void AssertCompiles(Diagnostics diagnostics, string source)
        {
            if (!diagnostics.CompilerErrors.IsEmpty)
            {
                Assert.Fail(Describe("The test source does not compile.", source, new List<(string, TextSpan)>(), diagnostics.CompilerErrors));
            }
        }

        private static string Describe(string headline, string source, IReadOnlyList<(string Id, TextSpan Span)> expected, IEnumerable<Diagnostic> actual)
        {
            var text = SourceText.From(source);
            var sb = new StringBuilder().AppendLine(headline).AppendLine("Expected:");
            foreach (var (id, span) in expected)
            {
                sb.Append("  ").Append(id).Append(" at ").Append(Position(text, span)).Append(": ").AppendLine(text.ToString(span));
            }

            sb.AppendLine("Actual:");
            foreach (var d in actual)
            {
                var span = d.Location.SourceSpan;
                sb.Append("  ").Append(d.Id).Append(" at ").Append(Position(text, span)).Append(": ")
                    .Append(span.End <= text.Length ? text.ToString(span) : "?").Append("  -- ").AppendLine(d.GetMessage(CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }

        private static string Position(SourceText text, TextSpan span)
        {
            if (span.End > text.Length)
            {
                return span.ToString();
            }

            var line = text.Lines.GetLinePosition(span.Start);
            return $"({line.Line + 1},{line.Character + 1})";
        }

        /// <summary>Hands the precomputed diagnostics to a fix-all.</summary>
        private sealed class FixedDiagnostics : FixAllContext.DiagnosticProvider
        {
            private readonly ImmutableArray<Diagnostic> _diagnostics;

            public FixedDiagnostics(ImmutableArray<Diagnostic> diagnostics) => _diagnostics = diagnostics;

            public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
                Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);

            public override Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken) =>
                Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics);

            public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
                Task.FromResult<IEnumerable<Diagnostic>>(Array.Empty<Diagnostic>());
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace SymDiff.Analyzers.CodeFixes
{
    /// <summary>
    /// Lays out inserted statements by hand: the indentation of their neighbours and the document's own line ending.
    /// Not every host runs the formatter on a code action's result (dotnet format does not format annotated nodes),
    /// so the fixes never rely on it.
    /// </summary>
    internal static class Layout
    {
        private const string IndentUnit = "    ";

        /// <summary>The document's line ending: the first one in it, else <c>\n</c>.</summary>
        public static string NewLine(SyntaxNode root)
        {
            foreach (var trivia in root.DescendantTrivia())
            {
                if (trivia.IsKind(SyntaxKind.EndOfLineTrivia))
                {
                    return trivia.ToString();
                }
            }

            return "\n";
        }

        /// <summary>The whitespace that starts the line on which <paramref name="node"/> starts.</summary>
        public static string IndentationOf(SyntaxNode node)
        {
            var text = node.SyntaxTree.GetText();
            var line = text.Lines.GetLineFromPosition(node.SpanStart);
            int end = line.Start;
            while (end < line.End && (text[end] == ' ' || text[end] == '\t'))
            {
                end++;
            }

            return text.ToString(TextSpan.FromBounds(line.Start, end));
        }

        /// <summary>
        /// <paramref name="block"/> with <paramref name="statements"/> inserted first, each on its own line, indented like
        /// the block's first statement (or one level deeper than the brace when the block is empty).
        /// </summary>
        /// <remarks><paramref name="block"/> must still be in its document's tree, so its lines can be read.</remarks>
        public static BlockSyntax InsertFirst(BlockSyntax block, IReadOnlyList<StatementSyntax> statements, string newLine) =>
            InsertFirst(block, block, statements, newLine);

        /// <summary>
        /// <paramref name="block"/> (an edited copy of <paramref name="original"/>, which is still in its document's
        /// tree) with <paramref name="statements"/> inserted first, laid out as <see cref="InsertFirst(BlockSyntax, IReadOnlyList{StatementSyntax}, string)"/> does.
        /// </summary>
        public static BlockSyntax InsertFirst(BlockSyntax original, BlockSyntax block, IReadOnlyList<StatementSyntax> statements, string newLine) =>
            InsertAt(original, block, 0, statements, newLine);

        /// <summary>
        /// As <see cref="InsertFirst(BlockSyntax, BlockSyntax, IReadOnlyList{StatementSyntax}, string)"/>, but before the
        /// statement at <paramref name="index"/> (the block's statement count to append).
        /// </summary>
        public static BlockSyntax InsertAt(BlockSyntax original, BlockSyntax block, int index, IReadOnlyList<StatementSyntax> statements, string newLine)
        {
            string indent = original.Statements.Count > 0
                ? IndentationOf(original.Statements[0])
                : IndentationOf(original) + IndentUnit;
            var placed = statements.Select(s => s.WithLeadingTrivia(SyntaxFactory.Whitespace(indent)).WithTrailingTrivia(SyntaxFactory.EndOfLine(newLine)));
            if (block.Statements.Count > 0)
            {
                return block.WithStatements(block.Statements.InsertRange(index, placed));
            }

            // "{ }" or "{\n}": put the statements between the braces on lines of their own.
            return block
                .WithOpenBraceToken(block.OpenBraceToken.WithTrailingTrivia(SyntaxFactory.EndOfLine(newLine)))
                .WithStatements(SyntaxFactory.List(placed))
                .WithCloseBraceToken(block.CloseBraceToken.WithLeadingTrivia(SyntaxFactory.Whitespace(IndentationOf(original))));
        }

        /// <summary>
        /// A block replacing the single embedded <paramref name="body"/> of <paramref name="owner"/> (a loop without
        /// braces), holding the statements <paramref name="first"/> and then the old body.
        /// </summary>
        public static BlockSyntax WrapInBlock(StatementSyntax owner, StatementSyntax body, IReadOnlyList<StatementSyntax> first, string newLine)
        {
            string outer = IndentationOf(owner);
            string inner = outer + IndentUnit;
            var open = SyntaxFactory.Token(
                SyntaxFactory.TriviaList(SyntaxFactory.Whitespace(outer)),
                SyntaxKind.OpenBraceToken,
                SyntaxFactory.TriviaList(SyntaxFactory.EndOfLine(newLine)));
            var close = SyntaxFactory.Token(
                SyntaxFactory.TriviaList(SyntaxFactory.Whitespace(outer)),
                SyntaxKind.CloseBraceToken,
                body.GetTrailingTrivia());
            var statements = first.Concat(new[] { body })
                .Select(s => s.WithLeadingTrivia(SyntaxFactory.Whitespace(inner)).WithTrailingTrivia(SyntaxFactory.EndOfLine(newLine)));
            return SyntaxFactory.Block(open, SyntaxFactory.List(statements), close);
        }
    }
}

using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace SymDiff.Generator.Parsing
{
    /// <summary>Spellings of one value that the parser's shape tests look through.</summary>
    internal static class SyntaxShapes
    {
        /// <summary>
        /// The expression inside parentheses and <c>checked(...)</c>/<c>unchecked(...)</c> (the same value): a shape test on
        /// the outer syntax would miss it, and Roslyn gives a parenthesized expression no operation of its own (a range bound
        /// <c>p[d..(2 * d)]</c> was once read as absent, FINDINGS F83).
        /// </summary>
        public static ExpressionSyntax? Unparenthesized(ExpressionSyntax? e)
        {
            while (e is ParenthesizedExpressionSyntax or CheckedExpressionSyntax)
            {
                e = e is ParenthesizedExpressionSyntax p ? p.Expression : ((CheckedExpressionSyntax)e).Expression;
            }

            return e;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymDiff.Generator.Emit;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using Xunit;

namespace SymDiff.Generator.Tests.Simplification
{
    /// <summary>
    /// <see cref="ExprPrinter"/> and <see cref="Literals"/>: parentheses follow the IR tree exactly (so the printed
    /// code performs the same floating-point operations in the same order, API.md section 7), literals are C#
    /// literals of the right type in the invariant culture.
    /// </summary>
    public sealed class ExprPrinterTests
    {
        private static readonly Var A = new("a", ValType.Double);
        private static readonly Var B = new("b", ValType.Double);
        private static readonly Var C = new("c", ValType.Double);
        private static readonly Var X = new("x", ValType.Double);

        // ------------------------------------------------------------------ parentheses

        /// <summary>Subtraction is not associative: a - (b - c) must keep its parentheses.</summary>
        [Fact]
        public void RightNestedSubtractionKeepsParentheses() => Assert.Equal("a - (b - c)", Print(Sub(A, Sub(B, C))));

        /// <summary>Floating-point addition is not associative either: a + (b + c) is not (a + b) + c.</summary>
        [Fact]
        public void RightNestedAdditionKeepsParentheses() => Assert.Equal("a + (b + c)", Print(Add(A, Add(B, C))));

        /// <summary>Left nesting is C#'s own grouping, so (a + b) + c needs none.</summary>
        [Fact]
        public void LeftNestedAdditionHasNoParentheses()
        {
            Assert.Equal("a + b + c", Print(Add(Add(A, B), C)));
            Assert.Equal("a - b - c", Print(Sub(Sub(A, B), C)));
            Assert.Equal("a * b / c", Print(Div(Mul(A, B), C)));
        }

        [Fact]
        public void PrecedenceDecidesAcrossOperators()
        {
            Assert.Equal("a + b * c", Print(Add(A, Mul(B, C))));
            Assert.Equal("(a + b) * c", Print(Mul(Add(A, B), C)));
            Assert.Equal("a / (b * c)", Print(Div(A, Mul(B, C))));
            Assert.Equal("a * (b / c)", Print(Mul(A, Div(B, C))));
        }

        /// <summary>Double negation is printed <c>-(-x)</c>: <c>--x</c> would be a decrement.</summary>
        [Fact]
        public void DoubleNegationIsParenthesised() => Assert.Equal("-(-x)", Print(Neg(Neg(X))));

        [Fact]
        public void NegationOfABinaryIsParenthesised()
        {
            Assert.Equal("-(a + b)", Print(Neg(Add(A, B))));
            Assert.Equal("-(a * b)", Print(Neg(Mul(A, B))));
            Assert.Equal("-a * b", Print(Mul(Neg(A), B)));
        }

        [Fact]
        public void CastOfABinaryIsParenthesised()
        {
            var af = new Var("a", ValType.Float);
            var bf = new Var("b", ValType.Float);
            Assert.Equal("(double)(a + b)", Print(new Unary(UnaryOp.Convert, new Binary(BinaryOp.Add, af, bf, ValType.Float), ValType.Double)));
            Assert.Equal("(double)a + b", Print(new Binary(BinaryOp.Add, new Unary(UnaryOp.Convert, af, ValType.Double), B, ValType.Double)));
        }

        /// <summary>A cast of a negative value must not read as a subtraction from a parenthesised name.</summary>
        [Fact]
        public void CastOfANegativeOperandIsUnambiguous()
        {
            var xf = new Var("x", ValType.Float);
            string printed = Print(new Unary(UnaryOp.Convert, new Unary(UnaryOp.Neg, xf, ValType.Float), ValType.Double));
            AssertParsesAs("(cast double (neg x))", printed);
        }

        [Fact]
        public void ConditionalsAreParenthesisedAsOperands()
        {
            var cond = new Cond(new Binary(BinaryOp.Gt, A, B, ValType.Bool), A, B, ValType.Double);
            Assert.Equal("a > b ? a : b", Print(cond));
            Assert.Equal("(a > b ? a : b) * c", Print(Mul(cond, C)));
            Assert.Equal("c * (a > b ? a : b)", Print(Mul(C, cond)));
        }

        [Fact]
        public void LogicalOperatorsAndNot()
        {
            var lt = new Binary(BinaryOp.Lt, A, B, ValType.Bool);
            var gt = new Binary(BinaryOp.Gt, A, C, ValType.Bool);
            Assert.Equal("!(a < b)", Print(new Unary(UnaryOp.Not, lt, ValType.Bool)));
            AssertParsesAs("(|| (&& (< a b) (> a c)) (< a b))", Print(new Binary(BinaryOp.Or, new Binary(BinaryOp.And, lt, gt, ValType.Bool), lt, ValType.Bool)));
            AssertParsesAs("(&& (< a b) (|| (> a c) (< a b)))", Print(new Binary(BinaryOp.And, lt, new Binary(BinaryOp.Or, gt, lt, ValType.Bool), ValType.Bool)));
        }

        // ------------------------------------------------------------------ literals

        /// <summary>A negative literal is valid C# wherever it appears, and keeps its meaning.</summary>
        [Fact]
        public void NegativeLiterals()
        {
            Assert.Equal("-3.0", Print(Lit(-3)));
            AssertParsesAs("(- x -3)", Print(Sub(X, Lit(-3))));
            AssertParsesAs("(* x -2)", Print(Mul(X, Lit(-2))));
            AssertParsesAs("(neg -3)", Print(Neg(Lit(-3))));
            AssertParsesAs("(cast float -3)", Print(new Unary(UnaryOp.Convert, Lit(-3), ValType.Float)));
        }

        [Fact]
        public void NegativeZeroIsKept()
        {
            Assert.Equal("-0.0", Print(Lit(-0.0)));
            Assert.Equal("-0f", Print(Const.Of(-0.0f, ValType.Float)));
        }

        [Fact]
        public void NaNAndInfinityAreSpelledOut()
        {
            Assert.Equal("double.NaN", Print(Lit(double.NaN)));
            Assert.Equal("double.PositiveInfinity", Print(Lit(double.PositiveInfinity)));
            Assert.Equal("double.NegativeInfinity", Print(Lit(double.NegativeInfinity)));
            Assert.Equal("float.NaN", Print(Const.Of(float.NaN, ValType.Float)));
            Assert.Equal("float.PositiveInfinity", Print(Const.Of(float.PositiveInfinity, ValType.Float)));
            Assert.Equal("float.NegativeInfinity", Print(Const.Of(float.NegativeInfinity, ValType.Float)));
            AssertParsesAs("(neg -Infinity)", Print(Neg(Lit(double.NegativeInfinity))));
        }

        [Fact]
        public void FloatLiteralsHaveTheSuffixF()
        {
            Assert.Equal("2f", Print(Const.Of(2, ValType.Float)));
            Assert.Equal("0.1f", Print(Const.Of(0.1f, ValType.Float)));
            Assert.Equal("-2.5f", Print(Const.Of(-2.5f, ValType.Float)));
            AssertLiteralRoundTrips(Const.Of(1e30f, ValType.Float));
            AssertLiteralRoundTrips(Const.Of(float.Epsilon, ValType.Float));
            AssertLiteralRoundTrips(Const.Of(float.MaxValue, ValType.Float));
        }

        /// <summary>A whole double is printed 2.0, never 2, so that 1 / 2 is never integer division.</summary>
        [Fact]
        public void WholeDoublesHaveADecimalPoint()
        {
            Assert.Equal("2.0", Print(Lit(2)));
            Assert.Equal("0.0", Print(Lit(0)));
            Assert.Equal("100000.0", Print(Lit(100000)));
            Assert.Equal("1.0 / 2.0", Print(Div(Lit(1), Lit(2))));
        }

        /// <summary>Every double literal parses back to the same bits (round-trip format) and as a double, not an int.</summary>
        [Theory]
        [InlineData(0.1)]
        [InlineData(1.0 / 3.0)]
        [InlineData(1e20)]
        [InlineData(1e16)]
        [InlineData(123456789012345680.0)]
        [InlineData(1e-7)]
        [InlineData(5e-324)]
        [InlineData(double.MaxValue)]
        [InlineData(-2.5e-300)]
        [InlineData(6.283185307179586)]
        public void DoubleLiteralsRoundTrip(double value) => AssertLiteralRoundTrips(Lit(value));

        [Fact]
        public void IntAndBoolLiterals()
        {
            Assert.Equal("3", Print(Const.Of(3, ValType.Int)));
            Assert.Equal("-7", Print(Const.Of(-7, ValType.Int)));
            Assert.Equal("true", Print(Const.True));
            Assert.Equal("false", Print(Const.False));
        }

        /// <summary>
        /// Literals never depend on the current culture: under a Swedish culture whose minus sign is U+2212 and whose
        /// decimal separator is a comma, every literal prints exactly as under the invariant culture.
        /// </summary>
        [Fact]
        public void LiteralsUseTheInvariantCulture()
        {
            Expr[] samples =
            {
                Lit(-1.5), Lit(2), Lit(-0.0), Lit(1e-5), Lit(-1e300), Lit(0.1),
                Const.Of(-0.25f, ValType.Float), Const.Of(1e-30f, ValType.Float), Const.Of(-3, ValType.Int),
                Sub(X, Lit(-2.5)), Mul(Lit(-1e-20), Neg(X)),
            };
            string[] invariant = PrintAll(samples, CultureInfo.InvariantCulture);

            string[] swedish = PrintAll(samples, CultureWithUnicodeMinus());

            Assert.Equal(invariant, swedish);
            Assert.DoesNotContain(swedish, s => s.Contains('\u2212', StringComparison.Ordinal) || s.Contains(',', StringComparison.Ordinal));
            Assert.Equal("-1.5", swedish[0]);
            Assert.Equal("1E-05", swedish[3]);
            Assert.Equal("-0.25f", swedish[6]);
        }

        // ------------------------------------------------------------------ the printed code means the tree

        /// <summary>
        /// A property test: for random trees of every operator with awkward literals, the printed text parses (with
        /// Roslyn, no diagnostics) to exactly the tree that was printed, so no parenthesis is missing or misplaced.
        /// </summary>
        [Fact]
        public void RandomTreesPrintToCodeWithTheSameStructure()
        {
            var random = new Random(20240601);
            for (int i = 0; i < 2000; i++)
            {
                Expr tree = RandomNumber(random, depth: 5);
                AssertParsesAs(Shape(tree), Print(tree));
            }
        }

        public static CultureInfo CultureWithUnicodeMinus()
        {
            var culture = (CultureInfo)CultureInfo.GetCultureInfo("sv-SE").Clone();
            culture.NumberFormat.NegativeSign = "\u2212";
            return culture;
        }

        private static string[] PrintAll(Expr[] samples, CultureInfo culture)
        {
            CultureInfo saved = CultureInfo.CurrentCulture;
            try
            {
                CultureInfo.CurrentCulture = culture;
                return samples.Select(ExprPrinter.Print).ToArray();
            }
            finally
            {
                CultureInfo.CurrentCulture = saved;
            }
        }

        private static string Print(Expr e) => ExprPrinter.Print(e);

        private static void AssertLiteralRoundTrips(Const literal)
        {
            string text = Print(literal);
            var parsed = SyntaxFactory.ParseExpression(text);
            Assert.Empty(parsed.GetDiagnostics());
            object? value = parsed switch
            {
                LiteralExpressionSyntax l => l.Token.Value,
                PrefixUnaryExpressionSyntax { OperatorToken.ValueText: "-", Operand: LiteralExpressionSyntax { Token.Value: double d } } => -d,
                PrefixUnaryExpressionSyntax { OperatorToken.ValueText: "-", Operand: LiteralExpressionSyntax { Token.Value: float f } } => -f,
                _ => null,
            };
            if (literal.Type == ValType.Float)
            {
                Assert.True(value is float f && BitConverter.SingleToInt32Bits(f) == BitConverter.SingleToInt32Bits((float)literal.Value), $"'{text}' parses to {value} ({value?.GetType().Name}), expected float {literal.Value:R}");
            }
            else
            {
                Assert.True(value is double d && BitConverter.DoubleToInt64Bits(d) == BitConverter.DoubleToInt64Bits(literal.Value), $"'{text}' parses to {value} ({value?.GetType().Name}), expected double {literal.Value:R}");
            }
        }

        /// <summary>Parses <paramref name="printed"/> with Roslyn and compares its structure with <paramref name="expectedShape"/>.</summary>
        private static void AssertParsesAs(string expectedShape, string printed)
        {
            ExpressionSyntax parsed = SyntaxFactory.ParseExpression(printed);
            Diagnostic[] diagnostics = parsed.GetDiagnostics().ToArray();
            Assert.True(diagnostics.Length == 0, $"'{printed}' does not parse: {string.Join("; ", diagnostics.Select(d => d.GetMessage(CultureInfo.InvariantCulture)))}");
            Assert.True(parsed.FullSpan.Length == printed.Length, $"'{printed}' parses only in part.");
            string actual = Shape(parsed);
            Assert.True(expectedShape == actual, $"'{printed}' parses as {actual}, expected {expectedShape}.");
        }

        /// <summary>An S-expression of an IR tree; a negated non-negative literal is a negative literal (the same value).</summary>
        private static string Shape(Expr e) => e switch
        {
            Const c => Number(c.Value),
            Var v => v.Name,
            Unary { Op: UnaryOp.Neg, Operand: Const c } when double.IsFinite(c.Value) && !double.IsNegative(c.Value) => Number(-c.Value),
            Unary { Op: UnaryOp.Neg } u => "(neg " + Shape(u.Operand) + ")",
            Unary { Op: UnaryOp.Not } u => "(not " + Shape(u.Operand) + ")",
            Unary { Op: UnaryOp.Convert } u => "(cast " + u.Type.Keyword() + " " + Shape(u.Operand) + ")",
            Binary b => "(" + Symbol(b.Op) + " " + Shape(b.Left) + " " + Shape(b.Right) + ")",
            Cond c => "(? " + Shape(c.Condition) + " " + Shape(c.WhenTrue) + " " + Shape(c.WhenFalse) + ")",
            Call c => "(" + c.Function + " " + string.Join(" ", c.Args.Select(Shape)) + ")",
            _ => throw new ArgumentException("No shape for " + e.GetType().Name),
        };

        /// <summary>The same S-expression of a parsed C# expression.</summary>
        private static string Shape(ExpressionSyntax e)
        {
            switch (e)
            {
                case ParenthesizedExpressionSyntax p:
                    return Shape(p.Expression);
                case LiteralExpressionSyntax l:
                    return l.Token.Value switch
                    {
                        double d => Number(d),
                        float f => Number(f),
                        int i => Number(i),
                        bool b => b ? "true" : "false",
                        _ => l.ToString(),
                    };
                case IdentifierNameSyntax id:
                    return id.Identifier.ValueText;
                case MemberAccessExpressionSyntax m when m.Expression is PredefinedTypeSyntax:
                    return m.Name.Identifier.ValueText switch
                    {
                        "NaN" => "NaN",
                        "PositiveInfinity" => "Infinity",
                        "NegativeInfinity" => "-Infinity",
                        var other => other,
                    };
                case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.UnaryMinusExpression):
                    // A minus directly before a numeric literal is a negative literal (C# has no other kind).
                    return u.Operand is LiteralExpressionSyntax { Token.Value: double or float or int } lit
                        ? Number(-Convert.ToDouble(lit.Token.Value, CultureInfo.InvariantCulture))
                        : "(neg " + Shape(u.Operand) + ")";
                case PrefixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.LogicalNotExpression):
                    return "(not " + Shape(u.Operand) + ")";
                case CastExpressionSyntax cast:
                    return "(cast " + cast.Type + " " + Shape(cast.Expression) + ")";
                case BinaryExpressionSyntax b:
                    return "(" + b.OperatorToken.ValueText + " " + Shape(b.Left) + " " + Shape(b.Right) + ")";
                case ConditionalExpressionSyntax c:
                    return "(? " + Shape(c.Condition) + " " + Shape(c.WhenTrue) + " " + Shape(c.WhenFalse) + ")";
                case InvocationExpressionSyntax call when call.Expression is MemberAccessExpressionSyntax target:
                    return "(" + target.Name.Identifier.ValueText + " " + string.Join(" ", call.ArgumentList.Arguments.Select(a => Shape(a.Expression))) + ")";
                default:
                    return "<" + e.Kind() + ": " + e + ">";
            }
        }

        private static string Number(double value) =>
            double.IsNaN(value) ? "NaN"
            : double.IsPositiveInfinity(value) ? "Infinity"
            : double.IsNegativeInfinity(value) ? "-Infinity"
            : value == 0 ? (double.IsNegative(value) ? "-0" : "0")
            : value.ToString("R", CultureInfo.InvariantCulture);

        private static string Symbol(BinaryOp op) => op switch
        {
            BinaryOp.Add => "+",
            BinaryOp.Sub => "-",
            BinaryOp.Mul => "*",
            BinaryOp.Div => "/",
            BinaryOp.Rem => "%",
            BinaryOp.Lt => "<",
            BinaryOp.Le => "<=",
            BinaryOp.Gt => ">",
            BinaryOp.Ge => ">=",
            BinaryOp.Eq => "==",
            BinaryOp.Ne => "!=",
            BinaryOp.And => "&&",
            _ => "||",
        };

        private static readonly double[] AwkwardValues = { 0, 1, 2, 0.5, -1, -3, -0.25, 1e20, -1e-20, double.NaN, double.PositiveInfinity, double.NegativeInfinity };

        private static readonly string[] Names = { "a", "b", "c", "x" };

        private static Expr RandomNumber(Random random, int depth)
        {
            int pick = depth <= 0 ? random.Next(2) : random.Next(12);
            switch (pick)
            {
                case 0:
                    return Lit(AwkwardValues[random.Next(AwkwardValues.Length)]);
                case 1:
                    return new Var(Names[random.Next(Names.Length)], ValType.Double);
                case 2:
                    return Neg(RandomNumber(random, depth - 1));
                case 3:
                    return new Unary(UnaryOp.Convert, new Unary(UnaryOp.Convert, RandomNumber(random, depth - 1), ValType.Float), ValType.Double);
                case 4:
                    return new Cond(RandomBool(random, depth - 1), RandomNumber(random, depth - 1), RandomNumber(random, depth - 1), ValType.Double);
                case 5:
                    return new Call(KnownFunction.Max, EquatableArray.Create(RandomNumber(random, depth - 1), RandomNumber(random, depth - 1)), ValType.Double);
                default:
                    var op = new[] { BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div, BinaryOp.Rem }[random.Next(5)];
                    return new Binary(op, RandomNumber(random, depth - 1), RandomNumber(random, depth - 1), ValType.Double);
            }
        }

        private static Expr RandomBool(Random random, int depth)
        {
            int pick = depth <= 0 ? 0 : random.Next(5);
            switch (pick)
            {
                case 0:
                case 1:
                    var compare = new[] { BinaryOp.Lt, BinaryOp.Le, BinaryOp.Gt, BinaryOp.Ge, BinaryOp.Eq, BinaryOp.Ne }[random.Next(6)];
                    return new Binary(compare, RandomNumber(random, depth - 1), RandomNumber(random, depth - 1), ValType.Bool);
                case 2:
                    return new Unary(UnaryOp.Not, RandomBool(random, depth - 1), ValType.Bool);
                default:
                    return new Binary(random.Next(2) == 0 ? BinaryOp.And : BinaryOp.Or, RandomBool(random, depth - 1), RandomBool(random, depth - 1), ValType.Bool);
            }
        }

        private static Const Lit(double value) => Const.Of(value, ValType.Double);

        private static Binary Add(Expr a, Expr b) => new(BinaryOp.Add, a, b, ValType.Double);

        private static Binary Sub(Expr a, Expr b) => new(BinaryOp.Sub, a, b, ValType.Double);

        private static Binary Mul(Expr a, Expr b) => new(BinaryOp.Mul, a, b, ValType.Double);

        private static Binary Div(Expr a, Expr b) => new(BinaryOp.Div, a, b, ValType.Double);

        private static Unary Neg(Expr a) => new(UnaryOp.Neg, a, ValType.Double);
    }
}

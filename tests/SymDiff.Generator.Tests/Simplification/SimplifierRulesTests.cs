using System.Linq;
using SymDiff.Generator.Emit;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Simplification;
using Xunit;

namespace SymDiff.Generator.Tests.Simplification
{
    /// <summary>
    /// Unit tests of each rewrite rule in <see cref="SimplifierRules"/>, on IR built by hand. A rule returns the
    /// rewritten expression, or null when it does not apply; <see cref="SimplifierRules.Rewrite"/> applies all of them
    /// at the root until none fires. Results are compared structurally (IR nodes are records) and, for readability of
    /// failures, through <see cref="ExprPrinter"/>.
    /// </summary>
    public sealed class SimplifierRulesTests
    {
        private static readonly Var X = new("x", ValType.Double);
        private static readonly Var Y = new("y", ValType.Double);
        private static readonly Var A = new("a", ValType.Double);
        private static readonly Var C = new("c", ValType.Bool);

        // ------------------------------------------------------------------ x * 1, 1 * x, 0 * x, -1 * x

        [Fact]
        public void TimesOneIsTheOtherOperand()
        {
            Assert.Equal(X, SimplifierRules.MulZeroOne(Mul(X, Lit(1))));
            Assert.Equal(X, SimplifierRules.MulZeroOne(Mul(Lit(1), X)));
        }

        /// <summary>A symbolic zero absorbs anything (JAX and PyTorch treat a missing gradient the same way).</summary>
        [Fact]
        public void TimesZeroIsZero()
        {
            Assert.Equal(Lit(0), SimplifierRules.MulZeroOne(Mul(Lit(0), X)));
            Assert.Equal(Lit(0), SimplifierRules.MulZeroOne(Mul(X, Lit(0))));
        }

        [Fact]
        public void TimesMinusOneIsNegation()
        {
            Assert.Equal(Neg(X), SimplifierRules.MulZeroOne(Mul(Lit(-1), X)));
            Assert.Equal(Neg(X), SimplifierRules.MulZeroOne(Mul(X, Lit(-1))));
        }

        [Fact]
        public void MulZeroOneLeavesOtherProductsAlone()
        {
            Assert.Null(SimplifierRules.MulZeroOne(Mul(X, Y)));
            Assert.Null(SimplifierRules.MulZeroOne(Mul(X, Lit(2))));
            Assert.Null(SimplifierRules.MulZeroOne(Add(X, Lit(1))));
        }

        /// <summary>The zero of a float product is a float zero: the literal keeps the node's type.</summary>
        [Fact]
        public void TimesZeroKeepsTheType()
        {
            var xf = new Var("x", ValType.Float);
            Expr? result = SimplifierRules.MulZeroOne(new Binary(BinaryOp.Mul, xf, Const.Of(0, ValType.Float), ValType.Float));
            Assert.Equal(Const.Of(0, ValType.Float), result);
        }

        // ------------------------------------------------------------------ x + 0, 0 + x, x - 0, 0 - x

        [Fact]
        public void PlusZeroIsTheOtherOperand()
        {
            Assert.Equal(X, SimplifierRules.AddZero(Add(X, Lit(0))));
            Assert.Equal(X, SimplifierRules.AddZero(Add(Lit(0), X)));
            Assert.Equal(X, SimplifierRules.AddZero(Sub(X, Lit(0))));
        }

        [Fact]
        public void ZeroMinusXIsNegation() => Assert.Equal(Neg(X), SimplifierRules.AddZero(Sub(Lit(0), X)));

        [Fact]
        public void AddZeroLeavesOtherSumsAlone()
        {
            Assert.Null(SimplifierRules.AddZero(Add(X, Y)));
            Assert.Null(SimplifierRules.AddZero(Add(X, Lit(1))));
            Assert.Null(SimplifierRules.AddZero(Mul(X, Lit(0))));
        }

        // ------------------------------------------------------------------ x / 1, 0 / x, a * (1 / b)

        [Fact]
        public void DivideByOneAndZeroDivided()
        {
            Assert.Equal(X, SimplifierRules.DivOne(Div(X, Lit(1))));
            Assert.Equal(Lit(0), SimplifierRules.DivOne(Div(Lit(0), X)));
            Assert.Null(SimplifierRules.DivOne(Div(X, Y)));
        }

        /// <summary><c>a * (1 / b)</c> and <c>(1 / b) * a</c> become <c>a / b</c>.</summary>
        [Fact]
        public void TimesReciprocalIsDivision()
        {
            Assert.Equal(Div(A, Y), SimplifierRules.DivOne(Mul(A, Div(Lit(1), Y))));
            Assert.Equal(Div(A, Y), SimplifierRules.DivOne(Mul(Div(Lit(1), Y), A)));
        }

        // ------------------------------------------------------------------ --x, -(3), (float)2.0

        [Fact]
        public void DoubleNegationCancels()
        {
            Assert.Equal(X, SimplifierRules.DoubleNegation(Neg(Neg(X))));
            Assert.Null(SimplifierRules.DoubleNegation(Neg(X)));
        }

        [Fact]
        public void NegatedLiteralIsANegativeLiteral()
        {
            Assert.Equal(Lit(-3), SimplifierRules.NegConstant(Neg(Lit(3))));
            Assert.Equal(Const.Of(-2.5f, ValType.Float), SimplifierRules.NegConstant(new Unary(UnaryOp.Neg, Const.Of(2.5f, ValType.Float), ValType.Float)));
            Assert.Null(SimplifierRules.NegConstant(Neg(X)));
        }

        /// <summary><c>-(0)</c> is <c>-0.0</c>: negation flips the sign bit even of zero.</summary>
        [Fact]
        public void NegatedZeroIsNegativeZero()
        {
            Expr? result = SimplifierRules.NegConstant(Neg(Lit(0)));
            var literal = Assert.IsType<Const>(result);
            Assert.True(double.IsNegative(literal.Value), $"expected -0.0, got {literal}");
        }

        [Fact]
        public void ConvertedLiteralIsALiteralOfTheTargetType()
        {
            Assert.Equal(Const.Of(2, ValType.Float), SimplifierRules.ConvertConstant(new Unary(UnaryOp.Convert, Lit(2), ValType.Float)));
            Assert.Equal(Lit(3), SimplifierRules.ConvertConstant(new Unary(UnaryOp.Convert, Const.Of(3, ValType.Int), ValType.Double)));
            Assert.Null(SimplifierRules.ConvertConstant(new Unary(UnaryOp.Convert, X, ValType.Float)));
        }

        /// <summary>(float)0.1 is the float nearest 0.1, not the double 0.1.</summary>
        [Fact]
        public void ConvertedLiteralIsRoundedToFloat()
        {
            var literal = Assert.IsType<Const>(SimplifierRules.ConvertConstant(new Unary(UnaryOp.Convert, Lit(0.1), ValType.Float)));
            Assert.Equal((double)0.1f, literal.Value);
        }

        // ------------------------------------------------------------------ constant folding

        [Fact]
        public void ArithmeticOnLiteralsIsFolded()
        {
            Assert.Equal(Lit(6), SimplifierRules.FoldConstants(Mul(Lit(2), Lit(3))));
            Assert.Equal(Lit(5), SimplifierRules.FoldConstants(Add(Lit(2), Lit(3))));
            Assert.Equal(Lit(-1), SimplifierRules.FoldConstants(Sub(Lit(2), Lit(3))));
        }

        /// <summary>1 / 2 of doubles is 0.5: folding is floating-point division, never integer division.</summary>
        [Fact]
        public void OneHalfFoldsToPointFive() => Assert.Equal(Lit(0.5), SimplifierRules.FoldConstants(Div(Lit(1), Lit(2))));

        /// <summary>Float literals fold with float rounding: 0.1f + 0.2f is the float sum, as C# computes it.</summary>
        [Fact]
        public void FloatLiteralsFoldWithFloatRounding()
        {
            var sum = new Binary(BinaryOp.Add, Const.Of(0.1f, ValType.Float), Const.Of(0.2f, ValType.Float), ValType.Float);
            float expected = 0.1f + 0.2f;
            Assert.Equal(Const.Of(expected, ValType.Float), SimplifierRules.FoldConstants(sum));
        }

        /// <summary>IEEE decides for literal operands: 0 * Infinity is NaN (API.md section 7), 1 / 0 is Infinity.</summary>
        [Fact]
        public void FoldingFollowsIeee()
        {
            var zeroTimesInfinity = Assert.IsType<Const>(SimplifierRules.Rewrite(Mul(Lit(0), Lit(double.PositiveInfinity))));
            Assert.True(double.IsNaN(zeroTimesInfinity.Value), $"0 * Infinity folded to {zeroTimesInfinity}");
            Assert.Equal(Lit(double.PositiveInfinity), SimplifierRules.FoldConstants(Div(Lit(1), Lit(0))));
        }

        /// <summary>Integer division is data code with C# semantics (7 / 2 = 3); the simplifier must not fold it as doubles.</summary>
        [Fact]
        public void IntegerArithmeticIsNotFoldedAsDouble()
        {
            var sevenHalves = new Binary(BinaryOp.Div, Const.Of(7, ValType.Int), Const.Of(2, ValType.Int), ValType.Int);
            Expr result = SimplifierRules.Rewrite(sevenHalves);
            Assert.True(result.Equals(sevenHalves) || result.Equals(Const.Of(3, ValType.Int)), $"7 / 2 (int) became {ExprPrinter.Print(result)}");
        }

        [Fact]
        public void ComparisonsAreNotFoldedAsArithmetic() =>
            Assert.Null(SimplifierRules.FoldConstants(new Binary(BinaryOp.Lt, Lit(1), Lit(2), ValType.Bool)));

        // ------------------------------------------------------------------ Pow(x, 1), Pow(x, 0)

        [Fact]
        public void PowerOfOneIsTheBase() => Assert.Equal(X, SimplifierRules.PowOne(Pow(X, Lit(1))));

        [Fact]
        public void PowerOfZeroIsOne() => Assert.Equal(Lit(1), SimplifierRules.PowOne(Pow(X, Lit(0))));

        [Fact]
        public void OtherPowersAreKept()
        {
            Assert.Null(SimplifierRules.PowOne(Pow(X, Lit(2))));
            Assert.Null(SimplifierRules.PowOne(Pow(X, Y)));
            Assert.Null(SimplifierRules.PowOne(new Call(KnownFunction.Exp, EquatableArray.Create<Expr>(X), ValType.Double)));
        }

        // ------------------------------------------------------------------ c ? a : a, constant conditions

        [Fact]
        public void ConditionalWithEqualBranchesIsTheBranch()
        {
            Assert.Equal(Mul(X, Y), SimplifierRules.CondSameBranches(new Cond(C, Mul(X, Y), Mul(X, Y), ValType.Double)));
            Assert.Null(SimplifierRules.CondSameBranches(new Cond(C, X, Y, ValType.Double)));
        }

        [Fact]
        public void ConditionalOnALiteralIsTheChosenBranch()
        {
            Assert.Equal(X, SimplifierRules.CondConstant(new Cond(Const.True, X, Y, ValType.Double)));
            Assert.Equal(Y, SimplifierRules.CondConstant(new Cond(Const.False, X, Y, ValType.Double)));
            Assert.Null(SimplifierRules.CondConstant(new Cond(C, X, Y, ValType.Double)));
        }

        // ------------------------------------------------------------------ multiplication into a constant conditional

        /// <summary>A rule's piecewise partial times an adjoint: <c>x * (c ? 1 : 0)</c> is <c>c ? x : 0</c>.</summary>
        [Fact]
        public void ProductWithAConstantConditionalMovesIntoTheBranches()
        {
            Expr? right = SimplifierRules.MulIntoCond(Mul(X, new Cond(C, Lit(1), Lit(0), ValType.Double)));
            Assert.Equal(new Cond(C, X, Lit(0), ValType.Double), right);

            Expr? left = SimplifierRules.MulIntoCond(Mul(new Cond(C, Lit(2), Lit(-1), ValType.Double), X));
            Assert.Equal(new Cond(C, Mul(Lit(2), X), Neg(X), ValType.Double), left);
        }

        [Fact]
        public void ProductWithANonConstantConditionalIsKept() =>
            Assert.Null(SimplifierRules.MulIntoCond(Mul(X, new Cond(C, Y, Lit(0), ValType.Double))));

        // ------------------------------------------------------------------ negated operands

        [Fact]
        public void NegatedOperandsMoveOut()
        {
            Assert.Equal(Sub(A, X), SimplifierRules.NegOperands(Add(A, Neg(X))));
            Assert.Equal(Sub(A, X), SimplifierRules.NegOperands(Add(Neg(X), A)));
            Assert.Equal(Add(A, X), SimplifierRules.NegOperands(Sub(A, Neg(X))));
            Assert.Equal(Mul(A, X), SimplifierRules.NegOperands(Mul(Neg(A), Neg(X))));
            Assert.Equal(Neg(Mul(A, X)), SimplifierRules.NegOperands(Mul(Neg(A), X)));
            Assert.Equal(Neg(Div(A, X)), SimplifierRules.NegOperands(Div(A, Neg(X))));
        }

        // ------------------------------------------------------------------ like terms, x - x

        /// <summary><c>2x + 3x</c> is <c>5x</c>, and the factors may come in any order: <c>a x 0.5 + a (0.5 x)</c> is <c>a x</c>.</summary>
        [Fact]
        public void LikeTermsAreCollected()
        {
            Assert.Equal(Mul(Lit(5), X), SimplifierRules.CollectLikeTerms(Add(Mul(Lit(2), X), Mul(X, Lit(3)))));
            Assert.Equal(Mul(A, X), SimplifierRules.CollectLikeTerms(Add(Mul(Mul(A, X), Lit(0.5)), Mul(A, Mul(Lit(0.5), X)))));
            Assert.Null(SimplifierRules.CollectLikeTerms(Add(Mul(Lit(2), X), Mul(Lit(3), Y))));
        }

        /// <summary>
        /// <c>x - x</c> is not 0 when x is infinite or NaN, so it is not rewritten (the documented choice of
        /// <see cref="SimplifierRules.SubSelf"/>); the same holds for <c>x y - y x</c>. Only a symbolic zero may vanish.
        /// </summary>
        [Fact]
        public void XMinusXIsNotRewritten()
        {
            Assert.Null(SimplifierRules.SubSelf(Sub(X, X)));
            Assert.Equal(Sub(X, X), SimplifierRules.Rewrite(Sub(X, X)));
            Assert.Equal(Sub(Mul(X, Y), Mul(Y, X)), SimplifierRules.Rewrite(Sub(Mul(X, Y), Mul(Y, X))));
        }

        // ------------------------------------------------------------------ Rewrite and the smart constructors

        /// <summary>Rewrite applies rules at the root until none fires: <c>(-(-x)) * 1</c> needs two steps.</summary>
        [Fact]
        public void RewriteRunsToAFixedPoint()
        {
            Assert.Equal(X, SimplifierRules.Rewrite(Mul(Neg(Neg(X)), Lit(1))));
            Assert.Equal(Lit(0), SimplifierRules.Rewrite(Add(Mul(Lit(0), X), Lit(0))));
        }

        /// <summary>Bottom-up over a whole tree: <c>(1 * (x + 0)) * (0 + 1)</c> is <c>x</c>.</summary>
        [Fact]
        public void BottomUpRewriteSimplifiesNestedRules()
        {
            Expr tree = Mul(Mul(Lit(1), Add(X, Lit(0))), Add(Lit(0), Lit(1)));
            Assert.Equal(X, Walk.Transform(tree, SimplifierRules.Rewrite));
        }

        [Fact]
        public void SmartConstructorsSimplifyAsTheyBuild()
        {
            Assert.Equal(X, Ir.Mul(X, Ir.Lit(1, ValType.Double)));
            Assert.Equal(Lit(0), Ir.Mul(X, Ir.Lit(0, ValType.Double)));
            Assert.Equal(X, Ir.Add(Ir.Lit(0, ValType.Double), X));
            Assert.Equal(Lit(0), Ir.Sum(Enumerable.Empty<Expr>(), ValType.Double));
        }

        /// <summary>The primal's own expressions are never simplified: a rule only runs when asked, the tree is immutable.</summary>
        [Fact]
        public void RulesDoNotMutateTheirInput()
        {
            Binary product = Mul(X, Lit(1));
            _ = SimplifierRules.Rewrite(product);
            Assert.Equal("x * 1.0", ExprPrinter.Print(product));
        }

        private static Const Lit(double value) => Const.Of(value, ValType.Double);

        private static Binary Add(Expr a, Expr b) => new(BinaryOp.Add, a, b, ValType.Double);

        private static Binary Sub(Expr a, Expr b) => new(BinaryOp.Sub, a, b, ValType.Double);

        private static Binary Mul(Expr a, Expr b) => new(BinaryOp.Mul, a, b, ValType.Double);

        private static Binary Div(Expr a, Expr b) => new(BinaryOp.Div, a, b, ValType.Double);

        private static Unary Neg(Expr a) => new(UnaryOp.Neg, a, ValType.Double);

        private static Call Pow(Expr a, Expr b) => new(KnownFunction.Pow, EquatableArray.Create(a, b), ValType.Double);
    }
}

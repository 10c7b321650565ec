using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Emit;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using Xunit;
using static SymDiff.Generator.Tests.Passes.PassHarness;

namespace SymDiff.Generator.Tests.Passes
{
    /// <summary>
    /// The final naming pass (<see cref="ScopedNames"/>) alone, on IR built by hand, and the emitter's bit-identical
    /// rewrites. Expected names follow C#'s scoping rules (a local may not share a name with a local of an enclosing or a
    /// nested scope, nor with a parameter), written from those rules, not from the pass's output.
    /// </summary>
    public sealed class ScopedNamesPassTests
    {
        private static readonly string[] Parameters = { "x", "n" };

        private static Loop Counting(string counter, params Stmt[] body) => new(
            EquatableArray.Create(new LoopVar(counter, ValType.Int, N(0), new Binary(BinaryOp.Add, I(counter), N(1), ValType.Int))),
            Block.Empty,
            Lt(I(counter), I("n")),
            B(body),
            LoopKind.For,
            counter);

        private static (Block Body, EquatableArray<string> Hoisted) Apply(Block body, params string[] hoisted) =>
            Apply(body, new HashSet<string> { "x", "n", "s", "i", "a" }, hoisted);

        private static (Block Body, EquatableArray<string> Hoisted) Apply(Block body, HashSet<string> userNames, params string[] hoisted)
        {
            var (renamed, names, _) = ScopedNames.Apply(body, hoisted.ToEquatableArray(), userNames, Parameters);
            return (renamed, names);
        }

        /// <summary>
        /// Two sibling loops whose counters nothing outside reads each declare their counter in their own for: the second's
        /// i_3 becomes i. s_2 inside the second loop cannot be s (s is declared in the enclosing block): s2. x_1 cannot be x
        /// (a parameter): x2. Both loops are marked so the emitter keeps each counter in its for.
        /// </summary>
        [Fact]
        public void SiblingLoopsShareTheCounterAndEnclosingNamesAreAvoided()
        {
            var body = B(
                new Let("s", D(0)),
                Counting("i", new Let("a", Mul(V("x"), new Unary(UnaryOp.Convert, I("i"), ValType.Double)))),
                Counting("i_3", new Let("s_2", Add(V("s"), new Unary(UnaryOp.Convert, I("i_3"), ValType.Double)))),
                new Let("x_1", Mul(V("x"), D(2))),
                new Return(Add(V("s"), V("x_1"))));
            var (renamed, _) = Apply(body);
            var loops = renamed.Statements.OfType<Loop>().ToList();
            Assert.Equal("i", loops[0].Counter);
            Assert.Equal("i", loops[1].Counter);
            Assert.All(loops, l => Assert.True(l.CounterInFor));
            Assert.Equal("s2", ((Let)loops[1].Body.Statements[0]).Name);
            Assert.Equal(new[] { "s", "x2" }, renamed.Statements.OfType<Let>().Select(l => l.Name));
            Assert.Equal(Add(V("s"), V("x2")), ((Return)renamed.Statements[^1]).Value);
        }

        /// <summary>A counter read after its loop is declared before it (in the enclosing block): the next loop's counter may not be i, so i2.</summary>
        [Fact]
        public void ACounterReadAfterItsLoopKeepsItsNameToItself()
        {
            var body = B(
                Counting("i"),
                Counting("i_3"),
                new Return(new Unary(UnaryOp.Convert, I("i"), ValType.Double)));
            var (renamed, _) = Apply(body);
            var loops = renamed.Statements.OfType<Loop>().ToList();
            Assert.Equal("i", loops[0].Counter);
            Assert.False(loops[0].CounterInFor);
            Assert.Equal("i2", loops[1].Counter);
        }

        /// <summary>
        /// A let in a branch may not take the name of a local the enclosing block declares later (C# scopes span the whole
        /// block): a_2 in the branch stays clear of the phi a_3's choice, and each gets a name of its own.
        /// </summary>
        [Fact]
        public void ANestedLocalNeverSharesANameWithAnEnclosingOne()
        {
            var branch = new If(
                Gt(V("x"), D(0)),
                B(new Let("r_2", Mul(V("x"), V("x")))),
                Block.Empty,
                EquatableArray.Create(new Phi("r_3", ValType.Double, V("r_2"), D(0))));
            var (renamed, _) = Apply(B(branch, new Return(V("r_3"))), new HashSet<string> { "x", "n", "r" });
            var phi = ((If)renamed.Statements[0]).Phis[0].Name;
            var inner = ((Let)((If)renamed.Statements[0]).Then.Statements[0]).Name;
            Assert.NotEqual(phi, inner);
            Assert.Equal(new[] { "r", "r2" }, new[] { inner, phi }.OrderBy(n => n, StringComparer.Ordinal));
        }

        /// <summary>
        /// A name declared ahead (scope repair) stays unique in the method: the emitter decides by name whether a let
        /// declares or assigns it. y_1 is declared ahead in one branch and becomes y; y_2, in a sibling branch where C#
        /// would allow another y, may not take it (the emitter would write it as an assignment): y2.
        /// </summary>
        [Fact]
        public void ANameDeclaredAheadIsNeverShared()
        {
            var ahead = new If(
                Gt(V("x"), D(0)),
                B(new Declare("y_1", ValType.Double), new If(Gt(V("x"), D(1)), B(new Let("y_1", V("x"))), Block.Empty, EquatableArray<Phi>.Empty), new Return(V("y_1"))),
                Block.Empty,
                EquatableArray<Phi>.Empty);
            var sibling = new If(Gt(V("x"), D(2)), B(new Let("y_2", V("x")), new Return(V("y_2"))), Block.Empty, EquatableArray<Phi>.Empty);
            var (renamed, hoisted) = Apply(B(ahead, sibling, new Return(D(0))), new HashSet<string> { "x", "n", "y" }, "y_1");
            Assert.Equal("y", ((Declare)((If)renamed.Statements[0]).Then.Statements[0]).Name);
            Assert.Equal(new[] { "y" }, hoisted.AsImmutableArray());
            Assert.Equal("y2", ((Let)((If)renamed.Statements[1]).Then.Statements[0]).Name);
        }

        /// <summary>
        /// The user wrote three loops counting with i; the parser named the second and third i2 and i3. Where i is free
        /// (a sibling loop's counter) each takes i back. A counter read after its loop keeps the block's i, so the next
        /// loop's i2 stays i2 (read after its loop too), and a version of it (i2_2, a loop nested in the third loop) tries
        /// i, then i2 (both declared in the enclosing block), then the first number nothing in the method uses: i3 is the
        /// third loop's counter (i and i2 are taken around it), so i4.
        /// </summary>
        [Fact]
        public void ALocalTheParserNamedApartTakesTheUsersNameBackWhereItIsFree()
        {
            var users = new HashSet<string> { "x", "n", "i", "i2", "i3" };
            var sources = new Dictionary<string, string> { ["i2"] = "i", ["i3"] = "i" };
            var (siblings, _, _) = ScopedNames.Apply(
                B(Counting("i"), Counting("i2"), Counting("i3"), new Return(V("x"))),
                EquatableArray<string>.Empty, users, Parameters, sources);
            Assert.Equal(new[] { "i", "i", "i" }, siblings.Statements.OfType<Loop>().Select(l => l.Counter));

            // i is read after its loop (declared in the method's block): i2 keeps its name; the loop nested in i2's loop
            // that counts with a version of i2 may take neither i nor i2.
            var body = B(
                Counting("i"),
                Counting("i2", new Let("a", new Unary(UnaryOp.Convert, I("i2"), ValType.Double))),
                Counting("i3", Counting("i2_2", new Let("a_1", new Unary(UnaryOp.Convert, I("i2_2"), ValType.Double)))),
                new Return(new Unary(UnaryOp.Convert, Add(I("i"), I("i2")), ValType.Double)));
            var (renamed, _, _) = ScopedNames.Apply(body, EquatableArray<string>.Empty, new HashSet<string>(users) { "a" }, Parameters, sources);
            var loops = renamed.Statements.OfType<Loop>().ToList();
            Assert.Equal(new[] { "i", "i2", "i3" }, loops.Select(l => l.Counter));
            var nested = loops[2].Body.Statements.OfType<Loop>().Single();
            Assert.Equal("i4", nested.Counter);

            // Without the parser's record, a user's name is never changed (the user may have written i2 themselves).
            var (plain, _, _) = ScopedNames.Apply(
                B(Counting("i"), Counting("i2"), new Return(V("x"))), EquatableArray<string>.Empty, users, Parameters);
            Assert.Equal(new[] { "i", "i2" }, plain.Statements.OfType<Loop>().Select(l => l.Counter));
        }

        /// <summary>
        /// A version of a name SymDiff numbered itself (aIndex2_2, aIndex2_3 of a second copy loop's counter aIndex2) counts
        /// from that name's stem: aIndex where it is free; else aIndex2; else the first free aIndexK (aIndex3, aIndex4),
        /// never aIndex2_2. A version of a user's numbered name (v2, written by the user) keeps the user's name as its
        /// stem: v2_2, since v and v3 would read as other variables.
        /// </summary>
        [Fact]
        public void AVersionOfANumberedNameCountsFromItsStem()
        {
            static Stmt Int(string name, Expr value) => new Let(name, value);

            // aIndex is declared in the method's block and aIndex2 counts nested loops: aIndex3, aIndex4.
            var body = B(
                Counting(
                    "s",
                    Int("aIndex2_2", I("n")),
                    Int("aIndex2_3", Add(I("aIndex2_2"), N(1))),
                    Counting("aIndex2", new Let("a", new Unary(UnaryOp.Convert, Add(I("aIndex2"), I("aIndex2_3")), ValType.Double)))),
                Int("aIndex", N(0)),
                new Return(new Unary(UnaryOp.Convert, I("aIndex"), ValType.Double)));
            var (renamed, _) = Apply(body, new HashSet<string> { "x", "n", "a" });
            var outer = renamed.Statements.OfType<Loop>().Single();
            Assert.Equal(new[] { "aIndex3", "aIndex4" }, outer.Body.Statements.OfType<Let>().Select(l => l.Name));
            Assert.Equal("aIndex2", outer.Body.Statements.OfType<Loop>().Single().Counter);

            // Nothing else has aIndex: the version takes it; with aIndex declared around it, aIndex2 is next.
            var (free, _) = Apply(B(Int("aIndex2_2", N(3)), new Return(new Unary(UnaryOp.Convert, I("aIndex2_2"), ValType.Double))), new HashSet<string> { "x", "n" });
            Assert.Equal("aIndex", ((Let)free.Statements[0]).Name);
            var (second, _) = Apply(
                B(Int("aIndex", N(1)), Counting("i", Int("aIndex2_2", Add(I("aIndex"), I("i"))), new Let("a", new Unary(UnaryOp.Convert, I("aIndex2_2"), ValType.Double)))),
                new HashSet<string> { "x", "n", "a" });
            Assert.Equal("aIndex2", ((Let)second.Statements.OfType<Loop>().Single().Body.Statements[0]).Name);

            // The user wrote v2 (a name of theirs, not one SymDiff numbered): its versions never become v or v3.
            var (user, _) = Apply(
                B(Int("v2", N(1)), Counting("i", Int("v2_2", Add(I("v2"), I("i"))), new Let("a", new Unary(UnaryOp.Convert, I("v2_2"), ValType.Double)))),
                new HashSet<string> { "x", "n", "a", "v2" });
            Assert.Equal("v2_2", ((Let)user.Statements.OfType<Loop>().Single().Body.Statements[0]).Name);
        }

        /// <summary>
        /// A name made of another and a suffix (the tangent yRead2Dot of yRead2) follows its base when the base takes a
        /// shorter name (yRead2 is yRead in the second loop, free there): yReadDot. Where the new name is taken in an
        /// enclosing scope (zDot declared in the method's block) the derived name stays.
        /// </summary>
        [Fact]
        public void ANameMadeFromARenamedOneFollowsIt()
        {
            var body = B(
                new Let("zDot", V("x")),
                Counting("i", new Let("yRead", V("x")), new Let("yReadDot", V("x"))),
                Counting("i_2", new Let("yRead2", Mul(V("x"), V("x"))), new Let("yRead2Dot", Mul(V("yRead2"), V("zDot")))),
                Counting("i_3", new Let("z_1", V("x")), new Let("z_1Dot", V("z_1"))),
                new Return(V("zDot")));
            var (renamed, _) = Apply(body, new HashSet<string> { "x", "n", "i" });
            var loops = renamed.Statements.OfType<Loop>().ToList();
            Assert.Equal(new[] { "yRead", "yReadDot" }, loops[1].Body.Statements.OfType<Let>().Select(l => l.Name));
            Assert.Equal(Mul(V("yRead"), V("zDot")), ((Let)loops[1].Body.Statements[1]).Value);
            Assert.Equal(new[] { "z", "z_1Dot" }, loops[2].Body.Statements.OfType<Let>().Select(l => l.Name));
        }

        /// <summary>a + -b * c is written a - b * c, and the claim that both give the same bits is checked on values, signed zeros, infinities and subnormals.</summary>
        [Fact]
        public void PlusANegatedProductIsAMinusWithTheSameBits()
        {
            var a = V("a");
            var b = V("b");
            var c = V("c");
            var tidy = Emitter.Tidy(B(new Return(Add(a, Mul(new Unary(UnaryOp.Neg, b, ValType.Double), c)))));
            Assert.Equal("a - b * c", ExprPrinter.Print(((Return)tidy.Statements[0]).Value));

            double[] values = { 0.0, -0.0, 1.0, -1.5, 3e-320, -3e-320, 1e308, -1e308, double.PositiveInfinity, double.NegativeInfinity, 0.1, 7.25, -2.5e-10 };
            var random = new Random(10);
            var all = values.Concat(Enumerable.Range(0, 200).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30)))).ToArray();
            foreach (double x in all)
            {
                foreach (double y in all)
                {
                    foreach (double z in values)
                    {
                        double plus = x + -y * z;
                        double minus = x - y * z;
                        Assert.True(
                            BitConverter.DoubleToInt64Bits(plus) == BitConverter.DoubleToInt64Bits(minus) || (double.IsNaN(plus) && double.IsNaN(minus)),
                            $"{x} + -{y} * {z}");
                    }
                }
            }
        }

        /// <summary>g ? (g ? a : 0) : 0 is g ? a : 0, and x &amp;&amp; true is x.</summary>
        [Fact]
        public void ANestedGateOnTheSameConditionAndAndTrueGo()
        {
            var g = new Var("g", ValType.Bool);
            var gate = new Cond(g, new Cond(g, V("a"), D(0), ValType.Double), D(0), ValType.Double);
            var loopCondition = new Binary(BinaryOp.And, new Unary(UnaryOp.Not, g, ValType.Bool), Const.Of(1, ValType.Bool), ValType.Bool);
            var tidy = Emitter.Tidy(B(new Let("t", gate), new Let("u", loopCondition)));
            Assert.Equal("g ? a : 0.0", ExprPrinter.Print(((Let)tidy.Statements[0]).Value));
            Assert.Equal("!g", ExprPrinter.Print(((Let)tidy.Statements[1]).Value));
        }
    }
}

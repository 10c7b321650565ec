using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Simplification;
using Xunit;
using static SymDiff.Generator.Tests.Passes.PassHarness;

namespace SymDiff.Generator.Tests.Passes
{
    /// <summary>
    /// The scheduler's constant-let pass (<see cref="ConstantLets"/>) alone, on IR built by hand: an integer local SymDiff
    /// made that holds a constant is written as the constant where it is read; a loop counter stays a counter, and a
    /// user's local, a double, a name in C# text or an assigned name stays a local.
    /// </summary>
    public sealed class ConstantLetsPassTests
    {
        private static readonly HashSet<string> User = new(StringComparer.Ordinal) { "x", "n", "d", "p" };

        private static Loop CountingDown(string counter, Expr from, params Stmt[] body) => new(
            EquatableArray.Create(new LoopVar(counter, ValType.Int, from, Sub(I(counter), N(1)))),
            Block.Empty,
            new Binary(BinaryOp.Ge, I(counter), N(0), ValType.Bool),
            B(body),
            LoopKind.For,
            counter);

        /// <summary>
        /// int j2 = 3 (the final counter of a forward loop over three elements) starts the reverse loop and sizes a row:
        /// the loop starts at 2 (3 - 1 folded), the row has 3 elements, the let is gone; the loop still counts in j.
        /// </summary>
        [Fact]
        public void AConstantIntegerLetIsWrittenAsItsValueWhereItIsRead()
        {
            var row = new Let("pRow", new SpanView("p", I("t3"), I("j2"), ValType.Double, ReadOnly: true, OverArray: false));
            var body = B(
                new Let("j2", N(3)),
                new Let("t3", Mul(I("n"), N(4))),
                row,
                CountingDown("j", Sub(I("j2"), N(1)), new Store("out", I("j"), Mul(V("x"), new Elem("pRow", I("j"), ValType.Double)))),
                new Return(V("x")));
            var folded = ConstantLets.Apply(body, User);
            AssertIr(
                Print(
                    new Let("t3", Mul(I("n"), N(4))),
                    new Let("pRow", new SpanView("p", I("t3"), N(3), ValType.Double, ReadOnly: true, OverArray: false)),
                    CountingDown("j", N(2), new Store("out", I("j"), Mul(V("x"), new Elem("pRow", I("j"), ValType.Double)))),
                    new Return(V("x"))),
                Print(folded));
        }

        /// <summary>What stays: the user's own constant local, a double, a name read in C# text, a name assigned later, and a sum that would overflow an int.</summary>
        [Fact]
        public void UsersLocalsDoublesTextAndAssignedNamesStay()
        {
            void Stays(Block body) => Assert.Same(body, ConstantLets.Apply(body, User));

            Stays(B(new Let("d", N(3)), new Return(new Unary(UnaryOp.Convert, I("d"), ValType.Double))));
            Stays(B(new Let("c", D(3)), new Return(Mul(V("c"), V("x")))));
            Stays(B(new Let("k", N(3)), new Return(new Opaque("Helper(k)", ValType.Double))));
            Stays(B(new Let("k", N(3)), new Assign("k", N(4)), new Return(new Unary(UnaryOp.Convert, I("k"), ValType.Double))));

            // int.MaxValue + 1 and 1 / 0 in constants are compile errors in C#; k < 5 would make a loop's condition constant.
            Stays(B(new Let("k", N(int.MaxValue)), new Return(new Unary(UnaryOp.Convert, Add(I("k"), N(1)), ValType.Double))));
            Stays(B(new Let("k", N(0)), new Return(new Unary(UnaryOp.Convert, new Binary(BinaryOp.Div, N(1), I("k"), ValType.Int), ValType.Double))));
            Stays(B(new Let("k", N(3)), new Return(new Cond(Lt(I("k"), N(5)), V("x"), D(0), ValType.Double))));
        }
    }
}

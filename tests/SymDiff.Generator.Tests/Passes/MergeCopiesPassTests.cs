using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using Xunit;
using static SymDiff.Generator.Tests.Passes.PassHarness;

namespace SymDiff.Generator.Tests.Passes
{
    /// <summary>
    /// The emitter's copy merge (<see cref="MergeCopies"/>) alone, on named IR built by hand: a loop value that starts as a
    /// copy of a local of its block that nothing else reads takes that local's name (no <c>double maxBar2 = maxBar;</c>).
    /// Where C# would see the old name again, or the local is read elsewhere, the copy stays.
    /// </summary>
    public sealed class MergeCopiesPassTests
    {
        private static readonly HashSet<string> None = new(StringComparer.Ordinal);

        /// <summary>for (i...) { body } with the given carried values after the counter.</summary>
        private static Loop Counting(string counter, Expr from, IEnumerable<LoopVar> carried, params Stmt[] body) => new(
            new[] { new LoopVar(counter, ValType.Int, from, new Binary(BinaryOp.Add, I(counter), N(1), ValType.Int)) }.Concat(carried).ToEquatableArray(),
            Block.Empty,
            Lt(I(counter), I("n")),
            B(body),
            LoopKind.For,
            counter);

        private static Loop Summing(string counter, string sum, Expr init, Expr next) =>
            Counting(counter, N(0), new[] { new LoopVar(sum, ValType.Double, init, next) });

        /// <summary>
        /// The adjoint maxBar, summed by one loop, starts the next loop's maxBar2 and nothing else reads it: the second loop
        /// goes on in maxBar (its start is itself, which the emitter does not declare), and what reads maxBar2 after it
        /// reads maxBar.
        /// </summary>
        [Fact]
        public void ALoopValueStartedFromALocalNothingElseReadsTakesItsName()
        {
            var body = B(
                Summing("i", "maxBar", D(0), Sub(V("maxBar"), V("x"))),
                Summing("j", "maxBar2", V("maxBar"), Mul(V("maxBar2"), D(0.5))),
                new Return(V("maxBar2")));
            var merged = MergeCopies.Apply(body, None, None);
            var second = (Loop)merged.Statements[1];
            Assert.Equal(new LoopVar("maxBar", ValType.Double, V("maxBar"), Mul(V("maxBar"), D(0.5))), second.Carried[1]);
            Assert.Equal(new Return(V("maxBar")), merged.Statements[2]);
            Assert.Equal(body.Statements[0], merged.Statements[0]);

            // A let works the same; so does a loop nested in a branch or a loop body.
            var let = MergeCopies.Apply(B(new Let("z", Mul(V("x"), V("x"))), Summing("j", "z2", V("z"), Add(V("z2"), V("x"))), new Return(V("z2"))), None, None);
            Assert.Equal(new Return(V("z")), let.Statements[2]);
            var inBranch = new If(Gt(V("x"), D(0)), B(new Let("a", V("x")), Summing("j", "a2", V("a"), Add(V("a2"), V("x"))), new Store("out", N(0), V("a2"))), Block.Empty, EquatableArray<Phi>.Empty);
            var nested = (If)MergeCopies.Apply(B(inBranch), None, None).Statements[0];
            Assert.Equal(new Store("out", N(0), V("a")), nested.Then.Statements[2]);
        }

        /// <summary>Where the copy must stay: the local is read again, the names are declared ahead, the value is the loop's counter, the types differ, the local comes from outside the block (a parameter), or the enclosing loop's next value reads the copy after the block.</summary>
        [Fact]
        public void ACopyStaysWhereTheLocalIsStillNeeded()
        {
            void Stays(Block body, ISet<string>? hoisted = null)
            {
                var merged = MergeCopies.Apply(body, hoisted ?? None, None);
                Assert.Same(body, merged);
            }

            // maxBar read again after the loop that copies it.
            Stays(B(
                Summing("i", "maxBar", D(0), Sub(V("maxBar"), V("x"))),
                Summing("j", "maxBar2", V("maxBar"), Mul(V("maxBar2"), D(0.5))),
                new Return(Add(V("maxBar2"), V("maxBar")))));

            // Declared ahead (scope repair): the emitter decides by name.
            Stays(
                B(new Let("z", V("x")), Summing("j", "z2", V("z"), Add(V("z2"), V("x"))), new Return(V("z2"))),
                new HashSet<string> { "z2" });

            // A parameter is not a local of the block.
            Stays(B(Summing("j", "s", V("x"), Add(V("s"), V("x"))), new Return(V("s"))));

            // The counter starts from a local: the for may declare it; an int local does not start a double.
            Stays(B(new Let("k", I("n")), Counting("k2", I("k"), Array.Empty<LoopVar>()), new Return(V("x"))));
            Stays(B(new Let("k", I("n")), Summing("j", "s", new Unary(UnaryOp.Convert, I("k"), ValType.Double), Add(V("s"), V("x"))), new Return(V("s"))));

            // acc3 is read by the outer loop's next value, outside the body block.
            var inner = Summing("i", "acc3", V("acc2"), Add(V("acc3"), V("x")));
            var outer = new Loop(
                EquatableArray.Create(
                    new LoopVar("s", ValType.Int, N(0), Add(I("s"), N(1))),
                    new LoopVar("acc", ValType.Double, D(0), V("acc3"))),
                Block.Empty,
                Lt(I("s"), I("n")),
                B(new Let("acc2", Mul(V("acc"), D(2))), inner),
                LoopKind.For,
                "s");
            Stays(B(outer, new Return(V("acc"))));
        }
    }
}

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
    /// The scheduler's final-counter pass (<see cref="CounterEnds"/>) alone, on IR built by hand. A loop
    /// <c>for (j = a; j &lt; b; j++)</c> with no other exit ends with <c>j == max(a, b)</c> (C#'s semantics of the loop): after it
    /// the block reads the bound where <c>a &lt;= b</c> is known, the larger constant for two constants, and <c>j</c> otherwise.
    /// </summary>
    public sealed class CounterEndsPassTests
    {
        private static Loop Counting(string counter, Expr from, Expr bound, params Stmt[] body) => new(
            EquatableArray.Create(
                new LoopVar(counter, ValType.Int, from, Add(I(counter), N(1))),
                new LoopVar("z", ValType.Double, D(0), Add(V("z"), new Elem("w", I(counter), ValType.Double)))),
            Block.Empty,
            Lt(I(counter), bound),
            B(body),
            LoopKind.For,
            counter);

        private static Stmt ReadAfter(string name) => new Store("out", I(name), V("z"));

        /// <summary>j from 0 to d (a local holding a length), to w.Length, from 2 to 5: after the loop j is d, w.Length, 5.</summary>
        [Fact]
        public void TheFinalCounterIsTheBoundWhereTheStartIsKnownToBeBelowIt()
        {
            var d = new Let("d", new Len("w"));
            var body = B(d, Counting("j", N(0), I("d")), ReadAfter("j"));
            var after = CounterEnds.Apply(body);
            Assert.Equal(new Store("out", I("d"), V("z")), after.Statements[2]);
            Assert.Equal(body.Statements[1], after.Statements[1]);

            var length = CounterEnds.Apply(B(Counting("j", N(0), new Len("w")), ReadAfter("j")));
            Assert.Equal(new Store("out", new Len("w"), V("z")), length.Statements[1]);

            var constants = CounterEnds.Apply(B(Counting("j", N(2), N(5)), ReadAfter("j")));
            Assert.Equal(new Store("out", N(5), V("z")), constants.Statements[1]);

            // A start read after the loop (a reverse loop from j - 1) is folded: 4, not 5 - 1. A condition that would become
            // constant (j < 9 after the loop) keeps j.
            var reverse = CounterEnds.Apply(B(Counting("j", N(2), N(5)), new Store("out", Sub(I("j"), N(1)), V("z")), new Store("out", N(0), new Cond(Lt(I("j"), N(9)), V("z"), D(0), ValType.Double))));
            Assert.Equal(new Store("out", N(4), V("z")), reverse.Statements[1]);
            Assert.Equal(new Store("out", N(0), new Cond(Lt(I("j"), N(9)), V("z"), D(0), ValType.Double)), reverse.Statements[2]);

            // 7 > 5: the loop runs no iteration and j stays 7.
            var none = CounterEnds.Apply(B(Counting("j", N(7), N(5)), ReadAfter("j")));
            Assert.Equal(new Store("out", N(7), V("z")), none.Statements[1]);
        }

        /// <summary>
        /// j stays where its end is not known: a start that may be past the bound (a parameter n), a bound that is not a
        /// length (a parameter may be negative: j ends at 0), a bound the loop changes, a loop with a header (an exit in the
        /// middle), a loop counting down.
        /// </summary>
        [Fact]
        public void TheCounterStaysWhereItsEndIsNotKnown()
        {
            void Stays(Block body) => Assert.Same(body, CounterEnds.Apply(body));

            Stays(B(Counting("j", I("k"), I("n")), ReadAfter("j")));
            Stays(B(Counting("j", N(0), I("n")), ReadAfter("j")));
            Stays(B(Counting("j", N(0), Add(I("n"), N(1))), ReadAfter("j")));

            var changing = new Loop(
                EquatableArray.Create(
                    new LoopVar("j", ValType.Int, N(0), Add(I("j"), N(1))),
                    new LoopVar("m", ValType.Int, N(3), Sub(I("m"), N(1)))),
                Block.Empty,
                Lt(I("j"), I("m")),
                Block.Empty,
                LoopKind.For,
                "j");
            Stays(B(changing, ReadAfter("j")));

            var withHeader = Counting("j", N(0), new Len("w")) with { Header = B(new Let("h", Mul(V("x"), V("x")))) };
            Stays(B(withHeader, ReadAfter("j")));

            var down = new Loop(
                EquatableArray.Create(new LoopVar("j", ValType.Int, N(5), Sub(I("j"), N(1)))),
                Block.Empty,
                Gt(I("j"), N(0)),
                Block.Empty,
                LoopKind.For,
                "j");
            Stays(B(down, ReadAfter("j")));
        }
    }
}

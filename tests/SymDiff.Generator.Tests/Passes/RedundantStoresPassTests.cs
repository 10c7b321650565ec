using System.Collections.Generic;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Simplification;
using Xunit;
using static SymDiff.Generator.Tests.Passes.PassHarness;

namespace SymDiff.Generator.Tests.Passes
{
    /// <summary>
    /// The scheduler's redundant-store pass (<see cref="RedundantStores"/>) alone, on IR built by hand: where each rule
    /// fires and where it must not. Expected texts follow from what the stores do to memory: a zero followed by an
    /// addition of v leaves v in the element; a store of the value just read leaves the element as it was.
    /// </summary>
    public sealed class RedundantStoresPassTests
    {
        private static Block Apply(Block body) => RedundantStores.Apply(body, new HashSet<string>());

        private static Elem At(string array, string index) => new(array, I(index), ValType.Double);

        private static Store Zero(string array, string index) => new(array, I(index), D(0));

        private static Accumulate AddInto(string array, string index, Expr value) => new(array, I(index), value);

        /// <summary>
        /// Softmax's reverse sweep: the element's adjoint is taken (yBar2), zeroed, and gets the next contribution with
        /// nothing between: one store. Then the same with a let between (it writes nothing).
        /// </summary>
        [Fact]
        public void AZeroThenAnAdditionIsOneStore()
        {
            var body = B(
                new Let("yBar2", At("yBar", "i")),
                Zero("yBar", "i"),
                new Let("q", Mul(V("yBar2"), V("x"))),
                AddInto("yBar", "i", Mul(V("q"), V("s"))),
                new Return(V("q")));
            AssertIr(
                """
                let yBar2: double = yBar[i]
                let q: double = yBar2 * x
                yBar[i] = q * s
                return q
                """,
                Print(Apply(body)));
        }

        /// <summary>The element read back and stored again with nothing written between (hBar[1] = 0; hBar[1] += hBar2 after hBar2 = hBar[1]): no store at all.</summary>
        [Fact]
        public void AStoreOfTheValueJustReadGoes()
        {
            var body = B(
                new Let("hBar2", At("hBar", "k")),
                Zero("hBar", "k"),
                AddInto("hBar", "k", V("hBar2")),
                AddInto("dW", "k", Mul(V("hBar2"), V("x"))));
            AssertIr(
                """
                let hBar2: double = hBar[k]
                dW[k] += hBar2 * x
                """,
                Print(Apply(body)));
        }

        /// <summary>
        /// Where the rules must not fire: another index (hBar[j] after hBar[i] = 0); a read of the buffer between (the
        /// read must see the zero); a write to another buffer between (it might be a view); an addition that reads the
        /// element it adds into; a buffer that a view names elsewhere in the method; a store of a value read before
        /// a write.
        /// </summary>
        [Fact]
        public void NoRuleFiresAcrossAReadAWriteOrAnotherIndex()
        {
            Block[] untouched =
            {
                B(Zero("b", "i"), AddInto("b", "j", V("x"))),
                B(Zero("b", "i"), new Let("r", At("b", "j")), AddInto("b", "i", V("r"))),
                B(Zero("b", "i"), AddInto("c", "i", V("x")), AddInto("b", "i", V("x"))),
                B(Zero("b", "i"), AddInto("b", "i", Mul(At("b", "i"), V("x")))),
                B(new Let("v", new SpanView("b", N(0), I("n"), ValType.Double, ReadOnly: true, OverArray: true)), Zero("b", "i"), AddInto("b", "i", V("x"))),
                B(new Let("r", At("b", "i")), AddInto("b", "i", V("x")), new Store("b", I("i"), V("r"))),
                B(new Let("r", At("b", "i")), new Store("b", I("j"), V("r"))),
            };
            foreach (var body in untouched)
            {
                Assert.Equal(Print(body), Print(Apply(body)));
            }
        }

        /// <summary>An index whose variable an assignment changes between is another element: the zero stays where it was.</summary>
        [Fact]
        public void AnIndexAssignedBetweenIsAnotherElement()
        {
            var body = B(Zero("b", "i"), new Assign("i", Add(I("i"), N(1))), AddInto("b", "i", V("x")));
            Assert.Equal(Print(body), Print(Apply(body)));

            // An assignment of another name does not matter.
            var other = B(Zero("b", "i"), new Assign("u", V("x")), AddInto("b", "i", V("x")));
            AssertIr(
                """
                u = x
                b[i] = x
                """,
                Print(Apply(other)));
        }

        /// <summary>Inside a loop's body the rules apply to that body's statements; a zero before a loop whose body adds into the element does not merge with it (the loop may run no iteration).</summary>
        [Fact]
        public void RulesApplyWithinOneBlock()
        {
            var inner = new Loop(
                EquatableArray.Create(new LoopVar("i", ValType.Int, N(0), Add(I("i"), N(1)))),
                Block.Empty,
                Lt(I("i"), I("n")),
                B(new Let("yBar2", At("yBar", "i")), Zero("yBar", "i"), AddInto("yBar", "i", Mul(V("yBar2"), V("x")))),
                LoopKind.For,
                "i");
            AssertIr(
                """
                loop i = 0 while i < n
                  let yBar2: double = yBar[i]
                  yBar[i] = yBar2 * x
                  next i = i + 1
                end
                """,
                Print(Apply(B(inner))));

            var across = B(Zero("b", "k"), inner with { Body = B(AddInto("b", "k", V("x"))) });
            Assert.Equal(Print(across), Print(Apply(across)));
        }

        private static Loop Counting(string counter, params Stmt[] body) => new(
            EquatableArray.Create(new LoopVar(counter, ValType.Int, N(0), Add(I(counter), N(1)))),
            Block.Empty,
            Lt(I(counter), I("n")),
            B(body),
            LoopKind.For,
            counter);

        /// <summary>
        /// Softmax's last reverse loop: each iteration takes its element's adjoint and zeroes it, and nothing reads the
        /// rented adjoint buffer after the loop: the zero is never read (later iterations name other elements), so it goes.
        /// Outside loops, a zero stored into a rented buffer that nothing after it names goes too.
        /// </summary>
        [Fact]
        public void AStoreNothingReadsGoes()
        {
            var body = B(
                new RentBuffer("yBar", ValType.Double, I("n")),
                Counting("i", new Let("yBar3", At("yBar", "i")), Zero("yBar", "i"), AddInto("dZ", "i", Mul(V("yBar3"), V("x")))),
                new Return(V("x")));
            AssertIr(
                """
                rent yBar: double[n]
                loop i = 0 while i < n
                  let yBar3: double = yBar[i]
                  dZ[i] += yBar3 * x
                  next i = i + 1
                end
                return x
                """,
                Print(Apply(body)));

            var straight = B(new RentBuffer("b", ValType.Double, I("n")), new Store("b", N(0), D(0)), new Return(V("x")));
            AssertIr(
                """
                rent b: double[n]
                return x
                """,
                Print(Apply(straight)));
        }

        /// <summary>
        /// Where the zero is read, it stays: a read after the loop; a read of another element in the loop (a later
        /// iteration may read this one); a read after the store in the same iteration; a loop around the loop (its
        /// next iteration reads the element again); a buffer the caller sees (a gradient parameter, not rented); a
        /// loop that does not count by one; the user's own buffer; a computed value.
        /// </summary>
        [Fact]
        public void AStoreSomethingMayReadStays()
        {
            static Stmt Take(string index) => new Let("yBar3", At("yBar", index));
            var rent = new RentBuffer("yBar", ValType.Double, I("n"));
            var other = new Binary(BinaryOp.Sub, I("i"), N(1), ValType.Int);
            Block[] untouched =
            {
                B(rent, Counting("i", Take("i"), Zero("yBar", "i")), new Return(new Elem("yBar", N(0), ValType.Double))),
                B(rent, Counting("i", new Let("p", new Elem("yBar", other, ValType.Double)), Zero("yBar", "i"), AddInto("dZ", "i", V("p")))),
                B(rent, Counting("i", Zero("yBar", "i"), Take("i"), AddInto("dZ", "i", V("yBar3")))),
                B(rent, Counting("k", Counting("i", Take("i"), Zero("yBar", "i"), AddInto("dZ", "i", V("yBar3"))))),
                B(Counting("i", new Let("g", At("dX", "i")), Zero("dX", "i"), AddInto("dZ", "i", V("g")))),
                B(rent, Counting("i", Take("i"), Zero("yBar", "i"), AddInto("dZ", "i", V("yBar3"))) with { Condition = Lt(I("i"), I("n")), Carried = EquatableArray.Create(new LoopVar("i", ValType.Int, N(0), Add(I("i"), N(2)))) }),
            };
            foreach (var body in untouched)
            {
                Assert.Equal(Print(body), Print(Apply(body)));
            }

            // The user's own buffer keeps its stores; a computed value stays too (the vectoriser may park values in a buffer).
            var user = B(new RentBuffer("h", ValType.Double, I("n")), Counting("j", new Store("h", I("j"), D(0))), new Return(V("x")));
            Assert.Equal(Print(user), Print(RedundantStores.Apply(user, new HashSet<string> { "h" })));
            var computed = B(new RentBuffer("hDot", ValType.Double, I("n")), Counting("j", new Store("hDot", I("j"), V("x"))), new Return(V("x")));
            Assert.Equal(Print(computed), Print(Apply(computed)));
        }
    }
}

using System;
using System.Collections.Generic;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Simplification;
using Xunit;
using static SymDiff.Generator.Tests.Passes.PassHarness;

namespace SymDiff.Generator.Tests.Passes
{
    /// <summary>
    /// The scheduler's loop fusion and the two buffer rules it enables (<c>Scheduler.Fusion.cs</c>), on IR built by hand.
    /// Each expected text was written from the rule's documentation: the same floating-point operations on the same
    /// operands in the same order, with only loops merged, lets moved, counters renamed, and buffer elements that live one
    /// iteration turned into locals.
    /// </summary>
    public sealed class FusionPassTests
    {
        private static Loop Count(string counter, Expr bound, params Stmt[] body) => Count(counter, bound, Array.Empty<LoopVar>(), body);

        private static Loop Count(string counter, Expr bound, LoopVar[] carried, params Stmt[] body)
        {
            var all = new List<LoopVar> { new LoopVar(counter, ValType.Int, N(0), Add(I(counter), N(1))) };
            all.AddRange(carried);
            return new Loop(EquatableArray.Create(all.ToArray()), Block.Empty, Lt(I(counter), bound), B(body), LoopKind.For, counter);
        }

        private static Elem E(string array, Expr index) => new(array, index, ValType.Double);

        /// <summary>A loop that fills h[j] and a loop that reads h[k] only, over the same range: one loop, the let between moved before it.</summary>
        [Fact]
        public void AdjacentLoopsOverTheSameRangeAreFused()
        {
            var body = B(
                Count("j", I("n"), new Store("h", I("j"), Sin(E("x", I("j"))))),
                new Let("c", Mul(D(2), V("y"))),
                Count("k", I("n"), new[] { new LoopVar("s", ValType.Double, D(0), V("s_1")) }, new Let("s_1", Add(V("s"), Mul(V("c"), E("h", I("k")))))),
                new Return(Add(V("s"), new Unary(UnaryOp.Convert, I("k"), ValType.Double))));
            AssertIr(
                """
                let c: double = 2.0 * y
                loop j = 0, s = 0.0 while j < n
                  h[j] = Math.Sin(x[j])
                  let s_1: double = s + c * h[j]
                  next j = j + 1, s = s_1
                end
                return s + (double)j
                """,
                Print(Scheduler.FuseLoops(body)));
        }

        /// <summary>Reading h[k + 1] needs the next iteration of the first loop; a different bound, or the first loop's final counter, also keep them apart.</summary>
        [Fact]
        public void LoopsWithCrossIterationDependenceOrOtherRangesStayApart()
        {
            Block Pair(Expr index, Expr bound, Expr extra) => B(
                Count("j", I("n"), new Store("h", I("j"), Sin(E("x", I("j"))))),
                Count("k", bound, new[] { new LoopVar("s", ValType.Double, D(0), V("s_1")) }, new Let("s_1", Add(V("s"), Mul(extra, E("h", index))))),
                new Return(V("s")));

            foreach (var body in new[]
            {
                Pair(Add(I("k"), N(1)), I("n"), V("y")),                                        // the next element
                Pair(I("k"), I("m"), V("y")),                                                   // another range
                Pair(I("k"), I("n"), new Unary(UnaryOp.Convert, I("j"), ValType.Double)),       // the first loop's final counter
            })
            {
                Assert.Same(body, Scheduler.FuseLoops(body));
            }
        }

        /// <summary>
        /// Bounds proven equal: a and b end at max(0, n) both, so loops to a and to b run as often as the loop to n (the
        /// final counter of a loop from the same start to the same bound is that bound: all four become one). Additions
        /// into one gradient buffer at unrelated indices commute (an adjoint buffer: only the gradient's rounding can change).
        /// </summary>
        [Fact]
        public void FinalCountersOfEqualLoopsAreEqualBoundsAndAdditionsCommute()
        {
            var body = B(
                Count("a", I("n"), new Store("h", I("a"), E("x", I("a")))),
                Count("b", I("n"), new Store("u", I("b"), E("x", I("b")))),
                Count("i", I("a"), new Accumulate("g", Add(I("i"), N(1)), E("h", I("i")))),
                Count("k", I("b"), new Accumulate("g", Mul(N(2), I("k")), E("u", I("k")))),
                new Return(D(0)));
            AssertIr(
                """
                loop a = 0 while a < n
                  h[a] = x[a]
                  u[a] = x[a]
                  g[a + 1] += h[a]
                  g[2 * a] += u[a]
                  next a = a + 1
                end
                return 0.0
                """,
                Print(Scheduler.FuseLoops(body)));
        }

        /// <summary>A clear followed by a loop that stores every element before reading it goes; one whose loop reads first, or starts at 1, stays.</summary>
        [Fact]
        public void ClearsOfBuffersFilledWholeBeforeAnyReadAreDropped()
        {
            Block Body(params Stmt[] loopBody) => B(
                new RentBuffer("h", ValType.Double, I("n")) { Zeroed = true },
                Count("s", I("m"), new ClearArray("h", I("n")), Count("j", I("n"), loopBody)),
                new Return(D(0)));

            var covered = Body(new Store("h", I("j"), E("x", I("j"))), new Accumulate("g", I("j"), E("h", I("j"))));
            string dropped = Print(Scheduler.DropCoveredClears(covered));
            Assert.DoesNotContain("ClearArray", dropped, StringComparison.Ordinal);
            Assert.Contains("h[j] = x[j]", dropped, StringComparison.Ordinal);

            var readFirst = Body(new Accumulate("g", I("j"), E("h", I("j"))), new Store("h", I("j"), E("x", I("j"))));
            Assert.Contains("ClearArray", Print(Scheduler.DropCoveredClears(readFirst)), StringComparison.Ordinal);

            var otherIndex = Body(new Store("h", I("j"), E("x", I("j"))), new Accumulate("g", I("j"), E("h", Add(I("j"), N(1)))));
            Assert.Contains("ClearArray", Print(Scheduler.DropCoveredClears(otherIndex)), StringComparison.Ordinal);
        }

        /// <summary>
        /// hBar is added into, read and zeroed at [j] in one loop and nowhere else: each element is zero when its iteration
        /// starts, so it becomes a local and the buffer goes. Left non-zero, or read at another index, it stays a buffer.
        /// </summary>
        [Fact]
        public void ABufferThatLivesOneIterationBecomesALocal()
        {
            Block Body(Expr readIndex, Expr last) => B(
                new RentBuffer("hBar", ValType.Double, I("n")) { Zeroed = true },
                Count("s", I("m"), Count(
                    "j",
                    I("n"),
                    new Accumulate("hBar", I("j"), Mul(V("u"), E("w", I("j")))),
                    new Let("v", E("hBar", readIndex)),
                    new Store("hBar", I("j"), last),
                    new Accumulate("g", I("j"), Mul(V("v"), E("x", I("j"))))), new ClearArray("hBar", I("n"))),
                new Return(D(0)));

            AssertIr(
                """
                loop s = 0 while s < m
                  loop j = 0 while j < n
                    let hBar2: double = u * w[j]
                    let v: double = hBar2
                    g[j] += v * x[j]
                    next j = j + 1
                  end
                  next s = s + 1
                end
                return 0.0
                """,
                Print(Scheduler.ScalarizeBuffersPass(Body(I("j"), D(0)), new Namer(new[] { "hBar", "u", "v", "w", "x", "g", "n", "m" }))));

            var notZeroed = Body(I("j"), D(1));
            Assert.Contains("rent hBar", Print(Scheduler.ScalarizeBuffersPass(notZeroed, new Namer(Array.Empty<string>()))), StringComparison.Ordinal);
            var otherIndex = Body(Add(I("j"), N(1)), D(0));
            Assert.Contains("rent hBar", Print(Scheduler.ScalarizeBuffersPass(otherIndex, new Namer(Array.Empty<string>()))), StringComparison.Ordinal);
        }

        /// <summary>
        /// Two branches on one condition with a pure let between: one branch after the let, the first's arms then the
        /// second's, both phis. A second branch that reads the first's phi, or a different condition, stays apart.
        /// </summary>
        [Fact]
        public void BranchesOnTheSameConditionAreMerged()
        {
            var condition = Lt(V("r"), V("d"));
            If First() => new If(condition, B(new Let("a", Mul(V("r"), V("r")))), B(new Let("b", Mul(V("d"), V("r")))), EquatableArray.Create(new Phi("f", ValType.Double, V("a"), V("b"))));
            If Second(Expr c, Expr read) => new If(c, B(new Let("u", Mul(V("g"), read))), B(new Let("w", Mul(V("g"), V("d")))), EquatableArray.Create(new Phi("rBar", ValType.Double, V("u"), V("w"))));
            var body = B(First(), new Let("g", Mul(D(0.5), V("s"))), Second(condition, V("r")), new Return(Add(V("f"), V("rBar"))));
            AssertIr(
                """
                let g: double = 0.5 * s
                if r < d
                  let a: double = r * r
                  let u: double = g * r
                  yield f = a
                  yield rBar = u
                else
                  let b: double = d * r
                  let w: double = g * d
                  yield f = b
                  yield rBar = w
                end
                return f + rBar
                """,
                Print(Scheduler.MergeBranches(body)));

            var readsPhi = B(First(), Second(condition, V("f")), new Return(V("rBar")));
            Assert.Same(readsPhi, Scheduler.MergeBranches(readsPhi));
            var other = B(First(), Second(Lt(V("r"), V("e")), V("r")), new Return(V("rBar")));
            Assert.Same(other, Scheduler.MergeBranches(other));
        }

        /// <summary>h[j] = sin x[j] read back as h[j] twice: the value is named once and read; a store to h between forgets it.</summary>
        [Fact]
        public void StoredElementsOfLocalBuffersAreReadBackFromTheirValue()
        {
            var body = B(
                new RentBuffer("h", ValType.Double, I("n")) { Zeroed = true },
                Count(
                    "j",
                    I("n"),
                    new Store("h", I("j"), Sin(E("x", I("j")))),
                    new Let("a", Mul(E("h", I("j")), E("h", I("j")))),
                    new Store("h", Add(I("j"), N(1)), V("a")),
                    new Let("b", E("h", I("j")))),
                new Return(D(0)));
            AssertIr(
                """
                rent h: double[n]
                loop j = 0 while j < n
                  let t0: double = Math.Sin(x[j])
                  h[j] = t0
                  let a: double = t0 * t0
                  h[j + 1] = a
                  let b: double = h[j]
                  next j = j + 1
                end
                return 0.0
                """,
                Print(Scheduler.ForwardStoresPass(body, new Namer(new[] { "h", "x", "a", "b", "n", "j" }))));
        }

        /// <summary>
        /// <c>while (g != 0 &amp;&amp; k &lt; n)</c> with g invariant: <c>if (g != 0)</c> around a counting loop; the counter's
        /// final value is its start when the guard is false; a value carried unchanged becomes a let before the branch.
        /// </summary>
        [Fact]
        public void AnInvariantGuardOfALoopIsTestedOnce()
        {
            var guard = new Binary(BinaryOp.Ne, V("g"), D(0), ValType.Bool);
            var loop = new Loop(
                EquatableArray.Create(new LoopVar("k", ValType.Int, N(0), Add(I("k"), N(1))), new LoopVar("a", ValType.Double, Mul(V("g"), V("c")), V("a"))),
                Block.Empty,
                new Binary(BinaryOp.And, guard, Lt(I("k"), I("n")), ValType.Bool),
                B(new Accumulate("dW", I("k"), Mul(V("a"), E("x", I("k"))))),
                LoopKind.While,
                "k");
            AssertIr(
                """
                let a: double = g * c
                if g != 0.0
                  loop k2 = 0 while k2 < n
                    dW[k2] += a * x[k2]
                    next k2 = k2 + 1
                  end
                  yield k = k2
                else
                  yield k = 0
                end
                return (double)k
                """,
                Print(Scheduler.HoistLoopGuardsPass(B(loop, new Return(new Unary(UnaryOp.Convert, I("k"), ValType.Double))), new Namer(new[] { "k", "a", "g", "c", "n", "x", "dW" }))));

            // A guard that reads what the loop carries is not invariant.
            var carried = loop with { Condition = new Binary(BinaryOp.And, Lt(V("a"), D(1)), Lt(I("k"), I("n")), ValType.Bool) };
            var body = B(carried, new Return(D(0)));
            Assert.Same(body, Scheduler.HoistLoopGuardsPass(body, new Namer(Array.Empty<string>())));
        }
    }
}

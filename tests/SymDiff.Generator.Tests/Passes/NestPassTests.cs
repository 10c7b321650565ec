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
    /// The scheduler's nest rules (<c>Scheduler.Nests.cs</c>) on IR built by hand: values carried unchanged become lets,
    /// an independent loop counting down over the iterations of the loop before it counts up instead, and equal lets
    /// share one name. Each expected text was written from the rule's documentation: the same floating-point operations
    /// on the same operands, with only carried values turned into lets, a counter's direction changed, or a let's reads
    /// renamed.
    /// </summary>
    public sealed class NestPassTests
    {
        private static readonly HashSet<string> NoKeep = new(StringComparer.Ordinal);

        private static Elem E(string array, Expr index) => new(array, index, ValType.Double);

        private static Loop Up(string counter, Expr bound, LoopVar[] carried, params Stmt[] body)
        {
            var all = new List<LoopVar> { new LoopVar(counter, ValType.Int, N(0), Add(I(counter), N(1))) };
            all.AddRange(carried);
            return new Loop(EquatableArray.Create(all.ToArray()), Block.Empty, Lt(I(counter), bound), B(body), LoopKind.For, counter);
        }

        private static Loop Down(string counter, string from, LoopVar[] carried, params Stmt[] body)
        {
            var all = new List<LoopVar> { new LoopVar(counter, ValType.Int, Sub(I(from), N(1)), Sub(I(counter), N(1))) };
            all.AddRange(carried);
            return new Loop(EquatableArray.Create(all.ToArray()), Block.Empty, new Binary(BinaryOp.Ge, I(counter), N(0), ValType.Bool), B(body), LoopKind.For, counter);
        }

        /// <summary>The forward loop of a sum over i, s += x[i]^2.</summary>
        private static Loop Forward() => Up("i", I("n"), new[] { new LoopVar("s", ValType.Double, D(0), V("s_1")) }, new Let("s_1", Add(V("s"), Mul(E("x", I("i")), E("x", I("i"))))));

        /// <summary>
        /// The reverse of a nest: the outer loop carries sBar, the inner loop carries a copy of it unchanged, and the outer
        /// loop's next value is the inner loop's final copy. The inner value is sBar's start value throughout, a let that
        /// copies sBar; the copy is sBar, so the outer loop carries sBar unchanged too: two lets, the copy gone.
        /// </summary>
        [Fact]
        public void ValuesCarriedUnchangedBecomeLetsThroughNestedLoops()
        {
            var body = B(
                Up("i", I("n"), new[] { new LoopVar("sBar", ValType.Double, D(1), V("sBar2")) },
                    Up("j", I("m"), new[] { new LoopVar("sBar2", ValType.Double, V("sBar"), V("sBar2")) },
                        new Accumulate("g", I("j"), Mul(V("sBar2"), E("x", I("j")))))),
                new Return(D(0)));
            AssertIr(
                """
                let sBar: double = 1.0
                loop i = 0 while i < n
                  loop j = 0 while j < m
                    g[j] += sBar * x[j]
                    next j = j + 1
                  end
                  next i = i + 1
                end
                return 0.0
                """,
                Print(Scheduler.PrepareNestsPass(body, NoKeep)));

            // A value that changes (a product's adjoint) stays carried.
            var changing = B(
                Up("i", I("n"), new[] { new LoopVar("pBar", ValType.Double, D(1), Mul(V("pBar"), E("x", I("i")))) }, new Accumulate("g", I("i"), V("pBar"))),
                new Return(D(0)));
            Assert.Contains("pBar = 1.0", Print(Scheduler.PrepareNestsPass(changing, NoKeep)), StringComparison.Ordinal);
            Assert.DoesNotContain("let pBar", Print(Scheduler.PrepareNestsPass(changing, NoKeep)), StringComparison.Ordinal);
        }

        /// <summary>
        /// A reverse loop from i - 1 down to 0 right after the loop that counted i up from 0, adding into g only: it counts
        /// up from 0 to i, and fusion then makes one pass of the two (i ends at max(0, n), the first loop's trip count).
        /// </summary>
        [Fact]
        public void AnIndependentLoopCountingDownCountsUpAndFuses()
        {
            var body = B(
                Forward(),
                new Comment("Reverse sweep: gradients"),
                Down("i_2", "i", Array.Empty<LoopVar>(), new Accumulate("g", I("i_2"), Mul(D(2), E("x", I("i_2")))), new Accumulate("g", Add(I("i_2"), N(1)), E("x", I("i_2")))),
                new Return(V("s")));
            var prepared = Scheduler.PrepareNestsPass(body, NoKeep);
            AssertIr(
                """
                loop i = 0, s = 0.0 while i < n
                  let s_1: double = s + x[i] * x[i]
                  next i = i + 1, s = s_1
                end
                // Reverse sweep: gradients
                loop i_2 = 0 while i_2 < i
                  g[i_2] += 2.0 * x[i_2]
                  g[i_2 + 1] += x[i_2]
                  next i_2 = i_2 + 1
                end
                return s
                """,
                Print(prepared));
            AssertIr(
                """
                loop i = 0, s = 0.0 while i < n
                  let s_1: double = s + x[i] * x[i]
                  g[i] += 2.0 * x[i]
                  g[i + 1] += x[i]
                  next i = i + 1, s = s_1
                end
                return s
                """,
                Print(Scheduler.FuseLoops(prepared)));
        }

        /// <summary>
        /// The order of a reverse loop's iterations matters when it reads what it adds into (g[i2 + 1] then g[i2]), stores,
        /// carries a value that changes, is read after the loop, or does not start at the previous loop's final counter
        /// minus one: each stays as it is.
        /// </summary>
        [Fact]
        public void DependentLoopsCountingDownStayAsTheyAre()
        {
            Block Case(Stmt down, params Stmt[] after)
            {
                var list = new List<Stmt> { Forward(), down };
                list.AddRange(after);
                list.Add(new Return(V("s")));
                return B(list.ToArray());
            }

            var cases = new[]
            {
                Case(Down("i_2", "i", Array.Empty<LoopVar>(), new Accumulate("g", I("i_2"), E("g", Add(I("i_2"), N(1)))))),
                Case(Down("i_2", "i", Array.Empty<LoopVar>(), new Store("g", I("i_2"), E("x", I("i_2"))))),
                Case(Down("i_2", "i", new[] { new LoopVar("pBar", ValType.Double, D(1), Mul(V("pBar"), E("x", I("i_2")))) }, new Accumulate("g", I("i_2"), V("pBar")))),
                Case(Down("i_2", "i", Array.Empty<LoopVar>(), new Accumulate("g", I("i_2"), E("x", I("i_2")))), new Accumulate("g", I("i_2"), D(1))),
                Case(Down("i_2", "n", Array.Empty<LoopVar>(), new Accumulate("g", I("i_2"), E("x", I("i_2"))))),
            };
            foreach (var body in cases)
            {
                string printed = Print(Scheduler.PrepareNestsPass(body, NoKeep));
                Assert.Contains("i_2 >= 0", printed, StringComparison.Ordinal);
            }
        }

        /// <summary>
        /// Two lets of one value that reads no memory, the second in a nested block: the second's reads read the first, so
        /// u[k_1] is u[k] to the common-subexpression pass. A let that reads memory keeps its own name.
        /// </summary>
        [Fact]
        public void EqualLetsShareOneName()
        {
            var body = B(
                new Let("k", Add(Mul(I("i"), I("m")), I("j"))),
                new Let("a", E("u", I("k"))),
                Up("c", I("n"), Array.Empty<LoopVar>(),
                    new Let("k_1", Add(Mul(I("i"), I("m")), I("j"))),
                    new Let("b", E("u", I("k_1"))),
                    new Let("b_1", E("u", I("k_1"))),
                    new Accumulate("g", I("k_1"), Add(V("b"), V("b_1")))),
                new Return(V("a")));
            AssertIr(
                """
                let k: int = i * m + j
                let a: double = u[k]
                loop c = 0 while c < n
                  let b: double = u[k]
                  let b_1: double = u[k]
                  g[k] += b + b_1
                  next c = c + 1
                end
                return a
                """,
                Print(Scheduler.MergeEqualLets(body)));
        }
            /// <summary>
        /// g[k] and g[k + 1] added into with k = i m + j stepping with j: the addition at k + 1 is the next iteration's at
        /// k, carried there in gNext and added with it; the last one goes after the loop, at k for the final j, when the
        /// loop ran. The same additions into each element, one read-modify-write per iteration.
        /// </summary>
        [Fact]
        public void AdditionsIntoTheNextElementAreCarried()
        {
            Block Body(Stmt second, params Stmt[] extra)
            {
                var loopBody = new List<Stmt>
                {
                    new Let("k", Add(Mul(I("i"), I("m")), I("j"))),
                    new Let("a", Mul(D(2), E("x", I("k")))),
                    new Accumulate("g", I("k"), V("a")),
                    second,
                };
                loopBody.AddRange(extra);
                return B(Up("j", I("n"), Array.Empty<LoopVar>(), loopBody.ToArray()), new Return(D(0)));
            }

            AssertIr(
                """
                loop j = 0, gNext = 0.0 while j < n
                  let k: int = i * m + j
                  let a: double = 2.0 * x[k]
                  g[k] += gNext + a
                  next j = j + 1, gNext = a * a
                end
                if j > 0
                  g[i * m + j] += gNext
                else
                end
                return 0.0
                """,
                Print(Scheduler.CarryAddsPass(Body(new Accumulate("g", Add(I("k"), N(1)), Mul(V("a"), V("a")))), new Namer(new[] { "g", "i", "j", "k", "m", "n", "a", "x" }))));

            var cases = new[]
            {
                Body(new Accumulate("g", Add(I("k"), N(1)), V("a")), new Let("r", E("g", I("k")))),                         // g read in the loop
                Body(new If(Gt(V("a"), D(0)), B(new Accumulate("g", Add(I("k"), N(1)), V("a"))), Block.Empty, EquatableArray<Phi>.Empty)), // conditional
                Body(new Accumulate("g", Add(I("k"), N(2)), V("a"))),                                                        // k + 2: not the next element
                Body(new Accumulate("g", Add(Mul(N(2), I("j")), N(1)), V("a"))),                                              // 2 j + 1: another step
                Body(new Accumulate("g", Add(I("k"), N(1)), V("a")), new Store("g", I("j"), D(0))),                           // stored
            };
            foreach (var body in cases)
            {
                Assert.DoesNotContain("gNext", Print(Scheduler.CarryAddsPass(body, new Namer(Array.Empty<string>()))), StringComparison.Ordinal);
            }
        }
            /// <summary>
        /// A stencil's loop stores g[i] and carries its contribution to g[i + 1] in gNext from 0.0; the tail after it is
        /// zeroed and gNext added into g[i] when the loop ran. The element is stored once instead: g[i] = gNext when it
        /// exists (gNext is still 0.0 when the loop ran no iteration), the zero fill from i + 1. A carried value that does not
        /// start at 0.0, another start in the guard, or a fill to another bound stay as they are.
        /// </summary>
        [Fact]
        public void TheLastCarriedAdditionIsStoredInsteadOfAddedToAZero()
        {
            Block Body(Expr carriedInit, Expr guardStart, Expr fillBound)
            {
                var main = Up("i", Sub(new Len("x"), N(1)), new[] { new LoopVar("gNext", ValType.Double, carriedInit, E("x", I("i"))) }, new Store("g", I("i"), Add(V("gNext"), E("x", I("i")))));
                var fill = new Loop(
                    EquatableArray.Create(new LoopVar("i2", ValType.Int, I("i"), Add(I("i2"), N(1)))), Block.Empty, Lt(I("i2"), fillBound), B(new Store("g", I("i2"), D(0))), LoopKind.For, "i2");
                var guard = new If(Gt(I("i"), guardStart), B(new Accumulate("g", I("i"), V("gNext"))), Block.Empty, EquatableArray<Phi>.Empty);
                return B(main, fill, guard, new Return(D(0)));
            }

            AssertIr(
                """
                loop i = 0, gNext = 0.0 while i < x.Length - 1
                  g[i] = gNext + x[i]
                  next i = i + 1, gNext = x[i]
                end
                if i < g.Length
                  g[i] = gNext
                else
                end
                loop i2 = i + 1 while i2 < g.Length
                  g[i2] = 0.0
                  next i2 = i2 + 1
                end
                return 0.0
                """,
                Print(Scheduler.StoreLastCarriedPass(Body(D(0), N(0), new Len("g")))));

            foreach (var body in new[] { Body(D(1), N(0), new Len("g")), Body(D(0), N(1), new Len("g")), Body(D(0), N(0), I("n")) })
            {
                Assert.Same(body, Scheduler.StoreLastCarriedPass(body));
            }
        }
    }
}

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
    /// The scheduler's row views (<c>Scheduler.Rows.cs</c>) on IR built by hand: a loop reading <c>a[r + k]</c> in every
    /// iteration reads a row taken before it, up to the loop's count; and the cases where the rule must not fire (a read
    /// on a branch only, an offset the loop changes, a constant offset, something else that can throw, an array that is
    /// not a parameter).
    /// </summary>
    public sealed class RowViewsPassTests
    {
        private static readonly HashSet<string> Arrays = new(StringComparer.Ordinal) { "a", "b", "dA" };

        private static Loop Count(string counter, Expr bound, LoopVar[] carried, params Stmt[] body)
        {
            var all = new List<LoopVar> { new LoopVar(counter, ValType.Int, N(0), Add(I(counter), N(1))) };
            all.AddRange(carried);
            return new Loop(EquatableArray.Create(all.ToArray()), Block.Empty, Lt(I(counter), bound), B(body), LoopKind.For, counter);
        }

        private static Elem E(string array, Expr index) => new(array, index, ValType.Double);

        private static LoopVar Sum(string name, string next) => new(name, ValType.Double, D(0), V(next));

        private static Block Run(Block body) => Scheduler.RowViewsPass(body, new Namer(new[] { "a", "b", "dA", "r", "n", "s", "k", "y" }), Arrays);

        /// <summary>s += a[r + k] * b[k] up to n: a row of a from r, n clamped at 0 (the row's length and the loop's bound); b[k] has no offset.</summary>
        [Fact]
        public void A_row_offset_read_in_every_iteration_becomes_a_row()
        {
            var body = B(
                Count("k", I("n"), new[] { Sum("s", "s_1") }, new Let("s_1", Add(V("s"), Mul(E("a", Add(I("r"), I("k"))), E("b", I("k")))))),
                new Return(V("s")));
            AssertIr(
                """
                let kCount: int = 0 < n ? n : 0
                let aRow: var = global::SymDiff.Checks.Row(a, r, kCount)
                loop k = 0, s = 0.0 while k < kCount
                  let s_1: double = s + aRow[k] * b[k]
                  next k = k + 1, s = s_1
                end
                return s
                """,
                Print(Run(body)));
        }

        /// <summary>
        /// A write into a gradient buffer at k + r (terms in the other order), in a loop up to a length (never negative: no
        /// count), and a read in a carried value's next value: a writable row and a read-only one.
        /// </summary>
        [Fact]
        public void Writes_and_carried_reads_use_rows_and_a_length_needs_no_count()
        {
            var body = B(
                Count(
                    "k",
                    new Len("b"),
                    new[] { Sum("s", "s_1") },
                    new Accumulate("dA", Add(I("k"), I("r")), Mul(V("y"), E("b", I("k")))),
                    new Let("s_1", Add(V("s"), E("a", Add(I("r"), I("k")))))),
                new Return(V("s")));
            AssertIr(
                """
                let dARow: var = global::SymDiff.Checks.Row(dA, r, b.Length)
                let aRow: var = global::SymDiff.Checks.Row(a, r, b.Length)
                loop k = 0, s = 0.0 while k < b.Length
                  dARow[k] += y * b[k]
                  let s_1: double = s + aRow[k]
                  next k = k + 1, s = s_1
                end
                return s
                """,
                Print(Run(body)));
        }

        /// <summary>
        /// An inner loop's row whose offset does not change in the outer loop (a sample's row read for every hidden unit)
        /// is taken once before the outer loop, its length 0 when the outer loop runs no iteration; a row whose offset the
        /// outer loop changes (i * n) stays inside.
        /// </summary>
        [Fact]
        public void A_row_the_outer_loop_does_not_change_is_taken_before_it()
        {
            var inner = Count("k", I("n"), new[] { Sum("t", "t_1") }, new Let("t_1", Add(V("t"), Mul(E("a", Add(I("r"), I("k"))), E("b", Add(Mul(I("i"), I("n")), I("k")))))));
            var body = B(
                Count("i", I("m"), new[] { Sum("s", "s_2") }, inner, new Let("s_2", Add(V("s"), V("t")))),
                new Return(V("s")));
            string printed = Print(Run(body));
            int outer = printed.IndexOf("loop i", StringComparison.Ordinal);
            int aRow = printed.IndexOf("let aRow", StringComparison.Ordinal);
            int bRow = printed.IndexOf("let bRow", StringComparison.Ordinal);
            Assert.True(aRow >= 0 && aRow < outer, printed);
            Assert.Contains("Checks.Row(a, r, 0 < m ? kCount : 0)", printed, StringComparison.Ordinal);
            Assert.True(bRow > outer, printed);
            Assert.Contains("Checks.Row(b, i * n, kCount)", printed, StringComparison.Ordinal);
        }

        [Fact]
        public void No_row_where_the_rule_does_not_hold()
        {
            Block Loop(Expr index, Stmt? extra = null, string array = "a", Expr? bound = null)
            {
                var statements = new List<Stmt> { new Let("s_1", Add(V("s"), E(array, index))) };
                if (extra is not null)
                {
                    statements.Insert(0, extra);
                }

                return B(Count("k", bound ?? I("n"), new[] { Sum("s", "s_1") }, statements.ToArray()), new Return(V("s")));
            }

            var onBranch = B(
                Count(
                    "k",
                    I("n"),
                    new[] { Sum("s", "s_1") },
                    new If(Gt(V("y"), D(0)), B(new Let("u", E("a", Add(I("r"), I("k"))))), Block.Empty, EquatableArray.Create(new Phi("v", ValType.Double, V("u"), D(0)))),
                    new Let("s_1", Add(V("s"), V("v")))),
                new Return(V("s")));

            foreach (var body in new[]
            {
                onBranch,                                                                                   // read on one branch only
                Loop(Add(I("m"), I("k")), new Let("m", Mul(I("k"), I("r")))),                                // an offset the loop changes
                Loop(Add(I("k"), N(1))),                                                                    // a constant offset (CarryLoads' case)
                Loop(Add(I("r"), I("k")), new Let("q", new Binary(BinaryOp.Div, I("r"), I("n"), ValType.Int))), // an integer division can throw first
                Loop(Add(I("r"), I("k")), array: "data"),                                                   // not a parameter or a buffer of the method
                Loop(Add(I("r"), I("k")), bound: new Binary(BinaryOp.Sub, I("n"), I("s_1"), ValType.Int)),  // a bound the loop changes
            })
            {
                Assert.Equal(Print(body), Print(Run(body)));
            }
        }
    }
}

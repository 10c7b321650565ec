using System;
using System.Linq;
using System.Collections.Generic;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Lowering;
using SymDiff.Generator.Simplification;
using Xunit;
using static SymDiff.Generator.Tests.Passes.PassHarness;

namespace SymDiff.Generator.Tests.Passes
{
    /// <summary>
    /// Each pass of <see cref="Scheduler.Schedule"/> alone (dead code, common subexpressions, inlining, loop-variable
    /// names, temporaries' numbers), scope repair and call lifting, on IR built by hand. Each expected text was
    /// written from what the pass promises in its documentation and checked by reading: the same floating-point
    /// operations on the same operands, in the same order, with only names and lets moved.
    /// </summary>
    public sealed class SchedulerPassTests
    {
        private static readonly HashSet<string> None = new();

        /// <summary>q is never read, so it goes, and then p (read only by q) goes too; u is never read. v stays.</summary>
        [Fact]
        public void DeadCodeRemovesChainsOfUnreadLets()
        {
            var body = B(
                new Let("p", Mul(V("x"), V("x"))),
                new Let("q", Add(V("p"), D(1))),
                new Let("u", Sin(V("x"))),
                new Let("v", Add(V("x"), D(2))),
                new Return(Mul(V("v"), V("y"))));
            AssertIr(
                """
                let v: double = x + 2.0
                return v * y
                """,
                Print(Scheduler.RemoveDeadCode(body)));
        }

        /// <summary>
        /// A carried value read only by its own next value (k = k + x), directly or through a let nothing else reads
        /// (k_1 = k + x), is dead. A loop left with only its counter is replaced by the counter's final value.
        /// </summary>
        [Fact]
        public void DeadCodeRemovesCarriedValuesOnlyTheirOwnNextReads()
        {
            // k is read only by its own next value (directly, or through a let nothing else reads): dead; then the loop
            // only counts, and nothing reads its counter: gone.
            var direct = Loop(new LoopVar("k", ValType.Double, D(0), Add(V("k"), V("x"))));
            AssertIr("return y", Print(Scheduler.RemoveDeadCode(B(direct, new Return(V("y"))))));

            var throughLet = Loop(new LoopVar("k", ValType.Double, D(0), V("k_1")), new Let("k_1", Add(V("k"), V("x"))));
            AssertIr("return y", Print(Scheduler.RemoveDeadCode(B(throughLet, new Return(V("y"))))));

            // A counter read after the loop: its final value, without the loop.
            var counted = Loop(new LoopVar("k", ValType.Double, D(0), V("k_1")), new Let("k_1", Add(V("k"), V("x"))));
            AssertIr(
                """
                let i: int = 0 < n ? n : 0
                return i
                """,
                Print(Scheduler.RemoveDeadCode(B(counted, new Return(new Var("i", ValType.Int))))));
        }

        /// <summary>
        /// A pooled tape stored in a loop but read by nothing (the values of a carried sum, kept for a recomputation that
        /// turned out dead) goes with its stores; a tape something reads stays.
        /// </summary>
        [Fact]
        public void DeadCodeRemovesTapesNothingReads()
        {
            Stmt[] Body(params Stmt[] after) => new Stmt[]
            {
                new RentBuffer("sTape", ValType.Double, I("n")),
                Loop(new LoopVar("s", ValType.Double, D(0), Add(V("s"), V("x"))), new Store("sTape", I("i"), V("s"))),
            }.Concat(after).ToArray();

            string unread = Print(Scheduler.RemoveDeadCode(B(Body(new Return(V("s"))))));
            Assert.DoesNotContain("sTape", unread, StringComparison.Ordinal);
            Assert.Contains("return s", unread, StringComparison.Ordinal);

            string read = Print(Scheduler.RemoveDeadCode(B(Body(new Return(Add(V("s"), new Elem("sTape", N(0), ValType.Double)))))));
            Assert.Contains("rent sTape", read, StringComparison.Ordinal);
            Assert.Contains("sTape[i] = s", read, StringComparison.Ordinal);
        }

        /// <summary>
        /// A declared local that is only added into (the tangent of an adjoint local whose adjoint flows nowhere) goes with
        /// its additions; one that is read stays with them.
        /// </summary>
        [Fact]
        public void DeadCodeRemovesAdditionsIntoDeclaredLocalsNothingReads()
        {
            string unread = Print(Scheduler.RemoveDeadCode(B(new Declare("aDot", ValType.Double), new Accumulate("aDot", null, Mul(V("x"), V("y"))), new Return(V("x")))));
            Assert.DoesNotContain("aDot", unread, StringComparison.Ordinal);

            string read = Print(Scheduler.RemoveDeadCode(B(new Declare("aDot", ValType.Double), new Accumulate("aDot", null, Mul(V("x"), V("y"))), new Return(V("aDot")))));
            Assert.Contains("aDot += x * y", read, StringComparison.Ordinal);
            Assert.Contains("return aDot", read, StringComparison.Ordinal);
        }

        /// <summary>
        /// sin x is computed twice (in a and in the result): it gets one temporary, t0, read by both. Sharing names every
        /// unconditional subexpression, so the returned sum is named too (t1); inlining then puts t1 back, because it is
        /// read once, and keeps t0, read twice. a is the user's name and is never inlined.
        /// </summary>
        [Fact]
        public void SharingNamesRepeatedSubexpressionsAndInliningPutsSingleUsesBack()
        {
            var namer = new Namer(new[] { "x", "y", "a" });
            var keep = new HashSet<string> { "x", "y", "a" };
            var body = B(new Let("a", Mul(Sin(V("x")), V("y"))), new Return(Add(Sin(V("x")), V("a"))));
            var shared = Scheduler.ShareSubexpressionsPass(body, keep, namer, None);
            AssertIr(
                """
                let t0: double = Math.Sin(x)
                let a: double = t0 * y
                let t1: double = t0 + a
                return t1
                """,
                Print(shared));
            AssertIr(
                """
                let t0: double = Math.Sin(x)
                let a: double = t0 * y
                return t0 + a
                """,
                Print(Scheduler.InlineSingleUsesPass(shared, keep, namer, None)));
        }

        /// <summary>
        /// Inlining: t0 is read once (by t1) and moves into it; t1 is read twice and stays; t2 is read once, by the
        /// return. The user's a is read once but keeps its let.
        /// </summary>
        [Fact]
        public void InliningMovesTemporariesReadOnce()
        {
            var namer = new Namer(new[] { "x", "y", "a" });
            string t0 = namer.NewTemp(), t1 = namer.NewTemp(), t2 = namer.NewTemp();
            var body = B(
                new Let(t0, Mul(V("x"), V("y"))),
                new Let(t1, Add(V(t0), D(1))),
                new Let("a", Mul(V(t1), V(t1))),
                new Let(t2, Sub(V("a"), V("x"))),
                new Return(V(t2)));
            AssertIr(
                """
                let t1: double = x * y + 1.0
                let a: double = t1 * t1
                return a - x
                """,
                Print(Scheduler.InlineSingleUsesPass(body, new HashSet<string> { "x", "y", "a" }, namer, None)));
        }

        /// <summary>
        /// <c>int i = n - 1;</c> read only to start the loop variable i_1 (a version of i): the loop variable takes the
        /// user's name and the start value, and the let goes.
        /// </summary>
        [Fact]
        public void LoopVariableTakesTheUsersName()
        {
            var loop = new Loop(
                EquatableArray.Create(new LoopVar("i_1", ValType.Int, I("i"), Sub(I("i_1"), N(1))), new LoopVar("s", ValType.Double, D(0), Add(V("s"), V("x")))),
                Block.Empty,
                new Binary(BinaryOp.Ge, I("i_1"), N(0), ValType.Bool),
                Block.Empty,
                LoopKind.For,
                "i_1");
            var body = B(new Let("i", Sub(I("n"), N(1))), loop, new Return(V("s")));
            AssertIr(
                """
                loop i = n - 1, s = 0.0 while i >= 0
                  next i = i - 1, s = s + x
                end
                return s
                """,
                Print(Scheduler.CoalesceLoopVariables(body, new HashSet<string> { "i", "s", "x" }, new Namer(new[] { "i", "s", "x", "n" }))));
        }

        /// <summary>Temporaries that survive (t1 and t3 of t0..t3) are renumbered t0, t1 in order of definition.</summary>
        [Fact]
        public void TemporariesAreRenumberedWithoutGaps()
        {
            var namer = new Namer(new[] { "x" });
            string[] t = { namer.NewTemp(), namer.NewTemp(), namer.NewTemp(), namer.NewTemp() };
            Assert.Equal(new[] { "t0", "t1", "t2", "t3" }, t);
            var body = B(new Let("t1", Mul(V("x"), V("x"))), new Let("t3", Add(V("t1"), V("t1"))), new Return(Mul(V("t3"), V("t3"))));
            AssertIr(
                """
                let t0: double = x * x
                let t1: double = t0 + t0
                return t1 * t1
                """,
                Print(Scheduler.RenumberTemporaries(body, namer)));
        }

        /// <summary>
        /// a is computed in the first if's branch and read in the second if's branch: sibling blocks in C#. Scope repair
        /// declares a before the first if (the innermost block holding the definition and the read) and turns the let into
        /// an assignment; it reports a as hoisted. b, read only where it is defined, is untouched.
        /// </summary>
        [Fact]
        public void ScopeRepairHoistsAValueReadInASiblingBlock()
        {
            var body = B(
                new If(Gt(V("x"), D(0)), B(new Let("a", Mul(V("x"), V("x"))), new Let("b", Add(V("x"), D(1)))), Block.Empty, EquatableArray.Create(new Phi("p", ValType.Double, V("b"), D(0)))),
                new If(Gt(V("x"), D(0)), Block.Empty, Block.Empty, EquatableArray.Create(new Phi("r", ValType.Double, Mul(V("a"), D(2)), D(0)))),
                new Return(Add(V("r"), V("p"))));
            var hoisted = ScopeRepair.Repair(ref body);
            Assert.Equal(new[] { "a" }, hoisted.AsImmutableArray());
            AssertIr(
                """
                declare a: double
                if x > 0.0
                  a = x * x
                  let b: double = x + 1.0
                  yield p = b
                else
                  yield p = 0.0
                end
                if x > 0.0
                  yield r = a * 2.0
                else
                  yield r = 0.0
                end
                return r + p
                """,
                Print(body));
        }

        /// <summary>
        /// Call lifting: each call of a [Differentiable] method gets its own let, named after the callee, in evaluation
        /// order (F before G), so reverse mode can call FGradient once. A call inside a branch of ?: is made only when
        /// that branch is taken: the conditional becomes an if whose phi (choice) is the value.
        /// </summary>
        [Fact]
        public void CallLiftingGivesEachCallALet()
        {
            var body = B(
                new Let("r", Add(Differentiable("F", V("x")), Mul(Differentiable("G", V("y")), D(2)))),
                new Return(new Cond(Gt(V("r"), D(0)), Differentiable("F", V("r")), V("y"), ValType.Double)));
            AssertIr(
                """
                let f: double = F(x)
                let g: double = G(y)
                let r: double = f + g * 2.0
                if r > 0.0
                  let f2: double = F(r)
                  yield choice = f2
                else
                  yield choice = y
                end
                return choice
                """,
                Print(CallLifting.Lift(body, new Namer(new[] { "x", "y", "r" }))));
        }

        private static Loop Loop(LoopVar carried, params Stmt[] body) => new(
            EquatableArray.Create(new LoopVar("i", ValType.Int, N(0), Add(I("i"), N(1))), carried),
            Block.Empty,
            Lt(I("i"), I("n")),
            B(body),
            LoopKind.For,
            "i");
    }
}

using System;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Verification;
using Xunit;

namespace SymDiff.Generator.Tests.Verification
{
    /// <summary>The IR verifier, on IR built by hand: what it accepts, and each broken invariant it names with the pass.</summary>
    public sealed class IrVerifierTests
    {
        private static readonly Var X = new Var("x", ValType.Double);
        private static readonly Var I = new Var("i", ValType.Int);
        private static readonly Var S = new Var("s", ValType.Double);

        private static Expr Add(Expr a, Expr b) => new Binary(BinaryOp.Add, a, b, a.Type);

        private static Expr Mul(Expr a, Expr b) => new Binary(BinaryOp.Mul, a, b, a.Type);

        private static Expr Less(Expr a, Expr b) => new Binary(BinaryOp.Lt, a, b, ValType.Bool);

        /// <summary>s = 0; for (i = 0; i &lt; v.Length; i++) { let t = v[i] * x; s = s + t } return s.</summary>
        private static Loop SumLoop(string bodyLet = "t") => new Loop(
            EquatableArray.Create(
                new LoopVar("i", ValType.Int, Const.Of(0, ValType.Int), Add(I, Const.Of(1, ValType.Int))),
                new LoopVar("s", ValType.Double, Const.Zero, Add(S, new Var(bodyLet, ValType.Double)))),
            Block.Empty,
            Less(I, new Len("v")),
            Block.Of(new Let(bodyLet, Mul(new Elem("v", I, ValType.Double), X))),
            LoopKind.For,
            "i");

        private static void Verify(Block body, ScopeRules rules = ScopeRules.ProgramOrder) =>
            IrVerifier.Verify(body, "the pass under test", rules, new[] { "x", "v", "dX" }, new[] { "v", "dX" });

        private static void AssertFails(Block body, string problem, ScopeRules rules = ScopeRules.ProgramOrder)
        {
            var e = Assert.Throws<IrVerificationException>(() => Verify(body, rules));
            Assert.Equal("the pass under test", e.Pass);
            Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Accepts_a_well_formed_method()
        {
            var body = Block.Of(
                SumLoop(),
                new If(Less(S, X), Block.Of(new Let("u", Mul(S, S))), Block.Empty, EquatableArray.Create(new Phi("r", ValType.Double, new Var("u", ValType.Double), S))),
                new Accumulate("dX", Const.Of(0, ValType.Int), X),
                new Return(new Var("r", ValType.Double)));
            Verify(body);
            Verify(body, ScopeRules.Lexical);
        }

        [Fact]
        public void Sibling_blocks_may_reuse_a_name_with_another_type_after_scope_repair()
        {
            // FINDINGS F40: final names gave a float value 'h' in one branch and an int loop counter 'h' in the other
            // (legal C#); the branch's phi reads its own 'h' after the verifier has seen the other branch.
            var h = new Var("h", ValType.Double);
            var body = Block.Of(
                new If(Less(X, X), Block.Of(new Let("h", Mul(X, X))), Block.Of(new Let("h", Const.Of(1, ValType.Int))), EquatableArray.Create(new Phi("r", ValType.Double, h, X))),
                new Return(new Var("r", ValType.Double)));
            Verify(body, ScopeRules.Lexical);
        }

        [Fact]
        public void A_read_with_another_type_than_the_visible_definition()
        {
            var body = Block.Of(
                new Let("h", Const.Of(1, ValType.Int)),
                new If(Less(X, X), Block.Of(new Let("u", Mul(new Var("h", ValType.Double), X))), Block.Empty, EquatableArray<Phi>.Empty),
                new Return(X));
            AssertFails(body, "'h' is defined as a Int but read as a Double", ScopeRules.Lexical);
            AssertFails(body, "'h' is defined as a Int but read as a Double");
        }

        [Fact]
        public void A_read_before_its_definition()
        {
            AssertFails(Block.Of(new Let("a", Add(new Var("b", ValType.Double), X)), new Let("b", X), new Return(new Var("a", ValType.Double))), "'b' is read in the value of 'a' before it is defined");
        }

        [Fact]
        public void A_value_of_a_loop_body_read_after_the_loop()
        {
            // The dangling tBar of issue 9: a fused loop's contribution read outside the loop.
            AssertFails(Block.Of(SumLoop(), new Return(Add(S, new Var("t", ValType.Double)))), "'t' is read in the returned value before it is defined, or out of its scope");
        }

        [Fact]
        public void An_expression_hoisted_above_the_loop_that_defines_what_it_reads()
        {
            // The CS0841 of issue 9: s + x computed before the loop whose final s it reads.
            AssertFails(Block.Of(new Let("early", Add(S, X)), SumLoop(), new Return(new Var("early", ValType.Double))), "'s' is read in the value of 'early' before it is defined");
        }

        [Fact]
        public void A_name_defined_twice()
        {
            AssertFails(Block.Of(new Let("a", X), new Let("a", Mul(X, X)), new Return(new Var("a", ValType.Double))), "'a' is defined twice");
        }

        [Fact]
        public void A_read_with_another_type_than_its_definition()
        {
            AssertFails(Block.Of(new Let("n", new Len("v")), new Return(Add(X, new Var("n", ValType.Double)))), "'n' is defined as a Int but read as a Double");
        }

        [Fact]
        public void An_array_that_is_neither_a_parameter_nor_a_buffer()
        {
            AssertFails(Block.Of(new Return(new Elem("tape", Const.Of(0, ValType.Int), ValType.Double))), "the array 'tape' is used but is neither a parameter nor a buffer in scope");
        }

        [Fact]
        public void A_tape_read_outside_the_block_that_rented_it_and_a_non_int_index()
        {
            var rent = new RentBuffer("tape", ValType.Double, new Len("v"));
            AssertFails(Block.Of(new If(Less(X, X), Block.Of(rent), Block.Empty, EquatableArray<Phi>.Empty), new Return(new Elem("tape", Const.Of(0, ValType.Int), ValType.Double))), "the array 'tape' is used", ScopeRules.Lexical);
            AssertFails(Block.Of(rent, new Store("tape", X, X), new Return(X)), "an index into 'tape' is not an int");
        }

        [Fact]
        public void Branch_values_read_after_the_branch_only_before_scope_repair()
        {
            // The reverse sweep reads what a forward branch computed; scope repair hoists it; after that it is an error.
            var body = Block.Of(
                new If(Less(X, Const.One), Block.Of(new Let("u", Mul(X, X))), Block.Empty, EquatableArray<Phi>.Empty),
                new If(Less(X, Const.One), Block.Of(new Accumulate("dX", Const.Of(0, ValType.Int), new Var("u", ValType.Double))), Block.Empty, EquatableArray<Phi>.Empty),
                new Return(X));
            Verify(body, ScopeRules.ProgramOrder);
            AssertFails(body, "'u' is read in the value accumulated into 'dX' before it is defined, or out of its scope", ScopeRules.Lexical);
        }

        [Fact]
        public void A_loop_counter_that_is_not_a_carried_int()
        {
            var loop = SumLoop() with { Counter = "s" };
            AssertFails(Block.Of(loop, new Return(S)), "the loop counter 's' is not a carried int");
        }

        [Fact]
        public void An_assignment_without_a_declaration()
        {
            AssertFails(Block.Of(new Assign("a", X), new Return(X)), "'a' is assigned without a declaration in scope");
        }
    }
}

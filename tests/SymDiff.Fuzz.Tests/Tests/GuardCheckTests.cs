using System;
using System.Linq;
using SymDiff.Fuzz.Tests.Grammar;
using SymDiff.Fuzz.Tests.Harness;
using SymDiff.Fuzz.Tests.Oracle;
using Xunit;

namespace SymDiff.Fuzz.Tests.Tests
{
    /// <summary>
    /// The guard check of <see cref="Checker"/> (API.md 9, guards): when the user's method throws on a program with an
    /// argument check, every generated method must throw the same type, message and parameter name, and Backward must
    /// leave its gradient buffers as they were. A check that cannot fail is not a check: each way of getting it wrong is
    /// reported here.
    /// </summary>
    public sealed class GuardCheckTests
    {
        private static readonly FuzzProgram Program = CheckerPrograms.OneScalar(
            7,
            new GuardedReturn(new Not(new Cmp(">", new Ref("x"), new Num(1.5))), new Ref("x"), new Thrown(ThrownForm.Argument, "x")),
            backwardSeed: 1.5,
            initial: 0.25) with { HasGuards = true };

        private static ArgumentException Thrown() => new ArgumentException("x is out of range", "x");

        private static ProgramRecord Record(Action<ProgramRecord> change)
        {
            var rec = new ProgramRecord();
            rec.Threw["User"] = Thrown();
            rec.Threw["Gradient"] = Thrown();
            rec.Threw["Backward"] = Thrown();
            rec.Threw["Derivative"] = Thrown();
            rec.Threw["Oracle"] = new InvalidOperationException("oracle: guard");
            rec.Values["Backward.afterThrow"] = new[] { 0.25 };
            change(rec);
            return rec;
        }

        [Fact]
        public void The_same_exception_from_every_generated_method_passes()
        {
            var result = Checker.Check(Program, Record(_ => { }));
            Assert.Empty(result.Disagreements);
            Assert.True(result.GuardThrew);
            Assert.Null(result.Discarded);
        }

        [Fact]
        public void A_generated_method_that_does_not_throw_is_a_disagreement()
        {
            var result = Checker.Check(Program, Record(r => r.Threw.Remove("Derivative")));
            Assert.Contains("GUARD: Derivative did not throw", Assert.Single(result.Disagreements).What, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("message")]
        [InlineData("type")]
        [InlineData("parameter")]
        public void Another_message_type_or_parameter_name_is_a_disagreement(string what)
        {
            Exception other = what switch
            {
                "message" => new ArgumentException("x is out of range!", "x"),
                "type" => new ArgumentOutOfRangeException("x", "x is out of range"),
                _ => new ArgumentException("x is out of range", "y"),
            };
            var result = Checker.Check(Program, Record(r => r.Threw["Gradient"] = other));
            Assert.Contains("GUARD: Gradient threw", Assert.Single(result.Disagreements).What, StringComparison.Ordinal);
        }

        [Fact]
        public void Backward_that_writes_before_it_throws_is_a_disagreement()
        {
            var result = Checker.Check(Program, Record(r => r.Values["Backward.afterThrow"] = new[] { 0.5 }));
            Assert.Contains("wrote gradient buffer element x before throwing", Assert.Single(result.Disagreements).What, StringComparison.Ordinal);
        }

        [Fact]
        public void A_helpers_check_may_throw_after_Backward_wrote_but_must_throw_the_same()
        {
            // API.md 9 orders only the method's own guards before its first loop ahead of every write; a helper's check
            // runs at the call, possibly after a loop whose gradient was accumulated (FINDINGS F49).
            static ArgumentException Helper() => new ArgumentException("p0 is out of range", "p0");
            var written = Checker.Check(Program, Record(r =>
            {
                foreach (var call in new[] { "User", "Gradient", "Backward", "Derivative" })
                {
                    r.Threw[call] = Helper();
                }

                r.Values["Backward.afterThrow"] = new[] { 0.5 };
            }));
            Assert.Empty(written.Disagreements);

            var other = Checker.Check(Program, Record(r =>
            {
                r.Threw["User"] = Helper();
                r.Threw["Gradient"] = Helper();
                r.Threw["Derivative"] = Helper();
            }));
            Assert.Single(other.Disagreements);
        }

        [Fact]
        public void Without_an_argument_check_a_throwing_method_is_discarded()
        {
            var result = Checker.Check(Program with { HasGuards = false }, Record(_ => { }));
            Assert.NotNull(result.Discarded);
            Assert.Empty(result.Disagreements);
        }

        [Fact]
        public void A_generated_method_that_throws_when_the_user_method_does_not_is_a_disagreement()
        {
            var rec = new ProgramRecord();
            rec.Values["F"] = new[] { 1.75 };
            rec.Threw["Gradient"] = Thrown();
            var result = Checker.Check(Program, rec);
            Assert.Contains(result.Disagreements, d => d.What.StartsWith("Gradient threw ArgumentException", StringComparison.Ordinal));
        }

        [Fact]
        public void The_rendered_guard_throws_what_README_shows()
        {
            string source = Renderer.Program(Program);
            Assert.Contains("return !(x > 1.5) ? x : throw new ArgumentException(\"x is out of range\", nameof(x));", source, StringComparison.Ordinal);
            string oracle = Renderer.Oracle(Program);
            Assert.Contains("throw new InvalidOperationException(\"oracle: guard\")", oracle, StringComparison.Ordinal);
            Assert.DoesNotContain(Checker.GeneratedCalls(Program), c => c == "Hessian");
        }
    }
}

using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Loops
{
    /// <summary>The generated code of each loop shape, as a user reads it.</summary>
    public class LoopSnapshotTests
    {
        private void Verify(string source, string name)
        {
            var output = GeneratorRunner.Run(source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output, name);
        }

        /// <summary>W1: the accumulator's adjoint (1 / N) is known before the loop, so forward and reverse are one pass.</summary>
        [Fact]
        public void Linear_regression_is_one_fused_pass() => Verify(LoopGradientTests.LinearRegression, nameof(Linear_regression_is_one_fused_pass));

        /// <summary>W2: one fused pass; contributions to the same element are summed before they are written.</summary>
        [Fact]
        public void Rosenbrock_is_one_fused_pass() => Verify(LoopGradientTests.Rosenbrock, nameof(Rosenbrock_is_one_fused_pass));

        /// <summary>Horner: the recurrence stores s per iteration in a pooled tape; the counter is rebuilt, not stored.</summary>
        [Fact]
        public void Horner_stores_the_recurrence_in_a_pooled_tape() => Verify(LoopGradientTests.Horner, nameof(Horner_stores_the_recurrence_in_a_pooled_tape));

        /// <summary>W3: the outer loop is fused; the inner dot product runs forward, then backward with no storage.</summary>
        [Fact]
        public void Logistic_regression_nested_loops() => Verify(LoopGradientTests.LogisticRegression, nameof(Logistic_regression_nested_loops));

        /// <summary>A loop with break counts its iterations and stores what its reverse sweep reads.</summary>
        [Fact]
        public void Break_loop_counts_iterations() => Verify(LoopGradientTests.Break, nameof(Break_loop_counts_iterations));

        [Fact]
        public void While_loop_recurrence() => Verify(LoopGradientTests.WhileProduct, nameof(While_loop_recurrence));

        [Fact]
        public void Foreach_with_continue() => Verify(LoopGradientTests.ForEachContinue, nameof(Foreach_with_continue));
    }
}

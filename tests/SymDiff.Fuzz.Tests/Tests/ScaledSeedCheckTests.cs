using System;
using System.Collections.Generic;
using SymDiff.Fuzz.Tests.Grammar;
using SymDiff.Fuzz.Tests.Harness;
using SymDiff.Fuzz.Tests.Oracle;
using Xunit;

namespace SymDiff.Fuzz.Tests.Tests
{
    /// <summary>
    /// The scaled-seed recheck of <see cref="Checker"/> (FINDINGS F47): a NaN gradient is left open by the contract only
    /// when the same reverse sweep with seed 2^-960 is finite and, scaled back, agrees with the oracle; anything else is
    /// still a disagreement.
    /// </summary>
    public sealed class ScaledSeedCheckTests
    {
        private static readonly FuzzProgram Program = CheckerPrograms.OneScalar(47, new Return(null, new Ref("x")), backwardSeed: 1.5, initial: 0.25);

        // The oracle: value 1.75, derivative 3 (terms of magnitude 3). Backward runs twice with seed 1.5 into 0.25 (9.25).
        private static ProgramRecord Record(double gradient, double backward, double[]? scaled)
        {
            var rec = new ProgramRecord();
            rec.Values["F"] = new[] { 1.75 };
            rec.Values["Gradient"] = new[] { gradient };
            rec.Values["Backward"] = new[] { backward };
            if (scaled is not null)
            {
                rec.Values["Backward.scaled"] = scaled;
            }

            rec.Duals["Oracle.dir"] = new List<(double V, double D, double M)[]> { new[] { (1.75, 0.75, 0.75) } };
            rec.Duals["Oracle.grad"] = new List<(double V, double D, double M)[]> { new[] { (1.75, 3.0, 3.0) } };
            return rec;
        }

        private static double Tiny(double v) => Math.ScaleB(v, -Checker.DoubleScaleExponent);

        [Fact]
        public void A_NaN_that_the_tiny_seed_turns_into_the_right_gradient_is_left_open()
        {
            var result = Checker.Check(Program, Record(double.NaN, double.NaN, new[] { Tiny(3.0) }));
            Assert.Empty(result.Disagreements);
            Assert.Equal(2, result.Unchecked);
        }

        [Fact]
        public void A_NaN_that_stays_NaN_with_the_tiny_seed_is_a_disagreement()
        {
            var result = Checker.Check(Program, Record(double.NaN, double.NaN, new[] { double.NaN }));
            Assert.Equal(2, result.Disagreements.Count);
        }

        [Fact]
        public void A_NaN_whose_rescaled_gradient_is_wrong_is_a_disagreement()
        {
            var result = Checker.Check(Program, Record(double.NaN, 9.25, new[] { Tiny(2.5) }));
            Assert.Single(result.Disagreements);
            Assert.StartsWith("FGradient", result.Disagreements[0].What, StringComparison.Ordinal);
        }

        [Fact]
        public void A_finite_wrong_gradient_is_never_rescued_by_the_scaled_run()
        {
            var result = Checker.Check(Program, Record(2.0, 6.25, new[] { Tiny(3.0) }));
            Assert.Equal(2, result.Disagreements.Count);
        }

        [Fact]
        public void A_NaN_after_the_users_own_value_overflowed_is_left_open()
        {
            // FINDINGS F50: a float s * s past 3.4e38 in the user's computation; IEEE decides the derivative through it.
            var rec = Record(double.NaN, double.NaN, null);
            rec.ValueOverflowSeen = true;
            var result = Checker.Check(Program, rec);
            Assert.Empty(result.Disagreements);

            var finite = Record(2.0, 9.25, null);
            finite.ValueOverflowSeen = true;
            Assert.Single(Checker.Check(Program, finite).Disagreements);
        }

        [Fact]
        public void A_reverse_NaN_where_the_derivative_is_infinite_is_left_open_but_a_forward_one_is_not()
        {
            // FINDINGS F55: d/du Cbrt(s u) at u = 0 is +inf; reverse mode also sends the infinite adjoint into s's path,
            // where u = 0 is the partial: inf * 0 = NaN, as in PyTorch. Forward mode must match the oracle exactly.
            ProgramRecord Infinite(double gradient, double derivative)
            {
                var rec = Record(gradient, double.NaN, null);
                rec.Values["Derivative"] = new[] { derivative };
                rec.Duals["Oracle.dir"] = new List<(double V, double D, double M)[]> { new[] { (1.75, double.PositiveInfinity, double.PositiveInfinity) } };
                rec.Duals["Oracle.grad"] = new List<(double V, double D, double M)[]> { new[] { (1.75, double.PositiveInfinity, double.PositiveInfinity) } };
                return rec;
            }

            Assert.Empty(Checker.Check(Program, Infinite(double.NaN, double.PositiveInfinity)).Disagreements);
            var wrongSign = Checker.Check(Program, Infinite(double.NegativeInfinity, double.PositiveInfinity));
            Assert.StartsWith("FGradient", Assert.Single(wrongSign.Disagreements).What, StringComparison.Ordinal);
            var finite = Checker.Check(Program, Infinite(3.0, double.PositiveInfinity));
            Assert.StartsWith("FGradient", Assert.Single(finite.Disagreements).What, StringComparison.Ordinal);
            var forward = Checker.Check(Program, Infinite(double.NaN, double.NaN));
            Assert.StartsWith("FDerivative", Assert.Single(forward.Disagreements).What, StringComparison.Ordinal);

            // Seed 47: the oracle's forward sum is inf - inf = NaN where reverse mode's stays +inf: open too, in reverse only.
            var nanOracle = Record(double.PositiveInfinity, double.NaN, null);
            nanOracle.Values["Derivative"] = new[] { double.PositiveInfinity };
            nanOracle.Duals["Oracle.dir"] = new List<(double V, double D, double M)[]> { new[] { (1.75, double.NaN, double.PositiveInfinity) } };
            nanOracle.Duals["Oracle.grad"] = new List<(double V, double D, double M)[]> { new[] { (1.75, double.NaN, double.PositiveInfinity) } };
            Assert.StartsWith("FDerivative", Assert.Single(Checker.Check(Program, nanOracle).Disagreements).What, StringComparison.Ordinal);

            // F73 (seed 72): the oracle's NaN from infinite terms where reverse mode's sum is finite: open in reverse only.
            var finiteReverse = Record(-1.25, double.NaN, null);
            finiteReverse.Values["Derivative"] = new[] { 0.5 };
            finiteReverse.Duals["Oracle.dir"] = new List<(double V, double D, double M)[]> { new[] { (1.75, double.NaN, double.PositiveInfinity) } };
            finiteReverse.Duals["Oracle.grad"] = new List<(double V, double D, double M)[]> { new[] { (1.75, double.NaN, double.PositiveInfinity) } };
            Assert.StartsWith("FDerivative", Assert.Single(Checker.Check(Program, finiteReverse).Disagreements).What, StringComparison.Ordinal);
        }

        [Fact]
        public void A_reverse_zero_where_every_term_is_near_the_bottom_of_the_range_is_left_open()
        {
            // FINDINGS F60 (seed 48): the oracle's 6.4e-292 from terms of 5.7e-284; the reverse sweep's products met
            // another order and one left double's range: 0. A zero where the terms are of normal size is still wrong.
            ProgramRecord Tiny(double gradient, double want, double m)
            {
                var rec = Record(gradient, 0.25 + (2 * 1.5 * want), null);
                rec.Duals["Oracle.grad"] = new List<(double V, double D, double M)[]> { new[] { (1.75, want, m) } };
                return rec;
            }

            Assert.Empty(Checker.Check(Program, Tiny(0.0, 6.4e-292, 5.7e-284)).Disagreements);
            Assert.StartsWith("FGradient", Assert.Single(Checker.Check(Program, Tiny(0.0, 6.4e-200, 5.7e-200)).Disagreements).What, StringComparison.Ordinal);
            Assert.StartsWith("FGradient", Assert.Single(Checker.Check(Program, Tiny(1e-291, 6.4e-292, 5.7e-284)).Disagreements).What, StringComparison.Ordinal);
        }

        [Fact]
        public void Without_the_scaled_run_a_NaN_is_a_disagreement()
        {
            var result = Checker.Check(Program, Record(double.NaN, 9.25, null));
            Assert.Single(result.Disagreements);
        }
    }
}

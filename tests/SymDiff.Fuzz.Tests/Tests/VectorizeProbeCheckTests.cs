using System.Collections.Generic;
using SymDiff.Fuzz.Tests.Grammar;
using SymDiff.Fuzz.Tests.Harness;
using SymDiff.Fuzz.Tests.Oracle;
using Xunit;

namespace SymDiff.Fuzz.Tests.Tests
{
    /// <summary>
    /// The conditioning probe of <c>Vectorize = true</c> programs (FINDINGS F76): the driver records how far one ulp of one
    /// input moves the user's own value; past the value tolerance the program amplifies last-bit differences (which API.md
    /// 9 allows a vectorised method) and the checker leaves it open. Below it, and in every default-path program, a wrong
    /// value is still a disagreement.
    /// </summary>
    public sealed class VectorizeProbeCheckTests
    {
        private static FuzzProgram Program(bool vectorize) => CheckerPrograms.OneScalar(76, new Return(null, new Ref("x")), backwardSeed: 1.0, initial: 0.0) with { Vectorize = vectorize };

        // The user's value 1.75; the generated Gradient returns 1.76 (0.4 % off, far past the Vectorize tolerance of 1e-10).
        private static ProgramRecord Record(double? probe)
        {
            var rec = new ProgramRecord();
            rec.Values["F"] = new[] { 1.75 };
            rec.Values["Gradient.value"] = new[] { 1.76 };
            rec.Values["Gradient"] = new[] { 1.0 };
            rec.Values["Backward"] = new[] { 2.0 };
            rec.Values["Derivative.value"] = new[] { 1.75 };
            rec.Values["Derivative"] = new[] { 1.0 };
            if (probe is { } p)
            {
                rec.Values["Probe"] = new[] { p };
            }

            rec.Duals["Oracle.dir"] = new List<(double V, double D, double M)[]> { new[] { (1.75, 1.0, 1.0) } };
            rec.Duals["Oracle.grad"] = new List<(double V, double D, double M)[]> { new[] { (1.75, 1.0, 1.0) } };
            return rec;
        }

        [Fact]
        public void A_program_one_ulp_moves_past_the_tolerance_is_left_open()
        {
            var result = Checker.Check(Program(vectorize: true), Record(0.25));
            Assert.Empty(result.Disagreements);
            Assert.StartsWith("ill-conditioned (Vectorize)", result.Discarded, System.StringComparison.Ordinal);

            // A probe that threw (infinity) is left open too.
            Assert.NotNull(Checker.Check(Program(vectorize: true), Record(double.PositiveInfinity)).Discarded);
        }

        [Fact]
        public void A_well_conditioned_program_with_a_wrong_value_is_a_disagreement()
        {
            var result = Checker.Check(Program(vectorize: true), Record(1e-16));
            Assert.Null(result.Discarded);
            Assert.Contains(result.Disagreements, d => d.What.Contains("Gradient", System.StringComparison.Ordinal));
        }

        [Fact]
        public void The_default_path_is_bit_exact_whatever_the_probe_says()
        {
            var result = Checker.Check(Program(vectorize: false), Record(0.25));
            Assert.Null(result.Discarded);
            Assert.NotEmpty(result.Disagreements);
        }

        [Fact]
        public void The_driver_probes_Vectorize_programs_only()
        {
            Assert.Contains("\"Probe\"", DriverRenderer.Render(Program(vectorize: true)), System.StringComparison.Ordinal);
            Assert.DoesNotContain("\"Probe\"", DriverRenderer.Render(Program(vectorize: false)), System.StringComparison.Ordinal);
        }
    }
}

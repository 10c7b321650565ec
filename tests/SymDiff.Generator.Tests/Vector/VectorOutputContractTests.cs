using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Vector
{
    /// <summary>
    /// Two silently wrong Jacobians a trial user found (API.md section 7: every output buffer but Backward's gradients is
    /// overwritten; section 9: no output shares memory with what the method reads). An output element the function does
    /// not write has derivative 0 (its Jacobian row came from a pooled buffer's old contents), and a call with the
    /// output span over an input span throws (its Jacobian and vector-Jacobian product were computed from overwritten inputs).
    /// </summary>
    public class VectorOutputContractTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class Wheel
{
    // Airborne, force[1] is not written: its derivatives are 0.
    [Differentiable]
    public static void Contact(double depth, double mu, Span<double> force)
    {
        if (depth > 0)
        {
            force[0] = 1000 * depth;
            force[1] = mu * 1000 * depth;
        }
        else
        {
            force[0] = 0;
        }
    }

    [Differentiable]
    public static void Normalize(ReadOnlySpan<double> v, Span<double> unit)
    {
        double n2 = 0;
        for (int i = 0; i < v.Length; i++)
        {
            n2 += v[i] * v[i];
        }

        double inv = 1 / Math.Sqrt(n2);
        for (int i = 0; i < v.Length; i++)
        {
            unit[i] = v[i] * inv;
        }
    }
}";

        [Fact]
        public void Outputs_the_function_does_not_write_have_zero_derivatives_whatever_the_buffers_held()
        {
            // Analytic: in contact J = [[1000, 0], [1000 mu, 1000 depth]]; airborne J = [[0, 0], [0, 0]].
            var r = GeneratedCode.RunDriver(Source, @"
        var force = new double[2];
        var jacobian = new double[4];
        Wheel.ContactJacobian(0.02, 0.8, force, jacobian);
        var first = (double[])jacobian.Clone();
        Wheel.ContactJacobian(-0.01, 0.8, force, jacobian);
        var derivative = new double[] { 5, 5 };
        Wheel.ContactDerivative(-0.01, 0.8, force, 1.0, 1.0, derivative);
        var result = new System.Collections.Generic.List<double>();
        result.AddRange(first);
        result.AddRange(jacobian);
        result.AddRange(derivative);
        return result.ToArray();");
            Assert.Equal(new[] { 1000.0, 0.0, 800.0, 20.0 }, r[..4]);
            Assert.Equal(new[] { 0.0, 0.0, 0.0, 0.0 }, r[4..8]);
            Assert.Equal(new[] { 0.0, 0.0 }, r[8..10]);
        }

        [Theory]
        [InlineData("Wheel.NormalizeJacobian(w, w, new double[9]);")]
        [InlineData("Wheel.NormalizeBackward(w, w, new double[] { 1, 0, 0 }, new double[3]);")]
        [InlineData("Wheel.NormalizeDerivative(w, w, new double[] { 1, 0, 0 }, new double[3]);")]
        public void An_output_over_an_input_throws_naming_both(string call)
        {
            var r = GeneratedCode.RunDriver(Source, @"
        var w = new double[] { 3, 4, 12 };
        try
        {
            " + call + @"
        }
        catch (ArgumentException e) when (e.ParamName == ""unit"" && e.Message.Contains(""'v'""))
        {
            return new[] { 1.0, w[0] };
        }

        return new[] { 0.0, w[0] };");
            Assert.Equal(1.0, r[0]);
            Assert.Equal(3.0, r[1]); // thrown before anything was written
        }

        /// <summary>
        /// The output passed as its own seed (the gradient of 1/2 |y|^2, an edge-case trial) or as a tangent: the generated
        /// method overwrote it before reading it, so the seed was the new y for one shape of function and the caller's for
        /// another, silently. It throws, naming both, before anything is written.
        /// </summary>
        [Theory]
        [InlineData("Wheel.NormalizeBackward(v, w, w, new double[3]);", "seed")]
        [InlineData("Wheel.NormalizeDerivative(v, w, w, new double[3]);", "tV")]
        public void An_output_over_its_seed_or_tangent_throws_naming_both(string call, string other)
        {
            var r = GeneratedCode.RunDriver(Source, @"
        var v = new double[] { 3, 4, 12 };
        var w = new double[] { 1, 1, 1 };
        try
        {
            " + call + @"
        }
        catch (ArgumentException e) when (e.ParamName == ""unit"" && e.Message.Contains(""'" + other + @"'""))
        {
            return new[] { 1.0, w[0] };
        }

        return new[] { 0.0, w[0] };");
            Assert.Equal(1.0, r[0]);
            Assert.Equal(1.0, r[1]); // thrown before anything was written
        }
    }
}

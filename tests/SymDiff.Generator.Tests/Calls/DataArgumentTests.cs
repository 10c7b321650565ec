using System;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.LocalBuffers;
using Xunit;

namespace SymDiff.Generator.Tests.Calls
{
    /// <summary>
    /// Constant data (API.md 9: array fields and span properties of the type) passed whole, as a part
    /// (<c>AsSpan</c>, <c>Slice</c>) or as a range to a <c>[Differentiable]</c> method, for a parameter the callee
    /// differentiates: the data has no gradient, so the callee's Backward adds into scratch nobody reads and its
    /// Derivative gets zero tangents. Inlined vector functions (layers) take data too. Was SD1000 ("copy it into a local
    /// buffer first"). Checked against central differences of the user's own method, the Hessian against differences of
    /// the gradient.
    /// </summary>
    public class DataArgumentTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class D
{
    static readonly double[] Centers = { 0.5, -1.0, 2.0, 0.25, 1.5 };

    static ReadOnlySpan<double> Widths => new double[] { 1.0, 0.5, 2.0 };

    [Differentiable(Hessian = true)]
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * Math.Sin(b[i]);
        }

        return s;
    }

    // Data whole, as parts and as ranges, on either side of the call, times the data parameter x.
    [Differentiable(Hessian = true)]
    public static double Energy(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        return Dot(p, Centers.AsSpan(1, 3)) + Dot(Widths, p) * Dot(Centers.AsSpan(2), p) + x[0] * Dot(Centers[..3], p) + Dot(Widths.Slice(1), p.Slice(1));
    }

    [Differentiable]
    public static void Affine(ReadOnlySpan<double> w, ReadOnlySpan<double> u, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = Math.Tanh(w[i] * u[i] + w[i + 2]);
        }
    }

    // Layers (inlined) fed with data: whole span property, a range of it, and a part of an array field.
    [Differentiable]
    public static double Net(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[2];
        Affine(w, Widths, h);
        Span<double> z = stackalloc double[2];
        Affine(w.Slice(1), Centers[3..], z);
        return h[0] * h[1] + z[0] * Dot(Centers.AsSpan(1, 2), z) * x[0];
    }
}

public partial class M
{
    private readonly double[] _bias = { 0.1, 0.2, 0.3, 0.4 };

    [Differentiable]
    public double Score(ReadOnlySpan<double> w, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++)
        {
            s += Math.Exp(w[i] - b[i]);
        }

        return s;
    }

    // Instance data, whole and a part of it.
    [Differentiable]
    public double Loss(ReadOnlySpan<double> w) => Math.Log(Score(w, _bias.AsSpan(1)) + Score(w, _bias));
}";

        private const string Point = "new double[] { 0.3, -0.8, 1.1 }";
        private const string Data = "new double[] { 0.7 }";

        [Theory]
        [InlineData("Energy", Point)]
        [InlineData("Net", "new double[] { 0.3, -0.8, 1.1, 0.4, -0.2 }")]
        public void Gradient_backward_and_derivative_match_central_differences(string method, string point) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "D", method, point, Data);

        [Fact]
        public void Hessian_matches_differences_of_the_gradient() =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "D", "Energy", Point, Data + ", ", "Energy Hessian");

        [Fact]
        public void Instance_data_gives_the_central_difference_gradient()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        var m = new M();
        double[] w = { 0.3, -0.8, 1.1 };
        double[] g = new double[3];
        double value = m.LossGradient(w, g);
        var result = new System.Collections.Generic.List<double> { value, m.Loss(w) };
        result.AddRange(g);
        for (int k = 0; k < 3; k++)
        {
            double[] up = (double[])w.Clone(), down = (double[])w.Clone();
            up[k] += 1e-6; down[k] -= 1e-6;
            result.Add((m.Loss(up) - m.Loss(down)) / 2e-6);
        }

        return result.ToArray();");
            Assert.Equal(r[1], r[0]);
            FiniteDifferences.AssertClose(r[5..8], r[2..5], relTol: 1e-6, absTol: 1e-9, "LossGradient");
        }

        /// <summary>Nullable data (read as <c>Centers!</c>) passed to a call: the names made from it are identifiers (found in review: CS1002).</summary>
        [Fact]
        public void Nullable_data_passed_to_a_call_compiles_and_gives_the_central_difference_gradient()
        {
            const string source = @"
#nullable enable
using System;
using SymDiff;
public partial class N
{
    static double[]? Centers = { 0.5, -1.0, 2.0 };
    double[]? _bias = { 0.1, 0.2, 0.3 };

    [Differentiable(Hessian = true)]
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * Math.Sin(b[i]);
        }

        return s;
    }

    [Differentiable(Hessian = true)]
    public static double E(ReadOnlySpan<double> p) => Dot(p, Centers) + Dot(Centers.AsSpan(0, 2), p.Slice(1));

    [Differentiable(Hessian = true)]
    public double F(ReadOnlySpan<double> p) => Dot(p, _bias);
}";
            GeneratorRunner.AssertCleanCompile(GeneratorRunner.Run(source));
            var r = GeneratedCode.RunDriver(source, @"
        double[] p = { 0.3, -0.8, 1.1 };
        double[] g = new double[3];
        N.EGradient(p, g);
        var result = new System.Collections.Generic.List<double>(g);
        for (int k = 0; k < 3; k++)
        {
            double[] up = (double[])p.Clone(), down = (double[])p.Clone();
            up[k] += 1e-6; down[k] -= 1e-6;
            result.Add((N.E(up) - N.E(down)) / 2e-6);
        }

        return result.ToArray();");
            FiniteDifferences.AssertClose(r[3..6], r[..3], relTol: 1e-6, absTol: 1e-9, "EGradient");
        }

        [Fact]
        public void Snapshot_of_data_arguments()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

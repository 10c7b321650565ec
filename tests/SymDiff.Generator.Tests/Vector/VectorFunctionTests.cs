using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Vector
{
    /// <summary>
    /// Vector-valued functions (void, one Span output): GBackward with a seed (PyTorch's y.backward(gradient=seed)),
    /// GDerivative (JVP) and GJacobian, against the PyTorch tutorial, analytic Jacobians and central differences.
    /// </summary>
    public class VectorFunctionTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class V
{
    // PyTorch tutorial: y0 = (w + x)(w + 1), y1 = (w + x) + (w + 1).
    [Differentiable]
    public static void Pair(double w, double x, Span<double> y)
    {
        y[0] = (w + x) * (w + 1);
        y[1] = (w + x) + (w + 1);
    }

    // Squares, then the first element divided by the norm: writes, reads back, rewrites (2 <= n inputs, n outputs).
    [Differentiable]
    public static void Normalize(ReadOnlySpan<double> v, Span<double> y)
    {
        double norm = 0;
        for (int i = 0; i < v.Length; i++)
        {
            y[i] = v[i] * v[i];
            norm += v[i] * v[i];
        }
        norm = Math.Sqrt(norm);
        y[0] = y[0] / norm;
    }

    // Three outputs from four inputs (a scalar and a span): more inputs than outputs, so the Jacobian uses reverse sweeps.
    [Differentiable]
    public static void Mix(double a, ReadOnlySpan<double> b, Span<double> y)
    {
        y[0] = a * b[0] + Math.Sin(b[1]);
        y[1] = Math.Exp(a * b[2]);
        y[2] = b[0] * b[1] * b[2] - a;
    }
}";

        [Theory]
        [InlineData(1.0, 2.0, 9.0)]
        [InlineData(1.0, 3.0, 11.0)]
        public void Backward_with_a_seed_gives_the_pytorch_tutorial_values(double seed0, double seed1, double expected)
        {
            // PyTorch: y.backward(gradient=[1, 2]) gives w.grad = 9, and [1, 3] gives 11, at w = 1, x = 2.
            var r = GeneratedCode.RunDriver(Source, $@"
        double dw = 0, dx = 0; var y = new double[2];
        V.PairBackward(1.0, 2.0, y, new double[] {{ {seed0}, {seed1} }}, ref dw, ref dx);
        return new[] {{ dw, y[0], y[1] }};");
            Assert.Equal(expected, r[0]);
            Assert.Equal(new[] { 6.0, 5.0 }, r.Skip(1).ToArray());
        }

        [Fact]
        public void Jacobian_of_the_pair_is_the_analytic_one()
        {
            // dy0/dw = (w + 1) + (w + x) = 5, dy0/dx = w + 1 = 2, dy1/dw = 2, dy1/dx = 1 at (1, 2). Two inputs, two outputs: forward sweeps.
            var r = GeneratedCode.RunDriver(Source, "var y = new double[2]; var j = new double[4]; V.PairJacobian(1.0, 2.0, y, j); return j;");
            Assert.Equal(new[] { 5.0, 2.0, 2.0, 1.0 }, r);
        }

        [Fact]
        public void Jacobian_by_reverse_sweeps_matches_the_analytic_one()
        {
            double a = 0.7;
            var b = new[] { 0.3, -1.2, 0.9 };

            // Rows: y0 = a b0 + sin b1; y1 = exp(a b2); y2 = b0 b1 b2 - a. Columns: a, b0, b1, b2.
            var expected = new[]
            {
                b[0], a, Math.Cos(b[1]), 0,
                b[2] * Math.Exp(a * b[2]), 0, 0, a * Math.Exp(a * b[2]),
                -1, b[1] * b[2], b[0] * b[2], b[0] * b[1],
            };
            var r = GeneratedCode.RunDriver(Source, "var y = new double[3]; var j = new double[12]; V.MixJacobian(0.7, new double[] { 0.3, -1.2, 0.9 }, y, j); return j;");
            FiniteDifferences.AssertClose(expected, r, 1e-14, 1e-15, "Jacobian of Mix");
        }

        [Fact]
        public void Normalization_jacobian_agrees_with_finite_differences_by_both_sweeps()
        {
            // Column j of the Jacobian from central differences of the user's own method; then the generated Jacobian
            // (forward sweeps, n = m) and m seeded backward calls (reverse) must both agree with it.
            var r = GeneratedCode.RunDriver(Source, @"
        var v = new double[] { 0.4, -0.8, 1.5 };
        int n = 3;
        var fd = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            var up = (double[])v.Clone(); up[j] += 1e-6; var down = (double[])v.Clone(); down[j] -= 1e-6;
            var yu = new double[n]; var yd = new double[n];
            V.Normalize(up, yu); V.Normalize(down, yd);
            for (int k = 0; k < n; k++) fd[k * n + j] = (yu[k] - yd[k]) / 2e-6;
        }
        var y = new double[n]; var jac = new double[n * n];
        V.NormalizeJacobian(v, y, jac);
        var rows = new double[n * n];
        for (int k = 0; k < n; k++)
        {
            var seed = new double[n]; seed[k] = 1;
            V.NormalizeBackward(v, y, seed, new Span<double>(rows, k * n, n));
        }
        var result = new double[3 * n * n];
        fd.CopyTo(result, 0); jac.CopyTo(result, n * n); rows.CopyTo(result, 2 * n * n);
        return result;");
            var fd = r.Take(9).ToArray();
            FiniteDifferences.AssertClose(fd, r.Skip(9).Take(9).ToArray(), 1e-6, 1e-8, "Jacobian (forward sweeps) vs central differences");
            FiniteDifferences.AssertClose(fd, r.Skip(18).Take(9).ToArray(), 1e-6, 1e-8, "backward rows vs central differences");
        }

        [Fact]
        public void Derivative_writes_the_output_and_its_tangent()
        {
            // Along (tw, tx) = (1, -1) at (1, 2): dy0 = 5 - 2 = 3, dy1 = 2 - 1 = 1.
            var r = GeneratedCode.RunDriver(Source, "var y = new double[2]; var d = new double[2]; V.PairDerivative(1.0, 2.0, y, 1.0, -1.0, d); return new[] { y[0], y[1], d[0], d[1] };");
            Assert.Equal(new[] { 6.0, 5.0, 3.0, 1.0 }, r);
        }

        [Fact]
        public void Backward_writes_the_same_output_as_the_function()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        var v = new double[] { 0.4, -0.8, 1.5 };
        var y1 = new double[3]; var y2 = new double[3]; var g = new double[3];
        V.Normalize(v, y1);
        V.NormalizeBackward(v, y2, new double[] { 1, 1, 1 }, g);
        return new[] { y1[0] - y2[0], y1[1] - y2[1], y1[2] - y2[2] };");
            Assert.Equal(new[] { 0.0, 0.0, 0.0 }, r);
        }

        [Fact]
        public void Seed_and_jacobian_lengths_are_checked_before_writing()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double dw = 0, dx = 0; var y = new double[] { 7, 7 };
        double seedChecked = 0, jacobianChecked = 0;
        try { V.PairBackward(1, 2, y, new double[3], ref dw, ref dx); }
        catch (ArgumentException e) when (e.ParamName == ""seed"" && e.Message.Contains(""'y'"")) { seedChecked = 1; }
        try { V.PairJacobian(1, 2, y, new double[3]); }
        catch (ArgumentException e) when (e.ParamName == ""jacobian"") { jacobianChecked = 1; }
        return new[] { seedChecked, jacobianChecked, y[0], y[1] };");
            Assert.Equal(new[] { 1.0, 1.0, 7.0, 7.0 }, r);
        }

        [Fact]
        public void Snapshot_of_vector_functions()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

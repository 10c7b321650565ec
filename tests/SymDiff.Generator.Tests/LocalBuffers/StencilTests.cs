using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>
    /// In-place stencil sweeps repeated over an outer loop (issue 11 item 1: the heat equation, relaxation in Gauss-Seidel
    /// order), which lowering gives one version of the buffer per sweep with the elements the sweep does not write copied
    /// from the previous version (<c>BufferStencil</c>). Checked against central differences of the user's own methods for
    /// zero, one and several sweeps and for buffers so short that the sweep runs zero times.
    /// </summary>
    public sealed class StencilTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class S
{
    // The issue's own example: the heat equation, explicit, in place (Gauss-Seidel order: a[i - 1] is already this sweep's).
    [Differentiable]
    public static double Heat(ReadOnlySpan<double> u0, double alpha, int sweeps)
    {
        Span<double> a = stackalloc double[u0.Length];
        for (int i = 0; i < a.Length; i++) a[i] = u0[i];
        for (int s = 0; s < sweeps; s++)
            for (int i = 1; i < a.Length - 1; i++)
                a[i] = a[i] + alpha * (a[i - 1] - 2 * a[i] + a[i + 1]);
        double e = 0; for (int i = 0; i < a.Length; i++) e += a[i] * a[i];
        return e;
    }

    // The same in one parameter span (alpha = p[0], the initial state p[1..]), in a new array, with the Hessian.
    [Differentiable(Hessian = true)]
    public static double HeatP(ReadOnlySpan<double> p, [NoGrad] int sweeps)
    {
        double[] a = new double[p.Length - 1];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = p[i + 1];
        }

        for (int s = 0; s < sweeps; s++)
        {
            for (int i = 1; i < a.Length - 1; i++)
            {
                a[i] = a[i] + p[0] * (a[i - 1] - 2 * a[i] + a[i + 1]);
            }
        }

        double e = 0;
        for (int i = 0; i < a.Length; i++)
        {
            e += Math.Sin(a[i]) * a[i];
        }

        return e;
    }

    // Nonlinear relaxation of a constant-length buffer, two boundary elements on the left and one on the right, with a local
    // before the store, a read of the new element after it, and reads of the state before each sweep.
    [Differentiable(Hessian = true)]
    public static double Relax(ReadOnlySpan<double> p, [NoGrad] int sweeps)
    {
        Span<double> a = stackalloc double[6];
        for (int i = 0; i < 6; i++)
        {
            a[i] = p[i] * p[6];
        }

        double acc = 0;
        for (int s = 0; s < sweeps; s++)
        {
            acc += a[0] * a[5] + a[3];
            for (int i = 2; i < 5; i++)
            {
                double l = a[i - 2] + a[i + 1];
                a[i] = 0.5 * Math.Tanh(l * p[7]) + 0.25 * a[i] * a[i - 1];
                acc += a[i] * a[i - 1];
            }
        }

        return acc + a[2] * a[4];
    }

    // The Jacobi form: each sweep computes the interior into a second buffer from the previous state only, then copies it
    // back; the boundary stays. 'next' moves into the sweep loop (it is read only where this sweep wrote it).
    [Differentiable(Hessian = true)]
    public static double Jacobi(ReadOnlySpan<double> p, [NoGrad] int sweeps)
    {
        int n = p.Length - 1;
        Span<double> cur = stackalloc double[n];
        Span<double> next = stackalloc double[n];
        for (int i = 0; i < n; i++)
        {
            cur[i] = p[i + 1];
        }

        for (int s = 0; s < sweeps; s++)
        {
            for (int i = 1; i < n - 1; i++)
            {
                next[i] = cur[i] + p[0] * (cur[i - 1] - 2 * cur[i] + cur[i + 1]) + 0.1 * cur[i] * cur[i];
            }

            for (int i = 1; i < n - 1; i++)
            {
                cur[i] = next[i];
            }
        }

        double e = 0;
        for (int i = 0; i < n; i++)
        {
            e += cur[i] * cur[i] * (i + 1);
        }

        return e;
    }

    // A buffer declared before the sample loop and swept by each sample from element 1 (element 0 keeps its zero): the
    // state carried from one sample to the next (formerly SD1000).
    [Differentiable]
    public static double Samples(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[3];
        double loss = 0;
        for (int s = 0; s < x.Length; s++)
        {
            for (int j = 1; j < 3; j++)
            {
                h[j] = Math.Tanh(w[j] * x[s] + h[j - 1]);
            }

            loss += h[2];
        }

        return loss;
    }

    // One stencil pass in place, outside any sweep loop (formerly SD1000): two versions of the buffer.
    [Differentiable(Hessian = true)]
    public static double Smooth(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        double[] h = new double[x.Length];
        for (int j = 0; j < h.Length; j++)
        {
            h[j] = Math.Sin(w[0] * x[j] + w[1]);
        }

        for (int j = 1; j < h.Length - 1; j++)
        {
            h[j] = 0.5 * (h[j - 1] + h[j + 1]) * w[2] + h[j] * h[j];
        }

        double e = 0;
        for (int j = 0; j < h.Length; j++)
        {
            e += h[j] * (j + 1);
        }

        return e;
    }

    // From element 0, two elements short of the end, reading a[i + 2] (the fuzzer's F41: for a buffer shorter than the
    // trim, length - k is negative, and the boundary copy must still start at 0).
    [Differentiable]
    public static double Ahead(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] int sweeps)
    {
        Span<double> a = stackalloc double[x.Length];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = w[0] * x[i] + w[1];
        }

        for (int s = 0; s < sweeps; s++)
        {
            for (int i = 0; i < a.Length - 2; i++)
            {
                a[i] = 0.5 * a[i] + w[2] * Math.Sin(a[i + 2] - a[i + 1]);
            }
        }

        double e = 0;
        for (int i = 0; i < a.Length; i++)
        {
            e += a[i] * a[i] * (i + 1);
        }

        return e;
    }

    // From zeros (nothing fills the buffer before the sweeps), the whole tail swept: a[i - 1] only.
    [Differentiable]
    public static double Chain(ReadOnlySpan<double> p, [NoGrad] int n, [NoGrad] int sweeps)
    {
        double[] a = new double[n];
        for (int s = 0; s < sweeps; s++)
        {
            for (int i = 1; i < a.Length; i++)
            {
                a[i] = Math.Sin(a[i] + p[0] * a[i - 1] + p[1] * i);
            }
        }

        double e = 0;
        for (int i = 0; i < n; i++)
        {
            e += a[i] * (i + 1);
        }

        return e;
    }
}";

        private const string Point = "new[] { 0.15, 0.3, -0.2, 0.5, 0.7, -0.4, 0.9, 0.2 }";

        [Fact]
        public void Snapshot_of_stencil_sweeps()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        [Theory]
        [InlineData(2, 0)]
        [InlineData(2, 1)]
        [InlineData(2, 5)]
        [InlineData(3, 1)]
        [InlineData(3, 4)]
        [InlineData(4, 3)]
        [InlineData(8, 0)]
        [InlineData(8, 1)]
        [InlineData(8, 6)]
        public void Heat_in_one_span_matches_central_differences(int length, int sweeps) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "S", "HeatP", Prefix(length), sweeps.ToString(System.Globalization.CultureInfo.InvariantCulture));

        [Theory]
        [InlineData(1, 3)]
        [InlineData(3, 0)]
        [InlineData(4, 2)]
        [InlineData(8, 5)]
        public void Heat_hessian_matches_differences_of_the_gradient(int length, int sweeps) =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "S", "HeatP", Prefix(length), sweeps + ", ", "HeatPHessian");

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(4)]
        public void Relaxation_matches_central_differences(int sweeps) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "S", "Relax", Point, sweeps.ToString(System.Globalization.CultureInfo.InvariantCulture));

        [Fact]
        public void Relaxation_hessian_matches_differences_of_the_gradient() =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "S", "Relax", Point, "3, ", "RelaxHessian");

        [Theory]
        [InlineData(1, 2)]
        [InlineData(2, 2)]
        [InlineData(3, 1)]
        [InlineData(5, 0)]
        [InlineData(5, 1)]
        [InlineData(7, 4)]
        public void Jacobi_sweeps_copied_back_match_central_differences(int length, int sweeps) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "S", "Jacobi", Prefix(length), sweeps.ToString(System.Globalization.CultureInfo.InvariantCulture));

        [Theory]
        [InlineData(2, 2)]
        [InlineData(6, 3)]
        public void Jacobi_hessian_matches_differences_of_the_gradient(int length, int sweeps) =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "S", "Jacobi", Prefix(length), sweeps + ", ", "JacobiHessian");

        [Theory]
        [InlineData("new[] { 0.7 }", 2)]
        [InlineData("new[] { 0.7, -1.2 }", 3)]
        [InlineData("new[] { 0.7, -1.2, 0.4 }", 1)]
        [InlineData("new[] { 0.7, -1.2, 0.4, 2.0, -0.3 }", 0)]
        [InlineData("new[] { 0.7, -1.2, 0.4, 2.0, -0.3 }", 4)]
        public void A_sweep_reading_ahead_matches_central_differences_also_when_the_buffer_is_shorter_than_the_trim(string x, int sweeps) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "S", "Ahead", "new[] { 0.3, -0.6, 0.9 }", x + ", " + sweeps);

        [Theory]
        [InlineData(1, 3)]
        [InlineData(2, 1)]
        [InlineData(5, 0)]
        [InlineData(5, 3)]
        public void A_sweep_from_zeros_matches_central_differences(int n, int sweeps) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "S", "Chain", "new[] { 0.6, -0.8 }", n + ", " + sweeps);

        [Theory]
        [InlineData("new double[0]")]
        [InlineData("new[] { 0.7 }")]
        [InlineData("new[] { 0.7, -1.2, 0.4, 2.0 }")]
        public void A_buffer_swept_by_each_sample_matches_central_differences(string x) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "S", "Samples", "new[] { 0.3, -0.6, 0.9 }", x);

        [Theory]
        [InlineData("new[] { 0.7 }")]
        [InlineData("new[] { 0.7, -1.2 }")]
        [InlineData("new[] { 0.7, -1.2, 0.4 }")]
        [InlineData("new[] { 0.7, -1.2, 0.4, 2.0, -0.3 }")]
        public void One_stencil_pass_outside_a_sweep_loop_matches_central_differences(string x) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "S", "Smooth", "new[] { 0.3, -0.6, 0.9 }", x);

        [Fact]
        public void One_stencil_pass_hessian_matches_differences_of_the_gradient() =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "S", "Smooth", "new[] { 0.3, -0.6, 0.9 }", "new[] { 0.7, -1.2, 0.4, 2.0, -0.3 }, ", "SmoothHessian");

        /// <summary>The issue's method as written (three parameters): its gradient and derivative against central differences.</summary>
        [Theory]
        [InlineData(1, 2)]
        [InlineData(2, 2)]
        [InlineData(3, 1)]
        [InlineData(6, 0)]
        [InlineData(6, 1)]
        [InlineData(6, 7)]
        public void The_issues_heat_example_matches_central_differences(int length, int sweeps)
        {
            var r = GeneratedCode.RunDriver(Source, $@"
        double[] u = new double[{length}];
        for (int i = 0; i < u.Length; i++) u[i] = 0.3 + 0.4 * Math.Sin(1.7 * i);
        double alpha = 0.21;
        int sweeps = {sweeps};
        double[] g = new double[u.Length];
        double v = S.HeatGradient(u, alpha, sweeps, g, out double gAlpha);
        double[] du = new double[u.Length];
        for (int i = 0; i < du.Length; i++) du[i] = Math.Cos(1.3 * i);
        double v2 = S.HeatDerivative(u, alpha, sweeps, du, 0.7, out double derivative);
        var r = new System.Collections.Generic.List<double> {{ S.Heat(u, alpha, sweeps), v, v2, gAlpha, derivative }};
        const double h = 1e-6;
        r.Add((S.Heat(u, alpha + h, sweeps) - S.Heat(u, alpha - h, sweeps)) / (2 * h));
        double[] up = new double[u.Length], down = new double[u.Length];
        for (int i = 0; i < u.Length; i++) {{ up[i] = u[i] + h * du[i]; down[i] = u[i] - h * du[i]; }}
        r.Add((S.Heat(up, alpha + 0.7 * h, sweeps) - S.Heat(down, alpha - 0.7 * h, sweeps)) / (2 * h));
        for (int i = 0; i < u.Length; i++)
        {{
            var q = (double[])u.Clone();
            q[i] = u[i] + h; double fUp = S.Heat(q, alpha, sweeps);
            q[i] = u[i] - h; double fDown = S.Heat(q, alpha, sweeps);
            r.Add(g[i]);
            r.Add((fUp - fDown) / (2 * h));
        }}
        return r.ToArray();");
            Assert.Equal(r[0], r[1]);
            Assert.Equal(r[0], r[2]);
            FiniteDifferences.AssertClose(r[5], r[3], relTol: 1e-6, absTol: 1e-8, "d/dalpha");
            FiniteDifferences.AssertClose(r[6], r[4], relTol: 1e-6, absTol: 1e-8, "directional derivative");
            for (int i = 7; i < r.Length; i += 2)
            {
                FiniteDifferences.AssertClose(r[i + 1], r[i], relTol: 1e-6, absTol: 1e-8, "d/du0[" + ((i - 7) / 2) + "]");
            }
        }

        private const string Field = @"
using System;
using SymDiff;
public static partial class F
{
    // The heat equation's final field as a vector output: alpha = p[0], the initial state p[1..].
    [Differentiable]
    public static void HeatField(ReadOnlySpan<double> p, [NoGrad] int sweeps, Span<double> y)
    {
        Span<double> a = stackalloc double[4];
        for (int i = 0; i < 4; i++)
        {
            a[i] = p[i + 1];
        }

        for (int s = 0; s < sweeps; s++)
        {
            for (int i = 1; i < a.Length - 1; i++)
            {
                a[i] = a[i] + p[0] * (a[i - 1] - 2 * a[i] + a[i + 1]) + 0.1 * a[i] * a[i];
            }
        }

        for (int i = 0; i < 4; i++)
        {
            y[i] = a[i];
        }
    }
}";

        [Theory]
        [InlineData(0)]
        [InlineData(1)]
        [InlineData(3)]
        public void The_jacobian_of_a_swept_field_matches_central_differences(int sweeps)
        {
            var r = GeneratedCode.RunDriver(Field, $@"
        double[] p = {{ 0.2, 0.3, -0.5, 0.9, 0.4 }};
        double[] y = new double[4], jacobian = new double[20], fd = new double[20];
        F.HeatFieldJacobian(p, {sweeps}, y, jacobian);
        for (int j = 0; j < 5; j++)
        {{
            var up = (double[])p.Clone(); up[j] += 1e-6;
            var down = (double[])p.Clone(); down[j] -= 1e-6;
            double[] yu = new double[4], yd = new double[4];
            F.HeatField(up, {sweeps}, yu);
            F.HeatField(down, {sweeps}, yd);
            for (int i = 0; i < 4; i++) fd[i * 5 + j] = (yu[i] - yd[i]) / 2e-6;
        }}

        var r = new System.Collections.Generic.List<double>(jacobian);
        r.AddRange(fd);
        return r.ToArray();");
            FiniteDifferences.AssertClose(r.Skip(20).ToArray(), r.Take(20).ToArray(), relTol: 1e-6, absTol: 1e-8, "Jacobian");
        }

        private const string Shift = @"
using System;
using SymDiff;
public static partial class U
{
    // Formerly InPlaceUpdateTests' SD1000 case 'another element than the one written': a stencil pass reading h[j + 1].
    [Differentiable]
    public static double F(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[3];
        for (int j = 0; j < 3; j++)
        {
            h[j] = w[j] * x[0];
        }

        for (int j = 0; j < 2; j++) { h[j] = Math.Tanh(h[j + 1]); }
        return h[0] + h[1] * h[2];
    }
}";

        [Fact]
        public void A_pass_reading_the_next_element_matches_central_differences() =>
            ModelChecks.GradientBackwardAndDerivative(Shift, "U", "F", "new[] { 0.4, -0.7, 1.1 }", "new[] { 0.9 }");

        private static string Prefix(int length) =>
            "new[] { " + string.Join(", ", new[] { 0.15, 0.3, -0.2, 0.5, 0.7, -0.4, 0.9, 0.2, -0.6 }.Take(length + 1).Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + " }";
    }
}

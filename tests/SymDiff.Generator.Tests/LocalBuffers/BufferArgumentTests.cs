using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>
    /// A local buffer passed whole to a <c>ReadOnlySpan&lt;T&gt;</c> parameter of another <c>[Differentiable]</c> method (a
    /// loss helper over the logits, a norm): the caller runs the callee's Backward with the buffer's adjoint buffer, and its
    /// Derivative with the buffer's tangent buffer. Checked against central differences of the user's own methods and a
    /// closed-form Jacobian.
    /// </summary>
    public class BufferArgumentTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class P
{
    [Differentiable]
    public static double CrossEntropy(ReadOnlySpan<double> z, [NoGrad] int label)
    {
        double sum = 0;
        for (int c = 0; c < z.Length; c++)
        {
            sum += Math.Exp(z[c]);
        }

        return Math.Log(sum) - z[label];
    }

    [Differentiable]
    public static double SquaredNorm(ReadOnlySpan<double> v)
    {
        double s = 0;
        for (int i = 0; i < v.Length; i++)
        {
            s += v[i] * v[i];
        }

        return s;
    }

    [Differentiable]
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    // Logits in a stack buffer (3 doubles), handed to the loss helper.
    [Differentiable]
    public static double Logits(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> z = stackalloc double[3];
        for (int c = 0; c < 3; c++)
        {
            double a = w[6 + c];
            for (int i = 0; i < 2; i++)
            {
                a += w[c * 2 + i] * x[i];
            }

            z[c] = Math.Tanh(a);
        }

        return CrossEntropy(z, 1) + 0.01 * w[0] * w[0];
    }

    // A run-time length (pooled: the callee must see exactly 'classes' elements), declared before the sample loop and
    // refilled by each sample.
    [Differentiable]
    public static double Batch(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        int classes = w.Length / 3;
        Span<double> z = stackalloc double[classes];
        double loss = 0;
        for (int s = 0; s < x.Length; s++)
        {
            for (int c = 0; c < z.Length; c++)
            {
                z[c] = w[c] * x[s] + w[classes + c] * w[2 * classes + c];
            }

            loss += CrossEntropy(z, s % classes) + SquaredNorm(z);
        }

        return loss / x.Length;
    }

    // A buffer of data only (no gradient flows into it) passed to a parameter the callee differentiates.
    [Differentiable]
    public static double Features(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        double[] f = new double[x.Length];
        for (int i = 0; i < f.Length; i++)
        {
            f[i] = x[i] * x[i] + 1;
        }

        return Dot(w, f) * Dot(f, w);
    }
}
";

        /// <summary>h = (w0 w1, sin w0) in a buffer; y0 = |h|^2, y1 = h0 - w1 |h|^2.</summary>
        public const string Vector = @"
using System;
using SymDiff;
public static partial class P
{
    [Differentiable]
    public static double SquaredNorm(ReadOnlySpan<double> v)
    {
        double s = 0;
        for (int i = 0; i < v.Length; i++)
        {
            s += v[i] * v[i];
        }

        return s;
    }

    [Differentiable]
    public static void Map(ReadOnlySpan<double> w, Span<double> y)
    {
        Span<double> h = stackalloc double[2];
        h[0] = w[0] * w[1];
        h[1] = Math.Sin(w[0]);
        double n = SquaredNorm(h);
        y[0] = n;
        y[1] = h[0] - w[1] * n;
    }
}
";

        [Theory]
        [InlineData("Logits", "new double[] { 0.4, -0.3, 0.8, 0.1, -0.6, 0.9, 0.2, -0.1, 0.05 }", "new double[] { 1.5, -0.5 }")]
        [InlineData("Batch", "new double[] { 0.4, -0.3, 0.8, 0.1, -0.6, 0.9 }", "new double[] { 1.5, -0.5, 2.0, 0.25, -1.0 }")]
        [InlineData("Features", "new double[] { 0.4, -0.3, 0.8 }", "new double[] { 1.5, -0.5, 2.0 }")]
        public void Gradient_backward_and_derivative_match_central_differences(string method, string point, string data)
        {
            var r = GeneratedCode.RunDriver(Source, $@"
        double[] p = {point};
        double[] g = new double[p.Length], fd = new double[p.Length], b = new double[p.Length], t = new double[p.Length];
        double v = P.{method}Gradient(p, {data}, g);
        P.{method}Backward(p, {data}, 2.0, b);
        for (int i = 0; i < t.Length; i++) t[i] = Math.Cos(1.3 * i);
        double v2 = P.{method}Derivative(p, {data}, t, out double derivative);
        double[] up = new double[p.Length], down = new double[p.Length];
        for (int i = 0; i < p.Length; i++) {{ up[i] = p[i] + 1e-6 * t[i]; down[i] = p[i] - 1e-6 * t[i]; }}
        double directional = (P.{method}(up, {data}) - P.{method}(down, {data})) / 2e-6;
        for (int i = 0; i < p.Length; i++)
        {{
            double[] q = (double[])p.Clone();
            double step = 1e-6 * Math.Max(1, Math.Abs(p[i]));
            q[i] = p[i] + step; double fUp = P.{method}(q, {data});
            q[i] = p[i] - step; double fDown = P.{method}(q, {data});
            fd[i] = (fUp - fDown) / (2 * step);
        }}
        var r = new System.Collections.Generic.List<double> {{ v, v2, P.{method}(p, {data}), derivative, directional }};
        r.AddRange(g);
        r.AddRange(b);
        r.AddRange(fd);
        return r.ToArray();");
            int n = (r.Length - 5) / 3;
            Assert.Equal(r[2], r[0]);
            Assert.Equal(r[2], r[1]);
            FiniteDifferences.AssertClose(r[4], r[3], relTol: 1e-6, absTol: 1e-8, method + " directional derivative");
            var gradient = r.Skip(5).Take(n).ToArray();
            FiniteDifferences.AssertClose(r.Skip(5 + (2 * n)).ToArray(), gradient, relTol: 1e-6, absTol: 1e-8, method + " gradient");
            FiniteDifferences.AssertClose(gradient.Select(x => 2 * x).ToArray(), r.Skip(5 + n).Take(n).ToArray(), relTol: 1e-14, absTol: 1e-15, method + " backward");
        }

        [Fact]
        public void Jacobian_of_a_vector_function_through_a_buffer_argument_is_the_closed_form()
        {
            var r = GeneratedCode.RunDriver(Vector, @"
        double[] w = { 0.7, -1.3 };
        double[] y = new double[2], jacobian = new double[4];
        P.MapJacobian(w, y, jacobian);
        return new[] { y[0], y[1], jacobian[0], jacobian[1], jacobian[2], jacobian[3] };");
            double w0 = 0.7, w1 = -1.3;
            double h0 = w0 * w1, h1 = Math.Sin(w0), n = (h0 * h0) + (h1 * h1);
            // dn/dw0 = 2 h0 w1 + 2 h1 cos w0, dn/dw1 = 2 h0 w0; y1 = h0 - w1 n.
            double dn0 = (2 * h0 * w1) + (2 * h1 * Math.Cos(w0)), dn1 = 2 * h0 * w0;
            FiniteDifferences.AssertClose(new[] { n, h0 - (w1 * n) }, r.Take(2).ToArray(), relTol: 1e-15, absTol: 1e-15, "values");
            FiniteDifferences.AssertClose(new[] { dn0, dn1, w1 - (w1 * dn0), w0 - n - (w1 * dn1) }, r.Skip(2).ToArray(), relTol: 1e-13, absTol: 1e-14, "Jacobian");
        }

        [Fact]
        public void Snapshot_of_buffer_arguments()
        {
            GeneratorOutput output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

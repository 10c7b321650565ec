using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>
    /// Local buffers (<c>Span&lt;double&gt; h = stackalloc double[n]</c>, <c>double[] h = new double[n]</c>): a hidden layer
    /// written once per element and read by later loops (docs/architecture.md, "Local buffers"). Gradients, Backward and
    /// Derivative against central finite differences of the user's own method, computed in the driver.
    /// </summary>
    public class LocalBufferTests
    {
        /// <summary>A 4-3-3 perceptron: tanh hidden layer in a stack buffer, logits in another, log-sum-exp with the max subtracted.</summary>
        public const string Mlp = @"
using System;
using SymDiff;
public static partial class M
{
    private const int I = 4, H = 3, C = 3;

    [Differentiable]
    public static double Loss(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x, [NoGrad] int label)
    {
        Span<double> h = stackalloc double[H];
        for (int j = 0; j < H; j++)
        {
            double a = p[j * (I + 1) + I];
            for (int k = 0; k < I; k++)
            {
                a += p[j * (I + 1) + k] * x[k];
            }

            h[j] = Math.Tanh(a);
        }

        Span<double> z = stackalloc double[C];
        int o = H * (I + 1);
        for (int c = 0; c < C; c++)
        {
            double s = p[o + c * (H + 1) + H];
            for (int j = 0; j < h.Length; j++)
            {
                s += p[o + c * (H + 1) + j] * h[j];
            }

            z[c] = s;
        }

        double max = z[0];
        for (int c = 1; c < C; c++)
        {
            max = Math.Max(max, z[c]);
        }

        double sum = 0;
        for (int c = 0; c < C; c++)
        {
            sum += Math.Exp(z[c] - max);
        }

        return Math.Log(sum) + max - z[label];
    }
}";

        private const string Point = @"
        double[] p = new double[27];
        for (int i = 0; i < p.Length; i++) p[i] = 0.3 * Math.Sin(1.7 * i + 0.4);
        double[] x = { 0.5, -1.25, 2.0, 0.75 };";

        /// <summary>The driver's central differences of <c>f(p)</c>, the user's own method, appended to <c>r</c> from <c>p</c>.</summary>
        private static string CentralDifferences(string f) => $@"
        for (int i = 0; i < p.Length; i++)
        {{
            double[] q = (double[])p.Clone();
            double step = 1e-6 * Math.Max(1, Math.Abs(p[i]));
            q[i] = p[i] + step; double fUp = {f.Replace("(p, ", "(q, ")};
            q[i] = p[i] - step; double fDown = {f.Replace("(p, ", "(q, ")};
            fd[i] = (fUp - fDown) / (2 * step);
        }}";

        [Fact]
        public void Mlp_gradient_matches_central_differences_and_the_value_is_bit_exact()
        {
            var r = GeneratedCode.RunDriver(Mlp, Point + @"
        double[] g = new double[p.Length], fd = new double[p.Length];
        double v = M.LossGradient(p, x, 1, g);" + CentralDifferences("M.Loss(p, x, 1)") + @"
        var r = new System.Collections.Generic.List<double> { v, M.Loss(p, x, 1) };
        r.AddRange(g);
        r.AddRange(fd);
        return r.ToArray();");
            Assert.Equal(r[1], r[0]);
            FiniteDifferences.AssertClose(r.Skip(29).ToArray(), r.Skip(2).Take(27).ToArray(), relTol: 1e-6, absTol: 1e-8, "MLP gradient");
        }

        [Fact]
        public void Mlp_backward_accumulates_seed_times_gradient()
        {
            var r = GeneratedCode.RunDriver(Mlp, Point + @"
        double[] g = new double[p.Length], b = new double[p.Length];
        M.LossGradient(p, x, 2, g);
        for (int i = 0; i < b.Length; i++) b[i] = 1.0;
        M.LossBackward(p, x, 2, 0.5, b);
        M.LossBackward(p, x, 2, 0.25, b);
        var r = new System.Collections.Generic.List<double>(g);
        r.AddRange(b);
        return r.ToArray();");
            for (int i = 0; i < 27; i++)
            {
                FiniteDifferences.AssertClose(1.0 + (0.75 * r[i]), r[27 + i], relTol: 1e-14, absTol: 1e-15, $"Backward element {i}");
            }
        }

        [Fact]
        public void Mlp_derivative_is_the_directional_derivative()
        {
            var r = GeneratedCode.RunDriver(Mlp, Point + @"
        double[] t = new double[p.Length], g = new double[p.Length];
        for (int i = 0; i < t.Length; i++) t[i] = Math.Cos(0.9 * i);
        double v = M.LossDerivative(p, x, 0, t, out double derivative);
        double[] up = new double[p.Length], down = new double[p.Length];
        for (int i = 0; i < p.Length; i++) { up[i] = p[i] + 1e-6 * t[i]; down[i] = p[i] - 1e-6 * t[i]; }
        double fd = (M.Loss(up, x, 0) - M.Loss(down, x, 0)) / 2e-6;
        return new[] { v, M.Loss(p, x, 0), derivative, fd };");
            Assert.Equal(r[1], r[0]);
            FiniteDifferences.AssertClose(r[3], r[2], relTol: 1e-6, absTol: 1e-8, "MLP directional derivative");
        }

        [Fact]
        public void Mlp_snapshot()
        {
            GeneratorOutput output = GeneratorRunner.Run(Mlp);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        /// <summary>Run-time lengths (pooled), a buffer declared inside the sample loop (fused and unfused outer loops), a float method.</summary>
        public const string Shapes = @"
using System;
using SymDiff;
public static partial class S
{
    // A run-time length: new double[x.Length] comes from the pool; read at another index in a later loop.
    [Differentiable]
    public static double Pooled(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        double[] h = new double[x.Length];
        for (int i = 0; i < h.Length; i++)
        {
            h[i] = Math.Sin(w[i] * x[i]) + w[0];
        }

        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += h[i] * h[(i + 1) % x.Length];
        }

        return s;
    }

    // A buffer refilled for each sample (declared inside the loop); the sample loop only accumulates, so it is fused.
    [Differentiable]
    public static double Batch(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> t)
    {
        double loss = 0;
        for (int b = 0; b < x.Length; b++)
        {
            Span<double> h = stackalloc double[2];
            for (int j = 0; j < 2; j++)
            {
                h[j] = Math.Tanh(w[j] * x[b] + w[2 + j]);
            }

            double y = w[4] * h[0] + w[5] * h[1];
            loss += (y - t[b]) * (y - t[b]);
        }

        return loss / x.Length;
    }

    // Declared once before the sample loop (C# warns about a stackalloc inside a loop, CA2014) and refilled completely
    // by each sample, with a value carried nonlinearly across samples: lowered as if declared inside the sample loop.
    [Differentiable]
    public static double Hoisted(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> t)
    {
        Span<double> h = stackalloc double[2];
        double loss = 0, s = 0.5;
        for (int b = 0; b < x.Length; b++)
        {
            for (int j = 0; j < h.Length; j++)
            {
                h[j] = Math.Tanh(w[j] * x[b] + w[2 + j] * s);
            }

            double y = w[4] * h[0] + w[5] * h[1];
            s = Math.Sin(y);
            loss += (y - t[b]) * (y - t[b]);
        }

        return loss / x.Length;
    }

    // A two-layer perceptron over a batch, both layers in buffers declared once before the sample loop (run-time and
    // constant length); the sample loop only accumulates the loss, so its reverse sweep runs inside it (fused).
    [Differentiable]
    public static double BatchMlp(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> t)
    {
        int hidden = x.Length / 2;
        Span<double> h = stackalloc double[x.Length / 2];
        Span<double> z = stackalloc double[2];
        double loss = 0;
        for (int s = 0; s < t.Length; s++)
        {
            for (int j = 0; j < h.Length; j++)
            {
                h[j] = Math.Tanh(w[j] * x[s % x.Length] + w[hidden + j]);
            }

            for (int c = 0; c < z.Length; c++)
            {
                double a = w[2 * hidden + c];
                for (int j = 0; j < hidden; j++)
                {
                    a += w[j] * w[hidden + j] * h[j] * (c + 1);
                }

                z[c] = a;
            }

            double m = Math.Max(z[0], z[1]);
            loss += m + Math.Log(Math.Exp(z[0] - m) + Math.Exp(z[1] - m)) - (t[s] > 0.0 ? z[1] : z[0]);
        }

        return loss / t.Length;
    }

    // Two loops fill the two halves of one buffer (two layers' outputs concatenated: Dense(a, x, z.Slice(0, 2));
    // Dense(b, x, z.Slice(2, 2)); inlined looks like this), then it is read: each element is written once.
    [Differentiable]
    public static double Concatenated(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> z = stackalloc double[4];
        for (int j = 0; j < 2; j++)
        {
            z[j] = Math.Tanh(w[j] * x[j]);
        }

        for (int j = 0; j < 2; j++)
        {
            z[2 + j] = Math.Sin(w[2 + j] * x[j]);
        }

        return z[0] * z[3] + z[1] * z[2] + z[2] * z[2];
    }

    // Declared once before the sample loop and refilled by one store per element, a local between them reading the
    // first (a layer writing o[0] and o[1], inlined, looks like this): lowered as if declared inside the sample loop,
    // whose carried value makes its reverse loop rebuild each sample's buffer.
    [Differentiable]
    public static double HoistedStores(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[2];
        double s = 0.5;
        for (int b = 0; b < x.Length; b++)
        {
            h[0] = Math.Tanh(w[0] * x[b] + s);
            double t = h[0] * w[1];
            h[1] = Math.Sin(t + w[2]);
            s = s * h[0] + h[1] * h[0];
        }

        return s;
    }

    // The same buffer, but the sample loop carries a value nonlinearly: its reverse loop rebuilds each sample's buffer.
    [Differentiable]
    public static double Recurrent(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        double s = 0.5;
        for (int b = 0; b < x.Length; b++)
        {
            double[] h = new double[2];
            h[0] = Math.Tanh(w[0] * x[b] + s);
            h[1] = Math.Sin(w[1] * s);
            s = s * h[0] + h[1] * h[0];
        }

        return s;
    }

    // A length computed in int locals set once (as users write it): known when the method starts, so it is allocated
    // there; h.Length is the same length.
    [Differentiable]
    public static double Sized(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        int d = x.Length;
        int hidden = (w.Length - 1) / (d + 1);
        Span<double> h = stackalloc double[hidden];
        for (int j = 0; j < hidden; j++)
        {
            double z = 0;
            for (int i = 0; i < d; i++)
            {
                z += w[j * d + i] * x[i];
            }

            h[j] = Math.Tanh(z);
        }

        double y = w[w.Length - 1];
        for (int j = 0; j < h.Length; j++)
        {
            y += w[hidden * d + j] * h[j];
        }

        return y * y;
    }

    [Differentiable]
    public static float Single(ReadOnlySpan<float> w, [NoGrad] ReadOnlySpan<float> x)
    {
        Span<float> h = stackalloc float[3];
        for (int j = 0; j < 3; j++)
        {
            h[j] = MathF.Exp(w[j] * x[j]);
        }

        return h[0] * h[1] + h[2] / h[0];
    }
}";

        [Theory]
        [InlineData("Pooled", "new double[] { 0.4, -0.3, 0.8, 1.1, -0.6 }", "new double[] { 1.5, 0.5, -2.0, 0.25, 1.0 }")]
        [InlineData("Batch", "new double[] { 0.4, -0.3, 0.8, 0.1, -0.6, 0.9 }", "new double[] { 1.5, 0.5, -2.0, 0.25 }, new double[] { 0.3, -0.2, 0.1, 0.7 }")]
        [InlineData("Recurrent", "new double[] { 0.4, -0.7 }", "new double[] { 1.5, 0.5, -2.0, 0.25 }")]
        [InlineData("HoistedStores", "new double[] { 0.4, -0.7, 0.3 }", "new double[] { 1.5, 0.5, -2.0, 0.25 }")]
        [InlineData("Concatenated", "new double[] { 0.4, -0.7, 0.3, 0.9 }", "new double[] { 1.5, -0.5 }")]
        [InlineData("BatchMlp", "new double[] { 0.4, -0.3, 0.8, 0.1, -0.6, 0.9 }", "new double[] { 1.5, 0.5, -2.0, 0.25 }, new double[] { 0.3, -0.2, 0.1, 0.7 }")]
        [InlineData("Hoisted", "new double[] { 0.4, -0.3, 0.8, 0.1, -0.6, 0.9 }", "new double[] { 1.5, 0.5, -2.0, 0.25 }, new double[] { 0.3, -0.2, 0.1, 0.7 }")]
        [InlineData("Sized", "new double[] { 0.4, -0.3, 0.8, 0.1, -0.6, 0.9, 0.2 }", "new double[] { 1.5, -0.5 }")]
        public void Gradient_backward_and_derivative_match_central_differences(string method, string point, string data)
        {
            ModelChecks.GradientBackwardAndDerivative(Shapes, "S", method, point, data);
        }

        /// <summary>
        /// A loop fills a part of the buffer, a local reads an element it wrote, then a constant store writes the rest from that
        /// local: each element once, read before the last store only where already written (SD1000 before 2026-12-04, "written
        /// by a loop and by another store").
        /// </summary>
        private const string Pieces = @"
using System;
using SymDiff;
public static partial class P
{
    [Differentiable]
    public static double Mixed(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[3];
        for (int j = 0; j < 2; j++)
        {
            h[j] = Math.Tanh(w[j] * x[j]);
        }

        double r = h[0] * w[2];
        h[2] = Math.Sin(r) + h[1];
        return h[0] * h[1] + h[2] * h[2];
    }
}";

        [Fact]
        public void A_loop_fill_then_a_constant_store_reading_what_it_wrote_matches_central_differences()
        {
            ModelChecks.GradientBackwardAndDerivative(Pieces, "P", "Mixed", "new double[] { 0.4, -0.7, 1.3 }", "new double[] { 1.5, -0.5 }");
        }

        /// <summary>Second order through local buffers (forward over reverse: the adjoint buffer gets a tangent buffer).</summary>
        public const string SecondOrder = @"
using System;
using SymDiff;
public static partial class Q
{
    // f = h0 h1 with h0 = w0 w1, h1 = sin w0: f = w0 w1 sin w0.
    [Differentiable(Hessian = true)]
    public static double Product(ReadOnlySpan<double> w)
    {
        Span<double> h = stackalloc double[2];
        h[0] = w[0] * w[1];
        h[1] = Math.Sin(w[0]);
        return h[0] * h[1];
    }

    // A hidden layer declared before the sample loop and refilled by each sample.
    [Differentiable(Hessian = true)]
    public static double Batch(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[2];
        double loss = 0;
        for (int s = 0; s < x.Length; s++)
        {
            for (int j = 0; j < h.Length; j++)
            {
                h[j] = Math.Tanh(w[j] * x[s] + w[2 + j]);
            }

            double y = w[4] * h[0] * h[1] + w[5] * h[1];
            loss += (y - 0.5) * (y - 0.5);
        }

        return loss / x.Length;
    }
}";

        [Fact]
        public void Hessian_through_a_local_buffer_is_the_closed_form()
        {
            var r = GeneratedCode.RunDriver(SecondOrder, @"
        double[] w = { 0.7, -1.3 };
        double[] hessian = new double[4];
        double value = Q.ProductHessian(w, hessian);
        return new[] { value, hessian[0], hessian[1], hessian[2], hessian[3] };");
            double w0 = 0.7, w1 = -1.3;
            double cross = Math.Sin(w0) + (w0 * Math.Cos(w0));
            var expected = new[] { w0 * w1 * Math.Sin(w0), (2 * w1 * Math.Cos(w0)) - (w0 * w1 * Math.Sin(w0)), cross, cross, 0.0 };
            FiniteDifferences.AssertClose(expected, r, relTol: 1e-14, absTol: 1e-15, "Hessian through a local buffer");
        }

        [Fact]
        public void Hessian_of_a_batch_model_with_a_refilled_buffer_matches_central_differences_of_its_gradient()
        {
            ModelChecks.HessianMatchesDifferencesOfTheGradient(SecondOrder, "Q", "Batch", "{ 0.3, -0.2, 0.5, 0.1, -0.4, 0.25 }", "new double[] { 0.7, -0.3, 1.2 }, ", "Hessian of the batch model");
        }

        [Fact]
        public void Second_order_snapshot()
        {
            GeneratorOutput output = GeneratorRunner.Run(SecondOrder);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        [Fact]
        public void Float_buffer_gradient_is_the_closed_form()
        {
            // f = e0 e1 + e2 / e0 with ej = exp(wj xj): df/dw0 = x0 (e0 e1 - e2 / e0), df/dw1 = x1 e0 e1, df/dw2 = x2 e2 / e0.
            var r = GeneratedCode.RunDriver(Shapes, @"
        float[] w = { 0.2f, -0.1f, 0.3f }, x = { 1.5f, 0.5f, -2.0f };
        float[] g = new float[3];
        S.SingleGradient(w, x, g);
        return new double[] { g[0], g[1], g[2] };");
            double e0 = Math.Exp(0.2 * 1.5), e1 = Math.Exp(-0.1 * 0.5), e2 = Math.Exp(0.3 * -2.0);
            FiniteDifferences.AssertClose(new[] { 1.5 * ((e0 * e1) - (e2 / e0)), 0.5 * e0 * e1, -2.0 * e2 / e0 }, r, relTol: 1e-5, absTol: 1e-6, "float buffer gradient");
        }

        [Fact]
        public void Shapes_snapshot()
        {
            GeneratorOutput output = GeneratorRunner.Run(Shapes);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        /// <summary>A softmax written with a local buffer of exponentials, in a vector function.</summary>
        public const string Softmax = @"
using System;
using SymDiff;
public static partial class V
{
    [Differentiable]
    public static void Softmax(ReadOnlySpan<double> z, Span<double> y)
    {
        double[] e = new double[z.Length];
        double max = z[0];
        for (int i = 1; i < z.Length; i++)
        {
            max = Math.Max(max, z[i]);
        }

        double sum = 0;
        for (int i = 0; i < z.Length; i++)
        {
            e[i] = Math.Exp(z[i] - max);
            sum += e[i];
        }

        for (int i = 0; i < z.Length; i++)
        {
            y[i] = e[i] / sum;
        }
    }
}";

        [Fact]
        public void Softmax_jacobian_is_the_closed_form()
        {
            var r = GeneratedCode.RunDriver(Softmax, @"
        double[] z = { 0.5, -1.0, 2.0, 0.25 };
        double[] y = new double[4], jacobian = new double[16];
        V.SoftmaxJacobian(z, y, jacobian);
        var r = new System.Collections.Generic.List<double>(y);
        r.AddRange(jacobian);
        return r.ToArray();");
            double[] z = { 0.5, -1.0, 2.0, 0.25 };
            double total = z.Sum(v => Math.Exp(v - 2.0));
            double[] y = z.Select(v => Math.Exp(v - 2.0) / total).ToArray();
            FiniteDifferences.AssertClose(y, r.Take(4).ToArray(), relTol: 1e-15, absTol: 1e-16, "softmax values");
            var expected = new double[16];
            for (int i = 0; i < 4; i++)
            {
                for (int j = 0; j < 4; j++)
                {
                    expected[(i * 4) + j] = y[i] * ((i == j ? 1 : 0) - y[j]);
                }
            }

            FiniteDifferences.AssertClose(expected, r.Skip(4).ToArray(), relTol: 1e-12, absTol: 1e-14, "softmax Jacobian");
        }

        /// <summary>Layers filled by accumulation (<c>h[j] += w * x</c> in an inner loop), read only after the loop nest that fills them.</summary>
        public const string Accumulated = @"
using System;
using SymDiff;
public static partial class A
{
    [Differentiable]
    public static double Layer(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[3];
        for (int j = 0; j < 3; j++)
        {
            h[j] = w[9 + j];
            for (int k = 0; k < 3; k++)
            {
                h[j] += w[3 * j + k] * x[k];
            }
        }

        double s = 0;
        for (int j = 0; j < 3; j++)
        {
            s += Math.Tanh(h[j]) * Math.Tanh(h[(j + 1) % 3]);
        }

        return s;
    }

    // Declared inside a sample loop that carries a value nonlinearly (a reverse loop rebuilds each sample's buffer).
    [Differentiable]
    public static double Samples(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        double s = 1;
        for (int b = 0; b < x.Length; b++)
        {
            double[] h = new double[2];
            for (int k = 0; k < 3; k++)
            {
                h[0] += w[k] * x[b] * s;
                h[1] -= w[k + 3] * Math.Sin(x[b] * k);
            }

            s = s * Math.Tanh(h[0]) + h[1] * h[1];
        }

        return s;
    }

    // Filled in reverse order by one loop, read after it (every store in one statement, no read while filling).
    [Differentiable]
    public static double Reversed(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[3];
        for (int i = 0; i < 3; i++)
        {
            h[2 - i] = Math.Sin(w[i] * x[i]);
        }

        return h[0] * h[1] + h[2] * h[0];
    }
}";

        [Theory]
        [InlineData("Reversed", "new double[] { 0.4, -0.3, 0.8 }", "new double[] { 1.5, 0.5, -2.0 }")]
        [InlineData("Layer", "new double[] { 0.4, -0.3, 0.8, 0.1, -0.6, 0.9, 0.2, 0.5, -0.1, 0.3, -0.2, 0.05 }", "new double[] { 1.5, 0.5, -2.0 }")]
        [InlineData("Samples", "new double[] { 0.4, -0.3, 0.8, 0.1, -0.6, 0.9 }", "new double[] { 0.5, -0.25, 0.75 }")]
        public void Accumulated_buffers_match_central_differences(string method, string point, string data)
        {
            ModelChecks.GradientBackwardAndDerivative(Accumulated, "A", method, point, data);
        }

        [Fact]
        public void Accumulated_snapshot()
        {
            GeneratorOutput output = GeneratorRunner.Run(Accumulated);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        [Fact]
        public void With_CheckFinite_the_mlp_gradient_is_bit_for_bit_the_unchecked_one()
        {
            string driver = Point + @"
        double[] g = new double[p.Length];
        double v = M.LossGradient(p, x, 1, g);
        var r = new System.Collections.Generic.List<double> { v };
        r.AddRange(g);
        return r.ToArray();";
            var plain = GeneratedCode.RunDriver(Mlp, driver);
            var checkedRun = GeneratedCode.RunDriver(Mlp.Replace("[Differentiable]", "[Differentiable(CheckFinite = true)]", StringComparison.Ordinal), driver);
            Assert.Equal(plain, checkedRun);
        }

        [Fact]
        public void Generated_methods_allocate_nothing_per_call_after_the_first()
        {
            // Stack buffers (the MLP) and pooled ones (run-time lengths): after one warm-up call, 200 calls allocate 0 bytes.
            var r = GeneratedCode.RunDriver(Mlp + Shapes.Replace("using System;\nusing SymDiff;\n", string.Empty, StringComparison.Ordinal), Point + @"
        double[] g = new double[p.Length], t = new double[p.Length], w = { 0.4, -0.3, 0.8, 1.1, -0.6 }, u = { 1.5, 0.5, -2.0, 0.25, 1.0 }, gw = new double[5];
        double sink = M.LossGradient(p, x, 1, g) + S.PooledGradient(w, u, gw) + S.RecurrentGradient(w, u, gw) + M.LossDerivative(p, x, 1, t, out double d0);
        M.LossBackward(p, x, 1, 1.0, g);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 200; k++)
        {
            sink += M.LossGradient(p, x, 1, g) + S.PooledGradient(w, u, gw) + S.RecurrentGradient(w, u, gw) + M.LossDerivative(p, x, 1, t, out double d);
            M.LossBackward(p, x, 1, 1.0, g);
        }

        long after = GC.GetAllocatedBytesForCurrentThread();
        return new[] { (double)(after - before), sink };");
            Assert.Equal(0.0, r[0]);
        }

        [Fact]
        public void Elements_nothing_reads_send_no_NaN_back()
        {
            // Fuzzer program 615 (CI seed, after merging main): Cbrt'(0) is infinite, and a zero adjoint times it was NaN.
            var r = GeneratedCode.RunDriver(@"
using System;
using SymDiff;
public static partial class Z
{
    [Differentiable]
    public static double Dead(double x, double z)
    {
        Span<double> h = stackalloc double[2];
        for (int j = 0; j < 2; j++)
        {
            h[j] = Math.Cbrt(x - x);
        }

        return z;
    }

    [Differentiable]
    public static double Partial(double x, double z)
    {
        Span<double> h = stackalloc double[2];
        h[0] = z * z;
        h[1] = Math.Cbrt(x - x);
        return h[0];
    }
}", @"
        Z.DeadGradient(0.25, 1.5, out double dx1, out double dz1);
        Z.PartialGradient(0.25, 1.5, out double dx2, out double dz2);
        return new[] { dx1, dz1, dx2, dz2 };");
            Assert.Equal(new[] { 0.0, 1.0, 0.0, 3.0 }, r);
        }
    }
}

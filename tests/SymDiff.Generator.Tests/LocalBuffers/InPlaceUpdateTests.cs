using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>
    /// Element-wise updates of a local buffer in place (<c>h[j] = Math.Tanh(h[j])</c>, PyTorch's <c>h = tanh(h)</c>),
    /// after the layer was filled: the buffer is split into the version before the update and after it
    /// (<c>Lowering/BufferVersions.cs</c>). Checked against central differences of the user's own method.
    /// </summary>
    public class InPlaceUpdateTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class U
{
    // h = W x + b accumulated into the buffer, tanh in place in the same loop, then a separate in-place loop.
    [Differentiable(Hessian = true)]
    public static double Layer(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[3];
        for (int j = 0; j < 3; j++)
        {
            h[j] = w[6 + j];
            for (int k = 0; k < 2; k++)
            {
                h[j] += w[j * 2 + k] * x[k];
            }

            h[j] = Math.Tanh(h[j]);
        }

        for (int j = 0; j < h.Length; j++)
        {
            h[j] = h[j] * h[j] + 0.5 * h[j];
        }

        double y = 0;
        for (int j = 0; j < 3; j++)
        {
            y += w[9 + j] * h[j];
        }

        return y * y;
    }

    // A run-time length (pooled), declared before the sample loop, activation applied in place in its own loop.
    [Differentiable]
    public static double Batch(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        int hidden = w.Length / 3;
        Span<double> h = stackalloc double[hidden];
        double loss = 0;
        for (int s = 0; s < x.Length; s++)
        {
            for (int j = 0; j < h.Length; j++)
            {
                h[j] = w[j] * x[s] + w[hidden + j];
            }

            for (int j = 0; j < h.Length; j++)
            {
                h[j] = Math.Sin(h[j]);
            }

            double y = 0;
            for (int j = 0; j < hidden; j++)
            {
                y += w[2 * hidden + j] * h[j];
            }

            loss += (y - 0.25) * (y - 0.25);
        }

        return loss / x.Length;
    }

    [Differentiable]
    public static double Total(ReadOnlySpan<double> state)
    {
        double s = 0;
        for (int i = 0; i < state.Length; i++)
        {
            s += (i + 1) * state[i];
        }

        return s;
    }

    // An autoregressive model over a window of 2 past values: the layer declared once before the time loop, filled
    // by accumulation in each step (so it is moved into the step), tanh in place, then passed to a helper.
    [Differentiable]
    public static double Window(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> series)
    {
        const int hidden = 2;
        Span<double> h = stackalloc double[hidden];
        double loss = 0;
        for (int t = 2; t < series.Length; t++)
        {
            for (int j = 0; j < h.Length; j++)
            {
                h[j] = w[2 * hidden + j];
                for (int k = 0; k < 2; k++)
                {
                    h[j] += w[k * hidden + j] * series[t - 1 - k];
                }
            }

            for (int j = 0; j < h.Length; j++)
            {
                h[j] = Math.Tanh(h[j]);
            }

            double e = w[6] * Total(h) + w[7] - series[t];
            loss += e * e;
        }

        return loss;
    }
}";

        [Theory]
        [InlineData("Layer", "new double[] { 0.4, -0.3, 0.8, 0.1, -0.6, 0.9, 0.2, -0.1, 0.05, 0.7, -0.4, 0.3 }", "new double[] { 1.5, -0.5 }")]
        [InlineData("Batch", "new double[] { 0.4, -0.3, 0.8, 0.1, -0.6, 0.9 }", "new double[] { 1.5, -0.5, 2.0, 0.25 }")]
        [InlineData("Window", "new double[] { 0.4, -0.3, 0.8, 0.1, -0.6, 0.9, 0.2, -0.1 }", "new double[] { 0.0, 0.3, 0.55, 0.8, 0.95, 1.0 }")]
        public void Gradient_backward_and_derivative_match_central_differences(string method, string point, string data)
        {
            ModelChecks.GradientBackwardAndDerivative(Source, "U", method, point, data);
        }

        [Fact]
        public void Hessian_through_updates_in_place_matches_central_differences_of_the_gradient()
        {
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "U", "Layer", "{ 0.4, -0.3, 0.8, 0.1, -0.6, 0.9, 0.2, -0.1, 0.05, 0.7, -0.4, 0.3 }", "new double[] { 1.5, -0.5 }, ", "Hessian through updates in place");
        }

        [Fact]
        public void Snapshot_of_updates_in_place()
        {
            GeneratorOutput output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        [Theory]
        [InlineData("for (int j = 1; j < 3; j++) { h[j] = Math.Tanh(h[j]); }")] // not every element: h keeps h[0] from before
        [InlineData("for (int j = 0; j < 3; j++) { if (x[0] > 0) { h[j] = Math.Tanh(h[j]); } }")] // only on some paths
        // h[j] = Math.Tanh(h[j + 1]) for j < 2, another element than the one written, is a stencil pass now (StencilTests).
        public void Other_overwrites_stay_SD1000(string update)
        {
            GeneratorOutput output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class U
{
    [Differentiable]
    public static double F(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[3];
        for (int j = 0; j < 3; j++)
        {
            h[j] = w[j] * x[0];
        }

        " + update + @"
        return h[0] + h[1] * h[2];
    }
}");
            Assert.Null(output.Result.Exception);
            var errors = output.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            var d = Assert.Single(errors);
            Assert.Equal("SD1000", d.Id);
            Assert.Contains("the local buffer 'h'", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("stackalloc double[n]", "n")]
        [InlineData("stackalloc double[z.Length]", "n")]
        [InlineData("new double[n]", "z.Length")]
        [InlineData("stackalloc double[n]", "p.Length")]
        public void A_loop_bound_set_once_from_the_length_covers_the_buffer(string allocation, string bound)
        {
            // A user's softmax: 'int n = z.Length;' then loops 'i < n' over a buffer of that length, normalised in place.
            // The loops' bound and the buffer's length were compared as written, so 'n' against 'z.Length' was not a loop
            // over the whole buffer and the update in place was SD1000 (a user study). Cross entropy of softmax:
            // dL/dz_i = p_i - [i == label].
            string source = @"
using System;
using SymDiff;
public static partial class M
{
    [Differentiable]
    public static double CrossEntropy(ReadOnlySpan<double> z, [NoGrad] int label)
    {
        int n = z.Length;
        Span<double> p = ALLOC;
        double sum = 0.0;
        for (int i = 0; i < BOUND; i++)
        {
            p[i] = Math.Exp(z[i]);
            sum += p[i];
        }

        for (int i = 0; i < BOUND; i++)
        {
            p[i] /= sum;
        }

        return -Math.Log(p[label]);
    }
}".Replace("ALLOC", allocation, StringComparison.Ordinal).Replace("BOUND", bound, StringComparison.Ordinal);
            double[] r = GeneratedCode.RunDriver(source, @"
        double[] z = { 0.5, -1.0, 2.0, 0.25 };
        var g = new double[4];
        M.CrossEntropyGradient(z, 1, g);
        return g;");
            double[] z = { 0.5, -1.0, 2.0, 0.25 };
            double s = z.Sum(Math.Exp);
            for (int i = 0; i < z.Length; i++)
            {
                Assert.Equal(Math.Exp(z[i]) / s - (i == 1 ? 1 : 0), r[i], 14);
            }
        }

        private const string PrefixSource = @"
using System;
using SymDiff;
public static partial class P
{
    [Differentiable]
    public static double Loss(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] double target, int n)
    {
        Span<double> h = stackalloc double[16];
        for (int o = 0; o < n; o++)
        {
            double z = 0;
            for (int i = 0; i < x.Length; i++) z += w[o * x.Length + i] * x[i];
            h[o] = Math.Tanh(z);
        }

        UPDATE
        double s = 0;
        for (int o = 0; o < n; o++) s += h[o];
        return (s - target) * (s - target);
    }
}";

        [Fact]
        public void An_update_in_place_of_a_prefix_that_every_loop_covers_alike_is_differentiated()
        {
            // A user's hidden layer in a fixed stack buffer of 16 units, n of them used: filled, squared in place and
            // summed, each loop over o < n (a user study: SD1000 before). L = (sum_o tanh(z_o)^2 - t)^2, so
            // dL/dw[o, i] = 2 (s - t) * 2 tanh(z_o) (1 - tanh(z_o)^2) x_i.
            string source = PrefixSource.Replace("UPDATE", "for (int o = 0; o < n; o++) h[o] = h[o] * h[o];", StringComparison.Ordinal);
            double[] r = GeneratedCode.RunDriver(source, @"
        double[] w = { 0.2, -0.5, 0.1, 0.7, -0.3, 0.4 };
        double[] x = { 1.0, -2.0 };
        var g = new double[6];
        double v = P.LossGradient(w, x, 1.0, 3, g);
        var b = new double[6];
        P.LossBackward(w, x, 1.0, 3, 0.5, b);
        P.LossDerivative(w, x, 1.0, 3, new double[] { 0, 0, 1, 0, 0, 0 }, out double d);
        return new[] { v, g[0], g[1], g[2], g[3], g[4], g[5], b[3], d };");
            double[] w = { 0.2, -0.5, 0.1, 0.7, -0.3, 0.4 };
            double[] x = { 1.0, -2.0 };
            double[] t = new double[3];
            for (int o = 0; o < 3; o++)
            {
                t[o] = Math.Tanh((w[2 * o] * x[0]) + (w[(2 * o) + 1] * x[1]));
            }

            double sum = t.Sum(v => v * v);
            Assert.Equal((sum - 1.0) * (sum - 1.0), r[0], 14);
            for (int k = 0; k < 6; k++)
            {
                int o = k / 2;
                double want = 2 * (sum - 1.0) * 2 * t[o] * (1 - (t[o] * t[o])) * x[k % 2];
                Assert.Equal(want, r[1 + k], 13);
            }

            Assert.Equal(0.5 * r[4], r[7], 14); // Backward accumulates seed times the gradient
            Assert.Equal(r[3], r[8], 13);       // Derivative along e_2 is the gradient's element 2
        }

        [Theory]
        [InlineData("for (int o = 0; o < x.Length; o++) h[o] = h[o] * h[o];")]        // another bound: other elements
        [InlineData("n = n - 1; for (int o = 0; o < n; o++) h[o] = h[o] * h[o];")]     // the bound changes in between
        [InlineData("for (int o = 0; o < n; o++) h[o] = h[o] * h[0];")]                // reads another element
        [InlineData("h[0] = 1.0; for (int o = 0; o < n; o++) h[o] = h[o] * h[o];")]    // a store outside the loops
        public void A_prefix_that_the_loops_do_not_cover_alike_stays_SD1000(string update)
        {
            GeneratorOutput output = GeneratorRunner.Run(PrefixSource.Replace("UPDATE", update, StringComparison.Ordinal));
            Assert.Null(output.Result.Exception);
            var errors = output.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            var d = Assert.Single(errors);
            Assert.Equal("SD1000", d.Id);
            Assert.Contains("the local buffer 'h'", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
    }
}

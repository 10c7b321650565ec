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
}";

        [Theory]
        [InlineData("Layer", "new double[] { 0.4, -0.3, 0.8, 0.1, -0.6, 0.9, 0.2, -0.1, 0.05, 0.7, -0.4, 0.3 }", "new double[] { 1.5, -0.5 }")]
        [InlineData("Batch", "new double[] { 0.4, -0.3, 0.8, 0.1, -0.6, 0.9 }", "new double[] { 1.5, -0.5, 2.0, 0.25 }")]
        public void Gradient_backward_and_derivative_match_central_differences(string method, string point, string data)
        {
            var r = GeneratedCode.RunDriver(Source, $@"
        double[] p = {point};
        double[] g = new double[p.Length], fd = new double[p.Length], b = new double[p.Length], t = new double[p.Length];
        double v = U.{method}Gradient(p, {data}, g);
        U.{method}Backward(p, {data}, 2.0, b);
        for (int i = 0; i < t.Length; i++) t[i] = Math.Cos(1.3 * i);
        double v2 = U.{method}Derivative(p, {data}, t, out double derivative);
        double[] up = new double[p.Length], down = new double[p.Length];
        for (int i = 0; i < p.Length; i++) {{ up[i] = p[i] + 1e-6 * t[i]; down[i] = p[i] - 1e-6 * t[i]; }}
        double directional = (U.{method}(up, {data}) - U.{method}(down, {data})) / 2e-6;
        for (int i = 0; i < p.Length; i++)
        {{
            double[] q = (double[])p.Clone();
            double step = 1e-6 * Math.Max(1, Math.Abs(p[i]));
            q[i] = p[i] + step; double fUp = U.{method}(q, {data});
            q[i] = p[i] - step; double fDown = U.{method}(q, {data});
            fd[i] = (fUp - fDown) / (2 * step);
        }}
        var r = new System.Collections.Generic.List<double> {{ v, v2, U.{method}(p, {data}), derivative, directional }};
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
        public void Hessian_through_updates_in_place_matches_central_differences_of_the_gradient()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double[] p = { 0.4, -0.3, 0.8, 0.1, -0.6, 0.9, 0.2, -0.1, 0.05, 0.7, -0.4, 0.3 };
        double[] x = { 1.5, -0.5 };
        int n = p.Length;
        double[] hessian = new double[n * n], fd = new double[n * n];
        U.LayerHessian(p, x, hessian);
        for (int i = 0; i < n; i++)
        {
            double[] up = (double[])p.Clone(), down = (double[])p.Clone();
            up[i] += 1e-5; down[i] -= 1e-5;
            double[] gu = new double[n], gd = new double[n];
            U.LayerGradient(up, x, gu);
            U.LayerGradient(down, x, gd);
            for (int j = 0; j < n; j++) fd[j * n + i] = (gu[j] - gd[j]) / 2e-5;
        }

        var result = new double[2 * n * n];
        hessian.CopyTo(result, 0);
        fd.CopyTo(result, n * n);
        return result;");
            int m = r.Length / 2;
            FiniteDifferences.AssertClose(r.Skip(m).ToArray(), r.Take(m).ToArray(), relTol: 1e-6, absTol: 1e-8, "Hessian through updates in place");
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
        [InlineData("for (int j = 0; j < 2; j++) { h[j] = Math.Tanh(h[j + 1]); }")] // another element than the one written
        [InlineData("for (int j = 0; j < 3; j++) { if (x[0] > 0) { h[j] = Math.Tanh(h[j]); } }")] // only on some paths
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
    }
}

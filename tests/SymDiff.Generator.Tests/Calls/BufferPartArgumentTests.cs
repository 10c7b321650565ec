using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.LocalBuffers;
using Xunit;

namespace SymDiff.Generator.Tests.Calls
{
    /// <summary>
    /// A part of a local buffer passed to a <c>[Differentiable]</c> method (<c>Norm(h.Slice(0, 3))</c>, PyTorch's
    /// <c>torch.chunk</c>): the callee's Backward adds into the same part of the buffer's adjoint, its Derivative reads the
    /// same part of the buffer's tangent; a buffer written again after the call keeps the values the call saw. Was SD1000.
    /// Checked against central differences of the user's own method, the Hessian against differences of the gradient.
    /// </summary>
    public class BufferPartArgumentTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class B
{
    [Differentiable(Hessian = true)]
    public static double Norm(ReadOnlySpan<double> v)
    {
        double s = 0;
        for (int i = 0; i < v.Length; i++)
        {
            s += v[i] * v[i] * (1 + 0.1 * i);
        }

        return Math.Sqrt(s + 1e-3);
    }

    [Differentiable(Hessian = true)]
    public static double Mean(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (double e in v)
        {
            s += Math.Tanh(e);
        }

        return s / v.Length;
    }

    // Overlapping parts of a stack buffer, a range and a span local over a part.
    [Differentiable(Hessian = true)]
    public static double Halves(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[6];
        for (int j = 0; j < 6; j++)
        {
            h[j] = Math.Tanh(w[j] * x[j % 3]);
        }

        ReadOnlySpan<double> middle = h.Slice(1, 4);
        return Norm(h.Slice(0, 3)) * Norm(h[3..]) + Mean(middle);
    }

    // A buffer of run-time length: windows of it passed in a loop, then the buffer rewritten and its tail passed.
    [Differentiable]
    public static double Rolling(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        int n = w.Length;
        double[] h = new double[n];
        for (int j = 0; j < n; j++)
        {
            h[j] = Math.Sin(w[j] + x[j % x.Length]);
        }

        double total = 0;
        for (int k = 0; k + 2 <= n; k++)
        {
            total += Norm(h.AsSpan(k, 2)) * w[k];
        }

        for (int j = 0; j < n; j++)
        {
            h[j] = h[j] * w[j];
        }

        return total + Norm(h.AsSpan(2));
    }

    // Gates of a recurrent step in one buffer, refilled every step, its halves passed to two helpers (an LSTM's chunks).
    [Differentiable(Hessian = true)]
    public static double Steps(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> gates = stackalloc double[4];
        double state = 0.5;
        double total = 0;
        for (int t = 0; t < x.Length; t++)
        {
            for (int g = 0; g < 4; g++)
            {
                gates[g] = w[g] * x[t] + w[4 + g % 2] * state;
            }

            double a = Mean(gates.Slice(0, 2));
            double b = Norm(gates[2..]);
            state = Math.Tanh(a * state + 0.1 * b);
            total += state;
        }

        return total;
    }
}";

        private const string Point = "new double[] { 0.3, -0.8, 1.1, 0.4, -0.2, 0.9 }";
        private const string Data = "new double[] { 0.5, -1.5, 2.0 }";

        [Theory]
        [InlineData("Halves")]
        [InlineData("Rolling")]
        [InlineData("Steps")]
        public void Gradient_backward_and_derivative_match_central_differences(string method) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "B", method, Point, Data);

        [Theory]
        [InlineData("Halves")]
        [InlineData("Steps")]
        public void Hessian_matches_differences_of_the_gradient(string method) =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "B", method, Point, Data + ", ", method + " Hessian");

        [Fact]
        public void Snapshot_of_parts_of_local_buffers_passed_to_calls()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

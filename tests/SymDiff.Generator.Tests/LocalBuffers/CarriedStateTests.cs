using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>
    /// A local buffer carried from one loop iteration to the next (a recurrent state: an Elman RNN's hidden layer, a
    /// diagonal recurrence updated in place), which lowering gives one version per iteration (<c>stateHistory</c>), and the
    /// order of a reverse loop whose iterations exchange adjoints through a buffer (FINDINGS F39: <c>h[i] = ...; s += h[i]
    /// * h[i - 1];</c> ran its reverse loop forwards and lost the contribution to <c>h[i - 1]</c>). Checked against central
    /// differences of the user's own methods, at lengths that run the time loop zero, one and several times.
    /// </summary>
    public sealed class CarriedStateTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class R
{
    // An Elman RNN with three hidden units: each step reads the previous state, then overwrites it; the loss also reads
    // the final state after the loop.
    [Differentiable(Hessian = true)]
    public static double Rnn(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> xs)
    {
        const int H = 3;
        Span<double> state = stackalloc double[H];
        Span<double> next = stackalloc double[H];
        for (int j = 0; j < H; j++)
        {
            state[j] = 0.1 * p[j];
        }

        double loss = 0;
        for (int t = 0; t < xs.Length; t++)
        {
            for (int j = 0; j < H; j++)
            {
                double a = p[H + j] * xs[t];
                for (int k = 0; k < H; k++)
                {
                    a += p[2 * H + j * H + k] * state[k];
                }

                next[j] = Math.Tanh(a);
            }

            for (int j = 0; j < H; j++)
            {
                state[j] = next[j];
                loss += state[j] * xs[t];
            }
        }

        return loss + state[0] * state[1] - state[2];
    }

    // The same recurrence, its final state passed whole and in parts to helpers after the time loop (a loss helper
    // over the last hidden state): they read the history's last version.
    [Differentiable(Hessian = true)]
    public static double RnnLoss(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> xs)
    {
        const int H = 3;
        Span<double> state = stackalloc double[H];
        Span<double> next = stackalloc double[H];
        for (int t = 0; t < xs.Length; t++)
        {
            for (int j = 0; j < H; j++)
            {
                next[j] = Math.Tanh(p[H + j] * xs[t] + p[2 * H + j] * state[(j + 1) % H] + 0.1 * p[j]);
            }

            for (int j = 0; j < H; j++)
            {
                state[j] = next[j];
            }
        }

        return SquaredNorm(state) + 0.5 * SquaredNorm(state.Slice(1, 2)) * state[0] + SquaredNorm(state[2..]);
    }

    [Differentiable(Hessian = true)]
    public static double SquaredNorm(ReadOnlySpan<double> v)
    {
        double s = 0;
        for (int i = 0; i < v.Length; i++)
        {
            s += v[i] * v[i] * (i + 1);
        }

        return s;
    }

    // A diagonal recurrence updated in place, from zeros (nothing fills it before the loop), over steps counted from an
    // int local and started at 1.
    [Differentiable]
    public static double Diagonal(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> xs)
    {
        int steps = xs.Length;
        double[] s = new double[2];
        double sum = 0;
        for (int t = 1; t < steps; t++)
        {
            sum += s[0] * s[1];
            for (int j = 0; j < 2; j++)
            {
                s[j] = Math.Tanh(p[j] * s[j] + p[2 + j] * xs[t] + p[4]);
            }
        }

        return sum + s[1];
    }

    // A chain declared before the sample loop and refilled by each sample (each element reads the one before it):
    // moved into the loop like any complete refill (BufferScopes).
    [Differentiable]
    public static double HoistedChain(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> xs)
    {
        double[] h = new double[3];
        double s = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                h[j] = p[j] * xs[i] + 0.5 * (j > 0 ? h[j - 1] * h[j - 1] : 0.25);
            }

            s += h[2] * h[i % 3];
        }

        return s;
    }

    // FINDINGS F39: each iteration reads the element the previous one wrote.
    [Differentiable]
    public static double PreviousElement(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> xs)
    {
        Span<double> h = stackalloc double[5];
        double s = 0;
        for (int i = 0; i < 5; i++)
        {
            h[i] = Math.Sin(p[i] * xs[i]);
            if (i > 0)
            {
                s += h[i] * h[i - 1];
            }
        }

        return s;
    }
}";

        private const string Weights = "new[] { 0.3, -0.2, 0.5, 0.7, -0.4, 0.9, 0.2, -0.6, 0.35, 0.1, -0.3, 0.45, 0.25, -0.15, 0.6 }";

        [Fact]
        public void Snapshot_of_carried_states()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        [Theory]
        [InlineData("new double[0]")]
        [InlineData("new[] { 0.8 }")]
        [InlineData("new[] { 0.8, -0.3, 1.2, 0.4, -0.9 }")]
        public void Rnn_matches_central_differences(string xs) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "R", "Rnn", Weights, xs);

        /// <summary>The final state passed whole and in parts to a helper after the time loop (was SD1000: "a recurrent state").</summary>
        [Theory]
        [InlineData("new double[0]")]
        [InlineData("new[] { 0.8 }")]
        [InlineData("new[] { 0.8, -0.3, 1.2, 0.4, -0.9 }")]
        public void Final_state_passed_to_helpers_matches_central_differences(string xs) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "R", "RnnLoss", Weights, xs);

        [Fact]
        public void Final_state_passed_to_helpers_hessian_matches_differences_of_the_gradient() =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "R", "RnnLoss", Weights, "new[] { 0.8, -0.3, 1.2 }, ", "RnnLossHessian");

        [Fact]
        public void Rnn_hessian_matches_differences_of_the_gradient() =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "R", "Rnn", Weights, "new[] { 0.8, -0.3, 1.2 }, ", "RnnHessian");

        [Theory]
        [InlineData("new[] { 0.5 }")]
        [InlineData("new[] { 0.5, -1.1, 0.7, 0.2 }")]
        public void Diagonal_recurrence_matches_central_differences(string xs) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "R", "Diagonal", "new[] { 0.6, -0.8, 0.4, 0.3, -0.2 }", xs);

        [Fact]
        public void A_hoisted_chain_refilled_by_each_sample_matches_central_differences() =>
            ModelChecks.GradientBackwardAndDerivative(Source, "R", "HoistedChain", "new[] { 0.6, -0.8, 0.4 }", "new[] { 0.5, -1.1, 0.7, 0.2 }");

        [Fact]
        public void Reading_the_previous_iterations_element_matches_central_differences() =>
            ModelChecks.GradientBackwardAndDerivative(Source, "R", "PreviousElement", "new[] { 0.3, -0.5, 1.1, 0.7, -0.2 }", "new[] { 1.0, 0.9, -1.2, 0.4, 1.5 }");
    }
}

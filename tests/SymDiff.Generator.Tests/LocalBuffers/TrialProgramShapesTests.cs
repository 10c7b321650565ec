using System;
using System.Globalization;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>
    /// Shapes README.md documents that programs written by trial users (from README.md and API.md only) found rejected:
    /// a recurrent state over a token sequence's length (<c>t &lt; tokens.Length</c>, an <c>int</c> span), a concatenation
    /// whose second loop reads the first loop's elements, and <c>foreach</c> over an <c>int[]</c> parameter. Each is
    /// checked against the user's own value (bit for bit) and central differences of it.
    /// </summary>
    public class TrialProgramShapesTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class T
{
    // An RNN over tokens: embeddings p[0..12), recurrent weights p[12..28); the time loop runs to tokens.Length.
    [Differentiable]
    public static double Rnn(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<int> tokens)
    {
        Span<double> h = stackalloc double[4];
        Span<double> next = stackalloc double[4];
        for (int t = 0; t < tokens.Length; t++)
        {
            for (int j = 0; j < next.Length; j++)
            {
                double a = p[tokens[t] * 4 + j];
                for (int k = 0; k < h.Length; k++)
                {
                    a += p[12 + j * 4 + k] * h[k];
                }

                next[j] = Math.Tanh(a);
            }

            for (int j = 0; j < h.Length; j++)
            {
                h[j] = next[j];
            }
        }

        double s = 0;
        for (int j = 0; j < h.Length; j++)
        {
            s += h[j] * (j + 1);
        }

        return s;
    }

    // The same over an int[] whose length a local holds.
    [Differentiable]
    public static double RnnArray(ReadOnlySpan<double> p, [NoGrad] int[] tokens)
    {
        int steps = tokens.Length;
        double[] h = new double[4];
        for (int t = 0; t < steps; t++)
        {
            for (int j = 0; j < h.Length; j++)
            {
                h[j] = Math.Tanh(p[tokens[t] * 4 + j] + p[12 + j] * h[j]);
            }
        }

        return h[0] - h[1] + h[2] * h[3];
    }

    // A concatenation whose second loop reads elements the first one wrote (README: 'read only at elements already written').
    [Differentiable]
    public static double Concat(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<int> tokens)
    {
        Span<double> z = stackalloc double[9];
        z[0] = p[0] * p[1];
        for (int j = 0; j < 4; j++)
        {
            z[1 + j] = Math.Sin(p[j]) + z[0];
        }

        for (int j = 0; j < 4; j++)
        {
            double t = z[j + 1] * z[0];
            z[5 + j] = t * p[j + 4];
        }

        double s = 0;
        for (int j = 0; j < z.Length; j++)
        {
            s += z[j] * (j + 1);
        }

        return s;
    }

    // A Gram matrix in a buffer whose length is n * n, n an int local set once from a length and read in store indices.
    [Differentiable]
    public static double Gram(ReadOnlySpan<double> p, [NoGrad] int[] tokens)
    {
        int n = tokens.Length;
        double[] k = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                k[i * n + j] = p[tokens[i]] * p[tokens[j]] + p[20];
            }
        }

        double s = 0;
        for (int i = 0; i < n * n; i++)
        {
            s += k[i] * k[i];
        }

        return s;
    }

    // foreach over an index table.
    [Differentiable]
    public static double Gather(ReadOnlySpan<double> p, [NoGrad] int[] tokens)
    {
        double s = 0;
        foreach (int i in tokens)
        {
            s += p[i] * p[i + 1];
        }

        return s;
    }
}";

        private static readonly string Point = "new double[] { " + string.Join(", ", Enumerable.Range(0, 28).Select(i => (0.4 * Math.Sin((1.7 * i) + 0.3)).ToString("R", CultureInfo.InvariantCulture))) + " }";

        [Theory]
        [InlineData("Rnn", "new int[] { 0, 2, 1, 2, 0 }")]
        [InlineData("Rnn", "new int[0]")]
        [InlineData("RnnArray", "new int[] { 1, 1, 2 }")]
        [InlineData("Concat", "new int[0]")]
        [InlineData("Gather", "new int[] { 3, 0, 3, 7 }")]
        [InlineData("Gram", "new int[] { 3, 0, 5 }")]
        public void Documented_shapes_a_trial_user_wrote_match_central_differences(string method, string tokens) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "T", method, Point, tokens);

        /// <summary>
        /// A trial user's matrix view indexed by row and column (<c>w[j * 3 + k]</c>), once SD1000 (SymDiff could not show
        /// the index is inside the view): now read with the view's bounds check kept, checked against central differences.
        /// </summary>
        [Fact]
        public void A_matrix_view_indexed_by_row_and_column_matches_central_differences() =>
            ModelChecks.GradientBackwardAndDerivative(@"
using System;
using SymDiff;
public static partial class V
{
    [Differentiable]
    public static double MatView(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> v)
    {
        ReadOnlySpan<double> w = p[..6];
        double s = 0;
        for (int j = 0; j < 2; j++)
        {
            for (int k = 0; k < 3; k++)
            {
                s += Math.Tanh(w[j * 3 + k] * v[k]) * p[6];
            }
        }

        return s;
    }
}", "V", "MatView", Point, "new double[] { 0.5, -1.5, 2.0 }");
    }
}

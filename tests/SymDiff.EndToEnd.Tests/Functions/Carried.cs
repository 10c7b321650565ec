using System;

namespace SymDiff.EndToEnd.Tests.Functions
{
    /// <summary>
    /// Buffers carried across loop iterations (their history is kept in a pooled array): compiled by the SDK at the
    /// project's default C# version, where C# 14's first-class spans change which overload an array argument picks.
    /// </summary>
    public static partial class Carried
    {
        /// <summary>Three explicit heat-equation sweeps in place, then the energy of the result.</summary>
        [Differentiable]
        public static double Heat(ReadOnlySpan<double> u0, double alpha)
        {
            double[] u = new double[u0.Length];
            for (int i = 0; i < u0.Length; i++)
            {
                u[i] = u0[i];
            }

            for (int s = 0; s < 3; s++)
            {
                for (int i = 1; i < u.Length - 1; i++)
                {
                    u[i] = u[i] + (alpha * (u[i - 1] - (2 * u[i]) + u[i + 1]));
                }
            }

            double e = 0;
            for (int i = 0; i < u.Length; i++)
            {
                e += u[i] * u[i];
            }

            return e;
        }

        /// <summary>A two-unit tanh recurrence over the inputs: each step computes the next state, then copies it whole.</summary>
        [Differentiable]
        public static float Rnn(ReadOnlySpan<float> w, [NoGrad] ReadOnlySpan<float> x)
        {
            Span<float> state = stackalloc float[2];
            Span<float> next = stackalloc float[2];
            for (int j = 0; j < state.Length; j++)
            {
                state[j] = 0f;
            }

            for (int t = 0; t < x.Length; t++)
            {
                for (int j = 0; j < next.Length; j++)
                {
                    next[j] = MathF.Tanh((w[2 * j] * state[0]) + (w[(2 * j) + 1] * state[1]) + x[t]);
                }

                for (int j = 0; j < state.Length; j++)
                {
                    state[j] = next[j];
                }
            }

            return (state[0] * state[0]) + state[1];
        }
    }
}

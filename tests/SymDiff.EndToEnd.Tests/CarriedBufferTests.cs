using System;
using SymDiff.EndToEnd.Tests.Functions;
using Xunit;

namespace SymDiff.EndToEnd.Tests
{
    /// <summary>
    /// Carried buffers (a stencil swept in place, an RNN state) compiled by the SDK at its default C# version (14 for
    /// net10.0): the generated code must compile there too, and its gradients agree with central differences.
    /// </summary>
    public sealed class CarriedBufferTests
    {
        [Fact]
        public void The_heat_sweeps_gradient_matches_central_differences()
        {
            double[] u0 = { 0.0, 1.0, 0.5, -0.25, 0.0 };
            double[] du = new double[u0.Length];
            double value = Carried.HeatGradient(u0, 0.2, du, out double dAlpha);
            Assert.Equal(Carried.Heat(u0, 0.2), value);

            var check = GradCheck.Compare(p => Carried.Heat(p.Slice(0, 5), p[5]), new[] { 0.0, 1.0, 0.5, -0.25, 0.0, 0.2 }, new[] { du[0], du[1], du[2], du[3], du[4], dAlpha });
            Assert.True(check.Passed, check.ToString());
        }

        [Fact]
        public void The_recurrences_float_gradient_matches_central_differences_in_double()
        {
            float[] w = { 0.5f, -0.3f, 0.8f, 0.2f };
            float[] x = { 0.1f, -0.4f, 0.7f };
            float[] dw = new float[4];
            Carried.RnnGradient(w, x, dw);
            for (int k = 0; k < 4; k++)
            {
                float[] up = (float[])w.Clone();
                float[] down = (float[])w.Clone();
                up[k] += 1e-2f;
                down[k] -= 1e-2f;
                double numeric = (Carried.Rnn(up, x) - (double)Carried.Rnn(down, x)) / (up[k] - (double)down[k]);
                Assert.True(Math.Abs(numeric - dw[k]) <= 2e-3 * (1 + Math.Abs(numeric)), $"dw[{k}] = {dw[k]}, central differences {numeric}");
            }
        }
    }
}

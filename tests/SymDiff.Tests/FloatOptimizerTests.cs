using System;
using Xunit;

namespace SymDiff.Tests
{
    /// <summary>
    /// Sgd and Adam over the <c>float[]</c> buffers of a <c>float</c> model: a closed-form SGD trajectory, agreement with
    /// the <c>double</c> optimizers (checked against PyTorch in <see cref="OptimizerPyTorchReferenceTests"/>) to
    /// <c>float</c> rounding, the argument checks, <c>ZeroGrad</c> and <c>Reset</c>.
    /// </summary>
    public class FloatOptimizerTests
    {
        // f(w) = sum_i c_i (w_i - t_i)^2 / 2, gradient c_i (w_i - t_i): a convex quadratic of different curvatures.
        private static readonly double[] Curvature = { 1.0, 4.0, 0.25 };
        private static readonly double[] Target = { 0.5, -1.5, 2.0 };

        private static void Gradient(double[] w, double[] g)
        {
            for (int i = 0; i < w.Length; i++)
            {
                g[i] = Curvature[i] * (w[i] - Target[i]);
            }
        }

        private static void Gradient(float[] w, float[] g)
        {
            for (int i = 0; i < w.Length; i++)
            {
                g[i] = (float)(Curvature[i] * (w[i] - Target[i]));
            }
        }

        private static (float[] Float, double[] Double) Train(Func<float[], float[], Action> makeFloat, Func<double[], double[], Action> makeDouble, int steps)
        {
            var wf = new float[] { -1.0f, 0.75f, 0.125f };
            var gf = new float[3];
            var wd = new double[] { -1.0, 0.75, 0.125 };
            var gd = new double[3];
            Action stepFloat = makeFloat(wf, gf), stepDouble = makeDouble(wd, gd);
            for (int k = 0; k < steps; k++)
            {
                Gradient(wf, gf);
                stepFloat();
                Gradient(wd, gd);
                stepDouble();
            }

            return (wf, wd);
        }

        private static void AssertClose(double[] expected, float[] actual, double tolerance)
        {
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"element {i}: {actual[i]} vs {expected[i]}");
            }
        }

        [Fact]
        public void Sgd_without_momentum_follows_the_closed_form()
        {
            // w_k - t = (1 - lr c)^k (w_0 - t) for each coordinate.
            var w = new float[] { -1.0f, 0.75f, 0.125f };
            var g = new float[3];
            var sgd = new Sgd(w, g, learningRate: 0.1);
            for (int k = 0; k < 20; k++)
            {
                Gradient(w, g);
                sgd.Step();
            }

            var expected = new double[3];
            double[] start = { -1.0, 0.75, 0.125 };
            for (int i = 0; i < 3; i++)
            {
                expected[i] = Target[i] + (Math.Pow(1 - (0.1 * Curvature[i]), 20) * (start[i] - Target[i]));
            }

            AssertClose(expected, w, 1e-5);
        }

        [Fact]
        public void Sgd_with_nesterov_momentum_and_weight_decay_tracks_the_double_optimizer()
        {
            var (wf, wd) = Train(
                (w, g) => new Sgd(w, g, learningRate: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov: true).Step,
                (w, g) => new Sgd(w, g, learningRate: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov: true).Step,
                200);
            AssertClose(wd, wf, 1e-5);
            Assert.NotEqual(-1.0f, wf[0]); // it moved
        }

        [Theory]
        [InlineData(0.0)]
        [InlineData(0.1)]
        public void Adam_tracks_the_double_optimizer(double weightDecay)
        {
            var (wf, wd) = Train(
                (w, g) => new Adam(w, g, learningRate: 0.02, weightDecay: weightDecay).Step,
                (w, g) => new Adam(w, g, learningRate: 0.02, weightDecay: weightDecay).Step,
                300);
            AssertClose(wd, wf, 1e-4);
            Assert.True(Math.Abs(wf[1] - 0.75) > 0.1, "Adam moved the weights");
        }

        [Fact]
        public void Float_buffers_are_checked_like_double_ones()
        {
            var shorter = Assert.Throws<ArgumentException>(() => new Adam(new float[3], new float[2]));
            Assert.Equal("gradients", shorter.ParamName);
            Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => new Sgd(new float[3], new float[4], 0.1)).ParamName);
            Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => new Sgd(null!, new float[1], 0.1)).ParamName);
            Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(new float[1], new float[1], learningRate: double.NaN)).ParamName);
            Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(new float[1], new float[1], beta2: 1.0)).ParamName);
            Assert.Equal("nesterov", Assert.Throws<ArgumentException>(() => new Sgd(new float[1], new float[1], 0.1, nesterov: true)).ParamName);
        }

        [Fact]
        public void ZeroGrad_clears_and_Reset_restarts_a_float_optimizer()
        {
            var w = new float[] { 1.0f, 2.0f };
            var g = new float[] { 0.5f, -0.25f };
            var adam = new Adam(w, g, learningRate: 0.1);
            adam.Step();
            float[] afterFirst = (float[])w.Clone();
            adam.ZeroGrad();
            Assert.Equal(new float[] { 0f, 0f }, g);

            // After Reset, the same gradient from the same weights moves them exactly as a fresh optimizer's first step.
            g[0] = 0.5f;
            g[1] = -0.25f;
            adam.Reset();
            var fresh = (float[])w.Clone();
            var freshGradients = (float[])g.Clone();
            new Adam(fresh, freshGradients, learningRate: 0.1).Step();
            adam.Step();
            Assert.Equal(fresh, w);
            Assert.Equal(1, adam.StepCount);

            // A first Adam step moves each weight by the learning rate against its gradient's sign (up to epsilon).
            Assert.Equal(0.9, afterFirst[0], 5);
            Assert.Equal(2.1, afterFirst[1], 5);
        }
    }
}

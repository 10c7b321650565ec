using System;
using Xunit;

namespace SymDiff.Tests
{
    /// <summary>Sgd against steps of torch.optim.SGD's algorithm worked out by hand.</summary>
    public class SgdTests
    {
        private const double Tolerance = 1e-14;

        // f(w) = w0^2 + 3 w1^2, so the gradient is (2 w0, 6 w1).
        private static void QuadraticGradient(double[] w, double[] g)
        {
            g[0] = 2 * w[0];
            g[1] = 6 * w[1];
        }

        private static void AssertVector(double expected0, double expected1, double[] actual)
        {
            Assert.Equal(expected0, actual[0], Tolerance);
            Assert.Equal(expected1, actual[1], Tolerance);
        }

        [Fact]
        public void PlainStepsMoveAgainstTheGradientScaledByTheLearningRate()
        {
            var w = new[] { 1.0, -2.0 };
            var g = new double[2];
            var sgd = new Sgd(w, g, learningRate: 0.1);

            // Step 1: g = (2, -12); w = (1 - 0.1*2, -2 + 0.1*12) = (0.8, -0.8)
            QuadraticGradient(w, g);
            sgd.Step();
            AssertVector(0.8, -0.8, w);

            // Step 2: g = (1.6, -4.8); w = (0.8 - 0.16, -0.8 + 0.48) = (0.64, -0.32)
            QuadraticGradient(w, g);
            sgd.Step();
            AssertVector(0.64, -0.32, w);
        }

        [Fact]
        public void A_learning_rate_set_between_steps_keeps_the_momentum()
        {
            // A schedule, as PyTorch's param_group["lr"] = ...: momentum 0.5, lr 0.1 then 0.01.
            var w = new[] { 1.0, -2.0 };
            var g = new double[2];
            var sgd = new Sgd(w, g, learningRate: 0.1, momentum: 0.5);

            // Step 1: g = (2, -12), buf = g; w = (1 - 0.2, -2 + 1.2) = (0.8, -0.8)
            QuadraticGradient(w, g);
            sgd.Step();
            AssertVector(0.8, -0.8, w);

            // Step 2 at lr 0.01: g = (1.6, -4.8), buf = 0.5 (2, -12) + g = (2.6, -10.8); w = (0.8 - 0.026, -0.8 + 0.108)
            sgd.LearningRate = 0.01;
            QuadraticGradient(w, g);
            sgd.Step();
            AssertVector(0.774, -0.692, w);
            Assert.Equal(0.01, sgd.LearningRate);

            var e = Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = double.NaN);
            Assert.Equal("value", e.ParamName);
            Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = -0.1);
            Assert.Equal(0.01, sgd.LearningRate); // a rejected value changes nothing
        }

        [Fact]
        public void MomentumWithDampeningAndWeightDecayFollowsPyTorch()
        {
            var w = new[] { 1.0, -2.0 };
            var g = new double[2];
            var sgd = new Sgd(w, g, learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.5);

            // Step 1: g = (2, -12); d = g + 0.5 w = (2.5, -13)
            //   first step: buf = d = (2.5, -13), no dampening
            //   w = (1 - 0.25, -2 + 1.3) = (0.75, -0.7)
            QuadraticGradient(w, g);
            sgd.Step();
            AssertVector(0.75, -0.7, w);

            // Step 2: g = (1.5, -4.2); d = g + 0.5 w = (1.875, -4.55)
            //   buf = 0.9 buf + (1 - 0.1) d = (2.25 + 1.6875, -11.7 - 4.095) = (3.9375, -15.795)
            //   w = (0.75 - 0.39375, -0.7 + 1.5795) = (0.35625, 0.8795)
            QuadraticGradient(w, g);
            sgd.Step();
            AssertVector(0.35625, 0.8795, w);

            // Step 3: g = (0.7125, 5.277); d = g + 0.5 w = (0.890625, 5.71675)
            //   buf = 0.9 buf + 0.9 d = (3.54375 + 0.8015625, -14.2155 + 5.145075) = (4.3453125, -9.070425)
            //   w = (0.35625 - 0.43453125, 0.8795 + 0.9070425) = (-0.07828125, 1.7865425)
            QuadraticGradient(w, g);
            sgd.Step();
            AssertVector(-0.07828125, 1.7865425, w);
        }

        [Fact]
        public void NesterovAddsTheMomentumBufferToTheGradient()
        {
            var w = new[] { 1.0, -2.0 };
            var g = new double[2];
            var sgd = new Sgd(w, g, learningRate: 0.1, momentum: 0.9, nesterov: true);

            // Step 1: g = (2, -12); buf = g; d = g + 0.9 buf = (3.8, -22.8)
            //   w = (1 - 0.38, -2 + 2.28) = (0.62, 0.28)
            QuadraticGradient(w, g);
            sgd.Step();
            AssertVector(0.62, 0.28, w);

            // Step 2: g = (1.24, 1.68); buf = 0.9 (2, -12) + g = (3.04, -9.12)
            //   d = g + 0.9 buf = (1.24 + 2.736, 1.68 - 8.208) = (3.976, -6.528)
            //   w = (0.62 - 0.3976, 0.28 + 0.6528) = (0.2224, 0.9328)
            QuadraticGradient(w, g);
            sgd.Step();
            AssertVector(0.2224, 0.9328, w);
        }

        [Fact]
        public void ResetMakesTheNextStepInitialiseTheMomentumBufferAgain()
        {
            var w = new[] { 1.0, -2.0 };
            var g = new[] { 1.0, 1.0 };
            var sgd = new Sgd(w, g, learningRate: 0.5, momentum: 0.9, dampening: 0.5);

            sgd.Step(); // buf = (1, 1); w = (0.5, -2.5)
            sgd.Step(); // buf = 0.9 + 0.5 = 1.4; w = (0.5 - 0.7, -2.5 - 0.7) = (-0.2, -3.2)
            AssertVector(-0.2, -3.2, w);

            sgd.Reset();
            g[0] = 2;
            g[1] = -2;
            sgd.Step(); // fresh buffer = g, undamped: w = (-0.2 - 1, -3.2 + 1) = (-1.2, -2.2)
            AssertVector(-1.2, -2.2, w);
        }

        [Fact]
        public void ZeroGradClearsTheGradientBufferAndLeavesParametersAlone()
        {
            var w = new[] { 1.0, -2.0, 3.0 };
            var g = new[] { 4.0, double.NaN, -6.0 };
            var sgd = new Sgd(w, g, learningRate: 0.1, momentum: 0.9);

            sgd.ZeroGrad();

            Assert.Equal(new[] { 0.0, 0.0, 0.0 }, g);
            Assert.Equal(new[] { 1.0, -2.0, 3.0 }, w);

            sgd.Step(); // a zero gradient does not move the parameters
            Assert.Equal(new[] { 1.0, -2.0, 3.0 }, w);
        }

        [Fact]
        public void SettingsAreExposedWithPyTorchDefaults()
        {
            var sgd = new Sgd(new double[1], new double[1], learningRate: 0.25);

            Assert.Equal(0.25, sgd.LearningRate);
            Assert.Equal(0.0, sgd.Momentum);
            Assert.Equal(0.0, sgd.Dampening);
            Assert.Equal(0.0, sgd.WeightDecay);
            Assert.False(sgd.Nesterov);

            var nesterov = new Sgd(new double[1], new double[1], 0.5, momentum: 0.8, weightDecay: 0.01, nesterov: true);
            Assert.Equal(0.8, nesterov.Momentum);
            Assert.Equal(0.01, nesterov.WeightDecay);
            Assert.True(nesterov.Nesterov);
        }

        [Fact]
        public void StepAndZeroGradDoNotAllocate()
        {
            var w = new double[64];
            var g = new double[64];
            var sgd = new Sgd(w, g, learningRate: 1e-3, momentum: 0.9, weightDecay: 1e-4, nesterov: true);
            for (int i = 0; i < 100; i++)
            {
                RunOnce(sgd, w, g);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                RunOnce(sgd, w, g);
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, allocated);
            Assert.True(w[63] > 0, "the parameters should have moved towards their targets");
        }

        private static void RunOnce(Sgd sgd, double[] w, double[] g)
        {
            for (int j = 0; j < w.Length; j++)
            {
                g[j] = w[j] - j;
            }

            sgd.Step();
            sgd.ZeroGrad();
        }
    }
}

using System;
using Xunit;

namespace SymDiff.Tests
{
    /// <summary>
    /// Adam against the textbook formulas worked out by hand: m̂ = m / (1 - beta1^t), v̂ = v / (1 - beta2^t),
    /// w -= lr m̂ / (sqrt(v̂) + eps). The implementation arranges the arithmetic as PyTorch does, so the two
    /// agree to rounding.
    /// </summary>
    public class AdamTests
    {
        private const double Tolerance = 1e-13;

        [Fact]
        public void A_learning_rate_set_between_steps_keeps_the_moments_and_the_step_count()
        {
            // Step 1 at lr 0.1 as in FirstStepsApplyBiasCorrection; step 2 at lr 0.05 with the same g = (0.3, 2):
            //   m̂ and v̂ as there (the state is kept), w -= 0.05 m̂ / (sqrt(v̂) + eps).
            var w = new[] { 1.0, -2.0 };
            var g = new[] { 0.5, -1.0 };
            var adam = new Adam(w, g, learningRate: 0.1);
            adam.Step();
            double w1x = w[0], w1y = w[1];
            adam.LearningRate = 0.05;
            g[0] = 0.3;
            g[1] = 2;
            adam.Step();
            Assert.Equal(2, adam.StepCount);
            double mx = (0.9 * 0.05) + (0.1 * 0.3), my = (0.9 * -0.1) + (0.1 * 2);
            double vx = (0.999 * 0.00025) + (0.001 * 0.09), vy = (0.999 * 0.001) + (0.001 * 4);
            double c1 = 1 - (0.9 * 0.9), c2 = 1 - (0.999 * 0.999);
            Assert.Equal(w1x - (0.05 * (mx / c1) / (Math.Sqrt(vx / c2) + 1e-8)), w[0], Tolerance);
            Assert.Equal(w1y - (0.05 * (my / c1) / (Math.Sqrt(vy / c2) + 1e-8)), w[1], Tolerance);
            Assert.Throws<ArgumentOutOfRangeException>(() => adam.LearningRate = double.PositiveInfinity);
        }

        [Fact]
        public void FirstStepsApplyBiasCorrection()
        {
            var w = new[] { 1.0, -2.0 };
            var g = new double[2];
            var adam = new Adam(w, g, learningRate: 0.1);

            // Step 1, g = (0.5, -1):
            //   m = 0.1 g = (0.05, -0.1); v = 0.001 g^2 = (0.00025, 0.001)
            //   m̂ = m / 0.1 = (0.5, -1); v̂ = v / 0.001 = (0.25, 1); sqrt(v̂) = (0.5, 1)
            //   w = (1 - 0.1 * 0.5 / (0.5 + 1e-8), -2 + 0.1 * 1 / (1 + 1e-8)) ≈ (0.900000002, -1.900000001)
            g[0] = 0.5;
            g[1] = -1;
            adam.Step();
            Assert.Equal(1, adam.StepCount);
            Assert.Equal(1 - (0.1 * 0.5 / (0.5 + 1e-8)), w[0], Tolerance);
            Assert.Equal(-2 + (0.1 * 1 / (1 + 1e-8)), w[1], Tolerance);

            // Step 2, g = (0.3, 2):
            //   m = 0.9 (0.05, -0.1) + 0.1 (0.3, 2) = (0.075, 0.11)
            //   v = 0.999 (0.00025, 0.001) + 0.001 (0.09, 4) = (0.00033975, 0.004999)
            //   bias corrections 1 - 0.9^2 = 0.19 and 1 - 0.999^2 = 0.001999
            //   m̂ = (0.394736842..., 0.578947368...); v̂ = (0.169959979..., 2.500750375...)
            //   sqrt(v̂) = (0.412262028..., 1.581376101...)
            //   w ≈ (0.900000002 - 0.095748015, -1.900000001 - 0.036610352) = (0.804250987, -1.936610353)
            double w1x = w[0];
            double w1y = w[1];
            g[0] = 0.3;
            g[1] = 2;
            adam.Step();
            Assert.Equal(w1x - (0.1 * (0.075 / 0.19) / (Math.Sqrt(0.00033975 / 0.001999) + 1e-8)), w[0], Tolerance);
            Assert.Equal(w1y - (0.1 * (0.11 / 0.19) / (Math.Sqrt(0.004999 / 0.001999) + 1e-8)), w[1], Tolerance);
            Assert.Equal(0.8042509867088761, w[0], 1e-12);
            Assert.Equal(-1.9366103534720749, w[1], 1e-12);

            // Step 3, g = (-0.4, 1):
            //   m = 0.9 (0.075, 0.11) + 0.1 (-0.4, 1) = (0.0275, 0.199)
            //   v = 0.999 (0.00033975, 0.004999) + 0.001 (0.16, 1) = (0.00049941025, 0.005994001)
            //   bias corrections 1 - 0.9^3 = 0.271 and 1 - 0.999^3 = 0.002997001
            //   w ≈ (0.804250987 - 0.024858683, -1.936610353 - 0.051924081) = (0.779392304, -1.988534435)
            double w2x = w[0];
            double w2y = w[1];
            g[0] = -0.4;
            g[1] = 1;
            adam.Step();
            Assert.Equal(3, adam.StepCount);
            Assert.Equal(w2x - (0.1 * (0.0275 / 0.271) / (Math.Sqrt(0.00049941025 / 0.002997001) + 1e-8)), w[0], Tolerance);
            Assert.Equal(w2y - (0.1 * (0.199 / 0.271) / (Math.Sqrt(0.005994001 / 0.002997001) + 1e-8)), w[1], Tolerance);
            Assert.Equal(0.7793923040411518, w[0], 1e-12);
            Assert.Equal(-1.9885344347263352, w[1], 1e-12);
        }

        [Fact]
        public void WeightDecayIsAddedToTheGradientWithCustomBetas()
        {
            // beta1 = 0.3 makes the lerp weight 1 - beta1 = 0.7, exercising PyTorch's large-weight lerp formula.
            var w = new[] { 1.0, -2.0 };
            var g = new double[2];
            var adam = new Adam(w, g, learningRate: 0.1, beta1: 0.3, beta2: 0.8, epsilon: 1e-8, weightDecay: 0.1);

            // Step 1, raw g = (0.5, -1): g + 0.1 w = (0.6, -1.2)
            //   m = 0.7 (0.6, -1.2) = (0.42, -0.84); v = 0.2 (0.36, 1.44) = (0.072, 0.288)
            //   m̂ = (0.6, -1.2); sqrt(v̂) = (0.6, 1.2)
            //   w = (1 - 0.1 * 0.6 / (0.6 + 1e-8), -2 + 0.1 * 1.2 / (1.2 + 1e-8)) ≈ (0.9000000017, -1.9000000008)
            g[0] = 0.5;
            g[1] = -1;
            adam.Step();
            double w1x = 1 - (0.1 * 0.6 / (0.6 + 1e-8));
            double w1y = -2 + (0.1 * 1.2 / (1.2 + 1e-8));
            Assert.Equal(w1x, w[0], Tolerance);
            Assert.Equal(w1y, w[1], Tolerance);

            // Step 2, raw g = (0.3, 2): g + 0.1 w ≈ (0.39000000017, 1.80999999992)
            //   m = 0.3 m + 0.7 g ≈ (0.399000000117, 1.014999999942)
            //   v = 0.8 v + 0.2 g^2 ≈ (0.088020000026, 0.885619999940)
            //   bias corrections 1 - 0.3^2 = 0.91 and 1 - 0.8^2 = 0.36
            //   w ≈ (0.9000000017 - 0.088673135, -1.9000000008 - 0.071113522) = (0.811326867, -1.971113523)
            g[0] = 0.3;
            g[1] = 2;
            adam.Step();
            double gx = 0.3 + (0.1 * w1x);
            double gy = 2 + (0.1 * w1y);
            double mx = (0.3 * 0.42) + (0.7 * gx);
            double my = (0.3 * -0.84) + (0.7 * gy);
            double vx = (0.8 * 0.072) + (0.2 * gx * gx);
            double vy = (0.8 * 0.288) + (0.2 * gy * gy);
            Assert.Equal(w1x - (0.1 * (mx / 0.91) / (Math.Sqrt(vx / 0.36) + 1e-8)), w[0], Tolerance);
            Assert.Equal(w1y - (0.1 * (my / 0.91) / (Math.Sqrt(vy / 0.36) + 1e-8)), w[1], Tolerance);
            Assert.Equal(0.8113268666896271, w[0], 1e-12);
            Assert.Equal(-1.9711135230724142, w[1], 1e-12);
        }

        [Fact]
        public void EpsilonIsAddedAfterTheSquareRoot()
        {
            // With a large eps the first step is lr * g / (|g| + eps): 1 * 1 / (1 + 1) = 0.5,
            // where adding eps inside the root would give 1 / sqrt(2).
            var w = new[] { 0.0 };
            var g = new[] { 1.0 };
            var adam = new Adam(w, g, learningRate: 1, epsilon: 1);

            adam.Step();

            Assert.Equal(-0.5, w[0], Tolerance);
        }

        [Fact]
        public void MinimisesAShiftedParabola()
        {
            // f(w) = (w - 3)^2, f'(w) = 2 (w - 3), starting from w = 0.
            var w = new[] { 0.0 };
            var g = new double[1];
            var adam = new Adam(w, g, learningRate: 0.05);
            for (int i = 0; i < 3000; i++)
            {
                adam.ZeroGrad();
                g[0] = 2 * (w[0] - 3);
                adam.Step();
            }

            Assert.Equal(3000, adam.StepCount);
            Assert.Equal(3.0, w[0], 1e-6);
        }

        [Fact]
        public void ResetClearsTheMomentsAndTheStepCount()
        {
            var w = new[] { 1.0 };
            var g = new[] { 4.0 };
            var adam = new Adam(w, g, learningRate: 0.1);
            adam.Step();
            adam.Step();
            Assert.Equal(2, adam.StepCount);

            adam.Reset();
            Assert.Equal(0, adam.StepCount);

            // A fresh first step moves by lr * g / (|g| + eps), whatever came before.
            double before = w[0];
            g[0] = -2;
            adam.Step();
            Assert.Equal(1, adam.StepCount);
            Assert.Equal(before + (0.1 * 2 / (2 + 1e-8)), w[0], Tolerance);
        }

        [Fact]
        public void ZeroGradClearsTheGradientBufferAndLeavesParametersAlone()
        {
            var w = new[] { 1.0, -2.0 };
            var g = new[] { 4.0, -5.0 };
            var adam = new Adam(w, g);

            adam.ZeroGrad();

            Assert.Equal(new[] { 0.0, 0.0 }, g);
            Assert.Equal(new[] { 1.0, -2.0 }, w);
            Assert.Equal(0, adam.StepCount);
        }

        [Fact]
        public void SettingsAreExposedWithPyTorchDefaults()
        {
            var adam = new Adam(new double[1], new double[1]);

            Assert.Equal(1e-3, adam.LearningRate);
            Assert.Equal(0.9, adam.Beta1);
            Assert.Equal(0.999, adam.Beta2);
            Assert.Equal(1e-8, adam.Epsilon);
            Assert.Equal(0.0, adam.WeightDecay);
            Assert.Equal(0, adam.StepCount);

            var custom = new Adam(new double[1], new double[1], 0.01, 0.5, 0.75, 1e-6, 0.2);
            Assert.Equal(0.01, custom.LearningRate);
            Assert.Equal(0.5, custom.Beta1);
            Assert.Equal(0.75, custom.Beta2);
            Assert.Equal(1e-6, custom.Epsilon);
            Assert.Equal(0.2, custom.WeightDecay);
        }

        [Fact]
        public void StepAndZeroGradDoNotAllocate()
        {
            var w = new double[64];
            var g = new double[64];
            var adam = new Adam(w, g, weightDecay: 1e-4);
            for (int i = 0; i < 100; i++)
            {
                RunOnce(adam, w, g);
            }

            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                RunOnce(adam, w, g);
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(0, allocated);
            Assert.Equal(1100, adam.StepCount);
        }

        private static void RunOnce(Adam adam, double[] w, double[] g)
        {
            for (int j = 0; j < w.Length; j++)
            {
                g[j] = w[j] - j;
            }

            adam.Step();
            adam.ZeroGrad();
        }
    }
}

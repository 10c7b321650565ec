using System;
using SymDiff.EndToEnd.Tests.Functions;
using Xunit;

namespace SymDiff.EndToEnd.Tests
{
    /// <summary>
    /// Fits y = 2x + 5 with <see cref="Sgd"/>. The differentiable method sees one point per call; the loops over
    /// epochs and points are ordinary C# in the test, as a PyTorch training loop would be.
    /// </summary>
    public sealed class TrainingTests
    {
        private const double TrueSlope = 2.0;
        private const double TrueIntercept = 5.0;

        /// <summary>20 fixed points on the line, x from -1 to 1.</summary>
        private static (double X, double Y)[] Data()
        {
            var data = new (double X, double Y)[20];
            for (int i = 0; i < data.Length; i++)
            {
                double x = -1.0 + (2.0 * i / (data.Length - 1));
                data[i] = (x, (TrueSlope * x) + TrueIntercept);
            }

            return data;
        }

        private static double MeanLoss(double[] parameters, (double X, double Y)[] data)
        {
            double sum = 0;
            foreach (var (x, y) in data)
            {
                sum += Line.SquaredError(parameters[0], parameters[1], x, y);
            }

            return sum / data.Length;
        }

        [Fact]
        public void Full_batch_sgd_accumulates_per_point_gradients_and_converges()
        {
            (double X, double Y)[] data = Data();
            double[] parameters = { 0.0, 0.0 }; // w, b
            double[] gradients = new double[2];
            var optimizer = new Sgd(parameters, gradients, learningRate: 0.1, momentum: 0.9);
            double initialLoss = MeanLoss(parameters, data);

            for (int epoch = 0; epoch < 300; epoch++)
            {
                optimizer.ZeroGrad();
                foreach (var (x, y) in data)
                {
                    // seed = 1/N: Backward accumulates, so the buffer ends up holding the mean gradient.
                    Line.SquaredErrorBackward(parameters[0], parameters[1], x, y, 1.0 / data.Length, ref gradients[0], ref gradients[1]);
                }

                optimizer.Step();
            }

            Assert.True(MeanLoss(parameters, data) < initialLoss * 1e-12, $"loss {MeanLoss(parameters, data)} from {initialLoss}");
            Assert.Equal(TrueSlope, parameters[0], 1e-6);
            Assert.Equal(TrueIntercept, parameters[1], 1e-6);
        }

        [Fact]
        public void Per_point_sgd_converges()
        {
            (double X, double Y)[] data = Data();
            double[] parameters = { 0.0, 0.0 };
            double[] gradients = new double[2];
            var optimizer = new Sgd(parameters, gradients, learningRate: 0.05);

            for (int epoch = 0; epoch < 200; epoch++)
            {
                foreach (var (x, y) in data)
                {
                    Line.SquaredErrorGradient(parameters[0], parameters[1], x, y, out gradients[0], out gradients[1]);
                    optimizer.Step();
                }
            }

            Assert.Equal(TrueSlope, parameters[0], 1e-6);
            Assert.Equal(TrueIntercept, parameters[1], 1e-6);
        }

        [Fact]
        public void Forgetting_zero_grad_does_not_converge_to_the_solution()
        {
            // The classic PyTorch bug, reproduced: without ZeroGrad the buffer holds the sum of all past gradients.
            (double X, double Y)[] data = Data();
            double[] parameters = { 0.0, 0.0 };
            double[] gradients = new double[2];
            var optimizer = new Sgd(parameters, gradients, learningRate: 0.1);

#pragma warning disable SD2001 // the missing reset is what this test reproduces
            for (int epoch = 0; epoch < 300; epoch++)
            {
                foreach (var (x, y) in data)
                {
                    Line.SquaredErrorBackward(parameters[0], parameters[1], x, y, 1.0 / data.Length, ref gradients[0], ref gradients[1]);
                }

                optimizer.Step();
            }
#pragma warning restore SD2001

            bool converged = Math.Abs(parameters[0] - TrueSlope) < 1e-3 && Math.Abs(parameters[1] - TrueIntercept) < 1e-3;
            Assert.False(converged, $"w = {parameters[0]}, b = {parameters[1]}");
        }
    }
}

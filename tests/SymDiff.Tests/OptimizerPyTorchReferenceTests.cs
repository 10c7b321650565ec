using System;
using Xunit;

namespace SymDiff.Tests
{
    /// <summary>
    /// 1000 steps on Rosenbrock's function from (-1.2, 1), compared with weights that PyTorch computed in
    /// float64; Reference/pytorch_reference.py produces them. On Linux x64 the weights agree to the last bit;
    /// the tolerance leaves room for a C runtime whose <c>pow</c> rounds differently.
    /// </summary>
    public class OptimizerPyTorchReferenceTests
    {
        private const double Tolerance = 1e-12;

        // Same operation order as rosenbrock_grad in pytorch_reference.py.
        private static void RosenbrockGradient(double[] w, double[] g)
        {
            double x = w[0];
            double y = w[1];
            g[0] = (-2.0 * (1.0 - x)) - (400.0 * x * (y - (x * x)));
            g[1] = 200.0 * (y - (x * x));
        }

        private static double[] Run(Func<double[], double[], Action> makeStep)
        {
            var w = new[] { -1.2, 1.0 };
            var g = new double[2];
            Action step = makeStep(w, g);
            for (int i = 0; i < 1000; i++)
            {
                RosenbrockGradient(w, g);
                step();
            }

            return w;
        }

        [Fact]
        public void AdamDefaultsMatchPyTorch()
        {
            double[] w = Run((parameters, gradients) => new Adam(parameters, gradients, learningRate: 0.01).Step);

            Assert.Equal(-0.12021127799811612, w[0], Tolerance);
            Assert.Equal(0.015458278546678108, w[1], Tolerance);
        }

        [Fact]
        public void AdamWithWeightDecayAndCustomBetasMatchesPyTorch()
        {
            double[] w = Run((parameters, gradients) => new Adam(parameters, gradients, learningRate: 0.02, beta1: 0.8, beta2: 0.99, epsilon: 1e-6, weightDecay: 0.1).Step);

            Assert.Equal(0.88547378148465, w[0], Tolerance);
            Assert.Equal(0.7836638784833111, w[1], Tolerance);
        }

        [Fact]
        public void SgdWithMomentumDampeningAndWeightDecayMatchesPyTorch()
        {
            double[] w = Run((parameters, gradients) => new Sgd(parameters, gradients, learningRate: 1e-4, momentum: 0.9, dampening: 0.1, weightDecay: 0.01).Step);

            Assert.Equal(0.24836172974022033, w[0], Tolerance);
            Assert.Equal(0.058597520594337676, w[1], Tolerance);
        }

        [Fact]
        public void SgdWithNesterovMomentumMatchesPyTorch()
        {
            double[] w = Run((parameters, gradients) => new Sgd(parameters, gradients, learningRate: 1e-4, momentum: 0.9, nesterov: true).Step);

            Assert.Equal(0.3349994118859012, w[0], Tolerance);
            Assert.Equal(0.10909134373630691, w[1], Tolerance);
        }
    }
}

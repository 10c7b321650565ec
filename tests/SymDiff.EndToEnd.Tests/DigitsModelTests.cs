using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Digits;
using Xunit;

namespace SymDiff.EndToEnd.Tests
{
    /// <summary>
    /// The model of <c>samples/Digits</c> (its <c>Model.cs</c> is compiled into this project): the generated
    /// <c>LossGradient</c> of the perceptron's cross-entropy against central finite differences and against
    /// backpropagation derived by hand, at small sizes (5 inputs, 4 hidden units, 3 images: 74 parameters).
    /// </summary>
    public sealed class DigitsModelTests
    {
        private const int Inputs = 5, Hidden = 4, Batch = 3;

        [Fact]
        public void Gradient_matches_central_finite_differences()
        {
            (double[] p, double[] images, double[] targets) = Problem(seed: 1);
            var gradient = new double[p.Length];
            double loss = Model.LossGradient(p, images, targets, Inputs, Hidden, gradient);

            Assert.Equal(Model.Loss(p, images, targets, Inputs, Hidden), loss);   // bit for bit
            const double h = 1e-5;
            double worst = 0, scale = 0;
            for (int i = 0; i < p.Length; i++)
            {
                double saved = p[i];
                p[i] = saved + h;
                double up = Model.Loss(p, images, targets, Inputs, Hidden);
                p[i] = saved - h;
                double down = Model.Loss(p, images, targets, Inputs, Hidden);
                p[i] = saved;
                double fd = (up - down) / (2 * h);
                worst = Math.Max(worst, Math.Abs(gradient[i] - fd));
                scale = Math.Max(scale, Math.Abs(fd));
            }

            Assert.True(scale > 0.01, $"the problem is degenerate: largest gradient element {scale}");
            Assert.True(worst <= 1e-8 * Math.Max(1, scale), $"generated vs finite differences: worst absolute difference {worst:G3}");
        }

        [Fact]
        public void Gradient_is_backpropagation_derived_by_hand()
        {
            (double[] p, double[] images, double[] targets) = Problem(seed: 2);
            var gradient = new double[p.Length];
            double loss = Model.LossGradient(p, images, targets, Inputs, Hidden, gradient);

            (double expectedLoss, double[] expected) = Backpropagation(p, images, targets);
            Assert.Equal(expectedLoss, loss, 1e-12);
            for (int i = 0; i < p.Length; i++)
            {
                Assert.True(Math.Abs(expected[i] - gradient[i]) <= 1e-12, $"dP[{i}]: expected {expected[i]:R}, generated {gradient[i]:R}");
            }
        }

        [Fact]
        public void Large_logits_neither_overflow_nor_lose_the_gradient()
        {
            // W1, b1, W2 = 0 and b2 = (1000, 0, ..., 0): logit 0 is 1000, the others 0. For an image of class 1 the
            // loss is log(e^1000 + 9) - 0 = 1000 + log(1 + 9 e^-1000) = 1000 in doubles (a naive exp(1000) is
            // infinite), and dL/db2 = softmax - y = (1, -1, 0, ..., 0) to within e^-1000.
            int n = Model.ParameterCount(Inputs, Hidden);
            var p = new double[n];
            p[n - Model.Classes] = 1000;
            double[] images = { 0.1, 0.2, 0.3, 0.4, 0.5 };
            var targets = new double[Model.Classes];
            targets[1] = 1;
            var gradient = new double[n];

            double loss = Model.LossGradient(p, images, targets, Inputs, Hidden, gradient);

            Assert.Equal(1000.0, loss);
            Assert.Equal(1.0, gradient[n - Model.Classes]);
            Assert.Equal(-1.0, gradient[n - Model.Classes + 1]);
            for (int i = 0; i < n - Model.Classes; i++)
            {
                Assert.Equal(0.0, gradient[i]);   // W2 = 0 stops every path into W1, b1; h = tanh(0) = 0 zeroes dW2
            }
        }

        [Fact]
        public void Predict_takes_the_largest_logit()
        {
            int n = Model.ParameterCount(Inputs, Hidden);
            var p = new double[n];
            p[n - Model.Classes + 7] = 0.5;   // b2[7]
            Assert.Equal(7, Model.Predict(p, new double[Inputs], Inputs, Hidden, 0));
        }

        [Fact]
        public void Training_on_the_digits_reaches_95_percent_test_accuracy()
        {
            // The sample's recipe, shortened to 8 epochs: the real data, stratified 80/20, 64-32-10, Adam(0.01), batches of 32.
            const int inputs = DigitSet.Pixels, hidden = 32, batchSize = 32;
            string root = typeof(DigitsModelTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;
            DigitSet all = DigitSet.Load(Path.Combine(root, "samples", "Digits", "data", "digits.csv.gz"));
            Assert.Equal(1797, all.Count);
            var random = new Random(20261202);
            (DigitSet train, DigitSet test) = all.StratifiedSplit(0.8, random);

            var p = new double[Model.ParameterCount(inputs, hidden)];
            var g = new double[p.Length];
            for (int i = 0; i < p.Length; i++)
            {
                p[i] = ((2 * random.NextDouble()) - 1) / Math.Sqrt(i < (hidden * inputs) + hidden ? inputs : hidden);
            }

            var adam = new Adam(p, g, learningRate: 0.01);
            var images = new double[batchSize * inputs];
            var targets = new double[batchSize * Model.Classes];
            int[] order = Enumerable.Range(0, train.Count).ToArray();
            double firstLoss = double.NaN, lastLoss = double.NaN;
            for (int epoch = 0; epoch < 8; epoch++)
            {
                random.Shuffle(order);
                for (int start = 0; start < order.Length; start += batchSize)
                {
                    int size = Math.Min(batchSize, order.Length - start);
                    train.CopyBatch(order.AsSpan(start, size), images, targets);
                    lastLoss = Model.LossGradient(p, images.AsSpan(0, size * inputs), targets.AsSpan(0, size * Model.Classes), inputs, hidden, g);
                    firstLoss = double.IsNaN(firstLoss) ? lastLoss : firstLoss;
                    adam.Step();
                }
            }

            int right = Enumerable.Range(0, test.Count).Count(s => Model.Predict(p, test.Images, inputs, hidden, s) == test.Labels[s]);
            Assert.True(firstLoss > 2.0, $"first mini-batch loss {firstLoss}: ten classes at random give about ln 10 = 2.3");
            Assert.True(lastLoss < 0.5, $"last mini-batch loss {lastLoss}");
            Assert.True(right >= 0.95 * test.Count, $"test accuracy {right} of {test.Count}");
        }

        /// <summary>Parameters of order 0.5 (so the tanh units are neither linear nor saturated), pixels in [0, 1] as
        /// the sample scales them, and one-hot targets of classes 0, 4 and 9.</summary>
        private static (double[] P, double[] Images, double[] Targets) Problem(int seed)
        {
            var random = new Random(seed);
            var p = new double[Model.ParameterCount(Inputs, Hidden)];
            for (int i = 0; i < p.Length; i++)
            {
                p[i] = random.NextDouble() - 0.5;
            }

            var images = new double[Batch * Inputs];
            for (int i = 0; i < images.Length; i++)
            {
                images[i] = random.NextDouble();
            }

            var targets = new double[Batch * Model.Classes];
            int[] classes = { 0, 4, 9 };
            for (int s = 0; s < Batch; s++)
            {
                targets[(s * Model.Classes) + classes[s]] = 1;
            }

            return (p, images, targets);
        }

        /// <summary>Textbook backpropagation for the layout of Model.cs: with a = W1 x + b1, h = tanh(a),
        /// z = W2 h + b2 and L = mean_s (logsumexp(z) - y.z): dL/dz = (softmax(z) - y) / B, dW2 = dz h^T, db2 = dz,
        /// dh = W2^T dz, da = dh (1 - h^2), dW1 = da x^T, db1 = da.</summary>
        private static (double Loss, double[] Gradient) Backpropagation(double[] p, double[] images, double[] targets)
        {
            const int C = Model.Classes;
            int b1 = Hidden * Inputs, w2 = b1 + Hidden, b2 = w2 + (C * Hidden);
            var g = new double[p.Length];
            double loss = 0;
            for (int s = 0; s < Batch; s++)
            {
                var h = new double[Hidden];
                for (int j = 0; j < Hidden; j++)
                {
                    double a = p[b1 + j];
                    for (int k = 0; k < Inputs; k++)
                    {
                        a += p[(j * Inputs) + k] * images[(s * Inputs) + k];
                    }

                    h[j] = Math.Tanh(a);
                }

                var z = new double[C];
                double sumExp = 0;
                for (int c = 0; c < C; c++)
                {
                    z[c] = p[b2 + c];
                    for (int j = 0; j < Hidden; j++)
                    {
                        z[c] += p[w2 + (c * Hidden) + j] * h[j];
                    }

                    sumExp += Math.Exp(z[c]);   // the logits here are small: no shift needed
                }

                var dz = new double[C];
                for (int c = 0; c < C; c++)
                {
                    double y = targets[(s * C) + c];
                    loss += y * (Math.Log(sumExp) - z[c]);
                    dz[c] = ((Math.Exp(z[c]) / sumExp) - y) / Batch;
                    g[b2 + c] += dz[c];
                    for (int j = 0; j < Hidden; j++)
                    {
                        g[w2 + (c * Hidden) + j] += dz[c] * h[j];
                    }
                }

                for (int j = 0; j < Hidden; j++)
                {
                    double dh = 0;
                    for (int c = 0; c < C; c++)
                    {
                        dh += p[w2 + (c * Hidden) + j] * dz[c];
                    }

                    double da = dh * (1 - (h[j] * h[j]));
                    g[b1 + j] += da;
                    for (int k = 0; k < Inputs; k++)
                    {
                        g[(j * Inputs) + k] += da * images[(s * Inputs) + k];
                    }
                }
            }

            return (loss / Batch, g);
        }
    }
}

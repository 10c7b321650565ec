using System;
using SymDiff;

namespace Digits
{
    /// <summary>
    /// A multilayer perceptron: <c>inputs</c> pixels, one tanh hidden layer of <c>hidden</c> units, 10 classes, softmax
    /// cross-entropy. All parameters live in one flat vector <c>p</c>, laid out as in PyTorch's
    /// <c>nn.Sequential(nn.Linear(inputs, hidden), nn.Tanh(), nn.Linear(hidden, 10))</c>:
    /// <code>
    /// p = [ W1 (hidden x inputs, row-major) | b1 (hidden) | W2 (10 x hidden, row-major) | b2 (10) ]
    /// </code>
    /// </summary>
    public static partial class Model
    {
        /// <summary>The number of classes (the digits 0 to 9).</summary>
        public const int Classes = 10;

        /// <summary>The length of the parameter vector for <paramref name="inputs"/> inputs and
        /// <paramref name="hidden"/> hidden units.</summary>
        public static int ParameterCount(int inputs, int hidden) => (hidden * inputs) + hidden + (Classes * hidden) + Classes;

        /// <summary>The mean softmax cross-entropy over a mini-batch (PyTorch's <c>nn.CrossEntropyLoss()</c>) against
        /// one-hot <paramref name="targets"/> (10 per image).</summary>
        [Differentiable]
        public static double Loss(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> images, [NoGrad] ReadOnlySpan<double> targets, int inputs, int hidden)
        {
            int b1 = hidden * inputs;
            int w2 = b1 + hidden;
            int b2 = w2 + (Classes * hidden);
            int batch = targets.Length / Classes;
            // One sample's layers, filled again for each sample.
            Span<double> h = stackalloc double[hidden];
            Span<double> z = stackalloc double[Classes];
            double loss = 0;
            for (int s = 0; s < batch; s++)
            {

                // Hidden layer: h = tanh(W1 x + b1).
                for (int j = 0; j < hidden; j++)
                {
                    double a = p[b1 + j];
                    for (int k = 0; k < inputs; k++)
                    {
                        a += p[(j * inputs) + k] * images[(s * inputs) + k];
                    }

                    h[j] = Math.Tanh(a);
                }

                // Logits: z = W2 h + b2, and the largest of them.
                double m = double.NegativeInfinity;
                for (int c = 0; c < Classes; c++)
                {
                    double a = p[b2 + c];
                    for (int j = 0; j < hidden; j++)
                    {
                        a += p[w2 + (c * hidden) + j] * h[j];
                    }

                    z[c] = a;
                    m = Math.Max(m, a);
                }

                // Cross-entropy: log sum_c exp(z_c) - sum_c y_c z_c, the log-sum-exp shifted by the largest logit.
                double sumExp = 0, targetLogit = 0;
                for (int c = 0; c < Classes; c++)
                {
                    sumExp += Math.Exp(z[c] - m);
                    targetLogit += targets[(s * Classes) + c] * z[c];
                }

                loss += m + Math.Log(sumExp) - targetLogit;
            }

            return loss / batch;
        }

        /// <summary>The activation of hidden unit <paramref name="j"/> for image <paramref name="s"/> (plain C#, for
        /// prediction).</summary>
        public static double Hidden(ReadOnlySpan<double> p, ReadOnlySpan<double> images, int inputs, int hidden, int s, int j)
        {
            double z = p[(hidden * inputs) + j];
            for (int k = 0; k < inputs; k++)
            {
                z += p[(j * inputs) + k] * images[(s * inputs) + k];
            }

            return Math.Tanh(z);
        }

        /// <summary>The ten logits of image <paramref name="s"/> (plain C#, for prediction).</summary>
        public static void Logits(ReadOnlySpan<double> p, ReadOnlySpan<double> images, int inputs, int hidden, int s, Span<double> logits)
        {
            int w2 = (hidden * inputs) + hidden;
            int b2 = w2 + (Classes * hidden);
            for (int c = 0; c < Classes; c++)
            {
                logits[c] = p[b2 + c];
            }

            for (int j = 0; j < hidden; j++)
            {
                double h = Hidden(p, images, inputs, hidden, s, j);
                for (int c = 0; c < Classes; c++)
                {
                    logits[c] += p[w2 + (c * hidden) + j] * h;
                }
            }
        }

        /// <summary>The predicted class of image <paramref name="s"/>: the largest logit.</summary>
        public static int Predict(ReadOnlySpan<double> p, ReadOnlySpan<double> images, int inputs, int hidden, int s)
        {
            Span<double> logits = stackalloc double[Classes];
            Logits(p, images, inputs, hidden, s, logits);
            int best = 0;
            for (int c = 1; c < Classes; c++)
            {
                if (logits[c] > logits[best])
                {
                    best = c;
                }
            }

            return best;
        }
    }
}

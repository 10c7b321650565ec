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
    /// The loss is ordinary C#: loops over the batch, the hidden units and the pixels. SymDiff generates
    /// <c>LossGradient</c> and <c>LossBackward</c> (and <c>HiddenGradient</c>, <c>HiddenBackward</c>, which the loss's
    /// gradient calls).
    /// </summary>
    /// <remarks>
    /// Without local buffers (not supported yet: <c>Span&lt;double&gt; h = stackalloc double[hidden]</c> is SD1000 today)
    /// the hidden layer is never stored: <see cref="Hidden"/> returns one unit's activation, and the loss adds each
    /// unit's contribution to the ten logits, kept in ten locals, as soon as it is computed. Every hidden unit is still
    /// computed once per image. <c>Model.LocalBuffers.cs.txt</c> holds the same model written with a hidden-layer
    /// buffer, for when local buffers are supported.
    /// </remarks>
    public static partial class Model
    {
        /// <summary>The number of classes (the digits 0 to 9).</summary>
        public const int Classes = 10;

        /// <summary>The length of the parameter vector for <paramref name="inputs"/> inputs and
        /// <paramref name="hidden"/> hidden units.</summary>
        public static int ParameterCount(int inputs, int hidden) => (hidden * inputs) + hidden + (Classes * hidden) + Classes;

        /// <summary>
        /// The activation of hidden unit <paramref name="j"/> for image <paramref name="s"/>:
        /// <c>tanh(b1[j] + sum_k W1[j, k] * x[s, k])</c>. <paramref name="images"/> holds the images one after the
        /// other, <paramref name="inputs"/> values each.
        /// </summary>
        [Differentiable]
        public static double Hidden(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> images, int inputs, int hidden, int s, int j)
        {
            double z = p[(hidden * inputs) + j];
            for (int k = 0; k < inputs; k++)
            {
                z += p[(j * inputs) + k] * images[(s * inputs) + k];
            }

            return Math.Tanh(z);
        }

        /// <summary>
        /// The mean softmax cross-entropy over a mini-batch (PyTorch's <c>nn.CrossEntropyLoss()</c>):
        /// <c>mean_s (log sum_c exp(z[s, c]) - sum_c y[s, c] z[s, c])</c>, with the logits
        /// <c>z[s, c] = b2[c] + sum_j W2[c, j] * Hidden(s, j)</c> and one-hot targets <paramref name="targets"/>
        /// (10 per image). The log-sum-exp subtracts the largest logit first, so no <c>exp</c> overflows.
        /// </summary>
        [Differentiable]
        public static double Loss(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> images, [NoGrad] ReadOnlySpan<double> targets, int inputs, int hidden)
        {
            int w2 = (hidden * inputs) + hidden;   // where W2 starts in p
            int b2 = w2 + (Classes * hidden);      // where b2 starts in p
            int batch = targets.Length / Classes;
            double loss = 0;
            for (int s = 0; s < batch; s++)
            {
                // The ten logits, one local each.
                double z0 = p[b2], z1 = p[b2 + 1], z2 = p[b2 + 2], z3 = p[b2 + 3], z4 = p[b2 + 4];
                double z5 = p[b2 + 5], z6 = p[b2 + 6], z7 = p[b2 + 7], z8 = p[b2 + 8], z9 = p[b2 + 9];
                for (int j = 0; j < hidden; j++)
                {
                    double h = Hidden(p, images, inputs, hidden, s, j);
                    z0 += p[w2 + j] * h;
                    z1 += p[w2 + hidden + j] * h;
                    z2 += p[w2 + (2 * hidden) + j] * h;
                    z3 += p[w2 + (3 * hidden) + j] * h;
                    z4 += p[w2 + (4 * hidden) + j] * h;
                    z5 += p[w2 + (5 * hidden) + j] * h;
                    z6 += p[w2 + (6 * hidden) + j] * h;
                    z7 += p[w2 + (7 * hidden) + j] * h;
                    z8 += p[w2 + (8 * hidden) + j] * h;
                    z9 += p[w2 + (9 * hidden) + j] * h;
                }

                // log sum_c exp(z_c), stable: m + log sum_c exp(z_c - m) with m the largest logit.
                double m = Math.Max(Math.Max(Math.Max(Math.Max(z0, z1), Math.Max(z2, z3)), Math.Max(Math.Max(z4, z5), Math.Max(z6, z7))), Math.Max(z8, z9));
                double sumExp = Math.Exp(z0 - m) + Math.Exp(z1 - m) + Math.Exp(z2 - m) + Math.Exp(z3 - m) + Math.Exp(z4 - m)
                    + Math.Exp(z5 - m) + Math.Exp(z6 - m) + Math.Exp(z7 - m) + Math.Exp(z8 - m) + Math.Exp(z9 - m);
                double logSumExp = m + Math.Log(sumExp);

                int t = s * Classes;
                double targetLogit = (targets[t] * z0) + (targets[t + 1] * z1) + (targets[t + 2] * z2) + (targets[t + 3] * z3)
                    + (targets[t + 4] * z4) + (targets[t + 5] * z5) + (targets[t + 6] * z6) + (targets[t + 7] * z7)
                    + (targets[t + 8] * z8) + (targets[t + 9] * z9);
                loss += logSumExp - targetLogit;
            }

            return loss / batch;
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

using System;
using SymDiff;

namespace SymDiff.Benchmarks
{
    /// <summary>
    /// The differentiable functions of shared/BENCHMARKS.md, written as a user would write them. SymDiff generates
    /// <c>XGradient</c>, <c>XBackward</c> and <c>XDerivative</c> for each; the benchmarks measure <c>XGradient</c>.
    /// </summary>
    public static partial class Workloads
    {
        /// <summary>W1: L(w, b) = mean_i 0.5 * (y_i - (w * x_i + b))^2.</summary>
        [Differentiable]
        public static double LinReg(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
        {
            double sum = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double r = y[i] - ((w * x[i]) + b);
                sum += 0.5 * r * r;
            }

            return sum / x.Length;
        }

        /// <summary>W2: f(x) = sum_{i=0}^{n-2} 100 * (x_{i+1} - x_i^2)^2 + (1 - x_i)^2.</summary>
        [Differentiable]
        public static double Rosenbrock(ReadOnlySpan<double> x)
        {
            double f = 0;
            for (int i = 0; i < x.Length - 1; i++)
            {
                double t = x[i + 1] - (x[i] * x[i]);
                double u = 1 - x[i];
                f += (100 * t * t) + (u * u);
            }

            return f;
        }

        /// <summary>W3: L(w) = mean_i log(1 + exp(-t_i * dot(w, X_i))), X row-major with w.Length columns.</summary>
        [Differentiable]
        public static double LogReg(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> xs, [NoGrad] ReadOnlySpan<double> t)
        {
            int d = w.Length;
            double loss = 0;
            for (int i = 0; i < t.Length; i++)
            {
                double z = 0;
                for (int j = 0; j < d; j++)
                {
                    z += w[j] * xs[(i * d) + j];
                }

                loss += Math.Log(1 + Math.Exp(-t[i] * z));
            }

            return loss / t.Length;
        }

        /// <summary>W4: y = (w + x) * (w + 1), PyTorch's autograd tutorial.</summary>
        [Differentiable]
        public static double Tiny(double w, double x) => (w + x) * (w + 1);

        /// <summary>W5: mean_k (w0 * x_k^2 + w1 * x_k + w2 - y_k)^2, the loss of the poly-adam training run.</summary>
        [Differentiable]
        public static double PolyMse(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
        {
            double sum = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double r = (w[0] * (x[i] * x[i])) + (w[1] * x[i]) + w[2] - y[i];
                sum += r * r;
            }

            return sum / x.Length;
        }
        /// <summary>W6's hidden unit <paramref name="j"/> for sample <paramref name="s"/>:
        /// <c>tanh(b1[j] + sum_k W1[j, k] x[s, k])</c>, with p = [W1 (hidden x inputs) | b1 | W2 (3 x hidden) | b2].
        /// For the setup and the call-based experiments of Proposed.cs (W6's model itself computes the layer in a local buffer).</summary>
        [Differentiable]
        public static double MlpHidden(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x, int inputs, int hidden, int s, int j)
        {
            double a = p[(hidden * inputs) + j];
            for (int k = 0; k < inputs; k++)
            {
                a += p[(j * inputs) + k] * x[(s * inputs) + k];
            }

            return Math.Tanh(a);
        }

        /// <summary>W6: mean softmax cross-entropy of a one-hidden-layer tanh perceptron with 3 classes, one-hot
        /// <paramref name="targets"/> (3 per sample), the log-sum-exp shifted by the largest logit. Written as a user
        /// writes it (as samples/Digits/Model.cs is): the hidden layer in a local buffer declared once and refilled for
        /// each sample, the three logits in locals.</summary>
        [Differentiable]
        public static double Mlp(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> targets, int inputs, int hidden)
        {
            int b1 = hidden * inputs;
            int w2 = b1 + hidden;
            int b2 = w2 + (3 * hidden);
            int batch = targets.Length / 3;
            Span<double> h = stackalloc double[hidden];
            double loss = 0;
            for (int s = 0; s < batch; s++)
            {
                for (int j = 0; j < hidden; j++)
                {
                    double a = p[b1 + j];
                    for (int k = 0; k < inputs; k++)
                    {
                        a += p[(j * inputs) + k] * x[(s * inputs) + k];
                    }

                    h[j] = Math.Tanh(a);
                }

                double z0 = p[b2], z1 = p[b2 + 1], z2 = p[b2 + 2];
                for (int j = 0; j < hidden; j++)
                {
                    z0 += p[w2 + j] * h[j];
                    z1 += p[w2 + hidden + j] * h[j];
                    z2 += p[w2 + (2 * hidden) + j] * h[j];
                }

                double m = Math.Max(Math.Max(z0, z1), z2);
                double logSumExp = m + Math.Log(Math.Exp(z0 - m) + Math.Exp(z1 - m) + Math.Exp(z2 - m));
                int t = 3 * s;
                loss += logSumExp - ((targets[t] * z0) + (targets[t + 1] * z1) + (targets[t + 2] * z2));
            }

            return loss / batch;
        }
    }
}

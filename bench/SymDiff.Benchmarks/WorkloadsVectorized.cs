using System;

namespace SymDiff.Benchmarks
{
    /// <summary>
    /// The workloads that vectorise, as <c>[Differentiable(Vectorize = true)]</c> copies of <see cref="Workloads"/> (issue 12
    /// item 6).
    /// </summary>
    public static partial class WorkloadsVectorized
    {
        /// <summary>W1 with SIMD lanes: three sums of four accumulators each.</summary>
        [Differentiable(Vectorize = true)]
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

        /// <summary>
        /// W2 with SIMD lanes: the fused pass reuses x[i + 1] as the next x[i] and carries the adjoint of x[i + 1] to the
        /// next iteration; in lanes both are the vector of the next values rotated by one lane.
        /// </summary>
        [Differentiable(Vectorize = true)]
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

        /// <summary>W5 with SIMD lanes: the gradient's constant-index elements dW[0..2] are sums over the points (four accumulators each).</summary>
        [Differentiable(Vectorize = true)]
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

        /// <summary>W3 with SIMD lanes: the dot product and the gradient update over the d features; the samples stay scalar.</summary>
        [Differentiable(Vectorize = true)]
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

        /// <summary>
        /// W6 with SIMD lanes where its loops allow: the output layer's three sums over the hidden units and the reverse
        /// loop adding into W2's gradient (three offsets) and the hidden adjoints. The hidden layer stays scalar (SD1023 is
        /// silent there: a loop that contains a loop is not a candidate; its inner loop over the 4 inputs runs one vector),
        /// and so does the tanh derivative's loop (a while loop inside, over the inputs).
        /// </summary>
        [Differentiable(Vectorize = true)]
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

using System;

namespace SymDiff.Benchmarks
{
    /// <summary>
    /// The workloads that vectorise, as <c>[Differentiable(Vectorize = true)]</c> copies of <see cref="Workloads"/> (issue 12
    /// item 6). W6 is not copied (its loops hold a local buffer and tanh, which have no lanes).
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
    }
}

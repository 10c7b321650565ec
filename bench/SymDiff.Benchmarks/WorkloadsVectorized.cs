using System;

namespace SymDiff.Benchmarks
{
    /// <summary>
    /// The workloads that vectorise, as <c>[Differentiable(Vectorize = true)]</c> copies of <see cref="Workloads"/> (issue 12
    /// item 6). W2 stays scalar in this slice (SD1023: its fused pass carries the adjoint of x[i + 1]), and W5/W6 are not
    /// copied.
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

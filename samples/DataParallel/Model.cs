using System;
using SymDiff;

namespace DataParallelSample
{
    /// <summary>The model of workload W3 (shared/BENCHMARKS.md): logistic regression with d = 16 features.</summary>
    public static partial class Model
    {
        /// <summary>The number of features (and of weights).</summary>
        public const int Features = 16;

        /// <summary>
        /// The summed loss <c>sum_i log(1 + exp(-t_i * dot(w, X_i)))</c> over the rows given; X is row-major with
        /// <c>w.Length</c> columns. W3's mean is this sum times 1/N: the shards pass the seed 1/N to the generated
        /// <c>LossSumBackward</c>, so that their gradients add up to the gradient of the mean over the whole data set.
        /// </summary>
        [Differentiable]
        public static double LossSum(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> xs, [NoGrad] ReadOnlySpan<double> t)
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

            return loss;
        }
    }
}

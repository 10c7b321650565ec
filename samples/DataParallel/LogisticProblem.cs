using System;
using System.Threading.Tasks;
using SymDiff;

namespace DataParallelSample
{
    /// <summary>W3's data, extended to any number of rows: <c>X_ij = sin(0.37 i + 1.3 j)</c>, <c>t_i = (i % 3 == 0) ? -1 : 1</c>.</summary>
    public sealed class LogisticProblem
    {
        /// <summary>Generates the data for <paramref name="rows"/> rows (128 MB of X for a million rows).</summary>
        /// <param name="rows">The number of rows, at least 1.</param>
        public LogisticProblem(int rows)
        {
            if (rows < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), rows, "At least one row is needed.");
            }

            Rows = rows;
            X = new double[checked(rows * Model.Features)];
            T = new double[rows];
            Parallel.For(0, rows, i =>
            {
                T[i] = (i % 3 == 0) ? -1 : 1;
                for (int j = 0; j < Model.Features; j++)
                {
                    X[(i * Model.Features) + j] = Math.Sin((0.37 * i) + (1.3 * j));
                }
            });
        }

        /// <summary>Gets the number of rows N.</summary>
        public int Rows { get; }

        /// <summary>Gets the features, row-major, N x 16.</summary>
        public double[] X { get; }

        /// <summary>Gets the labels, -1 or 1.</summary>
        public double[] T { get; }

        /// <summary>W3's starting point, <c>w_j = 0.01 j</c>.</summary>
        /// <returns>A new weight vector.</returns>
        public static double[] InitialWeights()
        {
            var w = new double[Model.Features];
            for (int j = 0; j < w.Length; j++)
            {
                w[j] = 0.01 * j;
            }

            return w;
        }

        /// <summary>The mean loss over all rows at <paramref name="weights"/>.</summary>
        /// <param name="weights">The weights.</param>
        /// <returns>The loss.</returns>
        public double Loss(double[] weights) => Model.LossSum(weights, X, T) / Rows;

        /// <summary>Adds the gradient of the mean loss over all rows into <paramref name="gradient"/>: one generated Backward call, on one core.</summary>
        /// <param name="weights">The weights.</param>
        /// <param name="gradient">The gradient buffer.</param>
        public void Backward(double[] weights, Span<double> gradient) => Model.LossSumBackward(weights, X, T, 1.0 / Rows, gradient);

        /// <summary>
        /// The shard backward for <see cref="DataParallel"/>: the generated Backward over rows <c>[start, end)</c>, with
        /// the seed 1/N of the mean over all rows. Reads <paramref name="weights"/> when called, so one delegate serves
        /// every step of a training run.
        /// </summary>
        /// <param name="weights">The weights, updated in place by the optimizer between steps.</param>
        /// <returns>The delegate.</returns>
        public ShardBackward ShardBackward(double[] weights)
        {
            double[] x = X, t = T;
            double seed = 1.0 / Rows;
            return (start, end, gradient) => Model.LossSumBackward(
                weights,
                x.AsSpan(start * Model.Features, (end - start) * Model.Features),
                t.AsSpan(start, end - start),
                seed,
                gradient);
        }
    }
}

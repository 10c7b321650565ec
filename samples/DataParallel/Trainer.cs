using System;
using System.Diagnostics;
using System.Linq;
using SymDiff;

namespace DataParallelSample
{
    /// <summary>What a training run produced.</summary>
    /// <param name="Weights">The final weights.</param>
    /// <param name="EpochMilliseconds">The time of each epoch's gradient and optimizer step, in milliseconds.</param>
    public sealed record TrainingResult(double[] Weights, double[] EpochMilliseconds)
    {
        /// <summary>Gets the fastest epoch's time in milliseconds: on a loaded machine, the closest to a quiet one.</summary>
        public double BestMilliseconds => EpochMilliseconds.Min();

        /// <summary>Gets the median epoch time in milliseconds.</summary>
        public double MedianMilliseconds
        {
            get
            {
                var sorted = (double[])EpochMilliseconds.Clone();
                Array.Sort(sorted);
                int m = sorted.Length / 2;
                return sorted.Length % 2 == 1 ? sorted[m] : 0.5 * (sorted[m - 1] + sorted[m]);
            }
        }
    }

    /// <summary>Full-batch gradient descent on W3: one epoch is one pass over the data and one SGD step.</summary>
    public static class Trainer
    {
        /// <summary>SGD's learning rate in every mode.</summary>
        public const double LearningRate = 0.5;

        /// <summary>
        /// Trains <paramref name="weights"/> in place for <paramref name="epochs"/> epochs. Each epoch is PyTorch's
        /// <c>zero_grad(); loss.backward(); step()</c>, with <paramref name="backward"/> as the backward pass (it adds the
        /// gradient of the mean loss at the current weights into the buffer it is given), timed with a stopwatch.
        /// </summary>
        /// <param name="weights">The weights, updated in place; the backward pass reads them.</param>
        /// <param name="epochs">The number of epochs.</param>
        /// <param name="backward">Adds the gradient at <paramref name="weights"/> into the given buffer.</param>
        /// <returns>The final weights and the epoch times.</returns>
        public static TrainingResult Train(double[] weights, int epochs, Action<double[]> backward)
        {
            var gradients = new double[weights.Length];
            var optimizer = new Sgd(weights, gradients, LearningRate);
            var times = new double[epochs];
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                long start = Stopwatch.GetTimestamp();
                optimizer.ZeroGrad();              // optimizer.zero_grad()
                backward(gradients);               // loss.backward()
                optimizer.Step();                  // optimizer.step()
                times[epoch] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }

            return new TrainingResult((double[])weights.Clone(), times);
        }
    }
}

using System;
using System.Diagnostics;
using System.Linq;
using SymDiff;

namespace DataParallelSample
{
    /// <summary>What a training run produced.</summary>
    /// <param name="Weights">The final weights.</param>
    /// <param name="EpochMilliseconds">The time of each epoch's gradient and optimizer step, in milliseconds.</param>
    /// <param name="EpochCpuMilliseconds">The processor time the process used in each epoch, all threads together, in milliseconds (empty when not measured).</param>
    public sealed record TrainingResult(double[] Weights, double[] EpochMilliseconds, double[] EpochCpuMilliseconds)
    {
        /// <summary>Gets the median processor time per epoch in milliseconds, or NaN when not measured.</summary>
        public double MedianCpuMilliseconds => Median(EpochCpuMilliseconds);

        /// <summary>Gets the fastest epoch's time in milliseconds: on a loaded machine, the closest to a quiet one.</summary>
        public double BestMilliseconds => EpochMilliseconds.Min();

        /// <summary>Gets the median epoch time in milliseconds.</summary>
        public double MedianMilliseconds => Median(EpochMilliseconds);

        private static double Median(double[] values)
        {
            if (values.Length == 0)
            {
                return double.NaN;
            }

            var sorted = (double[])values.Clone();
            Array.Sort(sorted);
            int m = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[m] : 0.5 * (sorted[m - 1] + sorted[m]);
        }
    }

    /// <summary>A model's backward pass: adds the gradient of the mean loss at the current weights into <paramref name="gradients"/>.</summary>
    /// <param name="gradients">The gradient buffer; it accumulates.</param>
    public delegate void BackwardPass([Accumulates] double[] gradients);

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
        public static TrainingResult Train(double[] weights, int epochs, BackwardPass backward) =>
            TrainInterleaved(epochs, (weights, backward))[0];

        /// <summary>
        /// Trains several models side by side: epoch 1 of each, then epoch 2 of each, and so on, so that on a shared
        /// machine every mode's epochs meet the same background load. Each run is what <see cref="Train"/> does alone.
        /// </summary>
        /// <param name="epochs">The number of epochs of each run.</param>
        /// <param name="runs">The weights (updated in place) and backward pass of each run.</param>
        /// <returns>Each run's final weights and epoch times, in the order given.</returns>
        public static TrainingResult[] TrainInterleaved(int epochs, params (double[] Weights, BackwardPass Backward)[] runs)
        {
            var models = runs.Select(r => new Run(r.Weights, r.Backward, epochs)).ToArray();
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                foreach (var model in models)
                {
                    model.Epoch(epoch);
                }
            }

            return models.Select(m => m.Result()).ToArray();
        }

        /// <summary>One model's training: its weights, gradient buffer, optimizer and epoch times.</summary>
        private sealed class Run
        {
            private readonly double[] _weights;
            private readonly double[] _gradients;
            private readonly BackwardPass _backward;
            private readonly Sgd _optimizer;
            private readonly double[] _times;
            private readonly double[] _cpuTimes;

            public Run(double[] weights, BackwardPass backward, int epochs)
            {
                _weights = weights;
                _gradients = new double[weights.Length];
                _backward = backward;
                _optimizer = new Sgd(weights, _gradients, LearningRate);
                _times = new double[epochs];
                _cpuTimes = new double[epochs];
            }

            public void Epoch(int epoch)
            {
                var cpu = Environment.CpuUsage.TotalTime;
                long start = Stopwatch.GetTimestamp();
                _optimizer.ZeroGrad();             // optimizer.zero_grad()
                _backward(_gradients);             // loss.backward()
                _optimizer.Step();                 // optimizer.step()
                _times[epoch] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                _cpuTimes[epoch] = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
            }

            public TrainingResult Result() => new TrainingResult((double[])_weights.Clone(), _times, _cpuTimes);
        }
    }
}

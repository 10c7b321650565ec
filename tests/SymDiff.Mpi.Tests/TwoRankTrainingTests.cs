using System;
using System.Globalization;
using System.Linq;
using DataParallelSample;
using Xunit;

namespace SymDiff.Mpi.Tests
{
    /// <summary>
    /// The sample's mpi mode under <c>mpiexec -n 2</c> on this machine: both ranks end with the same weights, which are
    /// those of the single-process run.
    /// </summary>
    [Collection(MpiLauncher.Collection)]
    public class TwoRankTrainingTests
    {
        private const int Rows = 30_000;
        private const int Epochs = 5;
        private const int Shards = 16;

        [MpiFact]
        public void Two_ranks_end_with_the_same_weights_as_the_single_process_run()
        {
            MpiEnvironment.RequireMpi();
            var run = new MpiRun();
            MpiRun.Parse(MpiLauncher.Run(2, MpiLauncher.DotnetHost(), typeof(LogisticProblem).Assembly.Location, "--mode", "mpi", "--rows", Rows.ToString(CultureInfo.InvariantCulture), "--epochs", Epochs.ToString(CultureInfo.InvariantCulture),
                "--shards", Shards.ToString(CultureInfo.InvariantCulture), "--workers", "2"), run);
            Assert.Equal(new[] { 0, 1 }, run.RankWeights.Keys.OrderBy(r => r));
            Assert.NotNull(run.Result);
            Assert.Equal(Epochs, run.Result!.EpochMilliseconds.Length);

            // Every rank took the same steps: the same bits.
            AssertBitIdentical(run.RankWeights[0], run.RankWeights[1]);

            // The same additions in one process give the same bits: each rank's shards summed in plan order from zero
            // (rank r has part r of ShardPlan.Even(16, 2)), then local_0 + local_1 (the all-reduce of two ranks) added
            // into the zeroed gradient.
            var problem = new LogisticProblem(Rows);
            var plan = ShardPlan.Even(Rows, Shards);
            var parts = ShardPlan.Even(plan.ShardCount, 2);
            double[] emulated = LogisticProblem.InitialWeights();
            var shard = problem.ShardBackward(emulated);
            var local = new DataParallel(Model.Features, 1);
            var rank0 = new double[Model.Features];
            var rank1 = new double[Model.Features];
            Trainer.Train(emulated, Epochs, g =>
            {
                Array.Clear(rank0);
                Array.Clear(rank1);
                local.Backward(plan.Slice(parts.ShardStart(0), parts.ShardEnd(0) - parts.ShardStart(0)), shard, rank0);
                local.Backward(plan.Slice(parts.ShardStart(1), parts.ShardEnd(1) - parts.ShardStart(1)), shard, rank1);
                for (int j = 0; j < g.Length; j++)
                {
                    g[j] += rank0[j] + rank1[j];
                }
            });
            AssertBitIdentical(emulated, run.RankWeights[0]);

            // The plain single-process runs add in another order: equal to rounding. The training moved the weights,
            // so the comparison is not of two copies of the start.
            double[] threads = LogisticProblem.InitialWeights();
            var parallel = new DataParallel(Model.Features);
            var threadsShard = problem.ShardBackward(threads);
            Trainer.Train(threads, Epochs, g => parallel.Backward(plan, threadsShard, g));
            double[] oneCore = LogisticProblem.InitialWeights();
            Trainer.Train(oneCore, Epochs, g => problem.Backward(oneCore, g));
            foreach (var single in new[] { threads, oneCore })
            {
                for (int j = 0; j < Model.Features; j++)
                {
                    Assert.Equal(single[j], run.RankWeights[0][j], 1e-12);
                }
            }

            Assert.True(Math.Abs(oneCore[0] - LogisticProblem.InitialWeights()[0]) > 1e-3, "training moved the weights");
        }

        private static void AssertBitIdentical(double[] expected, double[] actual)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int j = 0; j < expected.Length; j++)
            {
                Assert.True(
                    BitConverter.DoubleToInt64Bits(expected[j]) == BitConverter.DoubleToInt64Bits(actual[j]),
                    $"weight {j}: expected {expected[j]:R}, got {actual[j]:R}");
            }
        }
    }
}

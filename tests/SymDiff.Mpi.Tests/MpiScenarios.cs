using System;
using System.Globalization;
using System.Linq;

namespace SymDiff.Mpi.Tests
{
    /// <summary>
    /// The MPI program of <see cref="CollectiveTests"/>: this test assembly run as ranks, <c>mpiexec -n 2 dotnet
    /// SymDiff.Mpi.Tests.dll</c>. Each scenario prints one line per rank, <c>rank R SCENARIO: RESULT</c>, for the test to check.
    /// </summary>
    public static class MpiScenarios
    {
        /// <summary>Runs every scenario on this rank.</summary>
        /// <returns>0.</returns>
        public static int Main()
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            using var group = MpiProcessGroup.Initialize();
            int rank = group.Rank;
            void Report(string scenario, string result) => Console.WriteLine($"rank {rank} {scenario}: {result}");

            Report("world", $"{group.WorldSize}");

            // AllReduce sums in place: rank r contributes (r + 1, 10 (r + 1)).
            double[] values = { rank + 1, 10 * (rank + 1) };
            group.AllReduce(values);
            Report("allreduce", string.Join(" ", values.Select(v => v.ToString("R"))));

            // Broadcast copies rank 0's values everywhere.
            double[] broadcast = rank == 0 ? new[] { 0.1, -2.5 } : new double[2];
            group.Broadcast(broadcast);
            Report("broadcast", string.Join(" ", broadcast.Select(v => v.ToString("R"))));

            // Each rank's part of a 10-shard plan of 100 rows.
            var ddp = new DistributedDataParallel(group, 1);
            var mine = ddp.LocalShards(ShardPlan.Even(100, 10))!;
            Report("local", $"{mine.ShardCount} shards, rows [{mine.Start}, {mine.End})");

            // The gradient of sum_i (i + 1) over 100 rows with respect to a constant: each row adds i + 1, so 5050.
            ShardBackward rows = (start, end, g) =>
            {
                for (int i = start; i < end; i++)
                {
                    g[0] += i + 1;
                }
            };
            double[] gradient = { 0.5 };
            ddp.Backward(ShardPlan.Even(100, 10), rows, gradient);
            Report("backward", gradient[0].ToString("R"));

            // A shard that throws on rank 1 only: no rank waits forever, every rank throws, no gradient changes.
            gradient[0] = 0.5;
            ShardBackward failing = (start, end, g) =>
            {
                if (rank == 1 && start == 70)
                {
                    throw new InvalidOperationException("rank 1 shard failed");
                }

                g[0] += 1;
            };
            Report("failure", Outcome(() => ddp.Backward(ShardPlan.Even(100, 10), failing, gradient)) + $", gradient {gradient[0]:R}");

            // Different plans on different ranks: every rank refuses, before any shard runs.
            var plan = ShardPlan.Even(100, rank == 0 ? 10 : 12);
            Report("plans", Outcome(() => ddp.Backward(plan, rows, gradient)) + $", gradient {gradient[0]:R}");

            // Still in step afterwards.
            group.Barrier();
            Report("done", "ok");
            return 0;
        }

        private static string Outcome(Action action)
        {
            try
            {
                action();
                return "no exception";
            }
            catch (Exception e)
            {
                string inner = e is AggregateException aggregate ? " (" + aggregate.InnerExceptions[0].Message + ")" : string.Empty;
                return e.GetType().Name + inner;
            }
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace SymDiff.Mpi.Tests
{
    /// <summary>
    /// MpiProcessGroup and DistributedDataParallel on two ranks (<see cref="MpiScenarios"/> under <c>mpiexec -n 2</c>):
    /// the collectives, the split of a plan over ranks, a failure on one rank, and ranks with different plans.
    /// </summary>
    [Collection(MpiLauncher.Collection)]
    public class CollectiveTests
    {
        private static readonly Dictionary<string, string> Lines = new Dictionary<string, string>();

        private static Dictionary<string, string> Run()
        {
            lock (Lines)
            {
                if (Lines.Count == 0)
                {
                    string output = MpiLauncher.Run(2, MpiLauncher.DotnetHost(), typeof(MpiScenarios).Assembly.Location);
                    foreach (string line in output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("rank ", System.StringComparison.Ordinal)))
                    {
                        int colon = line.IndexOf(": ", System.StringComparison.Ordinal);
                        Lines[line.Substring(0, colon)] = line.Substring(colon + 2);
                    }
                }

                return Lines;
            }
        }

        private static void AssertBothRanks(string scenario, string expected0, string expected1)
        {
            var lines = Run();
            Assert.Equal(expected0, lines.GetValueOrDefault("rank 0 " + scenario));
            Assert.Equal(expected1, lines.GetValueOrDefault("rank 1 " + scenario));
        }

        [MpiFact]
        public void AllReduce_sums_in_place_and_Broadcast_copies_from_rank_0()
        {
            MpiEnvironment.RequireMpi();
            AssertBothRanks("world", "2", "2");
            AssertBothRanks("allreduce", "3 30", "3 30");           // (1 + 2, 10 + 20)
            AssertBothRanks("broadcast", "0.1 -2.5", "0.1 -2.5");
            AssertBothRanks("done", "ok", "ok");
        }

        [MpiFact]
        public void Each_rank_computes_its_half_of_the_shards_and_every_rank_gets_the_whole_gradient()
        {
            MpiEnvironment.RequireMpi();
            AssertBothRanks("local", "5 shards, rows [0, 50)", "5 shards, rows [50, 100)");
            AssertBothRanks("backward", "5050.5", "5050.5");       // 0.5 + sum of 1..100
        }

        [MpiFact]
        public void A_shard_failing_on_one_rank_makes_every_rank_throw_without_hanging_or_changing_the_gradient()
        {
            MpiEnvironment.RequireMpi();
            AssertBothRanks("failure", "MpiException, gradient 0.5", "AggregateException (rank 1 shard failed), gradient 0.5");
        }

        [MpiFact]
        public void Ranks_with_different_plans_all_refuse()
        {
            MpiEnvironment.RequireMpi();
            AssertBothRanks("plans", "ArgumentException, gradient 0.5", "ArgumentException, gradient 0.5");
        }
    }
}

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Xunit;

namespace SymDiff.Tests
{
    /// <summary>
    /// DataParallel against its definition, a single-threaded loop that adds each shard's gradient in plan order: the
    /// same bits for any worker count; shards of size 0, 1 and uneven; bad input, failures and cancellation.
    /// </summary>
    public class DataParallelTests
    {
        private const int Features = 5;

        private static readonly int[] WorkerCounts = { 1, 2, 3, 8 };

        // W3's logistic regression (shared/BENCHMARKS.md) on a small data set, hand-differentiated:
        // d/dw_j log(1 + exp(-t z)) = -t x_j / (1 + exp(t z)), z = dot(w, x). Sums over rows, so the order of the
        // additions shows in the last bits.
        private static readonly (double[] X, double[] T, double[] W) Data = MakeData(1000);

        private static (double[] X, double[] T, double[] W) MakeData(int n)
        {
            var x = new double[n * Features];
            var t = new double[n];
            var w = new double[Features];
            for (int i = 0; i < n; i++)
            {
                t[i] = (i % 3 == 0) ? -1 : 1;
                for (int j = 0; j < Features; j++)
                {
                    x[(i * Features) + j] = Math.Sin((0.37 * i) + (1.3 * j));
                }
            }

            for (int j = 0; j < Features; j++)
            {
                w[j] = 0.01 * j;
            }

            return (x, t, w);
        }

        private static void LogisticBackward(int start, int end, Span<double> gradient)
        {
            var (x, t, w) = Data;
            for (int i = start; i < end; i++)
            {
                double z = 0;
                for (int j = 0; j < Features; j++)
                {
                    z += w[j] * x[(i * Features) + j];
                }

                double scale = -t[i] / (1 + Math.Exp(t[i] * z));
                for (int j = 0; j < Features; j++)
                {
                    gradient[j] += scale * x[(i * Features) + j];
                }
            }
        }

        /// <summary>The documented result, single-threaded: each non-empty shard into a zeroed buffer, added in plan order.</summary>
        private static double[] Reference(ShardPlan plan, ShardBackward backward, double[] initial)
        {
            var gradient = (double[])initial.Clone();
            var shard = new double[initial.Length];
            for (int k = 0; k < plan.ShardCount; k++)
            {
                if (plan.ShardStart(k) == plan.ShardEnd(k))
                {
                    continue;
                }

                Array.Clear(shard, 0, shard.Length);
                backward(plan.ShardStart(k), plan.ShardEnd(k), shard);
                for (int j = 0; j < gradient.Length; j++)
                {
                    gradient[j] += shard[j];
                }
            }

            return gradient;
        }

        private static void AssertBitIdentical(double[] expected, double[] actual)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int j = 0; j < expected.Length; j++)
            {
                Assert.True(
                    BitConverter.DoubleToInt64Bits(expected[j]) == BitConverter.DoubleToInt64Bits(actual[j]),
                    $"element {j}: expected {expected[j]:R}, got {actual[j]:R}");
            }
        }

        public static IEnumerable<object[]> Plans()
        {
            int n = Data.T.Length;
            yield return new object[] { "even, 37 shards", ShardPlan.Even(n, 37) };
            yield return new object[] { "sizes 0, 1 and uneven", ShardPlan.FromBoundaries(n, 0, 0, 1, 1, 2, 300, 301, 301, 700, 999, n, n) };
            yield return new object[] { "one shard", ShardPlan.Even(n, 1) };
            yield return new object[] { "more shards than rows", ShardPlan.Even(n, 1500) };
        }

        [Theory]
        [MemberData(nameof(Plans))]
        public void Result_is_the_plan_order_sum_to_the_last_bit_for_any_worker_count(string name, ShardPlan plan)
        {
            _ = name;
            double[] initial = { 0.25, -1.5, 0, 3e-3, 7 }; // accumulates into what is there, like Backward
            double[] expected = Reference(plan, LogisticBackward, initial);
            foreach (int workers in WorkerCounts)
            {
                var parallel = new DataParallel(Features, workers);
                for (int run = 0; run < 10; run++)
                {
                    var gradient = (double[])initial.Clone();
                    parallel.Backward(plan, LogisticBackward, gradient);
                    AssertBitIdentical(expected, gradient);
                }
            }
        }

        [Fact]
        public void Summation_order_matters_here_so_the_bit_identity_above_is_a_real_check()
        {
            // Two plans, two orders: the sums agree to rounding but not in every bit. If they did, the test above
            // could not tell a fixed order from a timing-dependent one.
            var a = Reference(ShardPlan.Even(Data.T.Length, 37), LogisticBackward, new double[Features]);
            var b = Reference(ShardPlan.Even(Data.T.Length, 3), LogisticBackward, new double[Features]);
            Assert.Contains(Enumerable.Range(0, Features), j => a[j] != b[j]);
            for (int j = 0; j < Features; j++)
            {
                Assert.Equal(a[j], b[j], 1e-12);
            }
        }

        [Fact]
        public void Sum_of_the_shards_is_the_gradient_of_the_whole_data_set()
        {
            // Against central finite differences of the summed loss: independent of both the plan and the hand derivative's sum.
            var (x, t, w) = Data;
            double Loss(double[] weights)
            {
                double sum = 0;
                for (int i = 0; i < t.Length; i++)
                {
                    double z = 0;
                    for (int j = 0; j < Features; j++)
                    {
                        z += weights[j] * x[(i * Features) + j];
                    }

                    sum += Math.Log(1 + Math.Exp(-t[i] * z));
                }

                return sum;
            }

            var gradient = new double[Features];
            new DataParallel(Features, 3).Backward(ShardPlan.Even(t.Length, 16), LogisticBackward, gradient);
            for (int j = 0; j < Features; j++)
            {
                var plus = (double[])w.Clone();
                var minus = (double[])w.Clone();
                const double h = 1e-5;
                plus[j] += h;
                minus[j] -= h;
                double centralDifference = (Loss(plus) - Loss(minus)) / (2 * h);
                Assert.Equal(centralDifference, gradient[j], 1e-6 * Math.Max(1, Math.Abs(centralDifference)));
            }
        }

        [Fact]
        public void Every_row_is_visited_once_and_empty_shards_are_never_called()
        {
            var plan = ShardPlan.FromBoundaries(50, 0, 0, 1, 1, 7, 7, 31, 32, 50, 50);
            var calls = new ConcurrentBag<(int Start, int End)>();
            new DataParallel(1, 4).Backward(plan, (start, end, g) => calls.Add((start, end)), new double[1]);
            Assert.All(calls, c => Assert.True(c.Start < c.End));
            Assert.Equal(Enumerable.Range(0, 50), calls.SelectMany(c => Enumerable.Range(c.Start, c.End - c.Start)).OrderBy(i => i));
            Assert.Equal(5, calls.Count);
        }

        [Fact]
        public void Each_call_sees_a_zeroed_buffer_of_the_gradient_length()
        {
            var seen = new ConcurrentBag<string>();
            var parallel = new DataParallel(3, 2);
            var gradient = new double[] { 1, 2, 3 };
            parallel.Backward(
                ShardPlan.Even(40, 8),
                (start, end, g) =>
                {
                    seen.Add(g.Length == 3 && g[0] == 0 && g[1] == 0 && g[2] == 0 ? "zeroed" : "dirty");
                    g[0] += end - start;
                    g.Fill(g[0]); // leave the buffer dirty for the next shard
                },
                gradient);
            Assert.All(seen, s => Assert.Equal("zeroed", s));
            Assert.Equal(new double[] { 41, 42, 43 }, gradient);
        }

        [Fact]
        public void A_plan_of_no_rows_leaves_the_gradient_alone()
        {
            var gradient = new[] { 1.0, -0.0 };
            new DataParallel(2, 2).Backward(ShardPlan.Even(0, 4), (s, e, g) => throw new InvalidOperationException("called"), gradient);
            Assert.Equal(1.0, gradient[0]);
            Assert.True(double.IsNegative(gradient[1]), "-0.0 kept its sign: nothing was added");
        }

        [Fact]
        public void Workers_run_shards_at_the_same_time()
        {
            // Two shards that each wait for the other to start can only both finish when two threads run them.
            using var bothStarted = new CountdownEvent(2);
            var met = new ConcurrentBag<bool>();
            new DataParallel(1, 2).Backward(
                ShardPlan.Even(2, 2),
                (start, end, g) =>
                {
                    bothStarted.Signal();
                    met.Add(bothStarted.Wait(TimeSpan.FromSeconds(30)));
                },
                new double[1]);
            Assert.Equal(new[] { true, true }, met);
        }

        [Fact]
        public void Bad_input_throws_before_any_shard_runs()
        {
            var parallel = new DataParallel(Features, 2);
            var plan = ShardPlan.Even(10, 2);
            int calls = 0;
            ShardBackward counting = (s, e, g) => Interlocked.Increment(ref calls);
            var gradient = new double[Features];

            Assert.Equal("shards", Assert.Throws<ArgumentNullException>(() => parallel.Backward(null!, counting, gradient)).ParamName);
            Assert.Equal("backward", Assert.Throws<ArgumentNullException>(() => parallel.Backward(plan, null!, gradient)).ParamName);
            var wrongLength = Assert.Throws<ArgumentException>(() => parallel.Backward(plan, counting, new double[Features + 1]));
            Assert.Equal("gradient", wrongLength.ParamName);
            Assert.Contains("6 elements, but this DataParallel was created for 5", wrongLength.Message, StringComparison.Ordinal);
            Assert.Equal(0, calls);
            Assert.All(gradient, g => Assert.Equal(0.0, g));
        }

        [Fact]
        public void Constructor_rejects_a_negative_length_and_no_workers()
        {
            Assert.Equal("gradientLength", Assert.Throws<ArgumentOutOfRangeException>(() => new DataParallel(-1)).ParamName);
            Assert.Equal("workerCount", Assert.Throws<ArgumentOutOfRangeException>(() => new DataParallel(3, 0)).ParamName);
            Assert.Equal(Environment.ProcessorCount, new DataParallel(3).WorkerCount);
        }

        [Fact]
        public void A_failing_shard_surfaces_as_one_exception_and_leaves_the_gradient_unchanged()
        {
            var started = new ConcurrentBag<int>();
            var failure = new InvalidOperationException("shard 3 failed");
            var parallel = new DataParallel(Features, 1);
            double[] gradient = { 1, 2, 3, 4, 5 };
            var error = Assert.Throws<AggregateException>(() => parallel.Backward(
                ShardPlan.Even(100, 10),
                (start, end, g) =>
                {
                    started.Add(start / 10);
                    g[0] = 1;
                    if (start == 30)
                    {
                        throw failure;
                    }
                },
                gradient));

            Assert.Same(failure, Assert.Single(error.InnerExceptions));
            Assert.Contains("shard 3 (rows [30, 40))", error.Message, StringComparison.Ordinal);
            Assert.Equal(new[] { 0, 1, 2, 3 }, started.OrderBy(k => k));   // one worker: nothing after the failure started
            Assert.Equal(new double[] { 1, 2, 3, 4, 5 }, gradient);

            // The instance is usable again.
            parallel.Backward(ShardPlan.Even(100, 10), LogisticBackward, gradient);
            AssertBitIdentical(Reference(ShardPlan.Even(100, 10), LogisticBackward, new double[] { 1, 2, 3, 4, 5 }), gradient);
        }

        [Fact]
        public void Failures_on_several_workers_come_in_shard_order()
        {
            var error = Assert.Throws<AggregateException>(() => new DataParallel(1, 4).Backward(
                ShardPlan.Even(64, 64),
                (start, end, g) => throw new ArgumentException("bad row " + start),
                new double[1]));
            var rows = error.InnerExceptions.Select(e => int.Parse(e.Message.Substring("bad row ".Length), System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.NotEmpty(rows);
            Assert.Equal(rows.OrderBy(r => r), rows);
        }

        [Fact]
        public void Cancellation_before_the_call_runs_nothing()
        {
            using var cts = new CancellationTokenSource();
            cts.Cancel();
            int calls = 0;
            Assert.Throws<OperationCanceledException>(() => new DataParallel(1, 2).Backward(ShardPlan.Even(10, 5), (s, e, g) => calls++, new double[1], cts.Token));
            Assert.Equal(0, calls);
        }

        [Fact]
        public void Cancellation_during_the_call_stops_before_the_next_shard_and_leaves_the_gradient_unchanged()
        {
            using var cts = new CancellationTokenSource();
            var started = new ConcurrentBag<int>();
            double[] gradient = { 7 };
            var error = Assert.ThrowsAny<OperationCanceledException>(() => new DataParallel(1, 1).Backward(
                ShardPlan.Even(10, 10),
                (start, end, g) =>
                {
                    started.Add(start);
                    g[0] = 1;
                    if (start == 4)
                    {
                        cts.Cancel();
                    }
                },
                gradient,
                cts.Token));

            Assert.Equal(cts.Token, error.CancellationToken);
            Assert.Equal(new[] { 0, 1, 2, 3, 4 }, started.OrderBy(s => s));
            Assert.Equal(new double[] { 7 }, gradient);
        }

        [Fact]
        public void A_shard_that_throws_the_callers_cancellation_counts_as_cancellation()
        {
            using var cts = new CancellationTokenSource();
            Assert.ThrowsAny<OperationCanceledException>(() => new DataParallel(1, 2).Backward(
                ShardPlan.Even(10, 10),
                (start, end, g) =>
                {
                    cts.Cancel();
                    cts.Token.ThrowIfCancellationRequested();
                },
                new double[1],
                cts.Token));
        }

        [Fact]
        public void A_second_call_on_the_same_instance_while_one_runs_is_refused()
        {
            var parallel = new DataParallel(1, 2);
            var error = Assert.Throws<AggregateException>(() => parallel.Backward(
                ShardPlan.Even(4, 2),
                (start, end, g) => parallel.Backward(ShardPlan.Even(4, 2), (s, e, h) => { }, new double[1]),
                new double[1]));
            Assert.All(error.InnerExceptions, e => Assert.IsType<InvalidOperationException>(e));
        }
    }
}

using System;
using Xunit;

namespace SymDiff.Tests
{
    /// <summary>ShardPlan: the even split, explicit boundaries, slices, and the checks that a plan covers [0, n).</summary>
    public class ShardPlanTests
    {
        private static int[] Boundaries(ShardPlan plan)
        {
            var boundaries = new int[plan.ShardCount + 1];
            for (int k = 0; k < plan.ShardCount; k++)
            {
                boundaries[k] = plan.ShardStart(k);
                Assert.Equal(plan.ShardStart(k), k == 0 ? plan.Start : plan.ShardEnd(k - 1));
            }

            boundaries[plan.ShardCount] = plan.End;
            return boundaries;
        }

        [Fact]
        public void Even_starts_shard_k_at_floor_of_k_n_over_s()
        {
            // 10 rows in 3 shards: floor(0), floor(10/3) = 3, floor(20/3) = 6, 10.
            Assert.Equal(new[] { 0, 3, 6, 10 }, Boundaries(ShardPlan.Even(10, 3)));
            Assert.Equal(new[] { 0, 25, 50, 75, 100 }, Boundaries(ShardPlan.Even(100, 4)));
        }

        [Fact]
        public void Even_with_more_shards_than_rows_has_empty_shards()
        {
            // floor(k * 2 / 5) for k = 0..5.
            Assert.Equal(new[] { 0, 0, 0, 1, 1, 2 }, Boundaries(ShardPlan.Even(2, 5)));
            Assert.Equal(new[] { 0, 0 }, Boundaries(ShardPlan.Even(0, 1)));
        }

        [Fact]
        public void Even_does_not_overflow_for_large_counts()
        {
            var plan = ShardPlan.Even(int.MaxValue, 7);
            Assert.Equal(int.MaxValue / 7, plan.ShardEnd(0));
            Assert.Equal(int.MaxValue, plan.End);
        }

        [Fact]
        public void From_boundaries_keeps_empty_and_uneven_shards_and_copies_its_input()
        {
            int[] boundaries = { 0, 0, 1, 1, 5, 12 };
            var plan = ShardPlan.FromBoundaries(12, boundaries);
            boundaries[3] = 4;
            Assert.Equal(5, plan.ShardCount);
            Assert.Equal(new[] { 0, 0, 1, 1, 5, 12 }, Boundaries(plan));
        }

        [Fact]
        public void Slice_keeps_the_rows_of_its_shards()
        {
            var slice = ShardPlan.Even(100, 10).Slice(3, 4);
            Assert.Equal(4, slice.ShardCount);
            Assert.Equal(30, slice.Start);
            Assert.Equal(70, slice.End);
            Assert.Equal(new[] { 30, 40, 50, 60, 70 }, Boundaries(slice));
            Assert.Equal(new[] { 50, 60, 70 }, Boundaries(slice.Slice(2, 2)));
        }

        [Theory]
        [InlineData(-1, 2)]
        [InlineData(6, 5)]
        [InlineData(8, 3)]
        [InlineData(3, 0)]
        public void Slice_outside_the_plan_throws(int first, int count)
        {
            var plan = ShardPlan.Even(100, 10);
            Assert.Throws<ArgumentOutOfRangeException>(() => plan.Slice(first, count));
        }

        [Fact]
        public void Shard_index_out_of_range_throws()
        {
            var plan = ShardPlan.Even(10, 2);
            Assert.Equal("shard", Assert.Throws<ArgumentOutOfRangeException>(() => plan.ShardStart(2)).ParamName);
            Assert.Equal("shard", Assert.Throws<ArgumentOutOfRangeException>(() => plan.ShardEnd(-1)).ParamName);
        }

        [Fact]
        public void Even_rejects_a_negative_count_and_no_shards()
        {
            Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => ShardPlan.Even(-1, 2)).ParamName);
            Assert.Equal("shardCount", Assert.Throws<ArgumentOutOfRangeException>(() => ShardPlan.Even(10, 0)).ParamName);
        }

        [Theory]
        [InlineData(10, new[] { 1, 5, 10 }, "first boundary is 1, not 0")]
        [InlineData(10, new[] { 0, 5, 9 }, "cover [0, 10), but the last boundary is 9")]
        [InlineData(10, new[] { 0, 5, 11 }, "cover [0, 10), but the last boundary is 11")]
        [InlineData(10, new[] { 0, 6, 5, 10 }, "boundaries[2] = 5 is less than boundaries[1] = 6")]
        [InlineData(0, new[] { 0 }, "at least two boundaries")]
        public void From_boundaries_that_do_not_cover_0_to_n_in_order_throws_a_clear_error(int count, int[] boundaries, string message)
        {
            var error = Assert.Throws<ArgumentException>(() => ShardPlan.FromBoundaries(count, boundaries));
            Assert.Equal("boundaries", error.ParamName);
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void From_boundaries_rejects_null_and_a_negative_count()
        {
            Assert.Equal("boundaries", Assert.Throws<ArgumentNullException>(() => ShardPlan.FromBoundaries(1, null!)).ParamName);
            Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => ShardPlan.FromBoundaries(-1, 0, 1)).ParamName);
        }
    }
}

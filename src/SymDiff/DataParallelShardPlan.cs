using System;
using System.Globalization;

namespace SymDiff
{
    /// <summary>
    /// How <see cref="DataParallel"/> splits the rows <c>[0, count)</c> of a data set into contiguous shards, in order.
    /// Immutable; make it once and reuse it every step.
    /// </summary>
    /// <remarks>
    /// The plan, not the number of workers, decides the result: the gradient of each shard is computed on its own and
    /// the shards are added in plan order, so the same plan gives the same bits with any number of workers, threads or
    /// processes that sum in the same order. Shards may be empty. Choose a few shards per worker (say 4 to 16 times the
    /// number of cores) so that a slow shard does not hold the others up, and not so many that a shard's work (its rows
    /// times the cost of a row) becomes small next to adding one gradient buffer.
    /// <see cref="Even"/> plays the part of <c>numpy.array_split</c> (sizes that differ by at most one, though the longer
    /// shards are spread out rather than first) and of the contiguous per-rank slices of PyTorch's <c>DistributedSampler</c>
    /// without shuffling.
    /// </remarks>
    public sealed class ShardPlan
    {
        private readonly int[] _boundaries;
        private readonly int _first;

        private ShardPlan(int[] boundaries, int first, int shardCount)
        {
            _boundaries = boundaries;
            _first = first;
            ShardCount = shardCount;
        }

        /// <summary>Gets the number of shards.</summary>
        public int ShardCount { get; }

        /// <summary>Gets the first row the plan covers: 0, except for a <see cref="Slice"/>.</summary>
        public int Start => _boundaries[_first];

        /// <summary>Gets one past the last row the plan covers: the row count, except for a <see cref="Slice"/>.</summary>
        public int End => _boundaries[_first + ShardCount];

        /// <summary>
        /// Splits <c>[0, count)</c> into <paramref name="shardCount"/> contiguous shards whose sizes differ by at most one:
        /// shard <c>k</c> starts at <c>floor(k * count / shardCount)</c>. With more shards than rows some shards are empty.
        /// </summary>
        /// <param name="count">The number of rows; not negative.</param>
        /// <param name="shardCount">The number of shards; at least 1.</param>
        /// <returns>The plan.</returns>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or <paramref name="shardCount"/> is less than 1.</exception>
        public static ShardPlan Even(int count, int shardCount)
        {
            if (count < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, "The row count must not be negative.");
            }

            if (shardCount < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(shardCount), shardCount, "A plan needs at least one shard.");
            }

            var boundaries = new int[shardCount + 1];
            for (int k = 0; k <= shardCount; k++)
            {
                boundaries[k] = (int)((long)k * count / shardCount);
            }

            return new ShardPlan(boundaries, 0, shardCount);
        }

        /// <summary>
        /// A plan with the given shard boundaries: shard <c>k</c> is <c>[boundaries[k], boundaries[k + 1])</c>. The
        /// boundaries must start at 0, never decrease, and end at <paramref name="count"/>, so that the shards cover
        /// <c>[0, count)</c> exactly once.
        /// </summary>
        /// <param name="count">The number of rows the plan must cover; not negative.</param>
        /// <param name="boundaries">The boundaries, one more than the number of shards; copied.</param>
        /// <returns>The plan.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="boundaries"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
        /// <exception cref="ArgumentException">The boundaries do not cover <c>[0, count)</c> in order; the message says where.</exception>
        public static ShardPlan FromBoundaries(int count, params int[] boundaries)
        {
            if (boundaries is null)
            {
                throw new ArgumentNullException(nameof(boundaries));
            }

            if (count < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, "The row count must not be negative.");
            }

            if (boundaries.Length < 2)
            {
                throw new ArgumentException(Format("A plan needs at least one shard, so at least two boundaries; got {0}.", boundaries.Length), nameof(boundaries));
            }

            if (boundaries[0] != 0)
            {
                throw new ArgumentException(Format("The shards must cover [0, {0}), but the first boundary is {1}, not 0.", count, boundaries[0]), nameof(boundaries));
            }

            for (int k = 1; k < boundaries.Length; k++)
            {
                if (boundaries[k] < boundaries[k - 1])
                {
                    throw new ArgumentException(
                        Format("The boundaries must not decrease, but boundaries[{0}] = {1} is less than boundaries[{2}] = {3}.", k, boundaries[k], k - 1, boundaries[k - 1]),
                        nameof(boundaries));
                }
            }

            if (boundaries[boundaries.Length - 1] != count)
            {
                throw new ArgumentException(
                    Format("The shards must cover [0, {0}), but the last boundary is {1}.", count, boundaries[boundaries.Length - 1]),
                    nameof(boundaries));
            }

            return new ShardPlan((int[])boundaries.Clone(), 0, boundaries.Length - 1);
        }

        /// <summary>Gets the first row of shard <paramref name="shard"/>.</summary>
        /// <param name="shard">The shard, from 0 to <see cref="ShardCount"/> - 1.</param>
        /// <returns>The first row.</returns>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="shard"/> is out of range.</exception>
        public int ShardStart(int shard)
        {
            CheckShard(shard);
            return _boundaries[_first + shard];
        }

        /// <summary>Gets one past the last row of shard <paramref name="shard"/>.</summary>
        /// <param name="shard">The shard, from 0 to <see cref="ShardCount"/> - 1.</param>
        /// <returns>One past the last row.</returns>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="shard"/> is out of range.</exception>
        public int ShardEnd(int shard)
        {
            CheckShard(shard);
            return _boundaries[_first + shard + 1];
        }

        /// <summary>
        /// The plan of the shards <c>[firstShard, firstShard + shardCount)</c> of this one, with the same rows: what one
        /// process of a multi-process run computes (see <c>SymDiff.Mpi.DistributedDataParallel</c>).
        /// </summary>
        /// <param name="firstShard">The first shard to keep.</param>
        /// <param name="shardCount">How many shards to keep; at least 1.</param>
        /// <returns>The slice; its <see cref="Start"/> is the first row of <paramref name="firstShard"/>.</returns>
        /// <exception cref="ArgumentOutOfRangeException">The range is not inside this plan, or is empty.</exception>
        public ShardPlan Slice(int firstShard, int shardCount)
        {
            if (shardCount < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(shardCount), shardCount, "A slice needs at least one shard.");
            }

            if (firstShard < 0 || firstShard > ShardCount - shardCount)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(firstShard),
                    firstShard,
                    Format("Shards [{0}, {1}) are not inside this plan of {2} shards.", firstShard, (long)firstShard + shardCount, ShardCount));
            }

            return new ShardPlan(_boundaries, _first + firstShard, shardCount);
        }

        /// <summary>The same as <see cref="ShardStart"/> and <see cref="ShardEnd"/>, without the range check, for a shard known to be in range.</summary>
        internal void GetShard(int shard, out int start, out int end)
        {
            start = _boundaries[_first + shard];
            end = _boundaries[_first + shard + 1];
        }

        private static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);

        private void CheckShard(int shard)
        {
            if ((uint)shard >= (uint)ShardCount)
            {
                throw new ArgumentOutOfRangeException(nameof(shard), shard, Format("The plan has {0} shards.", ShardCount));
            }
        }
    }
}

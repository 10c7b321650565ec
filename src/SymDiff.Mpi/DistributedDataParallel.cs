using System;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace SymDiff.Mpi
{
    /// <summary>
    /// Data-parallel backward across the processes of an MPI job: each rank runs its part of the shards (with a
    /// <see cref="DataParallel"/> over its cores), one all-reduce sums the ranks' gradients, and every rank adds the same
    /// sum into its gradient, so that the same optimizer step keeps the weights identical on every rank. PyTorch's
    /// <c>DistributedDataParallel</c> with the MPI backend, Horovod-style.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Every rank calls <see cref="Backward"/> with the same plan, and the same weights (start them equal, for example
    /// with <see cref="MpiProcessGroup.Broadcast"/>). Rank <c>r</c> of <c>K</c> computes the contiguous block of shards
    /// that <c>ShardPlan.Even(shards.ShardCount, K)</c> gives part <c>r</c> (<see cref="LocalShards"/>), summed in plan
    /// order from zero; the all-reduce adds the ranks' sums (for two ranks exactly <c>local_0 + local_1</c>); the result is
    /// added into <c>gradient</c>. A single process doing the same additions gets the same bits; a plain
    /// <see cref="DataParallel"/> over the whole plan adds in another order and agrees to rounding.
    /// </para>
    /// <para>
    /// A shard that throws on one rank does not leave the others waiting: the all-reduce still happens, carrying a
    /// failure count, and every rank throws (the failing one its own exception, the others an <see cref="MpiException"/>);
    /// no rank's gradient changes. Allocation-free after the first call with a plan.
    /// </para>
    /// </remarks>
    public sealed class DistributedDataParallel
    {
        private readonly DataParallel _local;
        private readonly double[] _reduced; // the gradient's elements, then the number of ranks that failed
        private ShardPlan? _plan;
        private ShardPlan? _localPlan;

        /// <summary>Creates a distributed runner with one worker per rank (the usual launch: one rank per core).</summary>
        /// <param name="group">The process group.</param>
        /// <param name="gradientLength">The number of elements of the gradient; not negative.</param>
        /// <exception cref="ArgumentNullException"><paramref name="group"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="gradientLength"/> is negative.</exception>
        public DistributedDataParallel(MpiProcessGroup group, int gradientLength)
            : this(group, gradientLength, 1)
        {
        }

        /// <summary>Creates a distributed runner with <paramref name="workerCount"/> threads per rank.</summary>
        /// <param name="group">The process group.</param>
        /// <param name="gradientLength">The number of elements of the gradient; not negative.</param>
        /// <param name="workerCount">Threads per rank, at least 1: the cores of a machine divided by the ranks on it.</param>
        /// <exception cref="ArgumentNullException"><paramref name="group"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="gradientLength"/> is negative or <paramref name="workerCount"/> is less than 1.</exception>
        public DistributedDataParallel(MpiProcessGroup group, int gradientLength, int workerCount)
        {
            Group = group ?? throw new ArgumentNullException(nameof(group));
            _local = new DataParallel(gradientLength, workerCount);
            _reduced = new double[gradientLength + 1];
        }

        /// <summary>Gets the process group.</summary>
        public MpiProcessGroup Group { get; }

        /// <summary>Gets the number of elements of the gradient.</summary>
        public int GradientLength => _local.GradientLength;

        /// <summary>Gets the number of threads per rank.</summary>
        public int WorkerCount => _local.WorkerCount;

        /// <summary>
        /// The shards of <paramref name="shards"/> that this rank computes: part <see cref="MpiProcessGroup.Rank"/> of
        /// <c>ShardPlan.Even(shards.ShardCount, WorldSize)</c>, or null when there are fewer shards than ranks and this
        /// rank has none.
        /// </summary>
        /// <param name="shards">The plan of the whole data set.</param>
        /// <returns>This rank's slice of the plan, or null.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="shards"/> is null.</exception>
        public ShardPlan? LocalShards(ShardPlan shards)
        {
            if (shards is null)
            {
                throw new ArgumentNullException(nameof(shards));
            }

            var parts = ShardPlan.Even(shards.ShardCount, Group.WorldSize);
            int first = parts.ShardStart(Group.Rank);
            int count = parts.ShardEnd(Group.Rank) - first;
            return count == 0 ? null : shards.Slice(first, count);
        }

        /// <summary>
        /// Adds the gradient of the whole data set into <paramref name="gradient"/> on every rank: this rank's shards
        /// computed here, the other ranks' received through one all-reduce. A collective call: every rank must make it,
        /// with the same plan.
        /// </summary>
        /// <param name="shards">The plan of the whole data set, the same on every rank (checked the first time a plan is used).</param>
        /// <param name="backward">Adds one shard's gradient into a zeroed buffer (see <see cref="ShardBackward"/>).</param>
        /// <param name="gradient">The gradient to add into, of <see cref="GradientLength"/> elements; accumulates, like a
        /// <c>Backward</c> buffer. Unchanged when any rank failed.</param>
        /// <param name="cancellationToken">Stops this rank's shards; every rank then throws.</param>
        /// <exception cref="ArgumentNullException"><paramref name="shards"/> or <paramref name="backward"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="gradient"/> has the wrong length, or the ranks have different plans.</exception>
        /// <exception cref="AggregateException">A shard of this rank threw (see <see cref="DataParallel.Backward"/>).</exception>
        /// <exception cref="OperationCanceledException">This rank's <paramref name="cancellationToken"/> was canceled.</exception>
        /// <exception cref="MpiException">Another rank failed, or MPI reported an error.</exception>
        public void Backward(ShardPlan shards, ShardBackward backward, [Accumulates] Span<double> gradient, CancellationToken cancellationToken = default)
        {
            if (shards is null)
            {
                throw new ArgumentNullException(nameof(shards));
            }

            if (backward is null)
            {
                throw new ArgumentNullException(nameof(backward));
            }

            if (gradient.Length != GradientLength)
            {
                throw new ArgumentException(
                    string.Format(CultureInfo.InvariantCulture, "The gradient has {0} elements, but this DistributedDataParallel was created for {1}.", gradient.Length, GradientLength),
                    nameof(gradient));
            }

            if (!ReferenceEquals(shards, _plan))
            {
                CheckSamePlanOnEveryRank(shards);
                _localPlan = LocalShards(shards);
                _plan = shards;
            }

            int n = GradientLength;
            var local = _reduced.AsSpan(0, n);
            local.Clear();
            _reduced[n] = 0;
            ExceptionDispatchInfo? failure = null;
            if (_localPlan is { } mine)
            {
                try
                {
                    _local.Backward(mine, backward, local, cancellationToken);
                }
                catch (Exception e)
                {
                    // Still take part in the all-reduce, so that the other ranks learn of it instead of waiting forever.
                    failure = ExceptionDispatchInfo.Capture(e);
                    local.Clear();
                    _reduced[n] = 1;
                }
            }

            Group.AllReduce(_reduced);
            failure?.Throw();
            if (_reduced[n] != 0)
            {
                throw new MpiException(
                    string.Format(CultureInfo.InvariantCulture, "DistributedDataParallel.Backward failed on {0} other rank(s) (see their output); the gradient was not changed.", _reduced[n]),
                    0);
            }

            for (int i = 0; i < n; i++)
            {
                gradient[i] += _reduced[i];
            }
        }

        /// <summary>One small all-reduce (the maximum of each number and of its negation) shows whether every rank has this plan's row range and shard count.</summary>
        private void CheckSamePlanOnEveryRank(ShardPlan shards)
        {
            Span<double> check = stackalloc double[6];
            check[0] = shards.Start;
            check[1] = shards.End;
            check[2] = shards.ShardCount;
            check[3] = -shards.Start;
            check[4] = -shards.End;
            check[5] = -shards.ShardCount;
            Group.AllReduceMax(check);
            if (check[0] != shards.Start || check[1] != shards.End || check[2] != shards.ShardCount
                || -check[3] != shards.Start || -check[4] != shards.End || -check[5] != shards.ShardCount)
            {
                throw new ArgumentException(
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "The ranks have different shard plans: this rank's covers [{0}, {1}) in {2} shards, but across the ranks the first row ranges from {3} to {4}, the end from {5} to {6} and the shard count from {7} to {8}. Every rank must use the same plan.",
                        shards.Start,
                        shards.End,
                        shards.ShardCount,
                        -check[3],
                        check[0],
                        -check[4],
                        check[1],
                        -check[5],
                        check[2]),
                    nameof(shards));
            }
        }
    }
}

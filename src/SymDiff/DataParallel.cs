using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;

namespace SymDiff
{
    /// <summary>
    /// Data-parallel backward on every core of one machine: runs a <see cref="ShardBackward"/> for each shard of a
    /// <see cref="ShardPlan"/> on the thread pool and adds the shards' gradients into the caller's gradient in plan
    /// order, so that the result does not depend on thread timing or on the number of workers. PyTorch's
    /// <c>DataParallel</c>, on CPU cores, without a tape.
    /// </summary>
    /// <remarks>
    /// <para>
    /// One <see cref="Backward"/> call computes, element by element and exactly in this order,
    /// <c>gradient += g_0; gradient += g_1; ...; gradient += g_{S-1}</c>, where <c>g_k</c> is what the delegate adds into a
    /// zeroed buffer for shard <c>k</c> (empty shards are skipped). The same plan therefore gives the same bits for any
    /// <see cref="WorkerCount"/>, from run to run; a single-threaded loop doing the same is the reference. A different
    /// plan sums in a different order and may differ in the last bits, as any two summation orders do.
    /// </para>
    /// <para>
    /// Each worker has its own gradient buffer, allocated once by the constructor and padded so that no two workers
    /// write to the same cache line. Workers take shards in order and add each finished buffer into a running sum when
    /// its turn comes; the caller's thread is one of the workers. After the first call (which may make the thread pool
    /// start threads), <see cref="Backward"/> allocates nothing on the .NET 8 build; the .NET Standard 2.0 build
    /// allocates one small thread-pool work item per extra worker per call.
    /// </para>
    /// <para>
    /// The caller's gradient is only written at the end, after every shard has succeeded: when a shard throws or the
    /// call is cancelled it is left as it was. One instance runs one <see cref="Backward"/> at a time.
    /// </para>
    /// </remarks>
    public sealed partial class DataParallel
    {
        // Doubles of padding before and between the workers' buffers: 128 bytes, two cache lines, since processors
        // fetch lines in adjacent pairs.
        private const int Padding = 16;

        private readonly object _gate = new object();
        private readonly double[] _workerBuffers;
        private readonly int _stride;
        private readonly double[] _sum;
        private readonly Helper[] _helpers;

        // The call in progress; written by the caller before the helpers are queued, read by the workers.
        private ShardPlan? _plan;
        private ShardBackward? _backward;
        private CancellationToken _cancellationToken;
        private int _nextShard;

        // Guarded by _gate.
        private int _committed;
        private bool _stopped;
        private bool _canceled;
        private bool _closed = true;
        private int _running;
        private List<KeyValuePair<int, Exception>>? _failures;

        private int _busy;

        /// <summary>Creates a data-parallel runner for gradients of <paramref name="gradientLength"/> elements, with one worker per processor.</summary>
        /// <param name="gradientLength">The number of elements of the gradient (the number of parameters); not negative.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="gradientLength"/> is negative.</exception>
        public DataParallel(int gradientLength)
            : this(gradientLength, Environment.ProcessorCount)
        {
        }

        /// <summary>Creates a data-parallel runner for gradients of <paramref name="gradientLength"/> elements with <paramref name="workerCount"/> workers.</summary>
        /// <param name="gradientLength">The number of elements of the gradient (the number of parameters); not negative.</param>
        /// <param name="workerCount">The number of workers, the caller's thread included; at least 1. 1 runs every shard on the caller's thread.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="gradientLength"/> is negative or <paramref name="workerCount"/> is less than 1.</exception>
        public DataParallel(int gradientLength, int workerCount)
        {
            if (gradientLength < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(gradientLength), gradientLength, "The gradient length must not be negative.");
            }

            if (workerCount < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(workerCount), workerCount, "At least one worker is needed.");
            }

            GradientLength = gradientLength;
            WorkerCount = workerCount;
            _stride = checked(((gradientLength + 7) & ~7) + Padding);
            _workerBuffers = new double[checked(Padding + (workerCount * _stride))];
            _sum = new double[gradientLength];
            _helpers = new Helper[workerCount - 1];
            for (int i = 0; i < _helpers.Length; i++)
            {
                _helpers[i] = new Helper(this, i + 1);
            }
        }

        /// <summary>Gets the number of elements of the gradient.</summary>
        public int GradientLength { get; }

        /// <summary>Gets the number of workers, the caller's thread included.</summary>
        public int WorkerCount { get; }

        /// <summary>
        /// Adds the gradient of every shard of <paramref name="shards"/> into <paramref name="gradient"/>, the shards
        /// computed in parallel and added in plan order (PyTorch <c>loss.backward()</c> over a data set, split over the cores).
        /// </summary>
        /// <param name="shards">The shards; the same plan gives the same bits whatever the number of workers.</param>
        /// <param name="backward">Adds one shard's gradient into a zeroed buffer; called once per non-empty shard, on several threads at once.</param>
        /// <param name="gradient">The gradient to add into, of <see cref="GradientLength"/> elements. Like a <c>Backward</c>
        /// buffer it accumulates: reset it (<c>optimizer.ZeroGrad()</c>) between steps. Written only when every shard succeeded.</param>
        /// <param name="cancellationToken">Stops the call before the next shard starts; the gradient is then left as it was.</param>
        /// <exception cref="ArgumentNullException"><paramref name="shards"/> or <paramref name="backward"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="gradient"/> does not have <see cref="GradientLength"/> elements.</exception>
        /// <exception cref="InvalidOperationException">Another <see cref="Backward"/> is running on this instance (from another thread, or from inside a shard).</exception>
        /// <exception cref="AggregateException">One or more shards threw: their exceptions, in shard order. No further shard was started.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
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
                    string.Format(CultureInfo.InvariantCulture, "The gradient has {0} elements, but this DataParallel was created for {1}.", gradient.Length, GradientLength),
                    nameof(gradient));
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            {
                throw new InvalidOperationException("This DataParallel is already running a Backward call; use one instance per concurrent caller.");
            }

            try
            {
                // The running sum starts from the caller's gradient: copied here, on the caller's thread, because a span
                // cannot be handed to other threads; copied back only when every shard succeeded.
                Checks.Copy(gradient, _sum); // scalar copies (Checks.Zero says why)
                Run(shards, backward, cancellationToken);
                if (_failures is { } failures)
                {
                    failures.Sort((a, b) => a.Key.CompareTo(b.Key));
                    var exceptions = new Exception[failures.Count];
                    for (int i = 0; i < exceptions.Length; i++)
                    {
                        exceptions[i] = failures[i].Value;
                    }

                    string where = failures[0].Key >= 0
                        ? string.Format(CultureInfo.InvariantCulture, "shard {0} (rows [{1}, {2}))", failures[0].Key, shards.ShardStart(failures[0].Key), shards.ShardEnd(failures[0].Key))
                        : "a worker";
                    throw new AggregateException(
                        string.Format(CultureInfo.InvariantCulture, "DataParallel.Backward: {0} shard(s) failed, the first in {1}; the gradient was not changed.", exceptions.Length, where),
                        exceptions);
                }

                if (_canceled)
                {
                    throw new OperationCanceledException(cancellationToken);
                }

                Checks.Copy(_sum, gradient);
            }
            finally
            {
                _plan = null;
                _backward = null;
                _cancellationToken = default;
                _failures = null;
                Volatile.Write(ref _busy, 0);
            }
        }

        private void Run(ShardPlan shards, ShardBackward backward, CancellationToken cancellationToken)
        {
            _plan = shards;
            _backward = backward;
            _cancellationToken = cancellationToken;
            _nextShard = 0;
            lock (_gate)
            {
                _committed = 0;
                _stopped = false;
                _canceled = false;
                _failures = null;
                _running = 0;
                _closed = false; // from here on, helpers may join
            }

            int helpers = Math.Min(_helpers.Length, shards.ShardCount - 1);
            for (int i = 0; i < helpers; i++)
            {
                _helpers[i].Queue();
            }

            Work(0);

            // Helpers that have not started by now find the gate closed and leave without touching anything; wait for
            // the ones that did start.
            lock (_gate)
            {
                _closed = true;
                while (_running > 0)
                {
                    Monitor.Wait(_gate);
                }
            }
        }
    }
}

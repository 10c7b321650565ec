using System;
using System.Collections.Generic;
using System.Threading;

namespace SymDiff
{
    /// <content>The workers: taking shards in order, running them, and adding their buffers in turn.</content>
    public sealed partial class DataParallel
    {
        /// <summary>One worker's loop: take the next shard, compute it into this worker's buffer, add it when its turn comes.</summary>
        private void Work(int worker)
        {
            var plan = _plan!;
            var backward = _backward!;
            var buffer = new Span<double>(_workerBuffers, Padding + (worker * _stride), GradientLength);
            try
            {
                while (!Volatile.Read(ref _stopped))
                {
                    if (_cancellationToken.IsCancellationRequested)
                    {
                        Stop(canceled: true);
                        return;
                    }

                    int shard = Interlocked.Increment(ref _nextShard) - 1;
                    if (shard >= plan.ShardCount)
                    {
                        return;
                    }

                    plan.GetShard(shard, out int start, out int end);
                    if (start < end)
                    {
                        Checks.Zero(buffer);
                        try
                        {
                            backward(start, end, buffer);
                        }
                        catch (OperationCanceledException e) when (_cancellationToken.IsCancellationRequested && e.CancellationToken == _cancellationToken)
                        {
                            Stop(canceled: true);
                            return;
                        }
                        catch (Exception e)
                        {
                            Fail(shard, e);
                            return;
                        }
                    }

                    if (!Commit(shard, buffer, empty: start == end))
                    {
                        return;
                    }
                }
            }
            catch (Exception e)
            {
                // Not the user's delegate: a fault of our own. Surface it rather than lose it on a pool thread.
                Fail(-1, e);
            }
        }

        /// <summary>
        /// Waits until every earlier shard has been added, then adds this one: the fixed order that makes the result
        /// independent of timing. Returns false when the call was stopped meanwhile.
        /// </summary>
        private bool Commit(int shard, Span<double> buffer, bool empty)
        {
            lock (_gate)
            {
                while (_committed != shard && !_stopped)
                {
                    Monitor.Wait(_gate);
                }

                if (_stopped)
                {
                    return false;
                }

                if (!empty)
                {
                    var sum = _sum;
                    for (int i = 0; i < buffer.Length; i++)
                    {
                        sum[i] += buffer[i];
                    }
                }

                _committed = shard + 1;
                Monitor.PulseAll(_gate);
                return true;
            }
        }

        private void Stop(bool canceled)
        {
            lock (_gate)
            {
                _stopped = true;
                _canceled |= canceled;
                Monitor.PulseAll(_gate);
            }
        }

        private void Fail(int shard, Exception exception)
        {
            lock (_gate)
            {
                (_failures ??= new List<KeyValuePair<int, Exception>>()).Add(new KeyValuePair<int, Exception>(shard, exception));
                _stopped = true;
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>
        /// A worker other than the caller's thread, queued on the thread pool for each call. One object per worker, made
        /// once, so that queueing allocates nothing (on .NET Core through <c>IThreadPoolWorkItem</c>).
        /// </summary>
        private sealed class Helper
#if NETCOREAPP3_0_OR_GREATER
            : IThreadPoolWorkItem
#endif
        {
#if !NETCOREAPP3_0_OR_GREATER
            private static readonly WaitCallback Callback = state => ((Helper)state!).Execute();
#endif
            private readonly DataParallel _owner;
            private readonly int _worker;
            private bool _active; // guarded by _owner._gate

            public Helper(DataParallel owner, int worker)
            {
                _owner = owner;
                _worker = worker;
            }

            public void Queue()
            {
#if NETCOREAPP3_0_OR_GREATER
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
#else
                ThreadPool.UnsafeQueueUserWorkItem(Callback, this);
#endif
            }

            public void Execute()
            {
                var owner = _owner;
                lock (owner._gate)
                {
                    // Too late (every shard already taken and the caller gone) or already working (a late start of an
                    // earlier call's work item that joined this call): nothing to do.
                    if (owner._closed || _active)
                    {
                        return;
                    }

                    _active = true;
                    owner._running++;
                }

                try
                {
                    owner.Work(_worker);
                }
                finally
                {
                    lock (owner._gate)
                    {
                        _active = false;
                        if (--owner._running == 0)
                        {
                            Monitor.PulseAll(owner._gate);
                        }
                    }
                }
            }
        }
    }
}

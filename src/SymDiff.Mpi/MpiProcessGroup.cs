using System;
using System.Globalization;
using System.Text;

namespace SymDiff.Mpi
{
    /// <summary>
    /// The processes of an MPI job (<c>MPI_COMM_WORLD</c>) and the collective operations SymDiff needs: PyTorch's
    /// <c>torch.distributed</c> process group with the MPI backend. Start the program with <c>mpiexec -n K</c>; each
    /// process calls <see cref="Initialize"/> once and disposes the group at the end.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Collective calls (<see cref="AllReduce"/>, <see cref="Broadcast"/>, <see cref="Barrier"/>) must be made by every
    /// rank, in the same order, with buffers of the same length; a rank that skips one leaves the others waiting.
    /// Calls from several threads are serialised by the group.
    /// </para>
    /// <para>
    /// The MPI library is loaded at run time (see <see cref="IsAvailable"/>); it must have the MPICH ABI: MPICH,
    /// Intel MPI, MVAPICH or MS-MPI. Open MPI does not. <c>SYMDIFF_MPI_LIBRARY</c> names the library to load.
    /// </para>
    /// </remarks>
    public sealed class MpiProcessGroup : IDisposable
    {
        private static readonly object InitializeLock = new object();
        private static MpiProcessGroup? _current;

        private readonly object _callLock = new object();
        private readonly bool _ownsMpi;
        private bool _disposed;

        private MpiProcessGroup(int rank, int worldSize, bool ownsMpi)
        {
            Rank = rank;
            WorldSize = worldSize;
            _ownsMpi = ownsMpi;
        }

        /// <summary>Gets a value indicating whether an MPI library with the MPICH ABI can be loaded in this process.</summary>
        public static bool IsAvailable => MpiNative.TryLoad() is null;

        /// <summary>Gets this process's rank, from 0 to <see cref="WorldSize"/> - 1 (PyTorch <c>get_rank()</c>).</summary>
        public int Rank { get; }

        /// <summary>Gets the number of processes (PyTorch <c>get_world_size()</c>).</summary>
        public int WorldSize { get; }

        /// <summary>
        /// Initialises MPI for this process (<c>MPI_Init_thread</c>, serialised threads) and returns the group of all
        /// processes (PyTorch <c>init_process_group("mpi")</c>). Run outside <c>mpiexec</c>, the group is this process alone.
        /// If MPI was already initialised by other code, the group uses it and leaves finalising to that code.
        /// </summary>
        /// <returns>The group; dispose it to finalise MPI.</returns>
        /// <exception cref="DllNotFoundException">No MPI library with the MPICH ABI could be loaded; the message says what was tried.</exception>
        /// <exception cref="InvalidOperationException">A group is already open in this process, or MPI has already been finalised (it cannot start twice).</exception>
        /// <exception cref="MpiException">MPI reported an error.</exception>
        public static unsafe MpiProcessGroup Initialize()
        {
            lock (InitializeLock)
            {
                if (_current is not null)
                {
                    throw new InvalidOperationException("MPI is already initialised by an MpiProcessGroup of this process that has not been disposed; use that one.");
                }

                if (MpiNative.TryLoad() is { } why)
                {
                    throw new DllNotFoundException(why);
                }

                int flag;
                Check(MpiNative.Finalized(&flag), "MPI_Finalized");
                if (flag != 0)
                {
                    throw new InvalidOperationException("MPI has been finalised in this process and cannot be initialised again; keep one MpiProcessGroup for the life of the process.");
                }

                Check(MpiNative.Initialized(&flag), "MPI_Initialized");
                bool owns = flag == 0;
                if (owns)
                {
                    int provided;
                    Check(MpiNative.InitThread(null, null, MpiNative.ThreadSerialized, &provided), "MPI_Init_thread");
                    if (provided < MpiNative.ThreadSerialized)
                    {
                        MpiNative.Finalize();
                        throw new MpiException(
                            string.Format(CultureInfo.InvariantCulture, "The MPI library offers thread level {0}; SymDiff.Mpi needs MPI_THREAD_SERIALIZED (2) or higher.", provided),
                            0);
                    }
                }

                // Errors come back as codes (and become MpiException) instead of aborting the job.
                Check(MpiNative.CommSetErrhandler(MpiNative.CommWorld, MpiNative.ErrorsReturn), "MPI_Comm_set_errhandler");
                int rank, size;
                Check(MpiNative.CommRank(MpiNative.CommWorld, &rank), "MPI_Comm_rank");
                Check(MpiNative.CommSize(MpiNative.CommWorld, &size), "MPI_Comm_size");
                _current = new MpiProcessGroup(rank, size, owns);
                return _current;
            }
        }

        /// <summary>
        /// Replaces <paramref name="values"/> on every rank by their element-wise sum over all ranks (<c>MPI_Allreduce</c>
        /// with <c>MPI_SUM</c>; PyTorch <c>all_reduce(tensor)</c>). Every rank must call it with the same length.
        /// </summary>
        /// <param name="values">The values to sum, in place.</param>
        /// <exception cref="ObjectDisposedException">The group has been disposed.</exception>
        /// <exception cref="MpiException">MPI reported an error.</exception>
        public void AllReduce(Span<double> values) => Reduce(values, MpiNative.Sum, "MPI_Allreduce");

        /// <summary>
        /// Copies <paramref name="values"/> from rank <paramref name="root"/> to every other rank (<c>MPI_Bcast</c>;
        /// PyTorch <c>broadcast(tensor, src)</c>), for example to start every rank from the same weights.
        /// </summary>
        /// <param name="values">On <paramref name="root"/> the values to send; elsewhere overwritten with them.</param>
        /// <param name="root">The rank that sends.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="root"/> is not a rank of the group.</exception>
        /// <exception cref="ObjectDisposedException">The group has been disposed.</exception>
        /// <exception cref="MpiException">MPI reported an error.</exception>
        public unsafe void Broadcast(Span<double> values, int root = 0)
        {
            if ((uint)root >= (uint)WorldSize)
            {
                throw new ArgumentOutOfRangeException(nameof(root), root, string.Format(CultureInfo.InvariantCulture, "The group has ranks 0 to {0}.", WorldSize - 1));
            }

            lock (_callLock)
            {
                ThrowIfDisposed();
                fixed (double* p = values)
                {
                    Check(MpiNative.Bcast(p, values.Length, MpiNative.Double, root, MpiNative.CommWorld), "MPI_Bcast");
                }
            }
        }

        /// <summary>Waits until every rank has called it (<c>MPI_Barrier</c>; PyTorch <c>barrier()</c>).</summary>
        /// <exception cref="ObjectDisposedException">The group has been disposed.</exception>
        /// <exception cref="MpiException">MPI reported an error.</exception>
        public void Barrier()
        {
            lock (_callLock)
            {
                ThrowIfDisposed();
                Check(MpiNative.Barrier(MpiNative.CommWorld), "MPI_Barrier");
            }
        }

        /// <summary>
        /// Finalises MPI (<c>MPI_Finalize</c>; PyTorch <c>destroy_process_group()</c>) if this group initialised it. Every
        /// rank should dispose its group; MPI cannot be initialised again in the same process.
        /// </summary>
        public void Dispose()
        {
            lock (InitializeLock)
            {
                lock (_callLock)
                {
                    if (_disposed)
                    {
                        return;
                    }

                    _disposed = true;
                    _current = null;
                    if (_ownsMpi)
                    {
                        Check(MpiNative.Finalize(), "MPI_Finalize");
                    }
                }
            }
        }

        /// <summary>The element-wise maximum over ranks, in place: for checks that every rank agrees.</summary>
        internal void AllReduceMax(Span<double> values) => Reduce(values, MpiNative.Max, "MPI_Allreduce(MPI_MAX)");

        private unsafe void Reduce(Span<double> values, int op, string call)
        {
            lock (_callLock)
            {
                ThrowIfDisposed();
                fixed (double* p = values)
                {
                    Check(MpiNative.Allreduce(MpiNative.InPlace, p, values.Length, MpiNative.Double, op, MpiNative.CommWorld), call);
                }
            }
        }

        private void ThrowIfDisposed()
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(MpiProcessGroup));
            }
        }

        private static unsafe void Check(int code, string call)
        {
            if (code == MpiNative.Success)
            {
                return;
            }

            byte* text = stackalloc byte[MpiNative.MaxErrorString + 1];
            int length = 0;
            string detail = MpiNative.ErrorString(code, text, &length) == MpiNative.Success && length > 0
                ? Encoding.UTF8.GetString(text, Math.Min(length, MpiNative.MaxErrorString))
                : "no description";
            throw new MpiException(string.Format(CultureInfo.InvariantCulture, "{0} failed with error {1}: {2}", call, code, detail), code);
        }
    }
}

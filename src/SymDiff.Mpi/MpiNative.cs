using System;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.InteropServices;

namespace SymDiff.Mpi
{
    /// <summary>
    /// The handful of MPI calls SymDiff.Mpi uses, bound against the MPICH ABI: handles are 32-bit integers with MPICH's
    /// values, which MPICH (libmpich.so.12), the MPICH-ABI family (Intel MPI, MVAPICH, Cray MPICH: libmpi.so.12) and
    /// MS-MPI (msmpi.dll) share. Open MPI uses pointers for handles and cannot be loaded through this binding.
    /// </summary>
    /// <remarks>Constants checked against MPICH 4.0.2's <c>mpi.h</c>.</remarks>
    internal static unsafe class MpiNative
    {
        public const int Success = 0;
        public const int CommWorld = 0x44000000;      // MPI_COMM_WORLD
        public const int Double = 0x4c00080b;         // MPI_DOUBLE
        public const int Sum = 0x58000003;            // MPI_SUM
        public const int Max = 0x58000001;            // MPI_MAX
        public const int ErrorsReturn = 0x54000001;   // MPI_ERRORS_RETURN
        public const int ThreadSerialized = 2;        // MPI_THREAD_SERIALIZED
        public const int MaxErrorString = 512;        // MPI_MAX_ERROR_STRING

        /// <summary>MPI_IN_PLACE: <c>(void*)-1</c>.</summary>
        public static readonly void* InPlace = (void*)-1;

        private const string Library = "mpi";

        /// <summary>Environment variable that names the MPI library to load, as a file name or path.</summary>
        public const string LibraryVariable = "SYMDIFF_MPI_LIBRARY";

        private static readonly object LoadLock = new object();
        private static IntPtr _handle;
        private static string? _loadedFrom;

        /// <summary>The library names tried in order on this operating system, after <see cref="LibraryVariable"/>.</summary>
        public static IReadOnlyList<string> Candidates { get; } =
            OperatingSystem.IsWindows() ? new[] { "msmpi.dll" }
            : OperatingSystem.IsMacOS() ? new[] { "libmpich.12.dylib", "libmpi.12.dylib" }
            : new[] { "libmpich.so.12", "libmpi.so.12" };

        /// <summary>Where the library was loaded from, once it is.</summary>
        public static string? LoadedFrom => _loadedFrom;

        /// <summary>Loads the MPI library and routes this assembly's imports of it there; returns null on success, or why it failed.</summary>
        public static string? TryLoad()
        {
            lock (LoadLock)
            {
                if (_handle != IntPtr.Zero)
                {
                    return null;
                }

                var tried = new List<string>();
                string? chosen = Environment.GetEnvironmentVariable(LibraryVariable);
                var names = string.IsNullOrEmpty(chosen) ? Candidates : new[] { chosen! };
                foreach (string name in names)
                {
                    if (NativeLibrary.TryLoad(name, typeof(MpiNative).Assembly, DllImportSearchPath.SafeDirectories | DllImportSearchPath.System32, out var handle))
                    {
                        if (!NativeLibrary.TryGetExport(handle, "MPI_Init_thread", out _))
                        {
                            tried.Add(name + " (loaded, but it has no MPI_Init_thread)");
                            continue;
                        }

                        _handle = handle;
                        _loadedFrom = name;
                        NativeLibrary.SetDllImportResolver(typeof(MpiNative).Assembly, Resolve);
                        return null;
                    }

                    tried.Add(name);
                }

                return "SymDiff.Mpi could not load an MPI library with the MPICH ABI (tried: " + string.Join(", ", tried) + "). "
                    + "Install MPICH (Debian and Ubuntu: apt-get install mpich; Windows: MS-MPI), or set " + LibraryVariable
                    + " to the library's path. Open MPI is not ABI-compatible with this binding.";
            }
        }

        private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
            libraryName == Library ? _handle : IntPtr.Zero;

        [DllImport(Library, EntryPoint = "MPI_Init_thread", ExactSpelling = true)]
        public static extern int InitThread(int* argc, byte*** argv, int required, int* provided);

        [DllImport(Library, EntryPoint = "MPI_Initialized", ExactSpelling = true)]
        public static extern int Initialized(int* flag);

        [DllImport(Library, EntryPoint = "MPI_Finalized", ExactSpelling = true)]
        public static extern int Finalized(int* flag);

        [DllImport(Library, EntryPoint = "MPI_Finalize", ExactSpelling = true)]
        public static extern int Finalize();

        [DllImport(Library, EntryPoint = "MPI_Comm_set_errhandler", ExactSpelling = true)]
        public static extern int CommSetErrhandler(int comm, int errhandler);

        [DllImport(Library, EntryPoint = "MPI_Comm_rank", ExactSpelling = true)]
        public static extern int CommRank(int comm, int* rank);

        [DllImport(Library, EntryPoint = "MPI_Comm_size", ExactSpelling = true)]
        public static extern int CommSize(int comm, int* size);

        [DllImport(Library, EntryPoint = "MPI_Allreduce", ExactSpelling = true)]
        public static extern int Allreduce(void* sendbuf, void* recvbuf, int count, int datatype, int op, int comm);

        [DllImport(Library, EntryPoint = "MPI_Bcast", ExactSpelling = true)]
        public static extern int Bcast(void* buffer, int count, int datatype, int root, int comm);

        [DllImport(Library, EntryPoint = "MPI_Barrier", ExactSpelling = true)]
        public static extern int Barrier(int comm);

        [DllImport(Library, EntryPoint = "MPI_Error_string", ExactSpelling = true)]
        public static extern int ErrorString(int errorcode, byte* text, int* length);
    }
}

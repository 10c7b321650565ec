using System;
using System.IO;
using System.Linq;

namespace SymDiff.Mpi.Tests
{
    /// <summary>Whether this machine can run the MPI tests, and what to do when it cannot.</summary>
    public static class MpiEnvironment
    {
        /// <summary>The environment variable under which a missing MPI fails the tests instead of skipping them.</summary>
        public const string RequireVariable = "SYMDIFF_REQUIRE_MPI";

        private static readonly Lazy<string?> LazyMissing = new Lazy<string?>(FindMissing);

        /// <summary>Gets a value indicating whether <c>SYMDIFF_REQUIRE_MPI=1</c>.</summary>
        public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

        /// <summary>Gets the path of <c>mpiexec</c>, or null.</summary>
        public static string? MpiExec { get; } = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "mpiexec"))
            .FirstOrDefault(File.Exists);

        /// <summary>Gets why MPI cannot be used here, or null when it can.</summary>
        public static string? Missing => LazyMissing.Value;

        /// <summary>Throws with the reason when MPI is missing: the start of every MPI test.</summary>
        public static void RequireMpi()
        {
            if (Missing is { } reason)
            {
                throw new InvalidOperationException(RequireVariable + "=1 but MPI is missing: " + reason);
            }
        }

        private static string? FindMissing()
        {
            if (MpiExec is null)
            {
                return "MPI is not installed: no mpiexec on the PATH (Debian and Ubuntu: apt-get install mpich).";
            }

            return MpiProcessGroup.IsAvailable
                ? null
                : "No MPI library with the MPICH ABI could be loaded (Debian and Ubuntu: apt-get install mpich; Open MPI is not supported).";
        }
    }
}

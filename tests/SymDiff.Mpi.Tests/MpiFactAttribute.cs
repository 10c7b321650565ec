using System;
using Xunit;

namespace SymDiff.Mpi.Tests
{
    /// <summary>
    /// A test that needs MPI (an <c>mpiexec</c> on the PATH and an MPICH-ABI library). Where MPI is missing it reports
    /// itself skipped with the reason, unless <c>SYMDIFF_REQUIRE_MPI=1</c> (set by CI), in which case it runs and fails
    /// with that reason (see <see cref="MpiEnvironment.RequireMpi"/>).
    /// </summary>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
    public sealed class MpiFactAttribute : FactAttribute
    {
        /// <summary>Creates the attribute, setting <see cref="FactAttribute.Skip"/> when MPI is missing and not required.</summary>
        public MpiFactAttribute()
        {
            if (!MpiEnvironment.Required && MpiEnvironment.Missing is { } reason)
            {
                Skip = reason + " Set " + MpiEnvironment.RequireVariable + "=1 to make this a failure instead of a skip.";
            }
        }
    }
}

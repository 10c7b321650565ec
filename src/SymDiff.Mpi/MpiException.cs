using System;

namespace SymDiff.Mpi
{
    /// <summary>An MPI call failed, or another rank of a collective step failed.</summary>
    public sealed class MpiException : Exception
    {
        /// <summary>Creates the exception.</summary>
        /// <param name="message">What failed.</param>
        /// <param name="errorCode">The MPI error code, or 0 when the failure was not an MPI error.</param>
        public MpiException(string message, int errorCode)
            : base(message)
        {
            ErrorCode = errorCode;
        }

        /// <summary>Gets the MPI error code (<c>MPI_ERR_...</c>), or 0 when the failure was not an MPI error.</summary>
        public int ErrorCode { get; }
    }
}

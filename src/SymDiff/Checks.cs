using System;
using System.ComponentModel;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace SymDiff
{
    /// <summary>
    /// Support for generated code: argument checks whose failure path stays out of the generated methods, so a check
    /// costs one comparison. Not meant to be called directly.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class Checks
    {
        /// <summary>Throws the <see cref="ArgumentException"/> for a buffer of the wrong length.</summary>
        /// <param name="paramName">The buffer parameter.</param>
        /// <param name="actual">Its length.</param>
        /// <param name="expected">The length it must have.</param>
        /// <param name="format">The message, with <c>{0}</c> for the actual and <c>{1}</c> for the expected length.</param>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void ThrowLengthMismatch(string paramName, int actual, int expected, string format) =>
            throw new ArgumentException(string.Format(CultureInfo.InvariantCulture, format, actual, expected), paramName);
    }
}

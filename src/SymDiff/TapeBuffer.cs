using System;
using System.Buffers;
using System.ComponentModel;

namespace SymDiff
{
    /// <summary>
    /// Support for generated code: the pooled buffers in which a loop's reverse sweep finds the values it needs.
    /// Not meant to be called directly.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static class TapeBuffer
    {
        /// <summary>Makes sure <paramref name="buffer"/> (rented from <see cref="ArrayPool{T}.Shared"/>) can hold element <paramref name="index"/>, growing it from the pool if not.</summary>
        /// <typeparam name="T">The element type.</typeparam>
        /// <param name="buffer">The rented buffer; replaced by a larger rented one (and the old one returned) when too small.</param>
        /// <param name="index">The index about to be written.</param>
        public static void EnsureCapacity<T>(ref T[] buffer, int index)
        {
            if (index < buffer.Length)
            {
                return;
            }

            var larger = ArrayPool<T>.Shared.Rent(Math.Max(index + 1, buffer.Length * 2));
            Array.Copy(buffer, larger, buffer.Length);
            ArrayPool<T>.Shared.Return(buffer);
            buffer = larger;
        }
    }
}

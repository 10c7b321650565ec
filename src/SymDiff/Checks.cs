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
        /// <summary>
        /// Sets every element to zero with scalar stores. Generated methods and the optimizers zero buffers with this
        /// instead of <c>Span.Clear</c> or <c>Array.Clear</c>: those are vectorised, and on Intel processors with AVX a
        /// 256- or 512-bit store leaves the upper halves of the vector registers dirty, so that every later call of
        /// <c>Math.Exp</c>, <c>Math.Log</c>... (which run in the C runtime, in SSE code) pays an AVX/SSE transition
        /// (issue 12: a logistic-regression gradient 8x slower). Scalar stores cost the same at memory bandwidth.
        /// </summary>
        /// <param name="buffer">The buffer to zero.</param>
        public static void Zero(Span<double> buffer)
        {
            for (int i = 0; i < buffer.Length; i++)
            {
                buffer[i] = 0;
            }
        }

        /// <inheritdoc cref="Zero(Span{double})"/>
        public static void Zero(Span<float> buffer)
        {
            for (int i = 0; i < buffer.Length; i++)
            {
                buffer[i] = 0;
            }
        }

        /// <summary>
        /// Copies <paramref name="source"/> into the start of <paramref name="target"/> with scalar loads and stores, for the
        /// reason <see cref="Zero(Span{double})"/> gives: <c>Span.CopyTo</c> is a vectorised memory move, and the output
        /// adjoints that generated code fills with it are followed by <c>Math</c> calls.
        /// </summary>
        /// <param name="source">The elements to copy.</param>
        /// <param name="target">Where they go; at least as long as <paramref name="source"/>.</param>
        /// <exception cref="ArgumentException"><paramref name="target"/> is shorter than <paramref name="source"/>.</exception>
        public static void Copy(ReadOnlySpan<double> source, Span<double> target)
        {
            if (target.Length < source.Length)
            {
                ThrowTooShort(nameof(target));
            }

            for (int i = 0; i < source.Length; i++)
            {
                target[i] = source[i];
            }
        }

        /// <inheritdoc cref="Copy(ReadOnlySpan{double}, Span{double})"/>
        public static void Copy(ReadOnlySpan<float> source, Span<float> target)
        {
            if (target.Length < source.Length)
            {
                ThrowTooShort(nameof(target));
            }

            for (int i = 0; i < source.Length; i++)
            {
                target[i] = source[i];
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ThrowTooShort(string paramName) =>
            throw new ArgumentException("Destination is too short.", paramName);

        /// <summary>Sets the first <paramref name="length"/> elements of a (pooled) array to zero: <see cref="Zero(Span{double})"/>.</summary>
        /// <param name="buffer">The array.</param>
        /// <param name="length">How many elements, from the start.</param>
        public static void Zero(double[] buffer, int length) => Zero(new Span<double>(buffer, 0, length));

        /// <inheritdoc cref="Zero(double[], int)"/>
        public static void Zero(float[] buffer, int length) => Zero(new Span<float>(buffer, 0, length));

        /// <summary>Throws the <see cref="ArgumentException"/> for a buffer of the wrong length.</summary>
        /// <param name="paramName">The buffer parameter.</param>
        /// <param name="actual">Its length.</param>
        /// <param name="expected">The length it must have.</param>
        /// <param name="format">The message, with <c>{0}</c> for the actual and <c>{1}</c> for the expected length.</param>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void ThrowLengthMismatch(string paramName, int actual, int expected, string format) =>
            throw new ArgumentException(string.Format(CultureInfo.InvariantCulture, format, actual, expected), paramName);

        /// <summary>
        /// Throws the <see cref="ArgumentException"/> for an output buffer that shares memory with another span of the
        /// call (API.md section 9): the method would overwrite what it is still reading, or two outputs each other.
        /// </summary>
        /// <param name="buffer">The output buffer.</param>
        /// <param name="other">A span the method reads, or another of its outputs.</param>
        /// <param name="bufferName">The buffer's parameter name (the exception's <c>ParamName</c>).</param>
        /// <param name="otherName">The other span's parameter name, for the message.</param>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void ThrowIfOverlapping(ReadOnlySpan<double> buffer, ReadOnlySpan<double> other, string bufferName, string otherName)
        {
            if (buffer.Overlaps(other))
            {
                ThrowOverlap(bufferName, otherName);
            }
        }

        /// <inheritdoc cref="ThrowIfOverlapping(ReadOnlySpan{double}, ReadOnlySpan{double}, string, string)"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void ThrowIfOverlapping(ReadOnlySpan<float> buffer, ReadOnlySpan<float> other, string bufferName, string otherName)
        {
            if (buffer.Overlaps(other))
            {
                ThrowOverlap(bufferName, otherName);
            }
        }

        /// <summary>Whether <paramref name="value"/> is neither NaN nor infinite (for <c>CheckFinite</c>).</summary>
        /// <param name="value">A value the generated code computed or read.</param>
        /// <returns>True for a finite value.</returns>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool IsFinite(double value) =>
#if NETSTANDARD2_0
            !double.IsNaN(value) && !double.IsInfinity(value);
#else
            double.IsFinite(value);
#endif

        /// <inheritdoc cref="IsFinite(double)"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static bool IsFinite(float value) =>
#if NETSTANDARD2_0
            !float.IsNaN(value) && !float.IsInfinity(value);
#else
            float.IsFinite(value);
#endif

        /// <summary>
        /// Throws the <see cref="ArithmeticException"/> of <c>[Differentiable(CheckFinite = true)]</c>: a value that is NaN or
        /// infinite although everything it was computed from is finite.
        /// </summary>
        /// <param name="value">The non-finite value.</param>
        /// <param name="method">The <c>[Differentiable]</c> method.</param>
        /// <param name="generatedMethod">The generated method that computed the value (<c>FGradient</c>, ...).</param>
        /// <param name="file">The source file of <paramref name="method"/>.</param>
        /// <param name="line">The 1-based line of the statement the value belongs to.</param>
        /// <param name="expression">That statement's expression, as written.</param>
        /// <param name="sweep">"forward" or "reverse".</param>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void ThrowNotFinite(double value, string method, string generatedMethod, string file, int line, string expression, string sweep) =>
            throw new ArithmeticException(NotFiniteMessage(value, method, generatedMethod, file, line, expression, sweep));

        /// <summary>The message of <see cref="ThrowNotFinite"/>.</summary>
        private static string NotFiniteMessage(double value, string method, string generatedMethod, string file, int line, string expression, string sweep)
        {
            string what = double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
            return string.Format(
                CultureInfo.InvariantCulture,
                "{0}: {1} at {2} line {3} produced {4} ({5} sweep of {6}) from finite inputs.",
                method,
                expression,
                file,
                line,
                what,
                sweep,
                generatedMethod);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ThrowOverlap(string bufferName, string otherName) =>
            throw new ArgumentException(
                string.Format(CultureInfo.InvariantCulture, "The buffer '{0}' shares memory with '{1}', so writing it would change what the method reads; pass a separate buffer.", bufferName, otherName),
                bufferName);

        /// <summary>
        /// The elements <c>[start, start + count)</c> of <paramref name="span"/>, for a loop of <paramref name="count"/>
        /// iterations that reads or writes <c>span[start + k]</c> in every iteration (docs/performance.md, "Row views"):
        /// the JIT then drops the bounds checks inside the loop. Throws the <see cref="IndexOutOfRangeException"/> the loop
        /// would have thrown when the range is not inside the span; an empty span when <paramref name="count"/> is 0 (a loop
        /// that does not run reads nothing).
        /// </summary>
        /// <param name="span">The span or array the loop indexes.</param>
        /// <param name="start">The index of iteration 0.</param>
        /// <param name="count">The loop's number of iterations, at least 0.</param>
        /// <returns>The row.</returns>
        /// <exception cref="IndexOutOfRangeException">An index of the row is outside <paramref name="span"/>.</exception>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ReadOnlySpan<double> Row(ReadOnlySpan<double> span, int start, int count)
        {
            if (count == 0)
            {
                start = 0;
            }

            if ((ulong)(uint)start + (ulong)(uint)count > (ulong)(uint)span.Length)
            {
                ThrowIndexOutOfRange();
            }

            return span.Slice(start, count);
        }

        /// <inheritdoc cref="Row(ReadOnlySpan{double}, int, int)"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Span<double> Row(Span<double> span, int start, int count)
        {
            if (count == 0)
            {
                start = 0;
            }

            if ((ulong)(uint)start + (ulong)(uint)count > (ulong)(uint)span.Length)
            {
                ThrowIndexOutOfRange();
            }

            return span.Slice(start, count);
        }

        /// <inheritdoc cref="Row(ReadOnlySpan{double}, int, int)"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ReadOnlySpan<float> Row(ReadOnlySpan<float> span, int start, int count)
        {
            if (count == 0)
            {
                start = 0;
            }

            if ((ulong)(uint)start + (ulong)(uint)count > (ulong)(uint)span.Length)
            {
                ThrowIndexOutOfRange();
            }

            return span.Slice(start, count);
        }

        /// <inheritdoc cref="Row(ReadOnlySpan{double}, int, int)"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Span<float> Row(Span<float> span, int start, int count)
        {
            if (count == 0)
            {
                start = 0;
            }

            if ((ulong)(uint)start + (ulong)(uint)count > (ulong)(uint)span.Length)
            {
                ThrowIndexOutOfRange();
            }

            return span.Slice(start, count);
        }

        /// <summary>
        /// <see cref="Row(Span{double}, int, int)"/> of an array (a pooled buffer of generated code): an exact match, so C# 14's
        /// first-class spans, which would otherwise pick the <see cref="ReadOnlySpan{T}"/> overload for an array, still
        /// give a writable row.
        /// </summary>
        /// <inheritdoc cref="Row(ReadOnlySpan{double}, int, int)"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Span<double> Row(double[] array, int start, int count) => Row(new Span<double>(array), start, count);

        /// <inheritdoc cref="Row(double[], int, int)"/>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Span<float> Row(float[] array, int start, int count) => Row(new Span<float>(array), start, count);

        // Not NoInlining: the JIT sees a method that only throws, keeps the call out of line and knows it does not return,
        // so after the check the row's length is known to be the loop's count (no bounds checks in the loop).
        private static void ThrowIndexOutOfRange() => throw new IndexOutOfRangeException();
    }
}

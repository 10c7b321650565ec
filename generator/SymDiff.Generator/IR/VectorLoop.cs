using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.IR
{
    /// <summary>A sum carried around a vectorised loop: <c>Name = Name + Term</c> (or <c>- Term</c> when <see cref="Subtract"/>).</summary>
    /// <param name="Term">The vector expression added each iteration (in the names of <see cref="VectorLoop.Body"/>).</param>
    internal sealed record VectorSum(string Name, ValType Type, Expr Term, bool Subtract);

    /// <summary>
    /// A value carried one iteration (<c>v = Next</c>, where <c>Next</c> does not depend on <c>v</c>: a stencil's
    /// <c>xCurrent = xNext</c>, a reverse sweep's adjoint of <c>x[i + 1]</c> carried to <c>x[i]</c>), in the body of a
    /// <see cref="VectorLoop"/> only, where it stands before the first statement that reads <see cref="Name"/>. Lane k holds
    /// the value of iteration i + k, which is <c>Next</c> of iteration i + k - 1: the lanes of <see cref="Next"/> rotated
    /// up by one (<c>Vector256.Shuffle</c>), lane 0 taken from the previous vector (or, first, the scalar value before the
    /// lanes). After the lanes, the scalar variable holds the last lane of <c>Next</c>, so the remainder goes on from it.
    /// </summary>
    /// <param name="Next">The vector form of the carried value's next value (in the names of <see cref="VectorLoop.Body"/>).</param>
    internal sealed record VectorDelay(string Name, ValType Type, Expr Next) : Stmt;

    /// <summary>
    /// An accumulation under a branch (<c>if (c) dX[i] += v;</c>), in the body of a <see cref="VectorLoop"/> only: the lanes
    /// where <see cref="Mask"/> is set get <c>dX[i] + v</c>, the others keep <c>dX[i]</c> (a select, so each lane's bits are
    /// the scalar loop's).
    /// </summary>
    internal sealed record VectorMaskedAccumulate(string Target, Expr Index, Expr Mask, Expr Value) : Stmt;

    /// <summary>
    /// A fused loop turned into SIMD lanes by <see cref="Vectorization.Vectorizer"/> (<c>Vectorize = true</c>). The emitter
    /// writes, with <c>T</c> = <see cref="Element"/> and <c>C</c> = <c>Vector256&lt;T&gt;.Count</c>:
    /// <code>
    /// if (Vector256.IsHardwareAccelerated &amp;&amp; i &lt;= Bound - C)
    /// {
    ///     broadcasts; first accumulators = 0;
    ///     if (i &lt;= Bound - Unroll * C)                 // when Unroll &gt; 1 (without sums, only the loop)
    ///     {
    ///         other accumulators = 0;
    ///         for (; i &lt;= Bound - Unroll * C; i += Unroll * C) { Body, Unroll times, at i, i + C, ... }
    ///         each first accumulator = the sum of its set;
    ///     }
    ///     for (; i &lt;= Bound - C; i += C) { Body }
    ///     each sum += Vector256.Sum(its first accumulator);
    /// }
    /// Scalar, from where the lanes stopped                  // the remainder, and every element when not accelerated
    /// </code>
    /// </summary>
    /// <param name="Scalar">The loop as it was: the remainder loop, and the whole loop where the lanes are not accelerated.</param>
    /// <param name="Counter">The scalar loop's counter (step +1).</param>
    /// <param name="Bound">The loop-invariant bound: the loop runs while <c>Counter &lt; Bound</c>.</param>
    /// <param name="Element">The lanes' element type (double or float).</param>
    /// <param name="Broadcasts">Loop-invariant scalars, each broadcast to all lanes once before the loop: <c>var name = Vector256.Create(value)</c>.</param>
    /// <param name="Body">
    /// The vector body: <see cref="Let"/>s of vector values, <see cref="Store"/>s and <see cref="Accumulate"/>s of lanes. An
    /// <see cref="Elem"/> in a vector expression is a load of <c>C</c> elements from its (unit-stride) index, a <see cref="Var"/>
    /// a vector let or a broadcast; indices are scalar. <see cref="VectorDelay"/>s give the carried values other than sums.
    /// </param>
    /// <param name="Sums">The loop's carried sums, each with its own accumulators (one per copy of the body).</param>
    /// <param name="Unroll">How many copies of the body one iteration of the main vector loop runs (independent accumulators).</param>
    /// <param name="Arrays">The arrays the body touches that are <c>T[]</c> (array parameters, pooled buffers), not spans.</param>
    internal sealed record VectorLoop(Loop Scalar, string Counter, Expr Bound, ValType Element, EquatableArray<Let> Broadcasts, Block Body, EquatableArray<VectorSum> Sums, int Unroll, EquatableArray<string> Arrays) : Stmt;
}

using System;

namespace SymDiff
{
    /// <summary>
    /// The backward pass of one shard for <see cref="DataParallel"/>: adds the gradient of the rows
    /// <c>[start, end)</c> of the data into <paramref name="gradient"/>, typically with one call of a generated
    /// <c>Backward</c> method on those rows.
    /// </summary>
    /// <remarks>
    /// A delegate of its own because <see cref="Span{T}"/> cannot be a generic argument (no <c>Action&lt;int, int, Span&lt;double&gt;&gt;</c>).
    /// <paramref name="gradient"/> is a worker's private buffer, all zeros when the delegate is called, with the length
    /// the <see cref="DataParallel"/> was created with; adding into it (a <c>Backward</c> call) and overwriting it (a
    /// <c>Gradient</c> call) give the same result. It must not be kept after the call. The delegate runs on several
    /// threads at once, so it must only read the state it shares (parameters, data). It is never called for an empty
    /// shard.
    /// </remarks>
    /// <param name="start">The first row of the shard.</param>
    /// <param name="end">One past the last row of the shard; greater than <paramref name="start"/>.</param>
    /// <param name="gradient">The buffer to add the shard's gradient into.</param>
    public delegate void ShardBackward(int start, int end, Span<double> gradient);
}

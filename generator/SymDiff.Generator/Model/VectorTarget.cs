namespace SymDiff.Generator.Model
{
    /// <summary>
    /// <c>Vectorize = true</c>: which vector APIs the compilation's target framework has (API.md section 9). Part of the
    /// method's model, so a change of target framework regenerates the method.
    /// </summary>
    /// <param name="Lanes">
    /// Whether <c>System.Runtime.Intrinsics.Vector256</c> has what every vector loop uses: <c>IsHardwareAccelerated</c>,
    /// <c>Create(ReadOnlySpan&lt;T&gt;)</c>, <c>CopyTo(Span&lt;T&gt;)</c>, <c>Sum</c> and the arithmetic operators (.NET 8 and later).
    /// </param>
    /// <param name="ExpLog">Whether it has <c>Exp</c> and <c>Log</c> (.NET 9 and later).</param>
    /// <param name="Missing">What the target lacks when <paramref name="Lanes"/> is false, for SD1023.</param>
    internal sealed record VectorTarget(bool Lanes, bool ExpLog, string Missing)
    {
        public static readonly VectorTarget None = new VectorTarget(false, false, "the target framework has no System.Runtime.Intrinsics.Vector256 with Create(ReadOnlySpan<T>) and Sum (.NET 8 or later)");
    }
}

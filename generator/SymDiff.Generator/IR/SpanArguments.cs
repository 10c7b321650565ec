namespace SymDiff.Generator.IR
{
    /// <summary>
    /// A span passed to a call of a <c>[Differentiable]</c> method: a whole span parameter or local buffer
    /// (<see cref="SpanRef"/>), or a slice of a span or array parameter (<see cref="SpanView"/>, <c>x.Slice(i * d, d)</c>).
    /// The differentiators pass the same part of the gradient or tangent span.
    /// </summary>
    internal static class SpanArguments
    {
        /// <summary>Whether <paramref name="e"/> is a span argument, and the span (or array) it is part of.</summary>
        public static bool Is(Expr e, out string array)
        {
            switch (e)
            {
                case SpanRef r:
                    array = r.Array;
                    return true;
                case SpanView v:
                    array = v.Array;
                    return true;
                default:
                    array = string.Empty;
                    return false;
            }
        }

        /// <summary>Whether <paramref name="e"/> is a span argument.</summary>
        public static bool Is(Expr e) => e is SpanRef or SpanView;

        /// <summary>The number of elements passed.</summary>
        public static Expr Length(Expr e) => e is SpanView v ? v.Length : new Len(((SpanRef)e).Array);

        /// <summary>The index in the whole span of the first element passed.</summary>
        public static Expr Start(Expr e) => e is SpanView v ? v.Start : Const.Of(0, ValType.Int);

        /// <summary>The same part of another span of the same length (a gradient or tangent span).</summary>
        public static Expr Over(Expr e, string other, bool readOnly) => e is SpanView v
            ? new SpanView(other, v.Start, ToEnd(v) ? new Binary(BinaryOp.Sub, new Len(other), v.Start, ValType.Int) : v.Length, v.Element, readOnly, OverArray: false)
            : new SpanRef(other, ((SpanRef)e).Element);

        /// <summary>Whether the view runs to the end of its span (<c>x.Slice(k)</c>, whose length is <c>x.Length - k</c>).</summary>
        public static bool ToEnd(SpanView v) => v.Length is Binary { Op: BinaryOp.Sub, Left: Len whole } b && whole.Array == v.Array && b.Right.Equals(v.Start);

        /// <summary>The element type.</summary>
        public static ValType Element(Expr e) => e is SpanView v ? v.Element : ((SpanRef)e).Element;
    }
}

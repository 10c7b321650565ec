namespace SymDiff.Generator.IR
{
    /// <summary>
    /// An index that keeps the bounds check of the span the user indexed, where the generated code reads another array
    /// at an offset (a view's source, a recurrent state's history): <c>inside ? index : int.MinValue</c>. Outside, the
    /// read is at a negative index and throws the <see cref="System.IndexOutOfRangeException"/> the user's indexer throws,
    /// instead of reading a neighbour. <c>int.MinValue</c> stays negative when an offset is added to the whole index later
    /// (a layer's parameter bound to a part of a buffer, a version of a history).
    /// </summary>
    internal static class CheckedIndex
    {
        /// <summary>The index read where the user's index is outside.</summary>
        public const int Outside = int.MinValue;

        /// <summary><c>inside ? index : int.MinValue</c>.</summary>
        public static Expr Of(Expr inside, Expr index) => new Cond(inside, index, Const.Of(Outside, ValType.Int), ValType.Int);

        /// <summary><c>0 &lt;= i</c>.</summary>
        public static Expr AtLeastZero(Expr i) => new Binary(BinaryOp.Le, Const.Of(0, ValType.Int), i, ValType.Bool);

        /// <summary><c>i &lt; length</c>.</summary>
        public static Expr Below(Expr i, Expr length) => new Binary(BinaryOp.Lt, i, length, ValType.Bool);

        /// <summary><c>0 &lt;= i &amp;&amp; i &lt; length</c>.</summary>
        public static Expr Within(Expr i, Expr length) => new Binary(BinaryOp.And, AtLeastZero(i), Below(i, length), ValType.Bool);

        /// <summary>
        /// <c>0 &lt;= start &amp;&amp; length &lt;= total - start</c>: a part of <paramref name="length"/> elements from
        /// <paramref name="start"/> lies inside a span of <paramref name="total"/> elements (the check of <c>Span.Slice</c>
        /// for a length at least 0; written so that nothing overflows).
        /// </summary>
        public static Expr Extent(Expr start, Expr length, Expr total) =>
            new Binary(BinaryOp.And, AtLeastZero(start), new Binary(BinaryOp.Le, length, new Binary(BinaryOp.Sub, total, start, ValType.Int), ValType.Bool), ValType.Bool);

        /// <summary>Whether <paramref name="index"/> is already checked (made by <see cref="Of"/>).</summary>
        public static bool Is(Expr index) => index is Cond { WhenFalse: Const { Value: Outside, Type: ValType.Int } };
    }
}

using System;

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

        /// <summary>
        /// The check an index into a span of <paramref name="length"/> elements still needs, or null where it is shown
        /// inside: at least 0 and below the length by its range (<see cref="Range"/>), below it as a counter whose loop runs
        /// to that length (<paramref name="limitOf"/>), or below it because the span's own end is checked
        /// (<paramref name="endChecked"/>: a view to the end of a parameter). The parser's views and the layers it inlines
        /// share this rule.
        /// </summary>
        public static Expr? Needed(Expr index, Expr length, Func<string, (double Min, double Max)?> variable, Func<string, Expr?> limitOf, bool endChecked)
        {
            var range = Range(index, variable);
            bool nonNegative = range is { Min: >= 0 };
            bool below = endChecked
                || (range is { Max: var max } && length is Const { Value: var n } && max < n)
                || (index is Var { Name: var counter } && limitOf(counter) is { } limit && limit.Equals(length));
            return nonNegative && below ? null : nonNegative ? Below(index, length) : below ? AtLeastZero(index) : Within(index, length);
        }

        /// <summary>
        /// The least and greatest value an int index can take, from constants, sums, differences and products of ranges
        /// that are not negative (a row offset <c>o * m + i</c>), and the ranges <paramref name="variable"/> gives (a loop
        /// counter's, from 0 to its limit); null when unknown.
        /// </summary>
        public static (double Min, double Max)? Range(Expr e, Func<string, (double Min, double Max)?> variable)
        {
            switch (e)
            {
                case Const { Type: ValType.Int, Value: var c }:
                    return (c, c);
                case Var { Name: var name }:
                    return variable(name);
                case Binary { Op: BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul } b when Range(b.Left, variable) is { } l && Range(b.Right, variable) is { } r:
                    return b.Op switch
                    {
                        BinaryOp.Add => (l.Min + r.Min, l.Max + r.Max),
                        BinaryOp.Sub => (l.Min - r.Max, l.Max - r.Min),
                        _ when l.Min >= 0 && r.Min >= 0 => (l.Min * r.Min, l.Max == 0 || r.Max == 0 ? 0 : l.Max * r.Max),
                        _ => null,
                    };
                default:
                    return null;
            }
        }

        /// <summary>The range of a counter from 0 while it is below <paramref name="limit"/>: up to the limit less one, unbounded above where it is not a constant.</summary>
        public static (double Min, double Max) CounterBelow(Expr limit) => (0, limit is Const { Value: var n } ? n - 1 : double.PositiveInfinity);

        /// <summary>Whether <paramref name="index"/> is already checked (made by <see cref="Of"/>).</summary>
        public static bool Is(Expr index) => index is Cond { WhenFalse: Const { Value: Outside, Type: ValType.Int } };
    }
}

using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>
    /// Smart constructors for derivative expressions: each applies the local simplification rules of
    /// <see cref="SimplifierRules"/> as it builds, so rules never produce <c>0 * x</c> or <c>x * 1</c>.
    /// Never use them to rebuild the user's own (primal) expressions: those must keep their exact
    /// floating-point operations.
    /// </summary>
    internal static class Ir
    {
        public static Const Lit(double value, ValType type) => Const.Of(type == ValType.Float ? (float)value : value, type);

        /// <summary>
        /// <c>for (counter = from; counter &lt; to; counter++) buffer[counter] = 0;</c>, the zero of the buffer's element
        /// type: the elements a store rule (<c>OverwriteOnce</c>, <c>OverwriteRows</c>) does not reach.
        /// </summary>
        public static Loop ZeroFill(string buffer, ValType element, string counter, Expr from, Expr to)
        {
            var q = new Var(counter, ValType.Int);
            return new Loop(
                EquatableArray.Create(new LoopVar(counter, ValType.Int, from, new Binary(BinaryOp.Add, q, Lit(1, ValType.Int), ValType.Int))),
                Block.Empty,
                new Binary(BinaryOp.Lt, q, to, ValType.Bool),
                Block.Of(new Store(buffer, q, Lit(0, element))),
                LoopKind.For,
                counter);
        }

        public static Expr Add(Expr a, Expr b) => SimplifierRules.Rewrite(new Binary(BinaryOp.Add, a, b, a.Type));

        public static Expr Sub(Expr a, Expr b) => SimplifierRules.Rewrite(new Binary(BinaryOp.Sub, a, b, a.Type));

        public static Expr Mul(Expr a, Expr b) => SimplifierRules.Rewrite(new Binary(BinaryOp.Mul, a, b, a.Type));

        public static Expr Div(Expr a, Expr b) => SimplifierRules.Rewrite(new Binary(BinaryOp.Div, a, b, a.Type));

        public static Expr Neg(Expr a) => SimplifierRules.Rewrite(new Unary(UnaryOp.Neg, a, a.Type));

        public static Expr Convert(Expr a, ValType type) => a.Type == type ? a : SimplifierRules.Rewrite(new Unary(UnaryOp.Convert, a, type));

        public static Expr Cond(Expr condition, Expr whenTrue, Expr whenFalse) =>
            SimplifierRules.Rewrite(new IR.Cond(condition, whenTrue, whenFalse, whenTrue.Type));

        /// <summary>
        /// A comparison in derivative code. Comparing an expression with itself (the rule of <c>Math.Max(v, v)</c>)
        /// is decided here, as for any ordered value: written out, it would be a compiler warning (CS1718) in the
        /// generated file. Either answer sends the whole gradient to the one expression.
        /// </summary>
        public static Expr Compare(BinaryOp op, Expr a, Expr b) => a.Equals(b)
            ? Const.Of(op is BinaryOp.Le or BinaryOp.Ge or BinaryOp.Eq ? 1 : 0, ValType.Bool)
            : new Binary(op, a, b, ValType.Bool);

        public static Expr And(Expr a, Expr b) => (a, b) switch
        {
            (Const { Value: 0 }, _) or (_, Const { Value: 0 }) => Const.False,
            (Const, _) => b,
            (_, Const) => a,
            _ when a.Equals(b) => a,
            _ => new Binary(BinaryOp.And, a, b, ValType.Bool),
        };

        public static Expr Call(KnownFunction f, ValType type, params Expr[] args) =>
            SimplifierRules.Rewrite(new IR.Call(f, EquatableArray.Create(args), type));

        public static Expr Square(Expr a) => Mul(a, a);

        /// <summary>
        /// The sum of several terms, zero when there are none: left to right, as a person writes it. Past
        /// <see cref="SumRun"/> terms (a parameter read by thousands of statements) runs of that many are summed left to
        /// right and the runs pairwise, so the expression stays shallow whatever the number of terms.
        /// </summary>
        public static Expr Sum(System.Collections.Generic.IEnumerable<Expr> terms, ValType type)
        {
            var list = terms as System.Collections.Generic.IReadOnlyList<Expr> ?? terms.ToList();
            if (list.Count <= SumRun)
            {
                return LeftToRight(list, 0, list.Count) ?? Lit(0, type);
            }

            var runs = new System.Collections.Generic.List<Expr>();
            for (int start = 0; start < list.Count; start += SumRun)
            {
                runs.Add(LeftToRight(list, start, System.Math.Min(SumRun, list.Count - start))!);
            }

            while (runs.Count > 1)
            {
                var pairs = new System.Collections.Generic.List<Expr>();
                for (int i = 0; i < runs.Count; i += 2)
                {
                    pairs.Add(i + 1 < runs.Count ? Add(runs[i], runs[i + 1]) : runs[i]);
                }

                runs = pairs;
            }

            return runs[0];
        }

        /// <summary>The longest sum written as one left-to-right chain.</summary>
        public const int SumRun = 32;

        private static Expr? LeftToRight(System.Collections.Generic.IReadOnlyList<Expr> terms, int start, int count)
        {
            Expr? sum = null;
            for (int i = start; i < start + count; i++)
            {
                sum = sum is null ? terms[i] : Add(sum, terms[i]);
            }

            return sum;
        }

        /// <summary>Whether <paramref name="e"/> is a structural zero: no gradient reaches this path (never a zero of the user's arithmetic).</summary>
        public static bool IsZero(Expr e) => e is Const { Value: 0, IsValueZero: false };

        /// <summary>Whether <paramref name="e"/> is any literal zero, structural or of the user's arithmetic (both vanish from a sum).</summary>
        public static bool IsAnyZero(Expr e) => e is Const { Value: 0 };

        /// <summary>Whether <paramref name="e"/> is a finite literal: multiplying it by a value zero gives a zero.</summary>
        public static bool IsFiniteLiteral(Expr e) => e is Const c && !double.IsNaN(c.Value) && !double.IsInfinity(c.Value);

        public static bool IsOne(Expr e) => e is Const { Value: 1 };

        /// <summary>Whether an expression is cheap enough to repeat instead of naming it (a variable or literal).</summary>
        public static bool IsAtomic(Expr e) => e is Var or Const or Opaque or Len or SpanRef or SpanView;
    }
}

namespace SymDiff.Generator.IR
{
    /// <summary>Arithmetic on literals as the C# compiler folds it, for the conditions both lowering and the emitter decide.</summary>
    internal static class ConstantArithmetic
    {
        /// <summary>
        /// The value of an expression made of literals only, computed as C# computes it (int arithmetic in int, float in
        /// float, double in double), or null. Used for conditions only; the user's arithmetic is never replaced.
        /// </summary>
        public static double? Value(Expr e)
        {
            switch (e)
            {
                case Const c:
                    return c.Value;
                case Unary { Op: UnaryOp.Neg } neg when Value(neg.Operand) is double v:
                    return Round(-v, neg.Type);
                case Unary { Op: UnaryOp.Convert } convert when Value(convert.Operand) is double v && convert.Type.IsFloating():
                    return Round(v, convert.Type);
                case Binary b when b.Op is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div or BinaryOp.Rem
                    && b.Type is ValType.Int or ValType.Double or ValType.Float && Value(b.Left) is double l && Value(b.Right) is double r:
                {
                    if (b.Type == ValType.Int)
                    {
                        int a = (int)l, d = (int)r;
                        if ((b.Op is BinaryOp.Div or BinaryOp.Rem) && d == 0)
                        {
                            return null;
                        }

                        return b.Op switch
                        {
                            BinaryOp.Add => unchecked(a + d),
                            BinaryOp.Sub => unchecked(a - d),
                            BinaryOp.Mul => unchecked(a * d),
                            BinaryOp.Div => d == -1 ? unchecked(-a) : a / d,
                            _ => d == -1 ? 0 : a % d,
                        };
                    }

                    double value = b.Op switch
                    {
                        BinaryOp.Add => l + r,
                        BinaryOp.Sub => l - r,
                        BinaryOp.Mul => l * r,
                        BinaryOp.Div => l / r,
                        _ => l % r,
                    };
                    return Round(value, b.Type);
                }

                default:
                    return null;
            }
        }

        private static double Round(double value, ValType type) => type == ValType.Float ? (float)value : value;
    }
}

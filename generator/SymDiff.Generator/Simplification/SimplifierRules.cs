using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>
    /// Local algebraic rewrite rules for derivative expressions, each small and named, applied bottom-up by
    /// <see cref="Rewrite"/> until none fires. They may change rounding (they are only applied to derivative code),
    /// but never change a value by more than rounding: <c>0 * x</c> becomes 0 only because the zero is symbolic
    /// (no dependency), as in JAX and PyTorch.
    /// </summary>
    internal static class SimplifierRules
    {
        /// <summary>Applies the rules at the root of <paramref name="e"/> (its children are assumed simplified) until none fires.</summary>
        public static Expr Rewrite(Expr e)
        {
            for (int guard = 0; guard < 32; guard++)
            {
                var next = RewriteOnce(e);
                if (next is null)
                {
                    return e;
                }

                e = next;
            }

            return e;
        }

        private static Expr? RewriteOnce(Expr e) => e switch
        {
            Binary b => FoldConstants(b) ?? AddZero(b) ?? MulZeroOne(b) ?? DivOne(b) ?? NegOperands(b) ?? MulIntoCond(b) ?? CollectLikeTerms(b) ?? SubSelf(b),
            Unary u => DoubleNegation(u) ?? NegConstant(u) ?? ConvertConstant(u),
            Cond c => CondConstant(c) ?? CondSameBranches(c),
            Call c => PowOne(c),
            _ => null,
        };

        /// <summary><c>2 * 3</c> → <c>6</c>: both operands literal.</summary>
        internal static Expr? FoldConstants(Binary b)
        {
            if (b.Left is not Const l || b.Right is not Const r || !b.Type.IsFloating())
            {
                return null;
            }

            double value = b.Op switch
            {
                BinaryOp.Add => l.Value + r.Value,
                BinaryOp.Sub => l.Value - r.Value,
                BinaryOp.Mul => l.Value * r.Value,
                BinaryOp.Div => l.Value / r.Value,
                _ => double.NaN,
            };
            if (b.Op is not (BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div))
            {
                return null;
            }

            // A zero computed from a value zero stays one (0 * 2 may still meet an infinity later).
            var folded = l.IsValueZero ? l : r;
            return folded.WithValue(b.Type == ValType.Float ? (float)value : value, b.Type);
        }

        /// <summary><c>x + 0</c>, <c>0 + x</c>, <c>x - 0</c> → <c>x</c>; <c>0 - x</c> → <c>-x</c>.</summary>
        internal static Expr? AddZero(Binary b)
        {
            if (b.Op == BinaryOp.Add)
            {
                if (Ir.IsAnyZero(b.Right))
                {
                    return b.Left;
                }

                if (Ir.IsAnyZero(b.Left))
                {
                    return b.Right;
                }
            }

            // a + (-3) → a - 3: negative literals read better subtracted.
            if (b.Op == BinaryOp.Add && b.Right is Const { Value: < 0 } negative && b.Type.IsFloating())
            {
                return new Binary(BinaryOp.Sub, b.Left, Ir.Lit(-negative.Value, b.Type), b.Type);
            }

            if (b.Op == BinaryOp.Sub)
            {
                if (Ir.IsAnyZero(b.Right))
                {
                    return b.Left;
                }

                if (Ir.IsAnyZero(b.Left))
                {
                    return new Unary(UnaryOp.Neg, b.Right, b.Type);
                }
            }

            return null;
        }

        /// <summary><c>0 * x</c> → <c>0</c>; <c>1 * x</c>, <c>x * 1</c> → <c>x</c>; <c>-1 * x</c> → <c>-x</c>.</summary>
        internal static Expr? MulZeroOne(Binary b)
        {
            if (b.Op != BinaryOp.Mul)
            {
                return null;
            }

            if (Ir.IsZero(b.Left) || Ir.IsZero(b.Right))
            {
                return Ir.Lit(0, b.Type);
            }

            // A zero of the user's arithmetic times a finite literal is that zero; times anything else, IEEE decides at run time.
            if ((b.Left is Const { IsValueZero: true } && Ir.IsFiniteLiteral(b.Right)) || (b.Right is Const { IsValueZero: true } && Ir.IsFiniteLiteral(b.Left)))
            {
                return b.Left is Const { IsValueZero: true } ? b.Left : b.Right;
            }

            if (Ir.IsOne(b.Left))
            {
                return b.Right;
            }

            if (Ir.IsOne(b.Right))
            {
                return b.Left;
            }

            if (b.Left is Const { Value: -1 })
            {
                return new Unary(UnaryOp.Neg, b.Right, b.Type);
            }

            if (b.Right is Const { Value: -1 })
            {
                return new Unary(UnaryOp.Neg, b.Left, b.Type);
            }

            return null;
        }

        /// <summary><c>x / 1</c> → <c>x</c>; <c>0 / x</c> → <c>0</c>; <c>a * (1 / b)</c> and <c>(1 / b) * a</c> → <c>a / b</c>.</summary>
        internal static Expr? DivOne(Binary b)
        {
            if (b.Op == BinaryOp.Mul && b.Right is Binary { Op: BinaryOp.Div, Left: Const { Value: 1 } } reciprocal)
            {
                return new Binary(BinaryOp.Div, b.Left, reciprocal.Right, b.Type);
            }

            if (b.Op == BinaryOp.Mul && b.Left is Binary { Op: BinaryOp.Div, Left: Const { Value: 1 } } leftReciprocal)
            {
                return new Binary(BinaryOp.Div, b.Right, leftReciprocal.Right, b.Type);
            }

            if (b.Op != BinaryOp.Div)
            {
                return null;
            }

            if (Ir.IsOne(b.Right))
            {
                return b.Left;
            }

            return Ir.IsZero(b.Left) ? Ir.Lit(0, b.Type) : null;
        }

        /// <summary><c>(-a) * b</c> → <c>-(a * b)</c>, <c>a + (-b)</c> → <c>a - b</c>, <c>a - (-b)</c> → <c>a + b</c>, <c>(-a) + b</c> → <c>b - a</c>.</summary>
        internal static Expr? NegOperands(Binary b)
        {
            switch (b.Op)
            {
                case BinaryOp.Add when b.Right is Unary { Op: UnaryOp.Neg } nr:
                    return new Binary(BinaryOp.Sub, b.Left, nr.Operand, b.Type);
                case BinaryOp.Add when b.Left is Unary { Op: UnaryOp.Neg } nl:
                    return new Binary(BinaryOp.Sub, b.Right, nl.Operand, b.Type);
                case BinaryOp.Sub when b.Right is Unary { Op: UnaryOp.Neg } sr:
                    return new Binary(BinaryOp.Add, b.Left, sr.Operand, b.Type);
                case BinaryOp.Mul or BinaryOp.Div when b.Left is Unary { Op: UnaryOp.Neg } ml && b.Right is Unary { Op: UnaryOp.Neg } mr:
                    return new Binary(b.Op, ml.Operand, mr.Operand, b.Type);
                case BinaryOp.Mul or BinaryOp.Div when b.Left is Unary { Op: UnaryOp.Neg } ml2:
                    return new Unary(UnaryOp.Neg, new Binary(b.Op, ml2.Operand, b.Right, b.Type), b.Type);
                case BinaryOp.Mul or BinaryOp.Div when b.Right is Unary { Op: UnaryOp.Neg } mr2:
                    return new Unary(UnaryOp.Neg, new Binary(b.Op, b.Left, mr2.Operand, b.Type), b.Type);
                default:
                    return null;
            }
        }

        /// <summary><c>x * (c ? 1 : 0)</c> → <c>c ? x : 0</c>: a rule's piecewise partial applied to an adjoint.</summary>
        internal static Expr? MulIntoCond(Binary b)
        {
            if (b.Op != BinaryOp.Mul)
            {
                return null;
            }

            if (b.Right is Cond rc && rc.WhenTrue is Const && rc.WhenFalse is Const)
            {
                return new Cond(rc.Condition, Ir.Mul(b.Left, rc.WhenTrue), Ir.Mul(b.Left, rc.WhenFalse), b.Type);
            }

            if (b.Left is Cond lc && lc.WhenTrue is Const && lc.WhenFalse is Const)
            {
                return new Cond(lc.Condition, Ir.Mul(lc.WhenTrue, b.Right), Ir.Mul(lc.WhenFalse, b.Right), b.Type);
            }

            return null;
        }

        /// <summary>
        /// <c>a*x*0.5 + a*(0.5*x)</c> → <c>a*x</c>: two terms with the same factors (in any order) and constant
        /// coefficients become one. This reassociates, which is fine for derivative code and never applied to the user's.
        /// </summary>
        internal static Expr? CollectLikeTerms(Binary b)
        {
            if (b.Op is not (BinaryOp.Add or BinaryOp.Sub) || !b.Type.IsFloating())
            {
                return null;
            }

            var (c1, f1) = Monomial(b.Left);
            var (c2, f2) = Monomial(b.Right);
            if (f1.Count == 0 || !SameFactors(f1, f2))
            {
                return null;
            }

            double c = b.Op == BinaryOp.Add ? c1 + c2 : c1 - c2;
            Expr product = f1[0];
            for (int i = 1; i < f1.Count; i++)
            {
                product = new Binary(BinaryOp.Mul, product, f1[i], b.Type);
            }

            if (c == 0)
            {
                // x - x is not 0 when x is infinite or NaN: left alone, as SubSelf says.
                return null;
            }

            if (c == 1)
            {
                return product;
            }

            return c == -1 ? new Unary(UnaryOp.Neg, product, b.Type) : new Binary(BinaryOp.Mul, Ir.Lit(c, b.Type), product, b.Type);
        }

        /// <summary>A product as a constant coefficient times a list of other factors.</summary>
        private static (double Coefficient, System.Collections.Generic.List<Expr> Factors) Monomial(Expr e)
        {
            switch (e)
            {
                case Const c when !c.IsValueZero:
                    return (c.Value, new System.Collections.Generic.List<Expr>());
                case Unary { Op: UnaryOp.Neg } neg:
                {
                    var (c, f) = Monomial(neg.Operand);
                    return (-c, f);
                }

                case Binary { Op: BinaryOp.Mul } mul:
                {
                    var (cl, fl) = Monomial(mul.Left);
                    var (cr, fr) = Monomial(mul.Right);
                    fl.AddRange(fr);
                    return (cl * cr, fl);
                }

                default:
                    return (1, new System.Collections.Generic.List<Expr> { e });
            }
        }

        private static bool SameFactors(System.Collections.Generic.List<Expr> a, System.Collections.Generic.List<Expr> b)
        {
            if (a.Count != b.Count)
            {
                return false;
            }

            var remaining = new System.Collections.Generic.List<Expr>(b);
            foreach (var x in a)
            {
                int i = remaining.IndexOf(x);
                if (i < 0)
                {
                    return false;
                }

                remaining.RemoveAt(i);
            }

            return true;
        }

        /// <summary><c>x - x</c> is not rewritten (NaN and infinity); kept as a named rule so the choice is visible.</summary>
        internal static Expr? SubSelf(Binary b) => null;

        /// <summary><c>--x</c> → <c>x</c>.</summary>
        internal static Expr? DoubleNegation(Unary u) =>
            u.Op == UnaryOp.Neg && u.Operand is Unary { Op: UnaryOp.Neg } inner ? inner.Operand : null;

        /// <summary><c>-(3)</c> → <c>-3</c>.</summary>
        internal static Expr? NegConstant(Unary u) =>
            u.Op == UnaryOp.Neg && u.Operand is Const c && u.Type.IsFloating() ? c.WithValue(-c.Value, u.Type) : null;

        /// <summary><c>(float)2.0</c> → <c>2f</c>.</summary>
        internal static Expr? ConvertConstant(Unary u) =>
            u.Op == UnaryOp.Convert && u.Operand is Const c && u.Type.IsFloating() ? c.WithValue(u.Type == ValType.Float ? (float)c.Value : c.Value, u.Type) : null;

        /// <summary><c>true ? a : b</c> → <c>a</c>.</summary>
        internal static Expr? CondConstant(Cond c) => c.Condition is Const k ? (k.Value != 0 ? c.WhenTrue : c.WhenFalse) : null;

        /// <summary><c>c ? a : a</c> → <c>a</c>.</summary>
        internal static Expr? CondSameBranches(Cond c) => c.WhenTrue.Equals(c.WhenFalse) ? c.WhenTrue : null;

        /// <summary><c>Pow(x, 1)</c> → <c>x</c>; <c>Pow(x, 0)</c> → <c>1</c>.</summary>
        internal static Expr? PowOne(Call c)
        {
            if (c.Function != KnownFunction.Pow || c.Args[1] is not Const e)
            {
                return null;
            }

            if (e.Value == 1)
            {
                return c.Args[0];
            }

            return e.Value == 0 ? Ir.Lit(1, c.Type) : null;
        }
    }
}

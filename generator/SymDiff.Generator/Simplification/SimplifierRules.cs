using System;
using System.Linq;
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
            Cond c => CondConstant(c) ?? CondSameBranches(c) ?? CondDecided(c),
            Call c => PowOne(c),
            _ => null,
        };

        /// <summary><c>2 * 3</c> → <c>6</c>: both operands literal.</summary>
        internal static Expr? FoldConstants(Binary b)
        {
            if (b.Left is Const { Type: ValType.Int } li && b.Right is Const { Type: ValType.Int } ri && b.Type == ValType.Int && b.Op is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul)
            {
                // An index made of literals (k + 1 with k known to be 1): folded where C# computes the same int, i.e. where
                // it does not overflow (a checked context would throw there, an unchecked one wrap).
                long a = (long)li.Value, c = (long)ri.Value;
                long sum = b.Op switch { BinaryOp.Add => a + c, BinaryOp.Sub => a - c, _ => a * c };
                return sum is >= int.MinValue and <= int.MaxValue ? Const.Of(sum, ValType.Int) : null;
            }

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

        /// <summary>The most terms <see cref="CollectInSum"/> looks at in one sum (beyond that it leaves the sum alone).</summary>
        private const int MaxSumTerms = 24;

        /// <summary>
        /// In a sum of several terms (<c>a + b - c + ...</c>, any grouping), two terms that are not neighbours:
        /// like terms become one (<c>t - 2*u + t</c> → <c>2*t - 2*u</c>, the adjoint of an element read twice, as in
        /// <c>x[i] * x[i]</c>), and two terms whose constant coefficients have the same magnitude (not 1) share it
        /// (<c>-2*a - 2*b</c> → <c>-2*(a + b)</c>): one multiplication instead of two. Each rewrite removes a term, so
        /// this ends. It reassociates: derivative code only, like <see cref="CollectLikeTerms"/>.
        /// </summary>
        /// <param name="b">The sum.</param>
        /// <param name="frozen">Subexpressions of the user's computation: terms as they are, never taken apart (a shared
        /// forward value stays shared). Applied by <see cref="Simplifier"/> only, which knows them.</param>
        internal static Expr? CollectInSum(Binary b, System.Collections.Generic.ISet<Expr> frozen)
        {
            if (b.Op is not (BinaryOp.Add or BinaryOp.Sub) || !b.Type.IsFloating())
            {
                return null;
            }

            var terms = new System.Collections.Generic.List<(bool Plus, Expr Term)>();
            if (!Flatten(b, true, terms, frozen) || terms.Count < 2)
            {
                return null;
            }

            var monomials = terms.Select(t => Monomial(t.Term)).ToList();
            for (int pass = 0; pass < 2; pass++)
            {
                for (int j = 0; j < terms.Count; j++)
                {
                    for (int k = j + 1; k < terms.Count; k++)
                    {
                        var (cj, fj) = monomials[j];
                        var (ck, fk) = monomials[k];
                        if (pass == 0 && terms[j].Term is Const lj && terms[k].Term is Const lk)
                        {
                            // Two literals: one (2 + x - 1 is 1 + x).
                            double constant = (terms[j].Plus ? lj.Value : -lj.Value) + (terms[k].Plus ? lk.Value : -lk.Value);
                            terms[j] = (constant >= 0, Ir.Lit(Math.Abs(constant), b.Type));
                            terms.RemoveAt(k);
                            return Rebuild(terms, b.Type);
                        }

                        if (fj.Count == 0 || fk.Count == 0)
                        {
                            continue;
                        }

                        double a = terms[j].Plus ? cj : -cj;
                        double c = terms[k].Plus ? ck : -ck;
                        Expr merged;
                        if (pass == 0)
                        {
                            if (a + c == 0 || !SameFactors(fj, fk))
                            {
                                continue;
                            }

                            merged = Scaled(Math.Abs(a + c), Product(fj, b.Type), b.Type);
                            a += c;
                        }
                        else
                        {
                            if (Math.Abs(a) != Math.Abs(c) || Math.Abs(a) == 1 || a == 0 || double.IsNaN(a) || double.IsInfinity(a))
                            {
                                continue;
                            }

                            var inner = new Binary(Math.Sign(a) == Math.Sign(c) ? BinaryOp.Add : BinaryOp.Sub, Product(fj, b.Type), Product(fk, b.Type), b.Type);
                            merged = Scaled(Math.Abs(a), inner, b.Type);
                        }

                        terms[j] = (a > 0, merged);
                        terms.RemoveAt(k);
                        return Rebuild(terms, b.Type);
                    }
                }
            }

            return null;
        }

        private static bool Flatten(Expr e, bool plus, System.Collections.Generic.List<(bool Plus, Expr Term)> into, System.Collections.Generic.ISet<Expr> frozen)
        {
            if (into.Count > MaxSumTerms)
            {
                return false;
            }

            if (e is Binary { Op: BinaryOp.Add or BinaryOp.Sub } s && s.Type == e.Type && !frozen.Contains(e))
            {
                return Flatten(s.Left, plus, into, frozen) && Flatten(s.Right, s.Op == BinaryOp.Add ? plus : !plus, into, frozen);
            }

            into.Add((plus, e));
            return true;
        }

        private static Expr Rebuild(System.Collections.Generic.List<(bool Plus, Expr Term)> terms, ValType type)
        {
            Expr sum = terms[0].Plus ? terms[0].Term : new Unary(UnaryOp.Neg, terms[0].Term, type);
            for (int m = 1; m < terms.Count; m++)
            {
                sum = new Binary(terms[m].Plus ? BinaryOp.Add : BinaryOp.Sub, sum, terms[m].Term, type);
            }

            return sum;
        }

        private static Expr Product(System.Collections.Generic.List<Expr> factors, ValType type)
        {
            Expr product = factors[0];
            for (int i = 1; i < factors.Count; i++)
            {
                product = new Binary(BinaryOp.Mul, product, factors[i], type);
            }

            return product;
        }

        private static Expr Scaled(double magnitude, Expr e, ValType type) => magnitude == 1 ? e : new Binary(BinaryOp.Mul, Ir.Lit(magnitude, type), e, type);

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

        /// <summary>
        /// <c>c ? (c ? a : b) / d : e</c> → <c>c ? a / d : e</c>: inside either arm, a selection on the same condition is
        /// decided (a gated tangent term inside a gated term, FINDINGS F86).
        /// </summary>
        internal static Expr? CondDecided(Cond c)
        {
            if (c.Condition is Const || !(Selects(c.WhenTrue, c.Condition) || Selects(c.WhenFalse, c.Condition)))
            {
                return null;
            }

            return new Cond(c.Condition, Decide(c.WhenTrue, c.Condition, true), Decide(c.WhenFalse, c.Condition, false), c.Type);

            static bool Selects(Expr e, Expr condition) => Walk.Contains(e, x => x is Cond inner && inner.Condition.Equals(condition));
            static Expr Decide(Expr e, Expr condition, bool value) =>
                Walk.Transform(e, x => x is Cond inner && inner.Condition.Equals(condition) ? (value ? inner.WhenTrue : inner.WhenFalse) : x);
        }

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

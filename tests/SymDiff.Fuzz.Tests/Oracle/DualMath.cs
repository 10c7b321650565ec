using System;
using System.Numerics;

namespace SymDiff.Fuzz.Tests.Oracle
{
    /// <summary>
    /// The oracle's <c>Math</c>: every function SymDiff supports, over <see cref="Dual{T}"/> and <see cref="HyperDual"/>.
    /// Values come from <typeparamref name="T"/>'s own functions (the same as <c>Math</c> for double and <c>MathF</c>
    /// for float), derivatives from textbook formulas, and the conventions at non-differentiable points are API.md's:
    /// <c>Abs'(0) = 0</c>; <c>Max</c>/<c>Min</c> send the derivative to the first argument on a tie; <c>Sqrt'(0) = +inf</c>;
    /// <c>Clamp(x, lo, hi)</c> to x strictly inside, to the bound hit otherwise; <c>Pow(x, c)</c> with c inactive is
    /// <c>c x^(c-1)</c> (no log term); piecewise-constant functions and <c>Detach</c> have a zero derivative.
    /// </summary>
    public static partial class DM
    {
        private static double D<T>(T v) where T : IFloatingPointIeee754<T> => double.CreateTruncating(v);

        public static Dual<T> Sin<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Rule(x, T.Sin(x.V), Math.Cos(x.Vd));

        public static Dual<T> Cos<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Rule(x, T.Cos(x.V), -Math.Sin(x.Vd));

        public static Dual<T> Tan<T>(Dual<T> x) where T : IFloatingPointIeee754<T>
        {
            double c = Math.Cos(x.Vd);
            return Rule(x, T.Tan(x.V), 1 / (c * c));
        }

        public static Dual<T> Asin<T>(Dual<T> x) where T : IFloatingPointIeee754<T>
        {
            double v = x.Vd;
            double p = 1 / Math.Sqrt(1 - (v * v));
            return x.Chain(T.Asin(x.V), p, Math.Abs(p) * (1 + (v * v)) / Math.Abs(1 - (v * v)), Partial.Rule);
        }

        public static Dual<T> Acos<T>(Dual<T> x) where T : IFloatingPointIeee754<T>
        {
            double v = x.Vd;
            double p = -1 / Math.Sqrt(1 - (v * v));
            return x.Chain(T.Acos(x.V), p, Math.Abs(p) * (1 + (v * v)) / Math.Abs(1 - (v * v)), Partial.Rule);
        }

        public static Dual<T> Atan<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Rule(x, T.Atan(x.V), 1 / (1 + (x.Vd * x.Vd)));

        public static Dual<T> Atan2<T>(Dual<T> y, Dual<T> x) where T : IFloatingPointIeee754<T>
        {
            double yv = y.Vd, xv = x.Vd;
            double r2 = (xv * xv) + (yv * yv);
            return Rule2(T.Atan2(y.V, x.V), y, xv / r2, x, -yv / r2);
        }

        public static Dual<T> Sinh<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Rule(x, T.Sinh(x.V), Math.Cosh(x.Vd));

        public static Dual<T> Cosh<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Rule(x, T.Cosh(x.V), Math.Sinh(x.Vd));

        // asinh' = 1/sqrt(x^2 + 1); acosh' = 1/sqrt(x^2 - 1) and atanh' = 1/(1 - x^2), whose 1 -+ x^2 cancels near the
        // ends of their domains (the magnitude, as for Asin, says how far the computed derivative may be off).
        public static Dual<T> Asinh<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Rule(x, T.Asinh(x.V), 1 / Math.Sqrt((x.Vd * x.Vd) + 1));

        public static Dual<T> Acosh<T>(Dual<T> x) where T : IFloatingPointIeee754<T>
        {
            double v = x.Vd;
            double p = 1 / Math.Sqrt((v * v) - 1);
            return x.Chain(T.Acosh(x.V), p, Math.Abs(p) * (1 + (v * v)) / Math.Abs((v * v) - 1), Partial.Rule);
        }

        public static Dual<T> Atanh<T>(Dual<T> x) where T : IFloatingPointIeee754<T>
        {
            double v = x.Vd;
            double p = 1 / (1 - (v * v));
            return x.Chain(T.Atanh(x.V), p, Math.Abs(p) * (1 + (v * v)) / Math.Abs(1 - (v * v)), Partial.Rule);
        }

        public static Dual<T> Tanh<T>(Dual<T> x) where T : IFloatingPointIeee754<T>
        {
            // 1/cosh^2, with the magnitude of 1 + tanh^2: the terms of the usual 1 - tanh^2, which cancels in saturation.
            double c = Math.Cosh(x.Vd);
            double t = Math.Tanh(x.Vd);
            return x.Chain(T.Tanh(x.V), 1 / (c * c), 1 + (t * t), Partial.Rule);
        }

        public static Dual<T> Exp<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Rule(x, T.Exp(x.V), Math.Exp(x.Vd));

        public static Dual<T> Log<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Rule(x, T.Log(x.V), 1 / x.Vd);

        public static Dual<T> Log<T>(Dual<T> x, Dual<T> b) where T : IFloatingPointIeee754<T>
        {
            double xv = x.Vd, bv = b.Vd;
            double lnB = Math.Log(bv);
            return Rule2(T.Log(x.V, b.V), x, 1 / (xv * lnB), b, -Math.Log(xv) / (bv * lnB * lnB));
        }

        public static Dual<T> Log2<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Rule(x, T.Log2(x.V), 1 / (x.Vd * Math.Log(2)));

        public static Dual<T> Log10<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Rule(x, T.Log10(x.V), 1 / (x.Vd * Math.Log(10)));

        public static Dual<T> Pow<T>(Dual<T> x, Dual<T> y) where T : IFloatingPointIeee754<T>
        {
            double xv = x.Vd, yv = y.Vd;
            T value = T.Pow(x.V, y.V);

            // Zero where the power is constant in that argument (x^0 = 1; 0^y for y >= 0), as PyTorch: not 0 * inf.
            double dx = yv == 0 ? 0 : yv * Math.Pow(xv, yv - 1);
            var result = new Dual<T>(value, 0, 0).Plus(x, dx, Math.Abs(dx), Partial.Rule);

            // The log term only when the exponent is active (API.md section 7).
            double dy = xv == 0 && yv >= 0 ? 0 : D(value) * Math.Log(xv);
            return y.IsStructuralZero ? result : result.Plus(y, dy, Math.Abs(dy), Partial.Rule);
        }

        public static Dual<T> Sqrt<T>(Dual<T> x) where T : IFloatingPointIeee754<T>
        {
            T r = T.Sqrt(x.V);
            return Rule(x, r, 0.5 / D(r));
        }

        public static Dual<T> Cbrt<T>(Dual<T> x) where T : IFloatingPointIeee754<T>
        {
            T r = T.Cbrt(x.V);
            double rd = D(r);
            return Rule(x, r, 1 / (3 * rd * rd));
        }

        public static Dual<T> Abs<T>(Dual<T> x) where T : IFloatingPointIeee754<T> =>
            x.Chain(T.Abs(x.V), x.V > T.Zero ? 1 : x.V < T.Zero ? -1 : 0, 1, Partial.Rule);

        public static Dual<T> Max<T>(Dual<T> a, Dual<T> b) where T : IFloatingPointIeee754<T> =>
            Pick(T.Max(a.V, b.V), a.V >= b.V ? 0 : 1, a, b);

        public static Dual<T> Min<T>(Dual<T> a, Dual<T> b) where T : IFloatingPointIeee754<T> =>
            Pick(T.Min(a.V, b.V), a.V <= b.V ? 0 : 1, a, b);

        public static Dual<T> Clamp<T>(Dual<T> x, Dual<T> lo, Dual<T> hi) where T : IFloatingPointIeee754<T> =>
            Pick(x.V < lo.V ? lo.V : x.V > hi.V ? hi.V : x.V, // Math.Clamp's order (Math.Clamp(-0.0, 0.0, 1.0) is -0.0, INumber's Clamp gives +0.0)
                 x.V > lo.V && x.V < hi.V ? 0 : x.V <= lo.V ? 1 : 2, x, lo, hi);

        /// <summary><c>double.Clamp</c> (INumber's): <c>double.Clamp(-0.0, 0.0, 1.0)</c> is +0 where <c>Math.Clamp</c> gives -0; the same derivative.</summary>
        public static Dual<T> ClampNumber<T>(Dual<T> x, Dual<T> lo, Dual<T> hi) where T : IFloatingPointIeee754<T> =>
            Pick(T.Clamp(x.V, lo.V, hi.V), x.V > lo.V && x.V < hi.V ? 0 : x.V <= lo.V ? 1 : 2, x, lo, hi);

        public static Dual<T> FusedMultiplyAdd<T>(Dual<T> a, Dual<T> b, Dual<T> c) where T : IFloatingPointIeee754<T> =>
            new Dual<T>(T.FusedMultiplyAdd(a.V, b.V, c.V), 0, 0)
                .Plus(a, b.Vd, b.Vd, Partial.Value).Plus(b, a.Vd, a.Vd, Partial.Value).Plus(c, 1, 1, Partial.Value);

        public static Dual<T> Floor<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Dual<T>.C(T.Floor(x.V));

        public static Dual<T> Ceiling<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Dual<T>.C(T.Ceiling(x.V));

        public static Dual<T> Round<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Dual<T>.C(T.Round(x.V));

        public static Dual<T> Round<T>(Dual<T> x, int digits) where T : IFloatingPointIeee754<T> => Dual<T>.C(T.Round(x.V, digits));

        public static Dual<T> Round<T>(Dual<T> x, MidpointRounding mode) where T : IFloatingPointIeee754<T> => Dual<T>.C(T.Round(x.V, mode));

        public static Dual<T> Round<T>(Dual<T> x, int digits, MidpointRounding mode) where T : IFloatingPointIeee754<T> => Dual<T>.C(T.Round(x.V, digits, mode));

        public static Dual<T> Truncate<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Dual<T>.C(T.Truncate(x.V));

        public static int Sign<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => T.Sign(x.V);

        /// <summary><c>(double)x</c> of a float value (the implicit widening of a float argument of a double <c>Math</c> function).</summary>
        public static Dual<double> ToDouble(Dual<float> x) => x.To<double>();

        /// <summary><c>(float)x</c> of a double value (a double <c>Math</c> function's result cast back in a float method).</summary>
        public static Dual<float> ToFloat(Dual<double> x) => x.To<float>();

        /// <summary><c>Grad.Detach</c>: the value, no derivative.</summary>
        public static Dual<T> Detach<T>(Dual<T> x) where T : IFloatingPointIeee754<T> => Dual<T>.C(x.V);

        /// <summary>A copy of <paramref name="xs"/> with no derivative: what a callee's [NoGrad] span parameter sees.</summary>
        public static Dual<T>[] Detach<T>(Dual<T>[] xs) where T : IFloatingPointIeee754<T> => Array.ConvertAll(xs, x => Dual<T>.C(x.V));

        /// <summary>A unary rule with partial <paramref name="p"/> (its own magnitude).</summary>
        public static Dual<T> Rule<T>(Dual<T> x, T value, double p) where T : IFloatingPointIeee754<T> => x.Chain(value, p, Math.Abs(p), Partial.Rule);

        /// <summary>A two-argument rule.</summary>
        public static Dual<T> Rule2<T>(T value, Dual<T> a, double pa, Dual<T> b, double pb) where T : IFloatingPointIeee754<T> =>
            new Dual<T>(value, 0, 0).Plus(a, pa, Math.Abs(pa), Partial.Rule).Plus(b, pb, Math.Abs(pb), Partial.Rule);

        private static Dual<T> Pick<T>(T value, int chosen, params Dual<T>[] args) where T : IFloatingPointIeee754<T>
        {
            var result = new Dual<T>(value, 0, 0);
            for (int i = 0; i < args.Length; i++)
            {
                result = result.Plus(args[i], i == chosen ? 1 : 0, i == chosen ? 1 : 0, Partial.StructuralZero);
            }

            return result;
        }
    }
}

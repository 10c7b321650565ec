using System;

namespace SymDiff.Fuzz.Tests.Oracle
{
    /// <summary>
    /// A hyper-dual number <c>v + a e1 + b e2 + ab e1e2</c> (e1² = e2² = 0): with e1 seeded along direction i and e2
    /// along j, <see cref="AB"/> is the second derivative H_ij. The magnitudes <see cref="MA"/>, <see cref="MB"/> and
    /// <see cref="MAB"/> bound the terms summed into each part, as in <see cref="Dual{T}"/>. Double precision only.
    /// A non-finite derivative part marks the number ambiguous (<see cref="MAB"/> = NaN): second order is compared on
    /// finite values only.
    /// </summary>
    public readonly struct HyperDual
    {
        public HyperDual(double v, double a, double b, double ab, double ma, double mb, double mab)
        {
            if (!double.IsFinite(v))
            {
                OracleFlags.NonFiniteValue = true;
                OracleFlags.ValueOverflow = true;
            }

            V = v;
            A = a;
            B = b;
            AB = ab;
            MA = ma;
            MB = mb;
            MAB = double.IsFinite(a) && double.IsFinite(b) && double.IsFinite(ab) ? mab : double.NaN;
        }

        public double V { get; }

        public double A { get; }

        public double B { get; }

        public double AB { get; }

        public double MA { get; }

        public double MB { get; }

        public double MAB { get; }

        public static HyperDual C(double v) => new HyperDual(v, 0, 0, 0, 0, 0, 0);

        public static HyperDual Var(double v, double a, double b) => new HyperDual(v, a, b, 0, Math.Abs(a), Math.Abs(b), 0);

        public static implicit operator HyperDual(double v) => C(v);

        public static HyperDual operator +(HyperDual x, HyperDual y) =>
            new HyperDual(x.V + y.V, x.A + y.A, x.B + y.B, x.AB + y.AB, x.MA + y.MA, x.MB + y.MB, x.MAB + y.MAB);

        public static HyperDual operator -(HyperDual x, HyperDual y) =>
            new HyperDual(x.V - y.V, x.A - y.A, x.B - y.B, x.AB - y.AB, x.MA + y.MA, x.MB + y.MB, x.MAB + y.MAB);

        public static HyperDual operator -(HyperDual x) => new HyperDual(-x.V, -x.A, -x.B, -x.AB, x.MA, x.MB, x.MAB);

        public static HyperDual operator +(HyperDual x) => x;

        public static HyperDual operator *(HyperDual x, HyperDual y) => Product(x.V * y.V, x, y);

        public static HyperDual operator /(HyperDual x, HyperDual y)
        {
            double yv = y.V;
            HyperDual reciprocal = y.Chain(1 / yv, -1 / (yv * yv), 2 / (yv * yv * yv));
            return Product(x.V / y.V, x, reciprocal);
        }

        /// <summary><c>x % y = x - trunc(x / y) * y</c>: first partials 1 and -trunc(x / y), second partials 0 (trunc is piecewise constant).</summary>
        public static HyperDual operator %(HyperDual x, HyperDual y) => Chain2(x.V % y.V, x, y, 1, -Math.Truncate(x.V / y.V), 0, 0, 0);

        public static bool operator <(HyperDual x, HyperDual y) => x.V < y.V;

        public static bool operator >(HyperDual x, HyperDual y) => x.V > y.V;

        public static bool operator <=(HyperDual x, HyperDual y) => x.V <= y.V;

        public static bool operator >=(HyperDual x, HyperDual y) => x.V >= y.V;

        public static bool operator ==(HyperDual x, HyperDual y) => x.V == y.V;

        public static bool operator !=(HyperDual x, HyperDual y) => x.V != y.V;

        public override bool Equals(object? obj) => obj is HyperDual h && h.V == V && h.A == A && h.B == B && h.AB == AB;

        public override int GetHashCode() => V.GetHashCode();

        public override string ToString() => $"{V} + {A}e1 + {B}e2 + {AB}e1e2";

        /// <summary>f(this) with f' = <paramref name="p"/> and f'' = <paramref name="pp"/>.</summary>
        public HyperDual Chain(double value, double p, double pp) =>
            new HyperDual(
                value,
                p * A,
                p * B,
                (pp * A * B) + (p * AB),
                Math.Abs(p) * MA,
                Math.Abs(p) * MB,
                (Math.Abs(pp) * MA * MB) + (Math.Abs(p) * MAB));

        /// <summary>f(x, y) with first partials fx, fy and second partials fxx, fxy, fyy.</summary>
        public static HyperDual Chain2(double value, HyperDual x, HyperDual y, double fx, double fy, double fxx, double fxy, double fyy) =>
            new HyperDual(
                value,
                (fx * x.A) + (fy * y.A),
                (fx * x.B) + (fy * y.B),
                (fxx * x.A * x.B) + (fxy * ((x.A * y.B) + (x.B * y.A))) + (fyy * y.A * y.B) + (fx * x.AB) + (fy * y.AB),
                (Math.Abs(fx) * x.MA) + (Math.Abs(fy) * y.MA),
                (Math.Abs(fx) * x.MB) + (Math.Abs(fy) * y.MB),
                (Math.Abs(fxx) * x.MA * x.MB) + (Math.Abs(fxy) * ((x.MA * y.MB) + (x.MB * y.MA))) + (Math.Abs(fyy) * y.MA * y.MB)
                    + (Math.Abs(fx) * x.MAB) + (Math.Abs(fy) * y.MAB));

        private static HyperDual Product(double value, HyperDual x, HyperDual y) =>
            new HyperDual(
                value,
                (x.A * y.V) + (x.V * y.A),
                (x.B * y.V) + (x.V * y.B),
                (x.AB * y.V) + (x.A * y.B) + (x.B * y.A) + (x.V * y.AB),
                (x.MA * Math.Abs(y.V)) + (Math.Abs(x.V) * y.MA),
                (x.MB * Math.Abs(y.V)) + (Math.Abs(x.V) * y.MB),
                (x.MAB * Math.Abs(y.V)) + (x.MA * y.MB) + (x.MB * y.MA) + (Math.Abs(x.V) * y.MAB));
    }

    /// <content>The same functions over <see cref="HyperDual"/>, with second derivatives.</content>
    public static partial class DM
    {
        public static HyperDual Sin(HyperDual x) => x.Chain(Math.Sin(x.V), Math.Cos(x.V), -Math.Sin(x.V));

        public static HyperDual Cos(HyperDual x) => x.Chain(Math.Cos(x.V), -Math.Sin(x.V), -Math.Cos(x.V));

        public static HyperDual Tan(HyperDual x)
        {
            double t = Math.Tan(x.V);
            double p = 1 + (t * t);
            return x.Chain(t, p, 2 * t * p);
        }

        public static HyperDual Asin(HyperDual x)
        {
            double s = 1 - (x.V * x.V);
            return x.Chain(Math.Asin(x.V), 1 / Math.Sqrt(s), x.V / (s * Math.Sqrt(s)));
        }

        public static HyperDual Acos(HyperDual x)
        {
            double s = 1 - (x.V * x.V);
            return x.Chain(Math.Acos(x.V), -1 / Math.Sqrt(s), -x.V / (s * Math.Sqrt(s)));
        }

        public static HyperDual Atan(HyperDual x)
        {
            double s = 1 + (x.V * x.V);
            return x.Chain(Math.Atan(x.V), 1 / s, -2 * x.V / (s * s));
        }

        public static HyperDual Atan2(HyperDual y, HyperDual x)
        {
            double r2 = (x.V * x.V) + (y.V * y.V);
            double r4 = r2 * r2;

            // f(y, x): fy = x/r², fx = -y/r², fyy = -2xy/r⁴, fxx = 2xy/r⁴, fxy = (y² - x²)/r⁴.
            return HyperDual.Chain2(Math.Atan2(y.V, x.V), y, x, x.V / r2, -y.V / r2, -2 * x.V * y.V / r4, ((y.V * y.V) - (x.V * x.V)) / r4, 2 * x.V * y.V / r4);
        }

        public static HyperDual Sinh(HyperDual x) => x.Chain(Math.Sinh(x.V), Math.Cosh(x.V), Math.Sinh(x.V));

        public static HyperDual Cosh(HyperDual x) => x.Chain(Math.Cosh(x.V), Math.Sinh(x.V), Math.Cosh(x.V));

        // asinh: f' = (x^2 + 1)^(-1/2), f'' = -x (x^2 + 1)^(-3/2); acosh: f' = (x^2 - 1)^(-1/2), f'' = -x (x^2 - 1)^(-3/2);
        // atanh: f' = 1/(1 - x^2), f'' = 2x/(1 - x^2)^2.
        public static HyperDual Asinh(HyperDual x)
        {
            double s = (x.V * x.V) + 1;
            return x.Chain(Math.Asinh(x.V), 1 / Math.Sqrt(s), -x.V / (s * Math.Sqrt(s)));
        }

        public static HyperDual Acosh(HyperDual x)
        {
            double s = (x.V * x.V) - 1;
            return x.Chain(Math.Acosh(x.V), 1 / Math.Sqrt(s), -x.V / (s * Math.Sqrt(s)));
        }

        public static HyperDual Atanh(HyperDual x)
        {
            double s = 1 - (x.V * x.V);
            return x.Chain(Math.Atanh(x.V), 1 / s, 2 * x.V / (s * s));
        }

        public static HyperDual Tanh(HyperDual x)
        {
            double t = Math.Tanh(x.V);
            double p = 1 - (t * t);
            return x.Chain(t, p, -2 * t * p);
        }

        public static HyperDual Exp(HyperDual x)
        {
            double e = Math.Exp(x.V);
            return x.Chain(e, e, e);
        }

        public static HyperDual Log(HyperDual x) => x.Chain(Math.Log(x.V), 1 / x.V, -1 / (x.V * x.V));

        public static HyperDual Log(HyperDual x, HyperDual b)
        {
            double lx = Math.Log(x.V), lb = Math.Log(b.V);
            double fx = 1 / (x.V * lb);
            double fb = -lx / (b.V * lb * lb);
            double fxx = -1 / (x.V * x.V * lb);
            double fxb = -1 / (x.V * b.V * lb * lb);
            double fbb = lx * (lb + 2) / (b.V * b.V * lb * lb * lb);
            return HyperDual.Chain2(Math.Log(x.V, b.V), x, b, fx, fb, fxx, fxb, fbb);
        }

        public static HyperDual Log2(HyperDual x) => x.Chain(Math.Log2(x.V), 1 / (x.V * Math.Log(2)), -1 / (x.V * x.V * Math.Log(2)));

        public static HyperDual Log10(HyperDual x) => x.Chain(Math.Log10(x.V), 1 / (x.V * Math.Log(10)), -1 / (x.V * x.V * Math.Log(10)));

        public static HyperDual Pow(HyperDual x, HyperDual y)
        {
            double r = Math.Pow(x.V, y.V);
            double c = y.V;
            bool exponentActive = y.A != 0 || y.B != 0 || y.AB != 0 || y.MA != 0 || y.MB != 0;
            // Zero where the power is constant in that argument (x^0 = 1, x^1's second derivative; 0^y for y >= 0), as
            // PyTorch and the generator write it: not 0 * inf.
            double fx = c == 0 ? 0 : c * Math.Pow(x.V, c - 1);
            double fxx = c == 0 || c == 1 ? 0 : c * (c - 1) * Math.Pow(x.V, c - 2);
            if (!exponentActive)
            {
                return x.Chain(r, fx, fxx);
            }

            double ln = Math.Log(x.V);
            double fy = x.V == 0 && c >= 0 ? 0 : r * ln;
            double fxy = Math.Pow(x.V, c - 1) * (1 + (c * ln));
            double fyy = r * ln * ln;
            return HyperDual.Chain2(r, x, y, fx, fy, fxx, fxy, fyy);
        }

        public static HyperDual Sqrt(HyperDual x)
        {
            double r = Math.Sqrt(x.V);
            return x.Chain(r, 0.5 / r, -0.25 / (r * x.V));
        }

        public static HyperDual Cbrt(HyperDual x)
        {
            double r = Math.Cbrt(x.V);
            return x.Chain(r, 1 / (3 * r * r), -2 / (9 * r * r * r * r * r));
        }

        public static HyperDual Abs(HyperDual x) => x.Chain(Math.Abs(x.V), x.V > 0 ? 1 : x.V < 0 ? -1 : 0, 0);

        public static HyperDual Max(HyperDual a, HyperDual b) => a.V >= b.V ? Keep(Math.Max(a.V, b.V), a) : Keep(Math.Max(a.V, b.V), b);

        public static HyperDual Min(HyperDual a, HyperDual b) => a.V <= b.V ? Keep(Math.Min(a.V, b.V), a) : Keep(Math.Min(a.V, b.V), b);

        public static HyperDual Clamp(HyperDual x, HyperDual lo, HyperDual hi)
        {
            double value = Math.Clamp(x.V, lo.V, hi.V);
            return x.V > lo.V && x.V < hi.V ? Keep(value, x) : x.V <= lo.V ? Keep(value, lo) : Keep(value, hi);
        }

        /// <summary><c>double.Clamp</c>: +0 where <c>Math.Clamp</c> gives -0 (<see cref="DualMath.ClampNumber{T}"/>).</summary>
        public static HyperDual ClampNumber(HyperDual x, HyperDual lo, HyperDual hi)
        {
            double value = double.Clamp(x.V, lo.V, hi.V);
            return x.V > lo.V && x.V < hi.V ? Keep(value, x) : x.V <= lo.V ? Keep(value, lo) : Keep(value, hi);
        }

        public static HyperDual FusedMultiplyAdd(HyperDual a, HyperDual b, HyperDual c)
        {
            HyperDual sum = (a * b) + c;
            return new HyperDual(Math.FusedMultiplyAdd(a.V, b.V, c.V), sum.A, sum.B, sum.AB, sum.MA, sum.MB, sum.MAB);
        }

        public static HyperDual Floor(HyperDual x) => HyperDual.C(Math.Floor(x.V));

        public static HyperDual Ceiling(HyperDual x) => HyperDual.C(Math.Ceiling(x.V));

        public static HyperDual Round(HyperDual x) => HyperDual.C(Math.Round(x.V));

        public static HyperDual Round(HyperDual x, int digits) => HyperDual.C(Math.Round(x.V, digits));

        public static HyperDual Round(HyperDual x, MidpointRounding mode) => HyperDual.C(Math.Round(x.V, mode));

        public static HyperDual Round(HyperDual x, int digits, MidpointRounding mode) => HyperDual.C(Math.Round(x.V, digits, mode));

        public static HyperDual Truncate(HyperDual x) => HyperDual.C(Math.Truncate(x.V));

        public static int Sign(HyperDual x) => Math.Sign(x.V);

        public static HyperDual Detach(HyperDual x) => HyperDual.C(x.V);

        public static HyperDual[] Detach(HyperDual[] xs) => Array.ConvertAll(xs, x => HyperDual.C(x.V));

        private static HyperDual Keep(double value, HyperDual x) => new HyperDual(value, x.A, x.B, x.AB, x.MA, x.MB, x.MAB);
    }
}

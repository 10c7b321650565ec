using System;
using System.Numerics;

namespace SymDiff.Fuzz.Tests.Oracle
{
    /// <summary>
    /// A forward-mode dual number, the fuzzer's oracle: <see cref="V"/> is computed with exactly the operations of the
    /// user's method in its own precision <typeparamref name="T"/> (so branches go the same way), the tangent
    /// <see cref="D"/> in <c>double</c> by the chain rule, and <see cref="M"/> bounds the magnitude of the terms summed
    /// into the tangent (the same recurrences on absolute values), which sets the tolerance of a comparison.
    /// </summary>
    /// <remarks>Independent of the generator: no SymDiff IR, only operator overloading over the rendered statements.</remarks>
    public readonly struct Dual<T> where T : IFloatingPointIeee754<T>
    {
        public Dual(T v, double d, double m)
            : this(v, d, m, reached: false)
        {
        }

        private Dual(T v, double d, double m, bool reached)
        {
            Reached = reached;
            if (!T.IsFinite(v))
            {
                OracleFlags.NonFiniteValue = true;
                OracleFlags.ValueOverflow = true;
            }

            V = v;
            D = d;

            // A float method computes its tangents in float: where the terms of one leave float's range, the generated
            // code's may overflow although the double sum here cancels to a finite value (FINDINGS F67), so the
            // contract leaves it open.
            M = typeof(T) == typeof(float) && double.IsFinite(m) && m > float.MaxValue ? double.NaN : m;
        }

        /// <summary>The value, in the method's precision.</summary>
        public T V { get; }

        /// <summary>The tangent (directional derivative).</summary>
        public double D { get; }

        /// <summary>Sum of the magnitudes of the terms that make up <see cref="D"/>; never less than |D|.</summary>
        public double M { get; }

        /// <summary>Whether a seed reaches this value through some derivative path (its zero tangent is then a computed zero).</summary>
        public bool Reached { get; }

        /// <summary>A constant: zero tangent.</summary>
        public static Dual<T> C(T v) => new Dual<T>(v, 0, 0);

        /// <summary>A variable with tangent <paramref name="d"/>.</summary>
        public static Dual<T> Var(T v, double d) => new Dual<T>(v, d, Math.Abs(d), reached: true);

        public static implicit operator Dual<T>(T v) => C(v);

        /// <summary>
        /// The same number in another precision, as a cast in the user's code: the value converted as C# converts it
        /// (rounded to nearest), the tangent and its magnitude kept (a cast's derivative is 1).
        /// </summary>
        public Dual<TOut> To<TOut>() where TOut : IFloatingPointIeee754<TOut> => new Dual<TOut>(TOut.CreateTruncating(V), D, M, Reached);

        public double Vd => double.CreateTruncating(V);

        public static Dual<T> operator +(Dual<T> a, Dual<T> b) => Combine(a.V + b.V, a, 1, 1, b, 1, 1);

        public static Dual<T> operator -(Dual<T> a, Dual<T> b) => Combine(a.V - b.V, a, 1, 1, b, -1, 1);

        public static Dual<T> operator -(Dual<T> a) => new Dual<T>(-a.V, -a.D, a.M, a.Reached);

        public static Dual<T> operator +(Dual<T> a) => a;

        public static Dual<T> operator *(Dual<T> a, Dual<T> b) => Combine(a.V * b.V, a, b.Vd, b.Vd, b, a.Vd, a.Vd);

        public static Dual<T> operator /(Dual<T> a, Dual<T> b)
        {
            // (a/b)' = a'/b - (a/b) b'/b
            T value = a.V / b.V;
            double bv = b.Vd;
            double q = double.CreateTruncating(value);
            return Combine(value, a, 1 / bv, 1 / bv, b, -q / bv, q / bv);
        }

        /// <summary>
        /// <c>a % b</c>, which API.md differentiates as <c>a - trunc(a / b) * b</c>: d/da = 1, d/db = -trunc(a / b), the
        /// quotient truncated in the method's precision, as the generated code computes it (away from the jumps, where
        /// the remainder is continuous, this is the derivative; at a jump both sides use the same convention).
        /// </summary>
        /// <remarks>A zero quotient is the rule's computed zero (like <c>Abs'(0)</c>), not the user's value.</remarks>
        public static Dual<T> operator %(Dual<T> a, Dual<T> b)
        {
            double q = double.CreateTruncating(T.Truncate(a.V / b.V));
            return new Dual<T>(a.V % b.V, 0, 0).Plus(a, 1, 1, Partial.Value).Plus(b, -q, q, Partial.Rule);
        }

        public static bool operator <(Dual<T> a, Dual<T> b) => a.V < b.V;

        public static bool operator >(Dual<T> a, Dual<T> b) => a.V > b.V;

        public static bool operator <=(Dual<T> a, Dual<T> b) => a.V <= b.V;

        public static bool operator >=(Dual<T> a, Dual<T> b) => a.V >= b.V;

        /// <summary>Value equality, as the user's <c>==</c> on the values.</summary>
        public static bool operator ==(Dual<T> a, Dual<T> b) => a.V == b.V;

        public static bool operator !=(Dual<T> a, Dual<T> b) => a.V != b.V;

        public override bool Equals(object? obj) => obj is Dual<T> d && d.V == V && d.D.Equals(D);

        public override int GetHashCode() => V.GetHashCode();

        public override string ToString() => $"{V} + {D}e (|{M}|)";

        /// <summary>Whether no seed reaches this value: its tangent is a structural zero, not a computed one.</summary>
        /// <remarks>
        /// Not the same as a zero tangent: a product with a zero of the user's computation (a <c>[NoGrad]</c> input that
        /// is 0) has a computed zero tangent, which IEEE then multiplies (0 * inf is NaN), as the generated code does.
        /// </remarks>
        public bool IsStructuralZero => !Reached;

        /// <summary>Whether the contract leaves this tangent open (an infinite partial met a zero tangent): not compared.</summary>
        public bool IsAmbiguous => double.IsNaN(M);

        /// <summary>
        /// Chain rule for a unary function: partial <paramref name="p"/> whose terms have magnitude
        /// <paramref name="pm"/>; <paramref name="kind"/> says what a zero partial means.
        /// </summary>
        public Dual<T> Chain(T value, double p, double pm, Partial kind) => new Dual<T>(value, 0, 0).Plus(this, p, pm, kind);

        /// <summary>This plus <paramref name="p"/> times the tangent of <paramref name="x"/>.</summary>
        /// <remarks>
        /// The contract's conventions for non-finite values: a tangent no seed reaches contributes nothing (a
        /// structural zero), and so does a rule's structural zero partial (piecewise-constant functions, Detach, the
        /// argument of Max/Min/Clamp not taken). Where the contract leaves the result open (an infinite partial times
        /// a computed zero tangent, a computed zero partial such as Abs'(0) or a value 0 of the user's arithmetic
        /// times an infinite tangent) the result is marked ambiguous (<see cref="M"/> = NaN) and not compared: forward
        /// mode meets 0 * inf (NaN) where reverse mode, multiplying in the other order, may meet the infinite partial
        /// only on another path (+inf, as PyTorch's backward gives; FINDINGS F29).
        /// </remarks>
        public Dual<T> Plus(Dual<T> x, double p, double pm, Partial kind)
        {
            if (!double.IsFinite(p))
            {
                OracleFlags.NonFiniteValue = true;
            }

            if (x.IsStructuralZero || (kind == Partial.StructuralZero && p == 0))
            {
                return this;
            }

            if (double.IsNaN(x.M) || double.IsNaN(M) || (!double.IsFinite(p) && x.D == 0) || (p == 0 && kind != Partial.StructuralZero && !double.IsFinite(x.D)))
            {
                return new Dual<T>(V, D, double.NaN, reached: true);
            }

            double term = p * x.D;
            double mag = double.IsFinite(term) && double.IsFinite(x.M) ? x.M * Math.Abs(pm) : double.PositiveInfinity;
            return new Dual<T>(V, D + term, M + mag, reached: true);
        }

        private static Dual<T> Combine(T value, Dual<T> a, double pa, double pma, Dual<T> b, double pb, double pmb) =>
            new Dual<T>(value, 0, 0).Plus(a, pa, pma, Partial.Value).Plus(b, pb, pmb, Partial.Value);
    }

    /// <summary>Set when a value the oracle computes overflows (or is NaN), or a partial derivative is infinite (Sqrt'(0), Cbrt'(0)); reset by <see cref="Recorder.Begin"/>.</summary>
    public static class OracleFlags
    {
        [ThreadStatic]
        private static bool t_nonFinite;

        [ThreadStatic]
        private static bool t_valueOverflow;

        public static bool NonFiniteValue
        {
            get => t_nonFinite;
            set => t_nonFinite = value;
        }

        /// <summary>
        /// Set when a value of the user's computation, in the method's precision, is infinite or NaN (a float
        /// <c>s * s</c> past 3.4e38), whatever the result: a derivative through it is then IEEE's (inf / inf is NaN),
        /// while the oracle's tangent, in double, may stay finite. Not set by an infinite partial (Sqrt'(0)), whose
        /// conventions the checker does check. Reset by <see cref="Recorder.Begin"/>.
        /// </summary>
        public static bool ValueOverflow
        {
            get => t_valueOverflow;
            set => t_valueOverflow = value;
        }
    }

    /// <summary>What a zero partial derivative means to <see cref="Dual{T}.Plus"/>.</summary>
    public enum Partial
    {
        /// <summary>The partial is a value of the user's arithmetic (a factor of a product): IEEE decides.</summary>
        Value,

        /// <summary>The partial is a derivative rule's value; a zero is a computed zero (Abs'(0)).</summary>
        Rule,

        /// <summary>A zero partial is structural (no derivative path): the term is dropped.</summary>
        StructuralZero,
    }
}

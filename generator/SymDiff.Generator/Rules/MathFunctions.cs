using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using SymDiff.Generator.IR;
using static SymDiff.Generator.Simplification.Ir;

namespace SymDiff.Generator.Rules
{
    /// <summary>
    /// Where a function's argument may lie for its value and its derivative to be finite. The fuzzer keeps the
    /// arguments it generates inside this domain; <c>MathFunctionTableTests</c> checks each row against <c>System.Math</c>.
    /// </summary>
    internal enum MathDomain
    {
        /// <summary>Any finite value.</summary>
        All,

        /// <summary>Any finite value of moderate size: the result grows exponentially (<c>Exp</c>, <c>Sinh</c>, <c>Cosh</c>).</summary>
        Moderate,

        /// <summary>The open interval (-1, 1): <c>Asin</c>, <c>Acos</c>, <c>Atanh</c>, and <c>Tan</c> kept away from its poles.</summary>
        OpenUnit,

        /// <summary>Strictly positive: <c>Log</c>, <c>Sqrt</c> (its derivative is infinite at 0), the base of <c>Pow</c>.</summary>
        Positive,

        /// <summary>Strictly above 1: <c>Acosh</c> (infinite derivative at 1), the base of the two-argument <c>Log</c>.</summary>
        AboveOne,

        /// <summary>
        /// Not a floating-point argument: data passed on as the user wrote it (<c>Round</c>'s number of digits, an
        /// <c>int</c> from 0 to 15, or its <c>MidpointRounding</c>). Never differentiated.
        /// </summary>
        Data,
    }

    /// <summary>
    /// One row of <see cref="MathFunctions.All"/>: everything SymDiff knows about one function. The parser reads the
    /// names and the arity, the differentiators the rule, activity analysis and the analyzers the piecewise-constant
    /// flag, the printer the class and name, the fuzzer the domain.
    /// </summary>
    internal sealed class MathFunction
    {
        public MathFunction(KnownFunction function, string name, DerivativeRules.Rule rule, params MathDomain[] domain)
        {
            Function = function;
            Name = name;
            Rule = rule;
            Domain = ImmutableArray.Create(domain);
        }

        /// <summary>The IR's key for the function.</summary>
        public KnownFunction Function { get; }

        /// <summary>The C# method name, the same in every spelling, and as printed (<c>Log</c> for both logarithms).</summary>
        public string Name { get; }

        /// <summary>The number of arguments; a name may have one row per arity (<c>Log(x)</c>, <c>Log(x, b)</c>).</summary>
        public int Arity => Domain.Length;

        /// <summary>The partial derivatives, as IR built from the arguments and the call's own result.</summary>
        public DerivativeRules.Rule Rule { get; }

        /// <summary>For each argument, where the fuzzer draws it from (and where value and derivative are finite).</summary>
        public ImmutableArray<MathDomain> Domain { get; }

        /// <summary>Whether the derivative is zero wherever it exists: the call cuts activity, and the analyzers warn (SD1003).</summary>
        public bool PiecewiseConstant { get; init; }

        /// <summary>
        /// Whether a partial can be infinite (or NaN) at a finite argument, or grow without bound (<c>Sqrt'(0)</c>,
        /// <c>Log'(0)</c>, <c>Pow(0, 0)</c>, <c>Exp</c> past its range): the differentiators write a term of such a partial
        /// only where its adjoint or tangent is not zero by construction (no <c>0 * inf</c> from a path that does not
        /// reach the result).
        /// </summary>
        public bool MayHaveInfinitePartial { get; init; }

        /// <summary>
        /// Whether some finite arguments give a NaN or an infinity (a logarithm of a negative number, <c>Exp(1000)</c>).
        /// Functions whose value is finite for every finite argument (<c>Sin</c>, <c>Atan</c>, <c>Cbrt</c>) say no.
        /// </summary>
        public bool CanBeNonFinite { get; init; }

        /// <summary>
        /// Whether the user spells it <c>Math.X</c>, <c>MathF.X</c>, <c>double.X</c> or <c>float.X</c>; false for
        /// <c>Grad.Detach</c> and <c>Grad.Retain</c>, which the parser recognises on their own.
        /// </summary>
        public bool IsMath { get; init; } = true;

        /// <summary>
        /// Whether a float call is printed <c>MathF.X</c>; false where <c>MathF</c> has no such method (<c>Clamp</c>) or
        /// where <c>Math</c>'s float overload is what users write (<c>Sign</c>, which returns an int either way).
        /// </summary>
        public bool HasMathF { get; init; } = true;

        /// <summary>Whether it is the method of <c>double</c> / <c>float</c> itself (the parser picks it for those spellings only).</summary>
        public bool IsNumberMethod { get; init; }

        /// <summary>The type the emitter qualifies a call with, for a call of type <paramref name="single"/> precision or not.</summary>
        public string PrintedClass(bool single) =>
            !IsMath ? "global::SymDiff.Grad" : IsNumberMethod ? (single ? "float" : "double") : single && HasMathF ? "global::System.MathF" : "global::System.Math";

        public override string ToString() => Name + "/" + Arity;
    }

    /// <summary>
    /// The math-function table: one row per function SymDiff differentiates. Adding a unary function is one row here
    /// (and its name in <see cref="KnownFunction"/>) plus a corpus entry with a closed-form gradient; see
    /// docs/architecture.md. Conventions at non-differentiable points (API.md section 3) are comments on the rows.
    /// </summary>
    internal static class MathFunctions
    {
        private const MathDomain A = MathDomain.All;

        public static readonly ImmutableArray<MathFunction> All = ImmutableArray.Create(
            new MathFunction(KnownFunction.Sin, "Sin", (a, r, t) => new[] { Testing.FaultInjection.Is(Testing.Fault.SinRuleSign) ? Neg(Call(KnownFunction.Cos, t, a[0])) : Call(KnownFunction.Cos, t, a[0]) }, A),
            new MathFunction(KnownFunction.Cos, "Cos", (a, r, t) => new[] { Neg(Call(KnownFunction.Sin, t, a[0])) }, A),

            // tan' = 1 + tan^2, from the result.
            new MathFunction(KnownFunction.Tan, "Tan", (a, r, t) => new[] { Add(Lit(1, t), Square(r)) }, MathDomain.OpenUnit) { MayHaveInfinitePartial = true },
            new MathFunction(KnownFunction.Asin, "Asin", (a, r, t) => new[] { Div(Lit(1, t), Call(KnownFunction.Sqrt, t, Sub(Lit(1, t), Square(a[0])))) }, MathDomain.OpenUnit) { MayHaveInfinitePartial = true, CanBeNonFinite = true },
            new MathFunction(KnownFunction.Acos, "Acos", (a, r, t) => new[] { Neg(Div(Lit(1, t), Call(KnownFunction.Sqrt, t, Sub(Lit(1, t), Square(a[0]))))) }, MathDomain.OpenUnit) { MayHaveInfinitePartial = true, CanBeNonFinite = true },
            new MathFunction(KnownFunction.Atan, "Atan", (a, r, t) => new[] { Div(Lit(1, t), Add(Lit(1, t), Square(a[0]))) }, A),

            // atan2(y, x): d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2).
            new MathFunction(KnownFunction.Atan2, "Atan2", (a, r, t) =>
            {
                var denominator = Add(Square(a[1]), Square(a[0]));
                return new[] { Div(a[1], denominator), Neg(Div(a[0], denominator)) };
            }, A, A) { MayHaveInfinitePartial = true },
            new MathFunction(KnownFunction.Sinh, "Sinh", (a, r, t) => new[] { Call(KnownFunction.Cosh, t, a[0]) }, MathDomain.Moderate) { MayHaveInfinitePartial = true, CanBeNonFinite = true },
            new MathFunction(KnownFunction.Cosh, "Cosh", (a, r, t) => new[] { Call(KnownFunction.Sinh, t, a[0]) }, MathDomain.Moderate) { MayHaveInfinitePartial = true, CanBeNonFinite = true },

            // tanh' = 1 - tanh^2, from the result.
            new MathFunction(KnownFunction.Tanh, "Tanh", (a, r, t) => new[] { Sub(Lit(1, t), Square(r)) }, A),

            // asinh' = 1 / sqrt(x^2 + 1); acosh' = 1 / sqrt(x^2 - 1), +Infinity at 1; atanh' = 1 / (1 - x^2), +Infinity at -1 and 1.
            new MathFunction(KnownFunction.Asinh, "Asinh", (a, r, t) => new[] { Div(Lit(1, t), Call(KnownFunction.Sqrt, t, Add(Square(a[0]), Lit(1, t)))) }, A),
            new MathFunction(KnownFunction.Acosh, "Acosh", (a, r, t) => new[] { Div(Lit(1, t), Call(KnownFunction.Sqrt, t, Sub(Square(a[0]), Lit(1, t)))) }, MathDomain.AboveOne) { MayHaveInfinitePartial = true, CanBeNonFinite = true },
            new MathFunction(KnownFunction.Atanh, "Atanh", (a, r, t) => new[] { Div(Lit(1, t), Sub(Lit(1, t), Square(a[0]))) }, MathDomain.OpenUnit) { MayHaveInfinitePartial = true, CanBeNonFinite = true },
            new MathFunction(KnownFunction.Exp, "Exp", (a, r, t) => new[] { r }, MathDomain.Moderate) { MayHaveInfinitePartial = true, CanBeNonFinite = true },
            new MathFunction(KnownFunction.Log, "Log", (a, r, t) => new[] { Div(Lit(1, t), a[0]) }, MathDomain.Positive) { MayHaveInfinitePartial = true, CanBeNonFinite = true },

            // log_b(x) = ln x / ln b: d/dx = 1 / (x ln b), d/db = -log_b(x) / (b ln b).
            new MathFunction(KnownFunction.LogBase, "Log", (a, r, t) =>
            {
                var lnB = Call(KnownFunction.Log, t, a[1]);
                return new[] { Div(Lit(1, t), Mul(a[0], lnB)), Neg(Div(r, Mul(a[1], lnB))) };
            }, MathDomain.Positive, MathDomain.AboveOne) { MayHaveInfinitePartial = true, CanBeNonFinite = true },
            new MathFunction(KnownFunction.Log2, "Log2", (a, r, t) => new[] { Div(Lit(1, t), Mul(a[0], Lit(Math.Log(2), t))) }, MathDomain.Positive) { MayHaveInfinitePartial = true, CanBeNonFinite = true },
            new MathFunction(KnownFunction.Log10, "Log10", (a, r, t) => new[] { Div(Lit(1, t), Mul(a[0], Lit(Math.Log(10), t))) }, MathDomain.Positive) { MayHaveInfinitePartial = true, CanBeNonFinite = true },

            // d/dx x^y = y x^(y-1), finite for negative x when y is constant; d/dy = x^y ln x, only built when y is active.
            // Both are zero where the power is constant in that argument, as PyTorch writes them: x^0 = 1 for every x
            // (at x = 0 the product 0 * 0^-1 would be NaN), and 0^y = 0 for y > 0 (0^y ln 0 would be NaN); see PowBase.
            new MathFunction(KnownFunction.Pow, "Pow", (a, r, t) => new[] { PowBase(a[0], a[1], t), PowExponent(a[0], a[1], r, t) },
                MathDomain.Positive, A) { MayHaveInfinitePartial = true, CanBeNonFinite = true },

            // sqrt'(x) = 0.5 / sqrt(x), from the result; sqrt'(0) = +Infinity.
            new MathFunction(KnownFunction.Sqrt, "Sqrt", (a, r, t) => new[] { Div(Lit(0.5, t), r) }, MathDomain.Positive) { MayHaveInfinitePartial = true, CanBeNonFinite = true },

            // cbrt'(x) = 1 / (3 cbrt(x)^2), from the result.
            new MathFunction(KnownFunction.Cbrt, "Cbrt", (a, r, t) => new[] { Div(Lit(1, t), Mul(Lit(3, t), Square(r))) }, A) { MayHaveInfinitePartial = true },

            // Abs'(0) = 0.
            new MathFunction(KnownFunction.Abs, "Abs", (a, r, t) => new[]
            {
                Cond(Compare(BinaryOp.Gt, a[0], Lit(0, t)), Lit(1, t), Cond(Compare(BinaryOp.Lt, a[0], Lit(0, t)), Lit(-1, t), Lit(0, t))),
            }, A),

            // Max and Min send the gradient to the first argument on a tie.
            new MathFunction(KnownFunction.Max, "Max", (a, r, t) =>
            {
                var first = Compare(BinaryOp.Ge, a[0], a[1]);
                return new[] { Cond(first, Lit(1, t), Lit(0, t)), Cond(first, Lit(0, t), Lit(1, t)) };
            }, A, A),
            new MathFunction(KnownFunction.Min, "Min", (a, r, t) =>
            {
                var first = Compare(BinaryOp.Le, a[0], a[1]);
                return new[] { Cond(first, Lit(1, t), Lit(0, t)), Cond(first, Lit(0, t), Lit(1, t)) };
            }, A, A),

            // Clamp(x, lo, hi): to x strictly inside, otherwise to the bound that is hit (lo <= hi, or Clamp throws).
            new MathFunction(KnownFunction.Clamp, "Clamp", ClampPartials, A, A, A) { HasMathF = false },
            new MathFunction(KnownFunction.ClampNumber, "Clamp", ClampPartials, A, A, A) { HasMathF = false, IsNumberMethod = true },
            new MathFunction(KnownFunction.FusedMultiplyAdd, "FusedMultiplyAdd", (a, r, t) => new[] { a[1], a[0], Lit(1, t) }, A, A, A) { CanBeNonFinite = true },

            // Piecewise constant: zero derivative (and an analyzer warning when applied to an active value).
            new MathFunction(KnownFunction.Floor, "Floor", Zero, A) { PiecewiseConstant = true },
            new MathFunction(KnownFunction.Ceiling, "Ceiling", Zero, A) { PiecewiseConstant = true },
            new MathFunction(KnownFunction.Round, "Round", Zero, A) { PiecewiseConstant = true },
            new MathFunction(KnownFunction.RoundDigits, "Round", Zero, A, MathDomain.Data) { PiecewiseConstant = true },
            new MathFunction(KnownFunction.RoundDigitsMode, "Round", Zero, A, MathDomain.Data, MathDomain.Data) { PiecewiseConstant = true },
            new MathFunction(KnownFunction.Truncate, "Truncate", Zero, A) { PiecewiseConstant = true },
            new MathFunction(KnownFunction.Sign, "Sign", Zero, A) { PiecewiseConstant = true, HasMathF = false },

            // Grad.Detach: the identity, with no gradient.
            new MathFunction(KnownFunction.Detach, "Detach", Zero, A) { PiecewiseConstant = true, IsMath = false },

            // Grad.Retain: the identity; what makes it special is the local it is assigned to (RetainedLocal).
            new MathFunction(KnownFunction.Retain, "Retain", (a, r, t) => new[] { Lit(1, t) }, A) { IsMath = false });

        private static readonly MathFunction[] s_byFunction = Index();

        private static readonly Dictionary<string, MathFunction[]> s_byName = All
            .Where(f => f.IsMath && !f.IsNumberMethod)
            .GroupBy(f => f.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

        /// <summary>The row of <paramref name="function"/>.</summary>
        /// <summary>
        /// <c>d/dx x^y</c>: <c>y == 0 &amp;&amp; x == 0 ? 0 : y * x^(y - 1)</c>. The power is the constant 1 where y is 0, so its
        /// derivative is 0 there, also at x = 0 where the product would be <c>0 * Infinity</c> (PyTorch masks it too). A
        /// constant exponent decides the test here, so <c>Pow(x, 3)</c> keeps the plain <c>3 * x^2</c>.
        /// </summary>
        private static Expr PowBase(Expr x, Expr y, ValType t)
        {
            if (y is Const c)
            {
                return c.Value == 0 ? Lit(0, t) : Mul(y, Call(KnownFunction.Pow, t, x, Sub(y, Lit(1, t))));
            }

            // Masked only at x = 0, the one point where the product is 0 * inf: elsewhere y x^(y-1) is already 0 at y = 0,
            // and its own derivative in y (x^(y-1) (1 + y ln x), the Hessian's mixed term) must not be masked (FINDINGS F51).
            var singular = And(Compare(BinaryOp.Eq, y, Lit(0, t)), Compare(BinaryOp.Eq, x, Lit(0, t)));
            return Cond(singular, Lit(0, t), Mul(y, Call(KnownFunction.Pow, t, x, Sub(y, Lit(1, t)))));
        }

        /// <summary>
        /// <c>d/dy x^y</c>: <c>x^y * (x == 0 &amp;&amp; y &gt;= 0 ? 0 : ln x)</c>. For x = 0 and y &gt; 0 the power is the
        /// constant 0 (and 1 at y = 0), so the derivative is 0 where <c>0 * ln 0</c> would be NaN (PyTorch's rule).
        /// </summary>
        private static Expr PowExponent(Expr x, Expr y, Expr r, ValType t)
        {
            // The test guards the logarithm only, so the power itself stays outside the branch and is computed once.
            var log = Call(KnownFunction.Log, t, x);
            if (y is Const c && c.Value < 0)
            {
                return Mul(r, log);
            }

            var atZero = Compare(BinaryOp.Eq, x, Lit(0, t));
            return Mul(r, Cond(y is Const ? atZero : And(atZero, Compare(BinaryOp.Ge, y, Lit(0, t))), Lit(0, t), log));
        }

        public static MathFunction Of(KnownFunction function) => s_byFunction[(int)function];

        /// <summary>Whether <c>Math</c>, <c>MathF</c>, <c>double</c> or <c>float</c> has a function of this name that SymDiff differentiates.</summary>
        public static bool IsMathName(string name) => s_byName.ContainsKey(name);

        /// <summary>The row of <c>double.X</c> / <c>float.X</c> where it is not <c>Math.X</c>'s (<see cref="KnownFunction.ClampNumber"/>), else <paramref name="row"/>.</summary>
        public static MathFunction NumberMethod(MathFunction row) => All.FirstOrDefault(f => f.IsNumberMethod && f.Name == row.Name && f.Arity == row.Arity) ?? row;

        private static Expr[] ClampPartials(IReadOnlyList<Expr> a, Expr r, ValType t) => new[]
        {
            Cond(And(Compare(BinaryOp.Gt, a[0], a[1]), Compare(BinaryOp.Lt, a[0], a[2])), Lit(1, t), Lit(0, t)),
            Cond(Compare(BinaryOp.Le, a[0], a[1]), Lit(1, t), Lit(0, t)),
            Cond(And(Compare(BinaryOp.Gt, a[0], a[1]), Compare(BinaryOp.Ge, a[0], a[2])), Lit(1, t), Lit(0, t)),
        };

        /// <summary>The rows named <paramref name="name"/> (one per arity), or none.</summary>
        public static IReadOnlyList<MathFunction> Named(string name) => s_byName.TryGetValue(name, out var rows) ? rows : Array.Empty<MathFunction>();

        private static MathFunction[] Index()
        {
            var index = new MathFunction[All.Max(f => (int)f.Function) + 1];
            foreach (var row in All)
            {
                index[(int)row.Function] = row;
            }

            return index;
        }

        private static Expr[] Zero(IReadOnlyList<Expr> args, Expr result, ValType t)
        {
            var zeros = new Expr[args.Count];
            for (int i = 0; i < zeros.Length; i++)
            {
                zeros[i] = Lit(0, t);
            }

            return zeros;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using static SymDiff.Generator.Tests.Corpus.CorpusArg;

namespace SymDiff.Generator.Tests.Corpus
{
    /// <summary>
    /// The shared corpus of small differentiable functions: every construct the generator supports today
    /// (straight-line code, locals, operators, casts, every Math function, branches, early returns, the conditional
    /// operator, calls, custom rules, Detach, NoGrad and wrt, float methods, element reads, and every kind of
    /// container), each at one or more points with its gradient worked out by hand.
    /// </summary>
    /// <remarks>
    /// Conventions: <c>f</c> is the method, the flat point <c>p</c> holds the active arguments in declaration
    /// order (arrays flattened), and each gradient comment gives the calculus the numbers come from. Most
    /// one-argument Math functions are tested as <c>f(x, y) = y * Fn(x)</c>, so that
    /// <c>df/dx = y * Fn'(x)</c> exercises the chain rule and <c>df/dy = Fn(x)</c> the reuse of the forward value.
    /// Functions tested at several points share one source string, so a snapshot group declares each method once.
    /// </remarks>
    public static class DifferentiableFunctions
    {
        /// <summary>The receiver of methods in the default container, <c>Corpus.Fn</c>.</summary>
        private const string Fn = "global::Corpus.Fn";

        private static readonly Lazy<IReadOnlyList<DifferentiableFunction>> LazyAll = new(Build);

        /// <summary>Every corpus function, in declaration order.</summary>
        public static IReadOnlyList<DifferentiableFunction> All => LazyAll.Value;

        /// <summary>The groups, in order of first appearance.</summary>
        public static IEnumerable<string> Groups => All.Select(f => f.Group).Distinct();

        /// <summary>The function named <paramref name="name"/>.</summary>
        public static DifferentiableFunction Get(string name) =>
            All.SingleOrDefault(f => f.Name == name) ?? throw new ArgumentException($"No corpus function '{name}'.", nameof(name));

        /// <summary>The distinct sources of a group, for one compilation (cases at several points share a source).</summary>
        public static string[] SourcesOf(string group)
        {
            string[] sources = All.Where(f => f.Group == group).Select(f => f.Source).Distinct().ToArray();
            return sources.Length > 0 ? sources : throw new ArgumentException($"No corpus group '{group}'.", nameof(group));
        }

        /// <summary>
        /// A file declaring <paramref name="members"/> in <c>public static partial class Fn</c> of namespace
        /// <c>Corpus</c>; <paramref name="members"/> is written with no indentation.
        /// </summary>
        private static string InFn(string members) =>
            "using System;\nusing SymDiff;\n\nnamespace Corpus\n{\n    public static partial class Fn\n    {\n"
            + Indent(members, 8)
            + "    }\n}\n";

        private static string Indent(string text, int spaces)
        {
            string pad = new(' ', spaces);
            return string.Concat(text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n')
                .Select(line => (line.Length == 0 ? string.Empty : pad + line) + "\n"));
        }

        private static double Sq(double v) => v * v;

        private static double Sigmoid(double t) => 1.0 / (1.0 + Math.Exp(-t));

        private static IReadOnlyList<DifferentiableFunction> Build()
        {
            var all = new List<DifferentiableFunction>();

            void Add(string name, string group, string source, string method, CorpusArg[] args, Func<double[], double[]> gradient, bool smooth = true, bool isFloat = false, string receiver = Fn) =>
                all.Add(new DifferentiableFunction(name, group, source, receiver, method, args, gradient) { Smooth = smooth, IsFloat = isFloat });

            // ---------------------------------------------------------------- Tutorial
            // PyTorch's autograd tutorial: y = (w + x) * (w + 1). dy/dw = (w + 1) + (w + x), dy/dx = w + 1;
            // at w = 1, x = 2: dy/dw = 2 + 3 = 5, dy/dx = 2.
            const string tutorial = """
                using SymDiff;

                public static partial class Autograd
                {
                    [Differentiable]
                    public static double Y(double w, double x) => (w + x) * (w + 1);
                }
                """;
            Add("Tutorial.SumTimesSum", "Tutorial", tutorial, "Y", new[] { Scalar("w", 1), Scalar("x", 2) },
                p => new[] { (p[0] + 1) + (p[0] + p[1]), p[0] + 1 }, receiver: "global::Autograd");

            // y = (w + x) * (w * x). dy/dw = w x + (w + x) x, dy/dx = w x + (w + x) w; at (1, 2): 8 and 5.
            const string tutorialProduct = """
                using SymDiff;

                public static partial class AutogradProduct
                {
                    [Differentiable]
                    public static double Y(double w, double x) => (w + x) * (w * x);
                }
                """;
            Add("Tutorial.SumTimesProduct", "Tutorial", tutorialProduct, "Y", new[] { Scalar("w", 1), Scalar("x", 2) },
                p => new[] { (p[0] * p[1]) + ((p[0] + p[1]) * p[1]), (p[0] * p[1]) + ((p[0] + p[1]) * p[0]) }, receiver: "global::AutogradProduct");

            // ---------------------------------------------------------------- Arithmetic, locals, literals, casts
            // f = (x - y) / (x y) - x = 1/y - 1/x - x. df/dx = 1/x^2 - 1, df/dy = -1/y^2.
            Add("Arithmetic.Operators", "Arithmetic",
                InFn("[Differentiable] public static double Operators(double x, double y) => (x - y) / (x * y) - x;"),
                "Operators", new[] { Scalar("x", 1.5), Scalar("y", 0.7) },
                p => new[] { (1 / Sq(p[0])) - 1, -1 / Sq(p[1]) });

            // f = (-x)(-y) + -(x - y) = x y - x + y. df/dx = y - 1, df/dy = x + 1.
            Add("Arithmetic.UnaryMinus", "Arithmetic",
                InFn("[Differentiable] public static double UnaryMinus(double x, double y) => -x * -y + -(x - y);"),
                "UnaryMinus", new[] { Scalar("x", 2), Scalar("y", 3) },
                p => new[] { p[1] - 1, p[0] + 1 });

            // f = x % y = x - trunc(x / y) y. df/dx = 1, df/dy = -trunc(x / y): trunc(2.65) = 2, trunc(-2.65) = -2.
            string remainder = InFn("[Differentiable] public static double Remainder(double x, double y) => x % y;");
            Add("Arithmetic.Remainder", "Arithmetic", remainder, "Remainder", new[] { Scalar("x", 5.3), Scalar("y", 2) },
                p => new[] { 1.0, -Math.Truncate(p[0] / p[1]) });
            Add("Arithmetic.RemainderNegative", "Arithmetic", remainder, "Remainder", new[] { Scalar("x", -5.3), Scalar("y", 2) },
                p => new[] { 1.0, -Math.Truncate(p[0] / p[1]) });

            // f = 0.5 x^2 + 3 x + 4 * 0.1 + 0.25 x (a local const, an int literal, a class const, an exponent literal).
            // df/dx = x + 3 + 0.25.
            Add("Arithmetic.LiteralsAndConsts", "Arithmetic",
                InFn("""
                    private const double LiteralScale = 4.0;

                    [Differentiable]
                    public static double LiteralsAndConsts(double x)
                    {
                        const double half = 0.5;
                        return half * x * x + 3 * x + LiteralScale * 1e-1 + 2.5e-1 * x;
                    }
                    """),
                "LiteralsAndConsts", new[] { Scalar("x", 2) },
                p => new[] { p[0] + 3 + 0.25 });

            // Declared, var, re-assigned and compound-assigned locals. By hand:
            //   a = x y; b = x y + x; a = a b = x^2 y^2 + x^2 y; a += y; a *= 2  => a = 2x^2y^2 + 2x^2y + 2y
            //   b -= a; b /= x  => b = y + 1 - 2 x y^2 - 2 x y - 2y/x
            //   f = a + b = 2x^2y^2 + 2x^2y + 3y + 1 - 2xy^2 - 2xy - 2y/x
            //   df/dx = 4xy^2 + 4xy - 2y^2 - 2y + 2y/x^2,  df/dy = 4x^2y + 2x^2 + 3 - 4xy - 2x - 2/x.
            Add("Arithmetic.Locals", "Arithmetic",
                InFn("""
                    [Differentiable]
                    public static double Locals(double x, double y)
                    {
                        double a = x * y;
                        var b = a + x;
                        a = a * b;
                        a += y;
                        a *= 2.0;
                        b -= a;
                        b /= x;
                        return a + b;
                    }
                    """),
                "Locals", new[] { Scalar("x", 1.5), Scalar("y", 0.8) },
                p =>
                {
                    double x = p[0], y = p[1];
                    return new[]
                    {
                        (4 * x * y * y) + (4 * x * y) - (2 * y * y) - (2 * y) + (2 * y / (x * x)),
                        (4 * x * x * y) + (2 * x * x) + 3 - (4 * x * y) - (2 * x) - (2 / x),
                    };
                });

            // a = x; a++; a--; a++ => a = x + 1; f = a^2. df/dx = 2(x + 1).
            Add("Arithmetic.IncrementDecrement", "Arithmetic",
                InFn("""
                    [Differentiable]
                    public static double IncrementDecrement(double x)
                    {
                        double a = x;
                        a++;
                        a--;
                        a++;
                        return a * a;
                    }
                    """),
                "IncrementDecrement", new[] { Scalar("x", 0.75) },
                p => new[] { 2 * (p[0] + 1) });

            // A value used several times: a = e^x, f = a^2 + a. df/dx = 2 e^(2x) + e^x.
            Add("Arithmetic.ReusedLocal", "Arithmetic",
                InFn("""
                    [Differentiable]
                    public static double ReusedLocal(double x)
                    {
                        double a = Math.Exp(x);
                        return a * a + a;
                    }
                    """),
                "ReusedLocal", new[] { Scalar("x", 0.3) },
                p => new[] { (2 * Math.Exp(2 * p[0])) + Math.Exp(p[0]) });

            // Casts: int n (data) promoted to double, a float local with a cast inside a double method.
            // f = n x + x / n + 2.5 x. df/dx = n + 1/n + 2.5 = 4 + 0.25 + 2.5 at n = 4.
            Add("Arithmetic.Casts", "Arithmetic",
                InFn("""
                    [Differentiable]
                    public static double Casts(double x, int n)
                    {
                        float k = (float)2.5;
                        return (double)n * x + x / n + k * x;
                    }
                    """),
                "Casts", new[] { Scalar("x", 1.25), Data("n", "4") },
                p => new[] { 4 + 0.25 + 2.5 });

            // f = (double)(float)x * y: the cast's derivative is 1, so df/dx = y and df/dy = (float)x.
            // Not smooth at finite-difference scale: (float) rounds the step of 1e-6 to a multiple of float's ulp.
            Add("Arithmetic.CastThroughFloat", "Arithmetic",
                InFn("[Differentiable] public static double CastThroughFloat(double x, double y) => (double)(float)x * y;"),
                "CastThroughFloat", new[] { Scalar("x", 0.1), Scalar("y", 3) },
                p => new[] { p[1], (double)(float)p[0] }, smooth: false);

            // A float local computed from an active double: h = (float)x, f = h y. df/dx = y rounded to float (the
            // adjoint of a float value is a float, as in PyTorch, where a float32 tensor's gradient is float32), df/dy = h.
            // y = 3 is exact in float. Not smooth at finite-difference scale (float rounding).
            Add("Arithmetic.FloatLocalInDoubleMethod", "Arithmetic",
                InFn("""
                    [Differentiable]
                    public static double FloatLocal(double x, double y)
                    {
                        float h = (float)x;
                        return h * y;
                    }
                    """),
                "FloatLocal", new[] { Scalar("x", 0.1), Scalar("y", 3) },
                p => new[] { p[1], (double)(float)p[0] }, smooth: false);

            // Data-only integer code, a static readonly field and a plain (non-differentiable) method called on data:
            // f = x max(n, 2) + x (n / 2) + x % 2 + Gain x + x Half(n) with n = 3 (integer division: 3 / 2 = 1),
            // Gain = 1.5, Half(3) = 1.5, 0 < x < 2. df/dx = 3 + 1 + 1 + 1.5 + 1.5 = 8.
            Add("Arithmetic.IntegerDataAndFields", "Arithmetic",
                InFn("""
                    private static readonly double Gain = 1.5;

                    private static double Half(int n) => n * 0.5;

                    [Differentiable]
                    public static double IntegerData(double x, int n) => x * Math.Max(n, 2) + x * (n / 2) + x % 2.0 + Gain * x + x * Half(n);
                    """),
                "IntegerData", new[] { Scalar("x", 0.7), Data("n", "3") },
                p => new[] { 8.0 });

            // User names that look like generated ones (a parameter "seed", locals "t0", "xBar", "result"):
            // u = x s + x, f = u^2. df/dx = 2u (s + 1), df/ds = 2u x.
            Add("Identifiers.UserNamesLikeGeneratedNames", "Identifiers",
                InFn("""
                    [Differentiable]
                    public static double GeneratedLookingNames(double x, double seed)
                    {
                        double t0 = x * seed;
                        double xBar = t0 + x;
                        double result = xBar * xBar;
                        return result;
                    }
                    """),
                "GeneratedLookingNames", new[] { Scalar("x", 1.5), Scalar("seed", 0.5) },
                p =>
                {
                    double u = (p[0] * p[1]) + p[0];
                    return new[] { 2 * u * (p[1] + 1), 2 * u * p[0] };
                });

            // Verbatim identifiers (keywords as names): f = in d + in with a local @var. df/din = d + 1, df/dd = in.
            Add("Identifiers.Keywords", "Identifiers",
                InFn("""
                    [Differentiable]
                    public static double Keywords(double @in, double @double)
                    {
                        double @var = @in * @double;
                        return @var + @in;
                    }
                    """),
                "Keywords", new[] { Scalar("in", 1.5), Scalar("double", 0.5) },
                p => new[] { p[1] + 1, p[0] });

            // Non-ASCII and underscore names: f = alpha _b. (_b, alpha).
            Add("Identifiers.UnicodeAndUnderscore", "Identifiers",
                InFn("[Differentiable] public static double Unicode(double α, double _b) => α * _b;"),
                "Unicode", new[] { Scalar("α", 1.5), Scalar("_b", 0.5) },
                p => new[] { p[1], p[0] });

            // Locals named like the generated parameters of Backward and Gradient ("seed", "dX"): f = 2x * x, f' = 4x.
            Add("Identifiers.LocalNamedSeed", "Identifiers",
                InFn("""
                    [Differentiable]
                    public static double LocalNamedSeed(double x)
                    {
                        double seed = x * 2.0;
                        return seed * x;
                    }
                    """),
                "LocalNamedSeed", new[] { Scalar("x", 1.5) },
                p => new[] { 4 * p[0] });
            Add("Identifiers.LocalNamedLikeGradient", "Identifiers",
                InFn("""
                    [Differentiable]
                    public static double LocalNamedLikeGradient(double x)
                    {
                        double dX = x * 2.0;
                        return dX * x;
                    }
                    """),
                "LocalNamedLikeGradient", new[] { Scalar("x", 1.5) },
                p => new[] { 4 * p[0] });

            // A parameter named like another parameter's gradient: f = x dX, (dX, x).
            Add("Identifiers.ParameterNamedLikeGradient", "Identifiers",
                InFn("[Differentiable] public static double ParameterNamedLikeGradient(double x, double dX) => x * dX;"),
                "ParameterNamedLikeGradient", new[] { Scalar("x", 1.5), Scalar("dX", 0.5) },
                p => new[] { p[1], p[0] });

            // An active parameter the body never reads: f = x^2, df/dy = 0.
            Add("Arithmetic.UnusedParameter", "Arithmetic",
                InFn("[Differentiable] public static double UnusedParameter(double x, double y) => x * x;"),
                "UnusedParameter", new[] { Scalar("x", 1.5), Scalar("y", 2) },
                p => new[] { 2 * p[0], 0.0 });

            // A long product: f = x y x y x y x + x x x x = x^4 y^3 + x^4. df/dx = 4x^3 y^3 + 4x^3, df/dy = 3x^4 y^2.
            Add("Arithmetic.LongProduct", "Arithmetic",
                InFn("[Differentiable] public static double LongProduct(double x, double y) => x * y * x * y * x * y * x + x * x * x * x;"),
                "LongProduct", new[] { Scalar("x", 1.1), Scalar("y", 0.9) },
                p => new[] { (4 * Math.Pow(p[0], 3) * Math.Pow(p[1], 3)) + (4 * Math.Pow(p[0], 3)), 3 * Math.Pow(p[0], 4) * Sq(p[1]) });

            // ---------------------------------------------------------------- Math: trigonometric
            // f = y sin x: df/dx = y cos x, df/dy = sin x.
            Add("Math.Sin", "MathTrigonometric", InFn("[Differentiable] public static double Sin(double x, double y) => y * Math.Sin(x);"),
                "Sin", new[] { Scalar("x", 0.7), Scalar("y", 1.3) },
                p => new[] { p[1] * Math.Cos(p[0]), Math.Sin(p[0]) });

            // cos' = -sin.
            Add("Math.Cos", "MathTrigonometric", InFn("[Differentiable] public static double Cos(double x, double y) => y * Math.Cos(x);"),
                "Cos", new[] { Scalar("x", 0.7), Scalar("y", 1.3) },
                p => new[] { -p[1] * Math.Sin(p[0]), Math.Cos(p[0]) });

            // tan' = 1 / cos^2.
            Add("Math.Tan", "MathTrigonometric", InFn("[Differentiable] public static double Tan(double x, double y) => y * Math.Tan(x);"),
                "Tan", new[] { Scalar("x", 0.4), Scalar("y", 1.3) },
                p => new[] { p[1] / Sq(Math.Cos(p[0])), Math.Tan(p[0]) });

            // asin' = 1 / sqrt(1 - x^2), |x| < 1.
            Add("Math.Asin", "MathTrigonometric", InFn("[Differentiable] public static double Asin(double x, double y) => y * Math.Asin(x);"),
                "Asin", new[] { Scalar("x", 0.3), Scalar("y", 1.3) },
                p => new[] { p[1] / Math.Sqrt(1 - Sq(p[0])), Math.Asin(p[0]) });

            // acos' = -1 / sqrt(1 - x^2).
            Add("Math.Acos", "MathTrigonometric", InFn("[Differentiable] public static double Acos(double x, double y) => y * Math.Acos(x);"),
                "Acos", new[] { Scalar("x", -0.3), Scalar("y", 1.3) },
                p => new[] { -p[1] / Math.Sqrt(1 - Sq(p[0])), Math.Acos(p[0]) });

            // atan' = 1 / (1 + x^2).
            Add("Math.Atan", "MathTrigonometric", InFn("[Differentiable] public static double Atan(double x, double y) => y * Math.Atan(x);"),
                "Atan", new[] { Scalar("x", 1.7), Scalar("y", 1.3) },
                p => new[] { p[1] / (1 + Sq(p[0])), Math.Atan(p[0]) });

            // atan2(y, x) (second quadrant): d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2).
            Add("Math.Atan2", "MathTrigonometric", InFn("[Differentiable] public static double Atan2(double y, double x) => Math.Atan2(y, x);"),
                "Atan2", new[] { Scalar("y", 0.8), Scalar("x", -1.3) },
                p => new[] { p[1] / (Sq(p[1]) + Sq(p[0])), -p[0] / (Sq(p[1]) + Sq(p[0])) });

            // ---------------------------------------------------------------- Math: hyperbolic
            // sinh' = cosh, cosh' = sinh, tanh' = 1 - tanh^2 = 1 / cosh^2.
            Add("Math.Sinh", "MathHyperbolic", InFn("[Differentiable] public static double Sinh(double x, double y) => y * Math.Sinh(x);"),
                "Sinh", new[] { Scalar("x", 0.9), Scalar("y", 1.3) },
                p => new[] { p[1] * Math.Cosh(p[0]), Math.Sinh(p[0]) });
            Add("Math.Cosh", "MathHyperbolic", InFn("[Differentiable] public static double Cosh(double x, double y) => y * Math.Cosh(x);"),
                "Cosh", new[] { Scalar("x", -0.9), Scalar("y", 1.3) },
                p => new[] { p[1] * Math.Sinh(p[0]), Math.Cosh(p[0]) });
            Add("Math.Tanh", "MathHyperbolic", InFn("[Differentiable] public static double Tanh(double x, double y) => y * Math.Tanh(x);"),
                "Tanh", new[] { Scalar("x", 0.6), Scalar("y", 1.3) },
                p => new[] { p[1] / Sq(Math.Cosh(p[0])), Math.Tanh(p[0]) });

            // ---------------------------------------------------------------- Math: inverse hyperbolic
            // asinh' = 1 / sqrt(x^2 + 1), acosh' = 1 / sqrt(x^2 - 1) (x > 1), atanh' = 1 / (1 - x^2) (|x| < 1).
            Add("Math.Asinh", "MathInverseHyperbolic", InFn("[Differentiable] public static double Asinh(double x, double y) => y * Math.Asinh(x);"),
                "Asinh", new[] { Scalar("x", -0.8), Scalar("y", 1.3) },
                p => new[] { p[1] / Math.Sqrt(Sq(p[0]) + 1), Math.Asinh(p[0]) });
            Add("Math.Acosh", "MathInverseHyperbolic", InFn("[Differentiable] public static double Acosh(double x, double y) => y * Math.Acosh(x);"),
                "Acosh", new[] { Scalar("x", 1.7), Scalar("y", 1.3) },
                p => new[] { p[1] / Math.Sqrt(Sq(p[0]) - 1), Math.Acosh(p[0]) });
            Add("Math.Atanh", "MathInverseHyperbolic", InFn("[Differentiable] public static double Atanh(double x, double y) => y * Math.Atanh(x);"),
                "Atanh", new[] { Scalar("x", -0.45), Scalar("y", 1.3) },
                p => new[] { p[1] / (1 - Sq(p[0])), Math.Atanh(p[0]) });

            // double's static method, composed: f = acosh(x^2 + 1.5), f' = 2x / sqrt((x^2 + 1.5)^2 - 1).
            Add("Math.AcoshStatic", "MathInverseHyperbolic", InFn("[Differentiable] public static double AcoshStatic(double x) => double.Acosh(x * x + 1.5);"),
                "AcoshStatic", new[] { Scalar("x", 0.6) },
                p => new[] { 2 * p[0] / Math.Sqrt(Sq(Sq(p[0]) + 1.5) - 1) });

            // float: f = asinh(x) + atanh(0.5 y), (1 / sqrt(x^2 + 1), 0.5 / (1 - 0.25 y^2)); MathF and float's static method.
            Add("Float.InverseHyperbolic", "MathInverseHyperbolic", InFn("[Differentiable] public static float FloatInverseHyperbolic(float x, float y) => MathF.Asinh(x) + float.Atanh(0.5f * y);"),
                "FloatInverseHyperbolic", new[] { Scalar("x", 0.625), Scalar("y", 0.75) },
                p => new[] { 1 / Math.Sqrt(Sq(p[0]) + 1), 0.5 / (1 - 0.25 * Sq(p[1])) }, isFloat: true);

            // ---------------------------------------------------------------- Math: exponential and logarithms
            // exp' = exp, ln' = 1/x, log2' = 1 / (x ln 2), log10' = 1 / (x ln 10).
            Add("Math.Exp", "MathExpLog", InFn("[Differentiable] public static double Exp(double x, double y) => y * Math.Exp(x);"),
                "Exp", new[] { Scalar("x", 0.5), Scalar("y", 1.3) },
                p => new[] { p[1] * Math.Exp(p[0]), Math.Exp(p[0]) });
            Add("Math.Log", "MathExpLog", InFn("[Differentiable] public static double Log(double x, double y) => y * Math.Log(x);"),
                "Log", new[] { Scalar("x", 2.5), Scalar("y", 1.3) },
                p => new[] { p[1] / p[0], Math.Log(p[0]) });
            Add("Math.Log2", "MathExpLog", InFn("[Differentiable] public static double Log2(double x, double y) => y * Math.Log2(x);"),
                "Log2", new[] { Scalar("x", 3), Scalar("y", 1.3) },
                p => new[] { p[1] / (p[0] * Math.Log(2)), Math.Log2(p[0]) });
            Add("Math.Log10", "MathExpLog", InFn("[Differentiable] public static double Log10(double x, double y) => y * Math.Log10(x);"),
                "Log10", new[] { Scalar("x", 7), Scalar("y", 1.3) },
                p => new[] { p[1] / (p[0] * Math.Log(10)), Math.Log10(p[0]) });

            // log_b(x) = ln x / ln b: d/dx = 1 / (x ln b), d/db = -ln x / (b (ln b)^2).
            Add("Math.LogBase", "MathExpLog", InFn("[Differentiable] public static double LogBase(double x, double b) => Math.Log(x, b);"),
                "LogBase", new[] { Scalar("x", 5), Scalar("b", 3) },
                p => new[] { 1 / (p[0] * Math.Log(p[1])), -Math.Log(p[0]) / (p[1] * Sq(Math.Log(p[1]))) });

            // The same functions through double's static methods: f = sin(x) e^y.
            Add("Math.DoubleStaticMethods", "MathExpLog", InFn("[Differentiable] public static double DoubleStaticMethods(double x, double y) => double.Sin(x) * double.Exp(y);"),
                "DoubleStaticMethods", new[] { Scalar("x", 0.4), Scalar("y", 0.2) },
                p => new[] { Math.Cos(p[0]) * Math.Exp(p[1]), Math.Sin(p[0]) * Math.Exp(p[1]) });

            // ---------------------------------------------------------------- Math: powers and roots
            // Pow(x, 3) with a constant exponent: 3 x^2, finite for negative x (API.md section 7): 3 * 2.25 = 6.75.
            Add("Math.PowConstantNegativeBase", "MathPowRoot", InFn("[Differentiable] public static double PowConstant(double x) => Math.Pow(x, 3.0);"),
                "PowConstant", new[] { Scalar("x", -1.5) },
                p => new[] { 3 * Sq(p[0]) });

            // Pow(x, 2.5): 2.5 x^1.5.
            Add("Math.PowFractional", "MathPowRoot", InFn("[Differentiable] public static double PowFractional(double x) => Math.Pow(x, 2.5);"),
                "PowFractional", new[] { Scalar("x", 1.2) },
                p => new[] { 2.5 * Math.Pow(p[0], 1.5) });

            // Pow(x, n) with an inactive int exponent n = 3 at x = -2: 3 x^2 = 12, finite for the negative base.
            Add("Math.PowInactiveExponent", "MathPowRoot", InFn("[Differentiable] public static double PowInactive(double x, int n) => Math.Pow(x, n);"),
                "PowInactive", new[] { Scalar("x", -2), Data("n", "3") },
                p => new[] { 3 * Sq(p[0]) });

            // Pow(x, y) with an active exponent: d/dx = y x^(y-1), d/dy = x^y ln x.
            Add("Math.PowActiveExponent", "MathPowRoot", InFn("[Differentiable] public static double PowActive(double x, double y) => Math.Pow(x, y);"),
                "PowActive", new[] { Scalar("x", 1.7), Scalar("y", 2.3) },
                p => new[] { p[1] * Math.Pow(p[0], p[1] - 1), Math.Pow(p[0], p[1]) * Math.Log(p[0]) });

            // sqrt' = 1 / (2 sqrt x).
            Add("Math.Sqrt", "MathPowRoot", InFn("[Differentiable] public static double Sqrt(double x, double y) => y * Math.Sqrt(x);"),
                "Sqrt", new[] { Scalar("x", 2), Scalar("y", 1.3) },
                p => new[] { p[1] / (2 * Math.Sqrt(p[0])), Math.Sqrt(p[0]) });

            // Sqrt'(0) = +Infinity (API.md section 3).
            Add("Math.SqrtAtZero", "MathPowRoot", InFn("[Differentiable] public static double SqrtAtZero(double x) => Math.Sqrt(x);"),
                "SqrtAtZero", new[] { Scalar("x", 0) },
                p => new[] { double.PositiveInfinity }, smooth: false);

            // cbrt' = 1 / (3 cbrt(x)^2), defined for negative x: cbrt(-3.375) = -1.5, so 1 / 6.75.
            Add("Math.CbrtNegative", "MathPowRoot", InFn("[Differentiable] public static double Cbrt(double x, double y) => y * Math.Cbrt(x);"),
                "Cbrt", new[] { Scalar("x", -3.375), Scalar("y", 1.3) },
                p => new[] { p[1] / (3 * Sq(Math.Cbrt(p[0]))), Math.Cbrt(p[0]) });

            // ---------------------------------------------------------------- Math: Abs, Max, Min, Clamp, FusedMultiplyAdd
            // f = y |x|: df/dx = y sign(x) = -y at x < 0, df/dy = |x|.
            Add("Math.Abs", "MathPiecewise", InFn("[Differentiable] public static double Abs(double x, double y) => y * Math.Abs(x);"),
                "Abs", new[] { Scalar("x", -1.2), Scalar("y", 1.3) },
                p => new[] { -p[1], Math.Abs(p[0]) });

            // Abs'(0) = 0 (API.md section 3).
            Add("Math.AbsAtZero", "MathPiecewise", InFn("[Differentiable] public static double AbsAtZero(double x) => Math.Abs(x);"),
                "AbsAtZero", new[] { Scalar("x", 0) },
                p => new[] { 0.0 }, smooth: false);

            // Max: the gradient goes to the larger argument; on a tie to the first (API.md section 3).
            string max = InFn("[Differentiable] public static double Max(double x, double y) => Math.Max(x, y);");
            Add("Math.MaxFirst", "MathPiecewise", max, "Max", new[] { Scalar("x", 2), Scalar("y", 1) }, p => new[] { 1.0, 0.0 });
            Add("Math.MaxSecond", "MathPiecewise", max, "Max", new[] { Scalar("x", 1), Scalar("y", 2) }, p => new[] { 0.0, 1.0 });
            Add("Math.MaxTie", "MathPiecewise", max, "Max", new[] { Scalar("x", 1.5), Scalar("y", 1.5) }, p => new[] { 1.0, 0.0 }, smooth: false);

            // ReLU: max(x, 0) y. x = -1: (0, max(x, 0)) = (0, 0);  x = 2: (y, x).
            string relu = InFn("[Differentiable] public static double Relu(double x, double y) => Math.Max(x, 0.0) * y;");
            Add("Math.ReluInactive", "MathPiecewise", relu, "Relu", new[] { Scalar("x", -1), Scalar("y", 3) }, p => new[] { 0.0, 0.0 });
            Add("Math.ReluActive", "MathPiecewise", relu, "Relu", new[] { Scalar("x", 2), Scalar("y", 3) }, p => new[] { p[1], p[0] });

            // Min: the gradient goes to the smaller argument; on a tie to the first.
            string min = InFn("[Differentiable] public static double Min(double x, double y) => Math.Min(x, y);");
            Add("Math.MinFirst", "MathPiecewise", min, "Min", new[] { Scalar("x", 1), Scalar("y", 2) }, p => new[] { 1.0, 0.0 });
            Add("Math.MinSecond", "MathPiecewise", min, "Min", new[] { Scalar("x", 3), Scalar("y", 2) }, p => new[] { 0.0, 1.0 });
            Add("Math.MinTie", "MathPiecewise", min, "Min", new[] { Scalar("x", 1.5), Scalar("y", 1.5) }, p => new[] { 1.0, 0.0 }, smooth: false);

            // Clamp(x, lo, hi): the gradient goes to x strictly inside, otherwise to the bound that is hit (API.md section 7).
            string clamp = InFn("[Differentiable] public static double Clamp(double x, double lo, double hi) => Math.Clamp(x, lo, hi);");
            Add("Math.ClampInside", "MathPiecewise", clamp, "Clamp", new[] { Scalar("x", 0.5), Scalar("lo", 0), Scalar("hi", 1) }, p => new[] { 1.0, 0.0, 0.0 });
            Add("Math.ClampBelow", "MathPiecewise", clamp, "Clamp", new[] { Scalar("x", -0.5), Scalar("lo", 0), Scalar("hi", 1) }, p => new[] { 0.0, 1.0, 0.0 });
            Add("Math.ClampAbove", "MathPiecewise", clamp, "Clamp", new[] { Scalar("x", 1.5), Scalar("lo", 0), Scalar("hi", 1) }, p => new[] { 0.0, 0.0, 1.0 });
            Add("Math.ClampAtLower", "MathPiecewise", clamp, "Clamp", new[] { Scalar("x", 0), Scalar("lo", 0), Scalar("hi", 1) }, p => new[] { 0.0, 1.0, 0.0 }, smooth: false);
            Add("Math.ClampAtUpper", "MathPiecewise", clamp, "Clamp", new[] { Scalar("x", 1), Scalar("lo", 0), Scalar("hi", 1) }, p => new[] { 0.0, 0.0, 1.0 }, smooth: false);

            // FusedMultiplyAdd(x, y, z) = x y + z: (y, x, 1).
            Add("Math.FusedMultiplyAdd", "MathPiecewise", InFn("[Differentiable] public static double Fma(double x, double y, double z) => Math.FusedMultiplyAdd(x, y, z);"),
                "Fma", new[] { Scalar("x", 1.1), Scalar("y", -0.4), Scalar("z", 2) },
                p => new[] { p[1], p[0], 1.0 });

            // ---------------------------------------------------------------- Math: piecewise constant (zero derivative)
            // f = Fn(x) y + x away from a jump: df/dx = 0 * y + 1 = 1, df/dy = Fn(x).
            Add("Math.Floor", "MathRounding", InFn("[Differentiable] public static double Floor(double x, double y) => Math.Floor(x) * y + x;"),
                "Floor", new[] { Scalar("x", 2.7), Scalar("y", 1.5) }, p => new[] { 1.0, 2.0 });
            Add("Math.Ceiling", "MathRounding", InFn("[Differentiable] public static double Ceiling(double x, double y) => Math.Ceiling(x) * y + x;"),
                "Ceiling", new[] { Scalar("x", 2.7), Scalar("y", 1.5) }, p => new[] { 1.0, 3.0 });
            Add("Math.Round", "MathRounding", InFn("[Differentiable] public static double Round(double x, double y) => Math.Round(x) * y + x;"),
                "Round", new[] { Scalar("x", 2.7), Scalar("y", 1.5) }, p => new[] { 1.0, 3.0 });
            // The overloads with digits and a MidpointRounding: Round(2.74, 1) = 2.7, Round(2.7, AwayFromZero) = 3, Round(2.78, 1, ToZero) = 2.7.
            Add("Math.RoundDigits", "MathRounding", InFn("[Differentiable] public static double RoundDigits(double x, double y) => Math.Round(x, 1) * y + x;"),
                "RoundDigits", new[] { Scalar("x", 2.74), Scalar("y", 1.5) }, p => new[] { 1.0, 2.7 });
            Add("Math.RoundMode", "MathRounding", InFn("[Differentiable] public static double RoundMode(double x, double y) => Math.Round(x, MidpointRounding.AwayFromZero) * y + x;"),
                "RoundMode", new[] { Scalar("x", 2.7), Scalar("y", 1.5) }, p => new[] { 1.0, 3.0 });
            Add("Math.RoundDigitsMode", "MathRounding", InFn("[Differentiable] public static double RoundDigitsMode(double x, double y) => Math.Round(x, 1, MidpointRounding.ToZero) * y + x;"),
                "RoundDigitsMode", new[] { Scalar("x", 2.78), Scalar("y", 1.5) }, p => new[] { 1.0, 2.7 });
            Add("Math.Truncate", "MathRounding", InFn("[Differentiable] public static double Truncate(double x, double y) => Math.Truncate(x) * y + x;"),
                "Truncate", new[] { Scalar("x", -2.7), Scalar("y", 1.5) }, p => new[] { 1.0, -2.0 });

            // Sign returns an int; Sign(-0.4) = -1.
            Add("Math.Sign", "MathRounding", InFn("[Differentiable] public static double Sign(double x, double y) => Math.Sign(x) * y + x;"),
                "Sign", new[] { Scalar("x", -0.4), Scalar("y", 1.5) }, p => new[] { 1.0, -1.0 });

            // ---------------------------------------------------------------- float methods
            // Inputs are rounded to float; the gradients below are evaluated in double at those inputs.
            // f = sin(x) y: (y cos x, sin x).
            Add("Float.Sin", "Float", InFn("[Differentiable] public static float FloatSin(float x, float y) => MathF.Sin(x) * y;"),
                "FloatSin", new[] { Scalar("x", 0.7), Scalar("y", 1.3) },
                p => new[] { p[1] * Math.Cos(p[0]), Math.Sin(p[0]) }, isFloat: true);

            // f = e^x + x ln y: (e^x + ln y, x / y).
            Add("Float.ExpLog", "Float", InFn("[Differentiable] public static float FloatExpLog(float x, float y) => MathF.Exp(x) + MathF.Log(y) * x;"),
                "FloatExpLog", new[] { Scalar("x", 0.5), Scalar("y", 2) },
                p => new[] { Math.Exp(p[0]) + Math.Log(p[1]), p[0] / p[1] }, isFloat: true);

            // f = x^2 + sqrt(y): (2x, 1 / (2 sqrt y)).
            Add("Float.PowSqrt", "Float", InFn("[Differentiable] public static float FloatPowSqrt(float x, float y) => MathF.Pow(x, 2f) + MathF.Sqrt(y);"),
                "FloatPowSqrt", new[] { Scalar("x", 1.5), Scalar("y", 4) },
                p => new[] { 2 * p[0], 1 / (2 * Math.Sqrt(p[1])) }, isFloat: true);

            // float's static method: f = 3 tanh x, f' = 3 (1 - tanh^2 x).
            Add("Float.StaticTanh", "Float", InFn("[Differentiable] public static float FloatTanh(float x) => float.Tanh(x) * 3f;"),
                "FloatTanh", new[] { Scalar("x", 0.3) },
                p => new[] { 3 * (1 - Sq(Math.Tanh(p[0]))) }, isFloat: true);

            // float[]: f = v0 v1 + max(v0, v2); v0 = 1.5 > v2 = 0.5, so (v1 + 1, v0, 0).
            Add("Float.Array", "Float", InFn("[Differentiable] public static float FloatArray(float[] v) => v[0] * v[1] + MathF.Max(v[0], v[2]);"),
                "FloatArray", new[] { Array("v", 1.5, -2, 0.5) },
                p => new[] { p[1] + 1, p[0], 0.0 }, isFloat: true);

            // A float method with a branch and a float literal: x > 0 gives x^2, so 2x.
            Add("Float.Branch", "Float",
                InFn("""
                    [Differentiable]
                    public static float FloatBranch(float x)
                    {
                        if (x > 0f)
                        {
                            return x * x;
                        }

                        return -x;
                    }
                    """),
                "FloatBranch", new[] { Scalar("x", 1.5) },
                p => new[] { 2 * p[0] }, isFloat: true);

            // Detach in a float method: f = x * detach(x), f' = detach(x) = x (no gradient through the detached factor).
            Add("Float.Detach", "Float", InFn("[Differentiable] public static float FloatDetach(float x) => x * Grad.Detach(x);"),
                "FloatDetach", new[] { Scalar("x", 1.5) },
                p => new[] { p[0] }, isFloat: true, smooth: false);

            // Math (double) inside a float method: f = (float)sqrt(x) y. df/dx = y / (2 sqrt x), df/dy = sqrt x.
            Add("Float.DoubleMathInFloatMethod", "Float", InFn("[Differentiable] public static float DoubleMathInFloat(float x, float y) => (float)Math.Sqrt(x) * y;"),
                "DoubleMathInFloat", new[] { Scalar("x", 2.25), Scalar("y", 1.5) },
                p => new[] { p[1] / (2 * Math.Sqrt(p[0])), Math.Sqrt(p[0]) }, isFloat: true);

            // A float method calling a double differentiable method: f = (float)DoubleSquare(x) x = x^3, f' = 3x^2.
            Add("Float.CallsDoubleMethod", "Float",
                InFn("""
                    [Differentiable]
                    public static double DoubleSquare(double a) => a * a;

                    [Differentiable]
                    public static float FloatCallsDouble(float x) => (float)DoubleSquare(x) * x;
                    """),
                "FloatCallsDouble", new[] { Scalar("x", 1.25) },
                p => new[] { 3 * Sq(p[0]) }, isFloat: true);

            // Overloads with one name, double and float (two generated files): f = x^3 - x, f' = 3x^2 - 1.
            string overloads = InFn("""
                [Differentiable]
                public static double Overloaded(double x) => x * x * x - x;

                [Differentiable]
                public static float Overloaded(float x) => x * x * x - x;
                """);
            Add("Float.OverloadDouble", "Float", overloads, "Overloaded", new[] { Scalar("x", 1.3) }, p => new[] { (3 * Sq(p[0])) - 1 });
            Add("Float.OverloadFloat", "Float", overloads, "Overloaded", new[] { Scalar("x", 1.3) }, p => new[] { (3 * Sq(p[0])) - 1 }, isFloat: true);

            // ---------------------------------------------------------------- Branches
            // s = x y; x > y: s = x^2 y -> (2xy, x^2); else s = x y + y^2 -> (y, x + 2y).
            string ifElse = InFn("""
                [Differentiable]
                public static double IfElse(double x, double y)
                {
                    double s = x * y;
                    if (x > y)
                    {
                        s = s * x;
                    }
                    else
                    {
                        s = s + y * y;
                    }

                    return s;
                }
                """);
            Add("Branch.IfElseThen", "Branches", ifElse, "IfElse", new[] { Scalar("x", 2), Scalar("y", 1) },
                p => new[] { 2 * p[0] * p[1], Sq(p[0]) });
            Add("Branch.IfElseElse", "Branches", ifElse, "IfElse", new[] { Scalar("x", 1), Scalar("y", 2) },
                p => new[] { p[1], p[0] + (2 * p[1]) });

            // An else-if chain, one point per arm (y = 3):
            //   x < -1: -x y -> (-y, -x);  x < 0: x^2 y -> (2xy, x^2);  x < 1: y sin x -> (y cos x, sin x);  else x + y -> (1, 1).
            string elseIf = InFn("""
                [Differentiable]
                public static double ElseIf(double x, double y)
                {
                    double r;
                    if (x < -1.0)
                    {
                        r = -x * y;
                    }
                    else if (x < 0.0)
                    {
                        r = x * x * y;
                    }
                    else if (x < 1.0)
                    {
                        r = Math.Sin(x) * y;
                    }
                    else
                    {
                        r = x + y;
                    }

                    return r;
                }
                """);
            Add("Branch.ElseIfFirst", "Branches", elseIf, "ElseIf", new[] { Scalar("x", -2), Scalar("y", 3) }, p => new[] { -p[1], -p[0] });
            Add("Branch.ElseIfSecond", "Branches", elseIf, "ElseIf", new[] { Scalar("x", -0.5), Scalar("y", 3) }, p => new[] { 2 * p[0] * p[1], Sq(p[0]) });
            Add("Branch.ElseIfThird", "Branches", elseIf, "ElseIf", new[] { Scalar("x", 0.5), Scalar("y", 3) }, p => new[] { p[1] * Math.Cos(p[0]), Math.Sin(p[0]) });
            Add("Branch.ElseIfLast", "Branches", elseIf, "ElseIf", new[] { Scalar("x", 2), Scalar("y", 3) }, p => new[] { 1.0, 1.0 });

            // && || ! in a condition. r = x y, squared when (x > 0 && y > 0) || !(x <= y):
            //   (1, 2): true -> x^2 y^2 -> (2xy^2, 2x^2y) = (8, 4);  (-1, -2): !(x <= y) -> (-8, -4);  (-2, -1): false -> (y, x).
            string logical = InFn("""
                [Differentiable]
                public static double Logical(double x, double y)
                {
                    double r = x * y;
                    if ((x > 0.0 && y > 0.0) || !(x <= y))
                    {
                        r = r * r;
                    }

                    return r;
                }
                """);
            Add("Branch.LogicalAnd", "Branches", logical, "Logical", new[] { Scalar("x", 1), Scalar("y", 2) }, p => new[] { 2 * p[0] * Sq(p[1]), 2 * Sq(p[0]) * p[1] });
            Add("Branch.LogicalNot", "Branches", logical, "Logical", new[] { Scalar("x", -1), Scalar("y", -2) }, p => new[] { 2 * p[0] * Sq(p[1]), 2 * Sq(p[0]) * p[1] });
            Add("Branch.LogicalNeither", "Branches", logical, "Logical", new[] { Scalar("x", -2), Scalar("y", -1) }, p => new[] { p[1], p[0] });

            // == and !=: r = x; x == y doubles it; y != 0 divides by y.
            //   (1.5, 1.5): 2x / y -> (2/y, -2x/y^2) (a tie between branches: not smooth);  (1, 2): x / y -> (1/y, -x/y^2).
            string equality = InFn("""
                [Differentiable]
                public static double Equality(double x, double y)
                {
                    double r = x;
                    if (x == y)
                    {
                        r = 2.0 * x;
                    }

                    if (y != 0.0)
                    {
                        r = r / y;
                    }

                    return r;
                }
                """);
            Add("Branch.EqualityEqual", "Branches", equality, "Equality", new[] { Scalar("x", 1.5), Scalar("y", 1.5) },
                p => new[] { 2 / p[1], -2 * p[0] / Sq(p[1]) }, smooth: false);
            Add("Branch.EqualityNotEqual", "Branches", equality, "Equality", new[] { Scalar("x", 1), Scalar("y", 2) },
                p => new[] { 1 / p[1], -p[0] / Sq(p[1]) });

            // Nested ifs: s = x; if x > 0 { s = (y > 0 ? s y : s - y); s = s^2 }; f = s + y.
            //   (2, 3): (xy)^2 + y -> (2xy^2, 2x^2y + 1) = (36, 25);  (2, -1): (x - y)^2 + y -> (2(x - y), -2(x - y) + 1);
            //   (-1, 3): x + y -> (1, 1).
            string nested = InFn("""
                [Differentiable]
                public static double NestedIf(double x, double y)
                {
                    double s = x;
                    if (x > 0.0)
                    {
                        if (y > 0.0)
                        {
                            s = s * y;
                        }
                        else
                        {
                            s = s - y;
                        }

                        s = s * s;
                    }

                    return s + y;
                }
                """);
            Add("Branch.NestedBothTrue", "NestedBranches", nested, "NestedIf", new[] { Scalar("x", 2), Scalar("y", 3) },
                p => new[] { 2 * p[0] * Sq(p[1]), (2 * Sq(p[0]) * p[1]) + 1 });
            Add("Branch.NestedInnerFalse", "NestedBranches", nested, "NestedIf", new[] { Scalar("x", 2), Scalar("y", -1) },
                p => new[] { 2 * (p[0] - p[1]), (-2 * (p[0] - p[1])) + 1 });
            Add("Branch.NestedOuterFalse", "NestedBranches", nested, "NestedIf", new[] { Scalar("x", -1), Scalar("y", 3) },
                p => new[] { 1.0, 1.0 });

            // An if with no else: s = x y, replaced by e^s when y > x. (0.5, 1): e^(xy) -> (y e^(xy), x e^(xy)).
            Add("Branch.IfWithoutElse", "Branches",
                InFn("""
                    [Differentiable]
                    public static double IfWithoutElse(double x, double y)
                    {
                        double s = x * y;
                        if (y > x)
                        {
                            s = Math.Exp(s);
                        }

                        return s;
                    }
                    """),
                "IfWithoutElse", new[] { Scalar("x", 0.5), Scalar("y", 1) },
                p => new[] { p[1] * Math.Exp(p[0] * p[1]), p[0] * Math.Exp(p[0] * p[1]) });

            // Locals of one name in sibling scopes: x > 0: a = x^2 -> (2x, 0);  else a = -x, r = a y -> (-y, -x).
            string sibling = InFn("""
                [Differentiable]
                public static double SiblingScopes(double x, double y)
                {
                    double r;
                    if (x > 0.0)
                    {
                        double a = x * x;
                        r = a;
                    }
                    else
                    {
                        double a = -x;
                        r = a * y;
                    }

                    return r;
                }
                """);
            Add("Branch.SiblingScopesThen", "Branches", sibling, "SiblingScopes", new[] { Scalar("x", 1.5), Scalar("y", 2) }, p => new[] { 2 * p[0], 0.0 });
            Add("Branch.SiblingScopesElse", "Branches", sibling, "SiblingScopes", new[] { Scalar("x", -1.5), Scalar("y", 2) }, p => new[] { -p[1], -p[0] });

            // A condition that reads a value merged from an earlier branch:
            //   s = (y > 0 ? x y : x); s > 1: ln s.  (2, 3): ln(xy) -> (1/x, 1/y);  (0.5, -1): s = x = 0.5 -> (1, 0).
            string phiCondition = InFn("""
                [Differentiable]
                public static double PhiInCondition(double x, double y)
                {
                    double s = x;
                    if (y > 0.0)
                    {
                        s = x * y;
                    }

                    if (s > 1.0)
                    {
                        s = Math.Log(s);
                    }

                    return s;
                }
                """);
            Add("Branch.PhiInConditionTaken", "Branches", phiCondition, "PhiInCondition", new[] { Scalar("x", 2), Scalar("y", 3) }, p => new[] { 1 / p[0], 1 / p[1] });
            Add("Branch.PhiInConditionNotTaken", "Branches", phiCondition, "PhiInCondition", new[] { Scalar("x", 0.5), Scalar("y", -1) }, p => new[] { 1.0, 0.0 });

            // Constant results in one arm: x > y: 2 -> (0, 0);  else x -> (1, 0).
            string constantArm = InFn("""
                [Differentiable]
                public static double ConstantArm(double x, double y)
                {
                    if (x > y)
                    {
                        return 2.0;
                    }

                    return x;
                }
                """);
            Add("Branch.ConstantArmTaken", "Branches", constantArm, "ConstantArm", new[] { Scalar("x", 3), Scalar("y", 1) }, p => new[] { 0.0, 0.0 });
            Add("Branch.ConstantArmNotTaken", "Branches", constantArm, "ConstantArm", new[] { Scalar("x", 0.5), Scalar("y", 1) }, p => new[] { 1.0, 0.0 });

            // An element read in a condition and in both results: v0 > v1: v0 x -> (x, 0, v0);  else v1 -> (0, 1, 0).
            string elementBranch = InFn("""
                [Differentiable]
                public static double ElementBranch(double[] v, double x)
                {
                    if (v[0] > v[1])
                    {
                        return v[0] * x;
                    }

                    return v[1];
                }
                """);
            Add("Branch.ElementInConditionThen", "Branches", elementBranch, "ElementBranch", new[] { Array("v", 3, 1), Scalar("x", 0.5) }, p => new[] { p[2], 0.0, p[0] });
            Add("Branch.ElementInConditionElse", "Branches", elementBranch, "ElementBranch", new[] { Array("v", 1, 3), Scalar("x", 0.5) }, p => new[] { 0.0, 1.0, 0.0 });

            // ---------------------------------------------------------------- Conditional operator
            // x > y ? x y : x / y.  (3, 2): (y, x);  (1, 2): (1/y, -x/y^2).
            string ternary = InFn("[Differentiable] public static double Ternary(double x, double y) => x > y ? x * y : x / y;");
            Add("Ternary.True", "Ternary", ternary, "Ternary", new[] { Scalar("x", 3), Scalar("y", 2) }, p => new[] { p[1], p[0] });
            Add("Ternary.False", "Ternary", ternary, "Ternary", new[] { Scalar("x", 1), Scalar("y", 2) }, p => new[] { 1 / p[1], -p[0] / Sq(p[1]) });

            // Leaky ReLU times y: (x > 0 ? x : 0.1 x) y.  x = -2: (0.1 y, 0.1 x);  x = 2: (y, x).
            string leaky = InFn("[Differentiable] public static double LeakyRelu(double x, double y) => (x > 0.0 ? x : 0.1 * x) * y;");
            Add("Ternary.LeakyReluNegative", "Ternary", leaky, "LeakyRelu", new[] { Scalar("x", -2), Scalar("y", 3) }, p => new[] { 0.1 * p[1], 0.1 * p[0] });
            Add("Ternary.LeakyReluPositive", "Ternary", leaky, "LeakyRelu", new[] { Scalar("x", 2), Scalar("y", 3) }, p => new[] { p[1], p[0] });

            // Nested conditional: x < 0 ? -x : x < 1 ? x^2 : sqrt(x).  -3: -1;  0.5: 2x = 1;  4: 1 / (2 sqrt x) = 0.25.
            string nestedTernary = InFn("[Differentiable] public static double NestedTernary(double x) => x < 0.0 ? -x : x < 1.0 ? x * x : Math.Sqrt(x);");
            Add("Ternary.NestedFirst", "Ternary", nestedTernary, "NestedTernary", new[] { Scalar("x", -3) }, p => new[] { -1.0 });
            Add("Ternary.NestedSecond", "Ternary", nestedTernary, "NestedTernary", new[] { Scalar("x", 0.5) }, p => new[] { 2 * p[0] });
            Add("Ternary.NestedThird", "Ternary", nestedTernary, "NestedTernary", new[] { Scalar("x", 4) }, p => new[] { 1 / (2 * Math.Sqrt(p[0])) });

            // ---------------------------------------------------------------- Early return
            // x < 0: -x y -> (-y, -x);  t = x^2 > 4: t y -> (2xy, x^2);  else t + y -> (2x, 1).  y = 3.
            string early = InFn("""
                [Differentiable]
                public static double EarlyReturn(double x, double y)
                {
                    if (x < 0.0)
                    {
                        return -x * y;
                    }

                    double t = x * x;
                    if (t > 4.0)
                    {
                        return t * y;
                    }

                    return t + y;
                }
                """);
            Add("EarlyReturn.First", "EarlyReturn", early, "EarlyReturn", new[] { Scalar("x", -1), Scalar("y", 3) }, p => new[] { -p[1], -p[0] });
            Add("EarlyReturn.Second", "EarlyReturn", early, "EarlyReturn", new[] { Scalar("x", 3), Scalar("y", 3) }, p => new[] { 2 * p[0] * p[1], Sq(p[0]) });
            Add("EarlyReturn.Last", "EarlyReturn", early, "EarlyReturn", new[] { Scalar("x", 1), Scalar("y", 3) }, p => new[] { 2 * p[0], 1.0 });

            // A return inside a nested if, with a local re-assigned on the other path:
            //   a = x y; a > 1 and x > y: return a x = x^2 y -> (2xy, x^2); (3, 1): (6, 9).
            //   a > 1 and x <= y: a = x y + 1, f = a^2 + x -> (2 a y + 1, 2 a x); (1, 3): a = 4 -> (25, 8).
            //   a <= 1: f = (x y)^2 + x -> (2 x y^2 + 1, 2 x^2 y); (0.5, 1): (2, 0.5).
            string earlyNested = InFn("""
                [Differentiable]
                public static double EarlyReturnNested(double x, double y)
                {
                    double a = x * y;
                    if (a > 1.0)
                    {
                        if (x > y)
                        {
                            return a * x;
                        }

                        a = a + 1.0;
                    }

                    double b = a * a;
                    return b + x;
                }
                """);
            Add("EarlyReturn.NestedReturn", "EarlyReturn", earlyNested, "EarlyReturnNested", new[] { Scalar("x", 3), Scalar("y", 1) },
                p => new[] { 2 * p[0] * p[1], Sq(p[0]) });
            Add("EarlyReturn.NestedFallThrough", "EarlyReturn", earlyNested, "EarlyReturnNested", new[] { Scalar("x", 1), Scalar("y", 3) },
                p =>
                {
                    double a = (p[0] * p[1]) + 1;
                    return new[] { (2 * a * p[1]) + 1, 2 * a * p[0] };
                });
            Add("EarlyReturn.NestedSkipped", "EarlyReturn", earlyNested, "EarlyReturnNested", new[] { Scalar("x", 0.5), Scalar("y", 1) },
                p => new[] { (2 * p[0] * Sq(p[1])) + 1, 2 * Sq(p[0]) * p[1] });

            // A return in each arm of an if/else: x > 0: ln x -> 1/x;  else -x^2 -> -2x.
            string returnBoth = InFn("""
                [Differentiable]
                public static double ReturnInBothArms(double x)
                {
                    if (x > 0.0)
                    {
                        return Math.Log(x);
                    }
                    else
                    {
                        return -x * x;
                    }
                }
                """);
            Add("EarlyReturn.BothArmsThen", "EarlyReturn", returnBoth, "ReturnInBothArms", new[] { Scalar("x", 2) }, p => new[] { 1 / p[0] });
            Add("EarlyReturn.BothArmsElse", "EarlyReturn", returnBoth, "ReturnInBothArms", new[] { Scalar("x", -2) }, p => new[] { -2 * p[0] });

            // The else arm returns and the then arm falls through to more code:
            //   s = x y; x > 1: s += x, f = s y = x y^2 + x y -> (y^2 + y, 2xy + x);  else f = s^2 -> (2 x y^2, 2 x^2 y).
            string elseReturns = InFn("""
                [Differentiable]
                public static double ElseReturns(double x, double y)
                {
                    double s = x * y;
                    if (x > 1.0)
                    {
                        s = s + x;
                    }
                    else
                    {
                        return s * s;
                    }

                    return s * y;
                }
                """);
            Add("EarlyReturn.ElseReturnsFallThrough", "EarlyReturn", elseReturns, "ElseReturns", new[] { Scalar("x", 2), Scalar("y", 3) },
                p => new[] { Sq(p[1]) + p[1], (2 * p[0] * p[1]) + p[0] });
            Add("EarlyReturn.ElseReturnsReturned", "EarlyReturn", elseReturns, "ElseReturns", new[] { Scalar("x", 0.5), Scalar("y", 3) },
                p => new[] { 2 * p[0] * Sq(p[1]), 2 * Sq(p[0]) * p[1] });

            // Early returns in an else-if chain with a local after it:
            //   x < -1: return x y -> (y, x);  x < 1: return x^2 -> (2x, 0);  else t = x + y, f = t^2 -> (2t, 2t).
            string chainReturns = InFn("""
                [Differentiable]
                public static double ChainReturns(double x, double y)
                {
                    if (x < -1.0)
                    {
                        return x * y;
                    }
                    else if (x < 1.0)
                    {
                        return x * x;
                    }

                    double t = x + y;
                    return t * t;
                }
                """);
            Add("EarlyReturn.ChainFirst", "EarlyReturn", chainReturns, "ChainReturns", new[] { Scalar("x", -2), Scalar("y", 3) }, p => new[] { p[1], p[0] });
            Add("EarlyReturn.ChainSecond", "EarlyReturn", chainReturns, "ChainReturns", new[] { Scalar("x", 0.5), Scalar("y", 3) }, p => new[] { 2 * p[0], 0.0 });
            Add("EarlyReturn.ChainFallThrough", "EarlyReturn", chainReturns, "ChainReturns", new[] { Scalar("x", 2), Scalar("y", 3) },
                p => new[] { 2 * (p[0] + p[1]), 2 * (p[0] + p[1]) });

            // ---------------------------------------------------------------- Calls to other [Differentiable] methods
            // Square(a) = a^2, Hypot(a, b) = sqrt(Square(a) + Square(b)); f = Hypot(2x, y) + Square(x).
            //   h = sqrt(4x^2 + y^2): df/dx = 4x / h + 2x, df/dy = y / h.  (1.5, 2): h = sqrt(13).
            Add("Call.Composite", "Calls",
                InFn("""
                    [Differentiable]
                    public static double Square(double a) => a * a;

                    [Differentiable]
                    public static double Hypot(double a, double b) => Math.Sqrt(Square(a) + Square(b));

                    [Differentiable]
                    public static double CallComposite(double x, double y) => Hypot(x * 2.0, y) + Square(x);
                    """),
                "CallComposite", new[] { Scalar("x", 1.5), Scalar("y", 2) },
                p =>
                {
                    double h = Math.Sqrt((4 * Sq(p[0])) + Sq(p[1]));
                    return new[] { (4 * p[0] / h) + (2 * p[0]), p[1] / h };
                });

            // Nested calls and a call on a constant, with Twice(a) = 2a: f = Twice(Twice(x)) x + Twice(3) = 4x^2 + 6, f' = 8x.
            Add("Call.NestedAndConstant", "Calls",
                InFn("""
                    [Differentiable]
                    public static double Twice(double a) => 2.0 * a;

                    [Differentiable]
                    public static double CallNested(double x) => Twice(Twice(x)) * x + Twice(3.0);
                    """),
                "CallNested", new[] { Scalar("x", 1.3) },
                p => new[] { 8 * p[0] });

            // A constant passed to the callee's [NoGrad] parameter (no gradient is cut, so no warning):
            // Scaled(v, k) = v k; f = Scaled(x, 2) + x, f' = 3.
            Add("Call.NoGradParameterOfCallee", "Calls",
                InFn("""
                    [Differentiable]
                    public static double Scaled(double v, [NoGrad] double k) => v * k;

                    [Differentiable]
                    public static double CallScaled(double x) => Scaled(x, 2.0) + x;
                    """),
                "CallScaled", new[] { Scalar("x", 0.6) },
                p => new[] { 3.0 });

            // A call inside a branch: x > 0: Cube(x) y -> (3x^2 y, x^3); else y -> (0, 1).
            string callInBranch = InFn("""
                [Differentiable]
                public static double Cube(double a) => a * a * a;

                [Differentiable]
                public static double CallInBranch(double x, double y)
                {
                    if (x > 0.0)
                    {
                        return Cube(x) * y;
                    }

                    return y;
                }
                """);
            Add("Call.InBranchTaken", "Calls", callInBranch, "CallInBranch", new[] { Scalar("x", 1.2), Scalar("y", 0.5) },
                p => new[] { 3 * Sq(p[0]) * p[1], p[0] * p[0] * p[0] });
            Add("Call.InBranchNotTaken", "Calls", callInBranch, "CallInBranch", new[] { Scalar("x", -1.2), Scalar("y", 0.5) },
                p => new[] { 0.0, 1.0 });

            // A differentiable method of another type in another namespace: f = 2 Cubic(x), Cubic(a) = a^3 - a;
            // f' = 2 (3x^2 - 1).
            Add("Call.OtherType", "Calls",
                """
                using SymDiff;

                namespace Corpus.Library
                {
                    public static partial class Poly
                    {
                        [Differentiable]
                        public static double Cubic(double a) => a * a * a - a;
                    }
                }

                namespace Corpus
                {
                    public static partial class Fn
                    {
                        [Differentiable]
                        public static double CallOtherType(double x) => Library.Poly.Cubic(x) * 2.0;
                    }
                }
                """,
                "CallOtherType", new[] { Scalar("x", 0.8) },
                p => new[] { 2 * ((3 * Sq(p[0])) - 1) });

            // A call's result used several times, and a conditional expression as an argument:
            //   s = SquareOf(x > 0 ? x : -x) = x^2, f = s^2 + s = x^4 + x^2, f' = 4x^3 + 2x.
            Add("Call.ResultReused", "Calls",
                InFn("""
                    [Differentiable]
                    public static double SquareOf(double a) => a * a;

                    [Differentiable]
                    public static double CallResultReused(double x)
                    {
                        double s = SquareOf(x > 0.0 ? x : -x);
                        return s * s + s;
                    }
                    """),
                "CallResultReused", new[] { Scalar("x", -1.2) },
                p => new[] { (4 * Math.Pow(p[0], 3)) + (2 * p[0]) });

            // ---------------------------------------------------------------- Custom rules ([DerivativeOf])
            // Softplus(t) = ln(1 + e^t), with the rule Softplus'(t) = sigmoid(t). f = Softplus(x y):
            // (y sigmoid(xy), x sigmoid(xy)).
            Add("CustomRule.OneArgument", "CustomRules",
                """
                using System;
                using SymDiff;

                namespace Corpus
                {
                    public static class SoftplusMath
                    {
                        public static double Softplus(double t) => Math.Log(1 + Math.Exp(t));
                    }

                    public static class SoftplusRules
                    {
                        [DerivativeOf(typeof(SoftplusMath), nameof(SoftplusMath.Softplus))]
                        public static double SoftplusDerivative(double t) => 1 / (1 + Math.Exp(-t));
                    }

                    public static partial class Fn
                    {
                        [Differentiable]
                        public static double UseSoftplus(double x, double y) => SoftplusMath.Softplus(x * y);
                    }
                }
                """,
                "UseSoftplus", new[] { Scalar("x", 0.3), Scalar("y", 2) },
                p => new[] { p[1] * Sigmoid(p[0] * p[1]), p[0] * Sigmoid(p[0] * p[1]) });

            // Mix(a, b) = a e^b, with the tuple rule (e^b, a e^b). f = Mix(x, y) + x: (e^y + 1, x e^y).
            const string mixSource = """
                using System;
                using SymDiff;

                namespace Corpus
                {
                    public static class MixMath
                    {
                        public static double Mix(double a, double b) => a * Math.Exp(b);
                    }

                    internal static class MixRules
                    {
                        [DerivativeOf(typeof(MixMath), nameof(MixMath.Mix))]
                        internal static (double, double) MixDerivative(double a, double b) => (Math.Exp(b), a * Math.Exp(b));
                    }

                    public static partial class Fn
                    {
                        [Differentiable]
                        public static double UseMix(double x, double y) => MixMath.Mix(x, y) + x;

                        [Differentiable]
                        public static double UseMixConstant(double x) => MixMath.Mix(x * x, 0.5);
                    }
                }
                """;
            Add("CustomRule.TwoArguments", "CustomRules", mixSource, "UseMix", new[] { Scalar("x", 1.5), Scalar("y", 0.4) },
                p => new[] { Math.Exp(p[1]) + 1, p[0] * Math.Exp(p[1]) });

            // The same tuple rule with an inactive second argument: f = Mix(x^2, 0.5) = x^2 e^0.5, f' = 2x e^0.5.
            Add("CustomRule.TwoArgumentsOneInactive", "CustomRules", mixSource, "UseMixConstant", new[] { Scalar("x", 1.5) },
                p => new[] { 2 * p[0] * Math.Exp(0.5) });

            // ---------------------------------------------------------------- Grad.Detach
            // f = x detach(x y) + y: the detached factor is a constant, so df/dx = x y (its value), df/dy = 1.
            // Finite differences see the true derivative (2xy, x^2 + 1), so they are not compared.
            Add("Detach.Product", "Detach", InFn("[Differentiable] public static double DetachProduct(double x, double y) => x * Grad.Detach(x * y) + y;"),
                "DetachProduct", new[] { Scalar("x", 2), Scalar("y", 3) },
                p => new[] { p[0] * p[1], 1.0 }, smooth: false);

            // Detach of a local that is used undetached as well: a = x^2; f = a + detach(a) a. df/dx = 2x + a 2x = 2x (1 + x^2).
            Add("Detach.Local", "Detach",
                InFn("""
                    [Differentiable]
                    public static double DetachLocal(double x)
                    {
                        double a = x * x;
                        return a + Grad.Detach(a) * a;
                    }
                    """),
                "DetachLocal", new[] { Scalar("x", 1.5) },
                p => new[] { 2 * p[0] * (1 + Sq(p[0])) }, smooth: false);

            // ---------------------------------------------------------------- [NoGrad] and wrt lists
            // [NoGrad] c = 1.5: f = c x^2, only df/dx = 2 c x.
            Add("NoGrad.Scalar", "NoGradWrt", InFn("[Differentiable] public static double NoGradScalar(double x, [NoGrad] double c) => c * x * x;"),
                "NoGradScalar", new[] { Scalar("x", 2), Data("c", "1.5") },
                p => new[] { 2 * 1.5 * p[0] });

            // API.md's Loss with [NoGrad] data spans, written out for two samples (no loops yet):
            //   r_i = w x_i + b - y_i; f = r_0^2 + r_1^2; df/dw = 2 r_0 x_0 + 2 r_1 x_1, df/db = 2 r_0 + 2 r_1.
            //   xs = (1, 2), ys = (3, 5), w = 1.5, b = 0.5: r = (-1, -1.5) -> (-8, -5).
            Add("NoGrad.DataSpans", "NoGradWrt",
                InFn("""
                    [Differentiable]
                    public static double Loss(double w, double b, [NoGrad] ReadOnlySpan<double> xs, [NoGrad] ReadOnlySpan<double> ys)
                    {
                        double r0 = w * xs[0] + b - ys[0];
                        double r1 = w * xs[1] + b - ys[1];
                        return r0 * r0 + r1 * r1;
                    }
                    """),
                "Loss", new[] { Scalar("w", 1.5), Scalar("b", 0.5), Data("xs", "new double[] { 1.0, 2.0 }"), Data("ys", "new double[] { 3.0, 5.0 }") },
                p =>
                {
                    double r0 = (p[0] * 1) + p[1] - 3, r1 = (p[0] * 2) + p[1] - 5;
                    return new[] { (2 * r0 * 1) + (2 * r1 * 2), (2 * r0) + (2 * r1) };
                });

            // An active array with a [NoGrad] data array: f = w . d over three elements, df/dw = d = (1, -2, 0.5).
            Add("NoGrad.ArrayData", "NoGradWrt",
                InFn("[Differentiable] public static double Dot(double[] w, [NoGrad] double[] d) => w[0] * d[0] + w[1] * d[1] + w[2] * d[2];"),
                "Dot", new[] { Array("w", 0.3, 0.6, 0.9), Data("d", "new double[] { 1.0, -2.0, 0.5 }") },
                p => new[] { 1.0, -2.0, 0.5 });

            // wrt x only: f = x y + y^2 with y = 3 as data: df/dx = y.
            Add("Wrt.OneOfTwo", "NoGradWrt", InFn("[Differentiable(nameof(x))] public static double WrtX(double x, double y) => x * y + y * y;"),
                "WrtX", new[] { Scalar("x", 2), Data("y", "3.0") },
                p => new[] { 3.0 });

            // wrt a and c: f = a b c + b with b = 2 as data: (b c, a b) at a = 1, c = 3 -> (6, 2).
            Add("Wrt.TwoOfThree", "NoGradWrt", InFn("[Differentiable(nameof(a), nameof(c))] public static double WrtAc(double a, double b, double c) => a * b * c + b;"),
                "WrtAc", new[] { Scalar("a", 1), Data("b", "2.0"), Scalar("c", 3) },
                p => new[] { 2 * p[1], p[0] * 2 });

            // ---------------------------------------------------------------- Element reads of arrays and spans
            // f = v0 v1 + v2: (v1, v0, 1).
            Add("Element.ArrayConstantIndex", "ElementAccess", InFn("[Differentiable] public static double ArrayConstantIndex(double[] v) => v[0] * v[1] + v[2];"),
                "ArrayConstantIndex", new[] { Array("v", 1.5, -2, 0.5) },
                p => new[] { p[1], p[0], 1.0 });

            // f = u_i^2 + x u_0 with int index i (data): du_i += 2 u_i, du_0 += x, dx = u_0.
            //   i = 2: du = (x, 0, 2 u_2), dx = u_0;  i = 0 (both reads hit u_0): du = (2 u_0 + x, 0, 0), dx = u_0.
            string spanIndex = InFn("[Differentiable] public static double SpanIntIndex(ReadOnlySpan<double> u, double x, int i) => u[i] * u[i] + x * u[0];");
            Add("Element.SpanIntIndex", "ElementAccess", spanIndex, "SpanIntIndex", new[] { Span("u", 1, 2, 3), Scalar("x", 0.5), Data("i", "2") },
                p => new[] { p[3], 0.0, 2 * p[2], p[0] });
            Add("Element.SpanIndexAliasing", "ElementAccess", spanIndex, "SpanIntIndex", new[] { Span("u", 1, 2, 3), Scalar("x", 0.5), Data("i", "0") },
                p => new[] { (2 * p[0]) + p[3], 0.0, 0.0, p[0] });

            // Index arithmetic and Length: f = v[Length - 1] v[i + 1] with i = 0: v2 v1 -> (0, v2, v1).
            Add("Element.IndexArithmeticAndLength", "ElementAccess", InFn("[Differentiable] public static double IndexArithmetic(double[] v, int i) => v[v.Length - 1] * v[i + 1];"),
                "IndexArithmetic", new[] { Array("v", 2, 3, 5), Data("i", "0") },
                p => new[] { 0.0, p[2], p[1] });

            // An array and a span together (a 2D cross product): f = a0 b1 - a1 b0 -> da = (b1, -b0), db = (-a1, a0).
            Add("Element.ArrayAndSpan", "ElementAccess", InFn("[Differentiable] public static double Cross(double[] a, ReadOnlySpan<double> b) => a[0] * b[1] - a[1] * b[0];"),
                "Cross", new[] { Array("a", 1, 2), Span("b", 3, 4) },
                p => new[] { p[3], -p[2], -p[1], p[0] });

            // A span element and a scalar in a Math function: f = sin(u0 x) + u1: du = (x cos(u0 x), 1), dx = u0 cos(u0 x).
            Add("Element.SpanInMathFunction", "ElementAccess", InFn("[Differentiable] public static double SpanSin(ReadOnlySpan<double> u, double x) => Math.Sin(u[0] * x) + u[1];"),
                "SpanSin", new[] { Span("u", 0.5, 2), Scalar("x", 1.2) },
                p => new[] { p[2] * Math.Cos(p[0] * p[2]), 1.0, p[0] * Math.Cos(p[0] * p[2]) });

            // ---------------------------------------------------------------- Containers
            // An instance method of a non-static partial class; fields and properties are constants:
            // f = Scale x^2 + Offset with Scale = 3: f' = 2 Scale x = 9 at x = 1.5.
            Add("Container.InstanceMethod", "Containers",
                """
                using SymDiff;

                namespace Corpus
                {
                    public partial class Model
                    {
                        public double Offset = 0.5;

                        public double Scale { get; set; } = 3.0;

                        [Differentiable]
                        public double Predict(double x) => Scale * x * x + Offset;
                    }
                }
                """,
                "Predict", new[] { Scalar("x", 1.5) },
                p => new[] { 2 * 3.0 * p[0] }, receiver: "new global::Corpus.Model()");

            // An instance method calling another differentiable instance method of the same instance:
            // Apply(x) = W tanh x, f = Apply(Apply(x)); f' = W (1 - tanh^2 u) W (1 - tanh^2 x), u = W tanh x, W = 2.
            Add("Container.InstanceCallsInstance", "Containers",
                """
                using System;
                using SymDiff;

                namespace Corpus
                {
                    public partial class Layer
                    {
                        public double W = 2.0;

                        [Differentiable]
                        public double Apply(double x) => W * Math.Tanh(x);

                        [Differentiable]
                        public double ApplyTwice(double x) => Apply(Apply(x));
                    }
                }
                """,
                "ApplyTwice", new[] { Scalar("x", 0.3) },
                p =>
                {
                    const double w = 2.0;
                    double u = w * Math.Tanh(p[0]);
                    return new[] { w * (1 - Sq(Math.Tanh(u))) * w * (1 - Sq(Math.Tanh(p[0]))) };
                }, receiver: "new global::Corpus.Layer()");

            // An instance method calling a differentiable method on another instance (API.md section 7):
            // f = other.Apply(Apply(x)) = W_other (W x), f' = W_other W = 3 * 2.
            Add("Container.InstanceCallsOtherInstance", "Containers",
                """
                using SymDiff;

                namespace Corpus
                {
                    public partial class Composer
                    {
                        public double W = 2.0;

                        [Differentiable]
                        public double Apply(double x) => W * x;

                        [Differentiable]
                        public double Compose(Composer other, double x) => other.Apply(Apply(x));
                    }
                }
                """,
                "Compose", new[] { Data("other", "new global::Corpus.Composer { W = 3.0 }"), Scalar("x", 0.7) },
                p => new[] { 3.0 * 2.0 }, receiver: "new global::Corpus.Composer()");

            // A method in a nested (internal) partial type: f = x / y -> (1/y, -x/y^2).
            Add("Container.NestedType", "Containers",
                """
                using SymDiff;

                namespace Corpus
                {
                    public static partial class Outer
                    {
                        internal static partial class Inner
                        {
                            [Differentiable]
                            internal static double Ratio(double x, double y) => x / y;
                        }
                    }
                }
                """,
                "Ratio", new[] { Scalar("x", 3), Scalar("y", 4) },
                p => new[] { 1 / p[1], -p[0] / Sq(p[1]) }, receiver: "global::Corpus.Outer.Inner");

            // A struct (in a file-scoped namespace) with an instance method: E = K x^2 / 2, E' = K x = 4 * 0.5.
            Add("Container.Struct", "Containers",
                """
                using SymDiff;

                namespace Corpus.Physics;

                public partial struct Spring
                {
                    public Spring(double k)
                    {
                        K = k;
                    }

                    public double K { get; }

                    [Differentiable]
                    public double Energy(double x) => 0.5 * K * x * x;
                }
                """,
                "Energy", new[] { Scalar("x", 0.5) },
                p => new[] { 4.0 * p[0] }, receiver: "new global::Corpus.Physics.Spring(4.0)");

            // A record with a positional property: f = pi R^2 s^2, f' = 2 pi R^2 s with R = 2.
            Add("Container.Record", "Containers",
                """
                using System;
                using SymDiff;

                namespace Corpus
                {
                    public partial record Circle(double Radius)
                    {
                        [Differentiable]
                        public double ScaledArea(double s) => Math.PI * Radius * Radius * s * s;
                    }
                }
                """,
                "ScaledArea", new[] { Scalar("s", 1.5) },
                p => new[] { 2 * Math.PI * 4.0 * p[0] }, receiver: "new global::Corpus.Circle(2.0)");

            // A record struct: f = (x - Offset)^2, f' = 2 (x - Offset) with Offset = 1.
            Add("Container.RecordStruct", "Containers",
                """
                using SymDiff;

                namespace Corpus
                {
                    public partial record struct Gauge(double Offset)
                    {
                        [Differentiable]
                        public double Deviation(double x) => (x - Offset) * (x - Offset);
                    }
                }
                """,
                "Deviation", new[] { Scalar("x", 2.5) },
                p => new[] { 2 * (p[0] - 1.0) }, receiver: "new global::Corpus.Gauge(1.0)");

            // A class with a primary constructor whose parameter the body reads (a constant, like a field): f = k x, f' = k = 2.5.
            Add("Container.PrimaryConstructor", "PrimaryConstructor",
                """
                using SymDiff;

                namespace Corpus
                {
                    public partial class Scaler(double k)
                    {
                        [Differentiable]
                        public double Scale(double x) => k * x;
                    }
                }
                """,
                "Scale", new[] { Scalar("x", 1.5) },
                p => new[] { 2.5 }, receiver: "new global::Corpus.Scaler(2.5)");

            // A static method of a non-static partial class in the global namespace: f = x e^(-x), f' = (1 - x) e^(-x).
            Add("Container.GlobalNamespace", "Containers",
                """
                using System;
                using SymDiff;

                public partial class GlobalHelpers
                {
                    [Differentiable]
                    public static double Damped(double x) => x * Math.Exp(-x);
                }
                """,
                "Damped", new[] { Scalar("x", 0.7) },
                p => new[] { (1 - p[0]) * Math.Exp(-p[0]) }, receiver: "global::GlobalHelpers");

            return all;
        }
    }
}

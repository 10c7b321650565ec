using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SymDiff.Fuzz.Tests.Grammar;
using SymDiff.Fuzz.Tests.Oracle;

namespace SymDiff.Fuzz.Tests.Harness
{
    /// <summary>One disagreement between a generated method and the oracle (or the user's method).</summary>
    public sealed record Disagreement(string What, double Got, double Want, double Magnitude)
    {
        public override string ToString() =>
            double.IsNaN(Magnitude)
                ? $"{What}: got {Checker.Format(Got)}, want {Checker.Format(Want)} (bit for bit)"
                : $"{What}: got {Checker.Format(Got)}, want {Checker.Format(Want)} (|terms| {Checker.Format(Magnitude)})";
    }

    /// <summary>
    /// The checks of one program. Values (what <c>FGradient</c>, <c>FDerivative</c>, <c>FHessian</c>, ... return, and the
    /// outputs of a vector function) must equal the user's method bit for bit. Derivatives must agree with the dual-number
    /// oracle under the tolerance rule of <see cref="Agrees"/>.
    /// </summary>
    public static class Checker
    {
        /// <summary>Relative tolerance, against the magnitude of the terms summed, for double methods.</summary>
        public const double DoubleTolerance = 1e-9;

        /// <summary>The same for float methods: the generated code differentiates in float, the oracle in double.</summary>
        public const double FloatTolerance = 1e-3;

        /// <summary>
        /// For <c>Vectorize = true</c> methods, which may reorder sums: a generated value may differ from the user's by
        /// <c>tol * (1 + |value|)</c>, with <c>tol</c> this for double methods and <see cref="VectorizedFloatValueTolerance"/>
        /// for float ones.
        /// </summary>
        public const double VectorizedValueTolerance = 1e-10;

        /// <summary>
        /// The same for float methods: the fuzzer's nested loops may add up to about 2,000 terms into one local, and summed in
        /// another order those differ by up to about n * 6e-8 of their magnitude (FINDINGS F58 family: 1.6e-5 after 500
        /// additions at seed 59, 1.3e-5 after about 1,900 at seed 67).
        /// </summary>
        public const double VectorizedFloatValueTolerance = 1e-4;

        /// <summary>
        /// The scaled Backward run's seed is <c>2^-this</c> for double methods. An adjoint may exceed the type's range in a
        /// reverse sweep (a long product of large partials) and then meet a zero partial: <c>inf * 0</c> is NaN where the
        /// forward-mode oracle, which never forms that adjoint, has a finite value. IEEE decides there (PyTorch gives the
        /// same NaN), so the contract leaves it open; but reverse mode is linear in its seed, so the same sweep with a tiny
        /// seed stays in range, and its result, scaled back, must agree with the oracle. Only then is the element left
        /// open; a NaN from anything else (an infinite partial, a wrong rule) is not rescued by scaling the seed.
        /// </summary>
        public const int DoubleScaleExponent = 960;

        /// <summary>The same for float methods (float's smallest normal is 2^-126).</summary>
        public const int FloatScaleExponent = 100;

        /// <summary>Results of a check: disagreements, elements the contract leaves open (not compared), and whether the program was discarded.</summary>
        public sealed record Result(List<Disagreement> Disagreements, int Compared, int Unchecked, string? Discarded)
        {
            /// <summary>The inputs failed an argument check: the user's method threw, and the generated methods were checked to throw the same.</summary>
            public bool GuardThrew { get; init; }
        }

        /// <summary>An exception as a guard check compares it: type, message and parameter name.</summary>
        public static string Describe(Exception e) => $"{e.GetType().FullName}: \"{e.Message}\" (ParamName {(e as ArgumentException)?.ParamName ?? "null"})";

        /// <summary>The generated methods the driver calls for a program (the keys it records their exceptions under).</summary>
        public static string[] GeneratedCalls(FuzzProgram p) =>
            p.IsVector ? new[] { "Backward", "Derivative", "Jacobian" }
            : p.Hessian ? new[] { "Gradient", "Backward", "Derivative", "Hessian", "HessianVectorProduct" }
            : new[] { "Gradient", "Backward", "Derivative" };

        /// <summary>
        /// The user's method threw. With an argument check in the program, every generated method must throw the same
        /// exception (type, message, parameter name), and Backward must not have touched its gradient buffers; without
        /// one, the program is discarded (the grammar made a program that is not valid at run time).
        /// </summary>
        private static Result CheckThrow(FuzzProgram p, ProgramRecord rec, Exception user)
        {
            var bad = new List<Disagreement>();
            if (!p.HasGuards)
            {
                return new Result(bad, 0, 0, $"the user's method threw {user.GetType().Name}: {user.Message}");
            }

            string want = Describe(user);
            // A Vectorize = true method may reorder the sums that compute a helper's argument, so a message that prints the
            // argument's value (p0 = 3554.9753) may differ in its digits (FINDINGS F70): compared with the numbers masked.
            string Comparable(string described) => p.Vectorize ? System.Text.RegularExpressions.Regex.Replace(described, @"-?\d+(\.\d+)?([eE][-+]?\d+)?", "#") : described;
            int compared = 0;
            foreach (string call in GeneratedCalls(p))
            {
                compared++;
                if (!rec.Threw.TryGetValue(call, out Exception? got))
                {
                    bad.Add(new Disagreement($"GUARD: {call} did not throw; the user's method threw {want}", double.NaN, double.NaN, double.NaN));
                }
                else if (Comparable(Describe(got)) != Comparable(want))
                {
                    bad.Add(new Disagreement($"GUARD: {call} threw {Describe(got)}; the user's method threw {want}", double.NaN, double.NaN, double.NaN));
                }
            }

            // API.md section 9 (guards) orders the method's own guards before its first loop ahead of every write; a helper's
            // argument check (the grammar names its parameter p0) runs where the helper is called, which may be after a
            // loop whose gradient a Backward has already accumulated (FINDINGS F49): there only the exception is checked.
            bool fromHelper = user is ArgumentException { ParamName: "p0" };
            if (!fromHelper && rec.Values.TryGetValue("Backward.afterThrow", out double[]? after))
            {
                for (int k = 0; k < after.Length; k++)
                {
                    compared++;
                    double init = Round(p, p.Seeds.Initial[k]);
                    if (!SameBits(after[k], init))
                    {
                        bad.Add(new Disagreement($"GUARD: {p.MethodName}Backward wrote gradient buffer element {Labels(p)[k]} before throwing", after[k], init, double.NaN));
                    }
                }
            }

            return new Result(bad, compared, 0, null) { GuardThrew = true };
        }

        public static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>
        /// The tolerance rule. A NaN or infinity agrees only with the same non-finite value. An element whose
        /// magnitude is NaN (the contract leaves it open: an infinite partial times a zero tangent) or infinite is not
        /// compared. Otherwise <c>|got - want| &lt;= tol * m + tiny</c>, where m bounds the magnitude of the terms summed
        /// into the derivative, so cancellation does not make the check flaky.
        /// </summary>
        public static bool? Agrees(double got, double want, double m, double tol, double tiny)
        {
            if (double.IsNaN(m))
            {
                return null;
            }

            if (!double.IsFinite(want))
            {
                return double.IsNaN(want) ? double.IsNaN(got) : got.Equals(want);
            }

            if (double.IsInfinity(m))
            {
                return null;
            }

            return Math.Abs(got - want) <= (tol * m) + tiny;
        }

        /// <summary>Derivatives whose terms are all below this are near the bottom of the method's precision (F60).</summary>
        private static double UnderflowScale(bool isFloat) => isFloat ? 1e-20 : 1e-250;

        private static bool SameBits(double a, double b) => (double.IsNaN(a) && double.IsNaN(b)) || BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);

        public static Result Check(FuzzProgram p, ProgramRecord rec)
        {
            var bad = new List<Disagreement>();
            int compared = 0, skipped = 0;
            bool isFloat = p.Precision == Precision.Float;

            // A float method whose derivative's terms exceed float's range overflows to infinity in the generated code
            // (and inf - inf is NaN) where the oracle, in double, still has a finite value: left open, like an infinite term.
            double FloatRange(double m) => isFloat && m > float.MaxValue ? double.PositiveInfinity : m;
            double tol = isFloat ? FloatTolerance : DoubleTolerance;
            double tiny = isFloat ? 1e-30 : 1e-300;
            int n = DriverRenderer.ActiveCount(p);

            if (rec.Threw.TryGetValue("User", out Exception? userThrew))
            {
                return CheckThrow(p, rec, userThrew);
            }

            foreach (var (call, e) in rec.Threw)
            {
                if (call == "Driver")
                {
                    // The user's own method threw: the grammar produced a program that is not valid at run time.
                    return new Result(bad, 0, 0, $"the user's method threw {e.GetType().Name}: {e.Message}");
                }

                bad.Add(new Disagreement($"{call} threw {e.GetType().Name}: {e.Message}", double.NaN, double.NaN, double.NaN));
            }

            string valueKey = p.IsVector ? "G" : "F";
            if (!rec.Values.TryGetValue(valueKey, out double[]? value))
            {
                return new Result(bad, 0, 0, "the user's method did not run");
            }

            // An output element the method leaves unwritten holds the caller's NaN (FuzzGrammar.UnwrittenOutputs).
            if (value.Where((_, k) => k != p.UnwrittenOutput).Any(v => !double.IsFinite(v) || Math.Abs(v) > 1e100))
            {
                return new Result(new List<Disagreement>(), 0, 0, "non-finite or huge value");
            }

            // A Vectorize = true method may change its value's last bits (API.md 9). Where one ulp of one input already moves
            // the user's own value by more than the value tolerance, last-bit differences are amplified past every
            // tolerance (a Sin of a huge, chaotically iterated value: FINDINGS F58, F76): nothing can be compared.
            double valueTolerance = isFloat ? VectorizedFloatValueTolerance : VectorizedValueTolerance;
            if (p.Vectorize && rec.Values.TryGetValue("Probe", out double[]? probe) && !(probe[0] <= valueTolerance))
            {
                return new Result(new List<Disagreement>(), 0, 0, $"ill-conditioned (Vectorize): one ulp of an input moves the value by {probe[0].ToString("G3", CultureInfo.InvariantCulture)} relative");
            }

            void Bits(string key, string what)
            {
                if (rec.Values.TryGetValue(key, out double[]? got))
                {
                    for (int i = 0; i < got.Length && i < value.Length; i++)
                    {
                        compared++;
                        if (p.Vectorize && !SameBits(got[i], value[i]))
                        {
                            // Reordered sums: close to the user's value, not bit for bit.
                            double m = 1 + Math.Abs(value[i]);
                            if (Agrees(got[i], value[i], m, valueTolerance, tiny) == false)
                            {
                                bad.Add(new Disagreement(value.Length == 1 ? what : $"{what}[{i}]", got[i], value[i], m));
                            }
                        }
                        else if (!SameBits(got[i], value[i]))
                        {
                            bad.Add(new Disagreement(value.Length == 1 ? what : $"{what}[{i}]", got[i], value[i], double.NaN));
                        }
                    }
                }
            }

            // scaled: for a reverse-mode element, the same element from the Backward run with a tiny seed, scaled back.
            void Close(string what, double got, double want, double m, Func<double?>? scaled = null)
            {
                if (scaled is not null && !double.IsFinite(got) && !double.IsFinite(want) && (double.IsNaN(got) || double.IsNaN(want)))
                {
                    // Not finite either way, and one side is NaN: infinite terms meet in another order. Reverse mode sends an
                    // infinite adjoint down every operand's path (inf * 0 = NaN, as PyTorch's backward does), where the
                    // forward-mode oracle may add inf - inf instead and the reverse sum stays infinite (FINDINGS F55, seed 47):
                    // left open. Two infinities of opposite sign are still a disagreement.
                    skipped++;
                    return;
                }

                if (scaled is not null && double.IsNaN(want) && double.IsInfinity(m))
                {
                    // The oracle's forward sum of infinite terms is NaN (its tangents overflowed: inf - inf), where the
                    // reverse sweep adds them in another order and may stay finite (FINDINGS F73: a normalised output, the
                    // exact derivative 0): left open in reverse mode, as F55's infinities are. Forward mode stays strict.
                    skipped++;
                    return;
                }

                if (scaled is not null && got == 0 && want != 0 && Math.Abs(want) <= UnderflowScale(isFloat) && m <= UnderflowScale(isFloat))
                {
                    // Every term is within 60 orders of magnitude of the bottom of the range: whether an intermediate
                    // product of the reverse sweep leaves the range (to 0) depends on the order of the products, as an
                    // overflow does at the top (F47). Left open (FINDINGS F60).
                    skipped++;
                    return;
                }

                bool? ok = Agrees(got, want, FloatRange(m), tol, tiny);
                if (ok is null)
                {
                    skipped++;
                    return;
                }

                if (ok == false && !double.IsFinite(got) && double.IsFinite(want)
                    && (rec.ValueOverflowSeen || (scaled?.Invoke() is { } rescued && Agrees(rescued, want, FloatRange(m), tol, tiny) == true)))
                {
                    // A value of the user's own computation overflowed (IEEE decides the derivative through it; F50), or
                    // the reverse sweep overflowed in magnitude only (DoubleScaleExponent): left open by the contract.
                    skipped++;
                    return;
                }

                compared++;
                if (ok == false)
                {
                    bad.Add(new Disagreement(what, got, want, m));
                }
            }

            int scale = isFloat ? FloatScaleExponent : DoubleScaleExponent;

            // Element i of the scaled Backward run (row k for a vector function), scaled back; null when it did not run.
            double? Scaled(string key, int i) =>
                rec.Values.TryGetValue(key, out double[]? z) && i < z.Length && double.IsFinite(z[i]) ? Math.ScaleB(z[i], scale) : null;

            var labels = Labels(p);
            if (!p.IsVector)
            {
                Bits("Gradient.value", "FGradient's value vs F");
                Bits("Derivative.value", "FDerivative's value vs F");
                Bits("Hessian.value", "FHessian's value vs F");
                Bits("HessianVectorProduct.value", "FHessianVectorProduct's value vs F");
                if (!rec.Duals.TryGetValue("Oracle.dir", out var dirPasses))
                {
                    return new Result(bad, compared, skipped, null);
                }

                if (!SameBits(dirPasses[0][0].V, value[0]))
                {
                    bad.Add(new Disagreement("HARNESS: the oracle's value vs F", dirPasses[0][0].V, value[0], double.NaN));
                }

                var grad = rec.Duals.TryGetValue("Oracle.grad", out var gradPasses) ? gradPasses.Select(g => g[0]).ToArray() : Array.Empty<(double V, double D, double M)>();
                if (rec.Values.TryGetValue("Gradient", out double[]? g))
                {
                    for (int k = 0; k < n; k++)
                    {
                        int at = k;
                        Close($"FGradient d{labels[k]}", g[k], grad[k].D, grad[k].M, () => Scaled("Backward.scaled", at));
                    }
                }

                if (rec.Values.TryGetValue("Backward", out double[]? b))
                {
                    double seed = p.Seeds.BackwardSeed[0];
                    for (int k = 0; k < n; k++)
                    {
                        double init = Round(p, p.Seeds.Initial[k]);
                        double want = init + (2 * Round(p, seed) * grad[k].D);
                        double m = Math.Abs(init) + (2 * Math.Abs(seed) * grad[k].M);
                        if (!double.IsFinite(grad[k].D))
                        {
                            want = grad[k].D * Math.Sign(seed);
                        }

                        int at = k;
                        Close($"FBackward (seed {Format(seed)}, twice, into {Format(init)}) d{labels[k]}", b[k], want, m,
                            () => Scaled("Backward.scaled", at) is { } z ? init + (2 * Round(p, seed) * z) : null);
                    }
                }

                if (rec.Values.TryGetValue("Derivative", out double[]? d))
                {
                    var dir = dirPasses[0][0];
                    Close("FDerivative along the tangent", d[0], dir.D, dir.M);
                }

                if (p.Hessian && rec.Duals.TryGetValue("Oracle.H", out var hPasses))
                {
                    var h = new (double D, double M)[n, n];
                    int at = 0;
                    for (int i = 0; i < n; i++)
                    {
                        for (int j = i; j < n; j++)
                        {
                            var e = hPasses[at++][0];
                            h[i, j] = (e.D, e.M);
                            h[j, i] = (e.D, e.M);
                        }
                    }

                    double hTol = tol * 10;
                    if (rec.Values.TryGetValue("Hessian", out double[]? hg))
                    {
                        for (int i = 0; i < n; i++)
                        {
                            for (int j = 0; j < n; j++)
                            {
                                CloseT($"FHessian[{labels[i]}, {labels[j]}]", hg[(i * n) + j], h[i, j].D, h[i, j].M, hTol);
                            }
                        }
                    }

                    if (rec.Values.TryGetValue("HessianVectorProduct", out double[]? hv))
                    {
                        for (int j = 0; j < n; j++)
                        {
                            double want = 0, m = 0;
                            for (int i = 0; i < n; i++)
                            {
                                double di = p.Seeds.Direction[i];
                                want += h[j, i].D * di;
                                m += h[j, i].M * Math.Abs(di);
                            }

                            CloseT($"FHessianVectorProduct[{labels[j]}]", hv[j], want, m, hTol);
                        }
                    }
                }
            }
            else
            {
                int outputs = p.OutputLength;
                Bits("Backward.y", "GBackward's output vs G");
                Bits("Derivative.y", "GDerivative's output vs G");
                Bits("Jacobian.y", "GJacobian's output vs G");
                if (!rec.Duals.TryGetValue("Oracle.dir", out var dirPasses))
                {
                    return new Result(bad, compared, skipped, null);
                }

                for (int k = 0; k < outputs; k++)
                {
                    // The oracle's value may differ from the method's in the sign of a zero (FINDINGS F23): 0 == -0 here.
                    if (!SameBits(dirPasses[0][k].V, value[k]) && !(dirPasses[0][k].V == 0 && value[k] == 0))
                    {
                        bad.Add(new Disagreement($"HARNESS: the oracle's output [{k}] vs G", dirPasses[0][k].V, value[k], double.NaN));
                    }
                }

                var cols = rec.Duals.TryGetValue("Oracle.col", out var colPasses) ? colPasses : new List<(double V, double D, double M)[]>();
                if (rec.Values.TryGetValue("Jacobian", out double[]? jac))
                {
                    for (int k = 0; k < outputs; k++)
                    {
                        for (int i = 0; i < n; i++)
                        {
                            int row = k, at = i;
                            Close($"GJacobian[o[{k}], {labels[i]}]", jac[(k * n) + i], cols[i][k].D, cols[i][k].M, () => Scaled("Backward.scaled." + row, at));
                        }
                    }
                }

                if (rec.Values.TryGetValue("Backward", out double[]? b))
                {
                    for (int i = 0; i < n; i++)
                    {
                        double init = Round(p, p.Seeds.Initial[i]);
                        double sum = 0, m = 0;
                        bool ambiguous = false;
                        for (int k = 0; k < outputs; k++)
                        {
                            double s = Round(p, p.Seeds.BackwardSeed[k]);
                            sum += s * cols[i][k].D;
                            m += Math.Abs(s) * cols[i][k].M;
                            ambiguous |= double.IsNaN(cols[i][k].M);
                        }

                        int at = i;
                        double? Rescued()
                        {
                            double total = 0;
                            for (int k = 0; k < outputs; k++)
                            {
                                if (Scaled("Backward.scaled." + k, at) is not { } z)
                                {
                                    return null;
                                }

                                total += Round(p, p.Seeds.BackwardSeed[k]) * z;
                            }

                            return init + (2 * total);
                        }

                        Close($"GBackward (twice, into {Format(init)}) d{labels[i]}", b[i], init + (2 * sum), ambiguous ? double.NaN : Math.Abs(init) + (2 * m), Rescued);
                    }
                }

                if (rec.Values.TryGetValue("Derivative", out double[]? d))
                {
                    for (int k = 0; k < outputs; k++)
                    {
                        Close($"GDerivative[o[{k}]] along the tangent", d[k], dirPasses[0][k].D, dirPasses[0][k].M);
                    }
                }
            }

            return new Result(bad, compared, skipped, null);

            void CloseT(string what, double got, double want, double m, double t)
            {
                bool? ok = Agrees(got, want, FloatRange(m), t, tiny);
                if (ok is null || (ok == false && !double.IsFinite(got) && double.IsFinite(want) && rec.ValueOverflowSeen))
                {
                    skipped++;
                    return;
                }

                compared++;
                if (ok == false)
                {
                    bad.Add(new Disagreement(what, got, want, m));
                }
            }
        }

        private static double Round(FuzzProgram p, double v) => p.Precision == Precision.Float ? (float)v : v;

        /// <summary>A readable name for each flattened active scalar: <c>x</c>, <c>u[2]</c>.</summary>
        public static string[] Labels(FuzzProgram p) =>
            DriverRenderer.Actives(p).SelectMany(q => q.Kind == ParamKind.Scalar ? new[] { q.Name } : Enumerable.Range(0, q.Length).Select(i => $"{q.Name}[{i}]")).ToArray();
    }
}

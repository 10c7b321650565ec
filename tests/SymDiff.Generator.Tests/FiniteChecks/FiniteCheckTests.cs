using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.FiniteChecks
{
    /// <summary>
    /// <c>[Differentiable(CheckFinite = true)]</c> and the MSBuild property <c>SymDiffCheckFinite</c> (API.md section 9,
    /// docs/nan-locator.md): generated methods throw <see cref="ArithmeticException"/> at the first NaN or infinity made
    /// from finite values, naming the method, the file, line and expression, and the sweep; off, nothing changes.
    /// </summary>
    public sealed class FiniteCheckTests
    {
        private const string Checked = """
            using System;
            using SymDiff;

            public static partial class M
            {
                // Logistic-regression loss: Log reaches 0 when p rounds to 1.
                [Differentiable(CheckFinite = true)]
                public static double Loss(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
                {
                    double sum = 0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        double p = 1 / (1 + Math.Exp(-(w * x[i] + b)));
                        sum -= y[i] * Math.Log(p) + (1 - y[i]) * Math.Log(1 - p);
                    }

                    return sum / x.Length;
                }

                [Differentiable(CheckFinite = true)]
                public static double Root(double x, double y) => y * Math.Log(x) + Math.Sqrt(x);
            }
            """;

        [Fact]
        public void Snapshot_of_checked_methods()
        {
            GeneratorOutput output = GeneratorRunner.Run(Checked);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        /// <summary>Second order (the Hessian-vector product has checks, the Hessian driver calls it), a recurrence with a tape, a branch, a float method and a vector function.</summary>
        [Fact]
        public void Snapshot_of_checked_method_kinds()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                using System;
                using SymDiff;

                public static partial class K
                {
                    [Differentiable(Hessian = true, CheckFinite = true)]
                    public static double Second(double x, double y)
                    {
                        double r = Math.Sqrt(x * x + y * y);
                        return r > 1 ? Math.Log(r) : r * r;
                    }

                    [Differentiable(CheckFinite = true)]
                    public static double Horner(ReadOnlySpan<double> c, double x)
                    {
                        double s = 0;
                        for (int i = c.Length - 1; i >= 0; i--)
                        {
                            s = s * x + c[i];
                        }

                        return s;
                    }

                    [Differentiable(CheckFinite = true)]
                    public static float Single(float x) => MathF.Log(x) * x;

                    [Differentiable(CheckFinite = true)]
                    public static void Polar(double r, double theta, Span<double> xy)
                    {
                        xy[0] = r * Math.Cos(theta);
                        xy[1] = Math.Log(r) * Math.Sin(theta);
                    }
                }
                """);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        // ---- Off: nothing changes ----------------------------------------------------------------------------------

        private const string Plain = """
            using System;
            using SymDiff;

            public static partial class M
            {
                [Differentiable(ATTRIBUTE)]
                public static double Loss(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
                {
                    double sum = 0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        double p = 1 / (1 + Math.Exp(-(w * x[i] + b)));
                        sum -= y[i] * Math.Log(p) + (1 - y[i]) * Math.Log(1 - p);
                    }

                    return sum / x.Length;
                }
            }
            """;

        private static string Text(string attributeArguments, IReadOnlyDictionary<string, string>? properties = null)
        {
            GeneratorOutput output = GeneratorRunner.Run(CompilationFactory.Create(Plain.Replace("ATTRIBUTE", attributeArguments, StringComparison.Ordinal)), properties);
            GeneratorRunner.AssertCleanCompile(output);
            return Assert.Single(output.GeneratedSources).Text;
        }

        [Fact]
        public void Off_the_generated_text_is_unchanged()
        {
            string without = Text(string.Empty);
            Assert.DoesNotContain("IsFinite", without, StringComparison.Ordinal);
            Assert.Equal(without, Text("CheckFinite = false"));
            Assert.Equal(without, Text(string.Empty, new Dictionary<string, string> { ["SymDiffCheckFinite"] = "false" }));
            Assert.Equal(without, Text(string.Empty, new Dictionary<string, string> { ["SymDiffCheckFinite"] = string.Empty }));
            Assert.NotEqual(without, Text("CheckFinite = true"));
        }

        [Fact]
        public void The_project_switch_reaches_the_generator_and_the_attributes_false_wins()
        {
            var on = new Dictionary<string, string> { ["SymDiffCheckFinite"] = "True" };
            string switched = Text(string.Empty, on);
            Assert.Contains("global::SymDiff.Checks.ThrowNotFinite(", switched, StringComparison.Ordinal);
            Assert.Equal(Text("CheckFinite = true"), switched);
            Assert.Equal(Text(string.Empty), Text("CheckFinite = false", on));
        }

        [Fact]
        public void A_checked_method_is_regenerated_when_lines_move_and_an_unchecked_one_stays_cached()
        {
            string source = Plain.Replace("ATTRIBUTE", "CheckFinite = true", StringComparison.Ordinal);
            string other = Plain.Replace("ATTRIBUTE", string.Empty, StringComparison.Ordinal).Replace("class M", "class N", StringComparison.Ordinal);
            GeneratorOutput first = GeneratorRunner.Run(source, other);
            GeneratorOutput moved = GeneratorRunner.RunAgain(first, c => CompilationFactory.WithSource(
                CompilationFactory.WithSource(c, 0, "// a line above\n" + source), 1, "// a line above\n" + other));
            var reasons = moved.StepReasons(TrackingNames.Differentiate);
            Assert.Contains(IncrementalStepRunReason.Modified, reasons);
            Assert.Contains(IncrementalStepRunReason.Cached, reasons);
            static int[] Lines(GeneratorOutput output) => System.Text.RegularExpressions.Regex
                .Matches(output.GeneratedSources.Single(s => s.HintName.StartsWith("M.", StringComparison.Ordinal)).Text, "\"Source0.cs\", ([0-9]+),")
                .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
                .ToArray();
            Assert.NotEmpty(Lines(first));
            Assert.Equal(Lines(first).Select(l => l + 1), Lines(moved));
        }

        // ---- What the checks throw ---------------------------------------------------------------------------------

        private static ArithmeticException Throws(string source, string driver)
        {
            var e = Assert.Throws<ArithmeticException>(() => GeneratedCode.RunDriver(source, driver));
            Assert.Equal(typeof(ArithmeticException), e.GetType());
            return e;
        }

        [Fact]
        public void Log_of_zero_in_the_forward_sweep_names_the_expression_line_and_sweep()
        {
            const string source = """
                using System;
                using SymDiff;

                public static partial class F
                {
                    [Differentiable(CheckFinite = true)]
                    public static double G(double x)
                    {
                        double l = Math.Log(x);
                        return l * l;
                    }
                }
                """;
            var e = Throws(source, "double d; F.GGradient(0.0, out d); return new[] { d };");
            Assert.Equal("G: l = Math.Log(x) at Source0.cs line 9 produced -Infinity (forward sweep of GGradient) from finite inputs.", e.Message);

            e = Throws(source, "double d; F.GDerivative(0.0, 1.0, out d); return new[] { d };");
            Assert.Equal("G: l = Math.Log(x) at Source0.cs line 9 produced -Infinity (forward sweep of GDerivative) from finite inputs.", e.Message);

            // A negative argument: NaN.
            e = Throws(source, "double d = 0; F.GBackward(-1.0, 1.0, ref d); return new[] { d };");
            Assert.Equal("G: l = Math.Log(x) at Source0.cs line 9 produced NaN (forward sweep of GBackward) from finite inputs.", e.Message);
        }

        [Fact]
        public void In_a_fused_loop_the_users_own_log_of_zero_is_reported_before_its_derivative()
        {
            // A user trial: the fused loop computes Log's partial 1 / t before the value Log(t); at t = 0 both are infinite,
            // and the report named the reverse sweep, as if the forward computation had been fine.
            const string source = """
                using System;
                using SymDiff;

                public static partial class F
                {
                    [Differentiable(CheckFinite = true)]
                    public static double G(double a, ReadOnlySpan<double> v)
                    {
                        double s = 0;
                        for (int i = 0; i < v.Length; i++) s += Math.Log(v[i] - a);
                        return s;
                    }
                }
                """;
            var e = Throws(source, "double[] v = { 2.0, 1.0 }; var dv = new double[2]; F.GGradient(1.0, v, out double da, dv); return dv;");
            Assert.Equal("G: s += Math.Log(v[i] - a) at Source0.cs line 10 produced -Infinity (forward sweep of GGradient) from finite inputs.", e.Message);
        }

        [Fact]
        public void A_value_returned_directly_is_reported_before_its_derivative()
        {
            // An examples trial: => Math.Log(x) at 0 reported Log'(0) = Infinity ("reverse sweep"; in forward mode the
            // tangent) although the user's own value, -Infinity, went wrong first.
            const string source = """
                using System;
                using SymDiff;

                public static partial class F
                {
                    [Differentiable(CheckFinite = true)]
                    public static double L(double x) => Math.Log(x);
                }
                """;
            const string expected = "L: Math.Log(x) at Source0.cs line 7 produced -Infinity (forward sweep of L{0}) from finite inputs.";
            var e = Throws(source, "double d; F.LGradient(0.0, out d); return new[] { d };");
            Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, "Gradient"), e.Message);
            e = Throws(source, "double d; F.LDerivative(0.0, 1.0, out d); return new[] { d };");
            Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, "Derivative"), e.Message);
        }

        [Fact]
        public void Sqrt_at_zero_throws_in_the_reverse_sweep()
        {
            // Sqrt(0) = 0 is finite; its derivative, Sqrt'(0) = +Infinity by the contract, is not.
            const string source = """
                using System;
                using SymDiff;

                public static partial class F
                {
                    [Differentiable(CheckFinite = true)]
                    public static double G(double x, double y)
                    {
                        double s = Math.Sqrt(x);
                        return s * y;
                    }
                }
                """;
            var e = Throws(source, "double dx, dy; F.GGradient(0.0, 2.0, out dx, out dy); return new[] { dx, dy };");
            Assert.Equal("G: s = Math.Sqrt(x) at Source0.cs line 9 produced Infinity (reverse sweep of GGradient) from finite inputs.", e.Message);

            e = Throws(source, "double dx = 0, dy = 0; F.GBackward(0.0, 2.0, 1.0, ref dx, ref dy); return new[] { dx, dy };");
            Assert.Contains("(reverse sweep of GBackward)", e.Message, StringComparison.Ordinal);

            // Forward mode: the tangent is infinite.
            e = Throws(source, "double d; F.GDerivative(0.0, 2.0, 1.0, 0.0, out d); return new[] { d };");
            Assert.Contains("at Source0.cs line 9 produced Infinity (forward sweep of GDerivative)", e.Message, StringComparison.Ordinal);

            // Away from 0 nothing throws, and the gradient is y / (2 sqrt(x)), sqrt(x).
            double[] g = GeneratedCode.RunDriver(source, "double dx, dy; double v = F.GGradient(4.0, 2.0, out dx, out dy); return new[] { v, dx, dy };");
            Assert.Equal(new[] { 4.0, 0.5, 2.0 }, g);
        }

        [Fact]
        public void Non_finite_inputs_pass_without_throwing()
        {
            const string source = """
                using System;
                using SymDiff;

                public static partial class F
                {
                    [Differentiable(CheckFinite = true)]
                    public static double G(double x, double w, [NoGrad] ReadOnlySpan<double> data)
                    {
                        double s = 0;
                        for (int i = 0; i < data.Length; i++)
                        {
                            s += Math.Log(x) * data[i] * w;
                        }

                        return s;
                    }
                }
                """;
            double[] r = GeneratedCode.RunDriver(source, """
                double[] data = { 1.0, 2.0 };
                double dx, dw;
                double a = F.GGradient(double.NaN, 1.0, data, out dx, out dw);
                double b = F.GGradient(2.0, double.PositiveInfinity, data, out double ex, out double ew);
                double c = F.GGradient(2.0, 1.0, new[] { 1.0, double.NaN }, out double fx, out double fw);
                double g = 0, h = 0;
                F.GBackward(2.0, 1.0, data, double.NaN, ref g, ref h);
                double d = F.GDerivative(double.PositiveInfinity, 1.0, data, 1.0, 0.0, out double t);
                return new[] { a, dx, dw, b, ex, ew, c, fx, fw, g, h, d, t };
                """);
            // Non-finite because an input is (the tangent is 1 / Infinity * 3 + Infinity * 0 = NaN, as IEEE says).
            Assert.All(new[] { r[0], r[1], r[2], r[3], r[4], r[6], r[7], r[8], r[9], r[10], r[11], r[12] }, v => Assert.False(double.IsFinite(v)));
            Assert.Equal(Math.Log(2) * 3, r[5], 14); // dG/dw does not read w
        }

        [Fact]
        public void Finite_runs_give_the_same_values_and_gradients_as_unchecked()
        {
            const string source = """
                using System;
                using SymDiff;

                public static partial class F
                {
                    [Differentiable]
                    public static double Plain(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
                    {
                        double sum = 0;
                        for (int i = 0; i < x.Length; i++)
                        {
                            double p = 1 / (1 + Math.Exp(-(w * x[i] + b)));
                            sum -= y[i] * Math.Log(p) + (1 - y[i]) * Math.Log(1 - p);
                        }

                        return sum / x.Length;
                    }

                    [Differentiable(CheckFinite = true)]
                    public static double Checked(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
                    {
                        double sum = 0;
                        for (int i = 0; i < x.Length; i++)
                        {
                            double p = 1 / (1 + Math.Exp(-(w * x[i] + b)));
                            sum -= y[i] * Math.Log(p) + (1 - y[i]) * Math.Log(1 - p);
                        }

                        return sum / x.Length;
                    }
                }
                """;
            double[] r = GeneratedCode.RunDriver(source, """
                double[] x = { -1.5, -0.25, 0.5, 2.0, 3.0 };
                double[] y = { 0, 1, 0, 1, 1 };
                var results = new System.Collections.Generic.List<double>();
                foreach (var (w, b) in new[] { (0.3, -0.2), (-1.1, 0.7), (2.5, 0.0) })
                {
                    results.Add(F.PlainGradient(w, b, x, y, out double pw, out double pb));
                    results.Add(pw); results.Add(pb);
                    results.Add(F.CheckedGradient(w, b, x, y, out double cw, out double cb));
                    results.Add(cw); results.Add(cb);
                    double bw = 0.5, bb = -0.5, kw = 0.5, kb = -0.5;
                    F.PlainBackward(w, b, x, y, 1.5, ref bw, ref bb);
                    F.CheckedBackward(w, b, x, y, 1.5, ref kw, ref kb);
                    results.Add(bw); results.Add(bb); results.Add(kw); results.Add(kb);
                    results.Add(F.PlainDerivative(w, b, x, y, 0.25, -1.0, out double pd));
                    results.Add(pd);
                    results.Add(F.CheckedDerivative(w, b, x, y, 0.25, -1.0, out double cd));
                    results.Add(cd);
                }

                return results.ToArray();
                """);

            double[] x = { -1.5, -0.25, 0.5, 2.0, 3.0 };
            double[] y = { 0, 1, 0, 1, 1 };
            double Loss(double[] v)
            {
                double sum = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    double p = 1 / (1 + Math.Exp(-(v[0] * x[i] + v[1])));
                    sum -= y[i] * Math.Log(p) + (1 - y[i]) * Math.Log(1 - p);
                }

                return sum / x.Length;
            }

            var points = new[] { (0.3, -0.2), (-1.1, 0.7), (2.5, 0.0) };
            for (int k = 0; k < points.Length; k++)
            {
                double[] row = r.Skip(k * 14).Take(14).ToArray();
                // Checked equals unchecked, bit for bit: the same operations, in the same order.
                Assert.Equal(row[0..3], row[3..6]);
                Assert.Equal(row[6..8], row[8..10]);
                Assert.Equal(row[10..12], row[12..14]);

                // And both are right: central differences of the loss written here, and the logistic gradient mean((p - y) x).
                double[] point = { points[k].Item1, points[k].Item2 };
                Assert.Equal(Loss(point), row[3], 12);
                double[] expected = FiniteDifferences.Gradient(Loss, point);
                FiniteDifferences.AssertClose(expected, row[4..6], relTol: 1e-6, absTol: 1e-8, "checked gradient");
                double gw = 0, gb = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    double p = 1 / (1 + Math.Exp(-(point[0] * x[i] + point[1])));
                    gw += (p - y[i]) * x[i] / x.Length;
                    gb += (p - y[i]) / x.Length;
                }

                FiniteDifferences.AssertClose(new[] { gw, gb }, row[4..6], relTol: 1e-12, absTol: 1e-14, "logistic gradient");
                FiniteDifferences.AssertClose(new[] { 0.5 + 1.5 * gw, -0.5 + 1.5 * gb }, row[8..10], relTol: 1e-12, absTol: 1e-14, "checked backward");
                FiniteDifferences.AssertClose(new[] { 0.25 * gw - gb }, row[13..14], relTol: 1e-12, absTol: 1e-14, "checked derivative");
            }
        }

        [Fact]
        public void A_float_method_reports_a_float_infinity()
        {
            const string source = """
                using System;
                using SymDiff;

                public static partial class F
                {
                    [Differentiable(CheckFinite = true)]
                    public static float G(float x) => MathF.Exp(x) * 2f;
                }
                """;
            // Exp(89) overflows float but not double.
            var e = Throws(source, "float d; F.GGradient(89f, out d); return new double[] { d };");
            Assert.Equal("G: MathF.Exp(x) * 2f at Source0.cs line 7 produced Infinity (forward sweep of GGradient) from finite inputs.", e.Message);
            double[] ok = GeneratedCode.RunDriver(source, "float d; float v = F.GGradient(1f, out d); return new double[] { v, d };");
            Assert.Equal(new double[] { MathF.Exp(1f) * 2f, MathF.Exp(1f) * 2f }, ok);
        }

        [Fact]
        public void Guards_and_recursive_calls_work_in_checked_methods()
        {
            const string source = """
                using System;
                using SymDiff;

                public static partial class F
                {
                    [Differentiable(CheckFinite = true)]
                    public static double Power(double x, int n)
                    {
                        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n));
                        return n == 0 ? 1 : x * Power(x, n - 1);
                    }

                    [Differentiable(CheckFinite = true)]
                    public static double LogPower(double x, int n) => Math.Log(Power(x, n));
                }
                """;

            // log(x^3) at 2: log 8, derivative 3 / x.
            double[] ok = GeneratedCode.RunDriver(source, "double d; double v = F.LogPowerGradient(2.0, 3, out d); return new[] { v, d };");
            Assert.Equal(Math.Log(8), ok[0], 14);
            Assert.Equal(1.5, ok[1], 14);

            // The guard throws its own exception, before any check.
            Assert.Throws<ArgumentOutOfRangeException>(() => GeneratedCode.RunDriver(source, "double d; F.LogPowerGradient(2.0, -1, out d); return new[] { d };"));

            var e = Throws(source, "double d; F.LogPowerGradient(0.0, 2, out d); return new[] { d };");
            // log(x^2) at 0: the generated code computes the derivative, (1 / x^2) * 2x = Infinity * 0, first, but the user's own
            // Log(0) is what went wrong first in the method as written: its check comes before the derivative's.
            Assert.Equal("LogPower: Math.Log(Power(x, n)) at Source0.cs line 14 produced -Infinity (forward sweep of LogPowerGradient) from finite inputs.", e.Message);
        }

        [Fact]
        public void An_output_element_of_a_vector_function_is_checked()
        {
            const string source = """
                using System;
                using SymDiff;

                public static partial class F
                {
                    [Differentiable(CheckFinite = true)]
                    public static void G(double r, double theta, Span<double> xy)
                    {
                        xy[0] = r * Math.Cos(theta);
                        xy[1] = Math.Log(r) * Math.Sin(theta);
                    }
                }
                """;
            var e = Throws(source, "double[] xy = new double[2]; double dr = 0, dt = 0; F.GBackward(0.0, 1.0, xy, new[] { 1.0, 1.0 }, ref dr, ref dt); return xy;");
            Assert.StartsWith("G: xy[1] = Math.Log(r) * Math.Sin(theta) at Source0.cs line 10 produced -Infinity (forward sweep of GBackward)", e.Message, StringComparison.Ordinal);
        }
    }
}

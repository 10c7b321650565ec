using System;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Models
{
    /// <summary>
    /// Enum values in a <c>[Differentiable]</c> method (a trial user's robust loss chose its kind by an enum field): a
    /// field, a property, a parameter and a local of an enum type, compared, switched on and cast to int, as C# reads
    /// them. Each kind's value is the user's method's bit for bit, its gradient central differences of the user's method.
    /// </summary>
    public class EnumValueTests
    {
        private const string Source = @"
using System;
using SymDiff;

public enum LossKind { Squared, Huber, Cauchy = 5 }

public partial class Robust
{
    public LossKind Kind;
    public LossKind Fallback { get; set; } = LossKind.Cauchy;

    [Differentiable]
    public double Loss(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y, LossKind scale)
    {
        double total = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double r = w[0] * x[i] + w[1] - y[i];
            LossKind k = Kind;
            switch (k)
            {
                case LossKind.Squared:
                    total += 0.5 * r * r;
                    break;
                case LossKind.Huber:
                    total += Math.Abs(r) <= 0.7 ? 0.5 * r * r : 0.7 * (Math.Abs(r) - 0.35);
                    break;
                default:
                    total += Math.Log(1 + r * r) * (int)k;
                    break;
            }
        }

        total *= scale == LossKind.Huber ? 2 : 1;
        return Kind == Fallback ? total / y.Length : total;
    }
}";

        [Theory]
        [InlineData("Squared", "Squared")]
        [InlineData("Huber", "Squared")]
        [InlineData("Cauchy", "Huber")]
        public void Value_and_gradient_follow_the_enum(string kind, string scale)
        {
            var r = GeneratedCode.RunDriver(Source, $@"
        var m = new Robust {{ Kind = LossKind.{kind} }};
        double[] x = {{ 0.1, 0.5, 1.2, 2.0, -0.7 }};
        double[] y = {{ 1.0, 2.2, 2.9, 9.0, 0.1 }};
        double[] w = {{ 0.8, 0.3 }};
        double[] g = new double[2];
        double v = m.LossGradient(w, x, y, LossKind.{scale}, g);
        var result = new System.Collections.Generic.List<double> {{ v, m.Loss(w, x, y, LossKind.{scale}), g[0], g[1] }};
        for (int j = 0; j < 2; j++)
        {{
            double[] up = (double[])w.Clone(), down = (double[])w.Clone();
            up[j] += 1e-6; down[j] -= 1e-6;
            result.Add((m.Loss(up, x, y, LossKind.{scale}) - m.Loss(down, x, y, LossKind.{scale})) / 2e-6);
        }}

        return result.ToArray();");
            Assert.Equal(r[1], r[0]);
            FiniteDifferences.AssertClose(r[4..6], r[2..4], relTol: 1e-6, absTol: 1e-8, kind + " gradient");
        }

        /// <summary>
        /// An enum passed on to a method goes as the enum (found in review: passed as the int the IR reads, an overload
        /// taking an int was called instead, and a [Differentiable] callee's generated method did not compile).
        /// </summary>
        [Fact]
        public void An_enum_passed_to_a_method_is_passed_as_the_enum()
        {
            const string source = @"
using System;
using SymDiff;
public enum Mode { A, B, C = 7 }
public static class Helper
{
    public static double Coef(Mode m) => m == Mode.B ? 10 : 20;
    public static double Coef(int k) => 1000 + k;
}
public partial class E
{
    public Mode Field = Mode.C;
    [Differentiable] public static double UsesHelper(double x, Mode m) { double c = Helper.Coef(m); double d = Helper.Coef(Mode.B); return c * x + d; }
    [Differentiable] public static double Callee(double x, Mode m) => m == Mode.B ? x * x : x * 3;
    [Differentiable] public static double CallerParam(double x, Mode m) => Callee(x, m) + 1;
    [Differentiable] public static double CallerConst(double x) => Callee(x, Mode.B) + Callee(x, Mode.C);
    [Differentiable] public double CallerField(double x) => Callee(x, Field) * Helper.Coef(this.Field);
}";
            var r = GeneratedCode.RunDriver(source, @"
        var e = new E();
        return new[]
        {
            E.UsesHelperGradient(1.5, Mode.A, out double d0), d0, E.UsesHelperGradient(1.5, Mode.B, out double d1), d1,
            E.CallerParamGradient(1.5, Mode.B, out double d2), d2, E.CallerConstGradient(1.5, out double d3), d3,
            e.CallerFieldGradient(1.5, out double d4), d4,
        };");
            // UsesHelper = Coef(m) x + 10: 20 x + 10 for A, 10 x + 10 for B. CallerParam(B) = x^2 + 1. CallerConst = x^2 + 3x.
            // CallerField = 3x * 20 (Field is C).
            Assert.Equal(new[] { 40.0, 20.0, 25.0, 10.0, 3.25, 3.0, 6.75, 6.0, 90.0, 60.0 }, r);
        }

        [Fact]
        public void An_enum_computed_in_the_method_and_passed_on_is_SD1000()
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public enum Mode { A, B }
public static partial class S
{
    [Differentiable] public static double Callee(double x, Mode m) => m == Mode.B ? x * x : x;
    [Differentiable] public static double F(double x) { Mode m = x > 0 ? Mode.A : Mode.B; return Callee(x, m); }
}");
            var d = Assert.Single(output.GeneratorDiagnostics, x => x.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
            Assert.Equal("SD1000", d.Id);
            Assert.Contains("pass an enum parameter, field, property or constant", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        /// <summary>The three kinds give three different losses: the enum is read, not a constant of the generator's.</summary>
        [Fact]
        public void Each_kind_gives_its_own_loss()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double[] x = { 0.1, 0.5, 1.2, 2.0, -0.7 };
        double[] y = { 1.0, 2.2, 2.9, 9.0, 0.1 };
        double[] w = { 0.8, 0.3 };
        double Loss(LossKind k) => new Robust { Kind = k }.LossGradient(w, x, y, LossKind.Squared, new double[2]);
        return new[] { Loss(LossKind.Squared), Loss(LossKind.Huber), Loss(LossKind.Cauchy) };");
            Assert.Equal(3, new System.Collections.Generic.HashSet<double>(r).Count);
        }
    }
}

using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.SecondOrder
{
    /// <summary>
    /// Second order through calls of other <c>[Differentiable(Hessian = true)]</c> methods: the caller's forward over
    /// reverse calls the callee's own HessianVectorProduct for the tangents of the callee's partials. Expected values
    /// are closed forms worked by hand.
    /// </summary>
    public class HessianThroughCallsTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class C
{
    // F = sum_{i=0..2} x (x y + i)^2 + y^3, through a callee inside a loop and one outside.
    [Differentiable(Hessian = true)]
    public static double F(double x, double y)
    {
        double s = 0;
        for (int i = 0; i < 3; i++)
        {
            s += Sq(x * y + i, x);
        }

        return s + Sq(y, y);
    }

    [Differentiable(Hessian = true)]
    public static double Sq(double a, double b) => a * a * b;

    // A callee with a [NoGrad] parameter, and one whose parameter is read only in a comparison.
    [Differentiable(Hessian = true)]
    public static double G(double x, double y) => Scaled(Math.Sin(x), 3.0) * Step(y, x);

    [Differentiable(Hessian = true)]
    public static double Scaled(double u, [NoGrad] double k) => k * u * u;

    [Differentiable(Hessian = true)]
    public static double Step(double p, double q) => p > 0 ? q * q : 2.0 * q;
}";

        [Theory]
        [InlineData(0.7, -1.3)]
        [InlineData(-0.4, 2.1)]
        public void Hessian_through_calls_matches_the_closed_form(double x, double y)
        {
            // H_xx = sum 4y(xy + i) + 2xy^2; H_xy = sum 4x(xy + i) + 2x^2 y; H_yy = sum 2x^3 + 6y.
            double hxx = 0, hxy = 0, hyy = 6 * y;
            for (int i = 0; i < 3; i++)
            {
                hxx += (4 * y * ((x * y) + i)) + (2 * x * y * y);
                hxy += (4 * x * ((x * y) + i)) + (2 * x * x * y);
                hyy += 2 * x * x * x;
            }

            string call = FormattableString.Invariant($"{x:R}, {y:R}");
            var r = GeneratedCode.RunDriver(Source, $@"
        var h = new double[4];
        double v = C.FHessian({call}, h);
        var p = new double[2];
        double w = C.FHessianVectorProduct({call}, new double[] {{ 1.0, -2.0 }}, p);
        return new[] {{ v, h[0], h[1], h[2], h[3], w, p[0], p[1] }};");
            double f = Enumerable.Range(0, 3).Sum(i => x * ((x * y) + i) * ((x * y) + i)) + (y * y * y);
            Assert.Equal(f, r[0], 12);
            Assert.Equal(hxx, r[1], 10);
            Assert.Equal(hxy, r[2], 10);
            Assert.Equal(hxy, r[3], 10);
            Assert.Equal(hyy, r[4], 10);
            Assert.Equal(f, r[5], 12);
            Assert.Equal(hxx - (2 * hxy), r[6], 10);
            Assert.Equal(hxy - (2 * hyy), r[7], 10);
        }

        [Theory]
        [InlineData(0.6, 0.8)]
        [InlineData(0.6, -0.8)]
        public void Hessian_through_a_callee_with_NoGrad_and_comparison_only_parameters(double x, double y)
        {
            // G = 3 sin^2 x * (y > 0 ? x^2 : 2x): a function of x only. With S = sin x, C = cos x:
            // y > 0: G = 3 S^2 x^2, G'' = 6 (C^2 - S^2) x^2 + 24 S C x + 6 S^2.
            // y < 0: G = 6 S^2 x, G'' = 12 (C^2 - S^2) x + 24 S C.
            double s = Math.Sin(x), c = Math.Cos(x);
            double gxx = y > 0 ? (6 * ((c * c) - (s * s)) * x * x) + (24 * s * c * x) + (6 * s * s) : (12 * ((c * c) - (s * s)) * x) + (24 * s * c);
            string call = FormattableString.Invariant($"{x:R}, {y:R}");
            var r = GeneratedCode.RunDriver(Source, $"var h = new double[4]; C.GHessian({call}, h); return h;");
            Assert.Equal(gxx, r[0], 10);
            Assert.Equal(new[] { 0.0, 0.0, 0.0 }, r.Skip(1));
        }

        [Theory]
        [InlineData(0.5)]
        [InlineData(-2.0)]
        public void Hessian_through_a_custom_rule_whose_rule_method_is_differentiable(double w)
        {
            // FINDINGS F10. L = sp(w) w with sp' = s = 1 / (1 + e^-w) from the rule: L' = s w + sp, L'' = s (1 - s) w + 2 s.
            const string source = @"
using System;
using SymDiff;
public static partial class Activations
{
    public static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

    [DerivativeOf(typeof(Activations), nameof(Softplus))]
    [Differentiable]
    public static double SoftplusDerivative(double v) => 1 / (1 + Math.Exp(-v));

    [Differentiable(Hessian = true)]
    public static double Loss(double w) => Softplus(w) * w;
}";
            double s = 1 / (1 + Math.Exp(-w));
            var r = GeneratedCode.RunDriver(source, FormattableString.Invariant($"var h = new double[1]; Activations.LossHessian({w:R}, h); return h;"));
            Assert.Equal((s * (1 - s) * w) + (2 * s), r[0], 12);
        }

        /// <summary>
        /// A rule for a function of two arguments returns its partials as a tuple, which cannot be [Differentiable]: a
        /// second derivative through it is SD1007 at the call. It was silently treated as a constant (a user's Hessian of
        /// Lse(a, b) came out all zeros); the first-order methods of the same source stay fine.
        /// </summary>
        [Fact]
        public void A_tuple_rule_is_SD1007_in_a_Hessian_not_a_zero()
        {
            const string source = @"
using System;
using SymDiff;
public static class Lib
{
    public static double Lse(double a, double b) => Math.Log(Math.Exp(a) + Math.Exp(b));

    [DerivativeOf(typeof(Lib), nameof(Lse))]
    public static (double, double) LseDerivative(double a, double b)
    {
        double e = Math.Exp(a) + Math.Exp(b);
        return (Math.Exp(a) / e, Math.Exp(b) / e);
    }
}

public static partial class M
{
    [Differentiable(Hessian = true)]
    public static double G(double a, double b) => Lib.Lse(a * b, a - b);

    [Differentiable(Hessian = true)]
    public static double H(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i + 1 < x.Length; i++)
        {
            double t = Lib.Lse(x[i], 2 * x[i + 1]);
            s += t * t;
        }

        return s;
    }
}";
            var output = GeneratorRunner.Run(source);
            var found = output.GeneratorDiagnostics.Where(x => x.Id == "SD1007")
                .Select(x => (Text: x.Location.SourceTree!.ToString().Substring(x.Location.SourceSpan.Start, x.Location.SourceSpan.Length), Diagnostic: x))
                .OrderBy(x => x.Text, StringComparer.Ordinal).ToList();
            Assert.Equal(new[] { "Lib.Lse(a * b, a - b)", "Lib.Lse(x[i], 2 * x[i + 1])" }, found.Select(x => x.Text).Distinct());
            Assert.All(found, x => Assert.Equal(DiagnosticSeverity.Error, x.Diagnostic.Severity));
            Assert.All(found, x => Assert.Contains("LseDerivative", x.Diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));

            // First order through the same rule: no diagnostic, and the gradient is the rule's (softmax of the arguments).
            var firstOrder = source.Replace("(Hessian = true)", string.Empty, StringComparison.Ordinal);
            Assert.DoesNotContain(GeneratorRunner.Run(firstOrder).GeneratorDiagnostics, x => x.Id == "SD1007");
            var r = GeneratedCode.RunDriver(firstOrder, "M.GGradient(0.7, -0.4, out double da, out double db); return new[] { da, db };");
            double u = 0.7 * -0.4, v = 0.7 + 0.4;
            double p = Math.Exp(u) / (Math.Exp(u) + Math.Exp(v)), q = 1 - p;
            Assert.Equal((p * -0.4) + q, r[0], 12);
            Assert.Equal((p * 0.7) - q, r[1], 12);
        }

        [Fact]
        public void A_callee_without_Hessian_is_SD1007_asking_for_it()
        {
            var output = GeneratorRunner.Run(Source.Replace("[Differentiable(Hessian = true)]\n    public static double Sq", "[Differentiable]\n    public static double Sq", StringComparison.Ordinal));
            var d = Assert.Single(output.GeneratorDiagnostics.Where(x => x.Id == "SD1007").Select(x => x.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).Distinct());
            Assert.Contains("mark 'Sq' [Differentiable(Hessian = true)]", d, StringComparison.Ordinal);
        }

        [Fact]
        public void Snapshot_of_second_order_through_calls()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.LocalBuffers;
using Xunit;

namespace SymDiff.Generator.Tests.SecondOrder
{
    /// <summary>
    /// Second order through calls that pass spans to another <c>[Differentiable(Hessian = true)]</c> method: the caller's
    /// forward over reverse runs the callee's Backward again along the seed's tangent and the callee's own
    /// HessianVectorProduct along the arguments' tangents. The reference is central differences of the caller's own
    /// gradient (which the first-order tests check against differences of the method), column by column.
    /// </summary>
    public class HessianThroughSpanCallsTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class M
{
    // The caller's own parameter passed straight, with a data span the callee differentiates too.
    [Differentiable(Hessian = true)]
    public static double Straight(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x) => Math.Sin(Dot(p, x)) + p[0] * Dot(x, p);

    // A seed that varies (the call inside a loop, scaled by an active value) and an active scalar argument.
    [Differentiable(Hessian = true)]
    public static double Looped(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        double total = 0;
        for (int k = 1; k <= 3; k++)
        {
            double s = p[k % p.Length] * k;
            total += Math.Cos(s) * Scaled(p, s * s);
        }

        return total;
    }

    // A local buffer filled from the parameters and passed whole.
    [Differentiable(Hessian = true)]
    public static double Layer(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[x.Length];
        for (int i = 0; i < h.Length; i++)
        {
            h[i] = Math.Tanh(p[i % p.Length] * x[i] + p[0]);
        }

        return LogSumExp(h) * p[1];
    }

    // A call only on one side of a branch.
    [Differentiable(Hessian = true)]
    public static double Branchy(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x) => p[0] > 0 ? Dot(p, p) * Dot(p, x) : p[1];

    [Differentiable(Hessian = true)]
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i] * b[i];
        }

        return s;
    }

    [Differentiable(Hessian = true)]
    public static double Scaled(ReadOnlySpan<double> a, double c)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += Math.Exp(c * a[i] / 4);
        }

        return s * c;
    }

    [Differentiable(Hessian = true)]
    public static double LogSumExp(ReadOnlySpan<double> z)
    {
        double sum = 0;
        for (int i = 0; i < z.Length; i++)
        {
            sum += Math.Exp(z[i]);
        }

        return Math.Log(sum);
    }
}";

        private const string Point = "new double[] { 0.3, -0.7, 0.45 }";
        private const string Data = "new double[] { 1.2, 0.4, -0.9 }, ";

        [Theory]
        [InlineData("Straight")]
        [InlineData("Looped")]
        [InlineData("Layer")]
        [InlineData("Branchy")]
        public void Hessian_through_span_calls_matches_differences_of_the_gradient(string method) =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "M", method, Point, Data, method + " Hessian");

        [Fact]
        public void The_branch_not_taken_gives_the_other_sides_Hessian() =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "M", "Branchy", "new double[] { -0.3, -0.7, 0.45 }", Data, "Branchy at p0 < 0");

        [Fact]
        public void Hessian_vector_product_is_the_Hessian_times_the_direction()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double[] p = { 0.3, -0.7, 0.45 }, x = { 1.2, 0.4, -0.9, 0.25 }, v = { 0.5, -1.5, 2.0 };
        var h = new double[9];
        double value = M.LayerHessian(p, x, h);
        var hv = new double[3];
        double value2 = M.LayerHessianVectorProduct(p, x, v, hv);
        var r = new double[8];
        r[0] = value; r[1] = value2; r[2] = M.Layer(p, x);
        for (int i = 0; i < 3; i++) { r[3 + i] = hv[i]; for (int j = 0; j < 3; j++) r[3 + i] -= h[i * 3 + j] * v[j]; }
        return r;");
            Assert.Equal(r[2], r[0]);
            Assert.Equal(r[2], r[1]);
            Assert.All(r.Skip(3).Take(3), d => Assert.True(Math.Abs(d) < 1e-12, "H v - HVP = " + d));
        }

        [Fact]
        public void Instance_methods_through_a_span_call_on_a_field_and_a_sub_model()
        {
            const string source = @"
using System;
using SymDiff;
public partial class Model
{
    private readonly double[] targets = { 0.5, -1.0, 2.0 };
    private readonly Loss loss = new Loss(0.25);

    [Differentiable(Hessian = true)]
    public double Objective(ReadOnlySpan<double> p)
    {
        Span<double> z = stackalloc double[3];
        for (int i = 0; i < 3; i++)
        {
            z[i] = Math.Sin(p[i]) * p[(i + 1) % 3] - targets[i];
        }

        return loss.Huberish(z) + Penalty(p);
    }

    [Differentiable(Hessian = true)]
    public double Penalty(ReadOnlySpan<double> w) => 0.1 * (w[0] * w[0] + w[1] * w[2] * w[2]);
}

public partial class Loss
{
    private readonly double delta;

    public Loss(double delta) => this.delta = delta;

    [Differentiable(Hessian = true)]
    public double Huberish(ReadOnlySpan<double> r)
    {
        double s = 0;
        for (int i = 0; i < r.Length; i++)
        {
            s += Math.Sqrt(r[i] * r[i] + delta) - Math.Sqrt(delta);
        }

        return s;
    }
}";
            var r = GeneratedCode.RunDriver(source, @"
        var m = new Model();
        double[] w = { 0.3, -0.8, 1.1 };
        var hessian = new double[9];
        double value = m.ObjectiveHessian(w, hessian);
        var fd = new double[9];
        for (int i = 0; i < 3; i++)
        {
            var up = (double[])w.Clone(); up[i] += 1e-5;
            var down = (double[])w.Clone(); down[i] -= 1e-5;
            var gu = new double[3]; var gd = new double[3];
            m.ObjectiveGradient(up, gu);
            m.ObjectiveGradient(down, gd);
            for (int j = 0; j < 3; j++) fd[j * 3 + i] = (gu[j] - gd[j]) / 2e-5;
        }

        var result = new double[20];
        result[0] = value; result[1] = m.Objective(w);
        hessian.CopyTo(result, 2);
        fd.CopyTo(result, 11);
        return result;");
            Assert.Equal(r[1], r[0]);
            FiniteDifferences.AssertClose(r.Skip(11).Take(9).ToArray(), r.Skip(2).Take(9).ToArray(), relTol: 1e-6, absTol: 1e-8, "Objective Hessian");
        }

        [Fact]
        public void A_span_call_whose_seed_calls_a_differentiable_rule()
        {
            // Softplus(Dot(p, x)): the span call's seed is the rule's SoftplusDerivative(dot), which forward over reverse
            // differentiates through the rule's own generated Derivative (seed 28, program 15003: was SD1000).
            const string source = @"
using System;
using SymDiff;
public static partial class A
{
    public static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

    [DerivativeOf(typeof(A), nameof(Softplus))]
    [Differentiable]
    public static double SoftplusDerivative(double v) => 1 / (1 + Math.Exp(-v));

    [Differentiable(Hessian = true)]
    public static double Loss(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x) => Softplus(Dot(p, x)) + 0.1 * p[0] * p[1];

    [Differentiable(Hessian = true)]
    public static double Dot(ReadOnlySpan<double> a, [NoGrad] ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }
}";
            ModelChecks.HessianMatchesDifferencesOfTheGradient(source, "A", "Loss", "new double[] { 0.3, -0.7, 0.45 }", "new double[] { 1.2, 0.4, -0.9 }, ", "Softplus(Dot) Hessian");
        }

        [Fact]
        public void A_span_callee_without_Hessian_is_SD1007_asking_for_it()
        {
            var output = GeneratorRunner.Run(Source.Replace("[Differentiable(Hessian = true)]\n    public static double LogSumExp", "[Differentiable]\n    public static double LogSumExp", StringComparison.Ordinal));
            var d = Assert.Single(output.GeneratorDiagnostics, x => x.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
            Assert.Equal("SD1007", d.Id);
            Assert.Contains("mark 'LogSumExp' [Differentiable(Hessian = true)]", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        [Fact]
        public void Snapshot_of_second_order_through_span_calls()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

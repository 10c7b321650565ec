using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Loops
{
    /// <summary>Calls between differentiable methods with span arguments, a span passed straight through, and custom rules inside loops.</summary>
    public class SpanCallTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class S
{
    [Differentiable]
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    // z = c (w . x); L = log(1 + z^2) + w . w
    [Differentiable]
    public static double Loss(ReadOnlySpan<double> w, double c, [NoGrad] ReadOnlySpan<double> x)
    {
        double z = Dot(w, x) * c;
        return Math.Log(1 + z * z) + Dot(w, w);
    }

    [Differentiable]
    public static double Shrink(ReadOnlySpan<double> a, double k) => Dot(a, a) / (1 + Math.Sqrt(k));

    // Shrink's k gets a constant: forward mode takes Shrink's partials from ShrinkBackward and multiplies only the
    // active arguments' (its Derivative would compute 0 * Sqrt'(0), NaN: FINDINGS F66).
    [Differentiable]
    public static double Penalty(ReadOnlySpan<double> w, double c)
    {
        double r = Shrink(w, 0.0);
        return r * c;
    }

    public static double Softplus(double v) => Math.Log(1 + Math.Exp(v));

    [DerivativeOf(typeof(S), nameof(Softplus))]
    public static double SoftplusDerivative(double v) => 1 / (1 + Math.Exp(-v));

    // A custom rule inside a loop: sum_i softplus(w x_i).
    [Differentiable]
    public static double SoftSum(double w, [NoGrad] ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (var xi in x) s += Softplus(w * xi);
        return s;
    }
}";

        [Fact]
        public void Span_passed_through_to_a_differentiable_callee()
        {
            var w = new[] { 0.3, -0.5, 0.8 };
            var x = new[] { 1.5, 0.25, -2.0 };
            double c = 0.7;

            // z = c (w.x): dL/dw_j = 2z/(1+z^2) c x_j + 2 w_j; dL/dc = 2z/(1+z^2) (w.x).
            double dot = w.Zip(x, (a, b) => a * b).Sum();
            double z = c * dot;
            double k = 2 * z / (1 + (z * z));
            var expected = w.Select((wj, j) => (k * c * x[j]) + (2 * wj)).Concat(new[] { k * dot }).ToArray();

            var r = GeneratedCode.RunDriver(Source, @"
        var w = new double[] { 0.3, -0.5, 0.8 }; var x = new double[] { 1.5, 0.25, -2.0 };
        var g = new double[3];
        double v = S.LossGradient(w, 0.7, x, g, out double dc);
        return new[] { g[0], g[1], g[2], dc, v - S.Loss(w, 0.7, x) };");
            FiniteDifferences.AssertClose(expected, r.Take(4).ToArray(), 1e-12, 1e-14, "gradient through Dot");
            Assert.Equal(0.0, r[4]);
        }

        [Fact]
        public void Forward_mode_through_a_span_call_equals_gradient_dot_tangent()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        var w = new double[] { 0.3, -0.5, 0.8 }; var x = new double[] { 1.5, 0.25, -2.0 };
        var tw = new double[] { 0.2, 1.0, -0.4 }; double tc = 0.9;
        var g = new double[3];
        S.LossGradient(w, 0.7, x, g, out double dc);
        S.LossDerivative(w, 0.7, x, tw, tc, out double d);
        return new[] { d, g[0] * tw[0] + g[1] * tw[1] + g[2] * tw[2] + dc * tc };");
            FiniteDifferences.AssertClose(r[1], r[0], 1e-12, 1e-14, "JVP vs gradient . tangent");
        }

        [Fact]
        public void Forward_mode_through_a_span_call_with_a_constant_argument_is_finite()
        {
            // Penalty = c |w|^2: its derivative along (tw, tc) is 2 c (w . tw) + |w|^2 tc, where Shrink's own Derivative
            // would have been NaN (Sqrt'(0) times the constant's zero tangent).
            double[] r = GeneratedCode.RunDriver(Source, @"
        double[] w = { 0.5, -2.0, 1.5 };
        double[] tw = { 1.0, 0.25, -0.5 };
        double v = S.PenaltyDerivative(w, 3.0, tw, 0.5, out double d);
        return new[] { v, d };");
            double norm = (0.5 * 0.5) + (2.0 * 2.0) + (1.5 * 1.5);
            Assert.Equal(3.0 * norm, r[0], 12);
            Assert.Equal((2 * 3.0 * ((0.5 * 1.0) + (-2.0 * 0.25) + (1.5 * -0.5))) + (norm * 0.5), r[1], 12);
        }

        [Fact]
        public void Custom_rule_inside_a_loop()
        {
            // d/dw sum softplus(w x_i) = sum x_i sigmoid(w x_i).
            var x = new[] { 0.5, -1.0, 2.0 };
            double w = 0.4;
            double expected = x.Sum(xi => xi / (1 + Math.Exp(-w * xi)));
            var r = GeneratedCode.RunDriver(Source, "S.SoftSumGradient(0.4, new double[] { 0.5, -1.0, 2.0 }, out double d); return new[] { d };");
            FiniteDifferences.AssertClose(expected, r[0], 1e-13, 1e-15, "softplus rule in a loop");
        }

        [Fact]
        public void Span_calls_allocate_nothing()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        var w = new double[64]; var x = new double[64]; var g = new double[64];
        for (int i = 0; i < 64; i++) { w[i] = 0.01 * i; x[i] = Math.Sin(i); }
        double sink = 0;
        // Measured in the second round, once the driver's own loop is compiled (its first tier-up allocates a little).
        for (int round = 0; round < 2; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 1000; k++) sink += S.LossGradient(w, 0.7, x, g, out _);
            long after = GC.GetAllocatedBytesForCurrentThread();
            if (round == 1) return new[] { (double)(after - before), sink };
        }
        return new[] { -1.0 };");
            Assert.Equal(0.0, r[0]);
        }

        [Fact]
        public void Snapshot_of_span_calls()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

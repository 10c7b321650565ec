using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>
    /// FINDINGS F14: a vector function that reads its output inside a loop and rewrites it (a normalisation, a softmax
    /// written in place). The reads are taped by the reverse sweep; Jacobians against closed forms and central differences.
    /// </summary>
    public class OutputReadInLoopTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class F
{
    // FINDINGS F14's program.
    [Differentiable]
    public static void G(double x, double y, Span<double> o)
    {
        o[0] = x * y;
        o[1] = x + y;
        double norm = 0.25;
        for (int i = 0; i < o.Length; i++)
        {
            norm += o[i] * o[i];
        }

        norm = Math.Sqrt(norm);
        for (int i = 0; i < o.Length; i++)
        {
            o[i] /= norm;
        }
    }

    // A softmax written in place: exponentials into the output, summed from it, then divided.
    [Differentiable]
    public static void Softmax(ReadOnlySpan<double> z, Span<double> y)
    {
        double max = z[0];
        for (int i = 1; i < z.Length; i++)
        {
            max = Math.Max(max, z[i]);
        }

        double sum = 0;
        for (int i = 0; i < z.Length; i++)
        {
            y[i] = Math.Exp(z[i] - max);
            sum += y[i];
        }

        for (int i = 0; i < z.Length; i++)
        {
            y[i] /= sum;
        }
    }
}";

        [Fact]
        public void F14_jacobian_matches_the_closed_form()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double[] o = new double[2], jacobian = new double[4];
        F.GJacobian(0.7, -1.3, o, jacobian);
        var r = new System.Collections.Generic.List<double>(o);
        r.AddRange(jacobian);
        return r.ToArray();");
            double x = 0.7, y = -1.3;
            double a = x * y, b = x + y, n = Math.Sqrt(0.25 + (a * a) + (b * b));

            // o = (a, b) / n: d(o_k)/d(v) = (d(u_k)/dv) / n - u_k (a da/dv + b db/dv) / n^3.
            double[] da = { y, x }, db = { 1, 1 };
            var expected = new double[4];
            for (int v = 0; v < 2; v++)
            {
                double dn = ((a * da[v]) + (b * db[v])) / n;
                expected[v] = (da[v] / n) - (a * dn / (n * n));
                expected[2 + v] = (db[v] / n) - (b * dn / (n * n));
            }

            FiniteDifferences.AssertClose(new[] { a / n, b / n }, r.Take(2).ToArray(), relTol: 1e-15, absTol: 1e-16, "F14 values");
            FiniteDifferences.AssertClose(expected, r.Skip(2).ToArray(), relTol: 1e-12, absTol: 1e-14, "F14 Jacobian");
        }

        [Fact]
        public void F14_backward_and_derivative_agree_with_the_jacobian()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double[] o = new double[2], jacobian = new double[4], seed = { 0.5, -2.0 }, derivative = new double[2];
        F.GJacobian(0.7, -1.3, o, jacobian);
        double dx = 0, dy = 0;
        F.GBackward(0.7, -1.3, o, seed, ref dx, ref dy);
        F.GDerivative(0.7, -1.3, o, 0.25, 1.0, derivative);
        return new[] { dx, dy, 0.5 * jacobian[0] - 2.0 * jacobian[2], 0.5 * jacobian[1] - 2.0 * jacobian[3], derivative[0], derivative[1], 0.25 * jacobian[0] + jacobian[1], 0.25 * jacobian[2] + jacobian[3] };");
            FiniteDifferences.AssertClose(r.Skip(2).Take(2).ToArray(), r.Take(2).ToArray(), relTol: 1e-13, absTol: 1e-15, "F14 vector-Jacobian product");
            FiniteDifferences.AssertClose(r.Skip(6).ToArray(), r.Skip(4).Take(2).ToArray(), relTol: 1e-13, absTol: 1e-15, "F14 Jacobian-vector product");
        }

        [Fact]
        public void In_place_softmax_jacobian_is_the_closed_form()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double[] z = { 0.5, -1.0, 2.0, 0.25 };
        double[] y = new double[4], jacobian = new double[16];
        F.SoftmaxJacobian(z, y, jacobian);
        var r = new System.Collections.Generic.List<double>(y);
        r.AddRange(jacobian);
        return r.ToArray();");
            double[] z = { 0.5, -1.0, 2.0, 0.25 };
            double total = z.Sum(v => Math.Exp(v - 2.0));
            double[] y = z.Select(v => Math.Exp(v - 2.0) / total).ToArray();
            var expected = new double[16];
            for (int i = 0; i < 4; i++)
            {
                for (int j = 0; j < 4; j++)
                {
                    expected[(i * 4) + j] = y[i] * ((i == j ? 1 : 0) - y[j]);
                }
            }

            FiniteDifferences.AssertClose(y, r.Take(4).ToArray(), relTol: 1e-15, absTol: 1e-16, "softmax values");
            FiniteDifferences.AssertClose(expected, r.Skip(4).ToArray(), relTol: 1e-12, absTol: 1e-14, "in-place softmax Jacobian");
        }

        [Fact]
        public void Generated_code_snapshot()
        {
            GeneratorOutput output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

using System;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Regressions
{
    /// <summary>
    /// API.md section 9: an output buffer that shares memory with an input span throws an ArgumentException naming the
    /// buffer, before anything is written. (Issue 9: SumSqGradient(a, a) silently returned zeros.)
    /// </summary>
    public sealed class AliasingTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class A
{
    [Differentiable]
    public static double SumSq(ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += x[i] * x[i];
        }

        return s;
    }

    [Differentiable]
    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }

    [Differentiable(Hessian = true)]
    public static double Quad(ReadOnlySpan<double> x) => x[0] * x[0] * x[1];

    [Differentiable]
    public static void Scale(ReadOnlySpan<double> x, double k, Span<double> y)
    {
        y[0] = x[0] * k;
        y[1] = x[1] * k;
    }
}";

        /// <summary>Runs <paramref name="call"/> (statements using <c>double[] x</c> = {1, ..., 9}) and returns [threw, x unchanged, ParamName is <paramref name="buffer"/>].</summary>
        private static double[] Probe(string call, string buffer) => GeneratedCode.RunDriver(Source, $@"
        double[] x = {{ 1, 2, 3, 4, 5, 6, 7, 8, 9 }};
        bool threw = false, named = false;
        try {{ {call} }}
        catch (ArgumentException e) {{ threw = true; named = e.ParamName == ""{buffer}"" && e.Message.Contains(""shares memory""); }}
        bool unchanged = true;
        for (int i = 0; i < x.Length; i++) unchanged &= x[i] == i + 1;
        return new[] {{ threw ? 1.0 : 0, unchanged ? 1.0 : 0, named ? 1.0 : 0 }};");

        [Theory]
        [InlineData("A.SumSqGradient(x, x);", "dX")]
        [InlineData("A.SumSqGradient(x.AsSpan(0, 2), x.AsSpan(1, 2));", "dX")]
        [InlineData("A.SumSqBackward(x, 1.0, x);", "dX")]
        [InlineData("A.DotGradient(x, new double[9], new double[9], x);", "dB")]
        [InlineData("var g = new double[9]; A.DotGradient(x, x, g, g);", "dA")]
        [InlineData("A.QuadHessian(x.AsSpan(0, 3), x);", "hessian")]
        [InlineData("var h = new double[3]; A.QuadHessianVectorProduct(x.AsSpan(0, 3), h, h);", "product")]
        [InlineData("A.ScaleJacobian(x.AsSpan(0, 3), 2, new double[2], x.AsSpan(1, 8));", "jacobian")]
        [InlineData("var y = new double[2]; A.ScaleDerivative(x.AsSpan(0, 3), 2, y, x.AsSpan(0, 3), 0, y);", "derivative")]
        public void An_output_sharing_memory_with_an_input_throws_before_writing(string call, string buffer)
        {
            Assert.Equal(new double[] { 1, 1, 1 }, Probe(call, buffer));
        }

        [Fact]
        public void Backward_may_accumulate_two_gradients_into_one_buffer()
        {
            // Accumulating buffers add: d(a . b)/da + d(a . b)/db into one buffer is b + a, as generated callers rely on.
            double[] r = GeneratedCode.RunDriver(Source, @"
        double[] a = { 1, 2, 3 };
        double[] b = { 10, 20, 30 };
        var g = new double[3];
        A.DotBackward(a, b, 1.0, g, g);
        return g;");
            Assert.Equal(new double[] { 11, 22, 33 }, r);
        }
    }
}

using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.LocalBuffers;
using Xunit;

namespace SymDiff.Generator.Tests.Regressions
{
    /// <summary>
    /// Legal spellings an audit of the parser found read with another meaning (a different number, no diagnostic): named
    /// Slice/AsSpan arguments out of order, a user's own method named Slice, checked(...) around a range bound, a buffer
    /// length read from an int parameter assigned later, and writes a callee's summary missed (through a span local
    /// over a buffer, an output passed in parentheses), which made the caller's gradient a structural zero. Each method
    /// is checked against its own value, bit for bit, and central differences of itself.
    /// </summary>
    public class SilentMisreadTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class M
{
    [Differentiable]
    public static double Named(double[] p, [NoGrad] double[] x)
    {
        ReadOnlySpan<double> v = p.AsSpan(length: 2, start: 1);
        double s = NamedSpan(p, x);
        for (int j = 0; j < v.Length; j++)
        {
            s += v[j] * v[j] * (j + 1);
        }

        return s;
    }

    [Differentiable]
    public static double NamedSpan(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        ReadOnlySpan<double> u = p.Slice(length: 3, start: 2);
        double s = 0;
        for (int j = 0; j < u.Length; j++)
        {
            s += Math.Sin(u[j]) * (j + 2);
        }

        return s;
    }

    [Differentiable]
    public static double Checked(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        int d = (int)x[0];
        ReadOnlySpan<double> v = p[d..checked(2 * d)];
        double s = 0;
        for (int j = 0; j < v.Length; j++)
        {
            s += v[j] * v[j];
        }

        return s;
    }

    [Differentiable]
    public static double ViewWrite(double[] p, [NoGrad] double[] x) => InnerView(p[0]) * 2 + p[1];

    [Differentiable]
    public static double InnerView(double y)
    {
        Span<double> h = stackalloc double[2];
        Span<double> row = h.Slice(0, 2);
        row[0] = y * y;
        row[1] = 3 * y;
        return h[0] + h[1];
    }

    [Differentiable]
    public static double Parenthesized(double[] p, [NoGrad] double[] x) => InnerLayer(p[0], p[1]) * 2;

    [Differentiable]
    public static double InnerLayer(double w, double y)
    {
        Span<double> h = stackalloc double[2];
        Layer(w, y, (h));
        return h[0] + h[1];
    }

    [Differentiable]
    public static void Layer(double w, double y, Span<double> o)
    {
        o[0] = w * y;
        o[1] = w + y * y;
    }
}";

        private const string Point = "new double[] { 1.0, 2.0, 3.0, 4.0, 5.0, 6.0 }";

        [Theory]
        [InlineData("Named")]
        [InlineData("NamedSpan")]
        [InlineData("Checked")]
        [InlineData("ViewWrite")]
        [InlineData("Parenthesized")]
        public void Each_spelling_gives_the_users_value_and_central_differences(string method) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "M", method, Point, "new double[] { 2.0 }");

        [Fact]
        public void A_users_own_method_named_Slice_is_not_read_as_the_spans()
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static class MyExtensions
{
    // Not the span's Slice: (from, to), not (start, length).
    public static ReadOnlySpan<double> Slice(this double[] a, int from, int to) => a.AsSpan(from, to - from);
}

public static partial class O
{
    [Differentiable]
    public static double OwnSlice(double[] p)
    {
        ReadOnlySpan<double> v = p.Slice(1, 3);
        double s = 0;
        for (int j = 0; j < v.Length; j++)
        {
            s += v[j] * v[j] * (j + 1);
        }

        return s;
    }
}");
            var d = Assert.Single(output.GeneratorDiagnostics, x => x.Severity == DiagnosticSeverity.Error);
            Assert.Equal("SD1000", d.Id);
            Assert.Contains("The span local 'v' with this initializer", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        [Fact]
        public void A_buffer_length_read_from_an_int_parameter_assigned_later_is_SD1000_not_a_short_buffer()
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class B
{
    [Differentiable]
    public static double F(ReadOnlySpan<double> x, int n)
    {
        Span<double> h = stackalloc double[n];
        n = 1;
        for (int j = 0; j < h.Length; j++)
        {
            h[j] = x[j] * x[j];
        }

        double s = 0;
        for (int j = 0; j < h.Length; j++)
        {
            s += h[j];
        }

        return s + n;
    }
}");
            var d = Assert.Single(output.GeneratorDiagnostics, x => x.Severity == DiagnosticSeverity.Error);
            Assert.Equal("SD1000", d.Id);
            Assert.Contains("The length 'n' of the local buffer 'h'", d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
    }
}

using SymDiff.Generator.Tests.LocalBuffers;
using Xunit;

namespace SymDiff.Generator.Tests.Calls
{
    /// <summary>
    /// Range bounds in parentheses (C# needs them around any arithmetic bound: <c>p[d..(2 * d)]</c>). Roslyn gives a
    /// parenthesized expression no operation of its own, and the parser once read such a bound as absent: the end as "to the
    /// end of the span", the start as 0, with no diagnostic, so value and gradient were silently wrong (a trial user's
    /// program). Each method is checked against its own value (bit for bit) and central differences of itself.
    /// </summary>
    public class ParenthesizedRangeTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double SumSq(ReadOnlySpan<double> u)
    {
        double s = 0;
        for (int i = 0; i < u.Length; i++)
        {
            s += u[i] * u[i] * (1 + 0.1 * i);
        }

        return s;
    }

    // A parenthesized end, passed to a call.
    [Differentiable]
    public static double End(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        int d = (int)x[0];
        ReadOnlySpan<double> b = p[d..(2 * d)];
        return SumSq(b) + p[0];
    }

    // A parenthesized start and a constant end in parentheses.
    [Differentiable]
    public static double Start(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        int a = (int)x[0] - 1;
        return SumSq(p[(a + 1)..4]) + SumSq(p[1..(3)]);
    }

    // A range a..(a + n) has length n, as Slice(a, n) does: indexed by constants below n and by a loop to n (was SD1000).
    [Differentiable]
    public static double Counted(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        int a = (int)x[0];
        int n = p.Length - 4;
        ReadOnlySpan<double> v = p[a..(a + 3)];
        ReadOnlySpan<double> u = p[(a - 1)..(a - 1 + n)];
        double s = v[0] * v[2];
        for (int j = 0; j < n; j++)
        {
            s += u[j] * u[j] * (j + 1);
        }

        return s;
    }

    // Both bounds in parentheses, read by index in a loop; a range to a parenthesized end from the start.
    [Differentiable]
    public static double Both(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        int a = (int)x[0];
        ReadOnlySpan<double> v = p[(a)..(a * 2 + 1)];
        double s = 0;
        for (int i = 0; i < v.Length; i++)
        {
            s += Math.Sin(v[i]) * (i + 1);
        }

        return s + SumSq(p[..(a)]);
    }
}";

        /// <summary>A whole range in parentheses and a local buffer's length in parentheses (both were SD1000).</summary>
        public const string BufferSource = @"
using System;
using SymDiff;
public static partial class B
{
    [Differentiable]
    public static double Sq(ReadOnlySpan<double> u)
    {
        double s = 0;
        for (int i = 0; i < u.Length; i++)
        {
            s += u[i] * u[i];
        }

        return s;
    }

    // The whole range in parentheses.
    [Differentiable]
    public static double Whole(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        int a = (int)x[0];
        return Sq(p[(1..(a + 1))]) * p[a];
    }

    [Differentiable]
    public static double Length(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        int a = p.Length / 3;
        Span<double> h = stackalloc double[(a + 1)];
        double s = 0;
        for (int i = 0; i < h.Length; i++)
        {
            h[i] = p[i] * p[i + 1];
            s += h[i] * h[i] * x[0];
        }

        return s;
    }
}";

        private const string Point = "new double[] { 0.3, -0.7, 0.45, 0.2, 1.1, -0.35, 0.8 }";

        [Theory]
        [InlineData("End")]
        [InlineData("Start")]
        [InlineData("Both")]
        [InlineData("Counted")]
        public void Parenthesized_bounds_give_the_users_value_and_central_differences(string method) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "R", method, Point, "new double[] { 2.0 }");

        [Theory]
        [InlineData("Whole")]
        [InlineData("Length")]
        public void A_parenthesized_range_and_buffer_length_are_read(string method) =>
            ModelChecks.GradientBackwardAndDerivative(BufferSource, "B", method, Point, "new double[] { 2.0 }");
    }
}

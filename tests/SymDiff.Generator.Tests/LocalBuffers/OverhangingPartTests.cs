using System;
using System.Globalization;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>
    /// A part that does not lie inside what it was cut from, where the source is longer than the part's parent: a part of
    /// a span local (<c>row.Slice(a, 3)</c> of a row of <c>x</c>), a layer's span parameter bound to a part of the
    /// caller's span (read or written past the part's end). The user's method throws there (<c>Slice</c>'s
    /// <see cref="ArgumentOutOfRangeException"/>, the layer's <see cref="IndexOutOfRangeException"/>); every generated
    /// method throws too, and never reads or writes the neighbouring elements of the source (the next row, the next
    /// layer's weights), which would return a number. With valid arguments the results are those of the user's method:
    /// values bit for bit, gradients and directional derivatives against central differences.
    /// </summary>
    public class OverhangingPartTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class O
{
    // A part of a row: sub[2] is row[a + 2], inside the row only for a <= 1 (x[4] is the next element of x).
    [Differentiable(Hessian = true)]
    public static double Nested(ReadOnlySpan<double> x, int a)
    {
        ReadOnlySpan<double> row = x.Slice(0, 4);
        ReadOnlySpan<double> sub = row.Slice(a, 3);
        return sub[0] * sub[1] + Math.Sin(sub[2]);
    }

    // A part of a row passed to a helper.
    [Differentiable(Hessian = true)]
    public static double NestedArgument(ReadOnlySpan<double> x, int a)
    {
        ReadOnlySpan<double> row = x.Slice(1, 4);
        return SumOfSquares(row.Slice(a, 2));
    }

    [Differentiable(Hessian = true)]
    public static double SumOfSquares(ReadOnlySpan<double> u)
    {
        double s = 0;
        for (int i = 0; i < u.Length; i++)
        {
            s += u[i] * u[i];
        }

        return s;
    }

    // A layer that reads u[i] and v[i] for every output: u shorter than y must throw.
    [Differentiable]
    public static void Scale(ReadOnlySpan<double> u, ReadOnlySpan<double> v, Span<double> y)
    {
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = u[i] * Math.Cos(v[i]);
        }
    }

    // The first n parameters are the layer's u, the next 3 its v: n = 2 leaves u one short (u[2] would be p[2], v's first).
    [Differentiable(Hessian = true)]
    public static double LayerReadsPastItsPart(ReadOnlySpan<double> p, int n)
    {
        Span<double> h = stackalloc double[3];
        Scale(p.Slice(0, n), p.Slice(3, 3), h);
        return h[0] * h[1] + h[2];
    }

    // A layer that writes y[i] for every input.
    [Differentiable]
    public static void Square(ReadOnlySpan<double> u, Span<double> y)
    {
        for (int i = 0; i < u.Length; i++)
        {
            y[i] = u[i] * u[i];
        }
    }

    // The layer's output is n elements of a buffer of 4 from the second: n = 2 is shorter than its input (y[2] would be h[3]).
    [Differentiable(Hessian = true)]
    public static double LayerWritesPastItsPart(ReadOnlySpan<double> p, int n)
    {
        Span<double> h = stackalloc double[4];
        Square(p.Slice(0, 3), h.Slice(1, n));
        return h[0] + h[1] * h[2] + Math.Sin(h[3]);
    }
}";

        private const string Point = "new double[] { 0.3, -1.2, 0.9, 0.5, 0.1, -0.4 }";

        [Theory]
        [InlineData("Nested", "1")]
        [InlineData("Nested", "0")]
        [InlineData("NestedArgument", "2")]
        [InlineData("LayerReadsPastItsPart", "3")]
        [InlineData("LayerWritesPastItsPart", "3")]
        public void Gradient_backward_and_derivative_match_central_differences(string method, string data) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "O", method, Point, data);

        [Theory]
        [InlineData("Nested", "1")]
        [InlineData("NestedArgument", "2")]
        [InlineData("LayerReadsPastItsPart", "3")]
        public void Hessian_matches_differences_of_the_gradient(string method, string data) =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "O", method, Point, data + ", ", method + " Hessian");

        /// <summary>
        /// Every generated method throws where the user's does. The exception is the one the user's method throws where
        /// the generated one also slices (a part passed on to a call: <see cref="ArgumentOutOfRangeException"/>), and an
        /// <see cref="IndexOutOfRangeException"/> where it reads element by element.
        /// </summary>
        [Theory]
        [InlineData("Nested", "2")]
        [InlineData("Nested", "-1")]
        [InlineData("NestedArgument", "3")]
        [InlineData("NestedArgument", "-1")]
        [InlineData("LayerReadsPastItsPart", "2")]
        [InlineData("LayerWritesPastItsPart", "2")]
        public void A_part_outside_its_source_throws_in_every_generated_method(string method, string bad)
        {
            string f = "O." + method;
            var r = GeneratedCode.RunDriver(Source, $@"
        double[] p = {Point};
        int n = p.Length;
        double Threw(Action a) {{ try {{ a(); return 0; }} catch (IndexOutOfRangeException) {{ return 1; }} catch (ArgumentOutOfRangeException) {{ return 1; }} }}
        return new double[]
        {{
            Threw(() => {f}(p, {bad})),
            Threw(() => {f}Gradient(p, {bad}, new double[n])),
            Threw(() => {f}Backward(p, {bad}, 1.0, new double[n])),
            Threw(() => {f}Derivative(p, {bad}, p, out _)),
            Threw(() => {f}Hessian(p, {bad}, new double[n * n])),
            Threw(() => {f}HessianVectorProduct(p, {bad}, p, new double[n])),
        }};");
            Assert.Equal(new double[] { 1, 1, 1, 1, 1, 1 }, r);
        }

        private const string ForEachSource = @"
using System;
using SymDiff;
public static partial class Fe
{
    private static readonly double[] Weights = { 0.5, 1.5, -2.0, 0.25 };

    // foreach over parts (a trial user's foreach (var e in v[1..]) was SD1000): of a parameter, of a row of it, of a
    // local buffer and of constant data.
    [Differentiable(Hessian = true)]
    public static double Parts(ReadOnlySpan<double> v, int a)
    {
        double s = 0;
        foreach (double e in v[1..])
        {
            s += e * e;
        }

        ReadOnlySpan<double> row = v.Slice(0, 4);
        foreach (double e in row.Slice(a, 2))
        {
            s += Math.Sin(e);
        }

        Span<double> h = stackalloc double[3];
        for (int i = 0; i < 3; i++)
        {
            h[i] = v[i] * v[i + 1];
        }

        foreach (double e in h[1..])
        {
            s += Math.Exp(0.1 * e);
        }

        int k = 0;
        foreach (double w in Weights.AsSpan(1, 2))
        {
            s += w * v[k];
            k++;
        }

        return s;
    }
}";

        [Theory]
        [InlineData("0")]
        [InlineData("2")]
        public void Foreach_over_parts_matches_central_differences(string a) =>
            ModelChecks.GradientBackwardAndDerivative(ForEachSource, "Fe", "Parts", Point, a);

        [Fact]
        public void Foreach_over_parts_has_the_Hessian_of_the_gradient() =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(ForEachSource, "Fe", "Parts", Point, "1, ", "Parts Hessian");

        /// <summary>row.Slice(3, 2) of a row of 4 overhangs it (its second element would be v[4]): every generated method throws.</summary>
        [Fact]
        public void Foreach_over_a_part_outside_its_source_throws()
        {
            var r = GeneratedCode.RunDriver(ForEachSource, $@"
        double[] p = {Point};
        int n = p.Length;
        double Threw(Action a) {{ try {{ a(); return 0; }} catch (IndexOutOfRangeException) {{ return 1; }} catch (ArgumentOutOfRangeException) {{ return 1; }} }}
        return new double[] {{ Threw(() => Fe.Parts(p, 3)), Threw(() => Fe.PartsGradient(p, 3, new double[n])), Threw(() => Fe.PartsDerivative(p, 3, p, out _)) }};");
            Assert.Equal(new double[] { 1, 1, 1 }, r);
        }

        /// <summary>A part whose bounds are constants and that does not lie inside its source: the user's Slice always throws.</summary>
        [Theory]
        [InlineData("ReadOnlySpan<double> row = x.Slice(0, 4); ReadOnlySpan<double> sub = row.Slice(2, 3); return sub[0];", "The part 'row.Slice(2, 3)', which always throws")]
        [InlineData("ReadOnlySpan<double> row = x.Slice(1, 2); return Sum(row[1..3]);", "The part 'row[1..3]', which always throws")]
        public void A_constant_part_outside_its_source_is_SD1000(string body, string message)
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class S
{
    [Differentiable]
    public static double Sum(ReadOnlySpan<double> u) => u[0] + u[1];

    [Differentiable]
    public static double F(ReadOnlySpan<double> x) { " + body + @" }
}");
            var d = Assert.Single(output.GeneratorDiagnostics, x => x.Severity == DiagnosticSeverity.Error);
            Assert.Equal("SD1000", d.Id);
            Assert.Contains(message, d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        /// <summary>
        /// A layer over parts of constant shape (a weight matrix <c>w[o * m + i]</c> with <c>o &lt; 4</c>, <c>i &lt; m = 3</c>
        /// over a part of 12): every index is shown inside the part, so no check is added to the inner loop.
        /// </summary>
        [Fact]
        public void A_layer_over_parts_of_constant_shape_has_no_checks()
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class V
{
    [Differentiable]
    public static void Dense(ReadOnlySpan<double> w, ReadOnlySpan<double> input, Span<double> output)
    {
        int m = input.Length;
        for (int o = 0; o < output.Length; o++)
        {
            double z = 0;
            for (int i = 0; i < m; i++) z += w[o * m + i] * input[i];
            output[o] = Math.Tanh(z);
        }
    }

    [Differentiable]
    public static double Loss(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[4];
        Dense(p.Slice(0, 12), x.Slice(3, 3), h);
        return h[0] + h[1] * h[2] - h[3];
    }
}");
            Assert.DoesNotContain(output.GeneratorDiagnostics, d => d.Severity == DiagnosticSeverity.Error);
            string loss = Assert.Single(output.GeneratedSources, s => s.HintName == "V.Loss.g.cs").Text;
            Assert.DoesNotContain("int.MinValue", loss, StringComparison.Ordinal);
            Assert.Contains("LossGradient", loss, StringComparison.Ordinal);
        }
    }
}

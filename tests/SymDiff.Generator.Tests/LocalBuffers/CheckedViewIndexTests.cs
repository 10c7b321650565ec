using System;
using System.Globalization;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>
    /// An index into a span local that SymDiff cannot show is inside the view (<c>row[labels[s]]</c>, an index read from
    /// data): the generated methods keep the view's bounds check, so they read the same element as the user's method
    /// (checked against central differences of the user's own method) and throw the same
    /// <see cref="IndexOutOfRangeException"/> where an index falls outside the view, even when it is inside the source.
    /// </summary>
    public class CheckedViewIndexTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class C
{
    // Scores of 3 classes per sample, one row per sample; the label picks the class (cross-entropy's last step).
    [Differentiable(Hessian = true)]
    public static double Pick(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels)
    {
        double total = 0;
        for (int s = 0; s < labels.Length; s++)
        {
            ReadOnlySpan<double> row = scores.Slice(s * 3, 3);
            total += Math.Log(1 + Math.Exp(-row[labels[s]])) + 0.1 * row[0] * row[labels[s]];
        }

        return total;
    }

    // Scatter-add into the upper half of a local buffer through a view, at slots read from data.
    [Differentiable(Hessian = true)]
    public static double Scatter(ReadOnlySpan<double> x, ReadOnlySpan<int> slots)
    {
        Span<double> h = stackalloc double[6];
        Span<double> upper = h.Slice(3, 3);
        for (int i = 0; i < x.Length; i++)
        {
            upper[slots[i]] += x[i] * x[i];
        }

        double s = 0;
        for (int j = 0; j < 6; j++)
        {
            s += Math.Sin(h[j] + j);
        }

        return s;
    }

    // A view to the end of the parameter: only the lower bound is checked (the parameter's own check is the upper one).
    [Differentiable(Hessian = true)]
    public static double Shifted(ReadOnlySpan<double> p, ReadOnlySpan<int> offsets)
    {
        ReadOnlySpan<double> tail = p.Slice(2);
        double s = 0;
        for (int k = 0; k < offsets.Length; k++)
        {
            s += Math.Cos(tail[offsets[k] - 1]) * p[k];
        }

        return s;
    }
}";

        private const string Scores = "new double[] { 0.3, -1.2, 2.0, 0.5, 0.1, -0.4 }";

        [Theory]
        [InlineData("Pick", Scores, "new int[] { 2, 0 }")]
        [InlineData("Scatter", "new double[] { 0.5, -0.3, 1.1, 0.7 }", "new int[] { 2, 0, 2, 1 }")]
        [InlineData("Shifted", Scores, "new int[] { 1, 3, 2 }")]
        public void Gradient_backward_and_derivative_match_central_differences(string method, string point, string data) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "C", method, point, data);

        [Theory]
        [InlineData("Pick", Scores, "new int[] { 2, 0 }")]
        [InlineData("Scatter", "new double[] { 0.5, -0.3, 1.1, 0.7 }", "new int[] { 2, 0, 2, 1 }")]
        [InlineData("Shifted", Scores, "new int[] { 1, 3, 2 }")]
        public void Hessian_matches_differences_of_the_gradient(string method, string point, string data) =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "C", method, point, data + ", ", method + " Hessian");

        /// <summary>
        /// Indices past the view's end but inside the source (label 3 reads the next row's first score, slot 3 the buffer's
        /// element 6, which does not exist either way), and below its start (label -1 reads the previous row's last
        /// score; offset 0 reads p[1]): the user's method throws, and so does every generated method, before it returns.
        /// </summary>
        [Theory]
        [InlineData("Pick", Scores, "new int[] { 0, 3 }")]
        [InlineData("Pick", Scores, "new int[] { 0, -1 }")]
        [InlineData("Scatter", "new double[] { 0.5, -0.3, 1.1, 0.7 }", "new int[] { 2, 0, 3, 1 }")]
        [InlineData("Scatter", "new double[] { 0.5, -0.3, 1.1, 0.7 }", "new int[] { 2, -1, 0, 1 }")]
        [InlineData("Shifted", Scores, "new int[] { 1, 0, 2 }")]
        [InlineData("Shifted", Scores, "new int[] { 1, 5, 2 }")]
        public void An_index_outside_the_view_throws_in_every_generated_method(string method, string point, string data)
        {
            string f = "C." + method;
            var r = GeneratedCode.RunDriver(Source, $@"
        double[] p = {point};
        int[] data = {data};
        int n = p.Length;
        double Threw(Action a) {{ try {{ a(); return 0; }} catch (IndexOutOfRangeException) {{ return 1; }} }}
        return new double[]
        {{
            Threw(() => {f}(p, data)),
            Threw(() => {f}Gradient(p, data, new double[n])),
            Threw(() => {f}Backward(p, data, 1.0, new double[n])),
            Threw(() => {f}Derivative(p, data, p, out _)),
            Threw(() => {f}Hessian(p, data, new double[n * n])),
            Threw(() => {f}HessianVectorProduct(p, data, p, new double[n])),
        }};");
            Assert.Equal(new double[] { 1, 1, 1, 1, 1, 1 }, r);
        }

        /// <summary>
        /// The checked index where an offset is added to it later (found in review): inside a layer whose span parameter is
        /// bound to a part of the caller's buffer (<c>Pick(h.Slice(2, 2), y)</c>: index -1 of the view was element 1 of
        /// <c>h</c>, and an index past a view to the end of the layer's parameter was past the part), and in a view of a
        /// recurrent state, whose elements live in a history of versions (index -1 was the previous version's last element).
        /// </summary>
        [Theory]
        [InlineData("-1", "u.Slice(0, 2)")]
        [InlineData("2", "u.Slice(0, 2)")]
        [InlineData("2", "u.Slice(0)")]
        [InlineData("-1", "u.Slice(0)")]
        public void An_index_outside_a_view_in_an_inlined_layer_throws(string bad, string view)
        {
            const string layer = @"
using System;
using SymDiff;
public static partial class L
{
    public static int[] Idx = { 1 };

    [Differentiable]
    public static void Pick(ReadOnlySpan<double> u, Span<double> y)
    {
        ReadOnlySpan<double> r = VIEW;
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = r[Idx[i]] * r[Idx[i]];
        }
    }

    [Differentiable]
    public static double Loss(ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[4];
        for (int i = 0; i < 4; i++)
        {
            h[i] = Math.Sin(x[i]);
        }

        Span<double> y = stackalloc double[1];
        Pick(h.Slice(1, 2), y);
        return y[0];
    }
}";
            var r = GeneratedCode.RunDriver(layer.Replace("VIEW", view, StringComparison.Ordinal), $@"
        double[] x = {{ 0.1, 0.2, 0.3, 0.4 }};
        double Threw(Action a) {{ try {{ a(); return 0; }} catch (IndexOutOfRangeException) {{ return 1; }} }}
        L.Idx[0] = 1;
        double[] g = new double[4];
        double ok = L.LossGradient(x, g);
        L.Idx[0] = {bad};
        return new double[]
        {{
            Threw(() => L.Loss(x)), Threw(() => L.LossGradient(x, new double[4])), Threw(() => L.LossBackward(x, 1.0, new double[4])),
            Threw(() => L.LossDerivative(x, x, out _)), ok, g[2], Math.Sin(0.3) * Math.Sin(0.3), 2 * Math.Sin(0.3) * Math.Cos(0.3),
        }};");
            Assert.Equal(new double[] { 1, 1, 1, 1 }, r[..4]);
            Assert.Equal(r[6], r[4], 15); // with a valid index: sin(x[2])^2, and its derivative
            Assert.Equal(r[7], r[5], 14);
        }

        /// <summary>
        /// A recurrent state read at an index from data, through a view, directly, or through an int local set from data:
        /// its elements live in a history of versions, where an index out of range was another version's element.
        /// </summary>
        [Theory]
        [InlineData("new int[] { 0, 2, 1 }", "hv[labels[t]] * hv[labels[t]]")]
        [InlineData("new int[] { 0, -1, 1 }", "hv[labels[t]] * hv[labels[t]]")]
        [InlineData("new int[] { 0, 2, 1 }", "h[labels[t]]")]
        [InlineData("new int[] { 0, -1, 1 }", "h[labels[t]]")]
        [InlineData("new int[] { 0, 2, 1 }", "h[y] * h[1 - y % 2]")]
        public void An_index_outside_a_view_of_a_recurrent_state_throws(string labels, string read)
        {
            const string rnn = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double Rnn(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, ReadOnlySpan<int> labels)
    {
        Span<double> h = stackalloc double[2];
        ReadOnlySpan<double> hv = h.Slice(0, 2);
        double s = 0;
        for (int t = 0; t < x.Length; t++)
        {
            int y = labels[t];
            s += READ;
            for (int j = 0; j < 2; j++)
            {
                h[j] = Math.Tanh(w[j] * h[j] + w[j + 2] * x[t]);
            }
        }

        return s;
    }
}";
            var r = GeneratedCode.RunDriver(rnn.Replace("READ", read, StringComparison.Ordinal), $@"
        double[] w = {{ 0.5, -0.7, 1.1, 0.9 }};
        double[] x = {{ 0.3, -0.2, 0.8 }};
        int[] labels = {labels};
        double Threw(Action a) {{ try {{ a(); return 0; }} catch (IndexOutOfRangeException) {{ return 1; }} }}
        return new double[]
        {{
            Threw(() => R.Rnn(w, x, labels)), Threw(() => R.RnnGradient(w, x, labels, new double[4])),
            Threw(() => R.RnnBackward(w, x, labels, 1.0, new double[4])), Threw(() => R.RnnDerivative(w, x, labels, w, out _)),
        }};");
            Assert.Equal(new double[] { 1, 1, 1, 1 }, r);
        }

        [Theory]
        [InlineData("ReadOnlySpan<double> row = x.Slice(1, 2); return row[2];", "The index '2' into the span local 'row', which is outside 'row'")]
        [InlineData("ReadOnlySpan<double> row = x.Slice(1); return row[-1];", "The index '-1' into the span local 'row', which is outside 'row'")]
        public void A_constant_index_outside_a_view_is_SD1000(string body, string message)
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class S
{
    [Differentiable]
    public static double F(ReadOnlySpan<double> x) { " + body + @" }
}");
            var d = Assert.Single(output.GeneratorDiagnostics, x => x.Severity == DiagnosticSeverity.Error);
            Assert.Equal("SD1000", d.Id);
            Assert.Contains(message, d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        [Fact]
        public void Snapshot_of_checked_view_indices()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

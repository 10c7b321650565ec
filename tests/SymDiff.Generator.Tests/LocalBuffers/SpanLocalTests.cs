using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>
    /// Span locals that name a part of another span (<c>ReadOnlySpan&lt;double&gt; row = x.Slice(i * d, d);</c>, ranges,
    /// <c>AsSpan</c>, views of views, of local buffers and of constant data): the generated methods index the source with
    /// the view's offset. Checked against central differences of the user's own method, the Hessian against differences
    /// of the gradient and the Jacobian against differences of the outputs.
    /// </summary>
    public class SpanLocalTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class S
{
    static readonly double[] Scale = { 0.5, 1.5, -0.25, 2.0, 1.0 };

    // Logistic regression over rows of a flat data matrix, weights and bias unpacked from a flat parameter span.
    [Differentiable(Hessian = true)]
    public static double Logistic(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        int d = 2;
        ReadOnlySpan<double> w = p.Slice(0, d);
        double bias = p[d];
        double loss = 0;
        for (int i = 0; i < x.Length / d; i++)
        {
            ReadOnlySpan<double> row = x.Slice(i * d, d);
            double z = bias;
            for (int j = 0; j < row.Length; j++)
            {
                z += w[j] * row[j];
            }

            loss += Math.Log(1 + Math.Exp(-z)) + 0.3 * z;
        }

        return loss + 0.05 * p[d + 1] * p[d + 1];
    }

    // Ranges, a view of a view, foreach over a view, constant indices, constant data.
    [Differentiable(Hessian = true)]
    public static double Ranges(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        var head = p[..2];
        var tail = p[2..];
        var inner = tail.Slice(1);
        ReadOnlySpan<double> scale = Scale.AsSpan(1);
        double s = head[0] * head[1] + Math.Sin(tail[0]);
        foreach (double v in inner)
        {
            s += v * v * x[0];
        }

        for (int k = 0; k < tail.Length; k++)
        {
            s += scale[k] * Math.Exp(0.1 * tail[k]);
        }

        return s;
    }

    // A view of a local buffer, written and read through the view, and passed with its source to a callee.
    [Differentiable(Hessian = true)]
    public static double Buffer(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[4];
        Span<double> view = h;
        for (int j = 0; j < view.Length; j++)
        {
            view[j] = Math.Tanh(p[j] * x[j]);
        }

        ReadOnlySpan<double> top = h.Slice(2, 2);
        ReadOnlySpan<double> all = h;
        double product = top[0] * top[1];
        return Sum(all) + Sum(p.Slice(1, 2)) + product;
    }

    // Views of an array parameter.
    [Differentiable(Hessian = true)]
    public static double Arrays(double[] p, [NoGrad] double[] x)
    {
        ReadOnlySpan<double> first = p.AsSpan(0, 2);
        ReadOnlySpan<double> rest = p.AsSpan(2);
        return Sum(first) * Sum(rest) + first[1] * x[0] + Sum(x.AsSpan(1, 2)) * rest[0];
    }

    [Differentiable(Hessian = true)]
    public static double Sum(ReadOnlySpan<double> a)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * (1 + 0.2 * a[i]);
        }

        return s;
    }

    // A vector function: each output a row of the input.
    [Differentiable]
    public static void RowSums(ReadOnlySpan<double> x, Span<double> y)
    {
        int d = x.Length / y.Length;
        for (int i = 0; i < y.Length; i++)
        {
            var row = x.Slice(i * d, d);
            double s = 0;
            for (int j = 0; j < d; j++)
            {
                s += Math.Sin(row[j]) * (j + 1);
            }

            y[i] = s;
        }
    }
}";

        private const string Point = "new double[] { 0.3, -0.7, 0.45, 0.2 }";
        private const string Data = "new double[] { 1.2, 0.4, -0.9, 0.25, 0.6, -1.1 }";

        [Theory]
        [InlineData("Logistic")]
        [InlineData("Ranges")]
        [InlineData("Buffer")]
        public void Gradient_backward_and_derivative_match_central_differences(string method) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "S", method, Point, Data);

        [Fact]
        public void Arrays_gradient_backward_and_derivative_match_central_differences() =>
            ModelChecks.GradientBackwardAndDerivative(Source, "S", "Arrays", Point, Data);

        [Theory]
        [InlineData("Logistic")]
        [InlineData("Ranges")]
        [InlineData("Buffer")]
        [InlineData("Arrays")]
        public void Hessian_matches_differences_of_the_gradient(string method) =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "S", method, Point, Data + ", ", method + " Hessian");

        [Fact]
        public void Jacobian_of_row_views_matches_differences_of_the_outputs()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double[] x = { 0.3, -0.7, 0.45, 0.2, 1.1, -0.4 };
        double[] y = new double[3], jacobian = new double[18];
        S.RowSumsJacobian(x, y, jacobian);
        var fd = new double[18];
        for (int k = 0; k < 6; k++)
        {
            var up = (double[])x.Clone(); up[k] += 1e-6;
            var down = (double[])x.Clone(); down[k] -= 1e-6;
            double[] yu = new double[3], yd = new double[3];
            S.RowSums(up, yu); S.RowSums(down, yd);
            for (int i = 0; i < 3; i++) fd[i * 6 + k] = (yu[i] - yd[i]) / 2e-6;
        }

        var r = new System.Collections.Generic.List<double>(jacobian);
        r.AddRange(fd);
        return r.ToArray();");
            FiniteDifferences.AssertClose(r.Skip(18).ToArray(), r.Take(18).ToArray(), relTol: 1e-6, absTol: 1e-9, "row-view Jacobian");

            // Independently: d y_i / d x_k = (j + 1) cos(x_k) for k = 2 i + j, 0 elsewhere.
            double[] x = { 0.3, -0.7, 0.45, 0.2, 1.1, -0.4 };
            for (int k = 0; k < 6; k++)
            {
                Assert.Equal(((k % 2) + 1) * Math.Cos(x[k]), r[((k / 2) * 6) + k], 12);
            }
        }

        /// <summary>A window over the data in a while loop whose counter is incremented after the window's last use: accepted.</summary>
        [Fact]
        public void A_start_assigned_after_the_views_last_use_is_accepted() =>
            ModelChecks.GradientBackwardAndDerivative(@"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable]
    public static double Ar(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        double loss = 0;
        int t = 2;
        while (t < x.Length)
        {
            ReadOnlySpan<double> window = x.Slice(t - 2, 2);
            double e = x[t] - p[0] * window[1] - p[1] * window[0] - p[2] * Math.Sin(p[3]);
            loss += e * e;
            t++;
        }

        return loss;
    }
}", "W", "Ar", Point, Data);

        [Theory]
        [InlineData("ReadOnlySpan<double> row = x.Slice(1, 2); return row[2];", "The index '2' into the span local 'row'")]
        [InlineData("int a = 1; ReadOnlySpan<double> row = x.Slice(a, 2); a = 0; return row[0];", "whose start or length reads 'a', which is assigned later")]
        [InlineData("ReadOnlySpan<double> row = x.Slice(1, 2); return Helper(row);", "Passing 'row' to 'Helper'")]
        [InlineData("ReadOnlySpan<double> row = x.Slice(1, 2); return row.IndexOf(1.0);", "Passing 'row' to 'IndexOf'")]
        public void A_view_the_generated_code_cannot_reproduce_is_SD1000(string body, string message)
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class S
{
    [Differentiable]
    public static double F(ReadOnlySpan<double> x, int j) { " + body + @" }

    public static double Helper(ReadOnlySpan<double> a) => a[0];

    [Differentiable]
    public static double Total(ReadOnlySpan<double> a) => a[0] * a[0];
}");
            var d = Assert.Single(output.GeneratorDiagnostics, x => x.Severity == DiagnosticSeverity.Error);
            Assert.Equal("SD1000", d.Id);
            Assert.Contains(message, d.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        [Fact]
        public void Snapshot_of_span_locals()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Vectorize
{
    /// <summary>
    /// <c>Vectorize = true</c>, fourth slice: the default path's scheduling rules (fusion, row views) in vectorised methods,
    /// and a hidden layer's elementwise tail (<c>h[j] = Math.Tanh(a)</c> after the loop over the inputs) split into a loop of
    /// its own that runs in lanes (<c>LoopFission</c>). Checked against the default path for every inner (inputs) and outer
    /// (hidden units) trip count that reaches each remainder and path of 4 x 4 lanes, and against central differences.
    /// </summary>
    public class VectorizeHiddenLayerTests
    {
        private const double Eps = 1.1102230246251565E-16; // 2^-53

        private static readonly int[] Inputs = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100 };
        private static readonly int[] Hidden = { 0, 1, 3, 4, 5, 8, 15, 16, 17, 31, 32, 33, 300 };

        [Fact]
        public void Hidden_layer_in_lanes_agrees_with_the_scalar_path_for_every_inner_and_outer_trip_count()
        {
            var results = GeneratedCode.RunDriver(VectorizeMlpTests.Source, @"
        var outList = new System.Collections.Generic.List<double>();
        foreach (int inputs in new[] { " + string.Join(", ", Inputs) + @" })
        foreach (int hidden in new[] { " + string.Join(", ", Hidden) + @" })
        foreach (int batch in new[] { 0, 1, 3 })
        {
            var p = new double[(hidden * inputs) + hidden + (3 * hidden) + 3];
            for (int i = 0; i < p.Length; i++) { p[i] = 0.1 * System.Math.Sin(i + 1); }
            var x = new double[batch * inputs];
            for (int s = 0; s < batch; s++) { for (int k = 0; k < inputs; k++) { x[(s * inputs) + k] = System.Math.Sin((0.37 * s) + (1.3 * k)); } }
            var targets = new double[3 * batch];
            for (int s = 0; s < batch; s++) { targets[(3 * s) + (s % 3)] = 1; }
            var g = new double[p.Length]; var gV = new double[p.Length]; var b = new double[p.Length]; var bV = new double[p.Length];
            double v = W.MlpGradient(p, x, targets, inputs, hidden, g);
            double vV = W.MlpVGradient(p, x, targets, inputs, hidden, gV);
            for (int i = 0; i < p.Length; i++) { b[i] = 0.5; bV[i] = 0.5; }
            W.MlpBackward(p, x, targets, inputs, hidden, 2.0, b);
            W.MlpVBackward(p, x, targets, inputs, hidden, 2.0, bV);
            double d = W.MlpDerivative(p, x, targets, inputs, hidden, g, out double dir);
            double dV = W.MlpVDerivative(p, x, targets, inputs, hidden, g, out double dirV);
            outList.Add(inputs); outList.Add(hidden); outList.Add(p.Length); outList.Add(v); outList.Add(vV); outList.Add(d); outList.Add(dV); outList.Add(dir); outList.Add(dirV);
            for (int i = 0; i < p.Length; i++) { outList.Add(g[i]); outList.Add(gV[i]); outList.Add(b[i]); outList.Add(bV[i]); }
        }

        return outList.ToArray();");

            // The rule of docs/performance.md for reordered sums, with sum |t_k| bounded from the data: each pre-activation
            // sums `inputs` terms |p x| <= 0.1 and each logit `hidden` terms |p h| <= 0.1, both now reordered; tanh is
            // 1-Lipschitz, the loss and every gradient element at most 4-Lipschitz in the logits, Exp/Log/Tanh add a few eps.
            int at = 0, cases = 0;
            while (at < results.Length)
            {
                int inputs = (int)results[at], n = (int)results[at + 1], length = (int)results[at + 2];
                int terms = n + inputs;
                double bound = (2.0 * terms + 16) * Eps * (1 + terms) * 4 * (1 + (0.1 * inputs));
                void Within(double scalar, double vectorised, string what) =>
                    Assert.True(scalar.Equals(vectorised) || Math.Abs(vectorised - scalar) <= bound, string.Create(CultureInfo.InvariantCulture, $"{what}, inputs = {inputs}, hidden = {n}: scalar {scalar:R}, vectorised {vectorised:R}, bound {bound:R}"));
                Within(results[at + 3], results[at + 4], "value");
                Within(results[at + 5], results[at + 6], "Derivative's value");
                Within(results[at + 7], results[at + 8], "directional derivative");
                for (int i = 0; i < length; i++)
                {
                    Within(results[at + 9 + (4 * i)], results[at + 10 + (4 * i)], $"dP[{i}]");
                    Within(results[at + 11 + (4 * i)], results[at + 12 + (4 * i)], $"Backward dP[{i}]");
                }

                at += 9 + (4 * length);
                cases++;
            }

            Assert.Equal(Inputs.Length * Hidden.Length * 3, cases);
        }

        [Fact]
        public void Hidden_layer_in_lanes_matches_central_differences_with_wide_inputs()
        {
            // 33 inputs: the loop over the inputs runs the unrolled lanes, the one-vector loop and the remainder; 9 units:
            // the split tail runs one vector and the remainder.
            var results = GeneratedCode.RunDriver(VectorizeMlpTests.Source, @"
            const int inputs = 33, hidden = 9, batch = 4;
            var p = new double[(hidden * inputs) + hidden + (3 * hidden) + 3];
            for (int i = 0; i < p.Length; i++) { p[i] = 0.1 * System.Math.Sin(i + 1); }
            var x = new double[batch * inputs];
            for (int s = 0; s < batch; s++) { for (int k = 0; k < inputs; k++) { x[(s * inputs) + k] = System.Math.Sin((0.37 * s) + (1.3 * k)); } }
            var targets = new double[3 * batch];
            for (int s = 0; s < batch; s++) { targets[(3 * s) + (s % 3)] = 1; }
            var gV = new double[p.Length];
            W.MlpVGradient(p, x, targets, inputs, hidden, gV);
            var outList = new System.Collections.Generic.List<double>();
            for (int i = 0; i < p.Length; i++)
            {
                double keep = p[i], step = 1e-6;
                p[i] = keep + step; double up = W.Mlp(p, x, targets, inputs, hidden);
                p[i] = keep - step; double down = W.Mlp(p, x, targets, inputs, hidden);
                p[i] = keep;
                outList.Add(gV[i]); outList.Add((up - down) / (2 * step));
            }

            return outList.ToArray();");
            Assert.Equal(2 * ((9 * 33) + 9 + (3 * 9) + 3), results.Length);
            for (int i = 0; i < results.Length; i += 2)
            {
                Assert.True(Math.Abs(results[i] - results[i + 1]) <= 1e-8 + (1e-6 * Math.Abs(results[i + 1])), string.Create(CultureInfo.InvariantCulture, $"dP[{i / 2}]: vectorised {results[i]:R}, central differences {results[i + 1]:R}"));
            }
        }

        [Fact]
        public void The_tanh_after_the_inner_loop_runs_in_lanes_of_its_own_loop()
        {
            var output = GeneratorRunner.Run(VectorizeMlpTests.Source);
            GeneratorRunner.AssertCleanCompile(output);
            string code = string.Join("\n", output.GeneratedSources.Select(s => s.Text));
            foreach (var method in new[] { "MlpVGradient", "MlpVBackward", "MlpVDerivative" })
            {
                string body = Body(code, method);

                // The head parks the pre-activation in the hidden layer's buffer; the tail's lanes apply tanh.
                Assert.Contains("h[j] = a;", body, StringComparison.Ordinal);
                Assert.Contains("VectorTanh(", body, StringComparison.Ordinal);
                Assert.Contains("= h[j", body, StringComparison.Ordinal);
            }

            // The default path's methods are unchanged: no split, tanh where the user wrote it.
            Assert.DoesNotContain("h[j] = a;", Body(code, "MlpGradient"), StringComparison.Ordinal);
        }

        private static string Body(string code, string method)
        {
            int start = code.IndexOf(" " + method + "(", StringComparison.Ordinal);
            Assert.True(start >= 0, method + " not found");
            int end = code.IndexOf("[global::System.CodeDom.Compiler.GeneratedCode", start, StringComparison.Ordinal);
            return end < 0 ? code.Substring(start) : code.Substring(start, end - start);
        }

        private const string Guarded = @"
using System;
using SymDiff;
public static partial class G
{
    public static double Scale(double v) => 2.0 * v;

    [Differentiable(Vectorize = true)]
    public static double Layer(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x, int inputs, int hidden)
    {
        Span<double> h = stackalloc double[hidden];
        double z = 0;
        for (int j = 0; j < hidden; j++)
        {
            double a = 0;
            for (int k = 0; k < inputs; k++)
            {
                a += p[(j * inputs) + k] * x[k];
            }

            h[j] = Math.Tanh(a) + p[j];
        }

        for (int j = 0; j < hidden; j++)
        {
            z += h[j] * h[j];
        }

        return z;
    }
}";

        private const string IntoOutput = @"
using System;
using SymDiff;
public static partial class O
{
    [Differentiable(Vectorize = true)]
    public static void Layer(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x, int inputs, Span<double> y)
    {
        for (int j = 0; j < y.Length; j++)
        {
            double a = 0;
            for (int k = 0; k < inputs; k++)
            {
                a += p[(j * inputs) + k] * x[k];
            }

            y[j] = Math.Tanh(a);
        }
    }
}";

        [Fact]
        public void Only_a_loop_that_can_throw_nothing_but_an_index_and_parks_values_in_its_own_buffers_is_split()
        {
            // Positive: the tail reads p[j] (not written by the loop) and stores into the method's own buffer h.
            var split = GeneratorRunner.Run(Guarded);
            GeneratorRunner.AssertCleanCompile(split);
            Assert.Contains("h[j] = a;", string.Join("\n", split.GeneratedSources.Select(s => s.Text)), StringComparison.Ordinal);

            // Negative: a user call in the head (another exception than an index one could come before the tail's).
            string calls = Guarded.Replace("a += p[(j * inputs) + k] * x[k];", "a += p[(j * inputs) + k] * Scale(x[k]);", StringComparison.Ordinal);
            var called = GeneratorRunner.Run(calls);
            GeneratorRunner.AssertCleanCompile(called);
            string calledCode = string.Join("\n", called.GeneratedSources.Select(s => s.Text));
            Assert.Contains("Scale(", calledCode, StringComparison.Ordinal);
            Assert.DoesNotContain("h[j] = a;", calledCode, StringComparison.Ordinal);

            // Negative: the tail stores into an output, which the head's parked values would overwrite where a caller sees
            // them (and which may overlap the inputs): the tanh stays in the loop, scalar.
            var output = GeneratorRunner.Run(IntoOutput);
            GeneratorRunner.AssertCleanCompile(output);
            string outputCode = string.Join("\n", output.GeneratedSources.Select(s => s.Text));
            Assert.DoesNotContain("y[j] = a;", outputCode, StringComparison.Ordinal);
            Assert.DoesNotContain("VectorTanh", outputCode, StringComparison.Ordinal);
        }

        private const string Shift = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static void Carry(ReadOnlySpan<double> x, int m, Span<double> y)
    {
        for (int i = 0; i < m; i++)
        {
            y[i] = x[i];
        }

        for (int i = 0; i < x.Length - m; i++)
        {
            y[m + i] = (0.5 * y[i]) + x[m + i];
        }
    }

    [Differentiable(Vectorize = true)]
    public static void CarryV(ReadOnlySpan<double> x, int m, Span<double> y)
    {
        for (int i = 0; i < m; i++)
        {
            y[i] = x[i];
        }

        for (int i = 0; i < x.Length - m; i++)
        {
            y[m + i] = (0.5 * y[i]) + x[m + i];
        }
    }
}";

        [Fact]
        public void A_loop_that_writes_a_row_of_a_buffer_and_reads_the_buffer_stays_scalar()
        {
            // y[m + i] becomes a row of y (start m); with m = 1 each iteration reads what the previous one wrote (a
            // recurrence through memory). Lanes would read four old values at once, so the loop must stay scalar, and say why.
            var output = GeneratorRunner.Run(Shift);
            GeneratorRunner.AssertCleanCompile(output);
            Assert.Contains("yRow", string.Join("\n", output.GeneratedSources.Select(s => s.Text)), StringComparison.Ordinal);
            var reasons = output.GeneratorDiagnostics.Where(d => d.Id == "SD1023").Select(d => d.GetMessage(CultureInfo.InvariantCulture)).ToList();

            var results = GeneratedCode.RunDriver(Shift, @"
        var outList = new System.Collections.Generic.List<double>();
        foreach (int m in new[] { 1, 2, 5 })
        for (int n = m; n <= 40 + m; n++)
        {
            var x = new double[n]; var t = new double[n]; var seed = new double[n];
            for (int i = 0; i < n; i++) { x[i] = 1 + (0.1 * System.Math.Sin(i)); t[i] = System.Math.Cos(i); seed[i] = 1.0 / (i + 1); }
            var y = new double[n]; var yV = new double[n]; var d = new double[n]; var dV = new double[n]; var b = new double[n]; var bV = new double[n];
            R.CarryDerivative(x, m, y, t, d);
            R.CarryVDerivative(x, m, yV, t, dV);
            R.CarryBackward(x, m, new double[n], seed, b);
            R.CarryVBackward(x, m, new double[n], seed, bV);
            outList.Add(n);
            for (int i = 0; i < n; i++) { outList.Add(y[i]); outList.Add(yV[i]); outList.Add(d[i]); outList.Add(dV[i]); outList.Add(b[i]); outList.Add(bV[i]); }
        }

        return outList.ToArray();");
            int at = 0, cases = 0;
            while (at < results.Length)
            {
                int n = (int)results[at];
                for (int i = 0; i < n; i++)
                {
                    int k = at + 1 + (6 * i);

                    // Elementwise: the scalar loop's operations in its order, so bit for bit; the reverse sweep's additions may be reordered.
                    Assert.True(results[k].Equals(results[k + 1]), string.Create(CultureInfo.InvariantCulture, $"y[{i}], n = {n}: {results[k]:R} vs {results[k + 1]:R}"));
                    Assert.True(results[k + 2].Equals(results[k + 3]), string.Create(CultureInfo.InvariantCulture, $"derivative[{i}], n = {n}: {results[k + 2]:R} vs {results[k + 3]:R}"));
                    Assert.True(Math.Abs(results[k + 4] - results[k + 5]) <= 1e-12 * (Math.Abs(results[k + 4]) + 1), string.Create(CultureInfo.InvariantCulture, $"dX[{i}], n = {n}: {results[k + 4]:R} vs {results[k + 5]:R}"));
                }

                at += 1 + (6 * n);
                cases++;
            }

            Assert.Equal(3 * 41, cases);
            Assert.Contains(reasons, r => r.Contains("CarryVDerivative under Vectorize = true: it writes 'yRow' and reads or writes 'y', which views the same array", StringComparison.Ordinal));
        }
    }
}

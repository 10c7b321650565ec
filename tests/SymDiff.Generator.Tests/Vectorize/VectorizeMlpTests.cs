using System;
using System.Globalization;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Vectorize
{
    /// <summary>
    /// W6 (BENCHMARKS.md) under <c>Vectorize = true</c>: its output layer's three sums over the hidden units (updated
    /// together, so each goes through a let: <c>z0_2 = z0 + ...; z0 = z0_2</c>) and the reverse loop that adds into the
    /// gradient at three offsets (<c>dP[w2 + c * hidden + j] += ...</c>) run in lanes; the hidden layer (a loop over the
    /// inputs inside the loop over the units) and the loop of the tanh derivative (a while loop inside) stay scalar.
    /// Checked against the default path for every hidden size 0-40 (each remainder and path of 4 x 4 lanes) and 10,000,
    /// and against central differences of the method itself.
    /// </summary>
    public class VectorizeMlpTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable]
    public static double Mlp(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> targets, int inputs, int hidden)
    {
        int b1 = hidden * inputs;
        int w2 = b1 + hidden;
        int b2 = w2 + (3 * hidden);
        int batch = targets.Length / 3;
        Span<double> h = stackalloc double[hidden];
        double loss = 0;
        for (int s = 0; s < batch; s++)
        {
            for (int j = 0; j < hidden; j++)
            {
                double a = p[b1 + j];
                for (int k = 0; k < inputs; k++)
                {
                    a += p[(j * inputs) + k] * x[(s * inputs) + k];
                }

                h[j] = Math.Tanh(a);
            }

            double z0 = p[b2], z1 = p[b2 + 1], z2 = p[b2 + 2];
            for (int j = 0; j < hidden; j++)
            {
                z0 += p[w2 + j] * h[j];
                z1 += p[w2 + hidden + j] * h[j];
                z2 += p[w2 + (2 * hidden) + j] * h[j];
            }

            double m = Math.Max(Math.Max(z0, z1), z2);
            double logSumExp = m + Math.Log(Math.Exp(z0 - m) + Math.Exp(z1 - m) + Math.Exp(z2 - m));
            int t = 3 * s;
            loss += logSumExp - ((targets[t] * z0) + (targets[t + 1] * z1) + (targets[t + 2] * z2));
        }

        return loss / batch;
    }

    [Differentiable(Vectorize = true)]
    public static double MlpV(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> targets, int inputs, int hidden)
    {
        int b1 = hidden * inputs;
        int w2 = b1 + hidden;
        int b2 = w2 + (3 * hidden);
        int batch = targets.Length / 3;
        Span<double> h = stackalloc double[hidden];
        double loss = 0;
        for (int s = 0; s < batch; s++)
        {
            for (int j = 0; j < hidden; j++)
            {
                double a = p[b1 + j];
                for (int k = 0; k < inputs; k++)
                {
                    a += p[(j * inputs) + k] * x[(s * inputs) + k];
                }

                h[j] = Math.Tanh(a);
            }

            double z0 = p[b2], z1 = p[b2 + 1], z2 = p[b2 + 2];
            for (int j = 0; j < hidden; j++)
            {
                z0 += p[w2 + j] * h[j];
                z1 += p[w2 + hidden + j] * h[j];
                z2 += p[w2 + (2 * hidden) + j] * h[j];
            }

            double m = Math.Max(Math.Max(z0, z1), z2);
            double logSumExp = m + Math.Log(Math.Exp(z0 - m) + Math.Exp(z1 - m) + Math.Exp(z2 - m));
            int t = 3 * s;
            loss += logSumExp - ((targets[t] * z0) + (targets[t + 1] * z1) + (targets[t + 2] * z2));
        }

        return loss / batch;
    }
}";

        private const double Eps = 1.1102230246251565E-16; // 2^-53

        private const string Setup = @"
            const int inputs = 4, batch = 5;
            var p = new double[(hidden * inputs) + hidden + (3 * hidden) + 3];
            for (int i = 0; i < p.Length; i++) { p[i] = 0.1 * System.Math.Sin(i + 1); }
            var x = new double[batch * inputs];
            for (int s = 0; s < batch; s++) { for (int k = 0; k < inputs; k++) { x[(s * inputs) + k] = System.Math.Sin((0.37 * s) + (1.3 * k)); } }
            var targets = new double[3 * batch];
            for (int s = 0; s < batch; s++) { targets[(3 * s) + (s % 3)] = 1; }
";

        [Fact]
        public void W6_vectorised_agrees_with_the_scalar_path_for_every_hidden_size()
        {
            var sizes = Enumerable.Range(0, 41).Append(10_000).ToArray();
            var results = GeneratedCode.RunDriver(Source, @"
        var outList = new System.Collections.Generic.List<double>();
        foreach (int hidden in new[] { " + string.Join(", ", sizes) + @" })
        {" + Setup + @"
            var g = new double[p.Length]; var gV = new double[p.Length]; var b = new double[p.Length]; var bV = new double[p.Length];
            double v = W.MlpGradient(p, x, targets, inputs, hidden, g);
            double vV = W.MlpVGradient(p, x, targets, inputs, hidden, gV);
            for (int i = 0; i < p.Length; i++) { b[i] = 0.5; bV[i] = 0.5; }
            W.MlpBackward(p, x, targets, inputs, hidden, 2.0, b);
            W.MlpVBackward(p, x, targets, inputs, hidden, 2.0, bV);
            double d = W.MlpDerivative(p, x, targets, inputs, hidden, g, out double dir);
            double dV = W.MlpVDerivative(p, x, targets, inputs, hidden, g, out double dirV);
            outList.Add(hidden); outList.Add(p.Length); outList.Add(v); outList.Add(vV); outList.Add(d); outList.Add(dV); outList.Add(dir); outList.Add(dirV);
            for (int i = 0; i < p.Length; i++) { outList.Add(g[i]); outList.Add(gV[i]); outList.Add(b[i]); outList.Add(bV[i]); }
        }

        return outList.ToArray();");

            // The rule of docs/performance.md for reordered sums, with sum |t_k| bounded from the data: each logit sums n
            // terms |p h| <= 0.1 (so its reordering error is at most 2 n eps 0.1 n), the loss and every gradient element are
            // at most 4-Lipschitz in the logits here (softmax, |h|, |x| <= 1), and Exp/Log/Tanh add a few eps.
            int k = 0;
            while (k < results.Length)
            {
                int n = (int)results[k], length = (int)results[k + 1];
                double bound = (2.0 * n + 16) * Eps * (1 + n) * 4;
                void Within(double scalar, double vectorised, string what) =>
                    Assert.True(Math.Abs(vectorised - scalar) <= bound, string.Create(CultureInfo.InvariantCulture, $"{what}, hidden = {n}: scalar {scalar:R}, vectorised {vectorised:R}, bound {bound:R}"));
                Within(results[k + 2], results[k + 3], "value");
                Within(results[k + 4], results[k + 5], "Derivative's value");
                Within(results[k + 6], results[k + 7], "directional derivative");
                for (int i = 0; i < length; i++)
                {
                    Within(results[k + 8 + (4 * i)], results[k + 9 + (4 * i)], $"dP[{i}]");
                    Within(results[k + 10 + (4 * i)], results[k + 11 + (4 * i)], $"Backward dP[{i}]");
                }

                k += 8 + (4 * length);
            }
        }

        [Fact]
        public void W6_vectorised_gradient_matches_central_differences()
        {
            var results = GeneratedCode.RunDriver(Source, @"
            int hidden = 9;" + Setup + @"
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
            Assert.Equal(2 * ((9 * 4) + 9 + (3 * 9) + 3), results.Length);
            for (int i = 0; i < results.Length; i += 2)
            {
                Assert.True(Math.Abs(results[i] - results[i + 1]) <= 1e-8 + (1e-6 * Math.Abs(results[i + 1])), string.Create(CultureInfo.InvariantCulture, $"dP[{i / 2}]: vectorised {results[i]:R}, central differences {results[i + 1]:R}"));
            }
        }
    }
}

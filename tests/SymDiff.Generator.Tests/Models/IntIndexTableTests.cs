using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Models
{
    /// <summary>
    /// <c>int[]</c> and <c>ReadOnlySpan&lt;int&gt;</c> parameters as data: an embedding lookup <c>u[idx[e]]</c>, an index
    /// read into an <c>int</c> local first, and a batch classifier picking the target logit with <c>z[labels[s]]</c>.
    /// Before, the element read was not an <c>int</c> (SD1000 "A non-int index", or SD9001 through a local).
    /// </summary>
    public sealed class IntIndexTableTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class Ix
{
    [Differentiable(Hessian = true)]
    public static double Lookup(ReadOnlySpan<double> u, [NoGrad] int[] idx)
    {
        double s = 0;
        for (int e = 0; e < idx.Length; e++)
        {
            int j = idx[e];
            s += u[j] * u[idx[e]] + u[idx[e] / 2];
        }

        return s;
    }

    [Differentiable(Vectorize = true)]
    public static double Gather(ReadOnlySpan<double> u, [NoGrad] ReadOnlySpan<int> idx)
    {
        double s = 0;
        for (int e = 0; e < idx.Length; e++)
        {
            s += Math.Exp(u[idx[e]]);
        }

        return s;
    }

    [Differentiable]
    public static double BatchCe(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] int[] labels)
    {
        const int C = 3;
        int d = x.Length / labels.Length;
        Span<double> z = stackalloc double[C];
        double loss = 0;
        for (int s = 0; s < labels.Length; s++)
        {
            for (int c = 0; c < C; c++)
            {
                double a = 0;
                for (int k = 0; k < d; k++)
                {
                    a += w[c * d + k] * x[s * d + k];
                }

                z[c] = a;
            }

            double lse = Math.Log(Math.Exp(z[0]) + Math.Exp(z[1]) + Math.Exp(z[2]));
            int y = labels[s];
            loss += lse - z[y];
        }

        return loss;
    }
}";

        [Fact]
        public void A_lookup_through_an_int_table_has_its_closed_form_gradient_and_Hessian()
        {
            // Lookup = sum_e u[j]^2 + u[j / 2] with j = idx[e]; idx = {3, 1, 3}: u3^2 twice, u1^2, u[1] twice (3 / 2), u[0]:
            // gradient (1, 2 u1 + 2, 0, 4 u3), Hessian diag (0, 2, 0, 4). Gather = sum_e exp(u[idx[e]]).
            double[] r = GeneratedCode.RunDriver(Source, @"
        double[] u = { 1.0, 2.0, 3.0, 4.0 };
        int[] idx = { 3, 1, 3 };
        var g = new double[4];
        double v = Ix.LookupGradient(u, idx, g);
        var h = new double[16];
        Ix.LookupHessian(u, idx, h);
        var gg = new double[4];
        double gv = Ix.GatherGradient(u, new int[] { 2, 2, 0 }, gg);
        double sum = 0; foreach (double e in h) sum += e;
        return new[] { v, g[0], g[1], g[2], g[3], h[0], h[5], h[10], h[15], sum, gv, gg[0], gg[1], gg[2], gg[3] };");
            Assert.Equal(new[] { 16.0 + 4.0 + 16.0 + 2.0 + 2.0 + 1.0, 1.0, 6.0, 0.0, 16.0 }, r.Take(5));
            Assert.Equal(new[] { 0.0, 2.0, 0.0, 4.0, 6.0 }, r.Skip(5).Take(5));
            double e1 = Math.Exp(1.0), e3 = Math.Exp(3.0);
            FiniteDifferences.AssertClose(new[] { e3 + e3 + e1, e1, 0.0, 2 * e3, 0.0 }, r.Skip(10).ToArray(), 1e-14, 1e-14, "Gather");
        }

        [Fact]
        public void A_batch_classifier_picking_the_target_logit_by_label_matches_central_differences()
        {
            double[] r = GeneratedCode.RunDriver(Source, @"
        var rng = new Random(3);
        double[] w = new double[6], x = new double[8];
        for (int k = 0; k < 6; k++) w[k] = rng.NextDouble() - 0.5;
        for (int k = 0; k < 8; k++) x[k] = rng.NextDouble() * 2 - 1;
        int[] labels = { 2, 0, 1, 2 };
        var g = new double[6];
        Ix.BatchCeGradient(w, x, labels, g);
        double worst = 0;
        for (int k = 0; k < 6; k++)
        {
            double[] up = (double[])w.Clone(); up[k] += 1e-6;
            double[] down = (double[])w.Clone(); down[k] -= 1e-6;
            double numeric = (Ix.BatchCe(up, x, labels) - Ix.BatchCe(down, x, labels)) / 2e-6;
            worst = Math.Max(worst, Math.Abs(numeric - g[k]) / (1 + Math.Abs(numeric)));
        }

        return new[] { worst };");
            Assert.True(r[0] < 1e-7, $"worst relative error {r[0]}");
        }
    }
}

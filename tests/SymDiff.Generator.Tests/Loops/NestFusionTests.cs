using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Loops
{
    /// <summary>
    /// Sums over loop nests (a grid flattened row-major) whose reverse sweep the scheduler's nest rules join to the forward
    /// sweep (<c>Scheduler.Nests.cs</c>: values carried unchanged become lets, the independent reverse loop over the rows
    /// counts up, fusion makes one pass). Checked against central differences of the user's own method on grids of other
    /// shapes than the benchmark's square one: a 5-point Laplacian over the interior of non-square grids (loops from 1),
    /// and a 3-point stencil whose weights are active too (their gradient is summed over the whole nest). Gradient buffers
    /// start full of NaN, so an element the generated code forgets shows.
    /// </summary>
    public class NestFusionTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class N
{
    // The squared discrete Laplacian over the interior of a rows x cols grid.
    [Differentiable]
    public static double Laplace(ReadOnlySpan<double> u, int cols)
    {
        int rows = u.Length / cols;
        double e = 0;
        for (int i = 1; i < rows - 1; i++)
        {
            for (int j = 1; j < cols - 1; j++)
            {
                int k = (i * cols) + j;
                double l = (4 * u[k]) - u[k - 1] - u[k + 1] - u[k - cols] - u[k + cols];
                e += l * l;
            }
        }

        return e;
    }

    // A 3-point stencil with a weight array along each row, through tanh.
    [Differentiable]
    public static double Weighted(ReadOnlySpan<double> u, ReadOnlySpan<double> w, int cols)
    {
        double s = 0;
        for (int i = 0; i < u.Length / cols; i++)
        {
            for (int j = 0; j < cols - 2; j++)
            {
                int k = (i * cols) + j;
                double d = (w[0] * u[k]) + (w[1] * u[k + 1]) + (w[2] * u[k + 2]);
                s += Math.Tanh(d) * u[k + 1];
            }
        }

        return s;
    }
}";

        public static TheoryData<int, int> Grids() => new()
        {
            { 0, 3 }, { 3, 3 }, { 9, 3 }, { 12, 4 }, { 15, 5 }, { 21, 3 }, { 35, 7 }, { 22, 4 },
        };

        /// <summary>The Laplacian: Gradient into NaN, Backward into 5, both against central differences; the value bit for bit.</summary>
        [Theory]
        [MemberData(nameof(Grids))]
        public void Laplacian_on_non_square_grids_matches_differences(int n, int cols) =>
            ArrayGradientCheck.Run(Source, "N.Laplace", n, "0.4 * Math.Sin(1.3 * i + 0.2) + 0.01 * i", ", " + cols, relTol: 1e-6, absTol: 1e-7);

        /// <summary>The weighted stencil: the gradients of u and of the weights, Gradient and Backward, against central differences.</summary>
        [Theory]
        [MemberData(nameof(Grids))]
        public void Weighted_stencil_and_its_weights_match_differences(int n, int cols)
        {
            var r = GeneratedCode.RunDriver(Source, $@"
        double[] u = new double[{n}];
        for (int i = 0; i < u.Length; i++) u[i] = 0.6 * Math.Cos(0.7 * i + 0.1);
        double[] w = {{ 0.5, -1.2, 0.8 }};
        double[] g = new double[u.Length], gw = new double[3];
        for (int i = 0; i < g.Length; i++) g[i] = double.NaN;
        gw[0] = gw[1] = gw[2] = double.NaN;
        double value = N.WeightedGradient(u, w, {cols}, g, gw);
        double[] b = new double[u.Length], bw = new double[3];
        for (int i = 0; i < b.Length; i++) b[i] = 5.0;
        bw[0] = bw[1] = bw[2] = 5.0;
        N.WeightedBackward(u, w, {cols}, 2.0, b, bw);
        double[] fd = new double[u.Length + 3];
        for (int i = 0; i < u.Length; i++)
        {{
            double[] q = (double[])u.Clone();
            q[i] = u[i] + 1e-6; double up = N.Weighted(q, w, {cols});
            q[i] = u[i] - 1e-6; double down = N.Weighted(q, w, {cols});
            fd[i] = (up - down) / 2e-6;
        }}
        for (int i = 0; i < 3; i++)
        {{
            double[] q = (double[])w.Clone();
            q[i] = w[i] + 1e-6; double up = N.Weighted(u, q, {cols});
            q[i] = w[i] - 1e-6; double down = N.Weighted(u, q, {cols});
            fd[u.Length + i] = (up - down) / 2e-6;
        }}
        var r = new System.Collections.Generic.List<double> {{ value, N.Weighted(u, w, {cols}) }};
        r.AddRange(g);
        r.AddRange(gw);
        r.AddRange(b);
        r.AddRange(bw);
        r.AddRange(fd);
        return r.ToArray();");
            int m = n + 3;
            Assert.Equal(r[1], r[0]);
            var g = r.Skip(2).Take(m).ToArray();
            var b = r.Skip(2 + m).Take(m).ToArray();
            var fd = r.Skip(2 + (2 * m)).Take(m).ToArray();
            Assert.DoesNotContain(g, double.IsNaN);
            FiniteDifferences.AssertClose(fd, g, relTol: 1e-6, absTol: 1e-7, "Weighted gradient");
            FiniteDifferences.AssertClose(g.Select(x => 5.0 + (2 * x)).ToArray(), b, relTol: 1e-12, absTol: 1e-12, "Weighted Backward");
        }

        /// <summary>Both gradients are one pass: no reverse loop counting down over the rows is left.</summary>
        [Fact]
        public void The_reverse_sweep_of_each_nest_joins_its_forward_sweep()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            string all = string.Join("\n", output.GeneratedSources.Select(s => s.Text));
            foreach (string name in new[] { "LaplaceGradient", "WeightedGradient", "LaplaceBackward", "WeightedBackward" })
            {
                int start = all.IndexOf(" " + name + "(global::", StringComparison.Ordinal);
                int end = all.IndexOf("[global::System.CodeDom.Compiler.GeneratedCode", start + 1, StringComparison.Ordinal);
                string method = all.Substring(start, (end < 0 ? all.Length : end) - start);
                Assert.DoesNotContain("--)", method, StringComparison.Ordinal);
                Assert.DoesNotContain("Reverse sweep", method, StringComparison.Ordinal);
            }
        }
    }
}

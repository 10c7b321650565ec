using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Loops
{
    /// <summary>
    /// The scheduler's <c>OverwriteRows</c> (<c>Scheduler.OverwriteRows.cs</c>): in a nest over the rows of a row-major grid
    /// whose row length is a parameter, the gradient's element in the lowest row an iteration touches is stored, not
    /// zeroed and added into, and the rest of the buffer is zeroed gap by gap. Checked against central differences of the
    /// user's own method on grids of many shapes (partial last rows, one column, a row length that leaves the inner loop
    /// empty or makes the row count negative), with the Gradient's buffer full of NaN (an element the generated code
    /// neither stores nor zeroes shows) and Backward accumulating into 5. The shapes: W8's smoothness (the store one row
    /// down), a diagonal neighbour (the store one column in; with its weight active, the reverse nest stays a loop counting
    /// down and the rule's downward form applies), a stencil reaching two rows down, a 5-point Laplacian from (1, 1), a
    /// float grid; and shapes the rule must leave alone (two additions two apart into the lowest row, a column
    /// bound that is not the row length), right all the same.
    /// </summary>
    public class OverwriteRowsTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class R
{
    // W8: right and lower neighbours.
    [Differentiable]
    public static double Smooth(ReadOnlySpan<double> u, int m)
    {
        int rows = u.Length / m;
        double energy = 0;
        for (int i = 0; i < rows - 1; i++)
        {
            for (int j = 0; j < m - 1; j++)
            {
                int k = (i * m) + j;
                double dx = u[k + 1] - u[k];
                double dy = u[k + m] - u[k];
                energy += (dx * dx) + (dy * dy);
            }
        }

        return energy;
    }

    // The lower-right neighbour through a tanh: the lowest row's element is one column in.
    [Differentiable]
    public static double Diagonal(double[] u, int m, [NoGrad] double w)
    {
        double s = 0;
        for (int i = 0; i < (u.Length / m) - 1; i++)
        {
            for (int j = 0; j < m - 1; j++)
            {
                s += Math.Tanh(w * (u[((i + 1) * m) + j + 1] - u[(i * m) + j])) * u[(i * m) + j + 1];
            }
        }

        return s * w;
    }

    // Diagonal with w active: w's adjoint is summed over the reverse nest, which stays a loop of its own counting down
    // over the rows (the rule's downward form: the first row an iteration touches is the new one).
    [Differentiable]
    public static double DiagonalW(double[] u, int m, double w)
    {
        double s = 0;
        for (int i = 0; i < (u.Length / m) - 1; i++)
        {
            for (int j = 0; j < m - 1; j++)
            {
                s += Math.Tanh(w * (u[((i + 1) * m) + j + 1] - u[(i * m) + j])) * u[(i * m) + j + 1];
            }
        }

        return s * w;
    }

    // Two rows down, from the second row on.
    [Differentiable]
    public static double TwoDown(ReadOnlySpan<double> u, int m)
    {
        double s = 0;
        for (int i = 1; i < (u.Length / m) - 2; i++)
        {
            for (int j = 0; j < m; j++)
            {
                double a = u[(i + 2) * m + j] - u[(i - 1) * m + j];
                s += a * a * u[(i * m) + j];
            }
        }

        return s;
    }

    // The squared 5-point Laplacian over the interior.
    [Differentiable]
    public static double Laplace(ReadOnlySpan<double> u, int m)
    {
        int rows = u.Length / m;
        double e = 0;
        for (int i = 1; i < rows - 1; i++)
        {
            for (int j = 1; j < m - 1; j++)
            {
                int k = (i * m) + j;
                double l = (4 * u[k]) - u[k - 1] - u[k + 1] - u[k - m] - u[k + m];
                e += l * l;
            }
        }

        return e;
    }

    // Two neighbours in the lowest row (k + m and k + m + 1): carried additions make them one addition per element and
    // the last one after the inner loop, which closes the run and is stored too.
    [Differentiable]
    public static double TwoLow(ReadOnlySpan<double> u, int m)
    {
        double s = 0;
        for (int i = 0; i < (u.Length / m) - 1; i++)
        {
            for (int j = 0; j < m - 1; j++)
            {
                int k = (i * m) + j;
                s += u[k] * u[k + m] + Math.Sin(u[k + m + 1]);
            }
        }

        return s;
    }

    // Not the rule's: two elements of the lowest row two apart (k + m and k + m + 2), both added into in every iteration.
    [Differentiable]
    public static double Gapped(ReadOnlySpan<double> u, int m)
    {
        double s = 0;
        for (int i = 0; i < (u.Length / m) - 1; i++)
        {
            for (int j = 0; j < m - 2; j++)
            {
                int k = (i * m) + j;
                s += u[k] * u[k + m] + Math.Cos(u[k + m + 2]);
            }
        }

        return s;
    }

    // A robust penalty in a [Differentiable] helper, called for each neighbour: the reverse nest stays a loop of its own
    // counting down, its trip count rebuilt as max(0, m - 1); carried additions pass the helper's calls.
    [Differentiable]
    public static double Charbonnier(double d, [NoGrad] double eps) => Math.Sqrt((d * d) + (eps * eps)) - eps;

    [Differentiable]
    public static double Robust(ReadOnlySpan<double> u, int m)
    {
        double e = 0;
        for (int i = 0; i < (u.Length / m) - 1; i++)
        {
            for (int j = 0; j < m - 1; j++)
            {
                int k = (i * m) + j;
                e += Charbonnier(u[k + 1] - u[k], 0.1) + Charbonnier(u[k + m] - u[k], 0.1);
            }
        }

        return e;
    }

    // The column bound a local of the outer body, read twice (not inlined into the loop's condition).
    [Differentiable]
    public static double LocalBound(ReadOnlySpan<double> u, int m)
    {
        double s = 0;
        for (int i = 0; i < (u.Length / m) - 1; i++)
        {
            int last = m - 1;
            for (int j = 0; j < last; j++)
            {
                double d = u[((i + 1) * m) + j] - u[(i * m) + j + 1];
                s += d * d * last;
            }
        }

        return s;
    }

    // Not the rule's: the columns run to a bound that is not the row length (c <= m is the caller's promise only).
    [Differentiable]
    public static double OwnBound(ReadOnlySpan<double> u, int m, int c)
    {
        double s = 0;
        for (int i = 0; i < (u.Length / m) - 1; i++)
        {
            for (int j = 0; j < c; j++)
            {
                double d = u[(i + 1) * m + j] - u[(i * m) + j];
                s += d * d;
            }
        }

        return s;
    }
}

public static partial class RC
{
    private const int W = 5;

    // W8 with a constant row length: constant propagation leaves i * 5 + j, and the closing addition after the inner loop
    // at i * 5 + 4 (no j in it).
    [Differentiable]
    public static double Smooth(ReadOnlySpan<double> u)
    {
        int rows = u.Length / W;
        double energy = 0;
        for (int i = 0; i < rows - 1; i++)
        {
            for (int j = 0; j < W - 1; j++)
            {
                double dx = u[(i * W) + j + 1] - u[(i * W) + j];
                double dy = u[((i + 1) * W) + j] - u[(i * W) + j];
                energy += (dx * dx) + (dy * dy);
            }
        }

        return energy;
    }

    // The 5-point Laplacian over the interior of rows of 6, the neighbours written as k - 6 and k + 6.
    [Differentiable]
    public static double Laplace(double[] u)
    {
        double e = 0;
        for (int i = 1; i < (u.Length / 6) - 1; i++)
        {
            for (int j = 1; j < 5; j++)
            {
                int k = (i * 6) + j;
                double l = (4 * u[k]) - u[k - 1] - u[k + 1] - u[k - 6] - u[k + 6];
                e += l * l;
            }
        }

        return e;
    }

    // Two rows down and one up, the whole row (j < 4 on rows of 4).
    [Differentiable]
    public static double TwoDown(ReadOnlySpan<double> u)
    {
        double s = 0;
        for (int i = 1; i < (u.Length / 4) - 2; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                double a = u[(i + 2) * 4 + j] - u[(i - 1) * 4 + j];
                s += a * a * u[(i * 4) + j];
            }
        }

        return s;
    }

    // The diagonal neighbour with the weight active: the reverse nest counts down over the rows.
    [Differentiable]
    public static double DiagonalW(double[] u, double w)
    {
        double s = 0;
        for (int i = 0; i < (u.Length / W) - 1; i++)
        {
            for (int j = 0; j < W - 1; j++)
            {
                s += Math.Tanh(w * (u[((i + 1) * W) + j + 1] - u[(i * W) + j])) * u[(i * W) + j + 1];
            }
        }

        return s * w;
    }

    // Not the rule's: the columns run past the row (j < 7 on rows of 5), so a row's elements are reached from two rows.
    [Differentiable]
    public static double Across(ReadOnlySpan<double> u)
    {
        double s = 0;
        for (int i = 0; i < (u.Length / W) - 2; i++)
        {
            for (int j = 0; j < 7; j++)
            {
                double d = u[((i + 1) * W) + j] - u[(i * W) + j];
                s += d * d * d;
            }
        }

        return s;
    }
}

public static partial class RF
{
    [Differentiable]
    public static float Smooth(ReadOnlySpan<float> u, int m)
    {
        int rows = u.Length / m;
        float energy = 0;
        for (int i = 0; i < rows - 1; i++)
        {
            for (int j = 0; j < m - 1; j++)
            {
                int k = (i * m) + j;
                float dx = u[k + 1] - u[k];
                float dy = u[k + m] - u[k];
                energy += (dx * dx) + (dy * dy);
            }
        }

        return energy;
    }
}";

        /// <summary>(length, row length): square, partial last rows, one column, one row, empty, a negative row length.</summary>
        public static TheoryData<int, int> Grids() => new()
        {
            { 0, 3 }, { 1, 1 }, { 4, 1 }, { 3, 3 }, { 9, 3 }, { 11, 3 }, { 12, 4 }, { 14, 4 }, { 20, 5 }, { 35, 7 }, { 22, 2 }, { 6, -2 }, { 5, 6 },
        };

        /// <summary>Every double method: the value bit for bit, Gradient into NaN against central differences, Backward into 5 against the Gradient.</summary>
        [Theory]
        [MemberData(nameof(Grids))]
        public void Gradients_of_row_nests_match_differences(int n, int m)
        {
            const string element = "0.5 * Math.Sin(1.3 * i + 0.2) + 0.02 * i";
            string rest = ", " + m;
            foreach (string method in new[] { "R.Smooth", "R.TwoDown", "R.Laplace", "R.TwoLow", "R.Gapped", "R.Robust", "R.LocalBound" })
            {
                ArrayGradientCheck.Run(Source, method, n, element, rest, relTol: 1e-6, absTol: 1e-7);
            }

            ArrayGradientCheck.Run(Source, "R.Diagonal", n, element, rest + ", 0.7", relTol: 1e-6, absTol: 1e-7);
            ArrayGradientCheck.Run(Source, "R.DiagonalW", n, element, rest + ", 0.7", relTol: 1e-6, absTol: 1e-7, gradientExtra: ", out double dw", backwardExtra: ", ref bw");
            ArrayGradientCheck.Run(Source, "R.OwnBound", n, element, rest + ", " + System.Math.Max(m - 1, 0), relTol: 1e-6, absTol: 1e-7);
        }

        /// <summary>Lengths for the constant row lengths of RC (4, 5 and 6): empty, less than a row, whole rows, partial last rows.</summary>
        public static TheoryData<int> Lengths() => new() { 0, 1, 4, 5, 6, 11, 12, 18, 20, 23, 25, 31, 36, 41 };

        /// <summary>Constant row lengths (RC): Gradient into NaN against central differences, Backward into 5.</summary>
        [Theory]
        [MemberData(nameof(Lengths))]
        public void Gradients_of_constant_width_nests_match_differences(int n)
        {
            const string element = "0.5 * Math.Sin(1.3 * i + 0.2) + 0.02 * i";
            foreach (string method in new[] { "RC.Smooth", "RC.Laplace", "RC.TwoDown", "RC.Across" })
            {
                ArrayGradientCheck.Run(Source, method, n, element, "", relTol: 1e-6, absTol: 1e-7);
            }

            ArrayGradientCheck.Run(Source, "RC.DiagonalW", n, element, ", 0.7", relTol: 1e-6, absTol: 1e-7, gradientExtra: ", out double dw", backwardExtra: ", ref bw");
        }

        /// <summary>The float grid: Gradient into NaN against central differences in double of the same float method.</summary>
        [Theory]
        [MemberData(nameof(Grids))]
        public void A_float_grid_matches_differences(int n, int m)
        {
            var r = GeneratedCode.RunDriver(Source, $@"
        float[] u = new float[{n}];
        for (int i = 0; i < u.Length; i++) u[i] = (float)(0.5 * Math.Sin(1.3 * i + 0.2));
        float[] g = new float[u.Length];
        for (int i = 0; i < g.Length; i++) g[i] = float.NaN;
        float value = RF.SmoothGradient(u, {m}, g);
        double[] fd = new double[u.Length];
        for (int i = 0; i < u.Length; i++)
        {{
            float[] q = (float[])u.Clone();
            float hi = u[i] + 1e-2f, lo = u[i] - 1e-2f;
            q[i] = hi; double up = RF.Smooth(q, {m});
            q[i] = lo; double down = RF.Smooth(q, {m});
            fd[i] = (up - down) / ((double)hi - lo);
        }}
        var r = new System.Collections.Generic.List<double> {{ value, RF.Smooth(u, {m}) }};
        foreach (float x in g) r.Add(x);
        r.AddRange(fd);
        return r.ToArray();");
            Assert.Equal(r[1], r[0]);
            var g = r.Skip(2).Take(n).ToArray();
            var fd = r.Skip(2 + n).Take(n).ToArray();
            Assert.DoesNotContain(g, double.IsNaN);
            FiniteDifferences.AssertClose(fd, g, relTol: 2e-2, absTol: 2e-2, $"float Smooth gradient, n = {n}, m = {m}");
        }

        /// <summary>Where the rule applies (no zeroing pass, a store into the lowest row) and where it must not.</summary>
        [Fact]
        public void The_rule_stores_the_lowest_row_only_where_it_applies()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            string all = string.Join("\n", output.GeneratedSources.Select(s => s.Text));
            string Method(string name)
            {
                int start = all.IndexOf(" " + name + "(", StringComparison.Ordinal);
                Assert.True(start >= 0, name);
                int end = all.IndexOf("[global::System.CodeDom.Compiler.GeneratedCode", start + 1, StringComparison.Ordinal);
                return all.Substring(start, (end < 0 ? all.Length : end) - start);
            }

            foreach (string name in new[] { "SmoothGradient", "DiagonalGradient", "DiagonalWGradient", "TwoDownGradient", "LaplaceGradient", "TwoLowGradient", "RobustGradient", "LocalBoundGradient" })
            {
                string method = Method(name);
                Assert.False(method.Contains("Checks.Zero(dU)", StringComparison.Ordinal), name + " zeroes its whole buffer first");
                Assert.True(method.Contains("dUFilled", StringComparison.Ordinal), name + " has no row stores");
            }

            foreach (string name in new[] { "GappedGradient", "OwnBoundGradient", "SmoothBackward" })
            {
                Assert.DoesNotContain("dUFilled", Method(name), StringComparison.Ordinal);
            }

            // Constant row lengths (RC): the same, from the class's own text.
            int rc = all.IndexOf("partial class RC", StringComparison.Ordinal);
            Assert.True(rc >= 0);
            string RcMethod(string name)
            {
                int start = all.IndexOf(" " + name + "(", rc, StringComparison.Ordinal);
                Assert.True(start >= 0, name);
                int end = all.IndexOf("[global::System.CodeDom.Compiler.GeneratedCode", start + 1, StringComparison.Ordinal);
                return all.Substring(start, (end < 0 ? all.Length : end) - start);
            }

            foreach (string name in new[] { "SmoothGradient", "LaplaceGradient", "TwoDownGradient", "DiagonalWGradient" })
            {
                string method = RcMethod(name);
                Assert.False(method.Contains("Checks.Zero(dU)", StringComparison.Ordinal), "RC." + name + " zeroes its whole buffer first");
                Assert.True(method.Contains("dUFilled", StringComparison.Ordinal), "RC." + name + " has no row stores");
            }

            Assert.DoesNotContain("dUFilled", RcMethod("AcrossGradient"), StringComparison.Ordinal);
        }

        /// <summary>W8's gradient as generated: the row nest with its gap zeroing, one store and one addition per element.</summary>
        [Fact]
        public void Smoothness_snapshot()
        {
            GeneratorOutput output = GeneratorRunner.Run(Source.Substring(0, Source.IndexOf("    // The lower-right", StringComparison.Ordinal)) + "}\n");
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

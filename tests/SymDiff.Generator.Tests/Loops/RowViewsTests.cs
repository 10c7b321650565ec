using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.LocalBuffers;
using Xunit;

namespace SymDiff.Generator.Tests.Loops
{
    /// <summary>
    /// Row views (<c>Scheduler.Rows.cs</c>): a loop reading <c>a[start + k]</c> with an invariant row offset reads a row
    /// taken once before it (<c>Checks.Row</c>). Checked against central differences of the user's own method on shapes
    /// unlike the benchmarks (a matrix with a run-time column count and a vector after it, overlapping windows with a
    /// stride and a branch, a float method), and for the exceptions: where the user's method throws
    /// <c>IndexOutOfRangeException</c> the generated methods throw it too, and a loop that runs no iteration throws
    /// nothing whatever its row offset.
    /// </summary>
    public class RowViewsTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class Rv
{
    // rows x cols matrix A, then a vector v of cols: sum_i tanh(A_i . v) * (i + 1).
    [Differentiable]
    public static double MatVec(ReadOnlySpan<double> p, int cols)
    {
        int rows = cols > 0 ? (p.Length / cols) - 1 : 0;
        int off = rows * cols;
        double s = 0;
        for (int i = 0; i < rows; i++)
        {
            double a = 0;
            for (int k = 0; k < cols; k++)
            {
                a += p[i * cols + k] * p[off + k];
            }

            s += Math.Tanh(a) * (i + 1);
        }

        return s;
    }

    // Windows of width w every stride elements; the window's second half is read on one branch only.
    [Differentiable]
    public static double Windows(ReadOnlySpan<double> x, int w, int stride)
    {
        double s = 0;
        for (int t = 0; stride > 0 && t * stride + w <= x.Length; t++)
        {
            int start = t * stride;
            for (int k = 0; k < w; k++)
            {
                double v = x[start + k];
                if (v > 0.1)
                {
                    v = v * x[k + start];
                }

                s += v * x[start + k] + Math.Sin(x[start + k]);
            }
        }

        return s;
    }

    [Differentiable]
    public static float RowsF(ReadOnlySpan<float> p, int cols)
    {
        float s = 0;
        for (int i = 0; i * cols + cols <= p.Length && cols > 0; i++)
        {
            for (int k = 0; k < cols; k++)
            {
                s += p[i * cols + k] * p[i * cols + k] * (k + 1);
            }
        }

        return s;
    }
}";

        public static TheoryData<string, int, int> Cases() => new TheoryData<string, int, int>
        {
            { "MatVec", 0, 3 }, { "MatVec", 4, 1 }, { "MatVec", 8, 2 }, { "MatVec", 15, 3 }, { "MatVec", 20, 4 },
            { "Windows", 0, 2 }, { "Windows", 5, 2 }, { "Windows", 9, 3 }, { "Windows", 12, 4 },
        };

        /// <summary>Gradient (into NaN) and Backward (into 5s) against central differences; the value bit for bit.</summary>
        [Theory]
        [MemberData(nameof(Cases))]
        public void Gradient_and_Backward_match_differences(string method, int n, int cols) =>
            ArrayGradientCheck.Run(Source, "Rv." + method, n, "0.3 + 0.45 * Math.Sin(1.7 * i + 0.2)", method == "Windows" ? ", " + cols + ", 2" : ", " + cols, relTol: 1e-6, absTol: 1e-8);

        /// <summary>The float overloads of <c>Checks.Row</c>: the gradient of sum_i,k (k + 1) p[i cols + k]^2 is 2 (k + 1) p.</summary>
        [Fact]
        public void Float_rows_give_the_analytic_gradient()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        float[] p = new float[10];
        for (int i = 0; i < p.Length; i++) p[i] = 0.5f + 0.1f * i;
        float[] g = new float[p.Length];
        float value = Rv.RowsFGradient(p, 3, g);
        var r = new System.Collections.Generic.List<double> { value, Rv.RowsF(p, 3) };
        for (int i = 0; i < g.Length; i++) r.Add(g[i]);
        for (int i = 0; i < p.Length; i++) r.Add(i < 9 ? 2.0 * (i % 3 + 1) * p[i] : 0.0);
        return r.ToArray();");
            Assert.Equal(r[1], r[0]);
            FiniteDifferences.AssertClose(r.Skip(12).Take(10).ToArray(), r.Skip(2).Take(10).ToArray(), relTol: 1e-6, absTol: 1e-6, "RowsF");
        }

        /// <summary>
        /// The user's method throws <c>IndexOutOfRangeException</c> when the vector after the matrix is too short (the
        /// row at <c>off</c> runs past the end): so do Gradient, Backward and Derivative. With 0 columns no loop runs and
        /// nothing throws, whatever the offsets.
        /// </summary>
        [Fact]
        public void Exceptions_are_the_users()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double Code(Action a) { try { a(); return 0; } catch (IndexOutOfRangeException) { return 1; } catch (Exception) { return 2; } }
        double[] p = new double[7];   // cols = 3: rows = 1, off = 3: p[3..6) fine; cols = 4: rows = 0
        double[] q = new double[5];   // cols = 2: rows = 1, off = 2, the matrix row p[0..2), the vector p[2..4)
        double[] bad = new double[11]; // cols = 4: rows = 1 (11 / 4 - 1), off = 4, vector p[4..8): fine; cols = 5: rows = 1, off = 5, vector p[5..10): fine
        double[] g = new double[7], g5 = new double[5];
        double[] t7 = new double[7];
        return new[]
        {
            Code(() => Rv.MatVec(p, 3)), Code(() => Rv.MatVecGradient(p, 3, g)), Code(() => Rv.MatVecBackward(p, 3, 1.0, g)), Code(() => Rv.MatVecDerivative(p, 3, t7, out _)),
            Code(() => Rv.MatVec(q, 2)), Code(() => Rv.MatVecGradient(q, 2, g5)),
            Code(() => Rv.Windows(p, 0, 5)), Code(() => Rv.WindowsGradient(p, 0, 5, g)),
            Code(() => Rv.Windows(p, -1, 5)), Code(() => Rv.WindowsGradient(p, -1, 5, g)),
            // 2 elements, 3 columns: rows = -1, so no loop runs; the vector's row (taken before the outer loop) starts at -3.
            Code(() => Rv.MatVec(new double[2], 3)), Code(() => Rv.MatVecGradient(new double[2], 3, new double[2])), Code(() => Rv.MatVecBackward(new double[2], 3, 1.0, new double[2])),
        };");
            Assert.Equal(new double[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, r);
        }

        /// <summary>A row that runs past the end of the span: the user's method and every generated method throw IndexOutOfRangeException.</summary>
        [Fact]
        public void A_row_past_the_end_throws_IndexOutOfRange_as_the_user_method_does()
        {
            var r = GeneratedCode.RunDriver(Source.Replace("int off = rows * cols;", "int off = rows * cols + 1;"), @"
        double Code(Action a) { try { a(); return 0; } catch (IndexOutOfRangeException) { return 1; } catch (Exception) { return 2; } }
        double[] p = new double[8];   // cols = 3: rows = 1, off = 4: the vector p[4..7) fits; cols = 2: rows = 3, off = 7: p[7..9) does not
        double[] g = new double[8], t = new double[8];
        return new[]
        {
            Code(() => Rv.MatVec(p, 3)), Code(() => Rv.MatVecGradient(p, 3, g)),
            Code(() => Rv.MatVec(p, 2)), Code(() => Rv.MatVecGradient(p, 2, g)), Code(() => Rv.MatVecBackward(p, 2, 1.0, g)), Code(() => Rv.MatVecDerivative(p, 2, t, out _)),
        };");
            Assert.Equal(new double[] { 0, 0, 1, 1, 1, 1 }, r);
        }

        [Fact]
        public void The_rule_fires_on_row_offsets_only()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            string all = string.Join("\n", output.GeneratedSources.Select(s => s.Text));
            string Method(string name)
            {
                int start = all.IndexOf(" " + name + "(global::", StringComparison.Ordinal);
                int end = all.IndexOf("[global::System.CodeDom.Compiler.GeneratedCode", start + 1, StringComparison.Ordinal);
                return all.Substring(start, (end < 0 ? all.Length : end) - start);
            }

            string matVec = Method("MatVecGradient");
            Assert.Contains("global::SymDiff.Checks.Row(p, i * cols, ", matVec, StringComparison.Ordinal);
            Assert.Contains("global::SymDiff.Checks.Row(p, off, ", matVec, StringComparison.Ordinal);
            Assert.DoesNotContain("p[i * cols + k]", matVec, StringComparison.Ordinal);

            // Windows: x[start + k] read at the top level of the body, so its row is taken (the branch's read uses it too).
            Assert.Contains("global::SymDiff.Checks.Row(x, ", Method("WindowsGradient"), StringComparison.Ordinal);
        }
    }
}

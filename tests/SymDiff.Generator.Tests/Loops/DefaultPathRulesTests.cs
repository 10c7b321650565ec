using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.LocalBuffers;
using Xunit;

namespace SymDiff.Generator.Tests.Loops
{
    /// <summary>
    /// The speed rules of the default path (docs/performance.md), each checked against central differences of the user's
    /// own method on shapes unlike the benchmarks: gradient buffers stored once instead of cleared and accumulated
    /// (<c>OverwriteOnce</c>: the buffer starts full of NaN, so an element the rule forgets to write shows), loads of
    /// <c>x[i + 1]</c> carried to the next iteration (<c>CarryLoads</c>), like terms across a sum (<c>CollectInSum</c>), and
    /// several additions into one adjoint element merged (<c>MergeAccumulates</c>). Lengths 0, 1, 2, 3 and 7, so loops
    /// that run no iteration, one, and many, with the buffer covered partly or wholly.
    /// </summary>
    public class DefaultPathRulesTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class R
{
    // [i] and [i + 1], the loop stops two short of the end: the last element is never written by it.
    [Differentiable]
    public static double Stencil(ReadOnlySpan<double> p, double c)
    {
        double s = 0;
        for (int i = 0; i < p.Length - 2; i++)
        {
            double d = p[i + 1] - c * p[i] * p[i];
            s += d * d + Math.Sin(p[i]) * p[i + 1];
        }

        return s;
    }

    // Elementwise over the first half only: the second half's gradient is zero.
    [Differentiable]
    public static double Half(ReadOnlySpan<double> p, double c)
    {
        double s = 0;
        for (int i = 0; i < p.Length / 2; i++)
        {
            s += Math.Exp(-c * p[i] * p[i]) * (p[i] + p[i] + 3 * p[i]);
        }

        return s;
    }

    // Starts at 1: the rule does not apply (element 0 would be left out).
    [Differentiable]
    public static double FromOne(ReadOnlySpan<double> p, double c)
    {
        double s = 0;
        for (int i = 1; i < p.Length; i++)
        {
            s += c * p[i] * p[i - 1];
        }

        return s;
    }

    // x[i + 1] read only on one branch: not carried (x[i] is still read in every iteration).
    [Differentiable]
    public static double Branchy(ReadOnlySpan<double> p, double c)
    {
        double s = 0;
        for (int i = 0; i < p.Length - 1; i++)
        {
            double v = p[i];
            if (v > c)
            {
                v = v * p[i + 1];
            }

            s += v * v - 2 * v * p[i] + v * p[i] * 3;
        }

        return s;
    }

    // Each hidden value feeds three terms: its adjoint element receives three additions per iteration.
    [Differentiable]
    public static double Fanout(ReadOnlySpan<double> p, double c)
    {
        Span<double> h = stackalloc double[3];
        double s = 0;
        for (int j = 0; j < 3 && j < p.Length; j++)
        {
            h[j] = Math.Tanh(c * p[j]);
        }

        for (int j = 0; j < 3 && j < p.Length; j++)
        {
            s += h[j] * p[p.Length - 1] + (h[j] * h[j]) * c - Math.Exp(h[j] * 0.5);
        }

        return s;
    }

    // p[i + 1] read first inside an inner loop, then p[i] and p[i + 1] at the top level (FINDINGS F42: the carried load
    // was placed before the first let that read it, after the inner loop that already did).
    [Differentiable]
    public static double InnerFirst(ReadOnlySpan<double> p, double c)
    {
        double s = 0;
        for (int i = 0; i < p.Length - 1; i++)
        {
            double acc = 0;
            for (int k = 0; k < 2; k++)
            {
                acc += p[i + 1] * (k + c);
            }

            double a = p[i] * p[i + 1] + acc;
            s += a * a;
        }

        return s;
    }
}";

        public static TheoryData<string, int> Cases()
        {
            var data = new TheoryData<string, int>();
            foreach (var method in new[] { "Stencil", "Half", "FromOne", "Branchy", "Fanout", "InnerFirst" })
            {
                foreach (int n in new[] { 0, 1, 2, 3, 7 })
                {
                    data.Add(method, n);
                }
            }

            return data;
        }

        /// <summary>Gradient into a buffer full of NaN, and Backward into one full of 5: every element right, against central differences.</summary>
        [Theory]
        [MemberData(nameof(Cases))]
        public void Gradient_overwrites_every_element_and_matches_differences(string method, int n)
        {
            string f = "R." + method;
            var r = GeneratedCode.RunDriver(Source, $@"
        double[] p = new double[{n}];
        for (int i = 0; i < p.Length; i++) p[i] = 0.3 + 0.45 * Math.Sin(1.7 * i + 0.2);
        double c = 0.8;
        double[] g = new double[p.Length];
        for (int i = 0; i < g.Length; i++) g[i] = double.NaN;
        double value = {f}Gradient(p, c, g, out double dC);
        double[] b = new double[p.Length];
        for (int i = 0; i < b.Length; i++) b[i] = 5.0;
        double dCb = 5.0;
        {f}Backward(p, c, 2.0, b, ref dCb);
        double[] fd = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
        {{
            double[] q = (double[])p.Clone();
            q[i] = p[i] + 1e-6; double up = {f}(q, c);
            q[i] = p[i] - 1e-6; double down = {f}(q, c);
            fd[i] = (up - down) / 2e-6;
        }}
        double fdC = ({f}(p, c + 1e-6) - {f}(p, c - 1e-6)) / 2e-6;
        var r = new System.Collections.Generic.List<double> {{ value, {f}(p, c), dC, fdC, dCb }};
        r.AddRange(g);
        r.AddRange(b);
        r.AddRange(fd);
        return r.ToArray();");
            Assert.Equal(r[1], r[0]); // the value, bit for bit
            FiniteDifferences.AssertClose(r[3], r[2], relTol: 1e-6, absTol: 1e-8, method + " dC");
            FiniteDifferences.AssertClose(5.0 + (2 * r[2]), r[4], relTol: 1e-12, absTol: 1e-12, method + " Backward dC");
            var g = r.Skip(5).Take(n).ToArray();
            var b = r.Skip(5 + n).Take(n).ToArray();
            var fd = r.Skip(5 + (2 * n)).Take(n).ToArray();
            Assert.DoesNotContain(g, double.IsNaN);
            FiniteDifferences.AssertClose(fd, g, relTol: 1e-6, absTol: 1e-8, method + " gradient");
            FiniteDifferences.AssertClose(g.Select(x => 5.0 + (2 * x)).ToArray(), b, relTol: 1e-12, absTol: 1e-12, method + " Backward");
        }

        /// <summary>The directional derivative too (forward mode sees the simplifier's like-term rule).</summary>
        [Theory]
        [InlineData("Stencil")]
        [InlineData("Half")]
        [InlineData("Branchy")]
        [InlineData("Fanout")]
        [InlineData("InnerFirst")]
        public void Gradient_Backward_and_Derivative_match_differences(string method) =>
            ModelChecks.GradientBackwardAndDerivative(
                Source.Replace("double c)", "[NoGrad] double c)"), "R", method, "{ 0.9, -0.4, 1.3, 0.2, -0.8, 0.6 }", "0.7");

        [Fact]
        public void The_rules_fire_where_they_apply_and_nowhere_else()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            string Method(string name)
            {
                string all = string.Join("\n", output.GeneratedSources.Select(s => s.Text));
                int start = all.IndexOf(" " + name + "(global::", StringComparison.Ordinal);
                int end = all.IndexOf("[global::System.CodeDom.Compiler.GeneratedCode", start + 1, StringComparison.Ordinal);
                return all.Substring(start, (end < 0 ? all.Length : end) - start);
            }

            // Stored once, the rest zeroed after the loop; x[i + 1] carried.
            string stencil = Method("StencilGradient");
            Assert.DoesNotContain("Checks.Zero(dP)", stencil, StringComparison.Ordinal);
            Assert.Contains("dP[i] = ", stencil, StringComparison.Ordinal);
            Assert.Contains("pNext", stencil, StringComparison.Ordinal);
            Assert.Contains("pCurrent", Method("StencilBackward"), StringComparison.Ordinal);
            Assert.DoesNotContain("Checks.Zero(dP)", Method("HalfGradient"), StringComparison.Ordinal);

            // From 1: cleared and accumulated as before. The branch's read is not carried.
            Assert.Contains("Checks.Zero(dP)", Method("FromOneGradient"), StringComparison.Ordinal);
            Assert.DoesNotContain("pNext", Method("BranchyGradient"), StringComparison.Ordinal);
        }
    }
}

using System.Linq;
using Xunit;

namespace SymDiff.Generator.Tests.Infrastructure
{
    /// <summary>
    /// The check the loop-nest tests share, for a <c>[Differentiable]</c> method whose first parameter is the array
    /// differentiated: its <c>Gradient</c> into a buffer full of NaN (an element the generated code neither stores nor
    /// zeroes shows) against central differences of the user's own method, the value bit for bit, and its
    /// <c>Backward</c> with seed 2 into a buffer of 5s against <c>5 + 2 g</c>.
    /// </summary>
    internal static class ArrayGradientCheck
    {
        /// <param name="source">The program.</param>
        /// <param name="method">The method, with its class: <c>R.Smooth</c>.</param>
        /// <param name="n">The array's length.</param>
        /// <param name="element">The array's element <c>i</c>, a C# expression in <c>i</c>.</param>
        /// <param name="rest">The arguments after the array, each after a comma: <c>", 3"</c>.</param>
        /// <param name="relTol">Relative tolerance against the differences.</param>
        /// <param name="absTol">Absolute tolerance against the differences.</param>
        /// <param name="gradientExtra">Outputs after the array's gradient (other parameters' gradients): <c>", out double dw"</c>.</param>
        /// <param name="backwardExtra">Accumulators after the array's (a <c>double bw = 5.0</c> is declared): <c>", ref bw"</c>.</param>
        public static void Run(string source, string method, int n, string element, string rest, double relTol, double absTol, string gradientExtra = "", string backwardExtra = "")
        {
            var r = GeneratedCode.RunDriver(source, $@"
        double[] u = new double[{n}];
        for (int i = 0; i < u.Length; i++) u[i] = {element};
        double[] g = new double[u.Length];
        for (int i = 0; i < g.Length; i++) g[i] = double.NaN;
        double value = {method}Gradient(u{rest}, g{gradientExtra});
        double[] b = new double[u.Length];
        for (int i = 0; i < b.Length; i++) b[i] = 5.0;
        double bw = 5.0;
        {method}Backward(u{rest}, 2.0, b{backwardExtra});
        double[] fd = new double[u.Length];
        for (int i = 0; i < u.Length; i++)
        {{
            double[] q = (double[])u.Clone();
            q[i] = u[i] + 1e-6; double up = {method}(q{rest});
            q[i] = u[i] - 1e-6; double down = {method}(q{rest});
            fd[i] = (up - down) / 2e-6;
        }}
        var r = new System.Collections.Generic.List<double> {{ value, {method}(u{rest}) }};
        r.AddRange(g);
        r.AddRange(b);
        r.AddRange(fd);
        r.Add(bw);
        return r.ToArray();");
            string what = $"{method}, n = {n}{rest}";
            Assert.Equal(r[1], r[0]);
            var g = r.Skip(2).Take(n).ToArray();
            var b = r.Skip(2 + n).Take(n).ToArray();
            var fd = r.Skip(2 + (2 * n)).Take(n).ToArray();
            Assert.DoesNotContain(g, double.IsNaN);
            FiniteDifferences.AssertClose(fd, g, relTol, absTol, what + " gradient");
            FiniteDifferences.AssertClose(g.Select(x => 5.0 + (2 * x)).ToArray(), b, relTol: 1e-12, absTol: 1e-12, what + " Backward");
        }
    }
}

using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>
    /// Checks of a model <c>double F(ReadOnlySpan&lt;double&gt; p, data...)</c> against central differences of the user's
    /// own method, computed in the driver: Gradient, Backward (seed 2) and Derivative, or the Hessian against differences of
    /// the Gradient.
    /// </summary>
    internal static class ModelChecks
    {
        /// <summary>The value bit for bit, the gradient, Backward as twice the gradient, and the directional derivative along cos(1.3 i).</summary>
        public static void GradientBackwardAndDerivative(string source, string type, string method, string point, string data)
        {
            string f = $"{type}.{method}";
            var r = GeneratedCode.RunDriver(source, $@"
        double[] p = {point};
        double[] g = new double[p.Length], fd = new double[p.Length], b = new double[p.Length], t = new double[p.Length];
        double v = {f}Gradient(p, {data}, g);
        {f}Backward(p, {data}, 2.0, b);
        for (int i = 0; i < t.Length; i++) t[i] = Math.Cos(1.3 * i);
        double v2 = {f}Derivative(p, {data}, t, out double derivative);
        double[] up = new double[p.Length], down = new double[p.Length];
        for (int i = 0; i < p.Length; i++) {{ up[i] = p[i] + 1e-6 * t[i]; down[i] = p[i] - 1e-6 * t[i]; }}
        double directional = ({f}(up, {data}) - {f}(down, {data})) / 2e-6;
        for (int i = 0; i < p.Length; i++)
        {{
            double[] q = (double[])p.Clone();
            double step = 1e-6 * Math.Max(1, Math.Abs(p[i]));
            q[i] = p[i] + step; double fUp = {f}(q, {data});
            q[i] = p[i] - step; double fDown = {f}(q, {data});
            fd[i] = (fUp - fDown) / (2 * step);
        }}
        var r = new System.Collections.Generic.List<double> {{ v, v2, {f}(p, {data}), derivative, directional }};
        r.AddRange(g);
        r.AddRange(b);
        r.AddRange(fd);
        return r.ToArray();");
            int n = (r.Length - 5) / 3;
            Assert.Equal(r[2], r[0]);
            Assert.Equal(r[2], r[1]);
            FiniteDifferences.AssertClose(r[4], r[3], relTol: 1e-6, absTol: 1e-8, method + " directional derivative");
            var gradient = r.Skip(5).Take(n).ToArray();
            FiniteDifferences.AssertClose(r.Skip(5 + (2 * n)).ToArray(), gradient, relTol: 1e-6, absTol: 1e-8, method + " gradient");
            FiniteDifferences.AssertClose(gradient.Select(x => 2 * x).ToArray(), r.Skip(5 + n).Take(n).ToArray(), relTol: 1e-14, absTol: 1e-15, method + " backward");
        }

        /// <summary>FHessian against central differences (step 1e-5) of FGradient, column by column.</summary>
        public static void HessianMatchesDifferencesOfTheGradient(string source, string type, string method, string point, string data, string what)
        {
            string f = $"{type}.{method}";
            var r = GeneratedCode.RunDriver(source, $@"
        double[] w = {point};
        int n = w.Length;
        var hessian = new double[n * n];
        {f}Hessian(w, {data}hessian);
        var fd = new double[n * n];
        for (int i = 0; i < n; i++)
        {{
            var up = (double[])w.Clone(); up[i] += 1e-5;
            var down = (double[])w.Clone(); down[i] -= 1e-5;
            var gu = new double[n]; var gd = new double[n];
            {f}Gradient(up, {data}gu);
            {f}Gradient(down, {data}gd);
            for (int j = 0; j < n; j++) fd[j * n + i] = (gu[j] - gd[j]) / 2e-5;
        }}

        var result = new double[2 * n * n];
        hessian.CopyTo(result, 0);
        fd.CopyTo(result, n * n);
        return result;");
            int m = r.Length / 2;
            FiniteDifferences.AssertClose(r.Skip(m).ToArray(), r.Take(m).ToArray(), relTol: 1e-6, absTol: 1e-8, what);
        }
    }
}

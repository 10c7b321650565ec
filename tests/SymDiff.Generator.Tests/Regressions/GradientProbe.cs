using System;
using System.Globalization;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;

namespace SymDiff.Generator.Tests.Regressions
{
    /// <summary>
    /// Runs a method's generated reverse and forward modes against central differences of the user's own method,
    /// all in one driver. The active values are a flat <c>double[] p</c>; the caller writes the calls with it.
    /// </summary>
    internal static class GradientProbe
    {
        /// <summary>What one probe measured.</summary>
        internal sealed record Result(double Value, double GradientValue, double[] Gradient, double[] Backward, double[] Directional, double[] Numeric);

        /// <param name="valueCall">An expression of <c>p</c>: the user's method.</param>
        /// <param name="gradientCall">An expression of <c>p</c> and <c>double[] g</c>: calls <c>FGradient</c>, writes <c>g</c>, returns the value.</param>
        /// <param name="backwardCall">Statements of <c>p</c>, <c>double seed</c> and <c>double[] g</c>: calls <c>FBackward</c> accumulating into <c>g</c>.</param>
        /// <param name="derivativeCall">An expression of <c>p</c> and a tangent <c>double[] t</c>: calls <c>FDerivative</c> and returns the directional derivative.</param>
        public static Result Run(string source, double[] point, string valueCall, string gradientCall, string? backwardCall = null, string? derivativeCall = null)
        {
            string driver = $@"
        double[] p = {Literal(point)};
        Func<double[], double> f = p => {valueCall};
        double value = f(p);
        double[] g = new double[p.Length];
        double generated = {gradientCall};
        double[] gradient = (double[])g.Clone();
        double[] backward = new double[p.Length];
        {(backwardCall is null ? string.Empty : "for (int k = 0; k < p.Length; k++) g[k] = 0.25; { double seed = 2.0; " + backwardCall + " } for (int k = 0; k < p.Length; k++) backward[k] = (g[k] - 0.25) / 2.0;")}
        double[] directional = new double[p.Length];
        for (int k = 0; k < p.Length && {(derivativeCall is null ? "false" : "true")}; k++)
        {{
            double[] t = new double[p.Length]; t[k] = 1;
            directional[k] = {derivativeCall ?? "0"};
        }}
        double[] fd = new double[p.Length];
        for (int k = 0; k < p.Length; k++)
        {{
            double h = 1e-6 * Math.Max(1.0, Math.Abs(p[k]));
            double[] up = (double[])p.Clone(); up[k] += h;
            double[] down = (double[])p.Clone(); down[k] -= h;
            fd[k] = (f(up) - f(down)) / (up[k] - down[k]);
        }}
        var r = new System.Collections.Generic.List<double> {{ value, generated }};
        r.AddRange(gradient); r.AddRange(backward); r.AddRange(directional); r.AddRange(fd);
        return r.ToArray();";
            double[] r = GeneratedCode.RunDriver(source, driver);
            int n = point.Length;
            double[] Slice(int k) => r.Skip(2 + (k * n)).Take(n).ToArray();
            return new Result(r[0], r[1], Slice(0), backwardCall is null ? Slice(1) : Slice(1), Slice(2), Slice(3));
        }

        /// <summary>Checks value bits, and gradient, backward and forward mode against <paramref name="expected"/> and central differences.</summary>
        public static void AssertAgrees(Result result, double[] expected, bool backward = true, bool forward = true, double relTol = 1e-9)
        {
            Xunit.Assert.Equal(BitConverter.DoubleToInt64Bits(result.Value), BitConverter.DoubleToInt64Bits(result.GradientValue));
            FiniteDifferences.AssertClose(expected, result.Gradient, relTol, 1e-12, "FGradient vs expected");
            FiniteDifferences.AssertClose(result.Numeric, result.Gradient, 1e-6, 1e-7, "FGradient vs central differences");
            if (backward)
            {
                FiniteDifferences.AssertClose(expected, result.Backward, relTol, 1e-12, "FBackward (seed 2, accumulated onto 0.25) vs expected");
            }

            if (forward)
            {
                FiniteDifferences.AssertClose(expected, result.Directional, relTol, 1e-12, "FDerivative along unit tangents vs expected");
            }
        }

        public static string Literal(double[] values) =>
            "new double[] { " + string.Join(", ", values.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + " }";
    }
}

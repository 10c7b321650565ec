using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Vectorize
{
    /// <summary>
    /// A vectorised loop whose counter the reverse sweep reads afterwards (its final value bounds the reverse loop): the
    /// counter stays in the enclosing scope (the fuzzer's first <c>Vectorize = true</c> run: CS0103 in 24 of 2,000 programs,
    /// because use counts did not look inside vectorised loops). Checked by compiling and against central differences.
    /// </summary>
    public sealed class VectorizedCounterScopeTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class V
{
    [Differentiable(Vectorize = true)]
    public static void Normalised(ReadOnlySpan<double> u, double x, Span<double> o)
    {
        for (int i = 0; i < o.Length; i++)
        {
            o[i] = x * u[i] + Math.Exp(0.5 * u[i]);
        }

        double s = 0.25 + o[0] * o[0];
        o[0] /= Math.Sqrt(s);
    }
}";

        [Fact]
        public void The_jacobian_matches_central_differences()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            double[] r = GeneratedCode.RunDriver(Source, @"
        double[] u = new double[11];
        for (int i = 0; i < u.Length; i++) u[i] = Math.Sin(1.7 * i) - 0.2;
        double x = 0.8;
        var y = new double[11];
        var jacobian = new double[11 * 12];
        V.NormalisedJacobian(u, x, y, jacobian);
        var fd = new double[11 * 12];
        for (int k = 0; k < 12; k++)
        {
            double[] uu = (double[])u.Clone(), ud = (double[])u.Clone();
            double xu = x, xd = x;
            if (k < 11) { uu[k] += 1e-6; ud[k] -= 1e-6; } else { xu += 1e-6; xd -= 1e-6; }
            var yu = new double[11]; var yd = new double[11];
            V.Normalised(uu, xu, yu);
            V.Normalised(ud, xd, yd);
            for (int j = 0; j < 11; j++) fd[j * 12 + k] = (yu[j] - yd[j]) / 2e-6;
        }

        return System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Concat(jacobian, fd));");
            int m = r.Length / 2;
            FiniteDifferences.AssertClose(r.Skip(m).ToArray(), r.Take(m).ToArray(), relTol: 1e-6, absTol: 1e-8, "NormalisedJacobian");
        }
    }
}

using SymDiff.Generator.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace SymDiff.Generator.Tests.FiniteChecks
{
    public sealed class FiniteCheckScratch
    {
        private readonly ITestOutputHelper _out;
        public FiniteCheckScratch(ITestOutputHelper o) => _out = o;

        [Fact]
        public void Show()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                using System;
                using SymDiff;
                public static partial class M
                {
                    [Differentiable(CheckFinite = true)]
                    public static double Loss(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
                    {
                        double sum = 0;
                        for (int i = 0; i < x.Length; i++)
                        {
                            double p = 1 / (1 + Math.Exp(-(w * x[i] + b)));
                            sum -= y[i] * Math.Log(p) + (1 - y[i]) * Math.Log(1 - p);
                        }
                        return sum / x.Length;
                    }

                    [Differentiable(CheckFinite = true)]
                    public static double G(double x, double y) => y * Math.Log(x) + Math.Sqrt(x);

                    [Differentiable(CheckFinite = true)]
                    public static double H(ReadOnlySpan<double> c, double x)
                    {
                        double s = 0;
                        for (int i = c.Length - 1; i >= 0; i--) s = s * x + c[i];
                        return s;
                    }
                }
                """);
            foreach (var s in output.GeneratedSources) _out.WriteLine(s.Text);
            _out.WriteLine(GeneratorRunner.Describe(output, "x"));
            GeneratorRunner.AssertCleanCompile(output);
        }
    }
}

using System;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Models
{
    /// <summary>
    /// Enum values in a <c>[Differentiable]</c> method (a trial user's robust loss chose its kind by an enum field): a
    /// field, a property, a parameter and a local of an enum type, compared, switched on and cast to int, as C# reads
    /// them. Each kind's value is the user's method's bit for bit, its gradient central differences of the user's method.
    /// </summary>
    public class EnumValueTests
    {
        private const string Source = @"
using System;
using SymDiff;

public enum LossKind { Squared, Huber, Cauchy = 5 }

public partial class Robust
{
    public LossKind Kind;
    public LossKind Fallback { get; set; } = LossKind.Cauchy;

    [Differentiable]
    public double Loss(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y, LossKind scale)
    {
        double total = 0;
        for (int i = 0; i < y.Length; i++)
        {
            double r = w[0] * x[i] + w[1] - y[i];
            LossKind k = Kind;
            switch (k)
            {
                case LossKind.Squared:
                    total += 0.5 * r * r;
                    break;
                case LossKind.Huber:
                    total += Math.Abs(r) <= 0.7 ? 0.5 * r * r : 0.7 * (Math.Abs(r) - 0.35);
                    break;
                default:
                    total += Math.Log(1 + r * r) * (int)k;
                    break;
            }
        }

        total *= scale == LossKind.Huber ? 2 : 1;
        return Kind == Fallback ? total / y.Length : total;
    }
}";

        [Theory]
        [InlineData("Squared", "Squared")]
        [InlineData("Huber", "Squared")]
        [InlineData("Cauchy", "Huber")]
        public void Value_and_gradient_follow_the_enum(string kind, string scale)
        {
            var r = GeneratedCode.RunDriver(Source, $@"
        var m = new Robust {{ Kind = LossKind.{kind} }};
        double[] x = {{ 0.1, 0.5, 1.2, 2.0, -0.7 }};
        double[] y = {{ 1.0, 2.2, 2.9, 9.0, 0.1 }};
        double[] w = {{ 0.8, 0.3 }};
        double[] g = new double[2];
        double v = m.LossGradient(w, x, y, LossKind.{scale}, g);
        var result = new System.Collections.Generic.List<double> {{ v, m.Loss(w, x, y, LossKind.{scale}), g[0], g[1] }};
        for (int j = 0; j < 2; j++)
        {{
            double[] up = (double[])w.Clone(), down = (double[])w.Clone();
            up[j] += 1e-6; down[j] -= 1e-6;
            result.Add((m.Loss(up, x, y, LossKind.{scale}) - m.Loss(down, x, y, LossKind.{scale})) / 2e-6);
        }}

        return result.ToArray();");
            Assert.Equal(r[1], r[0]);
            FiniteDifferences.AssertClose(r[4..6], r[2..4], relTol: 1e-6, absTol: 1e-8, kind + " gradient");
        }

        /// <summary>The three kinds give three different losses: the enum is read, not a constant of the generator's.</summary>
        [Fact]
        public void Each_kind_gives_its_own_loss()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double[] x = { 0.1, 0.5, 1.2, 2.0, -0.7 };
        double[] y = { 1.0, 2.2, 2.9, 9.0, 0.1 };
        double[] w = { 0.8, 0.3 };
        double Loss(LossKind k) => new Robust { Kind = k }.LossGradient(w, x, y, LossKind.Squared, new double[2]);
        return new[] { Loss(LossKind.Squared), Loss(LossKind.Huber), Loss(LossKind.Cauchy) };");
            Assert.Equal(3, new System.Collections.Generic.HashSet<double>(r).Count);
        }
    }
}

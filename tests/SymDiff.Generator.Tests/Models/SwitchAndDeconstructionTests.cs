using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.LocalBuffers;
using Xunit;

namespace SymDiff.Generator.Tests.Models
{
    /// <summary>
    /// <c>switch</c> statements (constants, several labels, <c>default</c>, <c>case &gt; 2:</c>, inside a loop with
    /// <c>continue</c>) and tuple deconstruction (<c>var (a, b) = (...)</c>, a swap <c>(a, b) = (b, a)</c>), as users write
    /// them. Checked against central differences of the user's own method and closed forms.
    /// </summary>
    public sealed class SwitchAndDeconstructionTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class St
{
    [Differentiable]
    public static double Fit(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x)
    {
        var (a, b) = (p[0] * x[0], p[1] - x[1]);
        (a, b) = (b, a + b);
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            switch (i % 3)
            {
                case 0:
                    s += a * x[i];
                    break;
                case 1:
                    if (x[i] < 0)
                    {
                        continue;
                    }

                    s += Math.Exp(b * x[i]);
                    break;
                default:
                    s -= p[0] * p[1];
                    break;
            }
        }

        switch (x.Length)
        {
            case > 2:
                s += a * b;
                break;
        }

        return s;
    }

    [Differentiable]
    public static double Swap(double a, double b)
    {
        double x = a, y = b;
        (x, y) = (y, x);
        return y - 2 * x + a * b;
    }

    [Differentiable]
    public static double Act(double z, int kind) => kind switch
    {
        0 => Math.Tanh(z),
        1 => z > 0 ? z : 0.01 * z,
        > 5 => z * z,
        _ => 2 * z,
    };

    [Differentiable]
    public static double Pieces(double q)
    {
        int bucket = q < 0 ? -1 : (q < 1 ? 0 : 1);
        switch (bucket)
        {
            case -1:
                return q * q;
            case 0:
            case 2:
                return Math.Exp(q);
            default:
                return 3 * q;
        }
    }
}";

        [Fact]
        public void Switch_sections_become_an_if_chain_and_a_deconstruction_assigns_after_evaluating_every_value()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        [Theory]
        [InlineData("new[] { 0.3, -0.8, 1.2, 0.5 }")]
        [InlineData("new[] { 0.3, 0.8, -1.2, 0.5, 2.0 }")]
        [InlineData("new[] { 0.3, 0.8 }")]
        public void Gradient_backward_and_derivative_match_central_differences(string data) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "St", "Fit", "new[] { 0.7, -1.1 }", data);

        [Fact]
        public void A_swap_and_a_switch_with_returns_have_their_closed_form_derivatives()
        {
            // Swap: x = b, y = a after the swap, so the value is a - 2b + ab: gradient (1 + b, -2 + a).
            // Pieces: q^2 below 0, e^q on [0, 1), 3q from 1 on: derivatives 2q, e^q, 3.
            double[] r = GeneratedCode.RunDriver(Source, @"
        double v = St.SwapGradient(3.0, 5.0, out double da, out double db);
        var result = new System.Collections.Generic.List<double> { v, da, db };
        foreach (double q in new[] { -2.0, 0.5, 3.0 })
        {
            result.Add(St.PiecesGradient(q, out double dq));
            result.Add(dq);
            St.PiecesDerivative(q, 1.0, out double tq);
            result.Add(tq);
        }

        return result.ToArray();");
            Assert.Equal(new[] { 3.0 - 10.0 + 15.0, 6.0, 1.0 }, r.Take(3));
            Assert.Equal(new[] { 4.0, -4.0, -4.0 }, r.Skip(3).Take(3));
            Assert.Equal(new[] { Math.Exp(0.5), Math.Exp(0.5), Math.Exp(0.5) }, r.Skip(6).Take(3));
            Assert.Equal(new[] { 9.0, 3.0, 3.0 }, r.Skip(9).Take(3));
        }

        /// <summary>
        /// Patterns combined with <c>or</c>, <c>and</c> and <c>not</c> (a trial user's <c>2 or 3 =&gt;</c> was SD1000), in a
        /// switch expression, a case label and an <c>is</c> test: the arm C# takes, checked by the closed-form derivative.
        /// </summary>
        [Theory]
        [InlineData(0, 0.5, 0.5, 1.0)]             // 0 => x
        [InlineData(2, 0.5, 0.25 * 0.5, 3 * 0.25)] // 2 or 3 => x * x, then case > 1 and < 4: y *= x
        [InlineData(3, -2.0, -8.0, 12.0)]
        [InlineData(6, 0.5, 1.0, 0.0)]             // > 5 and not 9 => 1, then case not 0 and not 1: y = 1
        [InlineData(9, 0.5, 1.0, 0.0)]             // _ => x (9 is excluded), then y = 1
        [InlineData(1, 0.5, 2.0, 4.0)]             // _ => x, then x is > 0 and < 1: y += 3x (and no case)
        [InlineData(1, 1.5, 1.5, 1.0)]             // _ => x, outside (0, 1)
        public void Patterns_combined_with_or_and_not_take_the_arm_CSharp_takes(int k, double x, double value, double derivative)
        {
            const string source = @"
using System;
using SymDiff;
public static partial class Pt
{
    [Differentiable]
    public static double F(double x, int k)
    {
        double y = k switch
        {
            0 => x,
            2 or 3 => x * x,
            > 5 and not 9 => 1,
            _ => x,
        };
        if (x is > 0 and < 1 && k == 1)
        {
            y += 3 * x;
        }

        switch (k)
        {
            case > 1 and < 4:
                y *= x;
                break;
            case not 0 and not 1:
                y = 1;
                break;
        }

        return y;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, $"return new[] {{ Pt.FGradient({x.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}, {k}, out double dx), dx }};");
            Assert.Equal(value, r[0], 14);
            Assert.Equal(derivative, r[1], 14);
        }

        [Fact]
        public void A_switch_expression_takes_the_first_matching_arm()
        {
            // Act at z = -0.5: kind 0 tanh (1 - tanh^2), kind 1 leaky ReLU (0.01), kind 7 z^2 (2z), kind 3 the discard 2z (2).
            double[] r = GeneratedCode.RunDriver(Source, @"
        var result = new System.Collections.Generic.List<double>();
        foreach (int kind in new[] { 0, 1, 7, 3 })
        {
            result.Add(St.ActGradient(-0.5, kind, out double dz));
            result.Add(dz);
        }

        return result.ToArray();");
            double t = Math.Tanh(-0.5);
            Assert.Equal(new[] { t, 1 - (t * t), -0.005, 0.01, 0.25, -1.0, -1.0, 2.0 }, r);
        }

        [Theory]
        [InlineData("case 0: s = x; if (x > 1) break; s += 1; break; default: break;", "A 'break' or 'goto' before the end of a switch section")]
        [InlineData("case 0 when x > 1: s = x; break;", "This case label")]
        [InlineData("case 0: s = x; break; case 1: goto case 0;", "A 'break' or 'goto' before the end of a switch section")]
        [InlineData("default: s = n switch { 0 => x, 1 => 2 * x }; break;", "A switch expression without a final '_ =>' arm")]
        public void A_switch_the_if_chain_cannot_express_is_SD1000_naming_the_construct(string sections, string what)
        {
            var output = GeneratorRunner.Run(@"
using SymDiff;
public static partial class B
{
    [Differentiable]
    public static double F(double x, int n)
    {
        double s = 0;
        switch (n)
        {
            " + sections + @"
        }

        return s;
    }
}");
            var diagnostic = Assert.Single(output.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
            Assert.Equal("SD1000", diagnostic.Id);
            Assert.Contains(what, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
    }
}

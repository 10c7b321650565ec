using System.Threading.Tasks;
using Microsoft.CodeAnalysis.Testing;
using SymDiff.Analyzers.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Analyzers.Tests.Rules
{
    /// <summary>SD2007: the forgotten [NoGrad], seen at a call to a generated method that lacks gradient arguments (CS7036).</summary>
    public sealed class SD2007_MissingGradientArgumentsTests
    {
        private const string Id = "SD2007";

        private const string Fit = @"
public static partial class Fit
{
    [SymDiff.Differentiable]
    public static double Loss(double w, System.ReadOnlySpan<double> x, System.ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = y[i] - w * x[i];
            s += r * r;
        }

        return s;
    }

    [SymDiff.Differentiable]
    public static double Scaled(double w, double scale) => w * scale;

    [SymDiff.Differentiable(nameof(w))]
    public static double Chosen(double w, double scale) => w * scale;
}
";

        [Fact]
        public Task Calls_that_leave_out_the_gradients_of_default_differentiated_parameters_are_explained() => Verifier.DiagnosticsAsync(@"
public static class Training
{
    public static double Train(double[] xs, double[] ys)
    {
        double value = Fit.{|#0:LossGradient|}(1.0, xs, ys, out double dw);
        double dw2 = 0;
        Fit.{|#1:ScaledBackward|}(1.0, 2.0, 1.0, ref dw2);
        return value + dw + dw2;
    }
}
" + Fit,
            DiagnosticResult.CompilerError("CS7036").WithLocation(0),
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("LossGradient", "'x' and 'y'", "Loss", "are", "them"),
            DiagnosticResult.CompilerError("CS7036").WithLocation(1),
            Verifier.Diagnostic(Id).WithLocation(1).WithArguments("ScaledBackward", "'scale'", "Scaled", "is", "it"));

        [Fact]
        public Task Complete_calls_chosen_parameters_and_other_errors_are_silent() => Verifier.DiagnosticsAsync(@"
using System;

public static class Training
{
    public static double Train(double[] xs, double[] ys)
    {
        double[] dx = new double[xs.Length], dy = new double[ys.Length];
        double value = Fit.LossGradient(1.0, xs, ys, out double dw, dx, dy);
        double chosen = Fit.{|#0:ChosenGradient|}(1.0, 2.0);
        double wrong = Fit.{|#1:ScaledGradient|}(1.0);
        return value + dw + chosen + wrong;
    }
}
" + Fit,
            DiagnosticResult.CompilerError("CS7036").WithLocation(0),
            DiagnosticResult.CompilerError("CS7036").WithLocation(1));

        [Fact]
        public Task A_call_that_gives_no_gradient_buffer_lost_an_earlier_argument_and_is_left_to_the_compiler() => Verifier.DiagnosticsAsync(@"
using System;

public static class Solver
{
    public static void Step(double[] theta, double[] len, double[] g)
    {
        // TipBackward(theta, len, tip, seed, dTheta): the output span 'tip' is missing, so g lands on the seed and
        // dTheta looks missing; marking theta [NoGrad] would be the wrong advice.
        Arm.{|#0:TipBackward|}(theta, len, new double[] { 1.0, -2.0 }, g);
    }
}

public static partial class Arm
{
    [SymDiff.Differentiable]
    public static void Tip(ReadOnlySpan<double> theta, [SymDiff.NoGrad] ReadOnlySpan<double> len, Span<double> tip)
    {
        double x = 0, y = 0;
        for (int i = 0; i < theta.Length; i++)
        {
            x += len[i] * Math.Cos(theta[i]);
            y += len[i] * Math.Sin(theta[i]);
        }

        tip[0] = x;
        tip[1] = y;
    }
}
",
            DiagnosticResult.CompilerError("CS7036").WithLocation(0));
    }
}

using System.Threading.Tasks;
using SymDiff.Analyzers.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Analyzers.Tests.Rules
{
    /// <summary>SD1002: Floor, Ceiling, Round, Truncate or Sign of a value that depends on a differentiated parameter.</summary>
    public sealed class SD1002_PiecewiseConstantTests
    {
        private const string Id = "SD1002";

        [Fact]
        public Task Each_piecewise_constant_function_of_an_active_value_is_reported_at_the_call() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Quantize(double w, [NoGrad] double x)
    {
        double scaled = w * 10;
        double a = {|SD1002:Math.Floor(scaled)|} / 10;
        double b = {|SD1002:Math.Ceiling(w)|} + {|SD1002:Math.Round(w * x)|};
        double c = {|SD1002:double.Truncate(scaled)|} * {|SD1002:Math.Sign(w - x)|};
        return w * x + a + b + c;
    }

    [Differentiable]
    public static float QuantizeF(float w) => {|#0:MathF.Round(w)|} + w;
}
",
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("MathF.Round"));

        [Fact]
        public Task Activity_flows_through_loops_and_other_differentiable_calls() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Twice(double v) => 2 * v;

    [Differentiable]
    public static double Steps(double w, [NoGrad] int n)
    {
        double s = 0;
        double t = 0;
        for (int i = 0; i < n; i++)
        {
            s += {|SD1002:Math.Floor(t)|};
            t = Twice(w) + i;
        }

        return s + w;
    }
}
");

        [Fact]
        public Task Data_detached_values_and_integers_are_silent() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Bin(double w, [NoGrad] double x, [NoGrad] int n)
    {
        double bucket = Math.Floor(x * 4);
        double frozen = Math.Round(Grad.Detach(w));
        double half = Math.Truncate(n / 2.0);
        int sign = Math.Sign(n);
        return w * (bucket + frozen + half + sign);
    }

    // The straight-through estimator: rounded forward value, identity gradient.
    [Differentiable]
    public static double StraightThrough(double w, [NoGrad] double x)
    {
        double z = w * x;
        return z + Grad.Detach(Math.Round(z) - z);
    }

    // A floored active value used as a table index: the cast to int cuts the gradient on purpose.
    [Differentiable]
    public static double Table(double t, [NoGrad] double[] knots)
    {
        int i = (int)Math.Floor(t);
        return knots[i] * t + knots[(int)Math.Round(t * 2)];
    }

    // Not differentiable: nothing to warn about.
    public static double Plain(double w) => Math.Floor(w);
}
");
    }
}

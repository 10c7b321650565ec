using System.Threading.Tasks;
using SymDiff.Analyzers.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Analyzers.Tests.Rules
{
    /// <summary>SD1003: a differentiated parameter that cannot influence the result, so its gradient is always zero.</summary>
    public sealed class SD1003_NoInfluenceTests
    {
        private const string Id = "SD1003";

        [Fact]
        public Task A_parameter_never_read_is_reported_at_the_parameter() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Square(double a, double {|SD1003:b|}) => a * a;
}
");

        [Fact]
        public Task Reads_that_carry_no_gradient_do_not_count() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Detached(double a, double {|SD1003:b|}) => a * Grad.Detach(b);

    [Differentiable]
    public static double Branch(double a, double {|SD1003:b|})
    {
        if (b > 0)
        {
            return a;
        }

        return -a;
    }

    [Differentiable]
    public static double Index(double a, double {|SD1003:b|}, [NoGrad] double[] table) => a * table[(int)b];

    [Differentiable]
    public static double Stepped(double a, double {|SD1003:b|}) => a * {|SD1002:Math.Floor(b)|};
}
");

        [Fact]
        public Task Gradient_cut_at_a_call_is_seen() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Scale(double p, [NoGrad] double q) => p * q;

    [Differentiable]
    public static double Outer(double a, double {|SD1003:b|}) => {|SD1005:Scale(a, b)|};
}
");

        [Fact]
        public Task Vector_function_outputs_are_the_result() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static void Pair(double w, double {|SD1003:unused|}, double v, Span<double> y)
    {
        y[0] = w;
        y[1] = 2 * y[0] + v;
    }
}
");

        [Fact]
        public Task Parameters_that_reach_the_result_or_are_not_differentiated_are_silent() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static partial class Model
{
    [Differentiable(nameof(a))]
    public static double Wrt(double a, double b) => a * a;

    [Differentiable]
    public static double Data(double a, [NoGrad] double b, [NoGrad] ReadOnlySpan<double> x) => a;

    [Differentiable]
    public static double Loop(double a, ReadOnlySpan<double> w, [NoGrad] int n)
    {
        double s = 0;
        double carry = 0;
        for (int i = 0; i < n; i++)
        {
            s += carry;
            carry = a * w[i];
        }

        return s;
    }

    [Differentiable]
    public static double Selected(double a, double b, [NoGrad] bool useB) => useB ? b : a;
}
");
    }
}

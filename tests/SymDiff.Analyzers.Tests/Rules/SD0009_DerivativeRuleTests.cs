using System.Threading.Tasks;
using SymDiff.Analyzers.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Analyzers.Tests.Rules
{
    /// <summary>
    /// The [DerivativeOf] checks: SD0009 target exists, SD0010 parameters match, SD0011 return type, SD0012 static.
    /// </summary>
    public sealed class SD0009_DerivativeRuleTests
    {
        private const string Functions = @"
public static class MyMath
{
    public static double Softplus(double x) => System.Math.Log(1 + System.Math.Exp(x));

    public static double Hypot(double x, double y) => System.Math.Sqrt(x * x + y * y);

    public static float SoftplusF(float x) => System.MathF.Log(1 + System.MathF.Exp(x));
}
";

        [Fact]
        public Task SD0009_a_missing_function_is_reported_at_the_name() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Rules
{
    [DerivativeOf(typeof(MyMath), {|#0:""Softplux""|})]
    public static double SoftplusDerivative(double x) => 1 / (1 + System.Math.Exp(-x));
}
" + Functions,
            Verifier.Diagnostic("SD0009").WithLocation(0).WithArguments("MyMath", "Softplux"));

        [Fact]
        public Task SD0010_parameters_that_match_no_overload_are_reported_at_the_rule() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Rules
{
    [DerivativeOf(typeof(MyMath), nameof(MyMath.Softplus))]
    public static double {|#0:SoftplusDerivative|}(float x) => 1 / (1 + System.Math.Exp(-x));

    [DerivativeOf(typeof(MyMath), nameof(MyMath.Hypot))]
    public static (double, double) {|SD0010:HypotDerivative|}(double x) => (x, x);
}
" + Functions,
            Verifier.Diagnostic("SD0010").WithLocation(0).WithArguments("SoftplusDerivative", "float", "MyMath.Softplus", "(double)"));

        [Fact]
        public Task SD0011_a_wrong_return_type_is_reported_at_the_return_type() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Rules
{
    [DerivativeOf(typeof(MyMath), nameof(MyMath.Hypot))]
    public static {|#0:double|} HypotDerivative(double x, double y) => x + y;

    [DerivativeOf(typeof(MyMath), nameof(MyMath.SoftplusF))]
    public static {|SD0011:double|} SoftplusFDerivative(float x) => x;

    [DerivativeOf(typeof(MyMath), nameof(MyMath.Softplus))]
    public static {|SD0011:(double, double)|} SoftplusDerivative(double x) => (x, x);
}
" + Functions,
            Verifier.Diagnostic("SD0011").WithLocation(0).WithArguments("HypotDerivative", "double", "MyMath.Hypot", "'(double, double)', one partial derivative per argument in argument order"));

        [Fact]
        public Task SD0012_an_instance_rule_is_reported_at_its_name() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public sealed class Rules
{
    [DerivativeOf(typeof(MyMath), nameof(MyMath.Softplus))]
    public double {|#0:SoftplusDerivative|}(double x) => 1 / (1 + System.Math.Exp(-x));
}
" + Functions,
            Verifier.Diagnostic("SD0012").WithLocation(0).WithArguments("SoftplusDerivative"));

        [Fact]
        public Task Correct_rules_are_silent_and_used_by_the_generator() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Rules
{
    [DerivativeOf(typeof(MyMath), nameof(MyMath.Softplus))]
    internal static double SoftplusDerivative(double x) => 1 / (1 + System.Math.Exp(-x));

    [DerivativeOf(typeof(MyMath), nameof(MyMath.Hypot))]
    public static (double, double) HypotDerivative(double x, double y) => (x / MyMath.Hypot(x, y), y / MyMath.Hypot(x, y));

    [DerivativeOf(typeof(MyMath), nameof(MyMath.SoftplusF))]
    public static float SoftplusFDerivative(float x) => 1 / (1 + System.MathF.Exp(-x));
}

public static partial class Model
{
    [Differentiable]
    public static double Loss(double w, double b) => MyMath.Softplus(w) + MyMath.Hypot(w, b);
}
" + Functions);
    }
}

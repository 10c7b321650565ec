using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Models
{
    /// <summary>
    /// API.md 9, guards: argument checks at the top of a differentiable body (<c>if (...) throw ...;</c>, and a
    /// <c>return c ? value : throw ...;</c> or <c>=&gt; c ? value : throw ...</c>) run in every generated method, after the
    /// buffer-length and aliasing checks and before anything is written, and throw what the method throws.
    /// </summary>
    public sealed class GuardTests
    {
        private const string Source = @"
using System;
using SymDiff;
using static System.Math;
using Ex = System.ArgumentOutOfRangeException;

public static partial class Guarded
{
    [Differentiable(Hessian = true)]
    public static double F(double x, double[] v)
    {
        if (v.Length == 0) throw new ArgumentException(""v must not be empty"", nameof(v));
        if (x < 0)
        {
            throw new Ex(nameof(x), x, $""x must be non-negative, got {x}"");
        }

        double s = 0;
        for (int i = 0; i < v.Length; i++)
        {
            s += v[i] * v[i];
        }

        return s * Sqrt(x);
    }

    [Differentiable]
    public static double Root(double x) => x >= 0 ? Math.Sqrt(x) : throw new ArgumentOutOfRangeException(nameof(x), ""negative"");

    [Differentiable]
    public static void Scale(double k, ReadOnlySpan<double> x, Span<double> y)
    {
        if (y.Length != x.Length) throw new ArgumentException(""y and x differ in length"", nameof(y));
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = k * x[i];
        }
    }
}";

        [Fact]
        public void Guards_come_after_the_buffer_checks_in_every_generated_method()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        /// <summary>
        /// Each generated method, called with inputs a guard rejects, throws what the user's own method throws for them
        /// (type, message, parameter name), and writes nothing: the gradient buffers keep their 7s.
        /// </summary>
        [Theory]
        [InlineData("Guarded.F(-1, v)", "Guarded.FGradient(-1, v, out double dx, g)")]
        [InlineData("Guarded.F(-1, v)", "double dx = 7; Guarded.FBackward(-1, v, 1.0, ref dx, g)")]
        [InlineData("Guarded.F(-1, v)", "Guarded.FDerivative(-1, v, 1.0, v, out double d)")]
        [InlineData("Guarded.F(-1, v)", "Guarded.FHessian(-1, v, h)")]
        [InlineData("Guarded.F(-1, v)", "Guarded.FHessianVectorProduct(-1, v, new double[3], g3)")]
        [InlineData("Guarded.F(2, empty)", "Guarded.FGradient(2, empty, out double dx, empty)")]
        [InlineData("Guarded.Root(-4)", "Guarded.RootGradient(-4, out double d)")]
        [InlineData("Guarded.Root(-4)", "double d = 7; Guarded.RootBackward(-4, 1.0, ref d)")]
        [InlineData("Guarded.Scale(2, v, y3)", "Guarded.ScaleJacobian(2, v, y3, jac)")]
        [InlineData("Guarded.Scale(2, v, y3)", "Guarded.ScaleBackward(2, v, y3, g3, ref k, g)")]
        public void A_rejected_input_throws_what_the_method_throws_and_writes_nothing(string user, string generated)
        {
            double[] r = GeneratedCode.RunDriver(Source, $@"
        double[] v = {{ 1.0, 2.0 }};
        double[] empty = new double[0];
        double[] g = {{ 7.0, 7.0 }};
        double[] g3 = {{ 7.0, 7.0, 7.0 }};
        double[] h = {{ 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0 }};
        double[] y3 = {{ 7.0, 7.0, 7.0 }};
        double[] jac = new double[9];
        double k = 7;
        string expected = """", actual = """";
        try {{ {user}; }} catch (Exception e) {{ expected = e.GetType().FullName + ""|"" + e.Message + ""|"" + (e as ArgumentException)?.ParamName; }}
        try {{ {generated}; }} catch (Exception e) {{ actual = e.GetType().FullName + ""|"" + e.Message + ""|"" + (e as ArgumentException)?.ParamName; }}
        bool untouched = System.Linq.Enumerable.All(g, z => z == 7) && System.Linq.Enumerable.All(g3, z => z == 7) && System.Linq.Enumerable.All(h, z => z == 7) && System.Linq.Enumerable.All(y3, z => z == 7) && k == 7;
        return new[] {{ expected.Length > 0 ? 1.0 : 0, expected == actual ? 1.0 : 0, untouched ? 1.0 : 0 }};");
            Assert.Equal(new[] { 1.0, 1.0, 1.0 }, r);
        }

        /// <summary>
        /// A throw helper as the check (<c>ArgumentOutOfRangeException.ThrowIfNegative(n)</c>, what CA1512 asks for; a trial
        /// user's was SD1000): every generated method throws what the user's does, message and parameter name included
        /// (the helper names the argument from the expression it was called with), and a call of such a method whose value
        /// is not used is still made.
        /// </summary>
        [Theory]
        [InlineData("Helpers.Poly(0.5, -1)", "Helpers.PolyGradient(0.5, -1, out double d)")]
        [InlineData("Helpers.Poly(0.5, -1)", "Helpers.PolyDerivative(0.5, -1, 1.0, out double d)")]
        [InlineData("Helpers.Poly(0.5, 7)", "Helpers.PolyGradient(0.5, 7, out double d)")]
        [InlineData("Helpers.Outer(0.5, -2)", "Helpers.OuterGradient(0.5, -2, out double d)")]
        public void A_throw_helper_guard_throws_what_the_method_throws(string user, string generated)
        {
            const string source = @"
using System;
using SymDiff;
public static partial class Helpers
{
    [Differentiable]
    public static double Poly(double x, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, 5);
        double s = 1;
        for (int i = 0; i < n; i++)
        {
            s = s * x + 1;
        }

        return s;
    }

    // The helper's value is not used: its call must stay, for its check.
    [Differentiable]
    public static double Outer(double x, int n)
    {
        double unused = Poly(x, n);
        return x * x;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, $@"
        string expected = """", actual = """";
        try {{ {user}; }} catch (Exception e) {{ expected = e.GetType().FullName + ""|"" + e.Message + ""|"" + (e as ArgumentException)?.ParamName; }}
        try {{ {generated}; }} catch (Exception e) {{ actual = e.GetType().FullName + ""|"" + e.Message + ""|"" + (e as ArgumentException)?.ParamName; }}
        Helpers.PolyGradient(0.5, 3, out double d3);
        return new[] {{ expected.Length > 0 ? 1.0 : 0, expected == actual ? 1.0 : 0, d3 }};");
            // Poly(x, 3) = x^3 + x^2 + x + 1: derivative 3x^2 + 2x + 1 = 2.75 at x = 0.5.
            Assert.Equal(new[] { 1.0, 1.0, 2.75 }, r);
        }

        [Fact]
        public void A_wrong_buffer_length_is_reported_before_a_guard()
        {
            double[] r = GeneratedCode.RunDriver(Source, @"
        string name = """";
        try { Guarded.FGradient(-1, new double[] { 1, 2 }, out double dx, new double[3]); }
        catch (ArgumentException e) { name = e.ParamName ?? """"; }
        return new[] { name == ""dV"" ? 1.0 : 0 };");
            Assert.Equal(new[] { 1.0 }, r);
        }

        [Fact]
        public void Accepted_inputs_get_the_closed_form_gradient()
        {
            // F = |v|^2 sqrt(x): dF/dx = |v|^2 / (2 sqrt x), dF/dv_i = 2 v_i sqrt x; Root' = 1 / (2 sqrt x).
            double[] r = GeneratedCode.RunDriver(Source, @"
        double[] g = new double[2];
        double value = Guarded.FGradient(4, new double[] { 1, 2 }, out double dx, g);
        Guarded.RootGradient(4, out double dr);
        return new[] { value, dx, g[0], g[1], dr };");
            Assert.Equal(new[] { 5 * 2.0, 5 / 4.0, 2 * 1 * 2.0, 2 * 2 * 2.0, 0.25 }, r);
        }

        [Fact]
        public void A_throw_after_other_statements_is_SD1000()
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class Late
{
    [Differentiable]
    public static double F(double x)
    {
        double y = x * x;
        if (y > 4) throw new ArgumentOutOfRangeException(nameof(x));
        return y;
    }
}");
            var diagnostic = Assert.Single(output.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
            Assert.Equal("SD1000", diagnostic.Id);
            Assert.Contains("A throw other than an argument check at the top of the method", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
    }
}

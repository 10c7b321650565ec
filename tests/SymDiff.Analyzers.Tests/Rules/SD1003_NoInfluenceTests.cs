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
    public static double Square(double a, double {|#0:b|}) => a * a;

    [Differentiable]
    public static double Sign(double a, double {|#1:b|}) => b > 0 ? a : -a;
}
",
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("b", "Square", "it is never read"),
            Verifier.Diagnostic(Id).WithLocation(1).WithArguments("b", "Sign", "it is used only where no gradient flows: in conditions, comparisons, integer conversions, Grad.Detach or piecewise-constant functions"));

        /// <summary>
        /// Tuple deconstruction of a tuple literal (README: supported): each variable from its element. A trial program
        /// got SD1003 for both parameters of <c>var (a, b) = (s * z, s - z); return a + b;</c>.
        /// </summary>
        [Fact]
        public Task Parameters_that_reach_the_result_through_a_deconstruction_are_not_reported() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static partial class Tuples
{
    [Differentiable]
    public static double Var(double s, double z)
    {
        var (a, b) = (s * z, s - z);
        return a + b;
    }

    [Differentiable]
    public static double Typed(double s, double z)
    {
        (double a, double b) = (s, z);
        return a * 2.0 + b;
    }

    [Differentiable]
    public static double Swap(double s, double z)
    {
        double a = s, b = 1.0;
        (a, b) = (b, a);
        return b + z * a;
    }

    // Only the element that is not used reads z: z is still reported.
    [Differentiable]
    public static double Dropped(double s, double {|#0:z|})
    {
        var (a, b) = (s * 2.0, z * 3.0);
        return a;
    }
}
",
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("z", "Dropped", "it is used only where no gradient flows: in conditions, comparisons, integer conversions, Grad.Detach or piecewise-constant functions"));

        [Fact]
        public Task A_parameter_that_reaches_the_result_through_a_vector_function_is_not_reported() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static partial class Layers
{
    [Differentiable]
    public static void Dense(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, Span<double> y)
    {
        for (int o = 0; o < y.Length; o++)
        {
            double z = 0;
            for (int i = 0; i < x.Length; i++) z += w[o * x.Length + i] * x[i];
            y[o] = Math.Tanh(z);
        }
    }

    [Differentiable]
    public static double Loss(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[2];
        Dense(w, x, h);
        return h[0] + h[1];
    }

    [Differentiable]
    public static void Twice(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, Span<double> y) => Dense(w, x, y);

    // Only the data reaches the layer's output: v is still reported.
    [Differentiable]
    public static double Unused(ReadOnlySpan<double> w, double {|#0:v|}, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[2];
        Dense(w, x, h);
        return h[0] + Math.Floor(v);
    }
}
",
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("v", "Unused", "it is used only where no gradient flows: in conditions, comparisons, integer conversions, Grad.Detach or piecewise-constant functions"),
            Verifier.Diagnostic("SD1002").WithSpan(35, 23, 35, 36).WithArguments("Math.Floor"));

        [Fact]
        public Task A_parameter_that_reaches_the_result_only_through_views_is_not_reported() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static partial class Views
{
    [Differentiable]
    public static double Dot(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        double a = 0;
        for (int k = 0; k < x.Length; k++)
        {
            a += w[k] * x[k];
        }

        return a;
    }

    [Differentiable]
    public static double Head(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x) => Dot(w.Slice(0, x.Length), x);

    [Differentiable]
    public static double Pair(ReadOnlySpan<double> p)
    {
        ReadOnlySpan<double> head = p.Slice(0, 2);
        return head[0] * head[1];
    }

    [Differentiable]
    public static double Tail(ReadOnlySpan<double> p)
    {
        ReadOnlySpan<double> tail = p[1..];
        double s = 0;
        foreach (var t in tail)
        {
            s += t * t;
        }

        return s;
    }

    [Differentiable]
    public static double Part(double[] a, [NoGrad] double[] x, double {|#0:b|}) => Dot(a.AsSpan(1, 2), x) + (b > 0 ? 1.0 : 0.0);
}
",
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("b", "Part", "it is used only where no gradient flows: in conditions, comparisons, integer conversions, Grad.Detach or piecewise-constant functions"));

        [Fact]
        public Task A_parameter_that_reaches_the_result_through_a_local_buffer_is_not_reported() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Layer(ReadOnlySpan<double> w, ReadOnlySpan<double> v, [NoGrad] double x)
    {
        Span<double> h = stackalloc double[2];
        double[] z = new double[2];
        for (int j = 0; j < 2; j++)
        {
            h[j] = Math.Tanh(w[j] * x);
            z[j] = v[j] * h[j];
        }

        return z[0] + z[1];
    }

    [Differentiable]
    public static double Unused(ReadOnlySpan<double> w, double {|#0:b|})
    {
        Span<double> h = stackalloc double[2];
        h[0] = w[0];
        h[1] = b > 0 ? 1.0 : 2.0;
        return h[0];
    }
}
",
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("b", "Unused", "it is used only where no gradient flows: in conditions, comparisons, integer conversions, Grad.Detach or piecewise-constant functions"));

        [Fact]
        public Task A_parameter_stored_through_views_of_a_local_buffer_is_not_reported() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Halves(ReadOnlySpan<double> p)
    {
        Span<double> z = stackalloc double[8];
        Span<double> top = z.Slice(0, 4);
        Span<double> bottom = z[4..];
        for (int j = 0; j < 4; j++)
        {
            top[j] = p[j] * p[j];
        }

        for (int j = 0; j < 4; j++)
        {
            bottom[j] = 3.0 * p[j];
        }

        double s = 0;
        for (int j = 0; j < z.Length; j++)
        {
            s += z[j];
        }

        return s;
    }

    [Differentiable]
    public static double ViewUnread(ReadOnlySpan<double> p, double {|#0:b|})
    {
        Span<double> z = stackalloc double[2];
        Span<double> other = stackalloc double[2];
        Span<double> view = other.Slice(0, 1);
        view[0] = b;
        z[0] = p[0];
        return z[0];
    }
}
",
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("b", "ViewUnread", "it is used only where no gradient flows: in conditions, comparisons, integer conversions, Grad.Detach or piecewise-constant functions"));

        [Fact]
        public Task Not_reported_for_a_method_the_generator_rejects() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public sealed class Box
{
    public Box(double v) => V = v;

    public double V { get; }
}

public static partial class Model
{
    [Differentiable]
    public static double Switched(double a, double b) => b switch { {|#0:> 0 when a > 1 => a * b|}, _ => a };

    [Differentiable]
    public static double Boxed(double a, double b)
    {
        Box {|#1:box = new Box(b)|};
        return a * box.V;
    }

    [Differentiable]
    public static {|#2:int|} Rounded(double a, double b) => (int)a;
}
",
            Verifier.Diagnostic("SD1000").WithLocation(0).WithArguments("A switch arm with a 'when' guard", " (use ?: or if/else)"),
            Verifier.Diagnostic("SD1000").WithLocation(1).WithArguments("A local of type 'Box'", " (locals are double, float, int or bool scalars, span views of parameters, and local buffers: Span<T> h = stackalloc T[n] or T[] h = new T[n], T double or float; an object of your own is not created inside the method: pass the 'Box' as a parameter, or hold it in a field, and call its methods from there)"),
            Verifier.Diagnostic("SD0003").WithLocation(2).WithArguments("Rounded", "int", string.Empty));

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

        // User study: the reason did not say that the only use was an argument the callee does not differentiate.
        [Fact]
        public Task A_parameter_passed_only_to_a_parameter_the_callee_does_not_differentiate_says_so() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double H(double a, [NoGrad] double p) => a * a + p;

    [Differentiable(nameof(a))]
    public static double K(double a, double q) => a * q;

    [Differentiable]
    public static double G(double a, double {|#0:b|}) => {|SD1005:H(a, b)|};

    [Differentiable]
    public static double Both(double a, double {|#1:b|}) => {|SD1005:H(a, b)|} + {|SD1005:K(a, 2 * b)|};

    [Differentiable]
    public static double Mixed(double a, double {|#2:b|}) => b > 0 ? {|SD1005:H(a, b)|} : a;
}
",
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("b", "G", "it is passed to parameter 'p' of 'H', which 'H' does not differentiate ([NoGrad])"),
            Verifier.Diagnostic(Id).WithLocation(1).WithArguments("b", "Both", "it is passed to parameter 'p' of 'H', which 'H' does not differentiate ([NoGrad]) and to parameter 'q' of 'K', which 'K' does not differentiate (not named in its [Differentiable(...)])"),
            Verifier.Diagnostic(Id).WithLocation(2).WithArguments("b", "Mixed", "it is passed to parameter 'p' of 'H', which 'H' does not differentiate ([NoGrad]); elsewhere it is used only where no gradient flows: in conditions, comparisons, integer conversions, Grad.Detach or piecewise-constant functions"));

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

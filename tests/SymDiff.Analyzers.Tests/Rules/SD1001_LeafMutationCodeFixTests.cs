using System.Threading.Tasks;
using SymDiff.Analyzers.CodeFixes;
using SymDiff.Analyzers.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Analyzers.Tests.Rules
{
    /// <summary>
    /// SD1001: the generator's parser finds every write to a leaf parameter (the method gets throwing stubs), and the
    /// analyzer reports each one, the generator none (so dotnet format can apply the fix). The code fix copies the leaf
    /// parameter into a local and uses the local from the first write on.
    /// </summary>
    public sealed class SD1001_LeafMutationCodeFixTests
    {
        private const string Id = "SD1001";

        [Fact]
        public Task Every_write_to_every_leaf_is_reported_once() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static partial class Model
{
    public static double Bump(ref double v) { v += 1; return v; }

    [Differentiable]
    public static double Loss(double w, double b, double[] v, [NoGrad] double x)
    {
        {|#0:w = Math.Clamp(w, -1, 1)|};
        {|#1:w += x|};
        {|#2:b++|};
        {|#3:v[0] = 1|};
        double y = Bump({|#4:ref b|});
        ref double {|#5:r = ref v[1]|};
        x = 2 * x;
        return w * x + b * y + v[0];
    }
}
",
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("w"),
            Verifier.Diagnostic(Id).WithLocation(1).WithArguments("w"),
            Verifier.Diagnostic(Id).WithLocation(2).WithArguments("b"),
            Verifier.Diagnostic(Id).WithLocation(3).WithArguments("v"),
            Verifier.Diagnostic(Id).WithLocation(4).WithArguments("b"),
            Verifier.Diagnostic(Id).WithLocation(5).WithArguments("v"));

        [Fact]
        public Task A_deconstruction_into_leaves_is_SD1001_for_each_not_an_internal_error() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Swap(double a, double b, [NoGrad] double x)
    {
        {|#0:(a, b) = (b, a + 0.5 * b)|};
        double c;
        (c, x) = (a, b);
        return a * b * b + c * x;
    }
}
",
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("a"),
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("b"));

        [Fact]
        public Task A_partial_method_is_checked_in_its_implementing_part_once_wherever_the_attribute_is() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static partial double Declared(double w, double unused);

    public static partial double Declared(double w, double unused)
    {
        {|#1:w *= 2|};
        return w;
    }

    public static partial double Implemented(double w);

    [Differentiable]
    public static partial double Implemented(double w)
    {
        return w * w;
    }
}
",
            Verifier.Diagnostic(Id).WithLocation(1).WithArguments("w"));

        [Fact]
        public Task A_write_after_an_unsupported_construct_is_reported_with_it() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Loss(double w)
    {
        object {|#0:o = new object()|};
        {|#1:w *= 2|};
        return w;
    }
}
",
            Verifier.Diagnostic("SD1000").WithLocation(0).WithArguments("A local of type 'object'", " (locals are double, float, int or bool scalars, span views of parameters, and local buffers: Span<T> h = stackalloc T[n] or T[] h = new T[n], T double or float)"),
            Verifier.Diagnostic(Id).WithLocation(1).WithArguments("w"));

        [Fact]
        public Task Writing_a_NoGrad_parameter_or_a_local_is_silent() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Loss(double w, [NoGrad] double x)
    {
        x = x * 2;
        double v = w;
        v += 1;
        return v * x;
    }
}
");

        [Fact]
        public Task Fix_copies_the_parameter_and_uses_the_copy_from_the_first_write_on() => Verifier.CodeFixAsync<LeafMutationCodeFix>(@"
using System;
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Loss(double w, [NoGrad] double x)
    {
        double y = w * x;
        {|SD1001:w = Math.Clamp(w, -1, 1)|};
        return w * y;
    }
}
", @"
using System;
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Loss(double w, [NoGrad] double x)
    {
        double wLocal = w;
        double y = w * x;
        wLocal = Math.Clamp(wLocal, -1, 1);
        return wLocal * y;
    }
}
");

        [Fact]
        public Task Fix_uses_the_copy_in_the_whole_loop_that_holds_the_write() => Verifier.CodeFixAsync<LeafMutationCodeFix>(@"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static float Decay(float w, [NoGrad] int steps)
    {
        float s = 0;
        for (int i = 0; i < steps; i++)
        {
            s += w;
            {|SD1001:w *= 0.5f|};
        }

        return s;
    }
}
", @"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static float Decay(float w, [NoGrad] int steps)
    {
        float wLocal = w;
        float s = 0;
        for (int i = 0; i < steps; i++)
        {
            s += wLocal;
            wLocal *= 0.5f;
        }

        return s;
    }
}
");

        [Fact]
        public Task Fix_picks_a_name_that_is_free() => Verifier.CodeFixAsync<LeafMutationCodeFix>(@"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Next(double w)
    {
        double wLocal = 2;
        {|SD1001:w++|};
        return w * wLocal;
    }
}
", @"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Next(double w)
    {
        double wLocal2 = w;
        double wLocal = 2;
        wLocal2++;
        return wLocal2 * wLocal;
    }
}
");

        [Fact]
        public Task No_fix_is_offered_for_an_array_element()
        {
            // The fixed code is the source itself: the library checks that no fix is offered (or that it changes nothing).
            const string Source = @"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Sum(double[] v)
    {
        {|SD1001:v[0] = 1|};
        return v[0] + v[1];
    }
}
";
            return Verifier.CodeFixAsync<LeafMutationCodeFix>(Source, Source);
        }

        [Fact]
        public Task Fix_all_copies_every_parameter_of_a_method_in_one_edit_in_every_scope() => Verifier.CodeFixInSolutionAsync<LeafMutationCodeFix>(
            new[]
            {
                (@"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Loss(double w, double b)
    {
        {|SD1001:w *= 2|};
        {|SD1001:b += w|};
        {|SD1001:w += 1|};
        return w * b;
    }
}
", @"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Loss(double w, double b)
    {
        double wLocal = w;
        double bLocal = b;
        wLocal *= 2;
        bLocal += wLocal;
        wLocal += 1;
        return wLocal * bLocal;
    }
}
"),
                (@"
using SymDiff;

public static partial class Other
{
    [Differentiable]
    public static float Step(float a)
    {
        {|SD1001:a -= 1|};
        return a * a;
    }
}
", @"
using SymDiff;

public static partial class Other
{
    [Differentiable]
    public static float Step(float a)
    {
        float aLocal = a;
        aLocal -= 1;
        return aLocal * aLocal;
    }
}
"),
            },
            new[]
            {
                (@"
using SymDiff;

public static partial class Third
{
    [Differentiable]
    public static double Halve(double x)
    {
        {|SD1001:x /= 2|};
        return x;
    }
}
", @"
using SymDiff;

public static partial class Third
{
    [Differentiable]
    public static double Halve(double x)
    {
        double xLocal = x;
        xLocal /= 2;
        return xLocal;
    }
}
"),
            });
    }
}

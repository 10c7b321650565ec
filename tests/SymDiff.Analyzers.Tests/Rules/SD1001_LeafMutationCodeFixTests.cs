using System.Threading.Tasks;
using SymDiff.Analyzers.CodeFixes;
using SymDiff.Analyzers.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Analyzers.Tests.Rules
{
    /// <summary>
    /// SD1001 is the generator's (the method gets throwing stubs); the code fix copies the leaf parameter into a local
    /// and uses the local from the first write on.
    /// </summary>
    public sealed class SD1001_LeafMutationCodeFixTests
    {
        private const string Id = "SD1001";

        [Fact]
        public Task Generator_reports_the_first_write() => Verify.DiagnosticsAsync(@"
using System;
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Loss(double w, [NoGrad] double x)
    {
        [|w = Math.Clamp(w, -1, 1)|];
        w += x;
        return w * x;
    }
}
", Id);

        [Fact]
        public Task Writing_a_NoGrad_parameter_or_a_local_is_silent() => Verify.DiagnosticsAsync(@"
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
", Id);

        [Fact]
        public Task Fix_copies_the_parameter_and_uses_the_copy_from_the_first_write_on() => Verify.CodeFixAsync(@"
using System;
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Loss(double w, [NoGrad] double x)
    {
        double y = w * x;
        [|w = Math.Clamp(w, -1, 1)|];
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
", new LeafMutationCodeFix(), Id);

        [Fact]
        public Task Fix_uses_the_copy_in_the_whole_loop_that_holds_the_write() => Verify.CodeFixAsync(@"
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
            [|w *= 0.5f|];
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
", new LeafMutationCodeFix(), Id);

        [Fact]
        public Task Fix_picks_a_name_that_is_free() => Verify.CodeFixAsync(@"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Next(double w)
    {
        double wLocal = 2;
        [|w++|];
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
", new LeafMutationCodeFix(), Id);

        [Fact]
        public async Task No_fix_is_offered_for_an_array_element()
        {
            const string Markup = @"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Sum(double[] v)
    {
        [|v[0] = 1|];
        return v[0] + v[1];
    }
}
";
            Assert.Empty(await Verify.CodeFixActionsAsync(Markup, new LeafMutationCodeFix(), Id));
        }
    }
}

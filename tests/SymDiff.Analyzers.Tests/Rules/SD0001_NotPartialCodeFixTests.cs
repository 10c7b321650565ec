using System.Threading.Tasks;
using SymDiff.Analyzers.CodeFixes;
using SymDiff.Analyzers.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Analyzers.Tests.Rules
{
    /// <summary>
    /// SD0001 is the generator's (it stops generation); these tests check that the code fix receives it like any
    /// other diagnostic and makes every containing type partial.
    /// </summary>
    public sealed class SD0001_NotPartialCodeFixTests
    {
        private const string Id = "SD0001";

        [Fact]
        public Task Generator_reports_the_method_name() => Verify.DiagnosticsAsync(@"
using SymDiff;

public static class Model
{
    [Differentiable]
    public static double [|Square|](double x) => x * x;
}
", Id);

        [Fact]
        public Task Partial_types_are_silent() => Verify.DiagnosticsAsync(@"
using SymDiff;

public partial class Outer
{
    internal static partial class Model
    {
        [Differentiable]
        public static double Square(double x) => x * x;
    }
}
", Id);

        [Fact]
        public Task Fix_adds_partial_after_the_other_modifiers() => Verify.CodeFixAsync(@"
using SymDiff;

public static class Model
{
    [Differentiable]
    public static double [|Square|](double x) => x * x;
}
", @"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Square(double x) => x * x;
}
", new NotPartialCodeFix(), Id);

        [Fact]
        public Task Fix_makes_every_containing_type_partial() => Verify.CodeFixAsync(@"
using SymDiff;

namespace N
{
    [System.Serializable]
    class Outer
    {
        public partial struct Middle
        {
            internal sealed record Inner
            {
                [Differentiable]
                public double [|Scaled|](double x) => x * 2;
            }
        }
    }
}
", @"
using SymDiff;

namespace N
{
    [System.Serializable]
    partial class Outer
    {
        public partial struct Middle
        {
            internal sealed partial record Inner
            {
                [Differentiable]
                public double Scaled(double x) => x * 2;
            }
        }
    }
}
", new NotPartialCodeFix(), Id);

        [Fact]
        public Task Fix_all_fixes_each_method_of_the_type_once() => Verify.CodeFixAsync(@"
using SymDiff;

public static class Model
{
    [Differentiable]
    public static double [|Square|](double x) => x * x;

    [Differentiable]
    public static double [|Cube|](double x) => x * x * x;
}
", @"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Square(double x) => x * x;

    [Differentiable]
    public static double Cube(double x) => x * x * x;
}
", new NotPartialCodeFix(), Id, fixAll: true);
    }
}

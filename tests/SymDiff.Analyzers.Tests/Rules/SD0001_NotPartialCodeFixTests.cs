using System.Threading.Tasks;
using SymDiff.Analyzers.CodeFixes;
using SymDiff.Analyzers.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Analyzers.Tests.Rules
{
    /// <summary>
    /// SD0001: found by the generator's parser, reported by the analyzer only (so dotnet format can apply the fix); the
    /// code fix makes every containing type partial.
    /// </summary>
    public sealed class SD0001_NotPartialCodeFixTests
    {
        private const string Id = "SD0001";

        [Fact]
        public Task Reported_once_at_the_method_name_naming_the_type() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Model
{
    [Differentiable]
    public static double {|#0:Square|}(double x) => x * x;
}

public static class Outer
{
    public static partial class Inner
    {
        [Differentiable]
        public static double {|#1:Cube|}(double x) => x * x * x;
    }
}
",
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("Square", "Model"),
            Verifier.Diagnostic(Id).WithLocation(1).WithArguments("Cube", "Outer"));

        [Fact]
        public Task Partial_types_are_silent() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public partial class Outer
{
    internal static partial class Model
    {
        [Differentiable]
        public static double Square(double x) => x * x;
    }
}
");

        [Fact]
        public Task Fix_adds_partial_after_the_other_modifiers() => Verifier.CodeFixAsync<NotPartialCodeFix>(@"
using SymDiff;

public static class Model
{
    [Differentiable]
    public static double {|SD0001:Square|}(double x) => x * x;
}
", @"
using SymDiff;

public static partial class Model
{
    [Differentiable]
    public static double Square(double x) => x * x;
}
");

        [Fact]
        public Task Fix_makes_every_containing_type_partial() => Verifier.CodeFixAsync<NotPartialCodeFix>(@"
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
                public double {|SD0001:Scaled|}(double x) => x * 2;
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
");

        [Fact]
        public Task Fix_all_fixes_each_method_of_the_type_once() => Verifier.CodeFixAsync<NotPartialCodeFix>(@"
using SymDiff;

public static class Model
{
    [Differentiable]
    public static double {|SD0001:Square|}(double x) => x * x;

    [Differentiable]
    public static double {|SD0001:Cube|}(double x) => x * x * x;
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
");

        [Fact]
        public Task Fix_all_makes_the_types_of_every_document_and_project_partial() => Verifier.CodeFixInSolutionAsync<NotPartialCodeFix>(
            new[]
            {
                (@"
using SymDiff;

public static class A
{
    [Differentiable]
    public static double {|SD0001:F|}(double x) => x * x;
}
", @"
using SymDiff;

public static partial class A
{
    [Differentiable]
    public static double F(double x) => x * x;
}
"),
                (@"
using SymDiff;

internal sealed class B
{
    [Differentiable]
    public double {|SD0001:G|}(double x) => 2 * x;
}
", @"
using SymDiff;

internal sealed partial class B
{
    [Differentiable]
    public double G(double x) => 2 * x;
}
"),
            },
            new[]
            {
                (@"
using SymDiff;

class C
{
    [Differentiable]
    static double {|SD0001:H|}(double x) => -x;
}
", @"
using SymDiff;

partial class C
{
    [Differentiable]
    static double H(double x) => -x;
}
"),
            });
    }
}

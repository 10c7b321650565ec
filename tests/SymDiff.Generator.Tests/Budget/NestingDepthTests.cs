using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymDiff.Generator.Parsing;
using Xunit;

namespace SymDiff.Generator.Tests.Budget
{
    /// <summary>
    /// <see cref="Parser.NestingDepth"/> decides which bodies run on a large stack (over <c>Limits.DeepNesting</c>) and
    /// which are too deep (SD1009): checked against a plain recursive count of the same syntax, written here.
    /// </summary>
    public sealed class NestingDepthTests
    {
        private static int Reference(SyntaxNode node) => 1 + node.ChildNodes().Select(Reference).DefaultIfEmpty(0).Max();

        [Theory]
        [InlineData("class C { }")]
        [InlineData("class C { double F(double x) => x; }")]
        [InlineData("class C { double F(double x) { double s = 0; for (int i = 0; i < 3; i++) { if (x > i) { s += System.Math.Sin(x * (i + 1)); } else { s -= x; } } return s; } }")]
        [InlineData("class C { void F() { var a = new[] { 1, 2, 3 }; a[0] = a[1] switch { 2 => 3, _ => 4 }; } }")]
        public void Matches_a_recursive_count(string source)
        {
            var root = CSharpSyntaxTree.ParseText(source).GetRoot();
            foreach (var node in root.DescendantNodesAndSelf())
            {
                Assert.Equal(Reference(node), Parser.NestingDepth(node));
            }
        }

        [Theory]
        [InlineData(1)]
        [InlineData(31)]
        [InlineData(32)]
        [InlineData(33)]
        [InlineData(150)]
        public void Counts_every_level_of_a_deep_expression(int depth)
        {
            // (((x + 1) + 1) ... + 1): the path grows past the walker's first stack size (32) at these depths.
            var sb = new StringBuilder("class C { double F(double x) => ");
            sb.Append('(', depth).Append('x');
            for (int i = 0; i < depth; i++)
            {
                sb.Append(" + 1)");
            }

            sb.Append("; }");
            var root = CSharpSyntaxTree.ParseText(sb.ToString()).GetRoot();
            var method = root.DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().Single();
            int expected = Reference(method);
            Assert.True(expected > 2 * depth, "the reference count grows with the depth");
            Assert.Equal(expected, Parser.NestingDepth(method));
        }
    }
}

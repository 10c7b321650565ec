using System;
using System.Linq;
using SymDiff.Generator.Rules;
using Xunit;

namespace SymDiff.Generator.Tests.Corpus
{
    /// <summary>Checks of the corpus itself: it is well formed and covers what API.md section 3 promises.</summary>
    public sealed class CorpusTests
    {
        [Fact]
        public void NamesAreUnique()
        {
            string[] duplicates = DifferentiableFunctions.All.GroupBy(f => f.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
            Assert.Empty(duplicates);
        }

        /// <summary>The hand-written gradient has one entry per active scalar, and the point is finite.</summary>
        [Fact]
        public void GradientsHaveOneEntryPerActiveScalar()
        {
            Assert.All(DifferentiableFunctions.All, f =>
            {
                double[] point = f.Point;
                Assert.True(point.Length > 0, $"{f.Name} has no active argument.");
                Assert.True(point.All(double.IsFinite), $"{f.Name} has a non-finite argument.");
                Assert.True(f.Gradient(point).Length == point.Length, $"{f.Name}: the gradient has {f.Gradient(point).Length} entries for {point.Length} active scalars.");
            });
        }

        /// <summary>
        /// Every row of the math-function table (the functions the parser accepts) is in the corpus, so each has a gradient
        /// checked against a closed form: a function added to the table without a corpus entry fails here.
        /// </summary>
        [Fact]
        public void EveryMathFunctionOfTheTableIsInTheCorpus()
        {
            string all = string.Join("\n", DifferentiableFunctions.All.Select(f => f.Source));
            var rows = MathFunctions.All.Where(f => f.IsMath).ToArray();
            Assert.True(rows.Length >= 30, $"The table has only {rows.Length} Math rows.");
            string[] missing = rows
                .Select(f => f.Name)
                .Distinct()
                .Where(name => !new[] { "Math.", "MathF.", "double.", "float." }.Any(type => all.Contains(type + name + "(", StringComparison.Ordinal)))
                .ToArray();
            Assert.Empty(missing);
            Assert.Contains("Math.Log(x, b)", all, StringComparison.Ordinal); // the two-argument Log
        }

        /// <summary>A few functions are also tested in float methods (MathF, float's static methods, float[]).</summary>
        [Fact]
        public void SomeFunctionsHaveFloatVersions() =>
            Assert.True(DifferentiableFunctions.All.Count(f => f.IsFloat) >= 5, "Fewer than five float functions in the corpus.");

        /// <summary>
        /// Every group has a point where the function is smooth, so finite differences check it; except Detach, whose
        /// gradient is by design not the derivative of the value.
        /// </summary>
        [Fact]
        public void EveryGroupHasASmoothPoint() =>
            Assert.All(DifferentiableFunctions.Groups.Where(g => g != "Detach"), g => Assert.Contains(DifferentiableFunctions.All, f => f.Group == g && f.Smooth));
    }
}

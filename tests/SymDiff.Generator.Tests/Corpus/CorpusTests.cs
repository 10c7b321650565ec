using System;
using System.Linq;
using Xunit;

namespace SymDiff.Generator.Tests.Corpus
{
    /// <summary>Checks of the corpus itself: it is well formed and covers what API.md section 3 promises.</summary>
    public sealed class CorpusTests
    {
        /// <summary>The Math functions of API.md section 3.</summary>
        private static readonly string[] ApiMathFunctions =
        {
            "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Atan2", "Sinh", "Cosh", "Tanh", "Exp", "Log", "Log2", "Log10",
            "Pow", "Sqrt", "Cbrt", "Abs", "Max", "Min", "Clamp", "FusedMultiplyAdd", "Floor", "Ceiling", "Round", "Truncate", "Sign",
        };

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

        [Fact]
        public void EveryApiMathFunctionIsInTheCorpus()
        {
            string all = string.Join("\n", DifferentiableFunctions.All.Select(f => f.Source));
            string[] missing = ApiMathFunctions
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

using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Tests.Corpus;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.Numeric;
using Xunit;

namespace SymDiff.Generator.Tests.FiniteChecks
{
    /// <summary>
    /// Every corpus function generated with <c>SymDiffCheckFinite</c> on: it compiles cleanly, and at the corpus point (finite
    /// inputs) its Gradient, Backward and Derivative give the unchecked methods' results bit for bit, or throw
    /// <see cref="ArithmeticException"/> exactly where an unchecked result is NaN or infinite (Sqrt at 0, for instance).
    /// </summary>
    public sealed class CheckedCorpusTests : IClassFixture<CompiledCorpus>
    {
        private static readonly Dictionary<string, string> On = new() { ["SymDiffCheckFinite"] = "true" };

        private readonly CompiledCorpus _corpus;

        public CheckedCorpusTests(CompiledCorpus corpus) => _corpus = corpus;

        public static TheoryData<string> AllFunctions => new(DifferentiableFunctions.All.Select(f => f.Name));

        [Theory]
        [MemberData(nameof(AllFunctions))]
        public void Checked_methods_agree_with_unchecked_ones_or_throw_where_they_are_not_finite(string name)
        {
            CompiledFunction plain = _corpus[name];
            DifferentiableFunction f = plain.Function;
            double[] point = f.Point;
            using CompiledFunction reverse = CompiledFunction.Compile(f, CompiledFunction.DriverKind.Reverse, On);

            Agree(name + " Gradient", () => Flat(plain.Gradient(point)), () => Flat(reverse.Gradient(point)));
            Agree(name + " Backward", () => Backward(plain, point), () => Backward(reverse, point));

            using CompiledFunction forward = CompiledFunction.Compile(f, CompiledFunction.DriverKind.Forward, On);
            double[] tangent = point.Select((_, i) => i % 2 == 0 ? 0.75 : -1.25).ToArray();
            Agree(name + " Derivative", () => Flat(_corpus.Forward(name).DerivativeInto(point, plain.SplitFlat(tangent))), () => Flat(forward.DerivativeInto(point, forward.SplitFlat(tangent))));
        }

        private static double[] Flat((double Value, double[] Gradient) r) => r.Gradient.Prepend(r.Value).ToArray();

        private static double[] Flat((double Value, double Derivative) r) => new[] { r.Value, r.Derivative };

        private static double[] Backward(CompiledFunction compiled, double[] point)
        {
            double[][] buffers = compiled.NewBuffers(fill: 0.5);
            compiled.BackwardInto(point, 2.5, buffers);
            return buffers.SelectMany(b => b).ToArray();
        }

        private static void Agree(string what, Func<double[]> plain, Func<double[]> @checked)
        {
            double[] expected = plain();
            bool finite = expected.All(double.IsFinite);
            double[] actual;
            try
            {
                actual = @checked();
            }
            catch (ArithmeticException e)
            {
                Assert.True(!finite, $"{what}: the checked method threw \"{e.Message}\", but the unchecked results are finite: [{string.Join(", ", expected)}]");
                return;
            }

            Assert.True(finite, $"{what}: the unchecked results are not finite, [{string.Join(", ", expected)}], and the checked method did not throw.");
            Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
        }
    }
}

using System;
using System.Linq;
using SymDiff.Generator.Tests.Corpus;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Numeric
{
    /// <summary>
    /// Forward mode (API.md section 4) over the whole corpus: <c>FDerivative</c> returns the value bit for bit, its
    /// derivative along each unit vector is the hand-derived partial, along any direction it is the dot product of
    /// the gradient with the direction, and tangent spans of the wrong length throw before anything happens.
    /// The functions are compiled with a forward-mode driver of their own, so these tests never affect the
    /// reverse-mode ones.
    /// </summary>
    public sealed class ForwardModeNumericTests : IClassFixture<CompiledCorpus>
    {
        private readonly CompiledCorpus _corpus;

        public ForwardModeNumericTests(CompiledCorpus corpus)
        {
            _corpus = corpus;
        }

        public static TheoryData<string> AllFunctions => GeneratedCodeNumericTests.AllFunctions;

        public static TheoryData<string> VectorFunctions => GeneratedCodeNumericTests.VectorFunctions;

        /// <summary><c>FDerivative</c> returns the original method's value to the last bit (API.md section 7).</summary>
        [Theory]
        [MemberData(nameof(AllFunctions))]
        public void DerivativeReturnsTheValueBitForBit(string name)
        {
            CompiledFunction compiled = _corpus.Forward(name);
            double[] point = compiled.Function.Point;

            double expected = compiled.Value(point);
            double actual = compiled.DerivativeInto(point, compiled.SplitFlat(new double[point.Length])).Value;

            Assert.True(
                BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
                $"{name}: {compiled.Function.Method}Derivative returned {actual:R}, {compiled.Function.Method} returned {expected:R}.");
        }

        /// <summary>Along the i-th unit vector the directional derivative is the i-th partial derivative.</summary>
        [Theory]
        [MemberData(nameof(AllFunctions))]
        public void DerivativeAlongEachUnitVectorIsThePartial(string name)
        {
            CompiledFunction compiled = _corpus.Forward(name);
            DifferentiableFunction f = compiled.Function;
            double[] point = f.Point;
            double[] gradient = f.Gradient(point);

            for (int i = 0; i < point.Length; i++)
            {
                var unit = new double[point.Length];
                unit[i] = 1;
                double derivative = compiled.DerivativeInto(point, compiled.SplitFlat(unit)).Derivative;
                FiniteDifferences.AssertClose(gradient[i], derivative, f.IsFloat ? 1e-5 : 1e-12, f.IsFloat ? 1e-6 : 1e-15, $"{name}: derivative along e{i}");
            }
        }

        /// <summary>
        /// Along a direction t the derivative is the sum of g_i t_i (linearity of the JVP); the tolerance is relative
        /// to the sum of |g_i t_i|, which bounds the rounding of the sum.
        /// </summary>
        [Theory]
        [MemberData(nameof(AllFunctions))]
        public void DerivativeAlongADirectionIsTheGradientDotTheDirection(string name)
        {
            CompiledFunction compiled = _corpus.Forward(name);
            DifferentiableFunction f = compiled.Function;
            double[] point = f.Point;
            double[] gradient = f.Gradient(point);
            if (!gradient.All(double.IsFinite))
            {
                return; // Sqrt at 0: +Infinity times a direction is checked along the unit vectors above.
            }

            double[] direction = Enumerable.Range(0, point.Length).Select(i => 0.5 - (0.3 * i) + (0.07 * i * i)).ToArray();
            double expected = gradient.Zip(direction, (g, t) => g * t).Sum();
            double scale = gradient.Zip(direction, (g, t) => Math.Abs(g * t)).Sum();

            double derivative = compiled.DerivativeInto(point, compiled.SplitFlat(direction)).Derivative;

            FiniteDifferences.AssertClose(expected, derivative, 0, (f.IsFloat ? 1e-5 : 1e-12) * Math.Max(scale, 1e-300), $"{name}: derivative along ({string.Join(", ", direction)})");
        }

        /// <summary>
        /// A tangent span one element too short or too long throws <see cref="ArgumentException"/> with
        /// <c>ParamName</c> the tangent (<c>tV</c>) and a message naming the parameter (API.md section 7).
        /// </summary>
        [Theory]
        [MemberData(nameof(VectorFunctions))]
        public void WrongLengthTangentThrows(string name)
        {
            CompiledFunction compiled = _corpus.Forward(name);
            DifferentiableFunction f = compiled.Function;
            double[] point = f.Point;
            CorpusArg[] active = f.ActiveArgs.ToArray();

            for (int wrong = 0; wrong < active.Length; wrong++)
            {
                if (!active[wrong].IsVector)
                {
                    continue;
                }

                foreach (int delta in new[] { -1, +1 })
                {
                    double[][] tangents = active.Select((a, i) => new double[a.Values.Count + (i == wrong ? delta : 0)]).ToArray();
                    ArgumentException error = Assert.Throws<ArgumentException>(() => compiled.DerivativeInto(point, tangents));
                    string what = $"{name}: {active[wrong].TangentName} of length {active[wrong].Values.Count + delta}";
                    Assert.True(error.ParamName == active[wrong].TangentName, $"{what}: ParamName is '{error.ParamName}', expected '{active[wrong].TangentName}'.");
                    Assert.True(error.Message.Contains($"'{active[wrong].Name}'", StringComparison.Ordinal), $"{what}: the message does not name '{active[wrong].Name}': {error.Message}");
                }
            }
        }
    }
}

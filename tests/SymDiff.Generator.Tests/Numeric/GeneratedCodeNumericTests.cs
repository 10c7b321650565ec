using System;
using System.Linq;
using SymDiff.Generator.Tests.Corpus;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Numeric
{
    /// <summary>
    /// Runs the generated code of every corpus function and checks it against the function itself (value bit for
    /// bit), the hand-derived gradient, central finite differences, PyTorch's accumulation semantics and the
    /// length checks of API.md sections 2 and 7.
    /// </summary>
    public sealed class GeneratedCodeNumericTests : IClassFixture<CompiledCorpus>
    {
        /// <summary>A value no gradient has, used to see whether a buffer was written.</summary>
        private const double Sentinel = 42.0;

        /// <summary>The seed of the accumulation test; 2.5 is exact in float and double.</summary>
        private const double Seed = 2.5;

        private readonly CompiledCorpus _corpus;

        public GeneratedCodeNumericTests(CompiledCorpus corpus)
        {
            _corpus = corpus;
        }

        public static TheoryData<string> AllFunctions => Names(_ => true);

        public static TheoryData<string> SmoothFunctions => Names(f => f.Smooth);

        public static TheoryData<string> VectorFunctions => Names(f => f.HasVectorGradient);

        /// <summary>(a) <c>FGradient</c> returns the original method's value to the last bit (API.md section 7).</summary>
        [Theory]
        [MemberData(nameof(AllFunctions))]
        public void GradientReturnsTheValueBitForBit(string name)
        {
            CompiledFunction compiled = _corpus[name];
            double[] point = compiled.Function.Point;

            double expected = compiled.Value(point);
            double actual = compiled.Gradient(point).Value;

            Assert.True(
                BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual),
                $"{name}: {compiled.Function.Method}Gradient returned {actual:R} (bits {BitConverter.DoubleToInt64Bits(actual):X16}), " +
                $"{compiled.Function.Method} returned {expected:R} (bits {BitConverter.DoubleToInt64Bits(expected):X16}).");
        }

        /// <summary>
        /// (b) The gradient equals the hand-derived one: to 1e-12 relative for double (a few thousand ulps, room for a
        /// different order of the same operations), to 1e-5 for float (float's epsilon is 1.2e-7; the analytic
        /// gradient is evaluated in double at the float inputs).
        /// </summary>
        [Theory]
        [MemberData(nameof(AllFunctions))]
        public void GradientMatchesAnalyticGradient(string name)
        {
            CompiledFunction compiled = _corpus[name];
            DifferentiableFunction f = compiled.Function;
            double[] point = f.Point;

            double[] actual = compiled.Gradient(point).Gradient;

            FiniteDifferences.AssertClose(f.Gradient(point), actual, AnalyticRelTol(f), AnalyticAbsTol(f), $"gradient of {name} at ({string.Join(", ", point)})");
        }

        /// <summary>
        /// (c) The gradient agrees with central finite differences of the original method where the function is
        /// smooth. Double: step 1e-6, expected accuracy ~1e-9, tolerance 1e-6 relative. Float: step 1e-3 (a smaller
        /// one drowns in float rounding, eps / h), tolerance 1e-3.
        /// </summary>
        [Theory]
        [MemberData(nameof(SmoothFunctions))]
        public void GradientMatchesFiniteDifferences(string name)
        {
            CompiledFunction compiled = _corpus[name];
            DifferentiableFunction f = compiled.Function;
            double[] point = f.Point;

            double[] actual = compiled.Gradient(point).Gradient;
            double[] numeric = FiniteDifferences.Gradient(compiled.Value, point, h: f.IsFloat ? 1e-3 : 1e-6);

            FiniteDifferences.AssertClose(numeric, actual, f.IsFloat ? 1e-3 : 1e-6, f.IsFloat ? 1e-3 : 1e-7, $"gradient of {name} vs finite differences");
        }

        /// <summary>
        /// A check of the corpus itself, independent of the generator: each hand-derived gradient agrees with finite
        /// differences of the original method, compiled by Roslyn without the generator, where the function is smooth.
        /// </summary>
        [Theory]
        [MemberData(nameof(SmoothFunctions))]
        public void CorpusGradientMatchesFiniteDifferences(string name)
        {
            DifferentiableFunction f = DifferentiableFunctions.Get(name);
            double[] point = f.Point;

            double[] numeric = FiniteDifferences.Gradient(_corpus.Original(name).Value, point, h: f.IsFloat ? 1e-3 : 1e-6);

            FiniteDifferences.AssertClose(numeric, f.Gradient(point), f.IsFloat ? 1e-3 : 1e-6, f.IsFloat ? 1e-3 : 1e-7, $"corpus gradient of {name} vs finite differences");
        }

        /// <summary>
        /// (d) <c>FBackward</c> accumulates, PyTorch style: on buffers pre-filled with 1, two calls with seed 2.5 leave
        /// 1 + 2 * 2.5 * gradient, where the gradient is <c>FGradient</c>'s (so this checks accumulation, not the
        /// derivative). The tolerance allows <c>seed * a * b</c> to round differently from <c>a * b</c>.
        /// </summary>
        [Theory]
        [MemberData(nameof(AllFunctions))]
        public void BackwardAccumulatesSeedTimesGradient(string name)
        {
            CompiledFunction compiled = _corpus[name];
            DifferentiableFunction f = compiled.Function;
            double[] point = f.Point;
            double[] gradient = compiled.Gradient(point).Gradient;

            double[][] buffers = compiled.NewBuffers(fill: 1.0);
            compiled.BackwardInto(point, Seed, buffers);
            compiled.BackwardInto(point, Seed, buffers);

            double[] expected = gradient.Select(g => 1 + (2 * Seed * g)).ToArray();
            FiniteDifferences.AssertClose(expected, buffers.SelectMany(b => b).ToArray(), AnalyticRelTol(f), f.IsFloat ? 1e-5 : 1e-12, $"two backward passes of {name} with seed {Seed} on buffers of 1");
        }

        /// <summary>
        /// (e) A span gradient buffer one element too short or too long makes <c>FGradient</c> and <c>FBackward</c>
        /// throw <see cref="ArgumentException"/> with <c>ParamName</c> the buffer (<c>dV</c>) and a message naming the
        /// parameter (<c>'v'</c>), before anything is written to any buffer (API.md sections 2 and 7).
        /// </summary>
        [Theory]
        [MemberData(nameof(VectorFunctions))]
        public void WrongLengthGradientBufferThrowsBeforeAnythingIsWritten(string name)
        {
            CompiledFunction compiled = _corpus[name];
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
                    string what = $"{name}: {active[wrong].GradientName} of length {active[wrong].Values.Count + delta} for '{active[wrong].Name}' of length {active[wrong].Values.Count}";

                    double[][] buffers = BuffersWithOneWrong(active, wrong, delta);
                    ArgumentException gradientError = Assert.Throws<ArgumentException>(() => compiled.GradientInto(point, buffers));
                    AssertNamesBuffer(gradientError, active[wrong], $"{f.Method}Gradient, {what}");
                    AssertUntouched(buffers, $"{f.Method}Gradient, {what}");

                    buffers = BuffersWithOneWrong(active, wrong, delta);
                    ArgumentException backwardError = Assert.Throws<ArgumentException>(() => compiled.BackwardInto(point, Seed, buffers));
                    AssertNamesBuffer(backwardError, active[wrong], $"{f.Method}Backward, {what}");
                    AssertUntouched(buffers, $"{f.Method}Backward, {what}");
                }
            }
        }

        /// <summary>
        /// PyTorch's autograd tutorial: y = (w + x)(w + 1) at w = 1, x = 2. dy/dw = (w + 1) + (w + x) = 5,
        /// dy/dx = w + 1 = 2, and y = 3 * 2 = 6.
        /// </summary>
        [Fact]
        public void PyTorchTutorialGradient()
        {
            const string source = """
                using SymDiff;

                public static partial class Autograd
                {
                    [Differentiable]
                    public static double Y(double w, double x) => (w + x) * (w + 1);
                }
                """;
            using GeneratedCode code = GeneratedCode.Compile(source);
            object?[] args = { 1.0, 2.0, null, null };

            object? y = code.Invoke("Autograd", "YGradient", args);

            Assert.Equal(6.0, y);
            Assert.Equal(5.0, args[2]); // dy/dw
            Assert.Equal(2.0, args[3]); // dy/dx
        }

        /// <summary>
        /// PyTorch's gradient accumulation: y = (w + x)(w x) at w = 1, x = 2 has dy/dw = w x + (w + x) x = 8 and
        /// dy/dx = w x + (w + x) w = 5. Calling backward four times without zeroing the gradients gives
        /// w.grad = 8, 16, 24, 32 (x.grad = 5, 10, 15, 20); zeroing them before each call gives 8 every time.
        /// All values are small integers, exact in double.
        /// </summary>
        [Fact]
        public void PyTorchTutorialBackwardAccumulatesUntilReset()
        {
            const string source = """
                using SymDiff;

                public static partial class Autograd
                {
                    [Differentiable]
                    public static double Y(double w, double x) => (w + x) * (w * x);
                }
                """;

            double[] result = GeneratedCode.RunDriver(source, """
                        double[] r = new double[16];
                        double dW = 0.0, dX = 0.0;
                        for (int k = 0; k < 4; k++)
                        {
                            Autograd.YBackward(1.0, 2.0, 1.0, ref dW, ref dX);
                            r[k] = dW;
                            r[4 + k] = dX;
                        }

                        for (int k = 0; k < 4; k++)
                        {
                            dW = 0.0;
                            dX = 0.0;
                            Autograd.YBackward(1.0, 2.0, 1.0, ref dW, ref dX);
                            r[8 + k] = dW;
                            r[12 + k] = dX;
                        }

                        return r;
                """);

            Assert.Equal(new[] { 8.0, 16.0, 24.0, 32.0 }, result[0..4]);   // w.grad without zero_grad
            Assert.Equal(new[] { 5.0, 10.0, 15.0, 20.0 }, result[4..8]);   // x.grad without zero_grad
            Assert.Equal(new[] { 8.0, 8.0, 8.0, 8.0 }, result[8..12]);     // w.grad with zero_grad
            Assert.Equal(new[] { 5.0, 5.0, 5.0, 5.0 }, result[12..16]);    // x.grad with zero_grad
        }

        private static TheoryData<string> Names(Func<DifferentiableFunction, bool> where)
        {
            var data = new TheoryData<string>();
            foreach (DifferentiableFunction f in DifferentiableFunctions.All.Where(where))
            {
                data.Add(f.Name);
            }

            return data;
        }

        private static double AnalyticRelTol(DifferentiableFunction f) => f.IsFloat ? 1e-5 : 1e-12;

        private static double AnalyticAbsTol(DifferentiableFunction f) => f.IsFloat ? 1e-6 : 1e-15;

        private static double[][] BuffersWithOneWrong(CorpusArg[] active, int wrong, int delta) =>
            active.Select((a, i) => Enumerable.Repeat(Sentinel, a.Values.Count + (i == wrong ? delta : 0)).ToArray()).ToArray();

        private static void AssertNamesBuffer(ArgumentException error, CorpusArg arg, string what)
        {
            Assert.True(error.ParamName == arg.GradientName, $"{what}: ParamName is '{error.ParamName}', expected '{arg.GradientName}'.");
            Assert.True(error.Message.Contains($"'{arg.Name}'", StringComparison.Ordinal), $"{what}: the message does not name the parameter '{arg.Name}': {error.Message}");
        }

        private static void AssertUntouched(double[][] buffers, string what)
        {
            for (int b = 0; b < buffers.Length; b++)
            {
                for (int i = 0; i < buffers[b].Length; i++)
                {
                    Assert.True(buffers[b][i] == Sentinel, $"{what}: buffer {b} element {i} was written ({buffers[b][i]:R}) before the exception.");
                }
            }
        }
    }
}

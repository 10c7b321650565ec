using System;
using Xunit;

namespace SymDiff.Tests
{
    public class GradCheckTests
    {
        // f(x) = sum_i sin(x_i) x_{i+1}
        private static double SinChain(ReadOnlySpan<double> x)
        {
            double sum = 0;
            for (int i = 0; i + 1 < x.Length; i++)
            {
                sum += Math.Sin(x[i]) * x[i + 1];
            }

            return sum;
        }

        // df/dx_j = cos(x_j) x_{j+1} (if j + 1 < n) + sin(x_{j-1}) (if j > 0), derived by hand.
        private static double[] SinChainGradient(double[] x)
        {
            var g = new double[x.Length];
            for (int j = 0; j < x.Length; j++)
            {
                if (j + 1 < x.Length)
                {
                    g[j] += Math.Cos(x[j]) * x[j + 1];
                }

                if (j > 0)
                {
                    g[j] += Math.Sin(x[j - 1]);
                }
            }

            return g;
        }

        private static readonly double[] Point = { 0.3, -1.2, 2.5, 0.7, -3.1 };

        [Fact]
        public void CorrectGradientPasses()
        {
            double[] gradient = SinChainGradient(Point);

            GradCheckResult result = GradCheck.Compare(SinChain, Point, gradient);

            Assert.True(result.IsClose());
            Assert.Equal(Point.Length, result.Length);
            Assert.InRange(result.MaxAbsoluteError, 0, 1e-8);
            Assert.InRange(result.MaxRelativeError, 0, 1e-7);
            Assert.Equal(gradient[result.WorstIndex], result.Analytic);
            Assert.Equal(result.Analytic, result.Numeric, 1e-8);
            GradCheck.Assert(SinChain, Point, gradient);
        }

        [Fact]
        public void WrongElementIsReportedAsTheWorst()
        {
            double[] correct = SinChainGradient(Point);
            double[] wrong = (double[])correct.Clone();
            wrong[2] += 1e-3;

            GradCheckResult result = GradCheck.Compare(SinChain, Point, wrong);

            Assert.False(result.IsClose());
            Assert.True(result.IsClose(relativeTolerance: 0, absoluteTolerance: 2e-3));
            Assert.Equal(2, result.WorstIndex);
            Assert.Equal(wrong[2], result.Analytic);
            Assert.Equal(correct[2], result.Numeric, 1e-8);
            Assert.Equal(1e-3, result.MaxAbsoluteError, 1e-8);
            Assert.Contains("index 2", result.ToString());

            var e = Assert.Throws<InvalidOperationException>(() => GradCheck.Assert(SinChain, Point, wrong));
            Assert.Contains("index 2", e.Message);
        }

        [Fact]
        public void NumericDerivativesMatchHandValues()
        {
            // f(a, b) = a^2 b at (3, 2): df/da = 2ab = 12, df/db = a^2 = 9. The gradient claims (12, 0).
            GradCheckResult result = GradCheck.Compare(x => x[0] * x[0] * x[1], new[] { 3.0, 2.0 }, new[] { 12.0, 0.0 });

            Assert.Equal(1, result.WorstIndex);
            Assert.Equal(0.0, result.Analytic);
            Assert.Equal(9.0, result.Numeric, 1e-8);
            Assert.Equal(9.0, result.MaxAbsoluteError, 1e-8);
            Assert.Equal(1.0, result.MaxRelativeError, 1e-12);
        }

        [Fact]
        public void StepScalesWithLargeCoordinates()
        {
            // f(x) = x^2 at x = 1e6: an absolute step of 1e-6 would lose everything to rounding of f ≈ 1e12;
            // the scaled step h = 1e-6 * |x| = 1 recovers f'(x) = 2e6.
            GradCheckResult result = GradCheck.Compare(x => x[0] * x[0], new[] { 1e6 }, new[] { 2e6 });

            Assert.Equal(2e6, result.Numeric, 1e-3);
            Assert.True(result.IsClose());
        }

        [Fact]
        public void NaNIsNeverCloseAndIsTheWorst()
        {
            double[] gradient = SinChainGradient(Point);
            gradient[0] += 1e-4;
            gradient[3] = double.NaN;

            GradCheckResult result = GradCheck.Compare(SinChain, Point, gradient);

            Assert.Equal(3, result.WorstIndex);
            Assert.False(result.IsClose(relativeTolerance: 1, absoluteTolerance: 1));
            Assert.True(double.IsNaN(result.MaxAbsoluteError));
        }

        [Fact]
        public void InputIsNotModified()
        {
            double[] x = (double[])Point.Clone();
            int calls = 0;

            GradCheck.Compare(
                v =>
                {
                    calls++;
                    return SinChain(v);
                },
                x,
                SinChainGradient(x));

            Assert.Equal(Point, x);
            Assert.Equal(2 * x.Length, calls);
        }

        [Fact]
        public void EmptyInputHasNoWorstElement()
        {
            GradCheckResult result = GradCheck.Compare(_ => 1.0, ReadOnlySpan<double>.Empty, ReadOnlySpan<double>.Empty);

            Assert.Equal(-1, result.WorstIndex);
            Assert.Equal(0, result.Length);
            Assert.True(result.IsClose());
            Assert.True(result.Passed);
            Assert.Equal("passed: no elements compared", result.ToString());
        }

        [Fact]
        public void DefaultResultHasNoElementsAndPasses()
        {
            GradCheckResult result = default;

            Assert.Equal(0, result.Length);
            Assert.Equal(-1, result.WorstIndex);
            Assert.True(double.IsNaN(result.Analytic));
            Assert.True(result.Passed);
            Assert.Equal("passed: no elements compared", result.ToString());
        }

        [Fact]
        public void BadArgumentsAreRejected()
        {
            var length = Assert.ThrowsAny<ArgumentException>(() => GradCheck.Compare(SinChain, new double[3], new double[2]));
            Assert.Equal("gradient", length.ParamName);

            var step = Assert.ThrowsAny<ArgumentException>(() => GradCheck.Compare(SinChain, new double[1], new double[1], step: 0));
            Assert.Equal("step", step.ParamName);

            var function = Assert.Throws<ArgumentNullException>(() => GradCheck.Compare(null!, new double[1], new double[1]));
            Assert.Equal("function", function.ParamName);
        }

        [Theory]
        [InlineData(double.NaN, 1e-8, "relativeTolerance")]
        [InlineData(-1e-6, 1e-8, "relativeTolerance")]
        [InlineData(double.PositiveInfinity, 1e-8, "relativeTolerance")]
        [InlineData(1e-6, double.NaN, "absoluteTolerance")]
        [InlineData(1e-6, -1.0, "absoluteTolerance")]
        public void BadTolerancesAreRejected(double relativeTolerance, double absoluteTolerance, string paramName)
        {
            var compare = Assert.ThrowsAny<ArgumentException>(
                () => GradCheck.Compare(SinChain, Point, SinChainGradient(Point), relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance));
            Assert.Equal(paramName, compare.ParamName);

            var assert = Assert.ThrowsAny<ArgumentException>(
                () => GradCheck.Assert(SinChain, Point, SinChainGradient(Point), relativeTolerance, absoluteTolerance));
            Assert.Equal(paramName, assert.ParamName);
        }

        [Fact]
        public void RightGradientGetsAPassingVerdict()
        {
            // The hand-derived gradient of SinChain: central differences with h = 1e-6 agree to about 1e-10.
            GradCheckResult result = GradCheck.Compare(SinChain, Point, SinChainGradient(Point));

            Assert.True(result.Passed);
            Assert.Equal(0, result.FailedCount);
            Assert.Equal(GradCheckResult.DefaultRelativeTolerance, result.RelativeTolerance);
            Assert.Equal(GradCheckResult.DefaultAbsoluteTolerance, result.AbsoluteTolerance);
            Assert.InRange(result.WorstToleranceRatio, 0, 0.1);
            Assert.StartsWith("passed: all 5 elements within |analytic - numeric| <= 1E-08 + 1E-06 * |numeric|; worst element at index ", result.ToString(), StringComparison.Ordinal);
            result.ThrowIfFailed();
        }

        [Fact]
        public void WrongGradientGetsAFailingVerdictThatNamesTheElement()
        {
            // d/dx_2 is cos(2.5) * 0.7 + sin(-1.2) ≈ -1.2088; the gradient claims it is off by 0.1.
            double[] wrong = SinChainGradient(Point);
            wrong[2] += 0.1;

            GradCheckResult result = GradCheck.Compare(SinChain, Point, wrong);

            Assert.False(result.Passed);
            Assert.Equal(1, result.FailedCount);
            Assert.Equal(2, result.WorstIndex);
            Assert.StartsWith("FAILED: 1 of 5 elements outside |analytic - numeric| <= 1E-08 + 1E-06 * |numeric|; worst element at index 2: analytic ", result.ToString(), StringComparison.Ordinal);

            var e = Assert.Throws<InvalidOperationException>(() => result.ThrowIfFailed());
            Assert.Equal("Gradient check failed: " + result.ToString(), e.Message);
        }

        [Fact]
        public void VerdictUsesTheStatedTolerances()
        {
            // Element 2 is off by exactly 1e-3 (the finite-difference estimate is good to about 1e-10), so with no
            // relative tolerance the verdict turns between an absolute tolerance of 5e-4 and 2e-3.
            double[] wrong = SinChainGradient(Point);
            wrong[2] += 1e-3;

            GradCheckResult strict = GradCheck.Compare(SinChain, Point, wrong, relativeTolerance: 0, absoluteTolerance: 5e-4);
            GradCheckResult loose = GradCheck.Compare(SinChain, Point, wrong, relativeTolerance: 0, absoluteTolerance: 2e-3);

            Assert.False(strict.Passed);
            Assert.Equal(2.0, strict.WorstToleranceRatio, 1e-5);
            Assert.Equal(0.0, strict.RelativeTolerance);
            Assert.Equal(5e-4, strict.AbsoluteTolerance);
            Assert.True(loose.Passed);
            Assert.Equal(0.5, loose.WorstToleranceRatio, 1e-5);
            Assert.Contains("<= 0.002 + 0 * |numeric|", loose.ToString(), StringComparison.Ordinal);
            Assert.Throws<InvalidOperationException>(() => GradCheck.Assert(SinChain, Point, wrong, relativeTolerance: 0, absoluteTolerance: 5e-4));
            GradCheck.Assert(SinChain, Point, wrong, relativeTolerance: 0, absoluteTolerance: 2e-3);
        }

        [Fact]
        public void WorstElementIsTheOneFurthestOutsideItsTolerance()
        {
            // f(a, b) = 1000 a^2 + b^2 at (1, 1): the gradient is (2000, 2). Claimed: (2000.01, 2.001). Element 0 has
            // the larger absolute error (0.01) but is inside 1e-4 * 2000 = 0.2; element 1 (0.001 against 2e-4) is not.
            GradCheckResult result = GradCheck.Compare(
                v => (1000 * v[0] * v[0]) + (v[1] * v[1]), new[] { 1.0, 1.0 }, new[] { 2000.01, 2.001 }, relativeTolerance: 1e-4, absoluteTolerance: 0);

            Assert.False(result.Passed);
            Assert.Equal(1, result.FailedCount);
            Assert.Equal(1, result.WorstIndex);
            Assert.Equal(5.0, result.WorstToleranceRatio, 1e-3);
            Assert.Equal(0.01, result.MaxAbsoluteError, 1e-6);
        }
    }
}

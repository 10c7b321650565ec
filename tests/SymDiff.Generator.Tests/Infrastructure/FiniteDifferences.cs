using System;
using System.Globalization;
using Xunit;

namespace SymDiff.Generator.Tests.Infrastructure
{
    /// <summary>Central finite differences and tolerance checks, the numeric ground truth for generated derivatives.</summary>
    /// <remarks>
    /// The step is <c>h * max(1, |x|)</c>, so it stays relative for large arguments and absolute near zero, and the
    /// divisor is the step actually taken (<c>(x + h) - (x - h)</c>), which removes the rounding of <c>x + h</c>.
    /// The truncation error is O(h²) and the rounding error about ε·|f| / h; with <c>h = 1e-6</c> expect roughly
    /// 1e-9 relative accuracy for smooth functions of moderate size.
    /// </remarks>
    public static class FiniteDifferences
    {
        /// <summary>The central-difference estimate of <c>f'(x)</c>.</summary>
        public static double Derivative(Func<double, double> f, double x, double h = 1e-6)
        {
            ArgumentNullException.ThrowIfNull(f);
            double step = h * Math.Max(1.0, Math.Abs(x));
            double forward = x + step;
            double backward = x - step;
            return (f(forward) - f(backward)) / (forward - backward);
        }

        /// <summary>The central-difference estimate of the gradient of <paramref name="f"/> at <paramref name="x"/>.</summary>
        /// <remarks><paramref name="f"/> receives a copy of <paramref name="x"/> with one coordinate moved; <paramref name="x"/> is not changed.</remarks>
        public static double[] Gradient(Func<double[], double> f, double[] x, double h = 1e-6)
        {
            ArgumentNullException.ThrowIfNull(f);
            ArgumentNullException.ThrowIfNull(x);
            var gradient = new double[x.Length];
            for (int i = 0; i < x.Length; i++)
            {
                double step = h * Math.Max(1.0, Math.Abs(x[i]));
                double[] forward = (double[])x.Clone();
                double[] backward = (double[])x.Clone();
                forward[i] += step;
                backward[i] -= step;
                gradient[i] = (f(forward) - f(backward)) / (forward[i] - backward[i]);
            }

            return gradient;
        }

        /// <summary>
        /// Passes when <c>|actual - expected| &lt;= absTol + relTol * |expected|</c>, or when both are the same
        /// infinity or both NaN; otherwise fails with both values, the difference and the tolerance.
        /// </summary>
        /// <param name="what">Names the quantity in the failure message, e.g. <c>"d/dx of Sin at 0.3"</c>.</param>
        public static void AssertClose(double expected, double actual, double relTol, double absTol, string what)
        {
            if (double.IsNaN(expected) && double.IsNaN(actual))
            {
                return;
            }

            if (double.IsInfinity(expected) || double.IsInfinity(actual))
            {
                if (expected.Equals(actual))
                {
                    return;
                }
            }
            else
            {
                double difference = Math.Abs(actual - expected);
                double tolerance = absTol + (relTol * Math.Abs(expected));
                if (difference <= tolerance)
                {
                    return;
                }

                Assert.Fail(
                    $"{what}: expected {Format(expected)}, actual {Format(actual)}; |difference| {Format(difference)} > tolerance {Format(tolerance)} " +
                    $"(relTol {Format(relTol)}, absTol {Format(absTol)}).");
            }

            Assert.Fail($"{what}: expected {Format(expected)}, actual {Format(actual)}.");
        }

        /// <summary>
        /// <see cref="AssertClose(double, double, double, double, string)"/> element by element, after checking the
        /// lengths; the message names the first failing index.
        /// </summary>
        public static void AssertClose(double[] expected, double[] actual, double relTol, double absTol, string what)
        {
            ArgumentNullException.ThrowIfNull(expected);
            ArgumentNullException.ThrowIfNull(actual);
            if (expected.Length != actual.Length)
            {
                Assert.Fail($"{what}: expected {expected.Length} values, actual {actual.Length}.");
            }

            for (int i = 0; i < expected.Length; i++)
            {
                AssertClose(expected[i], actual[i], relTol, absTol, $"{what}[{i}]");
            }
        }

        private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
    }
}

// ReadOnlySpan<T> is part of the base library from .NET Core 2.1 and .NET Standard 2.1 on; the netstandard2.0
// build has it only through the System.Memory package, which this project does not reference (yet).
using System;
using System.Globalization;

namespace SymDiff
{
    /// <summary>A scalar function of a vector, as checked by <see cref="GradCheck"/>.</summary>
    /// <param name="x">The point at which to evaluate the function.</param>
    /// <returns>The function value.</returns>
    public delegate double ScalarFunction(ReadOnlySpan<double> x);

    /// <summary>
    /// Checks a gradient against central finite differences and reports the worst element, in the spirit of
    /// PyTorch's <c>torch.autograd.gradcheck</c>. A testing tool: it allocates.
    /// </summary>
    public static class GradCheck
    {
        /// <summary>
        /// Estimates every partial derivative of <paramref name="function"/> at <paramref name="x"/> by central
        /// differences and compares the estimates with <paramref name="gradient"/>.
        /// </summary>
        /// <remarks>
        /// Element <c>i</c> is perturbed by <c>h = step * max(1, |x[i]|)</c>, so the step is absolute for small
        /// coordinates and relative for large ones. The estimate is <c>(f(x + h e_i) - f(x - h e_i)) / (x⁺ - x⁻)</c>,
        /// dividing by the distance between the two perturbed coordinates as actually rounded. The function is
        /// evaluated 2n times on a private copy of <paramref name="x"/>; <paramref name="x"/> itself is not changed.
        /// </remarks>
        /// <param name="function">The function whose gradient is checked.</param>
        /// <param name="x">The point at which to check.</param>
        /// <param name="gradient">The gradient to check (the analytic gradient), one element per element of <paramref name="x"/>.</param>
        /// <param name="step">The finite-difference step before scaling; finite and positive.</param>
        /// <returns>The comparison, with the worst element.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="gradient"/> and <paramref name="x"/> differ in length
        /// (<c>ParamName</c> is <c>gradient</c>), or <paramref name="step"/> is not finite and positive.</exception>
        public static GradCheckResult Compare(ScalarFunction function, ReadOnlySpan<double> x, ReadOnlySpan<double> gradient, double step = 1e-6)
        {
            if (function is null)
            {
                throw new ArgumentNullException(nameof(function));
            }

            if (gradient.Length != x.Length)
            {
                throw new ArgumentException(
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "The gradient has {0} elements but x has {1}; they must have the same length.",
                        gradient.Length,
                        x.Length),
                    nameof(gradient));
            }

            if (!(step > 0) || double.IsInfinity(step))
            {
                throw new ArgumentOutOfRangeException(nameof(step), step, "Must be a finite number greater than 0.");
            }

            double[] point = x.ToArray();
            double[] numeric = new double[x.Length];
            for (int i = 0; i < point.Length; i++)
            {
                double xi = point[i];
                double h = step * Math.Max(1.0, Math.Abs(xi));
                double plus = xi + h;
                double minus = xi - h;
                point[i] = plus;
                double fPlus = function(point);
                point[i] = minus;
                double fMinus = function(point);
                point[i] = xi;
                numeric[i] = (fPlus - fMinus) / (plus - minus);
            }

            return new GradCheckResult(gradient.ToArray(), numeric);
        }

        /// <summary>
        /// Runs <see cref="Compare"/> and throws if the gradient is not close to the finite-difference estimate
        /// (see <see cref="GradCheckResult.IsClose"/>).
        /// </summary>
        /// <param name="function">The function whose gradient is checked.</param>
        /// <param name="x">The point at which to check.</param>
        /// <param name="gradient">The gradient to check, one element per element of <paramref name="x"/>.</param>
        /// <param name="relativeTolerance">The relative tolerance, as in <see cref="GradCheckResult.IsClose"/>.</param>
        /// <param name="absoluteTolerance">The absolute tolerance, as in <see cref="GradCheckResult.IsClose"/>.</param>
        /// <param name="step">The finite-difference step before scaling, as in <see cref="Compare"/>.</param>
        /// <exception cref="InvalidOperationException">Some element is not close; the message names the worst one.</exception>
        /// <exception cref="ArgumentException">An argument is invalid, as for <see cref="Compare"/>.</exception>
        public static void Assert(
            ScalarFunction function,
            ReadOnlySpan<double> x,
            ReadOnlySpan<double> gradient,
            double relativeTolerance = 1e-6,
            double absoluteTolerance = 1e-8,
            double step = 1e-6)
        {
            GradCheckResult result = Compare(function, x, gradient, step);
            if (!result.IsClose(relativeTolerance, absoluteTolerance))
            {
                throw new InvalidOperationException(
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "Gradient check failed (relative tolerance {0:R}, absolute tolerance {1:R}): {2}",
                        relativeTolerance,
                        absoluteTolerance,
                        result));
            }
        }
    }
}

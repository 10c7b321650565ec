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
        /// differences, compares the estimates with <paramref name="gradient"/> and judges the comparison against
        /// the tolerances (<see cref="GradCheckResult.Passed"/>).
        /// </summary>
        /// <remarks>
        /// Element <c>i</c> is perturbed by <c>h = step * max(1, |x[i]|)</c>, so the step is absolute for small
        /// coordinates and relative for large ones. The estimate is <c>(f(x + h e_i) - f(x - h e_i)) / (x⁺ - x⁻)</c>,
        /// dividing by the distance between the two perturbed coordinates as actually rounded. The function is
        /// evaluated 2n times on a private copy of <paramref name="x"/>; <paramref name="x"/> itself is not changed.
        /// An element passes when <c>|analytic - numeric| &lt;= absoluteTolerance + relativeTolerance * |numeric|</c>.
        /// </remarks>
        /// <param name="function">The function whose gradient is checked.</param>
        /// <param name="x">The point at which to check.</param>
        /// <param name="gradient">The gradient to check (the analytic gradient), one element per element of <paramref name="x"/>.</param>
        /// <param name="step">The finite-difference step before scaling; finite and positive.</param>
        /// <param name="relativeTolerance">The tolerance relative to the finite-difference derivative; finite and not negative.</param>
        /// <param name="absoluteTolerance">The absolute tolerance; finite and not negative.</param>
        /// <returns>The comparison, with its verdict and the worst element.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="gradient"/> and <paramref name="x"/> differ in length
        /// (<c>ParamName</c> is <c>gradient</c>), or <paramref name="step"/> or a tolerance is out of range
        /// (<c>ParamName</c> names it).</exception>
        public static GradCheckResult Compare(
            ScalarFunction function,
            ReadOnlySpan<double> x,
            ReadOnlySpan<double> gradient,
            double step = 1e-6,
            double relativeTolerance = GradCheckResult.DefaultRelativeTolerance,
            double absoluteTolerance = GradCheckResult.DefaultAbsoluteTolerance)
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

            GradCheckResult.CheckTolerance(relativeTolerance, nameof(relativeTolerance));
            GradCheckResult.CheckTolerance(absoluteTolerance, nameof(absoluteTolerance));

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

            return new GradCheckResult(gradient.ToArray(), numeric, relativeTolerance, absoluteTolerance);
        }

        /// <summary>
        /// Runs <see cref="Compare"/> and throws if the gradient is not close to the finite-difference estimate,
        /// as PyTorch's <c>gradcheck</c> raises (<see cref="GradCheckResult.ThrowIfFailed"/>).
        /// </summary>
        /// <param name="function">The function whose gradient is checked.</param>
        /// <param name="x">The point at which to check.</param>
        /// <param name="gradient">The gradient to check, one element per element of <paramref name="x"/>.</param>
        /// <param name="relativeTolerance">The relative tolerance, as in <see cref="Compare"/>.</param>
        /// <param name="absoluteTolerance">The absolute tolerance, as in <see cref="Compare"/>.</param>
        /// <param name="step">The finite-difference step before scaling, as in <see cref="Compare"/>.</param>
        /// <exception cref="InvalidOperationException">Some element is not close; the message names the worst one.</exception>
        /// <exception cref="ArgumentException">An argument is invalid, as for <see cref="Compare"/>.</exception>
        public static void Assert(
            ScalarFunction function,
            ReadOnlySpan<double> x,
            ReadOnlySpan<double> gradient,
            double relativeTolerance = GradCheckResult.DefaultRelativeTolerance,
            double absoluteTolerance = GradCheckResult.DefaultAbsoluteTolerance,
            double step = 1e-6) =>
            Compare(function, x, gradient, step, relativeTolerance, absoluteTolerance).ThrowIfFailed();
    }
}

using System;
using System.Globalization;

namespace SymDiff
{
    /// <summary>
    /// The outcome of <see cref="GradCheck.Compare"/>: the analytic gradient and its finite-difference estimate,
    /// the verdict against the tolerances of the comparison, and the worst element.
    /// </summary>
    /// <remarks>
    /// <para>
    /// An element passes when <c>|analytic - numeric| &lt;= AbsoluteTolerance + RelativeTolerance * |numeric|</c>,
    /// the test of NumPy's <c>allclose</c> and PyTorch's <c>gradcheck</c>; NaN never passes. The check
    /// <see cref="Passed"/> when every element does. <see cref="ToString"/> starts with the verdict
    /// (<c>passed</c> or <c>FAILED</c>), and <see cref="ThrowIfFailed"/> turns a failure into an exception, as
    /// PyTorch's <c>gradcheck</c> raises one.
    /// </para>
    /// <para>
    /// The worst element is the one furthest outside (or least inside) its tolerance: the largest
    /// <see cref="WorstToleranceRatio"/>, <c>|analytic - numeric| / (AbsoluteTolerance + RelativeTolerance * |numeric|)</c>.
    /// An element where either value is NaN is worse than any other. For an empty gradient
    /// <see cref="WorstIndex"/> is -1, both errors are 0 and the check passes.
    /// </para>
    /// </remarks>
    public readonly struct GradCheckResult
    {
        /// <summary>The relative tolerance <see cref="GradCheck"/> judges with unless told otherwise.</summary>
        public const double DefaultRelativeTolerance = 1e-6;

        /// <summary>The absolute tolerance <see cref="GradCheck"/> judges with unless told otherwise.</summary>
        public const double DefaultAbsoluteTolerance = 1e-8;

        private readonly double[]? _analytic;
        private readonly double[]? _numeric;

        // WorstIndex + 1, so that default(GradCheckResult) has no worst element.
        private readonly int _worstPlusOne;

        internal GradCheckResult(double[] analytic, double[] numeric, double relativeTolerance, double absoluteTolerance)
        {
            _analytic = analytic;
            _numeric = numeric;
            RelativeTolerance = relativeTolerance;
            AbsoluteTolerance = absoluteTolerance;
            _worstPlusOne = 0;
            MaxAbsoluteError = 0;
            MaxRelativeError = 0;
            FailedCount = 0;
            WorstToleranceRatio = 0;
            for (int i = 0; i < analytic.Length; i++)
            {
                double a = analytic[i];
                double n = numeric[i];
                double absolute = Math.Abs(a - n);
                double relative = absolute == 0 ? 0 : absolute / Math.Max(Math.Max(Math.Abs(a), Math.Abs(n)), 1e-300);
                double allowed = absoluteTolerance + (relativeTolerance * Math.Abs(n));
                double ratio = ToleranceRatio(absolute, allowed);
                if (_worstPlusOne == 0 || Worse(ratio, WorstToleranceRatio))
                {
                    _worstPlusOne = i + 1;
                    WorstToleranceRatio = ratio;
                }

                if (!(absolute <= allowed))
                {
                    FailedCount++;
                }

                MaxAbsoluteError = Max(MaxAbsoluteError, absolute);
                MaxRelativeError = Max(MaxRelativeError, relative);
            }
        }

        /// <summary>Gets the number of elements compared.</summary>
        public int Length => _analytic?.Length ?? 0;

        /// <summary>Gets a value indicating whether every element is within the tolerances (the verdict).</summary>
        public bool Passed => FailedCount == 0;

        /// <summary>Gets the number of elements outside the tolerances (NaN elements included).</summary>
        public int FailedCount { get; }

        /// <summary>Gets the relative tolerance the check was judged with.</summary>
        public double RelativeTolerance { get; }

        /// <summary>Gets the absolute tolerance the check was judged with.</summary>
        public double AbsoluteTolerance { get; }

        /// <summary>Gets the index of the worst element, or -1 if there are no elements.</summary>
        public int WorstIndex => _worstPlusOne - 1;

        /// <summary>
        /// Gets <c>|analytic - numeric| / (AbsoluteTolerance + RelativeTolerance * |numeric|)</c> at the worst element:
        /// at most 1 when the check passed, the factor by which the worst element misses its tolerance when it failed
        /// (NaN if the worst element is NaN, 0 if there are no elements).
        /// </summary>
        public double WorstToleranceRatio { get; }

        /// <summary>Gets the analytic derivative at <see cref="WorstIndex"/> (NaN if there are no elements).</summary>
        public double Analytic => WorstIndex < 0 ? double.NaN : _analytic![WorstIndex];

        /// <summary>Gets the finite-difference derivative at <see cref="WorstIndex"/> (NaN if there are no elements).</summary>
        public double Numeric => WorstIndex < 0 ? double.NaN : _numeric![WorstIndex];

        /// <summary>Gets the largest <c>|analytic - numeric|</c> over all elements (NaN if any element is NaN).</summary>
        public double MaxAbsoluteError { get; }

        /// <summary>
        /// Gets the largest <c>|analytic - numeric| / max(|analytic|, |numeric|)</c> over all elements
        /// (0 where both are 0, NaN if any element is NaN).
        /// </summary>
        public double MaxRelativeError { get; }

        /// <summary>
        /// Returns whether every element satisfies <c>|analytic - numeric| &lt;= absoluteTolerance + relativeTolerance * |numeric|</c>:
        /// the verdict again, with other tolerances. NaN is never close.
        /// </summary>
        /// <param name="relativeTolerance">The tolerance relative to the finite-difference derivative.</param>
        /// <param name="absoluteTolerance">The absolute tolerance.</param>
        /// <returns><see langword="true"/> if every element is close.</returns>
        public bool IsClose(double relativeTolerance = DefaultRelativeTolerance, double absoluteTolerance = DefaultAbsoluteTolerance)
        {
            for (int i = 0; i < Length; i++)
            {
                double a = _analytic![i];
                double n = _numeric![i];
                if (!(Math.Abs(a - n) <= absoluteTolerance + (relativeTolerance * Math.Abs(n))))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Throws if the check failed (PyTorch's <c>gradcheck</c> raises); does nothing if it passed.</summary>
        /// <exception cref="InvalidOperationException">Some element is outside the tolerances; the message is
        /// <c>"Gradient check failed: "</c> followed by <see cref="ToString"/>.</exception>
        public void ThrowIfFailed()
        {
            if (!Passed)
            {
                throw new InvalidOperationException("Gradient check failed: " + ToString());
            }
        }

        /// <summary>
        /// Describes the verdict, the tolerance test, the worst element and the largest errors, starting with
        /// <c>passed</c> or <c>FAILED</c>.
        /// </summary>
        /// <returns>A one-line description.</returns>
        public override string ToString()
        {
            if (WorstIndex < 0)
            {
                return "passed: no elements compared";
            }

            string verdict = Passed
                ? string.Format(CultureInfo.InvariantCulture, "passed: all {0} elements within", Length)
                : string.Format(CultureInfo.InvariantCulture, "FAILED: {0} of {1} elements outside", FailedCount, Length);
            return string.Format(
                CultureInfo.InvariantCulture,
                "{0} |analytic - numeric| <= {1:R} + {2:R} * |numeric|; worst element at index {3}: analytic {4:R}, numeric {5:R} ({6:G3} of its tolerance); max absolute error {7:R}, max relative error {8:R}",
                verdict,
                AbsoluteTolerance,
                RelativeTolerance,
                WorstIndex,
                Analytic,
                Numeric,
                WorstToleranceRatio,
                MaxAbsoluteError,
                MaxRelativeError);
        }

        internal static void CheckTolerance(double tolerance, string paramName)
        {
            if (!(tolerance >= 0) || double.IsInfinity(tolerance))
            {
                throw new ArgumentOutOfRangeException(paramName, tolerance, "Must be a finite number, 0 or greater.");
            }
        }

        // |a - n| / allowed, for reporting (the verdict compares |a - n| <= allowed itself): an error where nothing is
        // allowed is infinitely far outside; an infinite allowance is met with room to spare unless the error is
        // infinite too.
        private static double ToleranceRatio(double absoluteError, double allowed)
        {
            if (double.IsNaN(absoluteError) || double.IsNaN(allowed))
            {
                return double.NaN;
            }

            if (absoluteError == 0)
            {
                return 0;
            }

            if (double.IsPositiveInfinity(allowed))
            {
                return double.IsPositiveInfinity(absoluteError) ? 1 : 0;
            }

            return allowed > 0 ? absoluteError / allowed : double.PositiveInfinity;
        }

        // NaN is worse than anything but an earlier NaN; otherwise larger is worse.
        private static bool Worse(double candidate, double current) =>
            !double.IsNaN(current) && (double.IsNaN(candidate) || candidate > current);

        private static double Max(double current, double value) => double.IsNaN(value) || value > current ? value : current;
    }
}

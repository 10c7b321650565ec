// ReadOnlySpan<T> is part of the base library from .NET Core 2.1 and .NET Standard 2.1 on; the netstandard2.0
// build has it only through the System.Memory package, which this project does not reference (yet).
using System;
using System.Globalization;

namespace SymDiff
{
    /// <summary>
    /// The outcome of <see cref="GradCheck.Compare"/>: the analytic gradient and its finite-difference estimate,
    /// with the worst element.
    /// </summary>
    /// <remarks>
    /// The worst element is the one with the largest <c>|analytic - numeric| / max(1, |numeric|)</c>: the absolute
    /// error for small derivatives, the relative error for large ones. An element where either value is NaN is
    /// worse than any other. For an empty gradient <see cref="WorstIndex"/> is -1 and both errors are 0.
    /// </remarks>
    public readonly struct GradCheckResult
    {
        private readonly double[]? _analytic;
        private readonly double[]? _numeric;

        internal GradCheckResult(double[] analytic, double[] numeric)
        {
            _analytic = analytic;
            _numeric = numeric;
            WorstIndex = -1;
            MaxAbsoluteError = 0;
            MaxRelativeError = 0;
            double worstScore = double.NegativeInfinity;
            for (int i = 0; i < analytic.Length; i++)
            {
                double a = analytic[i];
                double n = numeric[i];
                double absolute = Math.Abs(a - n);
                double relative = absolute == 0 ? 0 : absolute / Math.Max(Math.Max(Math.Abs(a), Math.Abs(n)), 1e-300);
                double score = double.IsNaN(absolute) ? double.PositiveInfinity : absolute / Math.Max(1.0, Math.Abs(n));
                if (score > worstScore)
                {
                    worstScore = score;
                    WorstIndex = i;
                }

                MaxAbsoluteError = Max(MaxAbsoluteError, absolute);
                MaxRelativeError = Max(MaxRelativeError, relative);
            }
        }

        /// <summary>Gets the number of elements compared.</summary>
        public int Length => _analytic?.Length ?? 0;

        /// <summary>Gets the index of the worst element, or -1 if there are no elements.</summary>
        public int WorstIndex { get; }

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
        /// Returns whether every element satisfies <c>|analytic - numeric| &lt;= absoluteTolerance + relativeTolerance * |numeric|</c>,
        /// the test of NumPy's <c>allclose</c> and PyTorch's <c>gradcheck</c>. NaN is never close.
        /// </summary>
        /// <param name="relativeTolerance">The tolerance relative to the finite-difference derivative.</param>
        /// <param name="absoluteTolerance">The absolute tolerance.</param>
        /// <returns><see langword="true"/> if every element is close.</returns>
        public bool IsClose(double relativeTolerance = 1e-6, double absoluteTolerance = 1e-8)
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

        /// <summary>Describes the worst element and the largest errors.</summary>
        /// <returns>A one-line description.</returns>
        public override string ToString() => WorstIndex < 0
            ? "no elements compared"
            : string.Format(
                CultureInfo.InvariantCulture,
                "worst element at index {0}: analytic {1:R}, numeric {2:R}; max absolute error {3:R}, max relative error {4:R} over {5} elements",
                WorstIndex,
                Analytic,
                Numeric,
                MaxAbsoluteError,
                MaxRelativeError,
                Length);

        private static double Max(double current, double value) => double.IsNaN(value) || value > current ? value : current;
    }
}

using System;
using System.Globalization;

namespace SymDiff
{
    /// <summary>Argument checks shared by the optimizers; each names the offending setting.</summary>
    internal static class OptimizerArguments
    {
        /// <summary>Checks that both buffers exist and have the same length.</summary>
        public static void CheckBuffers(double[] parameters, double[] gradients) => CheckBuffers(parameters, gradients, parameters?.Length ?? 0, gradients?.Length ?? 0);

        /// <summary>Checks that both <c>float</c> buffers exist and have the same length.</summary>
        public static void CheckBuffers(float[] parameters, float[] gradients) => CheckBuffers(parameters, gradients, parameters?.Length ?? 0, gradients?.Length ?? 0);

        private static void CheckBuffers(object? parameters, object? gradients, int parameterLength, int gradientLength)
        {
            if (parameters is null)
            {
                throw new ArgumentNullException(nameof(parameters));
            }

            if (gradients is null)
            {
                throw new ArgumentNullException(nameof(gradients));
            }

            if (parameterLength != gradientLength)
            {
                throw new ArgumentException(
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "The gradient buffer has {0} elements but the parameter buffer has {1}; they must have the same length.",
                        gradientLength,
                        parameterLength),
                    nameof(gradients));
            }
        }

        /// <summary>Checks that <paramref name="value"/> is finite and not negative.</summary>
        public static void CheckNonNegative(double value, string paramName)
        {
            if (!(value >= 0) || double.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(paramName, value, "Must be a finite number greater than or equal to 0.");
            }
        }

        /// <summary>Checks that <paramref name="value"/> is neither NaN nor infinite.</summary>
        public static void CheckFinite(double value, string paramName)
        {
            if (double.IsNaN(value) || double.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(paramName, value, "Must be a finite number.");
            }
        }

        /// <summary>Checks that <paramref name="value"/> lies in [0, 1).</summary>
        public static void CheckBeta(double value, string paramName)
        {
            if (!(value >= 0 && value < 1))
            {
                throw new ArgumentOutOfRangeException(paramName, value, "Must be in the range [0, 1).");
            }
        }
    }
}

using System;

namespace SymDiff.EndToEnd.Tests.Functions
{
    /// <summary>Binary cross-entropy of a two-feature logistic regression, on one example.</summary>
    public static partial class Logistic
    {
        /// <summary>The probability the model gives to class 1.</summary>
        [Differentiable]
        public static double Probability(double w1, double w2, double b, [NoGrad] double x1, [NoGrad] double x2)
        {
            double z = (w1 * x1) + (w2 * x2) + b;
            return 1.0 / (1.0 + Math.Exp(-z));
        }

        /// <summary>-(y log p + (1 - y) log(1 - p)), with p computed inline.</summary>
        [Differentiable]
        public static double Loss(double w1, double w2, double b, [NoGrad] double x1, [NoGrad] double x2, [NoGrad] double label)
        {
            double z = (w1 * x1) + (w2 * x2) + b;
            double p = 1.0 / (1.0 + Math.Exp(-z));
            return -((label * Math.Log(p)) + ((1.0 - label) * Math.Log(1.0 - p)));
        }

        /// <summary>The same loss, calling the [Differentiable] <see cref="Probability"/> and branching on the label.</summary>
        [Differentiable]
        public static double LossViaCall(double w1, double w2, double b, [NoGrad] double x1, [NoGrad] double x2, [NoGrad] double label)
        {
            double p = Probability(w1, w2, b, x1, x2);
            if (label > 0.5)
            {
                return -Math.Log(p);
            }

            return -Math.Log(1.0 - p);
        }
    }
}

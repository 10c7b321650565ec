using System;
using SymDiff.EndToEnd.Tests.Functions;
using Xunit;

namespace SymDiff.EndToEnd.Tests
{
    /// <summary>A small logistic-regression loss, checked with <see cref="GradCheck"/> and against the closed form.</summary>
    public sealed class LogisticRegressionTests
    {
        // (x1, x2, label) examples on both sides of the decision boundary, and a few weight vectors (w1, w2, b).
        public static TheoryData<double, double, double, double, double, double> Points => new()
        {
            { 0.5, -0.25, 0.1, 1.0, 2.0, 1.0 },
            { 0.5, -0.25, 0.1, -1.5, 0.5, 0.0 },
            { -2.0, 1.0, 0.3, 0.2, -0.7, 1.0 },
            { 3.0, 2.0, -1.0, 0.9, 0.4, 0.0 },
        };

        [Theory]
        [MemberData(nameof(Points))]
        public void Gradient_passes_gradcheck(double w1, double w2, double b, double x1, double x2, double label)
        {
            double[] weights = { w1, w2, b };
            double[] gradient = new double[3];
            Logistic.LossGradient(w1, w2, b, x1, x2, label, out gradient[0], out gradient[1], out gradient[2]);

            GradCheckResult check = GradCheck.Compare(v => Logistic.Loss(v[0], v[1], v[2], x1, x2, label), weights, gradient);

            Assert.True(check.IsClose(1e-6, 1e-8), check.ToString());
        }

        [Theory]
        [MemberData(nameof(Points))]
        public void Gradient_is_the_closed_form(double w1, double w2, double b, double x1, double x2, double label)
        {
            // d(BCE)/dz = p - y, so the gradient is (p - y) * (x1, x2, 1).
            double p = 1.0 / (1.0 + Math.Exp(-((w1 * x1) + (w2 * x2) + b)));
            double loss = Logistic.LossGradient(w1, w2, b, x1, x2, label, out double dw1, out double dw2, out double db);

            Assert.Equal(Logistic.Loss(w1, w2, b, x1, x2, label), loss);
            Assert.Equal((p - label) * x1, dw1, 1e-12);
            Assert.Equal((p - label) * x2, dw2, 1e-12);
            Assert.Equal(p - label, db, 1e-12);
        }

        [Theory]
        [MemberData(nameof(Points))]
        public void Calling_a_differentiable_method_gives_the_same_gradient(double w1, double w2, double b, double x1, double x2, double label)
        {
            Logistic.LossGradient(w1, w2, b, x1, x2, label, out double dw1, out double dw2, out double db);
            Logistic.LossViaCallGradient(w1, w2, b, x1, x2, label, out double cw1, out double cw2, out double cb);

            Assert.Equal(dw1, cw1, 1e-12);
            Assert.Equal(dw2, cw2, 1e-12);
            Assert.Equal(db, cb, 1e-12);
        }

        [Fact]
        public void Gradcheck_finds_a_wrong_gradient()
        {
            // The check itself must be able to fail: flip one component and expect it to be the worst.
            double[] weights = { 0.5, -0.25, 0.1 };
            double[] gradient = new double[3];
            Logistic.LossGradient(weights[0], weights[1], weights[2], 1.0, 2.0, 1.0, out gradient[0], out gradient[1], out gradient[2]);
            gradient[1] = -gradient[1];

            GradCheckResult check = GradCheck.Compare(v => Logistic.Loss(v[0], v[1], v[2], 1.0, 2.0, 1.0), weights, gradient);

            Assert.False(check.IsClose(1e-6, 1e-8));
            Assert.Equal(1, check.WorstIndex);
        }
    }
}

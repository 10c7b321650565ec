using System;
using SymDiff;

namespace PolynomialAdam
{
    public static partial class Model
    {
        // PyTorch:  yhat = w[0] * x**2 + w[1] * x + w[2];  loss = ((yhat - y)**2).mean()
        // w is the flat parameter buffer the optimizer updates; SymDiff generates
        // MseGradient(w, x, y, Span<double> dW) and MseBackward(w, x, y, seed, Span<double> dW).
        [Differentiable]
        public static double Mse(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
        {
            double sum = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double r = (w[0] * (x[i] * x[i])) + (w[1] * x[i]) + w[2] - y[i];
                sum += r * r;
            }

            return sum / x.Length;
        }
    }
}

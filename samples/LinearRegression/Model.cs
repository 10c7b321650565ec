using System;
using SymDiff;

namespace LinearRegression
{
    // Every type containing a [Differentiable] method must be partial: SymDiff adds the generated methods to it.
    public static partial class Model
    {
        // PyTorch:  loss = nn.MSELoss()(w * x + b, y)
        // SymDiff generates MseGradient(w, b, x, y, out dW, out dB) and MseBackward(w, b, x, y, seed, ref dW, ref dB):
        // one fused loop over the data each, no tape, no allocation.
        [Differentiable]
        public static double Mse(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
        {
            double sum = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double r = w * x[i] + b - y[i];
                sum += r * r;
            }

            return sum / x.Length;
        }
    }
}

using System;
using SymDiff;

namespace GettingStarted
{
    // Every type containing a [Differentiable] method must be partial: SymDiff adds the generated methods to it.
    public static partial class Examples
    {
        // PyTorch tutorial:  w = torch.tensor(1., requires_grad=True); x = torch.tensor(2., requires_grad=True)
        //                    y = (w + x) * (w + 1); y.backward()
        // SymDiff generates YGradient(w, x, out dW, out dX) and YBackward(w, x, seed, ref dW, ref dX).
        [Differentiable]
        public static double Y(double w, double x) => (w + x) * (w + 1);

        [Differentiable]
        public static double Z(double w, double x) => (w + x) * (w * x);

        [Differentiable]
        public static double Square(double x) => x * x;

        // Grad.Detach(x) is x, but no gradient flows through it (PyTorch x.detach(), JAX stop_gradient).
        [Differentiable]
        public static double SquareDetached(double x) => x * Grad.Detach(x);

        // PyTorch tutorial:  a = w + x; a.retain_grad(); b = w + 1; y = a * b; y.backward()
        // Grad.Retain(v) is v, and marks the local: SymDiff also generates
        // YRetainedGradientRetained(w, x, out dW, out dX, out dA), whose dA is PyTorch's a.grad.
        [Differentiable]
        public static double YRetained(double w, double x)
        {
            double a = Grad.Retain(w + x);
            double b = w + 1;
            return a * b;
        }

        // PyTorch tutorial:  a = x + 2 * y; a.retain_grad(); b = a + z / 2; b.backward(torch.ones(2))
        // A vector function, written element by element (Grad.Retain is not allowed inside a loop: SD1020);
        // SymDiff generates BBackwardRetained(x, y, z, b, seed, dX, dY, dZ, out dA0, out dA1).
        [Differentiable]
        public static void B(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Span<double> b)
        {
            double a0 = Grad.Retain(x[0] + 2 * y[0]);
            double a1 = Grad.Retain(x[1] + 2 * y[1]);
            b[0] = a0 + z[0] / 2;
            b[1] = a1 + z[1] / 2;
        }
    }
}

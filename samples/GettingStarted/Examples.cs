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
    }
}

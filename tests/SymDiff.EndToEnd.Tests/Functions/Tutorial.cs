namespace SymDiff.EndToEnd.Tests.Functions
{
    /// <summary>The examples of PyTorch's autograd tutorial, as [Differentiable] methods.</summary>
    public static partial class Tutorial
    {
        /// <summary>y = (w + x)(w + 1). At w = 1, x = 2: dy/dw = 5, dy/dx = 2.</summary>
        [Differentiable]
        public static double Y(double w, double x) => (w + x) * (w + 1);

        /// <summary>z = (w + x)(w x). At w = 1, x = 2: dz/dw = 8, dz/dx = 5.</summary>
        [Differentiable]
        public static double Z(double w, double x) => (w + x) * (w * x);

        /// <summary>x times a detached copy of itself: the gradient is x, not 2x (PyTorch x * x.detach()).</summary>
        [Differentiable]
        public static double TimesDetached(double x) => x * Grad.Detach(x);
    }
}

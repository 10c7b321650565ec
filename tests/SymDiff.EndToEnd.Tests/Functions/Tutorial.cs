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

        /// <summary>y = (w + x)(w + 1) with a = w + x retained (a.retain_grad()). At w = 1, x = 2: dy/da = w + 1 = 2.</summary>
        [Differentiable]
        public static double YRetained(double w, double x)
        {
            double a = Grad.Retain(w + x);
            double b = w + 1;
            return a * b;
        }

        /// <summary>The tutorial's vector case element by element: a = x + 2y retained, b = a + z / 2.</summary>
        [Differentiable]
        public static void B(System.ReadOnlySpan<double> x, System.ReadOnlySpan<double> y, System.ReadOnlySpan<double> z, System.Span<double> b)
        {
            double a0 = Grad.Retain(x[0] + 2 * y[0]);
            double a1 = Grad.Retain(x[1] + 2 * y[1]);
            b[0] = a0 + z[0] / 2;
            b[1] = a1 + z[1] / 2;
        }

        /// <summary>Two losses summed before one backward: plain C#.</summary>
        [Differentiable]
        public static double Total(double w, double x) => Y(w, x) + Z(w, x);
    }
}

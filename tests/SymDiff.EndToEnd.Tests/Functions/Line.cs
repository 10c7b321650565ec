namespace SymDiff.EndToEnd.Tests.Functions
{
    /// <summary>A line y = w x + b, fitted by least squares one point at a time.</summary>
    public static partial class Line
    {
        /// <summary>The squared error of the line (w, b) on one point (x, y).</summary>
        [Differentiable]
        public static double SquaredError(double w, double b, [NoGrad] double x, [NoGrad] double y)
        {
            double residual = (w * x) + b - y;
            return residual * residual;
        }
    }
}

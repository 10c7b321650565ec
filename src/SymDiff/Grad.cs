namespace SymDiff
{
    /// <summary>Functions that steer differentiation inside a <see cref="DifferentiableAttribute"/> method.</summary>
    public static class Grad
    {
        /// <summary>
        /// Returns <paramref name="x"/> unchanged; no gradient flows through it
        /// (PyTorch <c>detach()</c>, JAX <c>stop_gradient</c>).
        /// </summary>
        /// <param name="x">The value.</param>
        /// <returns><paramref name="x"/>.</returns>
        public static double Detach(double x) => x;

        /// <summary>
        /// Returns <paramref name="x"/> unchanged; no gradient flows through it
        /// (PyTorch <c>detach()</c>, JAX <c>stop_gradient</c>).
        /// </summary>
        /// <param name="x">The value.</param>
        /// <returns><paramref name="x"/>.</returns>
        public static float Detach(float x) => x;

        /// <summary>
        /// Returns <paramref name="x"/> unchanged and marks the local it is assigned to as retained (PyTorch
        /// <c>retain_grad()</c>): a method that retains values gets one more generated method,
        /// <c>FGradientRetained</c> (<c>GBackwardRetained</c> for a vector function), that also returns the gradient
        /// with respect to each retained local. Write it as the whole value of a local outside any loop:
        /// <c>double a = Grad.Retain(w + x);</c>.
        /// </summary>
        /// <param name="x">The value.</param>
        /// <returns><paramref name="x"/>.</returns>
        public static double Retain(double x) => x;

        /// <summary>
        /// Returns <paramref name="x"/> unchanged and marks the local it is assigned to as retained (PyTorch
        /// <c>retain_grad()</c>): a method that retains values gets one more generated method,
        /// <c>FGradientRetained</c> (<c>GBackwardRetained</c> for a vector function), that also returns the gradient
        /// with respect to each retained local. Write it as the whole value of a local outside any loop:
        /// <c>float a = Grad.Retain(w + x);</c>.
        /// </summary>
        /// <param name="x">The value.</param>
        /// <returns><paramref name="x"/>.</returns>
        public static float Retain(float x) => x;
    }
}

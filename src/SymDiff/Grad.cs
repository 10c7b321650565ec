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
    }
}

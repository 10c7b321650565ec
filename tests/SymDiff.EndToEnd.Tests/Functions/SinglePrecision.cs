using System;

namespace SymDiff.EndToEnd.Tests.Functions
{
    /// <summary>An all-float method: float gradients, MathF functions.</summary>
    public static partial class SinglePrecision
    {
        /// <summary>A damped oscillation e^(-a t) cos(t).</summary>
        [Differentiable]
        public static float Damped(float a, float t) => MathF.Exp(-a * t) * MathF.Cos(t);
    }
}

using System;
using SymDiff.EndToEnd.Tests.Functions;
using Xunit;

namespace SymDiff.EndToEnd.Tests
{
    /// <summary>A float method gets float gradients.</summary>
    public sealed class SinglePrecisionTests
    {
        [Theory]
        [InlineData(0.5f, 1.0f)]
        [InlineData(2.0f, 0.25f)]
        [InlineData(-0.3f, 3.0f)]
        public void Gradient_matches_the_analytic_derivative(float a, float t)
        {
            float value = SinglePrecision.DampedGradient(a, t, out float da, out float dt);

            // d/da = -t e^(-a t) cos t; d/dt = -a e^(-a t) cos t - e^(-a t) sin t, computed in double.
            double e = Math.Exp(-(double)a * t);
            Assert.Equal(SinglePrecision.Damped(a, t), value);
            Assert.Equal(-t * e * Math.Cos(t), da, 1e-5);
            Assert.Equal((-a * e * Math.Cos(t)) - (e * Math.Sin(t)), dt, 1e-5);
        }

        [Fact]
        public void Backward_accumulates_in_float()
        {
            float da = 1f, dt = 1f;
            SinglePrecision.DampedBackward(0.5f, 1.0f, 2f, ref da, ref dt);
            SinglePrecision.DampedGradient(0.5f, 1.0f, out float ga, out float gt);

            Assert.Equal(1f + (2f * ga), da, 1e-6f);
            Assert.Equal(1f + (2f * gt), dt, 1e-6f);
        }
    }
}

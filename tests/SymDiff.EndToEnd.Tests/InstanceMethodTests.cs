using SymDiff.EndToEnd.Tests.Functions;
using Xunit;

namespace SymDiff.EndToEnd.Tests
{
    /// <summary>An instance method: the generated methods are instance methods reading the same state.</summary>
    public sealed class InstanceMethodTests
    {
        [Theory]
        [InlineData(2.0, 1.0, 1.5)]
        [InlineData(10.0, 0.5, 0.2)]
        public void Gradient_is_the_spring_force(double stiffness, double restLength, double x)
        {
            var spring = new Spring(stiffness, restLength);

            double energy = spring.EnergyGradient(x, out double dx);

            Assert.Equal(spring.Energy(x), energy);
            Assert.Equal(stiffness * (x - restLength), dx, 1e-12);
        }

        [Fact]
        public void Each_instance_uses_its_own_state()
        {
            var soft = new Spring(1.0, 0.0);
            var stiff = new Spring(100.0, 0.0);
            double dSoft = 0, dStiff = 0;

            soft.EnergyBackward(1.0, 1.0, ref dSoft);
            stiff.EnergyBackward(1.0, 1.0, ref dStiff);

            Assert.Equal(1.0, dSoft, 1e-12);
            Assert.Equal(100.0, dStiff, 1e-12);
        }
    }
}

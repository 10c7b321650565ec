using System;
using Xunit;

namespace SymDiff.Tests
{
    /// <summary>Bad settings are rejected with the offending argument named, as PyTorch rejects them.</summary>
    public class OptimizerArgumentTests
    {
        [Theory]
        [InlineData(double.NaN, 0, 0, 0, false, "learningRate")]
        [InlineData(-0.1, 0, 0, 0, false, "learningRate")]
        [InlineData(double.PositiveInfinity, 0, 0, 0, false, "learningRate")]
        [InlineData(0.1, -0.5, 0, 0, false, "momentum")]
        [InlineData(0.1, double.NaN, 0, 0, false, "momentum")]
        [InlineData(0.1, 0.9, double.NaN, 0, false, "dampening")]
        [InlineData(0.1, 0, 0, -1e-4, false, "weightDecay")]
        [InlineData(0.1, 0, 0, double.NaN, false, "weightDecay")]
        [InlineData(0.1, 0, 0, 0, true, "nesterov")]
        [InlineData(0.1, 0.9, 0.1, 0, true, "nesterov")]
        public void SgdRejectsBadSettings(double lr, double momentum, double dampening, double weightDecay, bool nesterov, string paramName)
        {
            var e = Assert.ThrowsAny<ArgumentException>(
                () => new Sgd(new double[2], new double[2], lr, momentum, dampening, weightDecay, nesterov));
            Assert.Equal(paramName, e.ParamName);
        }

        [Theory]
        [InlineData(double.NaN, 0.9, 0.999, 1e-8, 0, "learningRate")]
        [InlineData(-1e-3, 0.9, 0.999, 1e-8, 0, "learningRate")]
        [InlineData(1e-3, -0.1, 0.999, 1e-8, 0, "beta1")]
        [InlineData(1e-3, 1.0, 0.999, 1e-8, 0, "beta1")]
        [InlineData(1e-3, double.NaN, 0.999, 1e-8, 0, "beta1")]
        [InlineData(1e-3, 0.9, 1.0, 1e-8, 0, "beta2")]
        [InlineData(1e-3, 0.9, -1e-9, 1e-8, 0, "beta2")]
        [InlineData(1e-3, 0.9, 0.999, -1e-8, 0, "epsilon")]
        [InlineData(1e-3, 0.9, 0.999, double.NaN, 0, "epsilon")]
        [InlineData(1e-3, 0.9, 0.999, 1e-8, -0.01, "weightDecay")]
        [InlineData(1e-3, 0.9, 0.999, 1e-8, double.NaN, "weightDecay")]
        public void AdamRejectsBadSettings(double lr, double beta1, double beta2, double epsilon, double weightDecay, string paramName)
        {
            var e = Assert.ThrowsAny<ArgumentException>(
                () => new Adam(new double[2], new double[2], lr, beta1, beta2, epsilon, weightDecay));
            Assert.Equal(paramName, e.ParamName);
        }

        [Fact]
        public void BoundarySettingsAreAccepted()
        {
            var sgd = new Sgd(new double[1], new double[1], learningRate: 0, momentum: 0.9, dampening: -0.5);
            Assert.Equal(-0.5, sgd.Dampening);

            var adam = new Adam(new double[1], new double[1], learningRate: 0, beta1: 0, beta2: 0, epsilon: 0);
            Assert.Equal(0.0, adam.Beta1);
            Assert.Equal(0.0, adam.Epsilon);
        }

        [Fact]
        public void BuffersOfDifferentLengthsAreRejectedNamingBothLengths()
        {
            var sgd = Assert.ThrowsAny<ArgumentException>(() => new Sgd(new double[3], new double[2], 0.1));
            Assert.Equal("gradients", sgd.ParamName);
            Assert.Contains("2", sgd.Message);
            Assert.Contains("3", sgd.Message);

            var adam = Assert.ThrowsAny<ArgumentException>(() => new Adam(new double[4], new double[5]));
            Assert.Equal("gradients", adam.ParamName);
            Assert.Contains("4", adam.Message);
            Assert.Contains("5", adam.Message);
        }

        [Fact]
        public void NullBuffersAreRejected()
        {
            Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => new Sgd(null!, new double[1], 0.1)).ParamName);
            Assert.Equal("gradients", Assert.Throws<ArgumentNullException>(() => new Sgd(new double[1], null!, 0.1)).ParamName);
            Assert.Equal("parameters", Assert.Throws<ArgumentNullException>(() => new Adam(null!, new double[1])).ParamName);
            Assert.Equal("gradients", Assert.Throws<ArgumentNullException>(() => new Adam(new double[1], null!)).ParamName);
        }
    }
}

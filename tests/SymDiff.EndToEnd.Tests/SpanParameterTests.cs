using System;
using SymDiff.EndToEnd.Tests.Functions;
using Xunit;

namespace SymDiff.EndToEnd.Tests
{
    /// <summary>A ReadOnlySpan parameter read at constant indices; its gradient goes to a Span buffer.</summary>
    public sealed class SpanParameterTests
    {
        private static readonly double[] Coefficients = { 1.0, -2.0, 0.5 };

        [Fact]
        public void Gradient_fills_the_span_buffer()
        {
            double[] dC = { 7.0, 7.0, 7.0 }; // overwritten, not added to
            double value = Polynomial.QuadraticGradient(Coefficients, 3.0, dC, out double dX);

            Assert.Equal(Polynomial.Quadratic(Coefficients, 3.0), value);
            Assert.Equal(new[] { 1.0, 3.0, 9.0 }, dC);
            Assert.Equal(-2.0 + (2 * 0.5 * 3.0), dX);
        }

        [Fact]
        public void Backward_adds_into_the_span_buffer()
        {
            double[] dC = { 1.0, 1.0, 1.0 };
            double dX = 1.0;
            Polynomial.QuadraticBackward(Coefficients, 3.0, 2.0, dC, ref dX);

            Assert.Equal(new[] { 1.0 + 2.0, 1.0 + 6.0, 1.0 + 18.0 }, dC);
            Assert.Equal(1.0 + (2.0 * 1.0), dX);
        }

        [Fact]
        public void Gradient_works_with_stack_memory()
        {
            Span<double> c = stackalloc double[] { 1.0, -2.0, 0.5 };
            Span<double> dC = stackalloc double[3];
            Polynomial.QuadraticGradient(c, 3.0, dC, out _);

            Assert.Equal(9.0, dC[2]);
        }

        [Theory]
        [InlineData(2)]
        [InlineData(4)]
        public void Gradient_rejects_a_buffer_of_the_wrong_length(int length)
        {
            double[] dC = new double[length];
            Array.Fill(dC, 42.0);

            ArgumentException e = Assert.Throws<ArgumentException>(() => Polynomial.QuadraticGradient(Coefficients, 3.0, dC, out _));

            Assert.Equal("dC", e.ParamName);
            Assert.Contains("'c'", e.Message, StringComparison.Ordinal);
            Assert.All(dC, g => Assert.Equal(42.0, g)); // nothing written before the check
        }

        [Fact]
        public void Backward_rejects_a_buffer_of_the_wrong_length()
        {
            double[] dC = { 42.0, 42.0 };
            double dX = 42.0;

            ArgumentException e = Assert.Throws<ArgumentException>(() => Polynomial.QuadraticBackward(Coefficients, 3.0, 1.0, dC, ref dX));

            Assert.Equal("dC", e.ParamName);
            Assert.Equal(new[] { 42.0, 42.0 }, dC);
            Assert.Equal(42.0, dX);
        }
    }
}

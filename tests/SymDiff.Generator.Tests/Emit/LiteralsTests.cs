using System;
using System.Globalization;
using SymDiff.Generator.Emit;
using Xunit;

namespace SymDiff.Generator.Tests.Emit
{
    /// <summary>
    /// <see cref="Literals.Double"/> writes whole numbers without the general round-trip formatter: its text must be the
    /// one the round-trip format ("R", plus ".0" when that has no point or exponent) gives, and parse back to the same bits.
    /// </summary>
    public sealed class LiteralsTests
    {
        private static string RoundTrip(double value)
        {
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.IndexOfAny(new[] { '.', 'E', 'e' }) >= 0 ? text : text + ".0";
        }

        [Theory]
        [InlineData(0.0)]
        [InlineData(1.0)]
        [InlineData(-1.0)]
        [InlineData(2.0)]
        [InlineData(10.0)]
        [InlineData(11.0)]
        [InlineData(-10.0)]
        [InlineData(0.5)]
        [InlineData(-0.25)]
        [InlineData(1e-300)]
        [InlineData(123456789012345.0)]
        [InlineData(-123456789012345.0)]
        [InlineData(999999999999999.0)]
        [InlineData(1e15)]
        [InlineData(-1e15)]
        [InlineData(1e16)]
        [InlineData(9007199254740993.0)]
        [InlineData(1e300)]
        [InlineData(double.MaxValue)]
        [InlineData(double.Epsilon)]
        [InlineData(4503599627370495.5)]
        public void Double_is_the_round_trip_text(double value)
        {
            string text = Literals.Double(value);
            Assert.Equal(RoundTrip(value), text);
            Assert.Equal(BitConverter.DoubleToInt64Bits(value), BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)));
        }

        [Fact]
        public void Double_is_the_round_trip_text_for_many_whole_and_fractional_values()
        {
            var random = new Random(20261203);
            for (int i = 0; i < 20_000; i++)
            {
                double magnitude = Math.Pow(10, random.Next(0, 18));
                double value = Math.Floor(random.NextDouble() * magnitude) * (random.Next(2) == 0 ? 1 : -1);
                if (i % 3 == 0)
                {
                    value += 0.5;
                }

                Assert.Equal(RoundTrip(value), Literals.Double(value));
            }
        }

        [Fact]
        public void Double_spells_out_the_special_values()
        {
            Assert.Equal("-0.0", Literals.Double(-0.0));
            Assert.Equal("double.NaN", Literals.Double(double.NaN));
            Assert.Equal("double.PositiveInfinity", Literals.Double(double.PositiveInfinity));
            Assert.Equal("double.NegativeInfinity", Literals.Double(double.NegativeInfinity));
        }
    }
}

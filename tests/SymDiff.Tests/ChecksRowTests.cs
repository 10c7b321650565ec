using System;
using Xunit;

namespace SymDiff.Tests
{
    /// <summary>
    /// <c>Checks.Row</c>, the row a generated loop reads (docs/performance.md, "Row views"): the elements
    /// <c>[start, start + count)</c>; <c>IndexOutOfRangeException</c>, as the loop's own indexing, when they are not all in
    /// the span; an empty row for a loop of no iteration, whatever its start.
    /// </summary>
    public class ChecksRowTests
    {
        [Fact]
        public void A_row_is_the_elements_from_start()
        {
            double[] a = { 0, 1, 2, 3, 4, 5 };
            Assert.Equal(new double[] { 2, 3, 4 }, Checks.Row((ReadOnlySpan<double>)a, 2, 3).ToArray());
            Assert.Equal(new double[] { 4, 5 }, Checks.Row(a.AsSpan(), 4, 2).ToArray());
            float[] f = { 1, 2, 3 };
            Assert.Equal(new float[] { 3 }, Checks.Row((ReadOnlySpan<float>)f, 2, 1).ToArray());
            Span<float> row = Checks.Row(f.AsSpan(), 0, 2);
            row[1] = 7;
            Assert.Equal(7, f[1]);
        }

        [Theory]
        [InlineData(0, 0)]
        [InlineData(6, 0)]
        [InlineData(-3, 0)]
        [InlineData(100, 0)]
        public void No_iteration_reads_nothing_and_never_throws(int start, int count) =>
            Assert.Equal(0, Checks.Row(new double[6].AsSpan(), start, count).Length);

        [Theory]
        [InlineData(4, 3)]
        [InlineData(-1, 2)]
        [InlineData(6, 1)]
        [InlineData(int.MaxValue, 2)]
        public void A_row_past_either_end_throws_IndexOutOfRange(int start, int count)
        {
            Assert.Throws<IndexOutOfRangeException>(() => Checks.Row(new double[6].AsSpan(), start, count).Length);
            Assert.Throws<IndexOutOfRangeException>(() => Checks.Row((ReadOnlySpan<double>)new double[6], start, count).Length);
            Assert.Throws<IndexOutOfRangeException>(() => Checks.Row(new float[6].AsSpan(), start, count).Length);
        }
    }
}

using System;
using System.Runtime.Intrinsics;
using Xunit;
using Xunit.Abstractions;

namespace SymDiff.Generator.Tests.Vectorize
{
    /// <summary>
    /// The vector functions <c>Vectorize = true</c> puts in lanes (.NET's <c>Vector256.Exp</c> and <c>Vector256.Log</c>) are
    /// within 4 ulp of <c>Math</c>'s result per element (API.md section 9), measured over their whole finite range. The
    /// measured bounds are in docs/performance.md.
    /// </summary>
    public class VectorMathAccuracyTests
    {
        private const int Samples = 400_000;
        private readonly ITestOutputHelper _output;

        public VectorMathAccuracyTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void Vector256_Exp_and_Log_of_double_are_within_4_ulp_of_Math()
        {
            var rng = new Random(12);
            long worstExp = 0, worstLog = 0;
            var xs = new double[4];
            var logs = new double[4];
            for (int k = 0; k < Samples; k++)
            {
                for (int l = 0; l < 4; l++)
                {
                    xs[l] = k % 3 == 0 ? (rng.NextDouble() * 2) - 1 : (rng.NextDouble() * 1416) - 708;   // the whole finite range, and near 0
                    logs[l] = k % 3 == 0 ? 1 + ((rng.NextDouble() - 0.5) * 1e-3) : Math.Pow(10, (rng.NextDouble() * 600) - 300);
                }

                var e = Vector256.Exp(Vector256.Create(xs));
                var g = Vector256.Log(Vector256.Create(logs));
                for (int l = 0; l < 4; l++)
                {
                    worstExp = Math.Max(worstExp, Ulps(Math.Exp(xs[l]), e.GetElement(l)));
                    worstLog = Math.Max(worstLog, Ulps(Math.Log(logs[l]), g.GetElement(l)));
                }
            }

            _output.WriteLine($"double: Vector256.Exp max {worstExp} ulp, Vector256.Log max {worstLog} ulp over {4 * Samples} values each (accelerated: {Vector256.IsHardwareAccelerated})");
            Assert.InRange(worstExp, 0, 4);
            Assert.InRange(worstLog, 0, 4);
        }

        [Fact]
        public void Vector256_Exp_and_Log_of_float_are_within_4_ulp_of_MathF()
        {
            var rng = new Random(13);
            long worstExp = 0, worstLog = 0;
            var xs = new float[8];
            var logs = new float[8];
            for (int k = 0; k < Samples / 2; k++)
            {
                for (int l = 0; l < 8; l++)
                {
                    xs[l] = k % 3 == 0 ? (float)((rng.NextDouble() * 2) - 1) : (float)((rng.NextDouble() * 174) - 87);
                    logs[l] = k % 3 == 0 ? (float)(1 + ((rng.NextDouble() - 0.5) * 1e-3)) : (float)Math.Pow(10, (rng.NextDouble() * 74) - 37);
                }

                var e = Vector256.Exp(Vector256.Create(xs));
                var g = Vector256.Log(Vector256.Create(logs));
                for (int l = 0; l < 8; l++)
                {
                    worstExp = Math.Max(worstExp, Ulps(MathF.Exp(xs[l]), e.GetElement(l)));
                    worstLog = Math.Max(worstLog, Ulps(MathF.Log(logs[l]), g.GetElement(l)));
                }
            }

            _output.WriteLine($"float: Vector256.Exp max {worstExp} ulp, Vector256.Log max {worstLog} ulp over {4 * Samples} values each");
            Assert.InRange(worstExp, 0, 4);
            Assert.InRange(worstLog, 0, 4);
        }

        [Fact]
        public void Ulps_counts_representable_numbers_between()
        {
            Assert.Equal(0, Ulps(1.0, 1.0));
            Assert.Equal(1, Ulps(1.0, Math.BitIncrement(1.0)));
            Assert.Equal(2, Ulps(Math.BitDecrement(0.0), Math.BitIncrement(0.0))); // -eps, (+-0), +eps
            Assert.Equal(1, Ulps(1f, MathF.BitIncrement(1f)));
        }

        /// <summary>How many doubles lie from <paramref name="a"/> up to <paramref name="b"/> (either order; -0 and +0 are one).</summary>
        internal static long Ulps(double a, double b) => Math.Abs(Ordered(a) - Ordered(b));

        internal static long Ulps(float a, float b) => Math.Abs(Ordered(a) - Ordered(b));

        private static long Ordered(double v)
        {
            long bits = BitConverter.DoubleToInt64Bits(v);
            return bits < 0 ? -(bits & long.MaxValue) : bits;
        }

        private static long Ordered(float v)
        {
            int bits = BitConverter.SingleToInt32Bits(v);
            return bits < 0 ? -(long)(bits & int.MaxValue) : bits;
        }
    }
}

using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>
    /// A local buffer of run-time length (<c>new double[n]</c>) lives in an array rented from the pool, which is usually
    /// longer than <c>n</c>. An index past <c>n</c> must throw <c>IndexOutOfRangeException</c> in the generated methods
    /// as in the user's method, not read what the pool's array held before (a value and gradient from another call's
    /// data, with no error). The generated code holds such a buffer as a span of exactly its length.
    /// </summary>
    public class PooledBufferBoundsTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class Pb
{
    // Reads h[i + 1] up to i = n - 1: one past the end on the last step.
    [Differentiable]
    public static double OffByOne(ReadOnlySpan<double> x)
    {
        int n = x.Length;
        double[] h = new double[n];
        for (int i = 0; i < n; i++)
        {
            h[i] = x[i] * x[i];
        }

        double s = 0;
        for (int i = 0; i < n; i++)
        {
            s += h[i + 1] * x[i];
        }

        return s;
    }

    // The index comes from data: at[k] may be past the buffer's end.
    [Differentiable]
    public static double Gather(ReadOnlySpan<double> x, [NoGrad] int[] at)
    {
        Span<double> h = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            h[i] = Math.Sin(x[i]);
        }

        double s = 0;
        foreach (int k in at)
        {
            s += h[k] * h[k];
        }

        return s;
    }
}";

        /// <summary>
        /// 1 where the call throws <c>IndexOutOfRangeException</c>, 0 where it returns, 2 for another exception. A long
        /// call first leaves non-zero values in the pool's arrays, as a program that ran before would.
        /// </summary>
        [Fact]
        public void An_index_past_the_length_throws_as_in_the_users_method()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double Code(Action a) { try { a(); return 0; } catch (IndexOutOfRangeException) { return 1; } catch (Exception) { return 2; } }
        double[] big = new double[40];
        for (int i = 0; i < big.Length; i++) big[i] = 1.0 + i;
        Pb.GatherGradient(big.AsSpan(0, 39), new[] { 1, 2 }, new double[39]);
        double[] x = { 0.5, 1.5, 2.5 };
        double[] g = new double[3];
        int[] far = { 0, 3 };
        return new[]
        {
            Code(() => Pb.OffByOne(x)), Code(() => Pb.OffByOneGradient(x, g)), Code(() => Pb.OffByOneBackward(x, 1.0, g)), Code(() => Pb.OffByOneDerivative(x, x, out _)),
            Code(() => Pb.Gather(x, far)), Code(() => Pb.GatherGradient(x, far, g)), Code(() => Pb.GatherBackward(x, far, 1.0, g)), Code(() => Pb.GatherDerivative(x, far, x, out _)),
            // In bounds: nothing throws.
            Code(() => Pb.Gather(x, new[] { 2, 0 })), Code(() => Pb.GatherGradient(x, new[] { 2, 0 }, g)),
        };");
            Assert.Equal(new double[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, r);
        }

        /// <summary>In bounds the values are the user's, bit for bit, and the gradient matches central differences.</summary>
        [Fact]
        public void In_bounds_the_gradient_is_the_users()
        {
            var r = GeneratedCode.RunDriver(Source, @"
        double[] x = { 0.5, 1.5, 2.5, -0.7 };
        int[] at = { 3, 0, 3, 2 };
        double[] g = new double[4];
        double value = Pb.GatherGradient(x, at, g);
        var r = new System.Collections.Generic.List<double> { value, Pb.Gather(x, at) };
        r.AddRange(g);
        for (int j = 0; j < x.Length; j++)
        {
            double[] up = (double[])x.Clone(), down = (double[])x.Clone();
            up[j] += 1e-6; down[j] -= 1e-6;
            r.Add((Pb.Gather(up, at) - Pb.Gather(down, at)) / 2e-6);
        }
        return r.ToArray();");
            Assert.Equal(r[1], r[0]);
            FiniteDifferences.AssertClose(r[6..10], r[2..6], relTol: 1e-6, absTol: 1e-8, "GatherGradient");
        }

        /// <summary>
        /// Read as a user: the buffer is rented with the user's own length name (the reverse sweep rents its buffers
        /// first, ahead of the let that names the length, which took a temporary's name), and it is a span of exactly
        /// that length over the pool's array.
        /// </summary>
        [Fact]
        public void The_buffer_is_rented_under_the_users_length_name()
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class Cv
{
    [Differentiable]
    public static double Loss(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        int windows = x.Length - 2;
        double[] z = new double[windows];
        for (int i = 0; i < windows; i++)
        {
            z[i] = Math.Tanh(w[0] * x[i] + w[1] * x[i + 2]);
        }

        // Read in the other order, so the buffer is kept (read in the loop that fills it, it would not be).
        double loss = 0;
        for (int i = 0; i < windows; i++)
        {
            loss += z[i] * z[windows - 1 - i];
        }

        return loss;
    }
}");
            GeneratorRunner.AssertCleanCompile(output);
            string text = Assert.Single(output.GeneratedSources, g => g.HintName.StartsWith("Cv.Loss", System.StringComparison.Ordinal)).Text;
            Assert.Contains("int windows = x.Length - 2;", text, System.StringComparison.Ordinal);
            Assert.Contains(".Rent(windows);", text, System.StringComparison.Ordinal);
            Assert.Contains("global::System.Span<double> z = new global::System.Span<double>(zRented, 0, windows);", text, System.StringComparison.Ordinal);
            Assert.DoesNotContain("int t0 = x.Length - 2;", text, System.StringComparison.Ordinal);
        }
    }
}

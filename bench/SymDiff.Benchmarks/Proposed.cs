using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace SymDiff.Benchmarks
{
    /// <summary>
    /// What the generator could emit instead, for the rows that miss the 1.10x target: today's generated code
    /// (obj/Release/net10.0/generated) with only the rewrites that docs/performance.md proposes applied by hand.
    /// Values are bit-identical to the user's methods, as the contract requires. Measured with <c>--quick --proposed</c>
    /// and as the <c>Proposed</c> benchmarks, to show what each rewrite is worth before anyone implements it.
    /// </summary>
    public static class Proposed
    {
        /// <summary>W1. Rewrite: the adjoint of the sum, <c>-(sumBar * r)</c>, is linear in <c>r</c> with a
        /// loop-invariant factor, so the loop sums <c>r * x</c> and <c>r</c> and the factor (and the sign) is applied
        /// once after it: 9 floating-point operations per element instead of 11, no sign-mask load.</summary>
        public static double LinRegGradient(double w, double b, ReadOnlySpan<double> x, ReadOnlySpan<double> y, out double dW, out double dB)
        {
            double t0 = (double)x.Length;
            double sumBar = 1.0 / t0;
            double sum = 0.0;
            double wAcc = 0.0;
            double bAcc = 0.0;
            for (int i = 0; i < x.Length; i++)
            {
                double t1 = x[i];
                double r = y[i] - (w * t1 + b);
                sum = sum + 0.5 * r * r;
                wAcc = wAcc + r * t1;
                bAcc = bAcc + r;
            }

            dW = -(sumBar * wAcc);
            dB = -(sumBar * bAcc);
            return sum / t0;
        }

        /// <summary>W2. Rewrites: (1) the buffer-length exception is built in a non-inlined helper, so the method's
        /// prologue stays small; (2) in the overwriting Gradient, the contributions to <c>dX[i + 1]</c> are carried in
        /// a register to the next iteration, where <c>dX[i]</c> is complete and stored once: no <c>Clear()</c> pass,
        /// no read-modify-write, one store per element; (3) <c>x[i + 1]</c> is carried to the next iteration as
        /// <c>x[i]</c>; (4) the local adjoint <c>t2 - 2.0 * u + t2</c> with <c>t2 = -tBar * t1</c> is simplified to
        /// <c>-2.0 * (tBar * t1 + u)</c> and its sign folded into the subtraction from the carry: 4 operations
        /// instead of 6, no sign-mask load. The gradient differs from today's only by rounding.</summary>
        public static double RosenbrockGradient(ReadOnlySpan<double> x, Span<double> dX)
        {
            if (dX.Length != x.Length)
            {
                ThrowLength(nameof(dX), "x", dX.Length, x.Length);
            }

            double f = 0.0;
            int last = x.Length - 1;
            if (last <= 0)
            {
                dX.Clear();
                return f;
            }

            double carry = 0.0;
            double t1 = x[0];
            for (int i = 0; i < last; i++)
            {
                double next = x[i + 1];
                double t = next - t1 * t1;
                double u = 1.0 - t1;
                double tBar = 200.0 * t;
                dX[i] = carry - 2.0 * (tBar * t1 + u);
                carry = tBar;
                f = f + (100.0 * t * t + u * u);
                t1 = next;
            }

            dX[last] = carry;
            return f;
        }

        /// <summary>W5. Rewrites: (1) <c>w[0]</c>, <c>w[1]</c>, <c>w[2]</c> are read once before the loop (constant
        /// indices into a read-only span the body never writes); (2) the contributions to <c>dW[k]</c> at constant
        /// <c>k</c> are summed in locals and stored once after the loop, as the generator already does for scalar
        /// parameters, which removes <c>dW.Clear()</c>, six bounds checks and three store-to-load-forwarded
        /// read-modify-writes per element; (3) the invariant factor <c>2 * sumBar</c> is applied after the loop.</summary>
        public static double PolyMseGradient(ReadOnlySpan<double> w, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> dW)
        {
            if (dW.Length != w.Length)
            {
                ThrowLength(nameof(dW), nameof(w), dW.Length, w.Length);
            }

            double t0 = (double)x.Length;
            double sumBar = 1.0 / t0;
            double w0 = w[0], w1 = w[1], w2 = w[2];
            double sum = 0.0;
            double g0 = 0.0, g1 = 0.0, g2 = 0.0;
            for (int i = 0; i < x.Length; i++)
            {
                double t1 = x[i];
                double t2 = t1 * t1;
                double r = w0 * t2 + w1 * t1 + w2 - y[i];
                g0 = g0 + r * t2;
                g1 = g1 + r * t1;
                g2 = g2 + r;
                sum = sum + r * r;
            }

            double scale = 2.0 * sumBar;
            if (dW.Length > 3)
            {
                dW.Slice(3).Clear(); // elements the body never indexes are 0
            }

            dW[0] = scale * g0;
            dW[1] = scale * g1;
            dW[2] = scale * g2;
            return sum / t0;
        }

        /// <summary>The shape of a helper the runtime could offer the generated code (one per message).</summary>
        [DoesNotReturn]
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ThrowLength(string buffer, string parameter, int actual, int expected) =>
            throw new ArgumentException($"The gradient buffer '{buffer}' for parameter '{parameter}' has length {actual}, but '{parameter}' has length {expected}.", buffer);
    }
}

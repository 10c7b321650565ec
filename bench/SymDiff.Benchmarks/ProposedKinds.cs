using System;

namespace SymDiff.Benchmarks
{
    /// <summary>
    /// What docs/performance.md proposes the generator emit for W8 (not generated code; measured with
    /// <c>--quick --proposed --only W8</c>): <c>SmoothnessGradient</c> as generated today, with one change, the
    /// outer loop fused. The sum accumulator <c>energy</c> is carried through the inner loop, but a sum's adjoint is
    /// constant (1 here), so the reverse sweep needs no tape of it and can run inside the forward loop, reusing the
    /// differences it has just computed. The zeroing pass and the three read-modify-writes per term are kept as
    /// generated, to measure the fusion alone.
    /// </summary>
    public static class ProposedKinds
    {
        public static double SmoothnessFused(ReadOnlySpan<double> u, int m, Span<double> dU)
        {
            if (dU.Length != u.Length)
            {
                Checks.ThrowLengthMismatch(nameof(dU), dU.Length, u.Length, "The gradient buffer 'dU' for parameter 'u' has length {0}, but 'u' has length {1}.");
            }

            Checks.ThrowIfOverlapping(dU, u, nameof(dU), "u");
            Checks.Zero(dU);
            int rows = u.Length / m;
            double energy = 0.0;
            for (int i = 0; i < rows - 1; i++)
            {
                for (int j = 0; j < m - 1; j++)
                {
                    int k = (i * m) + j;
                    double t1 = u[k];
                    double dx = u[k + 1] - t1;
                    double dy = u[k + m] - t1;
                    energy += (dx * dx) + (dy * dy);
                    double dyBar = 2.0 * dy;
                    double dxBar = 2.0 * dx;
                    dU[k + m] += dyBar;
                    dU[k] -= dyBar + dxBar;
                    dU[k + 1] += dxBar;
                }
            }

            return energy;
        }

        /// <summary>W7: <c>HuberGradient</c> as generated today, with one change: the forward's <c>if (t3)</c> and the
        /// adjoint's <c>if (t3)</c> on the same condition, adjacent and with nothing between them that writes what the
        /// condition reads, merged into one branch. The seed multiply per iteration and the three-way sign are kept as
        /// generated.</summary>
        public static double HuberMergedBranches(double w, double b, ReadOnlySpan<double> x, ReadOnlySpan<double> y, double delta, out double dW, out double dB)
        {
            double t0 = x.Length;
            double lossBar = 1.0 / t0;
            double loss = 0.0;
            double wBar = 0.0;
            double bBar = 0.0;
            for (int i = 0; i < x.Length; i++)
            {
                double t1 = x[i];
                double r = y[i] - ((w * t1) + b);
                double t2 = Math.Abs(r);
                double loss2;
                double rBar;
                if (t2 < delta)
                {
                    loss2 = loss + (0.5 * r * r);
                    rBar = lossBar * r;
                }
                else
                {
                    loss2 = loss + (delta * (t2 - (0.5 * delta)));
                    rBar = lossBar * delta * (r > 0.0 ? 1.0 : (r < 0.0 ? -1.0 : 0.0));
                }

                loss = loss2;
                wBar += rBar * t1;
                bBar += rBar;
            }

            dW = -wBar;
            dB = -bBar;
            return loss / t0;
        }
    }
}

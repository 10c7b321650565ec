using System;

namespace SymDiff.Benchmarks
{
    /// <summary>
    /// Hand-written analytic gradients of W7-W10 (WorkloadsKinds.cs), under the rules of <see cref="HandWritten"/>:
    /// one pass, constant factors after the loop, accumulators in registers, plain safe scalar C#, no SIMD, gradient
    /// buffers zeroed with scalar loops (docs/performance.md, the AVX/SSE transition trap).
    /// </summary>
    public static class HandWrittenKinds
    {
        /// <summary>W7: with psi(r) = r where |r| &lt; delta, delta sign(r) elsewhere, dL/dw = -mean(psi(r) x) and
        /// dL/db = -mean(psi(r)).</summary>
        public static double Huber(double w, double b, ReadOnlySpan<double> x, ReadOnlySpan<double> y, double delta, out double dW, out double dB)
        {
            double loss = 0, sumPsi = 0, sumPsiX = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double xi = x[i];
                double r = y[i] - ((w * xi) + b);
                double psi;
                if (Math.Abs(r) < delta)
                {
                    loss += 0.5 * r * r;
                    psi = r;
                }
                else
                {
                    loss += delta * (Math.Abs(r) - (0.5 * delta));
                    psi = r < 0 ? -delta : delta;
                }

                sumPsi += psi;
                sumPsiX += psi * xi;
            }

            double invN = 1.0 / x.Length;
            dW = -sumPsiX * invN;
            dB = -sumPsi * invN;
            return loss / x.Length;
        }

        /// <summary>W8: each interior term adds -2 (dx + dy) to u[k], 2 dx to u[k + 1] and 2 dy to u[k + m]. One pass
        /// over the rows: the right neighbour's share carried in a register, the lower neighbour's share written
        /// (the first write of that element) and completed by the next row, u[k + 1] reused as the next u[k]; only
        /// the first row is zeroed beforehand.</summary>
        public static double Smoothness(ReadOnlySpan<double> u, int m, Span<double> dU)
        {
            if (dU.Length != u.Length)
            {
                throw new ArgumentException("dU must have the length of u.", nameof(dU));
            }

            int rows = u.Length / m;
            for (int k = 0; k < Math.Min(m, u.Length); k++)
            {
                dU[k] = 0; // the first row; every later element's first write is the row above's 2 dy
            }

            for (int k = rows * m; k < u.Length; k++)
            {
                dU[k] = 0; // a partial last row the energy does not read
            }

            double energy = 0;
            for (int i = 0; i < rows - 1; i++)
            {
                int row = i * m;
                double carry = 0, here = u[row];
                for (int j = 0; j < m - 1; j++)
                {
                    int k = row + j;
                    double right = u[k + 1];
                    double dx = right - here;
                    double dy = u[k + m] - here;
                    energy += (dx * dx) + (dy * dy);
                    dU[k] += carry - (2 * (dx + dy));
                    dU[k + m] = 2 * dy;
                    carry = 2 * dx;
                    here = right;
                }

                dU[row + m - 1] += carry;
                dU[row + m + m - 1] = 0;
            }

            return energy;
        }

        /// <summary>W9: dS/dc_d = sum_k x_k^(D - d), D = c.Length - 1: per point, Horner forward, then the powers of
        /// x_k added into the gradient from the constant term up.</summary>
        public static double PolySum(ReadOnlySpan<double> c, ReadOnlySpan<double> x, Span<double> dC)
        {
            if (dC.Length != c.Length)
            {
                throw new ArgumentException("dC must have the length of c.", nameof(dC));
            }

            for (int d = 0; d < dC.Length; d++)
            {
                dC[d] = 0; // not dC.Clear(): see docs/performance.md, the AVX/SSE transition trap
            }

            double total = 0;
            for (int k = 0; k < x.Length; k++)
            {
                double xk = x[k];
                double p = c[0];
                for (int d = 1; d < c.Length; d++)
                {
                    p = (p * xk) + c[d];
                }

                total += p;
                double power = 1;
                for (int d = dC.Length - 1; d >= 0; d--)
                {
                    dC[d] += power;
                    power *= xk;
                }
            }

            return total;
        }
    
        /// <summary>W10: dL/dw = mean_i (exp(z_i) - y_i) X_i with z_i = w . X_i: one pass over the rows, the row read
        /// twice from L1 (the dot product, then the update), 1/N applied after the loop.</summary>
        public static double Poisson(ReadOnlySpan<double> w, ReadOnlySpan<double> xs, ReadOnlySpan<double> y, Span<double> dW)
        {
            if (dW.Length != w.Length)
            {
                throw new ArgumentException("dW must have the length of w.", nameof(dW));
            }

            for (int j = 0; j < dW.Length; j++)
            {
                dW[j] = 0; // not dW.Clear(): see docs/performance.md, the AVX/SSE transition trap
            }

            int d = w.Length;
            double loss = 0;
            for (int i = 0; i < y.Length; i++)
            {
                ReadOnlySpan<double> row = xs.Slice(i * d, d);
                double z = 0;
                for (int j = 0; j < row.Length; j++)
                {
                    z += w[j] * row[j];
                }

                double e = Math.Exp(z);
                double yi = y[i];
                loss += e - (yi * z);
                double g = e - yi;
                for (int j = 0; j < row.Length; j++)
                {
                    dW[j] += g * row[j];
                }
            }

            double invN = 1.0 / y.Length;
            for (int j = 0; j < dW.Length; j++)
            {
                dW[j] *= invN;
            }

            return loss / y.Length;
        }
    }
}

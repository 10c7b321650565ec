using System;

namespace SymDiff.Benchmarks
{
    /// <summary>
    /// The analytic gradients a competent engineer writes by hand: value and gradient fused in one pass, constant
    /// factors pulled out of the sums, accumulators in registers, every output element written once. Plain safe
    /// scalar C#, like the generated code (no SIMD, no unsafe code, no reassociation into several accumulators).
    /// </summary>
    public static class HandWritten
    {
        /// <summary>W1: dL/dw = -mean(r x), dL/db = -mean(r), r = y - (w x + b).</summary>
        public static double LinReg(double w, double b, ReadOnlySpan<double> x, ReadOnlySpan<double> y, out double dW, out double dB)
        {
            double sumRR = 0, sumR = 0, sumRX = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double xi = x[i];
                double r = y[i] - ((w * xi) + b);
                sumRR += r * r;
                sumR += r;
                sumRX += r * xi;
            }

            double invN = 1.0 / x.Length;
            dW = -sumRX * invN;
            dB = -sumR * invN;
            return 0.5 * sumRR * invN;
        }

        /// <summary>W2: dx_i = -400 x_i t_i - 2 (1 - x_i) + 200 t_{i-1}, t_i = x_{i+1} - x_i^2; x_i carried in a
        /// register, the term for x_{i+1} carried to the next iteration, each dX element written once.</summary>
        public static double Rosenbrock(ReadOnlySpan<double> x, Span<double> dX)
        {
            if (dX.Length != x.Length)
            {
                throw new ArgumentException("dX must have the length of x.", nameof(dX));
            }

            if (x.Length == 0)
            {
                return 0;
            }

            double f = 0, carry = 0, xi = x[0];
            for (int i = 0; i < x.Length - 1; i++)
            {
                double next = x[i + 1];
                double t = next - (xi * xi);
                double u = 1 - xi;
                f += (100 * t * t) + (u * u);
                double a = 200 * t;
                dX[i] = carry - (2 * ((a * xi) + u));
                carry = a;
                xi = next;
            }

            dX[x.Length - 1] = carry;
            return f;
        }

        /// <summary>W3: dL/dw = mean_i(-t_i sigma(-t_i z_i) X_i), one pass over the rows, each row read twice from L1.</summary>
        public static double LogReg(ReadOnlySpan<double> w, ReadOnlySpan<double> xs, ReadOnlySpan<double> t, Span<double> dW)
        {
            if (dW.Length != w.Length)
            {
                throw new ArgumentException("dW must have the length of w.", nameof(dW));
            }

            int d = w.Length;
            dW.Clear();
            double loss = 0;
            double invN = 1.0 / t.Length;
            for (int i = 0; i < t.Length; i++)
            {
                ReadOnlySpan<double> row = xs.Slice(i * d, d);
                double z = 0;
                for (int j = 0; j < row.Length; j++)
                {
                    z += w[j] * row[j];
                }

                double ti = t[i];
                double e = Math.Exp(-ti * z);
                double onePlusE = 1 + e;
                loss += Math.Log(onePlusE);
                double coefficient = -ti * e / onePlusE * invN;
                for (int j = 0; j < row.Length; j++)
                {
                    dW[j] += coefficient * row[j];
                }
            }

            return loss / t.Length;
        }

        /// <summary>W4: dy/dw = (w + 1) + (w + x), dy/dx = w + 1.</summary>
        public static double Tiny(double w, double x, out double dW, out double dX)
        {
            double a = w + x, c = w + 1;
            dW = a + c;
            dX = c;
            return a * c;
        }

        /// <summary>W5: dL/dw = (2/N) sum_k r_k (x_k^2, x_k, 1); weights and accumulators in registers.</summary>
        public static double PolyMse(ReadOnlySpan<double> w, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> dW)
        {
            if (w.Length != 3 || dW.Length != 3)
            {
                throw new ArgumentException("w and dW must have 3 elements.", nameof(dW));
            }

            double w0 = w[0], w1 = w[1], w2 = w[2];
            double sum = 0, g0 = 0, g1 = 0, g2 = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double xi = x[i];
                double xx = xi * xi;
                double r = (w0 * xx) + (w1 * xi) + w2 - y[i];
                sum += r * r;
                g0 += r * xx;
                g1 += r * xi;
                g2 += r;
            }

            double scale = 2.0 / x.Length;
            dW[0] = g0 * scale;
            dW[1] = g1 * scale;
            dW[2] = g2 * scale;
            return sum / x.Length;
        }
    }
}

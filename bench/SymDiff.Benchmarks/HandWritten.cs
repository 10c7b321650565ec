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
            for (int j = 0; j < dW.Length; j++)
            {
                dW[j] = 0; // not dW.Clear(): see docs/performance.md, the AVX/SSE transition trap
            }

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
        /// <summary>
        /// W6: backpropagation through the perceptron, one pass over the batch. Per sample: the hidden layer into the
        /// caller's <paramref name="scratch"/> (hidden values; allocated once by the caller, as a framework keeps its
        /// activations), the three logits in registers, the softmax, <c>dz = (softmax - y) / B</c>, then
        /// <c>dW2 += dz h</c>, <c>da = (W2^T dz) (1 - h^2)</c>, <c>db1 += da</c>, <c>dW1 += da x</c>. Each <c>tanh</c>
        /// is evaluated once (as in the generated gradient, which reads the hidden layer back from its buffer).
        /// </summary>
        public static double Mlp(ReadOnlySpan<double> p, ReadOnlySpan<double> x, ReadOnlySpan<double> targets, int inputs, int hidden, Span<double> dP, Span<double> scratch)
        {
            if (dP.Length != p.Length)
            {
                throw new ArgumentException("dP must have the length of p.", nameof(dP));
            }

            if (scratch.Length < hidden)
            {
                throw new ArgumentException("scratch must hold the hidden layer.", nameof(scratch));
            }

            int b1 = hidden * inputs, w2 = b1 + hidden, b2 = w2 + (3 * hidden);
            ReadOnlySpan<double> wIn = p.Slice(0, b1), bIn = p.Slice(b1, hidden);
            ReadOnlySpan<double> wOut0 = p.Slice(w2, hidden), wOut1 = p.Slice(w2 + hidden, hidden), wOut2 = p.Slice(w2 + (2 * hidden), hidden);
            Span<double> dWIn = dP.Slice(0, b1), dBIn = dP.Slice(b1, hidden);
            Span<double> dWOut0 = dP.Slice(w2, hidden), dWOut1 = dP.Slice(w2 + hidden, hidden), dWOut2 = dP.Slice(w2 + (2 * hidden), hidden);
            Span<double> h = scratch.Slice(0, hidden);

            // Zero the gradient with a scalar loop, not dP.Clear(): a vectorised clear leaves the upper halves of the
            // vector registers dirty, and on some Intel CPUs every later Math.Tanh/Exp/Log call (the C runtime's SSE
            // code) then pays an AVX/SSE transition (issue 12). The JIT does not vectorise this loop.
            for (int i = 0; i < dP.Length; i++)
            {
                dP[i] = 0;
            }

            int batch = targets.Length / 3;
            double invB = 1.0 / batch;
            double loss = 0, g0 = 0, g1 = 0, g2 = 0;
            for (int s = 0; s < batch; s++)
            {
                ReadOnlySpan<double> xs = x.Slice(s * inputs, inputs);
                double z0 = p[b2], z1 = p[b2 + 1], z2 = p[b2 + 2];
                for (int j = 0; j < h.Length; j++)
                {
                    ReadOnlySpan<double> row = wIn.Slice(j * inputs, inputs);
                    double a = bIn[j];
                    for (int k = 0; k < row.Length; k++)
                    {
                        a += row[k] * xs[k];
                    }

                    double hj = Math.Tanh(a);
                    h[j] = hj;
                    z0 += wOut0[j] * hj;
                    z1 += wOut1[j] * hj;
                    z2 += wOut2[j] * hj;
                }

                double m = Math.Max(Math.Max(z0, z1), z2);
                double e0 = Math.Exp(z0 - m), e1 = Math.Exp(z1 - m), e2 = Math.Exp(z2 - m);
                double sum = e0 + e1 + e2;
                double y0 = targets[3 * s], y1 = targets[(3 * s) + 1], y2 = targets[(3 * s) + 2];
                loss += m + Math.Log(sum) - ((y0 * z0) + (y1 * z1) + (y2 * z2));

                double scale = invB / sum;
                double d0 = (e0 * scale) - (y0 * invB), d1 = (e1 * scale) - (y1 * invB), d2 = (e2 * scale) - (y2 * invB);
                g0 += d0;
                g1 += d1;
                g2 += d2;
                for (int j = 0; j < h.Length; j++)
                {
                    double hj = h[j];
                    dWOut0[j] += d0 * hj;
                    dWOut1[j] += d1 * hj;
                    dWOut2[j] += d2 * hj;
                    double da = ((wOut0[j] * d0) + (wOut1[j] * d1) + (wOut2[j] * d2)) * (1 - (hj * hj));
                    dBIn[j] += da;
                    Span<double> dRow = dWIn.Slice(j * inputs, inputs);
                    for (int k = 0; k < dRow.Length; k++)
                    {
                        dRow[k] += da * xs[k];
                    }
                }
            }

            dP[b2] = g0;
            dP[b2 + 1] = g1;
            dP[b2 + 2] = g2;
            return loss * invB;
        }
    }
}

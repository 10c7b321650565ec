using System;
using System.Buffers;
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

        /// <summary>W6. Today's MlpGradient evaluates each hidden unit three times: in the forward loop
        /// (<c>MlpHidden</c>), again in the reverse loop to get <c>h</c> back (<c>h_1</c>), and a third time inside
        /// <c>MlpHiddenBackward</c>, which recomputes the dot product and the <c>tanh</c> before it can apply
        /// <c>tanh' = 1 - h^2</c>. Rewrites: (1) the callee results of the forward loop go to a tape (one double per
        /// hidden unit, rented from the pool, as the generator already does for loop-carried values), and the reverse
        /// loop reads them; (2) the callee is differentiated through a pullback that starts from its stored result
        /// (<see cref="MlpHiddenPullback"/>: <c>tanh</c>'s rule needs only its output), with the argument checks done
        /// once by the caller instead of on each of the 8192 calls; (3) the gradient is zeroed by a scalar loop, not
        /// <c>dP.Clear()</c> (the AVX/SSE transition trap of issue 12 on Intel; harmless here). The value is
        /// bit-identical (the forward operations are unchanged).</summary>
        public static double MlpGradient(ReadOnlySpan<double> p, ReadOnlySpan<double> x, ReadOnlySpan<double> targets, int inputs, int hidden, Span<double> dP)
        {
            if (dP.Length != p.Length)
            {
                ThrowLength(nameof(dP), nameof(p), dP.Length, p.Length);
            }

            global::SymDiff.Checks.ThrowIfOverlapping(dP, p, nameof(dP), "p");
            global::SymDiff.Checks.ThrowIfOverlapping(dP, x, nameof(dP), "x");
            global::SymDiff.Checks.ThrowIfOverlapping(dP, targets, nameof(dP), "targets");

            for (int i = 0; i < dP.Length; i++)
            {
                dP[i] = 0.0;
            }

            double[] tape = ArrayPool<double>.Shared.Rent(Math.Max(hidden, 1));
            int w2 = hidden * inputs + hidden;
            int b2 = w2 + 3 * hidden;
            int batch = targets.Length / 3;
            double t0 = (double)batch;
            double lossBar = 1.0 / t0;
            int t1 = b2 + 1;
            int t2 = b2 + 2;
            double loss = 0.0;
            double dPSum = 0.0;
            double dPSum2 = 0.0;
            double dPSum3 = 0.0;
            for (int s = 0; s < batch; s++)
            {
                int j = 0;
                double z0 = p[b2];
                double z1 = p[t1];
                double z2 = p[t2];
                for (; j < hidden; j++)
                {
                    double h = Workloads.MlpHidden(p, x, inputs, hidden, s, j);
                    tape[j] = h;
                    z0 = z0 + p[w2 + j] * h;
                    z1 = z1 + p[w2 + hidden + j] * h;
                    z2 = z2 + p[w2 + 2 * hidden + j] * h;
                }
                double t3 = Math.Max(z0, z1);
                double m = Math.Max(t3, z2);
                double t4 = Math.Exp(z0 - m);
                double t5 = Math.Exp(z1 - m);
                double t6 = Math.Exp(z2 - m);
                double t7 = t4 + t5 + t6;
                double logSumExp = m + Math.Log(t7);
                int t = 3 * s;
                double t8 = targets[t];
                double t9 = targets[t + 1];
                double t10 = targets[t + 2];
                double tBar = -lossBar;
                double tBar2 = lossBar / t7;
                double tBar3 = tBar2 * t4;
                double tBar4 = tBar2 * t5;
                double tBar5 = tBar2 * t6;
                double mBar = lossBar - tBar3 - tBar4 - tBar5;
                bool t11 = t3 >= z2;
                double tBar6 = t11 ? mBar : 0.0;
                bool t12 = z0 >= z1;
                double z0Bar = tBar * t8 + tBar3 + (t12 ? tBar6 : 0.0);
                double z1Bar = tBar * t9 + tBar4 + (t12 ? 0.0 : tBar6);
                double z2Bar = tBar * t10 + tBar5 + (t11 ? 0.0 : mBar);
                for (int j_3 = 0; j_3 < j; j_3++)
                {
                    double h_1 = tape[j_3];
                    int t13 = w2 + 2 * hidden + j_3;
                    int t14 = w2 + hidden + j_3;
                    int t15 = w2 + j_3;
                    MlpHiddenPullback(p, x, inputs, hidden, s, j_3, h_1, z2Bar * p[t13] + z1Bar * p[t14] + z0Bar * p[t15], dP);
                    dP[t13] += z2Bar * h_1;
                    dP[t14] += z1Bar * h_1;
                    dP[t15] += z0Bar * h_1;
                }
                loss = loss + (logSumExp - (t8 * z0 + t9 * z1 + t10 * z2));
                dPSum = dPSum + z2Bar;
                dPSum2 = dPSum2 + z1Bar;
                dPSum3 = dPSum3 + z0Bar;
            }
            dP[t2] += dPSum;
            dP[t1] += dPSum2;
            dP[b2] += dPSum3;
            ArrayPool<double>.Shared.Return(tape);
            return loss / t0;
        }

        /// <summary>W6, the smaller rewrite alone: no tape; the reverse loop calls a variant of the callee's
        /// Backward that also returns the callee's value (<see cref="MlpHiddenBackwardWithValue"/>), so <c>h_1</c> and
        /// the Backward's own recomputation are one evaluation: two <c>tanh</c> per hidden unit instead of three.
        /// Scalar zeroing and checks as in <see cref="MlpGradient"/>.</summary>
        public static double MlpGradientFusedCallee(ReadOnlySpan<double> p, ReadOnlySpan<double> x, ReadOnlySpan<double> targets, int inputs, int hidden, Span<double> dP)
        {
            if (dP.Length != p.Length)
            {
                ThrowLength(nameof(dP), nameof(p), dP.Length, p.Length);
            }

            global::SymDiff.Checks.ThrowIfOverlapping(dP, p, nameof(dP), "p");
            global::SymDiff.Checks.ThrowIfOverlapping(dP, x, nameof(dP), "x");
            global::SymDiff.Checks.ThrowIfOverlapping(dP, targets, nameof(dP), "targets");

            for (int i = 0; i < dP.Length; i++)
            {
                dP[i] = 0.0;
            }

            int w2 = hidden * inputs + hidden;
            int b2 = w2 + 3 * hidden;
            int batch = targets.Length / 3;
            double t0 = (double)batch;
            double lossBar = 1.0 / t0;
            int t1 = b2 + 1;
            int t2 = b2 + 2;
            double loss = 0.0;
            double dPSum = 0.0;
            double dPSum2 = 0.0;
            double dPSum3 = 0.0;
            for (int s = 0; s < batch; s++)
            {
                int j = 0;
                double z0 = p[b2];
                double z1 = p[t1];
                double z2 = p[t2];
                for (; j < hidden; j++)
                {
                    double h = Workloads.MlpHidden(p, x, inputs, hidden, s, j);
                    z0 = z0 + p[w2 + j] * h;
                    z1 = z1 + p[w2 + hidden + j] * h;
                    z2 = z2 + p[w2 + 2 * hidden + j] * h;
                }
                double t3 = Math.Max(z0, z1);
                double m = Math.Max(t3, z2);
                double t4 = Math.Exp(z0 - m);
                double t5 = Math.Exp(z1 - m);
                double t6 = Math.Exp(z2 - m);
                double t7 = t4 + t5 + t6;
                double logSumExp = m + Math.Log(t7);
                int t = 3 * s;
                double t8 = targets[t];
                double t9 = targets[t + 1];
                double t10 = targets[t + 2];
                double tBar = -lossBar;
                double tBar2 = lossBar / t7;
                double tBar3 = tBar2 * t4;
                double tBar4 = tBar2 * t5;
                double tBar5 = tBar2 * t6;
                double mBar = lossBar - tBar3 - tBar4 - tBar5;
                bool t11 = t3 >= z2;
                double tBar6 = t11 ? mBar : 0.0;
                bool t12 = z0 >= z1;
                double z0Bar = tBar * t8 + tBar3 + (t12 ? tBar6 : 0.0);
                double z1Bar = tBar * t9 + tBar4 + (t12 ? 0.0 : tBar6);
                double z2Bar = tBar * t10 + tBar5 + (t11 ? 0.0 : mBar);
                for (int j_3 = 0; j_3 < j; j_3++)
                {
                    int t13 = w2 + 2 * hidden + j_3;
                    int t14 = w2 + hidden + j_3;
                    int t15 = w2 + j_3;
                    double h_1 = MlpHiddenBackwardWithValue(p, x, inputs, hidden, s, j_3, z2Bar * p[t13] + z1Bar * p[t14] + z0Bar * p[t15], dP);
                    dP[t13] += z2Bar * h_1;
                    dP[t14] += z1Bar * h_1;
                    dP[t15] += z0Bar * h_1;
                }
                loss = loss + (logSumExp - (t8 * z0 + t9 * z1 + t10 * z2));
                dPSum = dPSum + z2Bar;
                dPSum2 = dPSum2 + z1Bar;
                dPSum3 = dPSum3 + z0Bar;
            }
            dP[t2] += dPSum;
            dP[t1] += dPSum2;
            dP[b2] += dPSum3;
            return loss / t0;
        }

        /// <summary>MlpHiddenBackward without the argument checks, returning the value it recomputes.</summary>
        private static double MlpHiddenBackwardWithValue(ReadOnlySpan<double> p, ReadOnlySpan<double> x, int inputs, int hidden, int s, int j, double seed, Span<double> dP)
        {
            int t0 = hidden * inputs + j;
            double a = p[t0];
            int k = 0;
            for (; k < inputs; k++)
            {
                a = a + p[j * inputs + k] * x[s * inputs + k];
            }
            double t1 = Math.Tanh(a);
            double aBar = seed * (1.0 - t1 * t1);
            for (int k_3 = 0; k_3 < k; k_3++)
            {
                dP[j * inputs + k_3] += aBar * x[s * inputs + k_3];
            }
            dP[t0] += aBar;
            return t1;
        }

        /// <summary>MlpHiddenBackward's reverse sweep alone, from the stored result <paramref name="result"/> of
        /// <c>MlpHidden</c>: no argument checks (the caller made them), no recomputation of the dot product or the
        /// <c>tanh</c>.</summary>
        private static void MlpHiddenPullback(ReadOnlySpan<double> p, ReadOnlySpan<double> x, int inputs, int hidden, int s, int j, double result, double seed, Span<double> dP)
        {
            int t0 = hidden * inputs + j;
            double aBar = seed * (1.0 - result * result);
            for (int k_3 = 0; k_3 < inputs; k_3++)
            {
                dP[j * inputs + k_3] += aBar * x[s * inputs + k_3];
            }
            dP[t0] += aBar;
        }

        /// <summary>The shape of a helper the runtime could offer the generated code (one per message).</summary>
        [DoesNotReturn]
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static void ThrowLength(string buffer, string parameter, int actual, int expected) =>
            throw new ArgumentException($"The gradient buffer '{buffer}' for parameter '{parameter}' has length {actual}, but '{parameter}' has length {expected}.", buffer);
    }
}

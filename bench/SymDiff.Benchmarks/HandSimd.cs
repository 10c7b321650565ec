using System;
using System.Runtime.Intrinsics;

namespace SymDiff.Benchmarks
{
    /// <summary>
    /// Hand-vectorised gradients, the practical limit beside the scalar <see cref="HandWritten"/> ones (issue 12 item 6):
    /// safe code (<c>Vector256.Create(span.Slice(i))</c>, no unsafe, no <c>Unsafe.Add</c>), four accumulators per sum, the
    /// same one pass as the generated code, a scalar remainder; scalar throughout when <c>Vector256</c> is not accelerated.
    /// </summary>
    public static class HandSimd
    {
        /// <summary>W1: sums of r^2, r, r x in four accumulators each.</summary>
        public static double LinReg(double w, double b, ReadOnlySpan<double> x, ReadOnlySpan<double> y, out double dW, out double dB)
        {
            double sumRR = 0, sumR = 0, sumRX = 0;
            int i = 0;
            if (Vector256.IsHardwareAccelerated && x.Length >= Vector256<double>.Count)
            {
                int c = Vector256<double>.Count;
                var wv = Vector256.Create(w);
                var bv = Vector256.Create(b);
                Vector256<double> rr0 = default, rr1 = default, rr2 = default, rr3 = default;
                Vector256<double> r0 = default, r1 = default, r2 = default, r3 = default;
                Vector256<double> rx0 = default, rx1 = default, rx2 = default, rx3 = default;
                for (; i <= x.Length - (4 * c); i += 4 * c)
                {
                    var x0 = Vector256.Create(x.Slice(i));
                    var x1 = Vector256.Create(x.Slice(i + c));
                    var x2 = Vector256.Create(x.Slice(i + (2 * c)));
                    var x3 = Vector256.Create(x.Slice(i + (3 * c)));
                    var e0 = Vector256.Create(y.Slice(i)) - ((wv * x0) + bv);
                    var e1 = Vector256.Create(y.Slice(i + c)) - ((wv * x1) + bv);
                    var e2 = Vector256.Create(y.Slice(i + (2 * c))) - ((wv * x2) + bv);
                    var e3 = Vector256.Create(y.Slice(i + (3 * c))) - ((wv * x3) + bv);
                    rr0 += e0 * e0;
                    rr1 += e1 * e1;
                    rr2 += e2 * e2;
                    rr3 += e3 * e3;
                    r0 += e0;
                    r1 += e1;
                    r2 += e2;
                    r3 += e3;
                    rx0 += e0 * x0;
                    rx1 += e1 * x1;
                    rx2 += e2 * x2;
                    rx3 += e3 * x3;
                }

                for (; i <= x.Length - c; i += c)
                {
                    var x0 = Vector256.Create(x.Slice(i));
                    var e0 = Vector256.Create(y.Slice(i)) - ((wv * x0) + bv);
                    rr0 += e0 * e0;
                    r0 += e0;
                    rx0 += e0 * x0;
                }

                sumRR = Vector256.Sum(rr0 + rr1 + (rr2 + rr3));
                sumR = Vector256.Sum(r0 + r1 + (r2 + r3));
                sumRX = Vector256.Sum(rx0 + rx1 + (rx2 + rx3));
            }

            for (; i < x.Length; i++)
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

        /// <summary>
        /// W2: dX[i] = 200 (x[i] - x[i-1]^2) - 2 (200 t_i x[i] + 1 - x[i]), t_i = x[i+1] - x[i]^2, with the three
        /// overlapping loads x[i-1], x[i], x[i+1] in lanes for the interior elements (four accumulators for f); the first
        /// element, the last and the remainder scalar.
        /// </summary>
        public static double Rosenbrock(ReadOnlySpan<double> x, Span<double> dX)
        {
            if (dX.Length != x.Length)
            {
                throw new ArgumentException("dX must have the length of x.", nameof(dX));
            }

            int n = x.Length;
            if (n == 0)
            {
                return 0;
            }

            if (n == 1)
            {
                dX[0] = 0;
                return 0;
            }

            // i = 0: no term before it.
            double x0 = x[0];
            double t0 = x[1] - (x0 * x0);
            double u0 = 1 - x0;
            double f = (100 * t0 * t0) + (u0 * u0);
            dX[0] = -2 * ((200 * t0 * x0) + u0);
            int i = 1;
            int c = Vector256<double>.Count;
            if (Vector256.IsHardwareAccelerated && n - 1 - i >= c)
            {
                var one = Vector256.Create(1.0);
                var c100 = Vector256.Create(100.0);
                var c200 = Vector256.Create(200.0);
                var c2 = Vector256.Create(2.0);
                Vector256<double> f0 = default, f1 = default, f2 = default, f3 = default;
                Vector256<double> xm, xi, t, u;
                for (; i <= n - 1 - (4 * c); i += 4 * c)
                {
                    xm = Vector256.Create(x.Slice(i - 1));
                    xi = Vector256.Create(x.Slice(i));
                    t = Vector256.Create(x.Slice(i + 1)) - (xi * xi);
                    u = one - xi;
                    ((c200 * (xi - (xm * xm))) - (c2 * ((c200 * t * xi) + u))).CopyTo(dX.Slice(i));
                    f0 += (c100 * t * t) + (u * u);
                    xm = Vector256.Create(x.Slice(i + 3));
                    xi = Vector256.Create(x.Slice(i + 4));
                    t = Vector256.Create(x.Slice(i + 5)) - (xi * xi);
                    u = one - xi;
                    ((c200 * (xi - (xm * xm))) - (c2 * ((c200 * t * xi) + u))).CopyTo(dX.Slice(i + 4));
                    f1 += (c100 * t * t) + (u * u);
                    xm = Vector256.Create(x.Slice(i + 7));
                    xi = Vector256.Create(x.Slice(i + 8));
                    t = Vector256.Create(x.Slice(i + 9)) - (xi * xi);
                    u = one - xi;
                    ((c200 * (xi - (xm * xm))) - (c2 * ((c200 * t * xi) + u))).CopyTo(dX.Slice(i + 8));
                    f2 += (c100 * t * t) + (u * u);
                    xm = Vector256.Create(x.Slice(i + 11));
                    xi = Vector256.Create(x.Slice(i + 12));
                    t = Vector256.Create(x.Slice(i + 13)) - (xi * xi);
                    u = one - xi;
                    ((c200 * (xi - (xm * xm))) - (c2 * ((c200 * t * xi) + u))).CopyTo(dX.Slice(i + 12));
                    f3 += (c100 * t * t) + (u * u);
                }

                for (; i <= n - 1 - c; i += c)
                {
                    xm = Vector256.Create(x.Slice(i - 1));
                    xi = Vector256.Create(x.Slice(i));
                    t = Vector256.Create(x.Slice(i + 1)) - (xi * xi);
                    u = one - xi;
                    ((c200 * (xi - (xm * xm))) - (c2 * ((c200 * t * xi) + u))).CopyTo(dX.Slice(i));
                    f0 += (c100 * t * t) + (u * u);
                }

                f += Vector256.Sum(f0 + f1 + (f2 + f3));
            }

            for (; i < n - 1; i++)
            {
                double xm = x[i - 1], xi = x[i];
                double t = x[i + 1] - (xi * xi);
                double u = 1 - xi;
                f += (100 * t * t) + (u * u);
                dX[i] = (200 * (xi - (xm * xm))) - (2 * ((200 * t * xi) + u));
            }

            double xl = x[n - 2];
            dX[n - 1] = 200 * (x[n - 1] - (xl * xl));
            return f;
        }

        /// <summary>W5: the four sums (r^2, r x^2, r x, r) in four accumulators each.</summary>
        public static double PolyMse(ReadOnlySpan<double> w, ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<double> dW)
        {
            if (w.Length != 3 || dW.Length != 3)
            {
                throw new ArgumentException("w and dW must have 3 elements.", nameof(dW));
            }

            double w0 = w[0], w1 = w[1], w2 = w[2];
            double sum = 0, g0 = 0, g1 = 0, g2 = 0;
            int i = 0;
            int c = Vector256<double>.Count;
            if (Vector256.IsHardwareAccelerated && x.Length >= c)
            {
                var w0v = Vector256.Create(w0);
                var w1v = Vector256.Create(w1);
                var w2v = Vector256.Create(w2);
                Vector256<double> s0 = default, s1 = default, s2 = default, s3 = default;
                Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default;
                Vector256<double> b0 = default, b1 = default, b2 = default, b3 = default;
                Vector256<double> r0 = default, r1 = default, r2 = default, r3 = default;
                for (; i <= x.Length - (4 * c); i += 4 * c)
                {
                    Point(x, y, i, w0v, w1v, w2v, ref s0, ref a0, ref b0, ref r0);
                    Point(x, y, i + c, w0v, w1v, w2v, ref s1, ref a1, ref b1, ref r1);
                    Point(x, y, i + (2 * c), w0v, w1v, w2v, ref s2, ref a2, ref b2, ref r2);
                    Point(x, y, i + (3 * c), w0v, w1v, w2v, ref s3, ref a3, ref b3, ref r3);
                }

                for (; i <= x.Length - c; i += c)
                {
                    Point(x, y, i, w0v, w1v, w2v, ref s0, ref a0, ref b0, ref r0);
                }

                sum = Vector256.Sum(s0 + s1 + (s2 + s3));
                g0 = Vector256.Sum(a0 + a1 + (a2 + a3));
                g1 = Vector256.Sum(b0 + b1 + (b2 + b3));
                g2 = Vector256.Sum(r0 + r1 + (r2 + r3));
            }

            for (; i < x.Length; i++)
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

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void Point(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int i, Vector256<double> w0, Vector256<double> w1, Vector256<double> w2, ref Vector256<double> sum, ref Vector256<double> g0, ref Vector256<double> g1, ref Vector256<double> g2)
        {
            var xi = Vector256.Create(x.Slice(i));
            var xx = xi * xi;
            var r = (w0 * xx) + (w1 * xi) + w2 - Vector256.Create(y.Slice(i));
            sum += r * r;
            g0 += r * xx;
            g1 += r * xi;
            g2 += r;
        }

        /// <summary>
        /// W3: four samples at once. Each sample's dot product over the features in lanes (four accumulators), the four
        /// z's packed into one vector for Vector256.Exp/Log (one call each per four samples instead of Math.Exp/Log per
        /// sample), then each sample's gradient update in lanes, in sample order; the remaining samples scalar.
        /// </summary>
        public static double LogReg(ReadOnlySpan<double> w, ReadOnlySpan<double> xs, ReadOnlySpan<double> t, Span<double> dW)
        {
            if (dW.Length != w.Length)
            {
                throw new ArgumentException("dW must have the length of w.", nameof(dW));
            }

            int d = w.Length;
            int c = Vector256<double>.Count;
            for (int j = 0; j < dW.Length; j++)
            {
                dW[j] = 0; // scalar stores: see docs/performance.md, the AVX/SSE transition trap
            }

            double loss = 0;
            double invN = 1.0 / t.Length;
            int i = 0;
            if (Vector256.IsHardwareAccelerated && t.Length >= c)
            {
                var lossAcc = Vector256<double>.Zero;
                var invNV = Vector256.Create(invN);
                for (; i <= t.Length - c; i += c)
                {
                    var zv = Vector256.Create(Dot(w, xs.Slice(i * d, d)), Dot(w, xs.Slice((i + 1) * d, d)), Dot(w, xs.Slice((i + 2) * d, d)), Dot(w, xs.Slice((i + 3) * d, d)));
                    var tv = Vector256.Create(t.Slice(i));
                    var e = Vector256.Exp(-tv * zv);
                    var onePlusE = Vector256<double>.One + e;
                    lossAcc += Vector256.Log(onePlusE);
                    var coefficient = -tv * e / onePlusE * invNV;
                    Axpy(dW, coefficient.GetElement(0), xs.Slice(i * d, d));
                    Axpy(dW, coefficient.GetElement(1), xs.Slice((i + 1) * d, d));
                    Axpy(dW, coefficient.GetElement(2), xs.Slice((i + 2) * d, d));
                    Axpy(dW, coefficient.GetElement(3), xs.Slice((i + 3) * d, d));
                }

                loss = Vector256.Sum(lossAcc);
            }

            for (; i < t.Length; i++)
            {
                ReadOnlySpan<double> row = xs.Slice(i * d, d);
                double z = Dot(w, row);
                double ti = t[i];
                double e = Math.Exp(-ti * z);
                double onePlusE = 1 + e;
                loss += Math.Log(onePlusE);
                Axpy(dW, -ti * e / onePlusE * invN, row);
            }

            return loss / t.Length;
        }

        /// <summary>w . row: lanes with four accumulators, then the remainder.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static double Dot(ReadOnlySpan<double> w, ReadOnlySpan<double> row)
        {
            int c = Vector256<double>.Count;
            int d = w.Length;
            double z = 0;
            int j = 0;
            if (Vector256.IsHardwareAccelerated && d >= c)
            {
                Vector256<double> z0 = default, z1 = default, z2 = default, z3 = default;
                for (; j <= d - (4 * c); j += 4 * c)
                {
                    z0 += Vector256.Create(w.Slice(j)) * Vector256.Create(row.Slice(j));
                    z1 += Vector256.Create(w.Slice(j + c)) * Vector256.Create(row.Slice(j + c));
                    z2 += Vector256.Create(w.Slice(j + (2 * c))) * Vector256.Create(row.Slice(j + (2 * c)));
                    z3 += Vector256.Create(w.Slice(j + (3 * c))) * Vector256.Create(row.Slice(j + (3 * c)));
                }

                for (; j <= d - c; j += c)
                {
                    z0 += Vector256.Create(w.Slice(j)) * Vector256.Create(row.Slice(j));
                }

                z = Vector256.Sum(z0 + z1 + (z2 + z3));
            }

            for (; j < d; j++)
            {
                z += w[j] * row[j];
            }

            return z;
        }

        /// <summary>dW += coefficient * row, in lanes, then the remainder.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static void Axpy(Span<double> dW, double coefficient, ReadOnlySpan<double> row)
        {
            int c = Vector256<double>.Count;
            int j = 0;
            if (Vector256.IsHardwareAccelerated && dW.Length >= c)
            {
                var cv = Vector256.Create(coefficient);
                for (; j <= dW.Length - c; j += c)
                {
                    (Vector256.Create((ReadOnlySpan<double>)dW.Slice(j)) + (cv * Vector256.Create(row.Slice(j)))).CopyTo(dW.Slice(j));
                }
            }

            for (; j < dW.Length; j++)
            {
                dW[j] += coefficient * row[j];
            }
        }

        /// <summary>
        /// W6 with four hidden units per vector (the inputs must be 4, one vector): per sample, four rows of W1 times x
        /// give four pre-activations (a horizontal sum each), a vector tanh (the same algorithm the generated lanes use:
        /// a rational function near 0, 1 - 2 / (exp(2|x|) + 1) beyond 0.625), the logits' three sums in four accumulators
        /// each; backwards dW2 += d h, da = (W2^T d)(1 - h^2), db1 += da in lanes and dW1's rows += da_j x, one vector per
        /// unit. The same one pass per sample as <see cref="HandWritten.Mlp"/>; scalar when not accelerated or inputs != 4.
        /// </summary>
        public static double Mlp(ReadOnlySpan<double> p, ReadOnlySpan<double> x, ReadOnlySpan<double> targets, int inputs, int hidden, Span<double> dP, Span<double> scratch)
        {
            int c = Vector256<double>.Count;
            if (!Vector256.IsHardwareAccelerated || inputs != c || hidden % c != 0)
            {
                return HandWritten.Mlp(p, x, targets, inputs, hidden, dP, scratch);
            }

            if (dP.Length != p.Length || scratch.Length < hidden)
            {
                throw new ArgumentException("dP must have the length of p, scratch that of the hidden layer.", nameof(dP));
            }

            int b1 = hidden * inputs, w2 = b1 + hidden, b2 = w2 + (3 * hidden);
            ReadOnlySpan<double> wIn = p.Slice(0, b1), bIn = p.Slice(b1, hidden);
            ReadOnlySpan<double> wOut0 = p.Slice(w2, hidden), wOut1 = p.Slice(w2 + hidden, hidden), wOut2 = p.Slice(w2 + (2 * hidden), hidden);
            Span<double> dWIn = dP.Slice(0, b1), dBIn = dP.Slice(b1, hidden);
            Span<double> dWOut0 = dP.Slice(w2, hidden), dWOut1 = dP.Slice(w2 + hidden, hidden), dWOut2 = dP.Slice(w2 + (2 * hidden), hidden);
            Span<double> h = scratch.Slice(0, hidden);
            for (int i = 0; i < dP.Length; i++)
            {
                dP[i] = 0; // scalar stores: see docs/performance.md, the AVX/SSE transition trap
            }

            int batch = targets.Length / 3;
            double invB = 1.0 / batch;
            double loss = 0, g0 = 0, g1 = 0, g2 = 0;
            var one = Vector256<double>.One;
            for (int s = 0; s < batch; s++)
            {
                var xv = Vector256.Create(x.Slice(s * inputs));
                var z0v = Vector256<double>.Zero;
                var z1v = Vector256<double>.Zero;
                var z2v = Vector256<double>.Zero;
                for (int j = 0; j < hidden; j += c)
                {
                    var a = Vector256.Create(
                        Vector256.Sum(Vector256.Create(wIn.Slice(j * inputs)) * xv),
                        Vector256.Sum(Vector256.Create(wIn.Slice((j + 1) * inputs)) * xv),
                        Vector256.Sum(Vector256.Create(wIn.Slice((j + 2) * inputs)) * xv),
                        Vector256.Sum(Vector256.Create(wIn.Slice((j + 3) * inputs)) * xv)) + Vector256.Create(bIn.Slice(j));
                    var hv = Tanh(a);
                    hv.CopyTo(h.Slice(j));
                    z0v += Vector256.Create(wOut0.Slice(j)) * hv;
                    z1v += Vector256.Create(wOut1.Slice(j)) * hv;
                    z2v += Vector256.Create(wOut2.Slice(j)) * hv;
                }

                double z0 = p[b2] + Vector256.Sum(z0v), z1 = p[b2 + 1] + Vector256.Sum(z1v), z2 = p[b2 + 2] + Vector256.Sum(z2v);
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
                var d0v = Vector256.Create(d0);
                var d1v = Vector256.Create(d1);
                var d2v = Vector256.Create(d2);
                for (int j = 0; j < hidden; j += c)
                {
                    var hv = Vector256.Create((ReadOnlySpan<double>)h.Slice(j));
                    (Vector256.Create((ReadOnlySpan<double>)dWOut0.Slice(j)) + (d0v * hv)).CopyTo(dWOut0.Slice(j));
                    (Vector256.Create((ReadOnlySpan<double>)dWOut1.Slice(j)) + (d1v * hv)).CopyTo(dWOut1.Slice(j));
                    (Vector256.Create((ReadOnlySpan<double>)dWOut2.Slice(j)) + (d2v * hv)).CopyTo(dWOut2.Slice(j));
                    var da = ((Vector256.Create(wOut0.Slice(j)) * d0v) + (Vector256.Create(wOut1.Slice(j)) * d1v) + (Vector256.Create(wOut2.Slice(j)) * d2v)) * (one - (hv * hv));
                    (Vector256.Create((ReadOnlySpan<double>)dBIn.Slice(j)) + da).CopyTo(dBIn.Slice(j));
                    for (int l = 0; l < c; l++)
                    {
                        Span<double> dRow = dWIn.Slice((j + l) * inputs);
                        (Vector256.Create((ReadOnlySpan<double>)dRow) + (Vector256.Create(da.GetElement(l)) * xv)).CopyTo(dRow);
                    }
                }
            }

            dP[b2] = g0;
            dP[b2 + 1] = g1;
            dP[b2 + 2] = g2;
            return loss * invB;
        }

        /// <summary>tanh in lanes: the algorithm of the generated code's vector tanh (Emit/Emitter.Vector.cs), written by hand.</summary>
        private static Vector256<double> Tanh(Vector256<double> x)
        {
            var ax = Vector256.Abs(x);
            var sq = ax * ax;
            var p = (((Vector256.Create(-0.964399179425052238628) * sq) + Vector256.Create(-99.2877231001918586564)) * sq) + Vector256.Create(-1614.68768441708447952);
            var q = (((sq + Vector256.Create(112.811678491632931402)) * sq) + Vector256.Create(2235.48839060100448583)) * sq + Vector256.Create(4844.06305325125486048);
            var near = ax + (ax * sq * (p / q));
            var e = Vector256.Exp(ax + ax);
            var far = Vector256<double>.One - (Vector256.Create(2.0) / (e + Vector256<double>.One));
            return Vector256.ConditionalSelect(Vector256.GreaterThan(ax, Vector256.Create(0.625)), far, near) | (x & Vector256.Create(-0.0));
        }
    }
}

namespace SymDiff.Benchmarks
{
    using System.Collections.Generic;
    using BenchmarkDotNet.Attributes;

    /// <summary>A row with a <c>Vectorize = true</c> gradient and a hand-vectorised one (quick mode: vector_ns, hand_simd_ns).</summary>
    public interface IVectorizedWorkload
    {
        /// <summary>The generated gradient of the <c>[Differentiable(Vectorize = true)]</c> copy (WorkloadsVectorized.cs).</summary>
        double Vectorized();

        /// <summary>The hand-vectorised gradient (HandSimd.cs).</summary>
        double HandSimd();

        /// <summary>Relative differences from the hand-written scalar gradient: the value, the gradient (max-norm), for the vectorised and the hand SIMD ones.</summary>
        (double Value, double Gradient, double SimdValue, double SimdGradient) Errors();
    }

    /// <summary>The quick mode's start-up check of the vectorised variants: within 1e-12 of the scalar hand-written value and gradient.</summary>
    public static class VectorizedChecks
    {
        private const double Tolerance = 1e-12;

        public static bool Passed(List<IWorkload> rows)
        {
            bool ok = true;
            foreach (var row in rows)
            {
                if (row is not IVectorizedWorkload v)
                {
                    continue;
                }

                var e = v.Errors();
                if (!(e.Value <= Tolerance && e.Gradient <= Tolerance && e.SimdValue <= Tolerance && e.SimdGradient <= Tolerance))
                {
                    Console.Out.Flush();
                    Console.Error.WriteLine($"SELF-CHECK FAILED: {row.Row}: vectorised value {e.Value:G3}, gradient {e.Gradient:G3}; hand SIMD value {e.SimdValue:G3}, gradient {e.SimdGradient:G3} (max {Tolerance:G1}, relative to the hand-written scalar)");
                    ok = false;
                }
            }

            return ok;
        }
    }

    public partial class W1LinReg : IVectorizedWorkload
    {
        [Benchmark]
        public double Vectorized() => WorkloadsVectorized.LinRegGradient(_w, _b, _x, _y, out _dW, out _dB);

        [Benchmark]
        public double HandSimd() => Benchmarks.HandSimd.LinReg(_w, _b, _x, _y, out _dW, out _dB);

        public (double Value, double Gradient, double SimdValue, double SimdGradient) Errors()
        {
            double hand = HandWritten.LinReg(_w, _b, _x, _y, out double hw, out double hb);
            double v = WorkloadsVectorized.LinRegGradient(_w, _b, _x, _y, out double vw, out double vb);
            double s = Benchmarks.HandSimd.LinReg(_w, _b, _x, _y, out double sw, out double sb);
            return (CheckResult.Relative(v, hand), CheckResult.Relative([vw, vb], [hw, hb]), CheckResult.Relative(s, hand), CheckResult.Relative([sw, sb], [hw, hb]));
        }
    }

    public partial class W3LogReg : IVectorizedWorkload
    {
        [Benchmark]
        public double Vectorized() => WorkloadsVectorized.LogRegGradient(_w, _x, _t, _gradient);

        [Benchmark]
        public double HandSimd() => Benchmarks.HandSimd.LogReg(_w, _x, _t, _gradient);

        public (double Value, double Gradient, double SimdValue, double SimdGradient) Errors()
        {
            var hand = new double[D];
            var vec = new double[D];
            var simd = new double[D];
            double h = HandWritten.LogReg(_w, _x, _t, hand);
            double v = WorkloadsVectorized.LogRegGradient(_w, _x, _t, vec);
            double s = Benchmarks.HandSimd.LogReg(_w, _x, _t, simd);
            return (CheckResult.Relative(v, h), CheckResult.Relative(vec, hand), CheckResult.Relative(s, h), CheckResult.Relative(simd, hand));
        }
    }

    public partial class W2Rosenbrock : IVectorizedWorkload
    {
        [Benchmark]
        public double Vectorized() => WorkloadsVectorized.RosenbrockGradient(_x, _gradient);

        [Benchmark]
        public double HandSimd() => Benchmarks.HandSimd.Rosenbrock(_x, _gradient);

        public (double Value, double Gradient, double SimdValue, double SimdGradient) Errors()
        {
            var hand = new double[N];
            var vec = new double[N];
            var simd = new double[N];
            double h = HandWritten.Rosenbrock(_x, hand);
            double v = WorkloadsVectorized.RosenbrockGradient(_x, vec);
            double s = Benchmarks.HandSimd.Rosenbrock(_x, simd);
            return (CheckResult.Relative(v, h), CheckResult.Relative(vec, hand), CheckResult.Relative(s, h), CheckResult.Relative(simd, hand));
        }
    }

    public partial class W5PolyAdam : IVectorizedWorkload
    {
        [Benchmark]
        public double Vectorized()
        {
            Restart();
            double loss = 0;
            for (int step = 0; step < Steps; step++)
            {
                loss = WorkloadsVectorized.PolyMseGradient(_w, _x, _y, _gradient);
                _adam.Step();
            }

            return loss;
        }

        [Benchmark]
        public double HandSimd()
        {
            Restart();
            double loss = 0;
            for (int step = 0; step < Steps; step++)
            {
                loss = Benchmarks.HandSimd.PolyMse(_w, _x, _y, _gradient);
                _adam.Step();
            }

            return loss;
        }

        public (double Value, double Gradient, double SimdValue, double SimdGradient) Errors()
        {
            Restart();
            var hand = new double[3];
            var vec = new double[3];
            var simd = new double[3];
            double h = HandWritten.PolyMse(_w, _x, _y, hand);
            double v = WorkloadsVectorized.PolyMseGradient(_w, _x, _y, vec);
            double s = Benchmarks.HandSimd.PolyMse(_w, _x, _y, simd);
            return (CheckResult.Relative(v, h), CheckResult.Relative(vec, hand), CheckResult.Relative(s, h), CheckResult.Relative(simd, hand));
        }
    }
}

namespace SymDiff.Benchmarks
{
    using BenchmarkDotNet.Attributes;

    public partial class W6Mlp : IVectorizedWorkload
    {
        [Benchmark]
        public double Vectorized() => WorkloadsVectorized.MlpGradient(_p, _x, _targets, Inputs, Hidden, _gradient);

        [Benchmark]
        public double HandSimd() => Benchmarks.HandSimd.Mlp(_p, _x, _targets, Inputs, Hidden, _gradient, _scratch);

        public (double Value, double Gradient, double SimdValue, double SimdGradient) Errors()
        {
            var hand = new double[_p.Length];
            var vec = new double[_p.Length];
            var simd = new double[_p.Length];
            double h = HandWritten.Mlp(_p, _x, _targets, Inputs, Hidden, hand, _scratch);
            double v = WorkloadsVectorized.MlpGradient(_p, _x, _targets, Inputs, Hidden, vec);
            double s = Benchmarks.HandSimd.Mlp(_p, _x, _targets, Inputs, Hidden, simd, _scratch);
            return (CheckResult.Relative(v, h), CheckResult.Relative(vec, hand), CheckResult.Relative(s, h), CheckResult.Relative(simd, hand));
        }
    }
}

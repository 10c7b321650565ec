using System;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Retain
{
    /// <summary>
    /// The retained gradients computed by generated code, against published values (the PyTorch autograd tutorial) and
    /// against central differences of the function with the retained value perturbed.
    /// </summary>
    public sealed class RetainNumericTests
    {
        private const string Tutorial = """
            using System;
            using SymDiff;
            public static partial class Autograd
            {
                // w = 1, x = 2; a = w + x; a.retain_grad(); b = w + 1; y = a * b; y.backward()
                [Differentiable]
                public static double Y(double w, double x)
                {
                    double a = Grad.Retain(w + x);
                    double b = w + 1;
                    return a * b;
                }

                [Differentiable]
                public static float YF(float w, float x)
                {
                    float a = Grad.Retain(w + x);
                    float b = w + 1;
                    return a * b;
                }

                // a = x + 2 * y; a.retain_grad(); b = a + z / 2; b.backward(torch.ones(2)), written element by element.
                [Differentiable]
                public static void B(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Span<double> b)
                {
                    double a0 = Grad.Retain(x[0] + 2 * y[0]);
                    double a1 = Grad.Retain(x[1] + 2 * y[1]);
                    b[0] = a0 + z[0] / 2;
                    b[1] = a1 + z[1] / 2;
                }
            }
            """;

        /// <summary>PyTorch's tutorial: w.grad = 5, x.grad = 2, a.grad = 2 (and y = 6).</summary>
        [Fact]
        public void Scalar_tutorial_values()
        {
            double[] r = GeneratedCode.RunDriver(Tutorial, """
                double y = Autograd.YGradientRetained(1.0, 2.0, out double dW, out double dX, out double dA);
                return new[] { y, dW, dX, dA };
                """);

            Assert.Equal(new[] { 6.0, 5.0, 2.0, 2.0 }, r);
        }

        /// <summary>The float overload of Grad.Retain, and the retained method beside the ordinary gradient: same value, same gradient.</summary>
        [Fact]
        public void Float_and_agreement_with_the_gradient()
        {
            double[] r = GeneratedCode.RunDriver(Tutorial, """
                float y = Autograd.YFGradientRetained(1f, 2f, out float dW, out float dX, out float dA);
                double plain = Autograd.YGradient(0.3, -1.7, out double gW, out double gX);
                double retained = Autograd.YGradientRetained(0.3, -1.7, out double rW, out double rX, out double rA);
                return new[] { y, dW, dX, dA, plain - retained, gW - rW, gX - rX };
                """);

            Assert.Equal(new[] { 6.0, 5.0, 2.0, 2.0, 0.0, 0.0, 0.0 }, r);
        }

        /// <summary>PyTorch's vector case: b.backward(ones) gives a.grad = [1, 1]; x.grad = [1, 1], y.grad = [2, 2], z.grad = [0.5, 0.5] analytically.</summary>
        [Fact]
        public void Vector_tutorial_values()
        {
            double[] r = GeneratedCode.RunDriver(Tutorial, """
                double[] x = { 1.0, 2.0 }, y = { 3.0, 4.0 }, z = { 5.0, 6.0 };
                double[] b = new double[2], dX = new double[2], dY = new double[2], dZ = new double[2];
                Autograd.BBackwardRetained(x, y, z, b, new[] { 1.0, 1.0 }, dX, dY, dZ, out double dA0, out double dA1);
                return new[] { dA0, dA1, dX[0], dX[1], dY[0], dY[1], dZ[0], dZ[1], b[0], b[1] };
                """);

            Assert.Equal(new[] { 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 0.5, 0.5, 9.5, 13.0 }, r);
        }

        /// <summary>
        /// A retained local in a branch and one re-assigned later, against central differences of the function with each
        /// retained value perturbed by eps (the definition of the retained gradient); the branch not taken gives 0.
        /// </summary>
        [Theory]
        [InlineData(0.7, 0.4)]
        [InlineData(-0.6, 1.3)]
        public void Branch_and_reassignment_against_finite_differences(double x, double y)
        {
            const string source = """
                using System;
                using SymDiff;
                public static partial class M
                {
                    [Differentiable]
                    public static double F(double x, double y)
                    {
                        double h = Grad.Retain(Math.Tanh(x * y));
                        double s = 0;
                        if (x > 0)
                        {
                            s = Grad.Retain(Math.Sin(h * x));
                        }

                        h = h * 3;
                        return s * y + h * h;
                    }
                }
                """;

            // The reference: the same function written by hand, with each retained value shifted by eps.
            static double Reference(double x, double y, double epsH, double epsS)
            {
                double h = Math.Tanh(x * y) + epsH;
                double s = 0;
                if (x > 0)
                {
                    s = Math.Sin(h * x) + epsS;
                }

                h = h * 3;
                return s * y + h * h;
            }

            double[] r = GeneratedCode.RunDriver(source, FormattableString.Invariant($"""
                M.FGradientRetained({x:R}, {y:R}, out double dX, out double dY, out double dH, out double dS);
                return new[] {"{"} dH, dS {"}"};
                """));

            double expectedH = FiniteDifferences.Derivative(e => Reference(x, y, e, 0), 0);
            double expectedS = x > 0 ? FiniteDifferences.Derivative(e => Reference(x, y, 0, e), 0) : 0;
            FiniteDifferences.AssertClose(expectedH, r[0], relTol: 1e-7, absTol: 1e-9, "dF/dh");
            FiniteDifferences.AssertClose(expectedS, r[1], relTol: 1e-7, absTol: 1e-9, "dF/ds");
        }

        /// <summary>A retained value that feeds a call of another [Differentiable] method, and one computed from a call.</summary>
        [Fact]
        public void Through_calls_against_finite_differences()
        {
            const string source = """
                using System;
                using SymDiff;
                public static partial class M
                {
                    [Differentiable] public static double Sq(double v) => v * v;

                    [Differentiable]
                    public static double G(double x)
                    {
                        double u = Grad.Retain(Sq(x) + 1);
                        double v = Grad.Retain(Math.Exp(-u));
                        return Sq(v) * x;
                    }
                }
                """;

            static double Reference(double x, double epsU, double epsV)
            {
                double u = x * x + 1 + epsU;
                double v = Math.Exp(-u) + epsV;
                return v * v * x;
            }

            double[] r = GeneratedCode.RunDriver(source, """
                M.GGradientRetained(0.8, out double dX, out double dU, out double dV);
                return new[] { dX, dU, dV };
                """);

            FiniteDifferences.AssertClose(FiniteDifferences.Derivative(x => Reference(x, 0, 0), 0.8), r[0], 1e-7, 1e-9, "dG/dx");
            FiniteDifferences.AssertClose(FiniteDifferences.Derivative(e => Reference(0.8, e, 0), 0), r[1], 1e-7, 1e-9, "dG/du");
            FiniteDifferences.AssertClose(FiniteDifferences.Derivative(e => Reference(0.8, 0, e), 0), r[2], 1e-7, 1e-9, "dG/dv");
        }

        /// <summary>Retaining a value changes nothing for the other generated methods: the Hessian of Rosenbrock's function, analytically.</summary>
        [Fact]
        public void Hessian_with_a_retained_value()
        {
            const string source = """
                using System;
                using SymDiff;
                public static partial class M
                {
                    [Differentiable(Hessian = true)]
                    public static double Rosen(double x, double y)
                    {
                        double a = Grad.Retain(1 - x);
                        double b = y - x * x;
                        return a * a + 100 * b * b;
                    }
                }
                """;

            double[] r = GeneratedCode.RunDriver(source, """
                double[] h = new double[4];
                M.RosenHessian(0.5, 2.0, h);
                M.RosenGradientRetained(0.5, 2.0, out double dX, out double dY, out double dA);
                M.RosenDerivative(0.5, 2.0, 1.0, 0.0, out double tx);
                return new[] { h[0], h[1], h[2], h[3], dA, dX, dY, tx };
                """);

            // f = (1 - x)^2 + 100 (y - x^2)^2: H = [[2 - 400 y + 1200 x^2, -400 x], [-400 x, 200]]; df/da = 2a; df/dx = -2(1 - x) - 400 x (y - x^2).
            double x = 0.5, y = 2.0;
            double[] expected = { 2 - 400 * y + 1200 * x * x, -400 * x, -400 * x, 200, 2 * (1 - x), -2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x), -2 * (1 - x) - 400 * x * (y - x * x) };
            for (int k = 0; k < expected.Length; k++)
            {
                FiniteDifferences.AssertClose(expected[k], r[k], relTol: 1e-12, absTol: 1e-12, "entry " + k);
            }
        }

        /// <summary>
        /// Retained values around loops (before a fused loop, before a recurrence the reverse sweep tapes, after the
        /// loop) and before an early return, against central differences of the function with each retained value
        /// shifted by eps.
        /// </summary>
        [Theory]
        [InlineData(0.7)]
        [InlineData(-0.4)]
        public void Around_loops_and_an_early_return_against_finite_differences(double w)
        {
            const string source = """
                using System;
                using SymDiff;
                public static partial class M
                {
                    [Differentiable]
                    public static double F(double w, ReadOnlySpan<double> c, [NoGrad] ReadOnlySpan<double> x)
                    {
                        double scale = Grad.Retain(w * w + 0.5);
                        double sum = 0;
                        for (int i = 0; i < x.Length; i++) { sum += scale * x[i] * c[i]; }
                        double s = 0;
                        for (int i = c.Length - 1; i >= 0; i--) { s = Math.Sin(s * scale) + c[i]; }
                        double total = Grad.Retain(sum + s * w);
                        if (total > 100) { return total; }
                        return Math.Tanh(total) * scale;
                    }
                }
                """;

            static double Reference(double w, double[] c, double[] x, double e1, double e2)
            {
                double scale = w * w + 0.5 + e1;
                double sum = 0;
                for (int i = 0; i < x.Length; i++) { sum += scale * x[i] * c[i]; }
                double s = 0;
                for (int i = c.Length - 1; i >= 0; i--) { s = Math.Sin(s * scale) + c[i]; }
                double total = sum + s * w + e2;
                if (total > 100) { return total; }
                return Math.Tanh(total) * scale;
            }

            double[] c = { 0.3, -0.2, 0.5 }, x = { 1.0, 2.0, -1.5 };
            double[] r = GeneratedCode.RunDriver(source, FormattableString.Invariant($$"""
                double[] c = { 0.3, -0.2, 0.5 }, x = { 1.0, 2.0, -1.5 }, dC = new double[3];
                M.FGradientRetained({{w:R}}, c, x, out double dW, dC, out double dScale, out double dTotal);
                return new[] { dScale, dTotal, dW };
                """));

            FiniteDifferences.AssertClose(FiniteDifferences.Derivative(e => Reference(w, c, x, e, 0), 0), r[0], 1e-7, 1e-9, "dF/dscale");
            FiniteDifferences.AssertClose(FiniteDifferences.Derivative(e => Reference(w, c, x, 0, e), 0), r[1], 1e-7, 1e-9, "dF/dtotal");
            FiniteDifferences.AssertClose(FiniteDifferences.Derivative(v => Reference(v, c, x, 0, 0), w), r[2], 1e-7, 1e-9, "dF/dw");
        }

        /// <summary>A vector function that reads its outputs back (normalisation) with a retained value, seed not all ones.</summary>
        [Fact]
        public void Vector_function_reading_its_outputs_against_finite_differences()
        {
            const string source = """
                using System;
                using SymDiff;
                public static partial class M
                {
                    [Differentiable]
                    public static void G(double u, double v, Span<double> o)
                    {
                        double h = Grad.Retain(u * v + 1);
                        o[0] = Math.Exp(h);
                        o[1] = h * u;
                        double norm = o[0] + o[1] * o[1];
                        o[0] /= norm;
                    }
                }
                """;

            static double Seeded(double u, double v, double e)
            {
                double h = u * v + 1 + e;
                double o0 = Math.Exp(h), o1 = h * u;
                double norm = o0 + o1 * o1;
                o0 /= norm;
                return 0.25 * o0 - 2.0 * o1;
            }

            double[] r = GeneratedCode.RunDriver(source, """
                double[] o = new double[2];
                double dU = 0, dV = 0;
                M.GBackwardRetained(0.3, -0.8, o, new[] { 0.25, -2.0 }, ref dU, ref dV, out double dH);
                return new[] { dH, dU, dV };
                """);

            FiniteDifferences.AssertClose(FiniteDifferences.Derivative(e => Seeded(0.3, -0.8, e), 0), r[0], 1e-7, 1e-9, "seed . dG/dh");
            FiniteDifferences.AssertClose(FiniteDifferences.Derivative(u => Seeded(u, -0.8, 0), 0.3), r[1], 1e-7, 1e-9, "seed . dG/du");
            FiniteDifferences.AssertClose(FiniteDifferences.Derivative(v => Seeded(0.3, v, 0), -0.8), r[2], 1e-7, 1e-9, "seed . dG/dv");
        }
    }
}

using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Regressions
{
    /// <summary>
    /// What the differential fuzzer found (tests/SymDiff.Fuzz.Tests/FINDINGS.md), each as a small program of its own
    /// with a derivative worked out by hand. <see cref="GeneratedCode.RunDriver"/> also fails on any warning in the
    /// generated code.
    /// </summary>
    public sealed class FuzzerFindingsRegressionTests
    {
        /// <summary>
        /// Fuzz seed 84, program 712 (CS0103, found by this branch's run): the copy merge renamed a tangent
        /// (<c>float r4Dot2 = r4Dot;</c> before the row loop) that a vector loop inside that loop reads in its lanes'
        /// invariants (<c>Vector256.Create(r4Dot2)</c>), which a rename does not reach. A block holding a vector loop is now
        /// left alone; the copy stays and the generated code compiles without warnings.
        /// </summary>
        [Fact]
        public void A_copy_read_by_a_vector_loop_is_not_merged()
        {
            const string source = """
                using System;
                using SymDiff;

                public partial class P0
                {
                    [Differentiable(Vectorize = true)]
                    public void G(Span<float> o, P0 peer, [NoGrad] float[] u, ReadOnlySpan<float> v, [NoGrad] float x, float[] w)
                    {
                        ReadOnlySpan<float> uPart = u.AsSpan(15);
                        Span<float> h0 = stackalloc float[3];
                        for (int j1 = 0; j1 < 3; j1++)
                        {
                            h0[j1] = Grad.Detach(x) - ((float)j1 - v[j1 + 1]);
                            h0[j1] = (float)Math.Exp(0.5f * h0[j1]);
                        }
                        float[] h2 = new float[w.Length];
                        for (int j3 = 0; j3 < w.Length; j3++)
                        {
                            h2[j3] = -(u[j3 + 1] > uPart[2] / (u[j3] * u[j3] + 0.5f) ? x : u[j3]);
                            h2[j3] += h0[j3 + 2] * w[j3];
                        }
                        float r4 = (float)v.Length / (h2[0] * h2[0] + 0.5f);
                        for (int i = 0; i < o.Length; i++)
                        {
                            float t5 = 0f;
                            for (int j6 = 0; j6 < u.Length; j6++)
                            {
                                t5 += (u[j6] + (r4 + r4)) * r4;
                            }
                            o[i] = t5 + (h2[0] - h0[0]);
                            r4 = MathF.Sin(r4 * MathF.Tanh(h0[0]));
                        }
                        o[3] += (w[0] - x) * (float)u.Length;
                        o[1] *= MathF.Pow(uPart[22] * h0[0], 2f);
                        float s7 = 0.25f;
                        s7 += o[0] * o[0];
                        s7 += o[1] * o[1];
                        s7 += o[2] * o[2];
                        s7 += o[3] * o[3];
                        o[0] /= MathF.Sqrt(s7);
                        o[1] /= MathF.Sqrt(s7);
                        o[2] /= MathF.Sqrt(s7);
                        o[3] /= MathF.Sqrt(s7);
                    }
                }
                """;
            var output = GeneratorRunner.Run(source);
            GeneratorRunner.AssertCleanCompile(output);
            string code = string.Join("\n", output.GeneratedSources.Select(s => s.Text));
            Assert.Contains("float r4Dot2 = r4Dot;", code, StringComparison.Ordinal);
            Assert.Contains("Vector256.Create(r4Dot2)", code, StringComparison.Ordinal);
        }

        [Fact]
        public void F3_a_branch_that_constants_decide_is_not_written_out()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x)
    {
        int k = 0;
        double s = x;
        if (k > 1)
        {
            s = s * x;
        }

        for (int i = 0; k < 0; i++)
        {
            s = s * 2;
        }

        return s * x;
    }
}";
            // s = x (the branch and the loop never run): F = x^2, F' = 2x.
            var r = GradientProbe.Run(source, new[] { 1.5 }, "R.F(p[0])", "R.FGradient(p[0], out g[0])", "R.FBackward(p[0], seed, ref g[0]);", "R.FDerivative(p[0], t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, new[] { 3.0 });
        }

        [Fact]
        public void F4_clamp_in_a_float_method_calls_Math_Clamp()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static float F(float x) => Math.Clamp(x, -1f, 1.5f) * x;
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        R.FGradient(0.5f, out float inside);
        R.FGradient(2f, out float above);
        return new double[] { inside, above };");

            // Inside: d(x^2) = 2x = 1; above the bound: d(1.5 x) = 1.5.
            Assert.Equal(new[] { 1.0, 1.5 }, r);
        }

        [Fact]
        public void F8_a_loop_whose_values_never_reach_the_result_gets_no_reverse_sweep()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x, int n)
    {
        double s0 = x;
        for (int i = 0; i < n; i++)
        {
            double s1 = x - x;
            s0 = Math.Log(Math.Abs(s0) + 0.25) - Math.Cbrt(s1);
        }

        return Math.Sin(x) * x;
    }
}";
            // Cbrt'(0) is +inf, but s0 does not reach the result: F' = sin x + x cos x, finite, as PyTorch gives.
            double x = 0.4;
            double expected = Math.Sin(x) + (x * Math.Cos(x));
            var r = GradientProbe.Run(source, new[] { x }, "R.F(p[0], 3)", "R.FGradient(p[0], 3, out g[0])", "R.FBackward(p[0], 3, seed, ref g[0]);", "R.FDerivative(p[0], 3, t[0], out double d) * 0 + d");
            Assert.Equal(BitConverter.DoubleToInt64Bits(r.Value), BitConverter.DoubleToInt64Bits(r.GradientValue));
            FiniteDifferences.AssertClose(expected, r.Gradient[0], 1e-12, 0, "FGradient");
            FiniteDifferences.AssertClose(expected, r.Backward[0], 1e-12, 0, "FBackward");
        }

        [Fact]
        public void F8_a_carried_value_that_feeds_one_that_reaches_the_result_keeps_its_adjoint()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x, int n)
    {
        double a = x;
        double b = 1;
        double dead = x;
        for (int i = 0; i < n; i++)
        {
            b = b * a;
            a = a * 0.5;
            dead = dead * dead;
        }

        return b;
    }
}";
            // b = x * (x/2) * (x/4) = x^3 / 8 for n = 3: b' = 3 x^2 / 8.
            double x = 1.3;
            var r = GradientProbe.Run(source, new[] { x }, "R.F(p[0], 3)", "R.FGradient(p[0], 3, out g[0])", "R.FBackward(p[0], 3, seed, ref g[0]);", "R.FDerivative(p[0], 3, t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, new[] { 3 * x * x / 8 });
        }

        [Fact]
        public void F9_min_of_an_expression_and_itself_is_not_compared_in_generated_code()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double[] v, double x) => Math.Min(v[0], v[0]) * x + Math.Max(x, x) * v[1];
}";
            double[] v = { 0.7, -1.1 };
            double x = 2.5;
            double[] expected = { x, x, v[0] + v[1] };
            var r = GradientProbe.Run(source, new[] { v[0], v[1], x }, "R.F(p[..2], p[2])", "R.FGradient(p[..2], p[2], g.AsSpan(0, 2), out g[2])", "R.FBackward(p[..2], p[2], seed, g.AsSpan(0, 2), ref g[2]);", "R.FDerivative(p[..2], p[2], t.AsSpan(0, 2), t[2], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, expected);
        }

        [Fact]
        public void F6_with_every_active_span_empty_the_drivers_still_compute_the_value_and_the_outputs()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable(nameof(u), Hessian = true)]
    public static double F(ReadOnlySpan<double> u, double x)
    {
        double s = x * x;
        for (int i = 0; i < u.Length; i++)
        {
            s += u[i] * x;
        }

        return s;
    }

    [Differentiable(nameof(u))]
    public static void G(Span<double> o, ReadOnlySpan<double> u, double x)
    {
        o[0] = Math.Cosh(0.5 * x);
        o[1] = x * x;
    }
}";
            // No active scalar: an empty Hessian and Jacobian, but F's value and G's outputs all the same.
            double[] r = GeneratedCode.RunDriver(source, @"
        double value = R.FHessian(ReadOnlySpan<double>.Empty, 3.0, Span<double>.Empty);
        double product = R.FHessianVectorProduct(ReadOnlySpan<double>.Empty, 3.0, ReadOnlySpan<double>.Empty, Span<double>.Empty);
        var o = new double[2];
        R.GJacobian(o, ReadOnlySpan<double>.Empty, 3.0, Span<double>.Empty);
        return new[] { value, product, o[0], o[1] };");

            Assert.Equal(new[] { 9.0, 9.0, Math.Cosh(1.5), 9.0 }, r);
        }

        [Fact]
        public void F3_a_compound_condition_that_constants_decide_is_not_written_out()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x)
    {
        int k = 0;
        if (k % 2 == 0 && (double)k * (double)k > 1.25)
        {
            return x * x;
        }
        else if (k >= 0)
        {
            return Grad.Detach((double)k) + 3 * x;
        }

        return -x;
    }
}";
            // k % 2 == 0 holds but k * k > 1.25 does not: F = 3x, F' = 3, and no unreachable branch is generated.
            var r = GradientProbe.Run(source, new[] { 0.7 }, "R.F(p[0])", "R.FGradient(p[0], out g[0])", "R.FBackward(p[0], seed, ref g[0]);", "R.FDerivative(p[0], t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, new[] { 3.0 });
        }

        [Theory]
        [InlineData(0.5, 2 * 1.5)]
        [InlineData(-0.5, 2.0)]
        public void F5_a_buffer_rented_in_a_branch_stays_open_for_the_values_the_branch_hands_out(double x, double expected)
        {
            // Forward mode passes a pooled zero tangent for the data span u; the rented buffer's try block used to close
            // before the branch's result was assigned (CS0103).
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    private static double H(double a, ReadOnlySpan<double> w) => a * w[0];

    [Differentiable]
    public static double F([NoGrad] double[] u, double x)
    {
        double r;
        if (x > 0)
        {
            r = H(x, u);
        }
        else
        {
            r = x;
        }

        return r * 2;
    }
}";
            string xs = GradientProbe.Literal(new[] { x });
            var probe = GradientProbe.Run(source, new[] { x }, "R.F(new[] { 1.5, 2.0 }, p[0])", "R.FGradient(new[] { 1.5, 2.0 }, p[0], out g[0])", "R.FBackward(new[] { 1.5, 2.0 }, p[0], seed, ref g[0]);", "R.FDerivative(new[] { 1.5, 2.0 }, p[0], t[0], out double d) * 0 + d");
            Assert.NotNull(xs);
            GradientProbe.AssertAgrees(probe, new[] { expected });
        }

        [Fact]
        public void F13_two_equal_expressions_compared_compile_without_a_warning()
        {
            // Common-subexpression elimination makes x * 2 >= x * 2 a comparison of one temporary with itself (CS1718).
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x) => x * 2 >= x * 2 ? x * x : -x;
}";
            var r = GradientProbe.Run(source, new[] { 1.25 }, "R.F(p[0])", "R.FGradient(p[0], out g[0])", "R.FBackward(p[0], seed, ref g[0]);", "R.FDerivative(p[0], t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, new[] { 2.5 });
        }

        [Fact]
        public void F8_an_overflowing_value_an_inner_loop_carries_but_never_hands_on_gets_no_adjoint()
        {
            // The outer loop's usefulness analysis once took everything an inner loop computes as feeding everything
            // it carries, so s (which overflows and never reaches r) got an adjoint: 0 * inf = NaN in dX.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x, double y)
    {
        double s = x;
        double r = 0;
        for (int j = 0; j < 2; j++)
        {
            for (int i = 0; i < 2; i++)
            {
                s = s * Math.Pow(s * s + 0.5, 300.0 * x);
                r = r + y * (i + 1);
            }
        }

        return r;
    }
}";
            // r = 2 (1 + 2) y: dr/dx = 0, dr/dy = 6, although s overflows to infinity.
            var r = GradientProbe.Run(source, new[] { 1.0, 0.5 }, "R.F(p[0], p[1])", "R.FGradient(p[0], p[1], out g[0], out g[1])", "R.FBackward(p[0], p[1], seed, ref g[0], ref g[1]);");
            Assert.Equal(BitConverter.DoubleToInt64Bits(r.Value), BitConverter.DoubleToInt64Bits(r.GradientValue));
            Assert.Equal(new[] { 0.0, 6.0 }, r.Gradient);
            Assert.Equal(new[] { 0.0, 6.0 }, r.Backward);
        }

        [Theory]
        [InlineData(0.5)]
        [InlineData(3.0)]
        public void F15_an_early_return_not_taken_sends_no_adjoint_through_overflowed_values(double y)
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x, [NoGrad] double y)
    {
        double a = x;
        double b = 0.0;
        for (int i = 0; i < 20; i++)
        {
            double t = a;
            a = b;
            b = 2.0 * t * b - t;
            if (i >= y && y > 1.0)
            {
                return a;
            }

            a -= x;
        }

        return y;
    }
}";
            // y = 0.5: b overflows to -inf at i = 12, the return is never taken, F = y: F' = 0, as PyTorch gives (the
            // ops on a and b are not ancestors of the output), not 0 * inf = NaN.
            // y = 3: the return is taken at i = 3 with a = -8x^3 - 4x^2 + 2x (a, b: x, 0 / -x, -x / -2x, 2x^2 + x /
            // 2x^2, -8x^3 - 4x^2 + 2x): F' = -24x^2 - 8x + 2.
            double x = 1.75;
            double expected = y < 1 ? 0.0 : (-24 * x * x) - (8 * x) + 2;
            string call = y.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            var r = GradientProbe.Run(source, new[] { x }, $"R.F(p[0], {call})", $"R.FGradient(p[0], {call}, out g[0])", $"R.FBackward(p[0], {call}, seed, ref g[0]);", $"R.FDerivative(p[0], {call}, t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, new[] { expected });
        }

        [Fact]
        public void F16_the_reverse_sweep_does_not_recompute_a_guarded_inner_loop_it_does_not_read()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double[] v, [NoGrad] double x)
    {
        double s = 1.0;
        for (int i = 0; i < 3; i++)
        {
            if (x > 100.0)
            {
                return v[0];
            }

            if (v[i] > 0.5)
            {
                int c = 0;
                while (c < 1)
                {
                    c++;
                    if (v[c] >= 1.25)
                    {
                        break;
                    }
                }
            }

            s = s * v[1] + v[2];
        }

        return s * x;
    }
}";
            // The guarded inner loop only computes an int nobody reads; recomputed in the reverse sweep with i at its
            // final value 3 it read v[3] and threw. With a = v[1], b = v[2]: s = a^3 + a^2 b + a b + b, F = x s,
            // dF/da = x (3a^2 + 2ab + b), dF/db = x (a^2 + a + 1).
            double a = 1.75, b = 1.875, x = -1.5;
            double[] expected = { 0, x * ((3 * a * a) + (2 * a * b) + b), x * ((a * a) + a + 1) };
            var r = GradientProbe.Run(source, new[] { 1.375, a, b }, "R.F(p, -1.5)", "R.FGradient(p, -1.5, g)", "R.FBackward(p, -1.5, seed, g);");
            GradientProbe.AssertAgrees(r, expected, forward: false);
        }

        [Fact]
        public void F17_a_differentiable_method_called_on_a_sub_model_held_in_a_field_or_property()
        {
            const string source = @"
using System;
using SymDiff;
public partial class Net
{
    internal static readonly Net Shared = new Net();
    internal double W = 1.5;
    internal Net Layer { get; set; } = null!;

    [Differentiable]
    public double F(double x) => Shared.H(x) + x + Layer.H(x * x);

    [Differentiable]
    public double H(double x) => W * x * x;
}";
            // Shared.W = 1.5, Layer.W = 2: F = 1.5 x^2 + x + 2 x^4, F' = 3x + 1 + 8x^3 (the receiver's own W = 3 plays no part).
            double x = 0.7;
            double expected = (3 * x) + 1 + (8 * x * x * x);
            const string model = "new Net { W = 3.0, Layer = new Net { W = 2.0 } }";
            var r = GradientProbe.Run(source, new[] { x }, $"{model}.F(p[0])", $"{model}.FGradient(p[0], out g[0])", $"{model}.FBackward(p[0], seed, ref g[0]);", $"{model}.FDerivative(p[0], t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, new[] { expected });
        }

        [Fact]
        public void F18_a_branch_decided_by_constants_after_folding_is_not_written_out()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x, ReadOnlySpan<double> u)
    {
        const double c = 0.625;
        for (int i = 0; i < u.Length; i++)
        {
            if (x <= 1.0)
            {
                return (i % 2 == 0 ? c : c) <= 0.5 ? u[0] : u[i];
            }
        }

        return x;
    }
}";
            // The condition is always false: for x <= 1 the loop returns u[0] at i = 0 (dF/du = e0, dF/dx = 0); for x > 1,
            // F = x. The reverse sweep held `if (0.625 <= 0.5)`: CS0162, an error under TreatWarningsAsErrors.
            var output = GeneratorRunner.Run(source);
            GeneratorRunner.AssertCleanCompile(output);
            double[] r = GeneratedCode.RunDriver(source, @"
        double[] u = { 2.0, 3.0, 4.0 };
        double[] g = new double[3];
        double below = R.FGradient(0.5, u, out double dxBelow, g);
        double[] gBelow = (double[])g.Clone();
        double above = R.FGradient(1.5, u, out double dxAbove, g);
        return new[] { below, dxBelow, gBelow[0], gBelow[1], gBelow[2], above, dxAbove, g[0] };");
            Assert.Equal(new[] { 2.0, 0, 1, 0, 0, 1.5, 1, 0 }, r);
        }

        [Fact]
        public void F20_a_field_compared_with_itself_gets_the_CS1718_pragma_in_generated_code()
        {
            // The user's `W0 == this.W0` (CS1718 in their own file, which is theirs to see) was copied into the generated
            // methods without the pragma F13 added for locals compared with themselves.
            var output = GeneratorRunner.Run(@"
using SymDiff;
public partial class Q
{
    internal double W0 = -0.649017;

    [Differentiable]
    public double F(double x)
    {
        double s = x * x;
        if (W0 == this.W0)
        {
            s = s * 3.0;
        }

        return s;
    }
}");
            var generated = output.CompilationDiagnostics.Where(d => d.Location.SourceTree?.FilePath.EndsWith(".g.cs", StringComparison.Ordinal) == true).ToList();
            Assert.Empty(generated);
            Assert.Contains(output.CompilationDiagnostics, d => d.Id == "CS1718");
        }
    
        [Fact]
        public void F19_a_jacobian_row_does_not_visit_the_other_outputs_infinite_partials()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static void G(double x, double y, double z, Span<double> o)
    {
        o[0] = y * z;
        o[1] = Math.Cbrt(x) + z;
    }
}";
            // Three inputs, two outputs: GJacobian takes one reverse sweep per output. At x = 0, Cbrt'(0) = +inf.
            // J = [[0, z, y], [inf, 0, 1]]: o[0] does not read x, so its row has a 0 there (PyTorch: Cbrt is not an
            // ancestor of o[0]), not the seed's 0 times inf = NaN. A seed with a zero leaves that output out of the
            // objective the same way; a non-zero seed meets the infinity.
            double[] r = GeneratedCode.RunDriver(source, @"
        var o = new double[2]; var j = new double[6];
        R.GJacobian(0.0, 1.5, -2.0, o, j);
        double dx = 0, dy = 0, dz = 0;
        R.GBackward(0.0, 1.5, -2.0, o, new double[] { 1.0, 0.0 }, ref dx, ref dy, ref dz);
        double ex = 0, ey = 0, ez = 0;
        R.GBackward(0.0, 1.5, -2.0, o, new double[] { 1.0, 2.0 }, ref ex, ref ey, ref ez);
        return new[] { j[0], j[1], j[2], j[3], j[4], j[5], dx, dy, dz, ex };");
            Assert.Equal(new[] { 0.0, -2.0, 1.5, double.PositiveInfinity, 0.0, 1.0, 0.0, -2.0, 1.5, double.PositiveInfinity }, r);
        }

        [Fact]
        public void F19_a_jacobian_column_does_not_multiply_another_inputs_zero_direction_by_an_infinite_partial()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static void G(double x, double y, Span<double> o)
    {
        o[0] = Math.Sqrt(x) * y;
        o[1] = x + y;
        o[2] = y * y;
    }
}";
            // Two inputs, three outputs: one forward sweep per input. At x = 0: d o[0]/dy = Sqrt(0) = 0, not
            // Sqrt'(0) * (x's direction, 0) * y = NaN; d o[0]/dx = y / (2 Sqrt(0)) = +inf for y > 0.
            double[] r = GeneratedCode.RunDriver(source, @"
        var o = new double[3]; var j = new double[6];
        R.GJacobian(0.0, 2.0, o, j);
        return j;");
            Assert.Equal(new[] { double.PositiveInfinity, 0.0, 1.0, 1.0, 0.0, 4.0 }, r);
        }

        [Fact]
        public void F21_a_callee_parameter_read_only_in_a_comparison_sends_no_gradient_through_the_call()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double u, [NoGrad] double c) => H(Math.Sqrt(Math.Abs(u)), c) + u;

    [Differentiable]
    public static double H(double p, [NoGrad] double c) => Math.Sqrt(Math.Abs(p)) < c ? -2.0 : 0.25 * c;
}";
            // H is piecewise constant in p, so dF/du = 1 (the '+ u'), also at u = 0 where Sqrt'(0) = inf: PyTorch's
            // comparison has no grad_fn, so the Sqrt node reaches the output only through '+ u'. Not H's dP (0) * inf = NaN.
            var r = GradientProbe.Run(source, new[] { 0.0 }, "R.F(p[0], 0.5)", "R.FGradient(p[0], 0.5, out g[0])", "R.FBackward(p[0], 0.5, seed, ref g[0]);", "R.FDerivative(p[0], 0.5, t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, new[] { 1.0 });
        }

        [Fact]
        public void F21_a_callee_parameter_whose_values_never_reach_the_return_sends_no_gradient_through_the_call()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class P0
{
    [Differentiable]
    public static void G(ReadOnlySpan<double> v, Span<double> o)
    {
        o[0] = H0(double.Cbrt(v[0]));
        o[1] = v[1] * v[0];
        o[2] = K(double.Cbrt(v[0]), v[1]);
    }

    [Differentiable]
    public static double H0(double p0)
    {
        int c0 = 0;
        double s1 = 0;
        while (true)
        {
            if (c0 >= 3) break;
            c0++;
            s1 = Math.Atan2(p0, Grad.Detach(s1) * Grad.Detach(s1) + 0.5);
        }

        return Math.Floor(3.0);
    }

    [Differentiable]
    public static double K(double p, double q)
    {
        double a = q * 2.0;
        double b = a;
        if (p > 0.5) b = b + 1.0;
        return b * q;
    }
}";
            // Fuzzer program 30760 of seed 6, shrunk: H0 computes with p0 but returns a constant, and K reads p only in a
            // comparison, so neither passes a gradient to Cbrt(v[0]) (Cbrt'(0) = inf): J = [[0, 0], [v1, v0], [0, 4 q]].
            double[] r = GeneratedCode.RunDriver(source, @"
        var o = new double[3]; var j = new double[6];
        P0.GJacobian(new double[] { 0.0, 1.75 }, o, j);
        return j;");
            Assert.Equal(new[] { 0.0, 0.0, 1.75, 0.0, 0.0, 7.0 }, r);
        }

        [Fact]
        public void F21_in_forward_mode_a_call_whose_active_arguments_never_reach_the_callees_result_has_no_tangent()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class P0
{
    [Differentiable]
    public static double F([NoGrad] double u, double v) => Math.Sqrt(Math.Abs(H0(u, v))) + v;

    [Differentiable]
    public static double H0(double p0, double p1) => p0 * Math.Ceiling(p0);
}";
            // Fuzzer program 16108 of seed 7, shrunk: H0 never reads p1, so F = Sqrt(|u Ceil(u)|) + v does not depend on
            // v through H0; at u = -0.75, H0 = 0 and Sqrt'(0) = inf, which must not meet H0's zero tangent: dF/dv = 1.
            var r = GradientProbe.Run(source, new[] { 0.5 }, "P0.F(-0.75, p[0])", "P0.FGradient(-0.75, p[0], out g[0])", "P0.FBackward(-0.75, p[0], seed, ref g[0]);", "P0.FDerivative(-0.75, p[0], t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, new[] { 1.0 });
        }

        [Fact]
        public void F21_a_loop_whose_values_reach_the_result_only_through_a_detached_parameter_gets_no_reverse_sweep()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class P0
{
    [Differentiable]
    public static double F(double x, int n)
    {
        double s2 = x * (x + x);
        for (int i = 3; i >= 0; i--)
        {
            for (int j = 0; j < 2; j++)
            {
                s2 *= Math.Sqrt(Math.Abs(x * (double)j));
                for (int h = 0; h < 2; h++)
                {
                    if (h >= 0)
                    {
                        return H0(s2 - s2, x);
                    }
                }
            }

            s2 += Math.Log2(Math.Sqrt(x * s2 * (x * s2) + 1.0));
        }

        return Math.Cosh((double)n);
    }

    [Differentiable]
    public static double H0(double p0, double p1) => Math.Sin(Grad.Detach(p0) / (1.25 * 1.25 + 0.5));
}";
            // Fuzzer program 26141 of seed 8, shrunk (there p0 was [NoGrad]): F returns H0(0, x), which passes no derivative
            // for either argument (p0 only detached, p1 never read), so dF/dx = 0; the loop computing s2 met Sqrt'(0) at
            // j = 0 and gave NaN.
            var r = GradientProbe.Run(source, new[] { 0.0 }, "P0.F(p[0], 1)", "P0.FGradient(p[0], 1, out g[0])", "P0.FBackward(p[0], 1, seed, ref g[0]);", "P0.FDerivative(p[0], 1, t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, new[] { 0.0 });
        }

        [Fact]
        public void F22_an_argument_check_in_a_callee_whose_value_is_not_used_still_runs()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double y, double z)
    {
        double s = z;
        for (int i = 0; i < 6; i++)
        {
            double unused = H(s * z, y);
            s = s * 6.0;
        }

        return z * y;
    }

    [Differentiable]
    public static double H(double p, double q)
    {
        if (Math.Abs(p) > 1000.0) throw new ArgumentOutOfRangeException(nameof(p), ""p must be small"");
        return Math.Atan(p + q);
    }
}";
            // z = 2: s * z = 2 * 2 * 6^i passes 1000 at i = 4, so F throws; every generated method must throw the same.
            double[] r = GeneratedCode.RunDriver(source, @"
        var thrown = new double[4];
        double dy, dz, gy = 0, gz = 0;
        try { R.F(1.0, 2.0); } catch (ArgumentOutOfRangeException e) when (e.ParamName == ""p"") { thrown[0] = 1; }
        try { R.FGradient(1.0, 2.0, out dy, out dz); } catch (ArgumentOutOfRangeException e) when (e.ParamName == ""p"") { thrown[1] = 1; }
        try { R.FBackward(1.0, 2.0, 1.0, ref gy, ref gz); } catch (ArgumentOutOfRangeException e) when (e.ParamName == ""p"") { thrown[2] = 1; }
        try { R.FDerivative(1.0, 2.0, 1.0, 0.0, out double d); } catch (ArgumentOutOfRangeException e) when (e.ParamName == ""p"") { thrown[3] = 1; }
        double value = R.FGradient(4.0, 0.125, out dy, out dz);
        return new[] { thrown[0], thrown[1], thrown[2], thrown[3], value, dy, dz };");
            // z = 0.125: s * z = 6^i / 64 stays below 1000 (i <= 5: 7776 / 64 = 121.5): F = z * y, dF = (z, y).
            Assert.Equal(new[] { 1.0, 1.0, 1.0, 1.0, 0.5, 0.125, 4.0 }, r);
        }

        [Fact]
        public void F22_an_argument_check_in_a_callee_called_in_a_dead_condition_of_a_dead_loop_still_runs()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x)
    {
        double s = x;
        for (int i = 0; i < 3; i++)
        {
            s = s * 10.0;
            if (H(s) > 0.0 && i > 5)
            {
                continue;
            }
        }

        return x * 2.0;
    }

    [Differentiable]
    public static double H(double p)
    {
        if (Math.Abs(p) > 1000.0) throw new ArgumentOutOfRangeException(nameof(p), ""p must be small"");
        return 1.0;
    }
}";
            // Fuzzer program 31161 of seed 6, shrunk: the loop's values never reach the result and the if does nothing,
            // but F(5) calls H(5000), which throws; the generated methods dropped the call with the dead code.
            double[] r = GeneratedCode.RunDriver(source, @"
        var thrown = new double[4];
        try { R.F(5.0); } catch (ArgumentOutOfRangeException e) when (e.ParamName == ""p"") { thrown[0] = 1; }
        try { R.FGradient(5.0, out double d); } catch (ArgumentOutOfRangeException e) when (e.ParamName == ""p"") { thrown[1] = 1; }
        try { double g = 0; R.FBackward(5.0, 1.0, ref g); } catch (ArgumentOutOfRangeException e) when (e.ParamName == ""p"") { thrown[2] = 1; }
        try { R.FDerivative(5.0, 1.0, out double d); } catch (ArgumentOutOfRangeException e) when (e.ParamName == ""p"") { thrown[3] = 1; }
        double value = R.FGradient(0.5, out double dx);
        return new[] { thrown[0], thrown[1], thrown[2], thrown[3], value, dx };");
            Assert.Equal(new[] { 1.0, 1.0, 1.0, 1.0, 1.0, 2.0 }, r);
        }

        [Fact]
        public void F27_a_declaration_read_only_in_the_side_of_a_branch_that_constants_rule_out_is_not_written()
        {
            // Fuzzer program 29219 of seed 8 (as the fuzzer shrank it): the reverse sweep's recomputation held
            // 'int iterations_1 = 0;' whose only reads sat in a branch whose condition folds to a constant, which the
            // emitter does not write (F18): CS0219, an error under TreatWarningsAsErrors.
            const string source = @"
using System;
using SymDiff;

public static partial class P0
{
    [Differentiable(Hessian = true)]
    public static double F(double x, [NoGrad] double y)
    {
        const double cst0 = 2.0 + 0.25;
        int c1 = 0;
        while (c1 < 4)
        {
            c1++;
            if (1.25 * x == x + x)
            {
                continue;
            }
            if (c1 >= 1)
            {
                if (((double)c1 * cst0 > -1.0 ? cst0 : cst0) < 1.25)
                {
                    if (c1 % 3 == 0)
                    {
                        return x / (Math.Log(Math.Abs(y) + 0.25) * Math.Log(Math.Abs(y) + 0.25) + 0.5);
                    }
                    int c2 = 0;
                    while (true)
                    {
                        if (c2 >= 0)
                        {
                            break;
                        }

                        c2++;
                        if (x + x > y)
                        {
                            if ((double)Math.Sign(x) > 1.5)
                            {
                                return double.Log2(double.Sqrt((double)c2 * (double)c2 + 1.0));
                            }
                            for (int h = 2; h < c1; h += 2)
                            {
                                double s3 = Math.FusedMultiplyAdd(y / 0.5, (double)c1 + cst0, y);
                                double s4 = (double)h % (y * y + 0.5) * Math.Abs(y);
                            }
                            int c5 = 0;
                            while (true)
                            {
                                if (c5 >= 2)
                                {
                                    break;
                                }

                                c5++;
                            }
                        }
                    }
                }
            }
        }
        return 1.0;
    }
}";
            GeneratorRunner.AssertCleanCompile(GeneratorRunner.Run(source));
        }

        [Fact]
        public void F28_a_loop_that_only_fills_a_buffer_whose_values_are_never_returned_gets_no_reverse_sweep()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class P0
{
    [Differentiable]
    public static double F(ReadOnlySpan<double> u)
    {
        double s1 = (double)u.Length * 10.0;
        foreach (var e2 in u)
        {
            double d = s1 - u[3];
            s1 -= d * d * d;
        }

        double[] h3 = new double[4];
        for (int j4 = 0; j4 < 4; j4++)
        {
            h3[j4] = s1 * s1;
        }

        double s6 = h3[1] * u[2];
        return u[3] / (u[0] * u[0] + 0.5);
    }
}";
            // Fuzzer program 6310 of seed 9, shrunk: s1 overflows to infinity in the fifth cube, fills h3, which feeds s6, which is
            // never returned. F = u3 / (u0^2 + 1/2): dF/du0 = -2 u0 u3 / (u0^2 + 1/2)^2, dF/du3 = 1 / (u0^2 + 1/2), no NaN.
            double[] u = { 0.5, -0.25, 1.5, 0.75, -1.0 };
            double q = (u[0] * u[0]) + 0.5;
            double[] expected = { -2 * u[0] * u[3] / (q * q), 0, 0, 1 / q, 0 };
            var r = GradientProbe.Run(source, u, "P0.F(p)", "P0.FGradient(p, g)", "P0.FBackward(p, seed, g);", "P0.FDerivative(p, t, out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, expected);
        }

        [Fact]
        public void F30_a_buffer_read_only_by_values_that_never_reach_the_outputs_sends_no_NaN_into_the_jacobian()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class P0
{
    [Differentiable]
    public static void G(double x, Span<double> o, double y)
    {
        double s0 = -y * 1.054008;
        for (int c1 = 0; c1 < 4; c1++)
        {
            double[] h2 = new double[3];
            for (int j3 = 0; j3 < 3; j3++)
            {
                h2[j3] = s0 - y;
            }

            for (int c4 = 0; c4 < 40; c4++)
            {
                s0 *= h2[1];
                s0 /= (x + y) * (x + y) + 0.5;
            }
        }

        o[0] = x;
        o[1] = (x + y) * y;
        o[2] = Math.Sin(Math.Tanh(x));
    }
}";
            // Fuzzer program 17940 of seed 9, shrunk: s0 and the buffer h2 never reach the outputs (s0 overflows).
            // J = [[1, 0], [y, x + 2y], [cos(tanh x) (1 - tanh^2 x), 0]].
            double x = -1.75, y = 1.625, t = Math.Tanh(x);
            double[] r = GeneratedCode.RunDriver(source, @"
        var o = new double[3]; var j = new double[6];
        P0.GJacobian(-1.75, o, 1.625, j);
        double dx = 0, dy = 0;
        P0.GBackward(-1.75, o, 1.625, new double[] { 1.0, 1.0, 1.0 }, ref dx, ref dy);
        return new[] { j[0], j[1], j[2], j[3], j[4], j[5], dx, dy };");
            double[] expected = { 1, 0, y, x + (2 * y), Math.Cos(t) * (1 - (t * t)), 0, 1 + y + (Math.Cos(t) * (1 - (t * t))), x + (2 * y) };
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], r[i], 12);
            }
        }

        [Fact]
        public void F32_a_span_call_whose_scalar_parameter_never_reaches_the_callees_result_sends_nothing_into_a_local_buffer()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x, ReadOnlySpan<double> u)
    {
        double[] h = new double[2];
        for (int j = 0; j < 2; j++)
        {
            h[j] = x * 2.0;
        }

        return H(h[1], u) + x;
    }

    [Differentiable]
    public static double H(double p, ReadOnlySpan<double> sp) => sp[0] * 3.0;
}";
            // Fuzzer program 46123 of seed 10, shrunk: H never reads p, so h reaches nothing and has no adjoint buffer, but
            // the reverse of the span call still sent H's dP (a structural 0) into h[1]: SD9001 (KeyNotFoundException).
            // F = 3 u0 + x: dF/dx = 1, dF/du = (3, 0).
            double[] r = GeneratedCode.RunDriver(source, @"
        var g = new double[2];
        double v = R.FGradient(0.5, new double[] { 1.0, 2.0 }, out double dx, g);
        return new[] { v, dx, g[0], g[1] };");
            Assert.Equal(new[] { 3.5, 1.0, 3.0, 0.0 }, r);
        }

        [Fact]
        public void F24_a_tangent_read_back_from_an_output_element_written_without_one_is_not_multiplied_by_an_infinite_partial()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static void G([NoGrad] int n, Span<double> o, ReadOnlySpan<double> u)
    {
        o[0] = u[n + 1] * u[n + 1];
        o[2] = (double)n;
        o[1] = u[n];
        o[1] += Math.Pow(o[n + 2], (double)n);
    }
}";
            // n = 0: o[1] = u[0] + Pow(o[2], 0) with o[2] = 0, written with no tangent: do[1] = du[0]; Pow's partial at
            // (0, 0) is 0 * 0^-1 = NaN, but o[2] carries no derivative, so the term is not there (PyTorch: the assignment
            // o[2] = n cuts the graph).
            double[] r = GeneratedCode.RunDriver(source, @"
        var o = new double[3]; var d = new double[3];
        R.GDerivative(0, o, new double[] { 1.0, 2.0 }, new double[] { 0.5, -1.0 }, d);
        return d;");
            Assert.Equal(new[] { -4.0, 0.5, 0.0 }, r);
        }

        [Fact]
        public void F15_a_zero_adjoint_out_of_a_loop_that_did_not_reach_the_result_is_not_multiplied_by_an_infinite_partial()
        {
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x, [NoGrad] double y)
    {
        double s = Math.Sqrt(Math.Abs(x - 1.0));
        for (int i = 0; i < 3; i++)
        {
            s = s * x;
            if (y > 1.0)
            {
                return s;
            }
        }

        return y * x;
    }
}";
            // x = 1, y = 0.5: the return in the loop is never taken, F = y x, F' = y. The loop's values (and the Sqrt at
            // |x - 1| = 0, partial inf) are not ancestors of the result: no 0 * inf = NaN.
            // y = 2: F = Sqrt(|x - 1|) x, returned at i = 0; at x = 1.25: F' = x / (2 Sqrt(x - 1)) + Sqrt(x - 1).
            var r = GradientProbe.Run(source, new[] { 1.0 }, "R.F(p[0], 0.5)", "R.FGradient(p[0], 0.5, out g[0])", "R.FBackward(p[0], 0.5, seed, ref g[0]);", "R.FDerivative(p[0], 0.5, t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(r, new[] { 0.5 });
            var taken = GradientProbe.Run(source, new[] { 1.25 }, "R.F(p[0], 2.0)", "R.FGradient(p[0], 2.0, out g[0])", "R.FBackward(p[0], 2.0, seed, ref g[0]);", "R.FDerivative(p[0], 2.0, t[0], out double d) * 0 + d");
            GradientProbe.AssertAgrees(taken, new[] { (1.25 / (2 * Math.Sqrt(0.25))) + Math.Sqrt(0.25) });
        }

        [Fact]
        public void F31_a_scalar_derivative_through_the_argument_Max_does_not_take_is_zero_not_NaN_at_Sqrt_of_0()
        {
            // Fuzzer program 30127 of seed 10, shrunk: at x = -0.5, n = 0, Max takes n, so x's tangent is zero by
            // construction (as in the gradient, which is 0); Sqrt'(0) = inf multiplied it into NaN in FDerivative.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x, int n) => Math.Sqrt(Math.Abs(Math.Max(x, (double)n)));
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        R.FDerivative(-0.5, 0, -1.875, out double d0);
        R.FGradient(-0.5, 0, out double g0);
        R.FDerivative(4.0, 0, 2.0, out double d1);
        return new[] { d0, g0, d1 };");
            // Away from the kink: d/dx sqrt(x) at 4 is 1 / (2 * 2) = 0.25, times the direction 2.
            Assert.Equal(new[] { 0.0, 0.0, 0.5 }, r);
        }

        [Fact]
        public void F45_Pow_with_a_zero_exponent_at_a_zero_base_has_a_zero_base_partial_not_NaN()
        {
            // Fuzzer program 2653 of seed 39: at n = 0 the power Pow(n + s2, n) is Pow(0, 0) = 1, whose base partial was
            // written 0 * 0^-1 = 0 * inf = NaN. Min takes y there, so by hand (n = 0: s2 = 0, s3 = 1, s5 = -y) the
            // result is y^2 x^2 - 3 y: d/dx = 2 x y^2, d/dy = 2 y x^2 - 3, d/dz = 0, and the Hessian over (x, y, z) is
            // [[2 y^2, 4 x y, 0], [4 x y, 2 x^2, 0], [0, 0, 0]].
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable(Hessian = true)]
    public static double F(double x, int n, double y, double z)
    {
        var s2 = (double)n * z * (y % (y * y + 0.5));
        double s3 = Math.Pow((double)n + s2, (double)n);
        s2 -= s3 != (double)n + z ? Math.Min(y, s3) : Math.Log(Math.Abs(s3) + 0.25);
        double s5 = s2;
        return s5 * s5 * (x * x) + s2 + s2 + s5;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        R.FGradient(-1.5, 0, 0.75, 1.5, out double gx, out double gy, out double gz);
        double bx = 0, by = 0, bz = 0;
        R.FBackward(-1.5, 0, 0.75, 1.5, 2.0, ref bx, ref by, ref bz);
        R.FDerivative(-1.5, 0, 0.75, 1.5, 0.0, 1.0, 0.0, out double dy);
        var h = new double[9];
        R.FHessian(-1.5, 0, 0.75, 1.5, h);
        return new[] { gx, gy, gz, bx, by, bz, dy, h[0], h[1], h[2], h[4], h[5], h[8] };");
            double x = -1.5, y = 0.75;
            double gX = 2 * x * y * y, gY = 2 * y * x * x - 3;
            Assert.Equal(new[] { gX, gY, 0.0, 2 * gX, 2 * gY, 0.0, gY, 2 * y * y, 4 * x * y, 0.0, 2 * x * x, 0.0, 0.0 }, r);
        }

        [Fact]
        public void F45_Pow_partials_are_zero_where_the_power_is_constant_in_that_argument()
        {
            // d/dx x^y = y x^(y-1) and d/dy x^y = x^y ln x, except where the power does not change with the argument:
            // y = 0 (x^0 = 1) and x = 0 with y >= 0 (0^y = 0, or 1 at y = 0), where the products are 0 * inf or
            // 0 * -inf. PyTorch masks both the same way. Away from them the plain partials hold.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double P(double x, double y) => Math.Pow(x, y);

    [Differentiable]
    public static double Q(double x, int n) => Math.Pow(x, n);
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        R.PGradient(0.0, 0.0, out double a0, out double a1);
        R.PGradient(0.0, 2.0, out double b0, out double b1);
        R.PGradient(2.0, 3.0, out double c0, out double c1);
        R.PGradient(3.0, 0.0, out double d0, out double d1);
        R.PDerivative(0.0, 2.0, 1.0, 1.0, out double e);
        R.QGradient(0.0, 0, out double q0);
        R.QGradient(0.0, 1, out double q1);
        R.QGradient(2.0, 3, out double q3);
        return new[] { a0, a1, b0, b1, c0, c1, d0, d1, e, q0, q1, q3 };");
            Assert.Equal(new[] { 0.0, 0.0, 0.0, 0.0, 12.0, 8 * Math.Log(2), 0.0, Math.Log(3), 0.0, 0.0, 1.0, 12.0 }, r);
        }

        [Fact]
        public void F51_the_Hessian_of_Pow_at_a_zero_active_exponent_keeps_its_mixed_term()
        {
            // Seed 42, program 2099: F45's first mask (y == 0 ? 0 : y x^(y-1)) also zeroed the base partial's derivative in
            // y, so the mixed term d2/dxdy x^y = x^(y-1) (1 + y ln x) was 0 at y = 0. At x = 2, y = 0: H_xx = y (y-1) x^(y-2)
            // = 0, H_xy = 1/2, H_yy = x^y ln^2 x = ln^2 2; the gradient is (0, ln 2).
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable(Hessian = true)]
    public static double P(double x, double y) => Math.Pow(x, y);
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        var h = new double[4];
        R.PHessian(2.0, 0.0, h);
        R.PGradient(2.0, 0.0, out double gx, out double gy);
        return new[] { h[0], h[1], h[2], h[3], gx, gy };");
            double ln2 = Math.Log(2);
            Assert.Equal(0.0, r[0]);
            Assert.Equal(0.5, r[1], 15);
            Assert.Equal(0.5, r[2], 15);
            Assert.Equal(ln2 * ln2, r[3], 15);
            Assert.Equal(new[] { 0.0, ln2 }, new[] { r[4], r[5] });
        }

        [Fact]
        public void F54_a_callee_span_read_only_for_its_Length_sends_no_gradient_through_the_call()
        {
            // Seed 44, program 14046, reduced: H reads its span only for sp.Length, an integer, so H(u) does not depend
            // on u's values (PyTorch: len() has no grad_fn). At u of length 1, H = 0 and Cbrt'(0) = inf, which must not
            // meet H's zero partials: F = x + Cbrt(H(u)), so dF/dx = 1 and dF/du = 0, in every mode.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x, double[] u) => x + Math.Cbrt(H(u));

    [Differentiable]
    public static double H(ReadOnlySpan<double> sp) => (sp.Length - 1) * 0.5;
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        double[] u = { 0.75 };
        double[] du = new double[1];
        R.FGradient(1.5, u, out double dx, du);
        double[] bu = { 0.25 };
        double bx = 0.25;
        R.FBackward(1.5, u, 2.0, ref bx, bu);
        double tx = R.FDerivative(1.5, u, 0.0, new double[] { 1.0 }, out double alongU) * 0;
        R.FDerivative(1.5, u, 1.0, new double[] { 0.0 }, out double alongX);
        return new[] { dx, du[0], bx, bu[0], alongU + tx, alongX };");
            Assert.Equal(new[] { 1.0, 0.0, 2.25, 0.25, 0.0, 1.0 }, r);
        }

        [Fact]
        public void F53_an_argument_for_a_NoGrad_parameter_does_not_make_the_call_active()
        {
            // Seed 42, program 11026, reduced: H differentiates p, never reads it, and reads its [NoGrad] span sp; an
            // active u passed as sp made the call active in forward mode, so Atan2(0, 0)'s 0/0 partials met the calls'
            // zero tangents: NaN. No derivative flows through a [NoGrad] parameter (SD1005), so both calls are constants
            // and F = Atan2(0, 0) + u1: the gradient in u is (0, 1), in every mode. SD1005 still warns at both calls.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable(nameof(u))]
    public static double F(double y, double[] u) => Math.Atan2(H(u[0], u), H(y, u)) + u[1];

    [Differentiable]
    public static double H(double p, [NoGrad] ReadOnlySpan<double> sp) => sp[0] * sp[1] - sp[1] * sp[0];
}";
            double[] r = GeneratedCode.RunDriverWithWarnings(source, @"
        double[] u = { 0.75, -1.5 };
        double[] g = new double[2];
        R.FGradient(0.5, u, g);
        double[] b = { 0.25, 0.25 };
        R.FBackward(0.5, u, 2.0, b);
        R.FDerivative(0.5, u, new double[] { 1.0, 0.0 }, out double along0);
        R.FDerivative(0.5, u, new double[] { 0.0, 1.0 }, out double along1);
        return new[] { g[0], g[1], b[0], b[1], along0, along1 };", "SD1005");
            Assert.Equal(new[] { 0.0, 1.0, 0.25, 2.25, 0.0, 1.0 }, r);
        }

        [Theory]
        [InlineData("3")]
        [InlineData("n")]
        public void F52_a_value_the_loop_overwrites_before_reading_sends_no_adjoint_back_past_the_loop(string start)
        {
            // Seed 42, program 598, reduced: s picks up Sqrt(|0 * x|) (Sqrt'(0) = inf), then a loop that runs (3 times, or
            // n >= 1 times) overwrites s before reading it, so that path does not reach the result. The reverse sweep zeroed
            // sBar in the loop and then multiplied it by the infinite partial after it: NaN. With c = cos x and
            // g(c) = c^6 + c^3 / 4, F = 2 g(c): F' = -2 g'(c) sin x, F'' = 2 g''(c) sin^2 x - 2 g'(c) cos x.
            string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable(Hessian = true)]
    public static double F(double x, int n)
    {
        int k = 0;
        double s = k;
        s += Math.Sqrt(Math.Abs(k * x));
        for (int i = START; i >= 1; i--)
        {
            double c = Math.Cos(x);
            s = c * c * c;
            s *= s + 0.25;
        }

        return s + s;
    }
}".Replace("START", start, StringComparison.Ordinal);
            double[] r = GeneratedCode.RunDriver(source, @"
        var result = new System.Collections.Generic.List<double>();
        foreach (int n in new[] { 1, 3 })
        {
            R.FGradient(1.125, n, out double g);
            double b = 0.25;
            R.FBackward(1.125, n, 2.0, ref b);
            R.FDerivative(1.125, n, 1.0, out double d);
            var h = new double[1];
            R.FHessian(1.125, n, h);
            result.AddRange(new[] { g, (b - 0.25) / 2.0, d, h[0] });
        }

        return result.ToArray();");
            double x = 1.125, c = Math.Cos(x), sin = Math.Sin(x);
            double g1 = (6 * Math.Pow(c, 5)) + (0.75 * c * c), g2 = (30 * Math.Pow(c, 4)) + (1.5 * c);
            double gradient = -2 * g1 * sin, hessian = (2 * g2 * sin * sin) - (2 * g1 * c);
            for (int k = 0; k < 2; k++)
            {
                FiniteDifferences.AssertClose(new[] { gradient, gradient, gradient, hessian }, r.Skip(4 * k).Take(4).ToArray(), 1e-12, 1e-14, "gradient, backward, derivative, Hessian");
            }
        }

        [Fact]
        public void F49_Backward_throws_a_helpers_argument_check_after_a_loop_before_it_writes_the_gradient()
        {
            // The F49 shape: t's adjoint is the seed, known before the loop, so the loop's reverse sweep used to run inside
            // the forward loop and add into dU before H's check (called after the loop) threw. A loop after which a call
            // with argument checks may run now keeps its reverse sweep apart. F = x * H(t, x) + t with H = p q and p
            // detached: dF/dx = 2 t x, dF/du_i = 2.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x, double[] u)
    {
        double t = 0;
        for (int i = 0; i < u.Length; i++)
        {
            t += 2.0 * u[i];
        }

        return x * H(Grad.Detach(t), x) + t;
    }

    [Differentiable]
    public static double H(double p, double q) => Math.Abs(p) <= 1000 ? p * q : throw new ArgumentException(""too big"", nameof(p));
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        double[] big = { 1000, 1000 };
        double[] g = { 0.25, 0.25 };
        double gx = 0.25;
        double threw = 0;
        try { R.FBackward(0.5, big, 1.0, ref gx, g); } catch (ArgumentException e) when (e.ParamName == ""p"") { threw = 1; }
        double[] dU = new double[2];
        R.FGradient(0.5, new double[] { 1, 2 }, out double dx, dU);
        return new[] { threw, gx, g[0], g[1], dx, dU[0], dU[1] };");
            Assert.Equal(new[] { 1.0, 0.25, 0.25, 0.25, 6.0, 2.0, 2.0 }, r);
        }

        [Fact]
        public void F56_a_condition_of_arithmetic_on_literals_is_folded_like_the_compiler_folds_it()
        {
            // Seed 46, program 6672, reduced: s3 = C2 - C2 is never assigned again, so the loop's test became
            // 'if (0.5f - 0.5f == 2f)' in the reverse sweep; C# folds it and calls the branch unreachable (CS0162, a
            // warning that breaks TreatWarningsAsErrors builds). The emitter writes only the taken side, as for F18.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    internal const float C2 = 0.5f;

    [Differentiable]
    public static float F(float[] u, int n)
    {
        for (int i = 0; i < 2; i++)
        {
            float s3 = C2;
            s3 -= C2;
            if (s3 == 2f)
            {
                return MathF.Pow(u[0] * u[0] + 0.5f, 0.5f);
            }
        }

        return (float)n;
    }

    [Differentiable]
    public static double G(double x) => (3.0 * 0.5 - 1.5 < 0.25 ? x * x : x) + (7 / 2 == 3 ? x : 0.0);
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        var du = new float[1];
        float v = R.FGradient(new float[] { 2f }, 3, du);
        double g = R.GGradient(1.5, out double dx);
        return new double[] { v, du[0], g, dx };");
            Assert.Equal(new[] { 3.0, 0.0, 1.5 * 1.5 + 1.5, (2 * 1.5) + 1.0 }, r);
        }

        [Fact]
        public void F59_a_chunk_loops_counter_is_not_named_like_a_local_buffer()
        {
            // Seed 47, program in 13040..13119, as CsCheck shrank it: Vectorize = true splits the loop over h into chunks,
            // and the chunk's counter, a version of 'h', was named 'h2' although the local buffer 'h2' is declared in an
            // enclosing scope (CS0136): the vectorizer's list of taken names left out buffers, which no statement defines.
            const string source = @"
using System;
using SymDiff;

public static partial class P0
{
    [Differentiable(Vectorize = true)]
    public static double F(double x, [NoGrad] double y, double z)
    {
        if (x > 1.25 || (Grad.Detach(z) >= 1.0 && (z / (z * z + 0.5) < 1.5 && y > 3.0)))
        {
            for (int i = 1; i < 2; i++)
            {
                Span<double> h0 = stackalloc double[3];
                for (int j1 = 0; j1 < 3; j1++)
                {
                    h0[j1] = -Math.Log(Math.Abs(x) + 0.25);
                    h0[j1] += (double)i;
                }
                Span<double> h2 = stackalloc double[2];
                for (int j3 = 0; j3 < 2; j3++)
                {
                    h2[j3] = -Math.Sin(0.5 * (double)i);
                }
                for (int j3s = 0; j3s < 3; j3s++)
                {
                    for (int j3 = 1; j3 < 2 - 1; j3++)
                    {
                        h2[j3] = 0.5 * h2[j3] + y * Math.Tanh(h2[j3 - 1] - h2[j3 + 1] + x);
                    }
                }
            }
            int c4 = 0;
            while (c4 < 3)
            {
                c4++;
                for (int j = 0; j < c4; j++)
                {
                    for (int h = 0; h < 5; h++)
                    {
                        double s5 = Math.Truncate(x - x);
                        if ((y * s5 != y ? x : y) > -y)
                        {
                            int c6 = 0;
                            while (true)
                            {
                                if (c6 >= 2)
                                {
                                    break;
                                }

                                c6++;
                            }
                        }
                    }
                }
            }
        }
        return x;
    }
}
";
            double[] r = GeneratedCode.RunDriver(source, @"
        double v = P0.FGradient(0.5, 4.0, 0.25, out double dx, out double dz);
        return new[] { v, dx, dz };");
            Assert.Equal(new[] { 0.5, 1.0, 0.0 }, r);
        }

        [Fact]
        public void F46_a_copy_propagated_into_the_users_own_statement_in_forward_mode_keeps_its_operations()
        {
            // Fuzzer program 4041 of seed 39, reduced: in a loop body forward mode simplifies the user's statements beside
            // the tangents; the copy t = s propagated into s = t + (t + ...) and like terms were collected into
            // 2 * s + ..., which rounds differently. Forward mode promises the method's own bits (API.md, value contract).
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x, double y)
    {
        double s = y;
        for (int i = 0; i < 6; i++)
        {
            double t = s;
            s = t + (t + x / (t * t + 0.5));
        }

        return s;
    }

    [Differentiable(nameof(y))]
    public static void G(double x, double y, Span<double> o)
    {
        double s1 = y, s4 = x;
        int c = 0;
        while (c < 6)
        {
            double t6 = s4;
            s4 = s1;
            s1 = t6 * s4 + s1;
            s4 += s4 + x + x / (s4 * s4 + 0.5);
            c++;
        }

        o[0] = s1;
        o[1] = s4;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        var rng = new Random(46);
        int mismatches = 0, compared = 0;
        for (int k = 0; k < 400; k++)
        {
            double x = rng.NextDouble() * 2 - 1, y = rng.NextDouble() * 2 - 1;
            double f = R.F(x, y);
            double v = R.FDerivative(x, y, 1.0, 0.5, out double _);
            var o = new double[2];
            var od = new double[2];
            var d = new double[2];
            var j = new double[2];
            R.G(x, y, o);
            R.GDerivative(x, y, od, 1.0, d);
            R.GJacobian(x, y, j, new double[2]);
            if (!double.IsFinite(f) || !double.IsFinite(o[0]) || !double.IsFinite(o[1])) continue;
            compared++;
            if (BitConverter.DoubleToInt64Bits(f) != BitConverter.DoubleToInt64Bits(v)) mismatches++;
            for (int e = 0; e < 2; e++)
            {
                if (BitConverter.DoubleToInt64Bits(o[e]) != BitConverter.DoubleToInt64Bits(od[e])) mismatches++;
                if (BitConverter.DoubleToInt64Bits(o[e]) != BitConverter.DoubleToInt64Bits(j[e])) mismatches++;
            }
        }
        return new double[] { mismatches, compared };");
            Assert.Equal(0, r[0]);
            Assert.True(r[1] > 100, "too few finite samples: " + r[1]);
        }

        [Fact]
        public void F33_an_argument_check_in_a_callee_whose_value_feeds_only_a_dead_loop_carried_value_still_runs()
        {
            // Fuzzer program 54799 of seed 10 as CsCheck shrank it: the call's value only updates s2, which nothing reads
            // after the loop, so the scheduler dropped s2's carried value together with the call inside its next value.
            const string source = @"
using System;
using SymDiff;

public static partial class P0
{
    internal const float C0 = 1.625f;
    internal const float C1 = 0.930026f;
    internal static readonly float[] D0 = { -0.25f, 1.272326f, 0.709101f, -1.917686f, 1.375f };
    internal static readonly int[] T1 = { 0, 1, 0, 2, 0 };

    [Differentiable]
    public static float F(float x, [NoGrad] ReadOnlySpan<float> u, [NoGrad] float[] v, int n)
    {
        int c0 = 0;
        while (c0 < u.Length)
        {
            foreach (var e1 in u)
            {
                float s2 = 1.5f * D0[n + 1] * x;
                int c3 = 0;
                while (c3 < v.Length)
                {
                    s2 *= MathF.FusedMultiplyAdd(u[(int)Math.Abs(P0.C0) % 5] + (float)n, H0(s2, u[c3], u), v[c0] * x);
                    s2 = s2 * (v[n + 1] * P0.C0) + -P0.C0;
                    s2 += float.Floor(-0.5f) / 3f;
                    c3++;
                }
            }
            c0++;
        }
        return -u[T1[n]];
    }

    [Differentiable]
    public static float H0([NoGrad] float p0, float p1, [NoGrad] ReadOnlySpan<float> sp)
    {
        return !(MathF.Abs(p0) > 1000f) ? p0 : throw new ArgumentOutOfRangeException(nameof(p0), ""p0 must be small"");
    }
}";
            double[] r = GeneratedCode.RunDriverWithWarnings(source, @"
        var thrown = new double[4];
        var u = new float[] { 1, 2, 3, 4, 5 };
        var v = new float[] { 2000, 2, 3, 4, 5 };
        try { P0.F(1f, u, v, 0); } catch (ArgumentOutOfRangeException e) when (e.ParamName == ""p0"") { thrown[0] = 1; }
        try { P0.FGradient(1f, u, v, 0, out float d); } catch (ArgumentOutOfRangeException e) when (e.ParamName == ""p0"") { thrown[1] = 1; }
        try { float g = 0; P0.FBackward(1f, u, v, 0, 1f, ref g); } catch (ArgumentOutOfRangeException e) when (e.ParamName == ""p0"") { thrown[2] = 1; }
        try { P0.FDerivative(1f, u, v, 0, 1f, out float d); } catch (ArgumentOutOfRangeException e) when (e.ParamName == ""p0"") { thrown[3] = 1; }
        float value = P0.FGradient(1f, u, new float[] { 0.1f, 0.1f, 0.1f, 0.1f, 0.1f }, 0, out float dx);
        return new double[] { thrown[0], thrown[1], thrown[2], thrown[3], value, dx };", "SD1005");
            // v[0] = 2000 makes s2 large at once, so H0's check throws; with small v it does not, and F = -u[T1[0]] = -1
            // does not depend on x. SD1005: s2 depends on x and goes to H0's [NoGrad] p0.
            Assert.Equal(new[] { 1.0, 1.0, 1.0, 1.0, -1.0, 0.0 }, r);
        }

        [Fact]
        public void F34_a_row_of_GJacobian_does_not_run_a_span_callees_backward_for_an_output_it_does_not_differentiate()
        {
            // Fuzzer program 5927 of seed 11, shrunk: H's gradient at p = u[0] is NaN (Sqrt'(0) times Abs'(0)), which is
            // fine for o[1]'s row, but the rows of o[0] and o[2] called HBackward with a zero seed and got 0 * NaN.
            const string source = @"
using System;
using SymDiff;
public static partial class P
{
    [Differentiable]
    public static void G(Span<double> o, ReadOnlySpan<double> u, double x, double y)
    {
        o[0] = y * 2.0;
        o[1] = u[0] * x / (Math.Abs(H(u[0], u)) + 1.0);
        o[2] = u[1] * x;
    }

    [Differentiable]
    public static double H(double p, ReadOnlySpan<double> sp) => Math.Sqrt(Math.Abs(p - p));
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        var o = new double[3];
        var jac = new double[12];
        P.GJacobian(o, new double[] { 1.5, 0.5 }, 0.625, -0.25, jac);
        return new[] { jac[0], jac[1], jac[2], jac[3], jac[8], jac[9], jac[10], jac[11] };");
            // More inputs (4) than outputs (3): rows by reverse mode. Rows 0 and 2 (columns u[0], u[1], x, y):
            // d(2y) = (0, 0, 0, 2), d(u[1] x) = (0, x, u[1], 0).
            Assert.Equal(new[] { 0.0, 0.0, 0.0, 2.0, 0.0, 0.625, 0.5, 0.0 }, r);
        }

        [Fact]
        public void F35_double_Clamp_keeps_its_own_value_at_signed_zeros()
        {
            // double.Clamp(-0.0, 0.0, 1.0) is +0 (INumber's max/min), Math.Clamp's is -0 (comparisons); the generated
            // methods printed both as Math.Clamp, so the value was not the user's bit for bit (found while checking the
            // fuzzer oracle's Clamp after seed 11 program 46734).
            const string source = @"
using System;
using SymDiff;
public static partial class C
{
    [Differentiable]
    public static double Number(double x, int n) => double.Clamp(x * n, 0.0, 1.0);

    [Differentiable]
    public static double Classic(double x, int n) => Math.Clamp(x * n, 0.0, 1.0);
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        double a = C.NumberGradient(-1.0, 0, out double da);
        double b = C.ClassicGradient(-1.0, 0, out double db);
        double c = C.NumberGradient(0.5, 1, out double dc);
        return new[] { 1 / C.Number(-1.0, 0), 1 / a, 1 / C.Classic(-1.0, 0), 1 / b, dc };");
            Assert.Equal(new[] { double.PositiveInfinity, double.PositiveInfinity, double.NegativeInfinity, double.NegativeInfinity, 1.0 }, r);
        }

        [Fact]
        public void F36_a_carried_adjoint_that_an_early_returns_selection_leaves_zero_does_not_meet_an_overflowed_recurrence()
        {
            // Fuzzer CI program 408 (seed 20261202, after the grammar of 2026-12-02 evening), as CsCheck shrank it: the
            // return inside the nested loops is taken, but its ?: selects x, so s0's adjoint is zero by the path taken;
            // the loops' rotation s3 = t5 * s0 + s3 overflowed, and the reverse sweep multiplied that zero by inf: NaN
            // for dx (want -1) and du[3] (want 0).
            const string source = @"
using System;
using SymDiff;

public static partial class P0
{
    internal static double Prop0 => -1.625;
    internal const double C1 = -1.98991;
    internal static readonly double[] D0 = { 1.698212, -2.0, -1.125, -1.512288, -1.75 };

    [Differentiable(Hessian = true)]
    public static double F(double x, double[] u, int n, [NoGrad] double y, [NoGrad] double z)
    {
        var s0 = Math.Cos(0.5 * u[n]) / (u.Length + 1);
        int c1 = 0;
        while (c1 < P0.D0.Length)
        {
            double s2 = x / (0.5 / -4.0 * (0.5 / -4.0) + 0.5);
            s0 -= Math.Sin(P0.D0[n] * x);
            s2 = s2 * (s2 * s0) + (s2 + u[1]);
            c1++;
        }
        s0 = s0 / (y * y + 0.5);
        for (int i = 1; i < u.Length; i++)
        {
            double s3 = Math.Atan(0.5 * (double)P0.D0.Length) >= 1.25 ? Math.Pow(z * z + 0.5, -1.0) : Math.Log(s0 * s0 + 0.5);
            for (int j = 0; j < u.Length; j++)
            {
                foreach (double e4 in u)
                {
                    double t5 = s0;
                    s0 = s3;
                    s3 = t5 * s0 + s3;
                    if (j > 3)
                    {
                        return -(z * u[(int)Math.Abs(y) % 2] > 1.25 ? s0 : x);
                    }
                    double s6 = (y + s0) / -4.0;
                }
            }
        }
        return 3.0 * (0.25 + y) % -1.25;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        double[] u = { 2.0, -1.5, -1.83879, -1.25, -1.395415 };
        var du = new double[5];
        double v = P0.FGradient(0.5, u, 3, -1.5, 0.75, out double dx, du);
        return new[] { v, dx, du[0], du[1], du[2], du[3], du[4] };");
            // F returns -(cond ? s0 : x) with cond false: -x, so dF/dx = -1 and dF/du = 0.
            Assert.Equal(new[] { -0.5, -1.0, 0.0, 0.0, 0.0, 0.0, 0.0 }, r);
        }

        [Fact]
        public void F36_an_adjoint_derived_from_a_gated_carried_adjoint_is_gated_too()
        {
            // Fuzzer CI program 1360 (seed 20261202), as CsCheck shrank it: in the loop's own reverse sweep the carried
            // adjoint of s1 is zero on the path taken; the product gated by it (tBar3) was then multiplied by an
            // overflowed x * s1: NaN for dy (want 0).
            const string source = @"
using System;
using SymDiff;

public partial class P0
{
    internal static readonly int[] T0 = { 3, 1, 0, 2, 3 };

    [Differentiable(Hessian = true)]
    public double F([NoGrad] ReadOnlySpan<double> u, [NoGrad] double x, double y, double z, P0 peer)
    {
        int c0 = 0;
        while (c0 < 3)
        {
            double s1 = Math.Log(Math.Sqrt(Math.Asin(0.9 * Math.Tanh(z)) * Math.Asin(0.9 * Math.Tanh(z)) + 1.0));
            for (int j = T0.Length - 1; j >= 1; j--)
            {
                Span<double> h2 = stackalloc double[1];
                for (int j3 = 0; j3 < 1; j3++)
                {
                    h2[j3] = Math.Sin(0.5 * (2.0 * z));
                    h2[j3] += y * 1.25 > 1.25 ? y : s1;
                }
            }
            int c4 = 0;
            do
            {
                c4++;
                for (int h = 0; h < c4 + 1; h++)
                {
                    if (Math.Atan2((double)c0, s1 * s1 + 0.5) > s1 * z)
                    {
                        return z / (Math.Abs(s1) + 1.0) - double.Tan(0.7 * double.Tanh(x));
                    }
                    if (z * s1 < 0.5 || Math.Tanh(z) > x)
                    {
                        s1 += Math.Cos(0.5 * (double)u.Length) * x;
                        s1 *= x * s1 * y;
                        s1 -= (x * s1 > double.Cos(0.5 * s1) ? y : z) >= x ? x * x : z % (y * y + 0.5);
                    }
                    else
                    {
                        if (c4 > 2)
                        {
                            break;
                        }
                    }
                }
                int c5 = 0;
                while (c5 < 2)
                {
                    c5++;
                }
            } while (c4 < T0.Length);
            c0++;
        }
        return Math.Sqrt(1.25 / (Math.Abs(2.0) + 1.0) * (1.25 / (Math.Abs(2.0) + 1.0)) + 0.25);
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        var self = new P0();
        double v = self.FGradient(new double[0], 0.75, 1.375, 1.375, new P0(), out double dy, out double dz);
        var h = new double[4];
        self.FHessian(new double[0], 0.75, 1.375, 1.375, new P0(), h);
        return new[] { v, self.F(new double[0], 0.75, 1.375, 1.375, new P0()), dy, h[0], h[1], h[2] };");
            // The returned value does not depend on y on the path taken (dy = 0, and the Hessian's y row is 0).
            Assert.Equal(r[1], r[0]);
            Assert.Equal(new[] { 0.0, 0.0, 0.0 }, new[] { r[2], r[3], r[4] });
            Assert.True(double.IsFinite(r[5]));
        }
        [Fact]
        public void F37_a_Hessian_through_a_loops_gated_reverse_sweep_keeps_the_tangent_of_an_adjoint_that_is_zero_by_value()
        {
            // f = x (s^3 - s) returned from inside a loop, s = 6 / ((x + y)^2 + 0.5). At x = 0 the reverse sweep's product
            // gate (tBar = resultBar * x is zero by value) killed the term tBarDot * p of forward over reverse: the
            // Hessian's x row was half of the true one (fuzzer seed 16, program 4774). Closed form: at x = 0,
            // d2f/dx2 = 2 g'(x) and d2f/dxdy = g_y with g = s^3 - s.
            const string source = @"
using System;
using SymDiff;
public static partial class P
{
    [Differentiable(Hessian = true)]
    public static double F(double x, double y)
    {
        double s = 6.0 / ((x + y) * (x + y) + 0.5);
        for (int i = 1; i < 4; i++)
        {
            if (s < 100)
            {
                s = s * s * s - s;
                return x * s;
            }
        }

        return 0.25;
    }
}";
            double[] h = GeneratedCode.RunDriver(source, @"
        var h = new double[4];
        P.FHessian(0.0, 0.2, h);
        return h;");
            double y = 0.2, q = (y * y) + 0.5, s = 6.0 / q;
            double ds = -6.0 * 2.0 * y / (q * q); // ds/dx = ds/dy at x = 0
            double dg = ((3.0 * s * s) - 1.0) * ds;
            FiniteDifferences.AssertClose(new[] { 2.0 * dg, dg, dg, 0.0 }, h, relTol: 1e-12, absTol: 1e-12, "Hessian at x = 0");
        }
        [Fact]
        public void F37_a_Hessian_through_a_buffer_whose_adjoint_is_zero_by_value_keeps_its_tangent()
        {
            // hBar[j] = w4 (or 2 w5 h1) is zero at w4 = w5 = 0, and the inner reverse loop ran only while it was non-zero:
            // its tangent (from the direction along w4, w5) was dropped. Checked against central differences of the gradient.
            const string source = @"
using System;
using SymDiff;
public static partial class P
{
    [Differentiable(Hessian = true)]
    public static double B(ReadOnlySpan<double> w)
    {
        Span<double> h = stackalloc double[2];
        for (int j = 0; j < 2; j++)
        {
            double a = 0;
            for (int k = 0; k < 2; k++)
            {
                a += w[k] * w[j + 2];
            }

            h[j] = Math.Tanh(a);
        }

        return w[4] * h[0] + w[5] * h[1] * h[1];
    }
}";
            LocalBuffers.ModelChecks.HessianMatchesDifferencesOfTheGradient(source, "P", "B", "{ 0.3, -0.2, 0.5, 0.1, 0.0, 0.0 }", string.Empty, "Hessian with zero buffer adjoints");
        }
        [Fact]
        public void F38_sibling_reverse_loops_that_both_count_with_k_pass_the_final_check_of_names()
        {
            // Seed 18, program 4568: the naming pass gave two sibling reverse loops the counter k (declared in each for,
            // legal C#), but the IR verifier kept a for's counter visible after its loop and reported SD9001 ('k' is
            // defined twice) instead of emitting the methods.
            const string source = @"using System;
using SymDiff;

public static partial class P4568
{
    [Differentiable]
    public static double F(double[] u, double x, int n)
    {
        double s2 = Math.Sinh(0.5 * Grad.Detach(u[n + 1]));
        int c3 = 0;
        while (true)
        {
            if (c3 >= 2)
            {
                break;
            }

            c3++;
            int c4 = 0;
            while (true)
            {
                if (c4 >= n)
                {
                    break;
                }

                c4++;
                for (int h = 0; h < u.Length; h++)
                {
                    s2 -= Math.Max(u[c3 + 2] * x, -(double)n);
                    const double cst5 = 1.0 / 0.5;
                }
            }
            s2 += double.Tanh(0.5 * double.Acos(x / (double.Abs(x) + 1.0)));
            for (int j = c3 + 1 - 1; j >= 2; j -= 2)
            {
                s2 -= x * (x - s2);
                const double cst6 = 0.1 - 3.0;
                if (Math.Cos(s2) != 3.0)
                {
                    s2 *= s2 + 0.75;
                    if (cst6 - u[c3] != 3.0)
                    {
                        return u[n + 2] - x * s2;
                    }
                }
                s2 *= H0(s2, x, u) * (u[j - 1] * u[n + 2]);
            }
        }
        return x * x + (x - u[n]);
    }

    [Differentiable]
    public static double H0(double p0, [NoGrad] double p1, ReadOnlySpan<double> sp)
    {
        int c0 = 0;
        while (true)
        {
            if (c0 >= 3)
            {
                break;
            }

            c0++;
            double s1 = Math.Atan(p0 - p1);
            s1 *= s1 - sp[1] + Grad.Detach(p0);
        }
        return Math.Pow(p1 * p1 + 0.5, 0.5) >= p0 + p1 ? Grad.Detach(p1) : p1 * p0;
    }
}
";
            GeneratorOutput output = GeneratorRunner.Run(source);
            // The program's own warnings (SD1005, SD1006, CS0219) stay; no error, and the generated code compiles.
            Assert.DoesNotContain(output.GeneratorDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
            Assert.DoesNotContain(output.CompilationDiagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
            Assert.Contains(output.GeneratedSources, g => g.Text.Contains("FGradient(", System.StringComparison.Ordinal) && g.Text.Contains("for (int k = ", System.StringComparison.Ordinal));
        }

        [Fact]
        public void F57_an_early_return_taken_inside_a_loop_sends_no_gradient_through_the_values_it_skips()
        {
            // Seed 47, program 1262, reduced. At x = 0, a = Cbrt(x) = 0 with Cbrt'(0) = inf, and the early return is taken
            // in the first iteration: F = y * y, so the gradient is (0, 2y) and the Hessian [[0, 0], [0, 2]]. The loop's
            // reverse sweep leaves the adjoints of a and s at zero, and after the loop the gradient multiplied that zero
            // by Cbrt'(0): NaN in FGradient (the sweep's gate was the early return's path condition, which always holds
            // after the loop) and in FHessian (0 * inf in forward over reverse). G is the same without the loop.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable(Hessian = true)]
    public static double F(double x, double y)
    {
        double a = Math.Cbrt(x);
        double s = 0.75 * a * (y + a);
        for (int i = 0; i < 3; i++)
        {
            if (s * a != y)
            {
                return y * y;
            }
            s = 2.0 * a * s;
        }
        return s;
    }

    [Differentiable(Hessian = true)]
    public static double G(double x, double y)
    {
        double a = Math.Cbrt(x);
        double s = 0.75 * a * (y + a);
        if (s * a != y)
        {
            return y * y;
        }
        return s * a;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        var result = new System.Collections.Generic.List<double>();
        R.FGradient(0.0, 1.5, out double fx, out double fy);
        double bx = 0.25, by = 0.25;
        R.FBackward(0.0, 1.5, 2.0, ref bx, ref by);
        var h = new double[4];
        R.FHessian(0.0, 1.5, h);
        result.AddRange(new[] { fx, fy, bx, by });
        result.AddRange(h);
        R.GGradient(0.0, 1.5, out double gx, out double gy);
        R.GHessian(0.0, 1.5, h);
        result.AddRange(new[] { gx, gy });
        result.AddRange(h);
        return result.ToArray();");
            Assert.Equal(new[] { 0.0, 3.0, 0.25, 6.25, 0.0, 0.0, 0.0, 2.0, 0.0, 3.0, 0.0, 0.0, 0.0, 2.0 }, r);
        }

        [Fact]
        public void F57_where_the_loop_runs_through_the_gradient_and_Hessian_still_flow()
        {
            // The same F at x = 0.125 (a = 0.5, so 2a = 1 and s keeps its start), y = 10: no early return, and
            // F = (2a)^3 s0 = 8x * 0.75 a (y + a). The gates added for F57 must not cut a live path: checked against
            // central differences of F and of FGradient.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable(Hessian = true)]
    public static double F(double x, double y)
    {
        double a = Math.Cbrt(x);
        double s = 0.75 * a * (y + a);
        for (int i = 0; i < 3; i++)
        {
            if (s * a > y)
            {
                return y * y;
            }
            s = 2.0 * a * s;
        }
        return s;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        double h = 1e-5;
        R.FGradient(0.125, 10.0, out double gx, out double gy);
        double fdx = (R.F(0.125 + h, 10.0) - R.F(0.125 - h, 10.0)) / (2 * h);
        double fdy = (R.F(0.125, 10.0 + h) - R.F(0.125, 10.0 - h)) / (2 * h);
        var hess = new double[4];
        R.FHessian(0.125, 10.0, hess);
        R.FGradient(0.125 + h, 10.0, out double gxp, out double gyp);
        R.FGradient(0.125 - h, 10.0, out double gxm, out double gym);
        return new[] { gx, fdx, gy, fdy, hess[0], (gxp - gxm) / (2 * h), hess[2], (gyp - gym) / (2 * h) };");
            Assert.Equal(42.5, r[0], 9);
            Assert.Equal(r[1], r[0], 5);
            Assert.Equal(0.375, r[2], 12);
            Assert.Equal(r[3], r[2], 6);
            Assert.Equal(r[5], r[4], 4);
            Assert.Equal(r[7], r[6], 5);
            Assert.NotEqual(0.0, r[4]);
        }

        [Fact]
        public void F61_a_loop_carried_tangent_that_starts_detached_meets_an_infinite_partial_only_after_it_is_live()
        {
            // Seed 48, program 17475, reduced. s starts as Grad.Detach(x) = 0: no tangent in the first iteration, where
            // Cbrt'(0) = inf; then s -= x - 1 makes it live. F = Cbrt(Cbrt(s0) - x + 1) - x + 1 for n = 2, so at x = 0
            // F' = Cbrt'(1) * (-1) - 1 = -4/3 (PyTorch: no grad_fn before the first -=). FDerivative multiplied the
            // carried tangent's starting 0 by Cbrt'(0): NaN.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x, [NoGrad] int n)
    {
        double s = Grad.Detach(x);
        for (int i = 0; i < n; i++)
        {
            s = Math.Cbrt(s);
            s -= x - 1;
        }
        return s;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        R.FDerivative(0.0, 2, 1.0, out double d);
        R.FGradient(0.0, 2, out double g);
        R.FDerivative(0.0, 1, 1.0, out double d1);
        return new[] { d, g, d1 };");
            Assert.Equal(-4.0 / 3.0, r[0], 14);
            Assert.Equal(-4.0 / 3.0, r[1], 14);
            Assert.Equal(-1.0, r[2]);
        }

        [Fact]
        public void F62_a_Hessian_through_a_selected_cube_passes_the_IR_check_after_every_pass()
        {
            // Seed 49, program 5380 or near, reduced: the verifier that tests run after every pass reported SD9001 ("'tBar'
            // is read in the value of 's0Bar2' before it is defined", after the loop-fusion group) in
            // HHessianVectorProduct; a normal build, which checks only the final IR, generated it.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable(Hessian = true)]
    public static double H(double p0)
    {
        double s0 = p0 * (p0 * 0.5);
        s0 += s0 < s0 * s0 ? Fns.Cube(p0) : Math.Atan2(p0, s0 * s0 + 0.5);
        double s1 = s0 * (p0 + -0.5);
        return (s1 * s0 == 0.1 ? 0.25 : s1 - s0) + s0;
    }
}

public static class Fns
{
    public static double Cube(double t) => t * t * t;
}

public static partial class Rules
{
    [Differentiable]
    [DerivativeOf(typeof(Fns), nameof(Fns.Cube))]
    public static double CubeDerivative(double t) => 3.0 * t * t;
}";
            GeneratorOutput output = GeneratorRunner.Run(source);
            Assert.Empty(output.GeneratorDiagnostics);

            // And the Hessian agrees with central differences of the gradient on both sides of the selection.
            double[] r = GeneratedCode.RunDriver(source, @"
        var result = new System.Collections.Generic.List<double>();
        foreach (double p in new[] { 0.7, 2.5 })
        {
            var h = new double[1];
            R.HHessian(p, h);
            double e = 1e-5;
            R.HGradient(p + e, out double gp);
            R.HGradient(p - e, out double gm);
            result.Add(h[0]);
            result.Add((gp - gm) / (2 * e));
        }
        return result.ToArray();");
            Assert.Equal(r[1], r[0], 5);
            Assert.Equal(r[3], r[2], 4);
        }

        [Fact]
        public void F64_a_fused_accumulators_adjoint_is_not_computed_before_a_buffer_it_reads_is_filled()
        {
            // Seed 50, programs 3883 and 4188, reduced. s is summed in a loop whose reverse sweep fuses into it, so the
            // adjoint of its result, |h[0]| + 1, was computed before the loop, and so before the later loop that fills h:
            // it read h[0] = 0. F = (|tan z| + 1) s with s = cos y + 6, so dF/dy = -(|tan z| + 1) sin y: the gradient was
            // -sin y, silently wrong.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double y, [NoGrad] double z)
    {
        double s = Math.Cos(y);
        for (int c = 0; c < 4; c++)
        {
            s += c;
        }

        Span<double> h = stackalloc double[3];
        for (int j = 0; j < 3; j++)
        {
            h[j] = Math.Tan(z);
        }

        return Math.Abs(h[0]) * s + s;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        R.FGradient(1.25, 0.375, out double g);
        double b = 0.5;
        R.FBackward(1.25, 0.375, 2.0, ref b);
        R.FDerivative(1.25, 0.375, 1.0, out double d);
        return new[] { g, b, d };");
            double want = -(Math.Abs(Math.Tan(0.375)) + 1) * Math.Sin(1.25);
            Assert.Equal(want, r[0], 14);
            Assert.Equal(0.5 + 2 * want, r[1], 14);
            Assert.Equal(want, r[2], 14);
        }

        [Fact]
        public void F66_a_constant_argument_for_a_parameter_the_callee_differentiates_sends_no_NaN_through_forward_mode()
        {
            // Seed 51, program 9923, reduced to scalars. H differentiates b, but F passes the constant c - c = 0 (c is
            // [NoGrad]): FDerivative called HDerivative with tB = 0, and inside H, Cbrt'(0) * 0 = NaN. F = (x^2 + 0) x, so
            // F' = 3x^2 in every mode; forward mode now takes H's partials from HGradient and multiplies only x's.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double H(double a, double b) => a * a + Math.Cbrt(b);

    [Differentiable]
    public static double F(double x, [NoGrad] double c) => H(x, c - c) * x;

    [Differentiable]
    public static void G(double x, [NoGrad] double c, Span<double> y)
    {
        y[0] = H(x, c - c);
        y[1] = H(c, x);
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        R.FDerivative(0.5, 1.0, 1.0, out double d);
        R.FGradient(0.5, 1.0, out double g);
        var y = new double[2];
        var jac = new double[2];
        R.GJacobian(0.5, 1.0, y, jac);
        return new[] { d, g, jac[0], jac[1] };");
            Assert.Equal(0.75, r[0], 15);
            Assert.Equal(0.75, r[1], 15);
            Assert.Equal(1.0, r[2], 15);                                  // d/dx (x^2 + Cbrt(0))
            Assert.Equal(1.0 / (3.0 * Math.Cbrt(0.25)), r[3], 14);      // d/dx (c^2 + Cbrt(x)) at x = 0.5
        }

        [Fact]
        public void F66_a_constant_beside_span_arguments_sends_no_NaN_through_forward_mode()
        {
            // Seed 51, program 9923 passes u as a span beside the constant: forward mode now takes H's partials from
            // HBackward (span gradients into scratch, then a dot product with the tangent span). H(a, 0, s) = a |s|^2, so
            // G = x |u|^2 + x |w[1..]|^2 and F = x^2 |w|^2, whose derivatives are written out below.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double H(double a, double b, ReadOnlySpan<double> s)
    {
        double acc = 0;
        for (int i = 0; i < s.Length; i++) acc += s[i] * s[i] * a;
        return acc + Math.Cbrt(b);
    }

    [Differentiable]
    public static double G(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> u, double x, [NoGrad] double c)
    {
        double h = H(x, c - c, u);
        double k = H(x, c - c, w.Slice(1));
        return h + k;
    }

    [Differentiable]
    public static float Hf(float a, float b, ReadOnlySpan<float> s)
    {
        float acc = 0;
        for (int i = 0; i < s.Length; i++) acc += s[i] * s[i] * a;
        return acc + MathF.Cbrt(b);
    }

    [Differentiable]
    public static float F(ReadOnlySpan<float> w, float x, [NoGrad] float c) => Hf(x, c - c, w) * x;
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        double[] w = { 0.5, -1.5, 2.0 };
        double[] tw = { 0.3, 0.7, -0.2 };
        double[] u = { 1.0, 3.0 };
        R.GDerivative(w, u, 0.8, 1.0, tw, 0.25, out double g);
        R.FDerivative(new float[] { 0.5f, -1.5f, 2.0f }, 0.8f, 1.0f, new float[] { 0.3f, 0.7f, -0.2f }, 0.25f, out float f);
        return new[] { g, (double)f };");
            double want = (10.0 + 6.25) * 0.25 + 0.8 * 2 * ((-1.5 * 0.7) + (2.0 * -0.2));
            Assert.Equal(want, r[0], 13);
            double wantF = (2 * 0.8 * 6.5 * 0.25) + (0.64 * 2 * ((0.5 * 0.3) + (-1.5 * 0.7) + (2.0 * -0.2)));
            Assert.Equal(wantF, r[1], 5);
        }

        [Fact]
        public void F66_a_data_span_at_a_singular_point_of_the_callee_sends_no_NaN_through_forward_mode()
        {
            // The rest of F66: u is data, Norm differentiates s, and at u = 0 Norm's own Derivative meets Sqrt'(0) = inf
            // times u's zero tangent. Norm may have an infinite partial (it calls Math.Sqrt), so forward mode takes its
            // partials from NormBackward. F = x^2 |u| + x^3: F' = 2 x |u| + 3 x^2 (0.75 at u = 0, 5.75 at u = (3, 4)).
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double Norm(double a, ReadOnlySpan<double> s)
    {
        double q = 0;
        for (int i = 0; i < s.Length; i++) q += s[i] * s[i];
        return a * Math.Sqrt(q) + a * a;
    }

    [Differentiable]
    public static double F(double x, [NoGrad] ReadOnlySpan<double> u) => Norm(x, u) * x;
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        R.FDerivative(0.5, new double[] { 0.0, 0.0 }, 1.0, out double atZero);
        R.FDerivative(0.5, new double[] { 3.0, 4.0 }, 1.0, out double away);
        R.FGradient(0.5, new double[] { 0.0, 0.0 }, out double g);
        return new[] { atZero, away, g };");
            Assert.Equal(0.75, r[0], 15);
            Assert.Equal(5.75, r[1], 14);
            Assert.Equal(0.75, r[2], 15);
        }

        [Fact]
        public void F68_a_local_buffer_element_with_no_tangent_sends_no_NaN_through_a_singular_partial()
        {
            // Seed 54, program 15147, reduced. F stores c > 0.07 ? x : c into h[0], then takes Atan2(h[0], c): at c = 0
            // the element is 0 with no tangent (the arm taken is data), and Atan2's partial there is 0 / 0. FDerivative
            // multiplied the two (NaN); FGradient gave 0. dF/dx = 0 at c = 0, and 1.5 / (1.5^2 x^2 + 1) * ... elsewhere.
            // K reads the buffer before the statement that stores a structural zero into it (a second pass must know).
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x, [NoGrad] double c)
    {
        Span<double> h = stackalloc double[1];
        for (int j = 0; j < 1; j++)
        {
            h[j] = (c > 0.07 ? x : c) / 1.5;
        }

        for (int j = 0; j < 1; j++)
        {
            h[j] = Math.Atan2(h[j], c);
        }

        return h[0];
    }

    [Differentiable]
    public static double K(double x, [NoGrad] double c)
    {
        Span<double> h = stackalloc double[3];
        h[0] = x * x + 1.0;
        double s = 0;
        for (int i = 1; i < 3; i++)
        {
            s += Math.Sqrt(h[i - 1]);
            h[i] = c > 0 ? x : 0.0;
        }

        return s;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        R.FDerivative(0.5, 0.0, 1.0, out double f0);
        R.FGradient(0.5, 0.0, out double g0);
        R.FDerivative(0.5, 1.0, 1.0, out double f1);
        R.KDerivative(0.5, -1.0, 1.0, out double k0);
        R.KGradient(0.5, -1.0, out double kg0);
        R.KDerivative(0.5, 1.0, 1.0, out double k1);
        return new[] { f0, g0, f1, k0, kg0, k1 };");
            Assert.Equal(0.0, r[0]);
            Assert.Equal(0.0, r[1]);
            double u = 0.5 / 1.5;                                          // F = Atan2(x / 1.5, 1) at c = 1
            Assert.Equal(1.0 / 1.5 / (1.0 + u * u), r[2], 14);
            Assert.Equal(0.5 / Math.Sqrt(1.25), r[3], 14);                  // K = Sqrt(x^2 + 1) + Sqrt(0) at c < 0
            Assert.Equal(0.5 / Math.Sqrt(1.25), r[4], 14);
            Assert.Equal(0.5 / Math.Sqrt(1.25) + 0.5 / Math.Sqrt(0.5), r[5], 14); // + Sqrt(x) at c > 0
        }

        [Fact]
        public void F86_a_tangent_a_loop_or_branch_left_a_structural_zero_meets_an_infinite_partial_as_zero()
        {
            // Seed 81, program 2732, reduced. s0 comes from [NoGrad] data and only the loop makes it depend on u: where the
            // loop runs no iteration (u.Length == 1) or the branch around it is not taken (v[0] == -0.5), s0 is a constant
            // and F's derivative is 0 (PyTorch: s0 has no grad_fn). FDerivative multiplied the carried tangent's zero by
            // Cbrt'(0) = inf: NaN. G, the same loop without the Cbrt at 0, gives the central difference where it runs.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double[] u, [NoGrad] double[] v)
    {
        double s0 = v[0] - (v[1] + 0.1);
        if (v[0] != -0.5)
        {
            for (int i = 0; i < u.Length - 1; i++)
            {
                s0 -= s0 * Math.Tan(Math.Sin(u[0]));
            }
        }

        return Math.Cbrt(s0 - s0) + Math.Cbrt(s0 * 0.5);
    }

    [Differentiable]
    public static double G(double[] u, [NoGrad] double[] v)
    {
        double s0 = v[0] - (v[1] + 0.1);
        if (v[0] != -0.5)
        {
            for (int i = 0; i < u.Length - 1; i++)
            {
                s0 -= s0 * Math.Tan(Math.Sin(u[0]));
            }
        }

        return Math.Cbrt(s0 * 0.5);
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        double[] v = { 0.9, 0.2 }, skipped = { -0.5, 0.2 };
        R.FDerivative(new[] { 0.3 }, v, new[] { 1.0 }, out double none);
        R.FDerivative(new[] { 0.3, 0.1 }, skipped, new[] { 1.0, 0.0 }, out double notTaken);
        double[] g = new double[1];
        R.FGradient(new[] { 0.3 }, v, g);
        double h = 1e-6;
        double[] u = { 0.3, 0.1, 0.2 };
        R.GDerivative(u, v, new[] { 1.0, 0.0, 0.0 }, out double ran);
        double fd = (R.G(new[] { 0.3 + h, 0.1, 0.2 }, v) - R.G(new[] { 0.3 - h, 0.1, 0.2 }, v)) / (2 * h);
        return new[] { none, notTaken, g[0], ran, fd };");
            Assert.Equal(0.0, r[0]);
            Assert.Equal(0.0, r[1]);
            Assert.Equal(0.0, r[2]);
            Assert.NotEqual(0.0, r[4]);
            Assert.Equal(r[4], r[3], 6);
        }

        [Fact]
        public void F87_a_direction_zero_by_construction_reaches_a_callee_with_a_singular_partial_as_zero()
        {
            // Seed 85, program 11496, reduced. Clamp(1.25, y, y + 1) at y = 0.945 is the constant 1.25: no direction reaches
            // H0's argument, and H0(p) = 2 Sqrt(|p - p|) is the constant 0. GDerivative passed the zero to H0Derivative,
            // whose own Sqrt'(0) * 0 is NaN (as JAX gives for a direction the user passes), and so did GJacobian's column.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static void G(Span<double> o, double y)
    {
        var s3 = H0(Math.Clamp(1.25, y, y + 1.0));
        s3 += y - H0(s3);
        o[0] = s3 * y;
        o[1] = Math.Sin(y) + s3;
    }

    [Differentiable]
    public static double H0(double p0)
    {
        double s0 = Math.Sqrt(Math.Abs(p0 - p0));
        return s0 + s0;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        double y = 0.945255, h = 1e-6;
        var o = new double[2];
        var d = new double[2];
        R.GDerivative(o, y, 1.0, d);
        var jac = new double[2];
        R.GJacobian(o, y, jac);
        double[] up = new double[2], down = new double[2];
        R.G(up, y + h);
        R.G(down, y - h);
        return new[] { d[0], d[1], jac[0], jac[1], (up[0] - down[0]) / (2 * h), (up[1] - down[1]) / (2 * h) };");
            Assert.Equal(2 * 0.945255, r[4], 6); // s3 = y: d(y * y)/dy
            Assert.Equal(r[4], r[0], 6);
            Assert.Equal(r[5], r[1], 6);
            Assert.Equal(r[4], r[2], 6);
            Assert.Equal(r[5], r[3], 6);
        }

        [Fact]
        public void F91_a_selection_of_a_buffer_element_with_no_tangent_meets_an_infinite_partial_as_zero()
        {
            // Seed 91, program 465, reduced. At c = -1 the selection takes a[0], which a store gave no tangent (the arm
            // c * 0.0, from data) and whose value is 0: Sqrt(|a[0]|) is the constant 0 and F's derivative along u[0] is 1
            // (the gradient's). FDerivative multiplied Sqrt'(0) by a zero by construction: NaN. At c = 2 it takes b[0] =
            // u0 u1, and the derivative is the analytic u1 / (2 sqrt(u0 u1)) + 1.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double[] u, [NoGrad] double c)
    {
        Span<double> a = stackalloc double[1];
        Span<double> b = stackalloc double[1];
        a[0] = c > 1 ? u[1] : c * 0.0;
        b[0] = u[0] * u[1];
        return Math.Sqrt(Math.Abs(c > 0 ? b[0] : a[0])) + u[0];
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        R.FDerivative(new[] { 0.3, 0.8 }, -1.0, new[] { 1.0, 0.0 }, out double taken);
        R.FDerivative(new[] { 0.3, 0.8 }, 2.0, new[] { 1.0, 0.0 }, out double other);
        return new[] { taken, other };");
            Assert.Equal(1.0, r[0]);
            Assert.Equal(0.8 / (2 * Math.Sqrt(0.3 * 0.8)) + 1.0, r[1], 14);
        }

        [Fact]
        public void F97_a_structural_zero_tangent_through_abs_meets_an_infinite_partial_as_zero()
        {
            // Seed 108, program 13830, reduced (old: also on a0844bc). s comes from data and the branch that would give
            // it a tangent is not taken, so F's derivative along x is 1 (the gradient's). At s = 1e20, s / (|s| + 1)
            // rounds to 1 and Acos' there is infinite; the gate on the tangent of s / (|s| + 1) tested Abs' = sign(s)
            // (non-zero) instead of the tangent of s: 0 * inf, NaN. At c = 2 the branch runs and the analytic
            // derivative of Acos(s x / (|s x| + 1)) + x at s = 0.5, x = 0.6 is checked.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double x, [NoGrad] double c, [NoGrad] double s0)
    {
        double s = s0;
        if (c > 1)
        {
            s = s * x;
        }

        return Math.Acos(s / (Math.Abs(s) + 1.0)) + x;
    }
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        R.FDerivative(0.6, -1.0, 1e20, 1.0, out double constant);
        R.FDerivative(0.6, 2.0, 0.5, 1.0, out double taken);
        R.FGradient(0.6, -1.0, 1e20, out double gradient);
        return new[] { constant, taken, gradient };");
            double u = 0.3 / 1.3;
            double du = 0.5 / (1.3 * 1.3);
            Assert.Equal(1.0, r[0]);
            Assert.Equal(-du / Math.Sqrt(1 - u * u) + 1.0, r[1], 14);
            Assert.Equal(1.0, r[2]);
        }

        [Fact]
        public void F95_a_copy_assigned_back_in_a_loop_is_no_self_assignment()
        {
            // Seed 105, program 16744, reduced (old: also on a0844bc). var s3 = s0; s0 = s3; in a loop became
            // "s0 = s0;" in the generated methods: CS1717, an error under TreatWarningsAsErrors. F(u, v) = u0^2 + s1, with
            // s1 carried: s1' = s1 sin(u1) + v_i; checked against its closed form for one element of v.
            const string source = @"
using System;
using SymDiff;
public static partial class R
{
    [Differentiable]
    public static double F(double[] u, double[] v)
    {
        double s0 = u[0] * u[0];
        double s1 = u[1];
        for (int i = 0; i < v.Length; i++)
        {
            s1 = s1 * Math.Sin(u[1]) + v[i];
            var s3 = s0;
            s0 = s3;
        }

        return s0 + s1;
    }
}";
            var output = GeneratorRunner.Run(source);
            GeneratorRunner.AssertCleanCompile(output);
            double[] r = GeneratedCode.RunDriver(source, @"
        double[] g = new double[2], gv = new double[1];
        double value = R.FGradient(new[] { 0.3, 0.8 }, new[] { 0.5 }, g, gv);
        return new[] { value, g[0], g[1], gv[0] };");
            // F = 0.09 + 0.8 sin(0.8) + 0.5; dF/du0 = 0.6; dF/du1 = sin(u1) + u1 cos(u1); dF/dv0 = 1.
            Assert.Equal(0.09 + (0.8 * Math.Sin(0.8)) + 0.5, r[0], 14);
            Assert.Equal(0.6, r[1], 14);
            Assert.Equal(Math.Sin(0.8) + (0.8 * Math.Cos(0.8)), r[2], 14);
            Assert.Equal(1.0, r[3], 14);
        }
    }
}

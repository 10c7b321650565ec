using System;
using SymDiff.Fuzz.Tests.Harness;
using SymDiff.Fuzz.Tests.Oracle;
using Xunit;

namespace SymDiff.Fuzz.Tests.Tests
{
    /// <summary>The oracle is test code, so it is tested too: against closed-form derivatives and API.md's conventions.</summary>
    public sealed class OracleTests
    {
        private static Dual<double> X(double v) => Dual<double>.Var(v, 1);

        [Theory]
        [InlineData(0.3)]
        [InlineData(-1.7)]
        public void First_derivatives_match_closed_forms(double v)
        {
            Assert.Equal(Math.Cos(v), DM.Sin(X(v)).D, 15);
            Assert.Equal(-Math.Sin(v), DM.Cos(X(v)).D, 15);
            Assert.Equal(1 / (Math.Cos(v) * Math.Cos(v)), DM.Tan(X(v)).D, 12);
            Assert.Equal(1 / (1 + (v * v)), DM.Atan(X(v)).D, 15);
            Assert.Equal(1 / (Math.Cosh(v) * Math.Cosh(v)), DM.Tanh(X(v)).D, 15);
            Assert.Equal(Math.Exp(v), DM.Exp(X(v)).D, 12);
            Assert.Equal(1 / Math.Abs(v), DM.Log(DM.Abs(X(v))).D * Math.Sign(v), 12);
            Assert.Equal(3 * v * v, (X(v) * X(v) * X(v)).D, 12);
            Assert.Equal(-1 / (v * v), (1.0 / X(v)).D, 12);
            Assert.Equal(1.5 * Math.Pow(v * v, 0.25) * Math.Sign(v), DM.Pow(X(v) * X(v), Dual<double>.C(0.75)).D, 12);
        }

        [Fact]
        public void Two_argument_rules_match_closed_forms()
        {
            // atan2(y, x): d/dy = x / (x² + y²), d/dx = -y / (x² + y²).
            double y = 0.4, x = -1.3;
            Assert.Equal(x / ((x * x) + (y * y)), DM.Atan2(X(y), Dual<double>.C(x)).D, 15);
            Assert.Equal(-y / ((x * x) + (y * y)), DM.Atan2(Dual<double>.C(y), X(x)).D, 15);

            // log_b(a) with b active: d/db = -ln a / (b ln² b).
            double a = 2.5, b = 3.0;
            Assert.Equal(-Math.Log(a) / (b * Math.Log(b) * Math.Log(b)), DM.Log(Dual<double>.C(a), X(b)).D, 14);

            // pow(a, b) with b active: d/db = a^b ln a.
            Assert.Equal(Math.Pow(a, b) * Math.Log(a), DM.Pow(Dual<double>.C(a), X(b)).D, 12);
        }

        [Fact]
        public void Conventions_at_non_differentiable_points_follow_the_contract()
        {
            // Abs'(0) = 0 (a computed zero: the term stays in the magnitude).
            Assert.Equal(0, DM.Abs(X(0)).D);
            Assert.True(DM.Abs(X(0)).M > 0);

            // Max/Min ties go to the first argument.
            var a = Dual<double>.Var(1, 1);
            var b = Dual<double>.Var(1, 10);
            Assert.Equal(1, DM.Max(a, b).D);
            Assert.Equal(1, DM.Min(a, b).D);

            // Clamp: x strictly inside, otherwise the bound that is hit.
            var lo = Dual<double>.Var(0, 100);
            var hi = Dual<double>.Var(2, 1000);
            Assert.Equal(1, DM.Clamp(Dual<double>.Var(1, 1), lo, hi).D);
            Assert.Equal(100, DM.Clamp(Dual<double>.Var(0, 1), lo, hi).D);
            Assert.Equal(1000, DM.Clamp(Dual<double>.Var(2, 1), lo, hi).D);

            // Sqrt'(0) = +inf; piecewise-constant functions and Detach have no derivative.
            Assert.Equal(double.PositiveInfinity, DM.Sqrt(X(0)).D);
            Assert.True(DM.Floor(X(1.5)).IsStructuralZero);
            Assert.True(DM.Detach(X(1.5)).IsStructuralZero);

            // Pow with an inactive exponent: c x^(c-1), finite for negative x, no log term.
            Assert.Equal(3 * 4.0, DM.Pow(X(-2), Dual<double>.C(3)).D);

            // Where the power is constant in an argument its partial is 0, not 0 * inf (PyTorch's rule; FINDINGS F45):
            // x^0 = 1 at x = 0, and 0^y for y >= 0.
            Assert.Equal(0, DM.Pow(X(0), Dual<double>.C(0)).D);
            Assert.Equal(0, DM.Pow(Dual<double>.C(0), X(2)).D);
            Assert.Equal(0, DM.Pow(Dual<double>.C(0), X(0)).D);
            Assert.Equal(0, DM.Pow(HyperDual.Var(0, 1, 1), HyperDual.C(1)).AB);

            // A zero of the user's computation times an infinite derivative (0 * Sqrt(x) at x = 0) is left open too: forward
            // mode meets 0 * inf (NaN), reverse mode may meet the infinite partial on another path only (+inf; FINDINGS F29).
            Assert.True((Dual<double>.C(0) * DM.Sqrt(X(0))).IsAmbiguous);

            // An infinite partial times a computed zero tangent is left open by the contract: not compared.
            Assert.True(DM.Sqrt(DM.Abs(X(0))).IsAmbiguous);
        }

        [Theory]
        [InlineData(5.3, 1.5)]
        [InlineData(-5.3, 1.5)]
        [InlineData(5.3, -1.25)]
        [InlineData(0.4, 2.0)]
        public void Remainder_is_x_minus_trunc_of_the_quotient_times_y(double x, double y)
        {
            // Away from the jumps x % y is x - k y with k = trunc(x / y) fixed, so central differences see d/dx = 1, d/dy = -k.
            double h = 1e-6;
            double k = Math.Truncate(x / y);
            Assert.Equal(x % y, (X(x) % Dual<double>.C(y)).V);
            Assert.Equal(1, (X(x) % Dual<double>.C(y)).D);
            Assert.Equal(-k, (Dual<double>.C(x) % X(y)).D);
            Assert.Equal((((x + h) % y) - ((x - h) % y)) / (2 * h), (X(x) % Dual<double>.C(y)).D, 6);
            Assert.Equal(((x % (y + h)) - (x % (y - h))) / (2 * h), (Dual<double>.C(x) % X(y)).D, 6);

            // Second order: trunc is piecewise constant, so every second partial is 0; the first partials as above.
            HyperDual xy = HyperDual.Var(x, 1, 0) % HyperDual.Var(y, 0, 1);
            Assert.Equal(x % y, xy.V);
            Assert.Equal(1, xy.A);
            Assert.Equal(-k, xy.B);
            Assert.Equal(0, xy.AB);
            Assert.Equal(0, (HyperDual.Var(x, 1, 1) % HyperDual.C(y)).AB);

            // A zero quotient is the rule's computed zero: an infinite tangent of y times it is left open, not NaN.
            var infinite = DM.Sqrt(Dual<double>.Var(0, 1));
            Assert.True((Dual<double>.C(0.25) % (infinite + 1.0)).IsAmbiguous);
        }

        [Fact]
        public void Casts_between_precisions_round_the_value_and_keep_the_tangent()
        {
            // (float)Math.Sin(x) in a float method: sin in double of the widened float, rounded back to float; d/dx = cos x.
            var x = Dual<float>.Var(0.1f, 1);
            Dual<float> y = DM.ToFloat(DM.Sin(DM.ToDouble(x)));
            Assert.Equal((float)Math.Sin(0.1f), y.V);
            Assert.Equal(Math.Cos(0.1f), y.D, 15);
            Assert.False(y.IsStructuralZero);

            // A constant stays a structural zero through the casts (no seed reaches it).
            Assert.True(DM.ToFloat(DM.ToDouble(Dual<float>.C(2f))).IsStructuralZero);
        }

        [Fact]
        public void Float_values_are_computed_in_float()
        {
            var x = Dual<float>.Var(0.1f, 1);
            Dual<float> y = (x * 3f) + DM.Sin(x);
            Assert.Equal((0.1f * 3f) + MathF.Sin(0.1f), y.V);
            Assert.Equal(3 + Math.Cos(0.1f), y.D, 6);
        }

        [Fact]
        public void Hyper_duals_give_second_derivatives()
        {
            // f = x³ y + sin(x y): f_xx = 6 x y - y² sin(x y), f_xy = 3x² + cos(x y) - x y sin(x y).
            double xv = 0.7, yv = -1.1;
            HyperDual F(HyperDual x, HyperDual y) => (x * x * x * y) + DM.Sin(x * y);
            HyperDual xx = F(HyperDual.Var(xv, 1, 1), HyperDual.Var(yv, 0, 0));
            HyperDual xy = F(HyperDual.Var(xv, 1, 0), HyperDual.Var(yv, 0, 1));
            Assert.Equal((6 * xv * yv) - (yv * yv * Math.Sin(xv * yv)), xx.AB, 12);
            Assert.Equal((3 * xv * xv) + Math.Cos(xv * yv) - (xv * yv * Math.Sin(xv * yv)), xy.AB, 12);

            // Second derivatives of the two-argument rules against central differences of their first derivatives.
            double h = 1e-6;
            double Fd(Func<HyperDual, HyperDual> f, double v) => f(HyperDual.Var(v, 1, 0)).A;
            foreach (Func<HyperDual, HyperDual> f in new Func<HyperDual, HyperDual>[]
            {
                v => DM.Atan2(v, 0.5 * v + 2.0), v => DM.Pow(v * v + 0.5, v), v => DM.Log(v * v + 0.5, v * v + 2.0), DM.Tanh, DM.Asin, DM.Cbrt, DM.Log10,
            })
            {
                double v = 0.35;
                double fd = (Fd(f, v + h) - Fd(f, v - h)) / (2 * h);
                Assert.Equal(fd, f(HyperDual.Var(v, 1, 1)).AB, 6);
            }
        }

        [Fact]
        public void Tolerance_rule_treats_non_finite_values_strictly()
        {
            Assert.True(Checker.Agrees(double.NaN, double.NaN, 1, 1e-9, 0));
            Assert.False(Checker.Agrees(double.PositiveInfinity, double.NaN, 1, 1e-9, 0));
            Assert.False(Checker.Agrees(double.NegativeInfinity, double.PositiveInfinity, double.PositiveInfinity, 1e-9, 0));
            Assert.False(Checker.Agrees(0, double.NaN, 1, 1e-9, 0));
            Assert.Null(Checker.Agrees(5, 1, double.NaN, 1e-9, 0));
            Assert.True(Checker.Agrees(1 + 1e-12, 1, 1000, 1e-9, 0));
            Assert.False(Checker.Agrees(1 + 1e-5, 1, 1000, 1e-9, 0));
        }
    }
}

using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Vectorize
{
    /// <summary>The generated code of <c>Vectorize = true</c> loops, as a user reads it.</summary>
    public class VectorizeSnapshotTests
    {
        /// <summary>W1 with Vectorize = true: three sums, four accumulators each, the gradient of y stored in lanes, a scalar remainder.</summary>
        public const string LinearRegression = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable(Vectorize = true)]
    public static double Loss(double w, double b, [NoGrad] ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = y[i] - (w * x[i] + b);
            sum += 0.5 * r * r;
        }

        return sum / x.Length;
    }
}";

        /// <summary>W3 with Vectorize = true (xs differentiated too): the inner dot product and both gradient updates (through an index let) vectorise; the outer loop stays scalar.</summary>
        public const string LogisticRegression = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable(Vectorize = true)]
    public static double LogReg(ReadOnlySpan<double> w, ReadOnlySpan<double> xs, [NoGrad] ReadOnlySpan<double> t)
    {
        int d = w.Length;
        double loss = 0;
        for (int i = 0; i < t.Length; i++)
        {
            double z = 0;
            for (int j = 0; j < d; j++)
            {
                z += w[j] * xs[i * d + j];
            }

            loss += Math.Log(1 + Math.Exp(-t[i] * z));
        }

        return loss / t.Length;
    }
}";

        /// <summary>An elementwise loss with Math.Exp and Math.Log in the lanes (Vector256.Exp/Log), float elements.</summary>
        public const string Softplus = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable(Vectorize = true)]
    public static float Softplus(ReadOnlySpan<float> x, float a)
    {
        float s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += MathF.Log(1 + MathF.Exp(a * x[i])) + MathF.Sqrt(x[i] * x[i] + 1);
        }

        return s;
    }
}";

        /// <summary>W2 with Vectorize = true: x[i + 1] reused as the next x[i] and the adjoint carried to the next element, both rotated by one lane.</summary>
        public const string Rosenbrock = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable(Vectorize = true)]
    public static double Rosenbrock(ReadOnlySpan<double> x)
    {
        double f = 0;
        for (int i = 0; i < x.Length - 1; i++)
        {
            double t = x[i + 1] - x[i] * x[i];
            double u = 1 - x[i];
            f += 100 * t * t + u * u;
        }

        return f;
    }
}";

        /// <summary>W5 with Vectorize = true: the gradient's constant-index elements w[0..2] are sums over the points, four accumulators each.</summary>
        public const string PolyMse = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable(Vectorize = true)]
    public static double PolyMse(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = w[0] * (x[i] * x[i]) + w[1] * x[i] + w[2] - y[i];
            sum += r * r;
        }

        return sum / x.Length;
    }
}";

        /// <summary>Math.Max, Math.Min, Math.Abs and a ?: in lanes: comparisons as masks, selects, masked additions into the gradient.</summary>
        public const string Selects = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable(Vectorize = true)]
    public static double Sel(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double m = Math.Max(x[i], 0.5 * y[i]) + Math.Min(x[i], y[i]) * Math.Abs(x[i] - 1);
            s += x[i] > y[i] ? m * x[i] : m + y[i];
        }

        return s;
    }
}";

        public const string TanhLayer = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable(Vectorize = true)]
    public static double Layer(ReadOnlySpan<double> x, double a, double b)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += Math.Tanh(a * x[i] + b);
        }

        return s;
    }
}";

        public const string Logits = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable(Vectorize = true)]
    public static double Logits(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> h)
    {
        int n = h.Length;
        double z0 = 0, z1 = 0, z2 = 0;
        for (int j = 0; j < n; j++)
        {
            z0 += w[j] * h[j];
            z1 += w[n + j] * h[j];
            z2 += w[(2 * n) + j] * h[j];
        }

        return (z0 * z1) - z2;
    }
}";

        private void Verify(string source, string name)
        {
            var output = GeneratorRunner.Run(source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output, name);
        }

        [Fact]
        public void Linear_regression_runs_in_lanes() => Verify(LinearRegression, nameof(Linear_regression_runs_in_lanes));

        [Fact]
        public void Logistic_regression_inner_loops_run_in_lanes() => Verify(LogisticRegression, nameof(Logistic_regression_inner_loops_run_in_lanes));

        [Fact]
        public void Exp_and_log_run_in_lanes() => Verify(Softplus, nameof(Exp_and_log_run_in_lanes));

        [Fact]
        public void Values_carried_one_iteration_rotate_by_one_lane() => Verify(Rosenbrock, nameof(Values_carried_one_iteration_rotate_by_one_lane));

        [Fact]
        public void Max_min_abs_and_conditionals_select_in_lanes() => Verify(Selects, nameof(Max_min_abs_and_conditionals_select_in_lanes));

        [Fact]
        public void Tanh_runs_in_lanes_with_SymDiffs_vector_tanh() => Verify(TanhLayer, nameof(Tanh_runs_in_lanes_with_SymDiffs_vector_tanh));

        [Fact]
        public void Additions_into_one_gradient_at_several_offsets_run_in_lanes() => Verify(Logits, nameof(Additions_into_one_gradient_at_several_offsets_run_in_lanes));

        [Fact]
        public void W6_sums_updated_together_and_its_output_layer_run_in_lanes() => Verify(VectorizeMlpTests.Source, nameof(W6_sums_updated_together_and_its_output_layer_run_in_lanes));

        [Fact]
        public void Constant_index_gradient_elements_sum_in_lanes() => Verify(PolyMse, nameof(Constant_index_gradient_elements_sum_in_lanes));
    }
}

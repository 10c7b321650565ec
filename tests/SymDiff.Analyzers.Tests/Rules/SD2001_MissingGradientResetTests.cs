using System.Threading.Tasks;
using SymDiff.Analyzers.CodeFixes;
using SymDiff.Analyzers.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Analyzers.Tests.Rules
{
    /// <summary>SD2001: a gradient buffer accumulates across iterations of a loop that uses it, with no reset.</summary>
    public sealed class SD2001_MissingGradientResetTests
    {
        private const string Id = "SD2001";

        // ---- Reported ----

        [Fact]
        public Task Epoch_loop_that_steps_without_zero_grad_is_reported_at_the_first_accumulating_argument() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Training
{
    public static void Train(double[] xs, double[] ys)
    {
        double[] parameters = { 0.0, 0.0 };
        double[] gradients = new double[2];
        var optimizer = new Sgd(parameters, gradients, learningRate: 0.1);
        {|#1:for (int epoch = 0; epoch < 100; epoch++)
        {
            for (int i = 0; i < xs.Length; i++)
            {
                Model.LossBackward(parameters[0], parameters[1], xs[i], ys[i], 1.0 / xs.Length, {|#0:ref gradients[0]|}, ref gradients[1]);
            }

            optimizer.Step();
        }|}
    }
}
" + TestSources.Model,
            Verifier.Diagnostic(Id).WithLocation(0).WithLocation(1).WithArguments("gradients"));

        [Fact]
        public Task Scalar_gradient_read_in_the_same_loop_is_reported() => Verifier.DiagnosticsAsync(@"
public static class Training
{
    public static double Descend(double w, double b)
    {
        double dw = 0, db = 0;
        for (int step = 0; step < 100; step++)
        {
            Model.LossBackward(w, b, 1.0, 2.0, 1.0, {|SD2001:ref dw|}, ref db);
            w -= 0.1 * dw;
        }

        return w;
    }
}
" + TestSources.Model);

        [Fact]
        public Task Every_buffer_that_is_read_gets_its_own_diagnostic() => Verifier.DiagnosticsAsync(@"
public static class Training
{
    public static double Descend(double w, double b)
    {
        double dw = 0, db = 0;
        for (int step = 0; step < 100; step++)
        {
            Model.LossBackward(w, b, 1.0, 2.0, 1.0, {|SD2001:ref dw|}, {|SD2001:ref db|});
            w -= 0.1 * dw;
            b -= 0.1 * db;
        }

        return w + b;
    }
}
" + TestSources.Model);

        [Fact]
        public Task Span_buffer_is_reported() => Verifier.DiagnosticsAsync(@"
using System;

public static class Training
{
    public static void Descend(double[] w, double[] x)
    {
        Span<double> g = stackalloc double[2];
        while (w[0] > 0)
        {
            Model.DotBackward(w, x, 1.0, {|SD2001:g|});
            w[0] -= 0.1 * g[0];
        }
    }
}
" + TestSources.Model);

        [Fact]
        public Task Array_passed_as_span_is_reported_as_the_array() => Verifier.DiagnosticsAsync(@"
public sealed class Trainer
{
    private readonly double[] _grad = new double[2];

    public void Train(double[] w, double[] x)
    {
        foreach (var _ in new int[10])
        {
            Model.DotBackward(w, x, 1.0, {|SD2001:_grad|});
            w[0] -= 0.1 * _grad[0];
        }
    }
}
" + TestSources.Model);

        [Fact]
        public Task Reset_in_the_outer_loop_does_not_cover_updates_in_the_inner_loop() => Verifier.DiagnosticsAsync(@"
public static class Training
{
    public static double Descend(double w, double[] xs)
    {
        double dw = 0, db = 0;
        for (int epoch = 0; epoch < 10; epoch++)
        {
            dw = 0;
            db = 0;
            foreach (double x in xs)
            {
                Model.LossBackward(w, 0, x, 1.0, 1.0, {|SD2001:ref dw|}, ref db);
                w -= 0.1 * dw; // per-sample update with the running sum of this epoch's gradients
            }
        }

        return w;
    }
}
" + TestSources.Model);

        [Fact]
        public Task A_user_method_marked_Accumulates_is_checked_too() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Training
{
    public static void AddGradient(double w, [Accumulates] ref double dw) => dw += 2 * w;

    public static double Descend(double w)
    {
        double dw = 0;
        for (int step = 0; step < 10; step++)
        {
            AddGradient(w, {|SD2001:ref dw|});
            w -= 0.1 * dw;
        }

        return w;
    }
}
" + TestSources.Model);

        // ---- Not reported ----

        [Fact]
        public Task Mini_batch_accumulation_with_zero_grad_in_the_outer_loop_is_silent() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Training
{
    public static void Train(double[] xs, double[] ys)
    {
        double[] parameters = { 0.0, 0.0 };
        double[] gradients = new double[2];
        var optimizer = new Adam(parameters, gradients, learningRate: 0.01);
        for (int epoch = 0; epoch < 100; epoch++)
        {
            for (int batch = 0; batch < xs.Length; batch += 4)
            {
                optimizer.ZeroGrad();
                for (int i = batch; i < batch + 4 && i < xs.Length; i++)
                {
                    Model.LossBackward(parameters[0], parameters[1], xs[i], ys[i], 0.25, ref gradients[0], ref gradients[1]);
                }

                optimizer.Step();
            }
        }
    }
}
" + TestSources.Model);

        [Fact]
        public Task Full_batch_gradient_accumulated_over_the_data_without_an_outer_loop_is_silent() => Verifier.DiagnosticsAsync(@"
public static class Training
{
    public static double Gradient(double w, double b, double[] xs, double[] ys)
    {
        double dw = 0, db = 0;
        for (int i = 0; i < xs.Length; i++)
        {
            Model.LossBackward(w, b, xs[i], ys[i], 1.0 / xs.Length, ref dw, ref db);
        }

        return dw;
    }
}
" + TestSources.Model);

        [Fact]
        public Task Each_kind_of_reset_is_recognised() => Verifier.DiagnosticsAsync(@"
using System;

public static class Training
{
    public static void Resets(double w, double[] x, double[] v)
    {
        double dw = 0, db = 0;
        double[] g = new double[2];
        Span<double> s = stackalloc double[2];
        for (int k = 0; k < 10; k++)
        {
            dw = 0;
            Model.LossBackward(w, 0, 1, 2, 1.0, ref dw, ref db);
            w -= dw;
        }

        for (int k = 0; k < 10; k++)
        {
            db = default;
            Model.LossBackward(w, 0, 1, 2, 1.0, ref dw, ref db);
            w -= db;
        }

        for (int k = 0; k < 10; k++)
        {
            Array.Clear(g);
            Model.DotBackward(v, x, 1.0, g);
            v[0] -= g[0];
        }

        for (int k = 0; k < 10; k++)
        {
            g.AsSpan().Fill(0);
            Model.DotBackward(v, x, 1.0, g);
            v[0] -= g[0];
        }

        for (int k = 0; k < 10; k++)
        {
            for (int j = 0; j < g.Length; j++)
            {
                g[j] = 0;
            }

            Model.DotBackward(v, x, 1.0, g);
            v[0] -= g[0];
        }

        for (int k = 0; k < 10; k++)
        {
            s.Clear();
            Model.DotBackward(v, x, 1.0, s);
            v[0] -= s[0];
        }

        for (int k = 0; k < 10; k++)
        {
            Model.LossGradient(w, 0, 1, 2, out dw, out _); // overwrites dw, then Backward adds to it
            Model.LossBackward(w, 0, 3, 4, 1.0, ref dw, ref db);
            w -= dw;
            db = 0;
        }
    }
}
" + TestSources.Model);

        [Fact]
        public Task Buffer_declared_inside_the_loop_is_new_every_iteration() => Verifier.DiagnosticsAsync(@"
public static class Training
{
    public static double Descend(double w)
    {
        for (int step = 0; step < 100; step++)
        {
            double dw = 0, db = 0;
            Model.LossBackward(w, 0, 1.0, 2.0, 1.0, ref dw, ref db);
            w -= 0.1 * dw;
        }

        return w;
    }
}
" + TestSources.Model);

        [Fact]
        public Task Overwriting_Gradient_methods_and_parameter_buffers_are_not_reported() => Verifier.DiagnosticsAsync(@"
public static class Training
{
    public static double Descend(double w)
    {
        for (int step = 0; step < 100; step++)
        {
            Model.LossGradient(w, 0, 1.0, 2.0, out double dw, out _);
            w -= 0.1 * dw;
        }

        return w;
    }

    // The caller owns 'gradients' and resets it; accumulating here is the inner loop of a mini-batch.
    public static void AccumulateBatch(double w, double[] xs, double[] gradients)
    {
        foreach (double x in xs)
        {
            Model.LossBackward(w, 0, x, 1.0, 1.0, ref gradients[0], ref gradients[1]);
            System.Console.WriteLine(gradients[0]);
        }
    }

    // The same, tracking a statistic of the running sum in a local (a review's false positive): looking, not stepping.
    public static double LargestDuringBatch(double w, double[] xs, double[] gradients)
    {
        double largest = 0;
        foreach (double x in xs)
        {
            Model.LossBackward(w, 0, x, 1.0, 1.0, ref gradients[0], ref gradients[1]);
            largest = System.Math.Max(largest, System.Math.Abs(gradients[0]));
        }

        return largest;
    }
}
" + TestSources.Model);

        [Fact]
        public Task A_callers_buffer_the_loop_steps_with_is_reported() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Training
{
    // A user trial's Train(p, g) helper: the buffer is a parameter, but the loop steps with it, so it accumulates
    // across epochs whoever owns it.
    public static void TrainByHand(double[] p, double[] g)
    {
        for (int epoch = 0; epoch < 100; epoch++)
        {
            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0, {|SD2001:ref g[0]|}, ref g[1]);
            p[0] -= 0.1 * g[0];
        }
    }

    public static void TrainWithSgd(double[] p, double[] g)
    {
        var optimizer = new Sgd(p, g, 0.1);
        for (int epoch = 0; epoch < 100; epoch++)
        {
            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0, {|SD2001:ref g[0]|}, ref g[1]);
            optimizer.Step();
        }
    }
}
" + TestSources.Model);

        [Fact]
        public Task Reset_at_the_end_of_the_iteration_counts() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Training
{
    public static void Train(double[] p, double[] g)
    {
        var optimizer = new Sgd(p, g, 0.1);
        for (int epoch = 0; epoch < 10; epoch++)
        {
            Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
            optimizer.Step();
            optimizer.ZeroGrad();
        }
    }
}
" + TestSources.Model);

        [Fact]
        public Task Resets_done_by_helper_methods_count() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static class Training
{
    private static void ResetGrads(double[] g) => Array.Clear(g);

    private static void ZeroAll(Span<double> g)
    {
        for (int i = 0; i < g.Length; i++)
        {
            g[i] = 0;
        }
    }

    private static void Reset(double[] g) => ZeroAll(g);

    private static void Zero(ref double d) => d = 0;

    public static void Train(double[] p)
    {
        double[] g = new double[2];
        var optimizer = new Sgd(p, g, learningRate: 0.1);
        for (int epoch = 0; epoch < 100; epoch++)
        {
            ResetGrads(g);
            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0, ref g[0], ref g[1]);
            optimizer.Step();
        }

        for (int epoch = 0; epoch < 100; epoch++)
        {
            Reset(g);
            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0, ref g[0], ref g[1]);
            optimizer.Step();
        }
    }

    public static double Descend(double w, double b)
    {
        double dw = 0, db = 0;
        for (int step = 0; step < 100; step++)
        {
            Zero(ref dw);
            Zero(ref db);
            Model.LossBackward(w, b, 1.0, 2.0, 1.0, ref dw, ref db);
            w -= 0.1 * dw;
            b -= 0.1 * db;
        }

        return w + b;
    }
}
" + TestSources.Model);

        [Fact]
        public Task Helpers_that_do_not_reset_the_callers_buffer_do_not_count() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static class Training
{
    private static void Replace(double[] g) => g = new double[2];

    private static void Print(double[] g) => Console.WriteLine(g[0]);

    private static void ZeroCopy(double d) => d = 0;

    public static void Train(double[] p)
    {
        double[] g = new double[2];
        var optimizer = new Sgd(p, g, learningRate: 0.1);
        for (int epoch = 0; epoch < 100; epoch++)
        {
            Replace(g);
            Print(g);
            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0, {|#0:ref g[0]|}, ref g[1]);
            optimizer.Step();
        }
    }

    public static double Descend(double w, double b)
    {
        double dw = 0, db = 0;
        for (int step = 0; step < 100; step++)
        {
            ZeroCopy(dw);
            Model.LossBackward(w, b, 1.0, 2.0, 1.0, {|#1:ref dw|}, ref db);
            w -= 0.1 * dw;
        }

        return w;
    }
}
" + TestSources.Model,
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("g").WithOptions(Microsoft.CodeAnalysis.Testing.DiagnosticOptions.IgnoreAdditionalLocations),
            Verifier.Diagnostic(Id).WithLocation(1).WithArguments("dw").WithOptions(Microsoft.CodeAnalysis.Testing.DiagnosticOptions.IgnoreAdditionalLocations));

        [Fact]
        public Task Severity_comes_from_editorconfig() => Verifier.DiagnosticsWithEditorConfigAsync(@"
public static class Training
{
    public static double Descend(double w, double b)
    {
        double dw = 0, db = 0;
        for (int step = 0; step < 100; step++)
        {
            Model.LossBackward(w, b, 1.0, 2.0, 1.0, ref dw, ref db);
            w -= 0.1 * dw;
        }

        return w;
    }
}
" + TestSources.Model, "root = true\n\n[*.cs]\ndotnet_diagnostic.SD2001.severity = none\n");

        // ---- Code fix ----

        [Fact]
        public Task Fix_inserts_ZeroGrad_of_the_optimizer_that_owns_the_buffer_at_the_top_of_the_loop_that_steps() => Verifier.CodeFixAsync<MissingGradientResetCodeFix>(@"
using SymDiff;

public static class Training
{
    public static void Train(double[] xs, double[] ys)
    {
        double[] parameters = { 0.0, 0.0 };
        double[] gradients = new double[2];
        var optimizer = new Sgd(parameters, gradients, learningRate: 0.1);
        for (int epoch = 0; epoch < 100; epoch++)
        {
            for (int i = 0; i < xs.Length; i++)
            {
                Model.LossBackward(parameters[0], parameters[1], xs[i], ys[i], 1.0 / xs.Length, {|SD2001:ref gradients[0]|}, ref gradients[1]);
            }

            optimizer.Step();
        }
    }
}
" + TestSources.Model, @"
using SymDiff;

public static class Training
{
    public static void Train(double[] xs, double[] ys)
    {
        double[] parameters = { 0.0, 0.0 };
        double[] gradients = new double[2];
        var optimizer = new Sgd(parameters, gradients, learningRate: 0.1);
        for (int epoch = 0; epoch < 100; epoch++)
        {
            optimizer.ZeroGrad();
            for (int i = 0; i < xs.Length; i++)
            {
                Model.LossBackward(parameters[0], parameters[1], xs[i], ys[i], 1.0 / xs.Length, ref gradients[0], ref gradients[1]);
            }

            optimizer.Step();
        }
    }
}
" + TestSources.Model);

        [Fact]
        public Task Fix_zeroes_a_scalar() => Verifier.CodeFixAsync<MissingGradientResetCodeFix>(@"
public static class Training
{
    public static double Descend(double w, double b)
    {
        double dw = 0, db = 0;
        for (int step = 0; step < 100; step++)
        {
            // one step
            Model.LossBackward(w, b, 1.0, 2.0, 1.0, {|SD2001:ref dw|}, ref db);
            w -= 0.1 * dw;
        }

        return w;
    }
}
" + TestSources.Model, @"
public static class Training
{
    public static double Descend(double w, double b)
    {
        double dw = 0, db = 0;
        for (int step = 0; step < 100; step++)
        {
            dw = 0;
            // one step
            Model.LossBackward(w, b, 1.0, 2.0, 1.0, ref dw, ref db);
            w -= 0.1 * dw;
        }

        return w;
    }
}
" + TestSources.Model);

        [Fact]
        public Task Fix_clears_an_array_with_Array_Clear() => Verifier.CodeFixAsync<MissingGradientResetCodeFix>(@"
using System;

public sealed class Trainer
{
    private readonly double[] _grad = new double[2];

    public void Train(double[] w, double[] x)
    {
        foreach (var _ in new int[10])
        {
            Model.DotBackward(w, x, 1.0, {|SD2001:_grad|});
            w[0] -= 0.1 * _grad[0];
        }
    }
}
" + TestSources.Model, @"
using System;

public sealed class Trainer
{
    private readonly double[] _grad = new double[2];

    public void Train(double[] w, double[] x)
    {
        foreach (var _ in new int[10])
        {
            Array.Clear(_grad);
            Model.DotBackward(w, x, 1.0, _grad);
            w[0] -= 0.1 * _grad[0];
        }
    }
}
" + TestSources.Model);

        [Fact]
        public Task Fix_clears_a_span_and_adds_braces_to_a_loop_without_them() => Verifier.CodeFixAsync<MissingGradientResetCodeFix>(@"
public static class Training
{
    public static void Descend(double[] w, double[] x)
    {
        System.Span<double> g = stackalloc double[2];
        while (Update(w, g))
            Model.DotBackward(w, x, 1.0, {|SD2001:g|});
    }

    private static bool Update(double[] w, System.Span<double> g)
    {
        w[0] -= 0.1 * g[0];
        return w[0] > 0;
    }
}
" + TestSources.Model, @"
public static class Training
{
    public static void Descend(double[] w, double[] x)
    {
        System.Span<double> g = stackalloc double[2];
        while (Update(w, g))
        {
            g.Clear();
            Model.DotBackward(w, x, 1.0, g);
        }
    }

    private static bool Update(double[] w, System.Span<double> g)
    {
        w[0] -= 0.1 * g[0];
        return w[0] > 0;
    }
}
" + TestSources.Model);

        [Fact]
        public Task Fix_all_resets_every_buffer_of_the_loop() => Verifier.CodeFixAsync<MissingGradientResetCodeFix>(@"
public static class Training
{
    public static double Descend(double w, double b)
    {
        double dw = 0, db = 0;
        for (int step = 0; step < 100; step++)
        {
            Model.LossBackward(w, b, 1.0, 2.0, 1.0, {|SD2001:ref dw|}, {|SD2001:ref db|});
            w -= 0.1 * dw;
            b -= 0.1 * db;
        }

        return w + b;
    }
}
" + TestSources.Model, @"
public static class Training
{
    public static double Descend(double w, double b)
    {
        double dw = 0, db = 0;
        for (int step = 0; step < 100; step++)
        {
            dw = 0;
            db = 0;
            Model.LossBackward(w, b, 1.0, 2.0, 1.0, ref dw, ref db);
            w -= 0.1 * dw;
            b -= 0.1 * db;
        }

        return w + b;
    }
}
" + TestSources.Model);
    }
}

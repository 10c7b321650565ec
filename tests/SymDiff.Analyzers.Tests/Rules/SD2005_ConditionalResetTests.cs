using System.Threading.Tasks;
using SymDiff.Analyzers.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Analyzers.Tests.Rules
{
    /// <summary>
    /// SD2005: the gradients are reset only under a condition while the step that consumes them runs on every
    /// iteration. Deliberate gradient accumulation (step and reset under the same condition) is silent.
    /// </summary>
    public sealed class SD2005_ConditionalResetTests
    {
        private const string Id = "SD2005";

        [Fact]
        public Task A_reset_every_fifth_epoch_before_an_unconditional_step_is_reported_at_the_reset() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Training
{
    public static void Train(double[] p)
    {
        double[] g = new double[2];
        var optimizer = new Sgd(p, g, learningRate: 0.1);
        for (int epoch = 0; epoch < 100; epoch++)
        {
            if (epoch % 5 == 0)
            {
                {|#0:optimizer.ZeroGrad()|};
            }

            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0, ref g[0], ref g[1]);
            optimizer.Step();
        }
    }
}
" + TestSources.Model,
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("optimizer.ZeroGrad()", "'epoch % 5 == 0'", "optimizer.Step()"));

        [Fact]
        public Task A_scalar_reset_in_an_else_branch_before_an_update_is_reported() => Verifier.DiagnosticsAsync(@"
public static class Training
{
    public static double Descend(double w, double b)
    {
        double dw = 0, db = 0;
        for (int step = 0; step < 100; step++)
        {
            if (step < 10)
            {
                w += 0;
            }
            else
            {
                {|#0:dw = 0|};
                db = 0;
            }

            Model.LossBackward(w, b, 1.0, 2.0, 1.0, ref dw, ref db);
            w -= 0.1 * dw;
        }

        return w;
    }
}
" + TestSources.Model,
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("dw = 0", "'step < 10' is false", "w -= 0.1 * dw"));

        [Fact]
        public Task Deliberate_accumulation_that_steps_and_resets_together_is_silent() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static class Training
{
    public static void Accumulate(double[] p, double[] xs, double[] ys, int k)
    {
        double[] g = new double[2];
        var optimizer = new Adam(p, g);
        for (int i = 0; i < xs.Length; i++)
        {
            Model.LossBackward(p[0], p[1], xs[i], ys[i], 1.0 / k, ref g[0], ref g[1]);
            Console.WriteLine(g[0]);
            if ((i + 1) % k == 0)
            {
                optimizer.Step();
                optimizer.ZeroGrad();
            }
        }
    }

    public static void TwoIfs(double[] p, int k)
    {
        double[] g = new double[2];
        var optimizer = new Sgd(p, g, 0.1);
        for (int i = 0; i < 100; i++)
        {
            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0 / k, ref g[0], ref g[1]);
            if ((i + 1) % k == 0)
            {
                optimizer.Step();
            }

            if ((i + 1) % k == 0)
            {
                Array.Clear(g);
            }
        }
    }

    public static void Unconditional(double[] p, bool verbose)
    {
        double[] g = new double[2];
        var optimizer = new Sgd(p, g, 0.1);
        for (int i = 0; i < 100; i++)
        {
            if (verbose)
            {
                Console.WriteLine(i);
            }

            optimizer.ZeroGrad();
            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0, ref g[0], ref g[1]);
            optimizer.Step();
        }
    }

    public static void FlagThatNoIterationChanges(double[] p, bool noReset, Options options)
    {
        double[] g = new double[2];
        var optimizer = new Sgd(p, g, 0.1);
        for (int epoch = 0; epoch < 100; epoch++)
        {
            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0, ref g[0], ref g[1]);
            optimizer.Step();
            if (!noReset && !options.NoReset)
            {
                optimizer.ZeroGrad();
            }
        }
    }

    public static void ElementLoopReset(double[] p)
    {
        double[] g = new double[2];
        var optimizer = new Sgd(p, g, 0.1);
        for (int i = 0; i < 100; i++)
        {
            for (int j = 0; j < g.Length; j++)
            {
                g[j] = 0;
            }

            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0, ref g[0], ref g[1]);
            optimizer.Step();
        }
    }
}

public sealed class Options
{
    public bool NoReset { get; set; }
}
" + TestSources.Model);

        [Fact]
        public Task A_condition_on_a_flag_the_loop_changes_counts_as_varying() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Training
{
    public static void Train(double[] p)
    {
        double[] g = new double[2];
        var optimizer = new Sgd(p, g, 0.1);
        bool reset = true;
        for (int epoch = 0; epoch < 100; epoch++)
        {
            if (reset)
            {
                {|#0:optimizer.ZeroGrad()|};
            }

            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0, ref g[0], ref g[1]);
            optimizer.Step();
            reset = !reset;
        }
    }
}
" + TestSources.Model,
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("optimizer.ZeroGrad()", "'reset'", "optimizer.Step()"));
    }
}

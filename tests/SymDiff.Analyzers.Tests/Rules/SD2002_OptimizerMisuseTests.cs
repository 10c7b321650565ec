using System.Threading.Tasks;
using SymDiff.Analyzers.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Analyzers.Tests.Rules
{
    /// <summary>
    /// The optimizer mistakes: SD2002 parameters and gradients are one array; SD2003 a stateful optimizer created in
    /// the loop that steps it; SD2004 gradients reset between the backward pass and the step.
    /// </summary>
    public sealed class SD2002_OptimizerMisuseTests
    {
        [Fact]
        public Task SD2002_the_same_array_twice_is_reported_at_the_gradients_argument() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public sealed class Trainer
{
    private readonly double[] _weights = new double[3];

    public Sgd Make(double[] w) => new Sgd(w, {|#0:w|}, learningRate: 0.1);

    public Adam MakeAdam() => new Adam(_weights, {|#1:gradients: _weights|});
}
",
            Verifier.Diagnostic("SD2002").WithLocation(0).WithArguments("w", "Sgd"),
            Verifier.Diagnostic("SD2002").WithLocation(1).WithArguments("_weights", "Adam"));

        [Fact]
        public Task SD2002_separate_arrays_are_silent() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Trainer
{
    public static Sgd Make(double[] w, double[] g) => new Sgd(w, g, learningRate: 0.1);
}
");

        [Fact]
        public Task SD2003_a_stateful_optimizer_made_in_the_loop_that_steps_it_is_reported() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Trainer
{
    public static void Train(double[] p, double[] g)
    {
        for (int epoch = 0; epoch < 10; epoch++)
        {
            var adam = {|#0:new Adam(p, g, learningRate: 0.01)|};
            Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
            adam.Step();
            adam.ZeroGrad();
        }

        Sgd sgd;
        foreach (var _ in new int[10])
        {
            sgd = {|#1:new Sgd(p, g, 0.1, momentum: 0.9)|};
            sgd.ZeroGrad();
            Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
            sgd.Step();
        }
    }
}
" + TestSources.Model,
            Verifier.Diagnostic("SD2003").WithLocation(0).WithArguments("Adam", "moment estimates and step count start"),
            Verifier.Diagnostic("SD2003").WithLocation(1).WithArguments("Sgd", "momentum buffer starts"));

        [Fact]
        public Task SD2003_stateless_sgd_and_one_optimizer_per_trial_are_silent() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Trainer
{
    public static void Train(double[] p, double[] g, double[] rates)
    {
        for (int epoch = 0; epoch < 10; epoch++)
        {
            var sgd = new Sgd(p, g, 0.1);
            sgd.ZeroGrad();
            Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
            sgd.Step();
        }

        foreach (double rate in rates)
        {
            var adam = new Adam(p, g, rate);
            for (int epoch = 0; epoch < 10; epoch++)
            {
                adam.ZeroGrad();
                Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
                adam.Step();
            }
        }
    }
}
" + TestSources.Model);

        [Fact]
        public Task SD2004_a_reset_right_before_the_step_is_reported_at_the_reset() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static class Trainer
{
    public static void Train(double[] p)
    {
        double[] g = new double[2];
        var optimizer = new Sgd(p, g, 0.1);
        for (int epoch = 0; epoch < 10; epoch++)
        {
            Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
            {|#0:optimizer.ZeroGrad()|};
            optimizer.Step();
        }

        for (int epoch = 0; epoch < 10; epoch++)
        {
            Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
            {|#1:Array.Clear(g)|};
            Console.WriteLine(""stepping"");
            optimizer.Step();
        }
    }
}
" + TestSources.Model,
            Verifier.Diagnostic("SD2004").WithLocation(0).WithArguments("optimizer.ZeroGrad()", "optimizer.Step()"),
            Verifier.Diagnostic("SD2004").WithLocation(1).WithArguments("Array.Clear(g)", "optimizer.Step()"));

        [Fact]
        public Task SD2004_is_silent_when_the_backward_call_between_does_not_compile() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static class Trainer
{
    public static void Train(double[] p, double[] g, Sgd optimizer)
    {
        for (int epoch = 0; epoch < 10; epoch++)
        {
            optimizer.ZeroGrad();
            Model.{|CS7036:LossBackward|}(p[0], p[1], 1.0, ref g[0], ref g[1]);
            optimizer.Step();
        }
    }
}
" + TestSources.Model);

        [Fact]
        public Task SD2004_a_reset_before_the_backward_pass_is_silent() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static class Trainer
{
    public static void Train(double[] p, double[] g, Sgd optimizer)
    {
        for (int epoch = 0; epoch < 10; epoch++)
        {
            optimizer.ZeroGrad();
            Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
            optimizer.Step();
        }

        for (int epoch = 0; epoch < 10; epoch++)
        {
            optimizer.ZeroGrad();
            Accumulate(p, g);
            optimizer.Step();
        }
    }

    public static void PerPoint(double[] p)
    {
        double[] g = new double[2];
        var optimizer = new Sgd(p, g, 0.1);
        for (int epoch = 0; epoch < 10; epoch++)
        {
            // Gradient overwrites the buffer with a fresh gradient: that is not a reset.
            Model.LossGradient(p[0], p[1], 1, 2, out g[0], out g[1]);
            optimizer.Step();
        }
    }

    private static void Accumulate(double[] p, double[] g) => Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);

    public static void ThroughADelegate(double[] p)
    {
        double[] g = new double[2];
        var optimizer = new Sgd(p, g, 0.1);
        Action backward = () => Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
        Func<double> closure = () => { Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]); return 0; };
        for (int epoch = 0; epoch < 10; epoch++)
        {
            // The delegates run the backward pass on the captured buffer: the reset comes before it.
            optimizer.ZeroGrad();
            backward();
            optimizer.Step();
            optimizer.ZeroGrad();
            closure.Invoke();
            optimizer.Step();
            optimizer.ZeroGrad();
            Local();
            optimizer.Step();
        }

        void Local() => Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
    }
}
" + TestSources.Model);
    }
}

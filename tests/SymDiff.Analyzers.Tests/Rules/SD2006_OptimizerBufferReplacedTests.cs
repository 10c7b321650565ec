using System.Threading.Tasks;
using SymDiff.Analyzers.CodeFixes;
using SymDiff.Analyzers.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Analyzers.Tests.Rules
{
    /// <summary>SD2006: an optimizer's gradient or parameter array replaced by a new array while the optimizer keeps the old one.</summary>
    public sealed class SD2006_OptimizerBufferReplacedTests
    {
        private const string Id = "SD2006";

        [Fact]
        public Task Replacing_the_gradients_or_the_parameters_before_a_step_is_reported() => Verifier.DiagnosticsAsync(@"
using SymDiff;

public static class Training
{
    public static void Train(double[] p)
    {
        double[] g = new double[2];
        var optimizer = new Sgd(p, g, learningRate: 0.1);
        for (int epoch = 0; epoch < 100; epoch++)
        {
            {|#0:g = new double[2]|};
            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0, ref g[0], ref g[1]);
            optimizer.Step();
        }
    }

    public static double[] Restart(double[] g)
    {
        double[] p = { 1, 2 };
        var adam = new Adam(p, g);
        adam.Step();
        {|#1:p = new double[] { 0, 0 }|};
        adam.Step();
        return p;
    }
}
" + TestSources.Model,
            Verifier.Diagnostic(Id).WithLocation(0).WithArguments("g", "optimizer", "gradients", "its Step() keeps reading the old array, not the gradients computed into the new one"),
            Verifier.Diagnostic(Id).WithLocation(1).WithArguments("p", "adam", "parameters", "its Step() keeps updating the old array, not the new one"));

        [Fact]
        public Task Replacing_before_the_optimizer_exists_or_after_its_last_step_is_silent() => Verifier.DiagnosticsAsync(@"
using System;
using SymDiff;

public static class Training
{
    public static void Train(double[] p, int epochs)
    {
        double[] g = new double[3];
        g = new double[2];
        var optimizer = new Sgd(p, g, 0.1);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            Array.Clear(g);
            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0, ref g[0], ref g[1]);
            optimizer.Step();
        }

        g = new double[2];
    }

    public static void NewOptimizerEachTrial(double[] p)
    {
        for (int trial = 0; trial < 3; trial++)
        {
            double[] g = new double[2];
            var optimizer = new Sgd(p, g, 0.1 * trial);
            optimizer.Step();
        }
    }
}
" + TestSources.Model);

        [Fact]
        public Task Fix_clears_the_array_the_optimizer_holds() => Verifier.CodeFixAsync<ReplacedBufferCodeFix>(@"
using System;
using SymDiff;

public static class Training
{
    public static void Train(double[] p)
    {
        double[] g = new double[2];
        var optimizer = new Sgd(p, g, learningRate: 0.1);
        for (int epoch = 0; epoch < 100; epoch++)
        {
            {|SD2006:g = new double[2]|};
            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0, ref g[0], ref g[1]);
            optimizer.Step();
        }
    }
}
" + TestSources.Model, @"
using System;
using SymDiff;

public static class Training
{
    public static void Train(double[] p)
    {
        double[] g = new double[2];
        var optimizer = new Sgd(p, g, learningRate: 0.1);
        for (int epoch = 0; epoch < 100; epoch++)
        {
            Array.Clear(g);
            Model.LossBackward(p[0], p[1], 1.0, 2.0, 1.0, ref g[0], ref g[1]);
            optimizer.Step();
        }
    }
}
" + TestSources.Model);
    }
}

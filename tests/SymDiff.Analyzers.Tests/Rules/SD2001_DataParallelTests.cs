using System.Threading.Tasks;
using SymDiff.Analyzers.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Analyzers.Tests.Rules
{
    /// <summary>SD2001 on the runtime's DataParallel.Backward, whose gradient parameter is [Accumulates] like a generated Backward's.</summary>
    public sealed class SD2001_DataParallelTests
    {
        private const string Id = "SD2001";

        private const string Training = @"
using System;
using SymDiff;

public static class Training
{
    public static void Train(double[] xs)
    {
        double[] parameters = { 0.0 };
        double[] gradients = new double[1];
        var optimizer = new Sgd(parameters, gradients, learningRate: 0.1);
        var parallel = new DataParallel(1, 2);
        var plan = ShardPlan.Even(xs.Length, 8);
        ShardBackward backward = (start, end, g) =>
        {
            for (int i = start; i < end; i++)
            {
                g[0] += parameters[0] - xs[i];
            }
        };

        for (int epoch = 0; epoch < 100; epoch++)
        {
            RESET
            parallel.Backward(plan, backward, GRADIENTS);
            optimizer.Step();
        }
    }
}
";

        [Fact]
        public Task Epoch_loop_without_zero_grad_around_DataParallel_Backward_is_reported() =>
            Verifier.DiagnosticsAsync(
                Training.Replace("RESET", string.Empty).Replace("GRADIENTS", "{|#0:gradients|}"),
                Verifier.Diagnostic(Id).WithLocation(0).WithArguments("gradients").WithOptions(Microsoft.CodeAnalysis.Testing.DiagnosticOptions.IgnoreAdditionalLocations));

        [Fact]
        public Task Epoch_loop_with_zero_grad_is_silent() =>
            Verifier.DiagnosticsAsync(Training.Replace("RESET", "optimizer.ZeroGrad();").Replace("GRADIENTS", "gradients"));
    }
}

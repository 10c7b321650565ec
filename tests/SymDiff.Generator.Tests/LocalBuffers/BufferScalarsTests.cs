using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>
    /// A small local buffer used only at constant indices is one local per element (Lowering/BufferScalars), so its
    /// elements may be written again, as locals may: <c>b[0] = v[0]; b[0] *= v[1];</c> was SD1000 ("an element is
    /// written twice"). Values are the user's method's bit for bit, gradients central differences of it.
    /// </summary>
    public class BufferScalarsTests
    {
        private const string Source = @"
using System;
using SymDiff;
public static partial class Bs
{
    // Straight-line rewrites of elements, one in a branch (a trial user's three-line method, grown).
    [Differentiable(Hessian = true)]
    public static double Rewritten(ReadOnlySpan<double> v, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> b = stackalloc double[3];
        b[0] = v[0];
        b[0] *= v[1];
        b[1] = b[0] + v[2];
        if (x[0] > 0)
        {
            b[1] -= v[2] * b[0];
        }

        b[2] += Math.Sin(b[1]);
        return b[0] * b[1] + b[2];
    }

    // Read before written (a buffer starts at zero), accumulated in a loop at a constant index, declared in a loop.
    [Differentiable(Hessian = true)]
    public static double Accumulated(ReadOnlySpan<double> v, [NoGrad] ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double[] m = new double[2];
            double r = m[1] * v[0];
            m[1] = v[1] * x[i] + r;
            m[0] = m[1] * m[1];
            m[1] = Math.Exp(-m[0]);
            s += m[0] + m[1];
        }

        return s;
    }

    // Declared before the time loop (stackalloc outside loops, as C# asks) and partly rewritten each step: a recurrent
    // state whose elements are carried locals (it was SD1000: a state not refilled completely).
    [Differentiable(Hessian = true)]
    public static double Carried(ReadOnlySpan<double> v, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> state = stackalloc double[2];
        state[0] = v[0];
        double loss = 0;
        for (int t = 0; t < x.Length; t++)
        {
            loss += state[0] * state[1];
            state[1] = Math.Tanh(v[1] * state[1] + x[t]);
            state[0] *= v[2];
        }

        return loss;
    }
}";

        private const string Point = "new double[] { 0.7, -1.3, 0.4 }";

        [Theory]
        [InlineData("Rewritten", "new double[] { 1.0, -2.0 }")]
        [InlineData("Rewritten", "new double[] { -1.0 }")]
        [InlineData("Accumulated", "new double[] { 0.5, -0.25, 1.5 }")]
        [InlineData("Carried", "new double[] { 0.5, -0.25, 1.5, 0.75 }")]
        public void Gradient_backward_and_derivative_match_central_differences(string method, string data) =>
            ModelChecks.GradientBackwardAndDerivative(Source, "Bs", method, Point, data);

        [Theory]
        [InlineData("Rewritten", "new double[] { 1.0, -2.0 }")]
        [InlineData("Accumulated", "new double[] { 0.5, -0.25, 1.5 }")]
        [InlineData("Carried", "new double[] { 0.5, -0.25, 1.5, 0.75 }")]
        public void Hessian_matches_differences_of_the_gradient(string method, string data) =>
            ModelChecks.HessianMatchesDifferencesOfTheGradient(Source, "Bs", method, Point, data + ", ", method + " Hessian");

        /// <summary>The generated methods keep no array for such a buffer: its elements are locals named after it.</summary>
        [Fact]
        public void The_elements_are_locals_named_after_the_buffer()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            string text = output.GeneratedSources.Single(s => s.HintName == "Bs.Rewritten.g.cs").Text;
            Assert.DoesNotContain("stackalloc", text, StringComparison.Ordinal);
            Assert.Contains("double b0 = ", text, StringComparison.Ordinal);
        }
    }
}

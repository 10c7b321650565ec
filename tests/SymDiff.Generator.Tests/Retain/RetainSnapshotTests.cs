using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Retain
{
    /// <summary>The generated code of methods that retain locals with <c>Grad.Retain</c> (PyTorch's <c>retain_grad()</c>).</summary>
    public sealed class RetainSnapshotTests
    {
        /// <summary>The PyTorch tutorial's graph: a = w + x retained, b = w + 1, y = a * b.</summary>
        [Fact]
        public void Tutorial()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                using SymDiff;
                public static partial class Autograd
                {
                    [Differentiable]
                    public static double Y(double w, double x)
                    {
                        double a = Grad.Retain(w + x);
                        double b = w + 1;
                        return a * b;
                    }
                }
                """);

            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        /// <summary>A retained local in a branch, one that is re-assigned, and a vector function.</summary>
        [Fact]
        public void Branch_and_vector()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
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
                            s = Grad.Retain(h * h);
                        }

                        h = h * 3;
                        return s + h;
                    }

                    [Differentiable]
                    public static void B(ReadOnlySpan<double> x, ReadOnlySpan<double> y, ReadOnlySpan<double> z, Span<double> b)
                    {
                        double a0 = Grad.Retain(x[0] + 2 * y[0]);
                        double a1 = Grad.Retain(x[1] + 2 * y[1]);
                        b[0] = a0 + z[0] / 2;
                        b[1] = a1 + z[1] / 2;
                    }
                }
                """);

            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

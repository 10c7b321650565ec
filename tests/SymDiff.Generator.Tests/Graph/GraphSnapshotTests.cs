using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Graph
{
    /// <summary>
    /// The text of the generated <c>FGraph</c> constant (PyTorch's <c>grad_fn</c> and <c>is_leaf</c>), snapshot-tested for
    /// a scalar method, a loop and a call; it is part of each method's generated file.
    /// </summary>
    public sealed class GraphSnapshotTests
    {
        /// <summary>The tutorial's graph, with a retained and a detached value and a [NoGrad] parameter.</summary>
        [Fact]
        public void Scalar()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                using System;
                using SymDiff;
                public static partial class Autograd
                {
                    [Differentiable]
                    public static double Y(double w, double x, [NoGrad] double scale)
                    {
                        double a = Grad.Retain(w + x);
                        double b = w + 1;
                        double c = Grad.Detach(a) * scale;
                        double y = a * b;
                        if (x > 0)
                        {
                            y = y + Math.Sin(c * x);
                        }

                        return y;
                    }
                }
                """);

            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        /// <summary>A fused accumulation and a recurrence, over [NoGrad] data.</summary>
        [Fact]
        public void Loop()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                using System;
                using SymDiff;
                public static partial class Fit
                {
                    [Differentiable]
                    public static double Loss(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
                    {
                        double sum = 0;
                        double p = 1;
                        for (int i = 0; i < x.Length; i++)
                        {
                            double r = y[i] - (w * x[i] + b);
                            sum += r * r;
                            p = p * Math.Tanh(w + x[i]);
                        }

                        return sum / x.Length + p;
                    }
                }
                """);

            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        /// <summary>Calls of another [Differentiable] method, one with a span argument, and a vector function.</summary>
        [Fact]
        public void Call()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                using System;
                using SymDiff;
                public static partial class Net
                {
                    [Differentiable] public static double Sq(double v) => v * v;

                    [Differentiable]
                    public static double Dot(ReadOnlySpan<double> a, [NoGrad] ReadOnlySpan<double> b)
                    {
                        double s = 0;
                        for (int i = 0; i < a.Length; i++) { s += a[i] * b[i]; }
                        return s;
                    }

                    [Differentiable]
                    public static void Layer(double w, ReadOnlySpan<double> v, [NoGrad] ReadOnlySpan<double> u, Span<double> o)
                    {
                        double h = Sq(w) + Dot(v, u);
                        o[0] = Math.Exp(-h);
                        o[1] = (float)h > 1 ? h : 2 * h;
                    }
                }
                """);

            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }
    }
}

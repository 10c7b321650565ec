using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>
    /// SD1006 for a local buffer carried by a loop (a recurrent state, a stencil repeated over sweeps): lowering keeps one
    /// version of it per iteration in a pooled history of (iterations + 1) x length elements, which the diagnostic reports
    /// at the loop keyword as it reports the scalars a loop stores.
    /// </summary>
    public sealed class HistoryStorageDiagnosticTests
    {
        private const string Heat = @"
using System;
using SymDiff;
public static partial class H
{
    [Differentiable]
    public static double Heat(ReadOnlySpan<double> u0, double alpha, int sweeps)
    {
        Span<double> a = stackalloc double[u0.Length];
        for (int i = 0; i < a.Length; i++) a[i] = u0[i];
        for (int s = 0; s < sweeps; s++)
            for (int i = 1; i < a.Length - 1; i++)
                a[i] = a[i] + alpha * (a[i - 1] - 2 * a[i] + a[i + 1]);
        double e = 0; for (int i = 0; i < a.Length; i++) e += a[i] * a[i];
        return e;
    }
}";

        [Fact]
        public void SD1006_reports_the_history_of_a_buffer_swept_in_place_at_the_sweep_loop()
        {
            var output = GeneratorRunner.Run(Heat);
            GeneratorRunner.AssertCleanCompile(output);
            var diagnostic = Assert.Single(output.GeneratorDiagnostics, d => d.Id == "SD1006");
            Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
            string tree = diagnostic.Location.SourceTree!.ToString();
            var span = diagnostic.Location.SourceSpan;
            Assert.Equal("for", tree.Substring(span.Start, span.Length));
            Assert.StartsWith("for (int s = 0;", tree.Substring(span.Start), System.StringComparison.Ordinal);
            string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("the local buffer 'a' (u0.Length double elements)", message, System.StringComparison.Ordinal);
            Assert.Contains("a history of (iterations + 1) x u0.Length elements, 8 bytes each", message, System.StringComparison.Ordinal);
            Assert.Contains("'Heat'", message, System.StringComparison.Ordinal);
        }

        [Fact]
        public void SD1006_reports_a_recurrent_state_but_not_a_tape_the_scheduler_removes_as_unread()
        {
            // An Elman RNN: the state's history is reported; the carried loss, stored for a recomputation that turns out
            // dead and removed with its stores by the scheduler (no lossTape in the generated code), is not.
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class H
{
    [Differentiable(Hessian = true)]
    public static double Rnn(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> xs)
    {
        const int H = 2;
        Span<double> state = stackalloc double[H];
        Span<double> next = stackalloc double[H];
        double loss = 0;
        for (int t = 0; t < xs.Length; t++)
        {
            for (int j = 0; j < H; j++)
            {
                double a = p[H + j] * xs[t];
                for (int k = 0; k < H; k++)
                {
                    a += p[2 * H + j * H + k] * state[k];
                }

                next[j] = Math.Tanh(a);
            }

            for (int j = 0; j < H; j++)
            {
                state[j] = next[j];
                loss += state[j] * xs[t];
            }
        }

        return loss + state[0] * state[1];
    }
}");
            GeneratorRunner.AssertCleanCompile(output);
            Assert.DoesNotContain(output.GeneratedSources, s => s.Text.Contains("lossTape", System.StringComparison.Ordinal));
            var diagnostic = Assert.Single(output.GeneratorDiagnostics, d => d.Id == "SD1006");
            string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("the local buffer 'state' (2 double elements)", message, System.StringComparison.Ordinal);
            Assert.DoesNotContain("loss", message, System.StringComparison.Ordinal);
        }

        [Fact]
        public void SD1006_is_silent_on_a_buffer_refilled_by_each_iteration_that_nothing_carries()
        {
            // A hidden layer refilled by each sample and read only in that sample: moved into the loop, no history.
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class H
{
    [Differentiable]
    public static double Layer(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[3];
        double loss = 0;
        for (int s = 0; s < x.Length; s++)
        {
            for (int j = 0; j < 3; j++)
            {
                h[j] = Math.Tanh(w[j] * x[s]);
            }

            loss += h[0] * h[1] - h[2];
        }

        return loss;
    }
}");
            GeneratorRunner.AssertCleanCompile(output);
            Assert.DoesNotContain(output.GeneratorDiagnostics, d => d.Id == "SD1006");
        }
    }
}

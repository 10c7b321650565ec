using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.LocalBuffers
{
    /// <summary>What local buffers do not support yet is an error at the method or the construct, never wrong code.</summary>
    public sealed class LocalBufferDiagnosticsTests
    {
        private static string InP(string body, string attribute = "[Differentiable]") => $$"""
            using System;
            using SymDiff;

            public static partial class P
            {
                {{attribute}}
                public static double F(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, [NoGrad] int n)
                {
            {{body}}
                }
            }
            """;

        private static Diagnostic SingleError(string source, string id)
        {
            GeneratorOutput output = GeneratorRunner.Run(source);
            Assert.Null(output.Result.Exception);
            var errors = output.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            return Assert.Single(errors, d => d.Id == id);
        }

        [Fact]
        public void An_update_in_place_that_reads_a_constant_index_is_SD1000_naming_the_buffer()
        {
            // A stencil pass that reads h[2] (a constant index) besides its left neighbour: which version h[2] is depends on
            // j, so no version can be given to it statically. h[j] = (h[j - 1] + h[j + 1]) / 2 is supported (StencilTests).
            var d = SingleError(InP("""
                        Span<double> h = stackalloc double[4];
                        for (int j = 0; j < 4; j++)
                        {
                            h[j] = w[j] * x[0];
                        }

                        for (int j = 1; j < 3; j++)
                        {
                            h[j] = 0.5 * (h[j - 1] + h[2]);
                        }

                        return h[0] * h[1] + h[2];
                """), "SD1000");
            string message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("overwriting elements of the local buffer 'h'", message, System.StringComparison.OrdinalIgnoreCase);
            Assert.Contains("write each element once", message, System.StringComparison.Ordinal);
            Assert.Contains("sweeps it in place over a range by 1", message, System.StringComparison.Ordinal);
        }

        [Fact]
        public void A_recurrent_state_carried_across_iterations_but_not_refilled_completely_is_SD1000_saying_so()
        {
            // A state each time step reads and then partly overwrites (element 1 only): the history that a complete refill
            // gets (CarriedStateTests) does not apply, so the message names the recurrence and the scalar workaround. (Of a
            // length known only at run time: a small buffer of constant length used at constant indices would be one
            // local per element, carried by the loop; BufferScalarsTests.)
            var d = SingleError(InP("""
                        Span<double> state = new double[x.Length + 2];
                        state[0] = w[0];
                        double loss = 0;
                        for (int t = 0; t < x.Length; t++)
                        {
                            loss += state[0] * state[1];
                            state[1] = Math.Tanh(w[1] * state[1] + x[t]);
                        }

                        return loss;
                """), "SD1000");
            string message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("local buffer carried from one loop iteration to the next ('state'", message, System.StringComparison.Ordinal);
            Assert.Contains("scalar locals", message, System.StringComparison.Ordinal);

            // At the loop over time steps (its keyword), not at the method's name.
            var span = d.Location.SourceSpan;
            Assert.Equal("for", d.Location.SourceTree!.ToString().Substring(span.Start, span.Length));
            Assert.Contains("for (int t = 0", d.Location.SourceTree!.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString(), System.StringComparison.Ordinal);
        }

        [Fact]
        public void A_buffer_declared_before_the_sample_loop_and_refilled_by_a_sweep_that_reads_a_later_element_is_SD1000()
        {
            // Element 0 keeps the previous sample's value (j starts at 1), and each sample reads h[j + 1] before it stores
            // h[j + 1] again, at a step of 2 (red-black order): a carried buffer that is neither refilled completely nor
            // swept by 1 over a range (StencilTests), so SD1000, naming the shapes that work.
            var d = SingleError(InP("""
                        Span<double> h = stackalloc double[4];
                        double loss = 0;
                        for (int s = 0; s < x.Length; s++)
                        {
                            for (int j = 1; j < 3; j += 2)
                            {
                                h[j] = Math.Tanh(w[j] * x[s] + h[j - 1] + h[j + 1]);
                            }

                            loss += h[2];
                        }

                        return loss;
                """), "SD1000");
            string message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("overwriting elements of the local buffer 'h'", message, System.StringComparison.OrdinalIgnoreCase);
            Assert.Contains("sweeps it in place over a range by 1", message, System.StringComparison.Ordinal);
            Assert.Contains("copies it back (Jacobi)", message, System.StringComparison.Ordinal);
        }

        [Fact]
        public void Jacobi_sweeps_that_swap_buffers_by_parity_are_SD1000_suggesting_the_copy_back()
        {
            // Each sweep writes the interior of one buffer from the other, alternating: two buffers carried with
            // conditional refills. The message names the copy-back form (StencilTests.Jacobi), which works.
            var d = SingleError(InP("""
                        Span<double> a = stackalloc double[5];
                        Span<double> b = stackalloc double[5];
                        for (int i = 0; i < 5; i++)
                        {
                            a[i] = w[i];
                            b[i] = w[i];
                        }

                        for (int s = 0; s < n; s++)
                        {
                            if (s % 2 == 0)
                            {
                                for (int i = 1; i < 4; i++)
                                {
                                    b[i] = 0.5 * (a[i - 1] + a[i + 1]);
                                }
                            }
                            else
                            {
                                for (int i = 1; i < 4; i++)
                                {
                                    a[i] = 0.5 * (b[i - 1] + b[i + 1]);
                                }
                            }
                        }

                        return a[2] * b[2];
                """), "SD1000");
            string message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("overwriting elements of the local buffer", message, System.StringComparison.OrdinalIgnoreCase);
            Assert.Contains("copies it back (Jacobi)", message, System.StringComparison.Ordinal);
        }

        [Fact]
        public void A_buffer_declared_before_the_sample_loop_and_refilled_completely_by_each_sample_compiles_cleanly()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("""
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
                """));
            GeneratorRunner.AssertCleanCompile(output);
        }

        [Fact]
        public void A_buffer_declared_before_the_sample_loop_with_constant_data_read_after_it_compiles_cleanly()
        {
            // Fuzzer seed 13 program 942: a static readonly field read after the loop (C# text in the IR) was taken
            // for a mention of the buffer, so the buffer was not moved into the loop, and its refill was SD1000.
            GeneratorOutput output = GeneratorRunner.Run("""
                using System;
                using SymDiff;

                public static partial class P
                {
                    internal static readonly double Offset = 1.5;

                    [Differentiable]
                    public static double F(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
                    {
                        Span<double> h = stackalloc double[2];
                        double loss = 0;
                        for (int s = 0; s < x.Length; s++)
                        {
                            for (int j = 0; j < 2; j++)
                            {
                                h[j] = Math.Tanh(w[j] * x[s]);
                            }

                            loss += h[0] * h[1];
                        }

                        return loss + Offset;
                    }
                }
                """);
            GeneratorRunner.AssertCleanCompile(output);
        }

        [Fact]
        public void The_same_layer_written_once_per_element_compiles_cleanly()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                        Span<double> h = stackalloc double[3];
                        for (int j = 0; j < 3; j++)
                        {
                            double a = 0;
                            for (int k = 0; k < x.Length; k++)
                            {
                                a += w[j] * x[k];
                            }

                            h[j] = a;
                        }

                        return h[0] * h[1] + h[2];
                """));
            GeneratorRunner.AssertCleanCompile(output);
        }

        [Theory]
        // (A read at an index from a loop keeps h an array: used only at constant indices, it would be one local per element.)
        [InlineData("h[0] = w[0]; h[0] = h[0] * w[1];\ndouble z = 0; for (int i = 0; i < 3; i++) { z += h[i]; }", "an element is written twice")]
        [InlineData("for (int i = 0; i < 3; i++) { h[i] = w[i]; }\nh[1] = w[2] * h[0];", "it is written by a loop and by another store, and read before the last of them")]
        [InlineData("for (int i = 0; i < 3; i++) { h[i] = w[i]; h[(i + 1) % 3] = h[i] * w[i]; }", "the loop that fills it stores into it more than once per iteration")]
        [InlineData("for (int i = 0; i < 3; i++) { h[2 - i] = w[i] * h[i]; }", "at an index other than its loop's counter plus a constant")]
        [InlineData("h[n % 3] = w[0];\nh[1] = h[n % 3] * w[1];", "not a constant")]
        [InlineData("double r = h[1] * w[0];\nh[1] = w[1] + r;\nh[2] = w[2];\ndouble z = 0; for (int i = 0; i < 3; i++) { z += h[i]; }", "it is read before the statement that writes it")]
        [InlineData("for (int i = 0; i < 2; i++) { h[i] = w[i] * (h[i + 1] + 1.0); }\nh[2] = w[2];", "it is written by a loop and by another store, and read before the last of them")]
        [InlineData("for (int i = 0; i < 3; i++) { h[i] = w[i] * (h[(i + 1) % 3] + 1.0); }", "at an element that loop may not have written yet")]
        [InlineData("for (int i = 0; i < 3; i++) { h[i] = w[i] * (i < 2 ? h[i + 1] : 1.0); }", "at an element that loop may not have written yet")]
        [InlineData("for (int i = 0; i < 2; i++) { h[i] = w[i]; }\nfor (int i = 0; i < 2; i++) { h[1 + i] = w[i + 1]; }", "it is written by a loop and by another store")] // overlapping fills
        [InlineData("for (int i = 0; i < 2; i++) { h[i] = w[i]; }\ndouble r = h[2];\nfor (int i = 0; i < 1; i++) { h[2 + i] = w[2] * r; }", "it is written by a loop and by another store")] // a read between fills
        public void Other_overwrites_are_SD1000_saying_why(string writes, string why)
        {
            var d = SingleError(InP("Span<double> h = stackalloc double[3];\n" + writes + "\nreturn h[0] + h[1] * h[2];"), "SD1000");
            Assert.Contains(why, d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        }

        /// <summary>The text of the statement or expression a diagnostic is at.</summary>
        private static string At(Diagnostic d) => d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length);

        // User study: a buffer filled in a loop, then refilled element by element in a nested loop over steps and read
        // there, was SD1000 at the method's name with no statement and a vague reason.
        [Theory]
        [InlineData("h[j] = Math.Tanh(h[j] + h[0])", "for (int j = 0; j < n; j++)")]
        [InlineData("h[j] = h[j] + 0.1 * h[j - 1]", "for (int j = n - 1; j > 0; j--)")]
        public void A_buffer_refilled_in_a_nested_loop_over_steps_is_SD1000_at_the_refill_saying_why_and_what_is_supported(string refill, string loop)
        {
            var d = SingleError(InP($$"""
                        double[] h = new double[n];
                        for (int i = 0; i < n; i++) h[i] = w[i];
                        for (int s = 0; s < 3; s++)
                        {
                            {{loop}}
                            {
                                {{refill}};
                            }
                        }

                        double sum = 0;
                        for (int i = 0; i < n; i++) sum += h[i] * h[i];
                        return sum;
                """), "SD1000");
            string message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(refill, At(d));
            Assert.Contains("Overwriting elements of the local buffer 'h' (this assignment, inside a loop nested in another loop, overwrites elements that an earlier iteration wrote (other stores write it too), and those values are read)", message, System.StringComparison.Ordinal);
            Assert.Contains("a loop at the top level of its body that rewrites every element", message, System.StringComparison.Ordinal);
            Assert.Contains("sweeps it in place over a range by 1", message, System.StringComparison.Ordinal);
            Assert.Contains("no fixed element such as h[0]", message, System.StringComparison.Ordinal);
        }

        [Fact]
        public void A_buffer_swept_in_place_by_1_in_a_loop_over_steps_compiles_cleanly()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                        double[] h = new double[n];
                        for (int i = 0; i < n; i++) h[i] = w[i];
                        for (int s = 0; s < 3; s++)
                        {
                            for (int j = 1; j < h.Length; j++)
                            {
                                h[j] = h[j] * 0.5 + Math.Sin(h[j - 1]);
                            }
                        }

                        double sum = 0;
                        for (int i = 0; i < n; i++) sum += h[i] * h[i];
                        return sum;
                """));
            GeneratorRunner.AssertCleanCompile(output);
        }

        // User study: two stores per loop step, read inside that loop, was SD1000 at the method's name.
        [Fact]
        public void Two_stores_per_step_read_inside_the_filling_loop_are_SD1000_at_the_second_store_naming_the_supported_forms()
        {
            var d = SingleError(InP("""
                        double[] h = new double[2 * w.Length];
                        double sum = 0;
                        for (int i = 0; i < w.Length; i++)
                        {
                            h[2 * i] = Math.Sin(w[i]);
                            h[2 * i + 1] = Math.Cos(w[i]);
                            sum += h[2 * i] * h[2 * i + 1];
                        }

                        return sum;
                """), "SD1000");
            string message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal("h[2 * i + 1] = Math.Cos(w[i])", At(d));
            Assert.Contains("(the loop that fills it stores into it more than once per iteration, and it is read before that loop has ended)", message, System.StringComparison.Ordinal);
            Assert.Contains("supported: a loop that stores into it once per iteration at its counter plus a constant", message, System.StringComparison.Ordinal);
            Assert.Contains("when nothing reads the buffer until the statement holding all of them has ended", message, System.StringComparison.Ordinal);
        }

        [Fact]
        public void Two_stores_per_step_read_after_the_filling_loop_compile_cleanly()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                        double total = 0;
                        for (int r = 0; r < n; r++)
                        {
                            double[] h = new double[2 * w.Length];
                            for (int i = 0; i < w.Length; i++)
                            {
                                h[2 * i] = Math.Sin(w[i] * r);
                                h[2 * i + 1] = Math.Cos(w[i] * r);
                            }

                            for (int k = 0; k < h.Length; k++) total += h[k] * h[k];
                        }

                        return total;
                """));
            GeneratorRunner.AssertCleanCompile(output);
        }

        [Fact]
        public void Passing_a_filled_local_buffer_to_a_differentiable_method_compiles_cleanly()
        {
            GeneratorOutput output = GeneratorRunner.Run(InP("""
                        double[] h = new double[2];
                        h[0] = w[0];
                        h[1] = w[1];
                        return G(h);
                    }

                    [Differentiable]
                    public static double G(ReadOnlySpan<double> v)
                    {
                        return v[0] * v[1];
                """));
            GeneratorRunner.AssertCleanCompile(output);
        }

        [Theory]
        [InlineData("public static double G(ReadOnlySpan<double> v) => v[0] * v[1];", "not [Differentiable]")]
        [InlineData("[Differentiable] public static double G(Span<double> v) => v[0] * v[1];", "a Span parameter")]
        public void Passing_a_local_buffer_to_anything_but_a_ReadOnlySpan_parameter_of_a_differentiable_method_is_SD1000_at_the_argument(string callee, string why)
        {
            var d = SingleError(InP($$"""
                        double[] h = new double[2];
                        h[0] = w[0];
                        h[1] = w[1];
                        return G(h);
                    }

                    {{callee}}

                    public static void Unused()
                    {
                """), "SD1000");
            Assert.Contains("Using the local buffer 'h' as a value", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
            Assert.True(d.Location.SourceTree!.ToString().Substring(d.Location.SourceSpan.Start, d.Location.SourceSpan.Length) == "h", why);
        }

        [Theory]
        [InlineData("""
                        h[0] = w[0];
                        double a = G(h);
                        h[1] = w[1];
                        return a + h[1];
            """)]
        [InlineData("""
                        double a = 0;
                        for (int j = 0; j < 2; j++)
                        {
                            h[j] = w[j] * x[j];
                            a += G(h);
                        }

                        return a;
            """)]
        public void Passing_a_local_buffer_before_every_store_into_it_is_done_is_SD1000(string body)
        {
            // The callee would read elements that are written later: its backward, run in the reverse sweep, would see
            // the final values instead.
            var d = SingleError(InP("""
                        double[] h = new double[2];
                """ + body + """
                    }

                    [Differentiable]
                    public static double G(ReadOnlySpan<double> v)
                    {
                        return v[0] * v[1];
                """), "SD1000");
            Assert.Contains("passed to a method before every store into it is done", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        }

        [Fact]
        public void A_length_from_an_int_local_that_is_assigned_again_is_SD1000_at_the_length()
        {
            // m is known at the start, but it changes before the buffer is declared: the value at the top is not the length.
            var d = SingleError(InP("""
                        int m = w.Length;
                        m++;
                        double[] h = new double[m];
                        h[0] = w[0];
                        return h[0];
                """), "SD1000");
            Assert.Contains("The length 'm' of the local buffer 'h'", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        }

        [Fact]
        public void A_length_that_is_not_known_at_the_start_is_SD1000_at_the_length()
        {
            var d = SingleError(InP("""
                        int m = (int)w[0];
                        double[] h = new double[m];
                        h[0] = w[0];
                        return h[0];
                """), "SD1000");
            Assert.Contains("The length 'm' of the local buffer 'h'", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), System.StringComparison.Ordinal);
        }
    }
}

using System;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.Loops;
using Xunit;

namespace SymDiff.Generator.Tests.Vectorize
{
    /// <summary>SD1023: under <c>Vectorize = true</c>, a loop that stays scalar says which loop and why, at the loop keyword.</summary>
    public class VectorizeDiagnosticTests
    {
        private const string Sine = @"
using System;
using SymDiff;
public static partial class S
{
    [Differentiable(Vectorize = true)]
    public static double Waves(ReadOnlySpan<double> x, double a)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            s += Math.Sin(a * x[i]);
        }

        return s;
    }
}";

        [Fact]
        public void SD1023_names_the_loop_and_the_function_without_a_vector_form()
        {
            var output = GeneratorRunner.Run(Sine);
            GeneratorRunner.AssertCleanCompile(output);
            var found = output.GeneratorDiagnostics.Where(d => d.Id == "SD1023").ToList();
            Assert.NotEmpty(found);
            foreach (var diagnostic in found)
            {
                Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
                Assert.Equal("for", diagnostic.Location.SourceTree!.ToString().Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
                string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
                Assert.Contains("The loop over 'i' of 'Waves' stays scalar", message, StringComparison.Ordinal);
                Assert.Matches(@"Math\.(Sin|Cos) has no vector form in SymDiff$", message);
                Assert.EndsWith("docs/diagnostics/SD1023.md", diagnostic.Descriptor.HelpLinkUri, StringComparison.Ordinal);
            }

            // The loop over 'i' stays scalar: no lanes compute a sine or cosine (a zeroing loop of the gradient may run in lanes).
            var lines = string.Join("\n", output.GeneratedSources.Select(s => s.Text)).Split('\n');
            Assert.DoesNotContain(lines, line => line.Contains("Vector256", StringComparison.Ordinal) && (line.Contains("Sin", StringComparison.Ordinal) || line.Contains("Cos", StringComparison.Ordinal)));
            Assert.Contains(lines, line => line.Contains("Math.Sin(", StringComparison.Ordinal));
        }

        [Fact]
        public void SD1023_for_a_reverse_sweep_of_its_own_points_at_the_users_loop()
        {
            // Two sums multiplied: the reverse sweep is a loop of its own (it needs both totals), and it stays scalar
            // (Math.Cos); its SD1023 was reported at the method's name, now at the user's 'for' as the forward loop's.
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable(Vectorize = true)]
    public static double Product(ReadOnlySpan<double> x)
    {
        double acc = 0, prod = 0;
        for (int i = 0; i < x.Length; i++)
        {
            acc += Math.Sin(x[i]);
            prod += x[i] * x[i];
        }

        return acc * prod;
    }
}");
            GeneratorRunner.AssertCleanCompile(output);
            var found = output.GeneratorDiagnostics.Where(d => d.Id == "SD1023").ToList();
            Assert.Contains(found, d => d.GetMessage(CultureInfo.InvariantCulture).Contains("Math.Cos has no vector form", StringComparison.Ordinal));
            foreach (var diagnostic in found)
            {
                Assert.Equal("for", diagnostic.Location.SourceTree!.ToString().Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
            }
        }

        [Fact]
        public void SD1023_says_when_the_target_framework_lacks_the_vector_APIs()
        {
            // A compilation whose System.Runtime.Intrinsics.Vector256 has none of the members the lanes use (as a
            // netstandard2.0 project has no such type at all): every loop stays scalar and says why.
            const string shadow = @"
namespace System.Runtime.Intrinsics
{
    internal static class Vector256
    {
    }
}";
            var output = GeneratorRunner.Run(VectorizeSnapshotTests.LinearRegression, shadow);
            var diagnostic = output.GeneratorDiagnostics.First(d => d.Id == "SD1023");
            Assert.Contains("the target framework has no System.Runtime.Intrinsics.Vector256", diagnostic.GetMessage(CultureInfo.InvariantCulture), StringComparison.Ordinal);
            Assert.DoesNotContain("Vector256", string.Join("\n", output.GeneratedSources.Select(s => s.Text)), StringComparison.Ordinal);
        }

        [Fact]
        public void SD1023_says_that_tanh_needs_the_vector_Exp_of_NET_9()
        {
            // A compilation with the lanes' members (as net8.0 has them) but no Vector256.Exp/Log: the tanh loop stays scalar.
            const string net8 = @"
namespace System.Runtime.Intrinsics
{
    internal static class Vector256
    {
        public static bool IsHardwareAccelerated => false;
        public static Vector256<T> Create<T>(System.ReadOnlySpan<T> values) => default;
        public static void CopyTo<T>(Vector256<T> vector, System.Span<T> destination) { }
        public static T Sum<T>(Vector256<T> vector) => default!;
    }
}";
            var output = GeneratorRunner.Run(VectorizeSnapshotTests.TanhLayer, net8);
            var messages = output.GeneratorDiagnostics.Where(d => d.Id == "SD1023").Select(d => d.GetMessage(CultureInfo.InvariantCulture)).ToList();
            Assert.Contains(messages, m => m.Contains("The loop over 'i' of 'Layer' stays scalar", StringComparison.Ordinal)
                && m.EndsWith("Math.Tanh has no vector form in the target framework (SymDiff's vector Tanh is built on Vector256.Exp, which needs .NET 9 or later)", StringComparison.Ordinal));
            Assert.DoesNotContain("VectorTanh", string.Join("\n", output.GeneratedSources.Select(s => s.Text)), StringComparison.Ordinal);
        }

        [Theory]
        [InlineData(VectorizeSnapshotTests.TanhLayer)]
        [InlineData(VectorizeSnapshotTests.LinearRegression)]
        [InlineData(VectorizeSnapshotTests.LogisticRegression)]
        [InlineData(VectorizeSnapshotTests.Softplus)]
        [InlineData(VectorizeSnapshotTests.Rosenbrock)]
        [InlineData(VectorizeSnapshotTests.PolyMse)]
        public void SD1023_is_silent_when_every_innermost_loop_vectorises(string source)
        {
            var output = GeneratorRunner.Run(source);
            GeneratorRunner.AssertCleanCompile(output);
            Assert.DoesNotContain(output.GeneratorDiagnostics, d => d.Id == "SD1023");
            Assert.Contains("Vector256", string.Join("\n", output.GeneratedSources.Select(s => s.Text)), StringComparison.Ordinal);
        }

        [Fact]
        public void Without_Vectorize_there_are_no_lanes_and_no_SD1023()
        {
            var output = GeneratorRunner.Run(Sine.Replace("(Vectorize = true)", string.Empty, StringComparison.Ordinal), VectorizeSnapshotTests.LinearRegression.Replace("(Vectorize = true)", string.Empty, StringComparison.Ordinal));
            GeneratorRunner.AssertCleanCompile(output);
            Assert.DoesNotContain(output.GeneratorDiagnostics, d => d.Id == "SD1023");
            Assert.DoesNotContain("Vector256", string.Join("\n", output.GeneratedSources.Select(s => s.Text)), StringComparison.Ordinal);
        }

        [Fact]
        public void Vector_functions_vectorise_where_each_output_is_written_at_one_index()
        {
            // Smooth's Derivative also writes y, the method's own output, which no aliasing check covers: were y to overlap x,
            // the lanes would read old values of x[i - 1] where the scalar loop reads new ones, so it stays scalar. Its
            // Backward writes y too (its additions into dX at i and at i - 1 alone could run in lanes). Scale reads only at the index it writes: lanes everywhere.
            const string source = @"
using System;
using SymDiff;
public static partial class V
{
    [Differentiable(Vectorize = true)]
    public static void Smooth(ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 1; i < x.Length; i++)
        {
            y[i] = x[i - 1] * x[i];
        }
    }

    [Differentiable(Vectorize = true)]
    public static void Scale(ReadOnlySpan<double> x, double a, Span<double> y)
    {
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = a * x[i];
        }
    }
}";
            var output = GeneratorRunner.Run(source);
            GeneratorRunner.AssertCleanCompile(output);
            var messages = output.GeneratorDiagnostics.Where(d => d.Id == "SD1023").Select(d => d.GetMessage(CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(
                new[]
                {
                    "The loop over 'i' of 'Smooth' stays scalar in SmoothBackward under Vectorize = true: it writes the output 'y' and reads elements at other indices, which may overlap it",
                    "The loop over 'i' of 'Smooth' stays scalar in SmoothDerivative under Vectorize = true: it writes the output 'y' and reads elements at other indices, which may overlap it",
                },
                messages.OrderBy(m => m, StringComparer.Ordinal));
            string smooth = output.GeneratedSources.Single(s => s.HintName.EndsWith("V.Smooth.g.cs", StringComparison.Ordinal)).Text;
            string scale = output.GeneratedSources.Single(s => s.HintName.EndsWith("V.Scale.g.cs", StringComparison.Ordinal)).Text;
            Assert.DoesNotContain("Vector256", smooth, StringComparison.Ordinal);
            Assert.Contains("Vector256.CopyTo(", scale, StringComparison.Ordinal);
        }

        [Fact]
        public void Values_carried_one_iteration_vectorise_by_rotating_lanes()
        {
            // W2's fused pass reuses x[i + 1] as the next x[i] and carries the adjoint of x[i + 1] into the next iteration:
            // values carried one iteration, which the lanes take as their next values rotated by one lane.
            var output = GeneratorRunner.Run(LoopGradientTests.Rosenbrock.Replace("[Differentiable]", "[Differentiable(Vectorize = true)]", StringComparison.Ordinal));
            GeneratorRunner.AssertCleanCompile(output);
            Assert.DoesNotContain(output.GeneratorDiagnostics, d => d.Id == "SD1023");
            string text = output.GeneratedSources.Single(s => s.HintName.EndsWith("W.Rosenbrock.g.cs", StringComparison.Ordinal)).Text;
            foreach (string method in new[] { "RosenbrockGradient(", "RosenbrockBackward(" })
            {
                int start = text.IndexOf(" " + method, StringComparison.Ordinal);
                Assert.True(start >= 0, method);
                int end = text.IndexOf("public static", start + 1, StringComparison.Ordinal);
                string body = end < 0 ? text.Substring(start) : text.Substring(start, end - start);
                Assert.Contains("Vector256.Shuffle(", body, StringComparison.Ordinal);
                Assert.Contains("Vector256.ToScalar(dXNextCarry)", body, StringComparison.Ordinal);
            }
        }

        [Fact]
        public void A_carried_value_that_depends_on_itself_stays_scalar()
        {
            // An exponential moving average: lane k needs lane k - 1's value of the same vector, a recurrence.
            const string source = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable(Vectorize = true)]
    public static double Ema(ReadOnlySpan<double> x, double a)
    {
        double m = 0;
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            m = a * m + x[i];
            s += m * m;
        }

        return s;
    }
}";
            var output = GeneratorRunner.Run(source);
            GeneratorRunner.AssertCleanCompile(output);
            var messages = output.GeneratorDiagnostics.Where(d => d.Id == "SD1023").Select(d => d.GetMessage(CultureInfo.InvariantCulture)).ToList();
            // The forward loops (Gradient's and Backward's first sweep, Derivative's loop) carry m; the reverse sweeps count
            // down, which the lanes do not take.
            const string recurrence = "the value carried in 'm' depends on itself from one iteration to the next, or on a value computed after it is read";
            foreach (string method in new[] { "EmaGradient", "EmaBackward", "EmaDerivative" })
            {
                Assert.Contains("The loop over 'i' of 'Ema' stays scalar in " + method + " under Vectorize = true: " + recurrence, messages);
            }

            Assert.Equal(5, messages.Count);
            // The reverse sweeps' notes say what they are (a user trial read "not a loop that counts up by 1" as about
            // the loop as written, which does).
            Assert.All(messages.Where(m => !m.EndsWith(recurrence, StringComparison.Ordinal)), m => Assert.EndsWith("its reverse sweep runs backwards, reading the values each iteration stored from the last to the first", m, StringComparison.Ordinal));
        }
    }
}

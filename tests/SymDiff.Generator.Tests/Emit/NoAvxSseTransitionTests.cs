using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Emit
{
    /// <summary>
    /// Issue 12's AVX/SSE transition trap, made impossible by construction: on Intel processors a vectorised
    /// <c>Span.Clear</c>, <c>Array.Clear</c> or <c>Fill</c> leaves the upper halves of the vector registers dirty, and every
    /// later <c>Math.Exp</c>/<c>Log</c>/<c>Pow</c> (SSE code in the C runtime) pays a transition. Neither generated code nor
    /// the runtime library that generated code and training loops call may use them: buffers are zeroed by
    /// <c>Checks.Zero</c>, a scalar loop (docs/performance.md).
    /// </summary>
    public class NoAvxSseTransitionTests
    {
        private static readonly Regex Vectorised = new Regex(@"\.Clear\(\)|Array\.Clear\(|\.Fill\(|\.CopyTo\(|System\.Numerics\.Vector|Vector(64|128|256|512)\b|TensorPrimitives", RegexOptions.CultureInvariant);

        [Fact]
        public void Generated_code_zeroes_buffers_with_scalar_stores()
        {
            // A method of every kind that zeroes something: gradient spans (Gradient), the Hessian-vector product,
            // the Jacobian's pooled direction and seed buffers, an output adjoint buffer.
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class K
{
    [Differentiable(Hessian = true)]
    public static double F(ReadOnlySpan<double> w, double b) => Math.Exp(w[0] * b) + Math.Log(1 + w[1] * w[1]);

    [Differentiable]
    public static void G(ReadOnlySpan<double> x, double a, Span<double> y)
    {
        y[0] = Math.Exp(a * x[0]);
        y[1] = y[0] * Math.Sin(x[1]);
    }
}");
            GeneratorRunner.AssertCleanCompile(output);
            string all = string.Join("\n", output.GeneratedSources.Select(s => s.Text));
            Assert.Contains("global::SymDiff.Checks.Zero(", all, StringComparison.Ordinal);
            Assert.DoesNotMatch(Vectorised, all);
        }

        [Fact]
        public void The_vector_output_Backward_copies_its_seed_with_scalar_stores_before_Math_calls()
        {
            // y[0] is read after it is written, so GBackward keeps the output adjoints in a buffer that starts as the
            // seed; Math.Exp and Math.Sin follow that copy. Span.CopyTo would be a vectorised move (a 256/512-bit
            // store on AVX machines) right before them.
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public static partial class K
{
    [Differentiable]
    public static void G(ReadOnlySpan<double> x, double a, Span<double> y)
    {
        y[0] = Math.Exp(a * x[0]);
        y[1] = y[0] * Math.Sin(x[1]) + Math.Log(1 + y[0]);
    }
}");
            GeneratorRunner.AssertCleanCompile(output);
            string g = string.Join("\n", output.GeneratedSources.Select(s => s.Text));
            int backward = g.IndexOf("public static void GBackward(", StringComparison.Ordinal);
            Assert.True(backward >= 0, "GBackward was not generated");
            string body = g.Substring(backward);
            int copy = body.IndexOf("global::SymDiff.Checks.Copy(seed", StringComparison.Ordinal);
            Assert.True(copy >= 0, "GBackward does not start its output adjoints from the seed with Checks.Copy:\n" + body);
            int math = body.IndexOf("global::System.Math.", StringComparison.Ordinal);
            Assert.True(math > copy, "expected Math calls after the copy");
            Assert.DoesNotMatch(Vectorised, g);
        }

        [Fact]
        public void No_snapshot_of_generated_code_uses_a_vectorised_clear()
        {
            var files = Directory.EnumerateFiles(Path.Combine(TestsRoot(), "Snapshots"), "*.verified.cs", SearchOption.AllDirectories).ToList();
            Assert.True(files.Count > 100, "the snapshot files were not found");
            // Vectorize = true snapshots hold Vector256 lanes (managed Vector256.Exp/Log, no C runtime call in them); they
            // may still hold no vectorised clear or fill.
            var offenders = files.Where(f => (IsVectorize(f) ? VectorisedClear : Vectorised).IsMatch(File.ReadAllText(f))).Select(Path.GetFileName).ToList();
            Assert.Empty(offenders);
            Assert.Contains(files, IsVectorize);
        }

        private static readonly Regex VectorisedClear = new Regex(@"\.Clear\(\)|Array\.Clear\(|\.Fill\(|TensorPrimitives", RegexOptions.CultureInvariant);

        private static bool IsVectorize(string file) => file.Contains(Path.DirectorySeparatorChar + "VectorizeSnapshotTests" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

        [Fact]
        public void The_runtime_library_zeroes_with_scalar_stores_only()
        {
            string src = Path.GetFullPath(Path.Combine(TestsRoot(), "..", "..", "src", "SymDiff"));
            var files = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)).ToList();
            Assert.Contains(files, f => f.EndsWith("Checks.cs", StringComparison.Ordinal));
            var offenders = files.Where(f => Vectorised.IsMatch(File.ReadAllText(f))).Select(Path.GetFileName).ToList();
            Assert.Empty(offenders);
        }

        private static string TestsRoot([CallerFilePath] string path = "") => Path.GetDirectoryName(Path.GetDirectoryName(path)!)!;
    }
}

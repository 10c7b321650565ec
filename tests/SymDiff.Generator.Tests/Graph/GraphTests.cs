using System;
using System.Linq;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Graph
{
    /// <summary>The <c>FGraph</c> constant where its name or content is not the ordinary one: overloads, stubs, name clashes.</summary>
    public sealed class GraphTests
    {
        /// <summary>Overloads each get their own constant, named with the suffix their file names carry.</summary>
        [Fact]
        public void Overloads_get_suffixed_names()
        {
            const string source = """
                using SymDiff;
                public static partial class P
                {
                    [Differentiable] public static double F(double x) => x * x;
                    [Differentiable] public static float F(float x) => x * x;
                }
                """;
            GeneratorOutput output = GeneratorRunner.Run(source);
            GeneratorRunner.AssertCleanCompile(output);

            double[] lengths = GeneratedCode.RunDriver(source, """
                return new double[] { P.FGraph_double.Length, P.FGraph_float.Length, P.FGraph_float.Contains("F(float x) -> float") ? 1 : 0 };
                """);
            Assert.True(lengths[0] > 0 && lengths[1] > 0);
            Assert.Equal(1.0, lengths[2]);
        }

        /// <summary>A method SymDiff cannot differentiate still has the constant (call sites compile), saying why.</summary>
        [Fact]
        public void Stub_says_why()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                using System;
                using SymDiff;
                public static partial class P
                {
                    [Differentiable] public static double F(double x) { try { return x; } catch { return 0; } }
                }
                """);

            string generated = output.Result.GeneratedSources.Single().SourceText.ToString();
            Assert.Contains("public const string FGraph =", generated, StringComparison.Ordinal);
            Assert.Contains("\"Not differentiated: SymDiff could not differentiate 'P.F'", generated, StringComparison.Ordinal);
        }

        /// <summary>An existing member named like the constant is SD0008, as for the generated methods.</summary>
        [Fact]
        public void Existing_member_clashes()
        {
            GeneratorOutput output = GeneratorRunner.Run("""
                using SymDiff;
                public static partial class P
                {
                    public static string FGraph => "mine";
                    [Differentiable] public static double F(double x) => x * x;
                }
                """);

            Assert.Contains(output.GeneratorDiagnostics, d => d.Id == "SD0008" && d.GetMessage().Contains("FGraph", StringComparison.Ordinal));
        }
    }
}

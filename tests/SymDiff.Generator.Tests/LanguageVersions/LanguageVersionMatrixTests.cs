using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace SymDiff.Generator.Tests.LanguageVersions
{
    /// <summary>
    /// Generated code compiles at the consuming project's C# version, from 7.3 (the default of netstandard2.0
    /// libraries) up, for netstandard2.0, net8.0 and net10.0 consumers (API.md section 9). Every method family is
    /// in <see cref="Program"/>, written in C# 7.3, so any construct a later change adds to generated code meets
    /// this matrix. Reference assemblies come from the NuGet mirror and the SDK (see the test project file).
    /// </summary>
    public sealed class LanguageVersionMatrixTests
    {
        public static TheoryData<string, string> Matrix()
        {
            var data = new TheoryData<string, string>();
            foreach (string framework in new[] { "netstandard2.0", "net8.0", "net10.0" })
            {
                foreach (string version in new[] { "7.3", "8", "10", "latest" })
                {
                    data.Add(framework, version);
                }
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(Matrix))]
        public void Generated_code_compiles_cleanly(string framework, string version)
        {
            Assert.True(LanguageVersionFacts.TryParse(version, out LanguageVersion languageVersion));
            var parseOptions = new CSharpParseOptions(languageVersion, DocumentationMode.Diagnose);
            var options = new CSharpCompilationOptions(
                    OutputKind.DynamicallyLinkedLibrary,
                    optimizationLevel: OptimizationLevel.Release,
                    warningLevel: 9999,
                    nullableContextOptions: languageVersion.MapSpecifiedToEffectiveVersion() >= LanguageVersion.CSharp8 ? NullableContextOptions.Enable : NullableContextOptions.Disable,
                    deterministic: true)
                // As the SDK does: CS1701/CS1702 (a reference built against an older framework) are off by default.
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    ["CS1591"] = ReportDiagnostic.Suppress,
                    ["CS1701"] = ReportDiagnostic.Suppress,
                    ["CS1702"] = ReportDiagnostic.Suppress,
                });
            var compilation = CSharpCompilation.Create(
                "Matrix",
                new[] { CSharpSyntaxTree.ParseText(Program, parseOptions, "Program.cs") },
                References(framework),
                options);
            GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new DifferentiableGenerator().AsSourceGenerator() }, parseOptions: parseOptions);
            driver.RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generatorDiagnostics);
            var problems = generatorDiagnostics.Concat(output.GetDiagnostics()).Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
            var generated = output.SyntaxTrees.Where(t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal)).ToList();
            Assert.True(problems.Count == 0, $"{framework}, C# {version}:\n" + string.Join("\n", problems) + "\n\n" + string.Join("\n\n", generated.Select(t => t.FilePath + "\n" + t)));

            // One file per differentiable method, each nullable-annotated exactly when the language has annotations.
            Assert.Equal(15, generated.Count);

            // Vectorize = true where the target has the APIs: lanes from net8.0 (Vector256.Create(ReadOnlySpan<T>)), Exp and
            // Log in lanes from .NET 9; elsewhere the loop stays scalar and SD1023 says why.
            string loss = generated.Single(t => t.FilePath.EndsWith("Functions.VecLoss.g.cs", StringComparison.Ordinal)).ToString();
            string soft = generated.Single(t => t.FilePath.EndsWith("Functions.VecSoft.g.cs", StringComparison.Ordinal)).ToString();
            var notVectorised = generatorDiagnostics.Where(d => d.Id == "SD1023").Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(framework != "netstandard2.0", loss.Contains("Vector256.Create<double>(x.Slice(i))", StringComparison.Ordinal));
            Assert.Equal(framework == "net10.0", soft.Contains("Vector256.Exp(", StringComparison.Ordinal));
            Assert.Equal(framework == "netstandard2.0", notVectorised.Any(m => m.Contains("'VecLoss'", StringComparison.Ordinal) && m.Contains("the target framework has no System.Runtime.Intrinsics.Vector256", StringComparison.Ordinal)));
            Assert.Equal(framework == "net8.0", notVectorised.Any(m => m.Contains("'VecSoft'", StringComparison.Ordinal) && m.Contains("needs .NET 9 or later", StringComparison.Ordinal)));
            bool annotations = languageVersion.MapSpecifiedToEffectiveVersion() >= LanguageVersion.CSharp8;
            Assert.All(generated, t => Assert.Equal(annotations, t.ToString().Contains("#nullable enable", StringComparison.Ordinal)));
        }

        /// <summary>Every kind of generated method, written in C# 7.3; <c>Use</c> calls them so their signatures are checked too.</summary>
        internal const string Program = @"
using System;
using SymDiff;

namespace Matrix
{
    public static partial class Functions
    {
        // Local buffers: one on the stack (constant length), one from the pool (run-time length).
        [Differentiable]
        public static double Layer(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
        {
            Span<double> h = stackalloc double[2];
            double[] e = new double[x.Length];
            for (int j = 0; j < 2; j++)
            {
                h[j] = Math.Tanh(w[j] * x[0]);
            }

            double sum = 0;
            for (int i = 0; i < x.Length; i++)
            {
                e[i] = Math.Exp(h[i % 2] * x[i]);
                sum += e[i];
            }

            return Math.Log(sum) + e[0];
        }

        [Differentiable(Hessian = true)]
        public static double Rosen(double x, double y)
        {
            double a = Grad.Retain(1 - x);
            double b = y - x * x;
            return a * a + 100 * b * b;
        }

        [Differentiable]
        public static double Branchy(double x, double w)
        {
            if (x > 0)
            {
                return Math.Sin(x) * w;
            }

            return Math.Exp(x) / (1 + w * w);
        }

        [Differentiable]
        public static double Loss(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
        {
            double sum = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double r = y[i] - (w * x[i] + b);
                sum += r * r;
            }

            return sum / x.Length;
        }

        [Differentiable(Vectorize = true)]
        public static double VecLoss(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
        {
            double sum = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double r = y[i] - (w * x[i] + b);
                sum += r * r;
            }

            return sum / x.Length;
        }

        [Differentiable(Vectorize = true)]
        public static double VecSoft(ReadOnlySpan<double> x, double a)
        {
            double s = 0;
            for (int i = 0; i < x.Length; i++)
            {
                s += Math.Log(1 + Math.Exp(a * x[i]));
            }

            return s;
        }

        [Differentiable]
        public static double Horner(ReadOnlySpan<double> c, double x)
        {
            double s = 0;
            for (int i = c.Length - 1; i >= 0; i--)
            {
                s = s * x + c[i];
            }

            return s;
        }

        [Differentiable]
        public static double Calls(double w, double x) => Rosen(w, x) + Branchy(x, w);

        [Differentiable]
        public static double SpanCall(double[] v, double x) => Horner(v, x) * x;

        [Differentiable]
        public static double Rules(double x) => MyMath.Softplus(x) + MyMath.Mix(x, x * 2);

        [Differentiable]
        public static void Polar(double r, double theta, Span<double> xy)
        {
            double c = Grad.Retain(Math.Cos(theta));
            xy[0] = r * c;
            xy[1] = r * Math.Sin(theta);
            xy[1] = xy[1] * xy[0];
        }

        [Differentiable]
        public static float Single(float x, float y) => (float)Math.Tanh(x) * y;

        [Differentiable(Hessian = true, CheckFinite = true)]
        public static double Checked(double x, double y)
        {
            double s = 0;
            for (int i = 0; i < 3; i++)
            {
                s = s * x + Math.Log(y * y + i);
            }

            return x > 0 ? Math.Sqrt(s * s) : s;
        }

        [Differentiable(CheckFinite = true)]
        public static void CheckedPolar(float r, float theta, Span<float> xy)
        {
            xy[0] = r * (float)Math.Cos(theta);
            xy[1] = r * (float)Math.Sin(theta);
        }
    }

    public static class MyMath
    {
        public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));

        public static double Mix(double a, double b) => a * b;

        [DerivativeOf(typeof(MyMath), nameof(Softplus))]
        public static double SoftplusDerivative(double x) => 1 / (1 + Math.Exp(-x));

        [DerivativeOf(typeof(MyMath), nameof(Mix))]
        public static (double, double) MixDerivative(double a, double b) => (b, a);
    }

    public partial class Model
    {
        private readonly double _scale = 2;

        [Differentiable]
        public double Energy(double x) => _scale * x * x;
    }

    public static class Use
    {
        public static double Run()
        {
            double[] h = new double[4];
            double[] p = new double[2];
            double[] g = new double[3];
            double[] data = { 1, 2, 3 };
            double[] y = new double[2];
            double[] jacobian = new double[4];
            double dx, dy, dw, db, d;
            double value = Functions.RosenGradient(1, 2, out dx, out dy)
                + Functions.RosenHessian(1, 2, h)
                + Functions.RosenHessianVectorProduct(1, 2, new double[] { 1, 0 }, p)
                + Functions.LossGradient(1, 0, data, data, out dw, out db)
                + Functions.HornerGradient(data, 0.5, g, out dx)
                + Functions.CallsDerivative(1, 2, 1, 0, out d)
                + Functions.SpanCallGradient(data, 2, g, out dx)
                + Functions.RulesGradient(0.3, out dx)
                + Functions.SingleGradient(1f, 2f, out float fx, out float fy)
                + new Model().EnergyGradient(3, out dx)
                + Functions.LayerGradient(data, data, g) + Functions.LayerDerivative(data, data, data, out d);
            Functions.BranchyBackward(1, 2, 1, ref dx, ref dy);
            Functions.PolarJacobian(1, 0.5, y, jacobian);
            Functions.PolarBackward(1, 0.5, y, new double[] { 1, 1 }, ref dx, ref dy);
            double da, dc;
            value += Functions.RosenGradientRetained(1, 2, out dx, out dy, out da) + Functions.RosenGraph.Length;
            Functions.PolarBackwardRetained(1, 0.5, y, new double[] { 1, 1 }, ref dx, ref dy, out dc);
            value += Functions.CheckedHessian(1, 2, h) + Functions.CheckedDerivative(1, 2, 1, 0, out d);
            float fr = 0, ft = 0;
            Functions.CheckedPolarBackward(1f, 0.5f, new float[2], new float[] { 1f, 1f }, ref fr, ref ft);
            return value + fx + fy + d + dw + db + da + dc;
        }
    }
}
";

        private static IEnumerable<MetadataReference> References(string framework)
        {
            string packages = Metadata("NuGetPackageRoot");
            IEnumerable<string> paths = framework switch
            {
                "netstandard2.0" => Directory.GetFiles(Path.Combine(packages, "netstandard.library", "2.0.3", "build", "netstandard2.0", "ref"), "*.dll")
                    .Concat(new[]
                    {
                        Path.Combine(packages, "system.memory", "4.5.5", "lib", "netstandard2.0", "System.Memory.dll"),
                        Path.Combine(packages, "system.buffers", "4.5.1", "lib", "netstandard2.0", "System.Buffers.dll"),
                        Path.Combine(packages, "system.runtime.compilerservices.unsafe", "4.5.3", "lib", "netstandard2.0", "System.Runtime.CompilerServices.Unsafe.dll"),
                        Metadata("RuntimeNetStandard20"),
                    }),
                "net8.0" => Directory.GetFiles(Path.Combine(packages, "microsoft.netcore.app.ref", "8.0.31", "ref", "net8.0"), "*.dll")
                    .Append(Metadata("RuntimeNet80")),
                _ => Directory.GetFiles(Metadata("Net10ReferenceAssemblies"), "*.dll").Append(Metadata("RuntimeNet80")),
            };
            return paths.Select(p => MetadataReference.CreateFromFile(p)).ToList();
        }

        private static string Metadata(string key) =>
            typeof(LanguageVersionMatrixTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
            ?? throw new InvalidOperationException("No assembly metadata " + key);
    }
}

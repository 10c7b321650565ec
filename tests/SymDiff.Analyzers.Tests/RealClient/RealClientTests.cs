using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace SymDiff.Analyzers.Tests.RealClient
{
    /// <summary>
    /// SymDiff as a user meets it outside the IDE: the diagnostics in <c>dotnet build</c> output with file and line,
    /// each once, a build with analyzers turned off, and the code fixes of SD0001, SD1001, SD2001 and SD2006 applied by
    /// <c>dotnet format analyzers</c>. Slow (three builds and one format in all), so everything is checked from those runs.
    /// </summary>
    public sealed class RealClientTests
    {
        private const string Mistakes = @"using System;
using SymDiff;

namespace Client
{
    public static class NotPartial
    {
        [Differentiable]
        public static double Square(double x) => x * x; // expect SD0001
    }

    public static partial class Model
    {
        [Differentiable]
        public static double Clipped(double w, [NoGrad] double x)
        {
            w = Math.Clamp(w, -1, 1); // expect SD1001
            x += w; // a [NoGrad] parameter is data: fine
            w *= 2; // expect SD1001
            return w * x;
        }

        [Differentiable]
        public static double Rounded(double w) => Math.Round(w) + w; // expect SD1002

        [Differentiable]
        public static double Unused(double w, double bias) => w * w; // expect SD1003

        [Differentiable]
        public static double Loss(double w, double b, [NoGrad] double x, [NoGrad] double y)
        {
            double r = w * x + b - y;
            return r * r;
        }
    }

    public static class MyMath
    {
        public static double Softplus(double x) => Math.Log(1 + Math.Exp(x));
    }

    public static class Rules
    {
        [DerivativeOf(typeof(MyMath), nameof(MyMath.Softplus))]
        public static double SoftplusDerivative(float x) => 1 / (1 + Math.Exp(-x)); // expect SD0010
    }

    public static class Training
    {
        public static double[] Train(double[] xs, double[] ys)
        {
            double[] parameters = { 0.0, 0.0 };
            double[] gradients = new double[2];
            var optimizer = new Sgd(parameters, gradients, learningRate: 0.1);
            for (int epoch = 0; epoch < 100; epoch++)
            {
                for (int i = 0; i < xs.Length; i++)
                {
                    Model.LossBackward(parameters[0], parameters[1], xs[i], ys[i], 1.0 / xs.Length, ref gradients[0], ref gradients[1]); // expect SD2001
                }

                optimizer.Step();
            }

            return parameters;
        }

        public static Sgd Aliased(double[] w) => new Sgd(w, w, 0.1); // expect SD2002

        public static void Restarted(double[] p, double[] g)
        {
            for (int epoch = 0; epoch < 10; epoch++)
            {
                var adam = new Adam(p, g); // expect SD2003
                adam.ZeroGrad();
                Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
                adam.Step();
            }
        }

        public static void ZeroedSometimes(double[] p)
        {
            double[] g = new double[2];
            var optimizer = new Sgd(p, g, 0.1);
            for (int epoch = 0; epoch < 10; epoch++)
            {
                if (epoch % 5 == 0)
                {
                    optimizer.ZeroGrad(); // expect SD2005
                }

                Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
                optimizer.Step();
            }
        }

        public static void Replaced(double[] p)
        {
            double[] g = new double[2];
            var optimizer = new Sgd(p, g, 0.1);
            for (int epoch = 0; epoch < 10; epoch++)
            {
                g = new double[2]; // expect SD2006
                Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
                optimizer.Step();
            }
        }

        public static void ZeroedTooLate(double[] p)
        {
            double[] g = new double[2];
            var optimizer = new Sgd(p, g, 0.1);
            for (int epoch = 0; epoch < 10; epoch++)
            {
                Model.LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
                optimizer.ZeroGrad(); // expect SD2004
                optimizer.Step();
            }
        }
    }
}
";

        private const string Fixable = @"using SymDiff;

namespace Client
{
    public static class Forgotten
    {
        [Differentiable]
        public static double Square(double x) => x * x;
    }

    public static partial class Clip
    {
        [Differentiable]
        public static double Clipped(double w, double b, [NoGrad] double x)
        {
            double y = w * x;
            w = System.Math.Clamp(w, -1, 1);
            b *= 2;
            return w * y + b;
        }
    }

    public static partial class Fit
    {
        [Differentiable]
        public static double Loss(double w, double b, [NoGrad] double x, [NoGrad] double y)
        {
            double r = w * x + b - y;
            return r * r;
        }

        public static double[] Train(double[] xs, double[] ys)
        {
            double[] parameters = { 0.0, 0.0 };
            double[] gradients = new double[2];
            var optimizer = new Sgd(parameters, gradients, learningRate: 0.1);
            for (int epoch = 0; epoch < 100; epoch++)
            {
                for (int i = 0; i < xs.Length; i++)
                {
                    LossBackward(parameters[0], parameters[1], xs[i], ys[i], 1.0 / xs.Length, ref gradients[0], ref gradients[1]);
                }

                optimizer.Step();
            }

            return parameters;
        }

        public static void Replaced(double[] p)
        {
            double[] g = new double[2];
            var optimizer = new Sgd(p, g, 0.1);
            for (int epoch = 0; epoch < 10; epoch++)
            {
                g = new double[2];
                LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
                optimizer.Step();
            }
        }

        public static double Descend(double w, double b)
        {
            double dw = 0, db = 0;
            for (int step = 0; step < 100; step++)
            {
                LossBackward(w, b, 1.0, 2.0, 1.0, ref dw, ref db);
                w -= 0.1 * dw;
                b -= 0.1 * db;
            }

            return w + b;
        }
    }
}
";

        private const string Fixed = @"using SymDiff;

namespace Client
{
    public static partial class Forgotten
    {
        [Differentiable]
        public static double Square(double x) => x * x;
    }

    public static partial class Clip
    {
        [Differentiable]
        public static double Clipped(double w, double b, [NoGrad] double x)
        {
            double wLocal = w;
            double bLocal = b;
            double y = w * x;
            wLocal = System.Math.Clamp(wLocal, -1, 1);
            bLocal *= 2;
            return wLocal * y + bLocal;
        }
    }

    public static partial class Fit
    {
        [Differentiable]
        public static double Loss(double w, double b, [NoGrad] double x, [NoGrad] double y)
        {
            double r = w * x + b - y;
            return r * r;
        }

        public static double[] Train(double[] xs, double[] ys)
        {
            double[] parameters = { 0.0, 0.0 };
            double[] gradients = new double[2];
            var optimizer = new Sgd(parameters, gradients, learningRate: 0.1);
            for (int epoch = 0; epoch < 100; epoch++)
            {
                optimizer.ZeroGrad();
                for (int i = 0; i < xs.Length; i++)
                {
                    LossBackward(parameters[0], parameters[1], xs[i], ys[i], 1.0 / xs.Length, ref gradients[0], ref gradients[1]);
                }

                optimizer.Step();
            }

            return parameters;
        }

        public static void Replaced(double[] p)
        {
            double[] g = new double[2];
            var optimizer = new Sgd(p, g, 0.1);
            for (int epoch = 0; epoch < 10; epoch++)
            {
                System.Array.Clear(g);
                LossBackward(p[0], p[1], 1, 2, 1.0, ref g[0], ref g[1]);
                optimizer.Step();
            }
        }

        public static double Descend(double w, double b)
        {
            double dw = 0, db = 0;
            for (int step = 0; step < 100; step++)
            {
                dw = 0;
                db = 0;
                LossBackward(w, b, 1.0, 2.0, 1.0, ref dw, ref db);
                w -= 0.1 * dw;
                b -= 0.1 * db;
            }

            return w + b;
        }
    }
}
";

        [Fact]
        public async Task Dotnet_build_reports_each_mistake_once_with_file_and_line()
        {
            using var project = new ClientProject(new Dictionary<string, string> { ["Mistakes.cs"] = Mistakes }, warningsAsErrors: false);

            // Counted in the build's own output (not its summary): a diagnostic reported by both the generator and
            // an analyzer would show up twice.
            var (exitCode, output) = await project.DotnetAsync("build", project.ProjectPath, "-nodeReuse:false", "-p:UseSharedCompilation=false");

            var expected = ClientProject.ExpectedDiagnostics("Mistakes.cs", Mistakes);
            Assert.Equal(12, expected.Count);
            var all = ClientProject.ParseDiagnosticList(output);
            var actual = all.Where(d => d.Id.StartsWith("SD", System.StringComparison.Ordinal)).ToList();
            Assert.True(
                expected.SetEquals(actual) && actual.Count == expected.Count,
                $"Expected {Format(expected)}{System.Environment.NewLine}Actual   {Format(actual)}{System.Environment.NewLine}{output}");
            Assert.DoesNotContain(all, d => d.Id.StartsWith("CS", System.StringComparison.Ordinal));
            Assert.NotEqual(0, exitCode); // SD0001, SD1001 and SD0010 are errors
        }

        [Fact]
        public async Task With_analyzers_off_a_call_to_a_method_SymDiff_could_not_generate_still_fails_the_build()
        {
            const string Source = @"using SymDiff;

namespace Client
{
    public static partial class Model
    {
        [Differentiable]
        public static double Clipped(double w) { w *= 2; return w * w; }

        public static double Use() => ClippedGradient(1.0, out _); // expect CS0619
    }
}
";
            using var project = new ClientProject(new Dictionary<string, string> { ["Model.cs"] = Source }, warningsAsErrors: false);

            var (exitCode, output) = await project.DotnetAsync("build", project.ProjectPath, "-nodeReuse:false", "-p:UseSharedCompilation=false", "-p:RunAnalyzers=false");

            Assert.NotEqual(0, exitCode);
            var all = ClientProject.ParseDiagnosticList(output);
            Assert.Equal(new[] { ("Model.cs", 10, "CS0619") }, all.ToArray());
            Assert.Contains("SD1001", output, System.StringComparison.Ordinal); // the obsolete message names the rule
        }

        [Fact]
        public async Task Dotnet_format_applies_the_fixes_and_the_project_then_builds_clean()
        {
            using var project = new ClientProject(new Dictionary<string, string> { ["Fit.cs"] = Fixable }, warningsAsErrors: true);

            // dotnet format applies code fixes to analyzer diagnostics only: SD0001 and SD1001 are reported by an
            // analyzer (found by the generator's parser) for that reason.
            var (formatExit, formatOutput) = await project.DotnetAsync("format", "analyzers", project.ProjectPath, "--diagnostics", "SD2001", "SD0001", "SD1001", "SD2006", "--severity", "info");
            Assert.True(formatExit == 0, formatOutput);
            string actual = project.Read("Fit.cs");
            Assert.True(actual == Fixed, $"dotnet format made:{System.Environment.NewLine}{actual}{System.Environment.NewLine}{formatOutput}");

            var (buildExit, buildOutput) = await project.DotnetAsync("build", project.ProjectPath, "-nodeReuse:false", "-p:UseSharedCompilation=false");
            Assert.True(buildExit == 0, buildOutput);
            Assert.Empty(ClientProject.ParseDiagnostics(buildOutput));
        }

        private static string Format(IEnumerable<(string File, int Line, string Id)> diagnostics) =>
            string.Join(", ", diagnostics.OrderBy(d => d.Line).Select(d => $"{d.File}({d.Line}): {d.Id}"));
    }
}

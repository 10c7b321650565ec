using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Vectorize
{
    /// <summary>
    /// The scalar fallback of <c>Vectorize = true</c>: in a child process with hardware intrinsics off
    /// (<c>DOTNET_EnableHWIntrinsic=0</c>), <c>Vector256.IsHardwareAccelerated</c> is false, the lanes are skipped and the
    /// vectorised methods return what the default path returns, bit for bit (the remainder loop is the scalar loop); in a
    /// child with them on, the lanes run.
    /// </summary>
    public class VectorizeFallbackTests
    {
        private const string Driver = @"
using System;
using System.Globalization;
using System.Linq;
public static class Program
{
    public static void Main()
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        Console.WriteLine(System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated);
        foreach (int n in new[] { 0, 1, 3, 4, 5, 15, 16, 17, 21, 35, 1000 })
        {
            var x = new double[n]; var y = new double[n];
            for (int i = 0; i < n; i++) { x[i] = 0.5 + (i % 17) / 17.0; y[i] = 3 * x[i] + 2 + (i % 5) / 7.0; }
            double v = W.LinRegGradient(1.25, 0.5, x, y, out double dw, out double db);
            double vV = W.LinRegVGradient(1.25, 0.5, x, y, out double dwV, out double dbV);
            var g = new double[n]; var gV = new double[n];
            double s = W.SoftGradient(x, 0.75, g, out double da);
            double sV = W.SoftVGradient(x, 0.75, gV, out double daV);
            bool same = v.Equals(vV) && dw.Equals(dwV) && db.Equals(dbV) && s.Equals(sV) && da.Equals(daV) && g.SequenceEqual(gV);
            Console.WriteLine(n + "" "" + same + "" "" + v.ToString(""R"") + "" "" + vV.ToString(""R"") + "" "" + s.ToString(""R"") + "" "" + sV.ToString(""R""));
        }
    }
}";

        private const string Source = @"
using System;
using SymDiff;
public static partial class W
{
    [Differentiable]
    public static double LinReg(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) { double r = y[i] - (w * x[i] + b); sum += 0.5 * r * r; }
        return sum / x.Length;
    }

    [Differentiable(Vectorize = true)]
    public static double LinRegV(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) { double r = y[i] - (w * x[i] + b); sum += 0.5 * r * r; }
        return sum / x.Length;
    }

    [Differentiable]
    public static double Soft(ReadOnlySpan<double> x, double a)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) { s += Math.Log(1 + Math.Exp(a * x[i])); }
        return s;
    }

    [Differentiable(Vectorize = true)]
    public static double SoftV(ReadOnlySpan<double> x, double a)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) { s += Math.Log(1 + Math.Exp(a * x[i])); }
        return s;
    }
}";

        [Fact]
        public void With_hardware_intrinsics_off_the_vectorised_methods_are_the_scalar_path_bit_for_bit()
        {
            string[] lines = RunChild(hardwareIntrinsics: false);
            Assert.Equal("False", lines[0]);
            Assert.All(lines.Skip(1), l => Assert.Equal("True", l.Split(' ')[1]));
            Assert.Equal(12, lines.Length);
        }

        [Fact]
        public void With_hardware_intrinsics_on_the_lanes_run_and_agree_within_the_rule()
        {
            string[] lines = RunChild(hardwareIntrinsics: true);
            if (lines[0] != "True")
            {
                return; // a machine without AVX2: nothing more to see here (the test above covers the fallback)
            }

            // With lanes the sums are reordered and Exp/Log are the vector ones: at n = 1000 the bits differ, within the
            // rule of VectorizeNumericTests (every term is positive here).
            string[] last = lines[^1].Split(' ');
            Assert.Equal("False", last[1]);
            foreach (var (scalar, vector) in new[] { (last[2], last[3]), (last[4], last[5]) })
            {
                double s = double.Parse(scalar, CultureInfo.InvariantCulture), v = double.Parse(vector, CultureInfo.InvariantCulture);
                Assert.True(Math.Abs(s - v) <= (2.0 * 1000 + 16) * 1.1102230246251565E-16 * Math.Abs(s), $"{s:R} vs {v:R}");
            }
        }

        private static string[] RunChild(bool hardwareIntrinsics)
        {
            var output = GeneratorRunner.Run(CSharpCompilation.Create(
                "VectorizeFallback",
                new[] { CompilationFactory.Parse(Source, "Source0.cs"), CompilationFactory.Parse(Driver, "Source1.cs") },
                CompilationFactory.References,
                CompilationFactory.CompilationOptions.WithOutputKind(OutputKind.ConsoleApplication)));
            GeneratorRunner.AssertCleanCompile(output);
            string dir = Path.Combine(Path.GetTempPath(), "symdiff-vectorize-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            try
            {
                string exe = Path.Combine(dir, "VectorizeFallback.dll");
                var emit = output.OutputCompilation.Emit(exe);
                Assert.True(emit.Success, string.Join("\n", emit.Diagnostics));
                File.Copy(typeof(DifferentiableAttribute).Assembly.Location, Path.Combine(dir, "SymDiff.dll"));
                string version = Environment.Version.ToString();
                File.WriteAllText(Path.Combine(dir, "VectorizeFallback.runtimeconfig.json"), "{\"runtimeOptions\":{\"tfm\":\"net" + Environment.Version.Major + ".0\",\"framework\":{\"name\":\"Microsoft.NETCore.App\",\"version\":\"" + version + "\"}}}");
                var start = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet", "exec \"" + exe + "\"")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                if (!Path.GetFileNameWithoutExtension(start.FileName).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
                {
                    start.FileName = "dotnet"; // a test host: run the muxer instead
                }

                start.Environment["DOTNET_EnableHWIntrinsic"] = hardwareIntrinsics ? "1" : "0";
                using var child = Process.Start(start)!;
                string stdout = child.StandardOutput.ReadToEnd();
                string stderr = child.StandardError.ReadToEnd();
                Assert.True(child.WaitForExit(120_000), "the child process did not finish");
                Assert.True(child.ExitCode == 0, $"exit {child.ExitCode}\n{stdout}\n{stderr}");
                return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}

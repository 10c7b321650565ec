using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.CSharp;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.FiniteChecks
{
    /// <summary>
    /// docs/nan-locator.md's example runs as written: the blocks the page marks <c>&lt;!-- test: ... --&gt;</c> are read from
    /// the page, compiled as <c>Classifier.cs</c> and run; the exception message must be the page's, to the character.
    /// </summary>
    public sealed class NanLocatorPageTests
    {
        private static readonly Lazy<Dictionary<string, string>> Blocks = new(ReadBlocks);

        private static Dictionary<string, string> ReadBlocks()
        {
            string root = typeof(NanLocatorPageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SnapshotRoot").Value!;
            string page = File.ReadAllText(Path.Combine(root, "..", "..", "docs", "nan-locator.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
            var blocks = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match m in Regex.Matches(page, @"<!-- test: (?<name>[^ ]+)[^\n]*-->\n```[a-z]*\n(?<code>.*?)\n```", RegexOptions.Singleline))
            {
                blocks.Add(m.Groups["name"].Value, m.Groups["code"].Value);
            }

            Assert.Equal(new[] { "Classifier.cs", "fixed", "message", "run", "scaled" }, blocks.Keys.OrderBy(k => k, StringComparer.Ordinal));
            return blocks;
        }

        /// <summary>Compiles the page's classifier (with <paramref name="edit"/> applied) and runs the page's training code; returns (w, b).</summary>
        /// <param name="scaled">Whether to train on the page's scaled inputs instead of the hours.</param>
        private static double[] Run(Func<string, string> edit, bool scaled = false)
        {
            string classifier = edit(Blocks.Value["Classifier.cs"]);
            string[] run = Blocks.Value["run"].Split('\n');
            Assert.StartsWith("Console.WriteLine(", run[^1], StringComparison.Ordinal);
            run = scaled ? new[] { run[1] }.Concat(Blocks.Value["scaled"].Split('\n')).ToArray() : run[..^1];
            string driver = "using System;\n\npublic static class __Page\n{\n    public static double[] Run()\n    {\n" + string.Join("\n", run) + "\n        return trained;\n    }\n}\n";
            var compilation = CSharpCompilation.Create(
                CompilationFactory.AssemblyName,
                new[] { CompilationFactory.Parse(classifier, "Classifier.cs"), CompilationFactory.Parse(driver, "Driver.cs") },
                CompilationFactory.References,
                CompilationFactory.CompilationOptions);
            using GeneratedCode code = GeneratedCode.Load(GeneratorRunner.Run(compilation));
            return (double[])code.Invoke("__Page", "Run")!;
        }

        [Fact]
        public void The_example_throws_the_message_the_page_shows()
        {
            var e = Assert.Throws<ArithmeticException>(() => Run(c => c));
            Assert.Equal(Blocks.Value["message"], "Unhandled exception. System.ArithmeticException: " + e.Message);
        }

        [Fact]
        public void Without_CheckFinite_the_example_ends_in_NaN_as_the_page_says()
        {
            double[] trained = Run(c => c.Replace("[Differentiable(CheckFinite = true)]", "[Differentiable]", StringComparison.Ordinal));
            Assert.True(double.IsNaN(trained[0]) && double.IsNaN(trained[1]), $"w = {trained[0]}, b = {trained[1]}");
        }

        private static string Fixed(string classifier)
        {
            const string Original = """
                            double p = 1 / (1 + Math.Exp(-(w * x[i] + b)));
                            sum -= y[i] * Math.Log(p) + (1 - y[i]) * Math.Log(1 - p);
                """;
            Assert.Contains(Original, classifier, StringComparison.Ordinal);
            string fix = string.Join("\n", Blocks.Value["fixed"].Split('\n').Select(line => "            " + line));
            return classifier.Replace(Original.TrimEnd('\n'), fix, StringComparison.Ordinal);
        }

        [Fact]
        public void The_pages_fix_trains_without_a_NaN()
        {
            double[] trained = Run(Fixed);
            Assert.True(double.IsFinite(trained[0]) && double.IsFinite(trained[1]), $"w = {trained[0]}, b = {trained[1]}");
        }

        [Fact]
        public void With_the_fix_and_scaled_inputs_the_boundary_is_where_the_page_says()
        {
            double[] trained = Run(Fixed, scaled: true);

            // Independent of SymDiff: plain gradient descent on the same loss, with its gradient (sigmoid(z) - y) x written out.
            double[] x = { -1, -0.5, 0, 0.5, 1 }, y = { 0, 0, 1, 1, 1 };
            double w = 0, b = 0;
            for (int epoch = 0; epoch < 100; epoch++)
            {
                double gw = 0, gb = 0;
                for (int i = 0; i < x.Length; i++)
                {
                    double p = 1 / (1 + Math.Exp(-(w * x[i] + b)));
                    gw += (p - y[i]) * x[i] / x.Length;
                    gb += (p - y[i]) / x.Length;
                }

                w -= 0.1 * gw;
                b -= 0.1 * gb;
            }

            Assert.Equal(w, trained[0], 9);
            Assert.Equal(b, trained[1], 9);
            double hours = -trained[1] / trained[0] * 30 + 50;
            Assert.InRange(hours, 42.5, 43.5); // "about 43 hours"
        }
    }
}

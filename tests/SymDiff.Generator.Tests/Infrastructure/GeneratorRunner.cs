using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace SymDiff.Generator.Tests.Infrastructure
{
    /// <summary>Runs <see cref="DifferentiableGenerator"/> over test sources the way the compiler does.</summary>
    public static class GeneratorRunner
    {
        /// <summary>Compiles <paramref name="sources"/> (see <see cref="CompilationFactory.Create"/>) and runs the generator once.</summary>
        public static GeneratorOutput Run(params string[] sources) => Run(CompilationFactory.Create(sources));

        /// <summary>Runs the generator once, with a new driver, over <paramref name="compilation"/>.</summary>
        public static GeneratorOutput Run(CSharpCompilation compilation) => Run(compilation, buildProperties: null);

        /// <summary>
        /// Runs the generator once over <paramref name="compilation"/> with MSBuild properties the generator can see
        /// (<c>CompilerVisibleProperty</c>), as the compiler passes them: <c>("SymDiffCheckFinite", "true")</c> arrives as
        /// the global option <c>build_property.SymDiffCheckFinite</c>.
        /// </summary>
        public static GeneratorOutput Run(CSharpCompilation compilation, IReadOnlyDictionary<string, string>? buildProperties)
        {
            ArgumentNullException.ThrowIfNull(compilation);
            GeneratorDriver driver = CSharpGeneratorDriver.Create(
                new[] { new DifferentiableGenerator().AsSourceGenerator() },
                additionalTexts: null,
                parseOptions: CompilationFactory.ParseOptions,
                optionsProvider: buildProperties is null ? null : new BuildPropertiesProvider(buildProperties),
                // Step tracking is what lets incremental tests see Cached / Unchanged / Modified per step.
                driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
            return RunDriver(driver, compilation);
        }

        /// <summary>
        /// Runs the driver of <paramref name="previous"/> again, on <c>edit(previous.InputCompilation)</c>, so the
        /// generator's caches from the previous run apply. Use <c>c => c.Clone()</c> for "the same compilation
        /// again" and <see cref="CompilationFactory.WithSource(CSharpCompilation, int, string)"/> to edit one source.
        /// </summary>
        public static GeneratorOutput RunAgain(GeneratorOutput previous, Func<CSharpCompilation, CSharpCompilation> edit)
        {
            ArgumentNullException.ThrowIfNull(previous);
            ArgumentNullException.ThrowIfNull(edit);
            return RunDriver(previous.Driver, edit(previous.InputCompilation));
        }

        /// <summary>
        /// Fails, printing every diagnostic and the generated code with line numbers, when the generator threw or
        /// reported a warning or an error, or when the output compilation has any warning or error.
        /// </summary>
        public static void AssertCleanCompile(GeneratorOutput output)
        {
            ArgumentNullException.ThrowIfNull(output);
            ImmutableArray<Diagnostic> generatorProblems = output.GeneratorDiagnostics
                .Where(d => d.Severity >= DiagnosticSeverity.Warning)
                .ToImmutableArray();
            if (generatorProblems.IsEmpty && output.CompilationDiagnostics.IsEmpty && output.Result.Exception is null)
            {
                return;
            }

            Assert.Fail(Describe(output, "The generated code does not compile cleanly."));
        }

        /// <summary>
        /// A readable account of <paramref name="output"/>: the generator exception if any, every diagnostic with
        /// its location, every generated file with line numbers and every input source that has a diagnostic.
        /// </summary>
        public static string Describe(GeneratorOutput output, string headline)
        {
            ArgumentNullException.ThrowIfNull(output);
            var text = new StringBuilder();
            text.AppendLine(headline);

            if (output.Result.Exception is { } exception)
            {
                text.AppendLine().AppendLine("Generator exception:").AppendLine(exception.ToString());
            }

            AppendDiagnostics(text, "Generator diagnostics", output.GeneratorDiagnostics);
            AppendDiagnostics(text, "Compilation diagnostics (errors and warnings)", output.CompilationDiagnostics);

            // Input sources are shown only when something points into them; generated code is always shown.
            var pathsWithDiagnostics = new HashSet<string>(
                output.GeneratorDiagnostics.Concat(output.CompilationDiagnostics)
                    .Select(d => d.Location.GetLineSpan().Path),
                StringComparer.Ordinal);
            foreach (SyntaxTree tree in output.InputCompilation.SyntaxTrees.Where(t => pathsWithDiagnostics.Contains(t.FilePath)))
            {
                AppendNumbered(text, $"Input {tree.FilePath}", tree.ToString());
            }

            if (output.GeneratedSources.IsEmpty)
            {
                text.AppendLine().AppendLine("(no generated files)");
            }

            foreach (GeneratedSource source in output.GeneratedSources)
            {
                AppendNumbered(text, $"Generated {source.HintName}", source.Text);
            }

            return text.ToString();
        }

        private static GeneratorOutput RunDriver(GeneratorDriver driver, CSharpCompilation input)
        {
            driver = driver.RunGeneratorsAndUpdateCompilation(input, out Compilation outputCompilation, out ImmutableArray<Diagnostic> generatorDiagnostics);
            GeneratorRunResult result = driver.GetRunResult().Results.Single();

            ImmutableArray<GeneratedSource> sources = result.GeneratedSources
                .Select(s => new GeneratedSource(s.HintName, s.SourceText.ToString()))
                .OrderBy(s => s.HintName, StringComparer.Ordinal)
                .ToImmutableArray();

            ImmutableArray<Diagnostic> compilationDiagnostics = outputCompilation.GetDiagnostics()
                .Where(d => d.Severity >= DiagnosticSeverity.Warning)
                .ToImmutableArray();

            return new GeneratorOutput(input, outputCompilation, sources, generatorDiagnostics, compilationDiagnostics, driver, result);
        }

        private static void AppendDiagnostics(StringBuilder text, string title, ImmutableArray<Diagnostic> diagnostics)
        {
            text.AppendLine().AppendLine($"{title}: {diagnostics.Length}");
            foreach (Diagnostic diagnostic in diagnostics)
            {
                text.Append("  ").AppendLine(diagnostic.ToString());
            }
        }

        private static void AppendNumbered(StringBuilder text, string title, string code)
        {
            text.AppendLine().AppendLine($"===== {title} =====");
            string[] lines = code.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
            int width = lines.Length.ToString(CultureInfo.InvariantCulture).Length;
            for (int i = 0; i < lines.Length; i++)
            {
                text.Append((i + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width)).Append(" | ").AppendLine(lines[i]);
            }
        }
    }

    /// <summary>Global options as the compiler makes them from MSBuild properties: <c>build_property.Name</c>.</summary>
    internal sealed class BuildPropertiesProvider : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptionsProvider
    {
        private readonly Options _global;

        public BuildPropertiesProvider(IReadOnlyDictionary<string, string> properties)
        {
            _global = new Options(properties.ToDictionary(p => "build_property." + p.Key, p => p.Value, StringComparer.OrdinalIgnoreCase));
        }

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GlobalOptions => _global;

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

        private sealed class Options : Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions
        {
            public static readonly Options Empty = new Options(new Dictionary<string, string>());

            private readonly Dictionary<string, string> _values;

            public Options(Dictionary<string, string> values) => _values = values;

            public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => _values.TryGetValue(key, out value);
        }
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SymDiff.Generator.Tests.Infrastructure
{
    /// <summary>
    /// Builds the <see cref="CSharpCompilation"/> that test sources are compiled in: the options a strict user
    /// project would have, references to the running runtime and to <c>SymDiff.dll</c>.
    /// </summary>
    /// <remarks>
    /// Only the reference list is cached (it is immutable and expensive to build); every call returns a new
    /// compilation, so no test can see another test's state.
    /// </remarks>
    public static class CompilationFactory
    {
        /// <summary>The assembly name of every test compilation. Fixed, so generator output is deterministic.</summary>
        public const string AssemblyName = "SymDiff.TestInput";

        /// <summary>
        /// The warning level: every warning wave. The compiler accepts any non-negative level; 9999 is the
        /// documented spelling of "all waves, including future ones", so nothing is gained by going higher.
        /// </summary>
        public const int WarningLevel = 9999;

        private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

        /// <summary>
        /// Parse options: the latest language version the referenced Roslyn knows, and documentation comments
        /// diagnosed, so malformed XML docs in generated code (CS1570, CS1572, CS1574, ...) are warnings.
        /// </summary>
        public static CSharpParseOptions ParseOptions { get; } =
            new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Diagnose);

        /// <summary>
        /// Compilation options: a Release class library with nullable enabled, no unsafe code and every warning
        /// wave on. CS1591 (missing XML comment) is off because test sources have no docs; the other doc-comment
        /// warnings stay on. The helpers in this folder fail on any warning.
        /// </summary>
        public static CSharpCompilationOptions CompilationOptions { get; } =
            new CSharpCompilationOptions(
                    OutputKind.DynamicallyLinkedLibrary,
                    optimizationLevel: OptimizationLevel.Release,
                    allowUnsafe: false,
                    warningLevel: WarningLevel,
                    nullableContextOptions: NullableContextOptions.Enable,
                    deterministic: true)
                .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
                {
                    ["CS1591"] = ReportDiagnostic.Suppress,
                });

        /// <summary>
        /// Every assembly of the running runtime (<c>TRUSTED_PLATFORM_ASSEMBLIES</c>) plus <c>SymDiff.dll</c>,
        /// one reference per file. Built once per test run.
        /// </summary>
        public static ImmutableArray<MetadataReference> References => LazyReferences.Value;

        /// <summary>Creates a compilation of <paramref name="sources"/>, named <c>Source0.cs</c>, <c>Source1.cs</c>, ...</summary>
        public static CSharpCompilation Create(params string[] sources)
        {
            ArgumentNullException.ThrowIfNull(sources);
            return CSharpCompilation.Create(
                AssemblyName,
                sources.Select((source, i) => Parse(source, SourcePath(i))),
                References,
                CompilationOptions);
        }

        /// <summary>Parses <paramref name="source"/> with <see cref="ParseOptions"/>.</summary>
        public static SyntaxTree Parse(string source, string path) =>
            CSharpSyntaxTree.ParseText(source, ParseOptions, path);

        /// <summary>The path given to the <paramref name="index"/>-th source of <see cref="Create"/>.</summary>
        public static string SourcePath(int index) => $"Source{index}.cs";

        /// <summary>
        /// Returns <paramref name="compilation"/> with the source at <paramref name="path"/> replaced by
        /// <paramref name="newSource"/>; for incremental tests (see <see cref="GeneratorRunner.RunAgain"/>).
        /// </summary>
        public static CSharpCompilation WithSource(CSharpCompilation compilation, string path, string newSource)
        {
            ArgumentNullException.ThrowIfNull(compilation);
            SyntaxTree old = compilation.SyntaxTrees.SingleOrDefault(t => t.FilePath == path)
                ?? throw new ArgumentException($"The compilation has no syntax tree '{path}'.", nameof(path));
            return compilation.ReplaceSyntaxTree(old, Parse(newSource, path));
        }

        /// <summary>Same as <see cref="WithSource(CSharpCompilation, string, string)"/> for the source at <paramref name="index"/>.</summary>
        public static CSharpCompilation WithSource(CSharpCompilation compilation, int index, string newSource) =>
            WithSource(compilation, SourcePath(index), newSource);

        private static ImmutableArray<MetadataReference> LoadReferences()
        {
            string tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
                ?? throw new InvalidOperationException("TRUSTED_PLATFORM_ASSEMBLIES is not set; tests must run on .NET (Core).");

            // SymDiff.dll is normally in the list already (the test project references it); the set makes sure
            // it is referenced once, since two references to one file would be reported as duplicates.
            var paths = new SortedSet<string>(
                tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries),
                StringComparer.Ordinal)
            {
                typeof(DifferentiableAttribute).Assembly.Location,
            };

            return paths
                .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
                .ToImmutableArray();
        }
    }
}

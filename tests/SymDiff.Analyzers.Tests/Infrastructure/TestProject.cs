using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using SymDiff.Generator;

namespace SymDiff.Analyzers.Tests.Infrastructure
{
    /// <summary>
    /// One test source as a document of an <see cref="AdhocWorkspace"/> project that sees SymDiff as a user's project
    /// does: the runtime referenced, the generator running (so <c>FBackward</c> exists and carries
    /// <c>[Accumulates]</c>), and every SymDiff analyzer over the result.
    /// </summary>
    public static class TestProject
    {
        /// <summary>Where test documents live; an <c>.editorconfig</c> beside them applies to them.</summary>
        public const string Directory = "/symdiff-test";

        private static readonly Lazy<ImmutableArray<MetadataReference>> LazyReferences = new(LoadReferences);

        /// <summary>Every SymDiff analyzer, found by reflection so a new one cannot be forgotten.</summary>
        public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = typeof(MissingGradientResetAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();

        /// <summary>Creates a one-document project holding <paramref name="source"/>, with an optional <c>.editorconfig</c>.</summary>
        public static Document CreateDocument(string source, string? editorConfig = null)
        {
            ArgumentNullException.ThrowIfNull(source);
            var workspace = new AdhocWorkspace();
            var projectId = ProjectId.CreateNewId();
            var solution = workspace.CurrentSolution
                .AddProject(ProjectInfo.Create(
                    projectId,
                    VersionStamp.Default,
                    "TestProject",
                    "TestProject",
                    LanguageNames.CSharp,
                    compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
                    parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
                    metadataReferences: LazyReferences.Value,
                    analyzerReferences: new AnalyzerReference[] { new GeneratorReference() }))
                .AddDocument(DocumentId.CreateNewId(projectId), "Test0.cs", SourceText.From(source), filePath: Directory + "/Test0.cs");
            if (editorConfig is not null)
            {
                solution = solution.AddAnalyzerConfigDocument(DocumentId.CreateNewId(projectId), ".editorconfig", SourceText.From(editorConfig), filePath: Directory + "/.editorconfig");
            }

            return solution.Projects.Single().Documents.Single();
        }

        /// <summary>
        /// Every diagnostic of <paramref name="document"/>'s project: the compiler's (on the code with the generated
        /// files), the generator's and the analyzers'.
        /// </summary>
        public static async Task<Diagnostics> GetDiagnosticsAsync(Document document, CancellationToken ct = default)
        {
            ArgumentNullException.ThrowIfNull(document);
            var project = document.Project;
            var compilation = await project.GetCompilationAsync(ct).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The project has no compilation.");

            // The workspace ran the generator to build this compilation but keeps its diagnostics to itself: run it
            // again over the user's trees (the same tree objects, so locations map back to the documents).
            var userTrees = new HashSet<SyntaxTree>();
            foreach (var d in project.Documents)
            {
                userTrees.Add((await d.GetSyntaxTreeAsync(ct).ConfigureAwait(false))!);
            }

            var userCompilation = compilation.RemoveSyntaxTrees(compilation.SyntaxTrees.Where(t => !userTrees.Contains(t)));
            CSharpGeneratorDriver.Create(new DifferentiableGenerator())
                .RunGeneratorsAndUpdateCompilation(userCompilation, out _, out var generatorDiagnostics, ct);

            var analyzerDiagnostics = await compilation
                .WithAnalyzers(Analyzers, new CompilationWithAnalyzersOptions(project.AnalyzerOptions, onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false))
                .GetAllDiagnosticsAsync(ct)
                .ConfigureAwait(false);

            return new Diagnostics(compilation, analyzerDiagnostics.AddRange(generatorDiagnostics));
        }

        private static ImmutableArray<MetadataReference> LoadReferences()
        {
            string tpa = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string
                ?? throw new InvalidOperationException("TRUSTED_PLATFORM_ASSEMBLIES is not set; tests must run on .NET.");

            // Only the framework (not the test's own Roslyn and xunit), plus SymDiff.dll: what a user project sees.
            string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            var paths = new SortedSet<string>(
                tpa.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Where(p => string.Equals(Path.GetDirectoryName(p), framework, StringComparison.Ordinal)),
                StringComparer.Ordinal)
            {
                typeof(DifferentiableAttribute).Assembly.Location,
            };
            return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
        }

        /// <summary>The generator as an analyzer reference of the test project, as a package reference would add it.</summary>
        private sealed class GeneratorReference : AnalyzerReference
        {
            private readonly ImmutableArray<ISourceGenerator> _generators = ImmutableArray.Create(new DifferentiableGenerator().AsSourceGenerator());

            public override string? FullPath => null;

            public override object Id => typeof(DifferentiableGenerator);

            public override string Display => "SymDiff.Generator";

            public override ImmutableArray<DiagnosticAnalyzer> GetAnalyzersForAllLanguages() => ImmutableArray<DiagnosticAnalyzer>.Empty;

            public override ImmutableArray<DiagnosticAnalyzer> GetAnalyzers(string language) => ImmutableArray<DiagnosticAnalyzer>.Empty;

            public override ImmutableArray<ISourceGenerator> GetGeneratorsForAllLanguages() => _generators;

            public override ImmutableArray<ISourceGenerator> GetGenerators(string language) => _generators;
        }
    }

    /// <summary>The diagnostics of a test project, with the compilation they came from.</summary>
    public sealed record Diagnostics(Compilation Compilation, ImmutableArray<Diagnostic> All)
    {
        /// <summary>SymDiff's diagnostics (generator and analyzers) of at least warning severity, in source order.</summary>
        public ImmutableArray<Diagnostic> SymDiff => All
            .Where(d => d.Id.StartsWith("SD", StringComparison.Ordinal) && d.Severity >= DiagnosticSeverity.Warning)
            .OrderBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();

        /// <summary>Compiler errors: a test source must compile, or the test itself is wrong.</summary>
        public ImmutableArray<Diagnostic> CompilerErrors => All
            .Where(d => d.Id.StartsWith("CS", StringComparison.Ordinal) && d.Severity == DiagnosticSeverity.Error)
            .ToImmutableArray();
    }
}

using System;
using System.Collections.Generic;
using System.Composition;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Testing;
using SymDiff.Analyzers.CodeFixes;
using SymDiff.Analyzers.Tests.Infrastructure;
using SymDiff.Generator.Diagnostics;
using Xunit;

namespace SymDiff.Analyzers.Tests
{
    /// <summary>
    /// The division of labour and the conventions: analyzers never report what the generator reports (SD0001 and SD1001
    /// are found by the generator's parser and reported by an analyzer only), every analyzer ID has its page, index
    /// row and release entry, every code fix is exported and fixes all.
    /// </summary>
    public sealed class AnalyzerCatalogTests
    {
        /// <summary>What the generator reports itself (DESIGN.md, Diagnostics): the analyzers must not report these again.</summary>
        private static readonly string[] GeneratorIds =
        {
            "SD0002", "SD0003", "SD0004", "SD0005", "SD0006", "SD0007", "SD0008",
            "SD0013", "SD0014", "SD0015", "SD0016", "SD0017", "SD0018",
            "SD1000", "SD1004", "SD1005", "SD1006", "SD1007", "SD1008", "SD1009", "SD9001",
            "SD1020", "SD1021", "SD1022", "SD1023",
        };

        /// <summary>Found by the generator's parser, reported by an analyzer only, so that dotnet format applies their fixes.</summary>
        private static readonly string[] ParserIdsReportedByAnalyzers = { "SD0001", "SD1001" };

        private static readonly CodeFixProvider[] CodeFixes =
        {
            new NotPartialCodeFix(), new LeafMutationCodeFix(), new MissingGradientResetCodeFix(), new ReplacedBufferCodeFix(),
        };

        public static TheoryData<string> AnalyzerIds()
        {
            var data = new TheoryData<string>();
            foreach (var id in SymDiffTest<EmptyCodeFixProvider>.Analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().OrderBy(i => i, StringComparer.Ordinal))
            {
                data.Add(id);
            }

            return data;
        }

        [Fact]
        public void Analyzers_do_not_report_the_generators_diagnostics()
        {
            var reported = SymDiffTest<EmptyCodeFixProvider>.Analyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).ToList();

            Assert.Equal(9, SymDiffTest<EmptyCodeFixProvider>.Analyzers.Length);
            Assert.Equal(reported.Count, reported.Distinct().Count()); // one analyzer per ID

            // A fixable ID has an analyzer of its own: dotnet format runs the analyzers that support the ID it fixes and
            // hands the code fix the first diagnostic they report, whatever its ID; a fix given another ID's diagnostic
            // offers nothing, and dotnet format then says "didn't return a Fix All action".
            foreach (var analyzer in SymDiffTest<EmptyCodeFixProvider>.Analyzers)
            {
                if (analyzer.SupportedDiagnostics.Any(d => CodeFixes.Any(f => f.FixableDiagnosticIds.Contains(d.Id))))
                {
                    Assert.True(analyzer.SupportedDiagnostics.Length == 1, analyzer.GetType().Name);
                }
            }

            Assert.Empty(reported.Intersect(GeneratorIds));
            Assert.Equal(ParserIdsReportedByAnalyzers, DiagnosticDescriptors.All.Select(d => d.Id).Where(AnalyzerReported.Contains).OrderBy(i => i, StringComparer.Ordinal));
            Assert.All(GeneratorIds, id => Assert.False(AnalyzerReported.Contains(id), id));
            Assert.Equal(
                DiagnosticDescriptors.All.Select(d => d.Id).Except(GeneratorIds).OrderBy(i => i, StringComparer.Ordinal),
                reported.OrderBy(i => i, StringComparer.Ordinal));
        }

        [Theory]
        [MemberData(nameof(AnalyzerIds))]
        public void Analyzer_diagnostics_are_documented_tracked_and_configurable(string id)
        {
            var descriptor = DiagnosticDescriptors.ById(id);
            string root = RepositoryRoot();

            string page = Path.Combine(root, "docs", "diagnostics", id + ".md");
            Assert.True(File.Exists(page), $"Missing {page}.");
            string text = File.ReadAllText(page);
            Assert.StartsWith($"# {id}: {descriptor.Title}", text, StringComparison.Ordinal);
            Assert.Contains("```csharp", text, StringComparison.Ordinal);
            Assert.EndsWith($"docs/diagnostics/{id}.md", descriptor.HelpLinkUri, StringComparison.Ordinal);

            Assert.Contains($"[{id}]({id}.md)", File.ReadAllText(Path.Combine(root, "docs", "diagnostics", "README.md")), StringComparison.Ordinal);
            Assert.Contains(
                File.ReadAllLines(Path.Combine(root, "generator", "SymDiff.Generator", "AnalyzerReleases.Unshipped.md")),
                line => line.StartsWith($"{id} | {descriptor.Category} | {descriptor.DefaultSeverity} |", StringComparison.Ordinal));

            Assert.DoesNotContain(WellKnownDiagnosticTags.NotConfigurable, descriptor.CustomTags);
            Assert.True(descriptor.IsEnabledByDefault);
        }

        [Fact]
        public void Code_fixes_are_exported_shared_and_batch_fixable()
        {
            var fixedIds = new List<string>();
            foreach (var fix in CodeFixes)
            {
                var type = fix.GetType();
                var export = type.GetCustomAttribute<ExportCodeFixProviderAttribute>();
                Assert.NotNull(export);
                Assert.Contains(LanguageNames.CSharp, export!.Languages);
                Assert.NotNull(type.GetCustomAttribute<SharedAttribute>());
                // The batch fixer, except where one method's diagnostics need one edit together (SD1001: several
                // parameters copied at the top of one body); the fix-all tests cover that one.
                if (fix is not LeafMutationCodeFix)
                {
                    Assert.Same(WellKnownFixAllProviders.BatchFixer, fix.GetFixAllProvider());
                }
                else
                {
                    Assert.NotNull(fix.GetFixAllProvider());
                }

                fixedIds.AddRange(fix.FixableDiagnosticIds);
            }

            Assert.Equal(new[] { "SD0001", "SD1001", "SD2001", "SD2006" }, fixedIds.OrderBy(i => i, StringComparer.Ordinal));
            Assert.All(fixedIds, id => Assert.NotNull(DiagnosticDescriptors.ById(id)));
        }

        [Fact]
        public void Every_code_fix_assembly_type_is_tested_here()
        {
            var exported = typeof(NotPartialCodeFix).Assembly.GetTypes().Where(t => typeof(CodeFixProvider).IsAssignableFrom(t) && !t.IsAbstract);
            Assert.Equal(
                exported.Select(t => t.Name).OrderBy(n => n, StringComparer.Ordinal),
                CodeFixes.Select(f => f.GetType().Name).OrderBy(n => n, StringComparer.Ordinal));
        }

        internal static string RepositoryRoot()
        {
            string? configured = typeof(AnalyzerCatalogTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .SingleOrDefault(a => a.Key == "RepositoryRoot")?.Value;
            var candidates = new List<string>();
            if (configured is not null)
            {
                candidates.Add(Path.GetFullPath(configured));
            }

            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                candidates.Add(dir.FullName);
            }

            return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, "SymDiff.sln")))
                ?? throw new InvalidOperationException("Cannot find the repository root (the directory with SymDiff.sln).");
        }
    }
}

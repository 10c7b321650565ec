using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Diagnostics;
using Xunit;

namespace SymDiff.Generator.Tests.Diagnostics
{
    /// <summary>
    /// The catalogue of diagnostics is complete: every descriptor in <see cref="DiagnosticDescriptors"/> has a docs
    /// page its help link points to, a release-tracking entry and at least one test.
    /// </summary>
    public sealed class DiagnosticCatalogTests
    {
        private static readonly Lazy<string> LazyRepositoryRoot = new(FindRepositoryRoot);

        /// <summary>Every <see cref="DiagnosticDescriptor"/> field of <see cref="DiagnosticDescriptors"/>, found by reflection.</summary>
        public static TheoryData<string> DescriptorIds()
        {
            var data = new TheoryData<string>();
            foreach (DiagnosticDescriptor descriptor in DeclaredDescriptors())
            {
                data.Add(descriptor.Id);
            }

            return data;
        }

        private static string RepositoryRoot => LazyRepositoryRoot.Value;

        [Fact]
        public void Descriptors_are_found_and_unique()
        {
            DiagnosticDescriptor[] declared = DeclaredDescriptors();

            Assert.NotEmpty(declared);
            Assert.Equal(declared.Length, declared.Select(d => d.Id).Distinct(StringComparer.Ordinal).Count());
            Assert.Equal(
                declared.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal),
                DiagnosticDescriptors.All.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal));
            Assert.All(declared, d => Assert.Matches(@"^SD[0-9]{4}$", d.Id));
        }

        [Theory]
        [MemberData(nameof(DescriptorIds))]
        public void Help_link_points_to_the_docs_page(string id)
        {
            DiagnosticDescriptor descriptor = DiagnosticDescriptors.ById(id);

            Assert.EndsWith($"docs/diagnostics/{id}.md", descriptor.HelpLinkUri, StringComparison.Ordinal);
            Assert.True(Uri.TryCreate(descriptor.HelpLinkUri, UriKind.Absolute, out Uri? uri) && uri.Scheme == Uri.UriSchemeHttps, descriptor.HelpLinkUri);
        }

        [Theory]
        [MemberData(nameof(DescriptorIds))]
        public void Docs_page_exists_and_is_titled_with_the_id_and_title(string id)
        {
            DiagnosticDescriptor descriptor = DiagnosticDescriptors.ById(id);
            string path = Path.Combine(RepositoryRoot, "docs", "diagnostics", id + ".md");

            Assert.True(File.Exists(path), $"Missing docs page {path}.");
            string firstLine = File.ReadLines(path).First();
            Assert.StartsWith("# " + id, firstLine, StringComparison.Ordinal);
            Assert.Equal($"# {id}: {descriptor.Title}", firstLine);
        }

        [Theory]
        [MemberData(nameof(DescriptorIds))]
        public void Docs_index_lists_the_id(string id)
        {
            string index = File.ReadAllText(Path.Combine(RepositoryRoot, "docs", "diagnostics", "README.md"));

            Assert.Contains($"[{id}]({id}.md)", index, StringComparison.Ordinal);
        }

        [Theory]
        [MemberData(nameof(DescriptorIds))]
        public void Release_tracking_has_the_id_with_its_category_and_severity(string id)
        {
            DiagnosticDescriptor descriptor = DiagnosticDescriptors.ById(id);
            string unshipped = File.ReadAllText(Path.Combine(RepositoryRoot, "generator", "SymDiff.Generator", "AnalyzerReleases.Unshipped.md"));

            Assert.Contains(id, unshipped, StringComparison.Ordinal);
            string? row = unshipped.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(id + " ", StringComparison.Ordinal));
            Assert.NotNull(row);
            string[] cells = row.Split('|').Select(c => c.Trim()).ToArray();
            Assert.Equal(descriptor.Category, cells[1]);
            Assert.Equal(descriptor.DefaultSeverity.ToString(), cells[2]);
        }

        [Theory]
        [MemberData(nameof(DescriptorIds))]
        public void Id_is_used_by_a_test(string id)
        {
            string self = Path.Combine(RepositoryRoot, "tests", "SymDiff.Generator.Tests", "Diagnostics", nameof(DiagnosticCatalogTests) + ".cs");
            var pattern = new Regex($@"\b{id}\b", RegexOptions.CultureInvariant);

            string? user = TestSources()
                .Where(path => !string.Equals(Path.GetFullPath(path), Path.GetFullPath(self), StringComparison.Ordinal))
                .FirstOrDefault(path => pattern.IsMatch(File.ReadAllText(path)));

            Assert.True(user is not null, $"No test file under {Path.Combine(RepositoryRoot, "tests")} mentions {id}.");
        }

        private static DiagnosticDescriptor[] DeclaredDescriptors() =>
            typeof(DiagnosticDescriptors)
                .GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
                .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
                .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
                .OrderBy(d => d.Id, StringComparer.Ordinal)
                .ToArray();

        /// <summary>Every C# file under <c>tests/</c>, outside build output.</summary>
        private static IEnumerable<string> TestSources()
        {
            char s = Path.DirectorySeparatorChar;
            return Directory.EnumerateFiles(Path.Combine(RepositoryRoot, "tests"), "*.cs", SearchOption.AllDirectories)
                .Where(path => !path.Contains($"{s}bin{s}", StringComparison.Ordinal) && !path.Contains($"{s}obj{s}", StringComparison.Ordinal));
        }

        /// <summary>
        /// The repository root: two levels above the test project (from the <c>SnapshotRoot</c> metadata the
        /// csproj writes), else the first directory above the test assembly that holds <c>SymDiff.sln</c>.
        /// </summary>
        private static string FindRepositoryRoot()
        {
            string? projectDirectory = typeof(DiagnosticCatalogTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .SingleOrDefault(a => a.Key == "SnapshotRoot")?.Value;
            var candidates = new List<string?>();
            if (projectDirectory is not null)
            {
                candidates.Add(Path.GetFullPath(Path.Combine(projectDirectory, "..", "..")));
            }

            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                candidates.Add(dir.FullName);
            }

            return candidates.FirstOrDefault(c => c is not null && File.Exists(Path.Combine(c, "SymDiff.sln")))
                ?? throw new InvalidOperationException("Cannot find the repository root (the directory with SymDiff.sln).");
        }
    }
}

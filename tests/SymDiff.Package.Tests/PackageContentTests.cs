using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using SymDiff.Package.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Package.Tests
{
    /// <summary>What is inside the packed <c>.nupkg</c> and <c>.snupkg</c>, read as a user's NuGet client reads them.</summary>
    [Collection(PackageCollection.Name)]
    public sealed class PackageContentTests
    {
        private readonly PackageFeed _feed;

        public PackageContentTests(PackageFeed feed) => _feed = feed;

        private string HelpLinkBase => $"{PackageFeed.RepositoryUrl}/blob/{PackageFeed.RepositoryBranch}/docs/diagnostics/";

        [Fact]
        public void Package_holds_the_runtime_the_compile_time_part_and_the_build_switches()
        {
            HashSet<string> entries = Entries(_feed.PackagePath);

            Assert.Superset(
                new HashSet<string>
                {
                    "README.md",
                    "lib/netstandard2.0/SymDiff.dll",
                    "lib/netstandard2.0/SymDiff.xml",
                    "lib/net8.0/SymDiff.dll",
                    "lib/net8.0/SymDiff.xml",
                    "build/SymDiff.props",
                    "build/SymDiff.targets",
                    "buildTransitive/SymDiff.props",
                    "buildTransitive/SymDiff.targets",
                },
                entries);
            Assert.Equal(
                new[] { "analyzers/dotnet/cs/SymDiff.Analyzers.CodeFixes.dll", "analyzers/dotnet/cs/SymDiff.Analyzers.dll", "analyzers/dotnet/cs/SymDiff.Generator.dll" },
                entries.Where(e => e.StartsWith("analyzers/", StringComparison.Ordinal)).OrderBy(e => e, StringComparer.Ordinal));
            Assert.Equal(Read(_feed.PackagePath, "build/SymDiff.props"), Read(_feed.PackagePath, "buildTransitive/SymDiff.props"));
            Assert.Equal(Read(_feed.PackagePath, "build/SymDiff.targets"), Read(_feed.PackagePath, "buildTransitive/SymDiff.targets"));
        }

        [Fact]
        public void Nuspec_carries_the_licence_the_urls_the_readme_and_the_release_notes()
        {
            XElement metadata = Nuspec().Root!.Elements().Single(e => e.Name.LocalName == "metadata");
            XElement Element(string name) => metadata.Elements().Single(e => e.Name.LocalName == name);

            Assert.Equal("SymDiff", Element("id").Value);
            Assert.Equal(_feed.PackageVersion, Element("version").Value);
            Assert.Equal("expression", (string?)Element("license").Attribute("type"));
            Assert.Equal("MIT", Element("license").Value);
            Assert.Equal(PackageFeed.RepositoryUrl, Element("projectUrl").Value);
            Assert.Equal(PackageFeed.RepositoryUrl, (string?)Element("repository").Attribute("url"));
            Assert.Equal("git", (string?)Element("repository").Attribute("type"));
            Assert.Equal("README.md", Element("readme").Value);
            Assert.Equal(ReleaseNotesSection(PackageFeed.Version), Normalize(Element("releaseNotes").Value));
            Assert.Contains(
                Element("dependencies").Elements().Where(g => (string?)g.Attribute("targetFramework") == ".NETStandard2.0").Elements(),
                d => (string?)d.Attribute("id") == "System.Memory");
        }

        [Fact]
        public void Repository_has_the_MIT_licence_the_package_declares()
        {
            string licence = File.ReadAllText(Path.Combine(PackageFeed.RepositoryRoot, "LICENSE"));

            Assert.StartsWith("MIT License", licence, StringComparison.Ordinal);
            Assert.Contains("Copyright (c) 2026 SymDiff contributors", licence, StringComparison.Ordinal);
        }

        [Fact]
        public void Symbols_package_has_a_portable_pdb_per_target_framework()
        {
            Assert.True(File.Exists(_feed.SymbolsPackagePath), $"No symbols package at {_feed.SymbolsPackagePath}.");
            foreach (string tfm in new[] { "netstandard2.0", "net8.0" })
            {
                byte[] pdb = ReadBytes(_feed.SymbolsPackagePath, $"lib/{tfm}/SymDiff.pdb");
                Assert.Equal("BSJB", Encoding.ASCII.GetString(pdb, 0, 4)); // the metadata signature a portable PDB starts with
            }
        }

        [Fact]
        public void Package_readme_is_written_for_package_users()
        {
            string readme = Normalize(Read(_feed.PackagePath, "README.md"));
            string linkPrefix = $"{PackageFeed.RepositoryUrl}/blob/{PackageFeed.RepositoryBranch}/";

            Assert.DoesNotContain("{SymDiff", readme, StringComparison.Ordinal); // every placeholder filled in
            Assert.DoesNotContain("samples/", readme, StringComparison.Ordinal); // no commands that work only in a clone
            Assert.Contains("dotnet add package SymDiff --prerelease", readme, StringComparison.Ordinal);
            Assert.Contains($"<PackageReference Include=\"SymDiff\" Version=\"{_feed.PackageVersion}\" />", readme, StringComparison.Ordinal);

            string[] links = Regex.Matches(readme, @"\]\(([^)]*)\)").Select(m => m.Groups[1].Value).ToArray();
            Assert.NotEmpty(links);
            foreach (string link in links)
            {
                Assert.StartsWith(linkPrefix, link, StringComparison.Ordinal);
                string file = Path.Combine(PackageFeed.RepositoryRoot, link.Substring(linkPrefix.Length));
                Assert.True(File.Exists(file), $"The package README links to {link}, but the repository has no {file}.");
            }

            Assert.Equal(TrainingCode(File.ReadAllText(Path.Combine(PackageFeed.RepositoryRoot, "README.md"))), TrainingCode(readme));
        }

        [Fact]
        public void Repository_readme_installs_the_version_the_repository_builds()
        {
            string readme = File.ReadAllText(Path.Combine(PackageFeed.RepositoryRoot, "README.md"));

            Assert.Contains($"<PackageReference Include=\"SymDiff\" Version=\"{PackageFeed.Version}\" />", readme, StringComparison.Ordinal);
            Assert.Contains("dotnet add package SymDiff --prerelease", readme, StringComparison.Ordinal);
            Assert.Contains("-", PackageFeed.Version, StringComparison.Ordinal); // a prerelease, hence --prerelease
        }

        [Fact]
        public void Help_links_of_SD0100_and_of_the_generators_diagnostics_come_from_the_repository_url()
        {
            string props = Read(_feed.PackagePath, "build/SymDiff.props");
            Assert.DoesNotContain("{SymDiff", props, StringComparison.Ordinal);
            Assert.Contains($"<_SymDiffHelpLinkBase>{HelpLinkBase}</_SymDiffHelpLinkBase>", props, StringComparison.Ordinal);
            Assert.Contains($"<_SymDiffPackageVersion>{_feed.PackageVersion}</_SymDiffPackageVersion>", props, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(PackageFeed.RepositoryRoot, "docs", "diagnostics", "SD0100.md")));

            // The generator's help links are Base + id + ".md", with Base a string constant of the generator assembly
            // (stored in its metadata as UTF-16).
            byte[] generator = ReadBytes(_feed.PackagePath, "analyzers/dotnet/cs/SymDiff.Generator.dll");
            byte[] baseInMetadata = Encoding.Unicode.GetBytes(HelpLinkBase);
            Assert.True(generator.AsSpan().IndexOf(baseInMetadata) >= 0, $"SymDiff.Generator.dll does not contain the help-link base {HelpLinkBase}.");
        }

        /// <summary>The lines under <c>## {version}</c> in RELEASE-NOTES.md, up to the next <c>## </c> heading.</summary>
        private static string ReleaseNotesSection(string version)
        {
            string[] lines = File.ReadAllLines(Path.Combine(PackageFeed.RepositoryRoot, "RELEASE-NOTES.md"));
            int heading = Array.FindIndex(lines, l => l.TrimEnd() == "## " + version);
            Assert.True(heading >= 0, $"RELEASE-NOTES.md has no section for {version}.");
            string[] section = lines.Skip(heading + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)).ToArray();
            string text = string.Join("\n", section).Trim();
            Assert.NotEmpty(text);
            return text;
        }

        /// <summary>The <c>```csharp</c> blocks of a README's Training section.</summary>
        private static string[] TrainingCode(string readme)
        {
            readme = Normalize(readme);
            int start = readme.IndexOf("\n## Training\n", StringComparison.Ordinal);
            Assert.True(start >= 0, "No '## Training' section.");
            int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            string section = end < 0 ? readme.Substring(start) : readme.Substring(start, end - start);
            string[] blocks = Regex.Matches(section, @"```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToArray();
            Assert.Equal(2, blocks.Length);
            return blocks;
        }

        private XDocument Nuspec() => XDocument.Parse(Read(_feed.PackagePath, "SymDiff.nuspec"));

        private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

        private static HashSet<string> Entries(string zip)
        {
            using ZipArchive archive = ZipFile.OpenRead(zip);
            return archive.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        }

        private static string Read(string zip, string entry) => Encoding.UTF8.GetString(ReadBytes(zip, entry)).TrimStart('\uFEFF');

        private static byte[] ReadBytes(string zip, string entry)
        {
            using ZipArchive archive = ZipFile.OpenRead(zip);
            ZipArchiveEntry? found = archive.GetEntry(entry);
            Assert.True(found is not null, $"{Path.GetFileName(zip)} has no {entry}.");
            using Stream stream = found.Open();
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            return memory.ToArray();
        }
    }
}

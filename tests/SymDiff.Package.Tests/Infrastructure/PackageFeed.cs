using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Xunit;

namespace SymDiff.Package.Tests.Infrastructure
{
    /// <summary>
    /// The SymDiff package, packed once per test run from the build these tests were built with, in a local folder
    /// feed, and a temporary directory for consumer projects that restore from it.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The package gets a version of its own (the repository's version plus <c>.test</c>, a time stamp and the process ID), so that
    /// no copy of an earlier build in a NuGet cache can stand in for it. Consumers restore into a packages folder of
    /// their own (<c>NUGET_PACKAGES</c>), with the machine's global packages folder as a read-only fallback, so
    /// restoring needs the network only for packages this machine has never restored (the .NET 8 app host).
    /// </para>
    /// <para>
    /// The temporary directory holds empty <c>Directory.Build.*</c> and <c>Directory.Packages.props</c> files, so
    /// MSBuild imports nothing from above it, and a <c>nuget.config</c> that adds the feed to the machine's sources.
    /// </para>
    /// </remarks>
    public sealed class PackageFeed : IAsyncLifetime
    {
        public PackageFeed()
        {
            Root = Path.Combine(Path.GetTempPath(), "symdiff-package-" + Guid.NewGuid().ToString("N"));
            PackageVersion = string.Create(CultureInfo.InvariantCulture, $"{Version}.test{DateTime.UtcNow:yyyyMMddHHmmss}p{Environment.ProcessId}");
        }

        /// <summary>Gets the repository's root directory.</summary>
        public static string RepositoryRoot => Path.GetFullPath(Metadata("RepositoryRoot"));

        /// <summary>Gets the build configuration these tests (and so the packed assemblies) were built with.</summary>
        public static string Configuration => Metadata("Configuration");

        /// <summary>Gets the repository's version (Directory.Build.props), which the package normally carries.</summary>
        public static string Version => Metadata("Version");

        /// <summary>Gets the repository URL property (<c>SymDiffRepositoryUrl</c>).</summary>
        public static string RepositoryUrl => Metadata("SymDiffRepositoryUrl");

        /// <summary>Gets the branch the documentation links point to (<c>SymDiffRepositoryBranch</c>).</summary>
        public static string RepositoryBranch => Metadata("SymDiffRepositoryBranch");

        /// <summary>Gets the temporary directory that holds the feed, the packages folder and the consumer projects.</summary>
        public string Root { get; }

        /// <summary>Gets the version the package was packed with for this run.</summary>
        public string PackageVersion { get; }

        /// <summary>Gets the local folder feed.</summary>
        public string FeedDirectory => Path.Combine(Root, "feed");

        /// <summary>Gets the packages folder consumers restore into.</summary>
        public string PackagesDirectory => Path.Combine(Root, "packages");

        /// <summary>Gets the path of the packed <c>.nupkg</c>.</summary>
        public string PackagePath => Path.Combine(FeedDirectory, $"SymDiff.{PackageVersion}.nupkg");

        /// <summary>Gets the path of the packed symbols package.</summary>
        public string SymbolsPackagePath => Path.Combine(FeedDirectory, $"SymDiff.{PackageVersion}.snupkg");

        /// <summary>Gets the <c>dotnet pack</c> run, for messages.</summary>
        public DotnetResult? Pack { get; private set; }

        private IReadOnlyDictionary<string, string?> ChildEnvironment => new Dictionary<string, string?> { ["NUGET_PACKAGES"] = PackagesDirectory };

        public async Task InitializeAsync()
        {
            Directory.CreateDirectory(FeedDirectory);
            Directory.CreateDirectory(PackagesDirectory);
            File.WriteAllText(Path.Combine(Root, "Directory.Build.props"), "<Project />\n");
            File.WriteAllText(Path.Combine(Root, "Directory.Build.targets"), "<Project />\n");
            File.WriteAllText(Path.Combine(Root, "Directory.Packages.props"), "<Project />\n");

            string fallback = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
                ? configured
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string fallbackElement = Directory.Exists(fallback)
                ? $"  <fallbackPackageFolders>\n    <add key=\"machine\" value=\"{fallback}\" />\n  </fallbackPackageFolders>\n"
                : string.Empty;
            File.WriteAllText(
                Path.Combine(Root, "nuget.config"),
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n"
                + $"  <packageSources>\n    <add key=\"symdiff-test-feed\" value=\"{FeedDirectory}\" />\n  </packageSources>\n"
                + fallbackElement
                + "</configuration>\n");

            string project = Path.Combine(RepositoryRoot, "src", "SymDiff", "SymDiff.csproj");
            Pack = await Dotnet.RunAsync(
                RepositoryRoot,
                ChildEnvironment,
                "pack",
                project,
                "--no-build",
                "--configuration",
                Configuration,
                "--output",
                FeedDirectory,
                "-p:PackageVersion=" + PackageVersion,
                "-p:NuspecOutputPath=" + Path.Combine(Root, "nuspec") + Path.DirectorySeparatorChar);
            Assert.True(Pack.ExitCode == 0 && File.Exists(PackagePath), $"Packing failed (the tests pack the build they were built with).{Environment.NewLine}{Pack}");
        }

        public Task DisposeAsync()
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary directory is harmless.
            }
            catch (UnauthorizedAccessException)
            {
            }

            return Task.CompletedTask;
        }

        /// <summary>Creates an empty directory for a consumer project, named after <paramref name="name"/>.</summary>
        public string NewProjectDirectory(string name)
        {
            string directory = Path.Combine(Root, name);
            Assert.False(Directory.Exists(directory), $"Two consumer projects named {name}.");
            Directory.CreateDirectory(directory);
            return directory;
        }

        /// <summary>Runs <c>dotnet</c> in <paramref name="directory"/>, restoring from this feed into this run's packages folder.</summary>
        public Task<DotnetResult> DotnetAsync(string directory, params string[] arguments) => Dotnet.RunAsync(directory, ChildEnvironment, arguments);

        /// <summary>The path of a file of the restored package (under this run's packages folder).</summary>
        public string RestoredFile(params string[] relative) =>
            Path.Combine(new[] { PackagesDirectory, "symdiff", PackageVersion.ToLowerInvariant() }.Concat(relative).ToArray());

        private static string Metadata(string key) =>
            typeof(PackageFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
            ?? throw new InvalidOperationException($"The test assembly has no value for '{key}'.");
    }

    /// <summary>The tests that share one packed package; they run one after another.</summary>
    [CollectionDefinition(Name)]
    public sealed class PackageCollection : ICollectionFixture<PackageFeed>
    {
        public const string Name = "Package";
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Runtime.Loader;
using System.Threading.Tasks;
using SymDiff.Package.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Package.Tests
{
    /// <summary>
    /// A new user's first hour, for real: <c>dotnet add package</c> from the local feed, the README's training code
    /// pasted into a <c>net8.0</c> console app and into a <c>netstandard2.0</c> library at its default C# version
    /// (7.3), built with warnings as errors, and the trained model checked against the known optimum.
    /// </summary>
    [Collection(PackageCollection.Name)]
    public sealed class ConsumerProjectTests
    {
        private static readonly Guid EmbeddedSourceKind = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

        private readonly PackageFeed _feed;

        public ConsumerProjectTests(PackageFeed feed) => _feed = feed;

        [Fact]
        public async Task Readme_install_and_training_loop_work_in_a_net8_console_app()
        {
            string directory = _feed.NewProjectDirectory("ConsoleApp");
            string project = Path.Combine(directory, "ConsoleApp.csproj");
            File.WriteAllText(project, @"<Project Sdk=""Microsoft.NET.Sdk"">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net8.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
</Project>
");
            File.WriteAllText(Path.Combine(directory, "LineFit.cs"), Readme.TrainingClass);
            File.WriteAllText(Path.Combine(directory, "Program.cs"), Readme.TrainingProgram);

            // The README's install command, as it is written there.
            DotnetResult add = await _feed.DotnetAsync(directory, "add", project, "package", "SymDiff", "--prerelease");
            Assert.True(add.ExitCode == 0, add.ToString());
            Assert.Contains($"<PackageReference Include=\"SymDiff\" Version=\"{_feed.PackageVersion}\" />", File.ReadAllText(project), StringComparison.Ordinal);

            DotnetResult build = await _feed.DotnetAsync(directory, "build", project, "-nodeReuse:false");
            Assert.True(build.ExitCode == 0, build.ToString());
            Assert.DoesNotContain(": warning ", build.Output, StringComparison.Ordinal);

            // The .NET 8 runtime may be missing on a machine with only a newer SDK: roll forward to what is there.
            string app = Path.Combine(directory, "bin", "Debug", "net8.0", "ConsoleApp.dll");
            var run = await Dotnet.RunAsync(directory, new Dictionary<string, string?> { ["DOTNET_ROLL_FORWARD"] = "Major" }, app);
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal(Readme.ExpectedOutput, run.Output.Trim());
            Assert.Equal("w = 2.000000, b = 1.000000", Readme.ExpectedOutput); // the least-squares line through (x, 2x + 1)

            // README, "Debugging the generated code": the generated file is in the PDB, source included.
            string pdb = Path.ChangeExtension(app, ".pdb");
            using var provider = MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(pdb));
            MetadataReader reader = provider.GetMetadataReader();
            DocumentHandle generated = reader.Documents
                .Single(d => reader.GetString(reader.GetDocument(d).Name).Replace('\\', '/').EndsWith("/SymDiff.Generator.DifferentiableGenerator/LineFit.Loss.g.cs", StringComparison.Ordinal));
            Assert.Contains(
                reader.GetCustomDebugInformation(generated),
                h => reader.GetGuid(reader.GetCustomDebugInformation(h).Kind) == EmbeddedSourceKind);
        }

        [Fact]
        public async Task Readme_training_loop_trains_from_a_netstandard2_library_at_its_default_language_version()
        {
            string directory = _feed.NewProjectDirectory("Library");
            string project = Path.Combine(directory, "Library.csproj");
            File.WriteAllText(project, $@"<Project Sdk=""Microsoft.NET.Sdk"">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include=""SymDiff"" Version=""{_feed.PackageVersion}"" />
  </ItemGroup>
</Project>
");
            File.WriteAllText(Path.Combine(directory, "LineFit.cs"), Readme.TrainingClass);

            DotnetResult langVersion = await _feed.DotnetAsync(directory, "msbuild", project, "-getProperty:LangVersion", "-getProperty:MaxSupportedLangVersion");
            Assert.Contains("\"MaxSupportedLangVersion\": \"7.3\"", langVersion.Output, StringComparison.Ordinal);
            Assert.Contains("\"LangVersion\": \"7.3\"", langVersion.Output, StringComparison.Ordinal);

            DotnetResult build = await _feed.DotnetAsync(directory, "build", project, "-nodeReuse:false");
            Assert.True(build.ExitCode == 0, build.ToString());
            Assert.DoesNotContain(": warning ", build.Output, StringComparison.Ordinal);

            // Train with the library, loaded beside the package's netstandard2.0 runtime.
            string library = Path.Combine(directory, "bin", "Debug", "netstandard2.0", "Library.dll");
            string runtime = _feed.RestoredFile("lib", "netstandard2.0", "SymDiff.dll");
            var context = new AssemblyLoadContext("SymDiff.Package.Tests.Library", isCollectible: true);
            context.Resolving += (c, name) => name.Name == "SymDiff" ? c.LoadFromAssemblyPath(runtime) : null;
            try
            {
                Type lineFit = context.LoadFromAssemblyPath(library).GetType("LineFit", throwOnError: true)!;
                double[] x = { 0, 1, 2, 3, 4 };
                double[] y = { 1, 3, 5, 7, 9 };
                var p = (double[])lineFit.GetMethod("Train")!.Invoke(null, new object[] { x, y, 1000 })!;

                Assert.Equal(2.0, p[0], 1e-10);
                Assert.Equal(1.0, p[1], 1e-10);
                Assert.Equal(runtime, context.Assemblies.Single(a => a.GetName().Name == "SymDiff").Location); // the package's netstandard2.0 build ran
            }
            finally
            {
                context.Unload();
            }
        }
    }
}

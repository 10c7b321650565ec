using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using SymDiff.Package.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Package.Tests
{
    /// <summary>
    /// The package's MSBuild switches (build/SymDiff.props and .targets), in real builds of a consumer that calls a
    /// generated method: the generator is there by default, gone with <c>SymDiffEnableGenerator=false</c>, and gone
    /// with warning SD0100 when the compiler reports a Roslyn older than 4.8 (faked through
    /// <c>CompilerApiVersion</c>, the property the check reads).
    /// </summary>
    [Collection(PackageCollection.Name)]
    public sealed class MSBuildSwitchTests
    {
        private const string MissingGeneratedMethod = "error CS0103: The name 'LossBackward' does not exist in the current context";

        private readonly PackageFeed _feed;

        public MSBuildSwitchTests(PackageFeed feed) => _feed = feed;

        [Fact]
        public async Task SymDiffEnableGenerator_false_leaves_the_generator_out_and_true_brings_it_back()
        {
            string project = CreateConsumer("GeneratorSwitch");

            DotnetResult on = await BuildAsync(project);
            Assert.True(on.ExitCode == 0, on.ToString());

            // The same project, not cleaned: turning the switch off must recompile it.
            DotnetResult off = await BuildAsync(project, "-p:SymDiffEnableGenerator=false");
            Assert.True(off.ExitCode != 0, off.ToString());
            Assert.Contains(MissingGeneratedMethod, off.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("SD0100", off.Output, StringComparison.Ordinal);
            AssertNoAnalyzerLoadFailures(off);

            DotnetResult onAgain = await BuildAsync(project, "-p:SymDiffEnableGenerator=true");
            Assert.True(onAgain.ExitCode == 0, onAgain.ToString());
        }

        [Fact]
        public async Task Compiler_older_than_Roslyn_4_8_gets_SD0100_and_no_generator()
        {
            string project = CreateConsumer("OldCompiler");

            DotnetResult old = await BuildAsync(project, "-p:CompilerApiVersion=roslyn4.7");
            Assert.True(old.ExitCode != 0, old.ToString());
            string expected = $"warning SD0100: SymDiff {_feed.PackageVersion} needs a C# compiler with Roslyn 4.8 or later (the .NET 8 SDK or Visual Studio 2022 17.8, or later); "
                + "this build's compiler is Roslyn 4.7 (CompilerApiVersion 'roslyn4.7').";
            Assert.Contains(project + " : " + expected, old.Output, StringComparison.Ordinal);
            Assert.Contains($"See {PackageFeed.RepositoryUrl}/blob/{PackageFeed.RepositoryBranch}/docs/diagnostics/SD0100.md", old.Output, StringComparison.Ordinal);
            Assert.Contains(MissingGeneratedMethod, old.Output, StringComparison.Ordinal);
            AssertNoAnalyzerLoadFailures(old);

            // The way out when the check is wrong: no warning, and the generator is passed to the compiler again.
            DotnetResult unchecked_ = await BuildAsync(project, "-p:CompilerApiVersion=roslyn4.7", "-p:SymDiffCheckCompilerVersion=false");
            Assert.True(unchecked_.ExitCode == 0, unchecked_.ToString());
            Assert.DoesNotContain("SD0100", unchecked_.Output, StringComparison.Ordinal);

            // Versions compare as versions, not as text or decimals: 4.10 is newer than 4.8.
            DotnetResult newer = await BuildAsync(project, "-p:CompilerApiVersion=roslyn4.10");
            Assert.True(newer.ExitCode == 0, newer.ToString());
            Assert.DoesNotContain("SD0100", newer.Output, StringComparison.Ordinal);
        }

        [Fact]
        public async Task SymDiffCheckFinite_true_reaches_the_generator_through_the_package_props()
        {
            string project = CreateConsumer("CheckFiniteSwitch");
            // Outside the project folder, or the next build would compile the copies as sources.
            string generated = Path.GetDirectoryName(project)! + "-generated";

            DotnetResult off = await BuildAsync(project, "-p:EmitCompilerGeneratedFiles=true", "-p:CompilerGeneratedFilesOutputPath=" + generated);
            Assert.True(off.ExitCode == 0, off.ToString());
            Assert.DoesNotContain("ThrowNotFinite", ReadGenerated(generated), StringComparison.Ordinal);

            // CompilerVisibleProperty (build/SymDiff.props) hands the property to the generator as build_property.SymDiffCheckFinite.
            DotnetResult on = await BuildAsync(project, "-p:EmitCompilerGeneratedFiles=true", "-p:CompilerGeneratedFilesOutputPath=" + generated, "-p:SymDiffCheckFinite=true");
            Assert.True(on.ExitCode == 0, on.ToString());
            Assert.Contains("global::SymDiff.Checks.ThrowNotFinite(", ReadGenerated(generated), StringComparison.Ordinal);
        }

        private static string ReadGenerated(string directory) =>
            string.Concat(Directory.GetFiles(directory, "*.g.cs", SearchOption.AllDirectories).Select(File.ReadAllText));

        private string CreateConsumer(string name)
        {
            string directory = _feed.NewProjectDirectory(name);
            string project = Path.Combine(directory, name + ".csproj");
            File.WriteAllText(project, $@"<Project Sdk=""Microsoft.NET.Sdk"">
  <PropertyGroup>
    <TargetFramework>netstandard2.0</TargetFramework>
    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include=""SymDiff"" Version=""{_feed.PackageVersion}"" />
  </ItemGroup>
</Project>
");
            File.WriteAllText(Path.Combine(directory, "LineFit.cs"), Readme.TrainingClass);
            return project;
        }

        private Task<DotnetResult> BuildAsync(string project, params string[] properties) =>
            _feed.DotnetAsync(Path.GetDirectoryName(project)!, ["build", project, "-nodeReuse:false", .. properties]);

        // Leaving out only some of SymDiff's assemblies would make the rest fail to load (CS8032, AD0001); a compiler
        // that is really too old would say CS9057.
        private static void AssertNoAnalyzerLoadFailures(DotnetResult result)
        {
            Assert.DoesNotContain("CS8032", result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("CS9057", result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("AD0001", result.Output, StringComparison.Ordinal);
        }
    }
}

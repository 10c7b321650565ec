using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace SymDiff.Analyzers.Tests.RealClient
{
    /// <summary>
    /// A small user project in a temporary directory that consumes SymDiff as a package would make it: SymDiff.dll as
    /// a reference, the generator, analyzers and code fixes as analyzers, all from the DLLs built with these tests.
    /// No package references, so restoring it needs no network.
    /// </summary>
    public sealed class ClientProject : IDisposable
    {
        /// <summary>How long one <c>dotnet</c> command may take before the test fails (and the command is stopped).</summary>
        public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(8);

        private static readonly Regex DiagnosticLine = new(
            @"^(?<file>[^\s(][^(]*)\((?<line>\d+),(?<column>\d+)\): (?<severity>warning|error) (?<id>[A-Z]+\d+):",
            RegexOptions.Multiline | RegexOptions.CultureInvariant);

        public ClientProject(IReadOnlyDictionary<string, string> sources, bool warningsAsErrors)
        {
            Directory = Path.Combine(Path.GetTempPath(), "symdiff-client-" + Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(Directory);

            // Empty Directory.Build.* and Directory.Packages.props stop MSBuild from importing anything above the
            // temporary directory.
            File.WriteAllText(Path.Combine(Directory, "Directory.Build.props"), "<Project />\n");
            File.WriteAllText(Path.Combine(Directory, "Directory.Build.targets"), "<Project />\n");
            File.WriteAllText(Path.Combine(Directory, "Directory.Packages.props"), "<Project />\n");

            string bin = AppContext.BaseDirectory;
            string Dll(string name)
            {
                string path = Path.Combine(bin, name + ".dll");
                Assert.True(File.Exists(path), $"Missing {path}: the test project references the projects that build it.");
                return path;
            }

            File.WriteAllText(ProjectPath, $@"<Project Sdk=""Microsoft.NET.Sdk"">
  <PropertyGroup>
    <TargetFramework>net{Environment.Version.Major}.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
    <TreatWarningsAsErrors>{(warningsAsErrors ? "true" : "false")}</TreatWarningsAsErrors>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <Reference Include=""SymDiff"" HintPath=""{Dll("SymDiff")}"" />
    <Analyzer Include=""{Dll("SymDiff.Generator")}"" />
    <Analyzer Include=""{Dll("SymDiff.Analyzers")}"" />
    <Analyzer Include=""{Dll("SymDiff.Analyzers.CodeFixes")}"" />
  </ItemGroup>
</Project>
");
            foreach (var (name, text) in sources)
            {
                File.WriteAllText(Path.Combine(Directory, name), text);
            }
        }

        public string Directory { get; }

        public string ProjectPath => Path.Combine(Directory, "Client.csproj");

        /// <summary>The diagnostics in MSBuild output, as (file name, line, ID), each once.</summary>
        public static HashSet<(string File, int Line, string Id)> ParseDiagnostics(string output) =>
            DiagnosticLine.Matches(output)
                .Select(m => (Path.GetFileName(m.Groups["file"].Value.Trim()), int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups["id"].Value))
                .ToHashSet();

        /// <summary>
        /// The diagnostics in MSBuild output, as (file name, line, ID), in order and with repetitions, from the build
        /// itself (the summary after "Build FAILED." or "Build succeeded." repeats them, and is left out).
        /// </summary>
        public static List<(string File, int Line, string Id)> ParseDiagnosticList(string output) =>
            DiagnosticLine.Matches(Regex.Split(output, @"^\s*Build (?:FAILED|succeeded)\.", RegexOptions.Multiline)[0])
                .Select(m => (Path.GetFileName(m.Groups["file"].Value.Trim()), int.Parse(m.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups["id"].Value))
                .ToList();

        /// <summary>The lines of a source marked <c>// expect SDxxxx</c>, as (file name, 1-based line, ID).</summary>
        public static HashSet<(string File, int Line, string Id)> ExpectedDiagnostics(string fileName, string source)
        {
            var expected = new HashSet<(string, int, string)>();
            string[] lines = source.Split('\n');
            for (int i = 0; i < lines.Length; i++)
            {
                foreach (Match m in Regex.Matches(lines[i], @"expect (SD\d{4})"))
                {
                    expected.Add((fileName, i + 1, m.Groups[1].Value));
                }
            }

            return expected;
        }

        public string Read(string name) => File.ReadAllText(Path.Combine(Directory, name));

        /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in the project directory; returns the exit code and all output.</summary>
        public async Task<(int ExitCode, string Output)> DotnetAsync(params string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = Directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // The test host's MSBuild variables would point the child at the wrong MSBuild; node reuse and build
            // servers would outlive the test.
            foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                start.Environment.Remove(key);
            }

            start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
            start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
            start.Environment["UseSharedCompilation"] = "false";
            start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            start.Environment["DOTNET_NOLOGO"] = "1";
            start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

            using var process = new Process { StartInfo = start };
            var output = new StringBuilder();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            var exited = process.WaitForExitAsync();
            if (await Task.WhenAny(exited, Task.Delay(CommandTimeout)) != exited)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"'dotnet {string.Join(' ', arguments)}' did not finish within {CommandTimeout}.{Environment.NewLine}{output}");
            }

            await exited;
            lock (output)
            {
                return (process.ExitCode, output.ToString());
            }
        }

        public void Dispose()
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary directory is harmless.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}

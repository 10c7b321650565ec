using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Xunit;

namespace SymDiff.Package.Tests.Infrastructure
{
    /// <summary>The output of one <c>dotnet</c> command.</summary>
    public sealed record DotnetResult(string Command, int ExitCode, string Output)
    {
        /// <summary>The command, its exit code and its output, for assertion messages.</summary>
        public override string ToString() => $"'{Command}' exited with {ExitCode}:{Environment.NewLine}{Output}";
    }

    /// <summary>
    /// Runs the <c>dotnet</c> CLI as a user would, in a given directory, with no build servers or nodes left behind
    /// and none of the test host's MSBuild variables.
    /// </summary>
    public static class Dotnet
    {
        /// <summary>How long one command may take before the test fails (and the command is stopped).</summary>
        public static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(8);

        /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="directory"/>.</summary>
        /// <param name="directory">The working directory.</param>
        /// <param name="environment">Variables to set (a null value removes one).</param>
        /// <param name="arguments">The arguments, each passed as one argument.</param>
        /// <returns>The exit code and all output, standard error included.</returns>
        public static async Task<DotnetResult> RunAsync(string directory, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = directory,
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
            foreach (var (key, value) in environment)
            {
                if (value is null)
                {
                    start.Environment.Remove(key);
                }
                else
                {
                    start.Environment[key] = value;
                }
            }

            string command = "dotnet " + string.Join(' ', arguments);
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
                Assert.Fail($"'{command}' did not finish within {CommandTimeout}.{Environment.NewLine}{output}");
            }

            await exited;
            lock (output)
            {
                return new DotnetResult(command, process.ExitCode, output.ToString());
            }
        }
    }
}

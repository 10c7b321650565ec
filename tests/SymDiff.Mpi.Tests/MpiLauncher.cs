using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;

namespace SymDiff.Mpi.Tests
{
    /// <summary>Runs a program as MPI ranks on this machine with <c>mpiexec -n K</c>, bounded in time.</summary>
    public static class MpiLauncher
    {
        /// <summary>The test collection of every class that starts ranks: one MPI job at a time, since each rank keeps a core busy.</summary>
        public const string Collection = "mpiexec";

        /// <summary>How long a run may take before it is killed and the test fails.</summary>
        public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

        /// <summary>Runs <c>mpiexec -n <paramref name="ranks"/> <paramref name="command"/></c>; fails the test on a timeout or a non-zero exit.</summary>
        /// <param name="ranks">The number of ranks.</param>
        /// <param name="command">The program and its arguments.</param>
        /// <returns>What the ranks printed on standard output.</returns>
        public static string Run(int ranks, params string[] command)
        {
            var start = new ProcessStartInfo(MpiEnvironment.MpiExec!) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in new[] { "-n", ranks.ToString(CultureInfo.InvariantCulture) }.Concat(command))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            process.StandardInput.Close(); // mpiexec forwards standard input to rank 0: give it none
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"mpiexec -n {ranks} did not finish within {Timeout.TotalSeconds} s and was killed.");
            }

            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"mpiexec -n {ranks} exited with {process.ExitCode}:\n{output.Result}{error.Result}");
            return output.Result;
        }

        /// <summary>The dotnet executable that runs this test, to run .NET programs as ranks.</summary>
        /// <returns>Its path, or <c>dotnet</c> to find it on the PATH.</returns>
        public static string DotnetHost()
        {
            string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(host) && File.Exists(host))
            {
                return host;
            }

            string? process = Environment.ProcessPath;
            return process is not null && Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? process : "dotnet";
        }
    }
}

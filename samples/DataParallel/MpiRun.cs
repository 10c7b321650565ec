using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;

namespace DataParallelSample
{
    /// <summary>The all mode's MPI run: this program again, as <c>mpiexec -n K</c> ranks in mpi mode, and what they printed.</summary>
    public sealed class MpiRun
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

        /// <summary>Gets rank 0's timings, or null when the run did not happen or failed.</summary>
        public TrainingResult? Result { get; private set; }

        /// <summary>Gets each rank's final weights.</summary>
        public Dictionary<int, double[]> RankWeights { get; } = new Dictionary<int, double[]>();

        /// <summary>Gets the worker threads per rank.</summary>
        public int Workers { get; private set; } = 1;

        /// <summary>Gets the time of one all-reduce of the gradient in microseconds, as rank 0 measured it, or null.</summary>
        public double? AllReduceMicroseconds { get; private set; }

        /// <summary>Gets what went wrong, or null.</summary>
        public string? Problem { get; private set; }

        /// <summary>
        /// The command that runs this program as <paramref name="ranks"/> MPI ranks: <c>mpiexec -n K</c>, then the
        /// running host (<c>dotnet DataParallel.dll</c> or the app host), then <paramref name="arguments"/>.
        /// </summary>
        /// <param name="mpiexec">The mpiexec to run.</param>
        /// <param name="ranks">The number of ranks.</param>
        /// <param name="arguments">The program's arguments.</param>
        /// <returns>The start information, output redirected.</returns>
        public static ProcessStartInfo Command(string mpiexec, int ranks, IEnumerable<string> arguments)
        {
            var start = new ProcessStartInfo(mpiexec) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add(ranks.ToString(CultureInfo.InvariantCulture));
            string host = Environment.ProcessPath ?? "dotnet";
            if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            {
                start.ArgumentList.Add(host);
                start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
            }
            else
            {
                start.ArgumentList.Add(host);
            }

            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            return start;
        }

        /// <summary>Finds <paramref name="name"/> on the PATH.</summary>
        /// <param name="name">The program's file name.</param>
        /// <returns>Its full path, or null.</returns>
        public static string? FindOnPath(string name) =>
            (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
                .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(directory => Path.Combine(directory, name))
                .FirstOrDefault(File.Exists);

        /// <summary>Parses the mpi mode's output: rank 0's timing line and every rank's weights.</summary>
        /// <param name="output">What the ranks printed.</param>
        /// <param name="run">Receives the timings and the weights.</param>
        public static void Parse(string output, MpiRun run)
        {
            foreach (string line in output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.StartsWith("rank ", StringComparison.Ordinal) && line.Contains(" weights: ", StringComparison.Ordinal))
                {
                    int colon = line.IndexOf(" weights: ", StringComparison.Ordinal);
                    int rank = int.Parse(line.AsSpan(5, colon - 5), NumberStyles.Integer, CultureInfo.InvariantCulture);
                    run.RankWeights[rank] = line.Substring(colon + " weights: ".Length)
                        .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                        .Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture))
                        .ToArray();
                }
                else if (line.StartsWith("mpi allreduce ", StringComparison.Ordinal))
                {
                    string value = line.Substring(line.IndexOf("us_per_call=", StringComparison.Ordinal) + "us_per_call=".Length);
                    run.AllReduceMicroseconds = double.Parse(value, CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith("mpi ranks=", StringComparison.Ordinal))
                {
                    var fields = line.Split(' ').Select(f => f.Split('=')).Where(f => f.Length == 2).ToDictionary(f => f[0], f => f[1]);
                    run.Workers = int.Parse(fields["workers"], CultureInfo.InvariantCulture);
                    var times = fields["epochs_ms"].Split(',').Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToArray();
                    run.Result = new TrainingResult(Array.Empty<double>(), times, Array.Empty<double>());
                }
            }
        }

        /// <summary>Runs the mpi mode under <c>mpiexec -n options.Ranks</c> with the same data, plan and epochs, one worker per rank.</summary>
        /// <param name="options">The options of this run.</param>
        /// <returns>The run; its <see cref="Problem"/> says when it could not be made.</returns>
        public static MpiRun Launch(SampleOptions options)
        {
            var run = new MpiRun();
            string? mpiexec = FindOnPath("mpiexec");
            if (mpiexec is null)
            {
                Console.WriteLine("mpiexec not found: skipping the MPI run (Debian and Ubuntu: apt-get install mpich).");
                return run;
            }

            string[] arguments =
            {
                "--mode", "mpi", "--rows", options.Rows.ToString(CultureInfo.InvariantCulture), "--epochs", options.Epochs.ToString(CultureInfo.InvariantCulture),
                "--shards", options.Shards.ToString(CultureInfo.InvariantCulture), "--workers", "1",
            };
            using var process = Process.Start(Command(mpiexec, options.Ranks, arguments))!;
            process.StandardInput.Close(); // mpiexec forwards standard input to rank 0: give it none
            var error = process.StandardError.ReadToEndAsync();
            var read = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                run.Problem = $"mpiexec did not finish within {Timeout.TotalMinutes} minutes";
                return run;
            }

            string output = read.Result;
            Parse(output, run);
            if (process.ExitCode != 0 || run.Result is null || run.RankWeights.Count != options.Ranks)
            {
                run.Problem = $"mpiexec exited with {process.ExitCode}, {run.RankWeights.Count} of {options.Ranks} ranks reported weights:\n{output}{error.Result}";
                run.Result = null;
            }
            else
            {
                run.Result = run.Result with { Weights = run.RankWeights[0] };
            }

            return run;
        }
    }
}

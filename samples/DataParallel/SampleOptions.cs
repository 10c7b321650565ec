using System;
using System.Globalization;

namespace DataParallelSample
{
    /// <summary>The command line: <c>[--mode all|single|threads|mpi] [--rows N] [--epochs E] [--shards S] [--workers W] [--ranks K] [--verbose]</c>.</summary>
    public sealed class SampleOptions
    {
        private const string Usage =
            "usage: DataParallel [--mode all|single|threads|mpi] [--rows N] [--epochs E] [--shards S] [--workers W] [--ranks K] [--verbose]\n"
            + "  all      (default) one core, DataParallel with 1 and W workers, and mpiexec -n K; a table and a check of the weights\n"
            + "  single   one core: the generated Backward over all rows in one call\n"
            + "  threads  DataParallel with W workers (default: every core)\n"
            + "  mpi      one rank of an MPI job: run it as mpiexec -n K dotnet DataParallel.dll --mode mpi (W defaults to 1 per rank)";

        /// <summary>Gets the mode.</summary>
        public string Mode { get; private set; } = "all";

        /// <summary>Gets the number of rows N.</summary>
        public int Rows { get; private set; } = 1_000_000;

        /// <summary>Gets the number of epochs; the time per epoch is their median.</summary>
        public int Epochs { get; private set; } = 7;

        /// <summary>Gets the number of shards of the plan, the same in every mode.</summary>
        public int Shards { get; private set; } = 64;

        /// <summary>Gets the number of worker threads (threads mode: every core; mpi mode: 1 per rank).</summary>
        public int Workers { get; private set; }

        /// <summary>Gets a value indicating whether to print every epoch's time.</summary>
        public bool Verbose { get; private set; }

        /// <summary>Gets the number of MPI ranks the all mode starts.</summary>
        public int Ranks { get; private set; } = 2;

        /// <summary>Parses <paramref name="args"/>; returns null (after printing the usage) on anything unknown or out of range.</summary>
        /// <param name="args">The arguments.</param>
        /// <returns>The options, or null.</returns>
        public static SampleOptions? Parse(string[] args)
        {
            var options = new SampleOptions();
            int workers = 0;
            for (int i = 0; i < args.Length; i++)
            {
                string? value = i + 1 < args.Length ? args[i + 1] : null;
                bool ok = args[i] switch
                {
                    "--mode" when value is "all" or "single" or "threads" or "mpi" => Set(() => options.Mode = value),
                    "--rows" => TryPositive(value, v => options.Rows = v),
                    "--epochs" => TryPositive(value, v => options.Epochs = v),
                    "--shards" => TryPositive(value, v => options.Shards = v),
                    "--workers" => TryPositive(value, v => workers = v),
                    "--ranks" => TryPositive(value, v => options.Ranks = v),
                    "--verbose" => Set(() => { options.Verbose = true; i--; }),
                    "--help" or "-h" => false,
                    _ => false,
                };
                if (!ok)
                {
                    Console.Error.WriteLine(args[i] is "--help" or "-h" ? Usage : $"unknown, incomplete or out-of-range option '{args[i]}'\n{Usage}");
                    return null;
                }

                i++;
            }

            options.Workers = workers > 0 ? workers : options.Mode == "mpi" ? 1 : Environment.ProcessorCount;
            return options;
        }

        private static bool Set(Action set)
        {
            set();
            return true;
        }

        private static bool TryPositive(string? text, Action<int> set)
        {
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < 1)
            {
                return false;
            }

            set(value);
            return true;
        }
    }
}

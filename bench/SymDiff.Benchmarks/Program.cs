using System;
using BenchmarkDotNet.Running;

namespace SymDiff.Benchmarks
{
    /// <summary>
    /// The workloads of shared/BENCHMARKS.md.
    /// <code>
    /// dotnet run -c Release --project bench/SymDiff.Benchmarks -- --quick              # about a minute, one line per row
    /// dotnet run -c Release --project bench/SymDiff.Benchmarks -- --quick --proposed   # also the code docs/performance.md proposes
    /// dotnet run -c Release --project bench/SymDiff.Benchmarks -- --quick --only W2    # only the rows whose name starts so
    /// dotnet run -c Release --project bench/SymDiff.Benchmarks                         # BenchmarkDotNet, every workload
    /// dotnet run -c Release --project bench/SymDiff.Benchmarks -- --filter '*W1*'      # BenchmarkDotNet arguments pass through
    /// dotnet run -c Release --project bench/SymDiff.Benchmarks -- --generator          # generator time per method, 200 methods
    /// </code>
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            if (Array.IndexOf(args, "--generator") >= 0)
            {
                return GeneratorTiming.Run();
            }

            if (Array.IndexOf(args, "--quick") >= 0)
            {
                int only = Array.IndexOf(args, "--only");
                return Quick.Run(proposed: Array.IndexOf(args, "--proposed") >= 0, only: only >= 0 && only + 1 < args.Length ? args[only + 1] : null);
            }

            // With no filter, run everything rather than prompting for a choice.
            string[] arguments = Array.Exists(args, a => a == "--filter" || a.StartsWith("--filter=", StringComparison.Ordinal) || a == "--list" || a == "--info")
                ? args
                : [.. args, "--filter", "*"];
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(arguments);
            return 0;
        }
    }
}

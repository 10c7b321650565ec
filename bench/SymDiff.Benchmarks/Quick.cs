using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SymDiff.Benchmarks
{
    /// <summary>
    /// The quick mode: a small Stopwatch harness over the same methods as the BenchmarkDotNet classes, about a minute
    /// for every row. An indicator, not the real benchmark: per variant a warm-up (long enough for tiered compilation
    /// to reach the optimised code), then 15 runs of about 30 ms, interleaved across the variants of a row so that
    /// drift hits them alike, and the median. Each figure includes the delegate call (a few nanoseconds, printed):
    /// subtracting it, as BenchmarkDotNet does, gives nonsense for methods of a few nanoseconds, whose work overlaps
    /// the call's. The timing loops are compiled fully optimised from the start and without profile-guided guesses
    /// of the delegate's target, so every variant pays the same call.
    /// </summary>
    public static class Quick
    {
        private const double WarmUpSeconds = 0.2;
        private const int WarmUpCalls = 60;
        private const double RunSeconds = 0.03;
        private const int Runs = 15;

        /// <summary>Relative tolerances of the start-up self-check.</summary>
        private const double HandTolerance = 1e-9, FiniteDifferenceTolerance = 1e-5;

        private static double _sink;

        public static int Run(bool proposed, string? only = null)
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            Console.WriteLine($"# SymDiff quick benchmark: {RuntimeInformation.FrameworkDescription}, {Cpu()}, {Environment.ProcessorCount} logical cores"
                + (Debugger.IsAttached || !IsOptimized() ? ", NOT AN OPTIMISED BUILD: use -c Release" : string.Empty));

            var rows = new List<IWorkload>();
            foreach (int n in new[] { 20, 1_000, 1_000_000 })
            {
                rows.Add(new W1LinReg { N = n });
            }

            foreach (int n in new[] { 2, 100, 10_000 })
            {
                rows.Add(new W2Rosenbrock { N = n });
            }

            rows.Add(new W3LogReg());
            rows.Add(new W4Tiny());
            rows.Add(new W5PolyAdam());
            rows.Add(new W6Mlp());
            rows.Add(new W7Huber());
            rows.Add(new W8Stencil2D());
            rows.Add(new W9PolyRec());
            rows.Add(new W10Poisson());
            if (only is not null)
            {
                rows.RemoveAll(r => !r.Row.StartsWith(only, StringComparison.Ordinal));
            }

            foreach (IWorkload row in rows)
            {
                row.Setup();
            }

            if (!SelfCheck(rows))
            {
                return 1;
            }

            if (!VectorizedChecks.Passed(rows))
            {
                return 1;
            }

            if (proposed && !CheckProposed(rows))
            {
                return 1;
            }

            foreach (IWorkload row in rows)
            {
                MeasureRow(row, proposed && row.HasProposed);
                if (row is W1LinReg { N: 1_000_000 } big)
                {
                    double stream = Median(Measure(big.StreamXY));
                    Console.WriteLine($"# W1 N=1000000: one streaming read of x and y takes {stream:F1} ns ({16e6 / stream:F1} GB/s), the floor for a one-pass gradient");
                }

                if (row is W6Mlp mlp)
                {

                    double tanh = Median(Measure(mlp.TanhAlone));
                    Console.WriteLine($"# W6 batch=256: its {W6Mlp.Batch * W6Mlp.Hidden} Math.Tanh calls alone take {tanh:F0} ns (forward, generated and hand-written gradients each evaluate every hidden unit once)");
                }
            }

            Console.WriteLine($"# median of {Runs} interleaved runs per figure; each includes one delegate call, {Median(Measure(new Empty().Call)):F2} ns for an empty method");
            Console.Out.Flush();
            GC.KeepAlive(_sink);
            return 0;
        }

        /// <summary>Fails loudly unless every generated gradient matches the hand-written one to 1e-9 relative
        /// (max-norm) and returns the forward's value bit for bit; finite differences, where measured, to 1e-5.</summary>
        private static bool SelfCheck(List<IWorkload> rows)
        {
            bool ok = true;
            double worstHand = 0;
            foreach (IWorkload row in rows)
            {
                CheckResult check = row.SelfCheck();
                worstHand = Math.Max(worstHand, check.HandError);
                // Finite differences are checked wherever the row computes them, timed or not (W6: n = 259).
                bool fdOk = double.IsNaN(check.FiniteDifferenceError) ? !row.HasFiniteDifferences : check.FiniteDifferenceError <= FiniteDifferenceTolerance;
                if (!(check.HandError <= HandTolerance) || check.ValueError != 0 || !fdOk)
                {
                    Console.Out.Flush();
                    Console.Error.WriteLine($"SELF-CHECK FAILED: {row.Row}: value error {check.ValueError:G3}, generated vs hand-written {check.HandError:G3} (max {HandTolerance:G1}), vs finite differences {check.FiniteDifferenceError:G3} (max {FiniteDifferenceTolerance:G1})");
                    ok = false;
                }
            }

            if (ok)
            {
                Console.WriteLine($"# self-check passed: generated gradients match the hand-written ones (worst relative difference {worstHand:G2}) and finite differences");
            }

            return ok;
        }

        private static void MeasureRow(IWorkload row, bool proposed)
        {
            var variants = new List<Func<double>> { row.Forward, row.Generated, row.Hand, row.FiniteDifferences };
            if (!row.HasFiniteDifferences)
            {
                variants.RemoveAt(3);
            }

            if (proposed)
            {
                variants.Add(row.Proposed);
                if (row is W6Mlp mlp)
                {
                    variants.Add(mlp.ProposedFusedCallee);   // W6's smaller rewrite, interleaved with the rest
                }
            }

            int vectorAt = variants.Count;
            if (row is IVectorizedWorkload vectorized)
            {
                variants.Add(vectorized.Vectorized);
                variants.Add(vectorized.HandSimd);
            }

            GC.Collect();
            long[] reps = variants.Select(WarmUp).ToArray();
            double[][] samples = variants.Select(_ => new double[Runs]).ToArray();
            for (int run = 0; run < Runs; run++)
            {
                for (int v = 0; v < variants.Count; v++)
                {
                    samples[v][run] = Time(variants[v], reps[v]);
                }
            }

            double[] ns = samples.Select(s => Median(s) / row.OperationsPerInvoke).ToArray();
            double alloc = AllocatedBytesPerCall(row.Generated, reps[1]) / row.OperationsPerInvoke;
            double forward = ns[0], gradient = ns[1], hand = ns[2];
            string fd = row.HasFiniteDifferences ? Ns(ns[3]) : "n/a";
            string allocText = alloc == 0 ? "0" : alloc.ToString(alloc >= 1 ? "0" : "0.####", CultureInfo.InvariantCulture);
            string vector = row is IVectorizedWorkload ? Ns(ns[vectorAt]) : "n/a", handSimd = row is IVectorizedWorkload ? Ns(ns[vectorAt + 1]) : "n/a";
            Console.WriteLine($"{row.Row} forward_ns={Ns(forward)} gradient_ns={Ns(gradient)} hand_ns={Ns(hand)} fd_ns={fd} vector_ns={vector} hand_simd_ns={handSimd} alloc_bytes={allocText} ratio_hand={gradient / hand:F2} ratio_forward={gradient / forward:F2}");
            if (row is IVectorizedWorkload)
            {
                Console.WriteLine($"#   {row.Row} vectorized/hand={ns[vectorAt] / hand:F2} vectorized/hand_simd={ns[vectorAt] / ns[vectorAt + 1]:F2} hand_simd/hand={ns[vectorAt + 1] / hand:F2} vectorized/forward={ns[vectorAt] / forward:F2}");
            }
            if (proposed)
            {
                int last = row is W6Mlp ? ns.Length - 2 : ns.Length - 1;
                double p = ns[last];
                Console.WriteLine($"#   {row.Row} proposed_ns={Ns(p)} ratio_hand={p / hand:F2} ratio_forward={p / forward:F2} speedup={gradient / p:F2}");
                if (row is W6Mlp)
                {
                    double f = ns[^1];
                    Console.WriteLine($"#   {row.Row} proposed_fused_callee_ns={Ns(f)} ratio_hand={f / hand:F2} ratio_forward={f / forward:F2} speedup={gradient / f:F2} (the smaller rewrite alone: the callee's Backward returns its value, no tape)");
                }
            }
        }

        /// <summary>Calls <paramref name="op"/> for the warm-up and returns how many calls make one run.</summary>
        /// <summary>The proposed code (Proposed.cs) must return the same value and, to rounding, the same gradient.</summary>
        private static bool CheckProposed(List<IWorkload> rows)
        {
            bool ok = true;
            foreach (IWorkload row in rows)
            {
                double error = row.ProposedError();
                if (!(error <= HandTolerance))
                {
                    Console.Out.Flush();
                    Console.Error.WriteLine($"SELF-CHECK FAILED: {row.Row}: proposed vs generated {error:G3} (NaN: different value)");
                    ok = false;
                }
            }

            return ok;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
        private static long WarmUp(Func<double> op)
        {
            var watch = Stopwatch.StartNew();
            long calls = 0;
            while (watch.Elapsed.TotalSeconds < WarmUpSeconds || calls < WarmUpCalls)
            {
                _sink += op();
                calls++;
            }

            // Time the optimised code to size the runs.
            long probe = Math.Max(1, calls / 8);
            double seconds = Time(op, probe) * probe * 1e-9;
            return Math.Max(1, (long)(RunSeconds / Math.Max(seconds / probe, 1e-10)));
        }

        private static double[] Measure(Func<double> op)
        {
            long reps = WarmUp(op);
            var samples = new double[Runs];
            for (int run = 0; run < Runs; run++)
            {
                samples[run] = Time(op, reps);
            }

            return samples;
        }

        /// <summary>Nanoseconds per call, over <paramref name="reps"/> calls.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
        private static double Time(Func<double> op, long reps)
        {
            double sink = 0;
            long start = Stopwatch.GetTimestamp();
            for (long i = 0; i < reps; i++)
            {
                sink += op();
            }

            long end = Stopwatch.GetTimestamp();
            _sink += sink;
            return (end - start) * (1e9 / Stopwatch.Frequency) / reps;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
        private static double AllocatedBytesPerCall(Func<double> op, long reps)
        {
            reps = Math.Max(reps, 1000);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (long i = 0; i < reps; i++)
            {
                _sink += op();
            }

            return (double)(GC.GetAllocatedBytesForCurrentThread() - before) / reps;
        }

        private static double Median(double[] values)
        {
            double[] sorted = values.OrderBy(v => v).ToArray();
            return sorted[sorted.Length / 2];
        }

        private static string Ns(double ns) => ns.ToString(ns >= 100 ? "F0" : "F2", CultureInfo.InvariantCulture);

        private static string Cpu()
        {
            try
            {
                string? line = File.Exists("/proc/cpuinfo")
                    ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))
                    : null;
                return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line.Substring(line.IndexOf(':') + 1).Trim();
            }
            catch (IOException)
            {
                return RuntimeInformation.ProcessArchitecture.ToString();
            }
        }

        private static bool IsOptimized()
        {
            var attribute = (DebuggableAttribute?)Attribute.GetCustomAttribute(typeof(Quick).Assembly, typeof(DebuggableAttribute));
            return attribute is null || !attribute.IsJITOptimizerDisabled;
        }

        private sealed class Empty
        {
            private double _value = 1;

            public double Call() => _value;
        }
    }
}

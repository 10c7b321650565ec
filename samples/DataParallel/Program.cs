using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using DataParallelSample;
using SymDiff;
using SymDiff.Mpi;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
SampleOptions? options = SampleOptions.Parse(args);
if (options is null)
{
    return 2;
}

var plan = ShardPlan.Even(options.Rows, options.Shards);
return options.Mode switch
{
    "mpi" => RunMpi(options, plan),
    _ => RunLocal(options, plan),
};

// One process: the one-core baseline, DataParallel with one worker and with every core, then (mode all) the MPI run
// as a child process; a table of times and speedups, and the check that the weights agree.
static int RunLocal(SampleOptions options, ShardPlan plan)
{
    Console.WriteLine($"W3 logistic regression: N = {options.Rows:N0} rows, d = {Model.Features}, full-batch SGD (lr {Trainer.LearningRate}), {options.Epochs} epochs; "
        + $"{plan.ShardCount} shards; {Environment.ProcessorCount} cores; load average {LoadAverage()}");
    var watch = Stopwatch.StartNew();
    var problem = new LogisticProblem(options.Rows);
    Console.WriteLine($"data generated in {watch.Elapsed.TotalSeconds:F1} s; initial loss {problem.Loss(LogisticProblem.InitialWeights()):F6}");
    Console.WriteLine();

    // The in-process modes train side by side, one epoch of each in turn, so that they share the machine's load alike.
    var runs = new List<(string Mode, (double[] Weights, BackwardPass Backward) Run)>();
    bool all = options.Mode == "all";
    if (all || options.Mode == "single")
    {
        // One core, no DataParallel: the generated Backward over all rows in one call.
        double[] weights = LogisticProblem.InitialWeights();
        runs.Add(("one core: one Backward call over all rows", (weights, g => problem.Backward(weights, g))));
    }

    if (all)
    {
        runs.Add(("DataParallel, 1 worker", ThreadsRun(problem, plan, 1)));
    }

    if (all || options.Mode == "threads")
    {
        runs.Add(($"DataParallel, {options.Workers} workers", ThreadsRun(problem, plan, options.Workers)));
    }

    var results = Trainer.TrainInterleaved(options.Epochs, runs.Select(r => r.Run).ToArray());
    var rows = runs.Select((r, i) => (r.Mode, Result: results[i])).ToList();
    MpiRun? mpi = all ? MpiRun.Launch(options) : null;
    if (mpi?.Result is { } mpiResult)
    {
        rows.Add(($"mpiexec -n {options.Ranks}, {mpi.Workers} worker(s) per rank", mpiResult));
    }

    double baseline = rows[0].Result.MedianMilliseconds;
    double bestBaseline = rows[0].Result.BestMilliseconds;
    Console.WriteLine($"{"mode",-48} {"ms/epoch",9} {"speedup",8} {"best ms",9} {"speedup",8} {"cpu ms",8}");
    foreach (var (mode, result) in rows)
    {
        string cpu = double.IsNaN(result.MedianCpuMilliseconds) ? "n/a" : result.MedianCpuMilliseconds.ToString("F2");
        Console.WriteLine($"{mode,-48} {result.MedianMilliseconds,9:F2} {baseline / result.MedianMilliseconds,7:F2}x {result.BestMilliseconds,9:F2} {bestBaseline / result.BestMilliseconds,7:F2}x {cpu,8}");
    }

    if (options.Verbose)
    {
        foreach (var (mode, result) in rows)
        {
            Console.WriteLine($"{mode}: epochs (ms) {string.Join(" ", result.EpochMilliseconds.Select(t => t.ToString("F2")))}");
        }
    }

    Console.WriteLine($"(ms/epoch: median of {options.Epochs} epochs, each zero_grad + backward + step; best: the fastest epoch; speedups over the first row; cpu: processor time per epoch, all threads, median)");

    if (mpi?.AllReduceMicroseconds is { } allReduce)
    {
        Console.WriteLine($"one MPI all-reduce of the gradient ({Model.Features + 1} doubles, {options.Ranks} ranks on this machine): {allReduce:F1} us");
    }

    Console.WriteLine();
    var final = rows[^1].Result.Weights;
    Console.WriteLine($"final loss {problem.Loss(final):F6}");
    Console.WriteLine("weights: " + Format(final));
    bool ok = CheckAgreement(rows, mpi);
    return ok ? 0 : 1;
}

static (double[] Weights, BackwardPass Backward) ThreadsRun(LogisticProblem problem, ShardPlan plan, int workers)
{
    double[] weights = LogisticProblem.InitialWeights();
    var parallel = new DataParallel(weights.Length, workers);
    ShardBackward shard = problem.ShardBackward(weights);      // made once: it reads the weights when called
    return (weights, g => parallel.Backward(plan, shard, g));
}

// Bit-identical where the additions happen in the same order (DataParallel with any worker count, same plan; the MPI
// ranks among themselves); elsewhere within a relative tolerance.
static bool CheckAgreement(List<(string Mode, TrainingResult Result)> rows, MpiRun? mpi)
{
    const double Tolerance = 1e-12;
    bool ok = true;
    var threads = rows.Where(r => r.Mode.StartsWith("DataParallel", StringComparison.Ordinal)).ToList();
    for (int i = 1; i < threads.Count; i++)
    {
        bool same = BitIdentical(threads[0].Result.Weights, threads[i].Result.Weights);
        Console.WriteLine($"weights, {threads[i].Mode} vs {threads[0].Mode}: {(same ? "bit-identical" : "DIFFERENT BITS (same plan: must be identical)")}");
        ok &= same;
    }

    var reference = rows[0];
    foreach (var (mode, result) in rows.Skip(1))
    {
        double difference = MaxRelativeDifference(reference.Result.Weights, result.Weights);
        bool close = difference <= Tolerance;
        Console.WriteLine($"weights, {mode} vs one core: max relative difference {difference:E2} (tolerance {Tolerance:E0}){(close ? string.Empty : ": TOO LARGE")}");
        ok &= close;
    }

    if (mpi is not null)
    {
        if (mpi.RankWeights.Count > 1)
        {
            bool same = mpi.RankWeights.Values.All(w => BitIdentical(mpi.RankWeights[0], w));
            Console.WriteLine($"weights, the {mpi.RankWeights.Count} MPI ranks: {(same ? "bit-identical" : "DIFFERENT BITS (ranks must agree)")}");
            ok &= same;
        }

        if (mpi.Problem is { } problem)
        {
            Console.WriteLine("MPI run: " + problem);
            ok = false;
        }
    }

    return ok;
}

static int RunMpi(SampleOptions options, ShardPlan plan)
{
    using var group = MpiProcessGroup.Initialize();
    var problem = new LogisticProblem(options.Rows);
    double[] weights = LogisticProblem.InitialWeights();
    group.Broadcast(weights);                                   // every rank starts from rank 0's weights
    var ddp = new DistributedDataParallel(group, weights.Length, options.Workers);
    ShardBackward shard = problem.ShardBackward(weights);
    group.Barrier();
    var result = Trainer.Train(weights, options.Epochs, g => ddp.Backward(plan, shard, g));
    if (group.Rank == 0)
    {
        Console.WriteLine($"mpi ranks={group.WorldSize} workers={options.Workers} ms_per_epoch={result.MedianMilliseconds:F3} epochs_ms={string.Join(",", result.EpochMilliseconds.Select(t => t.ToString("F3")))}");
    }

    // The cost of the one all-reduce per step on its own (17 doubles: the gradient and a failure count), for the cost
    // model of docs/scaling.md.
    double allReduceMicroseconds = TimeAllReduce(group, weights.Length + 1);
    if (group.Rank == 0)
    {
        Console.WriteLine($"mpi allreduce doubles={weights.Length + 1} us_per_call={allReduceMicroseconds:F2}");
    }

    group.Barrier();
    Console.WriteLine($"rank {group.Rank} weights: {Format(result.Weights)}");
    return 0;
}

static double TimeAllReduce(MpiProcessGroup group, int length)
{
    const int Calls = 2000;
    var buffer = new double[length];
    group.Barrier();
    long start = Stopwatch.GetTimestamp();
    for (int i = 0; i < Calls; i++)
    {
        group.AllReduce(buffer);
    }

    return Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000 / Calls;
}

static string Format(double[] values) => string.Join(" ", values.Select(v => v.ToString("R")));

static bool BitIdentical(double[] a, double[] b) =>
    a.Length == b.Length && a.Zip(b).All(p => BitConverter.DoubleToInt64Bits(p.First) == BitConverter.DoubleToInt64Bits(p.Second));

static double MaxRelativeDifference(double[] a, double[] b)
{
    double scale = a.Max(Math.Abs);
    return a.Zip(b).Max(p => Math.Abs(p.First - p.Second)) / scale;
}

static string LoadAverage()
{
    try
    {
        return File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
    }
    catch (IOException)
    {
        return "n/a";
    }
}

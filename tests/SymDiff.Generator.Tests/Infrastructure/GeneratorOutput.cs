using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SymDiff.Generator.Tests.Infrastructure
{
    /// <summary>One generated file: the hint name given to <c>AddSource</c> and the text.</summary>
    public sealed record GeneratedSource(string HintName, string Text);

    /// <summary>Everything one run of <see cref="DifferentiableGenerator"/> produced; made by <see cref="GeneratorRunner"/>.</summary>
    /// <param name="InputCompilation">The compilation the generator ran on.</param>
    /// <param name="OutputCompilation">The input plus the generated syntax trees.</param>
    /// <param name="GeneratedSources">The generated files, ordered by hint name (ordinal).</param>
    /// <param name="GeneratorDiagnostics">What the generator reported, including CS8785 if it threw.</param>
    /// <param name="CompilationDiagnostics">Errors and warnings of <paramref name="OutputCompilation"/> (no hidden or info).</param>
    /// <param name="Driver">The driver after the run; <see cref="GeneratorRunner.RunAgain"/> continues from it, so its caches are reused.</param>
    /// <param name="Result">The generator's run result, with the raw tracked steps and any exception.</param>
    public sealed record GeneratorOutput(
        CSharpCompilation InputCompilation,
        Compilation OutputCompilation,
        ImmutableArray<GeneratedSource> GeneratedSources,
        ImmutableArray<Diagnostic> GeneratorDiagnostics,
        ImmutableArray<Diagnostic> CompilationDiagnostics,
        GeneratorDriver Driver,
        GeneratorRunResult Result)
    {
        /// <summary>
        /// For each tracking name (ordinal order), the run reason of every output of every run of that step:
        /// <c>New</c>, <c>Unchanged</c>, <c>Modified</c>, <c>Cached</c> or <c>Removed</c>.
        /// </summary>
        public ImmutableSortedDictionary<string, ImmutableArray<IncrementalStepRunReason>> TrackedStepReasons =>
            Map(output => output.Reason);

        /// <summary>For each tracking name, the output values of every run of that step (for model-equality and "no symbols" checks).</summary>
        public ImmutableSortedDictionary<string, ImmutableArray<object>> TrackedStepOutputs =>
            Map(output => output.Value);

        /// <summary>The run reasons of the outputs of the step named <paramref name="trackingName"/>; fails if the step did not run.</summary>
        public ImmutableArray<IncrementalStepRunReason> StepReasons(string trackingName) =>
            TrackedStepReasons.TryGetValue(trackingName, out ImmutableArray<IncrementalStepRunReason> reasons)
                ? reasons
                : throw new KeyNotFoundException(
                    $"No tracked step named '{trackingName}'. Tracked steps: {string.Join(", ", TrackedStepReasons.Keys)}.");

        private ImmutableSortedDictionary<string, ImmutableArray<T>> Map<T>(
            Func<(object Value, IncrementalStepRunReason Reason), T> select)
        {
            var builder = ImmutableSortedDictionary.CreateBuilder<string, ImmutableArray<T>>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, ImmutableArray<IncrementalGeneratorRunStep>> pair in Result.TrackedSteps)
            {
                var values = ImmutableArray.CreateBuilder<T>();
                foreach (IncrementalGeneratorRunStep step in pair.Value)
                {
                    foreach ((object Value, IncrementalStepRunReason Reason) output in step.Outputs)
                    {
                        values.Add(select(output));
                    }
                }

                builder[pair.Key] = values.ToImmutable();
            }

            return builder.ToImmutable();
        }
    }
}

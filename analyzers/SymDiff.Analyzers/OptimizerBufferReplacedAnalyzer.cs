using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Analyzers.Flow;
using SymDiff.Generator.Diagnostics;

namespace SymDiff.Analyzers
{
    /// <summary>
    /// SD2006: an optimizer's gradient or parameter array replaced by another array while the optimizer keeps the old
    /// one. An analyzer of its own (not part of <see cref="OptimizerMisuseAnalyzer"/>): SD2006 has a code fix, and
    /// <c>dotnet format</c> hands a fix the first diagnostic of the analyzers that support its ID, whatever that
    /// diagnostic's ID.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class OptimizerBufferReplacedAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(DiagnosticDescriptors.OptimizerBufferReplaced);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var known = KnownSymbols.TryCreate(start.Compilation);
                if (known is null || (known.Sgd is null && known.Adam is null))
                {
                    return; // no SymDiff optimizers
                }

                start.RegisterOperationAction(c => AnalyzeReplacement(c, known), OperationKind.SimpleAssignment);
            });
        }

        /// <summary>
        /// SD2006: <c>g = new double[n]</c> (or any other array) for a local or field that an optimizer local was created
        /// with, before a <c>Step()</c> of that optimizer: the optimizer keeps the old array, so it steps with gradients
        /// that no longer change, or updates parameters nobody reads.
        /// </summary>
        private static void AnalyzeReplacement(OperationAnalysisContext context, KnownSymbols known)
        {
            var assignment = (ISimpleAssignmentOperation)context.Operation;
            if (OperationFacts.Unwrap(assignment.Target) is not (ILocalReferenceOperation or IFieldReferenceOperation)
                || GradientBuffers.SymbolOf(assignment.Target, known) is not { } buffer
                || GradientBuffers.KindOf(buffer, known) != BufferKind.Array
                || OptimizerMisuseAnalyzer.Mentions(assignment.Value, buffer))
            {
                return; // we only care about a whole array variable getting another array
            }

            var root = (IOperation)assignment;
            while (root.Parent is not null)
            {
                root = root.Parent;
            }

            int at = assignment.Syntax.SpanStart;
            foreach (var creation in root.Descendants().OfType<IObjectCreationOperation>())
            {
                if (!known.IsOptimizer(creation.Type) || creation.Syntax.SpanStart > at || OptimizerMisuseAnalyzer.AssignedVariable(creation) is not ILocalSymbol optimizer)
                {
                    continue;
                }

                foreach (string role in new[] { "gradients", "parameters" })
                {
                    if (OptimizerMisuseAnalyzer.Argument(creation, role) is not { } argument
                        || !SymbolEqualityComparer.Default.Equals(GradientBuffers.SymbolOf(argument.Value, known), buffer)
                        || !StepsAfter(root, optimizer, assignment, known))
                    {
                        continue;
                    }

                    var properties = ImmutableDictionary<string, string?>.Empty;
                    if (role == "gradients" && OperationFacts.Unwrap(assignment.Value) is IArrayCreationOperation { Initializer: null }
                        && assignment.Parent is IExpressionStatementOperation)
                    {
                        properties = properties.Add(RuleIds.ClearProperty, "true"); // the code fix clears the array instead
                    }

                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.OptimizerBufferReplaced,
                        assignment.Syntax.GetLocation(),
                        properties,
                        assignment.Target.Syntax.ToString(),
                        optimizer.Name,
                        role,
                        role == "gradients"
                            ? "its Step() keeps reading the old array, not the gradients computed into the new one"
                            : "its Step() keeps updating the old array, not the new one"));
                    return;
                }
            }
        }

        /// <summary>Whether <paramref name="optimizer"/>'s <c>Step()</c> runs after <paramref name="assignment"/>: later in the method, or in a loop around both.</summary>
        private static bool StepsAfter(IOperation root, ILocalSymbol optimizer, IOperation assignment, KnownSymbols known)
        {
            var loops = OperationFacts.EnclosingLoops(assignment);
            return root.Descendants().OfType<IInvocationOperation>().Any(step =>
                GradientBuffers.IsOptimizerCall(step, known, "Step")
                && SymbolEqualityComparer.Default.Equals(GradientBuffers.SymbolOf(step.Instance, known), optimizer)
                && (step.Syntax.SpanStart > assignment.Syntax.SpanStart || OperationFacts.EnclosingLoops(step).Any(l => loops.Contains(l))));
        }
    }
}

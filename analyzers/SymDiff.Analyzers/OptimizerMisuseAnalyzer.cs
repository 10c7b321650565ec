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
    /// Training-loop mistakes around SymDiff's optimizers that PyTorch users know well: SD2002, the same array as
    /// parameters and gradients; SD2003, a stateful optimizer (Adam, SGD with momentum) created inside the loop that
    /// steps it, so its state restarts every iteration; SD2004, gradients reset between the backward pass and
    /// <c>Step()</c>, so the step sees zeros.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class OptimizerMisuseAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.OptimizerBuffersAliased,
            DiagnosticDescriptors.OptimizerCreatedInLoop,
            DiagnosticDescriptors.ResetBeforeStep);

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
                    return; // no SymDiff optimizers to misuse
                }

                start.RegisterOperationAction(c => AnalyzeCreation(c, known), OperationKind.ObjectCreation);
                start.RegisterOperationAction(c => AnalyzeStep(c, known), OperationKind.Invocation);
            });
        }

        private static void AnalyzeCreation(OperationAnalysisContext context, KnownSymbols known)
        {
            var creation = (IObjectCreationOperation)context.Operation;
            if (!known.IsOptimizer(creation.Type))
            {
                return; // we only care about new Sgd(...) and new Adam(...)
            }

            string typeName = creation.Type!.Name;

            // SD2002: new Sgd(w, w, ...).
            var parameters = Argument(creation, "parameters");
            var gradients = Argument(creation, "gradients");
            if (parameters is not null && gradients is not null
                && GradientBuffers.SymbolOf(parameters.Value, known, includeParameters: true) is { } p
                && SymbolEqualityComparer.Default.Equals(p, GradientBuffers.SymbolOf(gradients.Value, known, includeParameters: true)))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.OptimizerBuffersAliased, gradients.Syntax.GetLocation(), gradients.Value.Syntax.ToString(), typeName));
            }

            // SD2003: a stateful optimizer made in the loop that steps it. SGD without momentum keeps no state.
            string? state = StateOf(creation, known);
            if (state is null || OperationFacts.InnermostLoop(creation) is not { } loop || AssignedVariable(creation) is not { } variable)
            {
                return;
            }

            foreach (var operation in OperationFacts.IteratedOperations(loop))
            {
                // Only a Step() in the same loop: a loop over hyperparameter trials that makes a new optimizer
                // and trains it in an inner loop is the right thing to do.
                if (operation is IInvocationOperation step && GradientBuffers.IsOptimizerCall(step, known, "Step")
                    && SymbolEqualityComparer.Default.Equals(GradientBuffers.SymbolOf(step.Instance, known), variable)
                    && ReferenceEquals(OperationFacts.InnermostLoop(step), loop))
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.OptimizerCreatedInLoop, creation.Syntax.GetLocation(), typeName, state));
                    return;
                }
            }
        }

        private static void AnalyzeStep(OperationAnalysisContext context, KnownSymbols known)
        {
            var step = (IInvocationOperation)context.Operation;
            if (!GradientBuffers.IsOptimizerCall(step, known, "Step")
                || step.Parent is not IExpressionStatementOperation statement || statement.Parent is not IBlockOperation block)
            {
                return; // we only care about optimizer.Step(); as a statement
            }

            var optimizer = GradientBuffers.SymbolOf(step.Instance, known, includeParameters: true);
            var gradients = GradientBuffers.OptimizerGradients(step.Instance, known);
            int index = block.Operations.IndexOf(statement);
            for (int i = index - 1; i >= 0; i--)
            {
                var previous = block.Operations[i];
                if (previous is IExpressionStatementOperation { Operation: IInvocationOperation reset } && IsReset(reset, optimizer, gradients, known))
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.ResetBeforeStep, reset.Syntax.GetLocation(), reset.Syntax.ToString(), step.Syntax.ToString()));
                    return;
                }

                if (MayWriteGradients(previous, gradients, known) || previous.DescendantsAndSelf().Any(o => o.Kind == OperationKind.Invalid))
                {
                    return; // something between may compute the gradients again (or does not compile: a backward call with a wrong argument list)
                }
            }
        }

        /// <summary>Whether <paramref name="invocation"/> zeroes the gradients that <paramref name="optimizer"/> steps with.</summary>
        private static bool IsReset(IInvocationOperation invocation, ISymbol? optimizer, ISymbol? gradients, KnownSymbols known)
        {
            if (GradientBuffers.IsOptimizerCall(invocation, known, "ZeroGrad"))
            {
                return optimizer is not null && SymbolEqualityComparer.Default.Equals(GradientBuffers.SymbolOf(invocation.Instance, known, includeParameters: true), optimizer);
            }

            return gradients is not null && BufferUse.IsResetCall(invocation, gradients, BufferKind.Array, known, zeroingOnly: true);
        }

        /// <summary>
        /// Whether <paramref name="statement"/> might write the gradients: an assignment into them, or a call that could
        /// (any call that mentions them, any call of user code when we do not know which buffer the optimizer owns or it
        /// is a field). Calls into the base library that do not mention the buffer (logging, Math) cannot.
        /// </summary>
        private static bool MayWriteGradients(IOperation statement, ISymbol? gradients, KnownSymbols known)
        {
            foreach (var operation in statement.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IInvocationOperation invocation:
                        if (Mentions(invocation, gradients) || invocation.Arguments.Any(a => a.Parameter?.RefKind is RefKind.Ref or RefKind.Out))
                        {
                            return true;
                        }

                        // A delegate (Action<> and Func<> are in System) or a local function may have captured even a local buffer.
                        if (invocation.TargetMethod.MethodKind is MethodKind.DelegateInvoke or MethodKind.LocalFunction)
                        {
                            return true;
                        }

                        bool library = invocation.TargetMethod.ContainingNamespace?.ToDisplayString() is { } ns && (ns == "System" || ns.StartsWith("System.", System.StringComparison.Ordinal));
                        if (!library && !(gradients is ILocalSymbol))
                        {
                            return true;
                        }

                        break;
                    case IAssignmentOperation assignment:
                        var target = GradientBuffers.SymbolOf(assignment.Target, known, includeParameters: true);
                        if (gradients is null
                            ? OperationFacts.Unwrap(assignment.Target) is IArrayElementReferenceOperation
                            : SymbolEqualityComparer.Default.Equals(target, gradients))
                        {
                            return true;
                        }

                        break;
                }
            }

            return false;
        }

        internal static bool Mentions(IOperation operation, ISymbol? symbol) =>
            symbol is not null && operation.DescendantsAndSelf().Any(o => o switch
            {
                ILocalReferenceOperation l => SymbolEqualityComparer.Default.Equals(l.Local, symbol),
                IFieldReferenceOperation f => SymbolEqualityComparer.Default.Equals(f.Field, symbol),
                IParameterReferenceOperation p => SymbolEqualityComparer.Default.Equals(p.Parameter, symbol),
                _ => false,
            });

        /// <summary>What state an optimizer built like this keeps between steps, with its verb ("momentum buffer starts"), or null when it keeps none.</summary>
        private static string? StateOf(IObjectCreationOperation creation, KnownSymbols known)
        {
            if (SymbolEqualityComparer.Default.Equals(creation.Type, known.Adam))
            {
                return "moment estimates and step count start";
            }

            var momentum = Argument(creation, "momentum");
            return momentum is not null && momentum.ArgumentKind != ArgumentKind.DefaultValue && !OperationFacts.IsZero(momentum.Value)
                ? "momentum buffer starts"
                : null;
        }

        internal static IArgumentOperation? Argument(IObjectCreationOperation creation, string name) =>
            creation.Arguments.FirstOrDefault(a => a.Parameter?.Name == name);

        /// <summary>The local or field that <paramref name="creation"/> is stored in, or null.</summary>
        internal static ISymbol? AssignedVariable(IObjectCreationOperation creation)
        {
            var parent = creation.Parent;
            while (parent is IConversionOperation or IParenthesizedOperation)
            {
                parent = parent.Parent;
            }

            return parent switch
            {
                IVariableInitializerOperation { Parent: IVariableDeclaratorOperation declarator } => declarator.Symbol,
                ISimpleAssignmentOperation assignment => OperationFacts.Unwrap(assignment.Target) switch
                {
                    ILocalReferenceOperation local => local.Local,
                    IFieldReferenceOperation field => field.Field,
                    _ => null,
                },
                _ => null,
            };
        }
    }
}

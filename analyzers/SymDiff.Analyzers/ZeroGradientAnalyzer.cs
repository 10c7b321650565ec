using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Analyzers.Flow;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Model;
using SymDiff.Generator.Parsing;

namespace SymDiff.Analyzers
{
    /// <summary>
    /// Gradients that are zero by construction, inside a <c>[Differentiable]</c> method: SD1002, a piecewise-constant
    /// function (<c>Floor</c>, <c>Ceiling</c>, <c>Round</c>, <c>Truncate</c>, <c>Sign</c>) applied to an active value;
    /// SD1003, an active parameter that cannot influence the result at all.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ZeroGradientAnalyzer : DiagnosticAnalyzer
    {
        private const string NeverRead = "it is never read";
        private const string OnlyCut = "it is used only where no gradient flows: in conditions, comparisons, integer conversions, Grad.Detach or piecewise-constant functions";

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(DiagnosticDescriptors.PiecewiseConstant, DiagnosticDescriptors.NoInfluence);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var known = KnownSymbols.TryCreate(start.Compilation);
                if (known is null)
                {
                    return; // SymDiff is not referenced
                }

                start.RegisterSymbolStartAction(symbolStart =>
                {
                    // We only care about [Differentiable] methods; their bodies are analyzed once each.
                    if (symbolStart.Symbol is not IMethodSymbol method || !KnownSymbols.HasAttribute(method, known.Differentiable))
                    {
                        return;
                    }

                    symbolStart.RegisterOperationBlockAction(block => AnalyzeBody(block, method, known));
                }, SymbolKind.Method);
            });
        }

        private static void AnalyzeBody(OperationBlockAnalysisContext context, IMethodSymbol method, KnownSymbols known)
        {
            var body = FindBody(context.OperationBlocks);

            // Broken code is the compiler's to report; activity over invalid operations would be guesswork.
            if (body is null || body.DescendantsAndSelf().Any(o => o is IInvalidOperation))
            {
                return;
            }

            // A method the generator cannot generate (SD0xxx, SD1000, SD1001 ...) already has its error; warnings about
            // its gradient would only add noise next to it (a switch or a 'new' that uses the parameter, say).
            if (IsRejectedByParser(body, context.CancellationToken))
            {
                return;
            }

            var activeMask = Parser.ActiveParameters(method);
            var active = method.Parameters.Where(p => p.Ordinal < activeMask.Count && activeMask[p.Ordinal]).ToList();
            if (active.Count == 0)
            {
                return; // SD0006 (generator) covers a method with nothing to differentiate
            }

            var output = method.ReturnsVoid
                ? method.Parameters.FirstOrDefault(p => Parser.Classify(p.Type).Shape == ParamShape.OutputSpan)
                : null;

            // SD1002: a piecewise-constant function of an active value.
            var all = ActivityFlow.Compute(body, active, output, known);
            foreach (var invocation in OwnOperations(body).OfType<IInvocationOperation>())
            {
                if (ActivityFlow.IsPiecewiseConstant(invocation, known) && invocation.Arguments.Any(a => all.IsActive(a.Value))
                    && !IsDetached(invocation, known) && !IsConvertedToInteger(invocation))
                {
                    string name = invocation.TargetMethod.ContainingType.Name + "." + invocation.TargetMethod.Name;
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PiecewiseConstant, invocation.Syntax.GetLocation(), name));
                }
            }

            // SD1003: an active parameter from which nothing flows into the result.
            var returns = OwnOperations(body).OfType<IReturnOperation>().Where(r => r.ReturnedValue is not null).ToList();
            foreach (var parameter in active)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                var flow = ActivityFlow.Compute(body, new[] { parameter }, output, known);
                bool influences = output is not null
                    ? flow.IsActiveSymbol(output)
                    : returns.Any(r => flow.IsActive(r.ReturnedValue));
                if (influences)
                {
                    continue;
                }

                var references = OwnOperations(body).OfType<IParameterReferenceOperation>().Where(r => SymbolEqualityComparer.Default.Equals(r.Parameter, parameter)).ToList();
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.NoInfluence,
                    parameter.Locations.FirstOrDefault(),
                    parameter.Name,
                    method.Name,
                    references.Count == 0 ? NeverRead : Reason(body, references, flow, known)));
            }
        }

        /// <summary>
        /// Why a parameter that is read cannot influence the result: it names the arguments through which its value reaches a
        /// parameter that a called [Differentiable] method does not differentiate ([NoGrad], or left out of its
        /// [Differentiable(...)]), the usual surprise, and falls back to the list of cutting constructs for the other uses.
        /// </summary>
        private static string Reason(IOperation body, List<IParameterReferenceOperation> references, ActivityFlow flow, KnownSymbols known)
        {
            var cut = new List<IArgumentOperation>();
            foreach (var invocation in OwnOperations(body).OfType<IInvocationOperation>())
            {
                if (!KnownSymbols.HasAttribute(invocation.TargetMethod, known.Differentiable))
                {
                    continue;
                }

                var active = Parser.ActiveParameters(invocation.TargetMethod);
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter is { } target && !(target.Ordinal < active.Count && active[target.Ordinal]) && flow.IsActive(argument.Value))
                    {
                        cut.Add(argument);
                    }
                }
            }

            if (cut.Count == 0)
            {
                return OnlyCut;
            }

            string callee(IArgumentOperation a) => ((IInvocationOperation)a.Parent!).TargetMethod.Name;
            string why(IArgumentOperation a) => KnownSymbols.HasAttribute(a.Parameter!, known.NoGrad) ? " ([NoGrad])" : a.Parameter!.Type.SpecialType is SpecialType.System_Double or SpecialType.System_Single || a.Parameter.Type is IArrayTypeSymbol or INamedTypeSymbol { Name: "ReadOnlySpan" } ? " (not named in its [Differentiable(...)])" : string.Empty;
            string passed = "it is passed to " + string.Join(" and to ", cut.OrderBy(a => a.Syntax.SpanStart).Select(a => "parameter '" + a.Parameter!.Name + "' of '" + callee(a) + "', which '" + callee(a) + "' does not differentiate" + why(a)));
            bool elsewhere = references.Any(r => !cut.Any(a => a.Syntax.Span.Contains(r.Syntax.Span)));
            return elsewhere ? passed + "; elsewhere " + OnlyCut : passed;
        }

        /// <summary>Whether the generator's parser reports an error for the method whose body is <paramref name="body"/>.</summary>
        private static bool IsRejectedByParser(IOperation body, System.Threading.CancellationToken ct)
        {
            if (body.Syntax.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } syntax || body.SemanticModel is not { } model
                || model.GetDeclaredSymbol(syntax, ct) is not IMethodSymbol declared)
            {
                return false;
            }

            try
            {
                return BodyOwner.Parse(declared, syntax, model, ct).Diagnostics
                    .Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);
            }
            catch (System.Exception e) when (e is not System.OperationCanceledException)
            {
                return true; // the generator reports SD9001 for the same method
            }
        }

        /// <summary>
        /// Whether <paramref name="operation"/> is inside the argument of <c>Grad.Detach</c>: no gradient was wanted
        /// there (the straight-through estimator <c>z + Grad.Detach(Math.Round(z) - z)</c>).
        /// </summary>
        private static bool IsDetached(IOperation operation, KnownSymbols known)
        {
            for (var parent = operation.Parent; parent is not null and not IBlockOperation; parent = parent.Parent)
            {
                if (parent is IInvocationOperation { TargetMethod.Name: "Detach" } call
                    && SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, known.Grad))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Whether the value of <paramref name="invocation"/> goes straight into an integer (<c>(int)Math.Floor(t)</c>, a
        /// table index or a bucket): a cast to an integer cuts the gradient anyway, so the flooring is not a mistake.
        /// </summary>
        private static bool IsConvertedToInteger(IOperation invocation)
        {
            for (var parent = invocation.Parent; parent is IConversionOperation conversion; parent = parent.Parent)
            {
                if (conversion.Type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16
                    or SpecialType.System_Byte or SpecialType.System_UInt32 or SpecialType.System_UInt64 or SpecialType.System_UInt16 or SpecialType.System_SByte)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The method's body (a block, also for an expression-bodied method), or null.</summary>
        private static IOperation? FindBody(ImmutableArray<IOperation> blocks)
        {
            foreach (var block in blocks)
            {
                switch (block)
                {
                    case IMethodBodyOperation methodBody when (methodBody.BlockBody ?? methodBody.ExpressionBody) is { } inner:
                        return inner;
                    case IBlockOperation:
                        return block;
                }
            }

            return null;
        }

        /// <summary>The operations of the body, without those of lambdas and local functions declared in it.</summary>
        private static IEnumerable<IOperation> OwnOperations(IOperation body)
        {
            var stack = new Stack<IOperation>();
            stack.Push(body);
            while (stack.Count > 0)
            {
                var operation = stack.Pop();
                yield return operation;
                foreach (var child in operation.ChildOperations)
                {
                    if (child is not (IAnonymousFunctionOperation or ILocalFunctionOperation))
                    {
                        stack.Push(child);
                    }
                }
            }
        }
    }
}

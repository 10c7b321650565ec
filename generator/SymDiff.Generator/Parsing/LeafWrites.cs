using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Parsing
{
    /// <summary>
    /// SD1001, every write to a leaf (active) parameter in a <c>[Differentiable]</c> body: an assignment, compound
    /// assignment or <c>++</c>/<c>--</c> statement whose target is the parameter or an element of an active array, a
    /// <c>ref</c>/<c>out</c>/<c>in</c> argument that is the parameter, and a writable <c>ref</c> local into either. These are the writes the fence in
    /// <c>Parser.Body.cs</c> refuses, but all of them rather than the first, so that one build shows every parameter
    /// to copy.
    /// </summary>
    /// <remarks>
    /// The parser calls <see cref="ReplaceFenceReports"/> once the fence has run, and the analyzer that reports SD1001
    /// (analyzers/SymDiff.Analyzers, <c>ParserDiagnosticsAnalyzer</c>) reads the parser's result: one detection, two
    /// readers. The generator itself never reports SD1001 (see <see cref="AnalyzerReported"/>).
    /// </remarks>
    internal static class LeafWrites
    {
        /// <summary>
        /// Replaces the fence's SD1001 (at most one, the first write it met) in <paramref name="diagnostics"/> by one
        /// SD1001 per write. Should the fence ever refuse a write this search does not see, the method gets SD9001
        /// instead, which the generator reports itself: a method is never left with throwing stubs and no error.
        /// </summary>
        public static void ReplaceFenceReports(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, IReadOnlyList<ParamSpec> parameters, List<DiagnosticInfo> diagnostics, CancellationToken ct)
        {
            var active = new HashSet<string>(parameters.Where(p => p.Active).Select(p => p.Name), System.StringComparer.Ordinal);
            var writes = Find(method, syntax, model, active, ct);
            var fence = diagnostics.FindAll(d => d.Id == DiagnosticDescriptors.LeafMutationId);
            diagnostics.RemoveAll(d => d.Id == DiagnosticDescriptors.LeafMutationId);
            foreach (var missed in fence.Where(f => !writes.Any(w => w.Location == f.Location)))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, missed.Location, method.Name, "the body writes the differentiated parameter '" + missed.Arguments[0] + "' in a way SD1001 does not recognise"));
            }

            diagnostics.AddRange(writes);
        }

        /// <summary>One SD1001 per write to a parameter in <paramref name="active"/>, in source order.</summary>
        public static List<DiagnosticInfo> Find(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, ISet<string> active, CancellationToken ct)
        {
            var found = new List<DiagnosticInfo>();
            if (active.Count == 0 || model.GetOperation(syntax, ct) is not IMethodBodyOperation body || (body.BlockBody ?? body.ExpressionBody) is not { } root)
            {
                return found;
            }

            // Span<double> head = x.AsSpan(0, 2): a writable span over an active array; writing head[k] writes x.
            var aliases = new Dictionary<ILocalSymbol, string>(SymbolEqualityComparer.Default);
            foreach (var declarator in OwnOperations(root).OfType<IVariableDeclaratorOperation>())
            {
                if (declarator.Symbol.Type is INamedTypeSymbol { Name: "Span", TypeArguments.Length: 1 }
                    && (declarator.Initializer ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer) is { } initializer
                    && SpanSource(initializer.Value, method, active, aliases) is { } source)
                {
                    aliases[declarator.Symbol] = source;
                }
            }

            foreach (var operation in OwnOperations(root))
            {
                ct.ThrowIfCancellationRequested();
                if (operation is IDeconstructionAssignmentOperation { Parent: IExpressionStatementOperation } deconstruction)
                {
                    // (a, b) = (b, a): each element of the target tuple is a write (it was SD9001, "a way SD1001 does
                    // not recognise": a trial user's swap).
                    foreach (var leaf in Targets(deconstruction.Target).Select(t => Leaf(t, method, active, elements: true, aliases)).Where(l => l is not null).Distinct())
                    {
                        found.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LeafMutation, LocationInfo.From(operation.Syntax), leaf!));
                    }

                    continue;
                }

                string? written = operation switch
                {
                    // As statements, as the fence reads them (an assignment inside an expression is SD1000 there).
                    IAssignmentOperation assignment when assignment.Parent is IExpressionStatementOperation => Leaf(assignment.Target, method, active, elements: true, aliases),
                    IIncrementOrDecrementOperation increment when increment.Parent is IExpressionStatementOperation => Leaf(increment.Target, method, active, elements: true, aliases),
                    IArgumentOperation { Parameter.RefKind: not RefKind.None } argument => Leaf(argument.Value, method, active, elements: false, aliases),

                    // ref double r = ref w; or ref a[0]: a writable alias of the leaf (ref readonly is only a read).
                    IVariableDeclaratorOperation { Symbol: { IsRef: true, RefKind: not RefKind.RefReadOnly } } declarator
                        when (declarator.Initializer ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer) is { } initializer
                        => Leaf(initializer.Value, method, active, elements: true, aliases),
                    _ => null,
                };

                if (written is not null)
                {
                    found.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LeafMutation, LocationInfo.From(operation.Syntax), written));
                }
            }

            return found.OrderBy(d => d.Location?.Span.Start ?? 0).ToList();
        }

        /// <summary>What a write's target writes: the target itself, or a deconstruction's elements, nested tuples flattened (also the parser's reading of rewritten locals).</summary>
        internal static IEnumerable<IOperation> Targets(IOperation target) => Unwrap(target) switch
        {
            IDeclarationExpressionOperation { Expression: var inner } => Targets(inner),
            ITupleOperation tuple => tuple.Elements.SelectMany(Targets),
            var single => new[] { single },
        };

        /// <summary>The active parameter <paramref name="target"/> designates (or, with <paramref name="elements"/>, whose element it is), or null.</summary>
        private static string? Leaf(IOperation target, IMethodSymbol method, ISet<string> active, bool elements, Dictionary<ILocalSymbol, string> aliases)
        {
            target = Unwrap(target);
            if (elements && target is IArrayElementReferenceOperation element)
            {
                target = Unwrap(element.ArrayReference);
            }

            if (elements && target is IPropertyReferenceOperation { Property.IsIndexer: true, Instance: { } instance }
                && Unwrap(instance) is ILocalReferenceOperation { Local: var local } && aliases.TryGetValue(local, out var aliased))
            {
                return aliased;
            }

            return target is IParameterReferenceOperation { Parameter: var parameter }
                && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, method)
                && active.Contains(parameter.Name)
                ? parameter.Name
                : null;
        }

        /// <summary>The active array parameter a span initializer views (<c>x</c>, <c>x.AsSpan(...)</c>, a slice of such a span local), or null.</summary>
        private static string? SpanSource(IOperation value, IMethodSymbol method, ISet<string> active, Dictionary<ILocalSymbol, string> aliases)
        {
            while (value is IConversionOperation conversion)
            {
                value = conversion.Operand;
            }

            switch (value)
            {
                case IInvocationOperation { TargetMethod.Name: "AsSpan" or "Slice" } call:
                    var source = call.Instance ?? call.Arguments.FirstOrDefault()?.Value;
                    return source is null ? null : SpanSource(source, method, active, aliases);
                case ILocalReferenceOperation { Local: var local }:
                    return aliases.TryGetValue(local, out var aliased) ? aliased : null;
                default:
                    return Leaf(value, method, active, elements: false, aliases);
            }
        }

        private static IOperation Unwrap(IOperation operation)
        {
            while (operation is IConversionOperation { OperatorMethod: null } conversion)
            {
                operation = conversion.Operand;
            }

            return operation;
        }

        /// <summary>The operations of the body in source order, without lambdas and local functions (which the fence refuses whole).</summary>
        private static IEnumerable<IOperation> OwnOperations(IOperation root)
        {
            var stack = new Stack<IOperation>();
            stack.Push(root);
            while (stack.Count > 0)
            {
                var operation = stack.Pop();
                yield return operation;
                foreach (var child in operation.ChildOperations.Reverse())
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

using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Parsing;
using SymDiff.Generator.Rules;

namespace SymDiff.Analyzers.Flow
{
    /// <summary>
    /// Activity analysis on the IOperation tree of a <c>[Differentiable]</c> body: which locals (and which output span)
    /// carry a value that a gradient can flow back through to the seed parameters. It follows the generator's rules
    /// (<see cref="Generator.Analysis.Activity"/>): <c>Grad.Detach</c>, piecewise-constant functions, comparisons and
    /// conversions to integers cut the flow, and a call of another <c>[Differentiable]</c> method passes it only
    /// through that method's active parameters.
    /// </summary>
    /// <remarks>
    /// Flow-insensitive: a local is active when any assignment to it is, wherever that assignment is. That can only
    /// make more values active than the generator's SSA analysis finds, so SD1003 ("cannot influence the result") never
    /// fires where a gradient can flow, and SD1002 errs on the side of warning. The analyzer needs source positions,
    /// which the generator's IR no longer has, hence this second, small implementation.
    /// </remarks>
    internal sealed class ActivityFlow
    {
        private readonly HashSet<ISymbol> _active = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        private readonly KnownSymbols _known;

        private ActivityFlow(KnownSymbols known)
        {
            _known = known;
        }

        /// <summary>
        /// Computes activity over <paramref name="body"/> from <paramref name="seeds"/>; stores into
        /// <paramref name="output"/> (the output span of a vector function) make it active.
        /// </summary>
        public static ActivityFlow Compute(IOperation body, IEnumerable<IParameterSymbol> seeds, IParameterSymbol? output, KnownSymbols known)
        {
            var flow = new ActivityFlow(known);
            foreach (var seed in seeds)
            {
                flow._active.Add(seed);
            }

            var definitions = Definitions(body, output, known);
            var views = Views(body);
            bool changed = true;
            while (changed)
            {
                changed = false;
                foreach (var (target, value) in definitions)
                {
                    if (!flow._active.Contains(target) && flow.IsActiveValueOrReference(value))
                    {
                        flow._active.Add(target);
                        changed = true;
                    }
                }

                // A store through a span local over a buffer (top[j] = p[j] * p[j] with top = z.Slice(0, 4)) stores into
                // the buffer: an active view makes what it views active (a trial user's false SD1003).
                foreach (var (view, source) in views)
                {
                    if (flow._active.Contains(view) && flow._active.Add(source))
                    {
                        changed = true;
                    }
                }
            }

            return flow;
        }

        /// <summary>Whether <paramref name="symbol"/> (a parameter, local or the output span) is active.</summary>
        public bool IsActiveSymbol(ISymbol symbol) => _active.Contains(symbol);

        /// <summary>Whether the floating-point value of <paramref name="operation"/> depends on an active value.</summary>
        public bool IsActive(IOperation? operation)
        {
            if (operation is null || operation.Type?.SpecialType is not (SpecialType.System_Double or SpecialType.System_Single))
            {
                return false; // bool (comparisons), int (conversions), everything else: no gradient
            }

            if (operation.ConstantValue.HasValue)
            {
                return false;
            }

            switch (operation)
            {
                case IParameterReferenceOperation parameter:
                    return _active.Contains(parameter.Parameter);
                case ILocalReferenceOperation local:
                    return _active.Contains(local.Local);
                case IArrayElementReferenceOperation element:
                    return IsActiveReference(element.ArrayReference);
                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer:
                    return IsActiveReference(indexer.Instance);
                case IFieldReferenceOperation:
                case IPropertyReferenceOperation:
                    return false; // fields and properties are constants
                case IInvocationOperation invocation:
                    return IsActiveCall(invocation);
                case IConditionalOperation conditional:
                    return IsActive(conditional.WhenTrue) || IsActive(conditional.WhenFalse);
                case ISwitchExpressionOperation switchExpression:
                    // Like ?:, the value of an arm: the patterns and guards only choose one.
                    foreach (var arm in switchExpression.Arms)
                    {
                        if (IsActive(arm.Value))
                        {
                            return true;
                        }
                    }

                    return false;
            }

            foreach (var child in operation.ChildOperations)
            {
                if (IsActiveValueOrReference(child))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether <paramref name="operation"/> is an active array or span (a parameter, or a local that holds one).</summary>
        public bool IsActiveReference(IOperation? operation)
        {
            // A view of an active array or span (w.Slice(0, n), x.AsSpan(a, n), p[1..]) is active: its elements are the source's.
            return Root(operation) switch
            {
                IParameterReferenceOperation parameter => _active.Contains(parameter.Parameter),
                ILocalReferenceOperation local => _active.Contains(local.Local),
                _ => false,
            };
        }

        /// <summary>Whether <paramref name="invocation"/> is <c>Math.Floor</c>, <c>Sign</c>, ... (a zero-derivative function).</summary>
        public static bool IsPiecewiseConstant(IInvocationOperation invocation, KnownSymbols known) =>
            known.IsMathType(invocation.TargetMethod.ContainingType)
            && MathFunctions.Named(invocation.TargetMethod.Name).Any(f => f.PiecewiseConstant);

        private bool IsActiveValueOrReference(IOperation operation) => IsActive(operation) || IsActiveReference(operation);

        private bool IsActiveCall(IInvocationOperation invocation)
        {
            var method = invocation.TargetMethod;
            if (IsPiecewiseConstant(invocation, _known))
            {
                return false;
            }

            if (method.Name == "Detach" && SymbolEqualityComparer.Default.Equals(method.ContainingType, _known.Grad))
            {
                return false;
            }

            if (KnownSymbols.HasAttribute(method, _known.Differentiable))
            {
                // Only the callee's active parameters pass a gradient (the others are cut, and SD1005 says so).
                var active = Parser.ActiveParameters(method);
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter is { } parameter && parameter.Ordinal < active.Count && active[parameter.Ordinal]
                        && IsActiveValueOrReference(argument.Value))
                    {
                        return true;
                    }
                }

                return false;
            }

            // Math functions, custom rules and anything else: active when an argument is.
            foreach (var argument in invocation.Arguments)
            {
                if (IsActiveValueOrReference(argument.Value))
                {
                    return true;
                }
            }

            return invocation.Instance is not null && IsActiveValueOrReference(invocation.Instance);
        }

        /// <summary>Every (variable, value) pair the body assigns: declarations, assignments, compound assignments, foreach variables.</summary>
        private static List<(ISymbol Target, IOperation Value)> Definitions(IOperation body, IParameterSymbol? output, KnownSymbols known)
        {
            var definitions = new List<(ISymbol, IOperation)>();
            foreach (var operation in body.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation { Initializer: { } initializer } declarator:
                        definitions.Add((declarator.Symbol, initializer.Value));
                        break;
                    case IDeconstructionAssignmentOperation deconstruction:
                        Deconstruct(deconstruction.Target, deconstruction.Value, output, known, definitions);
                        break;
                    case IAssignmentOperation assignment when Target(assignment.Target, output, known) is { } target:
                        definitions.Add((target, assignment.Value));
                        break;
                    case IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation variable } loop:
                        definitions.Add((variable.Symbol, loop.Collection));
                        break;
                    case IInvocationOperation { TargetMethod.ReturnsVoid: true } call when KnownSymbols.HasAttribute(call.TargetMethod, known.Differentiable):
                        VectorCall(call, output, definitions);
                        break;
                }
            }

            return definitions;
        }

        /// <summary>Each span local declared as a view of a local (<c>Span&lt;double&gt; top = z.Slice(0, 4);</c>, <c>z[..2]</c>, <c>z</c>), with that local.</summary>
        private static List<(ISymbol View, ISymbol Source)> Views(IOperation body)
        {
            var views = new List<(ISymbol, ISymbol)>();
            foreach (var declarator in body.DescendantsAndSelf().OfType<IVariableDeclaratorOperation>())
            {
                if (declarator.Symbol.Type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", TypeArguments.Length: 1 }
                    && declarator.Initializer is { } initializer && Root(initializer.Value) is ILocalReferenceOperation { Local: var source }
                    && !SymbolEqualityComparer.Default.Equals(source, declarator.Symbol))
                {
                    views.Add((declarator.Symbol, source));
                }
            }

            return views;
        }

        /// <summary>
        /// <c>var (a, b) = (x * y, x - y);</c>, <c>(double a, double b) = ...</c>, <c>(a, b) = (b, a);</c>: each variable from
        /// its element of the tuple literal (nested tuples element by element); from the whole value when it is not a tuple
        /// literal of the same arity, which can only make more variables active.
        /// </summary>
        private static void Deconstruct(IOperation target, IOperation value, IParameterSymbol? output, KnownSymbols known, List<(ISymbol, IOperation)> definitions)
        {
            target = OperationFacts.Unwrap(target) ?? target;
            if (target is IDeclarationExpressionOperation declaration)
            {
                target = OperationFacts.Unwrap(declaration.Expression) ?? declaration.Expression;
            }

            var values = OperationFacts.Unwrap(value) ?? value;
            if (target is ITupleOperation targets)
            {
                for (int k = 0; k < targets.Elements.Length; k++)
                {
                    var part = values is ITupleOperation tuple && tuple.Elements.Length == targets.Elements.Length ? tuple.Elements[k] : values;
                    Deconstruct(targets.Elements[k], part, output, known, definitions);
                }

                return;
            }

            if (Target(target, output, known) is { } symbol)
            {
                definitions.Add((symbol, values));
            }
        }

        /// <summary>
        /// A call of a [Differentiable] vector function writes its output argument (a local buffer, a part of one, or this
        /// method's own output) from the arguments it differentiates.
        /// </summary>
        private static void VectorCall(IInvocationOperation call, IParameterSymbol? output, List<(ISymbol, IOperation)> definitions)
        {
            var written = call.Arguments.FirstOrDefault(a => a.Parameter is { } p && Parser.Classify(p.Type).Shape == SymDiff.Generator.Model.ParamShape.OutputSpan);
            ISymbol? target = Root(written?.Value) switch
            {
                ILocalReferenceOperation local => local.Local,
                IParameterReferenceOperation parameter when output is not null && SymbolEqualityComparer.Default.Equals(parameter.Parameter, output) => output,
                _ => null,
            };
            if (target is null)
            {
                return;
            }

            var active = Parser.ActiveParameters(call.TargetMethod);
            foreach (var argument in call.Arguments)
            {
                if (argument.Parameter is { } parameter && parameter.Ordinal < active.Count && active[parameter.Ordinal] && !ReferenceEquals(argument, written))
                {
                    definitions.Add((target, argument.Value));
                }
            }
        }

        /// <summary>The array, span or buffer a view is taken of (<c>h.Slice(a, n)</c>, <c>h[a..b]</c>), or the operation itself.</summary>
        private static IOperation? Root(IOperation? operation)
        {
            operation = OperationFacts.Unwrap(operation);
            return operation switch
            {
                IInvocationOperation { TargetMethod.Name: "Slice" or "AsSpan" } view => Root(view.Instance ?? (view.Arguments.Length > 0 ? view.Arguments[0].Value : null)),
                IImplicitIndexerReferenceOperation range => Root(range.Instance),
                _ => operation,
            };
        }

        /// <summary>The variable an assignment defines: a local, or the output span for a store into one of its elements.</summary>
        private static ISymbol? Target(IOperation target, IParameterSymbol? output, KnownSymbols known)
        {
            switch (OperationFacts.Unwrap(target))
            {
                case ILocalReferenceOperation local:
                    return local.Local;
                case IArrayElementReferenceOperation { ArrayReference: var array } when OperationFacts.Unwrap(array) is ILocalReferenceOperation buffer:
                    return buffer.Local; // a local buffer: an element store makes the buffer active (h[j] = Math.Tanh(...))
                case IPropertyReferenceOperation { Property.IsIndexer: true, Instance: var span } when OperationFacts.Unwrap(span) is ILocalReferenceOperation buffer:
                    return buffer.Local;
                case IPropertyReferenceOperation { Property.IsIndexer: true } or IArrayElementReferenceOperation
                    when output is not null && GradientBuffers.SymbolOf(target, known, includeParameters: true) is IParameterSymbol parameter
                        && SymbolEqualityComparer.Default.Equals(parameter, output):
                    return output;
                default:
                    return null;
            }
        }
    }
}

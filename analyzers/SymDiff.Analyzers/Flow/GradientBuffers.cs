using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace SymDiff.Analyzers.Flow
{
    /// <summary>How a gradient buffer is reset: by assigning zero, or by clearing its elements.</summary>
    internal enum BufferKind
    {
        /// <summary>A <c>double</c> or <c>float</c> variable, passed by <c>ref</c>.</summary>
        Scalar,

        /// <summary>A <c>double[]</c> or <c>float[]</c>, passed as a span or element by element.</summary>
        Array,

        /// <summary>A <c>Span&lt;T&gt;</c> variable.</summary>
        Span,
    }

    /// <summary>
    /// Which variable an argument, a reset or a read is about. A gradient buffer is a local or a field (for SD2002 also
    /// a parameter): <c>ref dw</c> is <c>dw</c>, <c>ref g[0]</c> and <c>g.AsSpan(1)</c> are <c>g</c>.
    /// </summary>
    internal static class GradientBuffers
    {
        /// <summary>
        /// The variable <paramref name="operation"/> designates (after conversions, element access, <c>AsSpan</c>,
        /// <c>Slice</c> and <c>new Span&lt;T&gt;(array)</c>), or null. Parameters count only when
        /// <paramref name="includeParameters"/> is set: a parameter's reset is its caller's business.
        /// </summary>
        public static ISymbol? SymbolOf(IOperation? operation, KnownSymbols known, bool includeParameters = false)
        {
            operation = OperationFacts.Unwrap(operation);
            switch (operation)
            {
                case ILocalReferenceOperation local:
                    return local.Local;
                case IFieldReferenceOperation field:
                    return field.Field;
                case IParameterReferenceOperation parameter:
                    return includeParameters ? parameter.Parameter : null;
                case IArrayElementReferenceOperation element:
                    return SymbolOf(element.ArrayReference, known, includeParameters);
                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when known.IsSpan(indexer.Instance?.Type):
                    return SymbolOf(indexer.Instance, known, includeParameters);
                case IInvocationOperation invocation:
                    if (invocation.TargetMethod.Name is "AsSpan" && invocation.Instance is null && invocation.Arguments.Length > 0
                        && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, known.MemoryExtensions))
                    {
                        return SymbolOf(invocation.Arguments[0].Value, known, includeParameters);
                    }

                    if (invocation.TargetMethod.Name is "Slice" && known.IsSpan(invocation.Instance?.Type))
                    {
                        return SymbolOf(invocation.Instance, known, includeParameters);
                    }

                    return null;
                case IObjectCreationOperation creation when known.IsSpan(creation.Type) && creation.Arguments.Length > 0:
                    return SymbolOf(creation.Arguments[0].Value, known, includeParameters);
                default:
                    return null;
            }
        }

        /// <summary>The operation that designates the whole variable inside <paramref name="operation"/> (<c>g</c> in <c>ref g[0]</c>), for its text.</summary>
        public static IOperation? VariableReference(IOperation? operation, KnownSymbols known)
        {
            operation = OperationFacts.Unwrap(operation);
            switch (operation)
            {
                case ILocalReferenceOperation or IFieldReferenceOperation or IParameterReferenceOperation:
                    return operation;
                case IArrayElementReferenceOperation element:
                    return VariableReference(element.ArrayReference, known);
                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer:
                    return VariableReference(indexer.Instance, known);
                case IInvocationOperation invocation when invocation.Instance is null && invocation.Arguments.Length > 0:
                    return VariableReference(invocation.Arguments[0].Value, known);
                case IInvocationOperation invocation:
                    return VariableReference(invocation.Instance, known);
                case IObjectCreationOperation creation when creation.Arguments.Length > 0:
                    return VariableReference(creation.Arguments[0].Value, known);
                default:
                    return null;
            }
        }

        /// <summary>How <paramref name="symbol"/> is reset, or null when it is not a floating-point scalar, array or span.</summary>
        public static BufferKind? KindOf(ISymbol symbol, KnownSymbols known)
        {
            var type = symbol switch
            {
                ILocalSymbol local => local.Type,
                IFieldSymbol field => field.Type,
                IParameterSymbol parameter => parameter.Type,
                _ => null,
            };

            if (type is null)
            {
                return null;
            }

            if (type.SpecialType is SpecialType.System_Double or SpecialType.System_Single)
            {
                return BufferKind.Scalar;
            }

            if (type is IArrayTypeSymbol { Rank: 1 })
            {
                return BufferKind.Array;
            }

            return known.IsSpan(type) ? BufferKind.Span : null;
        }

        /// <summary>
        /// The gradient buffer an optimizer was created with, when <paramref name="optimizer"/> is a local initialised
        /// by <c>new Sgd(parameters, gradients, ...)</c> or <c>new Adam(...)</c>; null when that cannot be told.
        /// </summary>
        public static ISymbol? OptimizerGradients(IOperation? optimizer, KnownSymbols known) =>
            OptimizerArgument(optimizer, known, "gradients");

        /// <summary>The buffer passed as the constructor argument named <paramref name="parameterName"/> of the optimizer local <paramref name="optimizer"/>.</summary>
        public static ISymbol? OptimizerArgument(IOperation? optimizer, KnownSymbols known, string parameterName)
        {
            if (OperationFacts.Unwrap(optimizer) is not ILocalReferenceOperation { Local: var local } reference || reference.SemanticModel is not { } model)
            {
                // Only locals: a field's optimizer is made in a constructor we do not look at.
                return null;
            }

            if (local.DeclaringSyntaxReferences.Length != 1
                || local.DeclaringSyntaxReferences[0].GetSyntax() is not VariableDeclaratorSyntax { Initializer.Value: { } value }
                || value.SyntaxTree != model.SyntaxTree)
            {
                return null;
            }

            if (OperationFacts.Unwrap(model.GetOperation(value)) is not IObjectCreationOperation creation || !known.IsOptimizer(creation.Type))
            {
                return null;
            }

            foreach (var argument in creation.Arguments)
            {
                if (argument.Parameter?.Name == parameterName)
                {
                    return SymbolOf(argument.Value, known, includeParameters: true);
                }
            }

            return null;
        }

        /// <summary>Whether <paramref name="invocation"/> is <c>optimizer.<paramref name="name"/>()</c> on a SymDiff optimizer.</summary>
        public static bool IsOptimizerCall(IInvocationOperation invocation, KnownSymbols known, string name) =>
            invocation.TargetMethod.Name == name && invocation.Arguments.Length == 0 && known.IsOptimizer(invocation.TargetMethod.ContainingType);
    }
}

using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace SymDiff.Analyzers.Flow
{
    /// <summary>
    /// What one loop does with one gradient buffer on each iteration: whether it resets it, whether it reads it
    /// (the gradient is used: a parameter update, an optimizer step, a print), and where it first accumulates into it.
    /// </summary>
    internal sealed class BufferUse
    {
        private readonly ISymbol _buffer;
        private readonly BufferKind _kind;
        private readonly KnownSymbols _known;

        private BufferUse(ISymbol buffer, BufferKind kind, KnownSymbols known)
        {
            _buffer = buffer;
            _kind = kind;
            _known = known;
        }

        /// <summary>Something in the loop sets the buffer back to zero (or overwrites it).</summary>
        public bool Resets => ResetOperations.Count > 0;

        /// <summary>The operations in the loop that reset the buffer, in source order within each iterated part.</summary>
        public List<IOperation> ResetOperations { get; } = new List<IOperation>();

        /// <summary>
        /// The reads in the loop that consume the gradient: an optimizer's <c>Step()</c> and updates such as
        /// <c>w -= lr * dw</c> (a print or a call that merely looks at it is not one).
        /// </summary>
        public List<IOperation> Steps { get; } = new List<IOperation>();

        /// <summary>The first operation in the loop that reads the accumulated gradient, or null.</summary>
        public IOperation? FirstRead { get; private set; }

        /// <summary>The argument, earliest in the source, through which a call in the loop accumulates into the buffer.</summary>
        public IArgumentOperation? FirstAccumulation { get; private set; }

        /// <summary>An optimizer local whose gradients are the buffer and whose <c>Step()</c> the loop calls, if any.</summary>
        public IOperation? Optimizer { get; private set; }

        /// <summary>Reads what the iterated parts of <paramref name="loop"/> do with <paramref name="buffer"/>.</summary>
        public static BufferUse Scan(ILoopOperation loop, ISymbol buffer, BufferKind kind, KnownSymbols known)
        {
            var use = new BufferUse(buffer, kind, known);
            foreach (var operation in OperationFacts.IteratedOperations(loop))
            {
                use.Visit(operation);
            }

            return use;
        }

        /// <summary>
        /// Whether <paramref name="invocation"/> resets <paramref name="buffer"/>: zeroes it, or (unless
        /// <paramref name="zeroingOnly"/>, as SD2004 asks) overwrites it with a new gradient.
        /// </summary>
        public static bool IsResetCall(IInvocationOperation invocation, ISymbol buffer, BufferKind kind, KnownSymbols known, bool zeroingOnly = false) =>
            IsResetCall(invocation, buffer, kind, known, zeroingOnly, depth: 0);

        private static bool IsResetCall(IInvocationOperation invocation, ISymbol buffer, BufferKind kind, KnownSymbols known, bool zeroingOnly, int depth)
        {
            var method = invocation.TargetMethod;
            bool parameters = buffer is IParameterSymbol; // inside a helper, the buffer is its parameter

            // g.Clear(), span.Fill(0), g.AsSpan().Clear()
            if (invocation.Instance is not null && !known.IsOptimizer(method.ContainingType)
                && ((method.Name == "Clear" && invocation.Arguments.Length == 0) || (method.Name == "Fill" && invocation.Arguments.Length == 1 && OperationFacts.IsZero(invocation.Arguments[0].Value)))
                && Same(GradientBuffers.SymbolOf(invocation.Instance, known, parameters), buffer))
            {
                return true;
            }

            // Array.Clear(g), Array.Clear(g, 0, n), Array.Fill(g, 0)
            if (invocation.Instance is null && SymbolEqualityComparer.Default.Equals(method.ContainingType, known.Array) && invocation.Arguments.Length > 0
                && (method.Name == "Clear" || (method.Name == "Fill" && invocation.Arguments.Length == 2 && OperationFacts.IsZero(invocation.Arguments[1].Value)))
                && Same(GradientBuffers.SymbolOf(invocation.Arguments[0].Value, known, parameters), buffer))
            {
                return true;
            }

            // optimizer.ZeroGrad(): its own gradients when we can tell which they are, any array when we cannot.
            // A scalar variable is never an optimizer's buffer.
            if (GradientBuffers.IsOptimizerCall(invocation, known, "ZeroGrad"))
            {
                var owned = GradientBuffers.OptimizerGradients(invocation.Instance, known);
                return owned is null ? kind == BufferKind.Array : Same(owned, buffer);
            }

            // ResetGrads(g): a method of this compilation that resets the parameter the buffer is passed to.
            if (HelperResets(invocation, buffer, kind, known, depth))
            {
                return true;
            }

            if (zeroingOnly)
            {
                return false;
            }

            // F(..., out g) and the Span outputs of SymDiff's generated methods (Gradient, Jacobian ...) overwrite.
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is not { } parameter || !Same(GradientBuffers.SymbolOf(argument.Value, known, includeParameters: buffer is IParameterSymbol), buffer))
                {
                    continue;
                }

                if (parameter.RefKind == RefKind.Out)
                {
                    return true;
                }

                if (known.IsSpan(parameter.Type) && parameter.Type.OriginalDefinition.Name == "Span"
                    && !KnownSymbols.HasAttribute(parameter, known.Accumulates) && known.IsGeneratedBySymDiff(method))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Whether <paramref name="invocation"/> calls a method declared in source that resets the parameter receiving
        /// <paramref name="buffer"/> (the whole array or span, or a scalar by <c>ref</c>), directly or through at most
        /// two more such helpers. A zeroing reset anywhere in the helper counts, as one anywhere in a loop does.
        /// </summary>
        private static bool HelperResets(IInvocationOperation invocation, ISymbol buffer, BufferKind kind, KnownSymbols known, int depth)
        {
            var method = invocation.TargetMethod;
            if (depth >= 3 || method.DeclaringSyntaxReferences.IsEmpty || known.IsOptimizer(method.ContainingType) || known.IsGeneratedBySymDiff(method)
                || invocation.SemanticModel is not { } model)
            {
                return false;
            }

            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is not { } parameter || GradientBuffers.KindOf(parameter, known) is not { } parameterKind
                    || !Same(GradientBuffers.SymbolOf(argument.Value, known, includeParameters: buffer is IParameterSymbol), buffer)
                    || (parameterKind == BufferKind.Scalar ? parameter.RefKind != RefKind.Ref || kind != BufferKind.Scalar : OperationFacts.Unwrap(argument.Value) is IArrayElementReferenceOperation))
                {
                    continue; // not the whole buffer, or a copy of a scalar
                }

                foreach (var reference in method.DeclaringSyntaxReferences)
                {
                    // A helper in another file needs that file's semantic model. Rare (a call in a training loop that
                    // receives a gradient buffer) and bounded (three levels), so creating one is affordable here.
                    var syntax = reference.GetSyntax();
                    var bodyModel = syntax.SyntaxTree == model.SyntaxTree ? model : model.Compilation.GetSemanticModel(syntax.SyntaxTree);
                    if (bodyModel.GetOperation(syntax) is not { } body)
                    {
                        continue;
                    }

                    foreach (var operation in body.DescendantsAndSelf())
                    {
                        if (operation is IInvocationOperation call && IsResetCall(call, parameter, parameterKind, known, zeroingOnly: true, depth + 1))
                        {
                            return true;
                        }

                        if (operation is ISimpleAssignmentOperation assignment && OperationFacts.IsZero(assignment.Value)
                            && Same(GradientBuffers.SymbolOf(assignment.Target, known, includeParameters: true), parameter)
                            && (parameterKind == BufferKind.Scalar || OperationFacts.Unwrap(assignment.Target) is not IParameterReferenceOperation))
                        {
                            return true; // g[i] = 0, or dw = 0 through ref
                        }
                    }
                }
            }

            return false;
        }

        /// <summary>Whether the buffer is a parameter: the caller's, whose references count as the buffer's too.</summary>
        private bool CallersBuffer => _buffer is IParameterSymbol;

        private static bool Same(ISymbol? a, ISymbol? b) => a is not null && SymbolEqualityComparer.Default.Equals(a, b);

        private void Visit(IOperation operation)
        {
            switch (operation)
            {
                case IInvocationOperation invocation:
                    if (IsResetCall(invocation, _buffer, _kind, _known))
                    {
                        AddReset(operation);
                    }
                    else if (GradientBuffers.IsOptimizerCall(invocation, _known, "Step"))
                    {
                        // optimizer.Step() reads its gradients: the buffer if we know it is, any array if we cannot tell.
                        var owned = GradientBuffers.OptimizerGradients(invocation.Instance, _known);
                        if (owned is null ? _kind == BufferKind.Array : Same(owned, _buffer))
                        {
                            FirstRead ??= invocation;
                            Steps.Add(invocation);
                            if (owned is not null)
                            {
                                Optimizer ??= invocation.Instance;
                            }
                        }
                    }

                    break;

                case ISimpleAssignmentOperation assignment:
                    if (OperationFacts.Unwrap(assignment.Target) is ILocalReferenceOperation or IFieldReferenceOperation or IParameterReferenceOperation
                        && Same(GradientBuffers.SymbolOf(assignment.Target, _known, CallersBuffer), _buffer)
                        && !Mentions(assignment.Value, _buffer))
                    {
                        // dw = 0, g = new double[n], dw = other: the accumulation starts again.
                        AddReset(operation);
                    }
                    else if (OperationFacts.Unwrap(assignment.Target) is IArrayElementReferenceOperation or IPropertyReferenceOperation
                        && Same(GradientBuffers.SymbolOf(assignment.Target, _known, CallersBuffer), _buffer)
                        && OperationFacts.IsZero(assignment.Value))
                    {
                        // g[i] = 0, usually in a loop over the elements.
                        AddReset(operation);
                    }

                    break;

                case ILocalReferenceOperation local when Same(local.Local, _buffer):
                    ClassifyReference(local);
                    break;

                case IFieldReferenceOperation field when Same(field.Field, _buffer):
                    ClassifyReference(field);
                    break;

                case IParameterReferenceOperation parameter when Same(parameter.Parameter, _buffer):
                    ClassifyReference(parameter);
                    break;
            }
        }

        /// <summary>Decides whether a mention of the buffer accumulates into it, writes it or reads it.</summary>
        private void ClassifyReference(IOperation reference)
        {
            // Climb to the outermost expression that still designates the buffer: g -> g[0], g -> g.AsSpan().
            var use = reference;
            while (use.Parent is { } parent)
            {
                if (parent is IArgumentOperation { Parent: { } owner } && owner is IInvocationOperation or IObjectCreationOperation
                    && Same(GradientBuffers.SymbolOf(owner, _known, CallersBuffer), _buffer))
                {
                    use = owner; // g.AsSpan(), new Span<double>(g)
                }
                else if (parent is not IArgumentOperation && Same(GradientBuffers.SymbolOf(parent, _known, CallersBuffer), _buffer))
                {
                    use = parent; // g[0], (Span<double>)g, span.Slice(1)
                }
                else
                {
                    break;
                }
            }

            switch (use.Parent)
            {
                case IArgumentOperation argument:
                    if (argument.Parameter is { } parameter && KnownSymbols.HasAttribute(parameter, _known.Accumulates))
                    {
                        if (FirstAccumulation is null || argument.Syntax.SpanStart < FirstAccumulation.Syntax.SpanStart)
                        {
                            FirstAccumulation = argument;
                        }

                        return;
                    }

                    if (argument.Parameter?.RefKind == RefKind.Out
                        || (argument.Parent is IInvocationOperation owner && IsResetCall(owner, _buffer, _kind, _known)))
                    {
                        return;
                    }

                    break;

                case ISimpleAssignmentOperation assignment when ReferenceEquals(assignment.Target, use):
                case ICompoundAssignmentOperation compound when ReferenceEquals(compound.Target, use):
                case IIncrementOrDecrementOperation:
                    // A write, or accumulating by hand (dw += ...): neither reads the gradient.
                    return;

                case IInvocationOperation call when ReferenceEquals(call.Instance, use) && IsResetCall(call, _buffer, _kind, _known):
                    return;
            }

            FirstRead ??= use;
            if (UpdateOf(use) is { } update)
            {
                Steps.Add(update);
            }
        }

        private void AddReset(IOperation operation) => ResetOperations.Add(operation);

        /// <summary>The assignment to something other than the buffer whose value holds the read <paramref name="use"/> (<c>w -= lr * dw</c>), or null.</summary>
        private IAssignmentOperation? UpdateOf(IOperation use)
        {
            for (var child = use; child.Parent is { } parent && parent is not (IBlockOperation or IExpressionStatementOperation); child = parent)
            {
                if (parent is IAssignmentOperation assignment && ReferenceEquals(assignment.Value, child))
                {
                    // A caller's buffer (a parameter) is stepped with when the update writes what the caller owns (p[i] -= lr * g[i],
                    // a parameter, a field); a local that reads it (largest = Math.Max(largest, g[0]), a norm) only looks at it.
                    if (CallersBuffer && OperationFacts.Unwrap(assignment.Target) is ILocalReferenceOperation)
                    {
                        return null;
                    }

                    return Same(GradientBuffers.SymbolOf(assignment.Target, _known, includeParameters: true), _buffer) ? null : assignment;
                }
            }

            return null;
        }

        private static bool Mentions(IOperation operation, ISymbol symbol)
        {
            foreach (var descendant in operation.DescendantsAndSelf())
            {
                if ((descendant is ILocalReferenceOperation local && Same(local.Local, symbol))
                    || (descendant is IFieldReferenceOperation field && Same(field.Field, symbol))
                    || (descendant is IParameterReferenceOperation parameter && Same(parameter.Parameter, symbol)))
                {
                    return true;
                }
            }

            return false;
        }
    }
}

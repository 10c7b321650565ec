using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using SymDiff.Generator.Rules;

namespace SymDiff.Generator.Parsing
{
    internal static partial class Parser
    {
        private sealed partial class BodyParser
        {
            private Expr ParseInvocation(IInvocationOperation invocation)
            {
                var target = invocation.TargetMethod;
                if (target.ContainingNamespace?.ToDisplayString() == "System.Linq")
                {
                    // LINQ allocates (enumerators, closures) and hides the loop from the differentiator.
                    throw Unsupported(invocation.Syntax, $"LINQ ('{target.Name}')", "; write the loop instead");
                }

                string containing = target.ContainingType.ToDisplayString();
                var resultType = RequireScalar(invocation);
                var args = ParseArguments(invocation);

                bool number = KnownTypes.IsNumber(target.ContainingType);
                if ((number || _known.IsMathClass(target.ContainingType)) && MathFunctions.IsMathName(target.Name))
                {
                    // One row per arity: Log(x) and Log(x, b) are two functions.
                    var row = MathFunctions.Named(target.Name).FirstOrDefault(f => f.Arity == args.Count)
                        ?? throw Unsupported(invocation.Syntax, $"'{containing}.{target.Name}' with {args.Count} arguments", string.Empty);
                    if (number)
                    {
                        row = MathFunctions.NumberMethod(row);
                    }

                    return new Call(row.Function, args.ToEquatableArray(), resultType);
                }

                if (_known.IsGrad(target.ContainingType) && target.Name == "Detach")
                {
                    return new Call(KnownFunction.Detach, args.ToEquatableArray(), resultType);
                }

                if (_known.IsGrad(target.ContainingType) && target.Name == "Retain")
                {
                    // Reached only where Retain is not the whole value of a local (ParseRetainedOr takes those).
                    throw new UnsupportedException(invocation.Syntax, DiagnosticDescriptors.RetainNotLocal, invocation.Syntax.ToString(), "is not the whole value of a local");
                }

                if (target.IsGenericMethod)
                {
                    throw Unsupported(invocation.Syntax, $"Calling the generic method '{target.Name}'", string.Empty);
                }

                int site = AddSite(invocation.Syntax);
                bool differentiable = IsDifferentiable(target);
                string qualifier = target.IsStatic ? target.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : string.Empty;
                Expr? receiver = null;
                RequireAccessibleFromCaller(target, _model.Compilation);
                if (!target.IsStatic && t_receiver is { Code: { } inlinedOn } && invocation.Instance is null or IInstanceReferenceOperation)
                {
                    // Inside a vector function being inlined from another object: its calls on this go to that object.
                    receiver = new Opaque(inlinedOn, ValType.Object);
                }
                else if (!target.IsStatic && invocation.Instance is not null && invocation.Instance is not IInstanceReferenceOperation)
                {
                    // A sub-model held in a field or property (`Shared.H(x)`, `this.layer.H(x)`) is read like any member: a constant.
                    // A struct too: the call runs on the value the member holds (a copy for a readonly field or a property,
                    // as in the user's own code; the generated methods write no field).
                    receiver = Unwrap(invocation.Instance) is IMemberReferenceOperation { Type: not null } member && member is IFieldReferenceOperation or IPropertyReferenceOperation
                        ? new Opaque(MemberCode(member), ValType.Object)
                        : ParseExpr(invocation.Instance);
                }

                var callee = new CalleeSpec(
                    differentiable ? CalleeKind.Differentiable : CalleeKind.Plain,
                    target.Name,
                    qualifier,
                    target.Parameters.Select(p => p.Name).ToEquatableArray(),
                    differentiable ? ActiveParameters(target) : EquatableArray<bool>.Empty,
                    target.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)).ToEquatableArray(),
                    site)
                {
                    Influences = differentiable ? CalleeSummary.Influences(target) : EquatableArray<bool>.Empty,
                    HasGuards = differentiable && CalleeSummary.HasGuards(target),
                    HasHessian = differentiable && ReadHessianFlag(target),
                    MayHaveInfinitePartial = differentiable && CalleeSummary.MayHaveInfinitePartial(target),
                };
                return new UserCall(callee, receiver, args.ToEquatableArray(), resultType);
            }

            /// <summary>
            /// An argument for an enum parameter, as code of the enum type: a parameter, field or property of that type as
            /// written, a constant as a cast of its value; anything computed in the method is SD1000.
            /// </summary>
            private Expr EnumArgument(IArgumentOperation argument, INamedTypeSymbol enumType)
            {
                var value = Unwrap(argument.Value);
                if (argument.Value.ConstantValue is { HasValue: true, Value: { } constant })
                {
                    // A named member prints as the user reads it (MidpointRounding.AwayFromZero); a combination of flags as a cast.
                    string type = enumType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                    var member = enumType.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, constant));
                    if (member is not null)
                    {
                        return new Opaque(type + "." + Identifiers.Escape(member.Name), ValType.Object);
                    }

                    string number = System.Convert.ToInt64(constant, System.Globalization.CultureInfo.InvariantCulture).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return new Opaque("((" + type + ")(" + number + "))", ValType.Object);
                }

                if (SymbolEqualityComparer.Default.Equals(value?.Type, enumType))
                {
                    switch (value)
                    {
                        case IParameterReferenceOperation p:
                            return new Opaque(Identifiers.Escape(p.Parameter.Name), ValType.Object);
                        case IFieldReferenceOperation or IPropertyReferenceOperation:
                            return new Opaque(MemberCode((IMemberReferenceOperation)value), ValType.Object);
                    }
                }

                throw Unsupported(argument.Syntax, $"Passing '{argument.Syntax}' for the enum parameter '{argument.Parameter!.Name}'", " yet; pass an enum parameter, field, property or constant");
            }

            private List<Expr> ParseArguments(IInvocationOperation invocation)
            {
                var args = new List<Expr>();
                foreach (var argument in invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
                {
                    if (argument.Parameter is { RefKind: not RefKind.None } || argument.ArgumentKind == ArgumentKind.ParamArray)
                    {
                        if (Unwrap(argument.Value) is IParameterReferenceOperation pr && _parameters.TryGetValue(pr.Parameter.Name, out var ps) && ps.Active)
                        {
                            throw new UnsupportedException(argument.Syntax, DiagnosticDescriptors.LeafMutation, ps.Name);
                        }

                        throw Unsupported(argument.Syntax, "Passing an argument by reference or as params", string.Empty);
                    }

                    // A whole array or span parameter, passed on (an array converts to ReadOnlySpan implicitly).
                    var value = argument.Value;
                    while (value is IConversionOperation conversion)
                    {
                        value = conversion.Operand;
                    }

                    if (value is ILocalReferenceOperation passedBuffer && _buffers.TryGetValue(passedBuffer.Local, out var buffer))
                    {
                        args.Add(BufferArgument(invocation, argument, passedBuffer.Local, buffer.Name, buffer.Element));
                        continue;
                    }

                    if (value is IParameterReferenceOperation { Parameter: var passed } && _parameters.TryGetValue(passed.Name, out var passedSpec) && passedSpec.IsVector
                        && SymbolEqualityComparer.Default.Equals(passed.ContainingSymbol, _method))
                    {
                        if (passedSpec.Shape == ParamShape.OutputSpan)
                        {
                            throw Unsupported(argument.Syntax, $"Passing the output span '{passed.Name}' to another method", string.Empty);
                        }

                        args.Add(new SpanRef(passed.Name, passedSpec.ElementType));
                        continue;
                    }

                    if (ViewArgument(invocation, argument, value) is { } viewArgument)
                    {
                        args.Add(viewArgument);
                        continue;
                    }

                    if (argument.Parameter?.Type is INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType)
                    {
                        // An enum goes to the callee as the enum (the IR reads enum values as ints: passed as one, an int
                        // overload could be called instead).
                        args.Add(EnumArgument(argument, enumType));
                        continue;
                    }

                    args.Add(ParseExpr(argument.Value));
                }

                return args;
            }

            /// <summary>Whether <paramref name="method"/> carries <c>[Differentiable]</c> (its derivatives are generated too).</summary>
            private static bool IsDifferentiable(IMethodSymbol method) =>
                method.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownNames.DifferentiableAttribute);

            /// <summary>
            /// A local buffer passed whole to a <c>ReadOnlySpan&lt;T&gt;</c> parameter of a <c>[Differentiable]</c> method: read
            /// like a span parameter (lowering checks that every store into it comes first). Anything else is SD1000.
            /// </summary>
            private Expr BufferArgument(IInvocationOperation invocation, IArgumentOperation argument, ILocalSymbol local, string name, ValType element)
            {
                bool differentiable = IsDifferentiable(invocation.TargetMethod);
                bool readOnlySpan = argument.Parameter?.Type is INamedTypeSymbol span && _known.IsReadOnlySpan(span) && ScalarOf(span.TypeArguments[0]) == element;
                if (!differentiable || !readOnlySpan)
                {
                    throw Unsupported(argument.Value.Syntax, $"Using the local buffer '{local.Name}' as a value", " (a local buffer may be passed to a ReadOnlySpan parameter of a [Differentiable] method; otherwise index it or take its Length)");
                }

                return new SpanRef(name, element);
            }

            /// <summary>The locals marked with <c>Grad.Retain</c>, in source order.</summary>
            public List<RetainedLocal> Retained { get; } = new List<RetainedLocal>();

            /// <summary>Whether <paramref name="operation"/> is a call of <c>Grad.Retain</c> (with no conversion around it).</summary>
            private bool IsRetain(IOperation? operation)
            {
                while (operation is IParenthesizedOperation parenthesized)
                {
                    operation = parenthesized.Operand;
                }

                return operation is IInvocationOperation { TargetMethod: { Name: "Retain" } target } && _known.IsGrad(target.ContainingType);
            }

            /// <summary>
            /// The value assigned to the local <paramref name="name"/>: <c>Grad.Retain(e)</c> as the whole value retains the
            /// local (outside loops, once per local); anything else is an ordinary expression.
            /// </summary>
            private Expr ParseRetainedOr(IOperation value, string name, string display)
            {
                if (!IsRetain(value))
                {
                    return ParseExpr(value);
                }

                while (value is IParenthesizedOperation parenthesized)
                {
                    value = parenthesized.Operand;
                }

                var invocation = (IInvocationOperation)value;
                if (_loopDepth > 0)
                {
                    throw new UnsupportedException(invocation.Syntax, DiagnosticDescriptors.RetainInLoop, display);
                }

                if (Retained.Any(r => r.Name == name))
                {
                    throw new UnsupportedException(invocation.Syntax, DiagnosticDescriptors.RetainNotLocal, invocation.Syntax.ToString(), "retains the local '" + display + "' a second time");
                }

                var args = ParseArguments(invocation);
                Retained.Add(new RetainedLocal(name, display, AddSite(invocation.Syntax)));
                return new Call(KnownFunction.Retain, args.ToEquatableArray(), RequireScalar(invocation));
            }
        }
    }
}

using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Parsing
{
    internal static partial class Parser
    {
        private sealed partial class BodyParser
        {
            /// <summary>Reads an expression into the IR.</summary>
            private Expr ParseExpr(IOperation operation)
            {
                _ct.ThrowIfCancellationRequested();
                Limits.EnsureStack();
                var type = operation.Type;
                if (operation.ConstantValue.HasValue && ValueOf(type) is { } constType)
                {
                    return Const.FromSource(ConstantToDouble(operation.ConstantValue.Value, operation.Syntax), constType);
                }

                switch (operation)
                {
                    case IParenthesizedOperation parenthesized:
                        return ParseExpr(parenthesized.Operand);

                    case IParameterReferenceOperation parameter when !SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, _method):
                        // A primary constructor parameter: in scope in every part of the type, a constant here.
                        return new Opaque(AsInt(Identifiers.Escape(parameter.Parameter.Name), operation.Type), RequireScalar(operation));

                    case IParameterReferenceOperation parameter:
                    {
                        var p = _parameters[parameter.Parameter.Name];
                        if (p.Shape == ParamShape.Scalar)
                        {
                            return new Var(p.Name, p.ElementType);
                        }

                        if (p.Shape == ParamShape.Other)
                        {
                            return IsIntEnum(operation.Type) ? new Opaque(AsInt(Identifiers.Escape(p.Name), operation.Type), ValType.Int) : new Opaque(p.Name, ValType.Object);
                        }

                        throw Unsupported(operation.Syntax, $"Using the array or span '{p.Name}' as a value", " (index it, take its Length, or loop over it)");
                    }

                    case ILocalReferenceOperation bufferLocal when _buffers.ContainsKey(bufferLocal.Local):
                        throw Unsupported(operation.Syntax, $"Using the local buffer '{bufferLocal.Local.Name}' as a value", " (index it or take its Length; passing a local buffer to another method is not supported yet)");

                    case ILocalReferenceOperation viewLocal when _views.ContainsKey(viewLocal.Local):
                        throw Unsupported(operation.Syntax, $"Using the span local '{viewLocal.Local.Name}' as a value", " (index it, take its Length, loop over it, or pass it to a ReadOnlySpan parameter of a [Differentiable] method)");

                    case ILocalReferenceOperation local:
                    {
                        var t = ValueOf(local.Local.Type) ?? throw Unsupported(operation.Syntax, $"A local of type '{local.Local.Type.ToDisplayString()}'", string.Empty);
                        if (!_locals.TryGetValue(local.Local, out var name))
                        {
                            throw Unsupported(operation.Syntax, $"The local '{local.Local.Name}' declared outside the method body", string.Empty);
                        }

                        return new Var(name, t);
                    }

                    case IBinaryOperation binary:
                    {
                        if (binary.OperatorMethod is not null)
                        {
                            throw Unsupported(operation.Syntax, "A user-defined operator", string.Empty);
                        }

                        var op = MapBinary(binary.OperatorKind, binary.Syntax);
                        var left = ParseExpr(binary.LeftOperand);
                        var right = ParseExpr(binary.RightOperand);
                        var resultType = RequireScalar(operation);
                        if (IsComparison(op) || op == BinaryOp.And || op == BinaryOp.Or)
                        {
                            return new Binary(op, left, right, resultType);
                        }

                        return Arithmetic(op, left, right);
                    }

                    case IUnaryOperation unary:
                    {
                        if (unary.OperatorMethod is not null)
                        {
                            throw Unsupported(operation.Syntax, "A user-defined operator", string.Empty);
                        }

                        var operand = ParseExpr(unary.Operand);
                        return unary.OperatorKind switch
                        {
                            UnaryOperatorKind.Plus => operand,
                            UnaryOperatorKind.Minus => new Unary(UnaryOp.Neg, operand, operand.Type),
                            UnaryOperatorKind.Not => new Unary(UnaryOp.Not, operand, ValType.Bool),
                            _ => throw Unsupported(operation.Syntax, $"The operator '{unary.OperatorKind}'", string.Empty),
                        };
                    }

                    case IConversionOperation conversion:
                    {
                        if (conversion.OperatorMethod is not null)
                        {
                            throw Unsupported(operation.Syntax, "A user-defined conversion", string.Empty);
                        }

                        var target = RequireScalar(operation);
                        return ConvertTo(ParseExpr(conversion.Operand), target);
                    }

                    case IConditionalOperation conditional when conditional.WhenFalse is not null:
                        return new Cond(ParseExpr(conditional.Condition), ParseExpr(conditional.WhenTrue), ParseExpr(conditional.WhenFalse), RequireScalar(operation));

                    case ISwitchExpressionOperation switchExpression:
                        return ParseSwitchExpression(switchExpression, RequireScalar(operation));

                    case IInvocationOperation invocation:
                        return ParseInvocation(invocation);

                    case IPropertyReferenceOperation { Property.IsIndexer: true } when ViewElementOf(operation) is { } viewElement:
                        return new Elem(viewElement.View.Array, ViewIndex(viewElement.View, viewElement.Index, viewElement.Name), viewElement.View.Element);

                    case IPropertyReferenceOperation { Property.Name: "Length" } viewLength when Unwrap(viewLength.Instance) is ILocalReferenceOperation vl && _views.TryGetValue(vl.Local, out var lengthView):
                        return lengthView.Length;

                    case IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } when BufferElementOf(operation) is { } bufferElement:
                        return new Elem(bufferElement.Buffer.Name, ParseIndex(bufferElement.Index), bufferElement.Buffer.Element);

                    case IPropertyReferenceOperation { Property.Name: "Length" } bufferLength when Unwrap(bufferLength.Instance) is ILocalReferenceOperation bl && _buffers.TryGetValue(bl.Local, out var lengthBuffer):
                        return lengthBuffer.Length;

                    case IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: true } when ConstantElementOf(operation) is { } data:
                        return new Elem(data.Code, ParseIndex(data.Index), data.Type);

                    case IPropertyReferenceOperation { Property.Name: "Length" } dataLength when ConstantData(dataLength.Instance) is { } lengthOf:
                        return new Len(lengthOf.Code);

                    case IArrayElementReferenceOperation:
                    case IPropertyReferenceOperation { Property.IsIndexer: true }:
                    {
                        var element = ElementOf(operation) ?? throw Unsupported(operation.Syntax, $"Indexing '{operation.Syntax}'", " (index array and span parameters)");
                        var p = _parameters[element.Array];
                        var index = ParseExpr(element.Index);
                        if (index.Type != ValType.Int)
                        {
                            throw Unsupported(element.Index.Syntax, "A non-int index", string.Empty);
                        }

                        if (p.Shape == ParamShape.Other)
                        {
                            // An int[] or (ReadOnly)Span<int> parameter: data (an index table, labels), never differentiated.
                            return operation.Type?.SpecialType == SpecialType.System_Int32
                                ? new Elem(p.Name, index, ValType.Int)
                                : throw Unsupported(operation.Syntax, $"Indexing '{p.Name}' (elements of type '{operation.Type?.ToDisplayString()}')", " (index double and float arrays and spans, and int arrays and spans)");
                        }

                        if (p.Shape == ParamShape.OutputSpan && !OutputMayHaveBeenWritten(index))
                        {
                            throw new UnsupportedException(operation.Syntax, DiagnosticDescriptors.OutputReadBeforeWrite, p.Name, element.Index.Syntax.ToString());
                        }

                        return new Elem(p.Name, index, p.ElementType);
                    }

                    case IPropertyReferenceOperation { Property.Name: "Length" } length when Unwrap(length.Instance) is IParameterReferenceOperation lp && _parameters.TryGetValue(lp.Parameter.Name, out var lspec)
                        && (lspec.IsVector || IsIntTable(lp.Parameter.Type)):
                        // An int[] or (ReadOnly)Span<int> parameter's length too (a token sequence's): known when the method
                        // starts, so it may bound a loop that carries a recurrent state (a trial user's RNN).
                        return new Len(lspec.Name);

                    case IFieldReferenceOperation:
                    case IPropertyReferenceOperation:
                        return new Opaque(AsInt(MemberCode((IMemberReferenceOperation)operation), operation.Type), RequireScalar(operation));

                    case IInstanceReferenceOperation:
                        return new Opaque(ThisCode, ValType.Object);

                    case IDefaultValueOperation:
                        return Const.FromSource(0, RequireScalar(operation));

                    case IIncrementOrDecrementOperation increment when IncrementInside(increment) is { } value:
                        return value;

                    case IIsPatternOperation isPattern when PatternTest(isPattern.Pattern, ParseExpr(isPattern.Value)) is { } matches:
                        // x is > 0 and < 1: the comparisons.
                        return matches;

                    default:
                        throw Unsupported(operation.Syntax, Describe(operation), HintFor(operation));
                }
            }

            /// <summary>A rewrite the user can make for an expression SymDiff does not read, where one is plain.</summary>
            private static string HintFor(IOperation operation) => operation switch
            {
                IIsPatternOperation => " (patterns of constants and comparisons such as 'x is > 0 and < 1' are supported; write other patterns as comparisons)",
                ISimpleAssignmentOperation or ICompoundAssignmentOperation => " (an assignment inside an expression, such as a chained 'a = b = v': assign one variable per statement)",
                ILocalFunctionOperation => " (make it a static method of the type marked [Differentiable]: SymDiff calls it, or inlines it when it writes a span)",
                IIncrementOrDecrementOperation => " (an increment inside an expression, other than of an int local in a declaration or an expression statement: write it as a statement of its own)",
                _ => string.Empty,
            };

            private (string Array, IOperation Index)? ElementOf(IOperation operation)
            {
                switch (operation)
                {
                    case IArrayElementReferenceOperation array when array.Indices.Length == 1
                        && Unwrap(array.ArrayReference) is IParameterReferenceOperation ap && _parameters.ContainsKey(ap.Parameter.Name):
                        return (ap.Parameter.Name, array.Indices[0]);
                    case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Arguments.Length == 1
                        && Unwrap(indexer.Instance) is IParameterReferenceOperation sp && _parameters.ContainsKey(sp.Parameter.Name):
                        return (sp.Parameter.Name, indexer.Arguments[0].Value);
                    default:
                        return null;
                }
            }

            /// <summary>
            /// An element of constant data (API.md 9): an array, span or ReadOnlySpan field or property of the type or of
            /// a sub-model, read like a scalar field. Its IR array name is the member's code (<c>global::M.Xs</c>,
            /// <c>this.weights</c>), which the verifier accepts as data and the emitter prints as written.
            /// </summary>
            private (string Code, IOperation Index, ValType Type)? ConstantElementOf(IOperation operation)
            {
                switch (operation)
                {
                    case IArrayElementReferenceOperation array when array.Indices.Length == 1 && ConstantData(array.ArrayReference) is { } a:
                        return (a.Code, array.Indices[0], a.Type);
                    case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Arguments.Length == 1 && ConstantData(indexer.Instance) is { } d:
                        return (d.Code, indexer.Arguments[0].Value, d.Type);
                    default:
                        return null;
                }
            }

            /// <summary><c>int[]</c>, <c>Span&lt;int&gt;</c> or <c>ReadOnlySpan&lt;int&gt;</c>: an index table or token sequence.</summary>
            private bool IsIntTable(ITypeSymbol type) => type switch
            {
                IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Int32 } => true,
                INamedTypeSymbol span when _known.IsSpan(span) || _known.IsReadOnlySpan(span) => span.TypeArguments[0].SpecialType == SpecialType.System_Int32,
                _ => false,
            };

            /// <summary>A field or property of array, span or ReadOnlySpan type of double, float or int elements: constant data.</summary>
            private (string Code, ValType Type)? ConstantData(IOperation? operation)
            {
                if (Unwrap(operation) is not IMemberReferenceOperation member || member is not (IFieldReferenceOperation or IPropertyReferenceOperation { Property.IsIndexer: false }))
                {
                    return null;
                }

                ITypeSymbol? element = member.Type switch
                {
                    IArrayTypeSymbol { Rank: 1 } array => array.ElementType,
                    INamedTypeSymbol span when _known.IsSpan(span) || _known.IsReadOnlySpan(span) => span.TypeArguments[0],
                    _ => null,
                };
                return element is not null && ScalarOf(element) is { } type && type != ValType.Bool ? (MemberCode(member), type) : null;
            }

            /// <summary>An element of a local buffer (<c>h[i]</c>), or null.</summary>
            private ((string Name, ValType Element, Expr Length) Buffer, IOperation Index)? BufferElementOf(IOperation operation)
            {
                switch (operation)
                {
                    case IArrayElementReferenceOperation array when array.Indices.Length == 1
                        && Unwrap(array.ArrayReference) is ILocalReferenceOperation al && _buffers.TryGetValue(al.Local, out var a):
                        return (a, array.Indices[0]);
                    case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Arguments.Length == 1
                        && Unwrap(indexer.Instance) is ILocalReferenceOperation sl && _buffers.TryGetValue(sl.Local, out var s):
                        return (s, indexer.Arguments[0].Value);
                    default:
                        return null;
                }
            }

            private Expr ParseIndex(IOperation index)
            {
                var parsed = ParseExpr(index);
                if (parsed.Type != ValType.Int)
                {
                    throw Unsupported(index.Syntax, "A non-int index", string.Empty);
                }

                return parsed;
            }

            /// <summary>
            /// The member's code, which the generated code dereferences (a call on it, an element, its length, a member of it):
            /// a member whose type is a nullable reference type gets the user's own <c>!</c>, since the generated files are
            /// <c>#nullable enable</c> from C# 8 on (where the user's <c>Child!.H(x)</c> was printed <c>this.Child.HGradient(...)</c>,
            /// CS8602).
            /// </summary>
            private string MemberCode(IMemberReferenceOperation member)
            {
                string code = MemberCodeOf(member);
                var type = member.Member switch
                {
                    IFieldSymbol f => f.Type,
                    IPropertySymbol p => p.Type,
                    _ => null,
                };
                bool nullableContext = member.Syntax.SyntaxTree.Options is not CSharpParseOptions { LanguageVersion: < LanguageVersion.CSharp8 };
                return nullableContext && type is { IsReferenceType: true, NullableAnnotation: NullableAnnotation.Annotated } ? code + "!" : code;
            }

            private string MemberCodeOf(IMemberReferenceOperation member)
            {
                var symbol = member.Member;
                if (symbol.IsStatic)
                {
                    RequireAccessibleFromCaller(symbol, _model.Compilation);
                    return symbol.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + symbol.Name;
                }

                if (member.Instance is null or IInstanceReferenceOperation)
                {
                    RequireAccessibleFromCaller(symbol, _model.Compilation);
                    return ThisCode + "." + symbol.Name;
                }

                if (Unwrap(member.Instance) is IParameterReferenceOperation p && _parameters.TryGetValue(p.Parameter.Name, out var ps) && ps.Shape == ParamShape.Other)
                {
                    return p.Parameter.Name + "." + symbol.Name;
                }

                if (Unwrap(member.Instance) is IMemberReferenceOperation inner && inner is IFieldReferenceOperation or IPropertyReferenceOperation)
                {
                    return MemberCode(inner) + "." + symbol.Name;
                }

                throw Unsupported(member.Syntax, $"Reading '{member.Syntax}'", string.Empty);
            }

            /// <summary>The code of an enum value read as the int the IR holds (<c>((int)this.Mode)</c>); other code as it is.</summary>
            private static string AsInt(string code, ITypeSymbol? type) => IsIntEnum(type) ? "((int)" + code + ")" : code;

            private ValType RequireScalar(IOperation operation)
            {
                return ValueOf(operation.Type) ?? throw Unsupported(operation.Syntax, $"A value of type '{operation.Type?.ToDisplayString() ?? "unknown"}'", " (values are double, float, int or bool, or an enum of int)");
            }

            private static Expr Arithmetic(BinaryOp op, Expr left, Expr right)
            {
                // C#'s numeric promotion: int < float < double.
                var type = Wider(left.Type, right.Type);
                return new Binary(op, ConvertTo(left, type), ConvertTo(right, type), type);
            }

            private static ValType Wider(ValType a, ValType b)
            {
                if (a == ValType.Double || b == ValType.Double)
                {
                    return ValType.Double;
                }

                return a == ValType.Float || b == ValType.Float ? ValType.Float : a;
            }

            public static Expr ConvertTo(Expr value, ValType type)
            {
                if (value.Type == type)
                {
                    return value;
                }

                if (value is Const c && (type.IsFloating() || (type == ValType.Int && c.Type == ValType.Int)))
                {
                    return c.WithValue(type == ValType.Float ? (float)c.Value : c.Value, type);
                }

                return new Unary(UnaryOp.Convert, value, type);
            }

            private static bool IsComparison(BinaryOp op) => op is BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge or BinaryOp.Eq or BinaryOp.Ne;

            /// <summary>
            /// <c>v switch { 0 =&gt; a, &gt; 2 =&gt; b, _ =&gt; c }</c>: nested conditionals in arm order. Arms take constants,
            /// comparisons and a final discard (without one an unmatched value would throw, which generated code does not).
            /// </summary>
            private Expr ParseSwitchExpression(ISwitchExpressionOperation switchExpression, ValType type)
            {
                var arms = switchExpression.Arms;
                if (arms.Length == 0 || arms[arms.Length - 1] is not { Pattern: IDiscardPatternOperation, Guard: null })
                {
                    throw Unsupported(switchExpression.Syntax, "A switch expression without a final '_ =>' arm", string.Empty);
                }

                var value = ParseExpr(switchExpression.Value);
                Expr result = ConvertTo(ParseExpr(arms[arms.Length - 1].Value), type);
                for (int i = arms.Length - 2; i >= 0; i--)
                {
                    var arm = arms[i];
                    Expr test = arm switch
                    {
                        { Guard: not null } => throw Unsupported(arm.Syntax, "A switch arm with a 'when' guard", " (use ?: or if/else)"),
                        _ => PatternTest(arm.Pattern, value) ?? throw Unsupported(arm.Syntax, "This switch arm's pattern", " (arms take constants, comparisons such as '> 0', 'or', 'and', 'not', and a final '_')"),
                    };
                    result = new Cond(test, ConvertTo(ParseExpr(arm.Value), type), result, type);
                }

                return result;
            }

            /// <summary>
            /// Whether <paramref name="value"/> matches a pattern of constants and comparisons, combined with <c>or</c>,
            /// <c>and</c> and <c>not</c> (<c>2 or 3</c>, <c>&gt; 0 and &lt; 1</c>): the comparisons C# makes; null for any
            /// other pattern. A NaN constant is SD1000 (C# matches it with <c>IsNaN</c>, not <c>==</c>).
            /// </summary>
            private Expr? PatternTest(IPatternOperation pattern, Expr value)
            {
                switch (pattern)
                {
                    case IConstantPatternOperation constant when constant.Value.ConstantValue is { HasValue: true, Value: double d and double.NaN } || constant.Value.ConstantValue is { HasValue: true, Value: float f and float.NaN }:
                        throw Unsupported(pattern.Syntax, "The pattern 'NaN'", " (write double.IsNaN(x))");
                    case IConstantPatternOperation constant:
                        return new Binary(BinaryOp.Eq, value, ParseExpr(constant.Value), ValType.Bool);
                    case IRelationalPatternOperation relational:
                        return new Binary(MapBinary(relational.OperatorKind, pattern.Syntax), value, ParseExpr(relational.Value), ValType.Bool);
                    case IBinaryPatternOperation { OperatorKind: BinaryOperatorKind.Or or BinaryOperatorKind.And } both
                        when PatternTest(both.LeftPattern, value) is { } left && PatternTest(both.RightPattern, value) is { } right:
                        return new Binary(both.OperatorKind == BinaryOperatorKind.Or ? BinaryOp.Or : BinaryOp.And, left, right, ValType.Bool);
                    case INegatedPatternOperation negated when PatternTest(negated.Pattern, value) is { } inner:
                        return new Unary(UnaryOp.Not, inner, ValType.Bool);
                    default:
                        return null;
                }
            }

            private static BinaryOp MapBinary(BinaryOperatorKind kind, SyntaxNode syntax) => kind switch
            {
                BinaryOperatorKind.Add => BinaryOp.Add,
                BinaryOperatorKind.Subtract => BinaryOp.Sub,
                BinaryOperatorKind.Multiply => BinaryOp.Mul,
                BinaryOperatorKind.Divide => BinaryOp.Div,
                BinaryOperatorKind.Remainder => BinaryOp.Rem,
                BinaryOperatorKind.LessThan => BinaryOp.Lt,
                BinaryOperatorKind.LessThanOrEqual => BinaryOp.Le,
                BinaryOperatorKind.GreaterThan => BinaryOp.Gt,
                BinaryOperatorKind.GreaterThanOrEqual => BinaryOp.Ge,
                BinaryOperatorKind.Equals => BinaryOp.Eq,
                BinaryOperatorKind.NotEquals => BinaryOp.Ne,
                BinaryOperatorKind.ConditionalAnd => BinaryOp.And,
                BinaryOperatorKind.ConditionalOr => BinaryOp.Or,
                _ => throw Unsupported(syntax, $"The operator '{kind}'", string.Empty),
            };

            private static double ConstantToDouble(object? value, SyntaxNode syntax) => value switch
            {
                double d => d,
                float f => f,
                int i => i,
                bool b => b ? 1 : 0,
                _ => throw Unsupported(syntax, $"The constant '{value}'", string.Empty),
            };
        }
    }
}

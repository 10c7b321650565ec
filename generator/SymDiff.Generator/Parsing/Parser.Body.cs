using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
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
        /// <summary>
        /// Thrown at the first construct outside the supported subset; caught once at the top of
        /// <see cref="BodyParser.ParseBody"/> and turned into a diagnostic at that construct.
        /// </summary>
        private sealed class UnsupportedException : Exception
        {
            public UnsupportedException(SyntaxNode? node, DiagnosticDescriptor descriptor, params string[] arguments)
            {
                Node = node;
                Descriptor = descriptor;
                Arguments = arguments;
            }

            public SyntaxNode? Node { get; }

            public DiagnosticDescriptor Descriptor { get; }

            public string[] Arguments { get; }
        }

        /// <summary>
        /// The "fence": the one definition of the C# subset a differentiable body may use. Reads the body's
        /// operation tree into <see cref="SourceStmt"/>s and reports the first construct outside the subset.
        /// </summary>
        private sealed partial class BodyParser
        {
            private readonly IMethodSymbol _method;
            private readonly SemanticModel _model;
            private readonly Dictionary<string, ParamSpec> _parameters;
            private readonly CancellationToken _ct;
            private readonly Dictionary<ILocalSymbol, string> _locals = new Dictionary<ILocalSymbol, string>(SymbolEqualityComparer.Default);

            /// <summary>
            /// Int locals set once, by their declaration, to a value known when the method starts
            /// (<c>int hidden = x.Length / 2;</c>): a buffer's length may use them. Values are in terms of parameters.
            /// </summary>
            private readonly Dictionary<string, Expr> _knownInts = new Dictionary<string, Expr>(StringComparer.Ordinal);

            /// <summary>Locals written anywhere but by their declaration's initializer.</summary>
            private HashSet<ILocalSymbol> _rewritten = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
            private int _loopDepth;

            public BodyParser(IMethodSymbol method, SemanticModel model, List<ParamSpec> parameters, CancellationToken ct)
            {
                _method = method;
                _model = model;
                _parameters = parameters.ToDictionary(p => p.Name);
                _ct = ct;
                foreach (var p in parameters)
                {
                    UserNames.Add(p.Name);
                }
            }

            public List<LocationInfo> Sites { get; } = new List<LocationInfo>();

            public HashSet<string> UserNames { get; } = new HashSet<string>(StringComparer.Ordinal);

            public List<SourceStmt>? ParseBody(MethodDeclarationSyntax syntax, List<DiagnosticInfo> diagnostics)
            {
                SyntaxNode? bodySyntax = (SyntaxNode?)syntax.Body ?? syntax.ExpressionBody;
                if (bodySyntax is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedConstruct, LocationInfo.From(syntax.Identifier.GetLocation()), "A method without a body", string.Empty));
                    return null;
                }

                // Collect every local's name first, so names SymDiff makes up never clash with the user's.
                foreach (var declarator in bodySyntax.DescendantNodes().OfType<VariableDeclaratorSyntax>())
                {
                    UserNames.Add(declarator.Identifier.ValueText);
                }

                foreach (var loopVariable in bodySyntax.DescendantNodes().OfType<ForEachStatementSyntax>())
                {
                    UserNames.Add(loopVariable.Identifier.ValueText);
                }

                try
                {
                    var operation = _model.GetOperation(syntax, _ct) as IMethodBodyOperation;
                    var block = operation?.BlockBody ?? operation?.ExpressionBody;
                    if (block is null)
                    {
                        throw new UnsupportedException(bodySyntax, DiagnosticDescriptors.UnsupportedConstruct, "This method body", " (it does not compile)");
                    }

                    if (block.Syntax.ContainsDiagnostics || block.Descendants().Any(o => o.Kind == OperationKind.Invalid))
                    {
                        // The compiler reports the errors; differentiating broken code would only add noise.
                        return null;
                    }

                    _rewritten = RewrittenLocals(block);
                    var statements = new List<SourceStmt>();
                    var operations = block is IBlockOperation b ? b.Operations : ImmutableArray.Create<IOperation>(block);
                    int first = 0;
                    while (first < operations.Length && Guard(operations[first]) is { } guard)
                    {
                        Guards.Add(guard);
                        first++;
                    }

                    if (first < operations.Length && GuardedReturn(operations[first]) is { } guarded)
                    {
                        Guards.Add(guarded.Guard);
                        statements.Add(new SourceReturn(ParseExpr(guarded.Value)));
                        first++;
                    }

                    ParseStatements(operations.Skip(first), statements);
                    return statements;
                }
                catch (UnsupportedException e)
                {
                    diagnostics.Add(DiagnosticInfo.Create(e.Descriptor, LocationInfo.From(e.Node), e.Arguments));
                    return null;
                }
            }

            /// <summary>The argument checks at the top of the body (API.md 9, guards), run first by every generated method.</summary>
            public List<GuardSpec> Guards { get; } = new List<GuardSpec>();

            /// <summary><c>if (condition) throw exception;</c> (or with braces): a guard, when it is one of the first statements.</summary>
            private GuardSpec? Guard(IOperation operation)
            {
                if (operation is not IConditionalOperation { WhenFalse: null } conditional || conditional.Condition.Syntax is not ExpressionSyntax condition)
                {
                    return null;
                }

                var body = conditional.WhenTrue is IBlockOperation { Operations.Length: 1 } block ? block.Operations[0] : conditional.WhenTrue;
                if (body is IExpressionStatementOperation statement)
                {
                    body = statement.Operation;
                }

                return body is IThrowOperation { Exception: { } exception } ? MakeGuard(condition, negate: false, exception) : null;
            }

            /// <summary>
            /// <c>return condition ? value : throw exception;</c> (or <c>=&gt;</c>, or the throw first), first after the
            /// guards: a guard and the value returned.
            /// </summary>
            private (GuardSpec Guard, IOperation Value)? GuardedReturn(IOperation operation)
            {
                if (operation is not IReturnOperation { ReturnedValue: { } returned } || Unwrap(returned) is not IConditionalOperation { WhenFalse: { } whenFalse } conditional
                    || conditional.Condition.Syntax is not ExpressionSyntax condition)
                {
                    return null;
                }

                if (Unwrap(whenFalse) is IThrowOperation { Exception: { } onFalse })
                {
                    return (MakeGuard(condition, negate: true, onFalse), conditional.WhenTrue);
                }

                if (Unwrap(conditional.WhenTrue) is IThrowOperation { Exception: { } onTrue })
                {
                    return (MakeGuard(condition, negate: false, onTrue), whenFalse);
                }

                return null;
            }

            private GuardSpec MakeGuard(ExpressionSyntax condition, bool negate, IOperation exception)
            {
                string? test = GuardPrinter.Print(condition, _model, out string? problem);
                string? thrown = problem is null && exception.Syntax is ExpressionSyntax e ? GuardPrinter.Print(e, _model, out problem) : null;
                if (test is null || thrown is null)
                {
                    throw Unsupported(condition.Parent, $"An argument check that uses {problem ?? "this expression"}", " (a guard is copied into every generated method, where the file's using directives do not apply; call the method in full)");
                }

                return new GuardSpec(negate ? "!(" + test + ")" : test, thrown);
            }

            private void ParseStatements(IEnumerable<IOperation> operations, List<SourceStmt> into)
            {
                foreach (var operation in operations)
                {
                    ParseStatement(operation, into);
                }
            }

            private EquatableArray<SourceStmt> ParseNested(IOperation? operation)
            {
                var list = new List<SourceStmt>();
                if (operation is not null)
                {
                    ParseStatement(operation, list);
                }

                return list.ToEquatableArray();
            }

            /// <summary>The user's statements that parsed statements come from (<see cref="SourceStmt.Origin"/> indexes it).</summary>
            public List<SourceOrigin> Origins { get; } = new List<SourceOrigin>();

            /// <summary>Records <paramref name="syntax"/> as an origin: its line and its text on one line.</summary>
            private int AddOrigin(SyntaxNode syntax)
            {
                int line = syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                Origins.Add(new SourceOrigin(line, OneLine(syntax.ToString())));
                return Origins.Count - 1;
            }

            private static string OneLine(string text)
            {
                var sb = new System.Text.StringBuilder(text.Length);
                bool space = false;
                foreach (char ch in text)
                {
                    if (char.IsWhiteSpace(ch) || char.IsControl(ch))
                    {
                        space = sb.Length > 0;
                        continue;
                    }

                    if (space)
                    {
                        sb.Append(' ');
                        space = false;
                    }

                    sb.Append(ch);
                }

                const int Longest = 120;
                return sb.Length <= Longest ? sb.ToString() : sb.ToString(0, Longest - 3) + "...";
            }

            /// <summary>Gives the statements <paramref name="syntax"/> just added to <paramref name="into"/> (from <paramref name="from"/> on) it as their origin.</summary>
            private void MarkOrigin(List<SourceStmt> into, int from, SyntaxNode syntax)
            {
                int origin = -1;
                for (int k = from; k < into.Count; k++)
                {
                    if (into[k] is (SourceAssign or SourceStore or SourceReturn) and { Origin: -1 })
                    {
                        if (origin < 0)
                        {
                            origin = AddOrigin(syntax);
                        }

                        into[k] = into[k] with { Origin = origin };
                    }
                }
            }

            private void ParseStatement(IOperation operation, List<SourceStmt> into)
            {
                _ct.ThrowIfCancellationRequested();
                Limits.EnsureStack();
                switch (operation)
                {
                    case IBlockOperation block:
                        ParseStatements(block.Operations, into);
                        break;

                    case IEmptyOperation:
                        break;

                    case IVariableDeclarationGroupOperation group:
                        foreach (var declaration in group.Declarations)
                        {
                            foreach (var declarator in declaration.Declarators)
                            {
                                var local = declarator.Symbol;
                                if (local.IsRef)
                                {
                                    throw RefLocal(declarator, local, declarator.Initializer ?? declaration.Initializer);
                                }

                                var initializer = declarator.Initializer ?? declaration.Initializer;
                                if (BufferElementType(local.Type) is { } bufferElement)
                                {
                                    into.Add(DeclareBuffer(declarator, local, bufferElement, initializer) with { Origin = AddOrigin(declarator.Syntax) });
                                    continue;
                                }

                                var type = ScalarOf(local.Type) ?? throw Unsupported(declarator.Syntax, $"A local of type '{local.Type.ToDisplayString()}'", " (locals are double, float, int or bool)");
                                string name = Declare(local);
                                Expr value = initializer is null ? Const.FromSource(0, type) : ParseRetainedOr(initializer.Value, name, local.Name);
                                if (type == ValType.Int && initializer is not null && !_rewritten.Contains(local) && KnownAtStart(value) is { } known)
                                {
                                    _knownInts[name] = known;
                                }

                                into.Add(new SourceAssign(name, type, value) { Origin = AddOrigin(declarator.Syntax) });
                            }
                        }

                        break;

                    case IExpressionStatementOperation statement:
                    {
                        int from = into.Count;
                        ParseExpressionStatement(statement.Operation, into);
                        MarkOrigin(into, from, statement.Operation.Syntax);
                        break;
                    }

                    case IReturnOperation ret when ret.Kind == OperationKind.Return:
                        if (_loopDepth > 0 && ret.ReturnedValue is not null)
                        {
                            // Handled like any other return: lowering turns it into an exit flag.
                        }

                        into.Add(new SourceReturn(ret.ReturnedValue is null ? null : ParseExpr(ret.ReturnedValue)) { Origin = ret.ReturnedValue is null ? -1 : AddOrigin(ret.ReturnedValue.Syntax) });
                        break;

                    case IConditionalOperation conditional:
                        into.Add(new SourceIf(ParseExpr(conditional.Condition), ParseNested(conditional.WhenTrue), ParseNested(conditional.WhenFalse)));
                        break;

                    case IForLoopOperation forLoop:
                        ParseStatements(forLoop.Before, into);
                        into.Add(ParseLoop(forLoop.Condition, forLoop.Body, forLoop.AtLoopBottom, testFirst: true) with { Site = AddSite(LoopKeyword(forLoop.Syntax)) });
                        break;

                    case IWhileLoopOperation whileLoop when !whileLoop.ConditionIsUntil:
                        into.Add(ParseLoop(whileLoop.Condition, whileLoop.Body, Enumerable.Empty<IOperation>(), whileLoop.ConditionIsTop) with { Site = AddSite(LoopKeyword(whileLoop.Syntax)) });
                        break;

                    case IForEachLoopOperation forEach:
                        ParseForEach(forEach, into);
                        break;

                    case IBranchOperation branch when branch.BranchKind == BranchKind.Break && _loopDepth > 0:
                        into.Add(new SourceBreak());
                        break;

                    case IBranchOperation branch when branch.BranchKind == BranchKind.Continue && _loopDepth > 0:
                        into.Add(new SourceContinue());
                        break;

                    default:
                        throw Unsupported(operation.Syntax, Describe(operation), string.Empty);
                }
            }

            /// <summary>
            /// A <c>ref</c> local aliases storage that the generated code copies into SSA values, so it is rejected:
            /// SD1001 when it can write an element of a differentiated parameter, SD1000 otherwise.
            /// </summary>
            private UnsupportedException RefLocal(IVariableDeclaratorOperation declarator, ILocalSymbol local, IVariableInitializerOperation? initializer)
            {
                var target = Unwrap(initializer?.Value);
                string? array = target is null ? null : ElementOf(target)?.Array;
                if (array is null && target is IParameterReferenceOperation { Parameter: var p } && _parameters.ContainsKey(p.Name))
                {
                    array = p.Name;
                }

                if (array is not null && _parameters[array].Active && local.RefKind != RefKind.RefReadOnly)
                {
                    return new UnsupportedException(declarator.Syntax, DiagnosticDescriptors.LeafMutation, array);
                }

                if (array is not null && _parameters[array].Shape == ParamShape.OutputSpan)
                {
                    return Unsupported(declarator.Syntax, $"A ref local into the output span '{array}'", $"; write '{array}[...]' directly");
                }

                return Unsupported(declarator.Syntax, $"The ref local '{local.Name}'", "; use a plain local (a copy of the value)");
            }

            private SourceLoop ParseLoop(IOperation? condition, IOperation body, IEnumerable<IOperation> increment, bool testFirst)
            {
                Expr cond = condition is null ? Const.True : ParseExpr(condition);
                _loopDepth++;
                var bodyStatements = ParseNested(body);
                var incrementStatements = new List<SourceStmt>();
                ParseStatements(increment, incrementStatements);
                _loopDepth--;
                return new SourceLoop(cond, bodyStatements, incrementStatements.ToEquatableArray(), testFirst);
            }

            private void ParseForEach(IForEachLoopOperation forEach, List<SourceStmt> into)
            {
                var collection = Unwrap(forEach.Collection);
                if (collection is not IParameterReferenceOperation { Parameter: var p } || !_parameters.TryGetValue(p.Name, out var spec) || !spec.IsVector || spec.Shape == ParamShape.OutputSpan)
                {
                    throw Unsupported(forEach.Collection.Syntax, "'foreach' over this collection", " (foreach works over array and ReadOnlySpan parameters)");
                }

                if (forEach.LoopControlVariable is not IVariableDeclaratorOperation { Symbol: var element })
                {
                    throw Unsupported(forEach.LoopControlVariable.Syntax, "This foreach variable", string.Empty);
                }

                string elementName = Declare(element);
                string index = FreshUserName(elementName + "Index");
                var indexVar = new Var(index, ValType.Int);
                into.Add(new SourceAssign(index, ValType.Int, Const.Of(0, ValType.Int)));
                _loopDepth++;
                var body = new List<SourceStmt> { new SourceAssign(elementName, spec.ElementType, new Elem(spec.Name, indexVar, spec.ElementType)) };
                ParseStatement(forEach.Body, body);
                _loopDepth--;
                var increment = EquatableArray.Create<SourceStmt>(new SourceAssign(index, ValType.Int, new Binary(BinaryOp.Add, indexVar, Const.Of(1, ValType.Int), ValType.Int)));
                into.Add(new SourceLoop(new Binary(BinaryOp.Lt, indexVar, new Len(spec.Name), ValType.Bool), body.ToEquatableArray(), increment, TestFirst: true, AddSite(LoopKeyword(forEach.Syntax))));
            }

            private void ParseExpressionStatement(IOperation operation, List<SourceStmt> into)
            {
                switch (operation)
                {
                    case ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment when IsRetain(assignment.Value) && _locals.ContainsKey(local.Local):
                    {
                        string name = _locals[local.Local];
                        into.Add(new SourceAssign(name, ParseExpr(local).Type, ParseRetainedOr(assignment.Value, name, local.Local.Name)));
                        break;
                    }

                    case ISimpleAssignmentOperation assignment:
                        AssignTo(assignment.Target, assignment.Syntax, target => ParseExpr(assignment.Value), into, readsTarget: false);
                        break;

                    case ICompoundAssignmentOperation compound:
                        if (compound.OperatorMethod is not null)
                        {
                            throw Unsupported(compound.Syntax, "A user-defined operator", string.Empty);
                        }

                        AssignTo(compound.Target, compound.Syntax, target => Arithmetic(MapBinary(compound.OperatorKind, compound.Syntax), target, ParseExpr(compound.Value)), into);
                        break;

                    case IIncrementOrDecrementOperation increment:
                        var op = increment.Kind == OperationKind.Increment ? BinaryOp.Add : BinaryOp.Sub;
                        AssignTo(increment.Target, increment.Syntax, target => new Binary(op, target, Const.Of(1, target.Type), target.Type), into);
                        break;

                    default:
                        throw Unsupported(operation.Syntax, Describe(operation), " as a statement");
                }
            }

            /// <summary>Assigns to a local, an inactive scalar parameter, or an element of the output span.</summary>
            private void AssignTo(IOperation target, SyntaxNode syntax, Func<Expr, Expr> value, List<SourceStmt> into, bool readsTarget = true)
            {
                switch (target)
                {
                    case ILocalReferenceOperation local:
                    {
                        var current = ParseExpr(local);
                        into.Add(new SourceAssign(_locals[local.Local], current.Type, ConvertTo(value(current), current.Type)));
                        return;
                    }

                    case IParameterReferenceOperation parameter when _parameters.TryGetValue(parameter.Parameter.Name, out var p):
                        if (p.Active)
                        {
                            throw new UnsupportedException(syntax, DiagnosticDescriptors.LeafMutation, p.Name);
                        }

                        if (p.Shape == ParamShape.Scalar)
                        {
                            var current = ParseExpr(parameter);
                            into.Add(new SourceAssign(p.Name, p.ElementType, ConvertTo(value(current), p.ElementType)));
                            return;
                        }

                        break;

                    default:
                        if (BufferElementOf(target) is { } written)
                        {
                            var index = ParseIndex(written.Index);
                            var current = new Elem(written.Buffer.Name, index, written.Buffer.Element);
                            into.Add(new SourceStore(written.Buffer.Name, index, ConvertTo(value(current), written.Buffer.Element)));
                            return;
                        }

                        if (ElementOf(target) is { } element)
                        {
                            var array = _parameters[element.Array];
                            if (array.Active)
                            {
                                throw new UnsupportedException(syntax, DiagnosticDescriptors.LeafMutation, array.Name);
                            }

                            if (array.Shape == ParamShape.OutputSpan)
                            {
                                var index = ParseExpr(element.Index);
                                if (readsTarget && !OutputMayHaveBeenWritten(index))
                                {
                                    throw new UnsupportedException(syntax, DiagnosticDescriptors.OutputReadBeforeWrite, array.Name, element.Index.Syntax.ToString());
                                }

                                var current = new Elem(array.Name, index, array.ElementType);
                                var stored = ConvertTo(value(current), array.ElementType);
                                RecordOutputWrite(index);
                                into.Add(new SourceStore(array.Name, index, stored));
                                return;
                            }

                            throw Unsupported(syntax, $"Writing to an element of '{array.Name}'", " (only the output Span of a vector function is written; copy input data into a local)");
                        }

                        break;
                }

                if (ConstantElementOf(target) is { } data)
                {
                    throw Unsupported(syntax, $"Writing to an element of '{data.Code.Replace("global::", string.Empty)}'", " (fields and properties are constant data in a [Differentiable] method; copy into a local buffer or pass the data as a [NoGrad] parameter)");
                }

                throw Unsupported(syntax, $"Assigning to '{target.Syntax}'", " (assign to locals, or to elements of the output Span)");
            }

            /// <summary>Reads an expression into the IR.</summary>
            private Expr ParseExpr(IOperation operation)
            {
                _ct.ThrowIfCancellationRequested();
                Limits.EnsureStack();
                var type = operation.Type;
                if (operation.ConstantValue.HasValue && ScalarOf(type) is { } constType)
                {
                    return Const.FromSource(ConstantToDouble(operation.ConstantValue.Value, operation.Syntax), constType);
                }

                switch (operation)
                {
                    case IParenthesizedOperation parenthesized:
                        return ParseExpr(parenthesized.Operand);

                    case IParameterReferenceOperation parameter when !SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, _method):
                        // A primary constructor parameter: in scope in every part of the type, a constant here.
                        return new Opaque(Identifiers.Escape(parameter.Parameter.Name), RequireScalar(operation));

                    case IParameterReferenceOperation parameter:
                    {
                        var p = _parameters[parameter.Parameter.Name];
                        if (p.Shape == ParamShape.Scalar)
                        {
                            return new Var(p.Name, p.ElementType);
                        }

                        if (p.Shape == ParamShape.Other)
                        {
                            return new Opaque(p.Name, ValType.Object);
                        }

                        throw Unsupported(operation.Syntax, $"Using the array or span '{p.Name}' as a value", " (index it, take its Length, or loop over it)");
                    }

                    case ILocalReferenceOperation bufferLocal when _buffers.ContainsKey(bufferLocal.Local):
                        throw Unsupported(operation.Syntax, $"Using the local buffer '{bufferLocal.Local.Name}' as a value", " (index it or take its Length; passing a local buffer to another method is not supported yet)");

                    case ILocalReferenceOperation local:
                    {
                        var t = ScalarOf(local.Local.Type) ?? throw Unsupported(operation.Syntax, $"A local of type '{local.Local.Type.ToDisplayString()}'", string.Empty);
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

                    case IInvocationOperation invocation:
                        return ParseInvocation(invocation);

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

                        if (p.Shape == ParamShape.OutputSpan && !OutputMayHaveBeenWritten(index))
                        {
                            throw new UnsupportedException(operation.Syntax, DiagnosticDescriptors.OutputReadBeforeWrite, p.Name, element.Index.Syntax.ToString());
                        }

                        return new Elem(p.Name, index, p.ElementType);
                    }

                    case IPropertyReferenceOperation { Property.Name: "Length" } length when Unwrap(length.Instance) is IParameterReferenceOperation lp && _parameters.TryGetValue(lp.Parameter.Name, out var lspec) && lspec.IsVector:
                        return new Len(lspec.Name);

                    case IFieldReferenceOperation:
                    case IPropertyReferenceOperation:
                        return new Opaque(MemberCode((IMemberReferenceOperation)operation), RequireScalar(operation));

                    case IInstanceReferenceOperation:
                        return new Opaque("this", ValType.Object);

                    case IDefaultValueOperation:
                        return Const.FromSource(0, RequireScalar(operation));

                    default:
                        throw Unsupported(operation.Syntax, Describe(operation), string.Empty);
                }
            }

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

                if ((containing == "System.Math" || containing == "System.MathF" || containing == "double" || containing == "float")
                    && MathFunctions.IsMathName(target.Name))
                {
                    // One row per arity: Log(x) and Log(x, b) are two functions.
                    var row = MathFunctions.Named(target.Name).FirstOrDefault(f => f.Arity == args.Count)
                        ?? throw Unsupported(invocation.Syntax, $"'{containing}.{target.Name}' with {args.Count} arguments", string.Empty);
                    if (containing == "double" || containing == "float")
                    {
                        row = MathFunctions.NumberMethod(row);
                    }

                    return new Call(row.Function, args.ToEquatableArray(), resultType);
                }

                if (containing == KnownNames.Grad && target.Name == "Detach")
                {
                    return new Call(KnownFunction.Detach, args.ToEquatableArray(), resultType);
                }

                if (containing == KnownNames.Grad && target.Name == "Retain")
                {
                    // Reached only where Retain is not the whole value of a local (ParseRetainedOr takes those).
                    throw new UnsupportedException(invocation.Syntax, DiagnosticDescriptors.RetainNotLocal, invocation.Syntax.ToString(), "is not the whole value of a local");
                }

                if (target.IsGenericMethod)
                {
                    throw Unsupported(invocation.Syntax, $"Calling the generic method '{target.Name}'", string.Empty);
                }

                int site = AddSite(invocation.Syntax);
                bool differentiable = target.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownNames.DifferentiableAttribute);
                string qualifier = target.IsStatic ? target.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : string.Empty;
                Expr? receiver = null;
                if (!target.IsStatic && invocation.Instance is not null && invocation.Instance is not IInstanceReferenceOperation)
                {
                    // A sub-model held in a field or property (`Shared.H(x)`, `this.layer.H(x)`) is read like any member: a constant.
                    receiver = Unwrap(invocation.Instance) is IMemberReferenceOperation { Type.IsReferenceType: true } member && member is IFieldReferenceOperation or IPropertyReferenceOperation
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
                };
                return new UserCall(callee, receiver, args.ToEquatableArray(), resultType);
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

                    args.Add(ParseExpr(argument.Value));
                }

                return args;
            }

            /// <summary>
            /// A local buffer passed whole to a <c>ReadOnlySpan&lt;T&gt;</c> parameter of a <c>[Differentiable]</c> method: read
            /// like a span parameter (lowering checks that every store into it comes first). Anything else is SD1000.
            /// </summary>
            private Expr BufferArgument(IInvocationOperation invocation, IArgumentOperation argument, ILocalSymbol local, string name, ValType element)
            {
                bool differentiable = invocation.TargetMethod.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownNames.DifferentiableAttribute);
                bool readOnlySpan = argument.Parameter?.Type is INamedTypeSymbol { Name: "ReadOnlySpan", Arity: 1 } span
                    && span.ContainingNamespace?.ToDisplayString() == "System" && ScalarOf(span.TypeArguments[0]) == element;
                if (!differentiable || !readOnlySpan)
                {
                    throw Unsupported(argument.Value.Syntax, $"Using the local buffer '{local.Name}' as a value", " (a local buffer may be passed to a ReadOnlySpan parameter of a [Differentiable] method; otherwise index it or take its Length)");
                }

                return new SpanRef(name, element);
            }

            // Which elements of the output span may have been written so far, in source order. Conservative the safe
            // way: a write in any branch counts, and a write at a computed index may have written anything.
            private readonly HashSet<double> _outputWrites = new HashSet<double>();
            private bool _outputWrittenAnywhere;

            private void RecordOutputWrite(Expr index)
            {
                if (index is Const c)
                {
                    _outputWrites.Add(c.Value);
                }
                else
                {
                    _outputWrittenAnywhere = true;
                }
            }

            private bool OutputMayHaveBeenWritten(Expr index) =>
                _outputWrittenAnywhere || (index is Const c ? _outputWrites.Contains(c.Value) : _outputWrites.Count > 0);

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
                    INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", Arity: 1 } span when span.ContainingNamespace?.ToDisplayString() == "System" => span.TypeArguments[0],
                    _ => null,
                };
                return element is not null && ScalarOf(element) is { } type && type != ValType.Bool ? (MemberCode(member), type) : null;
            }

            /// <summary>The local buffers declared so far (<c>stackalloc</c>, <c>new T[n]</c>): IR name, element type, length.</summary>
            private readonly Dictionary<ILocalSymbol, (string Name, ValType Element, Expr Length)> _buffers = new Dictionary<ILocalSymbol, (string Name, ValType Element, Expr Length)>(SymbolEqualityComparer.Default);

            /// <summary>The element type of a local buffer's type: <c>Span&lt;double&gt;</c>, <c>Span&lt;float&gt;</c>, <c>double[]</c>, <c>float[]</c>; null otherwise.</summary>
            private static ValType? BufferElementType(ITypeSymbol type)
            {
                ITypeSymbol? element = type switch
                {
                    IArrayTypeSymbol { Rank: 1 } array => array.ElementType,
                    INamedTypeSymbol { Name: "Span", Arity: 1 } span when span.ContainingNamespace?.ToDisplayString() == "System" => span.TypeArguments[0],
                    _ => null,
                };
                return element is not null && ScalarOf(element) is { } t && t.IsFloating() ? t : null;
            }

            /// <summary>
            /// A local buffer: <c>Span&lt;T&gt; h = stackalloc T[n]</c> or <c>T[] h = new T[n]</c> (also into a span), with a
            /// length known at the top of the method (constants, lengths of parameters, int parameters).
            /// </summary>
            private SourceBuffer DeclareBuffer(IVariableDeclaratorOperation declarator, ILocalSymbol local, ValType element, IVariableInitializerOperation? initializer)
            {
                const string hint = " (a local buffer is 'Span<double> h = stackalloc double[n];' or 'double[] h = new double[n];')";
                IOperation? size = null;
                var value = Unwrap(initializer?.Value);
                if (value is IArrayCreationOperation { DimensionSizes.Length: 1, Initializer: null } creation)
                {
                    size = creation.DimensionSizes[0];
                }
                else if (initializer?.Value.Syntax is StackAllocArrayCreationExpressionSyntax { Initializer: null, Type: ArrayTypeSyntax { RankSpecifiers.Count: 1 } arrayType } && arrayType.RankSpecifiers[0].Sizes.Count == 1)
                {
                    size = _model.GetOperation(arrayType.RankSpecifiers[0].Sizes[0], _ct);
                }

                if (size is null)
                {
                    throw Unsupported(declarator.Syntax, $"The local '{local.Name}' of type '{local.Type.ToDisplayString()}' with this initializer", hint);
                }

                var length = KnownAtStart(ParseIndex(size))
                    ?? throw Unsupported(size.Syntax, $"The length '{size.Syntax}' of the local buffer '{local.Name}'", " (a buffer's length is made of constants, lengths of parameters, int parameters and int locals set once from those, so it is known when the method starts)");

                string name = Declare(local);
                _buffers[local] = (name, element, length);
                return new SourceBuffer(name, element, length);
            }

            private static bool ReadsElement(Expr e) => e is Elem or UserCall || Walk.Children(e).Any(ReadsElement);

            /// <summary>
            /// An int expression in terms of what is known when the method starts (constants, lengths of parameters, int
            /// parameters), with the int locals of <see cref="_knownInts"/> replaced by their values; null if it reads anything else.
            /// </summary>
            private Expr? KnownAtStart(Expr e)
            {
                if (ReadsElement(e))
                {
                    return null;
                }

                bool known = true;
                var values = new Dictionary<string, Expr>(StringComparer.Ordinal);
                Walk.Vars(e, name =>
                {
                    if (_knownInts.TryGetValue(name, out var value))
                    {
                        values[name] = value;
                    }
                    else
                    {
                        known &= _parameters.TryGetValue(name, out var p) && p.Shape == ParamShape.Scalar && p.ElementType == ValType.Int;
                    }
                });
                return !known ? null : values.Count == 0 ? e : Walk.Substitute(e, values);
            }

            /// <summary>The locals a body writes other than by their declaration: assignments, increments, ref and out arguments.</summary>
            private static HashSet<ILocalSymbol> RewrittenLocals(IOperation body)
            {
                var written = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
                foreach (var operation in body.Descendants())
                {
                    IOperation? target = operation switch
                    {
                        IAssignmentOperation assignment => assignment.Target,
                        IIncrementOrDecrementOperation increment => increment.Target,
                        IArgumentOperation { Parameter.RefKind: not RefKind.None and not RefKind.In } argument => argument.Value,
                        _ => null,
                    };
                    foreach (var reference in target is null ? Enumerable.Empty<IOperation>() : target.DescendantsAndSelf())
                    {
                        if (reference is ILocalReferenceOperation local)
                        {
                            written.Add(local.Local);
                        }
                    }
                }

                return written;
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

            private static IOperation? Unwrap(IOperation? operation)
            {
                while (operation is IConversionOperation { OperatorMethod: null } conversion)
                {
                    operation = conversion.Operand;
                }

                return operation;
            }

            private string MemberCode(IMemberReferenceOperation member)
            {
                var symbol = member.Member;
                if (symbol.IsStatic)
                {
                    return symbol.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) + "." + symbol.Name;
                }

                if (member.Instance is null or IInstanceReferenceOperation)
                {
                    return "this." + symbol.Name;
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

            private string Declare(ILocalSymbol local)
            {
                if (_locals.TryGetValue(local, out var existing))
                {
                    return existing;
                }

                // Sibling scopes may reuse a name; the IR needs one name per local.
                string name = _locals.ContainsValue(local.Name) || _parameters.ContainsKey(local.Name) ? FreshUserName(local.Name) : local.Name;
                _locals[local] = name;
                UserNames.Add(name);
                return name;
            }

            private string FreshUserName(string stem)
            {
                string name = stem;
                for (int i = 2; UserNames.Contains(name) || _locals.ContainsValue(name); i++)
                {
                    name = stem + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                UserNames.Add(name);
                return name;
            }

            /// <summary>The locals marked with <c>Grad.Retain</c>, in source order.</summary>
            public List<RetainedLocal> Retained { get; } = new List<RetainedLocal>();

            /// <summary>Whether <paramref name="operation"/> is a call of <c>Grad.Retain</c> (with no conversion around it).</summary>
            private static bool IsRetain(IOperation? operation)
            {
                while (operation is IParenthesizedOperation parenthesized)
                {
                    operation = parenthesized.Operand;
                }

                return operation is IInvocationOperation { TargetMethod: { Name: "Retain" } target } && target.ContainingType.ToDisplayString() == KnownNames.Grad;
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

            private int AddSite(SyntaxNode syntax)
            {
                Sites.Add(LocationInfo.From(syntax)!);
                return Sites.Count - 1;
            }

            private int AddSite(SyntaxToken token)
            {
                Sites.Add(LocationInfo.From(token.GetLocation())!);
                return Sites.Count - 1;
            }

            /// <summary>The keyword of a loop statement (<c>for</c>, <c>while</c>, <c>do</c>, <c>foreach</c>): where diagnostics about the loop go.</summary>
            private static SyntaxToken LoopKeyword(SyntaxNode loop) => loop switch
            {
                ForStatementSyntax f => f.ForKeyword,
                WhileStatementSyntax w => w.WhileKeyword,
                DoStatementSyntax d => d.DoKeyword,
                ForEachStatementSyntax e => e.ForEachKeyword,
                _ => loop.GetFirstToken(),
            };

            private ValType RequireScalar(IOperation operation)
            {
                return ScalarOf(operation.Type) ?? throw Unsupported(operation.Syntax, $"A value of type '{operation.Type?.ToDisplayString() ?? "unknown"}'", " (values are double, float, int or bool)");
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

            private static UnsupportedException Unsupported(SyntaxNode? syntax, string what, string hint) =>
                new UnsupportedException(syntax, DiagnosticDescriptors.UnsupportedConstruct, what, hint);

            /// <summary>A user-facing name for an unsupported operation.</summary>
            private static string Describe(IOperation operation) => operation switch
            {
                IAnonymousFunctionOperation or IDelegateCreationOperation => "A lambda or delegate",
                ILocalFunctionOperation => "A local function",
                ITryOperation => "try/catch/finally",
                IThrowOperation => "A throw other than an argument check at the top of the method",
                ISwitchOperation or ISwitchExpressionOperation => "switch",
                IUsingOperation or IUsingDeclarationOperation => "using",
                ILockOperation => "lock",
                IObjectCreationOperation or IArrayCreationOperation or IAnonymousObjectCreationOperation or ITypeParameterObjectCreationOperation => "Allocation ('new')",
                IBranchOperation { BranchKind: BranchKind.GoTo } => "goto",
                ILabeledOperation => "A label",
                IAwaitOperation => "await",
                IInterpolatedStringOperation or ILiteralOperation => $"The value '{operation.Syntax}'",
                _ => $"'{operation.Syntax}'",
            };
        }
    }
}

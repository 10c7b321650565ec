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

namespace SymDiff.Generator.Parsing
{
    internal static partial class Parser
    {
        private sealed partial class BodyParser
        {
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
                                if (TryDeclareView(declarator, local, initializer))
                                {
                                    continue;
                                }

                                if (BufferElementType(local.Type) is { } bufferElement)
                                {
                                    into.Add(DeclareBuffer(declarator, local, bufferElement, initializer) with { Origin = AddOrigin(declarator.Syntax) });
                                    continue;
                                }

                                var type = ValueOf(local.Type) ?? throw Unsupported(declarator.Syntax, $"A local of type '{local.Type.ToDisplayString()}'", LocalTypeHint(local.Type));
                                string name = Declare(local);
                                var increments = BeginIncrements(declarator);
                                Expr value = initializer is null ? Const.FromSource(0, type) : ParseRetainedOr(initializer.Value, name, local.Name);
                                if (type == ValType.Int && initializer is not null && !_rewritten.Contains(local) && KnownAtStart(value) is { } known)
                                {
                                    _knownInts[name] = known;
                                }

                                into.Add(new SourceAssign(name, type, value) { Origin = AddOrigin(declarator.Syntax) });
                                EndIncrements(increments, into);
                            }
                        }

                        break;

                    case IExpressionStatementOperation statement:
                    {
                        int from = into.Count;
                        var increments = BeginIncrements(statement.Operation);
                        ParseExpressionStatement(statement.Operation, into);
                        EndIncrements(increments, into);
                        MarkOrigin(into, from, statement.Operation.Syntax);
                        break;
                    }

                    case IReturnOperation ret when ret.Kind == OperationKind.Return:
                        // A return inside a loop is handled like any other: lowering turns it into an exit flag.
                        into.Add(new SourceReturn(ret.ReturnedValue is null ? null : ParseExpr(ret.ReturnedValue)) { Origin = ret.ReturnedValue is null ? -1 : AddOrigin(ret.ReturnedValue.Syntax) });
                        break;

                    case IConditionalOperation conditional:
                        into.Add(new SourceIf(ParseExpr(conditional.Condition), ParseNested(conditional.WhenTrue), ParseNested(conditional.WhenFalse)));
                        break;

                    case IForLoopOperation forLoop:
                    {
                        ParseStatements(forLoop.Before, into);
                        string? counter = BoundedCounter(forLoop, out var bound);
                        if (counter is not null)
                        {
                            _boundedCounters[counter] = bound!;
                        }

                        into.Add(ParseLoop(forLoop.Condition, forLoop.Body, forLoop.AtLoopBottom, testFirst: true) with { Site = AddSite(LoopKeyword(forLoop.Syntax)) });
                        if (counter is not null)
                        {
                            _boundedCounters.Remove(counter);
                        }

                        break;
                    }

                    case IWhileLoopOperation whileLoop when !whileLoop.ConditionIsUntil:
                        into.Add(ParseLoop(whileLoop.Condition, whileLoop.Body, Enumerable.Empty<IOperation>(), whileLoop.ConditionIsTop) with { Site = AddSite(LoopKeyword(whileLoop.Syntax)) });
                        break;

                    case IForEachLoopOperation forEach:
                        ParseForEach(forEach, into);
                        break;

                    case ISwitchOperation switchStatement:
                        ParseSwitch(switchStatement, into);
                        break;

                    case IBranchOperation branch when branch.BranchKind == BranchKind.Break && _loopDepth > 0:
                        into.Add(new SourceBreak());
                        break;

                    case IBranchOperation branch when branch.BranchKind == BranchKind.Continue && _loopDepth > 0:
                        into.Add(new SourceContinue());
                        break;

                    default:
                        throw Unsupported(operation.Syntax, Describe(operation), HintFor(operation));
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

                // 'i < n' with 'int n = x.Length;' set once: the bound as a buffer's length is recorded (KnownAtStart), so a loop
                // to n covers a buffer of length x.Length (a user's softmax normalised in place was SD1000).
                var knownLimit = cond is Binary { Op: BinaryOp.Lt, Right: var limit } && Walk.Contains(limit, x => x is Var) ? KnownAtStart(limit) : null;
                return new SourceLoop(cond, bodyStatements, incrementStatements.ToEquatableArray(), testFirst) { KnownLimit = knownLimit };
            }

            private void ParseForEach(IForEachLoopOperation forEach, List<SourceStmt> into)
            {
                // The collection: an input span or array parameter, constant data (a field or property of the type), or a local buffer.
                var collection = Unwrap(forEach.Collection);
                (string Array, ValType Element, Expr Length)? over = collection switch
                {
                    IParameterReferenceOperation { Parameter: var p } when _parameters.TryGetValue(p.Name, out var spec) && spec.IsVector && spec.Shape != ParamShape.OutputSpan
                        => (spec.Name, spec.ElementType, new Len(spec.Name)),
                    IParameterReferenceOperation { Parameter: var t } when _parameters.TryGetValue(t.Name, out var table) && IsIntTable(t.Type)
                        => (table.Name, ValType.Int, new Len(table.Name)), // an index table (was SD1000: a trial user's program)
                    ILocalReferenceOperation { Local: var l } when _buffers.TryGetValue(l, out var buffer) => (buffer.Name, buffer.Element, buffer.Length),
                    ILocalReferenceOperation { Local: var v } when _views.TryGetValue(v, out var view) => (view.Array, view.Element, view.Length),
                    _ when ConstantData(collection) is { } data => (data.Code, data.Type, new Len(data.Code)),
                    _ => null,
                };
                Expr start = Const.Of(0, ValType.Int);
                if (collection is ILocalReferenceOperation { Local: var viewed } && _views.TryGetValue(viewed, out var v0))
                {
                    start = CheckedStart(v0);
                }
                else if (over is null && ViewOf(collection, out var bounds) is { } part)
                {
                    // foreach over a part (v[1..], x.Slice(i * d, d)): C# takes the part once, before the first iteration.
                    var boundReads = new HashSet<ISymbol>(bounds.SelectMany(b => b.DescendantsAndSelf()).Select(o => o switch
                    {
                        ILocalReferenceOperation l => (ISymbol?)l.Local,
                        IParameterReferenceOperation p => p.Parameter,
                        _ => null,
                    }).Where(x => x is not null)!, SymbolEqualityComparer.Default);
                    if (WrittenSymbols(new[] { forEach.Body }).Overlaps(boundReads))
                    {
                        throw Unsupported(forEach.Collection.Syntax, "'foreach' over a part whose bounds the loop body changes", " (take the part into a span local before the loop)");
                    }

                    over = (part.Array, part.Element, part.Length);
                    start = CheckedStart(part);
                }

                if (over is not var (array, elementType, length))
                {
                    throw Unsupported(forEach.Collection.Syntax, "'foreach' over this collection", " (foreach works over array and span parameters of double, float or int, constant data of the type, local buffers, and parts of these)");
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
                // 'foreach (double v in ints)' converts each element, as C# does.
                Expr read = new Elem(array, Plus(start, indexVar), elementType);
                var localType = ScalarOf(element.Type) ?? elementType;
                var body = new List<SourceStmt> { new SourceAssign(elementName, localType, localType == elementType ? read : ConvertTo(read, localType)) };
                ParseStatement(forEach.Body, body);
                _loopDepth--;
                var increment = EquatableArray.Create<SourceStmt>(new SourceAssign(index, ValType.Int, new Binary(BinaryOp.Add, indexVar, Const.Of(1, ValType.Int), ValType.Int)));
                into.Add(new SourceLoop(new Binary(BinaryOp.Lt, indexVar, length, ValType.Bool), body.ToEquatableArray(), increment, TestFirst: true, AddSite(LoopKeyword(forEach.Syntax))));
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

                    case IDeconstructionAssignmentOperation deconstruction:
                        ParseDeconstruction(deconstruction, into);
                        break;

                    case IIncrementOrDecrementOperation increment:
                        var op = increment.Kind == OperationKind.Increment ? BinaryOp.Add : BinaryOp.Sub;
                        AssignTo(increment.Target, increment.Syntax, target => new Binary(op, target, Const.Of(1, target.Type), target.Type), into);
                        break;

                    case IInvocationOperation { TargetMethod.ReturnsVoid: true } call when IsDifferentiable(call.TargetMethod):
                        InlineVectorCall(call, into);
                        break;

                    case IInvocationOperation { TargetMethod.ReturnsVoid: true } call when call.TargetMethod.ContainingType?.ToDisplayString() is "System.Diagnostics.Debug" or "System.Diagnostics.Trace":
                        throw Unsupported(operation.Syntax, Describe(operation), " as a statement (a [Differentiable] method computes a value only: check an argument at the top with 'if (...) throw new ArgumentException(...);', which the generated methods copy, or assert in the caller)");

                    case IInvocationOperation { TargetMethod.ReturnsVoid: true }:
                        throw Unsupported(operation.Syntax, Describe(operation), " as a statement (a call made only for its effect, such as logging or I/O, has nothing to differentiate: make it in the caller)");

                    default:
                        throw Unsupported(operation.Syntax, Describe(operation), " as a statement");
                }
            }

            /// <summary>
            /// The statement whose expressions are being parsed, and the int locals incremented inside them
            /// (<c>s += w * p[k++];</c>, a flat parameter vector walked in order), assigned after the statement; null outside
            /// a declaration or an expression statement (a condition, a loop's test), where an increment stays SD1000.
            /// </summary>
            private (IOperation Statement, List<SourceAssign> After)? _increments;

            private (IOperation Statement, List<SourceAssign> After)? BeginIncrements(IOperation statement)
            {
                var outer = _increments;
                _increments = (statement, new List<SourceAssign>());
                return outer;
            }

            private void EndIncrements((IOperation Statement, List<SourceAssign> After)? outer, List<SourceStmt> into)
            {
                if (_increments is { } done)
                {
                    into.AddRange(done.After);
                }

                _increments = outer;
            }

            /// <summary>
            /// <c>k++</c>, <c>++k</c>, <c>k--</c>, <c>--k</c> on an int local inside an expression: its value before (postfix) or
            /// after (prefix), with the assignment made after the statement. The local may appear only there in the statement,
            /// so that nothing else reads it before or after the increment; null where this does not apply.
            /// </summary>
            private Expr? IncrementInside(IIncrementOrDecrementOperation increment)
            {
                if (_increments is not { } pending || Unwrap(increment.Target) is not ILocalReferenceOperation { Local: var local }
                    || ScalarOf(local.Type) != ValType.Int || !_locals.TryGetValue(local, out var name))
                {
                    return null;
                }

                int uses = pending.Statement.DescendantsAndSelf().Count(o => o is ILocalReferenceOperation r && SymbolEqualityComparer.Default.Equals(r.Local, local));
                if (uses != 1)
                {
                    throw Unsupported(increment.Syntax, $"'{increment.Syntax}' where '{local.Name}' is also used elsewhere in the statement", " (write the increment as a statement of its own)");
                }

                // C# makes the increment only where it evaluates it: not on the side of ?:, &&, || or ?? it skips.
                for (IOperation child = increment, parent = increment.Parent!; parent is not null && child != pending.Statement; child = parent, parent = parent.Parent!)
                {
                    bool conditional = parent switch
                    {
                        IConditionalOperation c => child != c.Condition,
                        IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } b => child == b.RightOperand,
                        ICoalesceOperation c => child != c.Value,
                        ISwitchExpressionArmOperation or IConditionalAccessOperation => true,
                        _ => false,
                    };
                    if (conditional)
                    {
                        throw Unsupported(increment.Syntax, $"'{increment.Syntax}' on a side of '{parent.Syntax}' that may not be evaluated", " (write the increment as a statement of its own)");
                    }
                }

                var before = new Var(name, ValType.Int);
                var after = new Binary(increment.Kind == OperationKind.Increment ? BinaryOp.Add : BinaryOp.Sub, before, Const.Of(1, ValType.Int), ValType.Int);
                pending.After.Add(new SourceAssign(name, ValType.Int, after));
                return increment.IsPostfix ? before : after;
            }

            /// <summary>
            /// A <c>switch</c> statement: an if/else chain over its sections in source order, <c>default</c> last (C# tries the
            /// cases in order and the default only when none matches). A section ends in <c>break</c> (dropped),
            /// <c>return</c> or <c>continue</c>; a <c>break</c> elsewhere in a section, <c>goto case</c> and patterns other
            /// than constants and comparisons are SD1000.
            /// </summary>
            private void ParseSwitch(ISwitchOperation switchStatement, List<SourceStmt> into)
            {
                var value = ParseExpr(switchStatement.Value);
                if (value is not Var and not Const && switchStatement.Cases.Length > 1)
                {
                    string name = FreshUserName("switchValue");
                    into.Add(new SourceAssign(name, value.Type, value));
                    value = new Var(name, value.Type);
                }

                var sections = new List<(Expr? Condition, EquatableArray<SourceStmt> Body)>();
                EquatableArray<SourceStmt>? fallback = null;
                foreach (var section in switchStatement.Cases)
                {
                    Expr? condition = null;
                    bool isDefault = false;
                    foreach (var clause in section.Clauses)
                    {
                        Expr test;
                        switch (clause)
                        {
                            case IDefaultCaseClauseOperation:
                                isDefault = true;
                                continue;
                            case ISingleValueCaseClauseOperation single:
                                test = Compare(BinaryOp.Eq, value, ParseExpr(single.Value));
                                break;
                            case IPatternCaseClauseOperation { Guard: null } pattern when PatternTest(pattern.Pattern, value) is { } matches:
                                test = matches;
                                break;
                            default:
                                throw Unsupported(clause.Syntax, "This case label", " (switch sections take constants, comparisons such as 'case > 0:', 'or', 'and', 'not', and 'default')");
                        }

                        condition = condition is null ? test : new Binary(BinaryOp.Or, condition, test, ValType.Bool);
                    }

                    var statements = section.Body.ToList();
                    if (statements.Count > 0 && statements[statements.Count - 1] is IBranchOperation { BranchKind: BranchKind.Break } last && SymbolEqualityComparer.Default.Equals(last.Target, switchStatement.ExitLabel))
                    {
                        statements.RemoveAt(statements.Count - 1);
                    }

                    foreach (var inner in statements.SelectMany(o => o.DescendantsAndSelf()))
                    {
                        if (inner is IBranchOperation { BranchKind: BranchKind.Break or BranchKind.GoTo } branch && (SymbolEqualityComparer.Default.Equals(branch.Target, switchStatement.ExitLabel) || branch.BranchKind == BranchKind.GoTo))
                        {
                            throw Unsupported(inner.Syntax, "A 'break' or 'goto' before the end of a switch section", " (end each section with one 'break', or use if/else)");
                        }
                    }

                    var body = new List<SourceStmt>();
                    ParseStatements(statements, body);
                    if (isDefault)
                    {
                        fallback = body.ToEquatableArray();
                        if (condition is null)
                        {
                            continue;
                        }
                    }

                    sections.Add((condition, body.ToEquatableArray()));
                }

                var chain = fallback ?? EquatableArray<SourceStmt>.Empty;
                for (int i = sections.Count - 1; i >= 0; i--)
                {
                    chain = EquatableArray.Create<SourceStmt>(new SourceIf(sections[i].Condition!, sections[i].Body, chain));
                }

                into.AddRange(chain);
            }

            private static Expr Compare(BinaryOp op, Expr left, Expr right) => new Binary(op, left, right, ValType.Bool);

            /// <summary>
            /// <c>var (a, b) = (e1, e2);</c>, <c>(double a, double b) = ...</c>, <c>(a, b) = (b, a);</c>: a tuple literal into
            /// locals, elements or inactive parameters. C# evaluates every value before it assigns any, so a value that
            /// reads a target goes through a temporary first (a swap stays a swap).
            /// </summary>
            private void ParseDeconstruction(IDeconstructionAssignmentOperation deconstruction, List<SourceStmt> into)
            {
                var target = deconstruction.Target is IDeclarationExpressionOperation declared ? declared.Expression : deconstruction.Target;
                var value = deconstruction.Value;
                while (value is IConversionOperation conversion)
                {
                    value = conversion.Operand;
                }

                if (target is not ITupleOperation targets || value is not ITupleOperation values || targets.Elements.Length != values.Elements.Length
                    || targets.Elements.Any(t => t is ITupleOperation or IDeclarationExpressionOperation { Expression: ITupleOperation }))
                {
                    throw Unsupported(deconstruction.Syntax, "Deconstructing something other than a tuple literal into single variables", " (write one assignment per value)");
                }

                var assigned = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
                bool elementTarget = false;
                foreach (var t in targets.Elements)
                {
                    var element = t is IDeclarationExpressionOperation { Expression: var inner } ? inner : t;
                    switch (element)
                    {
                        case ILocalReferenceOperation local:
                            assigned.Add(local.Local);
                            break;
                        case IParameterReferenceOperation parameter:
                            assigned.Add(parameter.Parameter);
                            break;
                        case IDiscardOperation:
                            break;
                        default:
                            elementTarget = true;
                            break;
                    }
                }

                bool readsTarget = values.Elements.Any(v => v.DescendantsAndSelf().Any(o =>
                    elementTarget && o is IArrayElementReferenceOperation or IPropertyReferenceOperation
                    || o is ILocalReferenceOperation l && assigned.Contains(l.Local)
                    || o is IParameterReferenceOperation p && assigned.Contains(p.Parameter)));
                var parsed = new List<Expr>();
                for (int i = 0; i < values.Elements.Length; i++)
                {
                    var e = ParseExpr(values.Elements[i]);
                    if (readsTarget && e is not Const)
                    {
                        string temporary = FreshUserName("tuple" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
                        into.Add(new SourceAssign(temporary, e.Type, e));
                        e = new Var(temporary, e.Type);
                    }

                    parsed.Add(e);
                }

                for (int i = 0; i < targets.Elements.Length; i++)
                {
                    var element = targets.Elements[i] is IDeclarationExpressionOperation { Expression: var inner } ? inner : targets.Elements[i];
                    var e = parsed[i];
                    switch (element)
                    {
                        case IDiscardOperation:
                            break;
                        case ILocalReferenceOperation { IsDeclaration: true } local:
                        {
                            var type = ValueOf(local.Local.Type) ?? throw Unsupported(element.Syntax, $"A local of type '{local.Local.Type.ToDisplayString()}'", LocalTypeHint(local.Local.Type));
                            into.Add(new SourceAssign(Declare(local.Local), type, ConvertTo(e, type)) { Origin = AddOrigin(element.Syntax) });
                            break;
                        }

                        default:
                            AssignTo(element, deconstruction.Syntax, _ => e, into, readsTarget: false);
                            break;
                    }
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
                        if (ViewElementOf(target) is { } viewed)
                        {
                            switch (viewed.View.Source)
                            {
                                case ViewSource.Buffer:
                                {
                                    var index = ViewIndex(viewed.View, viewed.Index, viewed.Name);
                                    var current = new Elem(viewed.View.Array, index, viewed.View.Element);
                                    into.Add(new SourceStore(viewed.View.Array, index, ConvertTo(value(current), viewed.View.Element)) { Site = AddSite(syntax) });
                                    return;
                                }

                                case ViewSource.Parameter when _parameters[viewed.View.Array].Active:
                                    throw new UnsupportedException(syntax, DiagnosticDescriptors.LeafMutation, viewed.View.Array);
                                default:
                                    throw Unsupported(syntax, $"Writing through '{viewed.Name}' to '{viewed.View.Display}'", " (only local buffers and the output Span of a vector function are written)");
                            }
                        }

                        if (BufferElementOf(target) is { } written)
                        {
                            var index = ParseIndex(written.Index);
                            var current = new Elem(written.Buffer.Name, index, written.Buffer.Element);
                            into.Add(new SourceStore(written.Buffer.Name, index, ConvertTo(value(current), written.Buffer.Element)) { Site = AddSite(syntax) });
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

            /// <summary>The local buffers declared so far (<c>stackalloc</c>, <c>new T[n]</c>): IR name, element type, length.</summary>
            private readonly Dictionary<ILocalSymbol, (string Name, ValType Element, Expr Length)> _buffers = new Dictionary<ILocalSymbol, (string Name, ValType Element, Expr Length)>(SymbolEqualityComparer.Default);

            /// <summary>The element type of a local buffer's type: <c>Span&lt;double&gt;</c>, <c>Span&lt;float&gt;</c>, <c>double[]</c>, <c>float[]</c>; null otherwise.</summary>
            private ValType? BufferElementType(ITypeSymbol type)
            {
                ITypeSymbol? element = type switch
                {
                    IArrayTypeSymbol { Rank: 1 } array => array.ElementType,
                    INamedTypeSymbol span when _known.IsSpan(span) => span.TypeArguments[0],
                    _ => null,
                };
                return element is not null && ScalarOf(element) is { } t && t.IsFloating() ? t : null;
            }

            /// <summary>Why a local of <paramref name="type"/> is not supported, and what to write instead.</summary>
            private static string LocalTypeHint(ITypeSymbol type)
            {
                const string supported = "locals are double, float, int or bool scalars, span views of parameters, and local buffers: Span<T> h = stackalloc T[n] or T[] h = new T[n], T double or float";
                if (type.IsTupleType)
                {
                    return " (" + supported + "; a tuple is deconstructed into scalars: 'var (a, b) = (x * y, x - y);')";
                }

                if (type.TypeKind is TypeKind.Struct or TypeKind.Class && type.SpecialType == SpecialType.None && type.ContainingNamespace?.ToDisplayString().StartsWith("System", StringComparison.Ordinal) != true)
                {
                    return " (" + supported + $"; an object of your own is not created inside the method: pass the '{type.Name}' as a parameter, or hold it in a field, and call its methods from there)";
                }

                return " (" + supported + ")";
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
                if (value is IConversionOperation { OperatorMethod.ContainingType: { Name: "Span", ContainingNamespace.Name: "System" } } toSpan)
                {
                    value = Unwrap(toSpan.Operand); // 'Span<double> h = new double[n];'
                }

                if (value is IArrayCreationOperation { DimensionSizes.Length: 1, Initializer: null } creation)
                {
                    size = creation.DimensionSizes[0];
                }
                else if (initializer?.Value.Syntax is StackAllocArrayCreationExpressionSyntax { Initializer: null, Type: ArrayTypeSyntax { RankSpecifiers.Count: 1 } arrayType } && arrayType.RankSpecifiers[0].Sizes.Count == 1)
                {
                    size = OperationOf(arrayType.RankSpecifiers[0].Sizes[0]);
                }

                if (size is null)
                {
                    // 'double[] c = w;' names an array the method already has: a view, not a new buffer.
                    string also = value is IParameterReferenceOperation or IFieldReferenceOperation or ILocalReferenceOperation
                        ? $"; to read '{initializer!.Value.Syntax}' under another name, declare a view: 'ReadOnlySpan<{local.Type switch { IArrayTypeSymbol a => a.ElementType.ToDisplayString(), INamedTypeSymbol { TypeArguments.Length: 1 } n => n.TypeArguments[0].ToDisplayString(), _ => "double" }}> {local.Name} = {initializer.Value.Syntax};'"
                        : string.Empty;
                    throw Unsupported(declarator.Syntax, $"The local '{local.Name}' of type '{local.Type.ToDisplayString()}' with this initializer", hint.Insert(hint.Length - 1, also));
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
                        // An int parameter the body assigns is not known at the start (a buffer's length read from it
                        // once followed the later value: 'stackalloc double[n]; n = 1;', a silently short buffer).
                        known &= _parameters.TryGetValue(name, out var p) && p.Shape == ParamShape.Scalar && p.ElementType == ValType.Int && !_rewrittenParameters.Contains(name);
                    }
                });
                return !known ? null : values.Count == 0 ? e : Walk.Substitute(e, values);
            }

            /// <summary>The parameters a body assigns: assignments, increments, ref and out arguments.</summary>
            private static HashSet<string> RewrittenParameters(IOperation body) =>
                new HashSet<string>(WrittenReferences(body).OfType<IParameterReferenceOperation>().Select(p => p.Parameter.Name), StringComparer.Ordinal);

            /// <summary>The locals a body writes other than by their declaration: assignments, increments, ref and out arguments.</summary>
            private static HashSet<ILocalSymbol> RewrittenLocals(IOperation body) =>
                new HashSet<ILocalSymbol>(WrittenReferences(body).OfType<ILocalReferenceOperation>().Select(l => l.Local), SymbolEqualityComparer.Default);

            /// <summary>
            /// The targets the body writes (a tuple's elements too): assignments, increments, ref and out arguments. Not the
            /// operations inside an element target: 'k[i * n + j] = v' writes k, not n (n was taken for rewritten, and a
            /// buffer of length n * n was SD1000: a trial user's Gram matrix).
            /// </summary>
            private static IEnumerable<IOperation> WrittenReferences(IOperation body) =>
                body.Descendants().SelectMany(operation => operation switch
                {
                    IAssignmentOperation assignment => LeafWrites.Targets(assignment.Target),
                    IIncrementOrDecrementOperation increment => LeafWrites.Targets(increment.Target),
                    IArgumentOperation { Parameter.RefKind: not RefKind.None and not RefKind.In } argument => LeafWrites.Targets(argument.Value),
                    _ => Enumerable.Empty<IOperation>(),
                });

            /// <summary>The keyword of a loop statement (<c>for</c>, <c>while</c>, <c>do</c>, <c>foreach</c>): where diagnostics about the loop go.</summary>
            private static SyntaxToken LoopKeyword(SyntaxNode loop) => loop switch
            {
                ForStatementSyntax f => f.ForKeyword,
                WhileStatementSyntax w => w.WhileKeyword,
                DoStatementSyntax d => d.DoKeyword,
                ForEachStatementSyntax e => e.ForEachKeyword,
                _ => loop.GetFirstToken(),
            };
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Parsing
{
    internal static partial class Parser
    {
        /// <summary>What a span local views: an array or span parameter, a local buffer, or constant data of the type.</summary>
        private enum ViewSource
        {
            Parameter,
            Buffer,
            Data,
        }

        /// <summary>
        /// A span local that names a part of another span (<c>ReadOnlySpan&lt;double&gt; row = x.Slice(i * d, d);</c>): element
        /// <c>k</c> of the view is element <c>Start + k</c> of <see cref="Array"/> (an IR array name), its length is <see cref="Length"/>.
        /// <see cref="ToEnd"/>: the view runs to the end of a parameter or of constant data, whose own bounds check then
        /// catches every index past the view's end.
        /// </summary>
        private sealed record ViewLocal(string Array, ValType Element, Expr Start, Expr Length, ViewSource Source, string Display, bool ToEnd)
        {
            /// <summary>Constant data held in an array (a field), not a span (a property): a part of it is <c>AsSpan(...)</c>.</summary>
            public bool DataArray { get; init; }

            /// <summary>
            /// The views this one was cut from whose end is not the source's (<c>sub = row.Slice(2, 3)</c> of a row of
            /// <c>x</c>, or a part of a local buffer, whose storage may be longer): element <c>k</c> of this view is element
            /// <c>Offset + k</c> of a view of <c>Length</c> elements, which must hold it, as <c>Slice</c> requires of the user's.
            /// Empty where the source's own bounds check is the view's.
            /// </summary>
            public EquatableArray<Enclosing> Outer { get; init; } = EquatableArray<Enclosing>.Empty;
        }

        /// <summary>
        /// A view a view was cut from: element <c>k</c> of the inner view is its element <c>Offset + k</c>. <see cref="Exact"/>:
        /// a whole local buffer, whose span in the generated code is as long as the user's, so that a <c>Slice</c> of it
        /// checks itself (its elements are checked all the same: a recurrent state's are read from a longer history).
        /// </summary>
        private sealed record Enclosing(Expr Offset, Expr Length, bool Exact);

        private sealed partial class BodyParser
        {
            /// <summary>The span locals that view a part of a parameter, a local buffer or constant data.</summary>
            private readonly Dictionary<ILocalSymbol, ViewLocal> _views = new Dictionary<ILocalSymbol, ViewLocal>(SymbolEqualityComparer.Default);

            /// <summary>
            /// The counters of the enclosing <c>for</c> loops that run from a constant at least 0 up to (not including) a
            /// bound, with neither written in the body: an index by such a counter into a view whose length is the bound
            /// is inside the view.
            /// </summary>
            private readonly Dictionary<string, Expr> _boundedCounters = new Dictionary<string, Expr>(System.StringComparer.Ordinal);

            private const string ViewHint = " (a span local views a part of a span or array parameter, a local buffer or constant data: 'ReadOnlySpan<double> row = x.Slice(i * d, d);')";

            /// <summary>
            /// <c>ReadOnlySpan&lt;T&gt; v = source.Slice(a, b)</c> (also <c>Slice(a)</c>, <c>AsSpan(...)</c>, <c>source[a..b]</c> or
            /// the whole source): true when the declaration is a view, recorded in <see cref="_views"/>. The start and length
            /// are read where the view is declared, so nothing they mention may be written afterwards in the view's block.
            /// </summary>
            private bool TryDeclareView(IVariableDeclaratorOperation declarator, ILocalSymbol local, IVariableInitializerOperation? initializer)
            {
                if (local.Type is not INamedTypeSymbol spanType || !(_known.IsSpan(spanType) || _known.IsReadOnlySpan(spanType)) || initializer is null)
                {
                    return false;
                }

                var value = UnwrapSpan(initializer.Value);
                if (value is IArrayCreationOperation || initializer.Value.Syntax is StackAllocArrayCreationExpressionSyntax)
                {
                    return false;
                }

                var view = ViewOf(value, out var bounds)
                    ?? throw Unsupported(declarator.Syntax, $"The span local '{local.Name}' with this initializer", ViewHint);
                if (ScalarOf(spanType.TypeArguments[0]) != view.Element)
                {
                    throw Unsupported(declarator.Syntax, $"The span local '{local.Name}' of another element type than its source", string.Empty);
                }

                // The start and the length are evaluated here: what they read must not change while the view is in scope.
                var written = WrittenSymbols(LaterInBlock(declarator, local));
                foreach (var bound in bounds.SelectMany(b => b.DescendantsAndSelf()))
                {
                    ISymbol? read = bound switch
                    {
                        ILocalReferenceOperation l => l.Local,
                        IParameterReferenceOperation p => p.Parameter,
                        _ => null,
                    };
                    if (read is not null && written.Contains(read))
                    {
                        throw Unsupported(declarator.Syntax, $"The span local '{local.Name}', whose start or length reads '{read.Name}', which is assigned later while '{local.Name}' is still used", " (declare the span after the last assignment, or index the source directly)");
                    }
                }

                _views[local] = view with { Display = local.Name };
                return true;
            }

            /// <summary>The locals and parameters <paramref name="operations"/> (and what they contain) assign, increment or pass by reference.</summary>
            private static HashSet<ISymbol> WrittenSymbols(IEnumerable<IOperation> operations)
            {
                var written = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
                foreach (var operation in operations.SelectMany(o => o.DescendantsAndSelf()))
                {
                    IOperation? target = operation switch
                    {
                        IAssignmentOperation assignment => assignment.Target,
                        IIncrementOrDecrementOperation increment => increment.Target,
                        IArgumentOperation { Parameter.RefKind: not RefKind.None and not RefKind.In } argument => argument.Value,
                        _ => null,
                    };
                    switch (target is null ? null : Unwrap(target))
                    {
                        case ILocalReferenceOperation l:
                            written.Add(l.Local);
                            break;
                        case IParameterReferenceOperation p:
                            written.Add(p.Parameter);
                            break;
                    }
                }

                return written;
            }

            /// <summary>The statements after <paramref name="declarator"/>'s in its block, up to the last one that uses <paramref name="local"/> (nothing if it has no block).</summary>
            private static IEnumerable<IOperation> LaterInBlock(IOperation declarator, ILocalSymbol local)
            {
                IOperation statement = declarator;
                while (statement.Parent is { } parent && parent is not IBlockOperation)
                {
                    statement = parent;
                }

                if (statement.Parent is not IBlockOperation block)
                {
                    return Enumerable.Empty<IOperation>();
                }

                // Up to the last statement that uses the view: a write after it (a while loop's t++) cannot change what it read.
                var later = block.Operations.SkipWhile(o => o != statement).Skip(1).ToList();
                int last = later.FindLastIndex(o => o.DescendantsAndSelf().Any(d => d is ILocalReferenceOperation r && SymbolEqualityComparer.Default.Equals(r.Local, local)));
                return later.Take(last + 1);
            }

            /// <summary>Unwraps conversions, including the implicit ones between arrays, spans and read-only spans.</summary>
            private IOperation? UnwrapSpan(IOperation? operation)
            {
                while (operation is IConversionOperation conversion
                    && (conversion.OperatorMethod is null || (conversion.Type is INamedTypeSymbol to && (_known.IsSpan(to) || _known.IsReadOnlySpan(to)))))
                {
                    operation = conversion.Operand;
                }

                return operation;
            }

            /// <summary>
            /// The view that <paramref name="value"/> denotes (a whole source, <c>Slice</c>, <c>AsSpan</c>, a range), with the
            /// operations of its bounds; null when it is none.
            /// </summary>
            private ViewLocal? ViewOf(IOperation? value, out List<IOperation> bounds)
            {
                bounds = new List<IOperation>();
                value = UnwrapSpan(value);
                if (WholeView(value) is { } whole)
                {
                    return whole;
                }

                IOperation? source;
                IOperation? start = null;
                IOperation? length = null;
                IOperation? end = null;
                switch (value)
                {
                    case IInvocationOperation { TargetMethod: { Name: "Slice" or "AsSpan" } method } slice when IsSpanSlicing(method):
                    {
                        // By parameter, not by position: named arguments may come in any order (Slice(length: 2, start: 1)).
                        var ordered = slice.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? int.MaxValue).ToList();
                        bool extension = method.IsExtensionMethod || (method.IsStatic && slice.Instance is null);
                        source = extension ? ordered.FirstOrDefault()?.Value : slice.Instance;
                        var args = ordered.Skip(extension ? 1 : 0).ToList();
                        if (args.Count > 2 || args.Any(a => a.Value.Type?.SpecialType != SpecialType.System_Int32 || a.Parameter?.Name is not ("start" or "length")))
                        {
                            return null;
                        }

                        start = args.FirstOrDefault(a => a.Parameter!.Name == "start")?.Value;
                        length = args.FirstOrDefault(a => a.Parameter!.Name == "length")?.Value;
                        break;
                    }

                    case { Syntax: ElementAccessExpressionSyntax { ArgumentList.Arguments: { Count: 1 } arguments } access } when SyntaxShapes.Unparenthesized(arguments[0].Expression) is RangeExpressionSyntax range:
                    {
                        if (IsHat(range.LeftOperand) || IsHat(range.RightOperand))
                        {
                            return null;
                        }

                        source = OperationOf(access.Expression);
                        if (source?.Type is IArrayTypeSymbol && UnwrapSpan(source) is ILocalReferenceOperation)
                        {
                            // A range of a local array is a copy, not a view.
                            return null;
                        }

                        start = range.LeftOperand is null ? null : OperationOf(range.LeftOperand);
                        end = range.RightOperand is null ? null : OperationOf(range.RightOperand);
                        if ((range.LeftOperand is not null && start is null) || (range.RightOperand is not null && end is null))
                        {
                            // A bound SymDiff cannot read is never "no bound" (F83: that was the whole rest of the span).
                            throw Unsupported(range, $"The range '{range}'", " (write its bounds as int expressions: p[a..(a + n)])");
                        }

                        break;
                    }

                    default:
                        return null;
                }

                if (WholeView(UnwrapSpan(source)) is not { } of)
                {
                    return null;
                }

                var zero = Const.Of(0, ValType.Int);
                Expr startExpr = start is null ? zero : ParseIndex(start);
                Expr lengthExpr = length is not null ? ParseIndex(length)
                    : end is not null ? Minus(ParseIndex(end), startExpr)
                    : Minus(of.Length, startExpr);
                bounds.AddRange(new[] { start, length, end }.Where(o => o is not null)!);
                bool toEndOfSource = length is null && end is null;
                // The enclosing views hold this one where they held its source (shifted by its start), and a source whose end
                // is not checked by the array itself (a view, a local buffer) must hold it too, as its Slice would require.
                var outer = of.Outer.Select(o => o with { Offset = Plus(o.Offset, startExpr) }).ToList();
                if (!of.ToEnd && !Holds(of.Length, startExpr, lengthExpr, toEndOfSource, value!))
                {
                    outer.Add(new Enclosing(startExpr, of.Length, Exact: of.Source == ViewSource.Buffer && of.Start is Const { Value: 0 } && of.Outer.Count == 0 && _buffers.Values.Any(b => b.Name == of.Array && b.Length.Equals(of.Length))));
                }

                return of with { Start = Plus(of.Start, startExpr), Length = lengthExpr, ToEnd = of.ToEnd && toEndOfSource, Outer = outer.ToEquatableArray() };
            }

            /// <summary>
            /// Whether a part of <paramref name="length"/> elements from <paramref name="start"/> is certainly inside a view of
            /// <paramref name="total"/> elements: a constant part of a view of constant length (a constant part outside it is
            /// SD1000: the user's <c>Slice</c> always throws there), the rest of it from a constant start, or all of it.
            /// </summary>
            private bool Holds(Expr total, Expr start, Expr length, bool toEnd, IOperation slice)
            {
                if (start is Const { Value: var s } && length is Const { Value: var n } && total is Const { Value: var t })
                {
                    if (s < 0 || n < 0 || s + n > t)
                    {
                        throw Unsupported(slice.Syntax, $"The part '{slice.Syntax}', which always throws (it does not lie inside the {t.ToString(System.Globalization.CultureInfo.InvariantCulture)} elements of its source),", string.Empty);
                    }

                    return true;
                }

                return (toEnd && start is Const { Value: >= 0 }) || (start is Const { Value: 0 } && length.Equals(total));
            }

            /// <summary>
            /// The start of a view passed on as a whole (to a call, or as a layer's span parameter): its start where every
            /// enclosing view holds it, else <c>inside ? start : int.MinValue</c>, so that a part outside an enclosing view
            /// fails (in <c>Slice</c>, or at every element read) as the user's <c>Slice</c> does, instead of reaching a neighbour.
            /// </summary>
            private static Expr CheckedStart(ViewLocal view)
            {
                if (view.Outer.All(o => o.Exact))
                {
                    return view.Start;
                }

                var inside = view.Outer.Where(o => !o.Exact).Select(o => CheckedIndex.Extent(o.Offset, view.Length, o.Length)).Aggregate((a, b) => new Binary(BinaryOp.And, a, b, ValType.Bool));
                return CheckedIndex.Of(inside, view.Start);
            }

            /// <summary>
            /// A span local, or a part of one (<c>row.Slice(k)</c>, <c>row[a..b]</c>), or a part of a parameter (<c>x.Slice(i * d, d)</c>,
            /// <c>x.Slice(k)</c>, <c>array.AsSpan(i * d, d)</c>, <c>x[a..b]</c>: a row of a matrix, one layer's part of a flat parameter vector), passed to a
            /// <c>ReadOnlySpan&lt;T&gt;</c> parameter of a <c>[Differentiable]</c> method: the same part of the parameter (or the
            /// whole local buffer) as a span argument; null when <paramref name="value"/> involves no span local or range.
            /// </summary>
            private Expr? ViewArgument(IInvocationOperation invocation, IArgumentOperation argument, IOperation value)
            {
                bool involvesView = value switch
                {
                    ILocalReferenceOperation l => _views.ContainsKey(l.Local),
                    IInvocationOperation { TargetMethod: { Name: "Slice" or "AsSpan" } sliceMethod } s when IsSpanSlicing(sliceMethod) => UnwrapSpan(s.Instance ?? s.Arguments.FirstOrDefault()?.Value) switch
                    {
                        ILocalReferenceOperation sl => _views.ContainsKey(sl.Local) || _buffers.ContainsKey(sl.Local),
                        IParameterReferenceOperation { Parameter: var sp } => _parameters.ContainsKey(sp.Name) && SymbolEqualityComparer.Default.Equals(sp.ContainingSymbol, _method),
                        var other => IsDifferentiable(invocation.TargetMethod) && ConstantData(other) is not null,
                    },
                    IFieldReferenceOperation or IPropertyReferenceOperation => IsDifferentiable(invocation.TargetMethod) && ConstantData(value) is not null,
                    { Syntax: ElementAccessExpressionSyntax { ArgumentList.Arguments: { Count: 1 } a } } => SyntaxShapes.Unparenthesized(a[0].Expression) is RangeExpressionSyntax,
                    _ => false,
                };
                if (!involvesView)
                {
                    return null;
                }

                var view = ViewOf(value, out _)
                    ?? throw Unsupported(value.Syntax, $"Passing '{value.Syntax}'", ViewHint);
                bool differentiable = IsDifferentiable(invocation.TargetMethod);
                bool readOnlySpan = argument.Parameter?.Type is INamedTypeSymbol span && _known.IsReadOnlySpan(span) && ScalarOf(span.TypeArguments[0]) == view.Element;
                if (!differentiable || !readOnlySpan)
                {
                    string passed = value is ILocalReferenceOperation ? $"'{value.Syntax}'" : $"a part of '{view.Display}'";
                    throw Unsupported(value.Syntax, $"Passing {passed} to '{invocation.TargetMethod.Name}'", " (a span local, or a part of a span or array parameter, may be passed to a ReadOnlySpan parameter of a [Differentiable] method; otherwise index it)");
                }

                bool whole = view.Start is Const { Value: 0 } && (view.Source == ViewSource.Buffer ? view.Length.Equals(_buffers.Values.First(b => b.Name == view.Array).Length) : view.Length.Equals(new Len(view.Array)));
                switch (view.Source)
                {
                    case ViewSource.Parameter:
                    {
                        var spec = _parameters[view.Array];
                        return whole ? new IR.SpanRef(view.Array, view.Element)
                            : new IR.SpanView(view.Array, CheckedStart(view), view.Length, view.Element, ReadOnly: true, OverArray: spec.Shape == ParamShape.Array);
                    }

                    case ViewSource.Buffer when whole:
                        return new IR.SpanRef(view.Array, view.Element);
                    case ViewSource.Buffer:
                        // A part of a local buffer (torch.chunk): the callee's gradient goes to the same part of its adjoint.
                        return new IR.SpanView(view.Array, CheckedStart(view), view.Length, view.Element, ReadOnly: true, OverArray: false);
                    case ViewSource.Data:
                        return whole ? new IR.SpanRef(view.Array, view.Element)
                            : new IR.SpanView(view.Array, CheckedStart(view), view.Length, view.Element, ReadOnly: true, OverArray: view.DataArray);
                    default:
                        throw Unsupported(value.Syntax, $"Passing '{value.Syntax}', a part of '{SourceName(view)}', to '{invocation.TargetMethod.Name}'", " (a part of a span or array parameter, or a whole local buffer, may be passed to a [Differentiable] method; copy this part into a local buffer)");
                }
            }

            /// <summary>The name of what a view views, as the user wrote it (not the view's own name: "a part of 'part'" once).</summary>
            private static string SourceName(ViewLocal view) => view.Source == ViewSource.Data ? view.Array.Replace("global::", string.Empty) : view.Array;

            private static bool IsHat(ExpressionSyntax? e) => SyntaxShapes.Unparenthesized(e) is PrefixUnaryExpressionSyntax { OperatorToken.ValueText: "^" };

            /// <summary>The operation of an expression written in parentheses or <c>checked(...)</c> or not (<see cref="SyntaxShapes.Unparenthesized"/>).</summary>
            private IOperation? OperationOf(ExpressionSyntax e) => _model.GetOperation(SyntaxShapes.Unparenthesized(e)!, _ct);

            /// <summary>
            /// <c>Slice</c> of <c>Span&lt;T&gt;</c> or <c>ReadOnlySpan&lt;T&gt;</c>, or <c>AsSpan</c> of <c>System.MemoryExtensions</c>: not a
            /// method of the user's that has the name (whose arguments may mean something else: Slice(from, to)).
            /// </summary>
            private bool IsSpanSlicing(IMethodSymbol method) =>
                _known.IsSpan(method.ContainingType) || _known.IsReadOnlySpan(method.ContainingType)
                || method.ContainingType is { Name: "MemoryExtensions", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };

            /// <summary><c>a + b</c> on ints, with constants folded (<c>2 + 1</c> is <c>3</c>, <c>(x + 2) + 1</c> is <c>x + 3</c>).</summary>
            private static Expr Plus(Expr a, Expr b)
            {
                if (a is Const { Value: 0 })
                {
                    return b;
                }

                if (b is Const { Value: 0 })
                {
                    return a;
                }

                return (a, b) switch
                {
                    (Const x, Const y) => Const.Of(x.Value + y.Value, ValType.Int),
                    (Binary { Op: BinaryOp.Add, Right: Const x } l, Const y) => Plus(l.Left, Const.Of(x.Value + y.Value, ValType.Int)),
                    _ => new Binary(BinaryOp.Add, a, b, ValType.Int),
                };
            }

            /// <summary><c>a - b</c> on ints, with constants folded (<c>(n - 2) - 1</c> is <c>n - 3</c>).</summary>
            private static Expr Minus(Expr a, Expr b) => (a, b) switch
            {
                (_, Const { Value: 0 }) => a,
                (Const x, Const y) => Const.Of(x.Value - y.Value, ValType.Int),
                (Binary { Op: BinaryOp.Sub, Right: Const x } l, Const y) => Minus(l.Left, Const.Of(x.Value + y.Value, ValType.Int)),
                // p[a..(a + n)]: the length is n, as for p.Slice(a, n), so a loop to n or a constant index below n is inside it.
                (Binary { Op: BinaryOp.Add } l, _) when l.Left.Equals(b) => l.Right,
                (Binary { Op: BinaryOp.Add } l, _) when l.Right.Equals(b) => l.Left,
                _ when a.Equals(b) => Const.Of(0, ValType.Int),
                _ => new Binary(BinaryOp.Sub, a, b, ValType.Int),
            };

            /// <summary>A whole input span or array parameter, local buffer, constant data or view, as a view; null otherwise.</summary>
            private ViewLocal? WholeView(IOperation? source)
            {
                var zero = Const.Of(0, ValType.Int);
                switch (source)
                {
                    case IParameterReferenceOperation { Parameter: var p } when SymbolEqualityComparer.Default.Equals(p.ContainingSymbol, _method)
                        && _parameters.TryGetValue(p.Name, out var spec) && spec.IsVector:
                        if (spec.Shape == ParamShape.OutputSpan)
                        {
                            throw Unsupported(source.Syntax, $"A part of the output span '{p.Name}' (a span local or an argument)", $"; write and read '{p.Name}[...]' directly");
                        }

                        return new ViewLocal(spec.Name, spec.ElementType, zero, new Len(spec.Name), ViewSource.Parameter, spec.Name, ToEnd: true);
                    case ILocalReferenceOperation { Local: var l } when _buffers.TryGetValue(l, out var buffer):
                        return new ViewLocal(buffer.Name, buffer.Element, zero, buffer.Length, ViewSource.Buffer, l.Name, ToEnd: false);
                    case ILocalReferenceOperation { Local: var v } when _views.TryGetValue(v, out var view):
                        return view;
                    case { } when ConstantData(source) is { } data:
                        return new ViewLocal(data.Code, data.Type, zero, new Len(data.Code), ViewSource.Data, data.Code.Replace("global::", string.Empty), ToEnd: true)
                        {
                            DataArray = Unwrap(source) is IMemberReferenceOperation { Type: IArrayTypeSymbol },
                        };
                    default:
                        return null;
                }
            }

            /// <summary>An element of a view (<c>row[j]</c>), or null.</summary>
            private (ViewLocal View, IOperation Index, string Name)? ViewElementOf(IOperation operation)
            {
                switch (operation)
                {
                    case IPropertyReferenceOperation { Property.IsIndexer: true } indexer when indexer.Arguments.Length == 1
                        && Unwrap(indexer.Instance) is ILocalReferenceOperation sl && _views.TryGetValue(sl.Local, out var s):
                        return (s, indexer.Arguments[0].Value, sl.Local.Name);
                    default:
                        return null;
                }
            }

            /// <summary>
            /// The index into the view's source of element <paramref name="index"/> of a view. Where the index is provably
            /// inside the view (at least 0: a constant, or the counter of an enclosing loop counting up from 0; below the
            /// view's length: a constant below a constant length, the counter of a loop bounded by the length, or any index
            /// into a view that runs to the end of a parameter or of constant data, whose own bounds check then throws as the
            /// view's would), it is <c>Start + k</c>. Otherwise (<c>row[labels[s]]</c>) the view's bounds check is kept:
            /// <c>0 &lt;= k &amp;&amp; k &lt; length ? Start + k : int.MinValue</c>, so an index outside the view reads (or
            /// writes) a negative element of the source and throws the <see cref="System.IndexOutOfRangeException"/> the
            /// view's indexer throws, instead of reading a neighbour of the view. <c>int.MinValue</c> stays negative when
            /// an offset is added to the whole index later (a layer's parameter bound to a part of a caller's buffer, a
            /// version of a recurrent state's history).
            /// </summary>
            private Expr ViewIndex(ViewLocal view, IOperation index, string name)
            {
                var k = ParseIndex(index);
                if (k is Const { Value: var outside } && (outside < 0 || (view.Length is Const { Value: var length } && outside >= length)))
                {
                    // A constant outside a view of constant length: the user's method always throws there.
                    throw Unsupported(index.Syntax, $"The index '{index.Syntax}' into the span local '{name}', which is outside '{name}'", string.Empty);
                }

                // A view to the end of a parameter is bounded by the parameter's own check, but not in a body being inlined
                // (a layer's): its parameter may be bound to a part of the caller's span, whose end is not the part's.
                bool endChecked = view.ToEnd && !(t_inlineDepth > 0 && view.Source == ViewSource.Parameter);
                var conditions = new List<Expr>();
                if (CheckedIndex.Needed(k, view.Length, CounterRange, CounterLimit, endChecked) is { } own)
                {
                    conditions.Add(own);
                }

                // Inside every view this one was cut from (sub = row.Slice(2, 3): sub[k] is row[2 + k]), so that a part that
                // overhangs its source never reads a neighbour.
                foreach (var enclosing in view.Outer)
                {
                    var at = Plus(enclosing.Offset, k);
                    if (at is Const { Value: var c } && enclosing.Length is Const { Value: var n })
                    {
                        if (c < 0 || c >= n)
                        {
                            throw Unsupported(index.Syntax, $"The index '{index.Syntax}' into the span local '{name}', which is outside the span '{name}' was cut from", string.Empty);
                        }

                        continue;
                    }

                    if (CheckedIndex.Needed(at, enclosing.Length, CounterRange, _ => null, endChecked: false) is { } check)
                    {
                        conditions.Add(check);
                    }
                }

                return conditions.Count == 0 ? Plus(view.Start, k)
                    : CheckedIndex.Of(conditions.Aggregate((a, b) => new Binary(BinaryOp.And, a, b, ValType.Bool)), Plus(view.Start, k));
            }

            /// <summary>The range of the counter of an enclosing bounded loop (<see cref="BoundedCounter"/>), or null.</summary>
            private (double Min, double Max)? CounterRange(string name) => _boundedCounters.TryGetValue(name, out var bound) ? CheckedIndex.CounterBelow(bound) : null;

            /// <summary>The bound of the counter of an enclosing bounded loop, or null.</summary>
            private Expr? CounterLimit(string name) => _boundedCounters.TryGetValue(name, out var bound) ? bound : null;

            /// <summary>
            /// Parses a <c>for</c> loop's body with its counter recorded as bounded when the loop is
            /// <c>for (int j = c; j &lt; bound; j++)</c> with <c>c &gt;= 0</c> a constant and neither <c>j</c> nor what the bound
            /// reads written in the body.
            /// </summary>
            private string? BoundedCounter(IForLoopOperation loop, out Expr? bound)
            {
                bound = null;
                if (loop.Condition is not IBinaryOperation { OperatorKind: BinaryOperatorKind.LessThan, LeftOperand: ILocalReferenceOperation { Local: var counter } } condition
                    || !_locals.TryGetValue(counter, out var name)
                    || loop.AtLoopBottom.Length != 1
                    || !IsIncrementOf(loop.AtLoopBottom[0], counter))
                {
                    return null;
                }

                // The counter starts at a constant >= 0: its declaration in the loop's initializer.
                bool startsAtNonNegative = loop.Before.SelectMany(b => b.DescendantsAndSelf()).OfType<IVariableDeclaratorOperation>()
                    .Any(d => SymbolEqualityComparer.Default.Equals(d.Symbol, counter) && d.Initializer?.Value.ConstantValue is { HasValue: true, Value: int c } && c >= 0);
                if (!startsAtNonNegative)
                {
                    return null;
                }

                var reads = new HashSet<ISymbol>(SymbolEqualityComparer.Default) { counter };
                foreach (var read in condition.RightOperand.DescendantsAndSelf())
                {
                    switch (read)
                    {
                        case ILocalReferenceOperation l:
                            reads.Add(l.Local);
                            break;
                        case IParameterReferenceOperation p:
                            reads.Add(p.Parameter);
                            break;
                        case IInvocationOperation:
                            return null;
                    }
                }

                if (WrittenSymbols(new[] { loop.Body }).Overlaps(reads))
                {
                    return null;
                }

                bound = ParseIndex(condition.RightOperand);
                return name;
            }

            private static bool IsIncrementOf(IOperation operation, ILocalSymbol counter)
            {
                var o = operation is IExpressionStatementOperation statement ? statement.Operation : operation;
                return o switch
                {
                    IIncrementOrDecrementOperation { Kind: OperationKind.Increment, Target: ILocalReferenceOperation t } => SymbolEqualityComparer.Default.Equals(t.Local, counter),
                    ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add, Target: ILocalReferenceOperation t, Value.ConstantValue: { HasValue: true, Value: 1 } }
                        => SymbolEqualityComparer.Default.Equals(t.Local, counter),
                    _ => false,
                };
            }
        }
    }
}

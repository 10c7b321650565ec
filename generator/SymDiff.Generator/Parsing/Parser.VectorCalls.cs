using System;
using System.Collections.Generic;
using System.Collections.Immutable;
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
        /// <summary>How many vector functions deep the parse of the current thread is inlining (a bound on recursion).</summary>
        [ThreadStatic]
        private static int t_inlineDepth;

        /// <summary>
        /// While a vector function is parsed for inlining: the type of the method it is inlined into, which must be able to
        /// access every member the callee's body reads or calls; and, when it was called on another object
        /// (<c>layer.Dense(w, x, h)</c>), that object as C# the caller can evaluate (<c>this.layer</c>,
        /// <c>global::N.Model.Shared</c>, a parameter), which stands for <c>this</c> in the callee's body. Null otherwise.
        /// </summary>
        [ThreadStatic]
        private static InlineReceiver? t_receiver;

        /// <summary>The first thing the callee's body does with its object that the caller cannot (a private field), or null.</summary>
        [ThreadStatic]
        private static string? t_receiverProblem;

        private sealed record InlineReceiver(string? Code, INamedTypeSymbol Caller);

        /// <summary><c>this</c> in the body being parsed: the object a vector function being inlined was called on, or this object.</summary>
        private static string ThisCode => t_receiver?.Code ?? "this";

        /// <summary>
        /// Whether the method a vector function is being inlined into can access <paramref name="member"/> (a field, property
        /// or method the callee's body uses); records the first problem for the caller's SD1000.
        /// </summary>
        private static void RequireAccessibleFromCaller(ISymbol member, Compilation compilation)
        {
            if (t_receiver is { } r && !compilation.IsSymbolAccessibleWithin(member, r.Caller))
            {
                t_receiverProblem ??= $"uses '{member.Name}', which '{r.Caller.Name}' cannot access";
            }
        }

        /// <summary>The most vector functions inlined one inside another.</summary>
        private const int MaxInlineDepth = 4;

        private sealed partial class BodyParser
        {
            /// <summary>
            /// What a span parameter of an inlined vector function stands for in the caller: <c>Length</c> elements of
            /// <c>Array</c> from <c>Start</c> (a parameter of the caller, a local buffer, or the caller's own output).
            /// </summary>
            private sealed record SpanBinding(string Array, Expr Start, Expr Length, ValType Element, bool OverArray, bool IsBuffer, bool Whole)
            {
                /// <summary>Constant data (or a part of it) of the caller's type: read as constants, never cut.</summary>
                public bool IsData { get; init; }

                /// <summary>A part that runs to the end of a parameter or of constant data, whose own bounds check then catches an index past the part.</summary>
                public bool ToEnd { get; init; }
            }

            /// <summary>
            /// <c>G(args..., h);</c> where G is a <c>[Differentiable]</c> vector function: G's body, parsed as G's own
            /// generated methods parse it, is inlined in place of the call, with G's scalar parameters as locals set from
            /// the arguments, its span parameters read through the caller's spans, its output written into
            /// <c>h</c> (a local buffer, a part of one, or the caller's own output span), and its locals renamed where a
            /// name is taken. Everything after parsing then treats the loops as if the user had written them here, which
            /// fuses them with the caller's (no call, no scratch buffer, no tape of the callee's own). A parameter G does not
            /// differentiate (<c>[NoGrad]</c>, not in its <c>wrt</c> list) is read through <c>Grad.Detach</c>, as a call
            /// would cut it.
            /// </summary>
            private void InlineVectorCall(IInvocationOperation call, List<SourceStmt> into)
            {
                var target = call.TargetMethod;
                string what = $"Calling the [Differentiable] vector function '{target.Name}'";
                // An instance method of this object (its fields read as 'this.' members, which mean the same here); not another
                // object's, whose members the inlined body would read from this one.
                bool sameObject = !target.IsStatic && !_method.IsStatic && call.Instance is null or IInstanceReferenceOperation
                    && SymbolEqualityComparer.Default.Equals(target.ContainingType, _method.ContainingType);
                // Another object (a sub-model, API.md 7: `fc1.Forward(w, x, h)`): held in a field or property, or a parameter;
                // its members read in the callee's body are read through it.
                string? receiver = null;
                if (!target.IsStatic && !sameObject)
                {
                    receiver = Unwrap(call.Instance) switch
                    {
                        IMemberReferenceOperation { Type: not null } member when member is IFieldReferenceOperation or IPropertyReferenceOperation => MemberCode(member),
                        IParameterReferenceOperation p when _parameters.TryGetValue(p.Parameter.Name, out var ps) && ps.Shape == ParamShape.Other && p.Type is not null => p.Parameter.Name,
                        _ => null,
                    };
                    if (receiver is null)
                    {
                        throw Unsupported(call.Syntax, what + $" on '{call.Instance?.Syntax}'", " yet; call it on this object, on an object held in a field or property, or on a parameter");
                    }
                }

                var syntax = target.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_ct)).OfType<MethodDeclarationSyntax>().FirstOrDefault();
                if (syntax is null)
                {
                    throw Unsupported(call.Syntax, what + " from another assembly", " yet; its body must be in this compilation");
                }

                if (t_inlineDepth >= MaxInlineDepth || SymbolEqualityComparer.Default.Equals(target, _method))
                {
                    throw Unsupported(call.Syntax, what + " recursively (or more than " + MaxInlineDepth.ToString(System.Globalization.CultureInfo.InvariantCulture) + " vector functions deep)", string.Empty);
                }

                ParseResult parsed;
                var outerReceiver = t_receiver;
                var outerProblem = t_receiverProblem;
                string? problem;
                t_inlineDepth++;
                try
                {
                    // A callee on this object (or static) keeps the receiver of the call that inlined this one, if any.
                    t_receiver = new InlineReceiver(receiver ?? (sameObject ? outerReceiver?.Code : null), outerReceiver?.Caller ?? _method.ContainingType);
                    t_receiverProblem = null;

                    var model = syntax.SyntaxTree == _model.SyntaxTree ? _model : _model.Compilation.GetSemanticModel(syntax.SyntaxTree);
                    parsed = Parse(target, syntax, model, _ct);
                    problem = t_receiverProblem;
                }
                finally
                {
                    t_inlineDepth--;
                    t_receiver = outerReceiver;
                    t_receiverProblem = outerProblem;
                }

                if (problem is not null)
                {
                    throw Unsupported(call.Syntax, what + (receiver is null ? string.Empty : $" on '{call.Instance?.Syntax}'") + $", whose body {problem},", " yet; make it internal or public, or write its loop in this method");
                }

                var callee = parsed.Spec;
                if (callee is null || !parsed.BodyIsValid)
                {
                    throw Unsupported(call.Syntax, what + ", which SymDiff cannot differentiate on its own (see its diagnostics),", string.Empty);
                }

                if (callee.Guards.Count > 0 || callee.Retained.Count > 0 || callee.Body.Any(SourceLoops.ReturnsAnywhere))
                {
                    string why = callee.Guards.Count > 0 ? "argument checks (throw)" : callee.Retained.Count > 0 ? "Grad.Retain" : "a return statement";
                    throw Unsupported(call.Syntax, what + ", whose body has " + why + ",", " yet; write its loop in this method");
                }

                var scalar = _parameters.Values.Where(p => p.ElementType.IsFloating() && p.Shape != ParamShape.Other).Select(p => p.ElementType).FirstOrDefault();
                if (callee.Scalar != scalar)
                {
                    throw Unsupported(call.Syntax, what + $" ({callee.Scalar.Keyword()}) from a {scalar.Keyword()} method", "; a method is all-double or all-float");
                }

                // The arguments: scalars into fresh locals first (evaluated once, in order, as C# does), spans bound.
                var scalars = new Dictionary<string, string>(StringComparer.Ordinal);
                var spans = new Dictionary<string, SpanBinding>(StringComparer.Ordinal);
                var detached = new HashSet<string>(StringComparer.Ordinal);
                var prologue = new List<SourceStmt>();
                int origin = AddOrigin(call.Syntax);
                foreach (var argument in call.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0))
                {
                    var parameter = argument.Parameter!;
                    var spec = callee.Parameters.First(p => p.Name == parameter.Name);
                    if (spec.IsVector)
                    {
                        var binding = spans[spec.Name] = Bind(argument, spec, what);
                        bool data = binding.IsData || (!binding.IsBuffer && _parameters.TryGetValue(binding.Array, out var bound) && !bound.Active);
                        if (!spec.Active && spec.Shape != ParamShape.OutputSpan && !data)
                        {
                            detached.Add(spec.Name);
                            InlineCuts.Add(new InlineCut(AddSite(argument.Syntax), spec.Name, target.Name, binding.Array));
                        }

                        continue;
                    }

                    if (spec.Shape == ParamShape.Other && spec.ElementType is not (ValType.Int or ValType.Bool))
                    {
                        throw Unsupported(argument.Syntax, what + $" with the parameter '{spec.Name}' of type {parameter.Type.ToDisplayString()}", " yet; pass numbers and spans");
                    }

                    var value = ParseExpr(argument.Value);
                    bool constant = value is Const || (value is Var v && _parameters.TryGetValue(v.Name, out var passed) && !passed.Active);
                    if (!spec.Active && spec.ElementType.IsFloating() && !constant)
                    {
                        // The argument into a local of its own, watched for SD1005, then cut.
                        string raw = FreshUserName(spec.Name + "Argument");
                        _inlinedNames.Add(raw);
                        prologue.Add(new SourceAssign(raw, value.Type, value) { Origin = origin });
                        InlineCuts.Add(new InlineCut(AddSite(argument.Syntax), spec.Name, target.Name, raw));
                        value = new Call(KnownFunction.Detach, EquatableArray.Create<Expr>(new Var(raw, value.Type)), value.Type);
                    }

                    string local = FreshUserName(spec.Name);
                    _inlinedNames.Add(local);
                    scalars[spec.Name] = local;
                    prologue.Add(new SourceAssign(local, value.Type, value) { Origin = origin });
                }

                // The callee's own locals (every name its parse made or read from a declaration) keep their names where the
                // caller has no such name.
                var renames = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var name in callee.UserNames.Where(n => !callee.Parameters.Any(p => p.Name == n)))
                {
                    string local = UserNames.Contains(name) || _locals.ContainsValue(name) || _parameters.ContainsKey(name) || _inlinedNames.Contains(name) ? FreshUserName(name) : name;
                    UserNames.Add(local);
                    _inlinedNames.Add(local);
                    renames[name] = local;
                }

                int site = AddSite(call.Syntax);
                var inliner = new Inliner(scalars, spans, detached, renames, site, origin, call.Syntax, what);
                into.AddRange(prologue);
                foreach (var inlined in inliner.Body(callee.Body))
                {
                    into.Add(inlined);
                    RecordInlinedOutputWrites(inlined);
                }
            }

            /// <summary>
            /// The stores an inlined body makes into this method's own output span count as its writes (SD1008): a layer
            /// called into <c>o</c> writes it, and the caller may read it back afterwards.
            /// </summary>
            private void RecordInlinedOutputWrites(SourceStmt s)
            {
                if (s is SourceStore store && _parameters.TryGetValue(store.Array, out var p) && p.Shape == ParamShape.OutputSpan)
                {
                    RecordOutputWrite(store.Index);
                }

                foreach (var x in SourceStmt.Nested(s).SelectMany(b => b))
                {
                    RecordInlinedOutputWrites(x);
                }
            }

            /// <summary>What the caller passes for a span parameter: a whole parameter or local buffer, or a part of one.</summary>
            private SpanBinding Bind(IArgumentOperation argument, ParamSpec spec, string what)
            {
                var value = argument.Value;
                while (value is IConversionOperation conversion)
                {
                    value = conversion.Operand;
                }

                bool output = spec.Shape == ParamShape.OutputSpan;
                if (value is ILocalReferenceOperation local && _buffers.TryGetValue(local.Local, out var buffer))
                {
                    return new SpanBinding(buffer.Name, Const.Of(0, ValType.Int), buffer.Length, buffer.Element, OverArray: false, IsBuffer: true, Whole: true);
                }

                if (value is IParameterReferenceOperation { Parameter: var passed } && SymbolEqualityComparer.Default.Equals(passed.ContainingSymbol, _method)
                    && _parameters.TryGetValue(passed.Name, out var passedSpec) && passedSpec.IsVector && (passedSpec.Shape == ParamShape.OutputSpan) == output)
                {
                    return new SpanBinding(passed.Name, Const.Of(0, ValType.Int), new Len(passed.Name), passedSpec.ElementType, passedSpec.Shape == ParamShape.Array, IsBuffer: false, Whole: true);
                }

                if (ViewOf(value, out _) is { Source: not ViewSource.Data } view
                    && (view.Source == ViewSource.Buffer || (_parameters.TryGetValue(view.Array, out var viewed) && (viewed.Shape == ParamShape.OutputSpan) == output)))
                {
                    bool overArray = view.Source == ViewSource.Parameter && _parameters[view.Array].Shape == ParamShape.Array;
                    return new SpanBinding(view.Array, CheckedStart(view), view.Length, view.Element, overArray, view.Source == ViewSource.Buffer, Whole: false) { ToEnd = view.ToEnd };
                }

                if (!output && ViewOf(value, out _) is { Source: ViewSource.Data } data)
                {
                    return new SpanBinding(data.Array, CheckedStart(data), data.Length, data.Element, data.DataArray, IsBuffer: false, Whole: false) { IsData = true, ToEnd = data.ToEnd };
                }

                throw Unsupported(argument.Syntax, what + $" with '{argument.Syntax}' for its {(output ? "output" : "span parameter")} '{spec.Name}'",
                    output ? " yet; pass a local buffer, a part of one, or this method's own output span" : " yet; pass a span or array parameter, a local buffer, constant data, or a part of one");
            }

            /// <summary>The arguments of inlined calls for parameters the callee does not differentiate.</summary>
            public List<InlineCut> InlineCuts { get; } = new List<InlineCut>();

            /// <summary>The names the inlined bodies took: a later local of the caller with such a name gets a name of its own.</summary>
            private readonly HashSet<string> _inlinedNames = new HashSet<string>(StringComparer.Ordinal);

            /// <summary>Rewrites a vector function's parsed statements into the caller's names (one inlined call).</summary>
            private sealed class Inliner
            {
                private readonly Dictionary<string, string> _scalars;
                private readonly Dictionary<string, SpanBinding> _spans;
                private readonly HashSet<string> _detached;
                private readonly Dictionary<string, string> _renames;
                private readonly int _site;
                private readonly int _origin;
                private readonly SyntaxNode _call;
                private readonly string _what;

                public Inliner(Dictionary<string, string> scalars, Dictionary<string, SpanBinding> spans, HashSet<string> detached, Dictionary<string, string> renames, int site, int origin, SyntaxNode call, string what)
                {
                    _scalars = scalars;
                    _spans = spans;
                    _detached = detached;
                    _renames = renames;
                    _site = site;
                    _origin = origin;
                    _call = call;
                    _what = what;
                }

                /// <summary>
                /// The counters of the enclosing loops that count from 0 by 1 (<see cref="SourceLoops.CountsTo"/>), with their
                /// limits, both in the caller's names: an index by such a counter into a part as long as the limit is inside it.
                /// </summary>
                private ImmutableDictionary<string, Expr> _counters = ImmutableDictionary.Create<string, Expr>(StringComparer.Ordinal);

                /// <summary>The callee's int locals assigned exactly once (in its names), and the values they were set to (in the caller's).</summary>
                private readonly HashSet<string> _assignedOnce = new HashSet<string>(StringComparer.Ordinal);
                private readonly Dictionary<string, Expr> _known = new Dictionary<string, Expr>(StringComparer.Ordinal);

                private string Name(string name) => _renames.TryGetValue(name, out var renamed) ? renamed : _scalars.TryGetValue(name, out var local) ? local : name;

                private SourceStmt Statement(SourceStmt s, SourceStmt? previous)
                {
                    SourceStmt rewritten = s switch
                    {
                        SourceAssign a => Assign(a),
                        SourceStore st when _spans.TryGetValue(st.Array, out var b) => new SourceStore(b.Array, Index(b, Expr(st.Index)), Expr(st.Value)) { Site = _site },
                        SourceStore st => new SourceStore(Name(st.Array), Expr(st.Index), Expr(st.Value)) { Site = _site },
                        SourceIf i => new SourceIf(Expr(i.Condition), Block(i.Then), Block(i.Else)),
                        SourceLoop l => Loop(l, previous),
                        SourceBuffer b => new SourceBuffer(Name(b.Name), b.Element, Expr(b.Length)) { IsHistory = b.IsHistory },
                        SourceBreak or SourceContinue => s,
                        _ => throw Unsupported(_call, _what + ", whose body holds " + s.GetType().Name, string.Empty),
                    };
                    return rewritten with { Origin = _origin };
                }

                private SourceAssign Assign(SourceAssign a)
                {
                    var assigned = new SourceAssign(Name(a.Name), a.Type, Expr(a.Value));
                    if (a.Type == ValType.Int && _assignedOnce.Contains(a.Name))
                    {
                        _known[assigned.Name] = assigned.Value;
                    }

                    return assigned;
                }

                private SourceLoop Loop(SourceLoop l, SourceStmt? previous)
                {
                    var outer = _counters;
                    if (previous is not null && SourceLoops.CountsTo(previous, l, out string counter) is { } limit)
                    {
                        _counters = _counters.SetItem(Name(counter), Expr(limit));
                    }

                    try
                    {
                        return new SourceLoop(Expr(l.Condition), Block(l.Body), Block(l.Increment), l.TestFirst, _site) { KnownLimit = l.KnownLimit is null ? null : Expr(l.KnownLimit) };
                    }
                    finally
                    {
                        _counters = outer;
                    }
                }

                private EquatableArray<SourceStmt> Block(EquatableArray<SourceStmt> block) =>
                    block.Select((s, u) => Statement(s, u > 0 ? block[u - 1] : null)).ToEquatableArray();

                /// <summary>The callee's body in the caller's names.</summary>
                public EquatableArray<SourceStmt> Body(EquatableArray<SourceStmt> body)
                {
                    var counts = new Dictionary<string, int>(StringComparer.Ordinal);
                    void Count(IEnumerable<SourceStmt> block)
                    {
                        foreach (var s in block)
                        {
                            if (s is SourceAssign a)
                            {
                                counts[a.Name] = counts.TryGetValue(a.Name, out int n) ? n + 1 : 1;
                            }

                            foreach (var nested in SourceStmt.Nested(s))
                            {
                                Count(nested);
                            }
                        }
                    }

                    Count(body);
                    _assignedOnce.UnionWith(counts.Where(c => c.Value == 1).Select(c => c.Key));
                    return Block(body);
                }

                /// <summary>
                /// Element <paramref name="index"/> (in the caller's names) of a span parameter bound to <paramref name="b"/>.
                /// A part of a caller's span (<c>Dense(p.Slice(0, 12), x, h)</c>) keeps the check the callee's own span makes
                /// unless the index is certainly inside the part: an index past the part reads (or writes) a negative element and
                /// throws as the callee would, never the caller's next element (the next layer's weights).
                /// </summary>
                private Expr Index(SpanBinding b, Expr index)
                {
                    var at = Plus(b.Start, index);
                    if (b.Whole || (b.Start is Const { Value: 0 } && b.Length is Len len && len.Array == b.Array))
                    {
                        return at;
                    }

                    var check = CheckedIndex.Needed(index, Known(b.Length), VariableRange, name => _counters.TryGetValue(name, out var limit) ? Known(limit) : null, b.ToEnd);
                    return check is null ? at : CheckedIndex.Of(check, at);
                }

                /// <summary>A counter's range (from 0 below its limit), or the range of the value an int local was set to once.</summary>
                private (double Min, double Max)? VariableRange(string name) =>
                    _counters.TryGetValue(name, out var limit) ? CheckedIndex.CounterBelow(Known(limit))
                    : _known.TryGetValue(name, out var value) && value is not Var ? CheckedIndex.Range(value, VariableRange)
                    : null;

                /// <summary><paramref name="e"/>, or the constant the int local it names was set to once (<c>int m = input.Length;</c>).</summary>
                private Expr Known(Expr e) => e is Var { Name: var name } && _known.TryGetValue(name, out var value) && value is Const ? value : e;

                private Expr Expr(Expr e) => Walk.Transform(e, Rewrite);

                private Expr Rewrite(Expr e)
                {
                    switch (e)
                    {
                        case Var v when _renames.ContainsKey(v.Name) || _scalars.ContainsKey(v.Name):
                            return new Var(Name(v.Name), v.Type);
                        case Elem el when _spans.TryGetValue(el.Array, out var b):
                        {
                            Expr read = new Elem(b.Array, Index(b, el.Index), el.Type);
                            return _detached.Contains(el.Array) ? new Call(KnownFunction.Detach, EquatableArray.Create(read), read.Type) : read;
                        }

                        case Elem el when _renames.ContainsKey(el.Array):
                            return new Elem(Name(el.Array), el.Index, el.Type);
                        case Len len when _spans.TryGetValue(len.Array, out var b):
                            return b.Length;
                        case Len len when _renames.ContainsKey(len.Array):
                            return new Len(Name(len.Array));
                        case SpanRef r when _spans.TryGetValue(r.Array, out var b):
                            if (_detached.Contains(r.Array) || (b.IsBuffer && !b.Whole))
                            {
                                throw Unsupported(_call, _what + $", which passes its parameter '{r.Array}' on to another method,", " with this argument yet; pass a span or array parameter or a whole local buffer");
                            }

                            return b.Whole ? new SpanRef(b.Array, r.Element) : new SpanView(b.Array, b.Start, b.Length, r.Element, ReadOnly: true, b.OverArray);
                        case SpanRef r when _renames.ContainsKey(r.Array):
                            return new SpanRef(Name(r.Array), r.Element);
                        case SpanView v when _spans.TryGetValue(v.Array, out var b):
                            if (_detached.Contains(v.Array) || b.IsBuffer)
                            {
                                throw Unsupported(_call, _what + $", which passes a part of its parameter '{v.Array}' on to another method,", " with this argument yet; pass a span or array parameter");
                            }

                            return v with { Array = b.Array, Start = Plus(b.Start, v.Start), OverArray = b.OverArray };
                        case SpanView v when _renames.ContainsKey(v.Array):
                            return v with { Array = Name(v.Array) };
                        case Opaque o when _renames.ContainsKey(o.Code) || _scalars.ContainsKey(o.Code) || _spans.ContainsKey(o.Code):
                            throw Unsupported(_call, _what + $", which uses '{o.Code}' in a way SymDiff copies as text,", " yet; write its loop in this method");
                        case UserCall u:
                            return u with { Callee = u.Callee with { Site = _site } };
                        default:
                            return e;
                    }
                }
            }
        }
    }
}

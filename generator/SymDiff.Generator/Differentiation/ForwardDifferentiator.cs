using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Analysis;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using static SymDiff.Generator.Simplification.Ir;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>
    /// Forward mode (JVP) on structured SSA: each active value gets a tangent computed right after it
    /// (<c>xDot</c>), a phi gets a tangent phi, a loop carries the tangents of its carried values. One pass,
    /// nothing stored.
    /// </summary>
    internal sealed class ForwardDifferentiator
    {
        private readonly MethodSpec _spec;
        private readonly Activity _activity;
        private readonly Namer _namer;
        private readonly IReadOnlyDictionary<string, string> _tangentNames;
        private readonly IReadOnlyList<RuleSpec> _rules;
        private readonly List<DiagnosticInfo> _diagnostics;
        private readonly Dictionary<string, Expr> _tangents = new Dictionary<string, Expr>(StringComparer.Ordinal);
        private SecondOrder? _secondOrder;

        /// <summary>Active local buffer → the allocation of its tangent buffer.</summary>
        private readonly Dictionary<string, RentBuffer> _bufferTangents = new Dictionary<string, RentBuffer>(StringComparer.Ordinal);

        /// <summary>
        /// Forward mode over a gradient's own IR (forward over reverse): where its accumulations go instead, and
        /// which construct it cannot differentiate again.
        /// </summary>
        internal sealed class SecondOrder
        {
            /// <summary>Gradient buffer of a span parameter → the span that receives its tangent (a slice of the product).</summary>
            public Dictionary<string, string> Products { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

            /// <summary>The scratch buffer for the callees' Hessian-vector products (direction, then product), rented once at the top of the method.</summary>
            public string? ScratchName { get; set; }

            /// <summary>Its length: twice the most active parameters of a callee.</summary>
            public int ScratchLength { get; set; }

            /// <summary>Its element type.</summary>
            public ValType ScratchType { get; set; }

            /// <summary>The statement that rents it, if any call needed it.</summary>
            public IEnumerable<Stmt> Scratch => ScratchName is null
                ? Array.Empty<Stmt>()
                : new Stmt[] { new RentBuffer(ScratchName, ScratchType, Const.Of(ScratchLength, ValType.Int)) };

            /// <summary>The adjoints of the reverse sweep being differentiated: <c>bar != 0</c> on one of them is a liveness gate.</summary>
            public IReadOnlyCollection<string> Gates { get; init; } = Array.Empty<string>();

            /// <summary>The sweep's adjoints that are zero by construction exactly where their value is zero (FINDINGS F57).</summary>
            public IReadOnlyCollection<string> LiveByValue { get; init; } = Array.Empty<string>();

            /// <summary>Gradient output of a scalar parameter → (the product buffer, the index of its element).</summary>
            public Dictionary<string, (string Buffer, Expr Index)> ScalarProducts { get; } = new Dictionary<string, (string, Expr)>(StringComparer.Ordinal);
        }

        private ForwardDifferentiator(MethodSpec spec, Activity activity, Namer namer, IReadOnlyDictionary<string, string> tangentNames, IReadOnlyList<RuleSpec> rules, List<DiagnosticInfo> diagnostics)
        {
            _spec = spec;
            _activity = activity;
            _namer = namer;
            _tangentNames = tangentNames;
            _rules = rules;
            _diagnostics = diagnostics;
            foreach (var p in spec.Parameters.Where(p => p.Active && p.Shape == ParamShape.Scalar))
            {
                _tangents[p.Name] = new Var(tangentNames[p.Name], p.ElementType);
            }

            // Vector functions only: GJacobian's columns are GDerivative with one input's direction at a time. A scalar
            // function's Derivative takes the user's direction as it is (a zero component times Sqrt'(0) is NaN, as in JAX).
            if (spec.Parameters.Any(p => p.Shape == ParamShape.OutputSpan))
            {
                foreach (var p in spec.Parameters.Where(p => (p.Active || p.Shape == ParamShape.OutputSpan) && tangentNames.ContainsKey(p.Name)))
                {
                    _seedTangents.Add(tangentNames[p.Name]);
                }
            }
        }

        /// <summary>
        /// The tangents the caller supplies (directions of active parameters) and the tangent buffers of output spans:
        /// a zero there is a direction nobody asked for (a column of GJacobian seeds one input at a time) or an element
        /// written with no tangent, not a zero of the user's arithmetic.
        /// </summary>
        private readonly HashSet<string> _seedTangents = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>
        /// The tangent buffers of local buffers that a store or an accumulation may give a structural zero (a constant,
        /// the arm of a selection not taken): a zero element there may be one, in scalar functions too.
        /// </summary>
        private readonly HashSet<string> _zeroableTangentBuffers = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>The local tangent buffers whose elements were read so far.</summary>
        private readonly HashSet<string> _readTangentBuffers = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>A buffer became zero-able after its elements were read: the pass must run again.</summary>
        private bool _lateZeroable;

        /// <summary>Records that <paramref name="tangent"/>, stored into a local buffer's tangent buffer, may be a structural zero.</summary>
        private void NoteStore(string tangentBuffer, Expr tangent)
        {
            if (_secondOrder is null && TangentLive(tangent) is not null && _zeroableTangentBuffers.Add(tangentBuffer) && _readTangentBuffers.Contains(tangentBuffer))
            {
                _lateZeroable = true;
            }
        }

        /// <summary>For a tangent local: a condition outside which it is zero by construction (null: may be non-zero anywhere).</summary>
        private readonly Dictionary<string, Expr> _tangentLive = new Dictionary<string, Expr>(StringComparer.Ordinal);

        /// <summary>Forward over reverse of a sweep with no quotient, no singular partial and no call: every tangent is finite.</summary>
        private bool _noUnboundedPartials;

        /// <summary>Every tangent local this pass names.</summary>
        private readonly HashSet<string> _tangentLocals = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>
        /// The tangent locals that stay finite where the primal values are finite: built from the caller's directions by
        /// sums and products with primal values only (no quotient, no partial of a function that can be infinite, no
        /// callee's result). A tangent not known to be bounded may be infinite (Cbrt'(0) * t).
        /// </summary>
        private readonly HashSet<string> _boundedTangents = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>Forward over reverse: for a local of the sweep, a condition outside which its value is zero by construction.</summary>
        private readonly Dictionary<string, Expr> _valueLive = new Dictionary<string, Expr>(StringComparer.Ordinal);

        /// <summary>
        /// A rule's (or callee's) partial times an operand's tangent. Where the tangent is zero because no direction
        /// reaches it, an infinite partial (Sqrt'(0), Pow(0, 0)'s) must not make it NaN: the term is zero, as for an
        /// input the oracle and JAX treat as a constant (FINDINGS F19's forward columns, F24).
        /// </summary>
        private Expr Chain(Expr partial, Expr tangent, bool mayBeInfinite = true)
        {
            if (partial is Const || !mayBeInfinite || _secondOrder is not null || TangentLive(tangent) is not { } live || live is Const)
            {
                return Mul(partial, tangent);
            }

            return Cond(live, Mul(partial, tangent), Lit(0, tangent.Type));
        }

        private Expr? TangentLive(Expr tangent) => Live(tangent, _tangentLive, _seedTangents, _zeroableTangentBuffers);

        /// <summary>
        /// Forward over reverse: a condition outside which a value of the sweep is zero by construction (an adjoint on a
        /// path the primal did not take, a gated partial), or null.
        /// </summary>
        private Expr? ValueLive(Expr value)
        {
            return _secondOrder is null ? null : Live(value, _valueLive, null);
        }

        /// <summary>
        /// A condition outside which <paramref name="e"/> is zero by construction, from the conditions
        /// <paramref name="known"/> records for locals (and, for tangents, the caller's seeds: zero where no direction
        /// was asked for); null where it may be non-zero anywhere.
        /// </summary>
        private static Expr? Live(Expr e, Dictionary<string, Expr> known, HashSet<string>? seeds, HashSet<string>? byValue = null)
        {
            switch (e)
            {
                case Const { Value: 0 }:
                    return Const.False;
                case Var v when seeds is not null && seeds.Contains(v.Name):
                case Elem el when seeds is not null && seeds.Contains(el.Array):
                // An element of a local buffer's tangent: zero by construction where a store gave it no tangent (the
                // arm of a selection not taken, a constant) or nothing wrote it; only its value tells (FINDINGS F68).
                case Elem local when byValue is not null && byValue.Contains(local.Array):
                    return new Binary(BinaryOp.Ne, e, Lit(0, e.Type), ValType.Bool);
                case Var v:
                    return known.TryGetValue(v.Name, out var live) ? live : null;
                case Unary u:
                    return Live(u.Operand, known, seeds, byValue);
                case Binary { Op: BinaryOp.Mul } b:
                {
                    // Zero where either factor is: a rule's partial with a zero arm (Abs' = sign) times a tangent that may
                    // be a structural zero is live only where both are, or the partial's test would stand for the
                    // tangent's and gate nothing (FINDINGS F97).
                    var left = Live(b.Left, known, seeds, byValue);
                    var right = Live(b.Right, known, seeds, byValue);
                    return left is null ? right : right is null ? left : And(left, right);
                }
                case Binary { Op: BinaryOp.Div } b:
                    return Live(b.Left, known, seeds, byValue);
                case Binary { Op: BinaryOp.Add or BinaryOp.Sub } b:
                    return Live(b.Left, known, seeds, byValue) is { } l && Live(b.Right, known, seeds, byValue) is { } r ? Or(l, r) : null;
                case IR.Cond { WhenFalse: Const { Value: 0 } } c:
                    // A selection (the argument of Max/Min/Clamp not taken, a branch that sets no tangent): zero by
                    // construction where the condition fails, in scalar functions too (FINDINGS F31).
                    return Live(c.WhenTrue, known, seeds, byValue) is { } whenTrue ? And(c.Condition, whenTrue) : c.Condition;
                case IR.Cond { WhenTrue: Const { Value: 0 } } c:
                    return Live(c.WhenFalse, known, seeds, byValue) is { } whenFalse ? And(new Unary(UnaryOp.Not, c.Condition, ValType.Bool), whenFalse) : new Unary(UnaryOp.Not, c.Condition, ValType.Bool);
                case IR.Cond c:
                {
                    // A selection between tangents either of which may be zero by construction (an element of a local
                    // tangent buffer a store gave no tangent): zero by construction where the side taken is not live
                    // (FINDINGS F91).
                    var t = Live(c.WhenTrue, known, seeds, byValue);
                    var f = Live(c.WhenFalse, known, seeds, byValue);
                    var otherwise = new Unary(UnaryOp.Not, c.Condition, ValType.Bool);
                    return t is null && f is null ? null : Or(t is null ? c.Condition : And(c.Condition, t), f is null ? otherwise : And(otherwise, f));
                }
                default:
                    return null;
            }
        }

        /// <summary>
        /// Forward over reverse: <c>value * tangent</c>, zero where the value is a zero by construction. A reverse
        /// sweep's adjoint is zero on a path the primal did not take, and PyTorch's double backward never builds that
        /// path, while the tangent of one of its partials may be infinite there (Cbrt'(0)): 0 * inf must not make the
        /// Hessian NaN (FINDINGS F57).
        /// </summary>
        private Expr Scaled(Expr value, Expr tangent, bool valueFirst)
        {
            var product = valueFirst ? Mul(value, tangent) : Mul(tangent, value);
            if (product is Const || tangent is Const || ValueLive(value) is not { } live || (live is Const c && c.Value != 0) || Bounded(tangent))
            {
                return product;
            }

            return live is Const ? Lit(0, product.Type) : Cond(live, product, Lit(0, product.Type));
        }

        /// <summary>
        /// Forward over reverse: each liveness gate <c>bar != 0</c> in a condition (<see cref="SecondOrder.Gates"/>) becomes
        /// <c>bar != 0 || barDot != 0</c>. What it gates is proportional to <c>bar</c>, so its value is the same (zero)
        /// either way, but its tangent is not zero where only <c>barDot</c> is not: a Hessian needs that term (FINDINGS F37).
        /// A condition with no gate is returned as it is (the same object).
        /// </summary>
        private Expr Widen(Expr condition)
        {
            if (_secondOrder is null || _secondOrder.Gates.Count == 0)
            {
                return condition;
            }

            return Walk.Transform(condition, x =>
            {
                if (x is Binary { Op: BinaryOp.Ne, Left: Var bar, Right: Const { Value: 0 } } && _secondOrder.Gates.Contains(bar.Name) && _activity.IsActiveVar(bar.Name)
                    && Tangent(bar) is var barDot && barDot is not Const { Value: 0 })
                {
                    return Or(x, new Binary(BinaryOp.Ne, barDot, Lit(0, bar.Type), ValType.Bool));
                }

                return x;
            });
        }

        /// <summary><c>name != 0</c>: the value test of a local that may be zero by construction.</summary>
        private static Expr NonZero(string name, ValType type) => new Binary(BinaryOp.Ne, new Var(name, type), Lit(0, type), ValType.Bool);

        private static Expr Or(Expr a, Expr b) => (a, b) switch
        {
            (Const { Value: 0 }, _) => b,
            (_, Const { Value: 0 }) => a,
            _ when a.Equals(b) || Disjuncts(a).Contains(b) || Conjuncts(b).Contains(a) => a,
            _ when Disjuncts(b).Contains(a) || Conjuncts(a).Contains(b) => b,
            _ => new Binary(BinaryOp.Or, a, b, ValType.Bool),
        };

        private static IEnumerable<Expr> Conjuncts(Expr e) => e is Binary { Op: BinaryOp.And } and ? Conjuncts(and.Left).Concat(Conjuncts(and.Right)) : new[] { e };

        private static IEnumerable<Expr> Disjuncts(Expr e) => e is Binary { Op: BinaryOp.Or } or ? Disjuncts(or.Left).Concat(Disjuncts(or.Right)) : new[] { e };

        /// <summary>The body with tangent statements interleaved, and the tangent of the returned value.</summary>
        public static (Block Body, Expr? Value, Expr? Tangent) Differentiate(MethodSpec spec, Block body, Activity activity, Namer namer, IReadOnlyDictionary<string, string> tangentNames, IReadOnlyList<RuleSpec> rules, List<DiagnosticInfo> diagnostics, SecondOrder? secondOrder = null)
        {
            // A local buffer's tangent element is tested for zero only if some store may give it a structural zero; a
            // store found after a read of that buffer's tangent means the body is differentiated again, knowing it.
            var checkpoint = secondOrder is null && Walk.AllStatements(body).Any(s => s is RentBuffer { Zeroed: true }) ? namer.Save() : null;
            int diagnosticCount = diagnostics.Count;
            var (output, value, tangent, zeroable) = DifferentiateOnce(spec, body, activity, namer, tangentNames, rules, diagnostics, secondOrder, known: null);
            if (checkpoint is not null && zeroable is not null)
            {
                namer.Restore(checkpoint);
                diagnostics.RemoveRange(diagnosticCount, diagnostics.Count - diagnosticCount);
                (output, value, tangent, _) = DifferentiateOnce(spec, body, activity, namer, tangentNames, rules, diagnostics, secondOrder, zeroable);
            }

            return (output, value, tangent);
        }

        /// <summary>
        /// One pass; its last item is the tangent buffers found zero-able only after their elements were read (null if
        /// none), which a second pass must know from the start.
        /// </summary>
        private static (Block Body, Expr? Value, Expr? Tangent, HashSet<string>? LateZeroable) DifferentiateOnce(MethodSpec spec, Block body, Activity activity, Namer namer, IReadOnlyDictionary<string, string> tangentNames, IReadOnlyList<RuleSpec> rules, List<DiagnosticInfo> diagnostics, SecondOrder? secondOrder, HashSet<string>? known)
        {
            var d = new ForwardDifferentiator(spec, activity, namer, tangentNames, rules, diagnostics) { _secondOrder = secondOrder };
            if (known is not null)
            {
                d._zeroableTangentBuffers.UnionWith(known);
            }

            d._noUnboundedPartials = secondOrder is not null && BoundedStatements(body.Statements);
            foreach (var name in secondOrder?.LiveByValue ?? Array.Empty<string>())
            {
                d._valueLive[name] = NonZero(name, spec.Scalar);
            }

            Expr? value = null;
            Expr? tangent = null;
            var output = d.Block(body, (ret, t) =>
            {
                value = ret;
                tangent = t;
            });
            return (output, value, tangent, d._lateZeroable ? d._zeroableTangentBuffers : null);
        }

        /// <summary>
        /// A call of scalars only (its Gradient returns every partial) that passes a constant to a parameter the callee
        /// differentiates.
        /// </summary>
        private bool PassesConstant(UserCall call) =>
            !call.Args.Any(SpanArguments.Is)
            && Enumerable.Range(0, call.Args.Count).Any(i => call.Callee.PassesDerivative(i) && !_activity.IsActive(call.Args[i]));

        /// <summary>
        /// A call with span arguments that passes a scalar constant to a scalar parameter the callee differentiates (a
        /// data span for a span parameter keeps the callee's Derivative with a zero tangent span).
        /// </summary>
        private bool PassesConstantBesideSpans(UserCall call) =>
            call.Args.Any(SpanArguments.Is)
            && Enumerable.Range(0, call.Args.Count).Any(i => call.Callee.PassesDerivative(i) && !SpanArguments.Is(call.Args[i]) && !_activity.IsActive(call.Args[i]));

        /// <summary>
        /// A call that passes a data span (no tangent span) to a span parameter the callee differentiates, when a partial of
        /// the callee may be infinite: its Derivative would multiply that span's zero tangent by it (NaN at a data point
        /// where the callee is singular, FINDINGS F66). A callee with finite partials keeps the cheaper Derivative route.
        /// </summary>
        private bool PassesDataSpanToSingularCallee(UserCall call) =>
            call.Callee.MayHaveInfinitePartial
            && Enumerable.Range(0, call.Args.Count).Any(i => call.Callee.PassesDerivative(i) && SpanArguments.Is(call.Args[i], out var span) && TangentSpan(span) is null);

        /// <summary>
        /// F66 for calls with span arguments: the value from the call itself, every partial from the callee's Backward
        /// (seed 1, scalar partials into locals, span gradients into pooled scratch), and the tangent as the active
        /// arguments' partials times their tangents (a dot product for a span).
        /// </summary>
        private void CallThroughBackward(Let let, UserCall call, List<Stmt> output)
        {
            output.Add(let);
            var outputs = new List<Expr>();
            var terms = new List<Expr>();
            var dots = new List<Stmt>();
            for (int i = 0; i < call.Args.Count; i++)
            {
                if (i >= call.Callee.Active.Count || !call.Callee.Active[i])
                {
                    continue;
                }

                var arg = call.Args[i];
                if (SpanArguments.Is(arg, out var span))
                {
                    string? tangentSpan = TangentSpan(span);
                    if (tangentSpan is null)
                    {
                        outputs.Add(Discard(arg, output));
                        continue;
                    }

                    var gradient = Pooled(arg, "Gradient", output);
                    output.Add(new ClearArray(gradient.Array, gradient.Length));
                    outputs.Add(gradient);
                    var dot = new Declare(_namer.NewSourceName(DerivativeNames.Partial(let.Name, call.Callee.ParameterNames[i])), call.Type);
                    var counter = new Var(_namer.NewSourceName("k"), ValType.Int);
                    var element = SpanArguments.Element(arg);
                    dots.Add(dot);
                    dots.Add(BuildContext.CountingLoop(counter.Name, SpanArguments.Length(arg), new Accumulate(dot.Name, null, Mul(Convert(new Elem(gradient.Array, counter, element), call.Type), Convert(new Elem(tangentSpan, Add(SpanArguments.Start(arg), counter), element), call.Type)))));
                    terms.Add(new Var(dot.Name, call.Type));
                }
                else
                {
                    var partial = new Declare(_namer.NewSourceName(DerivativeNames.Partial(let.Name, call.Callee.ParameterNames[i])), call.Type);
                    output.Add(partial);
                    outputs.Add(new Var(partial.Name, call.Type));
                    if (_activity.IsActive(arg))
                    {
                        terms.Add(Mul(new Var(partial.Name, call.Type), Tangent(arg)));
                    }
                }
            }

            output.Add(new CallBackward(call, Lit(1, call.Type), outputs.ToEquatableArray()));
            output.AddRange(dots);
            Define(let.Name, Sum(terms, call.Type), output);
        }

        private Block Block(Block block, Action<Expr, Expr>? onReturn = null)
        {
            var output = new List<Stmt>();
            foreach (var s in block.Statements)
            {
                switch (s)
                {
                    case Return ret:
                        onReturn?.Invoke(ret.Value, Tangent(ret.Value));
                        break;

                    case Let { Value: UserCall { Callee.Kind: CalleeKind.Differentiable } call } let when _activity.IsActive(call) && _secondOrder is null && PassesConstant(call):
                    {
                        // A constant argument for a parameter the callee differentiates: its Derivative would multiply
                        // the constant's zero tangent by the callee's partials, and one may be infinite there (Cbrt(0)
                        // inside the callee: NaN, FINDINGS F66). The callee's Gradient gives each partial; only the
                        // active arguments' are multiplied by their tangents, as a constant has no grad_fn in PyTorch.
                        var partials = new string[call.Args.Count];
                        var terms = new List<Expr>();
                        for (int i = 0; i < call.Args.Count; i++)
                        {
                            partials[i] = string.Empty;
                            if (call.Callee.PassesDerivative(i) && _activity.IsActive(call.Args[i]))
                            {
                                partials[i] = _namer.NewSourceName(DerivativeNames.Partial(let.Name, call.Callee.ParameterNames[i]));
                                terms.Add(Mul(new Var(partials[i], call.Type), Tangent(call.Args[i])));
                            }
                        }

                        output.Add(new CallWithGradient(let.Name, call, partials.ToEquatableArray()));
                        Define(let.Name, Sum(terms, call.Type), output);
                        break;
                    }

                    case Let { Value: UserCall { Callee.Kind: CalleeKind.Differentiable } call } let when _activity.IsActive(call) && _secondOrder is null && (PassesConstantBesideSpans(call) || PassesDataSpanToSingularCallee(call)):
                        CallThroughBackward(let, call, output);
                        break;

                    case Let { Value: UserCall { Callee.Kind: CalleeKind.Differentiable } call } let when _activity.IsActive(call):
                    {
                        // value and directional derivative from the callee's own generated Derivative method.
                        var tangents = new List<Expr>();
                        for (int i = 0; i < call.Args.Count; i++)
                        {
                            bool calleeActive = i < call.Callee.Active.Count && call.Callee.Active[i];
                            if (calleeActive && SpanArguments.Is(call.Args[i], out var span))
                            {
                                var arg = call.Args[i];
                                tangents.Add(TangentSpan(span) is { } tangentSpan ? SpanArguments.Over(arg, tangentSpan, readOnly: true) : ZeroSpan(arg, output));
                            }
                            else if (calleeActive)
                            {
                                tangents.Add(Tangent(call.Args[i]));
                            }
                        }

                        string name = NewTangentName(let.Name);
                        output.Add(new CallWithDerivative(let.Name, call, tangents.ToEquatableArray(), name));
                        _tangents[let.Name] = new Var(name, let.Type);

                        // Directions that are zero by construction here (the argument of Clamp not taken) are plain zeros
                        // to the callee, whose Derivative multiplies them by its partials (Sqrt'(0) * 0 = NaN, as JAX does
                        // for a direction the user passes): where none of them is live, no direction reaches the call and
                        // its tangent is zero (FINDINGS F87). Only for a callee with a partial that may be infinite.
                        if (_secondOrder is null && call.Callee.MayHaveInfinitePartial && tangents.Count > 0 && tangents.All(t => t.Type.IsFloating()))
                        {
                            Expr? live = Const.False;
                            foreach (var t in tangents)
                            {
                                live = live is null || TangentLive(t) is not { } one ? null : Or(live, one);
                            }

                            if (live is not null and not Const)
                            {
                                Define(let.Name, Cond(live, new Var(name, let.Type), Lit(0, let.Type)), output);
                            }
                        }

                        break;
                    }

                    case Let let:
                        output.Add(let);
                        if (ValueLive(let.Value) is { } valueLive)
                        {
                            _valueLive[let.Name] = valueLive;
                        }

                        if (_activity.IsActiveVar(let.Name))
                        {
                            Define(let.Name, Tangent(let.Value), output);
                        }

                        break;

                    case If branch:
                        output.Add(IfWithTangents(branch));
                        break;

                    case Loop loop:
                        output.Add(LoopWithTangents(loop));
                        break;

                    case ClearBuffer or ClearArray when _bufferTangents.TryGetValue(s is ClearBuffer cb ? cb.Target : ((ClearArray)s).Name, out var clearedTangent):
                        // A local buffer (or, forward over reverse, its adjoint buffer) and its tangent, cleared together.
                        output.Add(s);
                        output.Add(clearedTangent.Clear());
                        break;

                    case ClearBuffer when _secondOrder is not null:
                        break;

                    case SetOutput set when _secondOrder is not null && _secondOrder.ScalarProducts.TryGetValue(set.Target, out var element):
                        output.Add(new Store(element.Buffer, element.Index, Tangent(set.Value)));
                        break;

                    case Accumulate accumulate when _secondOrder is not null && accumulate.Index is not null && _secondOrder.Products.TryGetValue(accumulate.Target, out var product):
                        output.Add(new Accumulate(product, accumulate.Index, Tangent(accumulate.Value)));
                        break;

                    case Accumulate { Index: not null } accumulate when _bufferTangents.TryGetValue(accumulate.Target, out var accumulatedTangent):
                        // Forward over reverse: an adjoint buffer's accumulation, and its tangent's.
                        output.Add(accumulate);
                        output.Add(new Accumulate(accumulatedTangent.Name, accumulate.Index, Tangent(accumulate.Value)));
                        break;

                    case RentBuffer { Zeroed: true } buffer when _activity.IsActiveArray(buffer.Name):
                    {
                        // A local buffer (forward over reverse: also its adjoint buffer) and its tangent buffer, of the
                        // same length and storage, zeroed like it.
                        var tangentBuffer = buffer with { Name = _tangentNames.TryGetValue(buffer.Name, out var named) ? named : NewTangentName(buffer.Name) };
                        _bufferTangents[buffer.Name] = tangentBuffer;
                        output.Add(buffer);
                        output.Add(tangentBuffer);
                        break;
                    }

                    case Store store when _bufferTangents.TryGetValue(store.Array, out var storedTangent):
                    {
                        var stored = Tangent(store.Value);
                        NoteStore(storedTangent.Name, stored);
                        output.Add(store);
                        output.Add(new Store(storedTangent.Name, store.Index, stored));
                        break;
                    }

                    case RentBuffer rent:
                        output.Add(rent);
                        if (_tangentNames.TryGetValue(rent.Name, out var tangentTape))
                        {
                            output.Add(new RentBuffer(tangentTape, rent.Type, rent.Length));
                        }

                        break;

                    case EnsureCapacity ensure:
                        output.Add(ensure);
                        if (_tangentNames.TryGetValue(ensure.Name, out var grownTape))
                        {
                            output.Add(new EnsureCapacity(grownTape, ensure.Type, ensure.Index));
                        }

                        break;

                    case CallWithGradient call:
                        output.Add(call);
                        SecondOrderCall(call, output);
                        break;

                    case CallBackward backward when _secondOrder is not null:
                        SecondOrderSpanCall(backward, output);
                        break;

                    case Declare declare when _secondOrder is not null && _activity.IsActiveVar(declare.Name):
                    {
                        // Forward over reverse: a scalar adjoint local a span call's Backward adds into, and its tangent.
                        output.Add(declare);
                        var tangentLocal = new Declare(NewTangentName(declare.Name), declare.Type);
                        output.Add(tangentLocal);
                        _tangents[declare.Name] = new Var(tangentLocal.Name, declare.Type);
                        break;
                    }

                    case Store store when _tangentNames.TryGetValue(store.Array, out var derivative):
                        // An output element and its tangent, side by side.
                        output.Add(store);
                        output.Add(new Store(derivative, store.Index, Tangent(store.Value)));
                        break;

                    default:
                        output.Add(s);
                        break;
                }
            }

            return new Block(output.ToEquatableArray());
        }

        private If IfWithTangents(If branch)
        {
            // Tangents of the phis are computed at the end of each branch, from that branch's tangents.
            var activePhis = branch.Phis.Where(p => _activity.IsActiveVar(p.Name)).ToList();
            var thenTails = new List<Expr>();
            var elseTails = new List<Expr>();
            var then = Block(branch.Then);
            thenTails.AddRange(activePhis.Select(p => Tangent(p.WhenTrue)));
            var @else = Block(branch.Else);
            elseTails.AddRange(activePhis.Select(p => Tangent(p.WhenFalse)));
            var phis = branch.Phis.ToList();
            if (_secondOrder is not null)
            {
                // An adjoint the branch not taken leaves at zero is zero by construction outside the branch that sets it.
                foreach (var phi in branch.Phis.Where(p => p.Type.IsFloating()))
                {
                    var live = (phi.WhenTrue, phi.WhenFalse) switch
                    {
                        (Const { Value: 0 }, Const { Value: 0 }) => Const.False,
                        (Const { Value: 0 }, _) => new Unary(UnaryOp.Not, branch.Condition, ValType.Bool),
                        (_, Const { Value: 0 }) => branch.Condition,
                        _ => null,
                    };
                    if (live is not null)
                    {
                        _valueLive[phi.Name] = live;
                    }
                }
            }

            for (int i = 0; i < activePhis.Count; i++)
            {
                var phi = activePhis[i];
                var name = NewTangentName(phi.Name);
                phis.Add(new Phi(name, phi.Type, thenTails[i], elseTails[i]));
                _tangents[phi.Name] = new Var(name, phi.Type);
                if (_secondOrder is not null && Bounded(thenTails[i]) && Bounded(elseTails[i]))
                {
                    _boundedTangents.Add(name);
                }

                // A tangent that one side leaves a structural zero (no direction reaches it on that path: a loop that
                // ran no iteration, a value from data) is told apart by its value after the branch (FINDINGS F86).
                if (TangentLive(thenTails[i]) is not null || TangentLive(elseTails[i]) is not null)
                {
                    _tangentLive[name] = NonZero(name, phi.Type);
                }
            }

            return new If(Widen(branch.Condition), then, @else, phis.ToEquatableArray());
        }

        private Loop LoopWithTangents(Loop loop)
        {
            var active = loop.Carried.Where(v => _activity.IsActiveVar(v.Name)).ToList();
            var inits = active.Select(v => Tangent(v.Init)).ToList();
            var names = active.Select(v => NewTangentName(v.Name)).ToList();
            for (int i = 0; i < active.Count; i++)
            {
                _tangents[active[i].Name] = new Var(names[i], active[i].Type);
                if (_secondOrder is not null && Bounded(inits[i]) && BoundedLoop(loop))
                {
                    _boundedTangents.Add(names[i]);
                }

                // A carried tangent that starts as a structural zero (a detached or constant start) is zero by
                // construction in the first iteration, where an infinite partial in the body must not make it NaN; its
                // run-time value is the only test that tells the iterations apart (FINDINGS F61, the image of F36).
                if (TangentLive(inits[i]) is not null)
                {
                    _tangentLive[names[i]] = NonZero(names[i], active[i].Type);
                }
            }

            var header = Block(loop.Header);
            var body = Block(loop.Body);

            // After the loop the same name holds the last iteration's tangent, live unless the loop never ran: one that
            // started as a structural zero is still one when the loop runs no iteration (a run-time trip count of 0, an
            // enclosing branch not taken), so its value stays the test (FINDINGS F86).
            for (int i = 0; i < names.Count; i++)
            {
                if (TangentLive(inits[i]) is null)
                {
                    _tangentLive.Remove(names[i]);
                }
                else
                {
                    _tangentLive[names[i]] = NonZero(names[i], active[i].Type);
                }
            }

            var carried = loop.Carried.ToList();
            for (int i = 0; i < active.Count; i++)
            {
                carried.Add(new LoopVar(names[i], active[i].Type, inits[i], Tangent(active[i].Next)));
            }

            return loop with { Carried = carried.ToEquatableArray(), Header = header, Body = body, Condition = Widen(loop.Condition) };
        }

        private void Define(string name, Expr tangent, List<Stmt> output)
        {
            if (IsAtomic(tangent))
            {
                _tangents[name] = tangent;
                return;
            }

            var let = new Let(NewTangentName(name), tangent);
            output.Add(let);
            _tangents[name] = let.Ref;
            if (_secondOrder is not null && Bounded(tangent))
            {
                _boundedTangents.Add(let.Name);
            }

            if (TangentLive(tangent) is { } live and not Const)
            {
                // A test of a buffer element holds where it is read; the local holds the value read.
                _tangentLive[let.Name] = Walk.Contains(live, x => x is Elem el && _zeroableTangentBuffers.Contains(el.Array)) ? new Binary(BinaryOp.Ne, let.Ref, Lit(0, let.Ref.Type), ValType.Bool) : live;
            }
        }

        /// <summary>
        /// The tangent of an active span: a local buffer's tangent buffer, or the caller's tangent of a span parameter; null
        /// for data (a span with no tangent).
        /// </summary>
        private string? TangentSpan(string span) => !_activity.IsActiveArray(span) ? null
            : _bufferTangents.TryGetValue(span, out var tangentBuffer) ? tangentBuffer.Name
            : _tangentNames.TryGetValue(span, out var named) ? named : null;

        /// <summary>A zero tangent for a data span passed to a parameter the callee differentiates: pooled, cleared.</summary>
        private Expr ZeroSpan(Expr argument, List<Stmt> output)
        {
            var view = Pooled(argument, "Zeros", output);
            output.Add(new ClearArray(view.Array, view.Length));
            return view;
        }

        private string NewTangentName(string name)
        {
            var tangent = _namer.NewSourceName(DerivativeNames.TangentOf(DerivativeNames.Stem(name)));
            _tangentLocals.Add(tangent);
            return tangent;
        }

        /// <summary>
        /// Whether a tangent expression is finite wherever the primal values are: no quotient by a value, no call of a
        /// function whose partial can be infinite or of a user's method, and only bounded tangent locals and the caller's
        /// directions (never a tangent tape or buffer, which may hold anything).
        /// </summary>
        private bool Bounded(Expr tangent) => _noUnboundedPartials || !Walk.Contains(tangent, x => x switch
        {
            Binary { Op: BinaryOp.Div or BinaryOp.Rem, Right: not Const } => true,
            IR.Call call => Rules.DerivativeRules.MayHaveInfinitePartial(call.Function),
            UserCall => true,
            Var v => _tangentLocals.Contains(v.Name) && !_boundedTangents.Contains(v.Name),
            Elem e => _tangentLocals.Contains(e.Array) || IsTapeTangent(e.Array),
            _ => false,
        });

        private bool IsTapeTangent(string array)
        {
            foreach (var pair in _tangentNames)
            {
                if (pair.Value == array && !_spec.Parameters.Any(p => p.Name == pair.Key))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether statements hold nothing that can make a finite tangent infinite.</summary>
        private static bool BoundedStatements(IEnumerable<Stmt> statements)
        {
            var expressions = new List<Expr>();
            foreach (var s in statements)
            {
                if (s is CallWithGradient or CallBackward or CallWithDerivative || Walk.Blocks(s).Any(b => !BoundedStatements(b.Statements)))
                {
                    return false;
                }

                expressions.AddRange(Walk.AllExpressions(s));
            }

            return !expressions.Any(e => Walk.Contains(e, x => x is Binary { Op: BinaryOp.Div or BinaryOp.Rem, Right: not Const } || x is IR.Call c && Rules.DerivativeRules.MayHaveInfinitePartial(c.Function) || x is UserCall));
        }

        private static bool BoundedLoop(Loop loop) => BoundedStatements(loop.Header.Statements.Concat(loop.Body.Statements));

        /// <summary>The tangent of an expression, from the tangents of the values it reads.</summary>
        private Expr Tangent(Expr e)
        {
            Limits.EnsureStack();
            if (!_activity.IsActive(e))
            {
                return Lit(0, e.Type.IsFloating() ? e.Type : _spec.Scalar);
            }

            switch (e)
            {
                case Var v:
                    return _tangents.TryGetValue(v.Name, out var t) ? t : Lit(0, v.Type);
                case Elem el when _bufferTangents.TryGetValue(el.Array, out var buffer):
                    _readTangentBuffers.Add(buffer.Name);
                    return new Elem(buffer.Name, el.Index, el.Type);
                case Elem el:
                    return new Elem(_tangentNames[el.Array], el.Index, el.Type);
                case Unary { Op: UnaryOp.Neg } neg:
                    return Neg(Tangent(neg.Operand));
                case Unary { Op: UnaryOp.Convert } convert:
                    return Convert(Tangent(convert.Operand), convert.Type);
                case Binary b:
                {
                    var dl = Tangent(b.Left);
                    var dr = Tangent(b.Right);
                    return b.Op switch
                    {
                        BinaryOp.Add => Add(dl, dr),
                        BinaryOp.Sub => Sub(dl, dr),
                        BinaryOp.Mul => Add(Scaled(b.Right, dl, valueFirst: false), Scaled(b.Left, dr, valueFirst: true)),

                        // d(l/r) = dl/r - (l/r) dr/r, reusing the quotient the forward computed.
                        BinaryOp.Div => Sub(Div(dl, b.Right), Div(Scaled(b, dr, valueFirst: true), b.Right)),
                        BinaryOp.Rem => Sub(dl, Mul(Call(KnownFunction.Truncate, b.Type, Div(b.Left, b.Right)), dr)),
                        _ => throw new InvalidOperationException("Unexpected active operator " + b.Op),
                    };
                }

                case IR.Cond { WhenFalse: Const { Value: 0 } } c when Widen(c.Condition) is var widened && !ReferenceEquals(widened, c.Condition):
                    // Forward over reverse through a reverse sweep's gate, bar != 0 ? bar * p : 0 (FINDINGS F36, F37): the
                    // gate only keeps 0 * inf out of the value, which is bar * p on both sides; where bar is zero and its
                    // tangent is not, the tangent is barDot * p, not the zero of the branch not taken.
                    return Cond(widened, Tangent(c.WhenTrue), Lit(0, c.Type));

                case IR.Cond c:
                    return Cond(c.Condition, Tangent(c.WhenTrue), Tangent(c.WhenFalse));
                case IR.Call call:
                {
                    var partials = Rules.DerivativeRules.Partials(call);
                    bool singular = Rules.DerivativeRules.MayHaveInfinitePartial(call.Function);
                    return Sum(call.Args.Select((a, i) => _activity.IsActive(a) ? Chain(partials[i], Tangent(a), singular) : Lit(0, call.Type)), call.Type);
                }

                case UserCall call:
                    return UserCallTangent(call);
                case TupleItem { Tuple: UserCall ruleCall }:
                    // One partial of a multi-argument rule, (double, double) Rule(a, b), in the gradient a second derivative
                    // differentiates: nothing gives the rule method's own derivative (it returns a tuple, so it cannot be
                    // [Differentiable]).
                    _diagnostics.Add(_secondOrder is not null
                        ? DiagnosticInfo.AtSite(DiagnosticDescriptors.SecondOrderUnsupported, ruleCall.Callee.Site, $"The custom rule '{ruleCall.Callee.DisplayName}'", "; a rule returning a tuple of partials cannot be differentiated again: write the function as a [Differentiable] method instead of giving it a rule")
                        : DiagnosticInfo.AtSite(DiagnosticDescriptors.NonDifferentiableCall, ruleCall.Callee.Site, ruleCall.Callee.DisplayName));
                    return Lit(0, e.Type);
                default:
                    throw new InvalidOperationException("Unexpected active expression " + e.GetType().Name);
            }
        }

        /// <summary>
        /// Forward over reverse through a call of another <c>[Differentiable]</c> method: the value's tangent is the
        /// callee's gradient times the arguments' tangents, and the tangents of the callee's partials (its gradient) are
        /// its Hessian times them, from the callee's own generated <c>HessianVectorProduct</c> (one call, direction and
        /// product in a scratch buffer the method rents once).
        /// </summary>
        private void SecondOrderCall(CallWithGradient call, List<Stmt> output)
        {
            var callee = call.Call.Callee;
            if (_secondOrder is null || !_activity.IsActiveVar(call.Name))
            {
                return;
            }

            if (!callee.HasHessian)
            {
                _diagnostics.Add(DiagnosticInfo.AtSite(DiagnosticDescriptors.SecondOrderUnsupported, callee.Site, $"The call of '{callee.Name}'", $"; mark '{callee.Name}' [Differentiable(Hessian = true)] too, so that its Hessian-vector product is generated for this one to call"));
                return;
            }

            var type = call.Call.Type;
            var active = Enumerable.Range(0, call.Call.Args.Count).Where(i => i < callee.Active.Count && callee.Active[i]).ToList();
            int k = active.Count;
            // One scratch buffer serves every call: each call's products are read into locals before the next call.
            var buffer = _secondOrder.ScratchName ??= _namer.NewSourceName("hvpScratch");
            _secondOrder.ScratchLength = Math.Max(_secondOrder.ScratchLength, 2 * k);
            _secondOrder.ScratchType = type;
            var tangents = new List<Expr>();
            for (int j = 0; j < k; j++)
            {
                var tangent = Tangent(call.Call.Args[active[j]]);
                tangents.Add(tangent);
                output.Add(new Store(buffer, Lit(j, ValType.Int), tangent));
            }

            var hvpCallee = callee with { Kind = CalleeKind.Plain, Name = callee.Name + "HessianVectorProduct" };
            var arguments = call.Call.Args
                .Append(new SpanView(buffer, Lit(0, ValType.Int), Lit(k, ValType.Int), type, ReadOnly: true, OverArray: false))
                .Append(new SpanView(buffer, Lit(k, ValType.Int), Lit(k, ValType.Int), type, ReadOnly: false, OverArray: false));
            output.Add(new Invoke(new UserCall(hvpCallee, call.Call.Receiver, arguments.ToEquatableArray(), type)));

            var valueTerms = new List<Expr>();
            for (int j = 0; j < k; j++)
            {
                string partial = call.Partials[active[j]];
                if (partial.Length == 0)
                {
                    continue; // a structural zero: the callee reads the parameter only where no gradient flows
                }

                valueTerms.Add(Mul(new Var(partial, type), tangents[j]));
                var partialDot = new Let(NewTangentName(partial), new Elem(buffer, Lit(k + j, ValType.Int), type));
                output.Add(partialDot);
                _tangents[partial] = partialDot.Ref;
            }

            Define(call.Name, Sum(valueTerms, type), output);
        }

        /// <summary>
        /// Forward over reverse through a call that passes spans: the reverse sweep's <c>MBackward(args, seed, outputs)</c>
        /// adds seed times the callee's gradient g into its outputs, so the outputs' tangents receive seedDot times g (the
        /// callee's Backward again, seeded with the seed's tangent) plus seed times H times the arguments' tangents (the
        /// callee's own HessianVectorProduct, along the arguments' tangents packed in the callee's flattened order into a
        /// pooled direction, its product added back scaled by the seed). The caller's own gradient buffers do not exist
        /// here (their tangents are slices of the product): what the primal call adds into them goes to pooled scratch.
        /// </summary>
        private void SecondOrderSpanCall(CallBackward backward, List<Stmt> output)
        {
            var call = backward.Call;
            var callee = call.Callee;
            if (!callee.HasHessian)
            {
                _diagnostics.Add(DiagnosticInfo.AtSite(DiagnosticDescriptors.SecondOrderUnsupported, callee.Site, $"The call of '{callee.Name}'", $"; mark '{callee.Name}' [Differentiable(Hessian = true)] too, so that its Hessian-vector product is generated for this one to call"));
                return;
            }

            var type = call.Type;
            var arguments = Enumerable.Range(0, call.Args.Count).Where(i => i < callee.Active.Count && callee.Active[i]).Select(i => call.Args[i]).ToList();
            bool ArgumentActive(Expr a) => SpanArguments.Is(a, out var span) ? _activity.IsActiveArray(span) : _activity.IsActive(a);
            bool anyArgument = arguments.Any(ArgumentActive);
            var seedTangent = Tangent(backward.Seed);

            var primal = new List<Expr>();
            var tangents = new List<Expr?>();
            bool primalNeeded = false;
            for (int k = 0; k < backward.Outputs.Count; k++)
            {
                var o = backward.Outputs[k];
                switch (o)
                {
                    case Var v:
                        primal.Add(v);
                        primalNeeded = true;
                        tangents.Add(_tangents.TryGetValue(v.Name, out var vt) && vt is Var ? vt : null);
                        break;
                    case SpanRef r when _secondOrder!.Products.TryGetValue(r.Array, out var slice):
                        primal.Add(Discard(arguments[k], output));
                        tangents.Add(new SpanRef(slice, r.Element));
                        break;
                    case SpanView v when !v.OverArray && _secondOrder!.Products.TryGetValue(v.Array, out var slice):
                        // A part of the caller's gradient span (the callee was passed a part of a span parameter).
                        primal.Add(Discard(arguments[k], output));
                        tangents.Add(SpanArguments.Over(v, slice, readOnly: false));
                        break;
                    case SpanRef r when _bufferTangents.TryGetValue(r.Array, out var tangentBuffer):
                        primal.Add(r);
                        primalNeeded = true;
                        tangents.Add(new SpanRef(tangentBuffer.Name, r.Element));
                        break;
                    case SpanView v when !v.OverArray && _bufferTangents.TryGetValue(v.Array, out var partTangent):
                        // A part of an adjoint buffer (the callee was passed a part of a local buffer).
                        primal.Add(v);
                        primalNeeded = true;
                        tangents.Add(SpanArguments.Over(v, partTangent.Name, readOnly: false));
                        break;
                    default:
                        // Scratch for a data span's gradient, which nothing reads: so is its tangent.
                        primal.Add(o);
                        tangents.Add(null);
                        break;
                }
            }

            if (primalNeeded)
            {
                output.Add(new CallBackward(call, backward.Seed, primal.ToEquatableArray()));
            }

            if (!anyArgument && seedTangent is Const { Value: 0 })
            {
                return;
            }

            if (seedTangent is not Const { Value: 0 })
            {
                var seeded = new List<Expr>();
                for (int k = 0; k < tangents.Count; k++)
                {
                    seeded.Add(tangents[k] ?? (primal[k] is Var ? throw new InvalidOperationException("An adjoint local with no tangent") : primal[k]));
                }

                output.Add(new CallBackward(call, seedTangent, seeded.ToEquatableArray()));
            }

            if (!anyArgument)
            {
                return;
            }

            // The direction: the arguments' tangents in the callee's flattened order (a data span's is zero).
            Expr length = Lit(0, ValType.Int);
            var offsets = new List<Expr>();
            foreach (var a in arguments)
            {
                offsets.Add(length);
                length = Add(length, SpanArguments.Is(a) ? SpanArguments.Length(a) : Lit(1, ValType.Int));
            }

            string stem = char.ToLowerInvariant(callee.Name[0]) + callee.Name.Substring(1);
            var total = new Let(_namer.NewSourceName(stem + "Active"), length);
            output.Add(total);
            var direction = _namer.NewSourceName(stem + "Direction");
            var product = _namer.NewSourceName(stem + "Product");
            output.Add(new RentBuffer(direction, type, total.Ref));
            for (int k = 0; k < arguments.Count; k++)
            {
                var a = arguments[k];
                if (SpanArguments.Is(a, out var span))
                {
                    var counter = new Var(_namer.NewSourceName("k"), ValType.Int);
                    var elementType = SpanArguments.Element(a);
                    string? tangentSpan = TangentSpan(span);
                    Expr element = tangentSpan is null ? Lit(0, elementType) : new Elem(tangentSpan, Add(SpanArguments.Start(a), counter), elementType);
                    output.Add(BuildContext.CountingLoop(counter.Name, SpanArguments.Length(a), new Store(direction, Add(offsets[k], counter), element)));
                }
                else
                {
                    output.Add(new Store(direction, offsets[k], Tangent(a)));
                }
            }

            output.Add(new RentBuffer(product, type, total.Ref));
            var hvpCallee = callee with { Kind = CalleeKind.Plain, Name = callee.Name + "HessianVectorProduct" };
            var hvpArguments = call.Args
                .Append(new SpanRef(direction, type))
                .Append(new SpanRef(product, type));
            output.Add(new Invoke(new UserCall(hvpCallee, call.Receiver, hvpArguments.ToEquatableArray(), type)));

            // The product, scaled by the seed, into the outputs' tangents.
            for (int k = 0; k < tangents.Count; k++)
            {
                switch (tangents[k])
                {
                    case Var t:
                        output.Add(new Accumulate(t.Name, null, Mul(backward.Seed, new Elem(product, offsets[k], type))));
                        break;
                    case Expr t when SpanArguments.Is(t, out var target):
                    {
                        var counter = new Var(_namer.NewSourceName("k"), ValType.Int);
                        output.Add(BuildContext.CountingLoop(counter.Name, SpanArguments.Length(arguments[k]), new Accumulate(target, Add(SpanArguments.Start(t), counter), Mul(backward.Seed, new Elem(product, Add(offsets[k], counter), type)))));
                        break;
                    }
                }
            }
        }

        /// <summary>Pooled scratch with the length of a span argument, for what a call adds where nothing reads it.</summary>
        private Expr Discard(Expr argument, List<Stmt> output) => Pooled(argument, "Discarded", output);

        /// <summary>A pooled buffer with the length of a span argument (not cleared), rented where the call is.</summary>
        private SpanView Pooled(Expr argument, string suffix, List<Stmt> output)
        {
            SpanArguments.Is(argument, out var span);
            var element = SpanArguments.Element(argument);
            var length = SpanArguments.Length(argument);
            var name = _namer.NewSourceName(span + suffix);
            output.Add(new RentBuffer(name, element, length));
            return SpanView.Scratch(name, length, element);
        }

        private Expr UserCallTangent(UserCall call)
        {
            if (call.Callee.Kind == CalleeKind.Differentiable)
            {
                _diagnostics.Add(DiagnosticInfo.AtSite(DiagnosticDescriptors.UnsupportedConstruct, call.Callee.Site, $"Calling '{call.Callee.Name}' inside a conditional expression", "; use if/else or assign the call to a local first"));
                return Lit(0, call.Type);
            }

            var rule = Rules.CustomRules.Find(_rules, call, _spec, _diagnostics, out bool reported);
            if (reported)
            {
                return Lit(0, call.Type);
            }

            if (rule is null && _secondOrder is not null)
            {
                _diagnostics.Add(DiagnosticInfo.AtSite(DiagnosticDescriptors.SecondOrderUnsupported, call.Callee.Site, $"The custom rule '{call.Callee.DisplayName}'", "; mark the rule method [Differentiable] so its own derivative can be generated"));
                return Lit(0, call.Type);
            }

            if (rule is null)
            {
                _diagnostics.Add(DiagnosticInfo.AtSite(DiagnosticDescriptors.NonDifferentiableCall, call.Callee.Site, call.Callee.DisplayName));
                return Lit(0, call.Type);
            }

            var partials = Rules.CustomRules.Partials(rule, call);
            return Sum(call.Args.Select((a, i) => _activity.IsActive(a) ? Chain(partials[i], Tangent(a)) : Lit(0, call.Type)), call.Type);
        }
    }
}

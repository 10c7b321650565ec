using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SymDiff.Generator.Analysis;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using SymDiff.Generator.Simplification;
using static SymDiff.Generator.Simplification.Ir;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>The result of reverse-mode differentiation of one function.</summary>
    /// <param name="Forward">The primal computation (calls of differentiable methods replaced by their value-and-gradient form).</param>
    /// <param name="Reverse">The adjoint computation; accumulates into gradient buffers.</param>
    /// <param name="Value">The function's value, in scope after <see cref="Forward"/>.</param>
    /// <param name="ScalarAdjoints">For each active scalar parameter, its adjoint, in scope after <see cref="Reverse"/>.</param>
    internal sealed record ReverseSweep(Block Forward, Block Reverse, Expr? Value, EquatableArray<NamedExpr> ScalarAdjoints)
    {
        /// <summary>The retained outputs <see cref="Reverse"/> writes unconditionally (at its top level).</summary>
        public IReadOnlyCollection<string> RetainedAlways { get; init; } = Array.Empty<string>();

        /// <summary>The retained outputs <see cref="Reverse"/> writes only on some paths (inside a branch).</summary>
        public IReadOnlyCollection<string> RetainedSometimes { get; init; } = Array.Empty<string>();

        /// <summary>
        /// The adjoints the sweep names. A condition <c>bar != 0</c> on one of them gates a contribution proportional to it
        /// (a liveness gate); forward over reverse widens it to <c>bar != 0 || barDot != 0</c> (FINDINGS F37).
        /// </summary>
        public IReadOnlyCollection<string> Adjoints { get; init; } = Array.Empty<string>();

        /// <summary>
        /// The adjoints whose liveness is their own run-time value (<c>bar != 0</c>): zero by construction where they are
        /// zero, because the path the run took does not reach the result through them (FINDINGS F57).
        /// </summary>
        public IReadOnlyCollection<string> LiveByValue { get; init; } = Array.Empty<string>();
    }

    /// <summary>A name and an expression.</summary>
    internal sealed record NamedExpr(string Name, Expr Value);

    /// <summary>
    /// Reverse mode on structured SSA. Walks the forward IR backwards, keeping adjoints symbolic
    /// (<see cref="Adjoints"/>) and writing one adjoint let per active forward value that has more than one use.
    /// A branch's reverse is a branch on the same condition whose phis carry the contributions to values defined
    /// before it; a value the reverse branch reads from the forward branch is hoisted later by scope repair,
    /// never recomputed.
    /// </summary>
    internal sealed partial class ReverseDifferentiator
    {
        private readonly MethodSpec _spec;
        private readonly Activity _activity;
        private readonly Namer _namer;
        private readonly Expr _seed;
        private readonly IReadOnlyList<RuleSpec> _rules;
        private readonly Dictionary<string, ValType> _types = new Dictionary<string, ValType>(StringComparer.Ordinal);
        private readonly Dictionary<string, EquatableArray<string>> _partials = new Dictionary<string, EquatableArray<string>>(StringComparer.Ordinal);
        private readonly IReadOnlyDictionary<string, string> _gradientNames;

        private readonly ISet<string> _keep;
        private ISet<Expr> _frozen = new HashSet<Expr>();

        private ReverseDifferentiator(MethodSpec spec, Activity activity, Namer namer, Expr seed, IReadOnlyDictionary<string, string> gradientNames, IReadOnlyList<RuleSpec> rules, ISet<string> keep)
        {
            _gradientNames = gradientNames;
            _keep = keep;
            _spec = spec;
            _activity = activity;
            _namer = namer;
            _seed = seed;
            _rules = rules;
            foreach (var p in spec.Parameters.Where(p => p.Shape == ParamShape.Scalar))
            {
                _types[p.Name] = p.ElementType;
            }
        }

        /// <summary>Differentiates <paramref name="body"/> in reverse mode, the result's adjoint starting at <paramref name="seed"/>.</summary>
        /// <param name="outputSeed">For a vector function, the seed span (the adjoint of each output element).</param>
        /// <param name="outputAdjoint">For a vector function that reads its output, the adjoint buffer (a copy of the seed) that reads add into.</param>
        /// <param name="retained">For the retained methods: each retained let's name to the output that receives its adjoint.</param>
        public static ReverseSweep Differentiate(MethodSpec spec, Block body, Activity activity, Namer namer, Expr seed, IReadOnlyDictionary<string, string> gradientNames, IReadOnlyList<RuleSpec> rules, ISet<string> keep, List<DiagnosticInfo> diagnostics, string? outputSeed = null, string? outputAdjoint = null, IReadOnlyDictionary<string, string>? retained = null)
        {
            var d = new ReverseDifferentiator(spec, activity, namer, seed, gradientNames, rules, keep) { _retained = retained };
            try
            {
                return d.Run(body, outputSeed, outputAdjoint);
            }
            finally
            {
                // What the sweep reported, once: a loop plan's dropped attempt is not in the final state.
                diagnostics.AddRange(d._state.Diagnostics);
            }
        }

        private ReverseSweep Run(Block body, string? outputSeed, string? outputAdjoint)
        {
            CollectTypes(body);
            _frozen = Simplifier.Subexpressions(body);
            foreach (var p in _spec.Parameters.Where(p => p.Shape == ParamShape.OutputSpan))
            {
                _outputs.Add(p.Name);
                _outputSeed = outputSeed;
                _outputAdjoint = outputAdjoint;
            }
            AllocateBufferAdjoints(body);
            AssignPartials(body);
            var defined = new HashSet<string>(_spec.Parameters.Select(p => p.Name), StringComparer.Ordinal);
            ComputeScopes(body, defined);
            ComputeWritesAfter(body, new HashSet<string>(StringComparer.Ordinal));
            MarkGuardedCallsAfter(body, after: false);
            var adjoints = new Adjoints();
            var reverse = new List<Stmt>();
            ReverseStatements(body.Statements, adjoints, reverse);
            FlushElements(adjoints, reverse);

            // The forward sweep last: the loops' plans (fusion, tapes) are known by now.
            var forwardBlock = ForwardBlock(body, out var value);
            var forward = new Block(_state.TopLevelBuffers.Concat(forwardBlock.Statements).ToEquatableArray());
            var scalars = _spec.Parameters
                .Where(p => p.Active && p.Shape == ParamShape.Scalar)
                .Select(p => new NamedExpr(p.Name, adjoints.Take(p.Name, p.ElementType)))
                .ToEquatableArray();
            return new ReverseSweep(forward, new Block(reverse.ToEquatableArray()), value, scalars) { RetainedAlways = _state.RetainedAlways, RetainedSometimes = _state.RetainedSometimes, Adjoints = _state.AdjointNames, LiveByValue = LiveByValue() };
        }

        private IReadOnlyDictionary<string, string>? _retained;

        private void CollectTypes(Block block)
        {
            foreach (var s in block.Statements)
            {
                switch (s)
                {
                    case Let let:
                        _types[let.Name] = let.Type;
                        break;
                    case If branch:
                        CollectTypes(branch.Then);
                        CollectTypes(branch.Else);
                        foreach (var phi in branch.Phis)
                        {
                            _types[phi.Name] = phi.Type;
                        }

                        break;
                    case Loop loop:
                        foreach (var v in loop.Carried)
                        {
                            _types[v.Name] = v.Type;
                        }

                        CollectTypes(loop.Header);
                        CollectTypes(loop.Body);
                        break;
                }
            }
        }

        /// <summary>The forward sweep: the primal statements, with each active call of a differentiable method computing its partials too.</summary>
        private Block ForwardBlock(Block block, out Expr? value)
        {
            value = null;
            var output = new List<Stmt>();
            foreach (var s in block.Statements)
            {
                switch (s)
                {
                    case Return ret:
                        value = ret.Value;
                        break;
                    case Let { Value: UserCall { Callee.Kind: CalleeKind.Differentiable } call } let when _partials.TryGetValue(let.Name, out var partials):
                        output.Add(new CallWithGradient(let.Name, call, partials));
                        break;
                    case If branch:
                        output.Add(new If(branch.Condition, ForwardBlock(branch.Then, out _), ForwardBlock(branch.Else, out _), branch.Phis));
                        break;
                    case Loop loop when _state.Plans.TryGetValue(loop, out var plan):
                        output.AddRange(plan.PreLoop);
                        output.Add(loop with
                        {
                            Carried = loop.Carried.Concat(plan.ExtraCarried).ToEquatableArray(),
                            Header = ForwardBlock(loop.Header, out _),
                            Body = new Block(plan.BodyPrefix.Concat(ForwardBlock(loop.Body, out _).Statements).Concat(plan.BodySuffix).ToEquatableArray()),
                        });
                        output.AddRange(plan.PostLoop);
                        break;
                    case Loop loop:
                        output.Add(loop with { Header = ForwardBlock(loop.Header, out _), Body = ForwardBlock(loop.Body, out _) });
                        break;
                    default:
                        output.Add(s);
                        break;
                }
            }

            return new Block(output.ToEquatableArray());
        }

        /// <summary>Names the partials of every call of a differentiable method that receives an active argument.</summary>
        private void AssignPartials(Block block)
        {
            foreach (var s in block.Statements)
            {
                if (s is Let { Value: UserCall { Callee.Kind: CalleeKind.Differentiable } call } let && call.Args.Any(_activity.IsActive) && !call.Args.Any(SpanArguments.Is))
                {
                    CallWithPartials(let.Name, call);
                }

                foreach (var nested in Walk.Blocks(s))
                {
                    AssignPartials(nested);
                }
            }
        }

        private Stmt CallWithPartials(string name, UserCall call)
        {
            var names = new string[call.Args.Count];
            for (int i = 0; i < names.Length; i++)
            {
                bool calleeActive = i < call.Callee.Active.Count && call.Callee.Active[i];
                if (!calleeActive || !call.Callee.MayInfluence(i))
                {
                    // A parameter the callee reads only where no gradient flows has a structural zero partial (F21); a cut
                    // argument's SD1005 comes from activity analysis (Activity.CutArguments), once for every mode.
                    names[i] = string.Empty;
                    continue;
                }

                names[i] = _namer.NewSourceName(DerivativeNames.Partial(name, call.Callee.ParameterNames[i]));
                _types[names[i]] = call.Type;
            }

            var partials = names.ToEquatableArray();
            _partials[name] = partials;
            return new CallWithGradient(name, call, partials);
        }

        private void ReverseStatements(IReadOnlyList<Stmt> statements, Adjoints adjoints, List<Stmt> reverse)
        {
            for (int i = statements.Count - 1; i >= 0; i--)
            {
                switch (statements[i])
                {
                    case Return ret:
                        Backprop(ret.Value, _seed, adjoints, reverse);
                        break;
                    case Let let:
                        ReverseLet(let, adjoints, reverse);
                        break;
                    case If branch:
                        ReverseIf(branch, adjoints, reverse);
                        break;
                    case Loop loop:
                        ReverseLoop(loop, adjoints, reverse);
                        break;
                    case Store store:
                        ReverseStore(store, adjoints, reverse);
                        break;
                    case RentBuffer or ClearBuffer or ClearArray:
                        ReverseBufferStatement(statements[i], _bufferAdjoints, reverse);
                        break;
                    default:
                        throw new InvalidOperationException("Unexpected statement in reverse mode: " + statements[i].GetType().Name);
                }
            }
        }

        private void ReverseLet(Let let, Adjoints adjoints, List<Stmt> reverse)
        {
            var adjoint = adjoints.Take(let.Name, let.Type);
            if (IsZero(adjoint) || !_activity.IsActiveVar(let.Name))
            {
                return;
            }

            if (_retained is not null && _retained.TryGetValue(let.Name, out var retainedOutput))
            {
                // A retained local: its adjoint, complete here, is also an output (PyTorch's a.grad after retain_grad()).
                adjoint = Materialize(let.Name, adjoint, reverse, uses: 2);
                reverse.Add(new SetOutput(retainedOutput, adjoint));
                (_nesting == 0 ? _state.RetainedAlways : _state.RetainedSometimes).Add(retainedOutput);
            }

            if (let.Value is UserCall { Callee.Kind: CalleeKind.Differentiable } spanCall && spanCall.Args.Any(SpanArguments.Is))
            {
                ReverseSpanCall(let, spanCall, adjoint, adjoints, reverse);
                return;
            }

            if (let.Value is UserCall { Callee.Kind: CalleeKind.Differentiable } call && _partials.TryGetValue(let.Name, out var partials))
            {
                adjoint = Materialize(let.Name, adjoint, reverse, uses: partials.Count(p => p.Length > 0));
                for (int i = 0; i < call.Args.Count; i++)
                {
                    if (partials[i].Length > 0)
                    {
                        Backprop(call.Args[i], Scale(adjoint, new Var(partials[i], let.Type)), adjoints, reverse);
                    }
                }

                return;
            }

            adjoint = Materialize(let.Name, adjoint, reverse, uses: CountActiveUses(let.Value));
            if (let.Value is IR.Call known && _activity.IsActive(known))
            {
                BackpropCall(known, adjoint, adjoints, reverse, let.Ref);
                return;
            }

            Backprop(let.Value, adjoint, adjoints, reverse);
        }

        private void ReverseIf(If branch, Adjoints adjoints, List<Stmt> reverse)
        {
            var thenAdjoints = new Adjoints();
            var elseAdjoints = new Adjoints();
            var thenReverse = new List<Stmt>();
            var elseReverse = new List<Stmt>();
            foreach (var phi in branch.Phis)
            {
                var adjoint = adjoints.Take(phi.Name, phi.Type);
                if (IsZero(adjoint) || !_activity.IsActiveVar(phi.Name))
                {
                    continue;
                }

                adjoint = Materialize(phi.Name, adjoint, reverse, uses: 2);
                Backprop(phi.WhenTrue, adjoint, thenAdjoints, thenReverse);
                Backprop(phi.WhenFalse, adjoint, elseAdjoints, elseReverse);
            }

            _nesting++;
            ReverseStatements(branch.Then.Statements, thenAdjoints, thenReverse);
            ReverseStatements(branch.Else.Statements, elseAdjoints, elseReverse);
            FlushElements(thenAdjoints, thenReverse);
            FlushElements(elseAdjoints, elseReverse);
            _nesting--;

            // What is left are contributions to values defined before the branch: they leave through phis.
            var phis = new List<Phi>();
            foreach (var name in thenAdjoints.Names.Concat(elseAdjoints.Names).Distinct().ToList())
            {
                var type = _types[name];
                var fromThen = thenAdjoints.Take(name, type);
                var fromElse = elseAdjoints.Take(name, type);
                if (fromThen.Equals(fromElse))
                {
                    // The same either way (an accumulation on both paths): no branch needed for it.
                    adjoints.Add(name, fromThen);
                    continue;
                }

                var phi = new Phi(_namer.NewSourceName(DerivativeNames.Adjoint(Stem(name))), type, fromThen, fromElse);
                RecordLiveness(phi.Name, type, branch.Condition, fromThen, fromElse);
                _state.AdjointNames.Add(phi.Name);
                _types[phi.Name] = type;
                phis.Add(phi);
                adjoints.Add(name, phi.Ref);
            }

            if (thenReverse.Count > 0 || elseReverse.Count > 0 || phis.Count > 0)
            {
                reverse.Add(new If(branch.Condition, new Block(thenReverse.ToEquatableArray()), new Block(elseReverse.ToEquatableArray()), phis.ToEquatableArray()));
            }
        }

        /// <summary>
        /// Adds the contributions of <paramref name="e"/>'s operands, given that <paramref name="adjoint"/> is the
        /// adjoint of its value.
        /// </summary>
        private void Backprop(Expr e, Expr adjoint, Adjoints adjoints, List<Stmt> reverse)
        {
            Limits.EnsureStack();
            if (IsZero(adjoint) || !_activity.IsActive(e))
            {
                return;
            }

            switch (e)
            {
                case Var v:
                    adjoints.Add(v.Name, adjoint);
                    break;

                case Elem element when _outputAdjoint is not null && _outputs.Contains(element.Array):
                    // A read of the output span: its adjoint goes into the output's adjoint buffer at once, in order
                    // with the stores around it.
                    reverse.Add(new Accumulate(_outputAdjoint, element.Index, adjoint));
                    break;

                case Elem element when _bufferAdjoints.TryGetValue(element.Array, out var bufferAdjoint):
                    // A read of a local buffer: like a read of the output, at once, in order with the stores around it.
                    reverse.Add(new Accumulate(bufferAdjoint.Name, element.Index, adjoint));
                    break;

                case Elem element:
                    adjoints.AddElement(element, adjoint);
                    break;

                case Unary { Op: UnaryOp.Neg } neg:
                    Backprop(neg.Operand, Neg(adjoint), adjoints, reverse);
                    break;

                case Unary { Op: UnaryOp.Convert } convert:
                    Backprop(convert.Operand, Convert(adjoint, convert.Operand.Type), adjoints, reverse);
                    break;

                case Binary b:
                    BackpropBinary(b, adjoint, adjoints, reverse);
                    break;

                case IR.Cond c:
                    BackpropConditional(c, adjoint, adjoints, reverse);
                    break;

                case IR.Call call:
                    BackpropCall(call, adjoint, adjoints, reverse, value: null);
                    break;

                case UserCall call:
                    BackpropUserCall(call, adjoint, adjoints, reverse);
                    break;

                default:
                    throw new InvalidOperationException("Unexpected active expression " + e.GetType().Name);
            }
        }

        /// <param name="value">The local that holds the call's value, if any: a partial that is written with the call
        /// (<c>Tanh'(a) = 1 - tanh(a)^2</c>, <c>Exp'</c>, <c>Sqrt'</c>) reads it instead of calling again, so a reverse
        /// sweep that reads the value back from a buffer (<see cref="ReadBackStored"/>) does not recompute it.</param>
        private void BackpropCall(IR.Call call, Expr adjoint, Adjoints adjoints, List<Stmt> reverse, Expr? value)
        {
            var partials = Rules.DerivativeRules.Partials(call);
            bool singular = Rules.DerivativeRules.MayHaveInfinitePartial(call.Function);
            adjoint = Materialize("t", adjoint, reverse, uses: call.Args.Count(_activity.IsActive));
            for (int i = 0; i < call.Args.Count; i++)
            {
                var partial = value is null ? partials[i] : Walk.Transform(partials[i], x => x.Equals(call) ? value : x);
                Backprop(call.Args[i], singular ? Scale(adjoint, partial) : Mul(adjoint, partial), adjoints, reverse);
            }
        }

        private void BackpropBinary(Binary b, Expr adjoint, Adjoints adjoints, List<Stmt> reverse)
        {
            bool leftActive = _activity.IsActive(b.Left);
            bool rightActive = _activity.IsActive(b.Right);
            if (leftActive && rightActive)
            {
                adjoint = Materialize("t", adjoint, reverse, uses: 2);
            }

            switch (b.Op)
            {
                case BinaryOp.Add:
                    Backprop(b.Left, adjoint, adjoints, reverse);
                    Backprop(b.Right, adjoint, adjoints, reverse);
                    break;
                case BinaryOp.Sub:
                    Backprop(b.Left, adjoint, adjoints, reverse);
                    Backprop(b.Right, Neg(adjoint), adjoints, reverse);
                    break;
                case BinaryOp.Mul:
                    Backprop(b.Left, Mul(adjoint, b.Right), adjoints, reverse);
                    if (!(leftActive && Testing.FaultInjection.Is(Testing.Fault.MulDropsRightTerm)))
                    {
                        Backprop(b.Right, Mul(adjoint, b.Left), adjoints, reverse);
                    }

                    break;
                case BinaryOp.Div:
                    // d(l/r)/dl = 1/r; d(l/r)/dr = -(l/r)/r, reusing the quotient the forward sweep computed. Both are
                    // infinite at r = 0: an adjoint that is zero by construction there (a branch that skips the quotient,
                    // `b == 0 ? 0 : a / b`) sends nothing back, not 0 / 0.
                    if (b.Right is Const)
                    {
                        Backprop(b.Left, Div(adjoint, b.Right), adjoints, reverse);
                        break;
                    }

                    Backprop(b.Left, Scale(adjoint, a => Div(a, b.Right), pathOnly: true), adjoints, reverse);
                    if (rightActive)
                    {
                        Backprop(b.Right, Scale(adjoint, a => Neg(Div(Mul(a, b), b.Right)), pathOnly: true), adjoints, reverse);
                    }

                    break;
                case BinaryOp.Rem:
                    // x % y = x - trunc(x / y) * y: d/dx = 1, d/dy = -trunc(x / y), infinite at y = 0 (gated as a quotient's).
                    Backprop(b.Left, adjoint, adjoints, reverse);
                    Backprop(b.Right, Scale(adjoint, a => Neg(Mul(a, Call(KnownFunction.Truncate, b.Type, Div(b.Left, b.Right)))), pathOnly: true), adjoints, reverse);
                    break;
                default:
                    throw new InvalidOperationException("Unexpected active operator " + b.Op);
            }
        }

        /// <summary><c>c ? a : b</c>: the adjoint goes to the operand that was chosen, as a conditional expression.</summary>
        private void BackpropConditional(IR.Cond c, Expr adjoint, Adjoints adjoints, List<Stmt> reverse)
        {
            var whenTrue = new Adjoints();
            var whenFalse = new Adjoints();
            var trueReverse = new List<Stmt>();
            var falseReverse = new List<Stmt>();
            Backprop(c.WhenTrue, adjoint, whenTrue, trueReverse);
            Backprop(c.WhenFalse, adjoint, whenFalse, falseReverse);
            FlushElements(whenTrue, trueReverse);
            FlushElements(whenFalse, falseReverse);
            foreach (var name in whenTrue.Names.Concat(whenFalse.Names).Distinct().ToList())
            {
                var type = _types[name];
                adjoints.Add(name, Cond(c.Condition, whenTrue.Take(name, type), whenFalse.Take(name, type)));
            }

            if (trueReverse.Count > 0 || falseReverse.Count > 0)
            {
                reverse.Add(new If(c.Condition, new Block(trueReverse.ToEquatableArray()), new Block(falseReverse.ToEquatableArray()), EquatableArray<Phi>.Empty));
            }
        }

        private void BackpropUserCall(UserCall call, Expr adjoint, Adjoints adjoints, List<Stmt> reverse)
        {
            if (call.Callee.Kind == CalleeKind.Differentiable)
            {
                // Reached only for a call nested inside a conditional expression: the lifting pass leaves those in place.
                _state.Diagnostics.Add(DiagnosticInfo.AtSite(DiagnosticDescriptors.UnsupportedConstruct, call.Callee.Site, $"Calling '{call.Callee.Name}' inside a conditional expression", "; use if/else or assign the call to a local first"));
                return;
            }

            var rule = Rules.CustomRules.Find(_rules, call, _spec, _state.Diagnostics, out bool reported);
            if (rule is null && !reported)
            {
                _state.Diagnostics.Add(DiagnosticInfo.AtSite(DiagnosticDescriptors.NonDifferentiableCall, call.Callee.Site, call.Callee.DisplayName));
                return;
            }

            if (rule is null)
            {
                return;
            }

            // A custom rule returns the derivative (one argument) or a tuple of partials in argument order.
            var partials = Rules.CustomRules.Partials(rule, call);
            adjoint = Materialize("t", adjoint, reverse, uses: call.Args.Count(_activity.IsActive));
            for (int i = 0; i < call.Args.Count; i++)
            {
                Backprop(call.Args[i], Scale(adjoint, partials[i]), adjoints, reverse);
            }
        }

        private readonly HashSet<string> _outputs = new HashSet<string>(StringComparer.Ordinal);
        private string? _outputSeed;
        private string? _outputAdjoint;

        /// <summary>
        /// The reverse of <c>y[i] = v</c>: <c>v</c> receives the adjoint of <c>y[i]</c>. With no read of the output
        /// that is <c>seed[i]</c>; otherwise the output's adjoint buffer holds it, and the store zeroes it (the
        /// element's earlier value is overwritten, so nothing flows further back through it).
        /// </summary>
        private void ReverseStore(Store store, Adjoints adjoints, List<Stmt> reverse)
        {
            if (ReverseBufferStore(store, adjoints, reverse))
            {
                return;
            }

            if (!_outputs.Contains(store.Array) || _outputSeed is null)
            {
                return;
            }

            var type = store.Value.Type;
            if (_outputAdjoint is null)
            {
                Backprop(store.Value, new Elem(_outputSeed, store.Index, type), adjoints, reverse);
                return;
            }

            var taken = new Let(_namer.NewSourceName(DerivativeNames.Adjoint(store.Array)), new Elem(_outputAdjoint, store.Index, type));
            _types[taken.Name] = type;
            _state.AdjointNames.Add(taken.Name);
            reverse.Add(taken);
            Record(taken.Name, new Binary(BinaryOp.Ne, taken.Ref, Lit(0, type), ValType.Bool));
            reverse.Add(new Store(_outputAdjoint, store.Index, Lit(0, type)));
            Backprop(store.Value, taken.Ref, adjoints, reverse);
        }

        /// <summary>
        /// A call with span arguments: the callee's own Backward adds into a span gradient buffer directly (the
        /// caller's, when the caller passes its own active span straight through; pooled scratch for data) and
        /// into scalar adjoint locals, which then flow on to the scalar arguments.
        /// </summary>
        private void ReverseSpanCall(Let let, UserCall call, Expr adjoint, Adjoints adjoints, List<Stmt> reverse)
        {
            var outputs = new List<Expr>();
            var scalarAdjoints = new List<(Expr Argument, Var Adjoint)>();
            for (int i = 0; i < call.Args.Count; i++)
            {
                bool calleeActive = i < call.Callee.Active.Count && call.Callee.Active[i];
                var arg = call.Args[i];
                if (!calleeActive)
                {
                    continue; // SD1005 for it: Activity.CutArguments
                }

                if (SpanArguments.Is(arg, out var span))
                {
                    outputs.Add(!_activity.IsActiveArray(span) ? Scratch(arg)
                        : _bufferAdjoints.TryGetValue(span, out var adjointBuffer) ? SpanArguments.Over(arg, adjointBuffer.Name, readOnly: false) // a local buffer's adjoint buffer
                        : _gradientNames.TryGetValue(span, out var gradient) ? SpanArguments.Over(arg, gradient, readOnly: false) : Scratch(arg));
                    continue;
                }

                var local = new Var(_namer.NewSourceName(DerivativeNames.Partial(let.Name, call.Callee.ParameterNames[i])), arg.Type);
                _types[local.Name] = arg.Type;
                reverse.Add(new Declare(local.Name, arg.Type));
                outputs.Add(local);
                if (call.Callee.MayInfluence(i))
                {
                    scalarAdjoints.Add((arg, local)); // else a structural zero: the parameter never reaches the callee's result
                }
            }

            // Where the seed is zero because no output it would carry is part of the objective (a row of GJacobian), the
            // callee's backward does not run: its partials may be infinite, and 0 * inf inside it would be NaN (FINDINGS F34).
            var backward = new CallBackward(call, adjoint, outputs.ToEquatableArray());
            var live = LiveWhen(adjoint);
            if (live is null || live is Const { Value: not 0 })
            {
                reverse.Add(backward);
            }
            else if (live is not Const)
            {
                reverse.Add(new If(live, Block.Of(backward), Block.Empty, EquatableArray<Phi>.Empty));
            }

            foreach (var (argument, local) in scalarAdjoints)
            {
                Backprop(argument, local, adjoints, reverse);
            }
        }

        /// <summary>A pooled buffer with the length of a data span (or of the constant-length part passed), rented once at the top of the method.</summary>
        private Expr Scratch(Expr argument)
        {
            SpanArguments.Is(argument, out var span);
            var element = SpanArguments.Element(argument);
            var name = _namer.NewSourceName(span + "Scratch");
            // Rented before any local buffer: the source's length, or the part's where that is a constant.
            var length = argument is SpanView { Length: Const } constantPart ? constantPart.Length
                : _bufferLengths.TryGetValue(span, out var bufferLength) ? bufferLength : new Len(span);
            // A small constant length goes on the stack (not zeroed: nothing reads what the callee adds into it).
            _state.TopLevelBuffers.Add(new RentBuffer(name, element, length) { OnStack = RentBuffer.FitsOnStack(length, element) });
            // Passed whole where it is as long as the argument (not centersScratch.Slice(0, 2) of a scratch of 2).
            return argument is SpanView { Length: not Const } part ? SpanView.Scratch(name, part.Length, element) : new SpanRef(name, element);
        }

        /// <summary>Writes a region's pending contributions to gradient-buffer elements, one accumulation per element.</summary>
        private void FlushElements(Adjoints adjoints, List<Stmt> reverse)
        {
            foreach (var (element, sum) in adjoints.TakeElements())
            {
                reverse.Add(new Accumulate(_gradientNames[element.Array], element.Index, sum));
            }
        }

        /// <summary>
        /// Names an adjoint that is about to be used more than once (<c>xBar</c>), so it is computed once.
        /// Atomic adjoints and adjoints used once are left inline.
        /// </summary>
        private Expr Materialize(string stem, Expr adjoint, List<Stmt> reverse, int uses)
        {
            // An adjoint made only of forward values (the seed is 1) is shared by common-subexpression elimination
            // anyway; naming it "xBar" would only mislabel a forward value. Large ones are named to bound expression size.
            // A long chain of single uses (a seed times a thousand factors) is named too, so no adjoint grows without bound.
            if (IsAtomic(adjoint) || (SizeAtMost(adjoint, 24) && (uses < 2 || (!ReadsAdjoint(adjoint) && SizeAtMost(adjoint, 12)))))
            {
                return adjoint;
            }

            var name = _namer.NewSourceName(DerivativeNames.Adjoint(Stem(stem)));
            _state.AdjointNames.Add(name);
            _state.Materialized[name] = adjoint;
            Record(name, LiveWhen(adjoint));
            _types[name] = adjoint.Type;
            reverse.Add(new Let(name, adjoint));
            return new Var(name, adjoint.Type);
        }

        private bool ReadsAdjoint(Expr e)
        {
            bool found = false;
            Walk.Vars(e, name => found |= _state.AdjointNames.Contains(name) || (_seed is Var s && s.Name == name));
            return found;
        }

        /// <summary>Whether <paramref name="e"/> has at most <paramref name="limit"/> nodes; stops counting past the limit.</summary>
        private static bool SizeAtMost(Expr e, int limit)
        {
            int count = 0;
            var pending = new Stack<Expr>();
            pending.Push(e);
            while (pending.Count > 0)
            {
                if (++count > limit)
                {
                    return false;
                }

                foreach (var c in Walk.Children(pending.Pop()))
                {
                    pending.Push(c);
                }
            }

            return true;
        }

        private int CountActiveUses(Expr e) => e switch
        {
            _ when !_activity.IsActive(e) => 0,
            Var or Elem => 1,
            Unary u => CountActiveUses(u.Operand),
            Binary b => CountActiveUses(b.Left) + CountActiveUses(b.Right) + (b.Op == BinaryOp.Div && _activity.IsActive(b.Right) ? 1 : 0),
            IR.Cond c => CountActiveUses(c.WhenTrue) + CountActiveUses(c.WhenFalse),
            IR.Call c => c.Args.Sum(CountActiveUses),
            UserCall c => c.Args.Sum(CountActiveUses),
            _ => 1,
        };

        /// <summary>The user's name without an SSA version suffix (<see cref="DerivativeNames.Stem"/>).</summary>
        /// <remarks>Kept for <c>ForwardDifferentiator</c> and <c>Scheduler.Naming</c>, which call it by this name.</remarks>
        internal static string Stem(string name) => DerivativeNames.Stem(name);

    }
}

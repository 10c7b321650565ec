using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Simplification;
using static SymDiff.Generator.Simplification.Ir;

namespace SymDiff.Generator.Differentiation
{
    internal sealed partial class ReverseDifferentiator
    {
        private readonly Dictionary<Loop, HashSet<string>> _definedBefore = new Dictionary<Loop, HashSet<string>>(ReferenceComparer.Instance);
        private bool _fusionAllowed = true;
        private int _nesting;

        /// <summary>For every loop, the buffers written after it (later in the method, or in a later iteration of an enclosing loop).</summary>
        private readonly Dictionary<Loop, HashSet<string>> _writtenAfter = new Dictionary<Loop, HashSet<string>>(ReferenceComparer.Instance);

        /// <summary>
        /// Records, for every loop, the buffers written after it: a fused loop's adjoint constants are computed before it,
        /// so they may not read a buffer whose values are written later (FINDINGS F64).
        /// </summary>
        private void ComputeWritesAfter(Block block, HashSet<string> later)
        {
            for (int k = block.Statements.Count - 1; k >= 0; k--)
            {
                var s = block.Statements[k];
                switch (s)
                {
                    case If branch:
                        ComputeWritesAfter(branch.Then, new HashSet<string>(later, StringComparer.Ordinal));
                        ComputeWritesAfter(branch.Else, new HashSet<string>(later, StringComparer.Ordinal));
                        break;
                    case Loop loop:
                        _writtenAfter[loop] = new HashSet<string>(later, StringComparer.Ordinal);
                        var inner = new HashSet<string>(later, StringComparer.Ordinal);
                        inner.UnionWith(Walk.WrittenBuffers(loop));
                        ComputeWritesAfter(loop.Header, new HashSet<string>(inner, StringComparer.Ordinal));
                        ComputeWritesAfter(loop.Body, inner);
                        break;
                }

                later.UnionWith(Walk.WrittenBuffers(s));
            }
        }

        /// <summary>Records, for every loop, the names defined before it (where a fused loop's adjoint constants may be computed).</summary>
        private void ComputeScopes(Block block, HashSet<string> defined)
        {
            foreach (var s in block.Statements)
            {
                switch (s)
                {
                    case If branch:
                        ComputeScopes(branch.Then, new HashSet<string>(defined, StringComparer.Ordinal));
                        ComputeScopes(branch.Else, new HashSet<string>(defined, StringComparer.Ordinal));
                        break;
                    case Loop loop:
                        _definedBefore[loop] = new HashSet<string>(defined, StringComparer.Ordinal);
                        var inner = new HashSet<string>(defined, StringComparer.Ordinal);
                        inner.UnionWith(loop.Carried.Select(v => v.Name));
                        ComputeScopes(loop.Header, inner);
                        ComputeScopes(loop.Body, inner);
                        break;
                }

                defined.UnionWith(Walk.Defines(s));
            }
        }

        /// <summary>
        /// Records the loops after which a call of a callee with argument checks may still run (later in the method, or
        /// in a later iteration of an enclosing loop). Such a loop's reverse sweep is not fused into it: Backward would
        /// add into the gradient before the call throws, where the user's method throws before any backward runs
        /// (FINDINGS F49; PyTorch's forward raises before its backward).
        /// </summary>
        private void MarkGuardedCallsAfter(Block block, bool after)
        {
            for (int k = block.Statements.Count - 1; k >= 0; k--)
            {
                var s = block.Statements[k];
                bool throws = Walk.AllExpressions(s).Any(Walk.CallsGuarded);
                switch (s)
                {
                    case If branch:
                        MarkGuardedCallsAfter(branch.Then, after);
                        MarkGuardedCallsAfter(branch.Else, after);
                        break;
                    case Loop loop:
                        if (after)
                        {
                            _guardedCallAfter.Add(loop);
                        }

                        MarkGuardedCallsAfter(loop.Header, after || throws);
                        MarkGuardedCallsAfter(loop.Body, after || throws);
                        break;
                }

                after = after || throws;
            }
        }

        private readonly HashSet<Loop> _guardedCallAfter = new HashSet<Loop>(ReferenceComparer.Instance);

        private void ReverseLoop(Loop loop, Adjoints adjoints, List<Stmt> reverse)
        {
            var carriedActive = loop.Carried.Where(v => _activity.IsActiveVar(v.Name)).ToList();
            var allFinal = carriedActive.ToDictionary(v => v.Name, v => adjoints.Take(v.Name, v.Type), StringComparer.Ordinal);

            // Only the carried values that reach the result get an adjoint: a value the result never reads has none,
            // and giving it one anyway multiplies its zero by the loop's partials, where 0 * inf is NaN.
            var active = Useful(loop, carriedActive, allFinal);
            if (active.Count == 0 && !StoresOutput(loop.Body) && !StoresBuffer(loop.Body, new HashSet<string>(StringComparer.Ordinal)))
            {
                return;
            }

            var finalAdjoints = active.ToDictionary(v => v.Name, v => allFinal[v.Name], StringComparer.Ordinal);
            // A loop that writes the output fuses only when nothing reads the output: a read adds into the output's
            // adjoint buffer later in the reverse sweep, which a fused loop would have consumed too early.
            bool mayFuse = _fusionAllowed && !_guardedCallAfter.Contains(loop) && !(_outputAdjoint is not null && StoresOutput(loop.Body)) && !StoresBuffer(loop.Body, BuffersDeclaredIn(loop.Body)) && !ReadsOutputInLoop(loop);

            var (attempt, fuse, hoisted) = PlanLoop(loop, active, finalAdjoints, mayFuse);
            var plan = new LoopPlan();
            _state.Plans[loop] = plan;
            if (fuse)
            {
                Fuse(loop, active, attempt, hoisted!, plan, adjoints, reverse);
            }
            else
            {
                ReverseSeparately(loop, active, attempt, finalAdjoints, plan, adjoints, reverse);
            }
        }

        /// <summary>
        /// The active carried values whose final value has an adjoint, closed over what the loop makes of them: a value
        /// read (through the body's definitions) by the next value of a useful one, or by a write to the output, is useful.
        /// </summary>
        private List<LoopVar> Useful(Loop loop, List<LoopVar> active, Dictionary<string, Expr> finalAdjoints)
        {
            var useful = new HashSet<string>(active.Where(v => !IsZero(finalAdjoints[v.Name])).Select(v => v.Name), StringComparer.Ordinal);
            var definitions = new Dictionary<string, List<Expr>>(StringComparer.Ordinal);
            var effects = new List<Expr>();
            CollectDefinitions(loop.Header, definitions, effects);
            CollectDefinitions(loop.Body, definitions, effects);
            while (true)
            {
                var needed = new HashSet<string>(StringComparer.Ordinal);
                var pending = new Stack<Expr>(effects.Concat(loop.Carried.Where(v => useful.Contains(v.Name)).Select(v => v.Next)));
                while (pending.Count > 0)
                {
                    Walk.Vars(pending.Pop(), name =>
                    {
                        if (needed.Add(name) && definitions.TryGetValue(name, out var reads))
                        {
                            foreach (var r in reads)
                            {
                                pending.Push(r);
                            }
                        }
                    });
                }

                int before = useful.Count;
                useful.UnionWith(active.Where(v => needed.Contains(v.Name)).Select(v => v.Name));
                if (useful.Count == before)
                {
                    return active.Where(v => useful.Contains(v.Name)).ToList();
                }
            }
        }

        /// <summary>
        /// What each name a block defines is computed from (data dependence only: an adjoint never flows into a branch
        /// condition or a loop bound), nested blocks included, and the expressions of writes to the output.
        /// </summary>
        private void CollectDefinitions(Block block, Dictionary<string, List<Expr>> definitions, List<Expr> effects)
        {
            void Define(string name, params Expr[] reads)
            {
                if (!definitions.TryGetValue(name, out var list))
                {
                    definitions[name] = list = new List<Expr>();
                }

                list.AddRange(reads);
            }

            foreach (var s in block.Statements)
            {
                switch (s)
                {
                    case Let l:
                        Define(l.Name, DerivativeReads(l.Value));
                        break;
                    case If branch:
                        foreach (var phi in branch.Phis)
                        {
                            Define(phi.Name, phi.WhenTrue, phi.WhenFalse);
                        }

                        break;
                    case Loop loop:
                        foreach (var v in loop.Carried)
                        {
                            Define(v.Name, v.Init, v.Next);
                        }

                        break;
                    case CallWithGradient call:
                        foreach (var name in Walk.Defines(call))
                        {
                            Define(name, DerivativeReads(call.Call));
                        }

                        break;
                    case CallWithDerivative call:
                        foreach (var name in Walk.Defines(call))
                        {
                            Define(name, call.Call);
                        }

                        break;
                    case Store st when _outputs.Contains(st.Array) || _bufferAdjoints.ContainsKey(st.Array):
                        effects.Add(st.Index);
                        effects.Add(st.Value);
                        break;
                }

                foreach (var nested in Walk.Blocks(s))
                {
                    CollectDefinitions(nested, definitions, effects);
                }
            }
        }

        /// <summary>
        /// What an adjoint of <paramref name="value"/> can flow back into: nothing for an inactive value; for a call of a
        /// differentiable method, only the arguments of parameters that reach the callee's result (FINDINGS F21; seed 8
        /// program 26141: a loop swept for a value passed to a [NoGrad] parameter met Sqrt'(0)).
        /// </summary>
        private Expr[] DerivativeReads(Expr value)
        {
            if (!_activity.IsActive(value))
            {
                return Array.Empty<Expr>();
            }

            if (value is UserCall { Callee.Kind: Model.CalleeKind.Differentiable } call)
            {
                return call.Args.Where((a, i) => call.Callee.PassesDerivative(i)).ToArray();
            }

            return new[] { value };
        }

        /// <summary>The reverse of one iteration: adjoint statements, and what they send to carried and outer values.</summary>
        private sealed class BodyReverse
        {
            public BodyReverse(Dictionary<string, string> barNames, List<Stmt> statements, Dictionary<string, Expr> toCarried, List<(string Name, Expr Value)> toOuter)
            {
                BarNames = barNames;
                Statements = statements;
                ToCarried = toCarried;
                ToOuter = toOuter;
            }

            /// <summary>Carried name → the name of its adjoint.</summary>
            public Dictionary<string, string> BarNames { get; }

            public List<Stmt> Statements { get; }

            /// <summary>Carried name → its adjoint at the start of the iteration (the next reverse iteration's adjoint).</summary>
            public Dictionary<string, Expr> ToCarried { get; }

            /// <summary>Contributions of one iteration to values defined outside the loop.</summary>
            public List<(string Name, Expr Value)> ToOuter { get; }

            /// <summary>Whether every carried adjoint comes back unchanged: the loop only adds into accumulators.</summary>
            public bool Invariant => BarNames.All(b => ToCarried[b.Key] is Var v && v.Name == b.Value);
        }

        private BodyReverse DifferentiateBody(Loop loop, List<LoopVar> active, bool innerFusion)
        {
            bool savedFusion = _fusionAllowed;
            _fusionAllowed = innerFusion;
            _nesting++;
            try
            {
                var barNames = active.ToDictionary(v => v.Name, v => _namer.NewSourceName(DerivativeNames.Adjoint(Stem(v.Name))), StringComparer.Ordinal);
                foreach (var b in barNames.Values)
                {
                    _state.AdjointNames.Add(b);
                }

                var env = new Adjoints();
                var statements = new List<Stmt>();
                foreach (var v in active)
                {
                    _types[barNames[v.Name]] = v.Type;
                    Backprop(v.Next, new Var(barNames[v.Name], v.Type), env, statements);
                }

                ReverseStatements(loop.Body.Statements, env, statements);
                FlushElements(env, statements);
                var toCarried = active.ToDictionary(v => v.Name, v => env.Take(v.Name, v.Type), StringComparer.Ordinal);
                var toOuter = env.Names.Select(n => (n, env.Take(n, _types[n]))).ToList();
                var simplified = Simplifier.Simplify(new Block(statements.ToEquatableArray()), _keep, _frozen).Statements.ToList();
                return new BodyReverse(barNames, simplified, toCarried, toOuter);
            }
            finally
            {
                _nesting--;
                _fusionAllowed = savedFusion;
            }
        }

        /// <summary>
        /// The adjoints of a loop's final values, expressed with values known before the loop, or false. They are the
        /// constant adjoints of a fused loop's accumulators (<c>sum / n</c> gives <c>sumBar = 1 / n</c>).
        /// </summary>
        private bool TryHoist(Dictionary<string, Expr> finalAdjoints, HashSet<string> definedBefore, HashSet<string> writtenAfter, out Dictionary<string, Expr>? hoisted)
        {
            hoisted = new Dictionary<string, Expr>(StringComparer.Ordinal);
            foreach (var pair in finalAdjoints)
            {
                var expanded = Expand(pair.Value, 0);
                bool ok = !Walk.Contains(expanded, x => (x is Elem e && writtenAfter.Contains(e.Array)) || (x is SpanRef r && writtenAfter.Contains(r.Array)) || (x is SpanView v && writtenAfter.Contains(v.Array)));
                Walk.Vars(expanded, name => ok &= definedBefore.Contains(name) || (_seed is Var s && s.Name == name));
                if (!ok)
                {
                    hoisted = null;
                    return false;
                }

                hoisted[pair.Key] = expanded;
            }

            return true;
        }

        /// <summary>Replaces references to adjoint lets by their values, so an expression can move before them.</summary>
        private Expr Expand(Expr e, int depth) =>
            depth > 16 ? e : Walk.Transform(e, x => x is Var v && _state.Materialized.TryGetValue(v.Name, out var value) ? Expand(value, depth + 1) : x);

        private void Fuse(Loop loop, List<LoopVar> active, BodyReverse body, Dictionary<string, Expr> hoisted, LoopPlan plan, Adjoints adjoints, List<Stmt> reverse)
        {
            plan.Fused = true;

            // A constant adjoint (the seed 1 of a plain gradient) is substituted, so no iteration multiplies by it.
            var constants = new Dictionary<string, Expr>(StringComparer.Ordinal);
            foreach (var v in active)
            {
                if (IsAtomic(hoisted[v.Name]))
                {
                    constants[body.BarNames[v.Name]] = hoisted[v.Name];
                }
                else
                {
                    plan.PreLoop.Add(new Let(body.BarNames[v.Name], hoisted[v.Name]));
                }
            }

            var suffix = body.Statements.Select(st => Walk.MapBlocks(Walk.MapExpressions(st, e => Walk.Substitute(e, constants)), b => SubstituteBlock(b, constants)));
            // The contributions to outer values are read after the suffix: they see the copies it propagates away.
            var outerValues = body.ToOuter.Select(o => Walk.Substitute(o.Value, constants)).ToList();
            var suffixStatements = Simplifier.Simplify(new Block(suffix.ToEquatableArray()), _keep, _frozen, outerValues).Statements.ToList();
            body = new BodyReverse(body.BarNames, body.Statements, body.ToCarried, body.ToOuter.Select((o, k) => (o.Name, outerValues[k])).ToList());
            // Defined before the loop: the user's values, the seed, and the adjoint constants just placed before it.
            var defined = new HashSet<string>(_definedBefore[loop], StringComparer.Ordinal);
            defined.UnionWith(plan.PreLoop.OfType<Let>().Select(l => l.Name));
            if (_seed is Var seedVar)
            {
                defined.Add(seedVar.Name);
            }

            var suffixLets = suffixStatements.OfType<Let>().ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal);

            // The adjoints of buffers declared in the body live one iteration, like the buffers: never summed across iterations.
            var own = new HashSet<string>(BuffersDeclaredIn(loop.Body).Where(_bufferAdjoints.ContainsKey).Select(b => _bufferAdjoints[b].Name), StringComparer.Ordinal);

            // A gradient element with the same index in every iteration (dW[0]) is summed in a local and written once,
            // after the loop: no store in the loop, so nothing forces the loop to reload what it reads.
            for (int k = 0; k < suffixStatements.Count; k++)
            {
                if (suffixStatements[k] is Accumulate { Index: { } index } element && !own.Contains(element.Target) && IsInvariant(index, defined))
                {
                    var (variant, factor) = SplitInvariant(element.Value, defined, suffixLets);
                    var sum = _namer.NewSourceName(element.Target + "Sum");
                    _types[sum] = variant.Type;
                    plan.ExtraCarried.Add(new LoopVar(sum, variant.Type, Lit(0, variant.Type), Add(new Var(sum, variant.Type), variant)));
                    // Guarded by the index being in range: the element was read in every iteration, so an index out of
                    // range means the loop ran no iteration (dP[p.Length - 1] of an empty p), where the user's method
                    // did not throw and the sum is zero.
                    // The length is the primal array's (a parameter's, or a buffer's in scope), which every method kind
                    // that differentiates this code again still has.
                    var accumulate = new Accumulate(element.Target, index, Mul(factor, new Var(sum, variant.Type)));
                    string? primal = _gradientNames.FirstOrDefault(g => g.Value == element.Target).Key
                        ?? _bufferAdjoints.FirstOrDefault(b => b.Value.Name == element.Target).Key;
                    if (primal is null)
                    {
                        plan.PostLoop.Add(accumulate);
                    }
                    else
                    {
                        var inRange = index is Const { Value: >= 0 }
                            ? (Expr)new Binary(BinaryOp.Lt, index, new Len(primal), ValType.Bool)
                            : new Binary(BinaryOp.And, new Binary(BinaryOp.Ge, index, Lit(0, ValType.Int), ValType.Bool), new Binary(BinaryOp.Lt, index, new Len(primal), ValType.Bool), ValType.Bool);
                        plan.PostLoop.Add(new If(inRange, Block.Of(accumulate), Block.Empty, EquatableArray<Phi>.Empty));
                    }
                    suffixStatements.RemoveAt(k);
                    k--;
                }
            }

            CarryNextElement(loop, suffixStatements, plan, own);
            plan.BodySuffix.AddRange(suffixStatements);

            // Each value outside the loop gets a running sum; a factor that is the same in every iteration (1 / N of a
            // mean) multiplies the sum once, after the loop, instead of every term.
            foreach (var (name, value) in body.ToOuter)
            {
                var (variant, factor) = SplitInvariant(value, defined, suffixLets);
                var sum = _namer.NewSourceName(DerivativeNames.Adjoint(Stem(name)));
                _types[sum] = value.Type;
                _state.AdjointNames.Add(sum);
                plan.ExtraCarried.Add(new LoopVar(sum, value.Type, Lit(0, value.Type), Add(new Var(sum, value.Type), variant)));
                adjoints.Add(name, Mul(factor, new Var(sum, value.Type)));
            }

            // The accumulators' initial values receive the same constant adjoint.
            foreach (var v in active)
            {
                Backprop(v.Init, constants.TryGetValue(body.BarNames[v.Name], out var c) ? c : new Var(body.BarNames[v.Name], v.Type), adjoints, reverse);
            }
        }

        private void ReverseSeparately(Loop loop, List<LoopVar> active, BodyReverse body, Dictionary<string, Expr> finalAdjoints, LoopPlan plan, Adjoints adjoints, List<Stmt> reverse)
        {
            bool zeroByPath = MayZeroByPath(body, finalAdjoints);
            if (zeroByPath)
            {
                body = GateCarriedProducts(body);
            }

            // The forward body, recomputed in the reverse loop under new names (the SSA names stay unique).
            var renames = new Dictionary<string, Expr>(StringComparer.Ordinal);
            var recompute = new List<Stmt>();
            // Writes to the output are not repeated: the recomputation only rebuilds values.
            _state.DeclaredInLoop = BuffersDeclaredIn(loop.Body);
            var recomputed = WithoutOutputStores(ReadBackStored(ForwardBlock(new Block(loop.Header.Statements.Concat(loop.Body.Statements).ToEquatableArray()), out _)));
            foreach (var s in recomputed.Statements)
            {
                recompute.Add(RenameDefinitions(s, renames));
            }

            var reverseBody = body.Statements.Select(s => RenameUses(s, renames)).ToList();

            // Which carried values the reverse body reads at the start of an iteration: restore exactly those.
            // The recomputed statements with their definitions renamed, as the reverse body reads them.
            var needed = Needed(recompute.Select(s => RenameUses(s, renames)).ToList(), reverseBody, body.ToCarried.Values.Concat(body.ToOuter.Select(o => o.Value)).Select(e => Walk.Substitute(e, renames)));
            var shape = LoopShape.Counter(loop);
            var counter = shape?.Counter;
            Expr forwardIndex;
            Expr start;
            Expr reverseIndex;
            Expr condition;
            string reverseCounter = _namer.NewVersion(Stem(counter?.Name ?? "k"));
            var k = new Var(reverseCounter, ValType.Int);
            Expr nextK;
            if (counter is not null && body.Invariant && !needed.Any(n => loop.Carried.Any(v => v != counter && v.Name == n)) && !FlowsAcrossIterations(loop))
            {
                // A reduction reads nothing carried but the counter and its adjoints are constant: the order of its
                // iterations does not matter, so the reverse sweep runs forward through memory, i from i0 to its final value.
                int step = shape!.Value.Step;
                var i = new Var(counter.Name, ValType.Int);
                forwardIndex = step > 0 ? Sub(i, counter.Init) : Sub(counter.Init, i);
                start = counter.Init;
                reverseIndex = step > 0 ? Sub(k, counter.Init) : Sub(counter.Init, k);
                condition = new Binary(step > 0 ? BinaryOp.Lt : BinaryOp.Gt, k, i, ValType.Bool);
                nextK = new Binary(step > 0 ? BinaryOp.Add : BinaryOp.Sub, k, Lit(1, ValType.Int), ValType.Int);
            }
            else if (counter is not null)
            {
                // Iteration n has i = i0 + step * n. The reverse runs i from its final value - step back to i0,
                // so the counter is rebuilt, never stored.
                int step = shape!.Value.Step;
                var i = new Var(counter.Name, ValType.Int);
                forwardIndex = step > 0 ? Sub(i, counter.Init) : Sub(counter.Init, i);
                start = step > 0 ? Sub(i, Lit(1, ValType.Int)) : Add(i, Lit(1, ValType.Int));
                reverseIndex = step > 0 ? Sub(k, counter.Init) : Sub(counter.Init, k);
                condition = new Binary(step > 0 ? BinaryOp.Ge : BinaryOp.Le, k, counter.Init, ValType.Bool);
                nextK = new Binary(step > 0 ? BinaryOp.Sub : BinaryOp.Add, k, Lit(1, ValType.Int), ValType.Int);
            }
            else
            {
                var iterations = _namer.NewSourceName("iterations");
                _types[iterations] = ValType.Int;
                var n = new Var(iterations, ValType.Int);
                plan.ExtraCarried.Add(new LoopVar(iterations, ValType.Int, Lit(0, ValType.Int), new Binary(BinaryOp.Add, n, Lit(1, ValType.Int), ValType.Int)));
                forwardIndex = n;
                start = Sub(n, Lit(1, ValType.Int));
                reverseIndex = k;
                condition = new Binary(BinaryOp.Ge, k, Lit(0, ValType.Int), ValType.Bool);
                nextK = new Binary(BinaryOp.Sub, k, Lit(1, ValType.Int), ValType.Int);
            }

            // Fed only by adjoints that are live on some paths (an early return inside the loop), the sweep runs only there.
            Expr? gate = null;
            if (!StoresOutput(loop.Body) && LoopLiveWhen(active.Select(v => finalAdjoints[v.Name])) is { } live)
            {
                condition = Ir.And(live, condition);
                gate = live;
            }

            if (Testing.FaultInjection.Is(Testing.Fault.TapeIndexOffByOne))
            {
                reverseIndex = Add(reverseIndex, Lit(1, ValType.Int));
            }

            var restore = new List<Stmt>();
            if (counter is not null)
            {
                renames[counter.Name] = k;
            }

            var tapes = new List<StoredValue>();
            foreach (var v in loop.Carried.Where(v => v != counter && needed.Contains(v.Name)))
            {
                string tape = _namer.NewSourceName(DerivativeNames.Tape(Stem(v.Name)));
                tapes.Add(new StoredValue(tape, Stem(v.Name) + " (" + v.Type.Keyword() + ")", v.Type.Bytes()));
                var capacity = Capacity(loop, shape);
                if (_nesting == 0 && capacity is not null)
                {
                    // A small tape of constant length is on the stack (written before it is read: not zeroed).
                    plan.PreLoop.Add(new RentBuffer(tape, v.Type, capacity) { OnStack = RentBuffer.FitsOnStack(capacity, v.Type) });
                }
                else
                {
                    _state.TopLevelBuffers.Add(new RentBuffer(tape, v.Type, Lit(16, ValType.Int)));
                    plan.BodyPrefix.Add(new EnsureCapacity(tape, v.Type, forwardIndex));
                }

                plan.BodyPrefix.Add(new Store(tape, forwardIndex, new Var(v.Name, v.Type)));
                string restored = _namer.NewVersion(Stem(v.Name));
                _types[restored] = v.Type;
                restore.Add(new Let(restored, new Elem(tape, reverseIndex, v.Type)));
                renames[v.Name] = new Var(restored, v.Type);
            }

            ReportStorage(loop, tapes);
            var tapedReads = TapeOutputReads(loop, renames, needed, forwardIndex, reverseIndex, Capacity(loop, shape), plan);

            // What the reverse body does not read is not recomputed: it would read carried values that are not restored
            // (an outer counter at its final value: FINDINGS F16).
            var statements = restore
                .Concat(recompute.Select(s => RenameUses(s, renames)).Where(s => IsNeeded(s, needed)).Select(s => RestoreTapedRead(s, tapedReads)))
                .Concat(reverseBody.Select(s => RenameUses(s, renames)))
                .ToEquatableArray();

            // Carried: the counter, the carried adjoints, and the sums of contributions to outer values.
            var carried = new List<LoopVar>
            {
                new LoopVar(reverseCounter, ValType.Int, start, nextK),
            };
            foreach (var v in active)
            {
                var bar = body.BarNames[v.Name];
                var nextBar = Walk.Substitute(body.ToCarried[v.Name], renames);
                if (Testing.FaultInjection.Is(Testing.Fault.CarriedAdjointNotReset))
                {
                    nextBar = Add(new Var(bar, v.Type), nextBar);
                }

                carried.Add(new LoopVar(bar, v.Type, finalAdjoints[v.Name], nextBar));
            }

            foreach (var (name, value) in body.ToOuter)
            {
                var sum = _namer.NewSourceName(DerivativeNames.Adjoint(Stem(name)));
                _types[sum] = value.Type;
                _state.AdjointNames.Add(sum);
                carried.Add(new LoopVar(sum, value.Type, Lit(0, value.Type), Add(new Var(sum, value.Type), Walk.Substitute(value, renames))));
                adjoints.Add(name, new Var(sum, value.Type));
                RecordSweepOutput(sum, value.Type, gate, zeroByPath);
            }

            foreach (var v in active)
            {
                RecordSweepOutput(body.BarNames[v.Name], v.Type, gate, zeroByPath);
            }

            // A carried value every iteration overwrites without reading passes no adjoint back across an iteration: out of
            // the sweep its adjoint is the incoming one only when the loop ran zero times, and zero by construction
            // otherwise (FINDINGS F52: else 0 * inf = NaN where the initial value met an infinite partial).
            var startCondition = Walk.SubstituteOne(condition, reverseCounter, start);
            bool ranOnce = RunsAtLeastOnce(loop, shape);
            foreach (var v in active.Where(v => IsZero(body.ToCarried[v.Name])))
            {
                Record(body.BarNames[v.Name], ranOnce ? Const.False : Not(startCondition));
            }

            reverse.Add(new Loop(carried.ToEquatableArray(), Block.Empty, condition, new Block(statements), LoopKind.For, reverseCounter, loop.Site));
            foreach (var v in active)
            {
                Backprop(v.Init, ranOnce && IsZero(body.ToCarried[v.Name]) ? Lit(0, v.Type) : new Var(body.BarNames[v.Name], v.Type), adjoints, reverse);
            }
        }

        /// <summary>
        /// The liveness of an adjoint out of a reverse sweep. Out of a sweep that ran only where its adjoints were live, it
        /// is zero elsewhere by construction (the straight-line remainder of FINDINGS F15). Out of a sweep whose carried
        /// adjoints may be zero because of the path the run took (gated inside by <c>bar != 0</c>), no condition written
        /// before the loop says where the sum is live (the early return's path and the loop's own selections may both
        /// feed it), so its own value is the test: an infinite partial after the loop multiplies it only where it is not
        /// zero (FINDINGS F57: otherwise 0 * Cbrt'(0) made the gradient NaN).
        /// </summary>
        private void RecordSweepOutput(string name, ValType type, Expr? gate, bool zeroByPath)
        {
            if (zeroByPath)
            {
                Record(name, new Binary(BinaryOp.Ne, new Var(name, type), Lit(0, type), ValType.Bool));
            }
            else if (gate is not null)
            {
                Record(name, gate);
            }
        }

        /// <summary>Whether a counted loop's condition holds for its constant initial counter: its body runs at least once.</summary>
        private static bool RunsAtLeastOnce(Loop loop, (LoopVar Counter, int Step)? shape)
        {
            if (shape is not { } counted || counted.Counter.Init is not Const { Value: var init }
                || loop.Condition is not Binary { Left: Var tested, Right: Const { Value: var bound } } test || tested.Name != counted.Counter.Name)
            {
                return false;
            }

            return test.Op switch
            {
                BinaryOp.Lt => init < bound,
                BinaryOp.Le => init <= bound,
                BinaryOp.Gt => init > bound,
                BinaryOp.Ge => init >= bound,
                BinaryOp.Ne => init != bound,
                _ => false,
            };
        }

        /// <summary>
        /// In a loop counting up by one, a buffer that receives contributions only at [i] and [i + 1] (a stencil such as
        /// Rosenbrock's) carries the [i + 1] contribution in a local to the next iteration, where it is [i]: one
        /// read-modify-write per element instead of two. The last carry is written after the loop, if it ran.
        /// </summary>
        private void CarryNextElement(Loop loop, List<Stmt> statements, LoopPlan plan, HashSet<string> own)
        {
            if (LoopShape.Counter(loop) is not { Step: 1 } shape)
            {
                return;
            }

            var i = new Var(shape.Counter.Name, ValType.Int);
            var next = new Binary(BinaryOp.Add, i, Lit(1, ValType.Int), ValType.Int);
            foreach (var target in statements.OfType<Accumulate>().Select(a => a.Target).Where(t => !own.Contains(t)).Distinct().ToList())
            {
                var writes = statements.OfType<Accumulate>().Where(a => a.Target == target).ToList();
                bool nested = statements.Any(st => Walk.Blocks(st).Any(b => WritesTo(b, target)));
                var atI = writes.Where(a => i.Equals(a.Index)).ToList();
                var atNext = writes.Where(a => next.Equals(a.Index)).ToList();
                if (nested || atI.Count != 1 || atNext.Count != 1 || writes.Count != 2)
                {
                    continue;
                }

                var type = atNext[0].Value.Type;
                var carry = new Var(_namer.NewSourceName(target + "Next"), type);
                _types[carry.Name] = type;
                plan.ExtraCarried.Add(new LoopVar(carry.Name, type, Lit(0, type), atNext[0].Value));
                int k = statements.IndexOf(atI[0]);
                statements[k] = new Accumulate(target, i, Add(atI[0].Value, carry));
                statements.Remove(atNext[0]);
                var ran = new Binary(BinaryOp.Gt, i, shape.Counter.Init, ValType.Bool);
                plan.PostLoop.Add(new If(ran, Block.Of(new Accumulate(target, i, carry)), Block.Empty, EquatableArray<Phi>.Empty));
            }
        }

        private static bool WritesTo(Block block, string target) =>
            block.Statements.Any(st => (st is Accumulate a && a.Target == target) || Walk.Blocks(st).Any(b => WritesTo(b, target)));

        /// <summary>Whether an expression has the same value in every iteration: it reads only values defined before the loop, and no array.</summary>
        private static bool IsInvariant(Expr e, HashSet<string> definedBefore)
        {
            bool ok = true;
            Walk.Vars(e, n => ok &= definedBefore.Contains(n));
            return ok && !ReadsArray(e);
        }

        private static bool ReadsArray(Expr e) => e is Elem or UserCall || Walk.Children(e).Any(ReadsArray);

        /// <summary>
        /// Splits a contribution into the part that changes from iteration to iteration and a factor that does not
        /// (constants and values defined before the loop), looking through the loop's own adjoint lets. Derivative
        /// code only: the product is reassociated.
        /// </summary>
        private (Expr Variant, Expr Factor) SplitInvariant(Expr value, HashSet<string> definedBefore, Dictionary<string, Expr> lets)
        {
            var expanded = ExpandLets(value, lets, 0);
            var (coefficient, factors) = Factors(expanded);
            var invariant = factors.Where(f => IsInvariant(f, definedBefore) || Testing.FaultInjection.Is(Testing.Fault.HoistAcrossLoop)).ToList();
            if (invariant.Count == 0 && coefficient == 1)
            {
                return (value, Lit(1, value.Type));
            }

            var variant = factors.Where(f => !invariant.Contains(f)).ToList();
            Expr variantProduct = variant.Count == 0 ? Lit(1, value.Type) : variant.Aggregate((a, b) => Mul(a, b));
            Expr factor = invariant.Aggregate((Expr)Lit(coefficient, value.Type), (a, b) => Mul(a, b));
            return (variantProduct, factor);
        }

        /// <summary>Replaces the loop's adjoint lets by their values, recursively.</summary>
        private Expr ExpandLets(Expr e, Dictionary<string, Expr> lets, int depth) =>
            depth > 8 ? e : Walk.Transform(e, x => x is Var v && _state.AdjointNames.Contains(v.Name) && lets.TryGetValue(v.Name, out var def) ? ExpandLets(def, lets, depth + 1) : x);

        private static (double Coefficient, List<Expr> Factors) Factors(Expr e)
        {
            switch (e)
            {
                case Const c when !c.IsValueZero:
                    return (c.Value, new List<Expr>());
                case Unary { Op: UnaryOp.Neg } neg:
                {
                    var (c, f) = Factors(neg.Operand);
                    return (-c, f);
                }

                case Binary { Op: BinaryOp.Mul } mul:
                {
                    var (cl, fl) = Factors(mul.Left);
                    var (cr, fr) = Factors(mul.Right);
                    fl.AddRange(fr);
                    return (cl * cr, fl);
                }

                default:
                    return (1, new List<Expr> { e });
            }
        }

        private static Block SubstituteBlock(Block block, Dictionary<string, Expr> map) =>
            new Block(block.Statements.Select(st => Walk.MapBlocks(Walk.MapExpressions(st, e => Walk.Substitute(e, map)), b => SubstituteBlock(b, map))).ToEquatableArray());

        /// <summary>
        /// In a loop's own reverse sweep (not fused), a carried adjoint that is exactly zero (the value has not reached
        /// the result yet: an early return's value selected something else, FINDINGS F36) contributes nothing: each product
        /// it is a factor of is written <c>bar != 0 ? product : 0</c>, so a recurrence that overflowed in the forward sweep
        /// does not turn the zero into NaN (0 * inf). Where the zero is a value of the user's computation rather than a path
        /// no gradient took, the contract leaves 0 * inf open (the oracle does not compare it).
        /// </summary>
        private BodyReverse GateCarriedProducts(BodyReverse body)
        {
            // The carried adjoints and every adjoint derived from them in the body (tBar = sBar * s, then tBar * x).
            var bars = new HashSet<string>(body.BarNames.Values, StringComparer.Ordinal);
            bars.UnionWith(_state.AdjointNames);
            Expr Gate(Expr e) => GateProducts(e, bars);
            var statements = body.Statements.Select(s => GateBlock(s, bars)).ToList();
            return new BodyReverse(
                body.BarNames,
                statements,
                body.ToCarried.ToDictionary(p => p.Key, p => Gate(p.Value), StringComparer.Ordinal),
                body.ToOuter.Select(o => (o.Name, Gate(o.Value))).ToList());
        }

        /// <summary>
        /// Whether a carried adjoint can be zero because of the path the run took, not arithmetic: one of several enters
        /// the sweep live only on some paths, or the body selects (a <c>?:</c>, <c>Max</c>, a branch's phi with a zero side).
        /// Without that, a zero carried adjoint is a zero of the user's arithmetic, and the sweep is left ungated.
        /// </summary>
        private bool MayZeroByPath(BodyReverse body, Dictionary<string, Expr> finalAdjoints)
        {
            // One adjoint entering on some paths only: the sweep itself runs only where it is live (LoopLiveWhen).
            if (finalAdjoints.Count > 1 && finalAdjoints.Values.Any(a => LiveWhen(a) is not null))
            {
                return true;
            }

            bool Selects(Expr e) => Walk.Contains(e, x => x is IR.Cond c && (IsZero(c.WhenTrue) || IsZero(c.WhenFalse)));
            bool InStatement(Stmt s) =>
                Walk.AllExpressions(s).Any(Selects)
                || (s is If branch && branch.Phis.Any(p => IsZero(p.WhenTrue) || IsZero(p.WhenFalse)))
                || Walk.Blocks(s).Any(b => b.Statements.Any(InStatement));
            return body.Statements.Any(InStatement) || body.ToCarried.Values.Any(Selects) || body.ToOuter.Any(o => Selects(o.Value));
        }

        private static Stmt GateBlock(Stmt s, HashSet<string> bars) =>
            Walk.MapBlocks(Walk.MapExpressions(s, e => GateProducts(e, bars)), b => new Block(b.Statements.Select(x => GateBlock(x, bars)).ToEquatableArray()));

        /// <summary>The outermost products (and quotients) with a carried adjoint among their factors, gated by it.</summary>
        private static Expr GateProducts(Expr e, HashSet<string> bars)
        {
            if (e is Binary { Op: BinaryOp.Mul or BinaryOp.Div } && FactorBar(e, bars) is { } bar && !OnlyLiteralFactors(e, bar))
            {
                return new IR.Cond(new Binary(BinaryOp.Ne, bar, Lit(0, bar.Type), ValType.Bool), e, Lit(0, e.Type), e.Type);
            }

            return Walk.MapChildren(e, c => GateProducts(c, bars));
        }

        /// <summary>A carried adjoint that is a factor of the product tree <paramref name="e"/> (through *, / and negation).</summary>
        private static Var? FactorBar(Expr e, HashSet<string> bars) => e switch
        {
            Var v when bars.Contains(v.Name) => v,
            Unary { Op: UnaryOp.Neg or UnaryOp.Convert } u => FactorBar(u.Operand, bars),
            Binary { Op: BinaryOp.Mul } b => FactorBar(b.Left, bars) ?? FactorBar(b.Right, bars),
            Binary { Op: BinaryOp.Div } b => FactorBar(b.Left, bars),
            _ => null,
        };

        /// <summary>Whether the product's factors other than <paramref name="bar"/> are all literals (then 0 stays 0).</summary>
        private static bool OnlyLiteralFactors(Expr e, Var bar) => e switch
        {
            Var v => v.Name == bar.Name,
            Const => true,
            Unary { Op: UnaryOp.Neg or UnaryOp.Convert } u => OnlyLiteralFactors(u.Operand, bar),
            Binary { Op: BinaryOp.Mul } b => OnlyLiteralFactors(b.Left, bar) && OnlyLiteralFactors(b.Right, bar),
            Binary { Op: BinaryOp.Div, Right: Const } b => OnlyLiteralFactors(b.Left, bar),
            _ => false,
        };

        private Block WithoutOutputStores(Block block) => new Block(block.Statements
            .Where(s => !(s is Store st && (_outputs.Contains(st.Array) || IsFinalDuringReverse(st.Array))))
            .Select(s => Walk.MapBlocks(s, WithoutOutputStores))
            .ToEquatableArray());

        private bool StoresOutput(Block block) =>
            block.Statements.Any(s => (s is Store st && _outputs.Contains(st.Array)) || Walk.Blocks(s).Any(StoresOutput));

        /// <summary>
        /// SD1006: what a loop's reverse sweep stores per iteration, so the memory cost of a gradient is visible. The tapes
        /// ride along (<see cref="DiagnosticInfo.Tapes"/>): DerivativeBuilder leaves out those the scheduler removes.
        /// </summary>
        private void ReportStorage(Loop loop, List<StoredValue> tapes)
        {
            if (tapes.Count > 0 && loop.Site >= 0)
            {
                _state.Diagnostics.Add(StorageReport(loop.Site, tapes, _spec.Name));
            }
        }

        /// <summary>The SD1006 of a loop at <paramref name="site"/> that stores <paramref name="tapes"/> per iteration.</summary>
        internal static DiagnosticInfo StorageReport(int site, IReadOnlyList<StoredValue> tapes, string method)
        {
            int bytes = tapes.Sum(t => t.Bytes);
            string what = string.Join(", ", tapes.Select(t => t.Value));
            string count = tapes.Count == 1 ? "1 value" : tapes.Count + " values";
            return DiagnosticInfo.AtSite(Diagnostics.DiagnosticDescriptors.LoopStorage, site, count + ": " + what, bytes + " bytes", method) with { Tapes = tapes.ToEquatableArray() };
        }

        /// <summary>A bound on the number of iterations, known before the loop, or null.</summary>
        private static Expr? Capacity(Loop loop, (LoopVar Counter, int Step)? shape)
        {
            if (shape is not { } s || loop.Condition is not Binary condition)
            {
                return null;
            }

            bool invariant = true;
            Walk.Vars(condition.Right, name => invariant &= loop.Carried.All(v => v.Name != name));
            if (!invariant)
            {
                return null;
            }

            var init = s.Counter.Init;
            var bound = condition.Right;
            var one = Lit(1, ValType.Int);
            Expr? count = (s.Step, condition.Op) switch
            {
                (1, BinaryOp.Lt or BinaryOp.Ne) => Sub(bound, init),
                (1, BinaryOp.Le) => Add(Sub(bound, init), one),
                (-1, BinaryOp.Gt or BinaryOp.Ne) => Sub(init, bound),
                (-1, BinaryOp.Ge) => Add(Sub(init, bound), one),
                _ => null,
            };
            if (count is null)
            {
                return null;
            }

            // A loop of constant trip count (softmax over 3 classes): the capacity is that constant.
            return ConstantArithmetic.Value(count) is double trips
                ? Lit(Math.Max(0, trips), ValType.Int)
                : new Call(KnownFunction.Max, EquatableArray.Create(Lit(0, ValType.Int), count), ValType.Int);
        }

        /// <summary>The names read by the reverse body, closed over the recomputed statements that define them.</summary>
        private static HashSet<string> Needed(List<Stmt> recompute, List<Stmt> reverseBody, IEnumerable<Expr> extra)
        {
            var needed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in reverseBody.SelectMany(Walk.AllExpressions).Concat(extra))
            {
                Walk.Vars(e, n => needed.Add(n));
            }

            bool changed = true;
            while (changed)
            {
                changed = false;
                foreach (var s in recompute)
                {
                    // Nested definitions count too: the reverse body may read a value a branch or an inner loop computes.
                    if (IsNeeded(s, needed))
                    {
                        foreach (var e in Walk.AllExpressions(s))
                        {
                            Walk.Vars(e, n => changed |= needed.Add(n));
                        }
                    }
                }
            }

            return needed;
        }

        /// <summary>Whether the reverse body reads (through <paramref name="needed"/>) what a recomputed statement defines, or it has an effect.</summary>
        /// <remarks>A store left in the recomputation writes a local buffer (output stores are taken out first): it rebuilds the iteration's elements.</remarks>
        private static bool IsNeeded(Stmt s, HashSet<string> needed) => AllDefinitions(s).Any(needed.Contains) || Walk.HasEffect(s);

        /// <summary>Gives every name a statement defines (at any depth) a new version, recording the renames.</summary>
        private Stmt RenameDefinitions(Stmt s, Dictionary<string, Expr> renames)
        {
            foreach (var name in AllDefinitions(s))
            {
                var fresh = _namer.NewVersion(Stem(name));
                _types[fresh] = _types.TryGetValue(name, out var t) ? t : ValType.Double;
                renames[name] = new Var(fresh, _types[fresh]);
            }

            return s;
        }

        private static IEnumerable<string> AllDefinitions(Stmt s) =>
            Walk.Defines(s).Concat(Walk.Blocks(s).SelectMany(b => b.Statements.SelectMany(AllDefinitions)));

        /// <summary>Applies renames to every definition and use in a statement tree.</summary>
        private static Stmt RenameUses(Stmt s, Dictionary<string, Expr> renames) =>
            Walk.Rename(s, n => renames.TryGetValue(n, out var r) && r is Var v ? v.Name : n, e => Walk.Substitute(e, renames));
    }
}

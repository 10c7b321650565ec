using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Lowering
{
    /// <summary>The lowered method: SSA IR plus the names it uses.</summary>
    /// <param name="Body">The body; a scalar function's ends with a <see cref="Return"/>.</param>
    /// <param name="Names">Every name defined in <see cref="Body"/>, and the user's; later phases make new names that avoid them.</param>
    internal sealed record IrFunction(Block Body, EquatableArray<string> Names)
    {
        /// <summary>For each local retained with <c>Grad.Retain</c>, the let that defines its retained value: let name to source name.</summary>
        public IReadOnlyDictionary<string, string> RetainedLets { get; init; } = new Dictionary<string, string>();

        /// <summary>Which user statement (<see cref="SourceStmt.Origin"/>) each let, store and return was lowered from, for finite checks.</summary>
        public OriginTable Origins { get; init; } = new OriginTable();

        /// <summary>The histories lowering gave buffers carried by loops (<see cref="BufferHistory"/>), for SD1006.</summary>
        public EquatableArray<SourceBuffer> Histories { get; init; } = EquatableArray<SourceBuffer>.Empty;

        /// <summary>The locals a small buffer's elements became (<see cref="BufferScalars"/>: <c>b2</c> for <c>b[2]</c>): user-facing names, not versions.</summary>
        public EquatableArray<string> ElementLocals { get; init; } = EquatableArray<string>.Empty;
    }

    /// <summary>
    /// Which user statement each value of the lowered IR comes from (indices into <see cref="FiniteCheckPlan.Origins"/>):
    /// how finite checks name the line of a value. Only read when the method is checked.
    /// </summary>
    internal sealed class OriginTable
    {
        /// <summary>The statement each let was lowered from, by the let's name.</summary>
        public Dictionary<string, int> Lets { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

        /// <summary>The statements that write each output span, in order, with the index each writes.</summary>
        public Dictionary<string, List<(Expr Index, int Origin)>> Stores { get; } = new Dictionary<string, List<(Expr Index, int Origin)>>(StringComparer.Ordinal);

        /// <summary>The last <c>return</c> statement with a value (-1 when none): where the result's adjoint comes in.</summary>
        public int Return { get; set; } = -1;
    }

    /// <summary>
    /// Lowers the parser's statements to structured SSA (<see cref="Stmt"/>): each assignment becomes a
    /// <see cref="Let"/> of a new version of the variable (<c>s</c>, <c>s_1</c>, <c>s_2</c> ...), branches merge
    /// through <see cref="Phi"/>s, loops carry the variables they assign as <see cref="LoopVar"/>s, and
    /// <c>break</c>, <c>continue</c> and <c>return</c> become structured control flow (nesting where the jump
    /// ends a branch, boolean flags otherwise). Pure.
    /// </summary>
    internal sealed class SsaLowering
    {
        /// <summary>Separates, in a <see cref="NotSupportedException"/>'s message, what is unsupported from a hint for the user.</summary>
        internal const string HintSeparator = " | ";

        private readonly Namer _namer;
        private readonly Dictionary<string, string> _retainedLets = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly Dictionary<string, ValType> _types = new Dictionary<string, ValType>(StringComparer.Ordinal);
        private readonly Stack<LoopFlags> _loops = new Stack<LoopFlags>();
        private readonly ValType _resultType;
        private Dictionary<string, Expr> _env = new Dictionary<string, Expr>(StringComparer.Ordinal);

        /// <summary>Source-level names of the function's result and "has returned" flag, made up so they clash with no user local.</summary>
        private readonly string ResultName;
        private readonly string ReturnedName;

        private readonly HashSet<string> _outputs;

        /// <summary>The local buffers, in declaration order, as the allocations placed at the top of the body.</summary>
        private readonly Dictionary<string, RentBuffer> _buffers = new Dictionary<string, RentBuffer>(StringComparer.Ordinal);

        /// <summary>How many loops enclose each local buffer's declaration.</summary>
        private readonly Dictionary<string, int> _bufferDepths = new Dictionary<string, int>(StringComparer.Ordinal);

        /// <summary>The site of the user's assignment each store into a local buffer was lowered from, by the IR store's identity (SD1000).</summary>
        private readonly Dictionary<object, int> _storeSites = new Dictionary<object, int>(ReferenceComparer.Instance);
        private readonly OriginTable _origins = new OriginTable();

        /// <summary>The origin of the statement being lowered (-1 outside one), given to the lets it makes.</summary>
        private int _origin = -1;
        private readonly bool _isVoid;

        /// <summary>How many branches enclose the statement being lowered, inside the innermost loop (or the body).</summary>
        private int _branchDepth;

        private SsaLowering(MethodSpec spec)
        {
            _isVoid = spec.IsVectorFunction;
            _outputs = new HashSet<string>(spec.Parameters.Where(p => p.Shape == ParamShape.OutputSpan).Select(p => p.Name), StringComparer.Ordinal);
            _namer = new Namer(spec.UserNames);
            ResultName = _namer.NewSourceName("result");
            ReturnedName = _namer.NewSourceName("returned");
            _resultType = spec.Scalar;
            foreach (var p in spec.Parameters)
            {
                if (p.Shape == ParamShape.Scalar)
                {
                    _env[p.Name] = new Var(p.Name, p.ElementType);
                    _types[p.Name] = p.ElementType;
                    _namer.MarkUsed(p.Name);
                }
            }
        }

        /// <summary>Flags of the loop being lowered; source names, null until a jump needs them.</summary>
        private sealed class LoopFlags
        {
            public string? Broke;
            public string? Continued;

            /// <summary>The loop's keyword among the method's sites, where a diagnostic about its body goes.</summary>
            public int Site = -1;
        }

        /// <param name="spec">The parsed method.</param>
        /// <param name="reserved">Names the generated signatures use (dX, seed...): a user's local of that name gets a version suffix.</param>
        public static IrFunction Lower(MethodSpec spec, IEnumerable<string>? reserved = null)
        {
            var lowering = new SsaLowering(spec);
            foreach (var name in reserved ?? Enumerable.Empty<string>())
            {
                lowering._namer.MarkUsed(name);
            }

            // A small buffer used only at constant indices is one local per element (its elements may be written again).
            var watched = new HashSet<string>(spec.InlineCuts.Select(c => c.Watched), StringComparer.Ordinal);
            var source = BufferScalars.Apply(spec.Body, stem => lowering._namer.NewSourceName(stem), watched, out var elementLocals);

            // A buffer declared before the loop that refills it is lowered as if declared inside (the stackalloc users write once).
            source = BufferScopes.Privatize(source);

            // An element-wise update in place (h[j] = Math.Tanh(h[j])) splits the buffer into the version before it and after.
            source = BufferVersions.Split(source, stem => lowering._namer.NewSourceName(stem));

            // A buffer carried from one loop iteration to the next (a recurrent state) gets one version per iteration.
            source = BufferHistory.Apply(source, stem => lowering._namer.NewSourceName(stem));
            var body = lowering.LowerFunction(source);
            if (lowering._buffers.Count > 0)
            {
                // Every local buffer is allocated once, at the top, whatever the user wrote and wherever (docs/architecture.md).
                var writeOnce = LocalBuffers.CheckWriteOnce(body, lowering._bufferDepths, source, s => lowering._storeSites.TryGetValue(s, out int site) ? site : -1);
                body = new Block(lowering._buffers.Values.Select(r => writeOnce.Contains(r.Name) ? r with { WriteOnce = true } : r).Cast<Stmt>().Concat(body.Statements).ToEquatableArray());
            }

            return new IrFunction(body, lowering._namer.AllNames.ToEquatableArray())
            {
                RetainedLets = lowering._retainedLets, Origins = lowering._origins, Histories = BufferHistory.Histories(source).ToEquatableArray(), ElementLocals = elementLocals,
            };
        }

        private Block LowerFunction(EquatableArray<SourceStmt> body)
        {
            var statements = body.ToList();
            var output = new List<Stmt>();

            // The common case: one return, at the end. No result variable needed.
            int returns = CountReturns(statements);
            if (returns == 1 && statements.Count > 0 && statements[statements.Count - 1] is SourceReturn { Value: { } last })
            {
                LowerList(statements.Take(statements.Count - 1).ToList(), output);
                output.Add(new Return(Substitute(last)));
                _origins.Return = statements[statements.Count - 1].Origin;
                return new Block(output.ToEquatableArray());
            }

            // Several returns: each assigns 'result'; a return inside a loop also sets 'returned' to stop it.
            // Several returns: each assigns 'result' and sets 'returned', which guards what follows a return
            // that could not be nested away and stops loops. Flags nobody reads are removed later.
            Define(ResultName, _resultType, Const.Of(0, _resultType), output, asLet: false);
            Define(ReturnedName, ValType.Bool, Const.False, output, asLet: false);

            LowerList(statements, output);
            if (!_isVoid && _env.TryGetValue(ResultName, out var result))
            {
                output.Add(new Return(result));
            }

            return new Block(output.ToEquatableArray());
        }

        /// <summary>Lowers a statement list, making the statements after a possible jump conditional on it not having happened.</summary>
        private void LowerList(List<SourceStmt> statements, List<Stmt> output)
        {
            for (int k = 0; k < statements.Count; k++)
            {
                var statement = statements[k];
                // The statements after this one, built only where a jump needs them (keeps long bodies linear).
                List<SourceStmt> Rest() => statements.Skip(k + 1).ToList();
                switch (statement)
                {
                    case SourceBreak:
                        SetFlag(_loops.Peek().Broke ??= NewFlag("broke"), output);
                        return;

                    case SourceContinue:
                        if (_loops.Peek().Continued is { } continued)
                        {
                            SetFlag(continued, output);
                        }

                        return;

                    case SourceReturn ret:
                        if (ret.Value is not null)
                        {
                            _origin = ret.Origin;
                            _origins.Return = Math.Max(_origins.Return, ret.Origin);
                            Assign(ResultName, _resultType, Substitute(ret.Value), output);
                            _origin = -1;
                        }

                        if (_env.ContainsKey(ReturnedName))
                        {
                            SetFlag(ReturnedName, output);
                        }

                        return;

                    case SourceIf branch when MayJump(branch) && k + 1 < statements.Count && (AlwaysJumps(branch.Then) != AlwaysJumps(branch.Else)):
                    {
                        // 'if (c) { ...; break; } rest' => 'if (c) { ... } else { rest }': no flag needed to skip 'rest'.
                        var then = branch.Then.ToList();
                        var @else = branch.Else.ToList();
                        if (AlwaysJumps(branch.Then))
                        {
                            @else.AddRange(Rest());
                        }
                        else
                        {
                            then.AddRange(Rest());
                        }

                        LowerIf(Substitute(branch.Condition), then, @else, output);
                        return;
                    }

                    default:
                        LowerStatement(statement, output);
                        if (k + 1 < statements.Count && MayJump(statement))
                        {
                            var guard = JumpedCondition();
                            if (guard is not null)
                            {
                                LowerIf(new Unary(UnaryOp.Not, guard, ValType.Bool), Rest(), new List<SourceStmt>(), output);
                                return;
                            }
                        }

                        break;
                }
            }
        }

        private void LowerStatement(SourceStmt statement, List<Stmt> output)
        {
            switch (statement)
            {
                case SourceAssign assign:
                    _origin = assign.Origin;
                    Assign(assign.Name, assign.Type, PinOutputReads(Substitute(assign.Value), output), output);
                    _origin = -1;
                    break;

                case SourceStore store:
                    _origin = store.Origin;
                    var stored = new Store(store.Array, PinOutputReads(Substitute(store.Index), output), PinOutputReads(Substitute(store.Value), output));
                    if (_buffers.ContainsKey(store.Array) && stored.Value is not (Var or Const) && !Walk.Contains(stored.Value, e => e is Elem el && el.Array == store.Array))
                    {
                        // A value stored into a local buffer gets a name: the reverse sweep can then read it back from the
                        // buffer instead of computing it again (ReverseDifferentiator.ReadBackStored).
                        var value = new Let(_namer.NewSourceName(store.Array + "Value"), stored.Value);
                        output.Add(value);
                        stored = stored with { Value = value.Ref };
                    }

                    output.Add(stored);
                    if (store.Site >= 0)
                    {
                        _storeSites[stored] = store.Site;
                    }

                    if (store.Origin >= 0)
                    {
                        if (!_origins.Stores.TryGetValue(store.Array, out var stores))
                        {
                            _origins.Stores[store.Array] = stores = new List<(Expr Index, int Origin)>();
                        }

                        stores.Add((stored.Index, store.Origin));
                    }

                    _origin = -1;
                    break;

                case SourceIf branch:
                    LowerIf(Substitute(branch.Condition), branch.Then.ToList(), branch.Else.ToList(), output);
                    break;

                case SourceBuffer buffer:
                {
                    if (!Substitute(buffer.Length).Equals(buffer.Length))
                    {
                        throw new NotSupportedException("the length of the local buffer '" + buffer.Name + "' reads a parameter assigned before it" + HintSeparator + "; compute the length from parameters that the method does not assign");
                    }

                    var rent = LocalBuffers.Allocation(buffer.Name, buffer.Element, buffer.Length);
                    _buffers[buffer.Name] = rent;
                    _bufferDepths[buffer.Name] = _loops.Count;
                    _namer.MarkUsed(buffer.Name);
                    if (_loops.Count > 0)
                    {
                        // A fresh (zeroed) buffer every iteration, as C# gives: the one allocation is cleared here.
                        output.Add(rent.Clear());
                    }

                    break;
                }

                case SourceLoop loop:
                    LowerLoop(loop, output);
                    break;

                default:
                    throw new InvalidOperationException("Unexpected statement " + statement.GetType().Name);
            }
        }

        private void LowerIf(Expr condition, List<SourceStmt> then, List<SourceStmt> @else, List<Stmt> output)
        {
            // A condition that constants decide (a counter known to be 0, a jump known to have happened): only the
            // branch taken exists. Written out, the other would be unreachable code in the generated file (CS0162).
            condition = FoldLogic(condition);
            if (condition is Const known)
            {
                LowerList(known.Value != 0 ? then : @else, output);
                return;
            }

            var before = new Dictionary<string, Expr>(_env, StringComparer.Ordinal);

            _branchDepth++;
            var thenOutput = new List<Stmt>();
            LowerList(then, thenOutput);
            var afterThen = _env;

            _env = new Dictionary<string, Expr>(before, StringComparer.Ordinal);
            var elseOutput = new List<Stmt>();
            LowerList(@else, elseOutput);
            var afterElse = _env;
            _branchDepth--;

            // Variables that existed before the 'if' and differ between the branches merge through a phi.
            _env = new Dictionary<string, Expr>(before, StringComparer.Ordinal);
            var phis = new List<Phi>();
            foreach (var name in before.Keys.OrderBy(n => n, StringComparer.Ordinal))
            {
                var t = afterThen[name];
                var e = afterElse[name];
                if (t.Equals(e))
                {
                    _env[name] = t;
                    continue;
                }

                var phi = new Phi(_namer.NewVersion(name), _types[name], t, e);
                phis.Add(phi);
                InheritOrigin(phi.Name, t, e);
                _env[name] = phi.Ref;
            }

            output.Add(new If(condition, new Block(thenOutput.ToEquatableArray()), new Block(elseOutput.ToEquatableArray()), phis.ToEquatableArray()));
        }

        private void LowerLoop(SourceLoop loop, List<Stmt> output)
        {
            // A loop that constants keep from ever running (a bound known to be 0) does not exist.
            if (loop.TestFirst && Substitute(loop.Condition) is Const { Value: 0 })
            {
                return;
            }

            var flags = new LoopFlags { Site = loop.Site };
            bool mayBreak = ContainsJump(loop.Body, j => j is SourceBreak, intoLoops: false);
            bool mayContinue = ContainsJump(loop.Body, j => j is SourceContinue, intoLoops: false);
            if (mayBreak)
            {
                flags.Broke = NewFlag("broke");
                _env[flags.Broke] = Const.False;
            }

            if (mayContinue)
            {
                flags.Continued = NewFlag("skipped");
            }

            string? first = null;
            if (!loop.TestFirst)
            {
                first = NewFlag("first");
                _env[first] = Const.True;
            }

            // Carried: variables that exist before the loop and are assigned in it.
            var assigned = new HashSet<string>(StringComparer.Ordinal);
            CollectAssigned(loop.Body, assigned);
            CollectAssigned(loop.Increment, assigned);
            if (flags.Broke is not null)
            {
                assigned.Add(flags.Broke);
            }

            if (first is not null)
            {
                assigned.Add(first);
            }

            if (_env.ContainsKey(ReturnedName) && ContainsJump(loop.Body, j => j is SourceReturn, intoLoops: true))
            {
                assigned.Add(ReturnedName);
                assigned.Add(ResultName);
            }

            var keysBefore = new HashSet<string>(_env.Keys, StringComparer.Ordinal);
            var carriedNames = assigned.Where(_env.ContainsKey).OrderBy(n => n, StringComparer.Ordinal).ToList();
            var inits = carriedNames.ToDictionary(n => n, n => _env[n], StringComparer.Ordinal);
            var loopVarNames = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in carriedNames)
            {
                loopVarNames[name] = _namer.NewVersion(name);
                _env[name] = new Var(loopVarNames[name], _types[name]);
            }

            // Condition: the user's, and not stopped by break or return.
            Expr condition = Substitute(loop.Condition);
            if (first is not null)
            {
                condition = new Binary(BinaryOp.Or, _env[first], condition, ValType.Bool);
            }

            foreach (var stop in new[] { flags.Broke, _env.ContainsKey(ReturnedName) && carriedNames.Contains(ReturnedName) ? ReturnedName : null })
            {
                if (stop is not null)
                {
                    condition = new Binary(BinaryOp.And, new Unary(UnaryOp.Not, _env[stop], ValType.Bool), condition, ValType.Bool);
                }
            }

            _loops.Push(flags);
            int branchDepth = _branchDepth;
            _branchDepth = 0;
            var body = new List<Stmt>();
            if (first is not null)
            {
                _env[first] = Const.False;
            }

            if (flags.Continued is not null)
            {
                _env[flags.Continued] = Const.False;
                _types[flags.Continued] = ValType.Bool;
            }

            var bodyStatements = loop.Body.ToList();
            if (loop.Increment.Count > 0)
            {
                // The increment runs after the body and after 'continue', not after 'break' or 'return'.
                var stops = new List<string>();
                if (flags.Broke is not null)
                {
                    stops.Add(flags.Broke);
                }

                if (carriedNames.Contains(ReturnedName))
                {
                    stops.Add(ReturnedName);
                }

                LowerList(bodyStatements, body);
                if (stops.Count > 0)
                {
                    Expr stopped = stops.Select(s => _env[s]).Aggregate((a, b) => new Binary(BinaryOp.Or, a, b, ValType.Bool));
                    LowerIf(new Unary(UnaryOp.Not, stopped, ValType.Bool), loop.Increment.ToList(), new List<SourceStmt>(), body);
                }
                else
                {
                    LowerList(loop.Increment.ToList(), body);
                }
            }
            else
            {
                LowerList(bodyStatements, body);
            }

            _loops.Pop();
            _branchDepth = branchDepth;

            var carried = carriedNames
                .Select(n => new LoopVar(loopVarNames[n], _types[n], inits[n], _env[n]))
                .ToEquatableArray();
            foreach (var v in carried)
            {
                InheritOrigin(v.Name, v.Next, v.Init);
            }

            // After the loop, each carried variable is its final value; locals declared inside are out of scope.
            foreach (var key in _env.Keys.ToList())
            {
                if (!keysBefore.Contains(key))
                {
                    _env.Remove(key);
                }
            }

            foreach (var name in carriedNames)
            {
                _env[name] = new Var(loopVarNames[name], _types[name]);
            }

            var loopStatement = new Loop(carried, Block.Empty, condition, new Block(body.ToEquatableArray()), LoopKind.While, null, loop.Site);
            if (LoopShape.Counter(loopStatement) is { } counter)
            {
                loopStatement = loopStatement with { Kind = LoopKind.For, Counter = counter.Counter.Name };
            }

            output.Add(loopStatement);
        }

        private void Assign(string name, ValType type, Expr value, List<Stmt> output) => Define(name, type, value, output, asLet: true);

        private void Define(string name, ValType type, Expr value, List<Stmt> output, bool asLet)
        {
            _types[name] = type;
            if (!asLet || value is Const)
            {
                // A constant needs no let: uses see the constant, and a later assignment takes the name.
                _env[name] = value;
                return;
            }

            var let = new Let(_namer.NewVersion(name), value);
            output.Add(let);
            if (value is Call { Function: KnownFunction.Retain })
            {
                _retainedLets[let.Name] = name;
            }

            if (_origin >= 0)
            {
                _origins.Lets[let.Name] = _origin;
            }

            _env[name] = let.Ref;
        }

        /// <summary>A phi or loop variable comes from the statement of the first of its values that has one (a loop variable: the assignment in the body).</summary>
        private void InheritOrigin(string name, params Expr[] values)
        {
            foreach (var value in values)
            {
                if (value is Var v && _origins.Lets.TryGetValue(v.Name, out int origin))
                {
                    _origins.Lets[name] = origin;
                    return;
                }
            }
        }

        private void SetFlag(string flag, List<Stmt> output)
        {
            _types[flag] = ValType.Bool;
            _env[flag] = Const.True;
        }

        private string NewFlag(string stem)
        {
            string name = _namer.NewSourceName(stem);
            _types[name] = ValType.Bool;
            return name;
        }

        /// <summary>The condition "a jump has happened" for the innermost context, or null if nothing can have jumped.</summary>
        private Expr? JumpedCondition()
        {
            var parts = new List<Expr>();
            if (_loops.Count > 0)
            {
                var flags = _loops.Peek();
                foreach (var f in new[] { flags.Broke, flags.Continued })
                {
                    if (f is not null && _env.TryGetValue(f, out var v))
                    {
                        parts.Add(v);
                    }
                }
            }

            if (_env.TryGetValue(ReturnedName, out var returned))
            {
                parts.Add(returned);
            }

            parts.RemoveAll(p => p is Const { IsZero: true });
            if (parts.Count == 0)
            {
                return null;
            }

            return parts.Aggregate((a, b) => new Binary(BinaryOp.Or, a, b, ValType.Bool));
        }

        /// <summary>
        /// Binds every read of an output-span element to a let where it happens: the element may be written again
        /// later, and the SSA value keeps what was read (the reverse sweep needs it).
        /// </summary>
        private Expr PinOutputReads(Expr e, List<Stmt> output)
        {
            if (_outputs.Count == 0)
            {
                return e;
            }

            return Walk.Transform(e, x =>
            {
                if (x is Elem el && _outputs.Contains(el.Array))
                {
                    // A read at the top level of a loop that is not nested is pinned and taped by the reverse sweep (F14);
                    // elsewhere in a loop, not yet.
                    if (_loops.Count > 1 || (_loops.Count == 1 && _branchDepth > 0))
                    {
                        throw new LocatedNotSupportedException("reading an element of the output span '" + el.Array + "' inside a nested loop or a branch of a loop" + HintSeparator
                            + "; compute what the loop needs from the inputs and write each element once (a softmax: sum Math.Exp(z[i] - max) in one loop, then "
                            + el.Array + "[i] = Math.Exp(z[i] - max) / sum)", _loops.Peek().Site);
                    }

                    var let = new Let(_namer.NewSourceName(el.Array + "Read"), x);
                    output.Add(let);
                    return let.Ref;
                }

                return x;
            });
        }

        /// <summary>Replaces source variable names in an expression by their current SSA values.</summary>
        private Expr Substitute(Expr expr)
        {
            Limits.EnsureStack();
            return SubstituteNode(expr);
        }

        private Expr SubstituteNode(Expr expr) => expr switch
        {
            Var v when _env.TryGetValue(v.Name, out var value) => value,
            Var v => v,
            Const or Len or Opaque or SpanRef => expr,
            SpanView s => new SpanView(s.Array, Substitute(s.Start), Substitute(s.Length), s.Element, s.ReadOnly, s.OverArray, s.Row),
            Elem e => new Elem(e.Array, Substitute(e.Index), e.Type),
            Unary u => FoldLogic(new Unary(u.Op, Substitute(u.Operand), u.Type)),
            Binary b => FoldLogic(new Binary(b.Op, Substitute(b.Left), Substitute(b.Right), b.Type)),
            Cond c => Substitute(c.Condition) is Const k ? Substitute(k.Value != 0 ? c.WhenTrue : c.WhenFalse) : new Cond(Substitute(c.Condition), Substitute(c.WhenTrue), Substitute(c.WhenFalse), c.Type),
            Call c => new Call(c.Function, c.Args.Select(Substitute).ToEquatableArray(), c.Type),
            UserCall c => new UserCall(c.Callee, c.Receiver is null ? null : Substitute(c.Receiver), c.Args.Select(Substitute).ToEquatableArray(), c.Type),
            TupleItem t => new TupleItem(Substitute(t.Tuple), t.Index, t.Type),
            _ => throw new InvalidOperationException("Unexpected expression " + expr.GetType().Name),
        };

        /// <summary>
        /// Decides comparisons and logic of constants (exactly, as C# would), so no generated branch tests a constant.
        /// Arithmetic is never folded: the user's own operations stay as written.
        /// </summary>
        private static Expr FoldLogic(Expr e)
        {
            switch (e)
            {
                case Unary { Op: UnaryOp.Not, Operand: Const c }:
                    return c.Value != 0 ? Const.False : Const.True;
                case Binary { Op: BinaryOp.And } conjunction when conjunction.Left is Const l:
                    return l.Value == 0 ? Const.False : conjunction.Right;
                case Binary { Op: BinaryOp.Or } disjunction when disjunction.Left is Const l:
                    return l.Value != 0 ? Const.True : disjunction.Right;
                case Binary b when b.Op is BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge or BinaryOp.Eq or BinaryOp.Ne
                    && ConstantArithmetic.Value(b.Left) is double l && ConstantArithmetic.Value(b.Right) is double r:
                {
                    // A comparison of constants (or of arithmetic on them, which C# would fold too and then warn about).
                    bool value = b.Op switch
                    {
                        BinaryOp.Lt => l < r,
                        BinaryOp.Le => l <= r,
                        BinaryOp.Gt => l > r,
                        BinaryOp.Ge => l >= r,
                        BinaryOp.Eq => l == r,
                        _ => l != r,
                    };
                    return value ? Const.True : Const.False;
                }

                default:
                    return e;
            }
        }

        private void CollectAssigned(IEnumerable<SourceStmt> statements, HashSet<string> into)
        {
            foreach (var s in statements)
            {
                switch (s)
                {
                    case SourceAssign a:
                        into.Add(a.Name);
                        break;
                    case SourceIf i:
                        CollectAssigned(i.Then, into);
                        CollectAssigned(i.Else, into);
                        break;
                    case SourceLoop l:
                        CollectAssigned(l.Body, into);
                        CollectAssigned(l.Increment, into);
                        break;
                    case SourceReturn:
                        into.Add(ResultName);
                        break;
                }
            }
        }

        private static int CountReturns(IEnumerable<SourceStmt> statements) => statements.Sum(s => s switch
        {
            SourceReturn => 1,
            SourceIf i => CountReturns(i.Then) + CountReturns(i.Else),
            SourceLoop l => CountReturns(l.Body),
            _ => 0,
        });

        private bool MayJump(SourceStmt statement) => ContainsJump(new[] { statement }, j => j is SourceReturn || _loops.Count > 0, intoLoops: false)
            || ContainsJump(new[] { statement }, j => j is SourceReturn, intoLoops: true);

        private static bool ContainsJump(IEnumerable<SourceStmt> statements, Func<SourceStmt, bool> isJump, bool intoLoops) => statements.Any(s => s switch
        {
            SourceBreak or SourceContinue or SourceReturn => isJump(s),
            SourceIf i => ContainsJump(i.Then, isJump, intoLoops) || ContainsJump(i.Else, isJump, intoLoops),
            SourceLoop l => intoLoops && ContainsJump(l.Body, isJump, intoLoops),
            _ => false,
        });

        /// <summary>Whether every path through the list ends in a jump.</summary>
        private static bool AlwaysJumps(IEnumerable<SourceStmt> statements) => statements.Any(s => s switch
        {
            SourceBreak or SourceContinue or SourceReturn => true,
            SourceIf i => AlwaysJumps(i.Then) && AlwaysJumps(i.Else),
            _ => false,
        });
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Lowering;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>
    /// <c>CheckFinite = true</c> (API.md section 9, docs/nan-locator.md): after scheduling, puts a <see cref="FiniteCheck"/>
    /// after every floating-point value a generated method computes (lets, outputs, accumulations, values handed out of
    /// branches and around loops, results of calls). A check throws when its value is NaN or infinite while every operand
    /// it reads is finite: the first operation that made a non-finite value out of finite ones is reported, and a value that
    /// is non-finite because an input was passes on. Runs last, on the scheduled IR, so a method without checks is never
    /// touched and no earlier pass sees a check.
    /// </summary>
    /// <remarks>
    /// Each check names the user's statement the value belongs to. Lowering records it for the user's own values
    /// (<see cref="OriginTable"/>: lets, phis and loop variables, stores, the return). A value SymDiff made is placed from
    /// what it reads and what reads it: a part of the user's computation (a shared subexpression) at the first statement
    /// it appears in, else at its first forward reader's; a reverse-sweep value at the latest statement among the forward
    /// values it reads (the local derivative of a statement reads that statement's operands), else at the value it is the
    /// adjoint of, else at the latest of the adjoints it reads, else at the <c>return</c> (where the result's adjoint
    /// enters); the method's name when nothing is known. The sweep is reverse for adjoints (<c>xBar</c>), what reads them
    /// or the seed, and derivative code that is no part of the user's computation; forward otherwise, and always in
    /// forward mode.
    /// </remarks>
    internal sealed class FiniteChecks
    {
        private const string Forward = "forward";
        private const string Reverse = "reverse";

        private readonly BuildContext _c;
        private readonly FiniteCheckPlan _plan;
        private readonly OriginTable _origins;
        private readonly bool _forwardOnly;
        private readonly string _generated;
        private readonly HashSet<string> _userNames;
        private readonly HashSet<string> _gradientOutputs;
        private readonly Dictionary<string, int> _uses;
        private readonly HashSet<string> _names;
        private readonly Dictionary<string, Info> _info = new Dictionary<string, Info>(StringComparer.Ordinal);
        private readonly List<string> _order = new List<string>();

        /// <summary>The checks of derivative values (adjoints, tangents), by identity.</summary>
        private readonly HashSet<object> _derivative = new HashSet<object>(ReferenceComparer.Instance);

        /// <summary>What is known of a named value: where it comes from, what it reads and who reads it.</summary>
        private sealed class Info
        {
            public int Origin = -1;

            /// <summary>For an adjoint or tangent, the origin of the value it belongs to (-1 when unknown).</summary>
            public int BaseOrigin = -1;
            public bool Reverse;

            /// <summary>Derivative code in forward mode (a tangent), where <see cref="Reverse"/> is always false: checked after the user's values.</summary>
            public bool Tangent;
            public readonly List<string> Reads = new List<string>();

            /// <summary>Readers in program order: a named value, or a statement with a fixed origin (null name).</summary>
            public readonly List<(string? Name, int Origin)> Readers = new List<(string?, int)>();
        }

        private FiniteChecks(BuildContext c, Block body)
        {
            _c = c;
            _plan = c.Spec.Check!;
            _origins = c.Origins;
            _forwardOnly = c.Kind.Suffix == "Derivative";
            _generated = c.Spec.Name + c.Kind.Suffix;
            _userNames = new HashSet<string>(c.Spec.UserNames, StringComparer.Ordinal);
            _gradientOutputs = new HashSet<string>(c.Sig.GradientNames.Values, StringComparer.Ordinal);
            _uses = Simplification.Scheduler.CountUses(body);
            _names = new HashSet<string>(_uses.Keys, StringComparer.Ordinal);
            _names.UnionWith(c.Spec.UserNames);
            _names.UnionWith(c.Sig.Reserved);
            _names.UnionWith(c.Spec.Parameters.Select(p => p.Name));
            CollectDefinitions(body);
            _primal = Simplification.Simplifier.Subexpressions(c.Body);
            MapExpressions(c.Body);
            var lowered = new HashSet<string>(StringComparer.Ordinal);
            Walk.CollectDefinitions(c.Body, lowered);
            _lowered = lowered;
        }

        /// <summary>Every expression of the user's computation (the lowered body): a value equal to one is a forward value.</summary>
        private readonly HashSet<Expr> _primal;

        /// <summary>Names the lowered body defines; any other let is SymDiff's (a temporary, an adjoint), expanded to be compared with <see cref="_primal"/>.</summary>
        private readonly HashSet<string> _lowered;

        /// <summary>Each subexpression of the user's computation, with the first statement it appears in.</summary>
        private readonly Dictionary<Expr, int> _expressionOrigins = new Dictionary<Expr, int>();

        private void MapExpressions(Block block)
        {
            foreach (var s in block.Statements)
            {
                int origin = s switch
                {
                    Let let => _origins.Lets.TryGetValue(let.Name, out int o) ? o : -1,
                    Store store => StoreOrigin(store),
                    Return => _origins.Return,
                    _ => -1,
                };
                if (origin >= 0)
                {
                    foreach (var e in Direct(s))
                    {
                        Map(e, origin);
                    }
                }

                foreach (var nested in Walk.Blocks(s))
                {
                    MapExpressions(nested);
                }
            }

            _storeCounts.Clear();
        }

        private void Map(Expr e, int origin)
        {
            if (e is Var or Const || _expressionOrigins.ContainsKey(e))
            {
                return;
            }

            _expressionOrigins[e] = origin;
            foreach (var child in Walk.Children(e))
            {
                Map(child, origin);
            }
        }

        /// <summary>The values of SymDiff's lets in terms of the user's names.</summary>
        private readonly Dictionary<string, Expr> _expansions = new Dictionary<string, Expr>(StringComparer.Ordinal);

        /// <summary>Whether <paramref name="kind"/>'s methods get checks in their own body (the Hessian and Jacobian drivers call methods that have them).</summary>
        public static bool Applies(MethodKind kind) => kind.Suffix is "Gradient" or "Backward" or "Derivative" or "HessianVectorProduct";

        /// <summary>The scheduled <paramref name="body"/> of a method of <paramref name="c"/>, with finite checks.</summary>
        public static Block Insert(BuildContext c, Block body)
        {
            var pass = new FiniteChecks(c, body);
            pass.Analyse(body);
            pass.Resolve();
            pass._storeCounts.Clear();
            return pass.Rewrite(body);
        }

        // ---- Where values come from ------------------------------------------------------------------------------

        private void Analyse(Block block)
        {
            foreach (var s in block.Statements)
            {
                switch (s)
                {
                    case Let let:
                        Define(let.Name, let.Value);
                        break;
                    case Assign assign:
                        Define(assign.Name, assign.Value);
                        break;
                    case CallWithGradient call:
                        Define(call.Name, call.Call);
                        foreach (var p in call.Partials.Where(p => p.Length > 0))
                        {
                            Define(p, call.Call);
                        }

                        break;
                    case CallWithDerivative call:
                        Define(call.Name, call.Call);
                        Define(call.Tangent, call.Call, call.Tangents.ToArray());
                        break;
                    case If branch:
                        Read(branch.Condition, -1);
                        Analyse(branch.Then);
                        Analyse(branch.Else);
                        foreach (var phi in branch.Phis)
                        {
                            Define(phi.Name, phi.WhenTrue, phi.WhenFalse);
                        }

                        break;
                    case Loop loop:
                        foreach (var v in loop.Carried)
                        {
                            Define(v.Name, v.Init);
                        }

                        Analyse(loop.Header);
                        Read(loop.Condition, -1);
                        Analyse(loop.Body);
                        foreach (var v in loop.Carried)
                        {
                            Update(v.Name, v.Next);
                        }

                        break;
                    default:
                        var sink = Sink(s);
                        foreach (var e in Direct(s))
                        {
                            Read(e, sink.Origin);
                        }

                        break;
                }
            }
        }

        private static List<Expr> Direct(Stmt s)
        {
            var list = new List<Expr>();
            Walk.DirectExpressions(s, list);
            return list;
        }

        private void Define(string name, Expr value, params Expr[] more)
        {
            if (_info.ContainsKey(name))
            {
                Update(name, value);
                return;
            }

            // The user's values have their statement; scheduling may have given a loop variable the user's name (s_1 -> s).
            var info = new Info { Origin = _origins.Lets.TryGetValue(name, out int origin) ? origin : _userNames.Contains(name) ? StemOrigin(name) : -1 };
            if (info.Origin < 0 && TangentBase(name) is { } primal)
            {
                info.Origin = OriginOf(primal);
            }
            else if (info.Origin < 0 && AdjointBase(name) is { } adjointOf)
            {
                info.BaseOrigin = OriginOf(adjointOf);
            }

            _info[name] = info;
            _order.Add(name);
            if (!_lowered.Contains(name))
            {
                _expansions[name] = Walk.Substitute(value, _expansions);
            }

            // A reverse value: an adjoint, what reads one (or the seed), and derivative code that is no part of the user's
            // computation (Cos(x) for Sin's derivative). A user's value, or one equal to a part of the user's computation, is forward.
            var primalValue = _expansions.TryGetValue(name, out var expanded) ? expanded : value;
            bool user = info.Origin >= 0 || _lowered.Contains(name) || _primal.Contains(primalValue);
            if (info.Origin < 0 && _expressionOrigins.TryGetValue(primalValue, out int statement))
            {
                // A part of the user's computation that scheduling named: the statement it first appears in.
                info.Origin = statement;
            }

            info.Reverse = !_forwardOnly && (IsAdjoint(name) || ReadsReverse(value) || more.Any(ReadsReverse) || !user);
            info.Tangent = _forwardOnly && !user;
            Update(name, value);
            foreach (var e in more)
            {
                Update(name, e);
            }
        }

        /// <summary>Adds what <paramref name="value"/> reads to what <paramref name="name"/> comes from.</summary>
        private void Update(string name, Expr value)
        {
            var info = _info[name];
            info.Reverse |= !_forwardOnly && ReadsReverse(value);
            Walk.Vars(value, n =>
            {
                if (n != name && _info.TryGetValue(n, out var read))
                {
                    info.Reads.Add(n);
                    read.Readers.Add((name, -1));
                }
            });
        }

        /// <summary>Records a statement that writes no named value (a condition, an output) as a reader, with its own origin.</summary>
        private void Read(Expr value, int origin)
        {
            Walk.Vars(value, n =>
            {
                if (_info.TryGetValue(n, out var read))
                {
                    read.Readers.Add((null, origin));
                }
            });
        }

        /// <summary>
        /// Origins of the values lowering did not name. A forward value takes the first forward reader's (a shared
        /// subexpression belongs where it first appears); a reverse value the latest of the forward values it reads (the
        /// local derivative of a statement reads that statement's operands), else that of the value it is the adjoint of,
        /// else the latest of the adjoints it reads, else the return's (where the result's adjoint enters).
        /// </summary>
        private void Resolve()
        {
            for (int pass = 0; pass < 2; pass++)
            {
                for (int k = _order.Count - 1; k >= 0; k--)
                {
                    var info = _info[_order[k]];
                    if (info.Origin < 0 && !info.Reverse)
                    {
                        info.Origin = FirstReader(info, forwardOnly: true);
                    }
                }
            }

            bool changed = true;
            for (int pass = 0; changed && pass < 8; pass++)
            {
                changed = false;
                foreach (var name in _order)
                {
                    var info = _info[name];
                    if (info.Origin < 0 && info.Reverse)
                    {
                        var (forward, reverse) = OperandOrigins(info.Reads);
                        info.Origin = forward >= 0 ? forward : info.BaseOrigin >= 0 ? info.BaseOrigin : reverse;
                        changed |= info.Origin >= 0;
                    }
                }
            }

            foreach (var name in Enumerable.Reverse(_order))
            {
                var info = _info[name];
                if (info.Origin < 0)
                {
                    info.Origin = info.Reverse ? _origins.Return : FirstReader(info, forwardOnly: false);
                }
            }
        }

        private int FirstReader(Info info, bool forwardOnly)
        {
            foreach (var (name, origin) in info.Readers)
            {
                int found = name is null ? origin : forwardOnly && _info[name].Reverse ? -1 : _info[name].Origin;
                if (found >= 0)
                {
                    return found;
                }
            }

            return -1;
        }

        /// <summary>The latest origins among the forward and among the reverse values of <paramref name="reads"/>.</summary>
        private (int Forward, int Reverse) OperandOrigins(IEnumerable<string> reads)
        {
            int forward = -1, reverse = -1;
            foreach (var n in reads)
            {
                if (_info.TryGetValue(n, out var info))
                {
                    if (info.Reverse)
                    {
                        reverse = Math.Max(reverse, info.Origin);
                    }
                    else
                    {
                        forward = Math.Max(forward, info.Origin);
                    }
                }
            }

            return (forward, reverse);
        }

        /// <summary>The origin of a reverse value computed inline from <paramref name="reads"/> (see <see cref="Resolve"/>).</summary>
        private int ReverseOrigin(IEnumerable<string> reads)
        {
            var (forward, reverse) = OperandOrigins(reads);
            return forward >= 0 ? forward : reverse >= 0 ? reverse : _origins.Return;
        }

        private int OriginOf(string name) =>
            _origins.Lets.TryGetValue(name, out int origin) ? origin : _info.TryGetValue(name, out var info) && info.Origin >= 0 ? info.Origin : StemOrigin(name);

        /// <summary>The first statement that assigns the user's variable <paramref name="name"/> is a version of.</summary>
        private int StemOrigin(string name)
        {
            if (_stemOrigins is null)
            {
                _stemOrigins = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var pair in _origins.Lets)
                {
                    string stem = DerivativeNames.Stem(pair.Key);
                    _stemOrigins[stem] = _stemOrigins.TryGetValue(stem, out int known) ? Math.Min(known, pair.Value) : pair.Value;
                }
            }

            return _stemOrigins.TryGetValue(DerivativeNames.Stem(name), out int origin) ? origin : -1;
        }

        private Dictionary<string, int>? _stemOrigins;

        /// <summary>The value an adjoint (<c>xBar</c>, <c>xBar2</c>) belongs to, or null.</summary>
        private string? AdjointBase(string name) => IsAdjoint(name) ? Base(name, DerivativeNames.AdjointSuffix) : null;

        /// <summary>The primal a tangent (<c>xDot</c>, <c>xDot2</c>) belongs to, or null.</summary>
        private string? TangentBase(string name) => _userNames.Contains(DerivativeNames.Stem(name)) ? null : Base(name, DerivativeNames.TangentSuffix);

        private static string? Base(string name, string suffix)
        {
            int end = name.Length;
            while (end > 0 && char.IsDigit(name[end - 1]))
            {
                end--;
            }

            return end > suffix.Length && string.CompareOrdinal(name, end - suffix.Length, suffix, 0, suffix.Length) == 0 ? name.Substring(0, end - suffix.Length) : null;
        }

        /// <summary>The origin and sweep of a statement that writes no named value (an output, an accumulation, a return).</summary>
        private (int Origin, bool Reverse) Sink(Stmt s) => s switch
        {
            Return => (_origins.Return, false),
            Store st => (StoreOrigin(st), !_forwardOnly && (IsAdjoint(st.Array) || ReadsReverse(st.Value))),
            SetOutput o => (-1, !_forwardOnly && _gradientOutputs.Contains(o.Target)),
            Accumulate => (-1, !_forwardOnly),
            _ => (-1, false),
        };

        /// <summary>
        /// The statement a store to an output comes from: the one that writes that element (the n-th such write for the
        /// n-th store, where the user writes an element twice), else the first that writes the output. A tangent or
        /// adjoint buffer of the output (<c>derivative[k]</c>) counts as the output.
        /// </summary>
        private int StoreOrigin(Store store)
        {
            string array = _origins.Stores.ContainsKey(store.Array) ? store.Array : _c.Sig.Output?.Name ?? store.Array;
            if (!_origins.Stores.TryGetValue(array, out var writes) || writes.Count == 0)
            {
                return -1;
            }

            var same = writes.Where(w => w.Index.Equals(store.Index)).ToList();
            if (same.Count == 0)
            {
                return writes[0].Origin;
            }

            var key = (store.Array, store.Index);
            _storeCounts.TryGetValue(key, out int n);
            _storeCounts[key] = n + 1;
            return same[Math.Min(n, same.Count - 1)].Origin;
        }

        /// <summary>How many stores to each element <see cref="StoreOrigin"/> has seen (reset between the two walks).</summary>
        private readonly Dictionary<(string, Expr), int> _storeCounts = new Dictionary<(string, Expr), int>();

        private bool IsAdjoint(string name) => name.Contains(DerivativeNames.AdjointSuffix) && !_userNames.Contains(DerivativeNames.Stem(name));

        private bool ReadsReverse(Expr e)
        {
            bool found = false;
            Walk.Transform(e, x =>
            {
                found |= x switch
                {
                    Var v => v.Name == _c.Sig.Seed || IsAdjoint(v.Name) || (_info.TryGetValue(v.Name, out var info) && info.Reverse),
                    Elem el => IsAdjoint(el.Array),
                    _ => false,
                };
                return x;
            });
            return found;
        }

        /// <summary>The origin of a value SymDiff computes inline from <paramref name="e"/> (an output, an accumulation).</summary>
        private int LatestOrigin(Expr e)
        {
            var reads = new List<string>();
            Walk.Vars(e, reads.Add);
            return ReverseOrigin(reads);
        }

        // ---- The checks --------------------------------------------------------------------------------------------

        private Block Rewrite(Block block)
        {
            var output = new List<Stmt>();
            foreach (var s in block.Statements)
            {
                switch (s)
                {
                    case Let let:
                        output.Add(let);
                        if (NeedsCheck(let.Value))
                        {
                            output.Add(CheckNamed(let.Name, let.Value));
                        }

                        break;

                    case Assign assign:
                        output.Add(assign);
                        if (NeedsCheck(assign.Value))
                        {
                            output.Add(CheckNamed(assign.Name, assign.Value));
                        }

                        break;

                    case CallWithGradient call:
                        output.Add(call);
                        foreach (var name in new[] { call.Name }.Concat(call.Partials.Where(p => p.Length > 0)).Where(_uses.ContainsKey))
                        {
                            output.Add(CheckNamed(name, call.Call.Type, call.Call));
                        }

                        break;

                    case CallWithDerivative call:
                        output.Add(call);
                        foreach (var name in new[] { call.Name, call.Tangent }.Where(_uses.ContainsKey))
                        {
                            output.Add(CheckNamed(name, call.Call.Type, new[] { call.Call }.Concat(call.Tangents).ToArray()));
                        }

                        break;

                    case SetOutput set:
                        output.Add(set);
                        if (NeedsCheck(set.Value))
                        {
                            var (origin, reverse) = Sink(set);
                            output.Add(Check(new Var(set.Target, set.Value.Type), Operands(set.Value), origin < 0 ? LatestOrigin(set.Value) : origin, reverse));
                        }

                        break;

                    case Accumulate accumulate when NeedsCheck(accumulate.Value):
                    {
                        var (origin, reverse) = Sink(accumulate);
                        var step = Named(accumulate.Target + "Step", accumulate.Value, origin < 0 ? LatestOrigin(accumulate.Value) : origin, reverse, output);
                        output.Add(new Accumulate(accumulate.Target, accumulate.Index, step));
                        break;
                    }

                    case Store store:
                    {
                        // Sink counts the stores to each element, so it sees every store, checked or not.
                        var (origin, reverse) = Sink(store);
                        if (!NeedsCheck(store.Value))
                        {
                            output.Add(store);
                            break;
                        }

                        var value = Named(store.Array + "Value", store.Value, origin < 0 ? LatestOrigin(store.Value) : origin, reverse, output);
                        output.Add(new Store(store.Array, store.Index, value));
                        break;
                    }

                    case Return ret when NeedsCheck(ret.Value):
                    {
                        var (origin, reverse) = Sink(ret);
                        output.Add(new Return(Named("value", ret.Value, origin < 0 ? LatestOrigin(ret.Value) : origin, reverse, output)));
                        break;
                    }

                    case If branch:
                    {
                        var then = Rewrite(branch.Then).Statements.ToList();
                        var @else = Rewrite(branch.Else).Statements.ToList();
                        var phis = branch.Phis.Select(p => new Phi(p.Name, p.Type, HandOut(p.Name, "Then", p.WhenTrue, then), HandOut(p.Name, "Else", p.WhenFalse, @else))).ToEquatableArray();
                        output.Add(new If(branch.Condition, new Block(ForwardChecksFirst(then).ToEquatableArray()), new Block(ForwardChecksFirst(@else).ToEquatableArray()), phis));
                        break;
                    }

                    case Loop loop:
                    {
                        var carried = loop.Carried.Select(v => new LoopVar(v.Name, v.Type, HandOut(v.Name, "Start", v.Init, output), v.Next)).ToList();
                        var header = Rewrite(loop.Header);
                        var body = Rewrite(loop.Body).Statements.ToList();
                        carried = carried.Select(v => new LoopVar(v.Name, v.Type, v.Init, HandOut(v.Name, "Next", v.Next, body))).ToList();
                        output.Add(loop with { Carried = carried.ToEquatableArray(), Header = header, Body = new Block(ForwardChecksFirst(body).ToEquatableArray()) });
                        break;
                    }

                    default:
                        output.Add(s);
                        break;
                }
            }

            return new Block(ForwardChecksFirst(output).ToEquatableArray());
        }

        /// <summary>
        /// The checks of derivative values (adjoints; tangents in forward mode) moved after the checks of the user's own values in the same straight run of statements (up to
        /// the next branch, loop or return): in a fused loop the partial <c>1 / t</c> of <c>Log(t)</c> is computed before
        /// the value, and at <c>t = 0</c> the user's own <c>Log</c> is the first non-finite value, not its derivative (a
        /// user trial read "reverse sweep" there as "my forward computation was fine"). A check only throws, and a let is
        /// never assigned again, so a later check sees the same value.
        /// </summary>
        private List<Stmt> ForwardChecksFirst(List<Stmt> statements)
        {
            // A value written once in this block keeps its value to the block's end: its check may move.
            var writes = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var s in statements)
            {
                string? written = s switch { Let l => l.Name, Assign a => a.Name, Accumulate { Index: null } a => a.Target, SetOutput o => o.Target, _ => null };
                if (written is not null)
                {
                    writes[written] = writes.TryGetValue(written, out int n) ? n + 1 : 1;
                }
            }

            bool Movable(Stmt s) => s is FiniteCheck { Value: Var v } check && _derivative.Contains(check) && writes.TryGetValue(v.Name, out int n) && n == 1;
            static bool EndsRun(Stmt s) => s is If or Loop or Return || s is not (Let or Assign or Store or Accumulate or SetOutput or FiniteCheck);

            var result = new List<Stmt>(statements.Count);
            int start = 0;
            while (start < statements.Count)
            {
                int end = start;
                while (end < statements.Count && !EndsRun(statements[end]))
                {
                    end++;
                }

                // Within statements[start, end): reverse checks before the run's last forward check go right after it.
                int lastForward = -1;
                for (int k = start; k < end; k++)
                {
                    if (statements[k] is FiniteCheck check && !_derivative.Contains(check))
                    {
                        lastForward = k;
                    }
                }

                var moved = new List<Stmt>();
                for (int k = start; k < end; k++)
                {
                    if (k < lastForward && Movable(statements[k]))
                    {
                        moved.Add(statements[k]);
                        continue;
                    }

                    result.Add(statements[k]);
                    if (k == lastForward)
                    {
                        result.AddRange(moved);
                    }
                }

                if (end < statements.Count)
                {
                    result.Add(statements[end]);
                }

                start = end + 1;
            }

            return result;
        }

        /// <summary>A value handed out of a block (a phi's, a loop variable's): named and checked at the end of <paramref name="into"/> when it is computed there.</summary>
        private Expr HandOut(string name, string suffix, Expr value, List<Stmt> into)
        {
            if (!NeedsCheck(value))
            {
                return value;
            }

            var info = _info.TryGetValue(name, out var known) ? known : new Info();
            int origin = info.Origin >= 0 ? info.Origin : LatestOrigin(value);
            return Named(DerivativeNames.Stem(name) + suffix, value, origin, info.Reverse, into);
        }

        /// <summary><c>T name = value;</c> and its check, added to <paramref name="into"/>; returns the name.</summary>
        private Var Named(string stem, Expr value, int origin, bool reverse, List<Stmt> into)
        {
            var v = new Var(FreshName(stem), value.Type);
            into.Add(new Let(v.Name, value));
            into.Add(Check(v, Operands(value), origin, reverse));
            return v;
        }

        private FiniteCheck CheckNamed(string name, Expr value) => CheckNamed(name, value.Type, value);

        private FiniteCheck CheckNamed(string name, ValType type, params Expr[] reads)
        {
            var info = _info.TryGetValue(name, out var known) ? known : new Info();
            var operands = reads.SelectMany(Operands).Distinct().ToList();
            int origin = info.Origin;
            if (origin < 0)
            {
                foreach (var e in reads)
                {
                    origin = Math.Max(origin, LatestOrigin(e));
                }
            }

            return Check(new Var(name, type), operands, origin, info.Reverse);
        }

        private FiniteCheck Check(Expr value, IEnumerable<Expr> operands, int origin, bool reverse)
        {
            if (origin < 0)
            {
                origin = _origins.Return >= 0 ? _origins.Return : _origins.Stores.Values.SelectMany(w => w).Select(w => w.Origin).DefaultIfEmpty(-1).Min();
            }

            var source = origin >= 0 && origin < _plan.Origins.Count ? _plan.Origins[origin] : new SourceOrigin(_plan.MethodLine, "the body of " + _c.Spec.Name);
            var check = new FiniteCheck(value, operands.ToEquatableArray(), _c.Spec.Name, _generated, _plan.File, source.Line, source.Text, reverse && !_forwardOnly ? Reverse : Forward);
            if (reverse || (_forwardOnly && value is Var v && (v.Name == _c.Sig.DerivativeName || (_info.TryGetValue(v.Name, out var info) && info.Tangent))))
            {
                _derivative.Add(check); // an adjoint, or in forward mode a tangent: checked after the user's own values (ForwardChecksFirst)
            }

            return check;
        }

        /// <summary>Whether a value is worth a check: floating-point, and computed (a copy of a checked value or of an input is not).</summary>
        private static bool NeedsCheck(Expr value) => value.Type.IsFloating() && !IsAtomic(value);

        private static bool IsAtomic(Expr e) => e switch
        {
            Const or Var or Elem or Opaque => true,
            Unary { Op: UnaryOp.Neg } u => IsAtomic(u.Operand),
            Unary { Op: UnaryOp.Convert } u => !u.Operand.Type.IsFloating(),
            _ => false,
        };

        /// <summary>The floating-point variables, elements and fields <paramref name="e"/> reads, each once, in order.</summary>
        private static List<Expr> Operands(Expr e)
        {
            var found = new List<Expr>();
            void Visit(Expr x)
            {
                if (x is Var or Elem or Opaque)
                {
                    if (x.Type.IsFloating() && !found.Contains(x))
                    {
                        found.Add(x);
                    }

                    return;
                }

                foreach (var child in Walk.Children(x))
                {
                    Visit(child);
                }
            }

            Visit(e);
            return found;
        }

        private string FreshName(string stem)
        {
            string name = stem;
            for (int i = 2; !_names.Add(name); i++)
            {
                name = stem + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return name;
        }

        private void CollectDefinitions(Block block) => Walk.CollectDefinitions(block, _names);
    }
}

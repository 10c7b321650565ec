using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using static SymDiff.Generator.Simplification.Ir;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>
    /// Local buffers in reverse mode (docs/architecture.md, "Local buffers"): an active buffer <c>h</c> has an adjoint
    /// buffer <c>hBar</c> of the same length and storage, zeroed at the top. A read <c>h[j]</c> adds into
    /// <c>hBar[j]</c> at once; a store <c>h[j] = v</c> takes <c>hBar[j]</c> as the adjoint of <c>v</c> and zeroes it.
    /// </summary>
    internal sealed partial class ReverseDifferentiator
    {
        /// <summary>Active local buffer → the allocation of its adjoint buffer.</summary>
        private readonly Dictionary<string, RentBuffer> _bufferAdjoints = new Dictionary<string, RentBuffer>(StringComparer.Ordinal);

        /// <summary>Every local buffer.</summary>
        private readonly HashSet<string> _localBuffers = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>Local buffer → its length (known at the top of the method, unlike the buffer itself).</summary>
        private readonly Dictionary<string, Expr> _bufferLengths = new Dictionary<string, Expr>(StringComparer.Ordinal);

        /// <summary>
        /// Whether a buffer holds its final values (for the current iteration of the scope that declares it) all through a
        /// loop's reverse sweep: it is declared outside that loop. Lowering's rules (written once, or filled by accumulation
        /// before any read) make every value the reverse sweep reads the final one, so the recomputation must not store
        /// into it again (an accumulation would add twice). A buffer declared inside the loop is made again each iteration,
        /// and the recomputation rebuilds it.
        /// </summary>
        private bool IsFinalDuringReverse(string array) => _localBuffers.Contains(array) && !_state.DeclaredInLoop.Contains(array);

        /// <summary>The local buffers each of whose elements is stored once per iteration of its declaring loop (<see cref="RentBuffer.WriteOnce"/>).</summary>
        private readonly HashSet<string> _writeOnce = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>
        /// In a loop body about to be recomputed by its reverse sweep: <c>let t = e; ... h[i] = t;</c> with <c>h</c> a
        /// write-once buffer declared outside the loop becomes <c>let t = h[i];</c>. The element still holds <c>t</c> when
        /// the reverse sweep runs (no later store overwrites it, and the sweep writes only adjoints), so the value, and
        /// everything only it needed (a hidden unit's dot product and its <c>Tanh</c>), is not computed a second time.
        /// </summary>
        private Block ReadBackStored(Block block)
        {
            var statements = block.Statements.ToList();
            for (int k = 0; k < statements.Count; k++)
            {
                if (statements[k] is not Store { Value: Var stored } store || !_writeOnce.Contains(store.Array) || !IsFinalDuringReverse(store.Array))
                {
                    continue;
                }

                int at = statements.FindIndex(s => s is Let l && l.Name == stored.Name);
                if (at < 0 || at > k)
                {
                    continue;
                }

                // The index must be computable where the value was: nothing it reads is defined from there on.
                var later = new HashSet<string>(StringComparer.Ordinal);
                for (int i = at; i < k; i++)
                {
                    Walk.CollectDefinitions(Block.Of(statements[i]), later);
                }

                bool computable = true;
                Walk.Vars(store.Index, name => computable &= !later.Contains(name));
                if (computable)
                {
                    statements[at] = new Let(stored.Name, new Elem(store.Array, store.Index, stored.Type));
                }
            }

            return new Block(statements.ToEquatableArray());
        }

        /// <summary>Gives every active local buffer (a zeroed allocation at the top of the body) its adjoint buffer.</summary>
        private void AllocateBufferAdjoints(Block body)
        {
            foreach (var rent in body.Statements.OfType<RentBuffer>().Where(r => r.Zeroed))
            {
                _localBuffers.Add(rent.Name);
                _bufferLengths[rent.Name] = rent.Length;
            }

            _writeOnce.UnionWith(body.Statements.OfType<RentBuffer>().Where(r => r.Zeroed && r.WriteOnce).Select(r => r.Name));

            // A buffer whose elements never reach the result (nothing reads it, or only values that are never returned)
            // gets no adjoint: its stores send nothing back, and a loop that fills it gets no reverse sweep (not a zero
            // times their partials: FINDINGS F25, F28, F30).
            var read = NamesReachingResult(body);

            foreach (var rent in body.Statements.OfType<RentBuffer>().Where(r => r.Zeroed && _activity.IsActiveArray(r.Name) && read.Contains(r.Name)))
            {
                var adjoint = rent with { Name = _namer.NewSourceName(DerivativeNames.Adjoint(rent.Name)) };
                _bufferAdjoints[rent.Name] = adjoint;
                _state.TopLevelBuffers.Add(adjoint);
            }
        }

        /// <summary>
        /// The values and arrays the result is computed from: a backward slice, flow-insensitive, from the returned value
        /// and the stores into the output, over every definition (lets, phis, carried values, stores into local buffers;
        /// a differentiable call through the arguments its derivative reads).
        /// </summary>
        private HashSet<string> NamesReachingResult(Block body)
        {
            var definitions = new Dictionary<string, List<Expr>>(StringComparer.Ordinal);
            var roots = new List<Expr>();
            void Define(string name, IEnumerable<Expr> values)
            {
                if (!definitions.TryGetValue(name, out var list))
                {
                    definitions[name] = list = new List<Expr>();
                }

                list.AddRange(values);
            }

            void Visit(Block block)
            {
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
                                Define(phi.Name, new[] { phi.WhenTrue, phi.WhenFalse });
                            }

                            break;
                        case Loop loop:
                            foreach (var v in loop.Carried)
                            {
                                Define(v.Name, new[] { v.Init, v.Next });
                            }

                            break;
                        case Store store when _outputs.Contains(store.Array):
                            roots.Add(store.Value);
                            break;
                        case Store store:
                            Define(store.Array, new[] { store.Value });
                            break;
                        case Return ret:
                            roots.Add(ret.Value);
                            break;
                        default:
                            // Anything else the differentiator may send adjoints through: every expression counts.
                            roots.AddRange(Walk.AllExpressions(s).Where(e => s is not (RentBuffer or ClearBuffer or ClearArray)));
                            break;
                    }

                    foreach (var nested in Walk.Blocks(s))
                    {
                        Visit(nested);
                    }
                }
            }

            Visit(body);
            var reaching = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<Expr>(roots);
            while (pending.Count > 0)
            {
                var e = pending.Pop();
                var names = new HashSet<string>(StringComparer.Ordinal);
                Walk.Vars(e, n => names.Add(n));
                CollectReadArrays(e, names);
                foreach (var name in names)
                {
                    if (reaching.Add(name) && definitions.TryGetValue(name, out var values))
                    {
                        foreach (var v in values)
                        {
                            pending.Push(v);
                        }
                    }
                }
            }

            return reaching;
        }

        private static void CollectReadArrays(Expr e, HashSet<string> into)
        {
            if (e is Elem el)
            {
                into.Add(el.Array);
            }
            else if (e is SpanRef passed)
            {
                into.Add(passed.Array); // a buffer passed whole to a differentiable callee
            }
            else if (e is SpanView part)
            {
                into.Add(part.Array); // a part of one
            }

            foreach (var c in Walk.Children(e))
            {
                CollectReadArrays(c, into);
            }
        }

        /// <summary>The local buffers a block declares (clears), at any depth.</summary>
        private static HashSet<string> BuffersDeclaredIn(Block block)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            void Visit(Block b)
            {
                foreach (var s in b.Statements)
                {
                    if (Cleared(s) is { } cleared)
                    {
                        names.Add(cleared);
                    }

                    foreach (var nested in Walk.Blocks(s))
                    {
                        Visit(nested);
                    }
                }
            }

            Visit(block);
            return names;
        }

        /// <summary>
        /// A loop whose body reads the output (FINDINGS F14, lowering allows it at the top level of a loop that is not
        /// nested) never fuses: its reads' contributions must reach the output's adjoint buffer after the reverse of every
        /// later store has taken its element, not during the forward sweep.
        /// </summary>
        private bool ReadsOutputInLoop(Loop loop) => _outputAdjoint is not null && ReadsAny(loop.Body, _outputs);

        private static bool ReadsAny(Block block, HashSet<string> arrays) =>
            block.Statements.Any(s => Walk.AllExpressions(s).Any(e => ReadsArrayOf(e, arrays)));

        private static bool ReadsArrayOf(Expr e, HashSet<string> arrays) => (e is Elem el && arrays.Contains(el.Array)) || Walk.Children(e).Any(c => ReadsArrayOf(c, arrays));

        /// <summary>
        /// F14: a read of the output at the top level of a loop body (a let lowering pinned) may be overwritten later
        /// (<c>y[i] /= sum</c>), so the reverse loop cannot recompute it: the forward loop stores each value it reads on a
        /// tape, and the recomputation reads the tape. Returns the recomputed (renamed) lets to replace.
        /// </summary>
        private Dictionary<string, Expr> TapeOutputReads(Loop loop, Dictionary<string, Expr> renames, HashSet<string> needed, Expr forwardIndex, Expr reverseIndex, Expr? capacity, LoopPlan plan)
        {
            var taped = new Dictionary<string, Expr>(StringComparer.Ordinal);
            if (_outputAdjoint is null)
            {
                return taped;
            }

            foreach (var let in loop.Body.Statements.OfType<Let>())
            {
                if (let.Value is not Elem read || !_outputs.Contains(read.Array) || !renames.TryGetValue(let.Name, out var renamed) || renamed is not Var recomputed || !needed.Contains(recomputed.Name))
                {
                    continue;
                }

                string tape = _namer.NewSourceName(DerivativeNames.Tape(Stem(let.Name)));
                if (_nesting == 0 && capacity is not null)
                {
                    plan.PreLoop.Add(new RentBuffer(tape, let.Type, capacity));
                }
                else
                {
                    _state.TopLevelBuffers.Add(new RentBuffer(tape, let.Type, Lit(16, ValType.Int)));
                    plan.BodySuffix.Add(new EnsureCapacity(tape, let.Type, forwardIndex));
                }

                plan.BodySuffix.Add(new Store(tape, forwardIndex, let.Ref));
                taped[recomputed.Name] = new Elem(tape, reverseIndex, let.Type);
            }

            return taped;
        }

        private static Stmt RestoreTapedRead(Stmt s, Dictionary<string, Expr> taped) =>
            s is Let l && taped.TryGetValue(l.Name, out var restored) ? new Let(l.Name, restored) : s;

        /// <summary>The buffer a statement clears, or null.</summary>
        private static string? Cleared(Stmt s) => s switch
        {
            ClearBuffer c => c.Target,
            ClearArray c => c.Name,
            _ => null,
        };

        /// <summary>
        /// Whether a block (at any depth) stores into an active local buffer other than <paramref name="own"/>: the buffers
        /// declared in the loop's own body live one iteration (the user's scope), so a fused loop's per-iteration reverse
        /// sweep sees all their reads and stores; a buffer that outlives the iteration may be read later.
        /// </summary>
        /// <summary>
        /// Whether one iteration's reverse needs what another iteration's reverse adds: the loop stores into a buffer with an
        /// adjoint that outlives the iteration (a local buffer declared outside the loop, or an output read back) and reads
        /// that buffer at an index other than those it stores in the same iteration (<c>h[i] = ...; s += h[i] * h[i - 1];</c>,
        /// a recurrent state's history). An element's adjoint is then complete only after every later iteration's reverse
        /// has run, so the reverse loop must count backwards (FINDINGS F39); forward order is only for independent iterations.
        /// </summary>
        private bool FlowsAcrossIterations(Loop loop)
        {
            var own = BuffersDeclaredIn(loop.Body);
            bool Tracked(string array) => (_bufferAdjoints.ContainsKey(array) && !own.Contains(array)) || (_outputAdjoint is not null && _outputs.Contains(array));
            var stores = new Dictionary<string, HashSet<Expr>>(StringComparer.Ordinal);
            void Visit(Block b)
            {
                foreach (var st in b.Statements)
                {
                    if (st is Store store && Tracked(store.Array))
                    {
                        if (!stores.TryGetValue(store.Array, out var indices))
                        {
                            stores[store.Array] = indices = new HashSet<Expr>();
                        }

                        indices.Add(store.Index);
                    }

                    foreach (var nested in Walk.Blocks(st))
                    {
                        Visit(nested);
                    }
                }
            }

            // A read at an index the same iteration stores (an accumulation h[0] = h[0] + e, e[i] = ...; s += e[i]) sees that
            // iteration's element; any other index may see another iteration's.
            Visit(loop.Header);
            Visit(loop.Body);
            return Walk.AllExpressions(loop).Any(e => Walk.Contains(e, x => x is Elem el && stores.TryGetValue(el.Array, out var indices) && !indices.Contains(el.Index)));
        }

        private bool StoresBuffer(Block block, HashSet<string> own) =>
            block.Statements.Any(s => (s is Store st && _bufferAdjoints.ContainsKey(st.Array) && !own.Contains(st.Array)) || Walk.Blocks(s).Any(b => StoresBuffer(b, own)));

        /// <summary>The reverse of a buffer's own statements: its allocation needs none; a clear (a declaration inside a loop) clears the adjoint too.</summary>
        private static void ReverseBufferStatement(Stmt s, Dictionary<string, RentBuffer> adjoints, List<Stmt> reverse)
        {
            if (Cleared(s) is { } name && adjoints.TryGetValue(name, out var adjoint))
            {
                // Contributions to elements read before this iteration wrote them belong to the zeros, not to the previous iteration.
                reverse.Add(adjoint.Clear());
            }
        }

        /// <summary><c>h[j] = v</c>: <c>v</c> receives <c>hBar[j]</c>, which the write then zeroes (the old value is gone).</summary>
        private bool ReverseBufferStore(Store store, Adjoints adjoints, List<Stmt> reverse)
        {
            if (!_bufferAdjoints.TryGetValue(store.Array, out var adjoint))
            {
                return false;
            }

            var type = store.Value.Type;
            var taken = new Let(_namer.NewSourceName(DerivativeNames.Adjoint(store.Array)), new Elem(adjoint.Name, store.Index, type));
            _types[taken.Name] = type;
            _state.AdjointNames.Add(taken.Name);
            reverse.Add(taken);
            // Live only where it is not zero (an element nothing read): no 0 * inf from the stored value's partials, as for the output.
            Record(taken.Name, new Binary(BinaryOp.Ne, taken.Ref, Lit(0, type), ValType.Bool));
            reverse.Add(new Store(adjoint.Name, store.Index, Lit(0, type)));
            Backprop(store.Value, taken.Ref, adjoints, reverse);
            return true;
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Vectorization
{
    /// <summary>
    /// <c>Vectorize = true</c> (API.md section 9): turns each innermost loop of a scheduled, named body that is vectorisable
    /// into a <see cref="VectorLoop"/> (SIMD lanes, independent accumulators, the scalar loop as remainder). Runs last, after
    /// the final naming pass, so no other pass sees a vector loop; the emitter writes it.
    /// </summary>
    /// <remarks>
    /// Vectorisable: a <c>for</c> loop counting by +1 to a loop-invariant bound (<c>i &lt; n</c>); a body of lets, stores and
    /// accumulations, no branch, call or nested loop; every element read or written at a unit-stride index (<c>i</c>,
    /// <c>i + e</c>, <c>e + i</c>, <c>i - e</c> with <c>e</c> loop-invariant), every array the loop writes read and written at
    /// one index only, and one index for all the writes when any of them is a store (not an accumulation); floating-point values of one type computed with <c>+ - * /</c>,
    /// negation, <c>Math.Sqrt</c>, <c>Math.Abs</c>, and <c>Math.Exp</c>, <c>Math.Log</c> and <c>Math.Tanh</c> where the target
    /// has <c>Vector256.Exp</c> and <c>Log</c>; the values carried from one iteration to the next, other than the counter, sums (<c>s = s + e</c>,
    /// <c>s = s - e</c>) read nowhere else in the loop, or values carried one iteration (<c>v = e</c>, where <c>e</c> does not
    /// depend on <c>v</c> and reads no array the loop writes: a stencil's <c>x[i + 1]</c> reused as the next <c>x[i]</c>, a
    /// reverse sweep's adjoint carried to the next element), which lanes get by rotating <c>e</c> by one lane
    /// (<see cref="VectorDelay"/>). Each sum gets vector accumulators, added up after the lanes, so sums
    /// are reordered: that is what <c>Vectorize = true</c> permits. Everything else stays scalar, with the reason (SD1023).
    /// </remarks>
    internal static class Vectorizer
    {
        /// <summary>A loop left scalar: its site (-1 when SymDiff made it), its counter (or null), and why.</summary>
        internal sealed record Refusal(int Site, string? Counter, string Reason);

        /// <summary>How many copies of the body the main vector loop runs when the loop has sums (independent accumulators).</summary>
        public const int SumUnroll = 4;

        /// <param name="arrays">The names that are <c>T[]</c> rather than spans: array parameters and pooled buffers.</param>
        /// <param name="unchecked">
        /// Outputs no aliasing check covers (a vector function's own output spans): a loop that stores into one may read
        /// other arrays only at the index it stores at, where lanes and the scalar loop see the same values even if they overlap.
        /// </param>
        /// <param name="reserved">Names the body reads without defining them (parameters): a loop the pass makes never takes one.</param>
        /// <param name="hoisted">Names declared before the statement that first assigns them (scope repair): a loop that defines one is not split.</param>
        public static Block Apply(Block body, VectorTarget target, ISet<string> arrays, ISet<string> @unchecked, List<Refusal> refusals, IEnumerable<string>? reserved = null, IEnumerable<string>? hoisted = null)
        {
            var declaredEarlier = new HashSet<string>(hoisted ?? Enumerable.Empty<string>(), System.StringComparer.Ordinal);
            // Views (row views, span locals): the arrays their elements live in, so that two names of one memory are seen as one.
            var views = new Dictionary<string, View>(System.StringComparer.Ordinal);
            var owned = new HashSet<string>(System.StringComparer.Ordinal);
            var grown = new HashSet<string>(System.StringComparer.Ordinal);
            var taken = new HashSet<string>(reserved ?? Enumerable.Empty<string>(), System.StringComparer.Ordinal);
            foreach (var s in Walk.AllStatements(body))
            {
                switch (s)
                {
                    case Let { Value: SpanView sv } let:
                        views[let.Name] = views.TryGetValue(let.Name, out var seen) ? seen.Merge(sv) : new View(sv);
                        break;
                    case RentBuffer rent:
                        owned.Add(rent.Name);
                        taken.Add(rent.Name); // a buffer's name is taken too (seed 47: a chunk counter named like the buffer 'h2', CS0136)
                        break;
                    case EnsureCapacity grow:
                        grown.Add(grow.Name);
                        break;
                    case Store store:
                        taken.Add(store.Array);
                        break;
                    case Accumulate accumulate:
                        taken.Add(accumulate.Target);
                        break;
                }

                foreach (var name in Walk.Defines(s))
                {
                    taken.Add(name);
                }

                foreach (var e in Walk.AllExpressions(s))
                {
                    Walk.Vars(e, n => taken.Add(n));
                    Walk.Contains(e, x => x is Elem el && taken.Add(el.Array) && false);
                }
            }

            owned.ExceptWith(grown);
            IEnumerable<string> BaseOf(string name)
            {
                var bases = new HashSet<string>(System.StringComparer.Ordinal);
                var pending = new Stack<string>();
                pending.Push(name);
                while (pending.Count > 0)
                {
                    var n = pending.Pop();
                    if (views.TryGetValue(n, out var view))
                    {
                        foreach (var a in view.Arrays)
                        {
                            if (a != n && !bases.Contains(a))
                            {
                                pending.Push(a);
                            }
                        }
                    }
                    else
                    {
                        bases.Add(n);
                    }
                }

                return bases;
            }

            // A view of an output no aliasing check covers is such an output too.
            var uncheckedAll = new HashSet<string>(@unchecked, System.StringComparer.Ordinal);
            uncheckedAll.UnionWith(views.Keys.Where(v => BaseOf(v).Any(@unchecked.Contains)));
            var context = new Context(views, BaseOf, owned);
            var declared = new List<RentBuffer>();
            var rewritten = Rewrite(body);

            // Scratch buffers of split loops: on the stack, declared once, before everything (no stackalloc inside a loop).
            return declared.Count == 0 ? rewritten : new Block(declared.Cast<Stmt>().Concat(rewritten.Statements).ToEquatableArray());

            // The chunk loop with its elementwise loops in lanes and its other loops rewritten, or null when no elementwise loop vectorises.
            Loop? Lanes(Loop chunks, IReadOnlyList<Loop> elementwise, Context withScratch)
            {
                // The elementwise loops first: the others are rewritten (reporting their inner loops) only when the split is kept.
                var lanes = elementwise.Select(part => (Part: part, Lanes: Vectorise(part, target, arrays, uncheckedAll, new List<Refusal>(), withScratch))).ToList();
                if (!lanes.Any(l => l.Lanes is VectorLoop))
                {
                    return null;
                }

                var statements = chunks.Body.Statements.Select(x => lanes.FirstOrDefault(l => ReferenceEquals(l.Part, x)).Lanes ?? (x is Loop ? Walk.MapBlocks(x, Rewrite) : x));
                return chunks with { Body = new Block(statements.ToEquatableArray()) };
            }

            // Whether a loop defines a name declared earlier (the split would declare it again in the loops of its parts).
            bool DefinesHoisted(Loop loop)
            {
                if (declaredEarlier.Count == 0)
                {
                    return false;
                }

                var names = new HashSet<string>(loop.Carried.Select(c => c.Name), System.StringComparer.Ordinal);
                Walk.CollectDefinitions(loop.Body, names);
                return names.Overlaps(declaredEarlier);
            }

            // Whether a name is read outside a loop of the body (the split loop's counter must not be).
            bool ReadOutside(Loop loop, string name)
            {
                var all = new List<Expr>();
                Walk.AllExpressions(body, all);
                return all.Count(e => Walk.Reads(e, name)) > Walk.AllExpressions(loop).Count(e => Walk.Reads(e, name));
            }

            Block Rewrite(Block block)
            {
                List<Stmt>? output = null;
                for (int k = 0; k < block.Statements.Count; k++)
                {
                    var s = block.Statements[k];
                    Stmt? second = null;
                    Stmt replaced;
                    if (s is Loop nested && HasNestedLoop(nested) && target.Lanes
                        && LoopFission.Split(nested, owned, BaseOf, taken, f => Plan.HasVectorForm(f, target)) is var (head, tail)
                        && Vectorise(tail, target, arrays, uncheckedAll, new List<Refusal>(), context) is VectorLoop lanes)
                    {
                        // The elementwise work after the inner loops runs in lanes of its own (LoopFission).
                        replaced = Walk.MapBlocks(head, Rewrite);
                        second = lanes;
                    }
                    else if (s is Loop both && HasNestedLoop(both) && target.Lanes
                        && !DefinesHoisted(both)
                        && LoopFission.SplitParts(both, BaseOf, uncheckedAll, taken, name => ReadOutside(both, name)) is var (chunks, elementwise, scratch)
                        && Lanes(chunks, elementwise, context.With(scratch.Select(b => b.Name))) is { } inLanes)
                    {
                        // The elementwise work between the inner loops runs in lanes, a chunk at a time (LoopFission.SplitParts).
                        replaced = inLanes;
                        declared.AddRange(scratch);
                    }
                    else
                    {
                        replaced = s switch
                        {
                            Loop loop when !HasNestedLoop(loop) => Vectorise(loop, target, arrays, uncheckedAll, refusals, context),
                            Loop or If => Walk.MapBlocks(s, Rewrite),
                            _ => s,
                        };
                    }

                    if ((!ReferenceEquals(replaced, s) || second is not null) && output is null)
                    {
                        output = block.Statements.Take(k).ToList();
                    }

                    output?.Add(replaced);
                    if (second is not null)
                    {
                        output!.Add(second);
                    }
                }

                return output is null ? block : new Block(output.ToEquatableArray());
            }
        }

        /// <summary>What a view's elements are: the arrays it views (one, unless one name views several in different scopes) and its start (null when not one).</summary>
        internal sealed class View
        {
            public View(SpanView view)
            {
                Arrays = new[] { view.Array };
                Start = view.Start;
            }

            private View(IReadOnlyList<string> arrays, Expr? start)
            {
                Arrays = arrays;
                Start = start;
            }

            public IReadOnlyList<string> Arrays { get; }

            public Expr? Start { get; }

            public View Merge(SpanView other) => new View(Arrays.Contains(other.Array) ? Arrays : Arrays.Append(other.Array).ToList(), Start is not null && Start.Equals(other.Start) && Arrays.Count == 1 && Arrays[0] == other.Array ? Start : null);
        }

        /// <summary>The method's views, for the analysis of each loop.</summary>
        private sealed class Context
        {
            public Context(IReadOnlyDictionary<string, View> views, System.Func<string, IEnumerable<string>> baseOf, ISet<string> owned)
            {
                Views = views;
                BaseOf = baseOf;
                Owned = owned;
            }

            /// <summary>Buffers the method owns (rented or on the stack) and never regrows: no other name reaches their memory.</summary>
            public ISet<string> Owned { get; }

            /// <summary>This context with more owned buffers (a split loop's scratch).</summary>
            public Context With(IEnumerable<string> owned) => new Context(Views, BaseOf, new HashSet<string>(Owned.Concat(owned), System.StringComparer.Ordinal));

            public IReadOnlyDictionary<string, View> Views { get; }

            public System.Func<string, IEnumerable<string>> BaseOf { get; }
        }

        private static bool HasNestedLoop(Loop loop) => loop.Body.Statements.Any(Contains) || loop.Header.Statements.Any(Contains);

        private static bool Contains(Stmt s) => s is Loop || Walk.Blocks(s).Any(b => b.Statements.Any(Contains));

        private static Stmt Vectorise(Loop loop, VectorTarget target, ISet<string> arrays, ISet<string> @unchecked, List<Refusal> refusals, Context context)
        {
            var shape = LoopShape.Counter(loop);
            string? counterName = shape?.Counter.Name;
            if (!target.Lanes)
            {
                refusals.Add(new Refusal(loop.Site, counterName, target.Missing));
                return loop;
            }

            var plan = new Plan(loop, target, @unchecked, context);
            string? reason = plan.Analyse();
            if (reason is not null)
            {
                refusals.Add(new Refusal(loop.Site, counterName, reason));
                return loop;
            }

            // A constant trip count (k from 0 below 4) that never fills one vector stays scalar; one that never fills the
            // unrolled body gets no unrolled body (a loop whose condition can never hold is dead code to a reader).
            int lanes = plan.Lanes;
            if (plan.ConstantTripCount is int trips && trips < lanes)
            {
                refusals.Add(new Refusal(loop.Site, counterName, $"it runs {trips.ToString(System.Globalization.CultureInfo.InvariantCulture)} iterations, fewer than the {lanes.ToString(System.Globalization.CultureInfo.InvariantCulture)} lanes of one vector"));
                return loop;
            }

            return plan.Build(arrays, plan.ConstantTripCount is int t && t < SumUnroll * lanes ? 1 : SumUnroll);
        }

        /// <summary>The analysis of one loop and, when it passes, its vector form.</summary>
        private sealed class Plan
        {
            private readonly Loop _loop;
            private readonly VectorTarget _target;
            private readonly HashSet<string> _varying = new HashSet<string>(System.StringComparer.Ordinal);
            /// <summary>Lets put into the expressions that read them: loop-invariant values (not defined where the lanes run) and unit-stride indices.</summary>
            private readonly Dictionary<string, Expr> _invariantLets = new Dictionary<string, Expr>(System.StringComparer.Ordinal);
            private readonly HashSet<string> _sumNames = new HashSet<string>(System.StringComparer.Ordinal);
            private readonly Dictionary<string, Expr> _writeIndex = new Dictionary<string, Expr>(System.StringComparer.Ordinal);
            /// <summary>Arrays the loop only adds into, at more than one index (<c>dP[w2 + j] += ...; dP[w2 + h + j] += ...</c>): they may not be read in the loop.</summary>
            private readonly HashSet<string> _severalIndices = new HashSet<string>(System.StringComparer.Ordinal);
            private readonly Dictionary<string, bool> _onlyAdded = new Dictionary<string, bool>(System.StringComparer.Ordinal);
            /// <summary>Lets that only hold a sum's next value (<c>z0_2 = z0 + term; z0 = z0_2</c>): the sum's update, not lanes of their own.</summary>
            private readonly HashSet<string> _sumLets = new HashSet<string>(System.StringComparer.Ordinal);
            private readonly List<Let> _broadcasts = new List<Let>();
            private readonly HashSet<string> _taken = new HashSet<string>(System.StringComparer.Ordinal);
            private readonly List<Stmt> _body = new List<Stmt>();
            private readonly List<VectorSum> _sums = new List<VectorSum>();
            /// <summary>Carried values other than sums: each is the previous iteration's next value (see <see cref="VectorDelay"/>).</summary>
            private readonly List<LoopVar> _delayed = new List<LoopVar>();
            private readonly List<VectorDelay> _delays = new List<VectorDelay>();
            private string _counter = string.Empty;
            private Expr _bound = Const.Zero;
            private ValType? _element;

            private readonly ISet<string> _unchecked;

            private readonly Context _context;

            public Plan(Loop loop, VectorTarget target, ISet<string> @unchecked, Context context)
            {
                _loop = loop;
                _target = target;
                _unchecked = @unchecked;
                _context = context;
            }

            public string? Analyse()
            {
                var shape = LoopShape.Counter(_loop);
                if (shape is { Step: < 0 })
                {
                    // Not the user's loop as written: the reverse sweep of one whose carried values are stored.
                    return "its reverse sweep runs backwards, reading the values each iteration stored from the last to the first";
                }

                if (shape is null || shape.Value.Step != 1 || _loop.Condition is not Binary { Op: BinaryOp.Lt, Left: Var tested } condition || tested.Name != shape.Value.Counter.Name)
                {
                    return "it is not a loop that counts up by 1 while the counter is below a bound";
                }

                _counter = shape.Value.Counter.Name;
                _varying.Add(_counter);
                foreach (var e in Walk.AllExpressions(_loop))
                {
                    Walk.Vars(e, n => _taken.Add(n));
                }

                Walk.CollectDefinitions(_loop.Body, _taken);

                // The carried values: the counter, and sums.
                var sums = new List<(LoopVar Var, Expr Term, bool Subtract)>();
                foreach (var v in _loop.Carried)
                {
                    if (v.Name == _counter)
                    {
                        continue;
                    }

                    if (v.Next is Var same && same.Name == v.Name)
                    {
                        continue; // not changed by the loop: a constant of it
                    }

                    if (!v.Type.IsFloating())
                    {
                        return $"'{v.Name}' is carried from one iteration to the next and is not a floating-point sum";
                    }

                    // A sum's next value may be a let of the body that only the carry reads (z0_2 = z0 + term; z0 = z0_2,
                    // as the scheduler writes several sums updated together).
                    var next = v.Next;
                    Let? through = null;
                    if (next is Var held && held.Name != v.Name && OnlyCarried(held.Name) is { } holder)
                    {
                        through = holder;
                        next = holder.Value;
                    }

                    (Expr Term, bool Subtract)? term = next switch
                    {
                        Binary { Op: BinaryOp.Add, Left: Var self } add when self.Name == v.Name => (add.Right, false),
                        Binary { Op: BinaryOp.Add, Right: Var self } add when self.Name == v.Name => (add.Left, false),
                        Binary { Op: BinaryOp.Sub, Left: Var self } sub when self.Name == v.Name => (sub.Right, true),
                        _ => null,
                    };
                    if (term is null)
                    {
                        // A value carried one iteration (xCurrent = xNext): lanes rotate its next value by one. Whether
                        // it depends on itself (a recurrence, which stays scalar) is decided when it is placed.
                        _delayed.Add(v);
                        _varying.Add(v.Name);
                        continue;
                    }

                    sums.Add((v, term.Value.Term, term.Value.Subtract));
                    if (through is not null)
                    {
                        _sumLets.Add(through.Name);
                    }

                    _sumNames.Add(v.Name);
                    _varying.Add(v.Name);
                }

                // A sum is read only by its own update.
                foreach (var (v, term, _) in sums)
                {
                    if (Reads(term, _sumNames) || _loop.Body.Statements.Where(s => s is not Let { Name: var n } || !_sumLets.Contains(n)).Any(s => Walk.AllExpressions(s).Any(e => Reads(e, new[] { v.Name }))))
                    {
                        return $"the sum '{v.Name}' is read inside the loop";
                    }
                }

                _bound = condition.Right;
                if (!IsInvariant(_bound))
                {
                    return "its bound changes inside the loop";
                }

                foreach (var s in _loop.Body.Statements)
                {
                    string? problem = s switch
                    {
                        Let let when _sumLets.Contains(let.Name) => null,
                        Let let => AddLet(let),
                        Store store => AddWrite(store.Array, store.Index, store.Value, accumulate: false),
                        Accumulate { Index: not null } acc => AddWrite(acc.Target, acc.Index, acc.Value, accumulate: true),
                        Accumulate => "it adds into a scalar output",
                        Comment => null,
                        If branch => AddBranch(branch),
                        _ => "it holds " + Describe(s),
                    };
                    if (problem is not null)
                    {
                        return problem;
                    }
                }

                foreach (var (v, term, subtract) in sums)
                {
                    var vector = VectorExpr(Inline(term), out string? problem);
                    if (vector is null)
                    {
                        return problem;
                    }

                    _sums.Add(new VectorSum(v.Name, v.Type, vector, subtract));
                }

                foreach (var v in _delayed)
                {
                    var next = Inline(v.Next);
                    if (Reads(next, _sumNames))
                    {
                        return $"the value carried in '{v.Name}' is computed from a sum";
                    }

                    // The rotated next value is computed where the carried value is first read, which may be before
                    // the loop's stores: it may not read what they write.
                    if (Walk.Contains(next, x => x is Elem el && _writeIndex.ContainsKey(el.Array)))
                    {
                        return $"the value carried in '{v.Name}' reads an array the loop writes";
                    }

                    var vector = VectorExpr(next, out string? problem);
                    if (vector is null)
                    {
                        return problem;
                    }

                    _delays.Add(new VectorDelay(v.Name, v.Type, vector));
                }

                if (_element is null)
                {
                    return "it computes no floating-point value element by element";
                }

                // Every access of an array the loop writes is at the one index it writes.
                string? conflict = null;
                foreach (var e in _loop.Body.Statements.SelectMany(Walk.AllExpressions))
                {
                    Walk.Contains(e, x =>
                    {
                        if (x is Elem el && _severalIndices.Contains(el.Array))
                        {
                            conflict ??= $"it adds into '{el.Array}' at several indices and reads it";
                        }
                        else if (x is Elem el2 && _writeIndex.TryGetValue(el2.Array, out var written) && !Inline(el2.Index).Equals(written))
                        {
                            conflict ??= $"it writes '{el2.Array}' at one index and reads it at another";
                        }

                        return false;
                    });
                }

                if (conflict is not null)
                {
                    return conflict;
                }

                // Two names of one memory (an array and a row of it, two rows): lanes would reorder a write and a read of one
                // element, so a loop that writes through one may not touch the other, unless it only adds through both and reads
                // neither (additions in another order, as at several indices of one array above).
                var read = new HashSet<string>(System.StringComparer.Ordinal);
                foreach (var e in _loop.Body.Statements.SelectMany(Walk.AllExpressions).Concat(_loop.Carried.Select(c => c.Next)))
                {
                    Walk.Contains(e, x => x is Elem el && read.Add(el.Array) && false);
                }

                var writtenNames = _writeIndex.Keys.Concat(_severalIndices).Distinct().ToList();
                bool OnlyAddedInto(string name) => _onlyAdded.TryGetValue(name, out bool added) && added && !read.Contains(name) && !_unchecked.Contains(name);
                foreach (var w in writtenNames)
                {
                    var bases = _context.BaseOf(w).ToList();
                    foreach (var other in read.Concat(writtenNames).Distinct())
                    {
                        if (other != w && _context.BaseOf(other).Any(bases.Contains) && !(OnlyAddedInto(w) && OnlyAddedInto(other)))
                        {
                            return $"it writes '{w}' and reads or writes '{other}', which views the same array";
                        }
                    }
                }

                // An output with no aliasing check may overlap what the loop reads: then only reads at the index it is
                // written at see the same values in lanes as in the scalar loop.
                foreach (var output in _writeIndex.Where(w => _unchecked.Contains(w.Key)))
                {
                    foreach (var e in _body.SelectMany(BodyExpressions).Concat(_sums.Select(x => x.Term)).Concat(_delays.Select(x => x.Next)))
                    {
                        if (Walk.Contains(e, x => x is Elem el && !el.Index.Equals(output.Value)))
                        {
                            return $"it writes the output '{output.Key}' and reads elements at other indices, which may overlap it";
                        }
                    }
                }

                // Two outputs may share memory (Backward's gradient buffers may): at different offsets, lanes would change the
                // order of the writes to one element. Additions in another order are what Vectorize permits; stores are not.
                // A buffer the method owns shares memory with nothing, so its stores are not counted.
                if (_writeIndex.Where(w => !_context.Owned.Contains(w.Key)).Select(w => Effective(w.Key, w.Value)).Distinct().Count() > 1
                    && _body.Any(b => b is Store st && !_context.Owned.Contains(st.Array)))
                {
                    return "it stores into arrays at different indices";
                }

                return _delays.Count == 0 ? null : PlaceDelays();
            }

            /// <summary>Where an element written through <paramref name="name"/> is in the array it views: a row's start plus the index (a fresh object, equal to nothing, when the start is not known).</summary>
            private object Effective(string name, Expr index) => !_context.Views.TryGetValue(name, out var view)
                ? index
                : view.Start is { } start ? new Binary(BinaryOp.Add, start, index, ValType.Int) : new object();

            /// <summary>
            /// Puts each carried value's <see cref="VectorDelay"/> before the first statement that reads it, after what its
            /// next value reads; null, or why that is impossible: the next value depends on the carried value itself (a
            /// recurrence: lane k would need lane k - 1), or on a value the loop computes after the carried value is read.
            /// </summary>
            private string? PlaceDelays()
            {
                var delays = _delays.ToDictionary(d => d.Name, System.StringComparer.Ordinal);
                var output = new List<Stmt>();
                var placed = new HashSet<string>(System.StringComparer.Ordinal);
                var active = new HashSet<string>(System.StringComparer.Ordinal);
                var defined = new HashSet<string>(System.StringComparer.Ordinal) { _counter };
                // Lets not emitted yet, which a next value may pull forward: they are pure, but one that reads an array the
                // loop writes must stay after the writes.
                var pending = _body.OfType<Let>().ToDictionary(l => l.Name, System.StringComparer.Ordinal);
                string? failed = null;

                bool Pull(string name)
                {
                    if (defined.Contains(name))
                    {
                        return true;
                    }

                    if (!pending.TryGetValue(name, out var let) || Walk.Contains(let.Value, x => x is Elem el && _writeIndex.ContainsKey(el.Array)))
                    {
                        return false;
                    }

                    bool ok = true;
                    Walk.Vars(let.Value, r =>
                    {
                        if (!ok)
                        {
                            return;
                        }

                        if (delays.ContainsKey(r))
                        {
                            ok = Place(r);
                        }
                        else if (_varying.Contains(r) && !defined.Contains(r))
                        {
                            ok = Pull(r);
                        }
                    });
                    if (!ok)
                    {
                        return false;
                    }

                    output.Add(let);
                    defined.Add(name);
                    return true;
                }

                bool Place(string name)
                {
                    if (placed.Contains(name))
                    {
                        return true;
                    }

                    if (!active.Add(name))
                    {
                        failed ??= name;
                        return false;
                    }

                    var delay = delays[name];
                    bool ok = true;
                    Walk.Vars(delay.Next, r =>
                    {
                        if (!ok)
                        {
                            return;
                        }

                        if (delays.ContainsKey(r))
                        {
                            ok = Place(r);
                        }
                        else if (_varying.Contains(r) && !defined.Contains(r) && !Pull(r))
                        {
                            failed ??= name;
                            ok = false;
                        }
                    });
                    if (!ok)
                    {
                        failed ??= name;
                        return false;
                    }

                    output.Add(delay);
                    placed.Add(name);
                    return true;
                }

                bool PlaceReads(IEnumerable<Expr> expressions)
                {
                    bool ok = true;
                    foreach (var e in expressions)
                    {
                        Walk.Vars(e, r => ok = ok && (!delays.ContainsKey(r) || Place(r)));
                    }

                    return ok;
                }

                foreach (var s in _body)
                {
                    if (s is Let pulled && defined.Contains(pulled.Name))
                    {
                        continue; // pulled forward by a next value
                    }

                    if (!PlaceReads(BodyExpressions(s)))
                    {
                        break;
                    }

                    output.Add(s);
                    if (s is Let let)
                    {
                        defined.Add(let.Name);
                    }
                }

                if (failed is null && PlaceReads(_sums.Select(x => x.Term)))
                {
                    foreach (var d in _delays)
                    {
                        if (!Place(d.Name))
                        {
                            break;
                        }
                    }
                }

                if (failed is not null)
                {
                    return $"the value carried in '{failed}' depends on itself from one iteration to the next, or on a value computed after it is read";
                }

                _body.Clear();
                _body.AddRange(output);
                return null;
            }

            /// <summary>The lanes of one <c>Vector256</c> of the loop's element type.</summary>
            public int Lanes => _element == ValType.Float ? 8 : 4;

            /// <summary>How many iterations the loop runs when its start and bound are constants (else null).</summary>
            public int? ConstantTripCount
            {
                get
                {
                    var init = _loop.Carried.First(c => c.Name == _counter).Init;
                    return init is Const start && _bound is Const end ? (int)System.Math.Max(0, end.Value - start.Value) : null;
                }
            }

            public VectorLoop Build(ISet<string> arrays, int unroll) => new VectorLoop(
                _loop,
                _counter,
                _bound,
                _element!.Value,
                _broadcasts.ToEquatableArray(),
                new Block(_body.ToEquatableArray()),
                _sums.ToEquatableArray(),
                _sums.Count > 0 ? unroll : 1,
                _body.SelectMany(BodyExpressions).Concat(_sums.Select(x => x.Term)).Concat(_delays.Select(x => x.Next)).SelectMany(Elements).Concat(_writeIndex.Keys).Where(arrays.Contains).Distinct().OrderBy(n => n, System.StringComparer.Ordinal).ToEquatableArray());

            private static IEnumerable<string> Elements(Expr e)
            {
                var names = new List<string>();
                Walk.Contains(e, x =>
                {
                    if (x is Elem el)
                    {
                        names.Add(el.Array);
                    }

                    return false;
                });
                return names;
            }

            private string? AddLet(Let let)
            {
                var inlined = Inline(let.Value);
                if (!Reads(inlined, _varying) && !ReadsVaryingElement(inlined))
                {
                    _invariantLets[let.Name] = inlined;
                    return null;
                }

                if (let.Type == ValType.Int && IsUnitStride(Inline(let.Value)))
                {
                    // An index (int k = i * d + j): put into the element accesses that use it.
                    _invariantLets[let.Name] = Inline(let.Value);
                    return null;
                }

                if (let.Type == ValType.Bool)
                {
                    // A condition per lane: a mask (all bits set where true), for the conditionals that read it.
                    var mask = VectorMask(Inline(let.Value), out string? maskProblem);
                    if (mask is null)
                    {
                        return maskProblem;
                    }

                    _varying.Add(let.Name);
                    _body.Add(new Let(let.Name, mask));
                    return null;
                }

                if (!let.Type.IsFloating())
                {
                    return $"'{let.Name}' is an integer value that changes with the counter";
                }

                var vector = VectorExpr(Inline(let.Value), out string? problem);
                if (vector is null)
                {
                    return problem;
                }

                _varying.Add(let.Name);
                _body.Add(new Let(let.Name, vector));
                return null;
            }

            /// <summary>
            /// A branch whose arms only add into arrays (<c>if (c) dX[i] += a; else dY[i] += b;</c>, what a <c>?:</c> in a sum
            /// becomes in a reverse sweep): masked accumulations, each lane adding only where the scalar code would.
            /// </summary>
            private string? AddBranch(If branch)
            {
                const string reason = "it branches (if or ?: on values that change with the counter) into more than additions into arrays";
                if (branch.Phis.Count > 0 || !branch.Then.Statements.Concat(branch.Else.Statements).All(x => x is Accumulate { Index: not null } or Comment))
                {
                    return reason;
                }

                var mask = VectorMask(Inline(branch.Condition), out string? problem);
                if (mask is null)
                {
                    return problem;
                }

                foreach (var (arm, armMask) in new[] { (branch.Then, mask), (branch.Else, new Unary(UnaryOp.Not, mask, ValType.Bool)) })
                {
                    foreach (var acc in arm.Statements.OfType<Accumulate>())
                    {
                        string? failed = AddWrite(acc.Target, acc.Index!, acc.Value, accumulate: true);
                        if (failed is not null)
                        {
                            return failed;
                        }

                        // AddWrite appended the unmasked accumulation: put the mask on it.
                        var added = (Accumulate)_body[_body.Count - 1];
                        _body[_body.Count - 1] = new VectorMaskedAccumulate(added.Target, added.Index!, armMask, added.Value);
                    }
                }

                return null;
            }

            /// <summary>The expressions of a vector body statement (<see cref="Walk"/> does not know the vector-only ones).</summary>
            private static IEnumerable<Expr> BodyExpressions(Stmt s) => s is VectorMaskedAccumulate m ? new[] { m.Index, m.Mask, m.Value } : Walk.AllExpressions(s);

            private string? AddWrite(string array, Expr index, Expr value, bool accumulate)
            {
                var unit = Inline(index);
                if (!IsUnitStride(unit))
                {
                    return $"it writes '{array}' at an index that is not the counter plus a loop-invariant offset";
                }

                if (_writeIndex.TryGetValue(array, out var before) && !before.Equals(unit))
                {
                    // Additions at several unit-stride indices of one array (a reverse sweep's dW2[c * h + j] += ... for each
                    // class c): each lane's load, add and store is one statement, so every element gets every addition, in
                    // another order only where the index ranges overlap, which Vectorize permits. Not stores, not an output
                    // no aliasing check covers, and the loop may not read the array (checked with the other reads).
                    if (!accumulate || !_onlyAdded[array] || _unchecked.Contains(array))
                    {
                        return $"it writes '{array}' at two indices";
                    }

                    _severalIndices.Add(array);
                }
                else if (!accumulate && _severalIndices.Contains(array))
                {
                    return $"it writes '{array}' at two indices";
                }
                else
                {
                    _writeIndex[array] = unit;
                    _onlyAdded[array] = accumulate && (!_onlyAdded.TryGetValue(array, out bool before2) || before2);
                }
                var vector = VectorExpr(Inline(value), out string? problem);
                if (vector is null)
                {
                    return problem;
                }

                _body.Add(accumulate ? new Accumulate(array, unit, vector) : new Store(array, unit, vector));
                return null;
            }

            /// <summary>The top-level let of the loop body named <paramref name="name"/> when nothing but the carried values reads it.</summary>
            private Let? OnlyCarried(string name)
            {
                var let = _loop.Body.Statements.OfType<Let>().FirstOrDefault(l => l.Name == name);
                if (let is null || _loop.Body.Statements.Any(s => Walk.AllExpressions(s).Any(e => Reads(e, new[] { name }))))
                {
                    return null;
                }

                return _loop.Carried.Count(c => Reads(c.Next, new[] { name })) == 1 ? let : null;
            }

            /// <summary>The vector form of a floating-point expression (invariant parts broadcast), or null with the reason.</summary>
            private Expr? VectorExpr(Expr e, out string? problem)
            {
                problem = null;
                if (!e.Type.IsFloating())
                {
                    problem = "it mixes integer values that change with the counter into floating-point ones";
                    return null;
                }

                if (_element is null)
                {
                    _element = e.Type;
                }
                else if (_element != e.Type)
                {
                    problem = "it mixes float and double values";
                    return null;
                }

                if (!Reads(e, _varying) && !ReadsVaryingElement(e))
                {
                    return Broadcast(e);
                }

                switch (e)
                {
                    case Var v when _varying.Contains(v.Name) && !_sumNames.Contains(v.Name):
                        return v;
                    case Elem el when IsUnitStride(el.Index):
                        return el;
                    case Elem el:
                        problem = $"it reads '{el.Array}' at an index that is not the counter plus a loop-invariant offset (a gather)";
                        return null;
                    case Binary { Op: BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div } b:
                    {
                        var left = VectorExpr(b.Left, out problem);
                        var right = left is null ? null : VectorExpr(b.Right, out problem);
                        return right is null ? null : new Binary(b.Op, left!, right, b.Type);
                    }

                    case Unary { Op: UnaryOp.Neg } u:
                    {
                        var operand = VectorExpr(u.Operand, out problem);
                        return operand is null ? null : new Unary(UnaryOp.Neg, operand, u.Type);
                    }

                    case Call c when c.Args.Count == 1 && HasVectorForm(c.Function):
                    {
                        var arg = VectorExpr(c.Args[0], out problem);
                        return arg is null ? null : new Call(c.Function, EquatableArray.Create(arg), c.Type);
                    }

                    case Call { Function: KnownFunction.Max or KnownFunction.Min } c when c.Args.Count == 2 && _target.ExpLog:
                    {
                        var left = VectorExpr(c.Args[0], out problem);
                        var right = left is null ? null : VectorExpr(c.Args[1], out problem);
                        return right is null ? null : new Call(c.Function, EquatableArray.Create(left!, right), c.Type);
                    }

                    case Call { Function: KnownFunction.Max or KnownFunction.Min } c when c.Args.Count == 2:
                        problem = $"Math.{c.Function} has no vector form with Math's results at signed zeros and NaN in the target framework (Vector256.{c.Function} has them from .NET 9)";
                        return null;
                    case IR.Cond c:
                    {
                        // Both sides in every lane, then a select: each lane gets exactly the side the scalar code takes.
                        var mask = VectorMask(c.Condition, out problem);
                        var whenTrue = mask is null ? null : VectorExpr(c.WhenTrue, out problem);
                        var whenFalse = whenTrue is null ? null : VectorExpr(c.WhenFalse, out problem);
                        return whenFalse is null ? null : new IR.Cond(mask!, whenTrue!, whenFalse, c.Type);
                    }

                    case Call c when c.Function is KnownFunction.Exp or KnownFunction.Log:
                        problem = $"Math.{c.Function} has no vector form in the target framework (Vector256.{c.Function} needs .NET 9 or later)";
                        return null;
                    case Call { Function: KnownFunction.Tanh }:
                        problem = "Math.Tanh has no vector form in the target framework (SymDiff's vector Tanh is built on Vector256.Exp, which needs .NET 9 or later)";
                        return null;
                    case Call c:
                        problem = $"Math.{Rules.MathFunctions.Of(c.Function).Name} has no vector form in SymDiff";
                        return null;
                    case Unary { Op: UnaryOp.Convert }:
                        problem = "it converts a value that changes with the counter";
                        return null;
                    case UserCall uc:
                        problem = $"it calls '{uc.Callee.Name}'";
                        return null;
                    default:
                        problem = "it computes " + e.GetType().Name + " from values that change with the counter";
                        return null;
                }
            }

            /// <summary>
            /// The mask form of a condition that changes with the counter (a comparison of floating-point values, <c>!</c>,
            /// <c>&amp;&amp;</c>, <c>||</c>, a boolean let made a mask), or null with the reason. Both sides of a
            /// <c>&amp;&amp;</c> are evaluated in every lane, which is safe: they are pure.
            /// </summary>
            private Expr? VectorMask(Expr e, out string? problem)
            {
                problem = null;
                bool invariant = !Reads(e, _varying) && !ReadsVaryingElement(e);
                switch (e)
                {
                    case Var v when _varying.Contains(v.Name) && v.Type == ValType.Bool:
                        return v;
                    case Binary { Op: BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge or BinaryOp.Eq or BinaryOp.Ne } b when b.Left.Type.IsFloating() && b.Right.Type.IsFloating():
                    {
                        var left = VectorExpr(b.Left, out problem);
                        var right = left is null ? null : VectorExpr(b.Right, out problem);
                        return right is null ? null : new Binary(b.Op, left!, right, ValType.Bool);
                    }

                    case Binary { Op: BinaryOp.And or BinaryOp.Or } b:
                    {
                        var left = VectorMask(b.Left, out problem);
                        var right = left is null ? null : VectorMask(b.Right, out problem);
                        return right is null ? null : new Binary(b.Op, left!, right, ValType.Bool);
                    }

                    case Unary { Op: UnaryOp.Not } u:
                    {
                        var operand = VectorMask(u.Operand, out problem);
                        return operand is null ? null : new Unary(UnaryOp.Not, operand, ValType.Bool);
                    }

                    default:
                        // A comparison of values that do not change with the counter (the reverse sweep's 'acc != 0' zero
                        // test) is made of broadcasts above: the same in every lane.
                        problem = invariant ? "it selects on a condition that does not change with the counter and is not a comparison of floating-point values"
                            : "it branches on a condition that is not a comparison of floating-point values";
                        return null;
                }
            }

            /// <remarks>
            /// Tanh has no <c>Vector256</c> form in .NET; the emitter writes SymDiff's own (a rational function near 0,
            /// <c>1 - 2 / (exp(2|x|) + 1)</c> beyond 0.625, built on <c>Vector256.Exp</c>; docs/performance.md has its accuracy).
            /// </remarks>
            private bool HasVectorForm(KnownFunction f) => HasVectorForm(f, _target);

            /// <summary>Whether <c>Math.f</c> runs in lanes for <paramref name="target"/>.</summary>
            internal static bool HasVectorForm(KnownFunction f, VectorTarget target) => f switch
            {
                KnownFunction.Sqrt or KnownFunction.Abs => true,
                KnownFunction.Exp or KnownFunction.Log or KnownFunction.Tanh => target.ExpLog,
                _ => false,
            };

            private Var Broadcast(Expr scalar)
            {
                foreach (var b in _broadcasts)
                {
                    if (b.Value.Equals(scalar))
                    {
                        return b.Ref;
                    }
                }

                string stem = scalar switch
                {
                    Var v => v.Name + "V",
                    Const => "c",
                    _ => "k",
                };
                string name = stem;
                for (int n = 2; _taken.Contains(name); n++)
                {
                    name = stem + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                _taken.Add(name);
                var let = new Let(name, scalar);
                _broadcasts.Add(let);
                return let.Ref;
            }

            /// <summary><c>i</c>, <c>i + e</c>, <c>e + i</c> or <c>i - e</c> with <c>e</c> loop-invariant.</summary>
            private bool IsUnitStride(Expr index) => index switch
            {
                Var v => v.Name == _counter,
                Binary { Op: BinaryOp.Add, Left: Var v } add when v.Name == _counter => IsInvariant(add.Right),
                Binary { Op: BinaryOp.Add, Right: Var v } add when v.Name == _counter => IsInvariant(add.Left),
                Binary { Op: BinaryOp.Sub, Left: Var v } sub when v.Name == _counter => IsInvariant(sub.Right),
                _ => false,
            };

            private bool IsInvariant(Expr e) => !Reads(e, _varying) && !Walk.Contains(e, x => x is Elem el && _writeIndex.ContainsKey(el.Array)) && !ReadsVaryingElement(e);

            /// <summary>Whether <paramref name="e"/> reads an element at an index that changes with the counter.</summary>
            private bool ReadsVaryingElement(Expr e) => Walk.Contains(e, x => x is Elem el && Reads(el.Index, _varying));

            /// <summary>The expression with the loop's invariant lets put in (they are not defined where the lanes run).</summary>
            private Expr Inline(Expr e) => _invariantLets.Count == 0 ? e : Walk.Substitute(e, _invariantLets);

            private static bool Reads(Expr e, IEnumerable<string> names)
            {
                var set = names as ISet<string> ?? new HashSet<string>(names, System.StringComparer.Ordinal);
                bool found = false;
                Walk.Vars(e, n => found |= set.Contains(n));
                return found;
            }

            private static string Describe(Stmt s) => s switch
            {
                CallWithGradient or CallWithDerivative or CallBackward or Invoke => "a call of a generated method",
                RentBuffer => "a local buffer",
                FiniteCheck => "finite checks (CheckFinite)",
                SetOutput => "a write of an out result",
                _ => "a " + s.GetType().Name + " statement",
            };
        }
    }
}

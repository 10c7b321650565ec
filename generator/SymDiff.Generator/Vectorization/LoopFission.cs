using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Vectorization
{
    /// <summary>
    /// <c>Vectorize = true</c>: splits a loop that holds a loop (not a candidate for lanes itself) after its last inner loop,
    /// when what follows is elementwise work with a vector form (a hidden layer's <c>h[j] = Math.Tanh(a)</c>, the logits
    /// summed from it), so that work runs in lanes in a loop of its own:
    /// <code>
    /// for (j = 0; j &lt; n; j++) { a = ...; for (k ...) { a += ... } h[j] = Math.Tanh(a); z += w[j] * h[j]; }
    /// </code>
    /// becomes
    /// <code>
    /// for (j = 0; j &lt; n; j++) { a = ...; for (k ...) { a += ... } h[j] = a; }          // the value the tail needs, parked in h
    /// for (j2 = 0; j2 &lt; n; j2++) { a = h[j2]; h[j2] = Math.Tanh(a); z += w[j2] * h[j2]; } // vectorisable
    /// </code>
    /// Loads and stores only: every floating-point operation and its order per element are unchanged, and so is the order
    /// of every carried sum's terms (the vectoriser then reorders them, as <c>Vectorize = true</c> permits).
    /// </summary>
    /// <remarks>
    /// The rule, all of it checked:
    /// <list type="bullet">
    /// <item>the loop counts from 0 by 1 below a bound that nothing in the loop changes (no element, no name the loop defines);</item>
    /// <item>the tail (the statements after the last statement holding a loop) has only lets and stores, calls at least one
    /// <c>Math</c> function with a vector form, and stores only into buffers the method owns, at the counter, each once;
    /// the head never names those buffers and the tail does not read them;</item>
    /// <item>every value the tail reads from the head (the "live" values) is floating point and is parked in one of those
    /// buffers, of its type (so there must be as many); the tail reads no array (nor a view of one) that the loop writes;</item>
    /// <item>a carried value moves to the tail's loop when the tail computes or reads it, and then the head may not read it,
    /// its next value reads only the tail's values and its start reads nothing the loop changes; otherwise it stays, and the
    /// tail may not read it;</item>
    /// <item>nothing in the loop can throw but an index (no user call, no integer division, no code taken as text, no
    /// finite check): the head's iterations now all run before the tail's, so an index exception may come from a later
    /// iteration of the head instead of an earlier one of the tail, which is the same exception (API.md section 9 allows
    /// outputs left partly written by a throw inside a loop).</item>
    /// </list>
    /// The caller keeps the split only when the tail's loop then vectorises.
    /// </remarks>
    internal static class LoopFission
    {
        /// <summary>The loop split in two (head, tail), or null when the rule does not apply.</summary>
        /// <param name="owned">Buffers the method owns (rented or on the stack) and never regrows: no other name reaches their memory.</param>
        /// <param name="baseOf">The arrays a name's elements live in (itself, or what a view views).</param>
        /// <param name="taken">Every name of the method; the tail's counter gets one not in it (and is added).</param>
        /// <param name="hasVectorForm">Whether a <c>Math</c> function runs in lanes for this target.</param>
        public static (Loop Head, Loop Tail)? Split(Loop loop, ISet<string> owned, Func<string, IEnumerable<string>> baseOf, ISet<string> taken, Func<KnownFunction, bool> hasVectorForm)
        {
            if (LoopShape.Counter(loop) is not { Step: 1 } shape || shape.Counter.Init is not Const { Value: 0 }
                || loop.Condition is not Binary { Op: BinaryOp.Lt, Left: Var tested, Right: var bound } || tested.Name != shape.Counter.Name
                || shape.Counter.Next is not Binary { Op: BinaryOp.Add })
            {
                return null;
            }

            string counter = shape.Counter.Name;
            var statements = loop.Body.Statements;
            int last = -1;
            for (int k = 0; k < statements.Count; k++)
            {
                if (HoldsLoop(statements[k]))
                {
                    last = k;
                }
            }

            if (last < 0 || last == statements.Count - 1)
            {
                return null;
            }

            var head = statements.Take(last + 1).ToList();
            var tail = statements.Skip(last + 1).ToList();
            if (!tail.All(s => s is Let or Store or Comment) || !tail.Any(s => s is Store) || !Safe(loop.Body))
            {
                return null;
            }

            // What the loop defines: a bound or a moved value's start that reads one of these is not the same after the head.
            var defined = new HashSet<string>(StringComparer.Ordinal);
            Walk.CollectDefinitions(loop.Body, defined);
            defined.UnionWith(loop.Carried.Select(v => v.Name));
            if (Walk.Contains(bound, x => x is Elem or UserCall or Opaque or Call or TupleItem || (x is Var v && defined.Contains(v.Name))))
            {
                return null;
            }

            var headDefined = new HashSet<string>(StringComparer.Ordinal);
            Walk.CollectDefinitions(new Block(head.ToEquatableArray()), headDefined);
            var tailDefined = new HashSet<string>(tail.OfType<Let>().Select(l => l.Name), StringComparer.Ordinal);
            var tailExpressions = tail.SelectMany(Walk.AllExpressions).ToList();

            // Arrays the loop writes: the tail may read none of them (nor their views).
            var written = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in Walk.AllStatements(loop.Body))
            {
                switch (s)
                {
                    case Store st: written.UnionWith(baseOf(st.Array)); break;
                    case Accumulate { Index: not null } ac: written.UnionWith(baseOf(ac.Target)); break;
                }
            }

            // Carried values: with the tail (it computes or reads them) or with the head.
            var kept = new List<LoopVar> { shape.Counter };
            var moved = new List<LoopVar>();
            foreach (var v in loop.Carried)
            {
                if (v.Name == counter)
                {
                    continue;
                }

                bool tailReads = tailExpressions.Any(e => Walk.Reads(e, v.Name));
                bool fromTail = Reads(v.Next, tailDefined);
                if (!tailReads && !fromTail)
                {
                    kept.Add(v);
                    continue;
                }

                // It moves: the head may not read it, its next value reads nothing of the head's, and its start is the same after the head.
                if (head.SelectMany(Walk.AllExpressions).Any(e => Walk.Reads(e, v.Name)) || Reads(v.Next, headDefined)
                    || Walk.Contains(v.Init, x => x is UserCall or Opaque or TupleItem || (x is Elem el && baseOf(el.Array).Any(written.Contains)) || (x is Var r && defined.Contains(r.Name))))
                {
                    return null;
                }

                moved.Add(v);
            }

            if (kept.Skip(1).Any(v => Reads(v.Next, tailDefined)))
            {
                return null;
            }

            var tailSide = tailExpressions.Concat(moved.Select(v => v.Next)).ToList();
            if (!tailSide.Any(e => Walk.Contains(e, x => x is Call c && hasVectorForm(c.Function))))
            {
                return null; // nothing the lanes would gain
            }

            bool readsWritten = false;
            foreach (var e in tailSide)
            {
                Walk.Contains(e, x =>
                {
                    if (x is Elem el && baseOf(el.Array).Any(written.Contains))
                    {
                        readsWritten = true;
                    }

                    return false;
                });
            }

            if (readsWritten)
            {
                return null;
            }

            // The buffers the tail stores into: owned, at the counter, once each, never named by the head or the kept values.
            var buffers = new List<(string Name, ValType Type)>();
            foreach (var st in tail.OfType<Store>())
            {
                if (!owned.Contains(st.Array) || st.Index is not Var at || at.Name != counter || buffers.Any(b => b.Name == st.Array)
                    || head.Any(s => Mentions.In(s, st.Array)) || kept.Any(v => Mentions.In(v.Next, st.Array)) || tailSide.Any(e => Mentions.In(e, st.Array)))
                {
                    return null;
                }

                buffers.Add((st.Array, st.Value.Type));
            }

            // The values the tail reads from the head, each parked in a buffer of its type.
            var live = new List<Var>();
            foreach (var e in tailSide)
            {
                Walk.Contains(e, x =>
                {
                    if (x is Var v && headDefined.Contains(v.Name) && !live.Any(l => l.Name == v.Name))
                    {
                        live.Add(v);
                    }

                    return false;
                });
            }

            var parked = new List<(Var Value, string Buffer)>();
            var free = buffers.ToList();
            foreach (var v in live)
            {
                int slot = free.FindIndex(b => b.Type == v.Type);
                if (!v.Type.IsFloating() || slot < 0)
                {
                    return null;
                }

                parked.Add((v, free[slot].Name));
                free.RemoveAt(slot);
            }

            string second = counter + "2";
            for (int n = 3; taken.Contains(second); n++)
            {
                second = counter + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            taken.Add(second);
            var first = new Loop(
                kept.ToEquatableArray(),
                loop.Header,
                loop.Condition,
                new Block(head.Concat(parked.Select(p => (Stmt)new Store(p.Buffer, new Var(counter, ValType.Int), p.Value))).ToEquatableArray()),
                loop.Kind,
                loop.Counter,
                loop.Site) { CounterInFor = loop.CounterInFor };

            var rename = new Dictionary<string, string>(StringComparer.Ordinal) { [counter] = second };
            var j2 = new Var(second, ValType.Int);
            var tailBody = Walk.Rename(
                new Block(parked.Select(p => (Stmt)new Let(p.Value.Name, new Elem(p.Buffer, new Var(counter, ValType.Int), p.Value.Type))).Concat(tail).ToEquatableArray()),
                rename);
            var carried = new List<LoopVar> { new LoopVar(second, ValType.Int, Const.Of(0, ValType.Int), new Binary(BinaryOp.Add, j2, Const.Of(1, ValType.Int), ValType.Int)) };
            carried.AddRange(moved.Select(v => v with { Next = Walk.Substitute(v.Next, new Dictionary<string, Expr>(StringComparer.Ordinal) { [counter] = j2 }) }));
            var secondLoop = new Loop(carried.ToEquatableArray(), Block.Empty, new Binary(BinaryOp.Lt, j2, bound, ValType.Bool), tailBody, LoopKind.For, second, loop.Site) { CounterInFor = true };
            return (first, secondLoop);
        }

        /// <summary>
        /// The other direction (a reverse sweep's loop over hidden units): a loop whose elementwise statements come before, or
        /// around, the statements that hold its inner loops, split into chunks of a scratch buffer's length, each chunk running
        /// the elementwise statements first, in a loop of their own that can run in lanes, then the rest:
        /// <code>
        /// for (j = 0; j &lt; n; j++) { dW2[j] += zBar * h[j]; aBar = ...; if (hBar != 0) { for (k ...) dW1[j * d + k] += aBar * x[k]; } dB1[j] += aBar; }
        /// </code>
        /// becomes
        /// <code>
        /// Span&lt;double&gt; aBarPark = stackalloc double[64];                                   // once, at the top of the method
        /// jc = 0; while (jc &lt; n) {
        ///     int jEnd = n - jc &lt; 64 ? n : jc + 64;
        ///     for (j = jc; j &lt; jEnd; j++) { dW2[j] += zBar * h[j]; aBar = ...; dB1[j] += aBar; aBarPark[j - jc] = aBar; }   // lanes
        ///     for (j2 = jc; j2 &lt; jEnd; j2++) { aBar = aBarPark[j2 - jc]; if (hBar != 0) { ... } }
        ///     jc = jc + 64; }
        /// </code>
        /// </summary>
        /// <remarks>
        /// The rule, all of it checked: the loop counts from 0 by 1 below a bound that nothing in the loop changes, and carries
        /// nothing but its counter; nothing in it can throw but an index (as for <see cref="Split"/>); the statements that hold
        /// loops define nothing the others read; neither part reads an array (or a view of one) that the other writes, and an
        /// array both write is only added into by both (additions into an element in another order, which <c>Vectorize =
        /// true</c> permits), and is not an output no aliasing check covers; the values the loop part reads from the elementwise
        /// part are floating point (parked, at most four) or integer and boolean lets recomputed from what they read. The order
        /// of every element's operations is unchanged. The caller keeps the split only when the elementwise loop vectorises.
        /// </remarks>
        /// <returns>The chunk loop, the elementwise loop inside it (to be vectorised), the scratch buffers to declare once, or null.</returns>
        public static (Loop Chunks, Loop Elementwise, IReadOnlyList<RentBuffer> Scratch)? SplitHead(Loop loop, Func<string, IEnumerable<string>> baseOf, ISet<string> @unchecked, ISet<string> taken)
        {
            if (LoopShape.Counter(loop) is not { Step: 1 } shape || shape.Counter.Init is not Const { Value: 0 } || loop.Carried.Count != 1
                || loop.Condition is not Binary { Op: BinaryOp.Lt, Left: Var tested, Right: var bound } || tested.Name != shape.Counter.Name
                || shape.Counter.Next is not Binary { Op: BinaryOp.Add } || !Safe(loop.Body))
            {
                return null;
            }

            string counter = shape.Counter.Name;
            var statements = loop.Body.Statements;
            var inner = statements.Where(HoldsLoop).ToList();
            var elementwise = statements.Where(x => !HoldsLoop(x)).ToList();
            if (inner.Count == 0 || !elementwise.Any(x => x is Accumulate or Store))
            {
                return null;
            }

            var defined = new HashSet<string>(StringComparer.Ordinal);
            Walk.CollectDefinitions(loop.Body, defined);
            defined.Add(counter);
            if (Walk.Contains(bound, x => x is Elem or UserCall or Opaque or Call or TupleItem || (x is Var v && defined.Contains(v.Name))))
            {
                return null;
            }

            // The loop part defines nothing the elementwise part reads.
            var innerDefined = new HashSet<string>(StringComparer.Ordinal);
            Walk.CollectDefinitions(new Block(inner.ToEquatableArray()), innerDefined);
            if (elementwise.SelectMany(Walk.AllExpressions).Any(e => Reads(e, innerDefined)))
            {
                return null;
            }

            // Memory: what each part reads and writes, as the arrays the names view.
            static void Access(IEnumerable<Stmt> part, Func<string, IEnumerable<string>> baseOf, HashSet<string> reads, Dictionary<string, bool> writes)
            {
                foreach (var s in part.SelectMany(x => Walk.AllStatements(new Block(EquatableArray.Create(x)))))
                {
                    (string? array, bool added) = s switch
                    {
                        Store st => (st.Array, false),
                        Accumulate { Index: not null } ac => (ac.Target, true),
                        _ => ((string?)null, false),
                    };
                    if (array is not null)
                    {
                        foreach (var b in baseOf(array))
                        {
                            writes[b] = writes.TryGetValue(b, out bool before) ? before && added : added;
                        }
                    }

                    foreach (var e in Walk.AllExpressions(s))
                    {
                        Walk.Contains(e, x =>
                        {
                            if (x is Elem el)
                            {
                                reads.UnionWith(baseOf(el.Array));
                            }

                            return false;
                        });
                    }
                }
            }

            var readsE = new HashSet<string>(StringComparer.Ordinal);
            var readsX = new HashSet<string>(StringComparer.Ordinal);
            var writesE = new Dictionary<string, bool>(StringComparer.Ordinal);
            var writesX = new Dictionary<string, bool>(StringComparer.Ordinal);
            Access(elementwise, baseOf, readsE, writesE);
            Access(inner, baseOf, readsX, writesX);
            var uncheckedBases = new HashSet<string>(@unchecked.SelectMany(baseOf), StringComparer.Ordinal);
            if (writesE.Keys.Any(readsX.Contains) || writesX.Keys.Any(readsE.Contains)
                || writesE.Keys.Concat(writesX.Keys).Any(uncheckedBases.Contains)
                || writesE.Any(w => writesX.TryGetValue(w.Key, out bool added) && !(added && w.Value)))
            {
                return null;
            }

            // The values the loop part reads from the elementwise part: parked (floating point) or recomputed (integer, boolean).
            var lets = elementwise.OfType<Let>().ToDictionary(l => l.Name, StringComparer.Ordinal);
            var parked = new List<Let>();
            var recomputed = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<string>();
            foreach (var e in inner.SelectMany(Walk.AllExpressions))
            {
                Walk.Vars(e, n =>
                {
                    if (lets.ContainsKey(n))
                    {
                        pending.Push(n);
                    }
                });
            }

            while (pending.Count > 0)
            {
                var name = pending.Pop();
                var let = lets[name];
                if (parked.Contains(let) || recomputed.Contains(name))
                {
                    continue;
                }

                if (let.Type.IsFloating())
                {
                    parked.Add(let);
                    continue;
                }

                if (let.Value is SpanView || Walk.Contains(let.Value, x => x is Elem))
                {
                    return null;
                }

                recomputed.Add(name);
                Walk.Vars(let.Value, n =>
                {
                    if (lets.ContainsKey(n))
                    {
                        pending.Push(n);
                    }
                });
            }

            if (parked.Count == 0 || parked.Count > 4)
            {
                return null;
            }

            int bytes = parked.Sum(l => l.Type == ValType.Float ? 4 : 8);
            int chunk = RentBuffer.StackLimitBytes / bytes;
            chunk = chunk >= 64 ? 64 : chunk >= 32 ? 32 : 16;

            string Fresh(string stem)
            {
                string name = stem;
                for (int n = 2; taken.Contains(name); n++)
                {
                    name = stem + n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                taken.Add(name);
                return name;
            }

            var intT = ValType.Int;
            var jc = new Var(Fresh(counter + "Chunk"), intT);
            var end = new Var(Fresh(counter + "End"), intT);
            var scratch = parked.Select(l => new RentBuffer(Fresh(l.Name + "Park"), l.Type, Const.Of(chunk, intT)) { OnStack = true, Zeroed = true }).ToList();
            var j = new Var(counter, intT);
            var size = Const.Of(chunk, intT);
            Expr Slot(Var at) => new Binary(BinaryOp.Sub, at, jc, intT);

            Loop CountedLoop(string name, Block body, int site) => new Loop(
                EquatableArray.Create(new LoopVar(name, intT, jc, new Binary(BinaryOp.Add, new Var(name, intT), Const.Of(1, intT), intT))),
                Block.Empty,
                new Binary(BinaryOp.Lt, new Var(name, intT), end, ValType.Bool),
                body,
                LoopKind.For,
                name,
                site) { CounterInFor = true };

            // The integer lets only the loop part reads are recomputed there, not computed in the lanes.
            var firstPart = elementwise.Where(x => x is not Let l || !recomputed.Contains(l.Name)
                || elementwise.Where(o => o != x).SelectMany(Walk.AllExpressions).Any(e => Walk.Reads(e, l.Name))).ToList();
            var first = CountedLoop(counter, new Block(firstPart.Concat(parked.Select((l, k) => (Stmt)new Store(scratch[k].Name, Slot(j), l.Ref))).ToEquatableArray()), loop.Site);
            string second = Fresh(counter + "2");
            var secondBody = Walk.Rename(
                new Block(parked.Select((l, k) => (Stmt)new Let(l.Name, new Elem(scratch[k].Name, Slot(j), l.Type)))
                    .Concat(elementwise.OfType<Let>().Where(l => recomputed.Contains(l.Name)))
                    .Concat(inner).ToEquatableArray()),
                new Dictionary<string, string>(StringComparer.Ordinal) { [counter] = second });
            var secondLoop = CountedLoop(second, secondBody, loop.Site);
            var chunks = new Loop(
                EquatableArray.Create(new LoopVar(jc.Name, intT, Const.Of(0, intT), new Binary(BinaryOp.Add, jc, size, intT))),
                Block.Empty,
                new Binary(BinaryOp.Lt, jc, bound, ValType.Bool),
                new Block(EquatableArray.Create<Stmt>(
                    new Let(end.Name, new Cond(new Binary(BinaryOp.Lt, new Binary(BinaryOp.Sub, bound, jc, intT), size, ValType.Bool), bound, new Binary(BinaryOp.Add, jc, size, intT), intT)),
                    first,
                    secondLoop)),
                LoopKind.While,
                null,
                -1);
            return (chunks, first, scratch);
        }

        private static bool HoldsLoop(Stmt s) => s is Loop || Walk.Blocks(s).Any(b => b.Statements.Any(HoldsLoop));

        private static bool Reads(Expr e, ISet<string> names)
        {
            bool found = false;
            Walk.Vars(e, n => found |= names.Contains(n));
            return found;
        }

        /// <summary>Nothing in the block can throw but an index: lets, stores, accumulations, loops and branches of pure expressions.</summary>
        private static bool Safe(Block block)
        {
            foreach (var s in Walk.AllStatements(block))
            {
                if (s is not (Let or Store or Accumulate { Index: not null } or Loop or If or Comment))
                {
                    return false;
                }

                if (Walk.AllExpressions(s).Any(e => Walk.Contains(e, x => x is UserCall or Opaque or TupleItem || (x is Binary { Op: BinaryOp.Div or BinaryOp.Rem } b && !b.Type.IsFloating()))))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

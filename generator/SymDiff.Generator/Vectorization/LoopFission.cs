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
        /// The general split of a loop that holds loops (a reverse sweep's loop over hidden units, logistic regression's loop
        /// over rows), a chunk of at most 64 iterations at a time: its statements are cut into parts, each statement that holds
        /// a loop a part of its own, and every other statement put into the run of elementwise statements right after the
        /// last part it depends on (a let that only elementwise statements read sinks to the first run that reads it); each
        /// part runs over the chunk in a loop of its own, in order, so the elementwise runs can run in lanes:
        /// <code>
        /// for (i = 0; i &lt; n; i++) { z = dot(w, x row i); e = Math.Exp(-t[i] * z); zBar = ...; for (j ...) dW[j] += zBar * x[i, j]; loss += Math.Log(1 + e); }
        /// </code>
        /// becomes
        /// <code>
        /// Span&lt;double&gt; zPark = stackalloc double[64], zBarPark = ...;                      // once, at the top of the method
        /// iChunk = 0; while (iChunk &lt; n) {
        ///     int iEnd = n - iChunk &lt; 64 ? n : iChunk + 64;
        ///     for (i = iChunk; i &lt; iEnd; i++) { z = dot(w, x row i); zPark[i - iChunk] = z; }
        ///     for (i2 = iChunk; i2 &lt; iEnd; i2++) { z = zPark[i2 - iChunk]; e = ...; zBar = ...; zBarPark[...] = zBar; loss2 += ...; }   // lanes
        ///     for (i3 = iChunk; i3 &lt; iEnd; i3++) { zBar = zBarPark[i3 - iChunk]; for (j ...) dW[j] += zBar * x[i3, j]; }
        ///     iChunk = iChunk + 64; loss = loss2; }
        /// </code>
        /// </summary>
        /// <remarks>
        /// The rule, all of it checked: the loop counts from 0 by 1 below a bound that nothing in the loop changes, and its
        /// counter is not read after it; nothing in it can throw but an index (as for <see cref="Split"/>); no part reads an
        /// array (or a view of one) that another part writes, and an array two parts write is only added into by both
        /// (additions into an element in another order, which <c>Vectorize = true</c> permits), and is not an output no
        /// aliasing check covers; a carried value other than the counter is read by no statement of the loop (a sum): it goes
        /// to the elementwise run of what its next value reads, and the chunk loop carries it on; a value one part reads from
        /// another is parked in a stack buffer of its own (floating point or integer, at most 64 bytes per iteration), or
        /// recomputed when it is an integer or boolean let or a view that reads no element. Loads and stores only: the order of
        /// every element's operations and of every sum's terms is the loop's. The caller keeps the split only when at least
        /// one elementwise run vectorises.
        /// </remarks>
        /// <param name="readOutside">Whether a name is read outside the loop.</param>
        /// <returns>The chunk loop, the elementwise loops inside it (to be vectorised), the scratch buffers to declare once, or null.</returns>
        public static (Loop Chunks, IReadOnlyList<Loop> Elementwise, IReadOnlyList<RentBuffer> Scratch)? SplitParts(Loop loop, Func<string, IEnumerable<string>> baseOf, ISet<string> @unchecked, ISet<string> taken, Func<string, bool> readOutside)
        {
            if (LoopShape.Counter(loop) is not { Step: 1 } shape || shape.Counter.Init is not Const { Value: 0 }
                || loop.Condition is not Binary { Op: BinaryOp.Lt, Left: Var tested, Right: var bound } || tested.Name != shape.Counter.Name
                || shape.Counter.Next is not Binary { Op: BinaryOp.Add } || !Safe(loop.Body))
            {
                return null;
            }

            string counter = shape.Counter.Name;
            var statements = loop.Body.Statements;
            int n = statements.Count;
            if (!statements.Any(HoldsLoop) || readOutside(counter))
            {
                return null;
            }

            var defined = new HashSet<string>(StringComparer.Ordinal);
            Walk.CollectDefinitions(loop.Body, defined);
            defined.UnionWith(loop.Carried.Select(v => v.Name));
            if (Walk.Contains(bound, x => x is Elem or UserCall or Opaque or Call or TupleItem || (x is Var v && defined.Contains(v.Name))))
            {
                return null;
            }

            // Where each top-level name is defined, and the names each statement reads.
            // (A loop's counter declared in its for statement is not seen after it; the final naming pass gives sibling
            // scopes the same names, so a statement's reads are the names it does not define itself.)
            var definedAt = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int k = 0; k < n; k++)
            {
                foreach (var name in Walk.Defines(statements[k]))
                {
                    if (!(statements[k] is Loop { CounterInFor: true } forLoop && forLoop.Counter == name))
                    {
                        definedAt[name] = k;
                    }
                }
            }

            var reads = statements.Select(x =>
            {
                var names = Names(x);
                var inside = new HashSet<string>(StringComparer.Ordinal);
                Walk.CollectDefinitions(new Block(EquatableArray.Create(x)), inside);
                names.ExceptWith(inside);
                return names;
            }).ToList();

            // Levels: the k-th statement holding a loop is part 2k - 1; an elementwise statement goes to run 2L after the last part L it depends on.
            var part = new int[n];
            var isLoop = new bool[n];
            int loops = 0;
            for (int k = 0; k < n; k++)
            {
                if (HoldsLoop(statements[k]))
                {
                    isLoop[k] = true;
                    part[k] = (2 * ++loops) - 1;
                    continue;
                }

                part[k] = reads[k].Where(definedAt.ContainsKey).Select(r => definedAt[r]).Where(d => d < k).Select(d => isLoop[d] ? part[d] + 1 : part[d]).DefaultIfEmpty(0).Max();
            }

            // Carried values other than the counter: sums, read by no statement; each goes to the run of what its next value reads.
            var sums = new List<(LoopVar Var, int Part)>();
            foreach (var v in loop.Carried)
            {
                if (v.Name == counter || (v.Next is Var same && same.Name == v.Name))
                {
                    continue;
                }

                if (reads.Any(r => r.Contains(v.Name)))
                {
                    return null;
                }

                var nextReads = new HashSet<string>(StringComparer.Ordinal);
                Walk.Vars(v.Next, r => nextReads.Add(r));
                if (nextReads.Contains(counter))
                {
                    return null;
                }

                sums.Add((v, nextReads.Where(definedAt.ContainsKey).Select(r => definedAt[r]).Select(d => isLoop[d] ? part[d] + 1 : part[d]).DefaultIfEmpty(0).Max()));
            }

            // A let read only by elementwise statements sinks to the first run that reads it.
            for (int k = n - 1; k >= 0; k--)
            {
                if (isLoop[k] || statements[k] is not Let let)
                {
                    continue;
                }

                var readers = Enumerable.Range(k + 1, n - k - 1).Where(m => reads[m].Contains(let.Name)).ToList();
                var levels = readers.Select(m => part[m]).Concat(sums.Where(s => Walk.Reads(s.Var.Next, let.Name)).Select(s => s.Part)).ToList();
                if (levels.Count > 0 && readers.All(m => !isLoop[m]))
                {
                    part[k] = Math.Max(part[k], levels.Min());
                }
            }

            int parts = (2 * loops) + 1;

            // Memory: no part reads what another writes; two parts write an array only by adding into it.
            var partReads = Enumerable.Range(0, parts).Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToList();
            var partWrites = Enumerable.Range(0, parts).Select(_ => new Dictionary<string, bool>(StringComparer.Ordinal)).ToList();
            for (int k = 0; k < n; k++)
            {
                Access(statements[k], baseOf, partReads[part[k]], partWrites[part[k]]);
            }

            var uncheckedBases = new HashSet<string>(@unchecked.SelectMany(baseOf), StringComparer.Ordinal);
            for (int p = 0; p < parts; p++)
            {
                if (partWrites[p].Keys.Any(uncheckedBases.Contains))
                {
                    return null;
                }

                for (int q = 0; q < parts; q++)
                {
                    if (p != q && (partWrites[p].Keys.Any(partReads[q].Contains) || partWrites[p].Any(w => partWrites[q].TryGetValue(w.Key, out bool added) && !(added && w.Value))))
                    {
                        return null;
                    }
                }
            }

            // What each part reads from another: parked, or recomputed (integer and boolean lets, views, that read no element).
            // Also a floating let of plain arithmetic on values from outside the loop (1.0 - p): invariant, so recomputing it
            // in each part gives the same bits, where parking it would store the same value once per iteration.
            bool Recomputable(Stmt s) => s is Let l && !Walk.Contains(l.Value, x => x is Elem)
                && (!l.Type.IsFloating() || l.Value is SpanView
                    || (!Walk.Contains(l.Value, x => x is IR.Call or UserCall or Opaque or TupleItem) && Names(l.Value).All(r => !defined.Contains(r) && r != counter)));

            // A recomputable let of a part that only other parts read is not computed in its own part (they recompute it).
            // (Later statements first: a let that only skipped lets of its part read is skipped too.)
            var skip = new bool[n];
            for (int k = n - 1; k >= 0; k--)
            {
                if (Recomputable(statements[k]) && statements[k] is Let l
                    && !Enumerable.Range(0, n).Any(m => m != k && part[m] == part[k] && !skip[m] && reads[m].Contains(l.Name))
                    && !sums.Any(x => x.Part == part[k] && Walk.Reads(x.Var.Next, l.Name)) && Enumerable.Range(0, n).Any(m => reads[m].Contains(l.Name)))
                {
                    skip[k] = true;
                }
            }

            var parked = new List<(string Name, ValType Type, int From)>();
            var recompute = Enumerable.Range(0, parts).Select(_ => new HashSet<int>()).ToList();
            var loads = Enumerable.Range(0, parts).Select(_ => new List<string>()).ToList();
            for (int q = 0; q < parts; q++)
            {
                var pending = new Stack<string>(Enumerable.Range(0, n).Where(k => part[k] == q && !skip[k]).SelectMany(k => reads[k])
                    .Concat(sums.Where(s => s.Part == q).SelectMany(s => Names(s.Var.Next))));
                while (pending.Count > 0)
                {
                    string name = pending.Pop();
                    if (!definedAt.TryGetValue(name, out int at) || (part[at] == q && !recompute[q].Contains(at)) || recompute[q].Contains(at) || loads[q].Contains(name))
                    {
                        continue;
                    }

                    if (part[at] > q)
                    {
                        return null;
                    }

                    var s = statements[at];
                    if (Recomputable(s))
                    {
                        var l = (Let)s;
                        recompute[q].Add(at);
                        foreach (var r in Names(l.Value))
                        {
                            pending.Push(r);
                        }

                        continue;
                    }

                    var type = s switch
                    {
                        Let let => let.Type,
                        Loop inner => inner.Carried.FirstOrDefault(c => c.Name == name)?.Type,
                        If branch => branch.Phis.FirstOrDefault(ph => ph.Name == name)?.Type,
                        _ => null,
                    };
                    if (type is not { } t || !(t.IsFloating() || t == ValType.Int) || (s is Let { Value: SpanView }))
                    {
                        return null;
                    }

                    if (!parked.Any(x => x.Name == name))
                    {
                        parked.Add((name, t, part[at]));
                    }

                    loads[q].Add(name);
                }
            }

            // In the order of the statements that define them (then by name): buffers, stores and loads read in that order.
            parked = parked.OrderBy(x => definedAt[x.Name]).ThenBy(x => x.Name, StringComparer.Ordinal).ToList();
            foreach (var l in loads)
            {
                l.Sort((a, b) => parked.FindIndex(x => x.Name == a).CompareTo(parked.FindIndex(x => x.Name == b)));
            }

            int bytes = parked.Sum(x => x.Type == ValType.Double ? 8 : 4);
            if (bytes > 64)
            {
                return null;
            }

            int chunk = bytes == 0 ? 64 : Math.Min(64, RentBuffer.StackLimitBytes / bytes);
            chunk = chunk >= 64 ? 64 : chunk >= 32 ? 32 : 16;

            string Fresh(string stem)
            {
                string name = stem;
                for (int k = 2; taken.Contains(name); k++)
                {
                    name = stem + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                taken.Add(name);
                return name;
            }

            var intT = ValType.Int;
            var jc = new Var(Fresh(counter + "Chunk"), intT);
            var end = new Var(Fresh(counter + "End"), intT);
            var size = Const.Of(chunk, intT);
            var scratch = parked.Select(x => new RentBuffer(Fresh(x.Name + "Park"), x.Type, size) { OnStack = true }).ToList();
            string Buffer(string name) => scratch[parked.FindIndex(x => x.Name == name)].Name;
            Expr Slot() => new Binary(BinaryOp.Sub, new Var(counter, intT), jc, intT);

            var chunkBody = new List<Stmt>
            {
                new Let(end.Name, new Cond(new Binary(BinaryOp.Lt, new Binary(BinaryOp.Sub, bound, jc, intT), size, ValType.Bool), bound, new Binary(BinaryOp.Add, jc, size, intT), intT)),
            };
            var chunkCarried = new List<LoopVar> { new LoopVar(jc.Name, intT, Const.Of(0, intT), new Binary(BinaryOp.Add, jc, size, intT)) };
            var elementwise = new List<Loop>();
            bool first = true;
            for (int q = 0; q < parts; q++)
            {
                var own = Enumerable.Range(0, n).Where(k => part[k] == q && !skip[k]).ToList();
                var mySums = sums.Where(s => s.Part == q).ToList();
                if (own.Count == 0 && mySums.Count == 0)
                {
                    continue;
                }

                var body = new List<Stmt>();
                body.AddRange(loads[q].Select(name => (Stmt)new Let(name, new Elem(Buffer(name), Slot(), parked.First(x => x.Name == name).Type))));
                body.AddRange(recompute[q].OrderBy(k => k).Select(k => statements[k]));

                body.AddRange(own.Select(k => statements[k]));

                body.AddRange(parked.Where(x => x.From == q).Select(x => (Stmt)new Store(Buffer(x.Name), Slot(), new Var(x.Name, x.Type))));
                string name = first ? counter : Fresh(counter);
                var carried = new List<LoopVar> { new LoopVar(name, intT, jc, new Binary(BinaryOp.Add, new Var(name, intT), Const.Of(1, intT), intT)) };
                foreach (var (v, _) in mySums)
                {
                    string inner = Fresh(v.Name + "Part");
                    var renamedNext = Walk.Substitute(v.Next, new Dictionary<string, Expr>(StringComparer.Ordinal) { [v.Name] = new Var(inner, v.Type) });
                    carried.Add(new LoopVar(inner, v.Type, new Var(v.Name, v.Type), renamedNext));
                    chunkCarried.Add(new LoopVar(v.Name, v.Type, v.Init, new Var(inner, v.Type)));
                }

                var renamedBody = Walk.Rename(new Block(body.ToEquatableArray()), new Dictionary<string, string>(StringComparer.Ordinal) { [counter] = name });
                var carriedRenamed = carried.Select(c => c with { Next = Walk.Substitute(c.Next, new Dictionary<string, Expr>(StringComparer.Ordinal) { [counter] = new Var(name, intT) }) });
                var partLoop = new Loop(carriedRenamed.ToEquatableArray(), Block.Empty, new Binary(BinaryOp.Lt, new Var(name, intT), end, ValType.Bool), renamedBody, LoopKind.For, name, loop.Site) { CounterInFor = true };
                chunkBody.Add(partLoop);
                if (q % 2 == 0)
                {
                    elementwise.Add(partLoop);
                }

                first = false;
            }

            if (elementwise.Count == 0)
            {
                return null;
            }

            var chunks = new Loop(chunkCarried.ToEquatableArray(), Block.Empty, new Binary(BinaryOp.Lt, jc, bound, ValType.Bool), new Block(chunkBody.ToEquatableArray()), LoopKind.While, null, -1);
            return (chunks, elementwise, scratch);
        }

        /// <summary>The names a statement reads, at any depth: variables, and arrays and views it reads or writes elements of.</summary>
        private static HashSet<string> Names(Stmt statement)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in Walk.AllExpressions(statement))
            {
                names.UnionWith(Names(e));
            }

            foreach (var s in Walk.AllStatements(new Block(EquatableArray.Create(statement))))
            {
                switch (s)
                {
                    case Store st: names.Add(st.Array); break;
                    case Accumulate ac: names.Add(ac.Target); break;
                }
            }

            return names;
        }

        /// <summary>The variables an expression reads, and the arrays and views of its elements and views.</summary>
        private static HashSet<string> Names(Expr e)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            Walk.Vars(e, r => names.Add(r));
            Walk.Contains(e, x =>
            {
                switch (x)
                {
                    case Elem el: names.Add(el.Array); break;
                    case SpanView view: names.Add(view.Array); break;
                }

                return false;
            });
            return names;
        }

        /// <summary>Adds the arrays a statement (at any depth) reads and writes, as the arrays the names view; a write is true while it is only additions.</summary>
        private static void Access(Stmt statement, Func<string, IEnumerable<string>> baseOf, HashSet<string> reads, Dictionary<string, bool> writes)
        {
            foreach (var s in Walk.AllStatements(new Block(EquatableArray.Create(statement))))
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
            }

            foreach (var e in Walk.AllExpressions(statement))
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

using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>
    /// Scheduler pass: row views. In a loop <c>for (k = 0; k &lt; n; k++)</c> that reads or writes <c>a[start + k]</c>
    /// in every iteration, with <c>start</c> the same in every iteration (a row offset such as <c>j * inputs</c>), the
    /// row is taken once before the loop, <c>row = Checks.Row(a, start, count)</c>, and the loop reads <c>row[k]</c>
    /// up to <c>count</c>, the loop's number of iterations: the JIT then knows every index is in range, drops the bounds
    /// checks and the index arithmetic, as it does for a person's <c>a.Slice(start, n)</c> (docs/performance.md, "Row
    /// views"). Loads and stores only: no floating-point operation changes.
    /// </summary>
    /// <remarks>
    /// Exceptions stay those of the user's method: <c>Checks.Row</c> throws the <c>IndexOutOfRangeException</c> the loop
    /// would have thrown at its first index outside the array (earlier, before the loop, which API.md section 9 allows:
    /// a throw from inside a loop may leave outputs partly written), and nothing when the loop runs no iteration. That
    /// needs: a loop that counts up by one from 0 with an invariant bound and no other exit; a read or write of the row at
    /// the top level of the body, so every iteration makes it; and nothing in the loop that can throw but an index (no
    /// call of the user's, no integer division, no code taken as text), so no other exception can come first.
    /// </remarks>
    internal sealed partial class Scheduler
    {
        /// <summary>Row views in every loop of <paramref name="body"/> (inner loops first).</summary>
        /// <param name="body">The scheduled method body.</param>
        /// <param name="arrays">The names that may be viewed: span and array parameters, and buffers the method owns that never grow.</param>
        internal Block RowViews(Block body, ISet<string> arrays)
        {
            // Every int let of the method (names are unique): a bound read through a let may be known to be non-negative.
            _intLets = new Dictionary<string, Expr>(StringComparer.Ordinal);
            foreach (var let in Walk.AllStatements(body).OfType<Let>())
            {
                if (let.Type == ValType.Int)
                {
                    _intLets[let.Name] = let.Value;
                }
            }

            return RowBlock(body, arrays);
        }

        private Dictionary<string, Expr> _intLets = new Dictionary<string, Expr>(StringComparer.Ordinal);

        /// <summary>The row views of <see cref="Schedule"/> alone, for the per-pass tests.</summary>
        internal static Block RowViewsPass(Block body, Namer namer, ISet<string> arrays) =>
            new Scheduler(new HashSet<string>(), namer, new HashSet<string>()).RowViews(body, arrays);

        /// <summary>The arrays of <paramref name="body"/> a row may view: the parameters it indexes, and its own buffers that no <see cref="EnsureCapacity"/> regrows.</summary>
        internal static HashSet<string> ViewableArrays(Block body, IReadOnlyCollection<string> outside)
        {
            var names = new HashSet<string>(outside, StringComparer.Ordinal);
            var grown = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in Walk.AllStatements(body))
            {
                switch (s)
                {
                    case RentBuffer rent:
                        names.Add(rent.Name);
                        break;
                    case EnsureCapacity grow:
                        grown.Add(grow.Name);
                        break;
                }
            }

            names.ExceptWith(grown);
            return names;
        }

        private Block RowBlock(Block block, ISet<string> arrays)
        {
            List<Stmt>? output = null;
            for (int k = 0; k < block.Statements.Count; k++)
            {
                var s = block.Statements[k];
                var mapped = Walk.MapBlocks(s, b => RowBlock(b, arrays));
                var before = new List<Stmt>();
                if (mapped is Loop loop)
                {
                    mapped = RowLoop(loop, arrays, before);
                    if (mapped is Loop rowed)
                    {
                        mapped = HoistRows(rowed, before);
                    }
                }

                if (output is null && (before.Count > 0 || !ReferenceEquals(mapped, s)))
                {
                    output = block.Statements.Take(k).ToList();
                }

                output?.AddRange(before);
                output?.Add(mapped);
            }

            return output is null ? block : new Block(output.ToEquatableArray());
        }

        /// <summary>One loop: the rows it reads or writes, each a let in <paramref name="before"/>, and the loop reading them.</summary>
        private Loop RowLoop(Loop loop, ISet<string> arrays, List<Stmt> before)
        {
            if (loop.Kind == LoopKind.While && loop.Counter is null)
            {
                return loop;
            }

            if (CountsFromZero(loop) is not var (counterName, bound))
            {
                return loop;
            }

            // Everything the loop defines or changes: a start or a bound that reads one of these is not invariant.
            var defined = Defined(loop);

            bool Invariant(Expr e) => InvariantIn(e, defined);
            if (!Invariant(bound) || !RowSafe(loop))
            {
                return loop;
            }

            var counter = new Var(counterName, ValType.Int);

            // The body's own int lets, so an index named by the scheduler (t = w + j) is seen through.
            var lets = new Dictionary<string, Expr>(StringComparer.Ordinal);
            foreach (var let in loop.Body.Statements.OfType<Let>())
            {
                if (let.Type == ValType.Int)
                {
                    lets[let.Name] = let.Value;
                }
            }

            // Candidate rows: (array, start) of every element the loop touches at start + k.
            var rows = new Dictionary<(string Array, Expr Start), RowUse>();
            void Consider(string array, Expr index, ValType type, bool write, bool always)
            {
                if (!arrays.Contains(array) || !type.IsFloating() || RowStart(index, counter, lets, Invariant) is not { } start)
                {
                    return;
                }

                var key = (array, start);
                if (!rows.TryGetValue(key, out var use))
                {
                    use = new RowUse(type);
                    rows[key] = use;
                }

                use.Written |= write;
                use.Always |= always;
                use.Mixed |= use.Type != type;
            }

            var scratch = new List<Expr>();
            foreach (var s in loop.Body.Statements)
            {
                // Unconditional accesses of this statement: the top-level ones a let, a store or an accumulation makes.
                var always = new HashSet<Expr>();
                scratch.Clear();
                if (s is Let or Store or Accumulate)
                {
                    Walk.DirectExpressions(s, scratch);
                    foreach (var e in scratch)
                    {
                        Walk.Unconditional(e, always);
                    }
                }

                switch (s)
                {
                    case Store st:
                        Consider(st.Array, st.Index, st.Value.Type, write: true, always: true);
                        break;
                    case Accumulate { Index: { } index } ac:
                        Consider(ac.Target, index, ac.Value.Type, write: true, always: true);
                        break;
                }

                foreach (var e in Walk.AllExpressions(s))
                {
                    Walk.Contains(e, x =>
                    {
                        if (x is Elem el)
                        {
                            Consider(el.Array, el.Index, el.Type, write: false, always: always.Contains(el));
                        }

                        return false;
                    });
                }

                foreach (var inner in Walk.AllStatements(new Block(EquatableArray.Create(s))).Skip(1))
                {
                    switch (inner)
                    {
                        case Store st:
                            Consider(st.Array, st.Index, st.Value.Type, write: true, always: false);
                            break;
                        case Accumulate { Index: { } index } ac:
                            Consider(ac.Target, index, ac.Value.Type, write: true, always: false);
                            break;
                    }
                }
            }

            // A carried value's next value is computed at the end of every iteration: its reads are unconditional too.
            foreach (var v in loop.Carried)
            {
                var always = new HashSet<Expr>();
                Walk.Unconditional(v.Next, always);
                Walk.Contains(v.Next, x =>
                {
                    if (x is Elem el)
                    {
                        Consider(el.Array, el.Index, el.Type, write: false, always: always.Contains(el));
                    }

                    return false;
                });
            }

            var chosen = rows.Where(r => r.Value.Always && !r.Value.Mixed).ToList();
            if (chosen.Count == 0)
            {
                return loop;
            }

            // The number of iterations, never negative: the rows' length, and the loop's new bound (the same iterations).
            Expr count = bound;
            if (!NonNegative(bound, _intLets))
            {
                var name = _namer.NewSourceName(Differentiation.DerivativeNames.Stem(counterName) + "Count");
                var zero = Ir.Lit(0, ValType.Int);
                before.Add(new Let(name, new Cond(new Binary(BinaryOp.Lt, zero, bound, ValType.Bool), bound, zero, ValType.Int)));
                count = new Var(name, ValType.Int);
            }

            var views = new Dictionary<(string Array, Expr Start), string>();
            foreach (var row in chosen)
            {
                var name = _namer.NewSourceName(row.Key.Array + "Row");
                views[row.Key] = name;
                before.Add(new Let(name, new SpanView(row.Key.Array, row.Key.Start, count, row.Value.Type, ReadOnly: !row.Value.Written, OverArray: false, Row: true)));
            }

            string? View(string array, Expr index) =>
                RowStart(index, counter, lets, Invariant) is { } start && views.TryGetValue((array, start), out var view) ? view : null;

            Expr Map(Expr e) => Walk.Transform(e, x => x is Elem el && View(el.Array, el.Index) is { } view ? new Elem(view, counter, el.Type) : x);

            Stmt MapStmt(Stmt s)
            {
                s = Walk.MapExpressions(s, Map);
                s = s switch
                {
                    Store st when View(st.Array, st.Index) is { } view => new Store(view, counter, st.Value),
                    Accumulate { Index: { } index } ac when View(ac.Target, index) is { } view => new Accumulate(view, counter, ac.Value),
                    _ => s,
                };
                return Walk.MapBlocks(s, b => Walk.MapStatements(b, MapStmt));
            }

            // The index lets the rows replaced are read nowhere else now.
            var body = Walk.MapStatements(loop.Body, MapStmt);
            body = DropUnreadIntLets(body, loop);
            var condition = ReferenceEquals(count, bound) ? loop.Condition : new Binary(BinaryOp.Lt, counter, count, ValType.Bool);
            var carried = loop.Carried.Map(v => Map(v.Next) is var next && ReferenceEquals(next, v.Next) ? v : new LoopVar(v.Name, v.Type, v.Init, next));
            return loop with { Carried = carried, Body = body, Condition = condition };
        }

        /// <summary>Whether <paramref name="e"/> has the same value in every iteration of a loop that defines <paramref name="defined"/> (no loads, no calls).</summary>
        private static bool InvariantIn(Expr e, HashSet<string> defined) =>
            !Walk.Contains(e, x => x is Elem or UserCall or Opaque or SpanRef or SpanView or TupleItem or Call || (x is Var v && defined.Contains(v.Name)));

        /// <summary>The counter and bound of <c>for (k = 0; k &lt; bound; k++)</c>, or null for any other loop.</summary>
        private static (string Counter, Expr Bound)? CountsFromZero(Loop loop) =>
            LoopShape.Counter(loop) is { Step: 1 } shape && shape.Counter.Init is Const { Value: 0 }
            && loop.Condition is Binary { Op: BinaryOp.Lt, Left: Var tested, Right: var bound } && tested.Name == shape.Counter.Name
                ? (shape.Counter.Name, bound)
                : null;

        /// <summary>Everything <paramref name="loop"/> defines or changes: its carried values, lets, assignments, scalar accumulations and call outputs.</summary>
        private static HashSet<string> Defined(Loop loop)
        {
            var defined = new HashSet<string>(StringComparer.Ordinal);
            foreach (var v in loop.Carried)
            {
                defined.Add(v.Name);
            }

            Walk.CollectDefinitions(loop.Body, defined);
            foreach (var s in Walk.AllStatements(loop.Body))
            {
                switch (s)
                {
                    case Assign a: defined.Add(a.Name); break;
                    case Accumulate { Index: null } a: defined.Add(a.Target); break;
                    case CallBackward b:
                        foreach (var o in b.Outputs)
                        {
                            if (o is Var v)
                            {
                                defined.Add(v.Name);
                            }
                        }

                        break;
                }
            }

            return defined;
        }

        /// <summary>
        /// Rows an inner loop took at the top level of <paramref name="loop"/>'s body whose start and length do not change
        /// from one iteration of <paramref name="loop"/> to the next (the row of a sample, read for every hidden unit) go
        /// before <paramref name="loop"/>, with the int lets they read: one row per sample instead of one per unit. The
        /// row's length becomes 0 when <paramref name="loop"/> runs no iteration, so <c>Checks.Row</c> throws exactly when
        /// the first iteration would have (an index exception, the only one a row-safe loop can throw).
        /// </summary>
        private Loop HoistRows(Loop loop, List<Stmt> before)
        {
            if (CountsFromZero(loop) is not var (_, bound) || !loop.Body.Statements.Any(x => x is Let { Value: SpanView { Row: true } }))
            {
                return loop;
            }

            var defined = Defined(loop);
            if (!InvariantIn(bound, defined) || !RowSafe(loop))
            {
                return loop;
            }

            var rented = new HashSet<string>(Walk.AllStatements(loop.Body).OfType<RentBuffer>().Select(r => r.Name), StringComparer.Ordinal);
            var intLets = loop.Body.Statements.OfType<Let>().Where(l => l.Type == ValType.Int && !Walk.Contains(l.Value, x => x is Elem or UserCall or Opaque or Call or TupleItem || x is Binary { Op: BinaryOp.Div or BinaryOp.Rem })).ToDictionary(l => l.Name, StringComparer.Ordinal);

            // The lets a hoisted row needs, found transitively; null if it reads something the loop changes.
            HashSet<string>? Needs(Expr e)
            {
                var needed = new HashSet<string>(StringComparer.Ordinal);
                var pending = new Stack<Expr>();
                pending.Push(e);
                while (pending.Count > 0)
                {
                    bool ok = true;
                    Walk.Vars(pending.Pop(), v =>
                    {
                        if (!defined.Contains(v) || needed.Contains(v))
                        {
                            return;
                        }

                        if (intLets.TryGetValue(v, out var let))
                        {
                            needed.Add(v);
                            pending.Push(let.Value);
                        }
                        else
                        {
                            ok = false;
                        }
                    });
                    if (!ok)
                    {
                        return null;
                    }
                }

                return needed;
            }

            var hoisted = new HashSet<string>(StringComparer.Ordinal);
            foreach (var let in loop.Body.Statements.OfType<Let>())
            {
                if (let.Value is SpanView { Row: true } row && !rented.Contains(row.Array) && !defined.Contains(row.Array)
                    && Needs(new Binary(BinaryOp.Add, row.Start, row.Length, ValType.Int)) is { } needed)
                {
                    hoisted.Add(let.Name);
                    hoisted.UnionWith(needed);
                }
            }

            if (hoisted.Count == 0)
            {
                return loop;
            }

            var zero = Ir.Lit(0, ValType.Int);
            var kept = new List<Stmt>();
            foreach (var st in loop.Body.Statements)
            {
                if (st is Let let && hoisted.Contains(let.Name))
                {
                    before.Add(let.Value is SpanView row
                        ? new Let(let.Name, row with { Length = bound is Const { Value: > 0 } ? row.Length : new Cond(new Binary(BinaryOp.Lt, zero, bound, ValType.Bool), row.Length, zero, ValType.Int) })
                        : let);
                }
                else
                {
                    kept.Add(st);
                }
            }

            return loop with { Body = new Block(kept.ToEquatableArray()) };
        }

        /// <summary>
        /// The start of the row <paramref name="index"/> walks: <c>start</c> when the index is <c>start + k</c> (in any
        /// order of its terms, through the body's int lets) with <c>start</c> invariant and not a constant (an offset by a
        /// constant, <c>x[k + 1]</c>, has no row offset to save, and <see cref="Differentiation.CarryLoads"/> carries it).
        /// </summary>
        private static Expr? RowStart(Expr index, Var counter, IReadOnlyDictionary<string, Expr> lets, Func<Expr, bool> invariant)
        {
            var terms = new List<Expr>();
            void Flatten(Expr e, int depth)
            {
                if (depth < 8 && e is Var v && lets.TryGetValue(v.Name, out var value))
                {
                    Flatten(value, depth + 1);
                }
                else if (e is Binary { Op: BinaryOp.Add, Type: ValType.Int } add)
                {
                    Flatten(add.Left, depth);
                    Flatten(add.Right, depth);
                }
                else
                {
                    terms.Add(e);
                }
            }

            Flatten(index, 0);
            int at = terms.FindIndex(t => t.Equals(counter));
            if (at < 0 || terms.Count < 2)
            {
                return null;
            }

            terms.RemoveAt(at);
            if (terms.All(t => t is Const) || !terms.All(invariant))
            {
                return null;
            }

            // The remaining terms in their order, added as the user's index adds them (int addition wraps the same way in any order).
            Expr start = terms[0];
            for (int i = 1; i < terms.Count; i++)
            {
                start = new Binary(BinaryOp.Add, start, terms[i], ValType.Int);
            }

            return start;
        }

        /// <summary>Never negative: a literal, a length, or a choice between such (<c>0 &lt; n ? n : 0</c>).</summary>
        private static bool NonNegative(Expr e, IReadOnlyDictionary<string, Expr> lets, int depth = 0) => e switch
        {
            Const c => c.Value >= 0,
            Len => true,
            Var v => depth < 8 && lets.TryGetValue(v.Name, out var value) && NonNegative(value, lets, depth + 1),
            Cond c when PositiveOr(c) is not null => NonNegative(c.WhenFalse, lets, depth),
            Cond c => NonNegative(c.WhenTrue, lets, depth) && NonNegative(c.WhenFalse, lets, depth),
            _ => false,
        };

        /// <summary><c>x</c> of <c>0 &lt; x ? x : y</c> (the form in which trip counts are rebuilt, <c>max(0, x)</c> when <c>y</c> is 0), or null.</summary>
        private static Expr? PositiveOr(Cond c) =>
            c.Condition is Binary { Op: BinaryOp.Lt, Left: Const { Value: 0 }, Right: var tested } && tested.Equals(c.WhenTrue) ? tested : null;

        /// <summary>
        /// Nothing in the loop can throw but an index (as <see cref="Differentiation.CarryLoads"/> requires), and the
        /// loop has no other exit than its bound (a statement that could leave it early is not in this IR).
        /// </summary>
        private static bool RowSafe(Loop loop)
        {
            static bool Bad(Expr e) => Walk.Contains(e, x => x is UserCall or Opaque or SpanRef || x is SpanView { Row: false } || x is Binary { Op: BinaryOp.Div or BinaryOp.Rem, Type: ValType.Int });
            static bool BadStmt(Stmt s) => s is not (Let or If or Loop or Comment or Store or Accumulate);
            var scratch = new List<Expr>();
            foreach (var s in Walk.AllStatements(loop.Body).Concat(Walk.AllStatements(loop.Header)))
            {
                if (BadStmt(s))
                {
                    return false;
                }

                scratch.Clear();
                Walk.DirectExpressions(s, scratch);
                if (scratch.Any(Bad))
                {
                    return false;
                }
            }

            scratch.Clear();
            Walk.DirectExpressions(loop, scratch);
            return !scratch.Any(Bad);
        }

        /// <summary>Drops the body's int lets that nothing in the loop reads any more (a value defined in a loop's body is seen only there).</summary>
        private static Block DropUnreadIntLets(Block body, Loop loop)
        {
            while (true)
            {
                var read = new HashSet<string>(StringComparer.Ordinal);
                foreach (var s in body.Statements)
                {
                    foreach (var e in Walk.AllExpressions(s))
                    {
                        Walk.Vars(e, v => read.Add(v));
                    }
                }

                foreach (var v in loop.Carried)
                {
                    Walk.Vars(v.Next, n => read.Add(n));
                }

                var kept = body.Statements.Where(s => !(s is Let { Type: ValType.Int } let && !read.Contains(let.Name) && !Walk.HasEffect(let))).ToEquatableArray();
                if (kept.Count == body.Statements.Count)
                {
                    return body;
                }

                body = new Block(kept);
            }
        }

        private sealed class RowUse
        {
            public RowUse(ValType type) => Type = type;

            public ValType Type { get; }

            public bool Written { get; set; }

            public bool Always { get; set; }

            public bool Mixed { get; set; }
        }
    }
}

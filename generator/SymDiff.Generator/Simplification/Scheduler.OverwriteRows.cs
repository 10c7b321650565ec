using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>
    /// Scheduler pass (after fusion and carried additions): a zeroed buffer whose first writer is a loop nest over the
    /// rows of a row-major grid is stored, not zeroed and then added into. The 2-D form of the default path's
    /// <c>OverwriteOnce</c> (a stencil's or a Laplacian's adjoint, <c>dU[k + m] += ...</c> beside <c>dU[k] += ...</c>).
    /// <para>
    /// It applies when <c>clear b</c> is followed, before anything else names <c>b</c>, by an outer loop counting by one
    /// (<c>i</c>) whose body touches <c>b</c> only in one inner loop counting up by one from a constant <c>j0</c> while
    /// <c>j &lt; n</c>, by additions at the top level of that loop's body, and after it by additions under
    /// <c>if (j &gt; j0)</c> (a carried addition's last value). Every index must read <c>(i + c) * S + j + d</c> for an
    /// outer-invariant <c>S</c> and constants <c>c, d</c>, with <c>n = S + e</c>, <c>j0 + d &gt;= 0</c> and <c>d + e &lt;= 0</c>
    /// (<c>&lt;= -1</c> after the inner loop): every access stays in row <c>i + c</c> (columns 0 to <c>S - 1</c>), so rows are
    /// distinct elements, and the row with the largest <c>c</c>, reached by one addition <c>A</c> only, is untouched before
    /// iteration <c>i</c> and, in it, touched by <c>A</c> alone, once per element. <c>A</c> becomes a store. The elements no
    /// <c>A</c> stores are zeroed just before they could be touched: each iteration first zeroes the gap from where the
    /// previous run of <c>A</c> ended up to where this one starts (untouched until then: the rows before it are complete,
    /// the row of the run is untouched), and after the loop from the last run's end to the buffer's end. Zero loops are
    /// clamped to the buffer, so they never throw; the run's start is the user's own index arithmetic at <c>j = j0</c>.
    /// </para>
    /// <para>
    /// An outer loop counting down (a reverse sweep that fusion left as a loop of its own, when an adjoint summed over the
    /// nest keeps it apart) reaches the rows from the bottom: the row with the smallest <c>c</c> is the new one, its one
    /// addition becomes the store, and the gaps are zeroed downwards (from each run's end up to where the previous run
    /// started, and after the loop from 0 to the last run's start).
    /// </para>
    /// <para>
    /// Value and loads of the user's arrays are untouched; a gradient element's first addition <c>0 + v</c> becomes
    /// <c>v</c> (the same bits but for the sign of a zero, as in <c>OverwriteOnce</c>).
    /// </para>
    /// </summary>
    internal sealed partial class Scheduler
    {
        private Block OverwriteRows(Block block)
        {
            var mapped = block.Statements.Map(s => Walk.MapBlocks(s, OverwriteRows));
            bool changed = mapped.AsImmutableArray() != block.Statements.AsImmutableArray();
            var list = mapped.ToList();
            for (int c = 0; c < list.Count; c++)
            {
                if (list[c] is not ClearBuffer clear)
                {
                    continue;
                }

                int at = -1;
                for (int k = c + 1; k < list.Count; k++)
                {
                    if (IR.Mentions.In(list[k], clear.Target))
                    {
                        at = k;
                        break;
                    }
                }

                if (at < 0 || list[at] is not Loop outer)
                {
                    continue;
                }

                var lets = new Dictionary<string, Expr>(StringComparer.Ordinal);
                for (int k = 0; k < at; k++)
                {
                    if (list[k] is Let let)
                    {
                        lets[let.Name] = let.Value;
                    }
                }

                if (RowsRewrite(outer, clear.Target, lets) is not { } rewritten)
                {
                    continue;
                }

                list[at] = rewritten.Loop;
                list.Insert(at + 1, new Comment($"{clear.Target}: zero the elements no row store reached"));
                list.Insert(at + 2, rewritten.ZeroTail);
                list.RemoveAt(c);
                c--;
                changed = true;
            }

            return changed ? new Block(list.ToEquatableArray()) : block;
        }

        private (Loop Loop, Loop ZeroTail)? RowsRewrite(Loop outer, string b, Dictionary<string, Expr> outerLets)
        {
            // Counting up, rows are reached from the top and the last row an iteration touches is new to it; counting down
            // (a reverse sweep fusion left apart), the first.
            var shapeOfOuter = LoopShape.Counter(outer);
            if (shapeOfOuter is null || outer.Header.Statements.Count != 0
                || IR.Mentions.In(outer.Condition, b) || outer.Carried.Any(v => IR.Mentions.In(v.Init, b) || IR.Mentions.In(v.Next, b)))
            {
                return null;
            }

            // The one inner loop that names b; nothing before it does.
            var body = outer.Body.Statements;
            int innerAt = -1;
            for (int k = 0; k < body.Count; k++)
            {
                if (!IR.Mentions.In(body[k], b))
                {
                    continue;
                }

                if (innerAt >= 0 || body[k] is not Loop)
                {
                    if (innerAt < 0)
                    {
                        return null;
                    }

                    continue; // after the inner loop: checked below as a tail
                }

                innerAt = k;
            }

            if (innerAt < 0)
            {
                return null;
            }

            var inner = (Loop)body[innerAt];
            var shapeOfInner = Shape(inner);
            if (shapeOfInner is not { Init: Const { Type: ValType.Int } } || inner.Header.Statements.Count != 0 || IR.Mentions.In(inner.Condition, b)
                || inner.Carried.Any(v => IR.Mentions.In(v.Init, b) || IR.Mentions.In(v.Next, b)))
            {
                return null;
            }

            var innerShape = shapeOfInner.Value;

            string i = shapeOfOuter.Value.Counter.Name;
            bool down = shapeOfOuter.Value.Step < 0;
            string j = innerShape.Counter;
            int j0 = (int)((Const)innerShape.Init).Value;
            var definedOuter = new HashSet<string>(outer.Carried.Select(v => v.Name), StringComparer.Ordinal);
            Walk.CollectDefinitions(outer.Body, definedOuter);
            var definedInner = new HashSet<string>(inner.Carried.Select(v => v.Name), StringComparer.Ordinal);
            Walk.CollectDefinitions(inner.Body, definedInner);
            var lets = new Dictionary<string, Expr>(StringComparer.Ordinal);
            foreach (var let in body.OfType<Let>().Concat(inner.Body.Statements.OfType<Let>()))
            {
                lets[let.Name] = let.Value;
            }

            // Inner additions, at the top level of the inner loop's body.
            var rows = new List<(Accumulate Add, Row Row, bool Inner)>();
            foreach (var s in inner.Body.Statements)
            {
                if (!IR.Mentions.In(s, b))
                {
                    continue;
                }

                if (s is not Accumulate { Index: { } index } add || add.Target != b || IR.Mentions.In(add.Value, b))
                {
                    return null;
                }

                var row = RowOf(index, j, definedInner, lets, i, definedOuter);
                if (row is null)
                {
                    return null;
                }

                rows.Add((add, row.Value, true));
            }

            // After the inner loop: additions under if (j > 0) only.
            for (int k = innerAt + 1; k < body.Count; k++)
            {
                if (!IR.Mentions.In(body[k], b))
                {
                    continue;
                }

                if (body[k] is not If { Condition: Binary { Op: BinaryOp.Gt, Left: Var guard, Right: Const { Type: ValType.Int } from }, Else.Statements.Count: 0, Phis.Count: 0 } tail
                    || guard.Name != j || (int)from.Value != j0)
                {
                    return null;
                }

                var definedTail = new HashSet<string>(definedOuter, StringComparer.Ordinal);
                definedTail.Remove(i);
                definedTail.Remove(j);
                var tailLets = new Dictionary<string, Expr>(lets, StringComparer.Ordinal);
                foreach (var let in tail.Then.Statements.OfType<Let>())
                {
                    tailLets[let.Name] = let.Value;
                }

                foreach (var s in tail.Then.Statements)
                {
                    if (!IR.Mentions.In(s, b))
                    {
                        continue;
                    }

                    if (s is not Accumulate { Index: { } index } add || add.Target != b || IR.Mentions.In(add.Value, b))
                    {
                        return null;
                    }

                    var row = RowOf(index, j, definedTail, tailLets, i, definedOuter, innerShape.Bound is Const { Type: ValType.Int } end ? (int)end.Value : null);
                    if (row is null)
                    {
                        return null;
                    }

                    rows.Add((add, row.Value, false));
                }
            }

            if (rows.Count == 0)
            {
                return null;
            }

            // One stride for all; the inner bound is S + e (a constant row length W: the bound a constant W + e, each
            // index's constant split into a row offset and a column from -j0 up).
            var stride = rows[0].Row.Stride;
            int width = rows[0].Row.Width;
            var boundLets = new Dictionary<string, Expr>(lets, StringComparer.Ordinal);
            foreach (var let in outerLets.Where(l => l.Key != stride))
            {
                boundLets[let.Key] = let.Value;
            }

            if (rows.Any(r => r.Row.Stride != stride || r.Row.Width != width)
                || Affine.Of(NonNegativePart(innerShape.Bound, boundLets, FinalCounters(outer.Body), j0), j, definedOuter, boundLets) is not { Coefficient: 0 } bound)
            {
                return null;
            }

            int e;
            if (stride is not null)
            {
                if (bound.Terms.Count != 1 || bound.Terms[0] is not (Var { Name: var boundStride }, 1) || boundStride != stride)
                {
                    return null;
                }

                e = bound.Constant;
            }
            else
            {
                if (bound.Terms.Count != 0 || bound.Constant <= j0)
                {
                    return null;
                }

                e = bound.Constant - width;
                rows = rows.Select(r => (r.Add, r.Row.Split(j0), r.Inner)).ToList();
            }

            if (rows.Any(r => r.Row.Column + e > (r.Inner ? 0 : -1) || j0 + r.Row.Column < 0))
            {
                return null;
            }

            int top = down ? rows.Min(r => r.Row.RowOffset) : rows.Max(r => r.Row.RowOffset);
            var last = rows.Where(r => r.Row.RowOffset == top).ToList();
            // One inner addition into the new row, and perhaps a carried addition's last value right after its run (the
            // same column offset, at j = n): the run is then one element longer, and that addition a store too.
            var first = last.FirstOrDefault(r => r.Inner);
            var closing = last.FirstOrDefault(r => !r.Inner);
            if (first.Add is null || last.Count(r => r.Inner) != 1 || last.Count > 2
                || (closing.Add is not null && closing.Row.Column != first.Row.Column))
            {
                return null;
            }

            var counter = new Var(i, ValType.Int);
            int column = j0 + first.Row.Column;
            Expr start;
            if (stride is null)
            {
                start = new Binary(BinaryOp.Mul, counter, Ir.Lit(width, ValType.Int), ValType.Int);
                column += first.Row.RowOffset * width;
            }
            else
            {
                var s1 = new Var(stride, ValType.Int);
                start = new Binary(BinaryOp.Mul, counter, s1, ValType.Int);
                int offset = Math.Abs(first.Row.RowOffset);
                if (offset != 0)
                {
                    start = new Binary(first.Row.RowOffset > 0 ? BinaryOp.Add : BinaryOp.Sub, start, offset == 1 ? s1 : new Binary(BinaryOp.Mul, Ir.Lit(offset, ValType.Int), s1, ValType.Int), ValType.Int);
                }
            }

            if (column != 0)
            {
                start = new Binary(column > 0 ? BinaryOp.Add : BinaryOp.Sub, start, Ir.Lit(Math.Abs(column), ValType.Int), ValType.Int);
            }

            // Up: dUFilled is where the last run ended (0 first); the gap is from there to this run's start, and after the
            // loop from the last run's end to the end. Down: dUFilled is where the last run started (the length first); the
            // gap is from this run's end up to there, and after the loop from 0 to the last run's start.
            var filled = new Var(_namer.NewSourceName(b + "Filled"), ValType.Int);
            var startName = new Var(_namer.NewSourceName(b + "RowStart"), ValType.Int);
            var gap = new Var(_namer.NewSourceName(down ? b + "GapStart" : b + "GapEnd"), ValType.Int);
            var filledNext = new Var(_namer.NewSourceName(b + "Filled"), ValType.Int);
            // Whether the inner loop runs (this iteration stores a row); known when its bound is a constant above j0.
            var runs = new Binary(BinaryOp.Lt, innerShape.Init, innerShape.Bound, ValType.Bool);
            bool alwaysRuns = innerShape.Bound is Const { Type: ValType.Int } fixedEnd && (int)fixedEnd.Value > j0;
            Expr IfRuns(Expr then, Expr otherwise) => alwaysRuns ? then : new Cond(runs, then, otherwise, ValType.Int);
            int extra = (closing.Add is null ? 0 : 1) - j0;
            Expr runLength = extra == 0 ? innerShape.Bound : new Binary(extra > 0 ? BinaryOp.Add : BinaryOp.Sub, innerShape.Bound, Ir.Lit(Math.Abs(extra), ValType.Int), ValType.Int);
            var length = new Len(b);
            Expr Below(Expr x) => new Cond(new Binary(BinaryOp.Lt, x, length, ValType.Bool), x, length, ValType.Int);
            var runEnd = new Binary(BinaryOp.Add, startName, runLength, ValType.Int);
            var element = first.Add.Value.Type;
            var note = new Comment(down
                ? $"{b}: each iteration stores one row of it; zero the elements between that row and the one stored before"
                : $"{b}: each iteration stores one row of it; zero the elements between the row stored before and that row");
            var prologue = down
                ? new Stmt[]
                {
                    note,
                    new Let(startName.Name, start),
                    new Let(gap.Name, IfRuns(runEnd, filled)),
                    ZeroLoop(b, element, gap, Below(filled)),
                    new Let(filledNext.Name, IfRuns(startName, filled)),
                }
                : new Stmt[]
                {
                    note,
                    new Let(startName.Name, start),
                    new Let(gap.Name, IfRuns(Below(startName), filled)),
                    ZeroLoop(b, element, filled, gap),
                    new Let(filledNext.Name, IfRuns(runEnd, filled)),
                };

            var innerBody = inner.Body.Statements.Select(s => ReferenceEquals(s, first.Add) ? new Store(b, first.Add.Index!, first.Add.Value) : s);
            var newInner = inner with { Body = new Block(innerBody.ToEquatableArray()) };
            Stmt Closed(Stmt s) => closing.Add is not null && s is If branch && branch.Then.Statements.Any(x => ReferenceEquals(x, closing.Add))
                ? branch with { Then = new Block(branch.Then.Statements.Select(x => ReferenceEquals(x, closing.Add) ? new Store(b, closing.Add.Index!, closing.Add.Value) : x).ToEquatableArray()) }
                : s;
            // The zeroing goes just before the inner loop: nothing before it names b, and the inner bound (which the run's
            // length reads) may be defined in the outer body (a let, or a reverse sweep's rebuilt trip count).
            var newBody = body.Take(innerAt).Concat(prologue).Concat(body.Skip(innerAt).Select((s, k) => k == 0 ? newInner : Closed(s)));
            var carried = outer.Carried.Concat(new[] { new LoopVar(filled.Name, ValType.Int, down ? length : Ir.Lit(0, ValType.Int), filledNext) });
            var zeroRest = down ? ZeroLoop(b, element, null, Below(filled)) : ZeroLoop(b, element, filled, length);
            return (outer with { Carried = carried.ToEquatableArray(), Body = new Block(newBody.ToEquatableArray()) }, zeroRest);
        }

        /// <summary>
        /// A bound that is <c>max(k0, X)</c> for a constant <c>k0 &lt;= j0</c> as <c>X</c>: from <c>j0</c> the two bounds run the
        /// same iterations and leave <c>j</c> at the same value. A reverse sweep rebuilds a nest's trip count as the final
        /// counter of an empty loop from 0 while <c>c &lt; X</c> (later printed <c>0 &lt; X ? X : 0</c>), or as that conditional
        /// itself, read through lets. Anything else as it is.
        /// </summary>
        private static Expr NonNegativePart(Expr bound, Dictionary<string, Expr> lets, Dictionary<string, (Expr Init, Expr Bound)> finals, int j0)
        {
            var resolved = bound;
            for (int depth = 0; depth < 8 && resolved is Var v && lets.TryGetValue(v.Name, out var value); depth++)
            {
                resolved = value;
            }

            if (resolved is Var counter && finals.TryGetValue(counter.Name, out var final) && final.Init is Const { Type: ValType.Int } k0 && k0.Value <= j0)
            {
                return final.Bound;
            }

            return j0 >= 0 && resolved is Cond { Type: ValType.Int, WhenFalse: Const { Value: 0 } } max && PositiveOr(max) is { } x ? x : bound;
        }

        /// <summary><c>for (q = max(from, 0); q &lt; to; q++) b[q] = 0;</c> (<paramref name="to"/> is at most the buffer's length; no <paramref name="from"/>: 0).</summary>
        private Loop ZeroLoop(string b, ValType element, Var? from, Expr to)
        {
            Expr init = from is null ? Ir.Lit(0, ValType.Int) : new Cond(new Binary(BinaryOp.Gt, from, Ir.Lit(0, ValType.Int), ValType.Bool), from, Ir.Lit(0, ValType.Int), ValType.Int);
            return Ir.ZeroFill(b, element, _namer.NewSourceName(b + "Zero"), init, to);
        }

        /// <summary>
        /// The index with lets read through and products of a sum by a name multiplied out, <c>(i + 2) * n</c> as
        /// <c>i * n + 2 * n</c> (for the analysis only: int arithmetic wraps, so the two are the same number).
        /// </summary>
        private static Expr Distribute(Expr e, Dictionary<string, Expr> lets, int depth)
        {
            if (depth > 32)
            {
                return e;
            }

            switch (e)
            {
                case Var v when lets.TryGetValue(v.Name, out var value):
                    return Distribute(value, lets, depth + 1);
                case Binary { Type: ValType.Int, Op: BinaryOp.Add or BinaryOp.Sub } sum:
                    return sum with { Left = Distribute(sum.Left, lets, depth + 1), Right = Distribute(sum.Right, lets, depth + 1) };
                case Binary { Type: ValType.Int, Op: BinaryOp.Mul } product:
                {
                    var l = Distribute(product.Left, lets, depth + 1);
                    var r = Distribute(product.Right, lets, depth + 1);
                    if (r is Var or Const && l is Binary { Op: BinaryOp.Add or BinaryOp.Sub, Type: ValType.Int } left)
                    {
                        return left with { Left = Distribute(Times(left.Left, r), lets, depth + 1), Right = Distribute(Times(left.Right, r), lets, depth + 1) };
                    }

                    if (l is Var or Const && r is Binary { Op: BinaryOp.Add or BinaryOp.Sub, Type: ValType.Int } right)
                    {
                        return right with { Left = Distribute(Times(right.Left, l), lets, depth + 1), Right = Distribute(Times(right.Right, l), lets, depth + 1) };
                    }

                    return Times(l, r);
                }

                default:
                    return e;
            }

            // A constant factor first, as Affine reads it; two constants folded (wrapping, as the int product does).
            static Expr Times(Expr a, Expr b) => a is Const { Type: ValType.Int } ka && b is Const { Type: ValType.Int } kb
                ? Ir.Lit(unchecked((int)ka.Value * (int)kb.Value), ValType.Int)
                : b is Const && a is not Const
                ? new Binary(BinaryOp.Mul, b, a, ValType.Int)
                : new Binary(BinaryOp.Mul, a, b, ValType.Int);
        }

        /// <summary>
        /// An index <c>(i + RowOffset) * Stride + j + Column</c>: <c>i * S</c> once, <c>S</c> some (signed) number of times, a
        /// constant. A constant row length has no <c>Stride</c> name but a <c>Width</c>, and its index's whole constant in
        /// <c>Column</c> until <see cref="Split"/> knows the inner loop's start.
        /// </summary>
        private readonly record struct Row(string? Stride, int Width, int RowOffset, int Column)
        {
            /// <summary>A constant row length's index constant as <c>RowOffset * Width + Column</c>, the column from <c>-j0</c> to <c>Width - 1 - j0</c>.</summary>
            public Row Split(int j0)
            {
                long shifted = (long)Column + j0;
                long rows = shifted >= 0 ? shifted / Width : -((-shifted + Width - 1) / Width);
                return this with { RowOffset = (int)rows, Column = (int)(Column - (rows * Width)) };
            }
        }

        /// <param name="jAfter">After the inner loop (an addition under <c>if (j &gt; j0)</c>), its constant bound if it has one:
        /// the counter's value there, which constant propagation may have put in place of <c>j</c>.</param>
        private static Row? RowOf(Expr index, string j, HashSet<string> defined, Dictionary<string, Expr> lets, string i, HashSet<string> definedOuter, int? jAfter = null)
        {
            if (Affine.Of(Distribute(index, lets, 0), j, defined, lets) is not { } form
                || (form.Coefficient != 1 && (form.Coefficient != 0 || jAfter is null)))
            {
                return null;
            }

            int shift = form.Coefficient == 0 ? jAfter!.Value : 0; // i * W + 7 after the loop is i * W + j + (7 - jAfter)

            // Each term is i * S (once) or S (c times); S is one name the outer loop does not change.
            string? stride = null;
            int rowOffset = 0;
            foreach (var (term, times) in form.Terms)
            {
                if (term is Binary { Op: BinaryOp.Mul, Left: Var l, Right: Var r } && (l.Name == i) != (r.Name == i) && times == 1)
                {
                    var s = l.Name == i ? r.Name : l.Name;
                    if (stride is not null && stride != s)
                    {
                        return null;
                    }

                    stride = s;
                }
            }

            if (stride is null)
            {
                // A constant row length: the one term is i times W (W from 1 to 2^16, so rows times W stays far from overflow).
                return form.Terms.Count == 1 && form.Terms[0] is (Var { Name: var only }, var width) && only == i && width is >= 1 and <= 65536
                    ? new Row(null, width, 0, form.Constant - shift)
                    : null;
            }

            if (definedOuter.Contains(stride))
            {
                return null;
            }

            int products = 0;
            foreach (var (term, times) in form.Terms)
            {
                if (term is Binary { Op: BinaryOp.Mul, Left: Var l, Right: Var r } && times == 1
                    && ((l.Name == i && r.Name == stride) || (r.Name == i && l.Name == stride)))
                {
                    products++;
                }
                else if (term is Var v && v.Name == stride)
                {
                    rowOffset = times;
                }
                else
                {
                    return null;
                }
            }

            if (products != 1)
            {
                return null;
            }

            return new Row(stride, 0, rowOffset, form.Constant - shift);
        }
    }
}

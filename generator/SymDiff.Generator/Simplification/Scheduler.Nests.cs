using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>
    /// Scheduler pass run before <see cref="FuseLoops"/>: two general rules that let a loop nest's reverse sweep join its
    /// forward sweep (a sum over a 2-D grid, <c>for i { for j { s += f(u[i m + j], ...) } }</c>, whose reverse sweep is a
    /// separate loop over the rows counting down). Neither changes a floating-point operation of the value:
    /// <list type="bullet">
    /// <item><b>Unchanged carried values</b> (<see cref="UnchangedCarried"/>): a value a loop carries unchanged
    /// (<c>next s = s</c>, the constant adjoint of a sum accumulator) is its start value in every iteration and after
    /// the loop: a let before the loop. A let that only copies another variable is then that variable, so an outer
    /// loop that carries an inner loop's unchanged copy carries its own value unchanged too, and loses it the same way.</item>
    /// <item><b>Independent loops counting down</b> (<see cref="ReverseDownLoops"/>): a loop from <c>f - 1</c> down to
    /// <c>a</c> right after (lets and comments between) a loop from <c>a</c> whose counter is <c>f</c>, with no carried value but its
    /// counter, that only adds into buffers it never reads (an adjoint buffer), writes nothing else and may throw
    /// nothing but an index exception, counts up from <c>a</c> to <c>f</c> instead: the same iterations, which do
    /// not depend on each other, in the other order (only the order of additions into the gradient, its rounding,
    /// changes; fusion already adds adjoint contributions in any order). It then has the range of the loop before
    /// it, and <see cref="FuseLoops"/> can fuse them.</item>
    /// </list>
    /// </summary>
    internal sealed partial class Scheduler
    {
        /// <summary>The two rules of this file, in order, to a fixed point of the first.</summary>
        private Block PrepareNests(Block body)
        {
            body = UnchangedCarried(body);
            return ReverseDownLoops(body);
        }

        /// <summary>The nest rules alone, for the per-pass tests.</summary>
        internal static Block PrepareNestsPass(Block body, ISet<string> keep) =>
            new Scheduler(keep, new Namer(Array.Empty<string>(), Array.Empty<string>()), new HashSet<string>()).PrepareNests(body);

        // ---- Unchanged carried values -------------------------------------------------------------------------------

        private Block UnchangedCarried(Block body)
        {
            for (int round = 0; round < 16; round++)
            {
                var copies = new Dictionary<string, Var>(StringComparer.Ordinal);
                var next = LetUnchanged(body, copies);
                if (ReferenceEquals(next, body))
                {
                    return body;
                }

                body = copies.Count == 0 ? next : PropagateCopies(next, copies);
            }

            return body;
        }

        /// <summary>Turns every unchanged carried value into a let before its loop; records the lets that copy a variable.</summary>
        private Block LetUnchanged(Block block, Dictionary<string, Var> copies)
        {
            var mapped = block.Statements.Map(s => Walk.MapBlocks(s, b => LetUnchanged(b, copies)));
            bool changed = mapped.AsImmutableArray() != block.Statements.AsImmutableArray();
            var output = new List<Stmt>(mapped.Count);
            foreach (var s in mapped)
            {
                if (s is Loop loop)
                {
                    var unchanged = loop.Carried.Where(v => v.Name != loop.Counter && v.Next is Var self && self.Name == v.Name).ToList();
                    if (unchanged.Count > 0)
                    {
                        foreach (var v in unchanged)
                        {
                            output.Add(new Let(v.Name, v.Init));
                            if (v.Init is Var copied && !_keep.Contains(v.Name))
                            {
                                copies[v.Name] = copied;
                            }
                        }

                        output.Add(loop with { Carried = loop.Carried.Where(v => !unchanged.Contains(v)).ToEquatableArray() });
                        changed = true;
                        continue;
                    }
                }

                output.Add(s);
            }

            return changed ? new Block(output.ToEquatableArray()) : block;
        }

        /// <summary>
        /// Drops the copy lets and reads the copied variable instead. SSA: the copied variable is visible where the copy is
        /// defined and keeps its value in the copy's whole scope (a carried value is one value within an iteration).
        /// </summary>
        private static Block PropagateCopies(Block body, Dictionary<string, Var> copies)
        {
            Var Resolve(Var v)
            {
                int guard = 0;
                while (copies.TryGetValue(v.Name, out var to) && guard++ < 64)
                {
                    v = to;
                }

                return v;
            }

            Expr Map(Expr e) => Walk.Transform(e, x => x is Var v && copies.ContainsKey(v.Name) ? Resolve(v) : x);
            Block Rewrite(Block b)
            {
                var list = new List<Stmt>(b.Statements.Count);
                foreach (var s in b.Statements)
                {
                    if (s is Let l && copies.ContainsKey(l.Name))
                    {
                        continue;
                    }

                    list.Add(Walk.MapBlocks(Walk.MapExpressions(s, Map), Rewrite));
                }

                return new Block(list.ToEquatableArray());
            }

            return Rewrite(body);
        }

        // ---- Equal lets after fusion --------------------------------------------------------------------------------

        /// <summary>
        /// A let whose value reads no memory and equals the value of a let before it, in its block or an enclosing one, is
        /// that let: its reads read the earlier name. A fused loop's reverse half recomputes the forward half's index
        /// arithmetic (<c>k_1 = i * m + j</c> beside <c>k = i * m + j</c>); with one name the common-subexpression pass
        /// sees that <c>u[k_1]</c> is <c>u[k]</c>. SSA: both names hold one value, and the earlier one is visible
        /// wherever the later one is.
        /// </summary>
        internal static Block MergeEqualLets(Block body)
        {
            var renames = new Dictionary<string, Var>(StringComparer.Ordinal);
            var result = MergeIn(body, new Dictionary<Expr, Var>(), renames);
            return renames.Count == 0 ? body : result;
        }

        private static Block MergeIn(Block block, Dictionary<Expr, Var> known, Dictionary<string, Var> renames)
        {
            Expr Map(Expr e) => renames.Count == 0 ? e : Walk.Transform(e, x => x is Var v && renames.TryGetValue(v.Name, out var to) ? to : x);
            var added = new List<Expr>();
            var output = new List<Stmt>(block.Statements.Count);
            foreach (var s in block.Statements)
            {
                if (s is Let let)
                {
                    var l = new Let(let.Name, Map(let.Value));
                    if (PureOfMemory(l.Value) && SafeToMove(l.Value) && !Ir.IsAtomic(l.Value))
                    {
                        if (known.TryGetValue(l.Value, out var earlier) && earlier.Type == l.Value.Type)
                        {
                            renames[l.Name] = earlier;
                            continue;
                        }

                        known[l.Value] = new Var(l.Name, l.Value.Type);
                        added.Add(l.Value);
                    }

                    output.Add(l);
                    continue;
                }

                // The nested blocks first: a loop's next values read what its body defines.
                output.Add(Walk.MapExpressions(Walk.MapBlocks(s, b => MergeIn(b, known, renames)), Map));
            }

            foreach (var e in added)
            {
                known.Remove(e);
            }

            return new Block(output.ToEquatableArray());
        }

        // ---- Independent loops counting down ------------------------------------------------------------------------

        private static Block ReverseDownLoops(Block block)
        {
            var mapped = block.Statements.Map(s => Walk.MapBlocks(s, ReverseDownLoops));
            bool changed = mapped.AsImmutableArray() != block.Statements.AsImmutableArray();
            var list = mapped.ToList();
            for (int b = 0; b < list.Count; b++)
            {
                if (list[b] is not Loop down || DownShape(down) is not { } shape)
                {
                    continue;
                }

                int a = b - 1;
                while (a >= 0 && list[a] is Let or Comment)
                {
                    a--;
                }

                if (a < 0 || list[a] is not Loop up || Shape(up) is not { } upShape || upShape.Counter != shape.From || !upShape.Init.Equals(shape.Lower)
                    || !Independent(down) || ReadAfter(list, b + 1, shape.Counter))
                {
                    continue;
                }

                var counter = new Var(shape.Counter, ValType.Int);
                var carried = down.Carried.Map(v => v.Name == shape.Counter
                    ? new LoopVar(v.Name, ValType.Int, shape.Lower, new Binary(BinaryOp.Add, counter, Const.Of(1, ValType.Int), ValType.Int))
                    : v);
                list[b] = down with
                {
                    Carried = carried,
                    Condition = new Binary(BinaryOp.Lt, counter, new Var(shape.From, ValType.Int), ValType.Bool),
                    Kind = LoopKind.For,
                    Counter = shape.Counter,
                };
                changed = true;
            }

            return changed ? new Block(list.ToEquatableArray()) : block;
        }

        /// <summary>
        /// <c>c = f - 1; while (c &gt;= lower) { ...; c = c - 1 }</c> with an empty header, <c>f</c> a variable and
        /// <c>lower</c> reading no memory, and no other carried value: its counter, <c>f</c> and <c>lower</c>.
        /// </summary>
        private static (string Counter, string From, Expr Lower)? DownShape(Loop loop)
        {
            if (loop.Header.Statements.Count != 0 || loop.Carried.Count != 1
                || loop.Carried[0] is not { Type: ValType.Int } counter
                || counter.Init is not Binary { Op: BinaryOp.Sub, Left: Var from, Right: Const { Value: 1 } }
                || counter.Next is not Binary { Op: BinaryOp.Sub, Left: Var self, Right: Const { Value: 1 } } || self.Name != counter.Name
                || loop.Condition is not Binary { Op: BinaryOp.Ge, Left: Var tested, Right: var lower } || tested.Name != counter.Name
                || !PureOfMemory(lower) || !SafeToMove(lower) || Walk.Reads(lower, counter.Name))
            {
                return null;
            }

            return (counter.Name, from.Name, lower);
        }

        /// <summary>
        /// Whether the loop's iterations can run in any order: it writes buffers only by adding into them, never reads a
        /// buffer it adds into, and holds nothing that may throw but an index exception (<see cref="CollectLoop"/>).
        /// </summary>
        private static bool Independent(Loop loop)
        {
            var accesses = new List<Access>();
            if (!CollectLoop(loop, accesses) || accesses.Any(x => x.Kind is AccessKind.Store or AccessKind.Other))
            {
                return false;
            }

            var added = new HashSet<string>(accesses.Where(x => x.Kind == AccessKind.Add).Select(x => x.Array), StringComparer.Ordinal);
            return !accesses.Any(x => x.Kind == AccessKind.Read && added.Contains(x.Array));
        }

        private static bool ReadAfter(List<Stmt> list, int from, string name)
        {
            for (int k = from; k < list.Count; k++)
            {
                if (Walk.AllExpressions(list[k]).Any(e => Walk.Reads(e, name)))
                {
                    return true;
                }
            }

            return false;
        }
    }
}

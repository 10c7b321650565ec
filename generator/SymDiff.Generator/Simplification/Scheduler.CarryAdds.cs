using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>
    /// Scheduler pass (after fusion): additions into the next element carried in a register. In a loop counting up by one
    /// that touches a buffer only by adding into it, at the top level of its body, an addition into <c>b[e + 1]</c> beside
    /// one into <c>b[e]</c>, where <c>e</c> steps by one with the counter (<c>k = i * m + j</c> with <c>j</c> the counter),
    /// adds into the element the next iteration adds into at <c>b[e]</c>: its value is carried to that iteration and added
    /// there (<c>b[e] += bNext + v</c>), and the last iteration's after the loop. One read-modify-write per element instead
    /// of two (a 1-D or 2-D stencil's adjoint, as a person writes it). Only the order of additions into the buffer changes
    /// (its rounding), as fusion already allows for adjoint buffers; nothing reads the buffer in the loop, and the last
    /// carried value is added before anything after the loop can.
    /// </summary>
    internal sealed partial class Scheduler
    {
        private Block CarryAdds(Block block)
        {
            var mapped = block.Statements.Map(s => Walk.MapBlocks(s, CarryAdds));
            bool changed = mapped.AsImmutableArray() != block.Statements.AsImmutableArray();
            var output = new List<Stmt>(mapped.Count);
            foreach (var s in mapped)
            {
                if (s is Loop loop && CarryAddsIn(loop) is { } rewritten)
                {
                    output.AddRange(rewritten);
                    changed = true;
                    continue;
                }

                output.Add(s);
            }

            return changed ? new Block(output.ToEquatableArray()) : block;
        }

        /// <summary>The loop with one carried addition per buffer where the rule applies, and the additions after it; null when it applies nowhere.</summary>
        private List<Stmt>? CarryAddsIn(Loop loop)
        {
            if (Shape(loop) is not { } shape || loop.Header.Statements.Count != 0)
            {
                return null;
            }

            // Names the loop defines: an index reading one of them (but the counter) does not step with the counter alone.
            var defined = new HashSet<string>(loop.Carried.Select(v => v.Name), StringComparer.Ordinal);
            Walk.CollectDefinitions(loop.Body, defined);
            var lets = loop.Body.Statements.OfType<Let>().ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal);

            // Every access of every buffer, anywhere in the loop; the candidates are the buffers only added into, at the top level.
            var accesses = new List<Access>();
            if (!CollectLoop(loop, accesses, calls: true))
            {
                return null;
            }

            var topLevel = loop.Body.Statements.Select((st, k) => (st, k)).Where(p => p.st is Accumulate { Index: not null }).ToList();
            var buffers = topLevel.Select(p => ((Accumulate)p.st).Target).Distinct(StringComparer.Ordinal).ToList();
            var statements = loop.Body.Statements.ToList();
            var carried = loop.Carried.ToList();
            var after = new List<Stmt>();
            foreach (var b in buffers)
            {
                var mine = accesses.Where(x => x.Array == b).ToList();
                var adds = topLevel.Where(p => ((Accumulate)p.st).Target == b).ToList();
                if (mine.Any(x => x.Kind != AccessKind.Add) || mine.Count != adds.Count)
                {
                    continue; // read, stored, or added into inside a nested block
                }

                var forms = new List<(int Position, Affine Form)>();
                foreach (var (st, k) in adds)
                {
                    if (Affine.Of(((Accumulate)st).Index!, shape.Counter, defined, lets) is { Coefficient: 1 } form)
                    {
                        forms.Add((k, form));
                    }
                }

                // The first pair e, e + 1 (one addition at e + 1) in the order of the body.
                (int A, int B, Affine Form)? pair = null;
                foreach (var (a, fa) in forms)
                {
                    var next = forms.Where(f => f.Form.SameTerms(fa) && f.Form.Constant == fa.Constant + 1).ToList();
                    if (next.Count == 1 && !forms.Any(f => f.Form.SameTerms(fa) && f.Form.Constant == fa.Constant + 2))
                    {
                        pair = (a, next[0].Position, fa);
                        break;
                    }
                }

                if (pair is not { } p)
                {
                    continue;
                }

                var addA = (Accumulate)statements[p.A];
                var addB = (Accumulate)statements[p.B];
                var type = addB.Value.Type;
                var carry = new Var(_namer.NewSourceName(b + "Next"), type);
                carried.Add(new LoopVar(carry.Name, type, Const.Of(0, type), addB.Value));
                statements[p.A] = new Accumulate(b, addA.Index, new Binary(BinaryOp.Add, carry, addA.Value, type));
                statements[p.B] = null!;

                // After the loop the counter holds its final value: the last iteration's e + 1 is e at that counter.
                var counter = new Var(shape.Counter, ValType.Int);
                after.Add(new If(
                    new Binary(BinaryOp.Gt, counter, shape.Init, ValType.Bool),
                    Block.Of(new Accumulate(b, p.Form.ToExpr(counter), carry)),
                    Block.Empty,
                    EquatableArray<Phi>.Empty));
            }

            if (after.Count == 0)
            {
                return null;
            }

            var result = new List<Stmt>
            {
                loop with { Carried = carried.ToEquatableArray(), Body = new Block(statements.Where(st => st is not null).ToEquatableArray()) },
            };
            result.AddRange(after);
            return result;
        }

        /// <summary>An integer index as coefficient * counter + constant + invariant terms (each an expression the loop does not change, with its multiplier).</summary>
        private sealed class Affine
        {
            private Affine(int coefficient, int constant, List<(Expr Term, int Times)> terms)
            {
                Coefficient = coefficient;
                Constant = constant;
                Terms = terms;
            }

            public int Coefficient { get; }

            public int Constant { get; }

            public List<(Expr Term, int Times)> Terms { get; }

            public bool SameTerms(Affine other) =>
                Terms.Count == other.Terms.Count && Terms.All(t => other.Terms.Any(o => o.Times == t.Times && o.Term.Equals(t.Term)));

            /// <summary>The index at <paramref name="counter"/>: the invariant terms, the counter, the constant.</summary>
            public Expr ToExpr(Expr counter)
            {
                Expr? sum = null;
                void Plus(Expr e) => sum = sum is null ? e : new Binary(BinaryOp.Add, sum, e, ValType.Int);
                foreach (var (term, times) in Terms)
                {
                    Plus(times == 1 ? term : new Binary(BinaryOp.Mul, Const.Of(times, ValType.Int), term, ValType.Int));
                }

                Plus(Coefficient == 1 ? counter : new Binary(BinaryOp.Mul, Const.Of(Coefficient, ValType.Int), counter, ValType.Int));
                if (Constant != 0)
                {
                    sum = new Binary(Constant > 0 ? BinaryOp.Add : BinaryOp.Sub, sum!, Const.Of(Math.Abs(Constant), ValType.Int), ValType.Int);
                }

                return sum!;
            }

            public static Affine? Of(Expr e, string counter, HashSet<string> defined, Dictionary<string, Expr> lets)
            {
                int coefficient = 0;
                int constant = 0;
                var terms = new List<(Expr, int)>();
                bool ok = true;
                void Walk(Expr x, int times, int depth)
                {
                    if (!ok || depth > 32)
                    {
                        ok = false;
                        return;
                    }

                    switch (x)
                    {
                        case Const { Type: ValType.Int } c:
                            constant += times * (int)c.Value;
                            return;
                        case Var v when v.Name == counter:
                            coefficient += times;
                            return;
                        case Var v when lets.TryGetValue(v.Name, out var value):
                            Walk(value, times, depth + 1);
                            return;
                        case Binary { Op: BinaryOp.Add, Type: ValType.Int } add:
                            Walk(add.Left, times, depth + 1);
                            Walk(add.Right, times, depth + 1);
                            return;
                        case Binary { Op: BinaryOp.Sub, Type: ValType.Int } sub:
                            Walk(sub.Left, times, depth + 1);
                            Walk(sub.Right, -times, depth + 1);
                            return;
                        case Binary { Op: BinaryOp.Mul, Type: ValType.Int, Left: Const k } mul when !Reads(mul.Right):
                            Add(mul.Right, times * (int)k.Value);
                            return;
                        case Binary { Op: BinaryOp.Mul, Type: ValType.Int, Left: Const k } mul:
                            Walk(mul.Right, times * (int)k.Value, depth + 1);
                            return;
                        default:
                            if (x.Type != ValType.Int || Reads(x) || !PureOfMemory(x) || !SafeToMove(x))
                            {
                                ok = false;
                                return;
                            }

                            Add(x, times);
                            return;
                    }
                }

                bool Reads(Expr x) => IR.Walk.Contains(x, y => y is Var v && (v.Name == counter || defined.Contains(v.Name)));
                void Add(Expr term, int times)
                {
                    int at = terms.FindIndex(t => t.Item1.Equals(term));
                    if (at < 0)
                    {
                        terms.Add((term, times));
                    }
                    else
                    {
                        terms[at] = (term, terms[at].Item2 + times);
                    }
                }

                Walk(e, 1, 0);
                if (!ok)
                {
                    return null;
                }

                terms.RemoveAll(t => t.Item2 == 0);
                return new Affine(coefficient, constant, terms);
            }
        }

        // ---- The last carried addition into a zero-filled tail ------------------------------------------------------

        /// <summary>
        /// <c>for (c = f; c &lt; b.Length; c++) b[c] = 0; if (f &gt; a) b[f] += v;</c>, where <c>f</c> is the final counter of an
        /// earlier loop of the block from <c>a</c> that carries <c>v</c> from <c>0.0</c> (a stencil's contribution to the
        /// element after the last one its loop stored), becomes <c>if (f &lt; b.Length) b[f] = v;</c> and the zero fill from
        /// <c>f + 1</c>: the element is stored once instead of zeroed and then read back. When that loop ran no iteration,
        /// <c>f = a</c> and <c>v</c> still holds its start value 0.0, the value the fill stored; otherwise <c>0 + v</c> is
        /// <c>v</c> (but for the sign of a zero, which only a gradient element can see).
        /// </summary>
        private static Block StoreLastCarried(Block block)
        {
            var mapped = block.Statements.Map(s => Walk.MapBlocks(s, StoreLastCarried));
            bool changed = mapped.AsImmutableArray() != block.Statements.AsImmutableArray();
            var list = mapped.ToList();
            for (int k = 0; k + 1 < list.Count; k++)
            {
                if (list[k] is not Loop fill || Shape(fill) is not { Init: Var from } shape || fill.Carried.Count != 1
                    || fill.Body.Statements.Count != 1 || fill.Body.Statements[0] is not Store { Index: Var stored, Value: Const { IsZero: true } zero } store
                    || stored.Name != shape.Counter || shape.Bound is not Len { } length || length.Array != store.Array
                    || list[k + 1] is not If { Phis.Count: 0, Else.Statements.Count: 0, Then.Statements.Count: 1 } guard
                    || guard.Then.Statements[0] is not Accumulate { Index: Var at, Value: Var carried } add || add.Target != store.Array || at.Name != from.Name
                    || guard.Condition is not Binary { Op: BinaryOp.Gt, Left: Var tested, Right: var start } || tested.Name != from.Name)
                {
                    continue;
                }

                // The loop whose final counter f is, from the guard's start, carrying v from +0.0.
                bool carriesFromZero = list.Take(k).OfType<Loop>().Any(l =>
                    Shape(l) is { } ls && ls.Counter == from.Name && ls.Init.Equals(start)
                    && l.Carried.Any(v => v.Name == carried.Name && v.Init is Const { IsZero: true } init && BitConverter.DoubleToInt64Bits(init.Value) == 0 && v.Type == zero.Type));
                if (!carriesFromZero)
                {
                    continue;
                }

                var counter = fill.Carried[0];
                list[k] = new If(
                    new Binary(BinaryOp.Lt, from, shape.Bound, ValType.Bool),
                    Block.Of(new Store(store.Array, from, carried)),
                    Block.Empty,
                    EquatableArray<Phi>.Empty);
                list[k + 1] = fill with
                {
                    Carried = EquatableArray.Create(new LoopVar(counter.Name, counter.Type, new Binary(BinaryOp.Add, from, Const.Of(1, ValType.Int), ValType.Int), counter.Next)),
                };
                changed = true;
            }

            return changed ? new Block(list.ToEquatableArray()) : block;
        }

        /// <summary>The carried additions alone, for the per-pass tests.</summary>
        internal static Block CarryAddsPass(Block body, Namer namer) =>
            new Scheduler(new HashSet<string>(), namer, new HashSet<string>()).CarryAdds(body);

        /// <summary>The store of the last carried addition alone, for the per-pass tests.</summary>
        internal static Block StoreLastCarriedPass(Block body) => StoreLastCarried(body);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>Scheduler pass: dead-code removal, and the use counts the other passes share.</summary>
    internal sealed partial class Scheduler
    {
        /// <param name="body">The body.</param>
        /// <param name="buffers">
        /// Whether a buffer nothing reads goes too, like a tape (a version of a user's buffer before an update in place that
        /// no sweep reads back); not where the vectoriser runs after, which parks a loop's values in the buffers its tail
        /// stores into.
        /// </param>
        public static Block RemoveDeadCode(Block body, bool buffers = false)
        {
            while (true)
            {
                var uses = CountUses(body);
                bool removed = false;
                body = RemoveDead(body, uses, Declared(body), ref removed);
                if (!removed)
                {
                    // A tape nothing reads (a carried sum's values, stored for a recomputation that turned out dead): its
                    // stores go, and with them the values only they read.
                    var unread = UnreadTapes(body, buffers);
                    if (unread.Count == 0)
                    {
                        return body;
                    }

                    body = WithoutTapes(body, unread);
                }
            }
        }

        /// <summary>The names of the locals declared with <see cref="Declare"/> anywhere in <paramref name="body"/>.</summary>
        private static HashSet<string> Declared(Block body)
        {
            var declared = new HashSet<string>(StringComparer.Ordinal);
            AddDeclared(body, declared);
            return declared;
        }

        /// <summary>Adds the names <paramref name="block"/> declares, nested blocks included.</summary>
        private static void AddDeclared(Block block, HashSet<string> declared) =>
            Walk.ForEachStatement(block, declared, static (s, names) =>
            {
                if (s is Declare d)
                {
                    names.Add(d.Name);
                }
            });

        /// <summary>The pooled tapes (and, with <paramref name="buffers"/>, the buffers) that no expression reads: only stored into, grown and cleared.</summary>
        private static HashSet<string> UnreadTapes(Block body, bool buffers)
        {
            var tapes = new HashSet<string>(StringComparer.Ordinal);
            AddTapes(body, tapes, buffers);
            if (tapes.Count == 0)
            {
                return tapes;
            }

            // Any mention in an expression is a read (an element, the whole array passed on, its length); an accumulation
            // into it reads it too.
            var scratch = new List<Expr>();
            void Read(Block b)
            {
                foreach (var st in b.Statements)
                {
                    if (st is Accumulate a)
                    {
                        tapes.Remove(a.Target);
                    }
                    else if (st is CopySpan copy)
                    {
                        tapes.Remove(copy.Source);
                        tapes.Remove(copy.Target);
                    }

                    scratch.Clear();
                    Walk.DirectExpressions(st, scratch);
                    foreach (var e in scratch)
                    {
                        Walk.Contains(e, x =>
                        {
                            switch (x)
                            {
                                case Elem el: tapes.Remove(el.Array); break;
                                case SpanRef sr: tapes.Remove(sr.Array); break;
                                case SpanView sv: tapes.Remove(sv.Array); break;
                                case Len len: tapes.Remove(len.Array); break;
                            }

                            return false;
                        });
                    }

                    foreach (var nested in Walk.Blocks(st))
                    {
                        Read(nested);
                    }
                }
            }

            Read(body);
            return tapes;
        }

        /// <summary>Adds the pooled tapes <paramref name="block"/> rents (and, with <paramref name="buffers"/>, its buffers), nested blocks included.</summary>
        private static void AddTapes(Block block, HashSet<string> tapes, bool buffers) =>
            Walk.ForEachStatement(block, tapes, (s, names) =>
            {
                if (s is RentBuffer r && (buffers || !r.Zeroed))
                {
                    names.Add(r.Name);
                }
            });

        private static Block WithoutTapes(Block block, HashSet<string> tapes) => new Block(block.Statements
            .Where(st => st switch
            {
                RentBuffer r => !tapes.Contains(r.Name),
                Store store => !tapes.Contains(store.Array),
                EnsureCapacity e => !tapes.Contains(e.Name),
                ClearArray c => !tapes.Contains(c.Name),
                ClearBuffer c => !tapes.Contains(c.Target),
                _ => true,
            })
            .Select(st => Walk.MapBlocks(st, b => WithoutTapes(b, tapes)))
            .ToEquatableArray());

        /// <summary>
        /// One pass of dead-code removal; <paramref name="removed"/> is set when anything was dropped. Statements are
        /// visited last to first and a removed statement gives back the uses it held, so a whole chain of dead values
        /// goes in one pass (a chain of n dead lets once took n passes over the method).
        /// </summary>
        private static Block RemoveDead(Block block, Dictionary<string, int> uses, HashSet<string> declared, ref bool removed)
        {
            var output = new List<Stmt>();
            for (int k = block.Statements.Count - 1; k >= 0; k--)
            {
                var s = block.Statements[k];
                switch (s)
                {
                    case Let let when !Live(uses, let.Name) && !Walk.HasEffect(let):
                        Release(uses, let.Value);
                        removed = true;
                        continue;
                    case Accumulate { Index: null } a when declared.Contains(a.Target) && !Live(uses, a.Target):
                        // An addition into a declared local that nothing reads (a tangent of an adjoint local whose
                        // adjoint flows nowhere): the local goes too, below.
                        Release(uses, a.Value);
                        removed = true;
                        continue;
                    case Declare d when !Live(uses, d.Name):
                        removed = true;
                        continue;
                    case CallWithGradient call when !Live(uses, call.Name) && !Walk.HasEffect(call) && call.Partials.All(p => p.Length == 0 || !Live(uses, p)):
                        Release(uses, call.Call);
                        removed = true;
                        continue;
                    case CallWithDerivative call when !Live(uses, call.Name) && !Walk.HasEffect(call) && !Live(uses, call.Tangent):
                        Release(uses, call.Call);
                        foreach (var t in call.Tangents)
                        {
                            Release(uses, t);
                        }

                        removed = true;
                        continue;
                    case If branch:
                    {
                        var phis = new List<Phi>();
                        foreach (var p in branch.Phis)
                        {
                            if (Live(uses, p.Name) || Walk.CallsGuarded(p.WhenTrue) || Walk.CallsGuarded(p.WhenFalse))
                            {
                                phis.Add(p);
                                continue;
                            }

                            Release(uses, p.WhenTrue);
                            Release(uses, p.WhenFalse);
                            removed = true;
                        }

                        var then = RemoveDead(branch.Then, uses, declared, ref removed);
                        var @else = RemoveDead(branch.Else, uses, declared, ref removed);
                        if (phis.Count == 0 && then.Statements.Count == 0 && @else.Statements.Count == 0 && !Walk.CallsGuarded(branch.Condition))
                        {
                            Release(uses, branch.Condition);
                            removed = true;
                            continue;
                        }

                        output.Add(phis.Count == branch.Phis.Count && ReferenceEquals(then, branch.Then) && ReferenceEquals(@else, branch.Else)
                            ? s
                            : new If(branch.Condition, then, @else, phis.ToEquatableArray()));
                        break;
                    }

                    case Loop loop:
                    {
                        // A carried value is dead when nothing but its own next value reads it.
                        var carried = new List<LoopVar>();
                        foreach (var v in loop.Carried)
                        {
                            // A value computed by a call with argument checks stays: the check may throw (FINDINGS F33).
                            if ((uses.TryGetValue(v.Name, out int n) && n > SelfUses(v, loop.Body, uses)) || Walk.CallsGuarded(v.Init) || Walk.CallsGuarded(v.Next))
                            {
                                carried.Add(v);
                                continue;
                            }

                            Release(uses, v.Init);
                            Release(uses, v.Next);
                            removed = true;
                        }

                        var body = RemoveDead(loop.Body, uses, declared, ref removed);
                        var header = RemoveDead(loop.Header, uses, declared, ref removed);
                        if (carried.Count == 0 && !body.Statements.Any(Walk.HasEffect) && !header.Statements.Any(Walk.HasEffect))
                        {
                            Release(uses, loop.Condition);
                            removed = true;
                            continue;
                        }

                        if (EmptyCount(loop, carried, body, header) is { } end)
                        {
                            // A loop left with nothing to do but count (a reverse sweep that needs only its trip count):
                            // the counter's final value, computed at once.
                            var counter = carried[0];
                            Release(uses, counter.Next);
                            Release(uses, ((Binary)loop.Condition).Left);
                            output.Add(new Let(counter.Name, end));
                            removed = true;
                            break;
                        }

                        output.Add(carried.Count == loop.Carried.Count && ReferenceEquals(body, loop.Body) && ReferenceEquals(header, loop.Header)
                            ? s
                            : loop with { Carried = carried.ToEquatableArray(), Body = body, Header = header });
                        break;
                    }

                    default:
                        output.Add(s);
                        break;
                }
            }

            output.Reverse();
            return Same(output, block) ? block : new Block(output.ToEquatableArray());
        }

        /// <summary>Whether <paramref name="statements"/> are the statements of <paramref name="block"/>, the very same objects.</summary>
        private static bool Same(List<Stmt> statements, Block block)
        {
            if (statements.Count != block.Statements.Count)
            {
                return false;
            }

            for (int i = 0; i < statements.Count; i++)
            {
                if (!ReferenceEquals(statements[i], block.Statements[i]))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// For <c>for (int k = init; k &lt; bound; k++) { }</c>, with nothing else carried and <c>bound</c> not changed by the
        /// loop: the value of <c>k</c> after it, <c>init &lt; bound ? bound : init</c>; otherwise null.
        /// </summary>
        private static Expr? EmptyCount(Loop loop, List<LoopVar> carried, Block body, Block header)
        {
            if (loop.Kind != LoopKind.For || carried.Count != 1 || body.Statements.Count != 0 || header.Statements.Count != 0)
            {
                return null;
            }

            var counter = carried[0];
            if (counter.Type != ValType.Int
                || loop.Condition is not Binary { Op: BinaryOp.Lt, Left: Var tested, Right: var bound } || tested.Name != counter.Name
                || counter.Next is not Binary { Op: BinaryOp.Add, Left: Var self, Right: Const { Value: 1 } } || self.Name != counter.Name
                || Walk.Contains(bound, e => e is Var v && v.Name == counter.Name)
                || Walk.Contains(bound, e => e is UserCall or Elem))
            {
                return null;
            }

            return counter.Init is Const init && bound is Const limit
                ? Const.Of(Math.Max(init.Value, limit.Value), ValType.Int)
                : new IR.Cond(new Binary(BinaryOp.Lt, counter.Init, bound, ValType.Bool), bound, counter.Init, ValType.Int);
        }

        private static bool Live(Dictionary<string, int> uses, string name) => uses.TryGetValue(name, out int n) && n > 0;

        /// <summary>Gives back the uses an expression held when its statement goes.</summary>
        private static void Release(Dictionary<string, int> uses, Expr e)
        {
            Limits.EnsureStack();
            if (e is Var v)
            {
                if (uses.TryGetValue(v.Name, out int n))
                {
                    uses[v.Name] = n - 1;
                }

                return;
            }

            foreach (var c in Walk.Children(e))
            {
                Release(uses, c);
            }
        }

        /// <summary>
        /// The reads of a carried value that only compute its own next value: in the next value itself, or in a let of the
        /// body that nothing but the next value reads (<c>s_2 = s + e; next s = s_2</c>).
        /// </summary>
        private static int SelfUses(LoopVar v, Block body, Dictionary<string, int> uses)
        {
            int n = CountReads(v.Next, v.Name);
            foreach (var let in body.Statements.OfType<Let>())
            {
                int inNext = CountReads(v.Next, let.Name);
                if (inNext > 0 && uses.TryGetValue(let.Name, out int all) && all == inNext && !Walk.CallsGuarded(let.Value))
                {
                    n += CountReads(let.Value, v.Name);
                }
            }

            return n;
        }

        private static int CountReads(Expr e, string name)
        {
            Limits.EnsureStack();
            if (e is Var v)
            {
                return v.Name == name ? 1 : 0;
            }

            int n = 0;
            foreach (var c in Walk.Children(e))
            {
                n += CountReads(c, name);
            }

            return n;
        }

        /// <summary>How many times each name is read anywhere in the tree.</summary>
        public static Dictionary<string, int> CountUses(Block body)
        {
            // Each statement's own expressions, then its nested blocks (a VectorLoop's lanes read what its scalar loop
            // reads: the emitter decides from these counts whether the counter may be scoped to the loop): the order
            // Walk.AllExpressions visits them.
            var uses = new Dictionary<string, int>(StringComparer.Ordinal);
            Walk.ForEachStatement(body, (uses, scratch: new List<Expr>()), static (s, state) =>
            {
                state.scratch.Clear();
                Walk.DirectExpressions(s, state.scratch);
                foreach (var e in state.scratch)
                {
                    CountVars(e, state.uses);
                }
            });
            return uses;
        }

        private static void CountVars(Expr e, Dictionary<string, int> uses)
        {
            Limits.EnsureStack();
            if (e is Var v)
            {
                uses[v.Name] = uses.TryGetValue(v.Name, out int n) ? n + 1 : 1;
                return;
            }

            foreach (var c in Walk.Children(e))
            {
                CountVars(c, uses);
            }
        }
    }
}

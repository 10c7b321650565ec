using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>
    /// Scheduler pass: stores a careful person would not write, in straight-line code of one block.
    /// <list type="bullet">
    /// <item><b>A zero, then an addition</b>: <c>b[i] = 0.0; ... b[i] += v;</c> is <c>b[i] = v;</c> at the addition, when
    /// nothing between reads or writes <c>b</c> or writes anything else, <c>v</c> does not read <c>b</c>, and no view of
    /// <c>b</c> exists anywhere in the method (so nothing between can read the element under another name). The element
    /// ends with <c>v</c> instead of <c>0.0 + v</c>: the same value, up to the sign of a zero (as
    /// <c>Differentiation.OverwriteOnce</c>). An adjoint buffer's element is taken and zeroed by a store, then gets its
    /// next contribution (a read of an output in place, a buffer accumulated into).</item>
    /// <item><b>A store of the value just read</b>: <c>x = b[i]; ... b[i] = x;</c> drops the store, when nothing between
    /// writes anything: the element still holds <c>x</c>, bit for bit.</item>
    /// </list>
    /// Indices are compared as expressions (the same counter, the same constant); an index reading a name that an
    /// <see cref="Assign"/> between changes is not the same index. Floating-point operations are never changed or moved
    /// past a write: only stores are removed or turned from an addition into a plain store.
    /// </summary>
    internal static class RedundantStores
    {
        /// <param name="body">The scheduled body.</param>
        /// <param name="userNames">The user's names: a store into the user's own buffer stays even when nothing reads it (the vectoriser may park values there).</param>
        public static Block Apply(Block body, ISet<string> userNames)
        {
            var viewed = Viewed(body);
            body = Visit(body, viewed);
            return DropUnreadStores(body, Viewed(body, byLocalsOnly: true), userNames);
        }

        /// <summary>
        /// A zero stored into a buffer SymDiff made and the method rents (no caller sees it; an adjoint or tangent buffer,
        /// not the user's own buffer) that nothing reads afterwards goes: no statement
        /// after it, in its block or after the statements around it, names the buffer, and it is in no loop, or it is
        /// in the body of one loop counting by one (no loop around that) that names the buffer only at its counter and
        /// nowhere after the store: a later iteration reads another element. Typically the zero that takes an adjoint
        /// buffer's element in the last reverse loop that reads it. Stores of computed values stay even when unread: the
        /// vectoriser's loop fission parks a loop's values in the buffers its tail stores into.
        /// </summary>
        private static Block DropUnreadStores(Block body, HashSet<string> viewed, ISet<string> userNames)
        {
            var rented = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in Walk.AllStatements(body))
            {
                if (s is RentBuffer r && !viewed.Contains(r.Name) && !userNames.Contains(r.Name))
                {
                    rented.Add(r.Name);
                }
            }

            if (rented.Count == 0)
            {
                return body;
            }

            return WithoutUnread(body, new List<(Block Block, int Index)>(), new Unread(rented));
        }

        private static Block WithoutUnread(Block block, List<(Block Block, int Index)> around, Unread unread)
        {
            List<Stmt>? kept = null;
            for (int k = 0; k < block.Statements.Count; k++)
            {
                var s = block.Statements[k];
                if (s is Store { Value: Const { Value: 0 } } store && unread.Rented.Contains(store.Array) && unread.After(block, k, store, around))
                {
                    kept ??= block.Statements.Take(k).ToList();
                    continue;
                }

                around.Add((block, k));
                var mapped = Walk.MapBlocks(s, b => WithoutUnread(b, around, unread));
                around.RemoveAt(around.Count - 1);
                if (!ReferenceEquals(mapped, s))
                {
                    kept ??= block.Statements.Take(k).ToList();
                }

                kept?.Add(mapped);
            }

            return kept is null ? block : new Block(kept.ToEquatableArray());
        }

        /// <summary>Answers whether a store is read afterwards; remembers, per block, the last statement naming each rented buffer (so each block is scanned once).</summary>
        private sealed class Unread
        {
            private readonly Dictionary<Block, Dictionary<string, int>> _last = new Dictionary<Block, Dictionary<string, int>>(new BlockIdentity());

            public Unread(HashSet<string> rented) => Rented = rented;

            public HashSet<string> Rented { get; }

            /// <summary>Whether no statement of <paramref name="block"/> after <paramref name="k"/> names <paramref name="buffer"/>.</summary>
            private bool NoneAfter(Block block, int k, string buffer)
            {
                if (!_last.TryGetValue(block, out var last))
                {
                    last = new Dictionary<string, int>(StringComparer.Ordinal);
                    for (int m = 0; m < block.Statements.Count; m++)
                    {
                        foreach (var name in Rented)
                        {
                            if (Mentions.In(block.Statements[m], name))
                            {
                                last[name] = m;
                            }
                        }
                    }

                    _last[block] = last;
                }

                return !last.TryGetValue(buffer, out int at) || at <= k;
            }

            public bool After(Block block, int k, Store store, List<(Block Block, int Index)> around)
            {
                string buffer = store.Array;
                if (!NoneAfter(block, k, buffer))
                {
                    return false;
                }

                int outside = around.Count; // the frames after which nothing may name the buffer
                if (around.Count > 0 && around[around.Count - 1] is var (parent, at) && parent.Statements[at] is Loop loop)
                {
                    // In a loop's body, counting by one, the store at the counter: every iteration names only its own element.
                    if (!ReferenceEquals(block, loop.Body) || LoopShape.Counter(loop) is not { } shape || store.Index is not Var { Name: var counter } || counter != shape.Counter.Name
                        || loop.Carried.Any(v => Mentions.In(v.Init, buffer) || Mentions.In(v.Next, buffer)) || Mentions.In(loop.Condition, buffer)
                        || loop.Header.Statements.Any(x => Mentions.In(x, buffer)))
                    {
                        return false;
                    }

                    for (int m = 0; m < k; m++)
                    {
                        if (!OnlyAt(block.Statements[m], buffer, counter))
                        {
                            return false;
                        }
                    }

                    if (!NoneAfter(parent, at, buffer))
                    {
                        return false;
                    }

                    outside = around.Count - 1;
                }

                for (int f = outside - 1; f >= 0; f--)
                {
                    var (b, i) = around[f];
                    var s = b.Statements[i];
                    if (s is Loop || (s is If branch && branch.Phis.Any(p => Mentions.In(p.WhenTrue, buffer) || Mentions.In(p.WhenFalse, buffer))))
                    {
                        return false; // another loop around: its next iteration may read the element
                    }

                    if (!NoneAfter(b, i, buffer))
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        private sealed class BlockIdentity : IEqualityComparer<Block>
        {
            public bool Equals(Block? x, Block? y) => ReferenceEquals(x, y);

            public int GetHashCode(Block obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
        }

        /// <summary>Whether a statement names the buffer only as its element at the counter (reads, stores, additions), and assigns neither.</summary>
        private static bool OnlyAt(Stmt s, string buffer, string counter)
        {
            switch (s)
            {
                case Assign a when a.Name == counter || a.Name == buffer:
                    return false;
                case Store st when st.Array == buffer && !IsCounter(st.Index, counter):
                case Accumulate ac when ac.Target == buffer && (ac.Index is null || !IsCounter(ac.Index, counter)):
                    return false;
                case Store or Accumulate or Let or Assign or If or Loop or Comment or Declare:
                    break;
                default:
                    if (Mentions.In(s, buffer))
                    {
                        return false;
                    }

                    break;
            }

            foreach (var e in DirectExpressions(s))
            {
                if (Walk.Contains(e, x => x switch
                {
                    Elem el => el.Array == buffer && !IsCounter(el.Index, counter),
                    Len or SpanRef or SpanView or Opaque => Mentions.In(x, buffer),
                    _ => false,
                }))
                {
                    return false;
                }
            }

            return Walk.Blocks(s).All(b => b.Statements.All(x => OnlyAt(x, buffer, counter)));
        }

        private static bool IsCounter(Expr index, string counter) => index is Var v && v.Name == counter;

        private static List<Expr> DirectExpressions(Stmt s)
        {
            var list = new List<Expr>();
            Walk.DirectExpressions(s, list);
            return list;
        }

        private static Block Visit(Block block, HashSet<string> viewed)
        {
            List<Stmt>? statements = null;
            for (int k = 0; k < block.Statements.Count; k++)
            {
                var s = block.Statements[k];
                var mapped = Walk.MapBlocks(s, b => Visit(b, viewed));
                if (!ReferenceEquals(mapped, s))
                {
                    statements ??= block.Statements.ToList();
                    statements[k] = mapped;
                }
            }

            var list = statements ?? block.Statements.ToList();
            bool changed = statements is not null;
            changed |= MergeZeroThenAdd(list, viewed);
            changed |= DropStoresOfReadValues(list);
            return changed ? new Block(list.ToEquatableArray()) : block;
        }

        /// <summary><c>b[i] = 0; ... b[i] += v;</c> becomes <c>... b[i] = v;</c>.</summary>
        private static bool MergeZeroThenAdd(List<Stmt> list, HashSet<string> viewed)
        {
            bool changed = false;
            for (int k = 0; k < list.Count; k++)
            {
                if (list[k] is not Store { Value: Const { Value: 0, IsValueZero: false } } zero || viewed.Contains(zero.Array))
                {
                    continue;
                }

                for (int m = k + 1; m < list.Count; m++)
                {
                    var s = list[m];
                    if (s is Accumulate { Index: { } index } add && add.Target == zero.Array && index.Equals(zero.Index))
                    {
                        if (!Mentions.In(add.Value, zero.Array) && !Walk.Contains(add.Value, x => x is UserCall))
                        {
                            list[m] = new Store(zero.Array, zero.Index, add.Value);
                            list.RemoveAt(k);
                            k--;
                            changed = true;
                        }

                        break;
                    }

                    if (!Quiet(s, zero.Index) || Mentions.In(s, zero.Array))
                    {
                        break;
                    }
                }
            }

            return changed;
        }

        /// <summary><c>x = b[i]; ... b[i] = x;</c> loses the store.</summary>
        private static bool DropStoresOfReadValues(List<Stmt> list)
        {
            bool changed = false;
            for (int m = 0; m < list.Count; m++)
            {
                if (list[m] is not Store { Value: Var stored } store)
                {
                    continue;
                }

                for (int k = m - 1; k >= 0; k--)
                {
                    var s = list[k];
                    if (s is Let { Value: Elem read } let && let.Name == stored.Name)
                    {
                        if (read.Array == store.Array && read.Index.Equals(store.Index))
                        {
                            list.RemoveAt(m);
                            m--;
                            changed = true;
                        }

                        break;
                    }

                    if (!Quiet(s, store.Index))
                    {
                        break;
                    }
                }
            }

            return changed;
        }

        /// <summary>
        /// Whether a statement between the two may be passed over: it writes nothing (no store, addition, clear, output,
        /// call, return or check), calls no method, and assigns no name the index reads.
        /// </summary>
        private static bool Quiet(Stmt s, Expr index)
        {
            if (s is Assign a)
            {
                return !Mentions.In(index, a.Name) && !Walk.Contains(a.Value, x => x is UserCall);
            }

            if (s is Comment or Declare)
            {
                return true;
            }

            if (s is not (Let or If or Loop) || Walk.HasEffect(s))
            {
                return false;
            }

            return Walk.AllExpressions(s).All(e => !Walk.Contains(e, x => x is UserCall))
                && Walk.Blocks(s).All(b => b.Statements.All(x => Quiet(x, index)));
        }

        /// <summary>
        /// The arrays something else may name: passed whole, viewed (<c>Slice</c>, a row), or themselves a view. With
        /// <paramref name="byLocalsOnly"/>, only span locals and what they view: an element of those can be read under
        /// another name, while a buffer passed straight to a call is read by the call's statement, which names it.
        /// </summary>
        private static HashSet<string> Viewed(Block body, bool byLocalsOnly = false)
        {
            var viewed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in Walk.AllStatements(body))
            {
                if (s is Let { Value.Type: ValType.Span } view)
                {
                    viewed.Add(view.Name);
                }
                else if (byLocalsOnly)
                {
                    // A buffer (or a part of one) passed straight to a call is read by that statement, which names it.
                    continue;
                }

                foreach (var e in DirectExpressions(s))
                {
                    Walk.Contains(e, x =>
                    {
                        switch (x)
                        {
                            case SpanRef r:
                                viewed.Add(r.Array);
                                break;
                            case SpanView v:
                                viewed.Add(v.Array);
                                break;
                        }

                        return false;
                    });
                }
            }

            return viewed;
        }
    }
}

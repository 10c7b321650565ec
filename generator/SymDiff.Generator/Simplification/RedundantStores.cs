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
        public static Block Apply(Block body)
        {
            var viewed = Viewed(body);
            return Visit(body, viewed);
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

        /// <summary>The arrays something else may name: passed whole, viewed (<c>Slice</c>, a row), or themselves a view.</summary>
        private static HashSet<string> Viewed(Block body)
        {
            var viewed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in Walk.AllStatements(body))
            {
                if (s is Let { Value.Type: ValType.Span } view)
                {
                    viewed.Add(view.Name);
                }

                foreach (var e in Walk.AllExpressions(s))
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

using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Lowering
{
    /// <summary>
    /// Bounds the depth of every expression the later phases walk: a subexpression that would nest deeper than
    /// <see cref="MaxDepth"/> gets a let of its own, just before the statement that evaluates it. Derivative code
    /// then refers to a name instead of embedding the deep forward subtree again and again, so a 2,000-deep user
    /// expression costs linear time and a bounded stack in every phase after this one. Pure.
    /// </summary>
    /// <remarks>
    /// Bit-exact: the same operations in the same order, only named. Operands that are evaluated conditionally (the
    /// branches of <c>?:</c>, the right of <c>&amp;&amp;</c> and <c>||</c>) stay where they are, since evaluating them
    /// early could throw (an index out of range) or call a method that would not run. Ordinary code, nested less than
    /// <see cref="MaxDepth"/> levels, is returned unchanged.
    /// </remarks>
    internal static class DepthLimit
    {
        /// <summary>The deepest expression left as it is.</summary>
        public const int MaxDepth = 32;

        public static Block Apply(Block block, Namer namer)
        {
            List<Stmt>? output = null;
            for (int k = 0; k < block.Statements.Count; k++)
            {
                var s = block.Statements[k];
                var before = new List<Stmt>();
                var mapped = s switch
                {
                    Let l => new Let(l.Name, Limit(l.Value, before, namer)),
                    Return r => new Return(Limit(r.Value, before, namer)),
                    Store st => new Store(st.Array, Limit(st.Index, before, namer), Limit(st.Value, before, namer)),
                    If i => new If(Limit(i.Condition, before, namer), i.Then, i.Else, i.Phis),
                    _ => s,
                };
                mapped = Walk.MapBlocks(mapped, b => Apply(b, namer));
                if (output is null && (before.Count > 0 || !ReferenceEquals(mapped, s) && !mapped.Equals(s)))
                {
                    output = block.Statements.Take(k).ToList();
                }

                if (output is not null)
                {
                    output.AddRange(before);
                    output.Add(mapped);
                }
            }

            return output is null ? block : new Block(output.ToEquatableArray());
        }

        /// <summary>Names the subexpressions of <paramref name="e"/> that reach <see cref="MaxDepth"/>, bottom up.</summary>
        private static Expr Limit(Expr e, List<Stmt> before, Namer namer)
        {
            if (Depth(e, MaxDepth + 1) <= MaxDepth)
            {
                return e;
            }

            var depths = new Dictionary<object, int>(ReferenceComparer.Instance);
            return Visit(e, before, namer, depths);
        }

        private static Expr Visit(Expr e, List<Stmt> before, Namer namer, Dictionary<object, int> depths)
        {
            Limits.EnsureStack();
            Expr mapped = e switch
            {
                // Conditionally evaluated operands are left alone (and counted as they are).
                Cond c => new Cond(Visit(c.Condition, before, namer, depths), c.WhenTrue, c.WhenFalse, c.Type),
                Binary { Op: BinaryOp.And or BinaryOp.Or } b => new Binary(b.Op, Visit(b.Left, before, namer, depths), b.Right, b.Type),
                _ => Walk.MapChildren(e, c => Visit(c, before, namer, depths)),
            };

            int depth = 1 + Walk.Children(mapped).Select(c => DepthOf(c, depths)).DefaultIfEmpty(0).Max();
            if (depth >= MaxDepth && mapped.Type is ValType.Double or ValType.Float or ValType.Int or ValType.Bool && mapped is not (Var or Const))
            {
                var let = new Let(namer.NewTemp(), mapped);
                before.Add(let);
                return let.Ref;
            }

            depths[mapped] = depth;
            return mapped;
        }

        private static int DepthOf(Expr e, Dictionary<object, int> depths) =>
            e is Var or Const ? 1 : depths.TryGetValue(e, out int d) ? d : Depth(e, int.MaxValue);

        /// <summary>The depth of an expression tree, counted without recursion and no further than <paramref name="limit"/>.</summary>
        private static int Depth(Expr e, int limit)
        {
            int deepest = 0;
            var pending = new Stack<(Expr Node, int Depth)>();
            pending.Push((e, 1));
            while (pending.Count > 0)
            {
                var (node, depth) = pending.Pop();
                if (depth > deepest)
                {
                    deepest = depth;
                    if (deepest >= limit)
                    {
                        return deepest;
                    }
                }

                foreach (var c in Walk.Children(node))
                {
                    pending.Push((c, depth + 1));
                }
            }

            return deepest;
        }
    }
}

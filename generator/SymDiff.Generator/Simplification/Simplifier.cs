using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>
    /// Simplifies derivative code: applies <see cref="SimplifierRules"/> bottom-up to every expression and
    /// propagates lets of literals and plain copies into their uses, until nothing changes. Only ever run on
    /// derivative statements: the user's own computation keeps its exact floating-point operations.
    /// </summary>
    internal static class Simplifier
    {
        /// <param name="block">Derivative statements.</param>
        /// <param name="keep">Names that are never propagated away.</param>
        /// <param name="frozen">
        /// Every subexpression of the user's own computation. A derivative expression may embed one (a rule reuses
        /// the result of <c>exp</c>); it is never rewritten, so it stays equal to, and shared with, the forward value.
        /// </param>
        public static Block Simplify(Block block, ISet<string> keep, ISet<Expr> frozen) => Simplify(block, keep, frozen, new List<Expr>());

        /// <summary>
        /// As <see cref="Simplify(Block, ISet{string}, ISet{Expr})"/>, and rewrites <paramref name="tails"/> in place:
        /// expressions evaluated after the block (a fused loop's contributions to outer values), which must see the
        /// same copies propagated away.
        /// </summary>
        public static Block Simplify(Block block, ISet<string> keep, ISet<Expr> frozen, IList<Expr> tails)
        {
            var user = new Frozen(frozen);
            for (int round = 0; round < 16; round++)
            {
                var copies = new Dictionary<string, Expr>(StringComparer.Ordinal);
                var next = Rewrite(block, copies, keep, user);
                for (int i = 0; i < tails.Count; i++)
                {
                    tails[i] = RewriteExpression(user.Substitute(tails[i], copies), user.Set);
                }

                if (next.Equals(block) && copies.Count == 0)
                {
                    return next;
                }

                block = next;
            }

            return block;
        }

        /// <summary>Collects every subexpression of a block's expressions: the set <see cref="Simplify"/> leaves alone.</summary>
        public static HashSet<Expr> Subexpressions(Block block)
        {
            var set = new HashSet<Expr>();
            void Visit(Expr e)
            {
                if (set.Add(e))
                {
                    foreach (var c in Walk.Children(e))
                    {
                        Visit(c);
                    }
                }
            }

            foreach (var s in block.Statements)
            {
                foreach (var e in Walk.AllExpressions(s))
                {
                    Visit(e);
                }
            }

            return set;
        }

        /// <summary>Applies the rules bottom-up, except inside frozen (forward) subexpressions.</summary>
        public static Expr RewriteExpression(Expr e, ISet<Expr> frozen) => RewriteExpression(e, frozen, 0);

        private static Expr RewriteExpression(Expr e, ISet<Expr> frozen, int collected)
        {
            Limits.EnsureStack();
            if (frozen.Contains(e))
            {
                return e;
            }

            var children = new RewriteMap(frozen);
            var rewritten = SimplifierRules.Rewrite(Walk.MapChildren(e, ref children));
            if (collected < 8 && rewritten is Binary sum && !frozen.Contains(rewritten) && SimplifierRules.CollectInSum(sum, frozen) is { } fewer)
            {
                return RewriteExpression(fewer, frozen, collected + 1);
            }

            return rewritten;
        }

        /// <summary><see cref="RewriteExpression(Expr, ISet{Expr}, int)"/> of each child, with no closure or delegate per node.</summary>
        private readonly struct RewriteMap : IExprMap
        {
            private readonly ISet<Expr> _frozen;

            public RewriteMap(ISet<Expr> frozen) => _frozen = frozen;

            public Expr Map(Expr e) => RewriteExpression(e, _frozen, 0);
        }

        private static Block Rewrite(Block block, Dictionary<string, Expr> copies, ISet<string> keep, Frozen frozen)
        {
            var output = new List<Stmt>();
            foreach (var s in block.Statements)
            {
                // Nested blocks first: a copy propagated away inside a branch must reach the phi that reads it.
                var mapped = Walk.MapExpressions(Walk.MapBlocks(s, b => Rewrite(b, copies, keep, frozen)), e => RewriteExpression(frozen.Substitute(e, copies), frozen.Set));
                if (mapped is Let { Value: Const or Var } let && !keep.Contains(let.Name))
                {
                    copies[let.Name] = let.Value;
                    continue;
                }

                output.Add(mapped);
            }

            return new Block(output.ToEquatableArray());
        }

        /// <summary>
        /// The user's subexpressions, and what copy propagation makes of them. A block that holds the user's own statements
        /// (forward mode's loop bodies interleave them with tangents) propagates a copy such as <c>s4 = s1</c> into
        /// <c>s4 + (s4 + x)</c>; the result is still the user's computation and must keep its operations (F46: collecting
        /// like terms made it <c>2 * s1 + x</c>, one bit off the method's value). So an expression that was frozen stays
        /// frozen after substitution, and so do its frozen parts. The caller's set is copied the first time that happens.
        /// </summary>
        private sealed class Frozen
        {
            private bool _owned;

            public Frozen(ISet<Expr> set) => Set = set;

            public ISet<Expr> Set { get; private set; }

            public Expr Substitute(Expr e, IReadOnlyDictionary<string, Expr> copies)
            {
                if (copies.Count == 0)
                {
                    return e;
                }

                var map = new FrozenSubstituteMap(copies, this);
                return map.Map(e);
            }

            private void Add(Expr e)
            {
                if (!_owned)
                {
                    Set = new HashSet<Expr>(Set);
                    _owned = true;
                }

                Set.Add(e);
            }

            private readonly struct FrozenSubstituteMap : IExprMap
            {
                private readonly IReadOnlyDictionary<string, Expr> _copies;
                private readonly Frozen _frozen;

                public FrozenSubstituteMap(IReadOnlyDictionary<string, Expr> copies, Frozen frozen)
                {
                    _copies = copies;
                    _frozen = frozen;
                }

                public Expr Map(Expr e)
                {
                    Limits.EnsureStack();
                    if (e is Var v)
                    {
                        return _copies.TryGetValue(v.Name, out var r) ? r : e;
                    }

                    var self = this;
                    var mapped = Walk.MapChildren(e, ref self);
                    if (!ReferenceEquals(mapped, e) && _frozen.Set.Contains(e))
                    {
                        _frozen.Add(mapped);
                    }

                    return mapped;
                }
            }
        }
    }
}

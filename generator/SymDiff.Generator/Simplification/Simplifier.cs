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
        public static Block Simplify(Block block, ISet<string> keep)
        {
            for (int round = 0; round < 16; round++)
            {
                var copies = new Dictionary<string, Expr>(StringComparer.Ordinal);
                var next = Rewrite(block, copies, keep);
                if (next.Equals(block))
                {
                    return next;
                }

                block = next;
            }

            return block;
        }

        private static Block Rewrite(Block block, Dictionary<string, Expr> copies, ISet<string> keep)
        {
            var output = new List<Stmt>();
            foreach (var s in block.Statements)
            {
                var mapped = Walk.MapBlocks(Walk.MapExpressions(s, e => Walk.Transform(Walk.Substitute(e, copies), SimplifierRules.Rewrite)), b => Rewrite(b, copies, keep));
                if (mapped is Let { Value: Const or Var } let && !keep.Contains(let.Name))
                {
                    copies[let.Name] = let.Value;
                    continue;
                }

                output.Add(mapped);
            }

            return new Block(output.ToEquatableArray());
        }
    }
}

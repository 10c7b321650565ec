using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>
    /// Scheduler pass: a counting loop's final counter, read after the loop, is its bound when the bound does not change in
    /// the loop. <c>for (j = init; j &lt; bound; j++)</c> with no header (so no exit but the condition) ends with
    /// <c>j == max(init, bound)</c>: the bound when <c>init &lt;= bound</c> is known (a start of 0 or less and a bound that is a
    /// length or a local holding one), the larger of two constants; otherwise <c>j</c> stays. The statements after the loop in its block read that instead of <c>j</c>, so a loop over rows no
    /// longer keeps each row's <c>j</c> for its reverse sweep (the vectoriser parked it per row, though it always equals
    /// <c>d</c>). Integers only: the value is the same, no floating-point operation changes.
    /// </summary>
    internal static class CounterEnds
    {
        public static Block Apply(Block body) => Visit(body, Lengths(body));

        /// <summary>Locals that hold a length (<c>int d = w.Length;</c>): never negative.</summary>
        private static HashSet<string> Lengths(Block body)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in Walk.AllStatements(body))
            {
                if (s is Let { Value: Len } let)
                {
                    names.Add(let.Name);
                }
            }

            return names;
        }

        private static Block Visit(Block block, HashSet<string> lengths)
        {
            var statements = block.Statements.Select(s => Walk.MapBlocks(s, b => Visit(b, lengths))).ToList();
            bool changed = !statements.SequenceEqual(block.Statements);

            // One walk over the block: each statement reads the ends of the loops before it (names are unique: SSA).
            var ends = new Dictionary<string, Expr>(StringComparer.Ordinal);
            for (int k = 0; k < statements.Count; k++)
            {
                if (ends.Count > 0 && Walk.AllExpressions(statements[k]).Any(e => Walk.Contains(e, x => x is Var v && ends.ContainsKey(v.Name))))
                {
                    statements[k] = Walk.Rename(statements[k], n => n, e => End(e, ends));
                    changed = true;
                }

                if (statements[k] is Loop loop && Final(loop, lengths) is var (counter, final))
                {
                    ends[counter] = final;
                }
            }

            return changed ? new Block(statements.ToEquatableArray()) : block;
        }

        /// <summary>
        /// <paramref name="e"/> reading the ends for the counters, with integer arithmetic on two constants folded
        /// (<c>3 - 1</c> is <c>2</c>); <paramref name="e"/> itself where that would leave other operations on constants only
        /// (an overflow, a constant condition), which C# treats differently from the same operation on a variable.
        /// </summary>
        private static Expr End(Expr e, Dictionary<string, Expr> ends)
        {
            if (!Walk.Contains(e, x => x is Var v && ends.ContainsKey(v.Name)))
            {
                return e;
            }

            var replaced = Walk.Transform(Walk.Substitute(e, ends), ConstantLets.Fold);
            return Walk.Contains(replaced, ConstantLets.IsConstantArithmetic) && !Walk.Contains(e, ConstantLets.IsConstantArithmetic) ? e : replaced;
        }

        /// <summary>The counter and the value it ends with, for a loop counting up by one to a bound the loop does not change.</summary>
        internal static (string Counter, Expr Final)? Final(Loop loop, ISet<string> lengths)
        {
            if (LoopShape.Counter(loop) is not ({ } counter, 1) || loop.Condition is not Binary { Op: BinaryOp.Lt, Right: var bound }
                || counter.Init is not (Var or Const) || bound is not (Var or Const or Len))
            {
                return null;
            }

            // The bound and the start are read before the loop: only a name the loop defines could change in it.
            var defined = new HashSet<string>(StringComparer.Ordinal);
            Walk.CollectDefinitions(Block.Of(loop), defined);
            bool invariant = true;
            Walk.Vars(bound, v => invariant &= !defined.Contains(v));
            if (!invariant || (bound is Len len && defined.Contains(len.Array)) || (counter.Init is Var start && defined.Contains(start.Name)))
            {
                return null;
            }

            var init = counter.Init;
            Expr? final = (init, bound) switch
            {
                (Const a, Const b) => Const.Of(Math.Max(a.Value, b.Value), ValType.Int),
                (Const { Value: <= 0 }, Len) => bound,
                (Const { Value: <= 0 }, Var v) when lengths.Contains(v.Name) => bound,
                _ when init.Equals(bound) => bound,
                _ => null, // max(init, bound) is not known to be either: j reads better than a conditional
            };
            return final is null ? null : (counter.Name, final);
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>
    /// Two additions into the same element in one block, <c>b[j] += u; ...; b[j] += v;</c> with nothing in between
    /// that reads or writes <c>b</c>, become one, <c>b[j] += u + v</c>, at the place of the second: one read-modify-write
    /// of memory instead of two, which in a loop is a chain through store-to-load forwarding (an element's adjoint that
    /// receives a contribution from each of several uses, like a hidden unit feeding three logits). Only adjoint
    /// accumulation changes, by rounding; the value is untouched.
    /// </summary>
    internal static class MergeAccumulates
    {
        public static Block Apply(Block block)
        {
            var output = new List<Stmt>(block.Statements.Count);
            foreach (var s in block.Statements)
            {
                var mapped = Walk.MapBlocks(s, Apply);
                if (mapped is Accumulate second && second.Value.Type.IsFloating())
                {
                    var written = new HashSet<string>(System.StringComparer.Ordinal);
                    for (int k = output.Count - 1; k >= 0; k--)
                    {
                        var earlier = output[k];
                        if (earlier is Accumulate first && first.Target == second.Target && Equals(first.Index, second.Index))
                        {
                            // The first contribution is evaluated later now: nothing it reads may have been written since.
                            if (!written.Any(w => Lowering.BufferScopes.Mentions(first.Value, w) || (first.Index is not null && Lowering.BufferScopes.Mentions(first.Index, w))))
                            {
                                output.RemoveAt(k);
                                mapped = second with { Value = new Binary(BinaryOp.Add, first.Value, second.Value, second.Value.Type) };
                            }

                            break;
                        }

                        // Nothing in between may touch the target; only lets and other additions may stand there.
                        if (OverwriteOnce.Mentions(earlier, second.Target) || earlier is not (Let or Comment or Accumulate))
                        {
                            break;
                        }

                        if (earlier is Accumulate other)
                        {
                            written.Add(other.Target);
                        }
                    }
                }

                output.Add(mapped);
            }

            return new Block(output.ToEquatableArray());
        }
    }
}

using System.Linq;

namespace SymDiff.Generator.IR
{
    /// <summary>Recognises a loop's counter: what lets the emitter write a <c>for</c> loop and the reverse sweep rebuild the counter instead of storing it.</summary>
    internal static class LoopShape
    {
        /// <summary>
        /// The carried int that the condition tests and the body steps by +1 or -1 (looking through a let of the
        /// body, <c>i_2 = i + 1</c>), with its step; null if there is none.
        /// </summary>
        public static (LoopVar Counter, int Step)? Counter(Loop loop)
        {
            if (loop.Header.Statements.Count != 0 || loop.Condition is not Binary { Op: BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge or BinaryOp.Ne, Left: Var tested })
            {
                return null;
            }

            foreach (var v in loop.Carried)
            {
                if (v.Type != ValType.Int || v.Name != tested.Name)
                {
                    continue;
                }

                var next = v.Next;
                if (next is Var through && loop.Body.Statements.OfType<Let>().FirstOrDefault(l => l.Name == through.Name) is { } let)
                {
                    next = let.Value;
                }

                if (next is Binary { Op: BinaryOp.Add or BinaryOp.Sub, Left: Var self, Right: Const { Value: 1 } } step && self.Name == v.Name)
                {
                    return (v, step.Op == BinaryOp.Add ? 1 : -1);
                }
            }

            return null;
        }
    }
}

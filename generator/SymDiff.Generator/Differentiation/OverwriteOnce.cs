using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Lowering;
using SymDiff.Generator.Simplification;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>
    /// In the overwriting <c>Gradient</c>, a gradient buffer that is zeroed at the start and then first written by one
    /// loop counting up by one from 0, which adds into element <c>[i]</c> of iteration <c>i</c> once and touches the
    /// buffer nowhere else, needs no zeroing pass: each element the loop reaches is still zero when its one addition
    /// happens, so the addition becomes a plain store (<c>dX[i] = v</c> instead of <c>dX[i] += v</c>; equal up to the sign
    /// of a zero), and only the elements the loop did not reach, from the counter's final value on, are zeroed after
    /// it. Typical for elementwise sums (<c>sum += f(x[i])</c>) and, with the carried <c>[i + 1]</c> contribution
    /// (<c>CarryNextElement</c>), for stencils like Rosenbrock's. Writes after the loop (a carry's tail) are unchanged.
    /// The value is untouched: only gradient stores change.
    /// </summary>
    internal static class OverwriteOnce
    {
        public static void Apply(List<Stmt> statements, IReadOnlyList<string> buffers, Namer namer)
        {
            foreach (var buffer in buffers)
            {
                int clear = statements.FindIndex(s => s is ClearBuffer c && c.Target == buffer);
                if (clear < 0)
                {
                    continue;
                }

                int first = -1;
                for (int k = 0; k < statements.Count; k++)
                {
                    if (k != clear && Mentions(statements[k], buffer))
                    {
                        first = k;
                        break;
                    }
                }

                if (first < clear || statements[first] is not Loop loop || Rewrite(loop, buffer, namer) is not { } rewritten)
                {
                    continue;
                }

                statements[first] = rewritten.Loop;
                statements.Insert(first + 1, rewritten.ZeroRest);
                statements.RemoveAt(clear);
            }
        }

        private static (Loop Loop, Loop ZeroRest)? Rewrite(Loop loop, string buffer, Namer namer)
        {
            if (LoopShape.Counter(loop) is not { Step: 1 } shape || shape.Counter.Init is not Const { Value: 0 }
                || loop.Carried.Any(v => BufferScopes.Mentions(v.Init, buffer) || BufferScopes.Mentions(v.Next, buffer))
                || BufferScopes.Mentions(loop.Condition, buffer))
            {
                return null;
            }

            var counter = new Var(shape.Counter.Name, ValType.Int);
            int at = -1;
            for (int k = 0; k < loop.Body.Statements.Count; k++)
            {
                var s = loop.Body.Statements[k];
                if (!Mentions(s, buffer))
                {
                    continue;
                }

                if (at >= 0 || s is not Accumulate a || a.Target != buffer || !counter.Equals(a.Index) || BufferScopes.Mentions(a.Value, buffer))
                {
                    return null;
                }

                at = k;
            }

            if (at < 0)
            {
                return null;
            }

            var accumulate = (Accumulate)loop.Body.Statements[at];
            var body = loop.Body.Statements.ToArray();
            body[at] = new Store(buffer, counter, accumulate.Value);
            var type = accumulate.Value.Type;
            var zeroRest = Ir.ZeroFill(buffer, type, namer.NewSourceName(shape.Counter.Name), counter, new Len(buffer));
            return (loop with { Body = new Block(EquatableArray.Create(body)) }, zeroRest);
        }

        /// <summary>Whether a statement (nested blocks included) names the buffer anywhere; conservative.</summary>
        internal static bool Mentions(Stmt s, string buffer) => IR.Mentions.In(s, buffer);
    }
}

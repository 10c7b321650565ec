using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.IR
{
    /// <summary>
    /// The emitter's last tidy-up of loop updates, on a finished, named method body: a loop value whose next value is a
    /// let of the body that nothing else reads (<c>double max2 = Math.Max(max, z[c]); ... max = max2;</c>) is assigned
    /// where the let was (<c>max = Math.Max(max, z[c]);</c>), as a person writes it. Only where nothing after the let
    /// reads the old value (no later statement of the body, no other loop value's next value), so no bit changes.
    /// </summary>
    internal static class UpdatesInPlace
    {
        /// <param name="body">The method body, after the final names.</param>
        /// <param name="hoisted">Names declared ahead: never moved.</param>
        /// <param name="opaque">Names read inside C# text: never moved.</param>
        /// <param name="uses">How often each name is read in <paramref name="body"/> (the emitter's count).</param>
        public static Block Apply(Block body, ISet<string> hoisted, ISet<string> opaque, IReadOnlyDictionary<string, int> uses)
        {
            // A vector loop reads names in parts this pass does not see (its lanes' invariants).
            if (Walk.AllStatements(body).Any(s => s is VectorLoop))
            {
                return body;
            }

            return Block(body, name => !hoisted.Contains(name) && !opaque.Contains(name) && uses.TryGetValue(name, out int n) && n == 1);
        }

        private static Block Block(Block block, Func<string, bool> readOnce) =>
            Walk.MapStatements(block, s => s is Loop loop ? InPlace(loop, readOnce) : Walk.MapBlocks(s, b => Block(b, readOnce)));

        private static Stmt InPlace(Loop loop, Func<string, bool> readOnce)
        {
            loop = (Loop)Walk.MapBlocks(loop, b => Block(b, readOnce));
            var counter = LoopShape.Counter(loop)?.Counter;
            var body = loop.Body.Statements.ToList();
            var carried = loop.Carried.ToList();
            bool changed = false;
            for (int i = 0; i < carried.Count; i++)
            {
                var v = carried[i];
                if (v == counter || v.Next is not Var next || next.Name == v.Name || !readOnce(next.Name))
                {
                    continue;
                }

                int at = body.FindIndex(s => s is Let { Value: not SpanView } let && let.Name == next.Name && let.Type == v.Type);
                if (at < 0
                    || body.Skip(at + 1).Any(s => Mentions.In(s, v.Name))
                    || carried.Any(o => o != v && Walk.Reads(o.Next, v.Name)))
                {
                    continue;
                }

                body[at] = new Assign(v.Name, ((Let)body[at]).Value);
                carried[i] = v with { Next = new Var(v.Name, v.Type) };
                changed = true;
            }

            return changed ? loop with { Body = new Block(body.ToEquatableArray()), Carried = carried.ToEquatableArray() } : loop;
        }
    }
}

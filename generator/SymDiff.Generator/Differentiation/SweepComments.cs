using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>
    /// <c>// Forward sweep</c> and <c>// Reverse sweep: gradients</c> in a reverse-mode method, so a reader sees where
    /// the derivative code starts. Marked before scheduling (comments are statements no pass moves or removes) and kept
    /// only when, after scheduling, both sweeps have code of their own: a fused loop, or a forward sweep that went
    /// inline into the returned value, gets none.
    /// </summary>
    internal static class SweepComments
    {
        public const string Forward = "Forward sweep";

        public const string Reverse = "Reverse sweep: gradients";

        /// <summary>Inserts both comments: the forward one first, the reverse one before <paramref name="reverseStart"/>.</summary>
        public static void Mark(List<Stmt> statements, int reverseStart)
        {
            statements.Insert(reverseStart, new Comment(Reverse));
            statements.Insert(0, new Comment(Forward));
        }

        /// <summary>The scheduled body, without the two comments unless each sweep has code besides outputs and set-up.</summary>
        public static Block Keep(Block body)
        {
            int forward = -1;
            int reverse = -1;
            for (int i = 0; i < body.Statements.Count; i++)
            {
                if (body.Statements[i] is Comment { Text: Forward } && forward < 0)
                {
                    forward = i;
                }
                else if (body.Statements[i] is Comment { Text: Reverse } && reverse < 0)
                {
                    reverse = i;
                }
            }

            if (forward < 0 || reverse < forward)
            {
                return Without(body, forward, reverse);
            }

            bool hasForward = body.Statements.Skip(forward + 1).Take(reverse - forward - 1).Any(IsCode);
            bool hasReverse = body.Statements.Skip(reverse + 1).Any(s => IsCode(s) && s is not (Return or SetOutput or Accumulate { Index: null }));
            if (hasForward && hasReverse)
            {
                // The forward comment goes right before the first statement of the sweep (after buffers are cleared).
                var statements = body.Statements.ToList();
                int first = forward + 1;
                while (first < reverse && !IsCode(statements[first]))
                {
                    first++;
                }

                statements.Insert(first, statements[forward]);
                statements.RemoveAt(forward);
                return new Block(statements.ToEquatableArray());
            }

            return Without(body, forward, reverse);
        }

        private static bool IsCode(Stmt s) => s is not (Comment or ClearBuffer or ClearArray or CopySpan or Declare or RentBuffer);

        private static Block Without(Block body, int forward, int reverse) =>
            forward < 0 && reverse < 0 ? body : new Block(body.Statements.Where((s, i) => i != forward && i != reverse).ToEquatableArray());
    }
}

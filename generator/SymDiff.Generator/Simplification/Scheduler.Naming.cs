using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>Scheduler pass: naming (loop variables take the user's name, temporaries renumbered without gaps).</summary>
    internal sealed partial class Scheduler
    {
        /// <summary>
        /// <c>int i = n - 1; int i_1 = i; for (...)</c> → <c>for (int i = n - 1; ...)</c>: a user's variable whose
        /// only use is to start a loop variable that is a version of it gives the loop variable its name.
        /// </summary>
        internal static Block CoalesceLoopVariables(Block body, ISet<string> keep, Namer namer)
        {
            var uses = CountUses(body);
            var renames = new Dictionary<string, string>(StringComparer.Ordinal);
            body = Coalesce(body, uses, renames, namer);
            return Walk.Rename(body, renames);
        }

        private static Block Coalesce(Block block, Dictionary<string, int> uses, Dictionary<string, string> renames, Namer namer)
        {
            var statements = block.Statements.Select(s => Walk.MapBlocks(s, b => Coalesce(b, uses, renames, namer))).ToList();
            for (int i = statements.Count - 1; i >= 0; i--)
            {
                if (statements[i] is not Let let || !uses.TryGetValue(let.Name, out int n))
                {
                    continue;
                }

                if (n > 1)
                {
                    // The start value is needed elsewhere (the reverse sweep): the loop variable still takes the
                    // user's name, and the start value is called iStart.
                    var loopWithVersion = statements.Skip(i + 1).OfType<Loop>().FirstOrDefault(l => l.Carried.Any(v => v.Init is Var init && init.Name == let.Name && Differentiation.DerivativeNames.Stem(v.Name) == let.Name));
                    if (loopWithVersion is not null && !renames.ContainsKey(let.Name))
                    {
                        var version = loopWithVersion.Carried.First(v => v.Init is Var init && init.Name == let.Name);
                        renames[let.Name] = namer.NewSourceName(let.Name + "Start");
                        renames[version.Name] = let.Name;
                    }

                    continue;
                }

                for (int j = i + 1; j < statements.Count; j++)
                {
                    if (statements[j] is Loop loop && loop.Carried.FirstOrDefault(v => v.Init is Var init && init.Name == let.Name) is { } v
                        && Differentiation.DerivativeNames.Stem(v.Name) == let.Name)
                    {
                        statements[j] = loop with { Carried = loop.Carried.Select(c => c == v ? new LoopVar(c.Name, c.Type, let.Value, c.Next) : c).ToEquatableArray() };
                        statements.RemoveAt(i);
                        renames[v.Name] = let.Name;
                        break;
                    }
                }
            }

            return new Block(statements.ToEquatableArray());
        }

        /// <summary>Renames the surviving temporaries t0, t1, ... in order of definition, so the numbering has no gaps.</summary>
        internal static Block RenumberTemporaries(Block body, Namer namer)
        {
            var temps = new List<string>();
            void Collect(Block b)
            {
                foreach (var s in b.Statements)
                {
                    if (s is Let let && namer.IsTemp(let.Name))
                    {
                        temps.Add(let.Name);
                    }

                    foreach (var nested in Walk.Blocks(s))
                    {
                        Collect(nested);
                    }
                }
            }

            Collect(body);
            var map = new Dictionary<string, Expr>(StringComparer.Ordinal);
            var renames = new Dictionary<string, string>(StringComparer.Ordinal);
            var taken = new HashSet<string>(CountUses(body).Keys.Where(n => !namer.IsTemp(n)), StringComparer.Ordinal);
            int next = 0;
            foreach (var t in temps)
            {
                string name;
                do
                {
                    name = Namer.TempName("t", next);
                    next++;
                }
                while (taken.Contains(name) || !namer.MayUseTempName(name));

                renames[t] = name;
            }

            if (renames.All(r => r.Key == r.Value))
            {
                return body;
            }

            return Walk.Rename(body, renames);
        }
    }
}

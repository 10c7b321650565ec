using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>Scheduler pass: generated lets read exactly once go back inline.</summary>
    internal sealed partial class Scheduler
    {
        /// <summary>Puts back inline every generated let that is read exactly once, by a later statement of the same block.</summary>
        private Block InlineSingleUses(Block body)
        {
            while (true)
            {
                var uses = CountUses(body);
                _inlined = false;
                body = Inline(body, uses);
                if (!_inlined)
                {
                    return body;
                }
            }
        }

        private Block Inline(Block block, Dictionary<string, int> uses)
        {
            var statements = block.Statements.Select(s => InlineNested(s, uses)).ToList();

            // For each name, the index of the statement of this block that reads it at its own level (kept up to
            // date as values move), so each let finds its single reader without rescanning the block.
            var reader = new Dictionary<string, int>(StringComparer.Ordinal);
            var scratch = new List<Expr>();
            for (int j = 0; j < statements.Count; j++)
            {
                foreach (var name in DirectReads(statements[j], scratch))
                {
                    reader[name] = j;
                }
            }

            // The size of each statement's own expressions, kept up to date as values move into it: a chain of
            // single uses (s = s * a + b written a thousand times) is inlined only up to a readable size, which also
            // keeps this pass linear in the length of the method.
            var sizes = statements.Select(st =>
            {
                DirectReads(st, scratch);
                return scratch.Sum(NodeCount);
            }).ToArray();
            var removed = new bool[statements.Count];
            for (int i = statements.Count - 1; i >= 0; i--)
            {
                if (statements[i] is not Let let || _keep.Contains(let.Name) || !uses.TryGetValue(let.Name, out int n) || n != 1 || !Shareable(let.Value)
                    || !reader.TryGetValue(let.Name, out int j) || j <= i || sizes[j] + sizes[i] > MaxInlinedSize)
                {
                    continue;
                }

                var map = new Dictionary<string, Expr>(StringComparer.Ordinal) { [let.Name] = let.Value };
                statements[j] = MapDirect(statements[j], e => Walk.Substitute(e, map));
                sizes[j] += sizes[i];
                removed[i] = true;
                _inlined = true;
                Walk.Vars(let.Value, name => reader[name] = j);
            }

            return new Block(statements.Where((_, k) => !removed[k]).ToEquatableArray());
        }

        /// <summary>The largest expression (in IR nodes) that inlining single uses may build: bigger ones keep their lets.</summary>
        private const int MaxInlinedSize = 64;

        private readonly Dictionary<object, int> _nodeCounts = new Dictionary<object, int>(ReferenceComparer.Instance);

        /// <summary>The number of nodes of an expression as a tree, memoized per node.</summary>
        private int NodeCount(Expr e)
        {
            if (e is Var or Const)
            {
                return 1;
            }

            if (_nodeCounts.TryGetValue(e, out int known))
            {
                return known;
            }

            int n = 1;
            foreach (var c in Walk.Children(e))
            {
                n += NodeCount(c);
            }

            _nodeCounts[e] = n;
            return n;
        }

        /// <summary>The names a statement reads at its own level (a branch condition, a loop's initial values, a let's value...).</summary>
        private static List<string> DirectReads(Stmt s, List<Expr> scratch)
        {
            scratch.Clear();
            switch (s)
            {
                case If i:
                    scratch.Add(i.Condition);
                    break;
                case Loop l:
                    scratch.AddRange(l.Carried.Select(v => v.Init));
                    break;
                default:
                    Walk.DirectExpressions(s, scratch);
                    break;
            }

            var names = new List<string>();
            foreach (var e in scratch)
            {
                Walk.Vars(e, names.Add);
            }

            return names;
        }

        /// <summary>Inlines inside nested blocks, including into the values a block hands out at its end (phi and next values).</summary>
        private Stmt InlineNested(Stmt s, Dictionary<string, int> uses)
        {
            switch (s)
            {
                case If branch:
                {
                    var (then, thenTails) = InlineWithTails(branch.Then, branch.Phis.Select(p => p.WhenTrue).ToList(), uses);
                    var (@else, elseTails) = InlineWithTails(branch.Else, branch.Phis.Select(p => p.WhenFalse).ToList(), uses);
                    return new If(branch.Condition, then, @else, branch.Phis.Select((p, i) => new Phi(p.Name, p.Type, thenTails[i], elseTails[i])).ToEquatableArray());
                }

                case Loop loop:
                {
                    var (body, nexts) = InlineWithTails(loop.Body, loop.Carried.Select(v => v.Next).ToList(), uses);
                    return loop with { Header = Inline(loop.Header, uses), Body = body, Carried = loop.Carried.Select((v, i) => new LoopVar(v.Name, v.Type, v.Init, nexts[i])).ToEquatableArray() };
                }

                default:
                    return s;
            }
        }

        private (Block, List<Expr>) InlineWithTails(Block block, List<Expr> tails, Dictionary<string, int> uses)
        {
            var inlined = Inline(block, uses);
            var statements = inlined.Statements.ToList();
            for (int i = statements.Count - 1; i >= 0; i--)
            {
                if (statements[i] is not Let let || _keep.Contains(let.Name) || !uses.TryGetValue(let.Name, out int n) || n != 1 || !Shareable(let.Value))
                {
                    continue;
                }

                int tail = tails.FindIndex(t => Reads(t, let.Name));
                if (tail < 0 || NodeCount(tails[tail]) + NodeCount(let.Value) > MaxInlinedSize)
                {
                    continue;
                }

                var map = new Dictionary<string, Expr>(StringComparer.Ordinal) { [let.Name] = let.Value };
                tails[tail] = Walk.Substitute(tails[tail], map);
                statements.RemoveAt(i);
                _inlined = true;
            }

            return (new Block(statements.ToEquatableArray()), tails);
        }

        private static bool Reads(Expr e, string name)
        {
            bool found = false;
            Walk.Vars(e, v => found |= v == name);
            return found;
        }

        /// <summary>Whether a statement reads a name in the expressions evaluated in its enclosing block (a branch condition, a loop's initial values).</summary>
        private static bool DirectlyReads(Stmt s, string name)
        {
            bool found = false;
            MapDirect(s, e =>
            {
                Walk.Vars(e, v => found |= v == name);
                return e;
            });
            return found;
        }

        private static Stmt MapDirect(Stmt s, Func<Expr, Expr> map) => s switch
        {
            If i => new If(map(i.Condition), i.Then, i.Else, i.Phis),
            Loop l => l with { Carried = l.Carried.Select(v => new LoopVar(v.Name, v.Type, map(v.Init), v.Next)).ToEquatableArray() },
            _ => Walk.MapExpressions(s, map),
        };
    }
}

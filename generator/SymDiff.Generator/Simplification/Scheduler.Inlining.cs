using System;
using System.Collections.Generic;
using System.Collections.Immutable;
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
            // Inlining a value read once moves that read and the value's own reads, so the counts stay right for every
            // name still defined: one count serves every round.
            var uses = CountUses(body);
            while (true)
            {
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
            // The block's statements after inlining inside them; a copy is made only once one changes.
            var original = block.Statements;
            List<Stmt>? statements = null;
            for (int k = 0; k < original.Count; k++)
            {
                var s = original[k];
                var mapped = InlineNested(s, uses);
                if (statements is null && !ReferenceEquals(mapped, s))
                {
                    statements = new List<Stmt>(original.Count);
                    for (int p = 0; p < k; p++)
                    {
                        statements.Add(original[p]);
                    }
                }

                statements?.Add(mapped);
            }

            bool changed = statements is not null;
            int count = original.Count;
            Stmt At(int k) => statements is null ? original[k] : statements[k];

            // For each name, the index of the statement of this block that reads it at its own level (kept up to
            // date as values move), so each let finds its single reader without rescanning the block. With the size
            // of each statement's own expressions, kept up to date as values move into it: a chain of single uses
            // (s = s * a + b written a thousand times) is inlined only up to a readable size, which also keeps this
            // pass linear in the length of the method.
            // One table, list and array for every block and round: nothing below calls Inline again.
            var reader = _reader;
            reader.Clear();
            var scratch = _scratch;
            if (_sizes.Length < count)
            {
                _sizes = new int[Math.Max(count, 2 * _sizes.Length)];
            }

            var sizes = _sizes;
            for (int j = 0; j < count; j++)
            {
                DirectExpressions(At(j), scratch);
                int size = 0;
                foreach (var e in scratch)
                {
                    SetReader(e, reader, j);
                    size += NodeCount(e);
                }

                sizes[j] = size;
            }

            bool[]? removed = null;
            for (int i = count - 1; i >= 0; i--)
            {
                if (At(i) is not Let let || _keep.Contains(let.Name) || !uses.TryGetValue(let.Name, out int n) || n != 1 || !Shareable(let.Value)
                    || !reader.TryGetValue(let.Name, out int j) || j <= i || sizes[j] + sizes[i] > MaxInlinedSize)
                {
                    continue;
                }

                statements ??= new List<Stmt>(original);
                statements[j] = SubstituteDirect(statements[j], let.Name, let.Value);
                sizes[j] += sizes[i];
                removed ??= new bool[count];
                removed[i] = true;
                _inlined = true;
                SetReader(let.Value, reader, j);
            }

            if (removed is null)
            {
                return changed ? new Block(statements!.ToEquatableArray()) : block;
            }

            var kept = ImmutableArray.CreateBuilder<Stmt>(count);
            for (int k = 0; k < count; k++)
            {
                if (!removed[k])
                {
                    kept.Add(statements![k]);
                }
            }

            return new Block(new EquatableArray<Stmt>(kept.ToImmutable()));
        }

        private readonly Dictionary<string, int> _reader = new Dictionary<string, int>(StringComparer.Ordinal);
        private readonly List<Expr> _scratch = new List<Expr>();
        private int[] _sizes = new int[16];

        /// <summary>Records statement <paramref name="j"/> as the reader of every name <paramref name="e"/> reads.</summary>
        private static void SetReader(Expr e, Dictionary<string, int> reader, int j)
        {
            Limits.EnsureStack();
            if (e is Var v)
            {
                reader[v.Name] = j;
                return;
            }

            foreach (var c in Walk.Children(e))
            {
                SetReader(c, reader, j);
            }
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

        /// <summary>Inlines inside nested blocks, including into the values a block hands out at its end (phi and next values).</summary>
        private Stmt InlineNested(Stmt s, Dictionary<string, int> uses)
        {
            switch (s)
            {
                case If branch:
                {
                    var (then, thenTails) = InlineWithTails(branch.Then, branch.Phis.Select(p => p.WhenTrue).ToList(), uses);
                    var (@else, elseTails) = InlineWithTails(branch.Else, branch.Phis.Select(p => p.WhenFalse).ToList(), uses);
                    if (ReferenceEquals(then, branch.Then) && ReferenceEquals(@else, branch.Else) && SameTails(thenTails, branch.Phis, p => p.WhenTrue) && SameTails(elseTails, branch.Phis, p => p.WhenFalse))
                    {
                        return s;
                    }

                    return new If(branch.Condition, then, @else, branch.Phis.Select((p, i) => new Phi(p.Name, p.Type, thenTails[i], elseTails[i])).ToEquatableArray());
                }

                case Loop loop:
                {
                    var (body, nexts) = InlineWithTails(loop.Body, loop.Carried.Select(v => v.Next).ToList(), uses);
                    var header = Inline(loop.Header, uses);
                    if (ReferenceEquals(body, loop.Body) && ReferenceEquals(header, loop.Header) && SameTails(nexts, loop.Carried, v => v.Next))
                    {
                        return s;
                    }

                    return loop with { Header = header, Body = body, Carried = loop.Carried.Select((v, i) => new LoopVar(v.Name, v.Type, v.Init, nexts[i])).ToEquatableArray() };
                }

                default:
                    return s;
            }
        }

        private static bool SameTails<T>(List<Expr> tails, EquatableArray<T> owners, Func<T, Expr> tail)
            where T : IEquatable<T>
        {
            for (int i = 0; i < tails.Count; i++)
            {
                if (!ReferenceEquals(tails[i], tail(owners[i])))
                {
                    return false;
                }
            }

            return true;
        }

        private (Block, List<Expr>) InlineWithTails(Block block, List<Expr> tails, Dictionary<string, int> uses)
        {
            var inlined = Inline(block, uses);
            if (tails.Count == 0)
            {
                return (inlined, tails);
            }

            // Copied only when a let moves into a tail; removing from the end keeps the indices below valid.
            var original = inlined.Statements;
            List<Stmt>? statements = null;
            for (int i = original.Count - 1; i >= 0; i--)
            {
                if (original[i] is not Let let || _keep.Contains(let.Name) || !uses.TryGetValue(let.Name, out int n) || n != 1 || !Shareable(let.Value))
                {
                    continue;
                }

                int tail = FirstReading(tails, let.Name);
                if (tail < 0 || NodeCount(tails[tail]) + NodeCount(let.Value) > MaxInlinedSize)
                {
                    continue;
                }

                tails[tail] = Walk.SubstituteOne(tails[tail], let.Name, let.Value);
                statements ??= new List<Stmt>(original);
                statements.RemoveAt(i);
                _inlined = true;
            }

            return (statements is not null ? new Block(statements.ToEquatableArray()) : inlined, tails);
        }

        /// <summary>The index of the first of <paramref name="tails"/> that reads <paramref name="name"/>, or -1 (no closure per let, as <c>FindIndex</c> would make).</summary>
        private static int FirstReading(List<Expr> tails, string name)
        {
            for (int t = 0; t < tails.Count; t++)
            {
                if (Walk.Reads(tails[t], name))
                {
                    return t;
                }
            }

            return -1;
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

        /// <summary>Puts <paramref name="value"/> in place of <paramref name="name"/> in what <paramref name="s"/> evaluates at its own level.</summary>
        private static Stmt SubstituteDirect(Stmt s, string name, Expr value) => MapDirect(s, e => Walk.SubstituteOne(e, name, value));

        private static Stmt MapDirect(Stmt s, Func<Expr, Expr> map) => s switch
        {
            If i => new If(map(i.Condition), i.Then, i.Else, i.Phis),
            Loop l => l with { Carried = l.Carried.Select(v => new LoopVar(v.Name, v.Type, map(v.Init), v.Next)).ToEquatableArray() },
            _ => Walk.MapExpressions(s, map),
        };
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.IR
{
    /// <summary>
    /// The emitter's last rename, on a finished, named method body: a loop value that starts as a copy of a local of the
    /// same block which nothing else reads (<c>double maxBar2 = maxBar; for (...) { maxBar2 = ...; }</c>) takes that
    /// local's name, and the emitter writes no declaration for a loop value that starts as itself
    /// (<c>for (...) { maxBar = ...; }</c>). Only names change: the loop goes on from the same value, so no bit changes.
    /// </summary>
    /// <remarks>
    /// The local is a let, a branch's phi or a loop's value declared directly in the block (not ahead by scope repair, not
    /// a view), of the loop value's type, read exactly once in the block: by the loop value's start. The loop value is
    /// not the loop's counter (the emitter may declare that in the <c>for</c>) nor declared ahead. C# forbids a nested
    /// scope to declare a name its block declares, so renaming the loop and the statements after it is safe; names read
    /// inside C# text (<see cref="Opaque"/>) are never taken. Runs after vectorisation, on plain loops only, and leaves a
    /// block that holds a vector loop alone (its lanes read names a rename does not reach).
    /// </remarks>
    internal static class MergeCopies
    {
        /// <param name="body">The method body, after the final names.</param>
        /// <param name="hoisted">Names declared ahead: never merged.</param>
        /// <param name="opaque">Names read inside C# text: never merged.</param>
        public static Block Apply(Block body, ISet<string> hoisted, ISet<string> opaque) => Block(body, hoisted, opaque, new HashSet<string>(StringComparer.Ordinal));

        /// <param name="tail">Names the enclosing statement reads after the block (a loop's next values, a branch's phi values): never merged.</param>
        private static Block Block(Block block, ISet<string> hoisted, ISet<string> opaque, HashSet<string> tail)
        {
            var statements = block.Statements.Select(s => Nested(s, hoisted, opaque)).ToList();
            bool changed = !statements.SequenceEqual(block.Statements);
            HashSet<string>? written = null;

            // A vector loop reads names in parts a rename does not reach (its lanes' invariants): a block holding one is left alone.
            if (Walk.AllStatements(new Block(statements.ToEquatableArray())).Any(s => s is VectorLoop))
            {
                return changed ? new Block(statements.ToEquatableArray()) : block;
            }

            // The locals this block declares, with their types.
            var declared = new Dictionary<string, (ValType Type, int At)>(StringComparer.Ordinal);
            for (int j = 0; j < statements.Count; j++)
            {
                if (statements[j] is Loop loop)
                {
                    var counter = LoopShape.Counter(loop)?.Counter;
                    foreach (var v in loop.Carried)
                    {
                        if (v == counter || hoisted.Contains(v.Name) || v.Init is not Var source || source.Name == v.Name
                            || hoisted.Contains(source.Name) || opaque.Contains(source.Name) || opaque.Contains(v.Name)
                            || !declared.TryGetValue(source.Name, out var local) || local.Type != v.Type || ReadsIn(statements, local.At + 1, source.Name) != 1
                            || (written ??= Written(statements)).Contains(source.Name) || written.Contains(v.Name)
                            || tail.Contains(source.Name) || tail.Contains(v.Name))
                        {
                            continue;
                        }

                        var renames = new Dictionary<string, string>(StringComparer.Ordinal) { [v.Name] = source.Name };
                        var rest = Walk.Rename(new Block(statements.Skip(j).ToEquatableArray()), renames).Statements;
                        for (int k = 0; k < rest.Count; k++)
                        {
                            statements[j + k] = rest[k];
                        }

                        loop = (Loop)statements[j];
                        changed = true;
                    }
                }

                foreach (var (name, type) in Declares(statements[j]))
                {
                    declared[name] = (type, j);
                }
            }

            return changed ? new Block(statements.ToEquatableArray()) : block;
        }

        /// <summary>
        /// The blocks of a branch and of a loop without a header (a header shares its C# block with the body, so such a
        /// loop is left alone), each with the names its statement reads after it.
        /// </summary>
        private static Stmt Nested(Stmt s, ISet<string> hoisted, ISet<string> opaque)
        {
            switch (s)
            {
                case If branch:
                {
                    var tail = DirectReads(s);
                    var then = Block(branch.Then, hoisted, opaque, tail);
                    var otherwise = Block(branch.Else, hoisted, opaque, tail);
                    return ReferenceEquals(then, branch.Then) && ReferenceEquals(otherwise, branch.Else) ? s : new If(branch.Condition, then, otherwise, branch.Phis);
                }

                case Loop loop when loop.Header.Statements.Count == 0:
                {
                    var body = Block(loop.Body, hoisted, opaque, DirectReads(s));
                    return ReferenceEquals(body, loop.Body) ? s : loop with { Body = body };
                }

                default:
                    return s;
            }
        }

        private static HashSet<string> DirectReads(Stmt s)
        {
            var expressions = new List<Expr>();
            Walk.DirectExpressions(s, expressions);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var e in expressions)
            {
                Walk.Vars(e, v => names.Add(v));
            }

            return names;
        }

        /// <summary>The locals a statement declares in its block that may be merged: lets (not views), phis, loop values but a counter the <c>for</c> may declare.</summary>
        private static IEnumerable<(string Name, ValType Type)> Declares(Stmt s)
        {
            switch (s)
            {
                case Let { Value: not SpanView } let:
                    yield return (let.Name, let.Type);
                    break;
                case If branch:
                    foreach (var p in branch.Phis)
                    {
                        yield return (p.Name, p.Type);
                    }

                    break;
                case Loop loop:
                    var counter = LoopShape.Counter(loop)?.Counter;
                    foreach (var v in loop.Carried.Where(v => v != counter))
                    {
                        yield return (v.Name, v.Type);
                    }

                    break;
            }
        }

        /// <summary>Names a statement of the block assigns or adds into by name (scope repair's assignments, scalar outputs).</summary>
        private static HashSet<string> Written(List<Stmt> statements)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in Walk.AllStatements(new Block(statements.ToEquatableArray())))
            {
                switch (s)
                {
                    case Assign a:
                        names.Add(a.Name);
                        break;
                    case Accumulate ac:
                        names.Add(ac.Target);
                        break;
                    case SetOutput o:
                        names.Add(o.Target);
                        break;
                    case Store st:
                        names.Add(st.Array);
                        break;
                }
            }

            return names;
        }

        /// <summary>How often the statements from <paramref name="from"/> on read <paramref name="name"/> (after its declaration: its own loop's updates do not count).</summary>
        private static int ReadsIn(List<Stmt> statements, int from, string name)
        {
            int n = 0;
            foreach (var s in statements.Skip(from))
            {
                foreach (var e in Walk.AllExpressions(s))
                {
                    Walk.Vars(e, v => n += v == name ? 1 : 0);
                }
            }

            return n;
        }
    }
}

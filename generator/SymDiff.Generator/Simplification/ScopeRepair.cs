using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>
    /// Makes every read see its definition under C# scoping. The reverse sweep of a branch reads values its forward
    /// branch computed, but the two are sibling blocks in C#. Such a value is declared (zero-initialised) in the
    /// innermost block that encloses the definition and every read, and assigned where it was defined.
    /// </summary>
    internal static class ScopeRepair
    {
        /// <summary>A block's position: the statement index and sub-block index of each step from the root.</summary>
        private sealed class Path
        {
            public Path(IReadOnlyList<(int Statement, int Block)> steps)
            {
                Steps = steps;
            }

            public IReadOnlyList<(int Statement, int Block)> Steps { get; }

            public bool Contains(Path other)
            {
                if (ReferenceEquals(this, other))
                {
                    return true;
                }

                if (other.Steps.Count < Steps.Count)
                {
                    return false;
                }

                for (int i = 0; i < Steps.Count; i++)
                {
                    if (other.Steps[i] != Steps[i])
                    {
                        return false;
                    }
                }

                return true;
            }
        }

        public static EquatableArray<string> Repair(ref Block body)
        {
            var definitions = new Dictionary<string, (Path Block, int Statement, ValType Type)>(StringComparer.Ordinal);
            var reads = new Dictionary<string, List<Path>>(StringComparer.Ordinal);
            new Scanner(definitions, reads).Scan(body, new List<(int, int)>());

            // For each misplaced definition: the common enclosing block and the statement there that contains it.
            var hoists = new List<(IReadOnlyList<(int, int)> Block, int Statement, string Name, ValType Type)>();
            foreach (var pair in reads.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!definitions.TryGetValue(pair.Key, out var def))
                {
                    continue;
                }

                if (pair.Value.All(r => def.Block.Contains(r)))
                {
                    continue;
                }

                var common = def.Block.Steps.ToList();
                foreach (var read in pair.Value)
                {
                    int k = 0;
                    while (k < common.Count && k < read.Steps.Count && common[k] == read.Steps[k])
                    {
                        k++;
                    }

                    common = common.Take(k).ToList();
                }

                int statement = common.Count < def.Block.Steps.Count ? def.Block.Steps[common.Count].Statement : def.Statement;
                hoists.Add((common, statement, pair.Key, def.Type));
            }

            if (hoists.Count == 0)
            {
                return EquatableArray<string>.Empty;
            }

            var names = new HashSet<string>(hoists.Select(h => h.Name), StringComparer.Ordinal);
            body = Insert(body, new List<(int, int)>(), hoists, names);
            return names.OrderBy(n => n, StringComparer.Ordinal).ToEquatableArray();
        }

        /// <summary>Where each name is defined and read; one delegate for all reads, and each block's paths made once.</summary>
        private sealed class Scanner
        {
            private readonly Dictionary<string, (Path, int, ValType)> _definitions;
            private readonly Dictionary<string, List<Path>> _reads;
            private readonly Action<string> _read;
            private readonly List<Expr> _scratch = new List<Expr>();
            private Path _at = null!;

            public Scanner(Dictionary<string, (Path, int, ValType)> definitions, Dictionary<string, List<Path>> reads)
            {
                _definitions = definitions;
                _reads = reads;
                _read = Record;
            }

            /// <summary>A read of <paramref name="name"/> at <see cref="_at"/> (a repeat of the last path recorded for it changes nothing: containment and common prefixes ignore repeats).</summary>
            private void Record(string name)
            {
                if (!_reads.TryGetValue(name, out var list))
                {
                    list = new List<Path>();
                    _reads[name] = list;
                }
                else if (ReferenceEquals(list[list.Count - 1], _at))
                {
                    return;
                }

                list.Add(_at);
            }

            private void Read(Expr e, Path at)
            {
                _at = at;
                Walk.Vars(e, _read);
            }

            public void Scan(Block block, List<(int, int)> path) => Scan(block, path, new Path(path.ToList()));

            private void Scan(Block block, List<(int, int)> path, Path here)
            {
                var definitions = _definitions;
                for (int i = 0; i < block.Statements.Count; i++)
                {
                    var s = block.Statements[i];
                    switch (s)
                    {
                        case Let let:
                            definitions[let.Name] = (here, i, let.Type);
                            break;
                        case If definesPhis:
                            foreach (var phi in definesPhis.Phis)
                            {
                                definitions[phi.Name] = (here, i, phi.Type);
                            }

                            break;
                        case Loop definesCarried:
                            foreach (var v in definesCarried.Carried)
                            {
                                definitions[v.Name] = (here, i, v.Type);
                            }

                            break;
                        case CallWithDerivative derivative:
                            definitions[derivative.Name] = (here, i, derivative.Call.Type);
                            definitions[derivative.Tangent] = (here, i, derivative.Call.Type);
                            break;
                        case CallWithGradient call:
                            definitions[call.Name] = (here, i, call.Call.Type);
                            foreach (var p in call.Partials)
                            {
                                if (p.Length > 0)
                                {
                                    definitions[p] = (here, i, call.Call.Type);
                                }
                            }

                            break;
                    }

                    // Reads at this level; nested blocks record their own. A nested block's path is made once and
                    // shared by the reads its statement makes there and by the block's own scan.
                    Path? first = null, second = null;
                    switch (s)
                    {
                        case If branch:
                            Read(branch.Condition, here);
                            foreach (var phi in branch.Phis)
                            {
                                Read(phi.WhenTrue, first ??= Child(path, i, 0));
                                Read(phi.WhenFalse, second ??= Child(path, i, 1));
                            }

                            break;
                        case Loop loop:
                            foreach (var v in loop.Carried)
                            {
                                Read(v.Init, here);
                                Read(v.Next, second ??= Child(path, i, 1));
                            }

                            Read(loop.Condition, first ??= Child(path, i, 0));
                            break;
                        default:
                            _scratch.Clear();
                            Walk.DirectExpressions(s, _scratch);
                            for (int k = 0; k < _scratch.Count; k++)
                            {
                                Read(_scratch[k], here);
                            }

                            break;
                    }

                    int b = 0;
                    foreach (var nested in Walk.Blocks(s))
                    {
                        var childPath = new List<(int, int)>(path) { (i, b) };
                        var childHere = b == 0 ? first : b == 1 ? second : null;
                        Scan(nested, childPath, childHere ?? new Path(childPath));
                        b++;
                    }
                }
            }
        }

        private static Path Child(List<(int, int)> path, int statement, int block) => new Path(new List<(int, int)>(path) { (statement, block) });

        private static Block Insert(Block block, List<(int, int)> path, List<(IReadOnlyList<(int, int)> Block, int Statement, string Name, ValType Type)> hoists, HashSet<string> names)
        {
            var output = new List<Stmt>();
            for (int i = 0; i < block.Statements.Count; i++)
            {
                foreach (var h in hoists.Where(h => h.Statement == i && h.Block.SequenceEqual(path)))
                {
                    output.Add(new Declare(h.Name, h.Type));
                }

                var s = block.Statements[i];
                if (s is Let let && names.Contains(let.Name))
                {
                    s = new Assign(let.Name, let.Value);
                }

                int b = 0;
                var statementIndex = i;
                s = Walk.MapBlocks(s, nested =>
                {
                    var childPath = new List<(int, int)>(path) { (statementIndex, b) };
                    b++;
                    return Insert(nested, childPath, hoists, names);
                });
                output.Add(s);
            }

            return new Block(output.ToEquatableArray());
        }
    }
}

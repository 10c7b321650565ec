using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.IR
{
    /// <summary>A mapping of expressions for <see cref="Walk.MapChildren{TMap}(Expr, ref TMap)"/>.</summary>
    internal interface IExprMap
    {
        Expr Map(Expr e);
    }

    /// <summary>Generic traversals of IR expressions and statements, so passes only say what they change.</summary>
    internal static class Walk
    {
        /// <summary>The direct children of an expression, left to right (a view: enumerating it with <c>foreach</c> allocates nothing).</summary>
        public static ExprChildren Children(Expr e) => new ExprChildren(e);

        /// <summary>Rebuilds <paramref name="e"/> with each child replaced by <paramref name="map"/> of it (the node itself when nothing changed).</summary>
        public static Expr MapChildren(Expr e, Func<Expr, Expr> map)
        {
            var m = new DelegateMap(map);
            return MapChildren(e, ref m);
        }

        /// <summary>
        /// <see cref="MapChildren(Expr, Func{Expr, Expr})"/> with the mapping as a struct: a pass that maps every node of a
        /// tree (sharing, substitution) allocates no closure or delegate per node.
        /// </summary>
        public static Expr MapChildren<TMap>(Expr e, ref TMap map)
            where TMap : struct, IExprMap
        {
            switch (e)
            {
                case Elem el:
                {
                    var i = map.Map(el.Index);
                    return ReferenceEquals(i, el.Index) ? e : new Elem(el.Array, i, el.Type);
                }

                case Unary u:
                {
                    var o = map.Map(u.Operand);
                    return ReferenceEquals(o, u.Operand) ? e : new Unary(u.Op, o, u.Type);
                }

                case Binary b:
                {
                    var l = map.Map(b.Left);
                    var r = map.Map(b.Right);
                    return ReferenceEquals(l, b.Left) && ReferenceEquals(r, b.Right) ? e : new Binary(b.Op, l, r, b.Type);
                }

                case Cond c:
                {
                    var k = map.Map(c.Condition);
                    var t = map.Map(c.WhenTrue);
                    var f = map.Map(c.WhenFalse);
                    return ReferenceEquals(k, c.Condition) && ReferenceEquals(t, c.WhenTrue) && ReferenceEquals(f, c.WhenFalse) ? e : new Cond(k, t, f, c.Type);
                }

                case Call c:
                {
                    var args = MapAll(c.Args, ref map);
                    return args.IsDefault ? e : new Call(c.Function, new EquatableArray<Expr>(args), c.Type);
                }

                case UserCall c:
                {
                    var receiver = c.Receiver is null ? null : map.Map(c.Receiver);
                    var args = MapAll(c.Args, ref map);
                    bool same = ReferenceEquals(receiver, c.Receiver) && args.IsDefault;
                    return same ? e : new UserCall(c.Callee, receiver, args.IsDefault ? c.Args : new EquatableArray<Expr>(args), c.Type);
                }

                case TupleItem t:
                {
                    var inner = map.Map(t.Tuple);
                    return ReferenceEquals(inner, t.Tuple) ? e : new TupleItem(inner, t.Index, t.Type);
                }

                case SpanView s:
                {
                    var start = map.Map(s.Start);
                    var length = map.Map(s.Length);
                    return ReferenceEquals(start, s.Start) && ReferenceEquals(length, s.Length) ? e : new SpanView(s.Array, start, length, s.Element, s.ReadOnly, s.OverArray, s.Row);
                }

                default:
                    return e;
            }
        }

        /// <summary><paramref name="map"/> of each item, in order; default when every item maps to itself.</summary>
        private static System.Collections.Immutable.ImmutableArray<Expr> MapAll<TMap>(EquatableArray<Expr> items, ref TMap map)
            where TMap : struct, IExprMap
        {
            Expr[]? mapped = null;
            for (int i = 0; i < items.Count; i++)
            {
                var item = items[i];
                var m = map.Map(item);
                if (mapped is null && !ReferenceEquals(m, item))
                {
                    mapped = new Expr[items.Count];
                    for (int k = 0; k < i; k++)
                    {
                        mapped[k] = items[k];
                    }
                }

                if (mapped is not null)
                {
                    mapped[i] = m;
                }
            }

            return mapped is null ? default : System.Collections.Immutable.ImmutableArray.Create(mapped);
        }

        private readonly struct DelegateMap : IExprMap
        {
            private readonly Func<Expr, Expr> _map;

            public DelegateMap(Func<Expr, Expr> map) => _map = map;

            public Expr Map(Expr e) => _map(e);
        }

        /// <summary>Replaces every read of <paramref name="name"/> by <paramref name="value"/> (as <see cref="Substitute"/> with one entry, without its table and delegates).</summary>
        public static Expr SubstituteOne(Expr e, string name, Expr value)
        {
            var map = new SubstituteOneMap(name, value);
            return map.Map(e);
        }

        private readonly struct SubstituteOneMap : IExprMap
        {
            private readonly string _name;
            private readonly Expr _value;

            public SubstituteOneMap(string name, Expr value)
            {
                _name = name;
                _value = value;
            }

            public Expr Map(Expr e)
            {
                Limits.EnsureStack();
                if (e is Var v)
                {
                    return string.Equals(v.Name, _name, StringComparison.Ordinal) ? _value : e;
                }

                var self = this;
                return MapChildren(e, ref self);
            }
        }

        /// <summary>Bottom-up rewrite: children first, then <paramref name="post"/> on the rebuilt node.</summary>
        public static Expr Transform(Expr e, Func<Expr, Expr> post)
        {
            var transform = new TransformMap(post);
            return transform.Map(e);
        }

        /// <summary>One rewrite's recursion, as a struct: no object or delegate per rewrite beyond <c>post</c> itself.</summary>
        private readonly struct TransformMap : IExprMap
        {
            private readonly Func<Expr, Expr> _post;

            public TransformMap(Func<Expr, Expr> post) => _post = post;

            public Expr Map(Expr e)
            {
                Limits.EnsureStack();
                var self = this;
                return _post(MapChildren(e, ref self));
            }
        }

        /// <summary>Replaces variables by expressions.</summary>
        public static Expr Substitute(Expr e, IReadOnlyDictionary<string, Expr> map)
        {
            if (map.Count == 0)
            {
                return e;
            }

            var substitute = new SubstituteMap(map);
            return substitute.Map(e);
        }

        /// <summary><see cref="Substitute"/>'s walk, with no delegate or closure (it runs on every expression of several passes).</summary>
        private readonly struct SubstituteMap : IExprMap
        {
            private readonly IReadOnlyDictionary<string, Expr> _map;

            public SubstituteMap(IReadOnlyDictionary<string, Expr> map) => _map = map;

            public Expr Map(Expr e)
            {
                Limits.EnsureStack();
                if (e is Var v)
                {
                    return _map.TryGetValue(v.Name, out var r) ? r : e;
                }

                var self = this;
                return MapChildren(e, ref self);
            }
        }

        /// <summary>Every variable an expression reads.</summary>
        public static void Vars(Expr e, Action<string> visit)
        {
            Limits.EnsureStack();
            if (e is Var v)
            {
                visit(v.Name);
                return;
            }

            var children = Children(e);
            for (int i = 0; i < children.Count; i++)
            {
                Vars(children[i], visit);
            }
        }

        /// <summary>
        /// Maps every expression a statement holds directly (not those of nested blocks): values, conditions,
        /// indices, phi values, loop initial and next values.
        /// </summary>
        public static Stmt MapExpressions(Stmt s, Func<Expr, Expr> map) => s switch
        {
            Let l => map(l.Value) is var value && ReferenceEquals(value, l.Value) ? s : new Let(l.Name, value),
            Assign a => map(a.Value) is var value && ReferenceEquals(value, a.Value) ? s : new Assign(a.Name, value),
            Return r => map(r.Value) is var value && ReferenceEquals(value, r.Value) ? s : new Return(value),
            Store st => (map(st.Index), map(st.Value)) is var (index, value) && ReferenceEquals(index, st.Index) && ReferenceEquals(value, st.Value) ? s : new Store(st.Array, index, value),
            Accumulate ac => (ac.Index is null ? null : map(ac.Index), map(ac.Value)) is var (index, value) && ReferenceEquals(index, ac.Index) && ReferenceEquals(value, ac.Value) ? s : new Accumulate(ac.Target, index, value),
            SetOutput o => map(o.Value) is var value && ReferenceEquals(value, o.Value) ? s : new SetOutput(o.Target, value),
            CallWithGradient c => map(c.Call) is var call && ReferenceEquals(call, c.Call) ? s : new CallWithGradient(c.Name, (UserCall)call, c.Partials),
            Invoke i => map(i.Call) is var call && ReferenceEquals(call, i.Call) ? s : new Invoke((UserCall)call),
            RentBuffer r => map(r.Length) is var length && ReferenceEquals(length, r.Length) ? s : r with { Length = length },
            ClearArray c => map(c.Length) is var length && ReferenceEquals(length, c.Length) ? s : new ClearArray(c.Name, length),
            CallBackward b => (map(b.Call), map(b.Seed), b.Outputs.Map(map)) is var (call, seed, outputs) && ReferenceEquals(call, b.Call) && ReferenceEquals(seed, b.Seed) && Same(outputs, b.Outputs) ? s : new CallBackward((UserCall)call, seed, outputs),
            CallWithDerivative d => (map(d.Call), d.Tangents.Map(map)) is var (call, tangents) && ReferenceEquals(call, d.Call) && Same(tangents, d.Tangents) ? s : new CallWithDerivative(d.Name, (UserCall)call, tangents, d.Tangent),
            EnsureCapacity e => map(e.Index) is var index && ReferenceEquals(index, e.Index) ? s : new EnsureCapacity(e.Name, e.Type, index),
            FiniteCheck f => (map(f.Value), f.Operands.Map(map)) is var (value, operands) && ReferenceEquals(value, f.Value) && Same(operands, f.Operands) ? s : f with { Value = value, Operands = operands },
            If i => (map(i.Condition), i.Phis.Map(p => MapPhi(p, map))) is var (condition, phis) && ReferenceEquals(condition, i.Condition) && Same(phis, i.Phis) ? s : new If(condition, i.Then, i.Else, phis),
            Loop l => (l.Carried.Map(v => MapLoopVar(v, map)), map(l.Condition)) is var (carried, condition) && Same(carried, l.Carried) && ReferenceEquals(condition, l.Condition) ? s : l with { Carried = carried, Condition = condition },
            // Made last (Vectorize = true): what later steps rewrite is its scalar loop (the lanes are printed from the plan).
            VectorLoop vl => MapExpressions(vl.Scalar, map) is var scalar && ReferenceEquals(scalar, vl.Scalar) ? s : vl with { Scalar = (Loop)scalar },
            _ => s,
        };

        private static Phi MapPhi(Phi p, Func<Expr, Expr> map) =>
            (map(p.WhenTrue), map(p.WhenFalse)) is var (t, f) && ReferenceEquals(t, p.WhenTrue) && ReferenceEquals(f, p.WhenFalse) ? p : new Phi(p.Name, p.Type, t, f);

        private static LoopVar MapLoopVar(LoopVar v, Func<Expr, Expr> map) =>
            (map(v.Init), map(v.Next)) is var (init, next) && ReferenceEquals(init, v.Init) && ReferenceEquals(next, v.Next) ? v : new LoopVar(v.Name, v.Type, init, next);

        /// <summary>Whether <see cref="EquatableArray{T}.Map"/> returned its array unchanged.</summary>
        private static bool Same<T>(EquatableArray<T> mapped, EquatableArray<T> original)
            where T : IEquatable<T> => mapped.AsImmutableArray() == original.AsImmutableArray();

        /// <summary>Maps the nested blocks of a statement (the statement itself when no block changed).</summary>
        public static Stmt MapBlocks(Stmt s, Func<Block, Block> map) => s switch
        {
            If i => (map(i.Then), map(i.Else)) is var (then, otherwise) && ReferenceEquals(then, i.Then) && ReferenceEquals(otherwise, i.Else) ? s : new If(i.Condition, then, otherwise, i.Phis),
            Loop l => (map(l.Header), map(l.Body)) is var (header, body) && ReferenceEquals(header, l.Header) && ReferenceEquals(body, l.Body) ? s : l with { Header = header, Body = body },
            VectorLoop vl => (map(vl.Scalar.Header), map(vl.Scalar.Body)) is var (vh, vb) && ReferenceEquals(vh, vl.Scalar.Header) && ReferenceEquals(vb, vl.Scalar.Body) ? s : vl with { Scalar = vl.Scalar with { Header = vh, Body = vb } },
            _ => s,
        };

        /// <summary>Every statement of a block, nested blocks included, in order (a statement before the ones it contains).</summary>
        public static IEnumerable<Stmt> AllStatements(Block block)
        {
            // One list, not an iterator per nesting level and statement.
            var all = new List<Stmt>();
            CollectStatements(block, all);
            return all;
        }

        /// <summary>Whether <paramref name="block"/> holds a loop at any depth (in a branch, in another loop).</summary>
        public static bool HasLoop(Block block)
        {
            foreach (var s in block.Statements)
            {
                if (s is Loop || Blocks(s).Any(HasLoop))
                {
                    return true;
                }
            }

            return false;
        }

        private static void CollectStatements(Block block, List<Stmt> into) => ForEachStatement(block, into, static (s, list) => list.Add(s));

        /// <summary>
        /// Calls <paramref name="visit"/> on every statement of <paramref name="block"/> and of the blocks nested in it (the
        /// blocks <see cref="Blocks"/> gives), in order, a statement before the blocks it holds: no list or iterator per
        /// level, and with a static lambda and <paramref name="state"/>, no allocation at all.
        /// </summary>
        public static void ForEachStatement<TState>(Block block, TState state, Action<Stmt, TState> visit)
        {
            foreach (var s in block.Statements)
            {
                visit(s, state);
                switch (s)
                {
                    case If i:
                        ForEachStatement(i.Then, state, visit);
                        ForEachStatement(i.Else, state, visit);
                        break;
                    case Loop l:
                        ForEachStatement(l.Header, state, visit);
                        ForEachStatement(l.Body, state, visit);
                        break;
                    case VectorLoop vl:
                        ForEachStatement(vl.Scalar.Header, state, visit);
                        ForEachStatement(vl.Scalar.Body, state, visit);
                        break;
                }
            }
        }

        /// <summary>
        /// <paramref name="e"/> and the subexpressions evaluated whenever it is (not the arms of a <c>?:</c>, not the right
        /// side of <c>&amp;&amp;</c> or <c>||</c>), into <paramref name="into"/>; a node <paramref name="skip"/> accepts is
        /// neither collected nor entered.
        /// </summary>
        public static void Unconditional(Expr e, ICollection<Expr> into, Func<Expr, bool>? skip = null)
        {
            if (skip is not null && skip(e))
            {
                return;
            }

            into.Add(e);
            switch (e)
            {
                case Cond c:
                    Unconditional(c.Condition, into, skip);
                    return;
                case Binary { Op: BinaryOp.And or BinaryOp.Or } b:
                    Unconditional(b.Left, into, skip);
                    return;
                default:
                    foreach (var child in Children(e))
                    {
                        Unconditional(child, into, skip);
                    }

                    return;
            }
        }

        /// <summary>Maps each statement of a block in order (the block itself when no statement changed).</summary>
        public static Block MapStatements(Block block, Func<Stmt, Stmt> map)
        {
            var statements = block.Statements.Map(map);
            return Same(statements, block.Statements) ? block : new Block(statements);
        }

        /// <summary>Every expression of a statement tree, nested blocks included (no statement is rebuilt).</summary>
        public static IEnumerable<Expr> AllExpressions(Stmt s)
        {
            var list = new List<Expr>();
            Collect(s, list);
            return list;
        }

        /// <summary>Every expression of a block's statements, nested blocks included, in the order of <see cref="AllExpressions(Stmt)"/>, into <paramref name="into"/>.</summary>
        public static void AllExpressions(Block block, List<Expr> into)
        {
            foreach (var s in block.Statements)
            {
                Collect(s, into);
            }
        }

        private static void Collect(Stmt s, List<Expr> into)
        {
            DirectExpressions(s, into);
            foreach (var block in Blocks(s))
            {
                foreach (var inner in block.Statements)
                {
                    Collect(inner, into);
                }
            }
        }

        /// <summary>The expressions a statement holds itself, as <see cref="MapExpressions"/> visits them.</summary>
        public static void DirectExpressions(Stmt s, List<Expr> into)
        {
            switch (s)
            {
                case Let l:
                    into.Add(l.Value);
                    break;
                case Assign a:
                    into.Add(a.Value);
                    break;
                case Return r:
                    into.Add(r.Value);
                    break;
                case Store st:
                    into.Add(st.Index);
                    into.Add(st.Value);
                    break;
                case Accumulate ac:
                    if (ac.Index is not null)
                    {
                        into.Add(ac.Index);
                    }

                    into.Add(ac.Value);
                    break;
                case SetOutput o:
                    into.Add(o.Value);
                    break;
                case CallWithGradient c:
                    into.Add(c.Call);
                    break;
                case Invoke i:
                    into.Add(i.Call);
                    break;
                case CallWithDerivative d:
                    into.Add(d.Call);
                    into.AddRange(d.Tangents);
                    break;
                case CallBackward b:
                    into.Add(b.Call);
                    into.Add(b.Seed);
                    into.AddRange(b.Outputs);
                    break;
                case RentBuffer r:
                    into.Add(r.Length);
                    break;
                case EnsureCapacity e:
                    into.Add(e.Index);
                    break;
                case ClearArray c:
                    into.Add(c.Length);
                    break;
                case FiniteCheck f:
                    into.Add(f.Value);
                    into.AddRange(f.Operands);
                    break;
                case If i:
                    into.Add(i.Condition);
                    foreach (var p in i.Phis)
                    {
                        into.Add(p.WhenTrue);
                        into.Add(p.WhenFalse);
                    }

                    break;
                case Loop l:
                    foreach (var v in l.Carried)
                    {
                        into.Add(v.Init);
                        into.Add(v.Next);
                    }

                    into.Add(l.Condition);
                    break;
                case VectorLoop vl:
                    // Made last (Vectorize = true): its lanes read what its scalar loop reads, so it counts as that loop.
                    DirectExpressions(vl.Scalar, into);
                    break;
            }
        }

        /// <summary>The nested blocks of a statement.</summary>
        public static IEnumerable<Block> Blocks(Stmt s) => s switch
        {
            If i => new[] { i.Then, i.Else },
            Loop l => new[] { l.Header, l.Body },
            VectorLoop vl => new[] { vl.Scalar.Header, vl.Scalar.Body },
            _ => Array.Empty<Block>(),
        };

        /// <summary>The names a statement defines in its enclosing block.</summary>
        /// <summary>The buffers a statement tree may write (stores, additions, clears, copies, anything passed whole).</summary>
        public static IEnumerable<string> WrittenBuffers(Stmt s)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            void Visit(Stmt x)
            {
                switch (x)
                {
                    case Store st: names.Add(st.Array); break;
                    case Accumulate ac: names.Add(ac.Target); break;
                    case ClearBuffer c: names.Add(c.Target); break;
                    case ClearArray c: names.Add(c.Name); break;
                    case CopySpan c: names.Add(c.Target); break;
                    case RentBuffer r: names.Add(r.Name); break;
                    case EnsureCapacity e: names.Add(e.Name); break;
                }

                var exprs = new List<Expr>();
                DirectExpressions(x, exprs);
                foreach (var e in exprs)
                {
                    Contains(e, y =>
                    {
                        if (y is SpanRef span)
                        {
                            names.Add(span.Array);
                        }
                        else if (y is SpanView view)
                        {
                            names.Add(view.Array);
                        }

                        return false;
                    });
                }

                foreach (var b in Blocks(x))
                {
                    foreach (var inner in b.Statements)
                    {
                        Visit(inner);
                    }
                }
            }

            Visit(s);
            return names;
        }

        /// <summary>Adds every name <paramref name="block"/> defines, at any depth, and the buffers it rents.</summary>
        public static void CollectDefinitions(Block block, HashSet<string> names)
        {
            foreach (var s in block.Statements)
            {
                names.UnionWith(Defines(s));
                if (s is RentBuffer rent)
                {
                    names.Add(rent.Name);
                }

                foreach (var nested in Blocks(s))
                {
                    CollectDefinitions(nested, names);
                }
            }
        }

        public static IEnumerable<string> Defines(Stmt s) => s switch
        {
            Let l => new[] { l.Name },
            Declare d => new[] { d.Name },
            CallWithGradient c => new[] { c.Name }.Concat(c.Partials.Where(p => p.Length > 0)),
            CallWithDerivative d => new[] { d.Name, d.Tangent },
            If i => i.Phis.Select(p => p.Name),
            Loop l => l.Carried.Select(v => v.Name),
            VectorLoop vl => vl.Scalar.Carried.Select(v => v.Name),
            _ => Array.Empty<string>(),
        };

        /// <summary>Renames variables everywhere in a block: every definition and every read.</summary>
        public static Block Rename(Block block, IReadOnlyDictionary<string, string> renames)
        {
            if (renames.Count == 0)
            {
                return block;
            }

            string Name(string n) => renames.TryGetValue(n, out var r) ? r : n;
            Expr Map(Expr e)
            {
                var rename = new RenameMap(renames);
                return rename.Map(e);
            }

            return MapStatements(block, new Renamer(Name, Map).StatementMap);
        }

        /// <summary>The expression walk of <see cref="Rename(Block, IReadOnlyDictionary{string, string})"/>, with no delegate or closure per expression.</summary>
        private readonly struct RenameMap : IExprMap
        {
            private readonly IReadOnlyDictionary<string, string> _renames;

            public RenameMap(IReadOnlyDictionary<string, string> renames) => _renames = renames;

            public Expr Map(Expr e)
            {
                Limits.EnsureStack();
                if (e is Var v)
                {
                    return _renames.TryGetValue(v.Name, out var renamed) ? new Var(renamed, v.Type) : e;
                }

                var self = this;
                return MapChildren(e, ref self);
            }
        }

        /// <summary>
        /// Renames in a statement tree: every name it defines (at any depth) through <paramref name="name"/>, every expression
        /// through <paramref name="map"/>. The one rename pass: <see cref="Rename(Block, IReadOnlyDictionary{string, string})"/>
        /// and the reverse loop's recomputation (new versions of what an iteration defines) both use it.
        /// </summary>
        public static Stmt Rename(Stmt s, Func<string, string> name, Func<Expr, Expr> map) => new Renamer(name, map).Statement(s);

        /// <summary>One rename's walk: its delegates made once, not per statement.</summary>
        private sealed class Renamer
        {
            private readonly Func<string, string> _name;
            private readonly Func<Expr, Expr> _map;
            private readonly Func<Block, Block> _block;

            public Renamer(Func<string, string> name, Func<Expr, Expr> map)
            {
                _name = name;
                _map = map;
                StatementMap = Statement;
                _block = b => MapStatements(b, StatementMap);
            }

            public Func<Stmt, Stmt> StatementMap { get; }

            public Stmt Statement(Stmt s)
            {
                var mapped = MapBlocks(MapExpressions(s, _map), _block);
                return mapped switch
                {
                    Let l => _name(l.Name) is var n && n == l.Name ? l : new Let(n, l.Value),
                    Declare d => _name(d.Name) is var n && n == d.Name ? d : new Declare(n, d.Type),
                    Assign a => _name(a.Name) is var n && n == a.Name ? a : new Assign(n, a.Value),
                    CallWithGradient c => (_name(c.Name), c.Partials.Map(p => p.Length == 0 ? p : Renamed(p, _name))) is var (n, partials) && n == c.Name && Same(partials, c.Partials) ? c : new CallWithGradient(n, c.Call, partials),
                    CallWithDerivative d => (_name(d.Name), _name(d.Tangent)) is var (n, tangent) && n == d.Name && tangent == d.Tangent ? d : new CallWithDerivative(n, d.Call, d.Tangents, tangent),
                    If i => i.Phis.Map(p => _name(p.Name) is var n && n == p.Name ? p : new Phi(n, p.Type, p.WhenTrue, p.WhenFalse)) is var phis && Same(phis, i.Phis) ? i : new If(i.Condition, i.Then, i.Else, phis),
                    Loop l => (l.Carried.Map(v => _name(v.Name) is var n && n == v.Name ? v : new LoopVar(n, v.Type, v.Init, v.Next)), l.Counter is null ? null : _name(l.Counter)) is var (carried, counter) && Same(carried, l.Carried) && counter == l.Counter ? l : l with { Carried = carried, Counter = counter },
                    _ => mapped,
                };
            }
        }

        /// <summary>The renamed name, as the same string object when the name does not change (so <see cref="EquatableArray{T}.Map"/> keeps the array).</summary>
        private static string Renamed(string n, Func<string, string> name) => name(n) is var r && r == n ? n : r;

        /// <summary>Whether <paramref name="e"/> reads the variable <paramref name="name"/>.</summary>
        public static bool Reads(Expr e, string name)
        {
            if (e is Var v)
            {
                return v.Name == name;
            }

            foreach (var c in Children(e))
            {
                if (Reads(c, name))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether <paramref name="e"/> calls a method with argument checks (which may throw: never dropped).</summary>
        public static bool CallsGuarded(Expr e) => Contains(e, x => x is UserCall { Callee.HasGuards: true });

        /// <summary>Whether <paramref name="e"/> or any of its subexpressions satisfies <paramref name="predicate"/>.</summary>
        public static bool Contains(Expr e, Func<Expr, bool> predicate)
        {
            if (predicate(e))
            {
                return true;
            }

            foreach (var c in Children(e))
            {
                if (Contains(c, predicate))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether a statement writes something other than the names it defines (a buffer, an output, a span).</summary>
        public static bool HasEffect(Stmt s) => s switch
        {
            Store or Accumulate or SetOutput or ClearBuffer or Return or Assign or RentBuffer or EnsureCapacity or CopySpan or CallBackward or ClearArray or Invoke or FiniteCheck => true,
            Let l => CallsGuarded(l.Value),
            CallWithGradient { Call.Callee.HasGuards: true } or CallWithDerivative { Call.Callee.HasGuards: true } => true,
            If i => i.Then.Statements.Any(HasEffect) || i.Else.Statements.Any(HasEffect),
            Loop l => l.Body.Statements.Any(HasEffect) || l.Header.Statements.Any(HasEffect),
            _ => false,
        };
    }
}

namespace SymDiff.Generator.IR
{
    /// <summary>The direct children of an expression, left to right, without copying them (see <see cref="Walk.Children"/>).</summary>
    internal readonly struct ExprChildren : IReadOnlyList<Expr>
    {
        private readonly Expr _e;

        public ExprChildren(Expr e)
        {
            _e = e;
        }

        public int Count => _e switch
        {
            Elem or Unary or TupleItem => 1,
            Binary or SpanView => 2,
            Cond => 3,
            Call c => c.Args.Count,
            UserCall c => c.Args.Count + (c.Receiver is null ? 0 : 1),
            _ => 0,
        };

        public Expr this[int index] => _e switch
        {
            Elem el when index == 0 => el.Index,
            Unary u when index == 0 => u.Operand,
            Binary b when index is 0 or 1 => index == 0 ? b.Left : b.Right,
            Cond c when index is >= 0 and < 3 => index == 0 ? c.Condition : index == 1 ? c.WhenTrue : c.WhenFalse,
            Call c => c.Args[index],
            UserCall c => c.Receiver is null ? c.Args[index] : index == 0 ? c.Receiver : c.Args[index - 1],
            TupleItem t when index == 0 => t.Tuple,
            SpanView s when index is 0 or 1 => index == 0 ? s.Start : s.Length,
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public Enumerator GetEnumerator() => new Enumerator(this);

        IEnumerator<Expr> IEnumerable<Expr>.GetEnumerator()
        {
            var e = new Enumerator(this);
            while (e.MoveNext())
            {
                yield return e.Current;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => ((IEnumerable<Expr>)this).GetEnumerator();

        /// <summary>Looks at the node's kind once: up to three children held directly, or the arguments of a call.</summary>
        public struct Enumerator
        {
            private readonly Expr? _first;
            private readonly Expr? _second;
            private readonly Expr? _third;
            private readonly EquatableArray<Expr> _args;
            private readonly int _fixed;
            private readonly int _count;
            private int _index;

            public Enumerator(ExprChildren children)
            {
                _first = _second = _third = null;
                _args = default;
                _fixed = 0;
                _index = -1;
                switch (children._e)
                {
                    case Elem el:
                        _first = el.Index;
                        _fixed = 1;
                        break;
                    case Unary u:
                        _first = u.Operand;
                        _fixed = 1;
                        break;
                    case TupleItem t:
                        _first = t.Tuple;
                        _fixed = 1;
                        break;
                    case Binary b:
                        _first = b.Left;
                        _second = b.Right;
                        _fixed = 2;
                        break;
                    case SpanView sv:
                        _first = sv.Start;
                        _second = sv.Length;
                        _fixed = 2;
                        break;
                    case Cond c:
                        _first = c.Condition;
                        _second = c.WhenTrue;
                        _third = c.WhenFalse;
                        _fixed = 3;
                        break;
                    case Call c:
                        _args = c.Args;
                        break;
                    case UserCall c:
                        _args = c.Args;
                        if (c.Receiver is not null)
                        {
                            _first = c.Receiver;
                            _fixed = 1;
                        }

                        break;
                }

                _count = _fixed + _args.Count;
            }

            public Expr Current => _index < _fixed ? (_index == 0 ? _first! : _index == 1 ? _second! : _third!) : _args[_index - _fixed];

            public bool MoveNext() => ++_index < _count;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using Xunit;

namespace SymDiff.Generator.Tests.IR
{
    /// <summary>
    /// Walk lists a statement's expressions twice: MapExpressions (rebuilding the statement) and DirectExpressions
    /// (without allocating, for use counts). The two must agree on every statement kind, or a pass would miss a use.
    /// </summary>
    public class WalkTests
    {
        private static int _next;

        private static Var V() => new Var("v" + _next++, ValType.Double);

        private static readonly CalleeSpec Callee = new CalleeSpec(CalleeKind.Differentiable, "F", string.Empty, EquatableArray.Create("a"), EquatableArray.Create(true), EquatableArray.Create("double"), 0);

        /// <summary>One sample of every statement kind, each expression a distinct variable.</summary>
        private static IEnumerable<Stmt> Samples() => new Stmt[]
        {
            new Let("a", V()),
            new If(V(), Block.Empty, Block.Empty, EquatableArray.Create(new Phi("p", ValType.Double, V(), V()))),
            new Loop(EquatableArray.Create(new LoopVar("c", ValType.Double, V(), V())), Block.Empty, V(), Block.Empty, LoopKind.While, null),
            new Return(V()),
            new Store("y", V(), V()),
            new Accumulate("dX", V(), V()),
            new SetOutput("dW", V()),
            new ClearBuffer("dX"),
            new CallWithGradient("c", new UserCall(Callee, null, EquatableArray.Create<Expr>(V()), ValType.Double), EquatableArray.Create("dCdA")),
            new Declare("d", ValType.Double),
            new Assign("d", V()),
            new RentBuffer("tape", ValType.Double, V()),
            new EnsureCapacity("tape", ValType.Double, V()),
            new CallWithDerivative("c", new UserCall(Callee, null, EquatableArray.Create<Expr>(V()), ValType.Double), EquatableArray.Create<Expr>(V()), "cDot"),
            new CopySpan("seed", "yBar"),
            new CallBackward(new UserCall(Callee, null, EquatableArray.Create<Expr>(V()), ValType.Double), V(), EquatableArray.Create<Expr>(V())),
            new ClearArray("zeros", V()),
            new Invoke(new UserCall(Callee, null, EquatableArray.Create<Expr>(V()), ValType.Object)),
            new Comment("a comment"),
            new FiniteCheck(V(), EquatableArray.Create<Expr>(V(), V()), "F", "FGradient", "F.cs", 3, "x * y", "forward"),
            new VectorLoop(new Loop(EquatableArray.Create(new LoopVar("i", ValType.Int, V(), V())), Block.Empty, V(), Block.Empty, LoopKind.For, "i"), "i", V(), ValType.Double, EquatableArray<Let>.Empty, Block.Empty, EquatableArray<VectorSum>.Empty, 1, EquatableArray<string>.Empty),
            // Only inside a VectorLoop's lanes, which Walk does not enter (it walks the scalar loop): no expressions for Walk.
            new VectorDelay("v", ValType.Double, V()),
            new VectorMaskedAccumulate("dX", V(), V(), V()),
        };

        [Fact]
        public void Every_statement_kind_has_a_sample()
        {
            var kinds = typeof(Stmt).Assembly.GetTypes().Where(t => t.IsSealed && typeof(Stmt).IsAssignableFrom(t)).ToHashSet();
            kinds.ExceptWith(Samples().Select(s => s.GetType()));
            Assert.Empty(kinds);
        }

        [Fact]
        public void DirectExpressions_lists_what_MapExpressions_visits()
        {
            foreach (var s in Samples())
            {
                var mapped = new List<Expr>();
                Walk.MapExpressions(s, e =>
                {
                    mapped.Add(e);
                    return e;
                });
                var direct = new List<Expr>();
                Walk.DirectExpressions(s, direct);
                Assert.True(mapped.ToHashSet().SetEquals(direct), $"{s.GetType().Name}: MapExpressions visits [{string.Join(", ", mapped)}], DirectExpressions lists [{string.Join(", ", direct)}]");
            }
        }

        /// <summary>One sample of every expression kind with children, each child a distinct variable.</summary>
        private static IEnumerable<Expr> ExprSamples() => new Expr[]
        {
            new Elem("x", V(), ValType.Double),
            new Unary(UnaryOp.Neg, V(), ValType.Double),
            new TupleItem(V(), 1, ValType.Double),
            new Binary(BinaryOp.Mul, V(), V(), ValType.Double),
            new SpanView("x", V(), V(), ValType.Double, true, false),
            new Cond(V(), V(), V(), ValType.Double),
            new Call(KnownFunction.Pow, EquatableArray.Create<Expr>(V(), V()), ValType.Double),
            new UserCall(Callee, null, EquatableArray.Create<Expr>(V(), V()), ValType.Double),
            new UserCall(Callee, V(), EquatableArray.Create<Expr>(V(), V(), V()), ValType.Double),
            new UserCall(Callee, V(), EquatableArray<Expr>.Empty, ValType.Double),
            V(),
        };

        [Fact]
        public void Children_enumerates_what_MapChildren_visits_in_order()
        {
            foreach (var e in ExprSamples())
            {
                var mapped = new List<Expr>();
                Walk.MapChildren(e, c =>
                {
                    mapped.Add(c);
                    return c;
                });
                var enumerated = new List<Expr>();
                foreach (var c in Walk.Children(e))
                {
                    enumerated.Add(c);
                }

                var indexed = new List<Expr>();
                var children = Walk.Children(e);
                for (int i = 0; i < children.Count; i++)
                {
                    indexed.Add(children[i]);
                }

                Assert.Equal(mapped, enumerated);
                Assert.Equal(mapped, indexed);
                Assert.Equal(mapped, Walk.Children(e).ToList()); // through IEnumerable<Expr>, as LINQ sees it
            }
        }
        [Fact]
        public void MapExpressions_MapBlocks_and_Rename_return_the_statement_itself_when_nothing_changes()
        {
            foreach (var s in Samples())
            {
                Assert.Same(s, Walk.MapExpressions(s, e => e));
                Assert.Same(s, Walk.MapBlocks(s, b => b));
                Assert.Same(s, Walk.Rename(s, n => n, e => e));
            }
        }

        /// <summary>A new expression in place of <paramref name="e"/> (a call stays a call: statements hold calls as such).</summary>
        private static Expr Changed(Expr e) => e is UserCall call ? call with { } : new Unary(UnaryOp.Neg, e, e.Type);

        [Fact]
        public void MapExpressions_rebuilds_a_statement_when_an_expression_changes_and_visits_in_the_same_order()
        {
            foreach (var s in Samples())
            {
                var direct = new List<Expr>();
                Walk.DirectExpressions(s, direct);
                if (direct.Count == 0)
                {
                    continue;
                }

                var visited = new List<Expr>();
                var replaced = Walk.MapExpressions(s, e =>
                {
                    visited.Add(e);
                    return Changed(e);
                });
                Assert.NotSame(s, replaced);
                var after = new List<Expr>();
                Walk.DirectExpressions(replaced, after);
                Assert.Equal(visited.Select(Changed).ToHashSet(), after.ToHashSet());

                // Changing only the last expression visited still rebuilds (the unchanged ones are kept as they were).
                var last = visited[visited.Count - 1];
                var one = Walk.MapExpressions(s, e => ReferenceEquals(e, last) ? Changed(e) : e);
                Assert.NotSame(s, one);
            }
        }

        [Fact]
        public void EquatableArray_Map_keeps_the_array_when_no_item_changes_and_maps_in_order()
        {
            var items = EquatableArray.Create("a", "b", "c");
            var order = new List<string>();
            var same = items.Map(x =>
            {
                order.Add(x);
                return x;
            });
            Assert.Equal(new[] { "a", "b", "c" }, order);
            Assert.True(same.AsImmutableArray() == items.AsImmutableArray());
            var changed = items.Map(x => x == "b" ? "B" : x);
            Assert.Equal(new[] { "a", "B", "c" }, changed);
            Assert.Equal(new[] { "a", "b", "c" }, items);
            Assert.Empty(EquatableArray<string>.Empty.Map(x => x + "!"));
            Assert.Empty(default(EquatableArray<string>).Map(x => x + "!"));
        }
    }
}

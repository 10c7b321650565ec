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
    }
}

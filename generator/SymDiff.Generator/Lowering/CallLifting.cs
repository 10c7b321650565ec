using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Lowering
{
    /// <summary>
    /// Gives every call of another <c>[Differentiable]</c> method its own let, so reverse mode can call the
    /// callee's value-and-gradient form once. Calls in conditionally evaluated positions (a branch of <c>?:</c>, the
    /// right of <c>&amp;&amp;</c>) stay where they are, except that a conditional operator with such a call in a branch
    /// becomes an <c>if</c> whose branches make their calls. Pure; the order of calls is kept.
    /// </summary>
    internal static class CallLifting
    {
        public static Block Lift(Block block, Namer namer)
        {
            var output = new List<Stmt>();
            foreach (var s in block.Statements)
            {
                var mapped = s switch
                {
                    Let let when let.Value is UserCall root && root.Callee.Kind == CalleeKind.Differentiable =>
                        new Let(let.Name, Walk.MapChildren(root, c => LiftIn(c, output, namer))),
                    Let or Return or Store or SetOutput or Accumulate => Walk.MapExpressions(s, e => LiftIn(e, output, namer)),
                    _ => s,
                };
                output.Add(Walk.MapBlocks(mapped, b => Lift(b, namer)));
            }

            return new Block(output.ToEquatableArray());
        }

        private static bool CallsDifferentiable(Expr e) =>
            e is UserCall { Callee.Kind: CalleeKind.Differentiable } || Walk.Children(e).Any(CallsDifferentiable);

        private static Expr LiftIn(Expr e, List<Stmt> output, Namer namer)
        {
            switch (e)
            {
                case Cond c when CallsDifferentiable(c.WhenTrue) || CallsDifferentiable(c.WhenFalse):
                {
                    // 'c ? F(x) : y' becomes an if whose branches call F only when taken, merged by a phi.
                    var condition = LiftIn(c.Condition, output, namer);
                    var thenStatements = new List<Stmt>();
                    var elseStatements = new List<Stmt>();
                    var whenTrue = LiftIn(c.WhenTrue, thenStatements, namer);
                    var whenFalse = LiftIn(c.WhenFalse, elseStatements, namer);
                    var phi = new Phi(namer.NewSourceName("choice"), c.Type, whenTrue, whenFalse);
                    output.Add(new If(condition, new Block(thenStatements.ToEquatableArray()), new Block(elseStatements.ToEquatableArray()), EquatableArray.Create(phi)));
                    return phi.Ref;
                }

                case Cond c:
                    return new Cond(LiftIn(c.Condition, output, namer), c.WhenTrue, c.WhenFalse, c.Type);
                case Binary { Op: BinaryOp.And or BinaryOp.Or } b:
                    return new Binary(b.Op, LiftIn(b.Left, output, namer), b.Right, b.Type);
            }

            var mapped = Walk.MapChildren(e, c => LiftIn(c, output, namer));
            if (mapped is UserCall { Callee.Kind: CalleeKind.Differentiable } call)
            {
                string stem = char.ToLowerInvariant(call.Callee.Name[0]) + call.Callee.Name.Substring(1);
                var let = new Let(namer.NewSourceName(stem), call);
                output.Add(let);
                return let.Ref;
            }

            return mapped;
        }
    }
}

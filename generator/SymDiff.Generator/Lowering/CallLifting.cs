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
                    If branch => branch with { Condition = LiftIn(branch.Condition, output, namer) },
                    // A span call's Backward in a gradient's own IR: its seed may call a [Differentiable] rule (the adjoint
                    // of Cube(H(u)) is CubeDerivative(h)); the call itself stays.
                    CallBackward backward => backward with { Seed = LiftIn(backward.Seed, output, namer) },
                    _ => s,
                };
                mapped = Walk.MapBlocks(mapped, b => Lift(b, namer));

                // A gradient's own IR (forward over reverse) carries adjoints through loops and branches: a call in a
                // carried value's next value or in a phi is made at the end of the body or branch that computes it.
                switch (mapped)
                {
                    case Loop loop when loop.Carried.Any(v => CallsDifferentiable(v.Init) || CallsDifferentiable(v.Next)):
                    {
                        var body = loop.Body.Statements.ToList();
                        var carried = loop.Carried.Select(v => new LoopVar(v.Name, v.Type, LiftIn(v.Init, output, namer), LiftIn(v.Next, body, namer))).ToEquatableArray();
                        mapped = loop with { Carried = carried, Body = new Block(body.ToEquatableArray()) };
                        break;
                    }

                    case If branch when branch.Phis.Any(p => CallsDifferentiable(p.WhenTrue) || CallsDifferentiable(p.WhenFalse)):
                    {
                        var then = branch.Then.Statements.ToList();
                        var @else = branch.Else.Statements.ToList();
                        var phis = branch.Phis.Select(p => new Phi(p.Name, p.Type, LiftIn(p.WhenTrue, then, namer), LiftIn(p.WhenFalse, @else, namer))).ToEquatableArray();
                        mapped = new If(branch.Condition, new Block(then.ToEquatableArray()), new Block(@else.ToEquatableArray()), phis);
                        break;
                    }
                }

                output.Add(mapped);
            }

            return new Block(output.ToEquatableArray());
        }

        private static bool CallsDifferentiable(Expr e) => Walk.Contains(e, x => x is UserCall { Callee.Kind: CalleeKind.Differentiable });

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

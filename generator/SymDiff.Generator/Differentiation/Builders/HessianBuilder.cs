using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using SymDiff.Generator.Simplification;
using SymDiff.Generator.Verification;
using static SymDiff.Generator.Differentiation.BuildContext;

namespace SymDiff.Generator.Differentiation.Builders
{
    /// <summary>
    /// <c>FHessian</c>: a driver, written as IR, that fills row i with the Hessian-vector product along the unit vector
    /// e_i, then averages the two triangles so the result is symmetric to the last bit.
    /// </summary>
    internal static class HessianBuilder
    {
        public static MethodFamily Build(BuildContext c)
        {
            var spec = c.Spec;
            var t = spec.Scalar;
            string hessian = c.Sig.HessianName;

            // The driver's locals only need to avoid its own parameters.
            var namer = new Namer(spec.Parameters.Select(p => p.Name).Append(hessian));
            var n = new Let(namer.NewSourceName("n"), c.Sig.ActiveCount);
            var value = new Var(namer.NewSourceName("value"), t);
            string direction = namer.NewSourceName("direction");
            var i = new Var(namer.NewSourceName("i"), ValType.Int);
            var i2 = new Var(namer.NewSourceName("row"), ValType.Int);
            var j = new Var(namer.NewSourceName("column"), ValType.Int);
            var h = new Let(namer.NewSourceName("h"), new Binary(
                BinaryOp.Mul,
                new Binary(BinaryOp.Add, new Elem(hessian, Plus(Times(i2, n.Ref), j), t), new Elem(hessian, Plus(Times(j, n.Ref), i2), t), t),
                Ir.Lit(0.5, t),
                t));
            var hvp = c.SelfCall(
                "HessianVectorProduct",
                c.Originals.Concat(new Expr[]
                {
                    new SpanRef(direction, t),
                    new SpanView(hessian, Times(i, n.Ref), n.Ref, t, ReadOnly: false, OverArray: false),
                }),
                t);

            var symmetrize = CountingLoop(
                i2.Name,
                n.Ref,
                new Loop(
                    EquatableArray.Create(new LoopVar(j.Name, ValType.Int, Plus(i2, Int(1)), new Binary(BinaryOp.Add, j, Int(1), ValType.Int))),
                    Block.Empty,
                    new Binary(BinaryOp.Lt, j, n.Ref, ValType.Bool),
                    Block.Of(h, new Store(hessian, Plus(Times(i2, n.Ref), j), h.Ref), new Store(hessian, Plus(Times(j, n.Ref), i2), h.Ref)),
                    LoopKind.For,
                    j.Name));

            var body = Block.Of(
                n,
                new Declare(value.Name, t),
                new Comment("Row " + i.Name + " is the Hessian times the unit vector e_" + i.Name + "."),
                new RentBuffer(direction, t, n.Ref),
                new ClearArray(direction, n.Ref),
                CountingLoop(
                    i.Name,
                    n.Ref,
                    new Store(direction, i, Ir.Lit(1, t)),
                    new Assign(value.Name, hvp),
                    new Store(direction, i, Ir.Lit(0, t))),
                new Comment("With no active scalar (empty spans) no row runs: the value comes from " + spec.Name + " itself."),
                new If(new Binary(BinaryOp.Eq, n.Ref, Int(0), ValType.Bool), Block.Of(new Assign(value.Name, c.SelfCall(string.Empty, c.Originals, t))), Block.Empty, EquatableArray<Phi>.Empty),
                new Comment("Symmetric to the last bit: both triangles get the same average."),
                symmetrize,
                new Return(value));
            var parameters = spec.Parameters.Select(p => p.Name).Append(hessian).ToList();
            IrVerifier.Verify(body, "the Hessian driver", ScopeRules.Lexical, parameters, parameters);

            var count = c.Sig.ActiveCount;
            var check = new LengthCheck(hessian, Times(count, count), "The buffer '" + hessian + "' has length {0}, but the Hessian of '" + spec.Name + "' has {1} entries (n by n for n active scalars).");
            return c.Family(
                EquatableArray.Create(check),
                c.Sig.Aliases(new[] { hessian }, c.Sig.InputSpans),
                body,
                EquatableArray<string>.Empty,
                $"Computes {spec.Name} and its dense Hessian with respect to {c.Sig.ActiveList}, exactly symmetric.",
                $"The value of {spec.Name}, bit for bit.");
        }
    }
}

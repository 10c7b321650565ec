using System.Collections.Generic;
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
    /// <c>GJacobian</c>: a driver, written as IR. The Jacobian is m outputs by n flattened active inputs, row-major:
    /// n forward sweeps (a column each) when n &lt;= m, otherwise m reverse sweeps (a row each), chosen at run time.
    /// </summary>
    internal static class JacobianBuilder
    {
        public static MethodFamily Build(BuildContext c)
        {
            var spec = c.Spec;
            var sig = c.Sig;
            var t = spec.Scalar;
            var output = sig.Output!;
            string jacobian = sig.JacobianName;
            var namer = new Namer(spec.Parameters.Select(p => p.Name).Append(jacobian));
            var m = new Let(namer.NewSourceName("m"), new Len(output.Name));
            var n = new Let(namer.NewSourceName("n"), sig.ActiveCount);
            var active = spec.Parameters.Where(p => p.Active).ToList();

            // Where each active parameter's columns start.
            var offsets = new List<Let>();
            Expr running = Int(0);
            foreach (var p in active)
            {
                var offset = new Let(namer.NewSourceName(DerivativeNames.Offset(p.Name)), running);
                offsets.Add(offset);
                running = Plus(offset.Ref, p.IsVector ? new Len(p.Name) : Int(1));
            }

            var body = new List<Stmt> { m, n };
            body.AddRange(offsets);
            body.Add(new If(
                new Binary(BinaryOp.Le, n.Ref, m.Ref, ValType.Bool),
                Block.Of(ForwardColumns(c, namer, m.Ref, n.Ref, active, offsets)),
                Block.Of(ReverseRows(c, namer, m.Ref, n.Ref, active, offsets)),
                EquatableArray<Phi>.Empty));
            var block = new Block(body.ToEquatableArray());
            var parameters = spec.Parameters.Select(p => p.Name).Append(jacobian).ToList();
            IrVerifier.Verify(block, "the Jacobian driver", ScopeRules.Lexical, parameters, parameters);

            var check = new LengthCheck(jacobian, Times(new Len(output.Name), sig.ActiveCount), "The buffer '" + jacobian + "' has length {0}, but the Jacobian of '" + spec.Name + "' has {1} entries (m outputs by n active scalars).");
            return c.Family(
                EquatableArray.Create(check),
                sig.Aliases(new[] { jacobian }, sig.InputSpans.Append(output.Name)).Concat(sig.OutputAliases()).ToEquatableArray(),
                block,
                EquatableArray<string>.Empty,
                $"Writes {output.Name} and the Jacobian of {spec.Name} with respect to {sig.ActiveList} (columns in declaration order, spans flattened).",
                returns: null);
        }

        /// <summary>Fewer inputs than outputs: one forward sweep per input gives a column.</summary>
        private static Stmt[] ForwardColumns(BuildContext c, Namer namer, Expr m, Expr n, List<ParamSpec> active, List<Let> offsets)
        {
            var t = c.Spec.Scalar;
            string direction = namer.NewSourceName("direction");
            string column = namer.NewSourceName("column");
            var j = new Var(namer.NewSourceName("j"), ValType.Int);
            var k = new Var(namer.NewSourceName("k"), ValType.Int);
            var tangents = active.Select((p, a) => p.IsVector
                ? (Expr)new SpanView(direction, offsets[a].Ref, new Len(p.Name), p.ElementType, ReadOnly: true, OverArray: false)
                : new Elem(direction, offsets[a].Ref, t));
            var derivative = c.SelfCall("Derivative", c.Originals.Concat(tangents).Append(new SpanRef(column, t)), ValType.Object);
            return new Stmt[]
            {
                new Comment("Fewer inputs than outputs: one forward sweep per input gives a column."),
                new RentBuffer(direction, t, n),
                new RentBuffer(column, t, m),
                new ClearArray(direction, n),
                CountingLoop(
                    j.Name,
                    n,
                    new Store(direction, j, Ir.Lit(1, t)),
                    new Invoke(derivative),
                    new Store(direction, j, Ir.Lit(0, t)),
                    CountingLoop(k.Name, m, new Store(c.Sig.JacobianName, Plus(Times(k, n), j), new Elem(column, k, t)))),
                new Comment("With no active scalar (empty spans) no column runs: " + c.Spec.Name + " itself writes " + c.Sig.Output!.Name + "."),
                new If(new Binary(BinaryOp.Eq, n, Int(0), ValType.Bool), Block.Of(new Invoke(c.SelfCall(string.Empty, c.Originals, ValType.Object))), Block.Empty, EquatableArray<Phi>.Empty),
            };
        }

        /// <summary>Fewer outputs than inputs: one reverse sweep per output gives a row.</summary>
        private static Stmt[] ReverseRows(BuildContext c, Namer namer, Expr m, Expr n, List<ParamSpec> active, List<Let> offsets)
        {
            var t = c.Spec.Scalar;
            string seed = namer.NewSourceName("seed");
            var k = new Var(namer.NewSourceName("i"), ValType.Int);
            var row = new Let(namer.NewSourceName("row"), new SpanView(c.Sig.JacobianName, Times(k, n), n, t, ReadOnly: false, OverArray: false));
            var step = new List<Stmt> { new Store(seed, k, Ir.Lit(1, t)), row, new ClearBuffer(row.Name) };
            var outputs = new List<Expr>();
            var scalars = new List<(Var Local, Let Offset)>();
            for (int a = 0; a < active.Count; a++)
            {
                var p = active[a];
                if (p.IsVector)
                {
                    outputs.Add(new SpanView(row.Name, offsets[a].Ref, new Len(p.Name), p.ElementType, ReadOnly: false, OverArray: false));
                    continue;
                }

                var local = new Var(namer.NewSourceName(c.Sig.GradientNames[p.Name]), t);
                step.Add(new Declare(local.Name, t));
                outputs.Add(local);
                scalars.Add((local, offsets[a]));
            }

            step.Add(new CallBackward(c.SelfCall(string.Empty, c.Originals, ValType.Object), new SpanRef(seed, t), outputs.ToEquatableArray()));
            step.AddRange(scalars.Select(s => (Stmt)new Store(row.Name, s.Offset.Ref, s.Local)));
            step.Add(new Store(seed, k, Ir.Lit(0, t)));
            return new Stmt[]
            {
                new Comment("Fewer outputs than inputs: one reverse sweep per output gives a row."),
                new RentBuffer(seed, t, m),
                new ClearArray(seed, m),
                CountingLoop(k.Name, m, step.ToArray()),
            };
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Simplification;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>
    /// In a loop counting up by one, an input element read as <c>x[i + 1]</c> in every iteration is the next iteration's
    /// <c>x[i]</c>: the value is carried in a local instead of being loaded again (the JIT does not do it). Only for
    /// arrays the method never writes (input spans, which the aliasing checks keep apart from every buffer written), in
    /// loops where both reads happen in every iteration and nothing but an index can throw, so the first element,
    /// loaded before the loop when it will run, throws the same exception the first iteration would have. Loads only:
    /// every value is the same, bit for bit.
    /// </summary>
    internal static class CarryLoads
    {
        public static Block Apply(Block block, ISet<string> inputs, Namer namer) =>
            new Block(block.Statements.Select(s => s is Loop loop ? Rewrite(loop, inputs, namer) : Walk.MapBlocks(s, b => Apply(b, inputs, namer))).ToEquatableArray());

        private static Stmt Rewrite(Loop loop, ISet<string> inputs, Namer namer)
        {
            loop = loop with { Body = Apply(loop.Body, inputs, namer) };
            if (LoopShape.Counter(loop) is not { Step: 1 } shape || !Safe(loop, inputs))
            {
                return loop;
            }

            var i = new Var(shape.Counter.Name, ValType.Int);
            var plusOne = new HashSet<Expr> { new Binary(BinaryOp.Add, i, Ir.Lit(1, ValType.Int), ValType.Int), new Binary(BinaryOp.Add, Ir.Lit(1, ValType.Int), i, ValType.Int) };
            foreach (var let in loop.Body.Statements.OfType<Let>())
            {
                if (let.Value is Binary { Op: BinaryOp.Add } add && plusOne.Contains(add))
                {
                    plusOne.Add(let.Ref);
                }
            }

            foreach (var array in inputs.OrderBy(a => a, System.StringComparer.Ordinal))
            {
                // Both reads in every iteration, at the top level of the body.
                var always = new List<Expr>();
                foreach (var s in loop.Body.Statements)
                {
                    if (s is Let let)
                    {
                        Walk.Unconditional(let.Value, always);
                    }
                }

                var next = always.OfType<Elem>().FirstOrDefault(e => e.Array == array && plusOne.Contains(e.Index));
                var current = new Elem(array, i, next?.Type ?? ValType.Double);
                if (next is null || !always.Contains(current))
                {
                    continue;
                }

                var nextName = new Var(namer.NewSourceName(array + "Next"), next.Type);
                var currentName = new Var(namer.NewSourceName(array + "Current"), next.Type);
                Expr Replace(Expr e) => Walk.Transform(e, x => x is Elem el && el.Array == array ? (plusOne.Contains(el.Index) ? nextName : i.Equals(el.Index) ? currentName : x) : x);
                var body = new List<Stmt>();
                bool loaded = false;
                foreach (var s in loop.Body.Statements)
                {
                    // Loaded before the first statement that reads it anywhere, nested blocks included (a store, or an inner
                    // loop, may read it before the first let does: FINDINGS F42).
                    if (!loaded && Walk.AllExpressions(s).Any(e => Walk.Contains(e, x => x is Elem el && el.Array == array && plusOne.Contains(el.Index))))
                    {
                        body.Add(new Let(nextName.Name, next));
                        loaded = true;
                    }

                    body.Add(Walk.MapBlocks(Walk.MapExpressions(s, Replace), b => MapBlock(b, Replace)));
                }

                var initial = loop.Carried.ToDictionary(v => v.Name, v => v.Init, System.StringComparer.Ordinal);
                var runs = Walk.Substitute(loop.Condition, initial);
                var first = new Cond(runs, new Elem(array, shape.Counter.Init, next.Type), Ir.Lit(0, next.Type), next.Type);
                loop = loop with
                {
                    Carried = loop.Carried.Concat(new[] { new LoopVar(currentName.Name, next.Type, first, nextName) }).ToEquatableArray(),
                    Body = new Block(body.ToEquatableArray()),
                };
            }

            return loop;
        }

        private static Block MapBlock(Block b, System.Func<Expr, Expr> map) =>
            new Block(b.Statements.Select(s => Walk.MapBlocks(Walk.MapExpressions(s, map), inner => MapBlock(inner, map))).ToEquatableArray());

        /// <summary>
        /// Nothing in the loop can throw but an index (no call of the user's, no integer division, no code taken as
        /// text), nothing writes an input array, and the counter's start and the condition only read.
        /// </summary>
        private static bool Safe(Loop loop, ISet<string> inputs)
        {
            bool Bad(Expr e) => Walk.Contains(e, x => x is UserCall or Opaque or SpanRef or SpanView || x is Binary { Op: BinaryOp.Div or BinaryOp.Rem, Type: ValType.Int });
            bool BadStmt(Stmt s) => s switch
            {
                Let or If or Loop or Comment => false,
                Store st => inputs.Contains(st.Array),
                Accumulate a => inputs.Contains(a.Target),
                _ => true,
            };

            bool ok = true;
            void Visit(Block b)
            {
                foreach (var s in b.Statements)
                {
                    ok &= !BadStmt(s);
                    var direct = new List<Expr>();
                    Walk.DirectExpressions(s, direct);
                    ok &= !direct.Any(Bad);
                    foreach (var inner in Walk.Blocks(s))
                    {
                        Visit(inner);
                    }
                }
            }

            Visit(loop.Body);
            var top = new List<Expr>();
            Walk.DirectExpressions(loop, top);
            return ok && !top.Any(Bad);
        }
    }
}

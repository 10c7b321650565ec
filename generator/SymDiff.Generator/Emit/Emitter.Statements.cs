using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Emit
{
    /// <summary>What statement emission needs to know about the whole method.</summary>
    internal sealed record StatementContext(ISet<string> Hoisted, Dictionary<string, int> Uses);

    internal static partial class Emitter
    {
        private static void EmitBlock(SourceWriter w, Block block, StatementContext context)
        {
            foreach (var s in block.Statements)
            {
                EmitStatement(w, s, context);
            }
        }

        private static void EmitStatement(SourceWriter w, Stmt s, StatementContext context)
        {
            switch (s)
            {
                case Let let:
                    w.WriteLine((context.Hoisted.Contains(let.Name) ? string.Empty : let.Type.Keyword() + " ") + let.Name + " = " + ExprPrinter.Print(let.Value) + ";");
                    break;
                case Declare d:
                    w.WriteLine(d.Type.Keyword() + " " + d.Name + " = " + Literals.Of(Const.Of(0, d.Type)) + ";");
                    break;
                case Assign a:
                    w.WriteLine(a.Name + " = " + ExprPrinter.Print(a.Value) + ";");
                    break;
                case Return r:
                    w.WriteLine("return " + ExprPrinter.Print(r.Value) + ";");
                    break;
                case Store st:
                    w.WriteLine(st.Array + "[" + ExprPrinter.Print(st.Index) + "] = " + ExprPrinter.Print(st.Value) + ";");
                    break;
                case Accumulate ac:
                    w.WriteLine(ac.Target + (ac.Index is null ? string.Empty : "[" + ExprPrinter.Print(ac.Index) + "]") + " += " + ExprPrinter.Print(ac.Value) + ";");
                    break;
                case SetOutput o:
                    w.WriteLine(o.Target + " = " + ExprPrinter.Print(o.Value) + ";");
                    break;
                case ClearBuffer c:
                    w.WriteLine(c.Target + ".Clear();");
                    break;
                case CallWithGradient call:
                    EmitCallWithGradient(w, call, context);
                    break;
                case If branch:
                    EmitIf(w, branch, context);
                    break;
                case Loop loop:
                    EmitLoop(w, loop, context);
                    break;
                default:
                    throw new System.InvalidOperationException("Cannot emit " + s.GetType().Name);
            }
        }

        private static void EmitCallWithGradient(SourceWriter w, CallWithGradient call, StatementContext context)
        {
            string type = call.Call.Type.Keyword();
            var args = call.Call.Args.Select(ExprPrinter.Print).ToList();
            foreach (var p in call.Partials.Where(p => p.Length > 0))
            {
                args.Add(context.Hoisted.Contains(p) ? "out " + p : "out " + type + " " + p);
            }

            string target = (context.Hoisted.Contains(call.Name) ? string.Empty : type + " ") + call.Name;
            w.WriteLine(target + " = " + ExprPrinter.CallTarget(call.Call, "Gradient") + "(" + string.Join(", ", args) + ");");
        }

        private static void EmitIf(SourceWriter w, If branch, StatementContext context)
        {
            foreach (var phi in branch.Phis)
            {
                w.WriteLine(phi.Type.Keyword() + " " + phi.Name + ";");
            }

            bool thenEmpty = branch.Then.Statements.Count == 0 && branch.Phis.Count == 0;
            bool elseEmpty = branch.Else.Statements.Count == 0 && branch.Phis.Count == 0;
            if (thenEmpty && !elseEmpty)
            {
                w.WriteLine("if (" + ExprPrinter.Print(new Unary(UnaryOp.Not, branch.Condition, ValType.Bool)) + ")");
                EmitBranch(w, branch.Else, branch.Phis.Select(p => (p.Name, p.WhenFalse)), context);
                return;
            }

            w.WriteLine("if (" + ExprPrinter.Print(branch.Condition) + ")");
            EmitBranch(w, branch.Then, branch.Phis.Select(p => (p.Name, p.WhenTrue)), context);
            if (!elseEmpty)
            {
                w.WriteLine("else");
                EmitBranch(w, branch.Else, branch.Phis.Select(p => (p.Name, p.WhenFalse)), context);
            }
        }

        private static void EmitBranch(SourceWriter w, Block block, IEnumerable<(string Name, Expr Value)> results, StatementContext context)
        {
            w.OpenBrace();
            EmitBlock(w, block, context);
            foreach (var (name, value) in results)
            {
                w.WriteLine(name + " = " + ExprPrinter.Print(value) + ";");
            }

            w.CloseBrace();
        }

        private static void EmitLoop(SourceWriter w, Loop loop, StatementContext context)
        {
            // A counter read only inside the loop is declared in the for statement, as a person would write it.
            var counter = loop.Kind == LoopKind.For && loop.Header.Statements.Count == 0 ? loop.Carried.FirstOrDefault(v => v.Name == loop.Counter) : null;
            bool counterInside = counter is not null && context.Uses.TryGetValue(counter.Name, out int total) && total == UsesWithin(loop, counter.Name);
            foreach (var v in loop.Carried)
            {
                if (v != counter || !counterInside)
                {
                    w.WriteLine(v.Type.Keyword() + " " + v.Name + " = " + ExprPrinter.Print(v.Init) + ";");
                }
            }

            var updates = loop.Carried.Where(v => v != counter && !(v.Next is Var same && same.Name == v.Name)).ToList();
            if (counter is not null)
            {
                string init = counterInside ? "int " + counter.Name + " = " + ExprPrinter.Print(counter.Init) : string.Empty;
                w.WriteLine("for (" + init + "; " + ExprPrinter.Print(loop.Condition) + "; " + counter.Name + "++)");
                w.OpenBrace();
            }
            else if (loop.Header.Statements.Count == 0)
            {
                w.WriteLine("while (" + ExprPrinter.Print(loop.Condition) + ")");
                w.OpenBrace();
            }
            else
            {
                w.WriteLine("while (true)");
                w.OpenBrace();
                EmitBlock(w, loop.Header, context);
                w.WriteLine("if (" + ExprPrinter.Print(new Unary(UnaryOp.Not, loop.Condition, ValType.Bool)) + ")");
                w.OpenBrace();
                w.WriteLine("break;");
                w.CloseBrace();
                w.WriteLine();
            }

            EmitBlock(w, loop.Body, context);

            // Carried values update together: a next value that reads another carried variable uses its old value.
            var carriedNames = new HashSet<string>(loop.Carried.Select(v => v.Name));
            var staged = new List<(string Name, string Value)>();
            foreach (var v in updates)
            {
                bool readsOther = false;
                Walk.Vars(v.Next, n => readsOther |= n != v.Name && carriedNames.Contains(n));
                if (readsOther)
                {
                    string temp = v.Name + "Next";
                    w.WriteLine(v.Type.Keyword() + " " + temp + " = " + ExprPrinter.Print(v.Next) + ";");
                    staged.Add((v.Name, temp));
                }
                else
                {
                    staged.Add((v.Name, ExprPrinter.Print(v.Next)));
                }
            }

            foreach (var (name, value) in staged)
            {
                w.WriteLine(name + " = " + value + ";");
            }

            w.CloseBrace();
        }

        private static int UsesWithin(Stmt s, string name)
        {
            int n = 0;
            foreach (var e in Walk.AllExpressions(s))
            {
                Walk.Vars(e, v => n += v == name ? 1 : 0);
            }

            return n;
        }
    }
}

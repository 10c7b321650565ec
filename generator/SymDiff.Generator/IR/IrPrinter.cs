using System.Linq;
using System.Text;
using SymDiff.Generator.Emit;

namespace SymDiff.Generator.IR
{
    /// <summary>
    /// A compact text form of the IR, for tests, debugging and the architecture guide: one statement a line,
    /// nested blocks indented, phis and loop variables spelled out.
    /// </summary>
    internal static class IrPrinter
    {
        public static string Print(Block block)
        {
            var sb = new StringBuilder();
            Print(block, sb, 0);
            return sb.ToString();
        }

        private static void Print(Block block, StringBuilder sb, int depth)
        {
            foreach (var s in block.Statements)
            {
                Print(s, sb, depth);
            }
        }

        private static void Line(StringBuilder sb, int depth, string text) => sb.Append(' ', depth * 2).Append(text).Append('\n');

        /// <summary>An expression as C#, without <c>global::System.</c> (for messages: SD1006 prints a buffer's length).</summary>
        public static string PrintExpression(Expr e) => E(e);

        private static string E(Expr e) => ExprPrinter.Print(e).Replace("global::System.", string.Empty);

        private static void Print(Stmt s, StringBuilder sb, int depth)
        {
            switch (s)
            {
                case Let l:
                    Line(sb, depth, $"let {l.Name}: {l.Type.Keyword()} = {E(l.Value)}");
                    break;
                case If i:
                    Line(sb, depth, $"if {E(i.Condition)}");
                    Print(i.Then, sb, depth + 1);
                    foreach (var p in i.Phis)
                    {
                        Line(sb, depth + 1, $"yield {p.Name} = {E(p.WhenTrue)}");
                    }

                    Line(sb, depth, "else");
                    Print(i.Else, sb, depth + 1);
                    foreach (var p in i.Phis)
                    {
                        Line(sb, depth + 1, $"yield {p.Name} = {E(p.WhenFalse)}");
                    }

                    Line(sb, depth, "end");
                    break;
                case Loop l:
                    Line(sb, depth, "loop " + string.Join(", ", l.Carried.Select(v => $"{v.Name} = {E(v.Init)}")) + $" while {E(l.Condition)}");
                    Print(l.Body, sb, depth + 1);
                    Line(sb, depth + 1, "next " + string.Join(", ", l.Carried.Select(v => $"{v.Name} = {E(v.Next)}")));
                    Line(sb, depth, "end");
                    break;
                case Return r:
                    Line(sb, depth, $"return {E(r.Value)}");
                    break;
                case Declare d:
                    Line(sb, depth, $"declare {d.Name}: {d.Type.Keyword()}");
                    break;
                case Assign a:
                    Line(sb, depth, $"{a.Name} = {E(a.Value)}");
                    break;
                case RentBuffer r:
                    Line(sb, depth, $"rent {r.Name}: {r.Type.Keyword()}[{E(r.Length)}]");
                    break;
                case ClearBuffer c:
                    Line(sb, depth, $"clear {c.Target}");
                    break;
                case Comment c:
                    Line(sb, depth, "// " + c.Text);
                    break;
                case Invoke i:
                    Line(sb, depth, E(i.Call));
                    break;
                case Store st:
                    Line(sb, depth, $"{st.Array}[{E(st.Index)}] = {E(st.Value)}");
                    break;
                case Accumulate a:
                    Line(sb, depth, a.Index is null ? $"{a.Target} += {E(a.Value)}" : $"{a.Target}[{E(a.Index)}] += {E(a.Value)}");
                    break;
                case SetOutput o:
                    Line(sb, depth, $"out {o.Target} = {E(o.Value)}");
                    break;
                case CallWithGradient c:
                    Line(sb, depth, $"let {c.Name}, {string.Join(", ", c.Partials.Where(p => p.Length > 0))} = {c.Call.Callee.Name}Gradient({string.Join(", ", c.Call.Args.Select(E))})");
                    break;
                case CallWithDerivative d:
                    Line(sb, depth, $"let {d.Name}, {d.Tangent} = {d.Call.Callee.Name}Derivative({string.Join(", ", d.Call.Args.Concat(d.Tangents).Select(E))})");
                    break;
                default:
                    Line(sb, depth, s.GetType().Name);
                    break;
            }
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using System.Text;
using SymDiff.Generator.Analysis;
using SymDiff.Generator.Emit;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.IR
{
    /// <summary>
    /// The text of <c>FGraph</c>: the expression graph a method was differentiated from, in PyTorch's words. The
    /// leaves (<c>is_leaf</c>: the active parameters) and the data come first; then one node a line, in the order the
    /// lowered IR computes them, each with the operation that produced it (<c>grad_fn</c>, named like PyTorch's:
    /// <c>MulBackward</c>) or why it has none (<c>data</c>, <c>detached</c>), and <c>retained</c> for
    /// <c>Grad.Retain</c>. Branches and loops are indented as in <see cref="IrPrinter"/>. Only names and literals, so
    /// the text is the same on every build; one pass over the IR, so it costs about as much as printing it.
    /// </summary>
    internal static class GraphPrinter
    {
        /// <summary>The longest graph text; a larger one ends with a line saying it was cut.</summary>
        internal const int MaxLength = 32 * 1024;

        public static string Print(MethodSpec spec, Block body, Activity activity, IReadOnlyDictionary<string, string> retainedLets)
        {
            var sb = new StringBuilder();
            var output = spec.Parameters.FirstOrDefault(p => p.Shape == ParamShape.OutputSpan);
            sb.Append(spec.Name).Append('(')
                .Append(string.Join(", ", spec.Parameters.Select(p => Type(p.TypeCode) + " " + p.Name)))
                .Append(") -> ").Append(output is null ? spec.Scalar.Keyword() : output.Name).Append('\n');
            sb.Append("leaves (is_leaf, requires_grad): ").Append(List(spec.Parameters.Where(p => p.Active).Select(p => p.Name))).Append('\n');
            sb.Append("data (requires_grad = false): ").Append(List(spec.Parameters.Where(p => !p.Active && p.Shape != ParamShape.OutputSpan).Select(p => p.Name))).Append('\n');
            if (retainedLets.Count > 0)
            {
                sb.Append("retained (retain_grad): ").Append(List(spec.Retained.Select(r => r.Display))).Append('\n');
            }

            sb.Append("nodes:\n");
            new Writer(sb, activity, retainedLets).Block(body, 1);
            if (sb.Length > MaxLength)
            {
                sb.Length = MaxLength;
                sb.Length = sb.ToString().LastIndexOf('\n') + 1;
                sb.Append("... (cut at ").Append(MaxLength).Append(" characters)\n");
            }

            return sb.ToString();
        }

        private static string List(IEnumerable<string> names)
        {
            string text = string.Join(", ", names);
            return text.Length == 0 ? "none" : text;
        }

        private static string Type(string typeCode) => typeCode.Replace("global::System.", string.Empty).Replace("global::", string.Empty);

        private sealed class Writer
        {
            private readonly StringBuilder _sb;
            private readonly Activity _activity;
            private readonly IReadOnlyDictionary<string, string> _retained;

            public Writer(StringBuilder sb, Activity activity, IReadOnlyDictionary<string, string> retained)
            {
                _sb = sb;
                _activity = activity;
                _retained = retained;
            }

            public void Block(Block block, int depth)
            {
                foreach (var s in block.Statements)
                {
                    Statement(s, depth);
                }
            }

            private void Line(int depth, string text) => _sb.Append(' ', depth * 2).Append(text).Append('\n');

            private void Statement(Stmt s, int depth)
            {
                switch (s)
                {
                    case Let l:
                        Node(depth, l.Name, l.Value, _retained.ContainsKey(l.Name));
                        break;
                    case If i:
                        Line(depth, "if " + E(i.Condition));
                        Block(i.Then, depth + 1);
                        if (i.Else.Statements.Count > 0)
                        {
                            Line(depth, "else");
                            Block(i.Else, depth + 1);
                        }

                        Line(depth, "end");
                        foreach (var p in i.Phis)
                        {
                            // The value after the branch: PyTorch's torch.where over the two branches' values.
                            Node(depth, p.Name, new Cond(i.Condition, p.WhenTrue, p.WhenFalse, p.Type), retained: false);
                        }

                        break;
                    case Loop l:
                        var active = l.Carried.Where(v => _activity.IsActiveVar(v.Name)).Select(v => v.Name).ToList();
                        var data = l.Carried.Where(v => !_activity.IsActiveVar(v.Name)).Select(v => v.Name).ToList();
                        Line(depth, "loop " + string.Join(", ", l.Carried.Select(v => v.Name + " = " + E(v.Init))) + " while " + E(l.Condition)
                            + "  (carried: " + List(active) + "; data: " + List(data) + ")");
                        Block(l.Header, depth + 1);
                        Block(l.Body, depth + 1);
                        Line(depth + 1, "next " + string.Join(", ", l.Carried.Select(v => v.Name + " = " + E(v.Next))));
                        Line(depth, "end");
                        break;
                    case Return r:
                        Node(depth, "return", r.Value, retained: false);
                        break;
                    case Store st:
                        Node(depth, st.Array + "[" + E(st.Index) + "]", st.Value, retained: false);
                        break;
                    case RentBuffer buffer:
                        Line(depth, buffer.Name + " = new " + buffer.Type.Keyword() + "[" + E(buffer.Length) + "]  (local buffer" + (_activity.IsActiveArray(buffer.Name) ? ", requires_grad" : ", data") + ")");
                        break;
                    case ClearBuffer or ClearArray:
                        Line(depth, (s is ClearBuffer cb ? cb.Target : ((ClearArray)s).Name) + " = zeros  (a fresh buffer each iteration)");
                        break;
                    default:
                        Line(depth, s.GetType().Name);
                        break;
                }
            }

            private void Node(int depth, string name, Expr value, bool retained)
            {
                string assign = name == "return" ? "return " : name + " = ";
                if (retained && value is Call { Function: KnownFunction.Retain } r)
                {
                    value = r.Args[0];
                }

                string what;
                if (!_activity.IsActive(value))
                {
                    what = Detaches(value) ? "detached" : "data";
                }
                else if (value is Var v)
                {
                    what = "the node " + v.Name;
                }
                else
                {
                    what = "grad_fn: " + GradFn(value);
                }

                Line(depth, assign + E(value) + "  (" + what + (retained ? ", retained" : string.Empty) + ")");
            }

            /// <summary>The operation that produced a value, named like PyTorch's backward nodes.</summary>
            private static string GradFn(Expr e) => e switch
            {
                Binary { Op: BinaryOp.Add } => "AddBackward",
                Binary { Op: BinaryOp.Sub } => "SubBackward",
                Binary { Op: BinaryOp.Mul } => "MulBackward",
                Binary { Op: BinaryOp.Div } => "DivBackward",
                Binary { Op: BinaryOp.Rem } => "RemainderBackward",
                Unary { Op: UnaryOp.Neg } => "NegBackward",
                Unary { Op: UnaryOp.Convert } u => "To" + u.Type.Keyword() + "Backward",
                Cond => "WhereBackward",
                Call c => Rules.MathFunctions.Of(c.Function).Name + "Backward",
                UserCall c => c.Callee.Name + "Backward",
                Elem => "SelectBackward",
                _ => e.GetType().Name + "Backward",
            };

            /// <summary>Whether a value reads <c>Grad.Detach</c>: data because a gradient was cut there, not because its inputs are data.</summary>
            private static bool Detaches(Expr e) => e is Call { Function: KnownFunction.Detach } || Walk.Children(e).Any(Detaches);

            private static string E(Expr e) => ExprPrinter.Print(e).Replace("global::System.", string.Empty).Replace("global::SymDiff.", string.Empty).Replace("global::", string.Empty);
        }
    }
}

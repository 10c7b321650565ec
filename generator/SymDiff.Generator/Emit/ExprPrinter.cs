using System;
using System.Linq;
using System.Text;
using SymDiff.Generator.IR;
using SymDiff.Generator.Rules;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.Emit
{
    /// <summary>
    /// Prints IR expressions as C#. Parentheses follow the tree exactly (a right operand of equal precedence is
    /// parenthesised), so the printed code performs the same floating-point operations in the same order.
    /// </summary>
    internal static class ExprPrinter
    {
        private const int Conditional = 1;
        private const int LogicalOr = 2;
        private const int LogicalAnd = 3;
        private const int Equality = 4;
        private const int Relational = 5;
        private const int Additive = 6;
        private const int Multiplicative = 7;
        private const int UnaryLevel = 8;
        private const int Primary = 9;

        public static string Print(Expr e)
        {
            // One builder per thread for the outermost call: the text is built once, not concatenated again at every
            // level of the tree (a deep expression was quadratic in allocations).
            var text = t_builder ?? new StringBuilder();
            t_builder = null;
            try
            {
                text.Clear();
                Append(text, e);
                return text.ToString();
            }
            finally
            {
                if (text.Capacity <= 1 << 16)
                {
                    t_builder = text;
                }
            }
        }

        [ThreadStatic]
        private static StringBuilder? t_builder;

        private static void Append(StringBuilder text, Expr e)
        {
            Limits.EnsureStack();
            switch (e)
            {
                case Const c:
                    text.Append(Literals.Of(c));
                    break;
                case Var v:
                    text.Append(Identifiers.Escape(v.Name));
                    break;
                case Opaque o:
                    text.Append(o.Code);
                    break;
                case SpanRef r:
                    text.Append(Identifiers.Escape(r.Array));
                    break;
                case SpanView { Row: true } s:
                    text.Append("global::SymDiff.Checks.Row(").Append(Identifiers.Escape(s.Array)).Append(", ");
                    Append(text, s.Start);
                    text.Append(", ");
                    Append(text, s.Length);
                    text.Append(')');
                    break;
                case SpanView s when s.OverArray:
                    text.Append("new global::System.").Append(s.ReadOnly ? "ReadOnlySpan<" : "Span<").Append(s.Element.Keyword()).Append(">(").Append(Identifiers.Escape(s.Array)).Append(", ");
                    Append(text, s.Start);
                    text.Append(", ");
                    Append(text, s.Length);
                    text.Append(')');
                    break;
                case SpanView s:
                    text.Append(Identifiers.Escape(s.Array)).Append(".Slice(");
                    Append(text, s.Start);
                    if (!SpanArguments.ToEnd(s))
                    {
                        text.Append(", ");
                        Append(text, s.Length);
                    }

                    text.Append(')');
                    break;
                case Len l:
                    text.Append(Identifiers.Escape(l.Array)).Append(".Length");
                    break;
                case Elem el:
                    text.Append(Identifiers.Escape(el.Array)).Append('[');
                    Append(text, el.Index);
                    text.Append(']');
                    break;
                case Unary { Op: UnaryOp.Neg } u:
                    text.Append('-');
                    Operand(text, u.Operand, UnaryLevel, right: true);
                    break;
                case Unary { Op: UnaryOp.Not } u:
                    text.Append('!');
                    Operand(text, u.Operand, UnaryLevel, right: true);
                    break;
                case Unary { Op: UnaryOp.Convert } u:
                    text.Append('(').Append(u.Type.Keyword()).Append(')');
                    Operand(text, u.Operand, Primary, right: false);
                    break;
                case Binary b:
                    Operand(text, b.Left, Precedence(b), right: false);
                    text.Append(' ').Append(Symbol(b.Op)).Append(' ');
                    Operand(text, b.Right, Precedence(b), right: true);
                    break;
                case IR.Cond c:
                    Operand(text, c.Condition, LogicalOr, right: false);
                    text.Append(" ? ");
                    Operand(text, c.WhenTrue, Conditional, right: true);
                    text.Append(" : ");
                    Operand(text, c.WhenFalse, Conditional, right: true);
                    break;
                case Call c:
                    text.Append(MathType(c)).Append('.').Append(MathFunctions.Of(c.Function).Name).Append('(');
                    Arguments(text, c.Args);
                    text.Append(')');
                    break;
                case UserCall c:
                    AppendCallTarget(text, c, string.Empty);
                    text.Append('(');
                    Arguments(text, c.Args);
                    text.Append(')');
                    break;
                case TupleItem t:
                    Operand(text, t.Tuple, Primary, right: false);
                    text.Append(".Item").Append((t.Index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    throw new InvalidOperationException("Cannot print " + e.GetType().Name);
            }
        }

        private static void Arguments(StringBuilder text, EquatableArray<Expr> args)
        {
            for (int i = 0; i < args.Count; i++)
            {
                if (i > 0)
                {
                    text.Append(", ");
                }

                Append(text, args[i]);
            }
        }

        /// <summary>The callee of a user call with a suffix on its name (<c>Gradient</c>, <c>Backward</c>...).</summary>
        public static string CallTarget(UserCall c, string suffix)
        {
            if (c.Receiver is null)
            {
                return c.Callee.Qualified(suffix);
            }

            var text = new StringBuilder();
            AppendCallTarget(text, c, suffix);
            return text.ToString();
        }

        private static void AppendCallTarget(StringBuilder text, UserCall c, string suffix)
        {
            if (c.Receiver is null)
            {
                text.Append(c.Callee.Qualified(suffix));
                return;
            }

            Operand(text, c.Receiver, Primary, right: false);
            text.Append('.').Append(c.Callee.Name).Append(suffix);
        }

        private static string MathType(Call c)
        {
            bool single = c.Type == ValType.Float || (c.Type == ValType.Int && c.Args.Count > 0 && c.Args[0].Type == ValType.Float);
            return MathFunctions.Of(c.Function).PrintedClass(single);
        }

        private static void Operand(StringBuilder text, Expr e, int parent, bool right)
        {
            int own = Precedence(e);
            bool parens = right ? own <= parent : own < parent;
            if (e is Binary { Op: BinaryOp.And } && parent == LogicalOr)
            {
                // a && b || c is legal, but everyone reads it better as (a && b) || c.
                parens = true;
            }

            if (e is Unary && parent == UnaryLevel)
            {
                // "- -x" and "--x" are not what anyone wants to read; "-(-x)" is.
                parens = true;
            }

            if (parens)
            {
                text.Append('(');
                Append(text, e);
                text.Append(')');
            }
            else
            {
                Append(text, e);
            }
        }

        private static int Precedence(Expr e) => e switch
        {
            Const c when c.Value < 0 || (c.Value == 0 && double.IsNegativeInfinity(1 / c.Value)) => UnaryLevel,
            Const or Var or Opaque or Len or Elem or Call or UserCall or TupleItem or SpanRef or SpanView => Primary,
            Unary => UnaryLevel,
            Binary b => Precedence(b),
            IR.Cond => Conditional,
            _ => Primary,
        };

        private static int Precedence(Binary b) => b.Op switch
        {
            BinaryOp.Mul or BinaryOp.Div or BinaryOp.Rem => Multiplicative,
            BinaryOp.Add or BinaryOp.Sub => Additive,
            BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge => Relational,
            BinaryOp.Eq or BinaryOp.Ne => Equality,
            BinaryOp.And => LogicalAnd,
            _ => LogicalOr,
        };

        private static string Symbol(BinaryOp op) => op switch
        {
            BinaryOp.Add => "+",
            BinaryOp.Sub => "-",
            BinaryOp.Mul => "*",
            BinaryOp.Div => "/",
            BinaryOp.Rem => "%",
            BinaryOp.Lt => "<",
            BinaryOp.Le => "<=",
            BinaryOp.Gt => ">",
            BinaryOp.Ge => ">=",
            BinaryOp.Eq => "==",
            BinaryOp.Ne => "!=",
            BinaryOp.And => "&&",
            _ => "||",
        };
    }
}

using System;
using System.Linq;
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
            Limits.EnsureStack();
            return PrintNode(e);
        }

        private static string PrintNode(Expr e) => e switch
        {
            Const c => Literals.Of(c),
            Var v => Identifiers.Escape(v.Name),
            Opaque o => o.Code,
            SpanRef r => Identifiers.Escape(r.Array),
            SpanView { Row: true } s => "global::SymDiff.Checks.Row(" + Identifiers.Escape(s.Array) + ", " + Print(s.Start) + ", " + Print(s.Length) + ")",
            SpanView s => s.OverArray
                ? "new global::System." + (s.ReadOnly ? "ReadOnlySpan<" : "Span<") + s.Element.Keyword() + ">(" + Identifiers.Escape(s.Array) + ", " + Print(s.Start) + ", " + Print(s.Length) + ")"
                : Identifiers.Escape(s.Array) + ".Slice(" + Print(s.Start) + (SpanArguments.ToEnd(s) ? string.Empty : ", " + Print(s.Length)) + ")",
            Len l => Identifiers.Escape(l.Array) + ".Length",
            Elem el => Identifiers.Escape(el.Array) + "[" + Print(el.Index) + "]",
            Unary { Op: UnaryOp.Neg } u => "-" + Operand(u.Operand, UnaryLevel, right: true),
            Unary { Op: UnaryOp.Not } u => "!" + Operand(u.Operand, UnaryLevel, right: true),
            Unary { Op: UnaryOp.Convert } u => "(" + u.Type.Keyword() + ")" + Operand(u.Operand, Primary, right: false),
            Binary b => Operand(b.Left, Precedence(b), right: false) + " " + Symbol(b.Op) + " " + Operand(b.Right, Precedence(b), right: true),
            IR.Cond c => Operand(c.Condition, LogicalOr, right: false) + " ? " + Operand(c.WhenTrue, Conditional, right: true) + " : " + Operand(c.WhenFalse, Conditional, right: true),
            Call c => MathType(c) + "." + MathFunctions.Of(c.Function).Name + "(" + string.Join(", ", c.Args.Select(Print)) + ")",
            UserCall c => CallTarget(c, string.Empty) + "(" + string.Join(", ", c.Args.Select(Print)) + ")",
            TupleItem t => Operand(t.Tuple, Primary, right: false) + ".Item" + (t.Index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => throw new InvalidOperationException("Cannot print " + e.GetType().Name),
        };

        /// <summary>The callee of a user call with a suffix on its name (<c>Gradient</c>, <c>Backward</c>...).</summary>
        public static string CallTarget(UserCall c, string suffix) =>
            c.Receiver is null ? c.Callee.Qualified(suffix) : Operand(c.Receiver, Primary, right: false) + "." + c.Callee.Name + suffix;

        private static string MathType(Call c)
        {
            bool single = c.Type == ValType.Float || (c.Type == ValType.Int && c.Args.Count > 0 && c.Args[0].Type == ValType.Float);
            return MathFunctions.Of(c.Function).PrintedClass(single);
        }

        private static string Operand(Expr e, int parent, bool right)
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

            string text = Print(e);
            return parens ? "(" + text + ")" : text;
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

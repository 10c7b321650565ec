using System.Linq;

namespace SymDiff.Generator.IR
{
    /// <summary>Whether an expression or a statement names a variable or an array anywhere (shared by lowering, the differentiator's rules and the scheduler).</summary>
    internal static class Mentions
    {
        /// <summary>Whether <paramref name="e"/> reads <paramref name="name"/>: a variable, an element, the length, the whole array, or C# text naming it.</summary>
        public static bool In(Expr e, string name) => Walk.Contains(e, x => x switch
        {
            Var v => v.Name == name,
            Elem el => el.Array == name,
            Len len => len.Array == name,
            SpanRef span => span.Array == name,
            SpanView view => view.Array == name,
            Opaque o => System.Text.RegularExpressions.Regex.IsMatch(o.Code, @"(?<![\w.@])@?" + System.Text.RegularExpressions.Regex.Escape(name) + @"(?!\w)"), // C# text (a member read): by name
            _ => false,
        });

        /// <summary>Whether a statement (nested blocks included) names the buffer anywhere; conservative.</summary>
        public static bool In(Stmt s, string buffer)
        {
            switch (s)
            {
                case Accumulate a when a.Target == buffer:
                case Store st when st.Array == buffer:
                case ClearBuffer c when c.Target == buffer:
                case CopySpan cp when cp.Source == buffer || cp.Target == buffer:
                case SetOutput o when o.Target == buffer:
                case RentBuffer r when r.Name == buffer:
                case ClearArray ca when ca.Name == buffer:
                case EnsureCapacity e when e.Name == buffer:
                case Assign asg when asg.Name == buffer:
                    return true;
            }

            return Walk.AllExpressions(s).Any(e => In(e, buffer))
                || Walk.Blocks(s).Any(b => b.Statements.Any(x => In(x, buffer)));
        }
    }
}

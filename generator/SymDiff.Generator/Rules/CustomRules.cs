using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Rules
{
    /// <summary>
    /// The partial derivatives of a function with a <c>[DerivativeOf]</c> rule, as calls of the rule: its result for
    /// one argument, the items of its tuple for k arguments. Forward and reverse mode both use this. A rule that is
    /// itself <c>[Differentiable]</c> is called as one, so second order can differentiate through it.
    /// </summary>
    internal static class CustomRules
    {
        /// <summary>
        /// The rule for <paramref name="call"/>, or null. A rule the method cannot call (it is private elsewhere) is
        /// reported here (SD0016) and not returned; <paramref name="reported"/> says so, so the caller adds nothing more.
        /// </summary>
        public static RuleSpec? Find(System.Collections.Generic.IReadOnlyList<RuleSpec> rules, UserCall call, MethodSpec spec, System.Collections.Generic.List<Diagnostics.DiagnosticInfo> diagnostics, out bool reported)
        {
            reported = false;
            var rule = rules.FirstOrDefault(r => r.Matches(call.Callee));
            if (rule is null || rule.IsAccessibleFrom(spec))
            {
                return rule;
            }

            reported = true;
            diagnostics.Add(Diagnostics.DiagnosticInfo.AtSite(
                Diagnostics.DiagnosticDescriptors.DerivativeRuleInaccessible,
                call.Callee.Site,
                rule.RuleTarget.Replace("global::", string.Empty) + "." + rule.RuleName,
                call.Callee.DisplayName,
                spec.DisplayName));
            return null;
        }

        public static Expr[] Partials(RuleSpec rule, UserCall call)
        {
            var callee = new CalleeSpec(
                rule.RuleIsDifferentiable ? CalleeKind.Differentiable : CalleeKind.Plain,
                rule.RuleName,
                rule.RuleTarget,
                call.Callee.ParameterNames,
                rule.RuleIsDifferentiable ? call.Args.Select(_ => true).ToEquatableArray() : EquatableArray<bool>.Empty,
                call.Callee.ParameterTypes,
                call.Callee.Site);
            int arity = call.Args.Count;
            var ruleCall = new UserCall(callee, call.Receiver, call.Args, arity == 1 ? call.Type : ValType.Tuple);
            return Enumerable.Range(0, arity).Select(i => arity == 1 ? (Expr)ruleCall : new TupleItem(ruleCall, i, call.Type)).ToArray();
        }
    }
}

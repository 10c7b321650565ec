using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Model;
using SymDiff.Generator.Rules;

namespace SymDiff.Generator.Parsing
{
    /// <summary>One <c>[DerivativeOf]</c> method as the rules step sees it: the rule (null when unusable), where it is, and what to report about it alone.</summary>
    /// <remarks><see cref="Location"/> travels beside the rule, never inside it, so moving a rule re-differentiates nothing.</remarks>
    internal sealed record RuleEntry(RuleSpec? Rule, LocationInfo? Location, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>
    /// Reads a <c>[DerivativeOf(typeof(T), nameof(T.F))]</c> method into a <see cref="RuleSpec"/>. A rule that does not
    /// fit its function (SD0009-SD0012, which the analyzer reports) is left out, so generated code never calls it; a rule
    /// for a <c>Math</c> function with a built-in derivative is reported here (SD0018) and left out too.
    /// </summary>
    internal static class RuleParser
    {
        public static RuleEntry ParseSafely(GeneratorAttributeSyntaxContext context, CancellationToken ct)
        {
            var location = LocationInfo.From(context.TargetSymbol.Locations.FirstOrDefault());
            try
            {
                return Parse(context.TargetSymbol as IMethodSymbol, context.Attributes, location, new KnownTypes(context.SemanticModel.Compilation));
            }
            catch (System.Exception e) when (e is not System.OperationCanceledException)
            {
                return new RuleEntry(null, location, EquatableArray.Create(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, location, context.TargetSymbol.Name, e.GetType().Name + ": " + e.Message)));
            }
        }

        public static RuleEntry Parse(IMethodSymbol? rule, ImmutableArray<AttributeData> attributes, LocationInfo? location, KnownTypes known)
        {
            var none = new RuleEntry(null, location, EquatableArray<DiagnosticInfo>.Empty);
            var attribute = attributes.FirstOrDefault();
            if (rule is null || attribute is null || attribute.ConstructorArguments.Length != 2
                || attribute.ConstructorArguments[0].Value is not INamedTypeSymbol type || attribute.ConstructorArguments[1].Value is not string name)
            {
                return none;
            }

            var format = SymbolDisplayFormat.FullyQualifiedFormat;
            string functionTarget = type.ToDisplayString(format);
            if (KnownTypes.IsNumber(type) || known.IsMathClass(type))
            {
                if (MathFunctions.IsMathName(name))
                {
                    var builtIn = DiagnosticInfo.Create(DiagnosticDescriptors.DerivativeRuleForBuiltIn, location, type.Name + "." + name, rule.Name);
                    return new RuleEntry(null, location, EquatableArray.Create(builtIn));
                }
            }

            if (!Fits(rule, type, name))
            {
                return none;
            }

            var spec = new RuleSpec(
                functionTarget,
                name,
                rule.Parameters.Select(p => p.Type.ToDisplayString(format)).ToEquatableArray(),
                rule.ContainingType.ToDisplayString(format),
                rule.Name,
                rule.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownNames.DifferentiableAttribute))
            {
                AccessibleWithin = AccessibleWithin(rule, format),
            };
            return new RuleEntry(spec, location, EquatableArray<DiagnosticInfo>.Empty);
        }

        /// <summary>
        /// The checks of SD0009-SD0012 (the analyzer reports them): the rule is static, <c>T.F</c> exists with the rule's
        /// parameter types, and the rule returns <c>F</c>'s type (one argument) or a tuple of it (k arguments).
        /// </summary>
        internal static bool Fits(IMethodSymbol rule, INamedTypeSymbol type, string name)
        {
            if (!rule.IsStatic || type.TypeKind == TypeKind.Error)
            {
                return false;
            }

            var target = type.GetMembers(name).OfType<IMethodSymbol>().FirstOrDefault(c => c.MethodKind == MethodKind.Ordinary
                && c.Parameters.Length == rule.Parameters.Length && c.Parameters.Length > 0
                && c.Parameters.Zip(rule.Parameters, (a, b) => SymbolEqualityComparer.Default.Equals(a.Type, b.Type)).All(same => same));
            if (target is null)
            {
                return false;
            }

            if (target.Parameters.Length == 1)
            {
                return SymbolEqualityComparer.Default.Equals(rule.ReturnType, target.ReturnType);
            }

            return rule.ReturnType is INamedTypeSymbol { IsTupleType: true } tuple
                && tuple.TupleElements.Length == target.Parameters.Length
                && tuple.TupleElements.All(e => SymbolEqualityComparer.Default.Equals(e.Type, target.ReturnType));
        }

        /// <summary>
        /// The innermost type outside of which the rule cannot be called (a private or protected rule, or one in a private
        /// or protected type), as <c>global::N.T</c>; null when the whole compilation can call it.
        /// </summary>
        private static string? AccessibleWithin(IMethodSymbol rule, SymbolDisplayFormat format)
        {
            ISymbol? limited = null;
            for (ISymbol? s = rule; s is not null and not INamespaceSymbol; s = s.ContainingSymbol)
            {
                if (limited is null && s.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal)
                {
                    limited = s.ContainingType;
                }
            }

            return limited?.ToDisplayString(format);
        }
    }

    /// <summary>
    /// The rules of a compilation, one per function: a second rule for the same function is an error (SD0017) at that
    /// rule, and the first in ordinal order is the one used. Pure; the locations only serve the diagnostics.
    /// </summary>
    internal static class RuleTable
    {
        public static EquatableArray<RuleSpec> Rules(ImmutableArray<RuleEntry> entries) => Resolve(entries).Rules;

        /// <summary>The rules of functions <paramref name="spec"/> calls: all differentiation reads, so editing another rule re-runs nothing.</summary>
        public static EquatableArray<RuleSpec> Called(MethodSpec spec, EquatableArray<RuleSpec> rules)
        {
            if (rules.Count == 0)
            {
                return rules;
            }

            var callees = new List<CalleeSpec>();
            void Visit(IR.Expr e)
            {
                var pending = new Stack<IR.Expr>();
                pending.Push(e);
                while (pending.Count > 0)
                {
                    var x = pending.Pop();
                    if (x is IR.UserCall call)
                    {
                        callees.Add(call.Callee);
                    }

                    foreach (var c in IR.Walk.Children(x))
                    {
                        pending.Push(c);
                    }
                }
            }

            void VisitStatements(IEnumerable<SourceStmt> statements)
            {
                foreach (var s in statements)
                {
                    switch (s)
                    {
                        case SourceAssign a:
                            Visit(a.Value);
                            break;
                        case SourceStore st:
                            Visit(st.Index);
                            Visit(st.Value);
                            break;
                        case SourceReturn { Value: { } value }:
                            Visit(value);
                            break;
                        case SourceIf i:
                            Visit(i.Condition);
                            VisitStatements(i.Then);
                            VisitStatements(i.Else);
                            break;
                        case SourceLoop l:
                            Visit(l.Condition);
                            VisitStatements(l.Body);
                            VisitStatements(l.Increment);
                            break;
                    }
                }
            }

            VisitStatements(spec.Body);
            return rules.Where(r => callees.Any(r.Matches)).ToEquatableArray();
        }

        public static EquatableArray<DiagnosticInfo> Diagnostics(ImmutableArray<RuleEntry> entries) => Resolve(entries).Diagnostics;

        private static (EquatableArray<RuleSpec> Rules, EquatableArray<DiagnosticInfo> Diagnostics) Resolve(ImmutableArray<RuleEntry> entries)
        {
            var diagnostics = entries.SelectMany(e => e.Diagnostics).ToList();
            var rules = new List<RuleSpec>();
            foreach (var group in entries.Where(e => e.Rule is not null)
                .OrderBy(e => e.Rule!.RuleTarget + "." + e.Rule.RuleName, System.StringComparer.Ordinal)
                .GroupBy(e => e.Rule!.FunctionTarget + "." + e.Rule.FunctionName + "(" + string.Join(",", e.Rule.ParameterTypes) + ")"))
            {
                var first = group.First();
                rules.Add(first.Rule!);
                foreach (var other in group.Skip(1))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateDerivativeRule, other.Location, first.Rule!.FunctionName, first.Rule.RuleTarget.Replace("global::", string.Empty) + "." + first.Rule.RuleName));
                }
            }

            return (rules.ToEquatableArray(), diagnostics.ToEquatableArray());
        }
    }
}

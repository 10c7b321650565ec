using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.Parsing
{
    /// <summary>
    /// What a caller needs to know about a <c>[Differentiable]</c> callee's body, read from its syntax: which parameters
    /// can reach its result through a derivative path, and whether it has argument checks.
    /// </summary>
    /// <remarks>
    /// Conservative by construction: a parameter counts as influencing when a backward slice from the returned values
    /// over every assignment reaches it, except through positions where no gradient flows (a comparison, a condition,
    /// an index, an integer cast, a buffer's <c>Length</c>, <c>Grad.Detach</c>, a piecewise-constant function, a <c>throw</c>, <c>nameof</c>). A callee's partial for a parameter that cannot influence its result is
    /// a structural zero for the caller: no term, so an infinite partial of the caller never meets it (FINDINGS F21).
    /// Reading the callee's syntax is what the compiler's own binding of the call does; an edit to the callee re-runs
    /// the caller's parse, whose result is compared by value.
    /// </remarks>
    internal static class CalleeSummary
    {
        /// <summary>Per parameter of <paramref name="target"/>: whether it may influence the result (true when unknown).</summary>
        public static EquatableArray<bool> Influences(IMethodSymbol target)
        {
            var body = Body(target);
            if (body is null || body.DescendantNodes().Any(n => n is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax) || MayShadowCutNames(target))
            {
                return EquatableArray<bool>.Empty;
            }

            var reaching = ReachingNames(body);
            return reaching is null
                ? EquatableArray<bool>.Empty
                : target.Parameters.Select(p => reaching.Contains(p.Name)).ToEquatableArray();
        }

        /// <summary>
        /// The names whose values can reach a returned value through a derivative path: a backward slice from the
        /// <c>return</c>s over every assignment in the body, flow-insensitive (an assignment anywhere counts), so it can
        /// only say too much. Null when the body assigns something this slice cannot follow (a member, a tuple, an
        /// <c>out</c> or <c>ref</c> argument, a <c>ref</c> local).
        /// </summary>
        private static HashSet<string>? ReachingNames(SyntaxNode body)
        {
            var assignments = new Dictionary<string, List<SyntaxNode>>(StringComparer.Ordinal);
            void Assign(string name, SyntaxNode value)
            {
                if (!assignments.TryGetValue(name, out var list))
                {
                    assignments[name] = list = new List<SyntaxNode>();
                }

                list.Add(value);
            }

            var work = new Queue<SyntaxNode>();
            if (body is ArrowExpressionClauseSyntax arrow)
            {
                work.Enqueue(arrow.Expression);
            }

            foreach (var node in body.DescendantNodes())
            {
                switch (node)
                {
                    case ReturnStatementSyntax { Expression: { } returned }:
                        work.Enqueue(returned);
                        break;
                    case VariableDeclaratorSyntax { Initializer: { } initializer } declarator:
                        if (declarator.Parent is VariableDeclarationSyntax { Type: RefTypeSyntax })
                        {
                            return null;
                        }

                        Assign(declarator.Identifier.ValueText, initializer.Value);
                        if (IsSpanAlias(declarator, initializer.Value) && RootName(initializer.Value) is { } viewed && viewed != declarator.Identifier.ValueText)
                        {
                            // A span local over another span or buffer: a write through it is a write of what it views
                            // ('Span<double> row = h.Slice(0, 2); row[0] = x * x; return h[0];').
                            Assign(viewed, SyntaxFactory.IdentifierName(declarator.Identifier.ValueText));
                        }

                        break;
                    case ForEachStatementSyntax loop:
                        Assign(loop.Identifier.ValueText, loop.Expression);
                        break;
                    case AssignmentExpressionSyntax assignment:
                        switch (assignment.Left)
                        {
                            case IdentifierNameSyntax name:
                                Assign(name.Identifier.ValueText, assignment.Right);
                                break;
                            case ElementAccessExpressionSyntax { Expression: IdentifierNameSyntax array }:
                                Assign(array.Identifier.ValueText, assignment.Right);
                                break;
                            default:
                                return null;
                        }

                        break;
                    case ExpressionStatementSyntax { Expression: InvocationExpressionSyntax call }:
                        // A vector function's call writes its output argument from every argument (conservative).
                        foreach (var argument in call.ArgumentList.Arguments)
                        {
                            if (RootName(argument.Expression) is { } written)
                            {
                                Assign(written, call);
                            }
                            else if (!IsPlainValue(argument.Expression))
                            {
                                return null; // an argument whose root this slice cannot name may be the written output
                            }
                        }

                        break;
                    case ArgumentSyntax { RefKindKeyword.RawKind: not 0 }:
                    case RefExpressionSyntax:
                    case DeclarationExpressionSyntax:
                    case SingleVariableDesignationSyntax: // 'x is double d', 'out var d', deconstruction: assigned without '='
                        return null;
                }
            }

            var reaching = new HashSet<string>(StringComparer.Ordinal);
            while (work.Count > 0)
            {
                foreach (var id in work.Dequeue().DescendantNodesAndSelf().OfType<IdentifierNameSyntax>())
                {
                    if (!IsCut(id) && reaching.Add(id.Identifier.ValueText) && assignments.TryGetValue(id.Identifier.ValueText, out var values))
                    {
                        foreach (var value in values)
                        {
                            work.Enqueue(value);
                        }
                    }
                }
            }

            return reaching;
        }

        /// <summary>
        /// A declaration of a span local (its type says <c>Span</c>, or its value is a <c>Slice</c>, <c>AsSpan</c> or range):
        /// an alias of what it views.
        /// </summary>
        private static bool IsSpanAlias(VariableDeclaratorSyntax declarator, ExpressionSyntax value) =>
            (declarator.Parent is VariableDeclarationSyntax { Type: var type } && type.ToString().Contains("Span"))
            || Stripped(value) is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Slice" or "AsSpan" } }
            || Stripped(value) is ElementAccessExpressionSyntax { ArgumentList.Arguments: { Count: 1 } a } && Stripped(a[0].Expression) is RangeExpressionSyntax;

        /// <summary>An argument that cannot be a written span: a literal, or arithmetic and calls whose root no name has.</summary>
        private static bool IsPlainValue(ExpressionSyntax e) => Stripped(e) is LiteralExpressionSyntax or BinaryExpressionSyntax or PrefixUnaryExpressionSyntax
            or InvocationExpressionSyntax or MemberAccessExpressionSyntax or ThisExpressionSyntax;

        /// <summary>The expression inside parentheses, <c>checked(...)</c>, casts and <c>!</c> (a span argument's root looks through all of them).</summary>
        private static ExpressionSyntax Stripped(ExpressionSyntax e) => SyntaxShapes.Unparenthesized(e) switch
        {
            CastExpressionSyntax c => Stripped(c.Expression),
            PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression } n => Stripped(n.Operand),
            var inner => inner!,
        };

        /// <summary>
        /// Whether the callee's assembly declares a type, or its file an alias, named like the functions this slice cuts by
        /// spelling (<c>Math</c>, <c>MathF</c>, <c>Grad</c>): then <c>Math.Round(x)</c> may be the user's own function, which a
        /// gradient flows through (an audit's edge case); the summary says nothing.
        /// </summary>
        private static bool MayShadowCutNames(IMethodSymbol target) =>
            target.ContainingAssembly.TypeNames.Any(n => n is "Math" or "MathF" or "Grad")
            || target.DeclaringSyntaxReferences.Any(r => r.SyntaxTree.GetRoot().DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax)
                .OfType<UsingDirectiveSyntax>().Any(u => u.Alias?.Name.Identifier.ValueText is "Math" or "MathF" or "Grad"));

        /// <summary>The variable a span argument views: <c>h</c> in <c>h</c>, <c>h.Slice(a, n)</c> or <c>h[a..b]</c>, in parentheses or a cast or not.</summary>
        private static string? RootName(ExpressionSyntax e) => Stripped(e) switch
        {
            IdentifierNameSyntax name => name.Identifier.ValueText,
            InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Slice" or "AsSpan", Expression: var inner } } => RootName(inner),
            ElementAccessExpressionSyntax { Expression: var inner } => RootName(inner),
            _ => null,
        };

        /// <summary>Whether the callee's body can throw (an argument check): its call is then kept even when its value is not used (FINDINGS F22).</summary>
        public static bool HasGuards(IMethodSymbol target)
        {
            var body = Body(target);
            // A throw, or a throw helper called as a statement (ArgumentOutOfRangeException.ThrowIfNegative(n);).
            return body is null || body.DescendantNodes().Any(n => n is ThrowStatementSyntax or ThrowExpressionSyntax
                || n is ExpressionStatementSyntax { Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: var name } } } && name.StartsWith("Throw", System.StringComparison.Ordinal));
        }

        /// <summary>
        /// Whether a partial of the callee may be infinite at finite arguments: its body calls a function of
        /// <see cref="Rules.MathFunctions"/> that says so (<c>Sqrt'(0)</c>, <c>Cbrt'(0)</c>, <c>Asin'(1)</c>), or any method
        /// this summary cannot see into (another method, a rule, a spelling it does not know). A caller's forward mode then
        /// routes a data span passed to a parameter the callee differentiates through the callee's Backward, not through
        /// its Derivative with a zero tangent span (0 * inf = NaN; FINDINGS F66).
        /// </summary>
        public static bool MayHaveInfinitePartial(IMethodSymbol target)
        {
            var body = Body(target);
            if (body is null || MayShadowCutNames(target))
            {
                return true;
            }

            foreach (var call in body.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (IsCutFunction(call.Expression))
                {
                    continue;
                }

                if (call.Expression is MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "Math" or "MathF" } or PredefinedTypeSyntax } math)
                {
                    if (SingularFunctions.Contains(math.Name.Identifier.ValueText))
                    {
                        return true;
                    }

                    continue;
                }

                return true;
            }

            return false;
        }

        /// <summary>The names of the math functions with a partial that may be infinite at a finite argument (a row's flag).</summary>
        private static readonly HashSet<string> SingularFunctions = new HashSet<string>(
            Rules.MathFunctions.All.Where(f => f.MayHaveInfinitePartial).Select(f => f.Name), StringComparer.Ordinal);

        private static SyntaxNode? Body(IMethodSymbol target)
        {
            if (target.DeclaringSyntaxReferences.Length != 1 || target.DeclaringSyntaxReferences[0].GetSyntax() is not MethodDeclarationSyntax declaration)
            {
                return null;
            }

            return (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody;
        }

        /// <summary>Whether the identifier is not a read of a value, or a read where no gradient flows.</summary>
        private static bool IsCut(IdentifierNameSyntax identifier)
        {
            SyntaxNode node = identifier;
            if (node.Parent is MemberAccessExpressionSyntax member && member.Name == node)
            {
                return true; // x.p: a member named like the parameter
            }

            if (node.Parent is NameColonSyntax or NameEqualsSyntax)
            {
                return true;
            }

            if (node.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Length" or "Count" or "IsEmpty" } length && length.Expression == node)
            {
                return true; // sp.Length: an integer, no gradient flows (FINDINGS F54)
            }

            while (node.Parent is { } parent)
            {
                switch (parent)
                {
                    case BinaryExpressionSyntax b when b.Kind() is SyntaxKind.EqualsExpression or SyntaxKind.NotEqualsExpression
                        or SyntaxKind.LessThanExpression or SyntaxKind.LessThanOrEqualExpression or SyntaxKind.GreaterThanExpression
                        or SyntaxKind.GreaterThanOrEqualExpression or SyntaxKind.LogicalAndExpression or SyntaxKind.LogicalOrExpression
                        or SyntaxKind.IsExpression:
                    case IsPatternExpressionSyntax:
                    case ThrowStatementSyntax:
                    case ThrowExpressionSyntax:
                    case BracketedArgumentListSyntax:
                        return true;
                    case ConditionalExpressionSyntax c when c.Condition == node:
                    case IfStatementSyntax s when s.Condition == node:
                    case WhileStatementSyntax w when w.Condition == node:
                    case DoStatementSyntax d when d.Condition == node:
                    case ForStatementSyntax f when f.Condition == node:
                        return true;
                    case CastExpressionSyntax cast when cast.Type is PredefinedTypeSyntax t && IsIntegral(t.Keyword.Kind()):
                        return true;
                    case InvocationExpressionSyntax call when call.ArgumentList == node && IsCutFunction(call.Expression):
                        return true;
                    case StatementSyntax:
                    case ArrowExpressionClauseSyntax:
                        return false;
                }

                node = parent;
            }

            return false;
        }

        private static bool IsIntegral(SyntaxKind kind) => kind is SyntaxKind.IntKeyword or SyntaxKind.LongKeyword or SyntaxKind.ShortKeyword
            or SyntaxKind.ByteKeyword or SyntaxKind.UIntKeyword or SyntaxKind.ULongKeyword or SyntaxKind.UShortKeyword or SyntaxKind.SByteKeyword
            or SyntaxKind.BoolKeyword or SyntaxKind.StringKeyword;

        /// <summary><c>nameof</c>, <c>Grad.Detach</c> and the piecewise-constant functions of API.md: no derivative flows through them.</summary>
        private static bool IsCutFunction(ExpressionSyntax callee) => callee switch
        {
            IdentifierNameSyntax { Identifier.ValueText: "nameof" } => true,
            MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "Grad" }, Name.Identifier.ValueText: "Detach" } => true,
            MemberAccessExpressionSyntax { Expression: var receiver, Name.Identifier.ValueText: "Floor" or "Ceiling" or "Round" or "Truncate" or "Sign" }
                => receiver is IdentifierNameSyntax { Identifier.ValueText: "Math" or "MathF" } or PredefinedTypeSyntax,
            _ => false,
        };
    }
}

using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using SymDiff.Generator.Diagnostics;

namespace SymDiff.Analyzers
{
    /// <summary>
    /// Checks every <c>[DerivativeOf(typeof(T), nameof(T.F))]</c> rule against its function: SD0009, <c>T.F</c> exists;
    /// SD0010, the rule takes exactly <c>F</c>'s parameters; SD0011, it returns <c>F</c>'s type for one argument and a
    /// k-tuple of it for k arguments; SD0012, it is static. The generator matches rules by these facts, so a rule that
    /// fails one of them is silently never used, or makes generated code that does not compile.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class DerivativeRuleAnalyzer : DiagnosticAnalyzer
    {
        private static readonly SymbolDisplayFormat s_typeFormat = SymbolDisplayFormat.CSharpErrorMessageFormat;

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            DiagnosticDescriptors.DerivativeRuleTargetNotFound,
            DiagnosticDescriptors.DerivativeRuleParameters,
            DiagnosticDescriptors.DerivativeRuleReturnType,
            DiagnosticDescriptors.DerivativeRuleNotStatic);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var known = KnownSymbols.TryCreate(start.Compilation);
                if (known?.DerivativeOf is null)
                {
                    return; // SymDiff is not referenced
                }

                start.RegisterSymbolAction(symbol => AnalyzeMethod(symbol, known), SymbolKind.Method);
            });
        }

        private static void AnalyzeMethod(SymbolAnalysisContext context, KnownSymbols known)
        {
            var rule = (IMethodSymbol)context.Symbol;
            var attribute = rule.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, known.DerivativeOf));

            // We only care about [DerivativeOf] methods whose attribute the compiler accepted.
            if (attribute is null || attribute.ConstructorArguments.Length != 2
                || attribute.ConstructorArguments[0].Value is not INamedTypeSymbol type || type.TypeKind == TypeKind.Error
                || attribute.ConstructorArguments[1].Value is not string name)
            {
                return;
            }

            var nameLocation = rule.Locations.FirstOrDefault();
            if (!rule.IsStatic)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DerivativeRuleNotStatic, nameLocation, rule.Name));
            }

            var candidates = type.GetMembers(name).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();
            if (candidates.Count == 0)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.DerivativeRuleTargetNotFound,
                    MethodNameArgumentLocation(attribute, context.CancellationToken) ?? nameLocation,
                    type.ToDisplayString(s_typeFormat),
                    name));
                return;
            }

            var target = candidates.FirstOrDefault(c => c.Parameters.Length == rule.Parameters.Length
                && c.Parameters.Zip(rule.Parameters, (a, b) => SymbolEqualityComparer.Default.Equals(a.Type, b.Type)).All(same => same));
            if (target is null)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.DerivativeRuleParameters,
                    nameLocation,
                    rule.Name,
                    ParameterTypes(rule),
                    type.Name + "." + name,
                    string.Join(" or ", candidates.Select(c => "(" + ParameterTypes(c) + ")"))));
                return;
            }

            int arity = target.Parameters.Length;
            if (arity == 0 || IsExpectedReturn(rule.ReturnType, target.ReturnType, arity))
            {
                return;
            }

            string element = target.ReturnType.ToDisplayString(s_typeFormat);
            string expected = arity == 1
                ? $"'{element}', the derivative"
                : $"'({string.Join(", ", Enumerable.Repeat(element, arity))})', one partial derivative per argument in argument order";
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.DerivativeRuleReturnType,
                ReturnTypeLocation(rule, context.CancellationToken) ?? nameLocation,
                rule.Name,
                rule.ReturnType.ToDisplayString(s_typeFormat),
                type.Name + "." + name,
                expected));
        }

        private static bool IsExpectedReturn(ITypeSymbol actual, ITypeSymbol element, int arity)
        {
            if (arity == 1)
            {
                return SymbolEqualityComparer.Default.Equals(actual, element);
            }

            return actual is INamedTypeSymbol { IsTupleType: true } tuple
                && tuple.TupleElements.Length == arity
                && tuple.TupleElements.All(e => SymbolEqualityComparer.Default.Equals(e.Type, element));
        }

        private static string ParameterTypes(IMethodSymbol method) =>
            string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(s_typeFormat)));

        private static Location? MethodNameArgumentLocation(AttributeData attribute, System.Threading.CancellationToken ct) =>
            attribute.ApplicationSyntaxReference?.GetSyntax(ct) is AttributeSyntax { ArgumentList.Arguments: { Count: 2 } arguments }
                ? arguments[1].GetLocation()
                : null;

        private static Location? ReturnTypeLocation(IMethodSymbol method, System.Threading.CancellationToken ct) =>
            method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) is MethodDeclarationSyntax declaration
                ? declaration.ReturnType.GetLocation()
                : null;
    }
}

using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Parsing;

namespace SymDiff.Analyzers
{
    /// <summary>
    /// SD2007, the forgotten <c>[NoGrad]</c>: a call to a generated <c>FGradient</c> or <c>FBackward</c> that leaves out
    /// trailing gradient arguments, every one of which belongs to a parameter of <c>F</c> that is differentiated only
    /// because it is not marked <c>[NoGrad]</c> (data spans, typically). The compiler says CS7036 ("no argument given
    /// that corresponds to the required parameter 'dX'") at the call; this says why the parameter is there.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class GeneratedCallAnalyzer : DiagnosticAnalyzer
    {
        private static readonly string[] Suffixes = { "Gradient", "Backward" };

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(DiagnosticDescriptors.MissingGradientArguments);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var known = KnownSymbols.TryCreate(start.Compilation);
                if (known is null)
                {
                    return; // SymDiff is not referenced
                }

                // A syntax action: the call does not bind, so there is no invocation operation to register for.
                start.RegisterSyntaxNodeAction(c => Analyze(c, known), SyntaxKind.InvocationExpression);
            });
        }

        private static void Analyze(SyntaxNodeAnalysisContext context, KnownSymbols known)
        {
            var invocation = (InvocationExpressionSyntax)context.Node;
            var name = invocation.Expression switch
            {
                MemberAccessExpressionSyntax member => member.Name,
                SimpleNameSyntax simple => simple,
                _ => null,
            };

            // We only care about calls that fail to bind, to a method SymDiff generated.
            if (name is null || !Suffixes.Any(s => name.Identifier.ValueText.EndsWith(s, System.StringComparison.Ordinal))
                || invocation.ArgumentList.Arguments.Any(a => a.NameColon is not null))
            {
                return;
            }

            var info = context.SemanticModel.GetSymbolInfo(invocation, context.CancellationToken);
            if (info.Symbol is not null || info.CandidateReason != CandidateReason.OverloadResolutionFailure)
            {
                return;
            }

            int given = invocation.ArgumentList.Arguments.Count;
            foreach (var candidate in info.CandidateSymbols.OfType<IMethodSymbol>())
            {
                if (candidate.Parameters.Length > given && known.IsGeneratedBySymDiff(candidate)
                    && Missing(candidate, given, known) is { } missing)
                {
                    string list = Join(missing);
                    bool one = missing.Count == 1;
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.MissingGradientArguments,
                        name.GetLocation(),
                        candidate.Name,
                        list,
                        missing[0].ContainingSymbol.Name,
                        one ? "is" : "are",
                        one ? "it" : "them"));
                    return;
                }
            }
        }

        /// <summary>
        /// The parameters of the differentiable method behind <paramref name="generated"/> whose gradient arguments are
        /// the ones not given (all trailing), when each is differentiated by default (no <c>[Differentiable(...)]</c> list)
        /// and nothing else is missing; otherwise null.
        /// </summary>
        private static List<IParameterSymbol>? Missing(IMethodSymbol generated, int given, KnownSymbols known)
        {
            string suffix = Suffixes.First(s => generated.Name.EndsWith(s, System.StringComparison.Ordinal));
            string original = generated.Name.Substring(0, generated.Name.Length - suffix.Length);
            var differentiable = generated.ContainingType.GetMembers(original).OfType<IMethodSymbol>()
                .FirstOrDefault(m => KnownSymbols.HasAttribute(m, known.Differentiable) && generated.Parameters.Length > m.Parameters.Length);
            if (differentiable is null || !Parser.ReadWrt(differentiable).IsEmpty)
            {
                return null; // with [Differentiable(nameof(...))] the user chose the parameters
            }

            var byGradientName = new Dictionary<string, IParameterSymbol>(System.StringComparer.Ordinal);
            foreach (var p in differentiable.Parameters)
            {
                if (!byGradientName.ContainsKey(GradientName(p.Name)))
                {
                    byGradientName.Add(GradientName(p.Name), p);
                }
            }

            var missing = new List<IParameterSymbol>();
            foreach (var parameter in generated.Parameters.Skip(given))
            {
                if (!byGradientName.TryGetValue(parameter.Name, out var source))
                {
                    return null; // something other than a gradient is missing: the compiler's error says enough
                }

                missing.Add(source);
            }

            // A call that gives no gradient buffer at all has lost an argument earlier in the list (a vector method's
            // Backward takes the output span before the seed), not a [NoGrad]: the compiler's error is the right one.
            int gradients = generated.Parameters.Count(p => byGradientName.ContainsKey(p.Name));
            return missing.Count > 0 && missing.Count < gradients ? missing : null;
        }

        /// <summary>The generated gradient parameter's name for <paramref name="name"/> (API.md section 7): <c>weights</c> -> <c>dWeights</c>, as the generator names it.</summary>
        private static string GradientName(string name) => SymDiff.Generator.Differentiation.DerivativeNames.Gradient(name);

        private static string Join(List<IParameterSymbol> parameters)
        {
            var quoted = parameters.Select(p => "'" + p.Name + "'").ToList();
            return quoted.Count == 1 ? quoted[0] : string.Join(", ", quoted.Take(quoted.Count - 1)) + " and " + quoted[quoted.Count - 1];
        }
    }
}

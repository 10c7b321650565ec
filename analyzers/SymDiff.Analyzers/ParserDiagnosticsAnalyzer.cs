using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Parsing;

namespace SymDiff.Analyzers
{
    /// <summary>
    /// SD0001 (containing type not partial) and SD1001 (a leaf parameter modified, every write): errors the generator's
    /// parser finds, reported here instead of by the generator so that their code fixes run in <c>dotnet format
    /// analyzers</c> as well as in the IDE (<c>dotnet format</c> fixes analyzer diagnostics only). It runs the
    /// generator's own parser on the same declaration and reports exactly the diagnostics the generator leaves out
    /// (<see cref="AnalyzerReported"/>), so each is reported once.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ParserDiagnosticsAnalyzer : DiagnosticAnalyzer
    {
        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
            ImmutableArray.Create(DiagnosticDescriptors.NotPartial, DiagnosticDescriptors.LeafMutation);

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                if (KnownSymbols.TryCreate(start.Compilation) is null)
                {
                    return; // SymDiff is not referenced
                }

                start.RegisterSyntaxNodeAction(Analyze, SyntaxKind.MethodDeclaration);
            });
        }

        private static void Analyze(SyntaxNodeAnalysisContext context)
        {
            var syntax = (MethodDeclarationSyntax)context.Node;

            // We only care about [Differentiable] methods: attributed here, or the body of a partial method attributed elsewhere.
            if ((syntax.AttributeLists.Count == 0 && !syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                || context.SemanticModel.GetDeclaredSymbol(syntax, context.CancellationToken) is not IMethodSymbol method
                || !BodyOwner.IsParsedDeclaration(method, syntax))
            {
                return;
            }

            ParseResult parsed;
            try
            {
                parsed = Parser.Parse(method, syntax, context.SemanticModel, context.CancellationToken);
            }
            catch (System.Exception e) when (e is not System.OperationCanceledException)
            {
                return; // the generator turns the same failure into SD9001
            }

            foreach (var diagnostic in parsed.Diagnostics)
            {
                if (AnalyzerReported.Contains(diagnostic.Id))
                {
                    context.ReportDiagnostic(diagnostic.ToDiagnostic(context.SemanticModel.Compilation));
                }
            }
        }
    }
}

using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Parsing;

namespace SymDiff.Analyzers
{
    /// <summary>SD0001, a containing type that is not partial: see <see cref="ParserDiagnosticsAnalyzer"/>.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class NotPartialAnalyzer : ParserDiagnosticsAnalyzer
    {
        public NotPartialAnalyzer()
            : base(DiagnosticDescriptors.NotPartial)
        {
        }
    }

    /// <summary>SD1001, every write to a leaf parameter: see <see cref="ParserDiagnosticsAnalyzer"/>.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class LeafMutationAnalyzer : ParserDiagnosticsAnalyzer
    {
        public LeafMutationAnalyzer()
            : base(DiagnosticDescriptors.LeafMutation)
        {
        }
    }

    /// <summary>
    /// SD0001 (containing type not partial) and SD1001 (a leaf parameter modified, every write): errors the generator's
    /// parser finds, reported by analyzers instead of by the generator so that their code fixes run in <c>dotnet format
    /// analyzers</c> as well as in the IDE (<c>dotnet format</c> fixes analyzer diagnostics only). Each runs the
    /// generator's own parser on the same declaration and reports exactly the diagnostics of its ID that the generator
    /// leaves out (<see cref="AnalyzerReported"/>), so each is reported once.
    /// </summary>
    /// <remarks>
    /// One analyzer per ID: <c>dotnet format</c> runs the analyzers that support the ID it fixes and hands the code fix
    /// the first diagnostic they report, whatever its ID. With SD0001 and SD1001 in one analyzer, the SD0001 fix was
    /// sometimes handed an SD1001 diagnostic, offered nothing, and dotnet format skipped SD0001 ("didn't return a Fix All
    /// action"), depending on the order of the diagnostics.
    /// </remarks>
    public abstract class ParserDiagnosticsAnalyzer : DiagnosticAnalyzer
    {
        private readonly DiagnosticDescriptor _descriptor;

        private protected ParserDiagnosticsAnalyzer(DiagnosticDescriptor descriptor)
        {
            _descriptor = descriptor;
            SupportedDiagnostics = ImmutableArray.Create(descriptor);
        }

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; }

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

                start.RegisterSyntaxNodeAction(c => Analyze(c, _descriptor.Id), SyntaxKind.MethodDeclaration);
            });
        }

        private static void Analyze(SyntaxNodeAnalysisContext context, string id)
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
                parsed = BodyOwner.Parse(method, syntax, context.SemanticModel, context.CancellationToken);
            }
            catch (System.Exception e) when (e is not System.OperationCanceledException)
            {
                return; // the generator turns the same failure into SD9001
            }

            foreach (var diagnostic in parsed.Diagnostics)
            {
                if (diagnostic.Id == id && AnalyzerReported.Contains(id))
                {
                    context.ReportDiagnostic(diagnostic.ToDiagnostic(context.SemanticModel.Compilation));
                }
            }
        }
    }
}

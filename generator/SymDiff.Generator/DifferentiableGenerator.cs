using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Differentiation;
using SymDiff.Generator.Emit;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Model;
using SymDiff.Generator.Parsing;

namespace SymDiff.Generator
{
    /// <summary>Names of the tracked pipeline steps, for incremental-caching tests.</summary>
    internal static class TrackingNames
    {
        public const string Parse = nameof(Parse);
        public const string Rules = nameof(Rules);
        public const string Differentiate = nameof(Differentiate);
        public const string Emit = nameof(Emit);
    }

    /// <summary>One generated file and the diagnostics of its method.</summary>
    internal sealed record GeneratedFile(string? HintName, string? Text, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>
    /// The SymDiff source generator: for every <c>[Differentiable]</c> method, a file with its generated
    /// derivative methods. Each step below works on value-equatable models, so an edit that does not change a
    /// method's model re-runs nothing after parsing.
    /// </summary>
    [Generator(LanguageNames.CSharp)]
    public sealed class DifferentiableGenerator : IIncrementalGenerator
    {
        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // Parse: Roslyn symbols and operations -> MethodSpec. Runs when the method's syntax tree changes.
            var methods = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KnownNames.DifferentiableAttribute,
                    static (node, _) => node is MethodDeclarationSyntax,
                    static (ctx, ct) => ParseSafely(ctx, ct))
                .WithTrackingName(TrackingNames.Parse);

            // Custom derivative rules anywhere in the compilation, as one equatable list.
            var rules = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KnownNames.DerivativeOfAttribute,
                    static (node, _) => node is MethodDeclarationSyntax,
                    static (ctx, _) => RuleParser.Parse(ctx.TargetSymbol as IMethodSymbol, ctx.Attributes))
                .Where(static r => r is not null)
                .Select(static (r, _) => r!)
                .Collect()
                .Select(static (all, _) => all.OrderBy(r => r.RuleTarget + "." + r.RuleName, System.StringComparer.Ordinal).ToEquatableArray())
                .WithTrackingName(TrackingNames.Rules);

            // Differentiate: lower, differentiate, simplify, schedule. Cached while the spec and the rules are equal.
            var derivatives = methods
                .Combine(rules)
                .Select(static (pair, _) => Differentiate(pair.Left, pair.Right))
                .WithTrackingName(TrackingNames.Differentiate);

            // Emit: model -> text, inside the pipeline so the text is cached too.
            var files = derivatives
                .Select(static (d, _) => d.Set is null ? new GeneratedFile(null, null, d.Diagnostics) : new GeneratedFile(d.Set.HintName, Emitter.Emit(d.Set), d.Diagnostics))
                .WithTrackingName(TrackingNames.Emit);

            context.RegisterSourceOutput(files, static (spc, file) =>
            {
                if (file.HintName is not null && file.Text is not null)
                {
                    spc.AddSource(file.HintName, SourceText.From(file.Text, System.Text.Encoding.UTF8));
                }
            });

            // Diagnostics go out separately, with the compilation, so each lands in its syntax tree (#pragma works,
            // editors underline it). Only this cheap step depends on the whole compilation.
            var diagnostics = files.Select(static (f, _) => f.Diagnostics).Where(static d => d.Count > 0).Combine(context.CompilationProvider);
            context.RegisterSourceOutput(diagnostics, static (spc, pair) =>
            {
                foreach (var diagnostic in pair.Left)
                {
                    spc.ReportDiagnostic(diagnostic.ToDiagnostic(pair.Right));
                }
            });
        }

        /// <summary>The result of the differentiate step: the set to emit (if any) and every diagnostic of the method.</summary>
        internal sealed record DifferentiateResult(DerivativeSet? Set, EquatableArray<DiagnosticInfo> Diagnostics);

        private static ParseResult ParseSafely(GeneratorAttributeSyntaxContext context, CancellationToken ct)
        {
            var method = (IMethodSymbol)context.TargetSymbol;
            try
            {
                // A partial method's body is in its implementing part, which need not carry the attribute.
                var owner = BodyOwner.Find(method, (MethodDeclarationSyntax)context.TargetNode, context.SemanticModel, ct);
                return Parser.Parse(owner.Method, owner.Syntax, owner.Model, ct);
            }
            catch (System.Exception e) when (e is not System.OperationCanceledException)
            {
                var location = LocationInfo.From(((MethodDeclarationSyntax)context.TargetNode).Identifier.GetLocation());
                return new ParseResult(null, false, EquatableArray.Create(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, location, method.Name, e.GetType().Name + ": " + e.Message.TrimEnd('.'))));
            }
        }

        internal static DifferentiateResult Differentiate(ParseResult parsed, EquatableArray<RuleSpec> rules)
        {
            if (parsed.Spec is null)
            {
                return new DifferentiateResult(null, AnalyzerReported.GeneratorReported(parsed.Diagnostics));
            }

            var result = DerivativeBuilder.Build(parsed.Spec, parsed.BodyIsValid, rules);
            var all = parsed.Diagnostics.Concat(result.Diagnostics).ToEquatableArray();

            // SD0001 and SD1001 are the analyzers' to report (AnalyzerReported); the stubs they cause stay uncallable.
            return new DifferentiateResult(AnalyzerReported.MarkStubs(result.Set, parsed, all), AnalyzerReported.GeneratorReported(all));
        }
    }
}

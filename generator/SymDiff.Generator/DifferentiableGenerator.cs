using System.Collections.Generic;
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
    /// <remarks>
    /// The generator never throws into the compiler: every per-method step (parse, rule parse, differentiate, emit)
    /// turns an exception into SD9001 naming the method, and one method's failure never removes another's output.
    /// </remarks>
    [Generator(LanguageNames.CSharp)]
    public sealed class DifferentiableGenerator : IIncrementalGenerator
    {
        /// <inheritdoc />
        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            // Parse: Roslyn symbols and operations -> MethodSpec. Runs when the method's syntax tree changes. Every node
            // carrying the attribute comes here, so one on a property accessor, an operator or a local function is reported.
            var methods = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KnownNames.DifferentiableAttribute,
                    static (_, _) => true,
                    static (ctx, ct) => ParseSafely(ctx, ct))
                .WithTrackingName(TrackingNames.Parse);

            // Custom derivative rules anywhere in the compilation, as one equatable list (positions travel separately).
            var ruleEntries = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    KnownNames.DerivativeOfAttribute,
                    static (node, _) => node is MethodDeclarationSyntax,
                    static (ctx, ct) => RuleParser.ParseSafely(ctx, ct))
                .Collect();
            var rules = ruleEntries
                .Select(static (all, _) => RuleTable.Rules(all))
                .WithTrackingName(TrackingNames.Rules);
            var ruleDiagnostics = ruleEntries
                .Select(static (all, _) => RuleTable.Diagnostics(all))
                .Combine(context.CompilationProvider);
            context.RegisterSourceOutput(ruleDiagnostics, static (spc, pair) => Report(spc, pair.Left, pair.Right));

            // Differentiate: lower, differentiate, simplify, schedule. Cached while the spec and the rules are equal.
            var derivatives = methods
                .Combine(rules)
                .Select(static (pair, ct) => Differentiate(pair.Left, pair.Right, ct))
                .WithTrackingName(TrackingNames.Differentiate);

            // Emit: model -> text, inside the pipeline so the text is cached too.
            var files = derivatives
                .Select(static (d, _) => EmitSafely(d))
                .WithTrackingName(TrackingNames.Emit);

            // Two methods can share a hint name only in code that does not compile (two identical declarations while
            // typing); the first keeps it, so the rest of the output stays.
            context.RegisterSourceOutput(files.Collect(), static (spc, all) =>
            {
                var added = new HashSet<string>(System.StringComparer.Ordinal);
                foreach (var file in all)
                {
                    if (file.HintName is not null && file.Text is not null && added.Add(file.HintName))
                    {
                        spc.AddSource(file.HintName, SourceText.From(file.Text, System.Text.Encoding.UTF8));
                    }
                }
            });

            // Diagnostics go out separately, with the compilation, so each lands in its syntax tree (#pragma works,
            // editors underline it). Only this cheap step depends on the whole compilation.
            var diagnostics = files.Select(static (f, _) => f.Diagnostics).Where(static d => d.Count > 0).Combine(context.CompilationProvider);
            context.RegisterSourceOutput(diagnostics, static (spc, pair) => Report(spc, pair.Left, pair.Right));
        }

        /// <summary>The result of the differentiate step: the set to emit (if any) and every diagnostic of the method.</summary>
        /// <param name="Method">The method's display name and location, for SD9001 if emitting fails.</param>
        internal sealed record DifferentiateResult(DerivativeSet? Set, EquatableArray<DiagnosticInfo> Diagnostics, string Method = "", LocationInfo? Location = null);

        private static void Report(SourceProductionContext context, EquatableArray<DiagnosticInfo> diagnostics, Compilation compilation)
        {
            foreach (var diagnostic in diagnostics)
            {
                context.ReportDiagnostic(diagnostic.ToDiagnostic(compilation));
            }
        }

        private static ParseResult ParseSafely(GeneratorAttributeSyntaxContext context, CancellationToken ct)
        {
            var location = LocationInfo.From(context.TargetSymbol.Locations.FirstOrDefault());
            try
            {
                if (context.TargetNode is not MethodDeclarationSyntax declaration || context.TargetSymbol is not IMethodSymbol method)
                {
                    var attribute = context.Attributes.FirstOrDefault()?.ApplicationSyntaxReference?.GetSyntax(ct);
                    var unsupported = DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedMember, LocationInfo.From(attribute) ?? location, DescribeMember(context.TargetNode));
                    return new ParseResult(null, false, EquatableArray.Create(unsupported));
                }

                // A partial method's body is in its implementing part, which need not carry the attribute.
                // A body nested deeper than the compiler's thread can walk recursively is read on a large stack.
                var owner = BodyOwner.Find(method, declaration, context.SemanticModel, ct);
                return BodyOwner.Parse(owner.Method, owner.Syntax, owner.Model, ct);
            }
            catch (System.InsufficientExecutionStackException)
            {
                return new ParseResult(null, false, EquatableArray.Create(DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, location, context.TargetSymbol.ContainingType.Name + "." + context.TargetSymbol.Name, "its expressions are nested too deeply to read")));
            }
            catch (System.Exception e) when (e is not System.OperationCanceledException)
            {
                return new ParseResult(null, false, EquatableArray.Create(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, location, context.TargetSymbol.Name, e.GetType().Name + ": " + e.Message)));
            }
        }

        private static string DescribeMember(SyntaxNode node) => node switch
        {
            AccessorDeclarationSyntax { Parent.Parent: IndexerDeclarationSyntax } => "an indexer accessor",
            AccessorDeclarationSyntax => "a property or event accessor",
            OperatorDeclarationSyntax or ConversionOperatorDeclarationSyntax => "an operator",
            LocalFunctionStatementSyntax => "a local function",
            AnonymousFunctionExpressionSyntax => "a lambda",
            ConstructorDeclarationSyntax or DestructorDeclarationSyntax => "a constructor or finalizer",
            _ => "this kind of member",
        };

        internal static DifferentiateResult Differentiate(ParseResult parsed, EquatableArray<RuleSpec> rules, CancellationToken cancellation = default)
        {
            if (parsed.Spec is null)
            {
                return new DifferentiateResult(null, AnalyzerReported.GeneratorReported(parsed.Diagnostics));
            }

            // DerivativeBuilder guards itself; this catch is the last line, for a failure before it starts.
            try
            {
                var spec = parsed.Spec;
                var result = spec.IsDeep
                    ? Limits.OnDeepStack(() => DerivativeBuilder.Build(spec, parsed.BodyIsValid, rules, cancellation))
                    : DerivativeBuilder.Build(spec, parsed.BodyIsValid, rules, cancellation);
                var all = parsed.Diagnostics.Concat(result.Diagnostics).ToEquatableArray();

                // SD0001 and SD1001 are the analyzers' to report (AnalyzerReported); the stubs they cause stay uncallable.
                return new DifferentiateResult(AnalyzerReported.MarkStubs(result.Set, parsed, all), AnalyzerReported.GeneratorReported(all), parsed.Spec.DisplayName, parsed.Spec.Location);
            }
            catch (System.Exception e) when (e is not System.OperationCanceledException)
            {
                var failure = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, parsed.Spec.Location, parsed.Spec.DisplayName, e.GetType().Name + ": " + e.Message);
                return new DifferentiateResult(null, AnalyzerReported.GeneratorReported(parsed.Diagnostics.Concat(new[] { failure }).ToEquatableArray()));
            }
        }

        internal static GeneratedFile EmitSafely(DifferentiateResult result)
        {
            if (result.Set is null)
            {
                return new GeneratedFile(null, null, result.Diagnostics);
            }

            try
            {
                var set = result.Set;
                string text = set.IsDeep ? Limits.OnDeepStack(() => Emitter.Emit(set)) : Emitter.Emit(set);
                return new GeneratedFile(set.HintName, text, result.Diagnostics);
            }
            catch (System.InsufficientExecutionStackException)
            {
                var failure = DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, result.Location, result.Method, "its generated code is nested too deeply to write");
                return new GeneratedFile(null, null, result.Diagnostics.Concat(new[] { failure }).ToEquatableArray());
            }
            catch (System.Exception e) when (e is not System.OperationCanceledException)
            {
                var failure = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, result.Location, result.Method, e.GetType().Name + " while writing the generated code: " + e.Message);
                return new GeneratedFile(null, null, result.Diagnostics.Concat(new[] { failure }).ToEquatableArray());
            }
        }
    }
}

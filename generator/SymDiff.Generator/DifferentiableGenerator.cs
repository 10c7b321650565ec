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
        public const string Inputs = nameof(Inputs);
        public const string Differentiate = nameof(Differentiate);
        public const string Emit = nameof(Emit);
    }

    /// <summary>One generated file and the diagnostics of its method (at sites, placed by the last step).</summary>
    /// <param name="Key">The method's hint name, which the last step matches its parse result by, also when no file is made.</param>
    internal sealed record GeneratedFile(string Key, string? HintName, string? Text, EquatableArray<DiagnosticInfo> Diagnostics);

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
            context.RegisterSourceOutput(ruleDiagnostics, static (spc, pair) =>
            {
                foreach (var diagnostic in pair.Left)
                {
                    spc.ReportDiagnostic(diagnostic.ToDiagnostic(pair.Right));
                }
            });

            // What differentiation reads: the position-free spec, and only the rules the method calls. Inserting a line
            // above a method or editing a rule it does not call leaves this equal, so nothing after it re-runs.
            // CheckFinite: the attribute's value when written, else the project's SymDiffCheckFinite. Only a checked method's
            // spec takes its statements' positions (Check), so every other method stays cached when lines move.
            var checkFiniteProject = context.AnalyzerConfigOptionsProvider
                .Select(static (options, _) => CheckFiniteSwitch(options.GlobalOptions));
            var inputs = methods
                .Where(static p => p.Spec is not null)
                .Combine(checkFiniteProject)
                .Select(static (pair, _) => new DifferentiateInput(WithCheck(pair.Left, pair.Right), pair.Left.BodyIsValid, pair.Left.Diagnostics.Where(static d => IsError(d.Id)).Select(static d => d.Id).ToEquatableArray(), EquatableArray<RuleSpec>.Empty))
                .Combine(rules)
                .Select(static (pair, _) => pair.Left with { Rules = RuleTable.Called(pair.Left.Spec, pair.Right) })
                .WithTrackingName(TrackingNames.Inputs);

            // Differentiate: lower, differentiate, simplify, schedule.
            var derivatives = inputs
                .Select(static (input, ct) => Differentiate(input, ct))
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

            // Diagnostics go out last, with the compilation, so each lands in its syntax tree (#pragma works, editors
            // underline it): the parser's, and those of later steps placed at the sites the parser recorded. Only this
            // cheap step sees positions and the whole compilation.
            var report = methods.Collect().Combine(files.Collect()).Combine(context.CompilationProvider);
            context.RegisterSourceOutput(report, static (spc, pair) => Report(spc, pair.Left.Left, pair.Left.Right, pair.Right));
        }

        /// <summary>The MSBuild property that turns finite checks on for a whole project (build/SymDiff.props).</summary>
        internal const string CheckFiniteProperty = "build_property.SymDiffCheckFinite";

        /// <summary>Whether the project sets <c>SymDiffCheckFinite</c> to true.</summary>
        internal static bool CheckFiniteSwitch(Microsoft.CodeAnalysis.Diagnostics.AnalyzerConfigOptions options) =>
            options.TryGetValue(CheckFiniteProperty, out var value) && string.Equals(value?.Trim(), "true", System.StringComparison.OrdinalIgnoreCase);

        /// <summary>The spec differentiation reads: with the statements' positions when the method is checked (its own <c>CheckFinite</c> wins over the project's).</summary>
        private static MethodSpec WithCheck(ParseResult parsed, bool project) =>
            (parsed.Spec!.CheckFinite ?? project) && parsed.Origins is not null ? parsed.Spec with { Check = parsed.Origins } : parsed.Spec!;

        private static bool IsError(string id) => DiagnosticDescriptors.ById(id).DefaultSeverity == DiagnosticSeverity.Error;

        /// <summary>What the differentiate step reads: no position, no Roslyn object, only the rules the method calls.</summary>
        /// <param name="ErrorIds">The IDs of the errors the parser found (analyzer-reported ones decide how stubs are marked).</param>
        internal sealed record DifferentiateInput(MethodSpec Spec, bool BodyIsValid, EquatableArray<string> ErrorIds, EquatableArray<RuleSpec> Rules);

        private static void Report(SourceProductionContext context, System.Collections.Immutable.ImmutableArray<ParseResult> methods, System.Collections.Immutable.ImmutableArray<GeneratedFile> files, Compilation compilation)
        {
            var byKey = new Dictionary<string, GeneratedFile>(System.StringComparer.Ordinal);
            foreach (var file in files)
            {
                if (!byKey.ContainsKey(file.Key))
                {
                    byKey[file.Key] = file;
                }
            }

            var reported = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (var method in methods)
            {
                var own = method.Diagnostics.AsEnumerable();
                if (method.Spec is not null && reported.Add(method.Spec.HintName) && byKey.TryGetValue(method.Spec.HintName, out var file))
                {
                    own = own.Concat(file.Diagnostics.Select(d => d.Placed(method.Sites, method.Location)));
                }

                foreach (var diagnostic in AnalyzerReported.GeneratorReported(own.Distinct().ToEquatableArray()))
                {
                    context.ReportDiagnostic(diagnostic.ToDiagnostic(compilation));
                }
            }
        }

        /// <summary>The result of the differentiate step: the set to emit (if any) and the diagnostics of later steps, at sites.</summary>
        /// <param name="Key">The method's hint name.</param>
        /// <param name="Method">The method's display name, for SD9001 if emitting fails.</param>
        internal sealed record DifferentiateResult(string Key, DerivativeSet? Set, EquatableArray<DiagnosticInfo> Diagnostics, string Method);

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
                using (Testing.PhaseTimer.Measure("parse"))
                {
                    var owner = BodyOwner.Find(method, declaration, context.SemanticModel, ct);
                    return BodyOwner.Parse(owner.Method, owner.Syntax, owner.Model, ct);
                }
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

        internal static DifferentiateResult Differentiate(DifferentiateInput input, CancellationToken cancellation = default)
        {
            var spec = input.Spec;

            // DerivativeBuilder guards itself; this catch is the last line, for a failure before it starts.
            try
            {
                var result = spec.IsDeep
                    ? Limits.OnDeepStack(() => DerivativeBuilder.Build(spec, input.BodyIsValid, input.Rules, cancellation))
                    : DerivativeBuilder.Build(spec, input.BodyIsValid, input.Rules, cancellation);

                // SD0001 and SD1001 are the analyzers' to report (AnalyzerReported); the stubs they cause stay uncallable.
                var set = AnalyzerReported.MarkStubs(result.Set, spec, input.BodyIsValid, input.ErrorIds);
                return new DifferentiateResult(spec.HintName, set, result.Diagnostics, spec.DisplayName);
            }
            catch (System.Exception e) when (e is not System.OperationCanceledException)
            {
                var failure = DiagnosticInfo.AtSite(DiagnosticDescriptors.InternalError, DiagnosticInfo.MethodSite, spec.DisplayName, e.GetType().Name + ": " + e.Message);
                return new DifferentiateResult(spec.HintName, null, EquatableArray.Create(failure), spec.DisplayName);
            }
        }

        internal static GeneratedFile EmitSafely(DifferentiateResult result)
        {
            if (result.Set is null)
            {
                return new GeneratedFile(result.Key, null, null, result.Diagnostics);
            }

            try
            {
                var set = result.Set;
                string text;
                using (Testing.PhaseTimer.Measure("emit"))
                {
                    text = set.IsDeep ? Limits.OnDeepStack(() => Emitter.Emit(set)) : Emitter.Emit(set);
                }

                return new GeneratedFile(result.Key, set.HintName, text, result.Diagnostics);
            }
            catch (System.InsufficientExecutionStackException)
            {
                var failure = DiagnosticInfo.AtSite(DiagnosticDescriptors.TooLarge, DiagnosticInfo.MethodSite, result.Method, "its generated code is nested too deeply to write");
                return new GeneratedFile(result.Key, null, null, result.Diagnostics.Concat(new[] { failure }).ToEquatableArray());
            }
            catch (System.Exception e) when (e is not System.OperationCanceledException)
            {
                var failure = DiagnosticInfo.AtSite(DiagnosticDescriptors.InternalError, DiagnosticInfo.MethodSite, result.Method, e.GetType().Name + " while writing the generated code: " + e.Message);
                return new GeneratedFile(result.Key, null, null, result.Diagnostics.Concat(new[] { failure }).ToEquatableArray());
            }
        }
    }
}

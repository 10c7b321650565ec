using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace SymDiff.Generator.Diagnostics
{
    /// <summary>Categories of SymDiff diagnostics.</summary>
    internal static class DiagnosticCategories
    {
        public const string Usage = "SymDiff.Usage";
        public const string Correctness = "SymDiff.Correctness";
        public const string Performance = "SymDiff.Performance";
        public const string Internal = "SymDiff.Internal";
    }

    /// <summary>
    /// Where each diagnostic's documentation lives: <c>docs/diagnostics/</c> of the repository whose URL is the
    /// MSBuild property <c>SymDiffRepositoryUrl</c> (Directory.Build.props), compiled in as <see cref="RepositoryInfo"/>.
    /// </summary>
    internal static class HelpLinks
    {
        public const string Base = RepositoryInfo.Url + "/blob/" + RepositoryInfo.Branch + "/docs/diagnostics/";

        public static string For(string id) => Base + id + ".md";
    }

    /// <summary>
    /// Every diagnostic SymDiff reports, in one table. IDs by family: SD0xxx declarations and signatures,
    /// SD1xxx inside a differentiable body, SD2xxx call sites and training loops, SD9xxx internal failures.
    /// Each has a page at <c>docs/diagnostics/SDxxxx.md</c> and an entry in <c>AnalyzerReleases.Unshipped.md</c>.
    /// A descriptor's message format is written once, in the descriptor: no summary repeats it (copies drifted apart).
    /// </summary>
    internal static class DiagnosticDescriptors
    {
        public const string NotPartialId = "SD0001";
        public const string UnsupportedParameterId = "SD0002";
        public const string UnsupportedReturnId = "SD0003";
        public const string UnknownWrtId = "SD0004";
        public const string MixedPrecisionId = "SD0005";
        public const string NoActiveParameterId = "SD0006";
        public const string GenericId = "SD0007";
        public const string NameClashId = "SD0008";
        public const string UnsupportedConstructId = "SD1000";
        public const string LeafMutationId = "SD1001";
        public const string NonDifferentiableCallId = "SD1004";
        public const string GradientCutId = "SD1005";
        public const string LoopStorageId = "SD1006";
        public const string SecondOrderUnsupportedId = "SD1007";
        public const string OutputReadBeforeWriteId = "SD1008";
        public const string FileLocalTypeId = "SD0013";
        public const string UnsupportedMemberId = "SD0014";
        public const string HessianOnVectorFunctionId = "SD0015";
        public const string DerivativeRuleInaccessibleId = "SD0016";
        public const string DuplicateDerivativeRuleId = "SD0017";
        public const string DerivativeRuleForBuiltInId = "SD0018";
        public const string TooLargeId = "SD1009";
        public const string RetainInLoopId = "SD1020";
        public const string RetainNotLocalId = "SD1021";
        public const string RetainNoGradientId = "SD1022";
        public const string LoopNotVectorizedId = "SD1023";
        public const string InternalErrorId = "SD9001";

        // Reported by the analyzers in analyzers/SymDiff.Analyzers (never by the generator). SD0001 and SD1001 above are
        // found by the generator's parser but reported by an analyzer too (AnalyzerReported), for dotnet format's sake.
        public const string DerivativeRuleTargetNotFoundId = "SD0009";
        public const string DerivativeRuleParametersId = "SD0010";
        public const string DerivativeRuleReturnTypeId = "SD0011";
        public const string DerivativeRuleNotStaticId = "SD0012";
        public const string PiecewiseConstantId = "SD1002";
        public const string NoInfluenceId = "SD1003";
        public const string MissingGradientResetId = "SD2001";
        public const string OptimizerBuffersAliasedId = "SD2002";
        public const string OptimizerCreatedInLoopId = "SD2003";
        public const string ResetBeforeStepId = "SD2004";
        public const string ConditionalResetId = "SD2005";
        public const string OptimizerBufferReplacedId = "SD2006";
        public const string MissingGradientArgumentsId = "SD2007";

        public static readonly DiagnosticDescriptor NotPartial = new DiagnosticDescriptor(
            NotPartialId,
            "Containing type must be partial",
            "'{0}' is [Differentiable] but its containing type '{1}' is not partial; add the 'partial' modifier so SymDiff can add the generated methods",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(NotPartialId));

        public static readonly DiagnosticDescriptor UnsupportedParameter = new DiagnosticDescriptor(
            UnsupportedParameterId,
            "Unsupported parameter",
            "Parameter '{0}' of type '{1}' is not supported in a [Differentiable] method: {2}",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(UnsupportedParameterId));

        public static readonly DiagnosticDescriptor UnsupportedReturn = new DiagnosticDescriptor(
            UnsupportedReturnId,
            "Unsupported return type",
            "'{0}' returns '{1}'; a [Differentiable] method returns double or float, or is void with exactly one Span output parameter{2}",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(UnsupportedReturnId));

        public static readonly DiagnosticDescriptor UnknownWrt = new DiagnosticDescriptor(
            UnknownWrtId,
            "Differentiable names a parameter that cannot be differentiated",
            "[Differentiable] names '{0}', {1}",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(UnknownWrtId));

        public static readonly DiagnosticDescriptor MixedPrecision = new DiagnosticDescriptor(
            MixedPrecisionId,
            "Mixed floating-point precision",
            "'{0}' mixes double and float in its signature; a [Differentiable] method is all-double or all-float",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(MixedPrecisionId));

        public static readonly DiagnosticDescriptor NoActiveParameter = new DiagnosticDescriptor(
            NoActiveParameterId,
            "No active parameter",
            "'{0}' has no parameter to differentiate with respect to: give it a double or float parameter that is not [NoGrad]{1}",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(NoActiveParameterId));

        public static readonly DiagnosticDescriptor Generic = new DiagnosticDescriptor(
            GenericId,
            "Generic differentiable method",
            "'{0}' is generic or is declared in a generic type; SymDiff does not support generics in this version",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(GenericId));

        public static readonly DiagnosticDescriptor NameClash = new DiagnosticDescriptor(
            NameClashId,
            "Generated name clashes with an existing member",
            "SymDiff cannot generate '{0}' for '{1}': the type already has a member with that name; rename one of them",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(NameClashId));

        public static readonly DiagnosticDescriptor UnsupportedConstruct = new DiagnosticDescriptor(
            UnsupportedConstructId,
            "Unsupported construct in a differentiable method",
            "{0} is not supported in a [Differentiable] method{1}",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(UnsupportedConstructId));

        public static readonly DiagnosticDescriptor LeafMutation = new DiagnosticDescriptor(
            LeafMutationId,
            "In-place mutation of a leaf parameter",
            "'{0}' is a parameter being differentiated (a leaf) and is modified here; its gradient would no longer be the gradient with respect to the value passed in. Copy it into a local and modify the local.",
            DiagnosticCategories.Correctness,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(LeafMutationId));

        public static readonly DiagnosticDescriptor NonDifferentiableCall = new DiagnosticDescriptor(
            NonDifferentiableCallId,
            "Call that no gradient can flow through",
            "No gradient flows through '{0}': it receives a value that depends on a differentiated parameter but is neither [Differentiable] nor has a [DerivativeOf] rule that matches it (a rule whose parameters or result do not match is reported at the rule: SD0010, SD0011). Mark it [Differentiable] if it is your own method, add a [DerivativeOf] rule for it (framework methods too), or wrap the argument in Grad.Detach(...) if no gradient is wanted.",
            DiagnosticCategories.Correctness,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(NonDifferentiableCallId));

        public static readonly DiagnosticDescriptor GradientCut = new DiagnosticDescriptor(
            GradientCutId,
            "Gradient cut at a call",
            "The argument for '{0}' of '{1}' depends on a differentiated parameter, but '{1}' does not differentiate '{0}'; no gradient flows back through it. Wrap the argument in Grad.Detach(...) if that is intended; if not, let '{1}' differentiate '{0}' (no [NoGrad] on it, and named in [Differentiable(...)] if that lists parameters).",
            DiagnosticCategories.Correctness,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(GradientCutId));

        public static readonly DiagnosticDescriptor LoopStorage = new DiagnosticDescriptor(
            LoopStorageId,
            "Loop stores values for the reverse sweep",
            "The reverse sweep of this loop stores {0} per iteration ({1}) in a pooled buffer; the gradient of '{2}' needs memory proportional to the number of iterations",
            DiagnosticCategories.Performance,
            DiagnosticSeverity.Info,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(LoopStorageId));

        public static readonly DiagnosticDescriptor LoopNotVectorized = new DiagnosticDescriptor(
            LoopNotVectorizedId,
            "Loop stays scalar under Vectorize = true",
            "The loop{0} of '{1}' stays scalar in {2} under Vectorize = true: {3}",
            DiagnosticCategories.Performance,
            DiagnosticSeverity.Info,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(LoopNotVectorizedId));

        public static readonly DiagnosticDescriptor SecondOrderUnsupported = new DiagnosticDescriptor(
            SecondOrderUnsupportedId,
            "Construct not differentiable to second order",
            "{0} cannot be differentiated to second order{1}",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(SecondOrderUnsupportedId));

        public static readonly DiagnosticDescriptor OutputReadBeforeWrite = new DiagnosticDescriptor(
            OutputReadBeforeWriteId,
            "Output element read before it is written",
            "'{0}[{1}]' is read before it is written; every element of the output span must be written before it is read",
            DiagnosticCategories.Correctness,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(OutputReadBeforeWriteId));

        /// <remarks>Not configurable: an internal failure must never be silenced into missing or wrong code.</remarks>
        public static readonly DiagnosticDescriptor InternalError = new DiagnosticDescriptor(
            InternalErrorId,
            "Internal generator failure",
            "SymDiff failed to generate derivatives of '{0}' ({1}); please report this, other methods are generated as usual",
            DiagnosticCategories.Internal,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(InternalErrorId),
            customTags: WellKnownDiagnosticTags.NotConfigurable);

        public static readonly DiagnosticDescriptor FileLocalType = new DiagnosticDescriptor(
            FileLocalTypeId,
            "Differentiable method in a file-local type",
            "'{0}' is declared in the file-local type '{1}', which generated code in another file cannot extend; declare the type without 'file' (internal keeps it out of other assemblies)",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(FileLocalTypeId));

        public static readonly DiagnosticDescriptor UnsupportedMember = new DiagnosticDescriptor(
            UnsupportedMemberId,
            "[Differentiable] on a member that is not an ordinary method",
            "[Differentiable] is not supported on {0}; put the computation in an ordinary method marked [Differentiable] and call it from here",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(UnsupportedMemberId));

        public static readonly DiagnosticDescriptor HessianOnVectorFunction = new DiagnosticDescriptor(
            HessianOnVectorFunctionId,
            "Hessian requested for a vector function",
            "Hessian = true has no effect on the vector function '{0}': a Hessian is generated for scalar functions only; differentiate a scalar function of its outputs instead, or use {0}Jacobian",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(HessianOnVectorFunctionId));

        public static readonly DiagnosticDescriptor DerivativeRuleInaccessible = new DiagnosticDescriptor(
            DerivativeRuleInaccessibleId,
            "Custom derivative rule not accessible from the differentiable method",
            "The derivative rule '{0}' for '{1}' is not accessible from '{2}', where the generated code calls it; make the rule (and its containing types) internal or public",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(DerivativeRuleInaccessibleId));

        public static readonly DiagnosticDescriptor DuplicateDerivativeRule = new DiagnosticDescriptor(
            DuplicateDerivativeRuleId,
            "Two custom derivative rules for one function",
            "'{0}' already has the derivative rule '{1}'; a function has one [DerivativeOf] rule, so remove one of the two",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(DuplicateDerivativeRuleId));

        public static readonly DiagnosticDescriptor DerivativeRuleForBuiltIn = new DiagnosticDescriptor(
            DerivativeRuleForBuiltInId,
            "Custom derivative rule for a function with a built-in derivative",
            "'{0}' has a built-in derivative, which SymDiff always uses; the rule '{1}' is never called, so remove it",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(DerivativeRuleForBuiltInId));

        public static readonly DiagnosticDescriptor TooLarge = new DiagnosticDescriptor(
            TooLargeId,
            "Method too large to differentiate symbolically",
            "'{0}' is too large to differentiate symbolically ({1}); split it into smaller [Differentiable] methods, or move the inner loop into a [Differentiable] helper",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(TooLargeId));

        public static readonly DiagnosticDescriptor DerivativeRuleTargetNotFound = new DiagnosticDescriptor(
            DerivativeRuleTargetNotFoundId,
            "Custom derivative rule names a function that does not exist",
            "[DerivativeOf] names '{0}.{1}', but '{0}' declares no method '{1}'; the rule is never used",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(DerivativeRuleTargetNotFoundId));

        public static readonly DiagnosticDescriptor DerivativeRuleParameters = new DiagnosticDescriptor(
            DerivativeRuleParametersId,
            "Custom derivative rule parameters do not match the function",
            "The rule '{0}' takes ({1}), but '{2}' takes {3}; a [DerivativeOf] rule takes exactly the parameters of the function it differentiates",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(DerivativeRuleParametersId));

        public static readonly DiagnosticDescriptor DerivativeRuleReturnType = new DiagnosticDescriptor(
            DerivativeRuleReturnTypeId,
            "Custom derivative rule returns the wrong type",
            "The rule '{0}' returns '{1}', but a rule for '{2}' returns {3}",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(DerivativeRuleReturnTypeId));

        public static readonly DiagnosticDescriptor DerivativeRuleNotStatic = new DiagnosticDescriptor(
            DerivativeRuleNotStaticId,
            "Custom derivative rule is not static",
            "The rule '{0}' must be static: the generated code calls it without an instance",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(DerivativeRuleNotStaticId));

        public static readonly DiagnosticDescriptor PiecewiseConstant = new DiagnosticDescriptor(
            PiecewiseConstantId,
            "Piecewise-constant function of a differentiated value",
            "'{0}' is piecewise constant and is applied to a value that depends on a differentiated parameter: its derivative is zero almost everywhere, so no gradient flows through it. If that is intended, wrap the call in Grad.Detach(...); for a straight-through estimator (the forward value rounded, the gradient of x) write x + Grad.Detach(r - x), r being the call's value.",
            DiagnosticCategories.Correctness,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(PiecewiseConstantId));

        public static readonly DiagnosticDescriptor NoInfluence = new DiagnosticDescriptor(
            NoInfluenceId,
            "Differentiated parameter cannot influence the result",
            "Parameter '{0}' is differentiated but cannot influence the result of '{1}' ({2}), so its gradient is always zero; mark it [NoGrad] or leave it out of [Differentiable(...)]",
            DiagnosticCategories.Correctness,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(NoInfluenceId));

        public static readonly DiagnosticDescriptor MissingGradientReset = new DiagnosticDescriptor(
            MissingGradientResetId,
            "Gradient buffer accumulates across iterations without a reset",
            "'{0}' accumulates gradients and is used in the same loop, but nothing in the loop resets it, so every iteration sees the sum of all earlier gradients; reset it at the top of the loop, as optimizer.zero_grad() does in PyTorch",
            DiagnosticCategories.Correctness,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(MissingGradientResetId));

        public static readonly DiagnosticDescriptor OptimizerBuffersAliased = new DiagnosticDescriptor(
            OptimizerBuffersAliasedId,
            "Optimizer parameters and gradients are the same array",
            "'{0}' is passed as both the parameters and the gradients of '{1}', so Step() would use the parameters as their own gradient; pass a separate gradient buffer",
            DiagnosticCategories.Correctness,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(OptimizerBuffersAliasedId));

        public static readonly DiagnosticDescriptor OptimizerCreatedInLoop = new DiagnosticDescriptor(
            OptimizerCreatedInLoopId,
            "Stateful optimizer created inside the training loop",
            "This '{0}' is created inside the loop that calls its Step(), so its {1} again at every iteration; create the optimizer once, before the loop",
            DiagnosticCategories.Correctness,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(OptimizerCreatedInLoopId));

        public static readonly DiagnosticDescriptor ResetBeforeStep = new DiagnosticDescriptor(
            ResetBeforeStepId,
            "Gradients reset right before the optimizer step",
            "'{0}' resets the gradients right before '{1}', so the step sees zero gradients; reset them before the backward pass (at the top of the iteration), not between it and the step",
            DiagnosticCategories.Correctness,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(ResetBeforeStepId));

        public static readonly DiagnosticDescriptor ConditionalReset = new DiagnosticDescriptor(
            ConditionalResetId,
            "Gradients reset on only some iterations",
            "'{0}' resets the gradients only when {1}, but '{2}' uses them on every iteration, so the other iterations use gradients summed over several passes; reset on every iteration, or move '{2}' under the same condition if you accumulate on purpose",
            DiagnosticCategories.Correctness,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(ConditionalResetId));

        public static readonly DiagnosticDescriptor OptimizerBufferReplaced = new DiagnosticDescriptor(
            OptimizerBufferReplacedId,
            "Optimizer buffer replaced by a new array",
            "'{0}' is given a new array here, but '{1}' keeps the array it was created with as its {2}, so {3}; clear the existing array instead of replacing it",
            DiagnosticCategories.Correctness,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(OptimizerBufferReplacedId));

        public static readonly DiagnosticDescriptor MissingGradientArguments = new DiagnosticDescriptor(
            MissingGradientArgumentsId,
            "Call lacks the gradients of parameters that may be data",
            "'{0}' has no argument for the gradient of {1}: '{2}' differentiates every floating-point parameter not marked [NoGrad]; if {1} {3} data, mark {4} [NoGrad] in '{2}'",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(MissingGradientArgumentsId));

        public static readonly DiagnosticDescriptor RetainInLoop = new DiagnosticDescriptor(
            RetainInLoopId,
            "Grad.Retain inside a loop",
            "The local '{0}' is retained inside a loop, where it takes a new value on every iteration; SymDiff retains values outside loops only: retain a value computed before or after the loop",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(RetainInLoopId));

        public static readonly DiagnosticDescriptor RetainNotLocal = new DiagnosticDescriptor(
            RetainNotLocalId,
            "Grad.Retain that does not retain a local",
            "'{0}' {1}; write Grad.Retain(...) as the whole value of a local, once per local (double a = Grad.Retain(w + x);), so its gradient can be named after the local",
            DiagnosticCategories.Usage,
            DiagnosticSeverity.Error,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(RetainNotLocalId));

        public static readonly DiagnosticDescriptor RetainNoGradient = new DiagnosticDescriptor(
            RetainNoGradientId,
            "No gradient reaches a retained value",
            "No gradient reaches the retained local '{0}': the result of '{1}' does not depend on it through any differentiated operation, so its retained gradient is always 0",
            DiagnosticCategories.Correctness,
            DiagnosticSeverity.Warning,
            isEnabledByDefault: true,
            helpLinkUri: HelpLinks.For(RetainNoGradientId));

        private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = Build();

        /// <summary>All descriptors, for the catalogue test and for analyzers that re-report them.</summary>
        public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

        public static DiagnosticDescriptor ById(string id) => s_byId[id];

        private static Dictionary<string, DiagnosticDescriptor> Build()
        {
            var all = new[]
            {
                NotPartial, UnsupportedParameter, UnsupportedReturn, UnknownWrt, MixedPrecision, NoActiveParameter,
                Generic, NameClash, UnsupportedConstruct, LeafMutation, NonDifferentiableCall, GradientCut, LoopStorage,
                SecondOrderUnsupported, OutputReadBeforeWrite, InternalError,
                FileLocalType, UnsupportedMember, HessianOnVectorFunction, DerivativeRuleInaccessible, DuplicateDerivativeRule, DerivativeRuleForBuiltIn, TooLarge,
                DerivativeRuleTargetNotFound, DerivativeRuleParameters, DerivativeRuleReturnType, DerivativeRuleNotStatic,
                PiecewiseConstant, NoInfluence, MissingGradientReset, OptimizerBuffersAliased, OptimizerCreatedInLoop, ResetBeforeStep,
                ConditionalReset, OptimizerBufferReplaced, MissingGradientArguments,
                RetainInLoop, RetainNotLocal, RetainNoGradient, LoopNotVectorized,
            };
            var map = new Dictionary<string, DiagnosticDescriptor>();
            foreach (var d in all)
            {
                map.Add(d.Id, d);
            }

            return map;
        }
    }
}

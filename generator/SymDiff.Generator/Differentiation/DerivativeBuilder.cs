using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Analysis;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Lowering;
using SymDiff.Generator.Model;
using SymDiff.Generator.Verification;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>The generated file for one method, plus the diagnostics found while differentiating it.</summary>
    internal sealed record DerivativeResult(DerivativeSet Set, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>
    /// Everything between the parser and the emitter, for one method: lowers it, then builds each generated method of
    /// its kinds (<see cref="MethodKinds"/>, one builder each). Never throws: an internal failure becomes SD9001, too large
    /// a method SD1009, and the method gets throwing stubs with the real signatures.
    /// </summary>
    internal static class DerivativeBuilder
    {
        public static DerivativeResult Build(MethodSpec spec, bool bodyIsValid, EquatableArray<RuleSpec> rules, System.Threading.CancellationToken cancellation = default)
        {
            var previous = Limits.Cancellation;
            Limits.Cancellation = cancellation;
            try
            {
                return BuildChecked(spec, bodyIsValid, rules);
            }
            finally
            {
                Limits.Cancellation = previous;
            }
        }

        private static DerivativeResult BuildChecked(MethodSpec spec, bool bodyIsValid, EquatableArray<RuleSpec> rules)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var signatures = new Signatures(spec);
            if (!bodyIsValid)
            {
                return new DerivativeResult(Stubs(spec, signatures, "SymDiff could not differentiate '" + spec.DisplayName + "': see the SymDiff error reported at the method."), EquatableArray<DiagnosticInfo>.Empty);
            }

            string? building = null;
            try
            {
                if (Testing.FaultInjection.Is(Testing.Fault.CrashInDifferentiation) && spec.Name.StartsWith("Crash", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException("injected failure");
                }

                IrFunction function;
                using (Testing.PhaseTimer.Measure("lower"))
                {
                    function = SsaLowering.Lower(spec, signatures.Reserved);
                }

                ReportHistories(spec, function, diagnostics);
                var liftNamer = new Namer(spec.UserNames, function.Names);
                IrVerifier.VerifyPass(function.Body, "lowering", signatures.Outside);
                var lifted = CallLifting.Lift(function.Body, liftNamer);
                IrVerifier.VerifyPass(lifted, "call lifting", signatures.Outside);
                var body = DepthLimit.Apply(lifted, liftNamer);
                IrVerifier.VerifyPass(body, "depth limiting", signatures.Outside);
                var activity = Activity.Analyze(body, spec.Parameters);
                foreach (var (call, parameter) in activity.CutArguments(body))
                {
                    diagnostics.Add(DiagnosticInfo.AtSite(DiagnosticDescriptors.GradientCut, call.Callee.Site, call.Callee.ParameterNames[parameter], call.Callee.Name));
                }

                foreach (var cut in spec.InlineCuts)
                {
                    if (activity.IsActiveVar(cut.Watched) || activity.IsActiveArray(cut.Watched))
                    {
                        diagnostics.Add(DiagnosticInfo.AtSite(DiagnosticDescriptors.GradientCut, cut.Site, cut.Parameter, cut.Callee));
                    }
                }

                string graph;
                using (Testing.PhaseTimer.Measure("graph"))
                {
                    graph = GraphPrinter.Print(spec, body, activity, function.RetainedLets);
                }

                var methods = new List<MethodFamily>();
                foreach (var kind in MethodKinds.For(spec.IsVectorFunction, spec.Hessian, spec.Retained.Count > 0))
                {
                    building = spec.Name + kind.Suffix;
                    using (Testing.PhaseTimer.Measure(kind.Suffix.ToLowerInvariant()))
                    {
                        int reported = diagnostics.Count;
                        methods.Add(kind.Build(new BuildContext(spec, signatures, kind, body, activity, liftNamer.AllNames, rules, diagnostics) { RetainedLets = function.RetainedLets, Origins = function.Origins, ElementLocals = function.ElementLocals }));
                        WithoutRemovedTapes(diagnostics, reported, methods[methods.Count - 1].Body, spec.Name);
                    }
                }

                if (diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error))
                {
                    return new DerivativeResult(Stubs(spec, signatures, "SymDiff could not differentiate '" + spec.DisplayName + "': see the SymDiff error reported in its body."), Distinct(diagnostics));
                }

                return new DerivativeResult(Set(spec, methods) with { GraphText = graph }, Distinct(diagnostics));
            }
            catch (BudgetExceededException e)
            {
                diagnostics.Add(DiagnosticInfo.AtSite(DiagnosticDescriptors.TooLarge, DiagnosticInfo.MethodSite, spec.DisplayName, "its derivatives need " + e.Message));
                return new DerivativeResult(Stubs(spec, signatures, "SymDiff could not differentiate '" + spec.DisplayName + "': it is too large (SD1009)."), Distinct(diagnostics));
            }
            catch (InsufficientExecutionStackException)
            {
                diagnostics.Add(DiagnosticInfo.AtSite(DiagnosticDescriptors.TooLarge, DiagnosticInfo.MethodSite, spec.DisplayName, "its expressions are nested too deeply to walk"));
                return new DerivativeResult(Stubs(spec, signatures, "SymDiff could not differentiate '" + spec.DisplayName + "': it is too large (SD1009)."), Distinct(diagnostics));
            }
            catch (NotSupportedException e)
            {
                int hint = e.Message.IndexOf(Lowering.SsaLowering.HintSeparator, StringComparison.Ordinal);
                string what = hint < 0 ? e.Message : e.Message.Substring(0, hint);
                string advice = hint < 0 ? string.Empty : e.Message.Substring(hint + Lowering.SsaLowering.HintSeparator.Length);
                int site = e is LocatedNotSupportedException { Site: >= 0 } located ? located.Site : DiagnosticInfo.MethodSite;
                diagnostics.Add(DiagnosticInfo.AtSite(DiagnosticDescriptors.UnsupportedConstruct, site, DerivativeNames.Capitalize(what) + " (in '" + spec.Name + "')", " yet" + advice));
                return new DerivativeResult(Stubs(spec, signatures, "SymDiff cannot differentiate '" + spec.DisplayName + "' yet: " + what + "."), Distinct(diagnostics));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Which generated method was being built, for the bug report.
                string where = building is null ? string.Empty : "building " + building + ": ";
                diagnostics.Add(DiagnosticInfo.AtSite(DiagnosticDescriptors.InternalError, DiagnosticInfo.MethodSite, spec.DisplayName, where + e.GetType().Name + ": " + e.Message.TrimEnd('.')));
                return new DerivativeResult(Stubs(spec, signatures, "SymDiff failed to differentiate '" + spec.DisplayName + "' (SD9001)."), Distinct(diagnostics));
            }
        }

        /// <summary>
        /// The SD1006 reports made while building <paramref name="body"/> (from index <paramref name="from"/>) without the
        /// tapes the scheduler removed as unread (a carried sum stored for a recomputation that turned out dead): a report
        /// left with none goes, the others name only what the method keeps.
        /// </summary>
        private static void WithoutRemovedTapes(List<DiagnosticInfo> diagnostics, int from, Block body, string method)
        {
            HashSet<string>? rented = null;
            for (int i = diagnostics.Count - 1; i >= from; i--)
            {
                var d = diagnostics[i];
                if (d.Tapes.Count == 0)
                {
                    continue;
                }

                rented ??= RentedBuffers(body);
                var kept = d.Tapes.Where(t => rented.Contains(t.Tape)).ToList();
                if (kept.Count == 0)
                {
                    diagnostics.RemoveAt(i);
                }
                else
                {
                    diagnostics[i] = ReverseDifferentiator.StorageReport(d.Site, kept, method) with { Tapes = EquatableArray<StoredValue>.Empty };
                }
            }
        }

        private static HashSet<string> RentedBuffers(Block body) => new HashSet<string>(Walk.AllStatements(body).OfType<RentBuffer>().Select(r => r.Name), StringComparer.Ordinal);

        /// <summary>
        /// SD1006 at each loop that carries a local buffer: lowering keeps one version of the buffer per iteration in a pooled
        /// history of (iterations + 1) x length elements (docs/architecture.md, local buffers), as a loop stores scalars.
        /// </summary>
        private static void ReportHistories(MethodSpec spec, IrFunction function, List<DiagnosticInfo> diagnostics)
        {
            foreach (var history in function.Histories)
            {
                if (history.HistoryOf is not { Site: >= 0 } carried)
                {
                    continue;
                }

                string length = IrPrinter.PrintExpression(carried.Length);
                string element = history.Element.Keyword();
                int bytes = history.Element.Bytes();
                diagnostics.Add(DiagnosticInfo.AtSite(
                    DiagnosticDescriptors.LoopStorage,
                    carried.Site,
                    "the local buffer '" + carried.Name + "' (" + length + " " + element + " elements)",
                    "a history of (iterations + 1) x " + length + " elements, " + bytes + " bytes each",
                    spec.Name));
            }
        }

        /// <summary>Public signatures whose bodies throw, for a method that cannot be differentiated: call sites still compile.</summary>
        private static DerivativeSet Stubs(MethodSpec spec, Signatures sig, string message)
        {
            // The same signatures as the real methods (one definition per kind), so call sites compile either way.
            var methods = MethodKinds.For(spec.IsVectorFunction, spec.Hessian, spec.Retained.Count > 0).Select(kind =>
            {
                string returnType = kind.ReturnType(spec);
                return new MethodFamily(spec.Name + kind.Suffix, returnType, kind.Parameters(sig).ToEquatableArray(), EquatableArray<LengthCheck>.Empty, EquatableArray<AliasCheck>.Empty, Block.Empty, EquatableArray<string>.Empty, "Not generated: " + message, returnType == "void" ? null : "Never returns.", message);
            });
            return Set(spec, methods.ToList()) with { GraphText = "Not differentiated: " + message + "\n" };
        }

        private static DerivativeSet Set(MethodSpec spec, List<MethodFamily> methods) =>
            new DerivativeSet(spec.HintName, spec.Namespace, spec.ContainingTypes, spec.Accessibility, spec.IsStatic, methods.ToEquatableArray()) { LanguageVersion = spec.LanguageVersion, IsDeep = spec.IsDeep, Guards = spec.Guards, GraphName = spec.Name + "Graph" + spec.OverloadSuffix, GraphOf = spec.Name };

        private static EquatableArray<DiagnosticInfo> Distinct(List<DiagnosticInfo> diagnostics) => diagnostics.Distinct().ToEquatableArray();
    }
}

using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using SymDiff.Generator.Simplification;

namespace SymDiff.Generator.Differentiation.Builders
{
    /// <summary>
    /// <c>FGradientRetained</c> and <c>GBackwardRetained</c>, generated only for a method that retains locals with
    /// <c>Grad.Retain</c> (PyTorch's <c>retain_grad()</c>): <c>FGradient</c> (or <c>GBackward</c>) plus one <c>out</c>
    /// per retained local that receives the local's adjoint, the gradient of the result with respect to it.
    /// </summary>
    internal static class RetainedBuilder
    {
        public static MethodFamily Gradient(BuildContext c)
        {
            var (statements, namer) = GradientBuilder.Statements(c, c.Diagnostics, Retained(c), out var sweep);
            ReportUnreached(c, sweep);
            SweepComments.Mark(statements, c.Sig.GradientBuffers.Count + sweep.Forward.Statements.Count);
            var (scheduled, hoisted) = c.Schedule(new Block(statements.ToEquatableArray()), namer, c.Unstable(statements));
            return c.Family(
                c.Sig.GradientChecks,
                c.Sig.Aliases(c.Sig.GradientBuffers, c.Sig.InputSpans),
                SweepComments.Keep(scheduled),
                hoisted,
                $"Computes {c.Spec.Name} and its gradient with respect to {c.Sig.ActiveList}, like {c.Spec.Name}Gradient,\nand the gradient with respect to each retained local (Grad.Retain, PyTorch's retain_grad()).\nEvery output is overwritten.",
                $"The value of {c.Spec.Name}, bit for bit.");
        }

        public static MethodFamily VectorBackward(BuildContext c)
        {
            var family = VectorBackwardBuilder.Build(c, Retained(c), out var sweep);
            ReportUnreached(c, sweep);
            return family;
        }

        /// <summary>Each retained let to the output that receives its adjoint.</summary>
        private static Dictionary<string, string> Retained(BuildContext c) =>
            c.RetainedLets.ToDictionary(p => p.Key, p => c.Sig.RetainedNames[p.Value], System.StringComparer.Ordinal);

        /// <summary>
        /// Zero for each retained output the reverse sweep does not write on every path: a local no gradient reaches, or
        /// one defined in a branch (its gradient is 0 when the branch is not taken).
        /// </summary>
        internal static IEnumerable<Stmt> Zeros(BuildContext c, IReadOnlyDictionary<string, string>? retained, ReverseSweep sweep)
        {
            if (retained is null)
            {
                yield break;
            }

            foreach (var r in c.Spec.Retained)
            {
                string output = c.Sig.RetainedNames[r.Name];
                if (!sweep.RetainedAlways.Contains(output))
                {
                    yield return new SetOutput(output, Ir.Lit(0, c.Spec.Scalar));
                }
            }
        }

        /// <summary>SD1022 for each retained local whose adjoint is zero on every path.</summary>
        private static void ReportUnreached(BuildContext c, ReverseSweep sweep)
        {
            foreach (var r in c.Spec.Retained)
            {
                string output = c.Sig.RetainedNames[r.Name];
                if (!sweep.RetainedAlways.Contains(output) && !sweep.RetainedSometimes.Contains(output))
                {
                    c.Diagnostics.Add(DiagnosticInfo.AtSite(DiagnosticDescriptors.RetainNoGradient, r.Site, r.Display, c.Spec.Name));
                }
            }
        }
    }
}

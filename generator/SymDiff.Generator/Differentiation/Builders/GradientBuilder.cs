using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using SymDiff.Generator.Simplification;
using SymDiff.Generator.Verification;

namespace SymDiff.Generator.Differentiation.Builders
{
    /// <summary><c>FGradient</c>: the value and the gradient, by one reverse sweep; gradient buffers overwritten.</summary>
    internal static class GradientBuilder
    {
        public static MethodFamily Build(BuildContext c)
        {
            var (statements, namer) = Statements(c, c.Diagnostics, null, out var sweep);
            SweepComments.Mark(statements, c.Sig.GradientBuffers.Count + sweep.Forward.Statements.Count);
            statements = MergeAccumulates.Apply(new Block(statements.ToEquatableArray())).Statements.ToList();
            OverwriteOnce.Apply(statements, c.Sig.GradientBuffers, namer);
            var body = c.CarryInputLoads(new Block(statements.ToEquatableArray()), namer);
            Block scheduled;
            EquatableArray<string> hoisted;
            using (Testing.PhaseTimer.Measure("gradient.schedule"))
            {
                (scheduled, hoisted) = c.Schedule(body, namer, c.Unstable(statements));
            }

            return c.Family(
                c.Sig.GradientChecks,
                c.Sig.Aliases(c.Sig.GradientBuffers, c.Sig.InputSpans),
                SweepComments.Keep(scheduled),
                hoisted,
                $"Computes {c.Spec.Name} and its gradient with respect to {c.Sig.ActiveList}.\nThe gradient outputs are overwritten.",
                $"The value of {c.Spec.Name}, bit for bit.");
        }

        /// <summary>The gradient's IR before scheduling: shared by Gradient and, differentiated again, by the Hessian-vector product.</summary>
        public static (List<Stmt> Statements, Namer Namer) Statements(BuildContext c, List<Diagnostics.DiagnosticInfo> diagnostics) => Statements(c, diagnostics, null, out _);

        /// <param name="retained">For <c>FGradientRetained</c>: each retained let to the output that receives its adjoint.</param>
        /// <param name="sweep">The reverse sweep, which says which retained outputs it writes.</param>
        internal static (List<Stmt> Statements, Namer Namer) Statements(BuildContext c, List<Diagnostics.DiagnosticInfo> diagnostics, IReadOnlyDictionary<string, string>? retained, out ReverseSweep sweep)
        {
            var namer = c.NewNamer();
            using (Testing.PhaseTimer.Measure("gradient.reverse"))
            {
                sweep = ReverseDifferentiator.Differentiate(c.Spec, c.Body, c.Activity, namer, Ir.Lit(1, c.Spec.Scalar), c.Sig.GradientNames, c.Rules.AsImmutableArray(), c.UserFacing, diagnostics, retained: retained);
            }

            var statements = new List<Stmt>();
            foreach (var buffer in c.Sig.GradientBuffers)
            {
                statements.Add(new ClearBuffer(buffer));
            }

            statements.AddRange(sweep.Forward.Statements);
            var derivative = new Block(RetainedBuilder.Zeros(c, retained, sweep).Concat(sweep.Reverse.Statements).Concat(sweep.ScalarAdjoints.Select(a => (Stmt)new SetOutput(c.Sig.GradientNames[a.Name], a.Value))).ToEquatableArray());
            IrVerifier.VerifyPass(new Block(statements.Concat(derivative.Statements).ToEquatableArray()), "reverse differentiation", c.Sig.Outside);
            using (Testing.PhaseTimer.Measure("gradient.simplify"))
            {
                statements.AddRange(c.Simplify(derivative).Statements);
            }

            statements.Add(new Return(sweep.Value!));
            IrVerifier.VerifyPass(new Block(statements.ToEquatableArray()), "simplification", c.Sig.Outside);
            return (statements, namer);
        }
    }
}

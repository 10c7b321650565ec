using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using SymDiff.Generator.Verification;

namespace SymDiff.Generator.Differentiation.Builders
{
    /// <summary><c>FBackward</c>: adds seed times the gradient into the gradient arguments (PyTorch's <c>backward()</c>).</summary>
    internal static class BackwardBuilder
    {
        public static MethodFamily Build(BuildContext c)
        {
            var namer = c.NewNamer();
            var seed = new Var(c.Sig.Seed, c.Spec.Scalar);
            ReverseSweep sweep;
            using (Testing.PhaseTimer.Measure("backward.reverse"))
            {
                sweep = ReverseDifferentiator.Differentiate(c.Spec, c.Body, c.Activity, namer, seed, c.Sig.GradientNames, c.Rules.AsImmutableArray(), c.UserFacing, new List<Diagnostics.DiagnosticInfo>());
            }

            var statements = new List<Stmt>(sweep.Forward.Statements);
            var derivative = sweep.Reverse.Statements.Concat(sweep.ScalarAdjoints.Select(a => (Stmt)new Accumulate(c.Sig.GradientNames[a.Name], null, a.Value))).ToList();
            IrVerifier.VerifyPass(new Block(statements.Concat(derivative).ToEquatableArray()), "reverse differentiation", c.Sig.Outside);
            using (Testing.PhaseTimer.Measure("backward.simplify"))
            {
                statements.AddRange(c.Simplify(new Block(derivative.ToEquatableArray())).Statements
                    .Where(s => s is not Accumulate { Value: Const { Value: 0 } }));
            }

            SweepComments.Mark(statements, sweep.Forward.Statements.Count);
            var body = c.CarryInputLoads(MergeAccumulates.Apply(new Block(statements.ToEquatableArray())), namer);
            Block scheduled;
            EquatableArray<string> hoisted;
            using (Testing.PhaseTimer.Measure("backward.schedule"))
            {
                (scheduled, hoisted) = c.Schedule(body, namer, c.Unstable(statements));
            }

            return c.Family(
                c.Sig.GradientChecks,
                c.Sig.Aliases(c.Sig.GradientBuffers, c.Sig.InputSpans, outputsMayShare: true),
                SweepComments.Keep(scheduled),
                hoisted,
                $"Adds seed times the gradient of {c.Spec.Name} with respect to {c.Sig.ActiveList} into the gradient arguments, like PyTorch's backward().\nThey accumulate across calls: reset them (zero_grad) before each training step.",
                returns: null);
        }
    }
}

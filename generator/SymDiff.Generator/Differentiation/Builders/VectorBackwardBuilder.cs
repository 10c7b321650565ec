using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using SymDiff.Generator.Simplification;
using SymDiff.Generator.Verification;

namespace SymDiff.Generator.Differentiation.Builders
{
    /// <summary><c>GBackward</c> of a vector function: writes the outputs and adds the vector-Jacobian product seed^T J (PyTorch's <c>y.backward(gradient=seed)</c>).</summary>
    internal static class VectorBackwardBuilder
    {
        public static MethodFamily Build(BuildContext c) => Build(c, null, out _);

        /// <param name="retained">For <c>GBackwardRetained</c>: each retained let to the output that receives its adjoint.</param>
        /// <param name="sweep">The reverse sweep, which says which retained outputs it writes.</param>
        internal static MethodFamily Build(BuildContext c, IReadOnlyDictionary<string, string>? retained, out ReverseSweep sweep)
        {
            var spec = c.Spec;
            var sig = c.Sig;
            var output = sig.Output!;
            var namer = c.NewNamer();

            // A function that reads its output back needs the output's adjoints in a buffer of their own.
            string? adjointBuffer = ReadsArray(c.Body, output.Name) ? namer.NewSourceName(DerivativeNames.Adjoint(output.Name)) : null;
            sweep = ReverseDifferentiator.Differentiate(spec, c.Body, c.Activity, namer, Ir.Lit(1, spec.Scalar), sig.GradientNames, c.Rules.AsImmutableArray(), c.UserFacing, c.Diagnostics, sig.Seed, adjointBuffer, retained);
            var statements = new List<Stmt>();
            if (adjointBuffer is not null)
            {
                statements.Add(new RentBuffer(adjointBuffer, spec.Scalar, new Len(output.Name)));
                statements.Add(new CopySpan(sig.Seed, adjointBuffer));
            }

            statements.AddRange(sweep.Forward.Statements);
            int reverseStart = statements.Count;
            var derivative = RetainedBuilder.Zeros(c, retained, sweep).Concat(sweep.Reverse.Statements).Concat(sweep.ScalarAdjoints.Select(a => (Stmt)new Accumulate(sig.GradientNames[a.Name], null, a.Value))).ToList();
            IrVerifier.VerifyPass(new Block(statements.Concat(derivative).ToEquatableArray()), "reverse differentiation", sig.Outside);
            statements.AddRange(c.Simplify(new Block(derivative.ToEquatableArray())).Statements
                .Where(st => st is not Accumulate { Value: Const { Value: 0 } }));
            IrVerifier.VerifyPass(new Block(statements.ToEquatableArray()), "simplification", sig.Outside);
            SweepComments.Mark(statements, reverseStart);
            var unstable = c.Unstable(statements);
            if (adjointBuffer is not null)
            {
                unstable.Add(adjointBuffer);
            }

            var (scheduled, hoisted) = c.Schedule(new Block(statements.ToEquatableArray()), namer, unstable);
            var checks = new[] { new LengthCheck(sig.Seed, new Len(output.Name), "The seed '" + sig.Seed + "' has length {0}, but the output '" + output.Name + "' has length {1}.") }
                .Concat(sig.GradientChecks).ToEquatableArray();
            return c.Family(
                checks,
                sig.Aliases(sig.GradientBuffers, sig.InputSpans.Append(sig.Seed).Append(output.Name), outputsMayShare: true).Concat(sig.OutputAliases())
                    .Concat(sig.Aliases(new[] { output.Name }, new[] { sig.Seed })).ToEquatableArray(), // y as its own seed: overwritten before it is read
                SweepComments.Keep(scheduled),
                hoisted,
                retained is null
                    ? $"Writes {output.Name} and adds the vector-Jacobian product seed^T J into the gradient arguments (PyTorch's y.backward(gradient=seed)).\nThey accumulate across calls: reset them (zero_grad) before each training step."
                    : $"Writes {output.Name} and adds the vector-Jacobian product seed^T J into the gradient arguments (PyTorch's y.backward(gradient=seed)),\nlike {spec.Name}Backward, and writes seed^T times the derivative of {output.Name} with respect to each retained local (retain_grad()).\nThe gradient arguments accumulate across calls; the retained ones are overwritten.",
                returns: null);
        }

        private static bool ReadsArray(Block block, string array) =>
            block.Statements.Any(s => Walk.AllExpressions(s).Any(e => Walk.Contains(e, x => x is Elem el && el.Array == array)));
    }
}

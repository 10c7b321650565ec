using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using SymDiff.Generator.Verification;

namespace SymDiff.Generator.Differentiation.Builders
{
    /// <summary><c>GDerivative</c> of a vector function: writes the outputs and their directional derivatives (forward mode).</summary>
    internal static class VectorDerivativeBuilder
    {
        public static MethodFamily Build(BuildContext c)
        {
            var sig = c.Sig;
            var output = sig.Output!;
            var namer = c.NewNamer();
            var tangentNames = new Dictionary<string, string>(sig.TangentNames, System.StringComparer.Ordinal) { [output.Name] = sig.DerivativeName };
            var (forward, _, _) = ForwardDifferentiator.Differentiate(c.Spec, c.Body, c.Activity, namer, tangentNames, c.Rules.AsImmutableArray(), new List<Diagnostics.DiagnosticInfo>());
            // Zeros first: an output element the function does not write (a branch that skips it, an output longer than
            // what it fills) has derivative 0, and a read of one before it is written sees the tangent 0 of the caller's
            // constant contents; its Jacobian columns once came from whatever a pooled buffer held (a trial user's program).
            forward = new Block(new Stmt[] { new ClearBuffer(sig.DerivativeName) }.Concat(forward.Statements).ToEquatableArray());
            IrVerifier.VerifyPass(forward, "forward differentiation", sig.Outside);
            var simplified = c.Simplify(forward);
            IrVerifier.VerifyPass(simplified, "simplification", sig.Outside);
            var unstable = c.Unstable(simplified.Statements);
            unstable.Add(sig.DerivativeName);
            var (scheduled, hoisted) = c.Schedule(simplified, namer, unstable);
            var checks = sig.TangentChecks.Concat(new[] { new LengthCheck(sig.DerivativeName, new Len(output.Name), "The buffer '" + sig.DerivativeName + "' has length {0}, but the output '" + output.Name + "' has length {1}.") }).ToEquatableArray();
            return c.Family(
                checks,
                sig.Aliases(new[] { sig.DerivativeName }, sig.InputSpans.Concat(sig.TangentSpans).Append(output.Name)).Concat(sig.OutputAliases())
                    .Concat(sig.Aliases(new[] { output.Name }, sig.TangentSpans)).ToEquatableArray(), // y as a tangent: overwritten before it is read
                scheduled,
                hoisted,
                $"Writes {output.Name} and its directional derivative (forward mode, JAX jvp) along the tangents of {sig.ActiveList}.",
                returns: null);
        }
    }
}

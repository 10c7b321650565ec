using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using SymDiff.Generator.Simplification;
using SymDiff.Generator.Verification;

namespace SymDiff.Generator.Differentiation.Builders
{
    /// <summary><c>FDerivative</c>: the value and the directional derivative along the tangents (forward mode, JAX's <c>jvp</c>).</summary>
    internal static class ForwardModeBuilder
    {
        public static MethodFamily Build(BuildContext c)
        {
            var namer = c.NewNamer();
            var (forward, value, tangent) = ForwardDifferentiator.Differentiate(c.Spec, c.Body, c.Activity, namer, c.Sig.TangentNames, c.Rules.AsImmutableArray(), new List<Diagnostics.DiagnosticInfo>());
            var statements = forward.Statements
                .Concat(new Stmt[] { new SetOutput(c.Sig.DerivativeName, tangent ?? Ir.Lit(0, c.Spec.Scalar)), new Return(value!) })
                .ToEquatableArray();
            IrVerifier.VerifyPass(new Block(statements), "forward differentiation", c.Sig.Outside);
            var simplified = c.Simplify(new Block(statements));
            IrVerifier.VerifyPass(simplified, "simplification", c.Sig.Outside);
            var (scheduled, hoisted) = c.Schedule(simplified, namer, c.Unstable(simplified.Statements));
            return c.Family(
                c.Sig.TangentChecks,
                EquatableArray<AliasCheck>.Empty,
                scheduled,
                hoisted,
                $"Computes {c.Spec.Name} and its directional derivative (forward mode, JAX jvp) along the tangents of {c.Sig.ActiveList}.",
                $"The value of {c.Spec.Name}, bit for bit.");
        }
    }
}

using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Analysis;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Lowering;
using SymDiff.Generator.Model;
using SymDiff.Generator.Simplification;
using SymDiff.Generator.Verification;

namespace SymDiff.Generator.Differentiation.Builders
{
    /// <summary>
    /// <c>FHessianVectorProduct</c>: forward mode over the gradient's own IR (forward over reverse). One pass, the
    /// gradient's intermediate values computed once and shared by their tangents; the Hessian is never formed.
    /// </summary>
    internal static class HessianVectorProductBuilder
    {
        public static MethodFamily Build(BuildContext c)
        {
            var spec = c.Spec;
            var sig = c.Sig;
            var (gradientStatements, namer) = GradientBuilder.Statements(c, new List<Diagnostics.DiagnosticInfo>(), null, out var sweep);
            var direction = sig.DirectionName;
            var product = sig.ProductName;

            // The views of the flattened direction and product: an offset per active parameter, its tangent (a slice of
            // the direction, or one element), and for a span the slice of the product that receives its part.
            var prelude = new List<Stmt>();
            var tangentNames = new Dictionary<string, string>(System.StringComparer.Ordinal);
            var second = new ForwardDifferentiator.SecondOrder { Gates = new HashSet<string>(sweep.Adjoints, System.StringComparer.Ordinal), LiveByValue = new HashSet<string>(sweep.LiveByValue, System.StringComparer.Ordinal) };
            Expr? previous = null;
            foreach (var p in spec.Parameters.Where(p => p.Active))
            {
                var offset = new Let(namer.NewSourceName(DerivativeNames.Offset(p.Name)), previous ?? BuildContext.Int(0));
                prelude.Add(offset);
                previous = BuildContext.Plus(offset.Ref, p.IsVector ? new Len(p.Name) : BuildContext.Int(1));
                tangentNames[p.Name] = sig.TangentNames[p.Name];
                if (p.IsVector)
                {
                    var slice = namer.NewSourceName(DerivativeNames.Slice(p.Name));
                    second.Products[sig.GradientNames[p.Name]] = slice;
                    prelude.Add(new Let(sig.TangentNames[p.Name], new SpanView(direction, offset.Ref, new Len(p.Name), p.ElementType, ReadOnly: true, OverArray: false)));
                    prelude.Add(new Let(slice, new SpanView(product, offset.Ref, new Len(p.Name), p.ElementType, ReadOnly: false, OverArray: false)));
                }
                else
                {
                    second.ScalarProducts[sig.GradientNames[p.Name]] = (product, offset.Ref);
                    prelude.Add(new Let(sig.TangentNames[p.Name], new Elem(direction, offset.Ref, p.ElementType)));
                }
            }

            prelude.Insert(0, new ClearBuffer(product));

            // Forward mode over the gradient: tapes of active values get tangent tapes.
            var gradient = CallLifting.Lift(new Block(gradientStatements.ToEquatableArray()), namer);
            foreach (var rent in gradient.Statements.OfType<RentBuffer>().Concat(Nested(gradient).OfType<RentBuffer>()))
            {
                tangentNames[rent.Name] = namer.NewSourceName(DerivativeNames.TangentOf(rent.Name));
            }

            var secondActivity = Activity.Analyze(gradient, spec.Parameters);
            foreach (var tape in tangentNames.Keys.ToList().Where(k => !spec.Parameters.Any(p => p.Name == k) && !secondActivity.IsActiveArray(k)))
            {
                tangentNames.Remove(tape);
            }

            var outside = sig.Outside.Concat(prelude.SelectMany(Walk.Defines)).ToList();
            var (forward, value, _) = ForwardDifferentiator.Differentiate(spec, gradient, secondActivity, namer, tangentNames, c.Rules.AsImmutableArray(), c.Diagnostics, second);
            forward = new Block(second.Scratch.Concat(forward.Statements).Concat(new[] { (Stmt)new Return(value!) }).ToEquatableArray());
            IrVerifier.VerifyPass(forward, "forward over reverse differentiation", outside);
            var simplified = c.Simplify(forward, primal: gradient);
            IrVerifier.VerifyPass(simplified, "simplification", outside);
            var unstable = c.Unstable(simplified.Statements);
            unstable.Add(product);
            unstable.UnionWith(second.Products.Values);
            var (scheduled, hoisted) = c.Schedule(simplified, namer, unstable, outside);
            var body = new Block(prelude.Concat(scheduled.Statements).ToEquatableArray());
            var parameters = spec.Parameters.Select(p => p.Name).Append(direction).Append(product).ToList();
            IrVerifier.Verify(body, "the Hessian-vector product's views", ScopeRules.Lexical, parameters, parameters);

            var count = sig.ActiveCount;
            var checks = EquatableArray.Create(
                new LengthCheck(direction, count, "The direction '" + direction + "' has length {0}, but '" + spec.Name + "' has {1} active scalars."),
                new LengthCheck(product, count, "The buffer '" + product + "' has length {0}, but '" + spec.Name + "' has {1} active scalars."));
            return c.Family(
                checks,
                sig.Aliases(new[] { product }, sig.InputSpans.Append(direction)),
                body,
                hoisted,
                $"Computes {spec.Name} and its Hessian times a direction (forward over reverse), without forming the Hessian.",
                $"The value of {spec.Name}, bit for bit.");
        }

        private static IEnumerable<Stmt> Nested(Block block) =>
            block.Statements.SelectMany(s => Walk.Blocks(s).SelectMany(b => b.Statements.Concat(Nested(b))));
    }
}

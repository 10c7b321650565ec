using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Emit;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using SymDiff.Generator.Simplification;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>Names and pieces shared by every generated signature of one method.</summary>
    internal sealed class Signatures
    {
        private readonly MethodSpec _spec;

        public Signatures(MethodSpec spec)
        {
            _spec = spec;
            var namer = new Namer(spec.Parameters.Select(p => p.Name));
            foreach (var p in spec.Parameters.Where(p => p.Active))
            {
                GradientNames[p.Name] = namer.NewSourceName(DerivativeNames.Gradient(p.Name));
            }

            Seed = namer.NewSourceName("seed");
            Output = spec.Parameters.FirstOrDefault(p => p.Shape == ParamShape.OutputSpan);
            var tangentNamer = new Namer(spec.Parameters.Select(p => p.Name));
            foreach (var p in spec.Parameters.Where(p => p.Active))
            {
                TangentNames[p.Name] = tangentNamer.NewSourceName(DerivativeNames.Tangent(p.Name));
            }

            DerivativeName = tangentNamer.NewSourceName("derivative");
            JacobianName = tangentNamer.NewSourceName("jacobian");
            HessianName = tangentNamer.NewSourceName("hessian");
            DirectionName = tangentNamer.NewSourceName("direction");
            ProductName = tangentNamer.NewSourceName("product");
            // A retained local's gradient is named like a parameter's (a -> dA), clear of every other name the method uses.
            var retainedNamer = new Namer(spec.Parameters.Select(p => p.Name).Concat(spec.UserNames).Concat(GradientNames.Values).Append(Seed));
            foreach (var r in spec.Retained)
            {
                RetainedNames[r.Name] = retainedNamer.NewSourceName(DerivativeNames.Gradient(r.Display));
            }

            Reserved = GradientNames.Values.Concat(TangentNames.Values).Concat(new[] { Seed, DerivativeName, JacobianName, HessianName, DirectionName, ProductName }).Concat(RetainedNames.Values).ToList();
            Outside = spec.Parameters.Select(p => p.Name).Concat(Reserved).ToList();
            TangentParameters = spec.Parameters.Where(p => p.Active).Select(p => new GeneratedParam(
                TangentNames[p.Name],
                p.IsVector ? "global::System.ReadOnlySpan<" + p.ElementType.Keyword() + ">" : p.TypeCode,
                string.Empty,
                false,
                p.IsVector ? $"The tangent (direction) of {p.Name}. Must have the length of {p.Name}." : $"The tangent (direction) of {p.Name}.")).ToList();
            TangentChecks = spec.Parameters.Where(p => p.Active && p.IsVector).Select(p => new LengthCheck(
                TangentNames[p.Name],
                new Len(p.Name),
                "The tangent '" + TangentNames[p.Name] + "' for parameter '" + p.Name + "' has length {0}, but '" + p.Name + "' has length {1}.")).ToEquatableArray();
            Original = spec.Parameters.Select(p => new GeneratedParam(p.Name, p.TypeCode, string.Empty, false, $"The argument {p.Name} of {spec.Name}.")).ToList();
            ActiveList = string.Join(", ", spec.Parameters.Where(p => p.Active).Select(p => p.Name));
            OutputArrays = new HashSet<string>(spec.Parameters.Where(p => p.Shape == ParamShape.OutputSpan).Select(p => p.Name), StringComparer.Ordinal);
            GradientChecks = spec.Parameters.Where(p => p.Active && p.IsVector).Select(p => new LengthCheck(
                GradientNames[p.Name],
                new Len(p.Name),
                "The gradient buffer '" + GradientNames[p.Name] + "' for parameter '" + p.Name + "' has length {0}, but '" + p.Name + "' has length {1}.")).ToEquatableArray();
        }

        public Dictionary<string, string> GradientNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        public string Seed { get; }

        /// <summary>For each retained local (by its source name), the output that receives its gradient.</summary>
        public Dictionary<string, string> RetainedNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        public Dictionary<string, string> TangentNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        public string DerivativeName { get; }

        public string JacobianName { get; }

        public string HessianName { get; }

        public string DirectionName { get; }

        public string ProductName { get; }

        /// <summary>The output span of a vector function.</summary>
        public ParamSpec? Output { get; }

        public List<GeneratedParam> TangentParameters { get; }

        public EquatableArray<LengthCheck> TangentChecks { get; }

        public List<string> Reserved { get; }

        /// <summary>Every name defined before a generated body: the parameters and the generated parameters (for the IR verifier).</summary>
        public List<string> Outside { get; }

        public List<GeneratedParam> Original { get; }

        public string ActiveList { get; }

        public HashSet<string> OutputArrays { get; }

        public EquatableArray<LengthCheck> GradientChecks { get; }

        public static string SpanOf(ValType t) => "global::System.Span<" + t.Keyword() + ">";

        /// <summary>The one definition of each generated method's parameters, shared by the real method and its stub.</summary>
        public List<GeneratedParam> GradientParameters => Original.Concat(Active.Select(p => p.IsVector
            ? new GeneratedParam(GradientNames[p.Name], SpanOf(p.ElementType), string.Empty, false, $"Receives the gradient with respect to {p.Name}; overwritten. Must have the length of {p.Name}.")
            : new GeneratedParam(GradientNames[p.Name], p.TypeCode, "out", false, $"Receives the derivative with respect to {p.Name}."))).ToList();

        /// <summary><c>FGradientRetained</c>: <c>FGradient</c>'s parameters, then one <c>out</c> per retained local.</summary>
        public List<GeneratedParam> GradientRetainedParameters => GradientParameters.Concat(RetainedOutputs($"Receives the derivative of {_spec.Name} with respect to the retained local")).ToList();

        /// <summary><c>GBackwardRetained</c>: <c>GBackward</c>'s parameters, then one <c>out</c> per retained local.</summary>
        public List<GeneratedParam> VectorBackwardRetainedParameters => VectorBackwardParameters.Concat(RetainedOutputs($"Receives seed^T times the derivative of {Output?.Name} with respect to the retained local")).ToList();

        private IEnumerable<GeneratedParam> RetainedOutputs(string what) => _spec.Retained.Select(r => new GeneratedParam(
            RetainedNames[r.Name], _spec.Scalar.Keyword(), "out", false, $"{what} {r.Display} (PyTorch's {r.Display}.grad after retain_grad()); overwritten: the local is new on every call."));

        public List<GeneratedParam> BackwardParameters => Original
            .Concat(new[] { new GeneratedParam(Seed, _spec.Scalar.Keyword(), string.Empty, false, $"The gradient flowing into the result of {_spec.Name} (1 for the plain gradient).") })
            .Concat(AccumulatingGradients("seed times the gradient", "seed times the derivative")).ToList();

        public List<GeneratedParam> VectorBackwardParameters => Original
            .Concat(new[] { new GeneratedParam(Seed, "global::System.ReadOnlySpan<" + _spec.Scalar.Keyword() + ">", string.Empty, false, $"The gradient flowing into each element of {Output?.Name} (PyTorch's backward(gradient=...)). Must have the length of {Output?.Name}.") })
            .Concat(AccumulatingGradients("the vector-Jacobian product", "the vector-Jacobian product")).ToList();

        public List<GeneratedParam> DerivativeParameters => Original.Concat(TangentParameters)
            .Concat(new[] { new GeneratedParam(DerivativeName, _spec.Scalar.Keyword(), "out", false, $"Receives the directional derivative of {_spec.Name} along the tangents.") }).ToList();

        public List<GeneratedParam> VectorDerivativeParameters => Original.Concat(TangentParameters)
            .Concat(new[] { new GeneratedParam(DerivativeName, SpanOf(_spec.Scalar), string.Empty, false, $"Receives the directional derivative of each element of {Output?.Name}. Must have the length of {Output?.Name}.") }).ToList();

        public List<GeneratedParam> JacobianParameters => Original
            .Concat(new[] { new GeneratedParam(JacobianName, SpanOf(_spec.Scalar), string.Empty, false, $"Receives the Jacobian: {Output?.Name}.Length rows by the number of active scalars, row-major. Overwritten.") }).ToList();

        public List<GeneratedParam> HessianParameters => Original
            .Concat(new[] { new GeneratedParam(HessianName, SpanOf(_spec.Scalar), string.Empty, false, "Receives the Hessian, n by n row-major over the active scalars (spans flattened in declaration order); overwritten.") }).ToList();

        public List<GeneratedParam> HessianVectorProductParameters => Original
            .Concat(new[]
            {
                new GeneratedParam(DirectionName, "global::System.ReadOnlySpan<" + _spec.Scalar.Keyword() + ">", string.Empty, false, "The direction: one entry per active scalar, spans flattened in declaration order."),
                new GeneratedParam(ProductName, SpanOf(_spec.Scalar), string.Empty, false, "Receives the Hessian times the direction; overwritten. Same length as the direction."),
            }).ToList();

        private IEnumerable<ParamSpec> Active => _spec.Parameters.Where(p => p.Active);

        private IEnumerable<GeneratedParam> AccumulatingGradients(string vectorWhat, string scalarWhat) => Active.Select(p => p.IsVector
            ? new GeneratedParam(GradientNames[p.Name], SpanOf(p.ElementType), string.Empty, true, $"Accumulates {vectorWhat} with respect to {p.Name}. Must have the length of {p.Name}.")
            : new GeneratedParam(GradientNames[p.Name], p.TypeCode, "ref", true, $"Accumulates {scalarWhat} with respect to {p.Name}."));

        /// <summary>The array and span parameters a generated method reads (active or data): what no output buffer may overlap.</summary>
        public IEnumerable<string> InputSpans => _spec.Parameters.Where(p => p.Shape is ParamShape.Array or ParamShape.ReadOnlySpan).Select(p => p.Name);

        /// <summary>The number of active scalars, spans flattened (the side of the Hessian, the columns of the Jacobian), as an int expression.</summary>
        public Expr ActiveCount => Ir.Sum(Active.Select(p => p.IsVector ? (Expr)new Len(p.Name) : Const.Of(1, ValType.Int)), ValType.Int);

        /// <summary>
        /// Each output buffer against every other span the method reads or writes, once per pair: the aliasing checks of
        /// API.md section 9.
        /// </summary>
        /// <param name="outputsMayShare">
        /// Whether the outputs may share memory with each other: accumulating buffers may (a caller passing one span twice
        /// gets both contributions added, which generated code relies on); overwritten ones may not.
        /// </param>
        public EquatableArray<AliasCheck> Aliases(IReadOnlyList<string> outputs, IEnumerable<string> inputs, bool outputsMayShare = false)
        {
            var checks = new List<AliasCheck>();
            var others = inputs.ToList();
            for (int i = 0; i < outputs.Count; i++)
            {
                foreach (var other in outputsMayShare ? others : others.Concat(outputs.Skip(i + 1)))
                {
                    checks.Add(new AliasCheck(outputs[i], other, _spec.Scalar));
                }
            }

            return checks.ToEquatableArray();
        }

        /// <summary>
        /// A vector function's output against each span or array it reads: the generated methods read the inputs after
        /// writing the output, so an in-place call (<c>Normalize(v, v)</c>, which the user's own method may allow) would
        /// silently give a wrong Jacobian; it throws instead (a trial user's program).
        /// </summary>
        public IEnumerable<AliasCheck> OutputAliases() => Output is { } output ? Aliases(new[] { output.Name }, InputSpans) : Enumerable.Empty<AliasCheck>();

        /// <summary>The gradient buffers of the vector parameters, in declaration order.</summary>
        public List<string> GradientBuffers => Active.Where(p => p.IsVector).Select(p => GradientNames[p.Name]).ToList();

        /// <summary>The tangent spans of the vector parameters, in declaration order.</summary>
        public List<string> TangentSpans => Active.Where(p => p.IsVector).Select(p => TangentNames[p.Name]).ToList();
    }
}

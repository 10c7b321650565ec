using System;
using System.Collections.Generic;
using System.Linq;

namespace SymDiff.Generator.Tests.Corpus
{
    /// <summary>How one argument of a corpus function is passed.</summary>
    public enum ArgKind
    {
        /// <summary>An active <c>double</c> or <c>float</c>: one entry of the flat input vector, one gradient entry.</summary>
        Scalar,

        /// <summary>An active <c>double[]</c> or <c>float[]</c>: one flat entry per element and a span gradient buffer.</summary>
        Array,

        /// <summary>An active <c>ReadOnlySpan&lt;T&gt;</c>: like <see cref="Array"/>.</summary>
        Span,

        /// <summary>Data (an <c>int</c>, a <c>[NoGrad]</c> or non-<c>wrt</c> parameter): passed as the C# in <see cref="CorpusArg.Code"/>.</summary>
        Data,
    }

    /// <summary>One argument of a corpus function, in declaration order.</summary>
    /// <param name="Name">The parameter's name in the source.</param>
    /// <param name="Kind">How it is passed.</param>
    /// <param name="Values">The value (scalar) or elements (array, span) of an active argument; empty for data.</param>
    /// <param name="Code">The C# expression passed for a data argument; null for an active one.</param>
    public sealed record CorpusArg(string Name, ArgKind Kind, IReadOnlyList<double> Values, string? Code)
    {
        /// <summary>Whether the generated methods take a gradient for this argument.</summary>
        public bool IsActive => Kind != ArgKind.Data;

        /// <summary>Whether the gradient is a span buffer (checked for length) rather than an <c>out</c>/<c>ref</c> scalar.</summary>
        public bool IsVector => Kind is ArgKind.Array or ArgKind.Span;

        /// <summary>The gradient parameter's name (API.md section 7): <c>d</c> plus the name with its first letter upper-cased.</summary>
        public string GradientName => "d" + char.ToUpperInvariant(Name[0]) + Name[1..];

        /// <summary>The tangent parameter's name in forward mode (API.md section 7): <c>t</c> plus the capitalised name.</summary>
        public string TangentName => "t" + char.ToUpperInvariant(Name[0]) + Name[1..];

        public static CorpusArg Scalar(string name, double value) => new(name, ArgKind.Scalar, new[] { value }, null);

        public static CorpusArg Array(string name, params double[] values) => new(name, ArgKind.Array, values, null);

        public static CorpusArg Span(string name, params double[] values) => new(name, ArgKind.Span, values, null);

        public static CorpusArg Data(string name, string code) => new(name, ArgKind.Data, System.Array.Empty<double>(), code);
    }

    /// <summary>
    /// A small <c>[Differentiable]</c> function with a point to test at and its gradient there, derived by hand.
    /// </summary>
    /// <param name="Name">Unique; the theory row's name.</param>
    /// <param name="Group">The construct group; one snapshot test per group.</param>
    /// <param name="Source">A whole C# file declaring the method (and whatever it calls). Cases at several points share one source string.</param>
    /// <param name="Receiver">C# for what the method is called on: the type (static) or a new instance.</param>
    /// <param name="Method">The method's name.</param>
    /// <param name="Args">Every parameter of the method in declaration order.</param>
    /// <param name="Gradient">
    /// The true gradient at a flat point (the active arguments' values, in declaration order, arrays flattened),
    /// written from calculus, never from the generator's output.
    /// </param>
    public sealed record DifferentiableFunction(
        string Name,
        string Group,
        string Source,
        string Receiver,
        string Method,
        IReadOnlyList<CorpusArg> Args,
        Func<double[], double[]> Gradient)
    {
        /// <summary>A <c>float</c> method: inputs are rounded to float and tolerances are float's.</summary>
        public bool IsFloat { get; init; }

        /// <summary>
        /// False where the function is not differentiable in the classical sense at the point (ties, kinks,
        /// bounds, <c>Sqrt</c> at 0) or where the generated derivative is by design not the derivative of the
        /// value (<c>Grad.Detach</c>): central finite differences are not compared there.
        /// </summary>
        public bool Smooth { get; init; } = true;

        /// <summary>C#'s keyword for the scalar type.</summary>
        public string Scalar => IsFloat ? "float" : "double";

        /// <summary>The active arguments.</summary>
        public IEnumerable<CorpusArg> ActiveArgs => Args.Where(a => a.IsActive);

        /// <summary>Whether any gradient is a span buffer.</summary>
        public bool HasVectorGradient => Args.Any(a => a.IsActive && a.IsVector);

        /// <summary>The flat point: active values in declaration order, rounded to float for a float method.</summary>
        public double[] Point => ActiveArgs.SelectMany(a => a.Values).Select(v => IsFloat ? (double)(float)v : v).ToArray();

        public override string ToString() => Name;
    }
}

using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Model
{
    /// <summary>The C# language versions generated code distinguishes, numbered as Roslyn's <c>LanguageVersion</c>.</summary>
    internal static class LanguageVersions
    {
        /// <summary>C# 7.3, the default of netstandard2.0 and .NET Framework projects: the oldest SymDiff supports.</summary>
        public const int CSharp7_3 = 703;

        /// <summary>C# 8: nullable annotations (<c>#nullable</c>), <c>stackalloc</c> in expressions.</summary>
        public const int CSharp8 = 800;

        /// <summary>Any version newer than every feature SymDiff uses.</summary>
        public const int Latest = int.MaxValue;
    }

    /// <summary>How a parameter is passed.</summary>
    internal enum ParamShape
    {
        /// <summary><c>double</c>, <c>float</c>, <c>int</c>, <c>bool</c>.</summary>
        Scalar,

        /// <summary><c>double[]</c> or <c>float[]</c> (read-only inside the body).</summary>
        Array,

        /// <summary><c>ReadOnlySpan&lt;T&gt;</c>.</summary>
        ReadOnlySpan,

        /// <summary><c>Span&lt;T&gt;</c>: the output of a vector function.</summary>
        OutputSpan,

        /// <summary>Any other type: passed through untouched (an object the body calls methods on).</summary>
        Other,
    }

    /// <summary>One parameter of a differentiable method.</summary>
    /// <param name="Name">The parameter's name as written.</param>
    /// <param name="Shape">How it is passed.</param>
    /// <param name="ElementType">The scalar type, or the element type of an array or span.</param>
    /// <param name="Active">Whether the method is differentiated with respect to it.</param>
    /// <param name="TypeCode">The C# type as the emitter writes it in a signature.</param>
    internal sealed record ParamSpec(string Name, ParamShape Shape, ValType ElementType, bool Active, string TypeCode)
    {
        public bool IsVector => Shape == ParamShape.Array || Shape == ParamShape.ReadOnlySpan || Shape == ParamShape.OutputSpan;
    }

    /// <summary>A containing type declaration, for re-opening it as <c>partial</c>.</summary>
    /// <param name="Keyword">"class", "struct", "record", "record struct" or "interface".</param>
    /// <param name="Name">The name with type parameters, as declared.</param>
    /// <param name="IsStatic">Whether the type is static.</param>
    internal sealed record TypeDeclSpec(string Keyword, string Name, bool IsStatic);

    /// <summary>
    /// Everything the generator needs to know about one <c>[Differentiable]</c> method, with no Roslyn object in it,
    /// so that it compares by value and the incremental pipeline can cache each later step on it.
    /// </summary>
    /// <remarks>
    /// Invariants: parameter names are unique; <see cref="Body"/> mentions only parameters and locals that the
    /// parser made unique. No position is in it (sites are indices; <see cref="Parsing.ParseResult"/> holds the
    /// locations), so moving the method in its file leaves it equal and every later step cached.
    /// </remarks>
    /// <summary>
    /// An argument check at the top of a differentiable body (<c>if (Condition) throw Exception;</c>), as C# that compiles
    /// in the generated file: every generated method runs it after its buffer checks, before writing anything.
    /// </summary>
    internal sealed record GuardSpec(string Condition, string Exception)
    {
        /// <summary>
        /// A throw helper called as a statement instead (<c>ArgumentOutOfRangeException.ThrowIfNegative(n)</c>), as code
        /// with every name qualified; <see cref="Condition"/> and <see cref="Exception"/> are then empty.
        /// </summary>
        public string? Call { get; init; }
    }

    internal sealed record MethodSpec
    {
        public required string Name { get; init; }

        public required string? Namespace { get; init; }

        /// <summary>Containing types, outermost first.</summary>
        public required EquatableArray<TypeDeclSpec> ContainingTypes { get; init; }

        /// <summary>"public", "internal", "private", "protected internal", ...</summary>
        public required string Accessibility { get; init; }

        public required bool IsStatic { get; init; }

        /// <summary><see cref="ValType.Double"/> or <see cref="ValType.Float"/>.</summary>
        public required ValType Scalar { get; init; }

        public required EquatableArray<ParamSpec> Parameters { get; init; }

        /// <summary>True for a vector function (void, with one output span).</summary>
        public required bool IsVectorFunction { get; init; }

        public required EquatableArray<SourceStmt> Body { get; init; }

        public required bool Hessian { get; init; }

        /// <summary>Names of all locals and parameters, so generated names never clash with the user's.</summary>
        public required EquatableArray<string> UserNames { get; init; }

        /// <summary>
        /// The locals the parser named apart because their name was taken (a second loop's <c>i</c> is <c>i2</c>), with
        /// the name the user wrote: the final naming pass gives it back wherever C# allows.
        /// </summary>
        public EquatableArray<SourceName> SourceNames { get; init; } = EquatableArray<SourceName>.Empty;

        /// <summary>
        /// The C# language version of the method's syntax tree, as Roslyn numbers it (703 for C# 7.3, 800 for 8...):
        /// generated code uses no feature newer than this.
        /// </summary>
        public int LanguageVersion { get; init; } = LanguageVersions.Latest;

        /// <summary>Whether the body is nested deeper than <see cref="Helpers.Limits.DeepNesting"/>: its later steps run on a large stack.</summary>
        public bool IsDeep { get; init; }

        /// <summary>The argument checks at the top of the body, in order (API.md 9, guards).</summary>
        public EquatableArray<GuardSpec> Guards { get; init; } = EquatableArray<GuardSpec>.Empty;

        /// <summary>For an overloaded method, a suffix that tells its file apart (<c>_double_double</c>); empty otherwise.</summary>
        public string OverloadSuffix { get; init; } = string.Empty;

        /// <summary>The locals marked with <c>Grad.Retain</c>, in source order (empty for most methods).</summary>
        public EquatableArray<RetainedLocal> Retained { get; init; } = EquatableArray<RetainedLocal>.Empty;

        /// <summary>
        /// Where an inlined vector function's parameter that it does not differentiate received a value (SD1005 when that
        /// value turns out active).
        /// </summary>
        public EquatableArray<InlineCut> InlineCuts { get; init; } = EquatableArray<InlineCut>.Empty;

        /// <summary>
        /// <c>CheckFinite</c> as the attribute sets it: true or false when written, null when not (the project's
        /// <c>SymDiffCheckFinite</c> decides).
        /// </summary>
        public bool? CheckFinite { get; init; }

        /// <summary>
        /// <c>Vectorize = true</c>: the vector APIs of the compilation's target framework (null when the method is not
        /// vectorised). Part of the cache key.
        /// </summary>
        public VectorTarget? Vectorize { get; init; }

        /// <summary>
        /// For a method generated with finite checks only: where its statements are (lines and text). Set by the step
        /// after parsing, so a method without checks holds no position and stays cached when lines above it move; a
        /// checked method is regenerated then (its messages name lines).
        /// </summary>
        public FiniteCheckPlan? Check { get; init; }

        /// <summary>Names of members of the containing type, to detect clashes with generated methods.</summary>
        public string DisplayName => ContainingTypes.Count == 0 ? Name : ContainingTypes[ContainingTypes.Count - 1].Name + "." + Name;

        /// <summary>A stable file name: <c>Namespace.Outer.Inner.Method.g.cs</c>.</summary>
        public string HintName
        {
            get
            {
                var sb = new System.Text.StringBuilder();
                if (Namespace is not null)
                {
                    sb.Append(Namespace).Append('.');
                }

                foreach (var t in ContainingTypes)
                {
                    sb.Append(t.Name.Replace('<', '{').Replace('>', '}')).Append('.');
                }

                sb.Append(Name).Append(OverloadSuffix).Append(".g.cs");
                return sb.ToString();
            }
        }
    }

    /// <summary>A local whose value is <c>Grad.Retain(...)</c>: the retained methods return its gradient.</summary>
    /// <param name="Name">The local's name in the method's source statements (unique in the method).</param>
    /// <param name="Display">The local's name as the user wrote it.</param>
    /// <param name="Site">Index into the method's sites of the <c>Grad.Retain</c> call, for diagnostics.</param>
    internal sealed record RetainedLocal(string Name, string Display, int Site);

    /// <summary>
    /// An argument of an inlined vector function's call for a parameter it does not differentiate: <paramref name="Watched"/>
    /// (the local holding a scalar argument, or the array a span argument views) is active exactly when a gradient is cut.
    /// </summary>
    internal sealed record InlineCut(int Site, string Parameter, string Callee, string Watched);

    /// <summary>A local's unique name in the model (<c>i2</c>) and the name it was made from (<c>i</c>, the user's).</summary>
    internal sealed record SourceName(string Name, string Source);

    /// <summary>A statement of the user's method, as <c>CheckFinite</c>'s messages name it.</summary>
    /// <param name="Line">Its 1-based line.</param>
    /// <param name="Text">Its expression as written, on one line.</param>
    internal sealed record SourceOrigin(int Line, string Text);

    /// <summary>What finite checks need to name where a value comes from (API.md section 9, docs/nan-locator.md).</summary>
    /// <param name="File">The method's source file name (no directory).</param>
    /// <param name="MethodLine">The line of the method's name: the place of a value no statement can be found for.</param>
    /// <param name="Origins">The statements, indexed by <see cref="SourceStmt.Origin"/>.</param>
    internal sealed record FiniteCheckPlan(string File, int MethodLine, EquatableArray<SourceOrigin> Origins);

    /// <summary>What a call in a differentiable body calls.</summary>
    internal enum CalleeKind
    {
        /// <summary>Another <c>[Differentiable]</c> method: its generated methods carry the derivative.</summary>
        Differentiable,

        /// <summary>A function with a <c>[DerivativeOf]</c> rule.</summary>
        CustomRule,

        /// <summary>Any other method: allowed on data only.</summary>
        Plain,
    }

    /// <summary>A user method called from a differentiable body.</summary>
    /// <param name="Kind">What kind of callee.</param>
    /// <param name="Name">The method's name.</param>
    /// <param name="Target">How to reach it from generated code: <c>global::N.T</c> for a static method, empty for an instance method.</param>
    /// <param name="ParameterNames">The callee's parameter names, for naming partials and for messages.</param>
    /// <param name="Active">For a differentiable callee, which of its parameters are active.</param>
    /// <param name="ParameterTypes">The callee's parameter types as C# text, to match custom rules.</param>
    /// <param name="Site">Index into the method's sites (<see cref="Parsing.ParseResult.Sites"/>) of the call, for diagnostics.</param>
    internal sealed record CalleeSpec(CalleeKind Kind, string Name, string Target, EquatableArray<string> ParameterNames, EquatableArray<bool> Active, EquatableArray<string> ParameterTypes, int Site)
    {
        /// <summary>
        /// For a differentiable callee, per parameter: whether it may reach the result through a derivative path
        /// (<see cref="Parsing.CalleeSummary"/>); empty when unknown (every parameter may).
        /// </summary>
        public EquatableArray<bool> Influences { get; init; } = EquatableArray<bool>.Empty;

        /// <summary>Whether the callee checks its arguments (can throw): its call is kept even when its value is dead.</summary>
        public bool HasGuards { get; init; }

        /// <summary>Whether the callee has <c>Hessian = true</c>: its generated <c>HessianVectorProduct</c> serves a caller's second order.</summary>
        public bool HasHessian { get; init; }

        /// <summary>
        /// Whether a partial of the callee may be infinite at finite arguments (<see cref="Parsing.CalleeSummary.MayHaveInfinitePartial"/>):
        /// forward mode then takes a call that passes a data span to a parameter the callee differentiates through its Backward.
        /// </summary>
        public bool MayHaveInfinitePartial { get; init; }

        /// <summary>Whether parameter <paramref name="i"/> may influence the result.</summary>
        public bool MayInfluence(int i) => Influences.Count == 0 || (i < Influences.Count && Influences[i]);

        /// <summary>
        /// Whether a derivative flows through argument <paramref name="i"/> of a differentiable callee: the parameter is
        /// differentiated there (not <c>[NoGrad]</c>, SD1005) and may reach the result.
        /// </summary>
        public bool PassesDerivative(int i) => i < Active.Count && Active[i] && MayInfluence(i);

        public string Qualified(string suffix) => Target.Length == 0 ? Name + suffix : Target + "." + Name + suffix;

        public string DisplayName => Target.Length == 0 ? Name : Target.Replace("global::", string.Empty) + "." + Name;
    }

    /// <summary>A <c>[DerivativeOf]</c> rule: <see cref="RuleTarget"/>.<see cref="RuleName"/> gives the partials of <see cref="FunctionTarget"/>.<see cref="FunctionName"/>.</summary>
    internal sealed record RuleSpec(string FunctionTarget, string FunctionName, EquatableArray<string> ParameterTypes, string RuleTarget, string RuleName, bool RuleIsDifferentiable)
    {
        /// <summary>The innermost type (<c>global::N.T</c>) outside of which the rule cannot be called; null when any code can.</summary>
        public string? AccessibleWithin { get; init; }

        public bool Matches(CalleeSpec callee) => callee.Target == FunctionTarget && callee.Name == FunctionName && callee.ParameterTypes.Equals(ParameterTypes);

        /// <summary>Whether generated code in the method's containing type can call the rule.</summary>
        public bool IsAccessibleFrom(MethodSpec method)
        {
            if (AccessibleWithin is null)
            {
                return true;
            }

            string type = "global::" + (method.Namespace is null ? string.Empty : method.Namespace + ".");
            foreach (var t in method.ContainingTypes)
            {
                type += t.Name;
                if (type == AccessibleWithin)
                {
                    return true;
                }

                type += ".";
            }

            return false;
        }
    }
}

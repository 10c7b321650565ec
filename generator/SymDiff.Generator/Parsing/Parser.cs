using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Parsing
{
    /// <summary>The outcome of parsing one method.</summary>
    /// <param name="Spec">The method, or null when not even its signature can be generated.</param>
    /// <param name="BodyIsValid">False when the signature is fine but the body is not: the emitter writes throwing stubs.</param>
    /// <param name="Diagnostics">Errors that stop generation (and warnings found on the way).</param>
    /// <param name="Sites">Where the method's sites are (calls, loops): diagnostics of later phases name a site by index.</param>
    /// <param name="Location">The method's name, for diagnostics about the whole method.</param>
    internal sealed record ParseResult(MethodSpec? Spec, bool BodyIsValid, EquatableArray<DiagnosticInfo> Diagnostics)
    {
        public EquatableArray<LocationInfo> Sites { get; init; } = EquatableArray<LocationInfo>.Empty;

        public LocationInfo? Location { get; init; }

        /// <summary>
        /// Where the method's statements are, for <c>CheckFinite</c>: the step after parsing puts it into the spec of a
        /// checked method only, so that positions stay out of every other method's cache key.
        /// </summary>
        public FiniteCheckPlan? Origins { get; init; }
    }

    /// <summary>
    /// Reads a <c>[Differentiable]</c> method into a <see cref="MethodSpec"/>: the signature checks (SD0xxx) here,
    /// the body (the supported subset of C#, SD1xxx) in <c>Parser.Body.cs</c>. Pure: it reads symbols and operations
    /// and returns data.
    /// </summary>
    internal static partial class Parser
    {
        private static int CountStatements(IEnumerable<SourceStmt> statements) => statements.Sum(s => 1 + s switch
        {
            SourceIf i => CountStatements(i.Then) + CountStatements(i.Else),
            SourceLoop l => CountStatements(l.Body) + CountStatements(l.Increment),
            _ => 0,
        });

        /// <summary>How deeply the syntax under <paramref name="node"/> nests (a node alone is 1), found without recursion.</summary>
        /// <remarks>
        /// Depth first, one child enumerator (a struct) per level of the path being walked: no iterator, stack entry or
        /// tuple per node (the stack of (node, depth) pairs and <c>ChildNodes()</c> iterators it used cost about 1 % of the
        /// generator's time, docs/performance.md, "Generator time, fifth pass").
        /// </remarks>
        public static int NestingDepth(SyntaxNode node)
        {
            var path = new ChildSyntaxList.Enumerator[32];
            path[0] = node.ChildNodesAndTokens().GetEnumerator();
            int top = 0;
            int deepest = 1;
            while (top >= 0)
            {
                if (!path[top].MoveNext())
                {
                    top--;
                    continue;
                }

                var child = path[top].Current.AsNode();
                if (child is null)
                {
                    continue;
                }

                top++;
                deepest = System.Math.Max(deepest, top + 1);
                if (top == path.Length)
                {
                    System.Array.Resize(ref path, 2 * path.Length);
                }

                path[top] = child.ChildNodesAndTokens().GetEnumerator();
            }

            return deepest;
        }

        /// <summary>Parses <paramref name="method"/>, declared by <paramref name="syntax"/>.</summary>
        /// <param name="nesting">The body's <see cref="NestingDepth"/>, when the caller has measured it.</param>
        public static ParseResult Parse(IMethodSymbol method, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken ct, int nesting = 0)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var nameLocation = LocationInfo.From(syntax.Identifier.GetLocation());

            // Containing types: every one must be partial so the generated part can join it.
            var containing = new List<TypeDeclSpec>();
            for (var type = method.ContainingType; type is not null; type = type.ContainingType)
            {
                var declaration = type.DeclaringSyntaxReferences
                    .Select(r => r.GetSyntax(ct))
                    .OfType<TypeDeclarationSyntax>()
                    .FirstOrDefault();
                if (type.IsFileLocal)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FileLocalType, nameLocation, method.Name, type.Name));
                    return new ParseResult(null, false, diagnostics.ToEquatableArray());
                }

                if (declaration is null || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, nameLocation, method.Name, type.Name));
                    return new ParseResult(null, false, diagnostics.ToEquatableArray());
                }

                containing.Insert(0, new TypeDeclSpec(TypeKeyword(declaration), declaration.Identifier.ValueText + declaration.TypeParameterList?.ToString(), type.IsStatic));
                if (type.IsGenericType)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.Generic, nameLocation, method.Name));
                }
            }

            if (method.IsGenericMethod)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.Generic, nameLocation, method.Name));
            }

            if (diagnostics.Count > 0)
            {
                return new ParseResult(null, false, diagnostics.ToEquatableArray());
            }

            var signature = ParseSignature(method, syntax, diagnostics);
            if (signature is null)
            {
                return new ParseResult(null, false, diagnostics.ToEquatableArray());
            }

            var (parameters, scalar, isVector) = signature.Value;
            bool hessian = ReadHessianFlag(method);
            bool? checkFinite = ReadCheckFiniteFlag(method);
            var vectorize = ReadNamedFlag(method, "Vectorize") == true ? VectorApis.Of(model.Compilation) : null;
            CheckNameClashes(method, isVector, hessian, nameLocation, diagnostics);
            if (diagnostics.Count > 0)
            {
                return new ParseResult(null, false, diagnostics.ToEquatableArray());
            }

            if (isVector && hessian)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.HessianOnVectorFunction, nameLocation, method.Name));
                hessian = false;
            }

            if (nesting > Limits.MaxNesting)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, nameLocation, method.ContainingType.Name + "." + method.Name, $"its body nests {nesting} levels deep; the limit is {Limits.MaxNesting}"));
                return new ParseResult(null, false, diagnostics.ToEquatableArray());
            }

            var body = new BodyParser(method, model, parameters, ct);
            var statements = body.ParseBody(syntax, diagnostics);
            LeafWrites.ReplaceFenceReports(method, syntax, model, parameters, diagnostics, ct);
            int count = statements is null ? 0 : CountStatements(statements);
            if (count > Limits.MaxStatements)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, nameLocation, method.ContainingType.Name + "." + method.Name, $"its body has {count} statements; the limit is {Limits.MaxStatements}"));
            }

            if (statements is not null && body.Retained.Count > 0)
            {
                CheckNameClash(method, isVector ? "BackwardRetained" : "GradientRetained", nameLocation, diagnostics);
            }

            bool bodyValid = statements is not null && !diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == DiagnosticSeverity.Error);

            var spec = new MethodSpec
            {
                Name = method.Name,
                Namespace = method.ContainingNamespace is { IsGlobalNamespace: false } ns ? ns.ToDisplayString() : null,
                ContainingTypes = containing.ToEquatableArray(),
                Accessibility = AccessibilityText(method.DeclaredAccessibility),
                IsStatic = method.IsStatic,
                Scalar = scalar,
                Parameters = parameters.ToEquatableArray(),
                IsVectorFunction = isVector,
                Body = bodyValid ? statements!.ToEquatableArray() : EquatableArray<SourceStmt>.Empty,
                Guards = bodyValid ? body.Guards.ToEquatableArray() : EquatableArray<GuardSpec>.Empty,
                Hessian = hessian,
                CheckFinite = checkFinite,
                Vectorize = vectorize,
                UserNames = body.UserNames.OrderBy(n => n, System.StringComparer.Ordinal).ToEquatableArray(),
                SourceNames = body.SourceNames.OrderBy(n => n.Key, System.StringComparer.Ordinal).Select(n => new SourceName(n.Key, n.Value)).ToEquatableArray(),
                IsDeep = nesting > Limits.DeepNesting,
                LanguageVersion = syntax.SyntaxTree.Options is CSharpParseOptions options ? (int)options.LanguageVersion : LanguageVersions.Latest,
                OverloadSuffix = method.ContainingType.GetMembers(method.Name).Length > 1
                    ? string.Concat(method.Parameters.Select(p => "_" + new string(p.Type.ToDisplayString().Select(c => char.IsLetterOrDigit(c) ? c : '_').ToArray())))
                    : string.Empty,
                Retained = bodyValid ? body.Retained.ToEquatableArray() : EquatableArray<RetainedLocal>.Empty,
                InlineCuts = bodyValid ? body.InlineCuts.ToEquatableArray() : EquatableArray<InlineCut>.Empty,
            };
            var origins = new FiniteCheckPlan(
                System.IO.Path.GetFileName(syntax.SyntaxTree.FilePath),
                syntax.Identifier.GetLocation().GetLineSpan().StartLinePosition.Line + 1,
                body.Origins.ToEquatableArray());
            return new ParseResult(spec, bodyValid, diagnostics.ToEquatableArray()) { Sites = body.Sites.ToEquatableArray(), Location = nameLocation, Origins = origins };
        }

        private static (List<ParamSpec> Parameters, ValType Scalar, bool IsVector)? ParseSignature(IMethodSymbol method, MethodDeclarationSyntax syntax, List<DiagnosticInfo> diagnostics)
        {
            var nameLocation = LocationInfo.From(syntax.Identifier.GetLocation());
            bool sawDouble = false, sawFloat = false;
            bool isVector = false;
            switch (method.ReturnType.SpecialType)
            {
                case SpecialType.System_Double:
                    sawDouble = true;
                    break;
                case SpecialType.System_Single:
                    sawFloat = true;
                    break;
                case SpecialType.System_Void:
                    isVector = true;
                    break;
                default:
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedReturn, LocationInfo.From(syntax.ReturnType), method.Name, method.ReturnType.ToDisplayString(), string.Empty));
                    return null;
            }

            var wrt = ReadWrt(method);
            var parameters = new List<ParamSpec>();
            int outputs = 0;
            foreach (var p in method.Parameters)
            {
                var location = LocationInfo.From(p.Locations.FirstOrDefault());
                string typeText = p.Type.ToDisplayString();
                if (p.RefKind != RefKind.None || p.IsParams)
                {
                    string why = p.IsParams ? "'params' parameters are not supported; remove 'params' and pass an array or span"
                        : p.RefKind == RefKind.Out ? "'out' parameters are not supported; return the value (one scalar), or write it into a Span<double> output parameter (a vector function)"
                        : $"'{RefKindKeyword(p.RefKind)}' parameters are not supported; pass it by value";
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, p.Name, typeText, why));
                    continue;
                }

                if (p.Type is IArrayTypeSymbol { Rank: > 1 } grid && grid.ElementType.SpecialType is SpecialType.System_Double or SpecialType.System_Single)
                {
                    // Before: SD0006 "no parameter to differentiate" at the method's name, which sent users looking elsewhere.
                    string flat = grid.ElementType.ToDisplayString();
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, p.Name, typeText,
                        $"multidimensional arrays are not supported; pass the elements flattened in row-major order as a {flat}[] or ReadOnlySpan<{flat}> "
                        + $"and index it as {p.Name}[i * cols + j] (with cols an int parameter or {p.Name}.Length / rows)"));
                    continue;
                }

                var (shape, element) = Classify(p.Type);
                bool noGrad = IsNoGrad(p);
                if (element == ValType.Double && shape != ParamShape.Other)
                {
                    sawDouble = true;
                }

                if (element == ValType.Float && shape != ParamShape.Other)
                {
                    sawFloat = true;
                }

                if (shape == ParamShape.OutputSpan)
                {
                    if (!isVector)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedParameter, location, p.Name, typeText, "a Span<T> parameter is the output of a void vector function; use ReadOnlySpan<T> for an input"));
                        continue;
                    }

                    outputs++;
                }

                bool floating = element.IsFloating() && shape != ParamShape.Other && shape != ParamShape.OutputSpan;
                bool active;
                if (wrt.Length > 0)
                {
                    active = wrt.Contains(p.Name);
                    if (active && !floating)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownWrt, nameLocation, p.Name, $"which is of type '{typeText}'; only double, float, their arrays and ReadOnlySpans can be differentiated"));
                    }
                    else if (active && noGrad)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownWrt, nameLocation, p.Name, "which is also marked [NoGrad]; remove one of the two"));
                    }
                }
                else
                {
                    active = floating && !noGrad;
                }

                parameters.Add(new ParamSpec(p.Name, shape, element, active && floating, TypeCode(p.Type, shape, element)));
            }

            foreach (var name in wrt)
            {
                if (!method.Parameters.Any(p => p.Name == name))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownWrt, nameLocation, name, $"which is not a parameter of '{method.Name}'"));
                }
            }

            if (isVector && outputs != 1)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedReturn, LocationInfo.From(syntax.ReturnType), method.Name, "void", outputs == 0 ? " (it has no Span<double> or Span<float> parameter)" : " (it has more than one Span parameter)"));
            }

            if (sawDouble && sawFloat)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MixedPrecision, nameLocation, method.Name));
            }

            if (diagnostics.Count == 0 && !parameters.Any(p => p.Active))
            {
                // A collection the parameters cannot take (List<double>, IEnumerable<double>) is the likely intent.
                var collection = method.Parameters.FirstOrDefault(p => p.Type is INamedTypeSymbol { TypeArguments.Length: 1 } g && g.TypeArguments[0].SpecialType is SpecialType.System_Double or SpecialType.System_Single
                    && g.Name is not ("Span" or "ReadOnlySpan" or "Nullable") && !IsNoGrad(p));
                string? element = (collection?.Type as INamedTypeSymbol)?.TypeArguments[0].ToDisplayString();
                string hint = collection is null ? string.Empty
                    : $" ('{collection.Name}' is a {collection.Type.ToDisplayString()}, which is read as data only: take a {element}[] or a ReadOnlySpan<{element}> instead)";
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoActiveParameter, nameLocation, method.Name, hint));
            }

            if (diagnostics.Count > 0)
            {
                return null;
            }

            return (parameters, sawFloat ? ValType.Float : ValType.Double, isVector);
        }

        /// <summary>Which parameters of a <c>[Differentiable]</c> method are active, as its own generated methods see them.</summary>
        public static EquatableArray<bool> ActiveParameters(IMethodSymbol method)
        {
            var wrt = ReadWrt(method);
            return method.Parameters.Select(p =>
            {
                var (shape, element) = Classify(p.Type);
                bool floating = element.IsFloating() && shape != ParamShape.Other && shape != ParamShape.OutputSpan;
                bool noGrad = IsNoGrad(p);
                return floating && (wrt.Length > 0 ? wrt.Contains(p.Name) : !noGrad);
            }).ToEquatableArray();
        }

        /// <summary>The parameter names of <c>[Differentiable(...)]</c>, empty when none are given.</summary>
        public static ImmutableArray<string> ReadWrt(IMethodSymbol method)
        {
            var attribute = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == KnownNames.DifferentiableAttribute);
            if (attribute is null || attribute.ConstructorArguments.Length == 0)
            {
                return ImmutableArray<string>.Empty;
            }

            // [Differentiable(null)] passes no list: every floating-point parameter, as with no argument.
            var arg = attribute.ConstructorArguments[0];
            if (arg.IsNull)
            {
                return ImmutableArray<string>.Empty;
            }

            if (arg.Kind == TypedConstantKind.Array)
            {
                // A null name matches no parameter, so SD0004 reports it.
                return arg.Values.Select(v => v.Value as string ?? "null").ToImmutableArray();
            }

            return arg.Value is string single ? ImmutableArray.Create(single) : ImmutableArray<string>.Empty;
        }

        internal static bool ReadHessianFlag(IMethodSymbol method)
        {
            var attribute = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == KnownNames.DifferentiableAttribute);
            return attribute is not null && attribute.NamedArguments.Any(kv => kv.Key == "Hessian" && kv.Value.Value is true);
        }

        /// <summary><c>CheckFinite</c> as written on the attribute, or null when it is not.</summary>
        /// <summary>Whether <paramref name="p"/> carries <c>[NoGrad]</c>.</summary>
        private static bool IsNoGrad(IParameterSymbol p) => p.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == KnownNames.NoGradAttribute);

        private static bool? ReadCheckFiniteFlag(IMethodSymbol method) => ReadNamedFlag(method, "CheckFinite");

        /// <summary>A named bool argument of the attribute as written, or null when it is not.</summary>
        private static bool? ReadNamedFlag(IMethodSymbol method, string name)
        {
            var attribute = method.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == KnownNames.DifferentiableAttribute);
            foreach (var argument in attribute?.NamedArguments ?? ImmutableArray<KeyValuePair<string, TypedConstant>>.Empty)
            {
                if (argument.Key == name && argument.Value.Value is bool value)
                {
                    return value;
                }
            }

            return null;
        }

        /// <summary>The shape and element type of a parameter type.</summary>
        public static (ParamShape Shape, ValType Element) Classify(ITypeSymbol type)
        {
            if (ScalarOf(type) is { } scalar)
            {
                return (ParamShape.Scalar, scalar);
            }

            if (type is IArrayTypeSymbol { Rank: 1 } array && ScalarOf(array.ElementType) is { } e && e.IsFloating())
            {
                return (ParamShape.Array, e);
            }

            if (type is INamedTypeSymbol { IsGenericType: true } named && named.ContainingNamespace?.ToDisplayString() == "System"
                && ScalarOf(named.TypeArguments[0]) is { } spanElement && spanElement.IsFloating())
            {
                if (named.Name == "ReadOnlySpan")
                {
                    return (ParamShape.ReadOnlySpan, spanElement);
                }

                if (named.Name == "Span")
                {
                    return (ParamShape.OutputSpan, spanElement);
                }
            }

            return (ParamShape.Other, ValType.Object);
        }

        /// <summary>
        /// The IR type of a value of a C# type: a scalar's (<see cref="ScalarOf"/>), and <c>int</c> for an enum whose
        /// underlying type is <c>int</c> (a mode or configuration field: <c>if (Mode == Loss.Huber)</c>), whose values the
        /// generated code reads as <c>(int)</c> and compares as ints, as C# does. Null otherwise.
        /// </summary>
        public static ValType? ValueOf(ITypeSymbol? type) => ScalarOf(type) ?? (IsIntEnum(type) ? ValType.Int : null);

        /// <summary>An enum whose underlying type is <c>int</c>.</summary>
        public static bool IsIntEnum(ITypeSymbol? type) => type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType.SpecialType: SpecialType.System_Int32 };

        /// <summary>The IR type of a scalar C# type, or null.</summary>
        public static ValType? ScalarOf(ITypeSymbol? type) => type?.SpecialType switch
        {
            SpecialType.System_Double => ValType.Double,
            SpecialType.System_Single => ValType.Float,
            SpecialType.System_Int32 => ValType.Int,
            SpecialType.System_Boolean => ValType.Bool,
            _ => null,
        };

        private static string TypeCode(ITypeSymbol type, ParamShape shape, ValType element) => shape switch
        {
            ParamShape.Scalar => element.Keyword(),
            ParamShape.Array => element.Keyword() + "[]",
            ParamShape.ReadOnlySpan => "global::System.ReadOnlySpan<" + element.Keyword() + ">",
            ParamShape.OutputSpan => "global::System.Span<" + element.Keyword() + ">",
            _ => type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
                SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier)),
        };

        private static void CheckNameClashes(IMethodSymbol method, bool isVector, bool hessian, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            foreach (var suffix in GeneratedSuffixes(isVector, hessian))
            {
                CheckNameClash(method, suffix, location, diagnostics);
            }
        }

        private static void CheckNameClash(IMethodSymbol method, string suffix, LocationInfo? location, List<DiagnosticInfo> diagnostics)
        {
            string name = method.Name + suffix;
            // SymDiff's own output is no clash: analyzers run this parser on the compilation that holds it.
            if (method.ContainingType.GetMembers(name).Any(m => !IsGeneratedBySymDiff(m)))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NameClash, location, name, method.Name));
            }
        }

        private static bool IsGeneratedBySymDiff(ISymbol member) => member.GetAttributes().Any(a =>
            a.AttributeClass?.ToDisplayString() == "System.CodeDom.Compiler.GeneratedCodeAttribute"
            && a.ConstructorArguments.Length > 0 && a.ConstructorArguments[0].Value is "SymDiff");

        /// <summary>The suffixes of the methods generated for one differentiable method.</summary>
        public static IEnumerable<string> GeneratedSuffixes(bool isVector, bool hessian)
        {
            if (!isVector)
            {
                yield return "Gradient";
            }

            yield return "Backward";
            yield return "Derivative";
            yield return "Graph";
            if (isVector)
            {
                yield return "Jacobian";
            }

            if (hessian)
            {
                yield return "Hessian";
                yield return "HessianVectorProduct";
            }
        }

        /// <summary>The modifier as written in C# (RefKind's own names run together: "RefReadOnlyParameter").</summary>
        private static string RefKindKeyword(RefKind kind) => kind switch
        {
            RefKind.Ref => "ref",
            RefKind.Out => "out",
            RefKind.In => "in",
            _ => "ref readonly",
        };

        private static string TypeKeyword(TypeDeclarationSyntax declaration) => declaration switch
        {
            RecordDeclarationSyntax r when r.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
            RecordDeclarationSyntax => "record",
            StructDeclarationSyntax => "struct",
            InterfaceDeclarationSyntax => "interface",
            _ => "class",
        };

        private static string AccessibilityText(Accessibility accessibility) => accessibility switch
        {
            Accessibility.Public => "public",
            Accessibility.Internal => "internal",
            Accessibility.Protected => "protected",
            Accessibility.ProtectedOrInternal => "protected internal",
            Accessibility.ProtectedAndInternal => "private protected",
            _ => "private",
        };
    }
}

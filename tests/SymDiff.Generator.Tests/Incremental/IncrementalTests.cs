using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Incremental
{
    /// <summary>
    /// The incremental pipeline caches per method: re-running on an equal compilation, or after an edit elsewhere,
    /// re-runs nothing after parsing; an edit to a method's body re-differentiates that method only; and no step
    /// output holds on to Roslyn objects (which would both leak compilations and defeat the cache).
    /// </summary>
    public sealed class IncrementalTests
    {
        private static readonly string[] AllSteps =
        {
            TrackingNames.Parse, TrackingNames.Rules, TrackingNames.Inputs, TrackingNames.Differentiate, TrackingNames.Emit,
        };

        private const string Model = """
            using System;
            using SymDiff;

            public static partial class Model
            {
                [Differentiable]
                public static double Loss(double w, double b, [NoGrad] double x, [NoGrad] double y)
                {
                    double residual = (w * x) + b - y;
                    return residual * residual;
                }

                [Differentiable]
                public static double Sigmoid(double z) => 1.0 / (1.0 + Math.Exp(-z));

                public static double Softplus(double v) => Math.Log(1.0 + Math.Exp(v));

                [DerivativeOf(typeof(Model), nameof(Softplus))]
                public static double SoftplusDerivative(double v) => Sigmoid(v);

                [Differentiable]
                public static double Smooth(double w) => Softplus(w) * Sigmoid(w);
            }
            """;

        private const string Unrelated = """
            public static class Unrelated
            {
                public static int Answer() => 42;
            }
            """;

        private const string UnrelatedEdited = """
            // edited
            public static class Unrelated
            {
                public static int Answer() => 41 + 1;

                public static string Name => "unrelated";
            }
            """;

        // ---------------------------------------------------------------- (a) the same compilation again

        [Fact]
        public void Same_compilation_again_reuses_every_step()
        {
            GeneratorOutput first = GeneratorRunner.Run(Model, Unrelated);
            GeneratorRunner.AssertCleanCompile(first);

            GeneratorOutput again = GeneratorRunner.RunAgain(first, c => c.Clone());

            foreach (string step in AllSteps)
            {
                AssertAll(again, step, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
            }

            AssertSameGeneratedText(first, again);
        }

        // ---------------------------------------------------------------- (b) an unrelated file changes

        [Fact]
        public void Editing_an_unrelated_file_does_not_rerun_differentiation_or_emit()
        {
            GeneratorOutput first = GeneratorRunner.Run(Model, Unrelated);

            GeneratorOutput edited = GeneratorRunner.RunAgain(first, c => CompilationFactory.WithSource(c, 1, UnrelatedEdited));

            AssertAll(edited, TrackingNames.Parse, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
            AssertAll(edited, TrackingNames.Rules, IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged);
            AssertAll(edited, TrackingNames.Differentiate, IncrementalStepRunReason.Cached);
            AssertAll(edited, TrackingNames.Emit, IncrementalStepRunReason.Cached);
            AssertSameGeneratedText(first, edited);
        }

        [Fact]
        public void Adding_an_unrelated_file_does_not_rerun_differentiation_or_emit()
        {
            GeneratorOutput first = GeneratorRunner.Run(Model);

            GeneratorOutput added = GeneratorRunner.RunAgain(
                first,
                c => c.AddSyntaxTrees(CompilationFactory.Parse(Unrelated, CompilationFactory.SourcePath(1))));

            AssertAll(added, TrackingNames.Differentiate, IncrementalStepRunReason.Cached);
            AssertAll(added, TrackingNames.Emit, IncrementalStepRunReason.Cached);
            AssertSameGeneratedText(first, added);
        }

        [Fact]
        public void Editing_another_method_body_leaves_this_method_cached()
        {
            // Two files, one differentiable method each: editing B re-differentiates B only.
            const string a = """
                using SymDiff;
                public static partial class A
                {
                    [Differentiable] public static double F(double x) => x * x;
                }
                """;
            const string b = """
                using SymDiff;
                public static partial class B
                {
                    [Differentiable] public static double G(double x) => x + x;
                }
                """;
            GeneratorOutput first = GeneratorRunner.Run(a, b);

            GeneratorOutput edited = GeneratorRunner.RunAgain(first, c => CompilationFactory.WithSource(c, 1, b.Replace("x + x", "x * x * x", StringComparison.Ordinal)));

            ImmutableArray<IncrementalStepRunReason> reasons = edited.StepReasons(TrackingNames.Differentiate);
            Assert.Equal(2, reasons.Length);
            Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.Modified));
            Assert.Equal(1, reasons.Count(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged));
            Assert.Equal(
                first.GeneratedSources.Single(s => s.HintName.StartsWith("A.", StringComparison.Ordinal)),
                edited.GeneratedSources.Single(s => s.HintName.StartsWith("A.", StringComparison.Ordinal)));
        }

        [Fact]
        public void Inserting_lines_above_the_methods_moves_their_diagnostics_and_reruns_nothing_expensive()
        {
            // Positions are not in the models: lines typed above a method change where its diagnostics go, not what is
            // differentiated or written.
            const string loop = """
                using System;
                using SymDiff;
                public static partial class L
                {
                    [Differentiable]
                    public static double Horner(ReadOnlySpan<double> c, double x)
                    {
                        double s = 0;
                        for (int i = c.Length - 1; i >= 0; i--)
                        {
                            s = s * x + c[i];
                        }

                        return s;
                    }
                }
                """;
            GeneratorOutput first = GeneratorRunner.Run(loop);
            GeneratorOutput edited = GeneratorRunner.RunAgain(first, c => CompilationFactory.WithSource(c, 0, "// a comment\n// and another\n" + loop));

            AssertAll(edited, TrackingNames.Differentiate, IncrementalStepRunReason.Cached);
            AssertAll(edited, TrackingNames.Emit, IncrementalStepRunReason.Cached);
            AssertSameGeneratedText(first, edited);
            Diagnostic before = Assert.Single(first.GeneratorDiagnostics, d => d.Id == "SD1006");
            Diagnostic after = Assert.Single(edited.GeneratorDiagnostics, d => d.Id == "SD1006");
            Assert.Equal(before.Location.GetLineSpan().StartLinePosition.Line + 2, after.Location.GetLineSpan().StartLinePosition.Line);
            Assert.Equal("for", after.Location.SourceTree!.GetText().ToString(after.Location.SourceSpan));
        }

        [Fact]
        public void Editing_a_rule_reruns_only_the_methods_that_call_its_function()
        {
            GeneratorOutput first = GeneratorRunner.Run(Model);

            // Renaming the rule changes the rule table; only Smooth calls Softplus.
            string changed = Model.Replace("SoftplusDerivative(double v)", "SoftplusSlope(double v)", StringComparison.Ordinal);
            GeneratorOutput edited = GeneratorRunner.RunAgain(first, c => CompilationFactory.WithSource(c, 0, changed));

            ImmutableArray<IncrementalStepRunReason> reasons = edited.StepReasons(TrackingNames.Differentiate);
            Assert.Equal(3, reasons.Length);
            Assert.Equal(1, reasons.Count(r => r == IncrementalStepRunReason.Modified));
            Assert.Equal(2, reasons.Count(r => r == IncrementalStepRunReason.Cached));
            Assert.Equal(
                first.GeneratedSources.Single(s => s.HintName == "Model.Loss.g.cs"),
                edited.GeneratedSources.Single(s => s.HintName == "Model.Loss.g.cs"));
        }

        // ---------------------------------------------------------------- (c) the method itself changes

        [Fact]
        public void Editing_the_differentiable_body_reruns_differentiation()
        {
            GeneratorOutput first = GeneratorRunner.Run(Model, Unrelated);

            string changed = Model.Replace("return residual * residual;", "return residual * residual * residual;", StringComparison.Ordinal);
            Assert.NotEqual(Model, changed);
            GeneratorOutput edited = GeneratorRunner.RunAgain(first, c => CompilationFactory.WithSource(c, 0, changed));

            Assert.Contains(IncrementalStepRunReason.Modified, edited.StepReasons(TrackingNames.Differentiate));
            Assert.Contains(IncrementalStepRunReason.Modified, edited.StepReasons(TrackingNames.Emit));
            string before = first.GeneratedSources.Single(s => s.HintName == "Model.Loss.g.cs").Text;
            string after = edited.GeneratedSources.Single(s => s.HintName == "Model.Loss.g.cs").Text;
            Assert.NotEqual(before, after);
            GeneratorRunner.AssertCleanCompile(edited);
        }

        [Fact]
        public void Editing_a_custom_rule_reruns_the_rules_step()
        {
            GeneratorOutput first = GeneratorRunner.Run(Model);

            string changed = Model.Replace("SoftplusDerivative(double v)", "SoftplusSlope(double v)", StringComparison.Ordinal);
            GeneratorOutput edited = GeneratorRunner.RunAgain(first, c => CompilationFactory.WithSource(c, 0, changed));

            Assert.Contains(IncrementalStepRunReason.Modified, edited.StepReasons(TrackingNames.Rules));
            string smooth = edited.GeneratedSources.Single(s => s.HintName == "Model.Smooth.g.cs").Text;
            Assert.Contains("SoftplusSlope", smooth, StringComparison.Ordinal);
        }

        // ---------------------------------------------------------------- (d) no Roslyn objects in the models

        [Fact]
        public void No_step_output_holds_symbols_syntax_locations_or_compilations()
        {
            GeneratorOutput output = GeneratorRunner.Run(Model, Unrelated);
            GeneratorOutput withErrors = GeneratorRunner.Run("""
                using SymDiff;
                public static partial class Broken
                {
                    public static double Helper(double v) => v;
                    [Differentiable] public static double F(double x) => Helper(x);
                    [Differentiable] public static double G(double x) { try { return x; } finally { } }
                    [Differentiable] public static double H(ref double x) => x;
                }
                """);

            var problems = new List<string>();
            foreach (GeneratorOutput run in new[] { output, withErrors })
            {
                foreach (string step in AllSteps)
                {
                    ImmutableArray<object> values = run.TrackedStepOutputs.TryGetValue(step, out ImmutableArray<object> v)
                        ? v
                        : throw new KeyNotFoundException($"No tracked step '{step}'.");
                    Assert.NotEmpty(values);
                    for (int i = 0; i < values.Length; i++)
                    {
                        FindRoslynObjects(values[i], $"{step}[{i}]", new HashSet<object>(ReferenceEqualityComparer.Instance), problems);
                    }
                }
            }

            Assert.True(problems.Count == 0, "Step outputs hold Roslyn objects:\n" + string.Join("\n", problems.Distinct()));
        }

        [Fact]
        public void The_object_walk_finds_nested_roslyn_objects()
        {
            // The walker itself must see through records, arrays, immutable arrays and boxed structs.
            SyntaxTree tree = CSharpSyntaxTree.ParseText("class C { }");
            var nested = new { Items = ImmutableArray.Create<object>(1, new KeyValuePair<string, object>("k", new[] { tree.GetRoot().GetLocation() })) };
            var problems = new List<string>();

            FindRoslynObjects(nested, "root", new HashSet<object>(ReferenceEqualityComparer.Instance), problems);

            Assert.Single(problems);
            Assert.Contains("Location", problems[0], StringComparison.Ordinal);
        }

        // ---------------------------------------------------------------- helpers

        private static readonly Type[] Forbidden =
        {
            typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Location), typeof(SemanticModel), typeof(Compilation),
            typeof(IOperation),
        };

        /// <summary>
        /// Walks every field (public or not, including base classes') of <paramref name="value"/> and of everything
        /// it reaches, and records the path to each object of a <see cref="Forbidden"/> type.
        /// </summary>
        private static void FindRoslynObjects(object? value, string path, HashSet<object> visited, List<string> problems)
        {
            if (value is null || value is string || value is Pointer)
            {
                return;
            }

            Type type = value.GetType();
            if (type.IsPrimitive || type.IsEnum || value is decimal)
            {
                return;
            }

            if (Forbidden.FirstOrDefault(f => f.IsInstanceOfType(value)) is { } forbidden)
            {
                problems.Add($"{path}: {type.Name} (a {forbidden.Name})");
                return;
            }

            if (value is Type || value is MemberInfo || value is Delegate)
            {
                problems.Add($"{path}: {type.Name} (reflection objects and delegates are not equatable data)");
                return;
            }

            // Value types are boxed afresh on every read, so only reference types can be (and need to be) visited once.
            if (!type.IsValueType && !visited.Add(value))
            {
                return;
            }

            if (value is Array array)
            {
                int index = 0;
                foreach (object? element in array)
                {
                    FindRoslynObjects(element, $"{path}[{index++}]", visited, problems);
                }

                return;
            }

            for (Type? t = type; t is not null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
            {
                foreach (FieldInfo field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.FieldType.IsPointer || field.FieldType.IsByRefLike)
                    {
                        continue;
                    }

                    FindRoslynObjects(field.GetValue(value), $"{path}.{field.Name}", visited, problems);
                }
            }
        }

        private static void AssertAll(GeneratorOutput output, string step, params IncrementalStepRunReason[] allowed)
        {
            ImmutableArray<IncrementalStepRunReason> reasons = output.StepReasons(step);
            Assert.NotEmpty(reasons);
            Assert.True(
                reasons.All(allowed.Contains),
                $"Step '{step}': expected only {string.Join(" or ", allowed)}, got [{string.Join(", ", reasons)}]. " +
                $"All steps: {string.Join("; ", output.TrackedStepReasons.Where(p => AllSteps.Contains(p.Key)).Select(p => $"{p.Key} = [{string.Join(", ", p.Value)}]"))}");
        }

        private static void AssertSameGeneratedText(GeneratorOutput before, GeneratorOutput after)
        {
            Assert.Equal(before.GeneratedSources.Select(s => s.HintName), after.GeneratedSources.Select(s => s.HintName));
            for (int i = 0; i < before.GeneratedSources.Length; i++)
            {
                string expected = before.GeneratedSources[i].Text;
                string actual = after.GeneratedSources[i].Text;
                if (!string.Equals(expected, actual, StringComparison.Ordinal))
                {
                    int at = 0;
                    while (at < expected.Length && at < actual.Length && expected[at] == actual[at])
                    {
                        at++;
                    }

                    Assert.Fail(
                        $"{before.GeneratedSources[i].HintName} changed between runs at character {at}:\n" +
                        $"before: ...{Excerpt(expected, at)}...\nafter:  ...{Excerpt(actual, at)}...");
                }
            }
        }

        private static string Excerpt(string text, int at) =>
            text.Substring(Math.Max(0, at - 40), Math.Min(text.Length, at + 40) - Math.Max(0, at - 40));
    }
}

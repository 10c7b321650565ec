using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Testing;
using SymDiff.Generator.Diagnostics;

namespace SymDiff.Analyzers.Tests.Infrastructure
{
    /// <summary>
    /// Short forms of <see cref="SymDiffTest{TCodeFix}"/>. Sources mark expected diagnostics in the testing library's
    /// markup: <c>{|SD2001:code|}</c> (ID and span) or <c>{|#0:code|}</c> with a <see cref="Diagnostic"/> result
    /// <c>.WithLocation(0).WithArguments(...)</c>, which checks the message arguments too.
    /// </summary>
    public static class Verifier
    {
        /// <summary>An expected SymDiff diagnostic, with the descriptor's severity and message format.</summary>
        public static DiagnosticResult Diagnostic(string id) => new DiagnosticResult(DiagnosticDescriptors.ById(id));

        /// <summary>
        /// Asserts that <paramref name="source"/> compiles and that its SymDiff diagnostics (generator and analyzers
        /// alike) are exactly the marked ones and <paramref name="expected"/>. A source without markers asserts silence.
        /// </summary>
        public static Task DiagnosticsAsync(string source, params DiagnosticResult[] expected)
        {
            var test = new SymDiffTest<EmptyCodeFixProvider> { TestCode = source };
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync();
        }

        /// <summary>As <see cref="DiagnosticsAsync"/>, with <paramref name="editorConfig"/> as the project's <c>.editorconfig</c>.</summary>
        public static Task DiagnosticsWithEditorConfigAsync(string source, string editorConfig, params DiagnosticResult[] expected)
        {
            var test = new SymDiffTest<EmptyCodeFixProvider> { TestCode = source };
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", editorConfig));
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync();
        }

        /// <summary>
        /// Asserts the diagnostics of <paramref name="source"/> as <see cref="DiagnosticsAsync"/> does, then that the fix of
        /// <typeparamref name="TFix"/> makes <paramref name="fixedSource"/> of it, one diagnostic at a time and by
        /// fix-all in document, project and solution scope alike.
        /// </summary>
        public static Task CodeFixAsync<TFix>(string source, string fixedSource, params DiagnosticResult[] expected)
            where TFix : CodeFixProvider, new()
        {
            var test = new SymDiffTest<TFix> { TestCode = source, FixedCode = fixedSource };
            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync();
        }

        /// <summary>
        /// A code-fix test over a solution: <paramref name="documents"/> in the test project, and
        /// <paramref name="otherProject"/> (its own SymDiff reference and generator) in a second project, each source
        /// paired with its fixed text. Fix-all then has something to do in document, project and solution scope.
        /// </summary>
        public static Task CodeFixInSolutionAsync<TFix>((string Source, string Fixed)[] documents, (string Source, string Fixed)[] otherProject, params DiagnosticResult[] expected)
            where TFix : CodeFixProvider, new()
        {
            var test = new SymDiffTest<TFix>();
            for (int i = 0; i < documents.Length; i++)
            {
                test.TestState.Sources.Add(("/0/Test" + i + ".cs", documents[i].Source));
                test.FixedState.Sources.Add(("/0/Test" + i + ".cs", documents[i].Fixed));
            }

            if (otherProject.Length > 0)
            {
                var before = new ProjectState("Second", Microsoft.CodeAnalysis.LanguageNames.CSharp, "/1/Test", "cs");
                var after = new ProjectState("Second", Microsoft.CodeAnalysis.LanguageNames.CSharp, "/1/Test", "cs");
                foreach (var state in new[] { before, after })
                {
                    state.AdditionalReferences.Add(Microsoft.CodeAnalysis.MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location));
                }

                for (int i = 0; i < otherProject.Length; i++)
                {
                    before.Sources.Add(("/1/Test" + i + ".cs", otherProject[i].Source));
                    after.Sources.Add(("/1/Test" + i + ".cs", otherProject[i].Fixed));
                }

                test.TestState.AdditionalProjects.Add("Second", before);
                test.FixedState.AdditionalProjects.Add("Second", after);
            }

            test.ExpectedDiagnostics.AddRange(expected);
            return test.RunAsync();
        }
    }
}

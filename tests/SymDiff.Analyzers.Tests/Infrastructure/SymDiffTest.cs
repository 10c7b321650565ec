using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using SymDiff.Generator;

namespace SymDiff.Analyzers.Tests.Infrastructure
{
    /// <summary>
    /// A test of the standard Roslyn testing library (Microsoft.CodeAnalysis.CSharp.CodeFix.Testing, with
    /// <see cref="DefaultVerifier"/>) set up as a user's project sees SymDiff: .NET 8 reference assemblies, SymDiff.dll,
    /// the generator running (so <c>FBackward</c> exists and carries <c>[Accumulates]</c>) and every SymDiff analyzer.
    /// </summary>
    /// <remarks>
    /// The library checks what the home-grown harness before it did not: message arguments (<c>WithArguments</c>),
    /// fix-all in document, project and solution scope, iterative fixes, that analyzers throw nothing (AD0001), and
    /// that the analyzers leave generated code alone. Generator diagnostics are verified with the analyzers' ones; the
    /// generated sources themselves are the generator tests' business (their snapshots), so they are not compared here.
    /// </remarks>
    /// <typeparam name="TCodeFix">The code fix under test, or <see cref="EmptyCodeFixProvider"/> for a diagnostics-only test.</typeparam>
    public sealed class SymDiffTest<TCodeFix> : CSharpCodeFixTest<EmptyDiagnosticAnalyzer, TCodeFix, DefaultVerifier>
        where TCodeFix : CodeFixProvider, new()
    {
        public SymDiffTest()
        {
            // Microsoft.NETCore.App.Ref 8.0.0, restored by the library from the NuGet sources of NuGet.Config (the
            // ones dotnet restore uses), into its own cache: a fresh CI machine needs nothing installed by hand.
            ReferenceAssemblies = ReferenceAssemblies.Net.Net80;
            TestState.AdditionalReferences.Add(MetadataReference.CreateFromFile(typeof(DifferentiableAttribute).Assembly.Location));
            TestBehaviors |= TestBehaviors.SkipGeneratedSourcesCheck;
        }

        /// <summary>Every SymDiff analyzer, found by reflection so a new one cannot be forgotten.</summary>
        public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = typeof(MissingGradientResetAnalyzer).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();

        /// <summary>The C# language version of the test project (default: the newest the compiler knows).</summary>
        public LanguageVersion LanguageVersion { get; set; } = LanguageVersion.Latest;

        /// <inheritdoc />
        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => Analyzers;

        /// <inheritdoc />
        protected override IEnumerable<Type> GetSourceGenerators() => new[] { typeof(DifferentiableGenerator) };

        /// <inheritdoc />
        protected override CompilationOptions CreateCompilationOptions() =>
            ((CSharpCompilationOptions)base.CreateCompilationOptions()).WithNullableContextOptions(NullableContextOptions.Enable);

        /// <inheritdoc />
        protected override ParseOptions CreateParseOptions() =>
            ((CSharpParseOptions)base.CreateParseOptions()).WithLanguageVersion(LanguageVersion);
    }
}

using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace SymDiff.Generator.Tests.Architecture
{
    /// <summary>
    /// Dependencies between the generator's namespaces point one way, down the pipeline (docs/architecture.md, "Which
    /// namespace may use which"): a phase uses the shared base and the phases before it, never one after it, and the
    /// shared base uses only itself. The generator's sources are compiled here with Roslyn and every name in them is
    /// bound, so a dependency is a real use of a type or member (an unused <c>using</c> is none; a fully qualified name
    /// is one). The few uses that break the rule are listed in <see cref="Allowed"/>, each with the reason it stays.
    /// </summary>
    public sealed class NamespaceDependencyTests
    {
        /// <summary>The phases, in pipeline order: each may use the ones before it.</summary>
        private static readonly string[] Phases = { "Parsing", "Lowering", "Analysis", "Differentiation", "Simplification", "Vectorization", "Emit" };

        /// <summary>The shared base, below every phase: the data that flows between phases and the helpers all of them use.</summary>
        private static readonly string[] Base = { "Helpers", "IR", "Model", "Diagnostics", "Rules", "Verification", "Testing" };

        /// <summary>
        /// Uses that break the rule, as (namespace of the user, type used) with the reason each stays. The test also fails
        /// when an entry is no longer needed, so the list only shrinks.
        /// </summary>
        private static readonly Dictionary<(string From, string To), string> Allowed = new()
        {
            // The smart constructors (Ir.Add, Ir.Mul, ...) apply the simplifier's local rules as derivative expressions are
            // built. They belong beside the IR (issue 10, item 4); moving them edits the using lines of
            // ReverseDifferentiator*.cs, which issue 9's fixes are changing now.
            [("Differentiation", "Simplification.Ir")] = "smart constructors, to move beside the IR",
            [("Rules", "Simplification.Ir")] = "the derivative rules are written with the smart constructors",

            // The reverse differentiator simplifies a loop body it has differentiated before deciding whether to fuse the
            // loop (issue 10: "differentiation calls the simplifier mid-way"); a pure loop plan (item 4) removes that use.
            // The builders simplify what they differentiate, all through BuildContext.Simplify.
            [("Differentiation", "Simplification.Simplifier")] = "loop planning simplifies mid-way; the builders simplify",

            // The per-mode builders (Differentiation/Builders, through BuildContext.Schedule) and the finite-check pass run
            // their whole step: differentiate, simplify, then schedule. An orchestrator above the phases would own that
            // sequence (issue 10, item 4).
            [("Differentiation", "Simplification.Scheduler")] = "the builders orchestrate differentiate-then-schedule",
            [("Differentiation", "Vectorization.Vectorizer")] = "the builders orchestrate: BuildContext.Family vectorises last (Vectorize = true)",

            // The IR printers print expressions with the emitter's ExprPrinter, so printed IR reads as the C# it becomes
            // (one printer of expressions, not two that drift apart).
            [("IR", "Emit.ExprPrinter")] = "IR printers print expressions as C#",

            // FGraph's text marks each node data or not: GraphPrinter reads activity. It is called by the builders
            // (Differentiation), so it cannot move into Emit without another backward use.
            [("IR", "Analysis.Activity")] = "GraphPrinter marks data nodes",
        };

        [Fact]
        public void NamespacesDependOnlyDownThePipeline()
        {
            var uses = Uses();
            Assert.True(uses.Count > 200, $"Only {uses.Count} uses between namespaces found: is the scan broken?");

            var broken = uses.Where(u => !MayUse(u.From, u.To)).ToList();
            var unexplained = broken
                .Where(u => !Allowed.ContainsKey((u.From, u.ToType)))
                .Select(u => $"{u.File}: {u.From} uses {u.ToType}")
                .Distinct()
                .OrderBy(s => s, StringComparer.Ordinal)
                .ToList();
            Assert.True(unexplained.Count == 0, "Uses against the pipeline's direction:\n" + string.Join("\n", unexplained));

            var stale = Allowed.Keys.Where(k => !broken.Any(u => (u.From, u.ToType) == k)).Select(k => $"{k.From} -> {k.To}").ToList();
            Assert.True(stale.Count == 0, "Allow-list entries no longer needed (remove them):\n" + string.Join("\n", stale));
        }

        /// <summary>The rule itself, on a few cases whose answer is written down in docs/architecture.md.</summary>
        [Theory]
        [InlineData("Emit", "Simplification", true)]
        [InlineData("Differentiation", "Analysis", true)]
        [InlineData("Lowering", "IR", true)]
        [InlineData("Parsing", "Emit", false)]
        [InlineData("Differentiation", "Simplification", false)]
        [InlineData("IR", "Lowering", false)]
        [InlineData("Model", "IR", true)]
        [InlineData("Root", "Emit", true)]
        public void TheRule(string from, string to, bool allowed) => Assert.Equal(allowed, MayUse(from, to));

        /// <summary>The scan sees a use written with a fully qualified name and one through <c>using static</c>.</summary>
        [Fact]
        public void TheScanSeesQualifiedAndStaticUses()
        {
            var uses = Uses();
            Assert.Contains(uses, u => u.File.EndsWith("Analysis" + Path.DirectorySeparatorChar + "Activity.cs", StringComparison.Ordinal) && u.ToType == "Rules.DerivativeRules");
            Assert.Contains(uses, u => u.File.EndsWith("Rules" + Path.DirectorySeparatorChar + "MathFunctions.cs", StringComparison.Ordinal) && u.ToType == "Simplification.Ir");
        }

        private static bool MayUse(string from, string to)
        {
            if (from == to || from == "Root" || Base.Contains(to))
            {
                return true;
            }

            int user = Array.IndexOf(Phases, from), used = Array.IndexOf(Phases, to);
            Assert.True(user >= 0 || Base.Contains(from), $"The namespace {from} is neither a phase nor in the shared base: add it to one list and to docs/architecture.md.");
            Assert.True(used >= 0, $"The namespace {to} is neither a phase nor in the shared base: add it to one list and to docs/architecture.md.");
            return user >= 0 && used <= user;
        }

        private sealed record Use(string File, string From, string To, string ToType);

        private static List<Use>? s_uses;

        /// <summary>Every use, in a generator source file, of a type or member declared in another of its namespaces.</summary>
        private static List<Use> Uses()
        {
            if (s_uses is not null)
            {
                return s_uses;
            }

            string root = Path.Combine(RepositoryRoot(), "generator", "SymDiff.Generator");
            char s = Path.DirectorySeparatorChar;
            var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
                .Where(p => !p.Contains($"{s}obj{s}", StringComparison.Ordinal) && !p.Contains($"{s}bin{s}", StringComparison.Ordinal))
                .ToList();
            var options = new CSharpParseOptions(LanguageVersion.Latest);
            var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), options, f)).ToList();
            var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Concat(new[] { typeof(SyntaxNode).Assembly.Location, typeof(CSharpSyntaxTree).Assembly.Location })
                .Distinct()
                .Select(p => MetadataReference.CreateFromFile(p));
            var compilation = CSharpCompilation.Create("Scan", trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));

            var uses = new List<Use>();
            foreach (var tree in trees)
            {
                var model = compilation.GetSemanticModel(tree);
                foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
                {
                    if (!char.IsUpper(name.Identifier.ValueText, 0))
                    {
                        continue; // locals and parameters (camelCase); every type and member of the generator is PascalCase
                    }

                    if (name.Ancestors().Any(a => a is UsingDirectiveSyntax or BaseNamespaceDeclarationSyntax && a is not null && IsNamespaceName(a, name)))
                    {
                        continue;
                    }

                    var info = model.GetSymbolInfo(name);
                    var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                    var type = OutermostType(symbol);
                    if (type is null || type.ContainingAssembly?.Name != "Scan")
                    {
                        continue;
                    }

                    string from = Layer(FileNamespace(name)), to = Layer(type.ContainingNamespace.ToDisplayString());
                    if (from != to)
                    {
                        string typeName = Short(type.ContainingNamespace.ToDisplayString()) + "." + type.Name;
                        uses.Add(new Use(tree.FilePath, from, to, typeName));
                    }
                }
            }

            s_uses = uses;
            return uses;
        }

        private static bool IsNamespaceName(SyntaxNode ancestor, SyntaxNode name) => ancestor switch
        {
            UsingDirectiveSyntax u => u.Name is not null && u.Name.Span.Contains(name.Span),
            BaseNamespaceDeclarationSyntax n => n.Name.Span.Contains(name.Span),
            _ => false,
        };

        private static INamedTypeSymbol? OutermostType(ISymbol? symbol)
        {
            var type = symbol switch
            {
                null or INamespaceSymbol => null,
                INamedTypeSymbol t => t,
                IArrayTypeSymbol a => OutermostType(a.ElementType),
                IMethodSymbol { ReducedFrom: { } original } => original.ContainingType,
                _ => symbol.ContainingType,
            };
            while (type?.ContainingType is not null)
            {
                type = type.ContainingType;
            }

            return type;
        }

        private static string FileNamespace(SyntaxNode node) =>
            node.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().FirstOrDefault()?.Name.ToString() ?? string.Empty;

        /// <summary><c>SymDiff.Generator.Differentiation.Builders</c> to <c>Differentiation</c>; <c>SymDiff.Generator</c> (the pipeline) to <c>Root</c>.</summary>
        private static string Layer(string ns)
        {
            string rest = Short(ns);
            return rest.Length == 0 ? "Root" : rest.Split('.')[0];
        }

        private static string Short(string ns) =>
            ns == "SymDiff.Generator" ? string.Empty : ns.StartsWith("SymDiff.Generator.", StringComparison.Ordinal) ? ns.Substring("SymDiff.Generator.".Length) : ns;

        private static string RepositoryRoot()
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SymDiff.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("Cannot find the repository root (the directory with SymDiff.sln).");
        }
    }
}

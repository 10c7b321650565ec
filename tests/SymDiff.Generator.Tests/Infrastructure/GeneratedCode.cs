using System;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using Xunit;

namespace SymDiff.Generator.Tests.Infrastructure
{
    /// <summary>
    /// Test sources compiled with the generator, checked clean, emitted and loaded into a collectible
    /// <see cref="AssemblyLoadContext"/>, ready to run. Dispose it to unload the assembly.
    /// </summary>
    /// <remarks>
    /// Each instance has its own load context and nothing is cached across instances, so tests cannot leak
    /// state (static fields included) into each other. Loading many small assemblies is cheap.
    /// </remarks>
    public sealed class GeneratedCode : IDisposable
    {
        /// <summary>The source template of <see cref="RunDriver"/>; <c>{0}</c> is the driver body.</summary>
        internal const string DriverTemplate =
            "using System;\nusing SymDiff;\n\npublic static class __Driver\n{{\n    public static double[] Run()\n    {{\n{0}\n    }}\n}}\n";

        private readonly AssemblyLoadContext _context;

        private GeneratedCode(GeneratorOutput output, AssemblyLoadContext context, Assembly assembly)
        {
            Output = output;
            _context = context;
            Assembly = assembly;
        }

        /// <summary>The generator run the assembly was compiled from.</summary>
        public GeneratorOutput Output { get; }

        /// <summary>The loaded assembly: the test sources plus the generated code.</summary>
        public Assembly Assembly { get; }

        /// <summary>
        /// Compiles <paramref name="sources"/> with the generator, fails like
        /// <see cref="GeneratorRunner.AssertCleanCompile"/> on any warning or error, and loads the result.
        /// </summary>
        public static GeneratedCode Compile(params string[] sources) => Load(GeneratorRunner.Run(sources));

        /// <summary>
        /// Fails like <see cref="GeneratorRunner.AssertCleanCompile"/> on any warning or error of <paramref name="output"/>
        /// (a generator run made some other way: other file names, MSBuild properties), and loads its compilation.
        /// </summary>
        public static GeneratedCode Load(GeneratorOutput output)
        {
            ArgumentNullException.ThrowIfNull(output);
            GeneratorRunner.AssertCleanCompile(output);

            using var image = new MemoryStream();
            EmitResult emit = output.OutputCompilation.Emit(image);
            if (!emit.Success)
            {
                // Emit-only errors are rare (GetDiagnostics covers most), but print them the same way.
                Assert.Fail(GeneratorRunner.Describe(
                    output with { CompilationDiagnostics = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToImmutableArray() },
                    "Emit failed."));
            }

            image.Position = 0;
            var context = new AssemblyLoadContext($"SymDiff test {output.OutputCompilation.AssemblyName}", isCollectible: true);
            // Dependencies (System.*, SymDiff.dll) resolve from the default context, which the test already uses.
            return new GeneratedCode(output, context, context.LoadFromStream(image));
        }

        /// <summary>
        /// Compiles <paramref name="source"/> together with
        /// <c>public static class __Driver { public static double[] Run() { driverBody } }</c>
        /// (with <c>using System; using SymDiff;</c>), runs <c>Run</c> and returns its result. The way to call
        /// methods that take spans, which reflection cannot pass.
        /// </summary>
        /// <param name="source">The code under test, usually with <c>[Differentiable]</c> methods.</param>
        /// <param name="driverBody">C# statements ending in <c>return</c> of a <c>double[]</c>.</param>
        public static double[] RunDriver(string source, string driverBody)
        {
            ArgumentNullException.ThrowIfNull(driverBody);
            using GeneratedCode code = Compile(source, string.Format(CultureInfo.InvariantCulture, DriverTemplate, driverBody));
            return code.Invoke("__Driver", "Run") as double[]
                ?? throw new InvalidOperationException("__Driver.Run returned null.");
        }

        /// <summary>
        /// Like <see cref="RunDriver"/> for a program that is meant to have generator warnings: asserts that the
        /// generator reported exactly the diagnostic IDs <paramref name="expectedWarnings"/> (each at least once, and
        /// no other), all warnings, and that the rest compiles cleanly; then runs the driver.
        /// </summary>
        public static double[] RunDriverWithWarnings(string source, string driverBody, params string[] expectedWarnings)
        {
            ArgumentNullException.ThrowIfNull(driverBody);
            ArgumentNullException.ThrowIfNull(expectedWarnings);
            GeneratorOutput output = GeneratorRunner.Run(source, string.Format(CultureInfo.InvariantCulture, DriverTemplate, driverBody));
            Assert.Equal(expectedWarnings.OrderBy(id => id, StringComparer.Ordinal).Distinct(), output.GeneratorDiagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal).Distinct());
            Assert.All(output.GeneratorDiagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
            using GeneratedCode code = Load(output with { GeneratorDiagnostics = ImmutableArray<Diagnostic>.Empty });
            return code.Invoke("__Driver", "Run") as double[]
                ?? throw new InvalidOperationException("__Driver.Run returned null.");
        }

        /// <summary>
        /// Calls <paramref name="typeName"/>.<paramref name="methodName"/> through reflection and returns its
        /// result (boxed; <c>null</c> for <c>void</c>). <c>ref</c> and <c>out</c> results come back in
        /// <paramref name="args"/>, so pass an array variable to read them. Instance methods are called on a new
        /// instance made with the parameterless constructor. Exceptions are not wrapped.
        /// </summary>
        /// <param name="typeName">Full metadata name, e.g. <c>Ns.Type</c> or <c>Ns.Outer+Inner</c>.</param>
        /// <param name="methodName">A method; overloads are told apart by argument count and types.</param>
        /// <param name="args">The arguments; <c>null</c> for an <c>out</c> argument.</param>
        public object? Invoke(string typeName, string methodName, params object?[] args)
        {
            ArgumentNullException.ThrowIfNull(args);
            Type type = Assembly.GetType(typeName, throwOnError: false)
                ?? throw new ArgumentException(
                    $"No type '{typeName}' in the generated assembly. Types: {string.Join(", ", Assembly.GetTypes().Select(t => t.FullName))}",
                    nameof(typeName));

            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
            MethodInfo[] named = type.GetMethods(all).Where(m => m.Name == methodName && !m.IsGenericMethodDefinition).ToArray();
            MethodInfo[] applicable = named.Where(m => Accepts(m, args)).ToArray();
            if (applicable.Length != 1)
            {
                string problem = applicable.Length == 0 ? "No overload" : "More than one overload";
                throw new ArgumentException(
                    $"{problem} of {typeName}.{methodName} accepts ({string.Join(", ", args.Select(a => a?.GetType().Name ?? "null"))}). " +
                    $"Candidates: {string.Join("; ", named.Select(m => m.ToString()))}",
                    nameof(methodName));
            }

            MethodInfo method = applicable[0];
            object? target = method.IsStatic ? null : Activator.CreateInstance(type, nonPublic: true);
            return method.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null);
        }

        /// <summary>Unloads the assembly (once nothing references it any more).</summary>
        public void Dispose() => _context.Unload();

        private static bool Accepts(MethodInfo method, object?[] args)
        {
            ParameterInfo[] parameters = method.GetParameters();
            if (parameters.Length != args.Length)
            {
                return false;
            }

            for (int i = 0; i < parameters.Length; i++)
            {
                Type type = parameters[i].ParameterType;
                if (type.IsByRef)
                {
                    type = type.GetElementType()!;
                }

                // Spans (ref structs) cannot be boxed, so reflection can never pass them: use RunDriver.
                if (type.IsByRefLike)
                {
                    return false;
                }

                bool fits = args[i] is { } arg
                    ? type.IsInstanceOfType(arg)
                    : parameters[i].ParameterType.IsByRef || !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
                if (!fits)
                {
                    return false;
                }
            }

            return true;
        }
    }
}

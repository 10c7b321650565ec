using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;
using SymDiff.Generator.Tests.Corpus;
using SymDiff.Generator.Tests.Infrastructure;

namespace SymDiff.Generator.Tests.Numeric
{
    /// <summary>
    /// A corpus function compiled with the generator, together with a driver class that calls the original method,
    /// its <c>Gradient</c> and its <c>Backward</c> on a flat point, through plain <c>double[]</c>s (reflection cannot
    /// pass spans). Buffers are the caller's arrays, one per active parameter in declaration order (a scalar's is of
    /// length 1), so a test can choose their lengths and see what was written even when the call throws.
    /// </summary>
    public sealed class CompiledFunction : IDisposable
    {
        /// <summary>Which generated methods the driver calls.</summary>
        public enum DriverKind
        {
            /// <summary><c>Value</c>, <c>Gradient</c> and <c>Backward</c>: reverse mode.</summary>
            Reverse,

            /// <summary><c>Value</c> and <c>Derivative</c>: forward mode (API.md section 4).</summary>
            Forward,

            /// <summary><c>Value</c> only, for compiling without the generator.</summary>
            ValueOnly,
        }

        private const string DriverType = "__CorpusDriver";

        private readonly GeneratedCode _code;

        private CompiledFunction(DifferentiableFunction function, GeneratedCode code)
        {
            Function = function;
            _code = code;
        }

        public DifferentiableFunction Function { get; }

        /// <summary>The driver's source, for failure messages.</summary>
        public string DriverSource => BuildDriver(Function, Kind);

        public DriverKind Kind { get; private init; }

        public static CompiledFunction Compile(DifferentiableFunction function, DriverKind kind = DriverKind.Reverse) => Compile(function, kind, buildProperties: null);

        /// <summary>Compiles the function with MSBuild properties the generator sees (<see cref="GeneratorRunner.Run(Microsoft.CodeAnalysis.CSharp.CSharpCompilation, IReadOnlyDictionary{string, string}?)"/>).</summary>
        public static CompiledFunction Compile(DifferentiableFunction function, DriverKind kind, IReadOnlyDictionary<string, string>? buildProperties)
        {
            ArgumentNullException.ThrowIfNull(function);
            var output = GeneratorRunner.Run(CompilationFactory.Create(function.Source, BuildDriver(function, kind)), buildProperties);
            return new CompiledFunction(function, GeneratedCode.Load(output)) { Kind = kind };
        }

        /// <summary>The original method's value at <paramref name="point"/> (a float result widened exactly).</summary>
        public double Value(double[] point) => (double)_code.Invoke(DriverType, "Value", point)!;

        /// <summary>Calls <c>FGradient</c> with <paramref name="buffers"/> as the gradient outputs; returns its value.</summary>
        public double GradientInto(double[] point, double[][] buffers) => (double)_code.Invoke(DriverType, "Gradient", point, buffers)!;

        /// <summary>Calls <c>FBackward</c> once with <paramref name="seed"/>, accumulating into <paramref name="buffers"/>.</summary>
        public void BackwardInto(double[] point, double seed, double[][] buffers) => _code.Invoke(DriverType, "Backward", point, seed, buffers);

        /// <summary>
        /// Calls <c>FDerivative</c> with <paramref name="tangents"/> (one array per active parameter, a scalar's of
        /// length 1); returns its value and the directional derivative.
        /// </summary>
        public (double Value, double Derivative) DerivativeInto(double[] point, double[][] tangents)
        {
            var derivative = new double[1];
            double value = (double)_code.Invoke(DriverType, "Derivative", point, tangents, derivative)!;
            return (value, derivative[0]);
        }

        /// <summary>Splits a flat tangent into one array per active parameter, like the buffers.</summary>
        public double[][] SplitFlat(double[] flat)
        {
            var parts = new List<double[]>();
            int offset = 0;
            foreach (CorpusArg arg in Function.ActiveArgs)
            {
                parts.Add(flat[offset..(offset + arg.Values.Count)]);
                offset += arg.Values.Count;
            }

            return parts.ToArray();
        }

        /// <summary>
        /// <c>FGradient</c> on buffers of the right lengths, pre-filled with a value that is not a gradient, so a
        /// buffer that is not overwritten shows; returns the value and the flat gradient.
        /// </summary>
        public (double Value, double[] Gradient) Gradient(double[] point)
        {
            double[][] buffers = NewBuffers(fill: 1e6);
            double value = GradientInto(point, buffers);
            return (value, buffers.SelectMany(b => b).ToArray());
        }

        /// <summary>One buffer per active parameter, of the right length, filled with <paramref name="fill"/>.</summary>
        public double[][] NewBuffers(double fill) =>
            Function.ActiveArgs.Select(a => Enumerable.Repeat(fill, a.Values.Count).ToArray()).ToArray();

        public void Dispose() => _code.Dispose();

        /// <summary>
        /// <c>public static class __CorpusDriver</c> with <c>Value(double[] p)</c>, <c>Gradient(double[] p, double[][] g)</c>
        /// and <c>Backward(double[] p, double seed, double[][] g)</c>. Values are converted to and from float for a float
        /// method; buffers are copied into typed arrays and back in a <c>finally</c>, so writes before a throw are seen.
        /// </summary>
        internal static string BuildDriver(DifferentiableFunction f, DriverKind kind)
        {
            string t = f.Scalar;
            var unpack = new StringBuilder();
            var args = new List<string>();
            var gradientArgs = new List<string>();
            var backwardArgs = new List<string>();
            var gradientSetup = new StringBuilder();
            var tangentSetup = new StringBuilder();
            var tangentArgs = new List<string>();
            var backwardSetup = new StringBuilder();
            var copyBack = new StringBuilder();
            var copyScalarsBack = new StringBuilder();
            int offset = 0;
            int buffer = 0;
            for (int k = 0; k < f.Args.Count; k++)
            {
                CorpusArg arg = f.Args[k];
                string local = "a" + k.ToString(CultureInfo.InvariantCulture);
                if (arg.Kind == ArgKind.Data)
                {
                    args.Add(arg.Code!);
                    continue;
                }

                string g = "g" + buffer.ToString(CultureInfo.InvariantCulture);
                string slot = "g[" + buffer.ToString(CultureInfo.InvariantCulture) + "]";
                string tangent = "t" + buffer.ToString(CultureInfo.InvariantCulture);
                string tangentSlot = "t[" + buffer.ToString(CultureInfo.InvariantCulture) + "]";
                tangentArgs.Add(tangent);
                if (arg.Kind == ArgKind.Scalar)
                {
                    unpack.Append(CultureInfo.InvariantCulture, $"        {t} {local} = ({t})p[{offset}];\n");
                    gradientSetup.Append(CultureInfo.InvariantCulture, $"        {t} {g};\n");
                    gradientArgs.Add("out " + g);
                    copyScalarsBack.Append(CultureInfo.InvariantCulture, $"        {slot}[0] = {g};\n");
                    backwardSetup.Append(CultureInfo.InvariantCulture, $"        {t} {g} = ({t}){slot}[0];\n");
                    backwardArgs.Add("ref " + g);
                    tangentSetup.Append(CultureInfo.InvariantCulture, $"        {t} {tangent} = ({t}){tangentSlot}[0];\n");
                }
                else
                {
                    string elements = string.Join(", ", Enumerable.Range(offset, arg.Values.Count).Select(i => $"({t})p[{i}]"));
                    unpack.Append(CultureInfo.InvariantCulture, $"        {t}[] {local} = new {t}[] {{ {elements} }};\n");
                    string copyIn = $"        {t}[] {g} = new {t}[{slot}.Length];\n        for (int i = 0; i < {g}.Length; i++) {{ {g}[i] = ({t}){slot}[i]; }}\n";
                    gradientSetup.Append(copyIn);
                    backwardSetup.Append(copyIn);
                    gradientArgs.Add(g);
                    backwardArgs.Add(g);
                    copyBack.Append(CultureInfo.InvariantCulture, $"            for (int i = 0; i < {g}.Length; i++) {{ {slot}[i] = {g}[i]; }}\n");
                    tangentSetup.Append(CultureInfo.InvariantCulture, $"        {t}[] {tangent} = new {t}[{tangentSlot}.Length];\n        for (int i = 0; i < {tangent}.Length; i++) {{ {tangent}[i] = ({t}){tangentSlot}[i]; }}\n");
                }

                args.Add(local);
                offset += arg.Values.Count;
                buffer++;
            }

            string call = f.Receiver + "." + f.Method;
            string original = string.Join(", ", args);
            string withGradients = string.Join(", ", args.Concat(gradientArgs));
            string withSeed = string.Join(", ", args.Append($"({t})seed").Concat(backwardArgs));

            // The scalar refs of Backward are copied back in the finally too: a write before a throw must show.
            string backwardCopyBack = copyBack.ToString() + copyScalarsBack.ToString().Replace("        ", "            ", StringComparison.Ordinal);
            string withTangents = string.Join(", ", args.Concat(tangentArgs).Append("out " + t + " derivative"));
            if (kind == DriverKind.Forward)
            {
                return $$"""
                    public static class {{DriverType}}
                    {
                        public static double Value(double[] p)
                        {
                    {{unpack}}        return {{call}}({{original}});
                        }

                        public static double Derivative(double[] p, double[][] t, double[] result)
                        {
                    {{unpack}}{{tangentSetup}}        {{t}} value = {{call}}Derivative({{withTangents}});
                            result[0] = derivative;
                            return value;
                        }
                    }

                    """;
            }

            if (kind == DriverKind.ValueOnly)
            {
                return $$"""
                    public static class {{DriverType}}
                    {
                        public static double Value(double[] p)
                        {
                    {{unpack}}        return {{call}}({{original}});
                        }
                    }

                    """;
            }

            return $$"""
                using System;
                using SymDiff;

                public static class {{DriverType}}
                {
                    public static double Value(double[] p)
                    {
                {{unpack}}        return {{call}}({{original}});
                    }

                    public static double Gradient(double[] p, double[][] g)
                    {
                {{unpack}}{{gradientSetup}}        {{t}} value;
                        try
                        {
                            value = {{call}}Gradient({{withGradients}});
                        }
                        finally
                        {
                {{copyBack}}        }

                {{copyScalarsBack}}        return value;
                    }

                    public static void Backward(double[] p, double seed, double[][] g)
                    {
                {{unpack}}{{backwardSetup}}        try
                        {
                            {{call}}Backward({{withSeed}});
                        }
                        finally
                        {
                {{backwardCopyBack}}        }
                    }
                }

                """;
        }
    }

    /// <summary>
    /// A corpus function compiled by Roslyn alone, without the generator, with a driver for its value only: the
    /// ground truth for checking the corpus's hand-derived gradients, whatever state the generator is in.
    /// </summary>
    public sealed class OriginalFunction : IDisposable
    {
        private readonly AssemblyLoadContext _context;
        private readonly MethodInfo _value;

        private OriginalFunction(AssemblyLoadContext context, MethodInfo value)
        {
            _context = context;
            _value = value;
        }

        public static OriginalFunction Compile(DifferentiableFunction function)
        {
            ArgumentNullException.ThrowIfNull(function);
            CSharpCompilation compilation = CompilationFactory.Create(function.Source, CompiledFunction.BuildDriver(function, CompiledFunction.DriverKind.ValueOnly));
            using var image = new MemoryStream();
            EmitResult emit = compilation.Emit(image);
            Diagnostic[] problems = emit.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
            if (!emit.Success || problems.Length > 0)
            {
                throw new InvalidOperationException($"The corpus source of {function.Name} does not compile cleanly without the generator:\n{string.Join("\n", problems.Select(d => d.ToString()))}");
            }

            image.Position = 0;
            var context = new AssemblyLoadContext($"SymDiff corpus original {function.Name}", isCollectible: true);
            Assembly assembly = context.LoadFromStream(image);
            MethodInfo value = assembly.GetType("__CorpusDriver", throwOnError: true)!.GetMethod("Value")!;
            return new OriginalFunction(context, value);
        }

        public double Value(double[] point) => (double)_value.Invoke(null, BindingFlags.DoNotWrapExceptions, binder: null, new object[] { point }, culture: null)!;

        public void Dispose() => _context.Unload();
    }

    /// <summary>
    /// Compiles each corpus function once per test class and unloads them all at the end. The compilation of a
    /// function that fails is cached too, so every test of that function reports the same failure.
    /// </summary>
    public sealed class CompiledCorpus : IDisposable
    {
        private readonly ConcurrentDictionary<string, Lazy<CompiledFunction>> _compiled = new(StringComparer.Ordinal);

        public CompiledFunction this[string name] =>
            _compiled.GetOrAdd(name, n => new Lazy<CompiledFunction>(() => CompiledFunction.Compile(DifferentiableFunctions.Get(n)))).Value;

        private readonly ConcurrentDictionary<string, Lazy<CompiledFunction>> _forward = new(StringComparer.Ordinal);

        /// <summary>The function with a forward-mode driver (a separate compilation, so reverse-mode tests never depend on it).</summary>
        public CompiledFunction Forward(string name) =>
            _forward.GetOrAdd(name, n => new Lazy<CompiledFunction>(() => CompiledFunction.Compile(DifferentiableFunctions.Get(n), CompiledFunction.DriverKind.Forward))).Value;

        private readonly ConcurrentDictionary<string, Lazy<OriginalFunction>> _originals = new(StringComparer.Ordinal);

        /// <summary>The function compiled without the generator.</summary>
        public OriginalFunction Original(string name) =>
            _originals.GetOrAdd(name, n => new Lazy<OriginalFunction>(() => OriginalFunction.Compile(DifferentiableFunctions.Get(n)))).Value;

        public void Dispose()
        {
            foreach (Lazy<CompiledFunction> compiled in _compiled.Values.Concat(_forward.Values).Where(c => c.IsValueCreated))
            {
                compiled.Value.Dispose();
            }

            foreach (Lazy<OriginalFunction> original in _originals.Values.Where(c => c.IsValueCreated))
            {
                original.Value.Dispose();
            }
        }
    }
}

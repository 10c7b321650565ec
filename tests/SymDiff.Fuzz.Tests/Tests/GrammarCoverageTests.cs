using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SymDiff.Fuzz.Tests.Grammar;
using SymDiff.Fuzz.Tests.Harness;
using SymDiff.Generator.IR;
using SymDiff.Generator.Rules;
using Xunit;
using Xunit.Abstractions;

namespace SymDiff.Fuzz.Tests.Tests
{
    /// <summary>
    /// Issue 9: "the fuzzer's grammar covers every construct README lists as supported". The programs of the CI run are
    /// generated (not compiled: this is fast) and counted by <see cref="GrammarCensus"/>; every construct of README.md's
    /// list must occur in enough of them, and every flag of <see cref="FuzzGrammar"/> must switch its construct off.
    /// docs/testing.md has the table of constructs, census keys and flags.
    /// </summary>
    public sealed class GrammarCoverageTests
    {
        /// <summary>Each construct must occur in at least this many of the 2,000 CI programs.</summary>
        private const int Minimum = 10;

        /// <summary>
        /// Constructs that need a rare meeting of others, with a lower minimum: a part of a local buffer passed to a helper
        /// needs a helper with a span parameter called where a filled buffer longer than that span is in scope (about 8 in
        /// 2,000 programs even when taken every time; some 80 in a long run of 20,000).
        /// </summary>
        private static readonly Dictionary<string, int> RareMinimum = new(StringComparer.Ordinal)
        {
            ["call: a part of a local buffer as the span argument"] = 4,
        };

        private static readonly Lazy<List<FuzzProgram>> CiPrograms = new(() => Generate(FuzzGrammars.Ci));

        private readonly ITestOutputHelper _out;

        public GrammarCoverageTests(ITestOutputHelper output) => _out = output;

        /// <summary>README.md's list, item by item, as census keys, except the functions (<see cref="FunctionKeys"/>).</summary>
        private static readonly string[] OtherConstructs =
        {
            // + - * / %, unary minus, literals, consts, casts, locals, var, fields and properties.
            "operator +", "operator -", "operator *", "operator /", "operator %", "unary minus", "literal",
            "local: const", "const read", "member read: Const",
            "cast: int -> real", "cast: real -> int (index)", "spelling: (float)Math.X (cast of a double value)",
            "local: declared", "local: re-assigned", "local: var",
            "local: compound +=", "local: compound -=", "local: compound *=", "local: compound /=", "local: compound %=",
            "member read: StaticReadonly", "member read: StaticProperty", "member read: InstanceField", "member read: InstanceProperty",
            "member read: of another instance",

            // Math, MathF, double and float functions: each row of the generator's math-function table (FunctionKeys).
            "spelling: Math.X", "spelling: MathF.X", "spelling: double.X", "spelling: float.X",
            "edge: Sqrt(Abs(e)) (Sqrt'(0) = inf)", "edge: Pow(e, n) (n may be 0)",

            // Control flow.
            "if", "if/else", "?:", "comparison <", "comparison >", "comparison <=", "comparison >=", "comparison ==", "comparison !=",
            "&&", "||", "!", "early return", "early return inside a loop",

            // Loops.
            "loop: for", "loop: foreach over array", "loop: foreach over ReadOnlySpan", "loop: foreach over constant data", "loop: while", "loop: do/while", "break", "continue",
            "loop: nested", "loop: value carried across iterations", "loop: two-value recurrence",

            // Indexing, Length, output spans.
            "indexing: array", "indexing: ReadOnlySpan", ".Length of array", ".Length of ReadOnlySpan",
            "output: written", "output: read back", ".Length of the output span", "output: read back and re-written (/=)", "output: normalised",
            "output: read back inside a loop", "output: written in a loop holding a loop", "output: an element left unwritten",

            // Calls.
            "call: [Differentiable] static", "call: [Differentiable] instance", "call: [Differentiable] on another instance", "call: span argument", "call: a local buffer as the span argument", "call: a part of a span or array (Slice, AsSpan)", "call: constant data, whole or a part, as the span argument", "call: a part of a local buffer as the span argument",
            "call: [DerivativeOf] rule, 1 argument", "call: [DerivativeOf] rule, 2 arguments", "Grad.Detach",
            "call: a first-order [DerivativeOf] rule in a Hessian program (SD1007 where its argument varies)",
            "call: [Differentiable] on a sub-model", "call: [Differentiable] on a sub-model in a static field",
            "call: [Differentiable] on a sub-model in an instance property",

            // Calls of [Differentiable] vector functions (layers), inlined: into a local buffer, in loops, chained.
            "call: [Differentiable] vector function (a layer) into a local buffer", "call: [Differentiable] vector function (a layer) into the method's output span", "call: a layer inside a loop",
            "call: a layer inside a loop, its buffer declared before the loop", "call: a layer's input is a local buffer (layers chained)",
            "call: a layer's input is a parameter", "call: a layer's input is a part of a parameter", "layer: static", "layer: instance",
            "call: [Differentiable] helper inside a layer", "call: a layer on another object (a sub-model or a parameter)",
            "call: two layers, each into its half of a local buffer (a part of one)", "call: a layer inside a layer (inlined two deep)",

            // Constant data (API.md 9): array fields and span properties, int[] tables as indices, .Length.
            "constant data: static readonly array", "constant data: static ReadOnlySpan property", "constant data: static Span property",
            "constant data: instance array", "constant data: instance array through this.", "constant data: int[] table as an index",
            "constant data: .Length",

            // Argument checks at the top of a method (API.md 9, guards).
            "guard: if (...) throw ...;", "guard: if (...) { throw ...; }", "guard: return c ? e : throw ...;", "guard: in a helper",
            "guard: throws Argument", "guard: throws OutOfRange", "guard: throws OutOfRangeWithValue",

            // Local buffers (docs/architecture.md): filled once per element by a loop, then read by index.
            "local buffer: stackalloc", "local buffer: new T[c]", "local buffer: new T[u.Length]", "local buffer: declared inside a loop", "local buffer: declared before the loop that refills it", "local buffer: length in an int local", "local buffer: updated in place in a loop of its own", "local buffer: updated in place in the filling loop", "local buffer: read",
            "local buffer: filled by accumulation", "local buffer: filled by accumulation in an inner loop",
            "local buffer: reads the element the previous iteration stored", "local buffer: swept in place over sweeps (a stencil)",
            "local buffer: written at constant indices, an element again (one local each)", "local buffer: an element written again in a loop (a carried local)",

            // Span locals over parts of parameters (ReadOnlySpan<double> row = x.Slice(i * d, d)).
            "span local: u.Slice(a, n), u.AsSpan(a, n)", "span local: to the end (u.Slice(a), u.AsSpan(a))", "span local: a range (u[a..b], u[a..])", "span local: read by a constant index",
            "span local: indexed by data (a cast or a table of indices; bounds-checked)",

            // Signatures (README "What is generated" and API.md 1).
            "method: double", "method: float", "method: scalar", "method: vector (void, Span output)", "method: Hessian = true", "method: instance",
            "method: Vectorize = true",
            "Vectorize = true: a length reaching the unrolled body (4 vectors a step)", "Vectorize = true: a length reaching only the one-vector loop",
            "Vectorize = true: a scalar remainder after the lanes",
            "local buffer: a hidden layer (a sum over an inner loop, then an elementwise function)",
            "index: a row of a 2-D layout (v * width + u, u an inner loop's counter)", "index: a sliding window (v + u, u an inner loop's counter)",
            "index: a grid element (i + c) * n + j + d, n the int parameter", "index: a grid element (i + c) * W + j + d, W a constant row length",
            "loop: a grid nest over rows of n (a 2-D stencil)",
            "[Differentiable(nameof(a), ...)] subset", "parameter: Scalar [NoGrad]", "parameter: Array [NoGrad]", "parameter: Span [NoGrad]",
            "parameter: int", "helper: static", "helper: instance",
        };

        /// <summary>README.md's list, item by item, as census keys (the rows of docs/testing.md's table).</summary>
        public static readonly string[] ReadmeConstructs = FunctionKeys().Concat(OtherConstructs).ToArray();

        /// <summary>
        /// One key per row of the generator's math-function table (<c>Rules/MathFunctions.cs</c>), so a function added
        /// there is a construct the CI run must generate; and Pow with an active exponent, a shape of its own.
        /// </summary>
        public static IEnumerable<string> FunctionKeys() => MathFunctions.All
            .Where(f => f.IsMath)
            .Select(f => "function: " + f.Function switch
            {
                KnownFunction.Log => "Log (1 argument)",
                KnownFunction.LogBase => "Log (2 arguments)",
                KnownFunction.RoundDigits => "Round (digits or mode)",
                KnownFunction.RoundDigitsMode => "Round (digits, mode)",
                _ => f.Name,
            })
            .Append("function: Pow (active exponent)");

        /// <summary>The flags this branch added, and a construct each switches off.</summary>
        public static readonly (FuzzGrammar Flag, string Key)[] FlagKeys =
        {
            (FuzzGrammar.Remainder, "operator %"),
            (FuzzGrammar.DivideAssign, "local: compound /="),
            (FuzzGrammar.ConstLocals, "local: const"),
            (FuzzGrammar.Members, "member read: StaticReadonly"),
            (FuzzGrammar.GenericMath, "spelling: double.X"),
            (FuzzGrammar.WidenedMath, "spelling: (float)Math.X (cast of a double value)"),
            (FuzzGrammar.CastIndex, "cast: real -> int (index)"),
            (FuzzGrammar.Instance, "method: instance"),
            (FuzzGrammar.Normalise, "output: normalised"),
            (FuzzGrammar.Foreach, "loop: foreach over ReadOnlySpan"),
            (FuzzGrammar.Hessian, "method: Hessian = true"),
            (FuzzGrammar.Wrt, "[Differentiable(nameof(a), ...)] subset"),
            (FuzzGrammar.ConstantData, "constant data: static readonly array"),
            (FuzzGrammar.SubModels, "call: [Differentiable] on a sub-model"),
            (FuzzGrammar.Guards, "guard: if (...) throw ...;"),
            (FuzzGrammar.LocalBuffers, "local buffer: stackalloc"),
            (FuzzGrammar.Vectorize, "method: Vectorize = true"),
            (FuzzGrammar.SpanLocals, "span local: read by a constant index"),
            (FuzzGrammar.OutputRecurrences, "output: written in a loop holding a loop"),
            (FuzzGrammar.VectorCalls, "call: [Differentiable] vector function (a layer) into a local buffer"),
            (FuzzGrammar.Grids, "loop: a grid nest over rows of n (a 2-D stencil)"),
            (FuzzGrammar.UnwrittenOutputs, "output: an element left unwritten"),
        };

        private static List<FuzzProgram> Generate(FuzzGrammar grammar, int programs = DifferentialFuzzTests.CiPrograms) =>
            Enumerable.Range(0, programs).Select(i => FuzzRun.Generate(grammar, FuzzRun.PcgOf(DifferentialFuzzTests.CiSeed, i), i)).ToList();

        [Fact]
        public void The_CI_run_generates_every_construct_README_lists()
        {
            var census = GrammarCensus.Count(CiPrograms.Value);
            foreach (var (key, count) in census)
            {
                _out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count,5}  {key}"));
            }

            var missing = ReadmeConstructs.Where(k => census.GetValueOrDefault(k) < RareMinimum.GetValueOrDefault(k, Minimum)).Select(k => $"{k} ({census.GetValueOrDefault(k)})").ToList();
            Assert.True(missing.Count == 0, $"Constructs in fewer than {Minimum} of the {DifferentialFuzzTests.CiPrograms} CI programs: {string.Join(", ", missing)}");
        }

        [Fact]
        public void Every_census_key_is_a_README_construct_or_a_known_detail()
        {
            // A key the census produces but the list above does not name is a construct nobody checks for: name it.
            var extra = GrammarCensus.Count(CiPrograms.Value).Keys.Except(ReadmeConstructs, StringComparer.Ordinal)
                .Where(k => !k.StartsWith("member declared: ", StringComparison.Ordinal) && !k.StartsWith("data declared: ", StringComparison.Ordinal) && !k.StartsWith("output: read back and re-written", StringComparison.Ordinal)
                    && k is not ("int local" or "int local updated in a loop" or "parameter: Scalar" or "parameter: Array" or "parameter: Span"
                        or "parameter: another instance (peer)"))
                .ToList();
            Assert.True(extra.Count == 0, "Census keys missing from ReadmeConstructs: " + string.Join(", ", extra));
        }

        [Theory]
        [MemberData(nameof(Flags))]
        public void A_flag_switched_off_removes_its_construct(string flag)
        {
            var (f, key) = FlagKeys.Single(x => x.Flag.ToString() == flag);
            Assert.True(GrammarCensus.Count(CiPrograms.Value).GetValueOrDefault(key) >= Minimum, $"'{key}' is not generated with {flag} on.");
            var without = GrammarCensus.Count(Generate(FuzzGrammars.Ci & ~f, 400));
            Assert.Equal(0, without.GetValueOrDefault(key));
        }

        public static IEnumerable<object[]> Flags() => FlagKeys.Select(x => new object[] { x.Flag.ToString() });
    }
}

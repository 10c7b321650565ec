using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Analysis;
using SymDiff.Generator.Differentiation;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Lowering;
using SymDiff.Generator.Model;
using SymDiff.Generator.Parsing;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Passes
{
    /// <summary>
    /// Runs one pass of the generator alone and prints its result with <see cref="IrPrinter"/>. The input is either IR
    /// built by hand (<see cref="D"/>, <see cref="V"/>...) or a tiny method lowered by the real parser and lowering,
    /// exactly as <c>DerivativeBuilder</c> prepares it for the differentiators (lowering, call lifting, activity).
    /// </summary>
    internal static class PassHarness
    {
        /// <summary>A lowered method, with what the differentiators read.</summary>
        internal sealed record Lowered(MethodSpec Spec, Block Body, Activity Activity, Signatures Signatures, IEnumerable<string> UsedNames)
        {
            /// <summary>A namer for one generated method's body, as <c>BuildContext.NewNamer</c> makes it.</summary>
            public Namer NewNamer() => new Namer(Spec.UserNames.Concat(Signatures.Reserved), UsedNames);

            public HashSet<string> UserFacing => new HashSet<string>(Spec.UserNames, StringComparer.Ordinal);
        }

        /// <summary>Parses and lowers <c>public static double F(<paramref name="parameters"/>) { <paramref name="body"/> }</c>.</summary>
        public static Lowered Lower(string parameters, string body, string returnType = "double")
        {
            string source = "using System;\nusing SymDiff;\n\npublic static partial class Passes\n{\n    [Differentiable]\n    public static " + returnType + " F(" + parameters + ")\n    {\n"
                + string.Concat(body.Split('\n').Select(line => "        " + line + "\n"))
                + "    }\n}\n";
            GeneratorOutput output = GeneratorRunner.Run(source);
            ParseResult parsed = Assert.IsType<ParseResult>(Assert.Single(output.TrackedStepOutputs[TrackingNames.Parse]));
            Assert.True(parsed.Spec is not null && parsed.BodyIsValid, $"The body does not parse: {string.Join("; ", parsed.Diagnostics)}");
            var spec = parsed.Spec!;
            var signatures = new Signatures(spec);
            var function = SsaLowering.Lower(spec, signatures.Reserved);
            var namer = new Namer(spec.UserNames, function.Names);
            var lifted = CallLifting.Lift(function.Body, namer);
            return new Lowered(spec, lifted, Activity.Analyze(lifted, spec.Parameters), signatures, namer.AllNames);
        }

        public static string Print(Block block) => IrPrinter.Print(block);

        public static string Print(params Stmt[] statements) => IrPrinter.Print(Block.Of(statements));

        /// <summary>Compares printed IR, ignoring the leading and trailing blank lines of a raw string literal.</summary>
        public static void AssertIr(string expected, string actual)
        {
            static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n');
            Assert.True(Normalize(expected) == Normalize(actual), $"Expected IR:\n{Normalize(expected)}\n\nActual IR:\n{Normalize(actual)}");
        }

        // ---- IR by hand: double variables, literals, operators ---------------------------------------------------

        public static Var V(string name) => new(name, ValType.Double);

        public static Var I(string name) => new(name, ValType.Int);

        public static Const D(double value) => Const.Of(value, ValType.Double);

        public static Const N(int value) => Const.Of(value, ValType.Int);

        public static Binary Mul(Expr a, Expr b) => new(BinaryOp.Mul, a, b, a.Type);

        public static Binary Add(Expr a, Expr b) => new(BinaryOp.Add, a, b, a.Type);

        public static Binary Sub(Expr a, Expr b) => new(BinaryOp.Sub, a, b, a.Type);

        public static Binary Lt(Expr a, Expr b) => new(BinaryOp.Lt, a, b, ValType.Bool);

        public static Binary Gt(Expr a, Expr b) => new(BinaryOp.Gt, a, b, ValType.Bool);

        public static Call Sin(Expr a) => new(KnownFunction.Sin, EquatableArray.Create(a), ValType.Double);

        public static Block B(params Stmt[] statements) => Block.Of(statements);

        /// <summary>A call of another [Differentiable] method <paramref name="name"/>(double x).</summary>
        public static UserCall Differentiable(string name, params Expr[] args) =>
            new(new CalleeSpec(CalleeKind.Differentiable, name, string.Empty, args.Select((_, i) => "p" + i).ToEquatableArray(), args.Select(_ => true).ToEquatableArray(), args.Select(_ => "double").ToEquatableArray(), -1),
                null, args.ToEquatableArray(), ValType.Double);
    }
}

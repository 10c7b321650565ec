using System;
using System.Globalization;
using System.Linq;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Budget
{
    /// <summary>
    /// The work budget (issue 9): deep and long methods generate without crashing or hanging the compiler, and what
    /// is past the budget gets SD1009 at the method. Speed is measured by the benchmarks, not asserted here.
    /// </summary>
    public sealed class WorkBudgetTests
    {
        /// <summary>x + 1.5 x + 2.5 x + ...: a left-nested chain, as deep as it is long.</summary>
        private static string Chain(int terms)
        {
            var sb = new StringBuilder("x");
            for (int i = 1; i < terms; i++)
            {
                sb.Append(" + x * ").Append(((i % 7) + 1.5).ToString(CultureInfo.InvariantCulture));
            }

            return sb.ToString();
        }

        private static double ChainSlope(int terms) => 1 + Enumerable.Range(1, terms - 1).Sum(i => (i % 7) + 1.5);

        [Fact]
        public void A_2000_deep_chain_is_differentiated_on_a_small_stack()
        {
            string source = $@"
using SymDiff;
public static partial class Deep
{{
    [Differentiable]
    public static double D(double x) => {Chain(2000)};
}}";

            // The compiler's threads may have little stack; the generator must not need more than it has.
            double[] r = OnThread(1024 * 1024, () => GeneratedCode.RunDriver(source, @"
        double v = Deep.DGradient(0.75, out double g);
        double b = 0.5; Deep.DBackward(0.75, 2.0, ref b);
        Deep.DDerivative(0.75, 1.0, out double d);
        return new[] { Deep.D(0.75), v, g, b, d };"));

            double slope = ChainSlope(2000);
            Assert.Equal(BitConverter.DoubleToInt64Bits(r[0]), BitConverter.DoubleToInt64Bits(r[1]));
            FiniteDifferences.AssertClose(slope, r[2], 1e-12, 0, "FGradient");
            FiniteDifferences.AssertClose(0.5 + (2 * slope), r[3], 1e-12, 0, "FBackward");
            FiniteDifferences.AssertClose(slope, r[4], 1e-12, 0, "FDerivative");
        }

        [Fact]
        public void A_2000_deep_nest_of_parentheses()
        {
            // p = (((x x + 1) x + 2) x + 3) ...: Horner's rule written out; p' follows the same recurrence.
            var sb = new StringBuilder("x");
            for (int i = 0; i < 2000; i++)
            {
                sb.Insert(0, "(").Append(" * x + ").Append((i % 5) + 1).Append(')');
            }

            string source = $@"
using SymDiff;
public static partial class Deep
{{
    [Differentiable]
    public static double P(double x) => {sb};
}}";
            double x = 0.999, p = x, dp = 1;
            for (int i = 0; i < 2000; i++)
            {
                dp = (dp * x) + p;
                p = (p * x) + (i % 5) + 1;
            }

            // Roslyn itself binds nested parentheses recursively: give the whole compilation a large stack.
            double[] r = OnThread(256 * 1024 * 1024, () => GeneratedCode.RunDriver(source, @"
        double v = Deep.PGradient(0.999, out double g);
        Deep.PDerivative(0.999, 1.0, out double d);
        return new[] { Deep.P(0.999), v, g, d };"));

            Assert.Equal(BitConverter.DoubleToInt64Bits(r[0]), BitConverter.DoubleToInt64Bits(r[1]));
            FiniteDifferences.AssertClose(dp, r[2], 1e-11, 0, "FGradient");
            FiniteDifferences.AssertClose(dp, r[3], 1e-11, 0, "FDerivative");
        }

        [Fact]
        public void A_2000_deep_nest_of_calls()
        {
            string call = string.Concat(Enumerable.Repeat("G(", 2000)) + "x" + new string(')', 2000);
            string source = $@"
using SymDiff;
public static partial class Deep
{{
    [Differentiable]
    public static double G(double x) => x * 0.999 + 0.001;

    [Differentiable]
    public static double C(double x) => {call};
}}";
            double[] r = OnThread(256 * 1024 * 1024, () => GeneratedCode.RunDriver(source, @"
        double v = Deep.CGradient(3.0, out double g);
        Deep.CDerivative(3.0, 1.0, out double d);
        return new[] { Deep.C(3.0), v, g, d };"));

            Assert.Equal(BitConverter.DoubleToInt64Bits(r[0]), BitConverter.DoubleToInt64Bits(r[1]));
            FiniteDifferences.AssertClose(Math.Pow(0.999, 2000), r[2], 1e-11, 0, "FGradient");
            FiniteDifferences.AssertClose(Math.Pow(0.999, 2000), r[3], 1e-11, 0, "FDerivative");
        }

        [Fact]
        public void A_2000_deep_nest_of_math_calls()
        {
            // sin(sin(... sin(x))): every level is a call with a derivative rule, so each of the 2,000 levels has a partial
            // of its own; the derivative is the product of cos at every level's argument (chain rule), computed here by
            // iterating, independently of the generator.
            string nest = string.Concat(Enumerable.Repeat("Math.Sin(", 2000)) + "x" + new string(')', 2000);
            string source = $@"
using System;
using SymDiff;
public static partial class Deep
{{
    [Differentiable]
    public static double S(double x) => {nest};
}}";
            double x = 1.25, value = x, slope = 1;
            for (int i = 0; i < 2000; i++)
            {
                slope *= Math.Cos(value);
                value = Math.Sin(value);
            }

            double[] r = OnThread(256 * 1024 * 1024, () => GeneratedCode.RunDriver(source, @"
        double v = Deep.SGradient(1.25, out double g);
        double b = 0.5; Deep.SBackward(1.25, 2.0, ref b);
        Deep.SDerivative(1.25, 1.0, out double d);
        return new[] { Deep.S(1.25), v, g, b, d };"));

            Assert.Equal(BitConverter.DoubleToInt64Bits(r[0]), BitConverter.DoubleToInt64Bits(r[1]));
            Assert.Equal(value, r[0], 12);
            FiniteDifferences.AssertClose(slope, r[2], 1e-10, 0, "SGradient");
            FiniteDifferences.AssertClose(0.5 + (2 * slope), r[3], 1e-10, 0, "SBackward");
            FiniteDifferences.AssertClose(slope, r[4], 1e-10, 0, "SDerivative");
        }

        [Fact]
        public void A_3000_statement_method()
        {
            var sb = new StringBuilder();
            for (int i = 0; i < 3000; i++)
            {
                sb.Append("        s = s * 1.0001 + x * ").Append((i % 9) + 1).Append(";\n");
            }

            string source = $@"
using SymDiff;
public static partial class Long
{{
    [Differentiable]
    public static double S(double x)
    {{
        double s = 0;
{sb}        return s;
    }}
}}";

            // s is linear in x: ds/dx = sum_i c_i 1.0001^(2999 - i).
            double slope = 0;
            for (int i = 0; i < 3000; i++)
            {
                slope = (slope * 1.0001) + (i % 9) + 1;
            }

            double[] r = GeneratedCode.RunDriver(source, @"
        double v = Long.SGradient(0.3, out double g);
        double b = 0; Long.SBackward(0.3, 1.0, ref b);
        Long.SDerivative(0.3, 1.0, out double d);
        return new[] { Long.S(0.3), v, g, b, d };");

            Assert.Equal(BitConverter.DoubleToInt64Bits(r[0]), BitConverter.DoubleToInt64Bits(r[1]));
            FiniteDifferences.AssertClose(slope, r[2], 1e-11, 0, "FGradient");
            FiniteDifferences.AssertClose(slope, r[3], 1e-11, 0, "FBackward");
            FiniteDifferences.AssertClose(slope, r[4], 1e-11, 0, "FDerivative");
        }

        [Fact]
        public void SD1009_past_the_nesting_limit()
        {
            string source = $@"
using SymDiff;
public static partial class Deep
{{
    [Differentiable]
    public static double D(double x) => {Chain(6600)};

    [Differentiable]
    public static double Small(double x) => x * x;
}}";
            GeneratorOutput output = OnThread(256 * 1024 * 1024, () => GeneratorRunner.Run(source));
            AssertTooLarge(output, "nests", "the limit is 6500");
        }

        [Fact]
        public void SD1009_past_the_statement_limit()
        {
            string statements = string.Concat(Enumerable.Range(0, 5001).Select(i => "        s = s * 0.5 + x;\n"));
            string source = $@"
using SymDiff;
public static partial class Deep
{{
    [Differentiable]
    public static double D(double x)
    {{
        double s = 0;
{statements}        return s;
    }}

    [Differentiable]
    public static double Small(double x) => x * x;
}}";
            AssertTooLarge(GeneratorRunner.Run(source), "has 5003 statements", "the limit is 5000");
        }

        [Fact]
        public void A_cancelled_step_stops_while_differentiating()
        {
            // An edit in the IDE cancels the step: a long method must not run to the end first.
            string statements = string.Concat(Enumerable.Range(0, 400).Select(i => "        s = s * 0.5 + x;\n"));
            string source = $@"
using SymDiff;
public static partial class Long
{{
    [Differentiable]
    public static double S(double x)
    {{
        double s = 0;
{statements}        return s;
    }}
}}";
            var compilation = CompilationFactory.Create(source);
            var tree = compilation.SyntaxTrees.First();
            var model = compilation.GetSemanticModel(tree);
            var declaration = tree.GetRoot().DescendantNodes().OfType<Microsoft.CodeAnalysis.CSharp.Syntax.MethodDeclarationSyntax>().Single();
            var parsed = SymDiff.Generator.Parsing.Parser.Parse((Microsoft.CodeAnalysis.IMethodSymbol)model.GetDeclaredSymbol(declaration)!, declaration, model, default);
            using var cancelled = new CancellationTokenSource();
            cancelled.Cancel();

            Assert.ThrowsAny<OperationCanceledException>(() => SymDiff.Generator.Differentiation.DerivativeBuilder.Build(parsed.Spec!, parsed.BodyIsValid, SymDiff.Generator.Helpers.EquatableArray<SymDiff.Generator.Model.RuleSpec>.Empty, cancelled.Token));

            // Not cancelled, the same method is generated (so the exception above came from the token).
            var result = SymDiff.Generator.Differentiation.DerivativeBuilder.Build(parsed.Spec!, parsed.BodyIsValid, SymDiff.Generator.Helpers.EquatableArray<SymDiff.Generator.Model.RuleSpec>.Empty, CancellationToken.None);
            Assert.All(result.Set.Methods, m => Assert.Null(m.Unsupported));
        }

        /// <summary>SD1009 at D's name with the limit in its message, stubs for D so calls compile, and Small generated as usual.</summary>
        private static void AssertTooLarge(GeneratorOutput output, params string[] messageParts)
        {
            Diagnostic d = Assert.Single(output.GeneratorDiagnostics, x => x.Severity >= DiagnosticSeverity.Warning);
            Assert.Equal("SD1009", d.Id);
            Assert.Equal(DiagnosticSeverity.Error, d.Severity);
            string message = d.GetMessage(CultureInfo.InvariantCulture);
            Assert.Contains("'Deep.D' is too large to differentiate symbolically", message, StringComparison.Ordinal);
            Assert.Contains("[Differentiable] helper", message, StringComparison.Ordinal);
            foreach (string part in messageParts)
            {
                Assert.Contains(part, message, StringComparison.Ordinal);
            }

            Assert.Equal("D", d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
            Assert.Contains(output.GeneratedSources, s => s.Text.Contains("SmallGradient", StringComparison.Ordinal));
            Assert.Empty(output.CompilationDiagnostics);
        }

        private static T OnThread<T>(int stackBytes, Func<T> work)
        {
            T result = default!;
            ExceptionDispatchInfo? failure = null;
            var thread = new Thread(
                () =>
                {
                    try
                    {
                        result = work();
                    }
                    catch (Exception e)
                    {
                        failure = ExceptionDispatchInfo.Capture(e);
                    }
                },
                stackBytes);
            thread.Start();
            thread.Join();
            failure?.Throw();
            return result;
        }
    }
}

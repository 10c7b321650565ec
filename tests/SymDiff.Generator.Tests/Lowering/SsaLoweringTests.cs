using System;
using System.Linq;
using System.Text;
using SymDiff.Generator.Emit;
using SymDiff.Generator.IR;
using SymDiff.Generator.Lowering;
using SymDiff.Generator.Model;
using SymDiff.Generator.Parsing;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Lowering
{
    /// <summary>
    /// The shape of the structured SSA that <see cref="SsaLowering"/> makes from a parsed method: one new version per
    /// assignment (<c>s</c>, <c>s_1</c>, <c>s_2</c>), phis where branches merge, constants propagated without a let,
    /// and early returns folded into if/else nesting instead of flags where the return ends a branch. The method is
    /// parsed by the real parser (the generator's Parse step, through <see cref="GeneratorRunner"/>); the SSA is
    /// compared as text, one statement per line (<c>let</c>, <c>if</c>/<c>else</c> with indented blocks, <c>phi name =
    /// then | else</c>, <c>return</c>).
    /// </summary>
    public sealed class SsaLoweringTests
    {
        /// <summary>Each assignment, compound assignment and declaration makes a new version; var is a double.</summary>
        [Fact]
        public void AssignmentsMakeNewVersions()
        {
            string ssa = LowerBody("""
                double s = x * y;
                s = s + x;
                s *= 2.0;
                var t = s - y;
                return t;
                """);

            AssertSsa(
                """
                let s = x * y
                let s_1 = s + x
                let s_2 = s_1 * 2.0
                let t = s_2 - y
                return t
                """,
                ssa);
        }

        /// <summary>A constant needs no let: its uses see the literal, and the next assignment takes the name.</summary>
        [Fact]
        public void ConstantsArePropagated()
        {
            string ssa = LowerBody("""
                double s = 0.0;
                s = s + x;
                return s * y;
                """);

            AssertSsa(
                """
                let s = 0.0 + x
                return s * y
                """,
                ssa);
        }

        /// <summary>If/else: each branch makes its own version; the phi after the if holds the one that ran.</summary>
        [Fact]
        public void IfElseMergesThroughAPhi()
        {
            string ssa = LowerBody("""
                double s = x;
                if (x > 0.0)
                {
                    s = s * 2.0;
                }
                else
                {
                    s = -s;
                }

                return s;
                """);

            AssertSsa(
                """
                let s = x
                if (x > 0.0)
                  let s_1 = s * 2.0
                else
                  let s_2 = -s
                phi s_3 = s_1 | s_2
                return s_3
                """,
                ssa);
        }

        /// <summary>An if with no else: the phi's else value is the version from before the if.</summary>
        [Fact]
        public void IfWithoutElseMergesWithThePreviousVersion()
        {
            string ssa = LowerBody("""
                double s = x * y;
                if (y > x)
                {
                    s = Math.Exp(s);
                }

                return s;
                """);

            AssertSsa(
                """
                let s = x * y
                if (y > x)
                  let s_1 = Math.Exp(s)
                else
                phi s_2 = s_1 | s
                return s_2
                """,
                ssa);
        }

        /// <summary>Only variables that differ between the branches get a phi; u is the same after both.</summary>
        [Fact]
        public void UnchangedVariablesGetNoPhi()
        {
            string ssa = LowerBody("""
                double s = x;
                double u = y * y;
                if (x > 0.0)
                {
                    s = s * u;
                }

                return s + u;
                """);

            AssertSsa(
                """
                let s = x
                let u = y * y
                if (x > 0.0)
                  let s_1 = s * u
                else
                phi s_2 = s_1 | s
                return s_2 + u
                """,
                ssa);
        }

        /// <summary>
        /// A guard clause: the code after <c>if (...) return</c> moves into the else branch, so no "returned" flag is
        /// needed; the result merges through one phi.
        /// </summary>
        [Fact]
        public void EarlyReturnIsFoldedIntoNesting()
        {
            string ssa = LowerBody("""
                if (x < 0.0)
                {
                    return -x;
                }

                double t = x * x;
                return t + 1.0;
                """);

            AssertNoFlags(ssa);
            AssertSsa(
                """
                if (x < 0.0)
                  let result_1 = -x
                else
                  let t = x * x
                  let result_2 = t + 1.0
                phi result_3 = result_1 | result_2
                return result_3
                """,
                ssa);
        }

        /// <summary>An else-if chain of returns nests the same way, one level per arm.</summary>
        [Fact]
        public void ElseIfChainOfReturnsIsFoldedIntoNesting()
        {
            string ssa = LowerBody("""
                if (x < -1.0)
                {
                    return x * y;
                }
                else if (x < 1.0)
                {
                    return x * x;
                }

                double t = x + y;
                return t * t;
                """);

            AssertNoFlags(ssa);
            AssertSsa(
                """
                if (x < -1.0)
                  let result_1 = x * y
                else
                  if (x < 1.0)
                    let result_2 = x * x
                  else
                    let t = x + y
                    let result_3 = t * t
                  phi result_4 = result_2 | result_3
                phi result_5 = result_1 | result_4
                return result_5
                """,
                ssa);
        }

        /// <summary>A return in both arms of an if/else with nothing after it: one phi, no flags.</summary>
        [Fact]
        public void ReturnInBothArms()
        {
            string ssa = LowerBody("""
                if (x > 0.0)
                {
                    return Math.Log(x);
                }
                else
                {
                    return -x * y;
                }
                """);

            AssertNoFlags(ssa);
            AssertSsa(
                """
                if (x > 0.0)
                  let result_1 = Math.Log(x)
                else
                  let result_2 = -x * y
                phi result_3 = result_1 | result_2
                return result_3
                """,
                ssa);
        }

        /// <summary>
        /// A return nested in an if whose enclosing if is followed by more code cannot be nested away: the code
        /// after it is guarded by a "returned" flag, and the result merges through the flag's branch. (The last
        /// phi of the flag is dead; the scheduler removes it.)
        /// </summary>
        [Fact]
        public void NestedReturnFollowedByCodeIsGuardedByAFlag()
        {
            string ssa = LowerBody("""
                double a = x * y;
                if (a > 1.0)
                {
                    if (x > y)
                    {
                        return a * x;
                    }

                    a = a + 1.0;
                }

                return a * a;
                """);

            Assert.Contains("returned", ssa, StringComparison.Ordinal);
            AssertSsa(
                """
                let a = x * y
                if (a > 1.0)
                  if (x > y)
                    let result_1 = a * x
                  else
                    let a_1 = a + 1.0
                  phi a_2 = a | a_1
                  phi result_2 = result_1 | 0.0
                  phi returned_1 = true | false
                else
                phi a_3 = a_2 | a
                phi result_3 = result_2 | 0.0
                phi returned_2 = returned_1 | false
                if (!returned_2)
                  let result_4 = a_3 * a_3
                else
                phi result_5 = result_4 | result_3
                phi returned_3 = true | returned_2
                return result_5
                """,
                ssa);
        }

        /// <summary>Versions skip a name the user wrote: with a user local <c>s_1</c>, the second version of s is <c>s_2</c>.</summary>
        [Fact]
        public void VersionsNeverTakeAUserName()
        {
            string ssa = LowerBody("""
                double s = x;
                double s_1 = y;
                s = s * 2.0;
                return s + s_1;
                """);

            AssertSsa(
                """
                let s = x
                let s_1 = y
                let s_2 = s * 2.0
                return s_2 + s_1
                """,
                ssa);
        }

        /// <summary>Two locals of one name in sibling scopes become two variables (the parser renames the second).</summary>
        [Fact]
        public void SiblingScopesGetDistinctNames()
        {
            string ssa = LowerBody("""
                double r = 0.0;
                if (x > 0.0)
                {
                    double a = x * x;
                    r = a;
                }
                else
                {
                    double a = -x;
                    r = a * y;
                }

                return r;
                """);

            AssertSsa(
                """
                if (x > 0.0)
                  let a = x * x
                  let r = a
                else
                  let a2 = -x
                  let r_1 = a2 * y
                phi r_2 = r | r_1
                return r_2
                """,
                ssa);
        }

        /// <summary>The lowered function lists every name it defines, so later phases never reuse one.</summary>
        [Fact]
        public void LoweredFunctionListsItsNames()
        {
            IrFunction function = Lower("""
                double s = x;
                if (x > 0.0)
                {
                    s = s * 2.0;
                }

                return s;
                """);

            Assert.Contains("s", function.Names);
            Assert.Contains("s_1", function.Names);
            Assert.Contains("s_2", function.Names);
            Assert.Contains("x", function.Names);
        }

        /// <summary>Parses <c>double F(double x, double y) { body }</c> with the generator's parser and lowers it.</summary>
        private static IrFunction Lower(string body)
        {
            string source = "using System;\nusing SymDiff;\n\npublic static partial class Lowered\n{\n    [Differentiable]\n    public static double F(double x, double y)\n    {\n"
                + string.Concat(body.Split('\n').Select(line => "        " + line + "\n"))
                + "    }\n}\n";
            GeneratorOutput output = GeneratorRunner.Run(source);
            ParseResult parsed = Assert.IsType<ParseResult>(Assert.Single(output.TrackedStepOutputs[TrackingNames.Parse]));
            Assert.True(parsed.Spec is not null && parsed.BodyIsValid, $"The body does not parse: {string.Join("; ", parsed.Diagnostics)}");
            return SsaLowering.Lower(parsed.Spec!);
        }

        private static string LowerBody(string body) => Dump(Lower(body).Body);

        private static void AssertSsa(string expected, string actual) =>
            Assert.True(Normalize(expected) == Normalize(actual), $"Expected SSA:\n{Normalize(expected)}\n\nActual SSA:\n{Normalize(actual)}");

        private static void AssertNoFlags(string ssa) =>
            Assert.False(ssa.Contains("returned", StringComparison.Ordinal), $"A return that ends a branch needs no flag:\n{ssa}");

        private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).Trim('\n');

        /// <summary>The SSA as text; expressions through <see cref="ExprPrinter"/> with <c>global::System.</c> dropped.</summary>
        private static string Dump(Block block)
        {
            var text = new StringBuilder();
            Dump(block, 0, text);
            return text.ToString();
        }

        private static void Dump(Block block, int depth, StringBuilder text)
        {
            string pad = new(' ', 2 * depth);
            foreach (Stmt s in block.Statements)
            {
                switch (s)
                {
                    case Let let:
                        text.Append(pad).Append("let ").Append(let.Name).Append(" = ").AppendLine(P(let.Value));
                        break;
                    case If branch:
                        text.Append(pad).Append("if (").Append(P(branch.Condition)).AppendLine(")");
                        Dump(branch.Then, depth + 1, text);
                        text.Append(pad).AppendLine("else");
                        Dump(branch.Else, depth + 1, text);
                        foreach (Phi phi in branch.Phis)
                        {
                            text.Append(pad).Append("phi ").Append(phi.Name).Append(" = ").Append(P(phi.WhenTrue)).Append(" | ").AppendLine(P(phi.WhenFalse));
                        }

                        break;
                    case Return ret:
                        text.Append(pad).Append("return ").AppendLine(P(ret.Value));
                        break;
                    default:
                        text.Append(pad).AppendLine(s.ToString());
                        break;
                }
            }
        }

        private static string P(Expr e) => ExprPrinter.Print(e).Replace("global::System.", string.Empty, StringComparison.Ordinal);
    }
}

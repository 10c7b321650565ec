using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Differentiation;
using SymDiff.Generator.Emit;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using Xunit;
using static SymDiff.Generator.Tests.Passes.PassHarness;

namespace SymDiff.Generator.Tests.Passes
{
    /// <summary>
    /// The reverse and forward differentiators alone, on tiny methods lowered by the real parser: the IR they return,
    /// before simplification and scheduling. Each expected text was written down from the mathematics and then read
    /// line by line against it (the reasoning is in each test's comment); none was copied from the pass's output.
    /// </summary>
    public sealed class DifferentiatorPassTests
    {
        /// <summary>
        /// f = a + sin x with a = x y. The seed 1 reaches a and sin x; a is used once, so its adjoint stays symbolic (no
        /// aBar let). x receives cos x (from sin, reached first walking backwards) and then aBar * y = y; y receives x.
        /// Nothing is left for a separate reverse block: the adjoints are sums of what the forward sweep computed.
        /// </summary>
        [Fact]
        public void ReverseStraightLine()
        {
            var sweep = Reverse(Lower("double x, double y", "double a = x * y;\nreturn a + Math.Sin(x);"));
            AssertIr(
                """
                forward:
                let a: double = x * y
                reverse:
                value: a + Math.Sin(x)
                adjoint x = Math.Cos(x) + y
                adjoint y = x
                """,
                sweep);
        }

        /// <summary>
        /// f = a2 y, with a2 = x^2 when x > 0 and y otherwise. The reverse of the branch is a branch on the same
        /// condition: taken, x gets d(x^2)/dx * y = 2 (y x) and a (the value before the if) gets 0; not taken, x gets 0
        /// and a gets y. a = y, so y's adjoint is a2 (from the product) plus aBar: x^2 when x > 0, and 2y otherwise, as
        /// f = x^2 y and f = y^2 require.
        /// </summary>
        [Fact]
        public void ReverseBranch()
        {
            var sweep = Reverse(Lower("double x, double y", "double a = y;\nif (x > 0.0)\n{\n    a = x * x;\n}\n\nreturn a * y;"));
            AssertIr(
                """
                forward:
                let a: double = y
                if x > 0.0
                  let a_1: double = x * x
                  yield a_2 = a_1
                else
                  yield a_2 = a
                end
                reverse:
                if x > 0.0
                  yield xBar = 2.0 * (y * x)
                  yield aBar = 0.0
                else
                  yield xBar = 0.0
                  yield aBar = y
                end
                value: a_2 * y
                adjoint x = xBar
                adjoint y = a_2 + aBar
                """,
                sweep);
        }

        /// <summary>
        /// s = sum over n iterations of c x (an accumulator): the adjoint of s is 1 in every iteration, so the reverse
        /// sweep is fused into the forward loop. The loop counts the contributions (xBar + 1.0 each time) and the
        /// loop-invariant factor c is applied once after it: dF/dx = c n. No reverse block, no tape.
        /// </summary>
        [Fact]
        public void ReverseFusedLoop()
        {
            var sweep = Reverse(Lower("double x, [NoGrad] double c, int n", "double s = 0.0;\nfor (int i = 0; i < n; i++)\n{\n    s = s + c * x;\n}\n\nreturn s;"));
            AssertIr(
                """
                forward:
                loop i = 0, s = 0.0, xBar = 0.0 while i < n
                  let s_1: double = s + c * x
                  let i_1: int = i + 1
                  next i = i_1, s = s_1, xBar = xBar + 1.0
                end
                reverse:
                value: s
                adjoint x = c * xBar
                """,
                sweep);
        }

        /// <summary>
        /// s_{k+1} = s_k x + c (Horner): the adjoint of s changes every iteration (sBar_k = sBar_{k+1} x), so the reverse
        /// sweep is a separate loop running backwards. The forward loop stores each s_k on a tape (n values, none when n is negative); the reverse
        /// loop restarts from the final counter i - 1, restores s_k, and updates both carried adjoints at once from their
        /// previous values: xBar += sBar s_k (d s_{k+1} / dx = s_k), then sBar *= x (d s_{k+1} / d s_k = x).
        /// </summary>
        [Fact]
        public void ReverseLoopWithTape()
        {
            var sweep = Reverse(Lower("double x, [NoGrad] double c, int n", "double s = 1.0;\nfor (int i = 0; i < n; i++)\n{\n    s = s * x + c;\n}\n\nreturn s;"));
            AssertIr(
                """
                forward:
                rent sTape: double[Math.Max(0, n)]
                loop i = 0, s = 1.0 while i < n
                  sTape[i] = s
                  let s_1: double = s * x + c
                  let i_1: int = i + 1
                  next i = i_1, s = s_1
                end
                reverse:
                loop i_3 = i - 1, sBar = 1.0, xBar = 0.0 while i_3 >= 0
                  let s_3: double = sTape[i_3]
                  next i_3 = i_3 - 1, sBar = sBar * x, xBar = xBar + sBar * s_3
                end
                value: s
                adjoint x = xBar
                """,
                sweep);
        }

        /// <summary>
        /// Forward mode gives every active value its tangent right after it: aDot = tX y + x tY (product rule), and the
        /// result's tangent is aDot plus cos x tX. The value is the user's own expression, unchanged.
        /// </summary>
        [Fact]
        public void ForwardStraightLine()
        {
            string forward = Forward(Lower("double x, double y", "double a = x * y;\nreturn a + Math.Sin(x);"));
            AssertIr(
                """
                let a: double = x * y
                let aDot: double = tX * y + x * tY
                value: a + Math.Sin(x)
                tangent: aDot + Math.Cos(x) * tX
                """,
                forward);
        }

        /// <summary>
        /// A branch's tangent is a phi beside the value's phi: 2 (tX x) where a = x^2, tY where a = y. The result
        /// a2 y has tangent aDot2 y + a2 tY.
        /// </summary>
        [Fact]
        public void ForwardBranch()
        {
            string forward = Forward(Lower("double x, double y", "double a = y;\nif (x > 0.0)\n{\n    a = x * x;\n}\n\nreturn a * y;"));
            AssertIr(
                """
                let a: double = y
                if x > 0.0
                  let a_1: double = x * x
                  let aDot: double = 2.0 * (tX * x)
                  yield a_2 = a_1
                  yield aDot2 = aDot
                else
                  yield a_2 = a
                  yield aDot2 = tY
                end
                value: a_2 * y
                tangent: aDot2 * y + a_2 * tY
                """,
                forward);
        }

        /// <summary>A loop carries the tangent beside the value: sDot_{k+1} = sDot_k x + s_k tX; nothing is stored.</summary>
        [Fact]
        public void ForwardLoop()
        {
            string forward = Forward(Lower("double x, [NoGrad] double c, int n", "double s = 1.0;\nfor (int i = 0; i < n; i++)\n{\n    s = s * x + c;\n}\n\nreturn s;"));
            AssertIr(
                """
                loop i = 0, s = 1.0, sDot = 0.0 while i < n
                  let s_1: double = s * x + c
                  let sDot2: double = sDot * x + s * tX
                  let i_1: int = i + 1
                  next i = i_1, s = s_1, sDot = sDot2
                end
                value: s
                tangent: sDot
                """,
                forward);
        }

        private static string Reverse(Lowered l)
        {
            var sweep = ReverseDifferentiator.Differentiate(l.Spec, l.Body, l.Activity, l.NewNamer(), Generator.Simplification.Ir.Lit(1, ValType.Double), l.Signatures.GradientNames, Array.Empty<RuleSpec>(), l.UserFacing, new List<DiagnosticInfo>());
            return "forward:\n" + Print(sweep.Forward) + "reverse:\n" + Print(sweep.Reverse) + "value: " + E(sweep.Value) + "\n"
                + string.Concat(sweep.ScalarAdjoints.Select(a => "adjoint " + a.Name + " = " + E(a.Value) + "\n"));
        }

        private static string Forward(Lowered l)
        {
            var (body, value, tangent) = ForwardDifferentiator.Differentiate(l.Spec, l.Body, l.Activity, l.NewNamer(), l.Signatures.TangentNames, Array.Empty<RuleSpec>(), new List<DiagnosticInfo>());
            return Print(body) + "value: " + E(value) + "\ntangent: " + E(tangent) + "\n";
        }

        private static string E(Expr? e) => e is null ? "none" : ExprPrinter.Print(e).Replace("global::System.", string.Empty, StringComparison.Ordinal);
    }
}

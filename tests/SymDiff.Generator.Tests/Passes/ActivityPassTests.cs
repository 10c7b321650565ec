using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.IR;
using Xunit;
using static SymDiff.Generator.Tests.Passes.PassHarness;

namespace SymDiff.Generator.Tests.Passes
{
    /// <summary>
    /// Activity analysis alone: which values depend on an active parameter. The expected sets follow from the
    /// definitions (an operation of an active value is active; <c>Grad.Detach</c>, piecewise-constant functions and
    /// data-only arithmetic are not), written down before running the pass.
    /// </summary>
    public sealed class ActivityPassTests
    {
        /// <summary>
        /// a = x c is active through x; b = c c is data; d = floor(a) is cut (piecewise constant); e = detach(a) + y is
        /// active through y only. The [NoGrad] c is data.
        /// </summary>
        [Fact]
        public void StraightLine()
        {
            var l = Lower("double x, double y, [NoGrad] double c", "double a = x * c;\ndouble b = c * c;\ndouble d = Math.Floor(a);\ndouble e = Grad.Detach(a) + y;\nreturn a + b + d + e;");
            Assert.Equal("a, e", Active(l, "a", "b", "d", "e"));
            Assert.True(l.Activity.IsActiveVar("x") && l.Activity.IsActiveVar("y") && !l.Activity.IsActiveVar("c"));
        }

        /// <summary>
        /// The loop-carried s starts as the constant 0.0 but becomes active on the first iteration (s = s c + x): the fixed
        /// point marks the carried value and its next version. k (only c) and the counter stay data.
        /// </summary>
        [Fact]
        public void LoopFixedPoint()
        {
            var l = Lower("double x, [NoGrad] double c, int n", "double s = 0.0;\ndouble k = 1.0;\nfor (int i = 0; i < n; i++)\n{\n    k = k * c;\n    s = s * c + x;\n}\n\nreturn s + k;");
            AssertIr(
                """
                loop i = 0, k = 1.0, s = 0.0 while i < n
                  let k_1: double = k * c
                  let s_1: double = s * c + x
                  let i_1: int = i + 1
                  next i = i_1, k = k_1, s = s_1
                end
                return s + k
                """,
                Print(l.Body));
            Assert.Equal("s, s_1", Active(l, "i", "i_1", "k", "k_1", "s", "s_1"));
        }

        /// <summary>A phi is active when either incoming value is: r = x on one side, the constant 2.0 on the other; q chooses between data.</summary>
        [Fact]
        public void PhiOfActiveAndConstant()
        {
            var l = Lower("double x, [NoGrad] double c", "double r = 2.0;\nif (c > 0.0)\n{\n    r = x;\n}\n\ndouble q = c > 1.0 ? c : 3.0;\nreturn r * q;");
            AssertIr(
                """
                if c > 0.0
                  let r: double = x
                  yield r_1 = r
                else
                  yield r_1 = 2.0
                end
                let q: double = c > 1.0 ? c : 3.0
                return r_1 * q
                """,
                Print(l.Body));
            Assert.Equal("r, r_1", Active(l, "r", "r_1", "q"));
        }

        private static string Active(Lowered l, params string[] names)
        {
            var defined = Defined(l.Body);
            Assert.All(names, n => Assert.Contains(n, defined));
            return string.Join(", ", names.Where(l.Activity.IsActiveVar));
        }

        private static HashSet<string> Defined(Block block)
        {
            var names = new HashSet<string>();
            foreach (var s in block.Statements)
            {
                switch (s)
                {
                    case Let let:
                        names.Add(let.Name);
                        break;
                    case If branch:
                        names.UnionWith(branch.Phis.Select(p => p.Name));
                        break;
                    case Loop loop:
                        names.UnionWith(loop.Carried.Select(v => v.Name));
                        break;
                }

                foreach (var nested in Walk.Blocks(s))
                {
                    names.UnionWith(Defined(nested));
                }
            }

            return names;
        }
    }
}

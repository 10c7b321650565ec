using SymDiff.Generator.Tests.Passes;
using Xunit;

namespace SymDiff.Generator.Tests.Lowering
{
    /// <summary>
    /// The lowering of in-place stencil sweeps alone (<c>BufferStencil</c> with <c>BufferHistory</c>, and the Jacobi
    /// buffer moved into the sweep loop by <c>BufferScopes</c>): one version of the buffer per sweep, the boundary the sweep
    /// does not write copied from the previous version before it, <c>a[i - 1]</c> read from this sweep's version and
    /// <c>a[i]</c>, <c>a[i + 1]</c> from the previous one. Numeric checks of the derivatives are in StencilTests.
    /// </summary>
    public sealed class BufferStencilTests
    {
        [Fact]
        public void A_gauss_seidel_sweep_reads_the_new_left_neighbour_and_the_old_right_one()
        {
            var lowered = PassHarness.Lower("ReadOnlySpan<double> u0, double alpha, int sweeps", """
                Span<double> a = stackalloc double[u0.Length];
                for (int i = 0; i < a.Length; i++) a[i] = u0[i];
                for (int s = 0; s < sweeps; s++)
                    for (int i = 1; i < a.Length - 1; i++)
                        a[i] = a[i] + alpha * (a[i - 1] - 2 * a[i] + a[i + 1]);
                return a[0] * a[1];
                """);
            PassHarness.AssertIr(Expected.GaussSeidel, PassHarness.Print(lowered.Body));
        }

        [Fact]
        public void A_jacobi_sweep_copied_back_moves_its_buffer_into_the_sweep_loop_and_versions_the_state()
        {
            var lowered = PassHarness.Lower("ReadOnlySpan<double> p, [NoGrad] int sweeps", """
                int n = p.Length - 1;
                Span<double> cur = stackalloc double[n];
                Span<double> next = stackalloc double[n];
                for (int i = 0; i < n; i++)
                {
                    cur[i] = p[i + 1];
                }

                for (int s = 0; s < sweeps; s++)
                {
                    for (int i = 1; i < n - 1; i++)
                    {
                        next[i] = cur[i] + p[0] * (cur[i - 1] - 2 * cur[i] + cur[i + 1]);
                    }

                    for (int i = 1; i < n - 1; i++)
                    {
                        cur[i] = next[i];
                    }
                }

                return cur[0];
                """);
            PassHarness.AssertIr(Expected.Jacobi, PassHarness.Print(lowered.Body));
        }

        private static class Expected
        {
            public const string GaussSeidel = """
                rent a: double[u0.Length]
                rent aHistory: double[((sweeps > 0 ? sweeps : 0) + 1) * u0.Length]
                loop i = 0 while i < u0.Length
                  let aValue: double = u0[i]
                  a[i] = aValue
                  let i_1: int = i + 1
                  next i = i_1
                end
                loop aIndex_1 = 0 while aIndex_1 < u0.Length
                  let aHistoryValue: double = a[aIndex_1]
                  aHistory[aIndex_1] = aHistoryValue
                  let aIndex_2: int = aIndex_1 + 1
                  next aIndex_1 = aIndex_2
                end
                loop s = 0 while s < sweeps
                  loop aIndex2_1 = 0 while aIndex2_1 < (u0.Length < 1 ? u0.Length : 1)
                    aHistory[(s + 1) * u0.Length + aIndex2_1] = aHistory[s * u0.Length + aIndex2_1]
                    let aIndex2_2: int = aIndex2_1 + 1
                    next aIndex2_1 = aIndex2_2
                  end
                  let aIndex2_3: int = u0.Length - 1 > 1 ? u0.Length - 1 : 1
                  loop aIndex2_4 = aIndex2_3 while aIndex2_4 < u0.Length
                    aHistory[(s + 1) * u0.Length + aIndex2_4] = aHistory[s * u0.Length + aIndex2_4]
                    let aIndex2_5: int = aIndex2_4 + 1
                    next aIndex2_4 = aIndex2_5
                  end
                  loop i2 = 1 while i2 < u0.Length - 1
                    aHistory[(s + 1) * u0.Length + i2] = aHistory[s * u0.Length + i2] + alpha * (aHistory[(s + 1) * u0.Length + (i2 - 1)] - 2.0 * aHistory[s * u0.Length + i2] + aHistory[s * u0.Length + (i2 + 1)])
                    let i2_1: int = i2 + 1
                    next i2 = i2_1
                  end
                  let s_1: int = s + 1
                  next s = s_1
                end
                return aHistory[(sweeps > 0 ? sweeps : 0) * u0.Length] * aHistory[(sweeps > 0 ? sweeps : 0) * u0.Length + 1]
                """;

            public const string Jacobi = """
                rent cur: double[p.Length - 1]
                rent curHistory: double[((sweeps > 0 ? sweeps : 0) + 1) * (p.Length - 1)]
                rent next: double[p.Length - 1]
                let n: int = p.Length - 1
                loop i = 0 while i < n
                  let curValue: double = p[i + 1]
                  cur[i] = curValue
                  let i_1: int = i + 1
                  next i = i_1
                end
                loop curIndex_1 = 0 while curIndex_1 < p.Length - 1
                  let curHistoryValue: double = cur[curIndex_1]
                  curHistory[curIndex_1] = curHistoryValue
                  let curIndex_2: int = curIndex_1 + 1
                  next curIndex_1 = curIndex_2
                end
                loop s = 0 while s < sweeps
                  ClearArray
                  loop i2 = 1 while i2 < n - 1
                    let nextValue: double = curHistory[s * (p.Length - 1) + i2] + p[0] * (curHistory[s * (p.Length - 1) + (i2 - 1)] - 2.0 * curHistory[s * (p.Length - 1) + i2] + curHistory[s * (p.Length - 1) + (i2 + 1)])
                    next[i2] = nextValue
                    let i2_1: int = i2 + 1
                    next i2 = i2_1
                  end
                  loop curIndex2_1 = 0 while curIndex2_1 < (p.Length - 1 < 1 ? p.Length - 1 : 1)
                    curHistory[(s + 1) * (p.Length - 1) + curIndex2_1] = curHistory[s * (p.Length - 1) + curIndex2_1]
                    let curIndex2_2: int = curIndex2_1 + 1
                    next curIndex2_1 = curIndex2_2
                  end
                  let curIndex2_3: int = p.Length - 1 - 1 > 1 ? p.Length - 1 - 1 : 1
                  loop curIndex2_4 = curIndex2_3 while curIndex2_4 < p.Length - 1
                    curHistory[(s + 1) * (p.Length - 1) + curIndex2_4] = curHistory[s * (p.Length - 1) + curIndex2_4]
                    let curIndex2_5: int = curIndex2_4 + 1
                    next curIndex2_4 = curIndex2_5
                  end
                  loop i3 = 1 while i3 < n - 1
                    let curHistoryValue2: double = next[i3]
                    curHistory[(s + 1) * (p.Length - 1) + i3] = curHistoryValue2
                    let i3_1: int = i3 + 1
                    next i3 = i3_1
                  end
                  let s_1: int = s + 1
                  next s = s_1
                end
                return curHistory[(sweeps > 0 ? sweeps : 0) * (p.Length - 1)]
                """;
        }
    }
}

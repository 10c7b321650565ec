using SymDiff.EndToEnd.Tests.Functions;
using Xunit;

namespace SymDiff.EndToEnd.Tests
{
    /// <summary>The facts of PyTorch's autograd tutorial, through the methods the compiler generated.</summary>
    public sealed class PyTorchTutorialTests
    {
        [Fact]
        public void Gradient_of_y_at_w1_x2()
        {
            double y = Tutorial.YGradient(1.0, 2.0, out double dw, out double dx);

            Assert.Equal(6.0, y);
            Assert.Equal(5.0, dw);
            Assert.Equal(2.0, dx);
        }

        [Fact]
        public void Gradient_returns_the_value_of_the_original_method_bit_for_bit()
        {
            double w = 0.1, x = 0.7;

            Assert.Equal(Tutorial.Y(w, x), Tutorial.YGradient(w, x, out _, out _));
            Assert.Equal(Tutorial.Z(w, x), Tutorial.ZGradient(w, x, out _, out _));
        }

        [Fact]
        public void Backward_of_y_matches_gradient()
        {
            double dw = 0, dx = 0;
            Tutorial.YBackward(1.0, 2.0, 1.0, ref dw, ref dx);

            Assert.Equal(5.0, dw);
            Assert.Equal(2.0, dx);
        }

        [Fact]
        public void Backward_accumulates_across_calls_like_PyTorch()
        {
            // z = (w + x)(w x) at w = 1, x = 2: dz/dw = 8, dz/dx = 5. Calling backward() four times without
            // zero_grad() adds the gradient each time.
            double dw = 0, dx = 0;
            var seen = new double[4];
#pragma warning disable SD2001 // accumulating without a reset is what this test checks
            for (int call = 0; call < 4; call++)
            {
                Tutorial.ZBackward(1.0, 2.0, 1.0, ref dw, ref dx);
                seen[call] = dw;
            }
#pragma warning restore SD2001

            Assert.Equal(new[] { 8.0, 16.0, 24.0, 32.0 }, seen);
            Assert.Equal(20.0, dx);
        }

        [Fact]
        public void Backward_with_reset_before_each_call_gives_the_same_gradient_each_time()
        {
            var seen = new double[4];
            for (int call = 0; call < 4; call++)
            {
                double dw = 0, dx = 0;
                Tutorial.ZBackward(1.0, 2.0, 1.0, ref dw, ref dx);
                seen[call] = dw;
                Assert.Equal(5.0, dx);
            }

            Assert.Equal(new[] { 8.0, 8.0, 8.0, 8.0 }, seen);
        }

        [Fact]
        public void Backward_scales_by_the_seed()
        {
            double dw = 0, dx = 0;
            Tutorial.ZBackward(1.0, 2.0, 0.5, ref dw, ref dx);

            Assert.Equal(4.0, dw);
            Assert.Equal(2.5, dx);
        }

        [Fact]
        public void Gradient_overwrites_its_outputs()
        {
            double dw = 100, dx = 100;
            Tutorial.ZGradient(1.0, 2.0, out dw, out dx);

            Assert.Equal(8.0, dw);
            Assert.Equal(5.0, dx);
        }

        [Fact]
        public void Detach_stops_the_gradient()
        {
            // d/dx [x * detach(x)] = detach(x) = x, not 2x.
            double value = Tutorial.TimesDetachedGradient(3.0, out double dx);

            Assert.Equal(9.0, value);
            Assert.Equal(3.0, dx);
        }

        [Fact]
        public void Retain_grad_gives_the_gradient_of_an_intermediate_value()
        {
            // a = w + x; a.retain_grad(); b = w + 1; y = a * b; y.backward(): w.grad = 5, x.grad = 2, a.grad = 2.
            double y = Tutorial.YRetainedGradientRetained(1.0, 2.0, out double dw, out double dx, out double da);

            Assert.Equal(6.0, y);
            Assert.Equal(5.0, dw);
            Assert.Equal(2.0, dx);
            Assert.Equal(2.0, da);
        }

        [Fact]
        public void Retain_grad_of_a_vector_with_backward_of_ones()
        {
            // a = x + 2 * y; a.retain_grad(); b = a + z / 2; b.backward(torch.ones(2)): a.grad = [1, 1].
            double[] x = { 1, 2 }, y = { 3, 4 }, z = { 5, 6 }, b = new double[2];
            double[] dx = new double[2], dy = new double[2], dz = new double[2];
            Tutorial.BBackwardRetained(x, y, z, b, new[] { 1.0, 1.0 }, dx, dy, dz, out double da0, out double da1);

            Assert.Equal(new[] { 1.0, 1.0 }, new[] { da0, da1 });
            Assert.Equal(new[] { 1.0, 1.0 }, dx);
            Assert.Equal(new[] { 2.0, 2.0 }, dy);
            Assert.Equal(new[] { 0.5, 0.5 }, dz);
        }

        [Fact]
        public void Backward_twice_needs_no_retain_graph_and_accumulates()
        {
            // y.backward(retain_graph=True); y.backward(): w.grad = 10, x.grad = 4. Nothing is freed, so no flag.
            double dw = 0, dx = 0;
#pragma warning disable SD2001 // accumulating twice is what this test checks
            for (int call = 0; call < 2; call++)
            {
                Tutorial.YBackward(1.0, 2.0, 1.0, ref dw, ref dx);
            }
#pragma warning restore SD2001

            Assert.Equal(10.0, dw);
            Assert.Equal(4.0, dx);
        }

        [Fact]
        public void Summing_two_losses_before_one_backward_is_plain_CSharp()
        {
            // (y + z).backward() at w = 1, x = 2: w.grad = 5 + 8, x.grad = 2 + 5.
            double total = Tutorial.TotalGradient(1.0, 2.0, out double dw, out double dx);

            Assert.Equal(6.0 + 6.0, total);
            Assert.Equal(13.0, dw);
            Assert.Equal(7.0, dx);
        }

        [Fact]
        public void Graph_lists_leaves_and_grad_fn()
        {
            string graph = Tutorial.YRetainedGraph;

            Assert.Contains("leaves (is_leaf, requires_grad): w, x", graph, System.StringComparison.Ordinal);
            Assert.Contains("a = w + x  (grad_fn: AddBackward, retained)", graph, System.StringComparison.Ordinal);
            Assert.Contains("return a * b  (grad_fn: MulBackward)", graph, System.StringComparison.Ordinal);
        }
    }
}

using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.LocalBuffers;
using Xunit;

namespace SymDiff.Generator.Tests.Calls
{
    /// <summary>
    /// A call of a <c>[Differentiable]</c> vector function (a layer, <c>void Dense(w, b, x, Span&lt;double&gt; y)</c>) from
    /// another differentiable method: the callee's body is inlined at the call, so its loops fuse with the caller's and
    /// every generated method (gradient, backward, forward, Hessian-vector product, Jacobian) sees through it. Checked
    /// against central differences of the user's own methods and against closed forms.
    /// </summary>
    public class VectorCallTests
    {
        public const string Source = @"
using System;
using SymDiff;
public static partial class V
{
    [Differentiable]
    public static void Dense(ReadOnlySpan<double> w, ReadOnlySpan<double> b, [NoGrad] ReadOnlySpan<double> input, Span<double> output)
    {
        int m = input.Length;
        for (int o = 0; o < output.Length; o++)
        {
            double z = b[o];
            for (int i = 0; i < m; i++) z += w[o * m + i] * input[i];
            output[o] = Math.Tanh(z);
        }
    }

    // A two-layer network over a batch: the layer's buffer declared once before the loop over samples, the layer's
    // weights and biases parts of one parameter vector, each sample a part of the data.
    [Differentiable(Hessian = true)]
    public static double Loss(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
    {
        const int d = 3, hidden = 4;
        int n = y.Length;
        Span<double> h = stackalloc double[hidden];
        double loss = 0;
        for (int s = 0; s < n; s++)
        {
            Dense(p.Slice(0, hidden * d), p.Slice(hidden * d, hidden), x.Slice(s * d, d), h);
            double pred = p[hidden * d + 2 * hidden];
            for (int j = 0; j < hidden; j++) pred += p[hidden * d + hidden + j] * h[j];
            double r = pred - y[s];
            loss += r * r;
        }

        return loss / n;
    }

    // A layer that differentiates its input too, called twice by a vector function, the second time into its own output.
    [Differentiable]
    public static void Layer(ReadOnlySpan<double> w, ReadOnlySpan<double> input, Span<double> output)
    {
        for (int o = 0; o < output.Length; o++)
        {
            double z = 0;
            for (int i = 0; i < input.Length; i++) z += w[o * input.Length + i] * input[i];
            output[o] = Math.Tanh(z);
        }
    }

    [Differentiable]
    public static void Twice(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, Span<double> y)
    {
        Span<double> h = stackalloc double[2];
        Layer(w, x, h);
        Layer(w, h, y);
    }


    // Names that clash: the caller's m, o and z live across the call; the callee's parameter b gets a scalar argument.
    [Differentiable]
    public static void Scale(ReadOnlySpan<double> v, double b, Span<double> output)
    {
        for (int o = 0; o < output.Length; o++)
        {
            double z = b * v[o];
            output[o] = z * z;
        }
    }

    [Differentiable]
    public static double Clash(ReadOnlySpan<double> v, double c)
    {
        double z = c * 2;
        int o = 7;
        Span<double> m = stackalloc double[3];
        Scale(v, z + 1, m);
        return m[0] + m[1] * m[2] + z * o;
    }
}";

        private const string CutSource = @"
using System;
using SymDiff;
public static partial class V
{
    [Differentiable]
    public static void Dense(ReadOnlySpan<double> w, ReadOnlySpan<double> b, [NoGrad] ReadOnlySpan<double> input, Span<double> output)
    {
        for (int o = 0; o < output.Length; o++)
        {
            double z = b[o];
            for (int i = 0; i < input.Length; i++) z += w[o * input.Length + i] * input[i];
            output[o] = Math.Tanh(z);
        }
    }

    // Dense does not differentiate its input: the second call cuts the gradient through h (SD1005 says so).
    [Differentiable]
    public static void Chained(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, Span<double> y)
    {
        Span<double> zero = stackalloc double[2];
        Span<double> h = stackalloc double[2];
        Dense(w, zero, x, h);
        Dense(w, zero, h, y);
    }

    // A parameter the callee does not differentiate cuts the gradient, as a call would (API.md 7).
    [Differentiable]
    public static void Shift(ReadOnlySpan<double> v, [NoGrad] double k, Span<double> output)
    {
        for (int o = 0; o < output.Length; o++) output[o] = v[o] * k;
    }

    [Differentiable]
    public static double Cut(ReadOnlySpan<double> v, double c)
    {
        Span<double> m = stackalloc double[2];
        Shift(v, c * c, m);
        return m[0] + m[1] + c;
    }
}";

        [Fact]
        public void A_network_over_a_batch_through_a_layer_function_matches_finite_differences()
        {
            double[] r = GeneratedCode.RunDriver(Source, @"
        var rng = new Random(3);
        const int n = 5, d = 3;
        double[] x = new double[n * d], y = new double[n], p = new double[21];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextDouble() * 2 - 1;
        for (int i = 0; i < n; i++) y[i] = Math.Sin(x[i * d]) + 0.5 * x[i * d + 1];
        for (int i = 0; i < p.Length; i++) p[i] = rng.NextDouble() - 0.5;
        var g = new double[21];
        double v = V.LossGradient(p, x, y, g);
        var b = new double[21];
        V.LossBackward(p, x, y, 2.0, b);
        var dir = new double[21];
        for (int i = 0; i < 21; i++) dir[i] = Math.Cos(i);
        V.LossDerivative(p, x, y, dir, out double jvp);
        var hv = new double[21];
        V.LossHessianVectorProduct(p, x, y, dir, hv);
        var result = new double[2 + 21 * 5 + 1];
        result[0] = v; result[1] = V.Loss(p, x, y); result[2] = jvp;
        for (int i = 0; i < 21; i++)
        {
            double e = 1e-6;
            var up = (double[])p.Clone(); var down = (double[])p.Clone();
            up[i] += e; down[i] -= e;
            result[3 + i] = g[i];
            result[24 + i] = (V.Loss(up, x, y) - V.Loss(down, x, y)) / (up[i] - down[i]);
            result[45 + i] = b[i];
            result[66 + i] = hv[i];
            result[87 + i] = dir[i];
        }
        // Hessian-vector product by central differences of the gradient along dir.
        var gu = new double[21]; var gd = new double[21];
        var pu = (double[])p.Clone(); var pd = (double[])p.Clone();
        for (int i = 0; i < 21; i++) { pu[i] += 1e-5 * dir[i]; pd[i] -= 1e-5 * dir[i]; }
        V.LossGradient(pu, x, y, gu); V.LossGradient(pd, x, y, gd);
        var fdHv = new double[21];
        for (int i = 0; i < 21; i++) fdHv[i] = (gu[i] - gd[i]) / 2e-5;
        var all = new double[108 + 21];
        Array.Copy(result, all, 108);
        Array.Copy(fdHv, 0, all, 108, 21);
        return all;");
            Assert.Equal(r[1], r[0]); // the value, bit for bit
            double directional = 0;
            for (int i = 0; i < 21; i++)
            {
                FiniteDifferences.AssertClose(r[24 + i], r[3 + i], 1e-6, 1e-9, $"dLoss/dp[{i}]");
                Assert.Equal(2.0 * r[3 + i], r[45 + i], 14);
                FiniteDifferences.AssertClose(r[108 + i], r[66 + i], 1e-5, 1e-7, $"(H dir)[{i}]");
                directional += r[3 + i] * r[87 + i];
            }

            Assert.Equal(directional, r[2], 13);
        }

        /// <summary>
        /// A layer that writes its outputs one store each (<c>y[0] = ...; y[1] = ...;</c>), called in the sample loop into
        /// a buffer declared once before it, whose output a scalar helper then reads whole: the buffer is refilled by
        /// constant stores each sample (SD1000 before 2026-12-04; the fuzzer's layer calls found it).
        /// </summary>
        private const string UnrolledSource = @"
using System;
using SymDiff;
public static partial class U
{
    [Differentiable]
    public static void Pair(double a, ReadOnlySpan<double> w, Span<double> y)
    {
        double z = a * w[0] + w[1];
        y[0] = Math.Tanh(z);
        y[1] = Math.Sin(z * w[2]);
    }

    [Differentiable]
    public static double Score(double c, ReadOnlySpan<double> h) => c * h[0] * h[1] + h[1] * h[1];

    [Differentiable]
    public static void Dense(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int j = 0; j < y.Length; j++)
        {
            y[j] = Math.Tanh(w[j] * x[j] + w[y.Length + j]);
        }
    }

    // Two layers' outputs concatenated into one buffer, each call writing its half.
    [Differentiable]
    public static double Towers(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> z = stackalloc double[4];
        Dense(w.Slice(0, 4), x, z.Slice(0, 2));
        Dense(w.Slice(4, 4), x, z.Slice(2, 2));
        return Score(w[8], z) + z[2] * z[3];
    }

    // The same concatenation refilled for each sample into a buffer declared once before the loop, with a carried value.
    [Differentiable]
    public static double TowersBatch(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> z = stackalloc double[4];
        double loss = 0, carry = 0.1;
        for (int s = 0; s + 1 < x.Length; s++)
        {
            Dense(w.Slice(0, 4), x.Slice(s, 2), z.Slice(0, 2));
            Dense(w.Slice(4, 4), x.Slice(s, 2), z.Slice(2, 2));
            double v = Score(w[8] + carry, z);
            carry = Math.Sin(v);
            loss += v * v;
        }

        return loss;
    }

    [Differentiable]
    public static double Loss(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[2];
        double loss = 0, carry = 0.25;
        for (int s = 0; s < x.Length; s++)
        {
            Pair(x[s] + carry, w, h);
            double v = Score(w[3], h);
            carry = Math.Sin(v);
            loss += v * v;
        }

        return loss;
    }
}";

        [Fact]
        public void Two_layers_into_the_halves_of_one_buffer_match_central_differences()
        {
            ModelChecks.GradientBackwardAndDerivative(UnrolledSource, "U", "Towers", "new double[] { 0.4, -0.7, 1.3, 0.6, -0.2, 0.5, 0.8, -1.1, 0.7 }", "new double[] { 1.5, -0.5 }");
        }

        [Fact]
        public void Two_layers_into_the_halves_of_a_buffer_declared_before_the_sample_loop_match_central_differences()
        {
            ModelChecks.GradientBackwardAndDerivative(UnrolledSource, "U", "TowersBatch", "new double[] { 0.4, -0.7, 1.3, 0.6, -0.2, 0.5, 0.8, -1.1, 0.7 }", "new double[] { 1.5, -0.5, 0.25, 2.0 }");
        }

        [Fact]
        public void A_layer_with_one_store_per_output_refilled_in_a_sample_loop_matches_central_differences()
        {
            ModelChecks.GradientBackwardAndDerivative(UnrolledSource, "U", "Loss", "new double[] { 0.4, -0.7, 1.3, 0.6 }", "new double[] { 1.5, 0.5, -2.0, 0.25 }");
        }

        /// <summary>
        /// A layer that writes this method's own output, which the method then reads back and normalises: the inlined
        /// stores count as writes of the output (it was SD1008, "o[1] is read before it is written"; found by the fuzzer).
        /// </summary>
        private const string IntoOutputSource = @"
using System;
using SymDiff;
public static partial class N
{
    [Differentiable]
    public static void Pair(ReadOnlySpan<double> w, double a, Span<double> y)
    {
        y[0] = Math.Tanh(w[0] * a + w[1]);
        y[1] = Math.Sin(w[2] * a);
    }

    [Differentiable]
    public static void Unit(ReadOnlySpan<double> w, [NoGrad] double a, Span<double> o)
    {
        Pair(w, a, o);
        double norm = Math.Sqrt(o[0] * o[0] + o[1] * o[1] + 0.25);
        o[0] /= norm;
        o[1] = o[1] / norm + o[0];
    }
}";

        [Fact]
        public void A_layer_into_this_methods_output_read_back_has_the_Jacobian_of_finite_differences()
        {
            AssertJacobianMatchesFiniteDifferences(IntoOutputSource, "N.Unit", "double[] w = { 0.3, -0.7, 0.5 };", ", 1.25", outputs: 2);
        }

        /// <summary>
        /// Layers held as sub-models (API.md 7: "an instance method may call a differentiable method on another instance";
        /// PyTorch's <c>self.fc1(x)</c>): a field, a property and a parameter, whose fields the inlined body reads and whose
        /// own [Differentiable] instance method it calls, each through the object the layer was called on.
        /// </summary>
        private const string SubModelSource = @"
using System;
using SymDiff;
public sealed partial class Dense
{
    public double Scale = 1.0;
    internal double Offset { get; set; } = 0.25;

    [Differentiable]
    public double Bias(double a) => a * Offset;

    [Differentiable]
    public void Forward(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int j = 0; j < y.Length; j++)
        {
            y[j] = Math.Tanh(Scale * w[j] * x[j]) + this.Bias(w[j]);
        }
    }
}

public sealed partial class Net
{
    private readonly Dense fc1 = new Dense { Scale = 2.0, Offset = -0.5 };
    internal Dense Fc2 { get; } = new Dense { Scale = 0.5 };
    internal static readonly Dense Shared = new Dense { Scale = -1.5, Offset = 1.0 };

    [Differentiable]
    public double Loss(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, Dense extra)
    {
        Span<double> h = stackalloc double[2];
        fc1.Forward(w.Slice(0, 2), x, h);
        Span<double> z = stackalloc double[2];
        Fc2.Forward(w.Slice(2, 2), h, z);
        Span<double> u = stackalloc double[2];
        Shared.Forward(w.Slice(4, 2), z, u);
        Span<double> v = stackalloc double[2];
        extra.Forward(w.Slice(6, 2), u, v);
        return v[0] * v[0] + v[1];
    }
}";

        [Fact]
        public void Layers_held_as_sub_models_read_their_own_fields_and_match_central_differences()
        {
            double[] r = GeneratedCode.RunDriver(SubModelSource, @"
        var net = new Net();
        var extra = new Dense { Scale = 0.75, Offset = 2.0 };
        double[] w = { 0.3, -0.7, 0.5, 0.9, -0.4, 0.6, 1.1, -0.2 };
        double[] x = { 1.5, -0.5 };
        var g = new double[8];
        double value = net.LossGradient(w, x, extra, g);
        net.LossDerivative(w, x, extra, new double[] { 1, 0, 0, 0, 0, 0, 0, 0 }, out double d0);
        var all = new double[2 + 16 + 1];
        all[0] = value; all[1] = net.Loss(w, x, extra); all[18] = d0;
        for (int c = 0; c < 8; c++)
        {
            var up = (double[])w.Clone(); var down = (double[])w.Clone();
            up[c] += 1e-6; down[c] -= 1e-6;
            all[2 + c] = g[c];
            all[10 + c] = (net.Loss(up, x, extra) - net.Loss(down, x, extra)) / (up[c] - down[c]);
        }
        return all;");
            Assert.Equal(r[1], r[0]);
            for (int c = 0; c < 8; c++)
            {
                FiniteDifferences.AssertClose(r[10 + c], r[2 + c], 1e-7, 1e-10, $"dLoss/dw[{c}]");
            }

            Assert.Equal(r[2], r[18], 14);
        }

        /// <summary>
        /// The same sub-models as structs (API.md 7: "structs ... are all fine"): a readonly field, a property, a static
        /// field and a parameter, each called for a layer and for a scalar method. A trial program of a user's found the
        /// struct field rejected as SD1000 ("a value of type 'Spring' is not supported") while a class worked.
        /// </summary>
        private const string StructSubModelSource = @"
using System;
using SymDiff;
public partial struct DenseS
{
    public double Scale;
    public double Offset;

    public DenseS(double scale, double offset) { Scale = scale; Offset = offset; }

    [Differentiable]
    public double Energy(double a) => 0.5 * Scale * a * a + Offset * a;

    [Differentiable]
    public void Forward(ReadOnlySpan<double> w, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int j = 0; j < y.Length; j++)
        {
            y[j] = Math.Tanh(Scale * w[j] * x[j]) + Offset * w[j];
        }
    }
}

public sealed partial class NetS
{
    private readonly DenseS fc1 = new DenseS(2.0, -0.5);
    internal DenseS Fc2 { get; } = new DenseS(0.5, 0.25);
    internal static DenseS Shared = new DenseS(-1.5, 1.0);

    [Differentiable]
    public double Loss(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, DenseS extra)
    {
        Span<double> h = stackalloc double[2];
        fc1.Forward(w.Slice(0, 2), x, h);
        Span<double> z = stackalloc double[2];
        Fc2.Forward(w.Slice(2, 2), h, z);
        Span<double> u = stackalloc double[2];
        Shared.Forward(w.Slice(4, 2), z, u);
        Span<double> v = stackalloc double[2];
        extra.Forward(w.Slice(6, 2), u, v);
        return v[0] * v[0] + v[1] + fc1.Energy(w[0] * v[1]) + Fc2.Energy(w[3]) + Shared.Energy(v[0]) + extra.Energy(w[7]);
    }
}";

        [Fact]
        public void Struct_sub_models_in_fields_properties_and_parameters_match_central_differences()
        {
            var output = GeneratorRunner.Run(StructSubModelSource);
            GeneratorRunner.AssertCleanCompile(output);
            double[] r = GeneratedCode.RunDriver(StructSubModelSource, @"
        var net = new NetS();
        var extra = new DenseS(0.75, 2.0);
        double[] w = { 0.3, -0.7, 0.5, 0.9, -0.4, 0.6, 1.1, -0.2 };
        double[] x = { 1.5, -0.5 };
        var g = new double[8];
        double value = net.LossGradient(w, x, extra, g);
        var b = new double[8];
        for (int c = 0; c < 8; c++) b[c] = 5;
        net.LossBackward(w, x, extra, 2.0, b);
        var all = new double[2 + 24];
        all[0] = value; all[1] = net.Loss(w, x, extra);
        for (int c = 0; c < 8; c++)
        {
            var up = (double[])w.Clone(); var down = (double[])w.Clone();
            up[c] += 1e-6; down[c] -= 1e-6;
            all[2 + c] = g[c];
            all[10 + c] = (net.Loss(up, x, extra) - net.Loss(down, x, extra)) / (up[c] - down[c]);
            var t = new double[8]; t[c] = 1;
            net.LossDerivative(w, x, extra, t, out all[18 + c]);
            all[18 + c] -= (b[c] - 5) / 2;
        }
        return all;");
            Assert.Equal(r[1], r[0]);
            for (int c = 0; c < 8; c++)
            {
                FiniteDifferences.AssertClose(r[10 + c], r[2 + c], 1e-7, 1e-10, $"dLoss/dw[{c}]");
                Assert.True(Math.Abs(r[18 + c]) <= 1e-12 * (1 + Math.Abs(r[2 + c])), $"Derivative along e{c} minus Backward(seed 2) / 2: {r[18 + c]}");
            }
        }

        /// <summary>
        /// Members of nullable reference type the user dereferences with <c>!</c> (a sub-model, a layer, constant data): the
        /// generated files are <c>#nullable enable</c>, and a trial program's <c>Child!.H(x)</c> was printed without its
        /// <c>!</c> (CS8602, an error under TreatWarningsAsErrors).
        /// </summary>
        [Fact]
        public void Members_of_nullable_type_keep_the_users_null_forgiving_operator()
        {
            const string source = @"
using System;
using SymDiff;
public partial class Node
{
    public Node? Child { get; set; }
    private double[]? table = { 1.5, 2.5 };
    private Node? layer;
    public static Node? Shared;

    public Node(bool leaf) { if (!leaf) { Child = new Node(true); layer = new Node(true); } }

    [Differentiable]
    public double H(double x) => x * x;

    [Differentiable]
    public void Layer(ReadOnlySpan<double> w, Span<double> y) { for (int i = 0; i < y.Length; i++) y[i] = w[i] * 2; }

    [Differentiable]
    public double Uses(ReadOnlySpan<double> w)
    {
        Span<double> y = stackalloc double[2];
        layer!.Layer(w, y);
        return Child!.H(w[0]) * table![1] + y[1] * table!.Length + Shared!.H(w[1]);
    }
}";
            var output = GeneratorRunner.Run(source);
            GeneratorRunner.AssertCleanCompile(output);
            // Uses = 2.5 w0^2 + 2 w1 * 2 + w1^2: gradient (5 w0, 4 + 2 w1).
            double[] r = GeneratedCode.RunDriver(source, @"
        Node.Shared = new Node(true);
        var g = new double[2];
        double v = new Node(false).UsesGradient(new[] { 0.5, -1.5 }, g);
        return new[] { v, g[0], g[1] };");
            Assert.Equal((2.5 * 0.25) + (4 * -1.5) + 2.25, r[0], 14);
            Assert.Equal(2.5, r[1], 14);
            Assert.Equal(4 - 3.0, r[2], 14);
        }

        [Theory]
        [InlineData("private double scale = 2.0;", "public void Forward(ReadOnlySpan<double> w, Span<double> y) { y[0] = scale * w[0]; }", "Layer.Forward(w, h)", "scale")]
        [InlineData("private static double factor = 2.0;", "public static void Forward(ReadOnlySpan<double> w, Span<double> y) { y[0] = factor * w[0]; }", "Dense.Forward(w, h)", "factor")]
        [InlineData("[Differentiable] private double Twice(double a) => 2 * a;", "public void Forward(ReadOnlySpan<double> w, Span<double> y) { y[0] = Twice(w[0]); }", "Layer.Forward(w, h)", "Twice")]
        public void A_layer_whose_body_uses_a_member_the_caller_cannot_access_is_SD1000_at_the_call(string member, string layer, string call, string name)
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public sealed partial class Dense
{
    " + member + @"

    [Differentiable]
    " + layer + @"
}

public sealed partial class Net
{
    internal Dense Layer { get; } = new Dense();

    [Differentiable]
    public double Loss(ReadOnlySpan<double> w)
    {
        Span<double> h = stackalloc double[1];
        " + call + @";
        return h[0];
    }
}");
            Assert.Null(output.Result.Exception);
            var d = Assert.Single(output.GeneratorDiagnostics, e => e.Severity == DiagnosticSeverity.Error);
            Assert.Equal("SD1000", d.Id);
            string message = d.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains($"uses '{name}', which 'Net' cannot access", message, StringComparison.Ordinal);
            Assert.Equal(call, d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
        }

        [Fact]
        public void A_layer_into_a_layer_into_the_output_has_the_Jacobian_of_finite_differences()
        {
            // Twice = tanh(W tanh(W x)) with W 2 x 2, the gradient through both layers.
            AssertJacobianMatchesFiniteDifferences(Source, "V.Twice", "double[] w = { 0.3, -0.7, 0.5, 0.9 };\n        double[] x = { 1.5, -0.5 };", ", x", outputs: 2);
        }

        /// <summary>
        /// <paramref name="method"/>'s Jacobian with respect to its first argument <c>w</c> (declared by <paramref name="setup"/>,
        /// the other arguments <paramref name="rest"/>) against central differences of the method itself, column by
        /// column; the outputs the Jacobian method writes are the method's own, bit for bit.
        /// </summary>
        private static void AssertJacobianMatchesFiniteDifferences(string source, string method, string setup, string rest, int outputs)
        {
            string m = outputs.ToString(System.Globalization.CultureInfo.InvariantCulture);
            double[] r = GeneratedCode.RunDriver(source, setup + @"
        int n = w.Length, m = " + m + @";
        var y = new double[m];
        var jac = new double[m * n];
        " + method + "Jacobian(w" + rest + @", y, jac);
        var all = new double[2 * m * n + 2 * m];
        jac.CopyTo(all, 0);
        for (int c = 0; c < n; c++)
        {
            var up = (double[])w.Clone(); var down = (double[])w.Clone();
            up[c] += 1e-6; down[c] -= 1e-6;
            var yu = new double[m]; var yd = new double[m];
            " + method + "(up" + rest + ", yu); " + method + "(down" + rest + @", yd);
            for (int k = 0; k < m; k++) all[m * n + k * n + c] = (yu[k] - yd[k]) / (up[c] - down[c]);
        }
        var own = new double[m];
        " + method + "(w" + rest + @", own);
        y.CopyTo(all, 2 * m * n); own.CopyTo(all, 2 * m * n + m);
        return all;");
            int count = (r.Length - (2 * outputs)) / 2;
            for (int k = 0; k < count; k++)
            {
                FiniteDifferences.AssertClose(r[count + k], r[k], 1e-7, 1e-10, $"J[{k / (count / outputs)}, {k % (count / outputs)}]");
            }

            for (int k = 0; k < outputs; k++)
            {
                Assert.Equal(r[(2 * count) + outputs + k], r[(2 * count) + k]);
            }
        }

        [Fact]
        public void A_layer_that_does_not_differentiate_its_input_cuts_the_gradient_and_says_so()
        {
            var output = GeneratorRunner.Run(CutSource);
            var cut = Assert.Single(output.GeneratorDiagnostics, d => d.Id == "SD1005" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("'input'", StringComparison.Ordinal));
            string message = cut.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Contains("'input' of 'Dense'", message, StringComparison.Ordinal);
            Assert.Equal("h", cut.Location.SourceTree!.GetText().ToString(cut.Location.SourceSpan));
            Assert.Contains("Dense(w, zero, h, y)", cut.Location.SourceTree!.GetText().Lines[cut.Location.GetLineSpan().StartLinePosition.Line].ToString(), StringComparison.Ordinal);

            // y = tanh(W detach(tanh(W x))): only the outer layer's W gets a gradient, dy_k/dW[k, i] = (1 - y_k^2) h_i.
            double[] r = GeneratedCode.RunDriverWithWarnings(CutSource, @"
        double[] w = { 0.3, -0.7, 0.5, 0.9 };
        double[] x = { 1.5, -0.5 };
        var y = new double[2];
        var jac = new double[8];
        V.ChainedJacobian(w, x, y, jac);
        var h = new double[2];
        V.Dense(w, new double[2], x, h);
        var all = new double[12];
        jac.CopyTo(all, 0); y.CopyTo(all, 8); h.CopyTo(all, 10);
        return all;", "SD1005");
            for (int k = 0; k < 2; k++)
            {
                for (int c = 0; c < 4; c++)
                {
                    double want = c / 2 == k ? (1 - (r[8 + k] * r[8 + k])) * r[10 + (c % 2)] : 0.0;
                    Assert.Equal(want, r[(k * 4) + c], 14);
                }
            }
        }

        [Fact]
        public void An_instance_layer_called_on_this_object_reads_this_objects_fields()
        {
            // y = Scale * tanh(W x) per output, the second layer on this object: dLoss/dw[k] = Scale (1 - t^2) x[k % 2].
            double[] r = GeneratedCode.RunDriver(@"
using System;
using SymDiff;
public partial record Net(double Scale)
{
    [Differentiable]
    public void Layer(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x, Span<double> y)
    {
        for (int o = 0; o < y.Length; o++) y[o] = Scale * Math.Tanh(w[2 * o] * x[0] + w[2 * o + 1] * x[1]);
    }

    [Differentiable]
    public double Loss(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> x)
    {
        Span<double> h = stackalloc double[2];
        this.Layer(w, x, h);
        return h[0] + h[1];
    }
}", @"
        var net = new Net(3.0);
        double[] w = { 0.2, -0.4, 0.6, 0.1 };
        double[] x = { 0.5, -1.5 };
        var g = new double[4];
        double v = net.LossGradient(w, x, g);
        return new[] { v, net.Loss(w, x), g[0], g[1], g[2], g[3] };");
            Assert.Equal(r[1], r[0]);
            double[] w = { 0.2, -0.4, 0.6, 0.1 };
            double[] x = { 0.5, -1.5 };
            for (int k = 0; k < 4; k++)
            {
                double t = Math.Tanh((w[2 * (k / 2)] * x[0]) + (w[(2 * (k / 2)) + 1] * x[1]));
                Assert.Equal(3.0 * (1 - (t * t)) * x[k % 2], r[2 + k], 14);
            }
        }

        [Fact]
        public void Names_the_caller_uses_are_not_the_callees()
        {
            // With k = 2c + 1 and m_i = (k v_i)^2, Clash = m_0 + m_1 m_2 + 14 c (the caller's o is 7): the value and the
            // derivatives below are that closed form written out.
            double[] r = GeneratedCode.RunDriver(Source, @"
        double[] v = { 0.5, -1.5, 2.0 };
        var dv = new double[3];
        double value = V.ClashGradient(v, 0.25, dv, out double dc);
        return new[] { value, V.Clash(v, 0.25), dc, dv[0], dv[1], dv[2] };");
            double c = 0.25, k = (2 * c) + 1;
            double[] v = { 0.5, -1.5, 2.0 };
            double m0 = k * k * v[0] * v[0], m1 = k * k * v[1] * v[1], m2 = k * k * v[2] * v[2];
            Assert.Equal(r[1], r[0]);
            Assert.Equal(m0 + (m1 * m2) + (14 * c), r[0], 12);
            // d/dc: dm_i/dc = 2 k v_i^2 * 2; m1 m2 = k^4 v1^2 v2^2, d/dc = 4 k^3 v1^2 v2^2 * 2.
            double dm = (4 * k * v[0] * v[0]) + (8 * k * k * k * v[1] * v[1] * v[2] * v[2]) + 14;
            Assert.Equal(dm, r[2], 11);
            Assert.Equal(2 * k * k * v[0], r[3], 12);
            Assert.Equal(2 * k * k * v[1] * m2, r[4], 11);
            Assert.Equal(m1 * 2 * k * k * v[2], r[5], 11);
        }

        [Fact]
        public void A_parameter_the_callee_does_not_differentiate_is_cut()
        {
            // Cut = (v0 + v1) c^2 + c, but Shift's k is [NoGrad]: the c^2 path is cut, so dCut/dc = 1 and dCut/dv = c^2.
            double[] r = GeneratedCode.RunDriverWithWarnings(CutSource, @"
        double[] v = { 0.5, -1.5 };
        var dv = new double[2];
        V.CutGradient(v, 3.0, dv, out double dc);
        V.CutDerivative(v, 3.0, new double[] { 0.0, 0.0 }, 1.0, out double tc);
        return new[] { dc, dv[0], dv[1], tc };", "SD1005");
            Assert.Equal(1.0, r[0]);
            Assert.Equal(9.0, r[1]);
            Assert.Equal(9.0, r[2]);
            Assert.Equal(1.0, r[3]);
        }

        [Fact]
        public void Inlined_vector_functions_agree_with_their_own_generated_methods()
        {
            // A differential check of the inliner: VectorFunctionTests' functions (one reads its output back and rewrites
            // it) called from wrappers, whose generated methods must agree with the callees' own Backward and Jacobian.
            string source = Vector.VectorFunctionTests.Source.Replace("}\";", "", StringComparison.Ordinal).TrimEnd().TrimEnd('}') + @"
    [Differentiable]
    public static double WPair(double w, double x)
    {
        Span<double> y = stackalloc double[2];
        Pair(w, x, y);
        return 1.0 * y[0] + 2.0 * y[1];
    }

    // Normalize reads its output back and rewrites it: fine into the caller's own output (into a local buffer the
    // buffer rules say SD1000, as for the same loops written in place).
    [Differentiable]
    public static void WNormalize(ReadOnlySpan<double> v, Span<double> y) => Normalize(v, y);

    [Differentiable]
    public static void WMix(double a, ReadOnlySpan<double> b, Span<double> y) => Mix(a, b, y);
}";
            double[] r = GeneratedCode.RunDriver(source, @"
        var result = new double[32];
        // Pair at (1, 2), seed (1, 2): PyTorch's 9 for w, and dx.
        V.WPairGradient(1.0, 2.0, out double gw, out double gx);
        double bw = 0, bx = 0;
        V.PairBackward(1.0, 2.0, new double[2], new double[] { 1.0, 2.0 }, ref bw, ref bx);
        result[0] = gw; result[1] = gx; result[2] = bw; result[3] = bx;
        // Normalize at v, seed (0.5, -1, 3).
        double[] v = { 0.7, -1.2, 2.0 };
        var gv = new double[3];
        var wy = new double[3];
        V.WNormalizeBackward(v, wy, new double[] { 0.5, -1.0, 3.0 }, gv);
        var bv = new double[3];
        var y = new double[3];
        V.NormalizeBackward(v, y, new double[] { 0.5, -1.0, 3.0 }, bv);
        for (int i = 0; i < 3; i++) { result[4 + i] = gv[i]; result[7 + i] = bv[i]; }
        result[10] = wy[0] + wy[1] + wy[2]; result[11] = y[0] + y[1] + y[2];
        var wd = new double[3]; var d = new double[3];
        V.WNormalizeDerivative(v, new double[3], new double[] { 1.0, 0.5, -0.25 }, wd);
        V.NormalizeDerivative(v, new double[3], new double[] { 1.0, 0.5, -0.25 }, d);
        result[12] = Math.Abs(wd[0] - d[0]) + Math.Abs(wd[1] - d[1]) + Math.Abs(wd[2] - d[2]); result[13] = 0.0;
        result[28] = Math.Abs(d[0]) + Math.Abs(d[1]) + Math.Abs(d[2]);
        // Mix: the wrapper's Jacobian against Mix's own.
        double[] b = { 0.3, -0.8, 1.1 };
        var j1 = new double[12]; var j2 = new double[12];
        V.WMixJacobian(0.6, b, new double[3], j1);
        V.MixJacobian(0.6, b, new double[3], j2);
        for (int k = 0; k < 12; k++) { result[14 + k] = j1[k] - j2[k]; }
        result[26] = j1[0]; result[27] = j1[4];
        return result;");
            Assert.Equal(9.0, r[0]);
            Assert.Equal(r[2], r[0]);
            Assert.Equal(r[3], r[1]);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(r[7 + i], r[4 + i], 14);
            }

            Assert.Equal(r[11], r[10]);
            Assert.Equal(0.0, r[12], 13);
            Assert.True(r[28] > 0.1);                              // a non-trivial direction
            for (int k = 0; k < 12; k++)
            {
                Assert.Equal(0.0, r[14 + k], 14);
            }

            Assert.Equal(0.3, r[26], 14);                        // dy0/da = b0
            Assert.Equal(Math.Exp(0.6 * 1.1) * 1.1, r[27], 13);  // dy1/da = b2 e^(a b2)
        }

        [Fact]
        public void A_softmax_layer_into_a_local_buffer_then_cross_entropy_has_the_closed_form_gradient()
        {
            // The usual classifier head: Softmax(z, p) writes, reads back and normalises p in place (a local buffer of the
            // caller here), then -log p[label]. dL/dz_i = p_i - [i == label], and Hessian-free forward mode agrees.
            double[] r = GeneratedCode.RunDriver(@"
using System;
using SymDiff;
public static partial class C
{
    [Differentiable]
    public static void Softmax(ReadOnlySpan<double> z, Span<double> p)
    {
        double max = z[0];
        for (int i = 1; i < z.Length; i++) max = Math.Max(max, z[i]);
        double sum = 0;
        for (int i = 0; i < z.Length; i++)
        {
            p[i] = Math.Exp(z[i] - max);
            sum += p[i];
        }

        for (int i = 0; i < z.Length; i++) p[i] /= sum;
    }

    [Differentiable]
    public static double CrossEntropy(ReadOnlySpan<double> z, [NoGrad] int label)
    {
        Span<double> p = stackalloc double[z.Length];
        Softmax(z, p);
        return -Math.Log(p[label]);
    }
}", @"
        double[] z = { 0.5, -1.0, 2.0, 0.25 };
        var g = new double[4];
        double v = C.CrossEntropyGradient(z, 1, g);
        C.CrossEntropyDerivative(z, 1, new double[] { 1.0, -2.0, 0.5, 0.0 }, out double d);
        return new[] { v, C.CrossEntropy(z, 1), g[0], g[1], g[2], g[3], d };");
            double[] z = { 0.5, -1.0, 2.0, 0.25 };
            double s = z.Sum(Math.Exp);
            Assert.Equal(r[1], r[0]);
            Assert.Equal(-Math.Log(Math.Exp(z[1]) / s), r[0], 13);
            double[] t = { 1.0, -2.0, 0.5, 0.0 };
            double directional = 0;
            for (int i = 0; i < 4; i++)
            {
                double want = (Math.Exp(z[i]) / s) - (i == 1 ? 1 : 0);
                Assert.Equal(want, r[2 + i], 14);
                directional += want * t[i];
            }

            Assert.Equal(directional, r[6], 13);
        }

        [Fact]
        public void Snapshot_of_calls_of_vector_functions()
        {
            var output = GeneratorRunner.Run(Source);
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output);
        }

        [Theory]
        [InlineData("public void Layer(ReadOnlySpan<double> w, Span<double> y) { y[0] = w[0] * Bias; }\n    public double Bias = 1;\n    public static B Make() => new B();", "Make().Layer(w, h);", "on 'Make()'", "Make().Layer(w, h)")]
        [InlineData("public static void Layer(ReadOnlySpan<double> w, Span<double> y) { if (w.Length == 0) throw new ArgumentException(\"empty\"); y[0] = w[0]; }", "Layer(w, h);", "argument checks", "Layer(w, h)")]
        [InlineData("public static void Layer(ReadOnlySpan<double> w, Span<double> y) { y[0] = w[0]; if (w[0] > 0) return; y[0] = 2 * w[0]; }", "Layer(w, h);", "a return statement", "Layer(w, h)")]
        [InlineData("public static void Layer(ReadOnlySpan<double> w, Span<double> y) { Span<double> t = stackalloc double[1]; Layer(w, t); y[0] = t[0]; }", "Layer(w, h);", "recursively", "Layer(w, t)")]
        [InlineData("public static void Layer(ReadOnlySpan<double> w, Span<double> y) { y[0] = w[0]; }", "Layer(w, new double[1]);", "for its output", "new double[1]")]
        public void What_cannot_be_inlined_is_SD1000_at_the_call(string callee, string call, string reason, string at)
        {
            var output = GeneratorRunner.Run(@"
using System;
using SymDiff;
public partial class B
{
    [Differentiable]
    " + callee + @"

    [Differentiable]
    public double F(ReadOnlySpan<double> w)
    {
        Span<double> h = stackalloc double[1];
        " + call + @"
        return h[0];
    }
}");
            Assert.Null(output.Result.Exception);
            var errors = output.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error && d.Id == "SD1000").ToList();
            var d = Assert.Single(errors, e => e.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains(reason, StringComparison.Ordinal));
            Assert.Contains("'Layer'", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            Assert.Equal(at, d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan));
        }
    }
}

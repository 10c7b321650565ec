using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Vectorization;
using Xunit;
using static SymDiff.Generator.Tests.Passes.PassHarness;

namespace SymDiff.Generator.Tests.Vectorize
{
    /// <summary>
    /// <c>Vectorize = true</c>, fifth slice: a reverse sweep's loop over hidden units whose elementwise statements (the
    /// output layer's weight gradients, the unit's adjoint, its activation's derivative, the bias gradient) stand around a
    /// statement that holds the inner loop (the axpy into the unit's input weights) is split a chunk of 64 units at a time
    /// (<c>LoopFission.SplitParts</c>): the elementwise parts in lanes, parking the values the other parts read in stack
    /// buffers, then the inner part. Checked on a network unlike W6 (a sigmoid hidden layer, two outputs, squared error)
    /// against the default path for hidden sizes that reach every chunk boundary and lane remainder, against central
    /// differences, and on hand-built IR for the cases the rule must refuse. Also: a constant trip count below one vector
    /// stays scalar, and one below the unrolled body gets none.
    /// </summary>
    public class VectorizeReverseSplitTests
    {
        private const double Eps = 1.1102230246251565E-16; // 2^-53

        private const string Body = @"
    {
        int w2 = hidden * inputs;
        int b2 = w2 + (2 * hidden);
        int batch = y.Length / 2;
        Span<double> h = stackalloc double[hidden];
        double loss = 0;
        for (int s = 0; s < batch; s++)
        {
            for (int j = 0; j < hidden; j++)
            {
                double a = 0;
                for (int k = 0; k < inputs; k++)
                {
                    a += p[(j * inputs) + k] * x[(s * inputs) + k];
                }

                h[j] = 1.0 / (1.0 + Math.Exp(-a));
            }

            double o0 = p[b2], o1 = p[b2 + 1];
            for (int j = 0; j < hidden; j++)
            {
                o0 += p[w2 + j] * h[j];
                o1 += p[w2 + hidden + j] * h[j];
            }

            double e0 = o0 - y[2 * s], e1 = o1 - y[(2 * s) + 1];
            loss += (e0 * e0) + (0.5 * e1 * e1);
        }

        return loss;
    }";

        public const string Source = @"
using System;
using SymDiff;
public static partial class N
{
    [Differentiable]
    public static double Net(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y, int inputs, int hidden)" + Body + @"

    [Differentiable(Vectorize = true)]
    public static double NetV(ReadOnlySpan<double> p, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y, int inputs, int hidden)" + Body + @"
}";

        private static readonly int[] Inputs = { 0, 1, 3, 4, 5, 9 };
        private static readonly int[] Hidden = { 0, 1, 3, 4, 5, 8, 17, 63, 64, 65, 130 };

        [Fact]
        public void The_split_reverse_loop_agrees_with_the_scalar_path_at_every_chunk_boundary()
        {
            var results = GeneratedCode.RunDriver(Source, @"
        var outList = new System.Collections.Generic.List<double>();
        foreach (int inputs in new[] { " + string.Join(", ", Inputs) + @" })
        foreach (int hidden in new[] { " + string.Join(", ", Hidden) + @" })
        foreach (int batch in new[] { 0, 1, 3 })
        {
            var p = new double[(hidden * inputs) + (2 * hidden) + 2];
            for (int i = 0; i < p.Length; i++) { p[i] = 0.2 * System.Math.Cos((0.7 * i) + 0.3); }
            var x = new double[batch * inputs];
            for (int i = 0; i < x.Length; i++) { x[i] = System.Math.Sin(1.1 * i); }
            var y = new double[2 * batch];
            for (int i = 0; i < y.Length; i++) { y[i] = 0.5 - (0.25 * i); }
            var g = new double[p.Length]; var gV = new double[p.Length]; var b = new double[p.Length]; var bV = new double[p.Length];
            double v = N.NetGradient(p, x, y, inputs, hidden, g);
            double vV = N.NetVGradient(p, x, y, inputs, hidden, gV);
            for (int i = 0; i < p.Length; i++) { b[i] = -0.25; bV[i] = -0.25; }
            N.NetBackward(p, x, y, inputs, hidden, 3.0, b);
            N.NetVBackward(p, x, y, inputs, hidden, 3.0, bV);
            outList.Add(inputs); outList.Add(hidden); outList.Add(p.Length); outList.Add(v); outList.Add(vV);
            for (int i = 0; i < p.Length; i++) { outList.Add(g[i]); outList.Add(gV[i]); outList.Add(b[i]); outList.Add(bV[i]); }
        }

        return outList.ToArray();");

            // Reordered sums: each pre-activation sums `inputs` terms |p x| <= 0.2, each output `hidden` terms |p h| <= 0.2;
            // the sigmoid is 1/4-Lipschitz, the loss and its gradient elements at most a few times Lipschitz in the outputs
            // (errors up to 0.2 hidden + 1.5, scaled by the seed 3 in Backward), Exp adds a few eps per element.
            int at = 0, cases = 0;
            while (at < results.Length)
            {
                int inputs = (int)results[at], n = (int)results[at + 1], length = (int)results[at + 2];
                int terms = n + inputs;
                double bound = (2.0 * terms + 16) * Eps * (1 + terms) * 12 * (2 + (0.2 * n)) * (1 + (0.2 * inputs));
                void Within(double scalar, double vectorised, string what) =>
                    Assert.True(scalar.Equals(vectorised) || Math.Abs(vectorised - scalar) <= bound, string.Create(CultureInfo.InvariantCulture, $"{what}, inputs = {inputs}, hidden = {n}: scalar {scalar:R}, vectorised {vectorised:R}, bound {bound:R}"));
                Within(results[at + 3], results[at + 4], "value");
                for (int i = 0; i < length; i++)
                {
                    Within(results[at + 5 + (4 * i)], results[at + 6 + (4 * i)], $"dP[{i}]");
                    Within(results[at + 7 + (4 * i)], results[at + 8 + (4 * i)], $"Backward dP[{i}]");
                }

                at += 5 + (4 * length);
                cases++;
            }

            Assert.Equal(Inputs.Length * Hidden.Length * 3, cases);
        }

        [Theory]
        [InlineData(3, 8)]  // a 3-8-2 network: one chunk, two vectors of lanes, no remainder
        [InlineData(3, 70)] // two chunks, the second of 6 units (one vector and a remainder of 2)
        public void The_split_reverse_loop_matches_central_differences(int inputs, int hidden)
        {
            var results = GeneratedCode.RunDriver(Source, @"
            int inputs = " + inputs.ToString(CultureInfo.InvariantCulture) + @", hidden = " + hidden.ToString(CultureInfo.InvariantCulture) + @", batch = 5;
            var p = new double[(hidden * inputs) + (2 * hidden) + 2];
            for (int i = 0; i < p.Length; i++) { p[i] = 0.2 * System.Math.Cos((0.7 * i) + 0.3); }
            var x = new double[batch * inputs];
            for (int i = 0; i < x.Length; i++) { x[i] = System.Math.Sin(1.1 * i); }
            var y = new double[2 * batch];
            for (int i = 0; i < y.Length; i++) { y[i] = 0.5 - (0.25 * i); }
            var gV = new double[p.Length];
            N.NetVGradient(p, x, y, inputs, hidden, gV);
            var outList = new System.Collections.Generic.List<double>();
            for (int i = 0; i < p.Length; i++)
            {
                double keep = p[i], step = 1e-6;
                p[i] = keep + step; double up = N.Net(p, x, y, inputs, hidden);
                p[i] = keep - step; double down = N.Net(p, x, y, inputs, hidden);
                p[i] = keep;
                outList.Add(gV[i]); outList.Add((up - down) / (2 * step));
            }

            return outList.ToArray();");
            Assert.Equal(2 * ((hidden * inputs) + (2 * hidden) + 2), results.Length);
            for (int i = 0; i < results.Length; i += 2)
            {
                Assert.True(Math.Abs(results[i] - results[i + 1]) <= 1e-7 + (1e-6 * Math.Abs(results[i + 1])), string.Create(CultureInfo.InvariantCulture, $"dP[{i / 2}]: vectorised {results[i]:R}, central differences {results[i + 1]:R}"));
            }
        }

        [Fact]
        public void The_reverse_loop_parks_its_adjoints_on_the_stack_and_runs_its_elementwise_part_in_lanes()
        {
            var output = GeneratorRunner.Run(Source);
            string code = string.Join("\n", output.GeneratedSources.Select(s => s.Text));
            GeneratorRunner.AssertCleanCompile(output);
            foreach (var method in new[] { "NetVGradient", "NetVBackward" })
            {
                string body = MethodBody(code, method);
                // Parked: the recomputed pre-activation and the dot product's final counter (for the update's bound), the
                // unit's adjoint (the update's condition) and its pre-activation's adjoint: 28 bytes a unit, chunks of 32.
                Assert.Contains("global::System.Span<double> aPark = stackalloc double[32];", body, StringComparison.Ordinal);
                Assert.Contains("global::System.Span<int> kPark = stackalloc int[32];", body, StringComparison.Ordinal);
                Assert.Contains("hBarPark = stackalloc double[32];", body, StringComparison.Ordinal);
                Assert.Contains("aBarPark = stackalloc double[32];", body, StringComparison.Ordinal);
                Assert.Equal(4, Count(body, "stackalloc")); // declared once, outside every loop
                Assert.True(body.LastIndexOf("stackalloc", StringComparison.Ordinal) < body.IndexOf("for (", StringComparison.Ordinal));

                // Two elementwise runs in lanes in the loop over hidden units (the adjoints; the sigmoid's derivative through Exp).
                Assert.Contains("Vector256.CopyTo(hBarV, hBarPark.Slice(", body.Replace("global::System.Runtime.Intrinsics.", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
                Assert.Contains("Vector256.CopyTo(aBarV, aBarPark.Slice(", body.Replace("global::System.Runtime.Intrinsics.", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
            }

            Assert.DoesNotContain("Park", MethodBody(code, "NetGradient"), StringComparison.Ordinal);
        }

        private static int Count(string text, string what)
        {
            int n = 0;
            for (int at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
            {
                n++;
            }

            return n;
        }

        private static string MethodBody(string code, string method)
        {
            int start = code.IndexOf(" " + method + "(", StringComparison.Ordinal);
            Assert.True(start >= 0, method + " not found");
            int end = code.IndexOf("[global::System.CodeDom.Compiler.GeneratedCode", start, StringComparison.Ordinal);
            return end < 0 ? code.Substring(start) : code.Substring(start, end - start);
        }

        // Hand-built IR: for (j < n) { dW2[j] += z * h[j]; aBar = z * w[j]; if (aBar != 0) { for (k < d) dW[j * d + k] += aBar * x[k]; } dB[j] += aBar; }
        private static Loop Count(string counter, Expr bound, params Stmt[] body) =>
            new Loop(EquatableArray.Create(new LoopVar(counter, ValType.Int, N(0), Add(I(counter), N(1)))), Block.Empty, Lt(I(counter), bound), B(body), LoopKind.For, counter);

        private static Elem E(string array, Expr index) => new(array, index, ValType.Double);

        private static Loop Reverse(Stmt? extraElementwise = null, Stmt? extraInner = null)
        {
            var axpy = Count("k", I("d"), new Accumulate("dW", Add(Mul(I("j"), I("d")), I("k")), Mul(V("aBar"), E("x", I("k")))));
            var inner = new If(new Binary(BinaryOp.Ne, V("aBar"), D(0), ValType.Bool), extraInner is null ? B(axpy) : B(axpy, extraInner), Block.Empty, EquatableArray<Phi>.Empty);
            var body = new List<Stmt>
            {
                new Accumulate("dW2", I("j"), Mul(V("z"), E("h", I("j")))),
                new Let("aBar", Mul(V("z"), E("w", I("j")))),
                inner,
                new Accumulate("dB", I("j"), V("aBar")),
            };
            if (extraElementwise is not null)
            {
                body.Insert(1, extraElementwise);
            }

            return Count("j", I("n"), body.ToArray());
        }

        private static (Loop Chunks, IReadOnlyList<Loop> Elementwise, IReadOnlyList<RentBuffer> Scratch)? Split(Loop loop, params string[] @unchecked) =>
            LoopFission.SplitParts(loop, n => new[] { n }, new HashSet<string>(@unchecked, StringComparer.Ordinal), new HashSet<string>(new[] { "j", "k", "n", "d", "z", "x", "h", "w", "dW", "dW2", "dB", "aBar" }, StringComparer.Ordinal), _ => false);

        [Fact]
        public void SplitParts_moves_the_elementwise_statements_first_and_parks_what_the_inner_part_reads()
        {
            var split = Split(Reverse());
            Assert.NotNull(split);
            var (chunks, elementwise, scratch) = split!.Value;
            var buffer = Assert.Single(scratch);
            Assert.Equal("aBarPark", buffer.Name);
            Assert.True(buffer.OnStack);
            Assert.Equal(N(64), buffer.Length);
            AssertIr(
                """
                loop jChunk = 0 while jChunk < n
                  let jEnd: int = n - jChunk < 64 ? n : jChunk + 64
                  loop j = jChunk while j < jEnd
                    dW2[j] += z * h[j]
                    let aBar: double = z * w[j]
                    dB[j] += aBar
                    aBarPark[j - jChunk] = aBar
                    next j = j + 1
                  end
                  loop j2 = jChunk while j2 < jEnd
                    let aBar: double = aBarPark[j2 - jChunk]
                    if aBar != 0.0
                      loop k = 0 while k < d
                        dW[j2 * d + k] += aBar * x[k]
                        next k = k + 1
                      end
                    else
                    end
                    next j2 = j2 + 1
                  end
                  next jChunk = jChunk + 64
                end
                """,
                Print(chunks));
            Assert.Same(Assert.Single(elementwise), chunks.Body.Statements[1]);
        }

        [Fact]
        public void SplitParts_refuses_when_the_parts_share_memory_or_the_outputs_are_unchecked()
        {
            // The elementwise part reads what the inner part writes (dW), or stores into what the inner part adds into.
            Assert.Null(Split(Reverse(extraElementwise: new Let("r", E("dW", I("j"))))));
            Assert.Null(Split(Reverse(extraElementwise: new Store("dW", I("j"), D(1)))));

            // The inner part reads what the elementwise part writes (dB).
            Assert.Null(Split(Reverse(extraInner: new Accumulate("dW", I("j"), E("dB", I("j"))))));

            // A written array is an output no aliasing check covers (a vector function's own output span).
            Assert.Null(Split(Reverse(), "dB"));

            // Something that can throw other than an index (an integer division).
            Assert.Null(Split(Reverse(extraElementwise: new Let("q", new Binary(BinaryOp.Div, I("n"), I("d"), ValType.Int)))));

            // The counter is read after the loop.
            Assert.Null(LoopFission.SplitParts(Reverse(), n => new[] { n }, new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal), name => name == "j"));

            // A carried value read inside the loop (not a sum the split can move).
            var reads = Count("j", I("n"), new Accumulate("dB", I("j"), V("r")), Count("k", I("d"), new Accumulate("dW", Add(Mul(I("j"), I("d")), I("k")), E("x", I("k")))));
            reads = reads with { Carried = EquatableArray.Create(reads.Carried[0], new LoopVar("r", ValType.Double, D(0), Add(V("r"), E("h", I("j"))))) };
            Assert.Null(Split(reads));
        }

        /// <summary>
        /// Logistic regression's row loop: a dot product, elementwise work that reads it (and a sum of the loss), an update
        /// that reads the elementwise work's value and the dot product's final counter: three parts, the middle one in lanes
        /// with the sum carried on by the chunk loop, the dot product's value and final counter parked, the bound let recomputed.
        /// </summary>
        [Fact]
        public void SplitParts_cuts_a_row_loop_into_dot_product_elementwise_work_and_update()
        {
            var dot = RowDot();
            var update = Count("k2", I("kEnd"), new Accumulate("dW", I("k2"), Mul(V("zBar"), E("x", Add(Mul(I("i"), I("d")), I("k2"))))));
            var rows = new Loop(
                EquatableArray.Create(new LoopVar("i", ValType.Int, N(0), Add(I("i"), N(1))), new LoopVar("loss", ValType.Double, D(0), Add(V("loss"), V("e")))),
                Block.Empty,
                Lt(I("i"), I("n")),
                B(
                    new Let("ti", E("t", I("i"))),
                    dot,
                    new Let("e", new Call(KnownFunction.Exp, EquatableArray.Create<Expr>(Mul(V("ti"), V("z"))), ValType.Double)),
                    new Let("zBar", Mul(V("e"), V("ti"))),
                    new Let("kEnd", new SymDiff.Generator.IR.Cond(Lt(N(0), I("k")), I("k"), N(0), ValType.Int)),
                    update),
                LoopKind.For,
                "i");
            var split = LoopFission.SplitParts(rows, n => new[] { n }, new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(new[] { "i", "k", "k2", "n", "d", "w", "x", "t", "dW", "z", "e", "zBar", "kEnd", "ti", "loss" }, StringComparer.Ordinal), _ => false);
            Assert.NotNull(split);
            var (chunks, elementwise, scratch) = split!.Value;
            Assert.Equal(new[] { "kPark", "zPark", "zBarPark" }, scratch.Select(b => b.Name));
            Assert.All(scratch, b => Assert.Equal(N(32), b.Length)); // 20 bytes an iteration: 1024 / 20 = 51, rounded down to 32
            AssertIr(
                """
                loop iChunk = 0, loss = 0.0 while iChunk < n
                  let iEnd: int = n - iChunk < 32 ? n : iChunk + 32
                  loop i = iChunk while i < iEnd
                    loop k = 0, z = 0.0 while k < d
                      next k = k + 1, z = z + w[k] * x[i * d + k]
                    end
                    kPark[i - iChunk] = k
                    zPark[i - iChunk] = z
                    next i = i + 1
                  end
                  loop i2 = iChunk, lossPart = loss while i2 < iEnd
                    let z: double = zPark[i2 - iChunk]
                    let ti: double = t[i2]
                    let e: double = Math.Exp(ti * z)
                    let zBar: double = e * ti
                    zBarPark[i2 - iChunk] = zBar
                    next i2 = i2 + 1, lossPart = lossPart + e
                  end
                  loop i3 = iChunk while i3 < iEnd
                    let k: int = kPark[i3 - iChunk]
                    let zBar: double = zBarPark[i3 - iChunk]
                    let kEnd: int = 0 < k ? k : 0
                    loop k2 = 0 while k2 < kEnd
                      dW[k2] += zBar * x[i3 * d + k2]
                      next k2 = k2 + 1
                    end
                    next i3 = i3 + 1
                  end
                  next iChunk = iChunk + 32, loss = lossPart
                end
                """,
                Print(chunks));
            Assert.Same(Assert.Single(elementwise), chunks.Body.Statements[2]);
        }

        /// <summary>
        /// A floating let of arithmetic on values from outside the loop (<c>c = 1.0 + p</c>, read by the elementwise part and
        /// the update) is recomputed in each part that reads it, as integer lets are: parking it would store the same value
        /// once per iteration (seen in a Tweedie regression whose power <c>1.0 - p</c> was parked per row).
        /// </summary>
        [Fact]
        public void SplitParts_recomputes_a_loop_invariant_floating_let_instead_of_parking_it()
        {
            var dot = RowDot();
            var update = Count("k2", I("d"), new Accumulate("dW", I("k2"), Mul(Mul(V("zBar"), V("c")), E("x", Add(Mul(I("i"), I("d")), I("k2"))))));
            var rows = new Loop(
                EquatableArray.Create(new LoopVar("i", ValType.Int, N(0), Add(I("i"), N(1)))),
                Block.Empty,
                Lt(I("i"), I("n")),
                B(
                    new Let("c", Add(D(1), V("p"))),
                    dot,
                    new Let("e", new Call(KnownFunction.Exp, EquatableArray.Create<Expr>(Mul(V("c"), V("z"))), ValType.Double)),
                    new Let("zBar", Mul(V("e"), V("c"))),
                    update),
                LoopKind.For,
                "i");
            var split = LoopFission.SplitParts(rows, n => new[] { n }, new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(new[] { "i", "k", "k2", "n", "d", "w", "x", "p", "c", "dW", "z", "e", "zBar" }, StringComparer.Ordinal), _ => false);
            Assert.NotNull(split);
            var (chunks, _, scratch) = split!.Value;
            Assert.Equal(new[] { "zPark", "zBarPark" }, scratch.Select(b => b.Name));
            string printed = Print(chunks);
            Assert.Equal(2, printed.Split("let c: double = 1.0 + p").Length - 1);
        }

        /// <summary>Row i's dot product <c>z = sum_k w[k] x[i d + k]</c>, counting with k: the inner part of the row-loop tests.</summary>
        private static Loop RowDot() => new Loop(
            EquatableArray.Create(new LoopVar("k", ValType.Int, N(0), Add(I("k"), N(1))), new LoopVar("z", ValType.Double, D(0), Add(V("z"), Mul(E("w", I("k")), E("x", Add(Mul(I("i"), I("d")), I("k"))))))),
            Block.Empty,
            Lt(I("k"), I("d")),
            Block.Empty,
            LoopKind.For,
            "k");

        private const string ConstantTrips = @"
using System;
using SymDiff;
public static partial class C
{
    [Differentiable(Vectorize = true)]
    public static double Three(ReadOnlySpan<double> p) { double s = 0; for (int k = 0; k < 3; k++) { s += p[k] * p[k]; } return s; }

    [Differentiable(Vectorize = true)]
    public static double Four(ReadOnlySpan<double> p) { double s = 0; for (int k = 0; k < 4; k++) { s += p[k] * p[k]; } return s; }

    [Differentiable(Vectorize = true)]
    public static double Sixteen(ReadOnlySpan<double> p) { double s = 0; for (int k = 0; k < 16; k++) { s += p[k] * p[k]; } return s; }
}";

        [Fact]
        public void A_constant_trip_count_gets_no_loop_whose_condition_can_never_hold()
        {
            var output = GeneratorRunner.Run(ConstantTrips);
            GeneratorRunner.AssertCleanCompile(output);
            string code = string.Join("\n", output.GeneratedSources.Select(s => s.Text));
            const string unrolled = "4 * global::System.Runtime.Intrinsics.Vector256<double>.Count";

            // 3 iterations: fewer than one vector's 4 lanes, scalar, and SD1023 says why.
            string three = MethodBody(code, "ThreeGradient");
            Assert.Contains("for (int k = 0; k < 3; k++)", three, StringComparison.Ordinal); // k is not read after the loop (its end is 3): declared in the for
            Assert.DoesNotContain("3 - global::System.Runtime.Intrinsics.Vector256", three, StringComparison.Ordinal);
            Assert.Contains(output.GeneratorDiagnostics, d => d.Id == "SD1023" && d.GetMessage(CultureInfo.InvariantCulture).Contains("3 iterations, fewer than the 4 lanes", StringComparison.Ordinal));

            // 4 iterations: one vector, no unrolled body (4 <= 4 - 16 can never hold), one accumulator.
            string four = MethodBody(code, "FourGradient");
            Assert.Contains("Vector256", four, StringComparison.Ordinal);
            Assert.DoesNotContain(unrolled, four, StringComparison.Ordinal);
            Assert.DoesNotContain("Acc1", four, StringComparison.Ordinal);

            // 16 iterations: the unrolled body runs.
            Assert.Contains(unrolled, MethodBody(code, "SixteenGradient"), StringComparison.Ordinal);

            // The values: sum of squares and 2 p, against the closed form (all terms exact in binary: no rounding to reorder).
            var results = GeneratedCode.RunDriver(ConstantTrips, @"
            var p = new double[16];
            for (int i = 0; i < 16; i++) { p[i] = 0.5 * (i - 5); }
            var outList = new System.Collections.Generic.List<double>();
            foreach (int n in new[] { 3, 4, 16 })
            {
                var g = new double[16];
                double v = n == 3 ? C.ThreeGradient(p, g) : n == 4 ? C.FourGradient(p, g) : C.SixteenGradient(p, g);
                outList.Add(v);
                outList.AddRange(g);
            }

            return outList.ToArray();");
            int at = 0;
            foreach (int n in new[] { 3, 4, 16 })
            {
                double expected = 0;
                for (int i = 0; i < n; i++)
                {
                    expected += 0.25 * (i - 5) * (i - 5);
                }

                Assert.Equal(expected, results[at]);
                for (int i = 0; i < 16; i++)
                {
                    Assert.Equal(i < n ? (double)(i - 5) : 0.0, results[at + 1 + i]);
                }

                at += 17;
            }
        }
    }
}

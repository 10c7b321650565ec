using System;
using BenchmarkDotNet.Attributes;

namespace SymDiff.Benchmarks
{
    /// <summary>
    /// One row of the table: a workload at one size, with its four variants. The BenchmarkDotNet classes below
    /// implement it, so the quick mode measures exactly the methods the full run measures.
    /// </summary>
    public interface IWorkload
    {
        /// <summary>The row's name as the quick mode prints it, e.g. <c>W1 linreg N=1000</c>.</summary>
        string Row { get; }

        /// <summary>How many evaluations one call of a variant performs (the time is divided by it).</summary>
        int OperationsPerInvoke { get; }

        /// <summary>Whether central finite differences are measured (n &lt;= 100).</summary>
        bool HasFiniteDifferences { get; }

        void Setup();

        /// <summary>The plain C# method.</summary>
        double Forward();

        /// <summary>The generated <c>XGradient</c>.</summary>
        double Generated();

        /// <summary>The hand-written analytic gradient.</summary>
        double Hand();

        /// <summary>Value plus central finite differences.</summary>
        double FiniteDifferences();

        /// <summary>Whether <see cref="Proposed"/> exists for this row.</summary>
        bool HasProposed { get; }

        /// <summary>The generated code with the rewrites docs/performance.md proposes (see <c>Proposed.cs</c>).</summary>
        double Proposed();

        /// <summary>Runs the generated, hand-written and finite-difference gradients once each and compares them.</summary>
        CheckResult SelfCheck();

        /// <summary>max-norm relative difference between the proposed and the generated gradient (0 where none).</summary>
        double ProposedError();
    }

    /// <summary>The outcome of <see cref="IWorkload.SelfCheck"/>: relative errors of the generated method.</summary>
    /// <param name="ValueError">|generated value - forward value| / |forward value|.</param>
    /// <param name="HandError">max_i |generated_i - hand_i| / max_i |hand_i|.</param>
    /// <param name="FiniteDifferenceError">the same against finite differences (NaN where not measured).</param>
    public readonly record struct CheckResult(double ValueError, double HandError, double FiniteDifferenceError)
    {
        public static double Relative(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected)
        {
            double diff = 0, scale = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                diff = Math.Max(diff, Math.Abs(actual[i] - expected[i]));
                scale = Math.Max(scale, Math.Abs(expected[i]));
            }

            return double.IsNaN(diff) || actual.Length != expected.Length ? double.NaN : diff / Math.Max(scale, double.Epsilon);
        }

        public static double Relative(double actual, double expected) => Relative([actual], [expected]);
    }

    /// <summary>W1 linreg: L(w, b) = mean_i 0.5 (y_i - (w x_i + b))^2 at w = 1.5, b = 0.5.</summary>
    [MemoryDiagnoser]
    public partial class W1LinReg : IWorkload
    {
        private readonly double[] _point = new double[2];
        private readonly double[] _gradient = new double[2];
        private double[] _x = [], _y = [];
        private LinRegFunction _function;
        private double _w = 1.5, _b = 0.5, _dW, _dB;

        [Params(20, 1_000, 1_000_000)]
        public int N { get; set; } = 1_000;

        public string Row => $"W1 linreg N={N}";

        public int OperationsPerInvoke => 1;

        public bool HasFiniteDifferences => true;

        [GlobalSetup]
        public void Setup()
        {
            (_x, _y) = Data.Linear(N);
            _function = new LinRegFunction(_x, _y);
        }

        [Benchmark(Baseline = true)]
        public double Forward() => Workloads.LinReg(_w, _b, _x, _y);

        [Benchmark]
        public double Generated() => Workloads.LinRegGradient(_w, _b, _x, _y, out _dW, out _dB);

        [Benchmark]
        public double Hand() => HandWritten.LinReg(_w, _b, _x, _y, out _dW, out _dB);

        [Benchmark]
        public double FiniteDifferences()
        {
            _point[0] = _w;
            _point[1] = _b;
            return CentralDifferences.Gradient(ref _function, _point, _gradient);
        }

        public bool HasProposed => true;

        [Benchmark]
        public double Proposed() => Benchmarks.Proposed.LinRegGradient(_w, _b, _x, _y, out _dW, out _dB);

        public double ProposedError()
        {
            double value = Benchmarks.Proposed.LinRegGradient(_w, _b, _x, _y, out double pw, out double pb);
            double generated = Workloads.LinRegGradient(_w, _b, _x, _y, out double gw, out double gb);
            return value == generated ? CheckResult.Relative([pw, pb], [gw, gb]) : double.NaN;
        }

        /// <summary>Not a benchmark: one streaming read of x and y with four independent accumulators, the
        /// memory-bandwidth floor of any one-pass gradient of W1.</summary>
        public double StreamXY()
        {
            double[] x = _x, y = _y;
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            int i = 0;
            for (; i + 1 < x.Length && i + 1 < y.Length; i += 2)
            {
                s0 += x[i];
                s1 += y[i];
                s2 += x[i + 1];
                s3 += y[i + 1];
            }

            return s0 + s1 + s2 + s3;
        }

        public CheckResult SelfCheck()
        {
            double value = Workloads.LinRegGradient(_w, _b, _x, _y, out double gw, out double gb);
            HandWritten.LinReg(_w, _b, _x, _y, out double hw, out double hb);
            FiniteDifferences();
            return new CheckResult(
                CheckResult.Relative(value, Forward()),
                CheckResult.Relative([gw, gb], [hw, hb]),
                CheckResult.Relative([gw, gb], _gradient));
        }
    }

    /// <summary>W2 rosenbrock at x_i = 1 + 0.1 sin(i).</summary>
    [MemoryDiagnoser]
    public partial class W2Rosenbrock : IWorkload
    {
        private double[] _x = [], _point = [], _gradient = [];
        private RosenbrockFunction _function;

        [Params(2, 100, 10_000)]
        public int N { get; set; } = 100;

        public string Row => $"W2 rosenbrock n={N}";

        public int OperationsPerInvoke => 1;

        public bool HasFiniteDifferences => N <= 100;

        [GlobalSetup]
        public void Setup()
        {
            _x = Data.RosenbrockPoint(N);
            _point = (double[])_x.Clone();
            _gradient = new double[N];
        }

        [Benchmark(Baseline = true)]
        public double Forward() => Workloads.Rosenbrock(_x);

        [Benchmark]
        public double Generated() => Workloads.RosenbrockGradient(_x, _gradient);

        [Benchmark]
        public double Hand() => HandWritten.Rosenbrock(_x, _gradient);

        // The rewrites Proposed.cs measured for W2 are in the generator now (OverwriteOnce, CarryLoads, CollectInSum).
        public bool HasProposed => false;

        public double Proposed() => throw new NotSupportedException();

        public double ProposedError() => 0;

        /// <summary>A benchmark of <see cref="W2RosenbrockFiniteDifferences"/> only, which keeps n &lt;= 100.</summary>
        public double FiniteDifferences() => CentralDifferences.Gradient(ref _function, _point, _gradient);

        public CheckResult SelfCheck()
        {
            var generated = new double[N];
            var hand = new double[N];
            double value = Workloads.RosenbrockGradient(_x, generated);
            HandWritten.Rosenbrock(_x, hand);
            double fdError = double.NaN;
            if (HasFiniteDifferences)
            {
                FiniteDifferences();
                fdError = CheckResult.Relative(generated, _gradient);
            }

            return new CheckResult(CheckResult.Relative(value, Forward()), CheckResult.Relative(generated, hand), fdError);
        }
    }

    /// <summary>W2's finite differences, for the sizes where they are measured.</summary>
    [MemoryDiagnoser]
    public class W2RosenbrockFiniteDifferences
    {
        private readonly W2Rosenbrock _workload = new();

        [Params(2, 100)]
        public int N { get; set; } = 100;

        [GlobalSetup]
        public void Setup()
        {
            _workload.N = N;
            _workload.Setup();
        }

        [Benchmark]
        public double FiniteDifferences() => _workload.FiniteDifferences();
    }

    /// <summary>W3 logreg: d = 16, N = 10 000, at w_j = 0.01 j.</summary>
    [MemoryDiagnoser]
    public partial class W3LogReg : IWorkload
    {
        public const int N = 10_000, D = 16;
        private readonly double[] _gradient = new double[D];
        private double[] _w = [], _x = [], _t = [], _point = [];
        private LogRegFunction _function;

        public string Row => $"W3 logreg N={N} d={D}";

        public int OperationsPerInvoke => 1;

        public bool HasFiniteDifferences => true;

        [GlobalSetup]
        public void Setup()
        {
            (_w, _x, _t) = Data.Logistic(N, D);
            _point = (double[])_w.Clone();
            _function = new LogRegFunction(_x, _t);
        }

        [Benchmark(Baseline = true)]
        public double Forward() => Workloads.LogReg(_w, _x, _t);

        [Benchmark]
        public double Generated() => Workloads.LogRegGradient(_w, _x, _t, _gradient);

        [Benchmark]
        public double Hand() => HandWritten.LogReg(_w, _x, _t, _gradient);

        [Benchmark]
        public double FiniteDifferences() => CentralDifferences.Gradient(ref _function, _point, _gradient);

        public bool HasProposed => false;

        public double Proposed() => throw new NotSupportedException();

        public double ProposedError() => 0;

        public CheckResult SelfCheck()
        {
            var generated = new double[D];
            var hand = new double[D];
            double value = Workloads.LogRegGradient(_w, _x, _t, generated);
            HandWritten.LogReg(_w, _x, _t, hand);
            FiniteDifferences();
            return new CheckResult(
                CheckResult.Relative(value, Forward()),
                CheckResult.Relative(generated, hand),
                CheckResult.Relative(generated, _gradient));
        }
    }

    /// <summary>
    /// W4 tiny: y = (w + x)(w + 1) at w = 1, x = 2. One evaluation takes about a nanosecond, less than a call, so
    /// each invocation evaluates a batch of 1024 inputs from arrays into output arrays (the methods are inlined into
    /// the loop, as in user code) and the time is per evaluation.
    /// </summary>
    [MemoryDiagnoser]
    public class W4Tiny : IWorkload
    {
        public const int Batch = 1024;
        private readonly double[] _w = new double[Batch], _x = new double[Batch];
        private readonly double[] _y = new double[Batch], _dW = new double[Batch], _dX = new double[Batch];
        private readonly double[] _point = new double[2], _gradient = new double[2];
        private TinyFunction _function;

        public string Row => "W4 tiny n=2";

        public int OperationsPerInvoke => Batch;

        public bool HasFiniteDifferences => true;

        [GlobalSetup]
        public void Setup()
        {
            Array.Fill(_w, 1.0);
            Array.Fill(_x, 2.0);
        }

        [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
        public double Forward()
        {
            double[] w = _w, x = _x, y = _y;
            for (int i = 0; i < w.Length; i++)
            {
                y[i] = Workloads.Tiny(w[i], x[i]);
            }

            return y[0];
        }

        [Benchmark(OperationsPerInvoke = Batch)]
        public double Generated()
        {
            double[] w = _w, x = _x, y = _y, dW = _dW, dX = _dX;
            for (int i = 0; i < w.Length; i++)
            {
                y[i] = Workloads.TinyGradient(w[i], x[i], out dW[i], out dX[i]);
            }

            return y[0];
        }

        [Benchmark(OperationsPerInvoke = Batch)]
        public double Hand()
        {
            double[] w = _w, x = _x, y = _y, dW = _dW, dX = _dX;
            for (int i = 0; i < w.Length; i++)
            {
                y[i] = HandWritten.Tiny(w[i], x[i], out dW[i], out dX[i]);
            }

            return y[0];
        }

        [Benchmark(OperationsPerInvoke = Batch)]
        public double FiniteDifferences()
        {
            double[] w = _w, x = _x, y = _y, dW = _dW, dX = _dX;
            for (int i = 0; i < w.Length; i++)
            {
                _point[0] = w[i];
                _point[1] = x[i];
                y[i] = CentralDifferences.Gradient(ref _function, _point, _gradient);
                dW[i] = _gradient[0];
                dX[i] = _gradient[1];
            }

            return y[0];
        }

        public bool HasProposed => false;

        public double Proposed() => throw new NotSupportedException();

        public double ProposedError() => 0;

        public CheckResult SelfCheck()
        {
            double value = Workloads.TinyGradient(1, 2, out double gw, out double gx);
            HandWritten.Tiny(1, 2, out double hw, out double hx);
            _point[0] = 1;
            _point[1] = 2;
            CentralDifferences.Gradient(ref _function, _point, _gradient);
            double exact = CheckResult.Relative([gw, gx], [5, 2]); // the tutorial's dy/dw = 5, dy/dx = 2
            return new CheckResult(
                CheckResult.Relative(value, Workloads.Tiny(1, 2)),
                Math.Max(exact, CheckResult.Relative([gw, gx], [hw, hx])),
                CheckResult.Relative([gw, gx], _gradient));
        }
    }

    /// <summary>
    /// W5 poly-adam: the whole training run, 1000 Adam(lr 0.1) steps on the quadratic fit from w = (0.1, -0.2, 0.3).
    /// Forward is the 1000 loss evaluations alone; the gradient variants are the run, each step computing the
    /// gradient and calling <see cref="Adam.Step"/>. The parameters and the optimizer are reset at the start of every
    /// run, so a run allocates nothing.
    /// </summary>
    [MemoryDiagnoser]
    public partial class W5PolyAdam : IWorkload
    {
        public const int Steps = 1000;
        private static readonly double[] Start = [0.1, -0.2, 0.3];
        private readonly double[] _w = new double[3], _gradient = new double[3];
        private double[] _x = [], _y = [];
        private Adam _adam = null!;
        private PolyMseFunction _function;

        public string Row => $"W5 poly-adam N={_x.Length} steps={Steps}";

        public int OperationsPerInvoke => 1;

        public bool HasFiniteDifferences => true;

        [GlobalSetup]
        public void Setup()
        {
            (_x, _y) = Data.Quadratic();
            _function = new PolyMseFunction(_x, _y);
            _adam = new Adam(_w, _gradient, learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8);
            Restart();
        }

        [Benchmark(Baseline = true)]
        public double Forward()
        {
            Restart();
            double sum = 0;
            for (int step = 0; step < Steps; step++)
            {
                sum += Workloads.PolyMse(_w, _x, _y);
            }

            return sum;
        }

        [Benchmark]
        public double Generated()
        {
            Restart();
            double loss = 0;
            for (int step = 0; step < Steps; step++)
            {
                loss = Workloads.PolyMseGradient(_w, _x, _y, _gradient);
                _adam.Step();
            }

            return loss;
        }

        [Benchmark]
        public double Hand()
        {
            Restart();
            double loss = 0;
            for (int step = 0; step < Steps; step++)
            {
                loss = HandWritten.PolyMse(_w, _x, _y, _gradient);
                _adam.Step();
            }

            return loss;
        }

        [Benchmark]
        public double FiniteDifferences()
        {
            Restart();
            double loss = 0;
            for (int step = 0; step < Steps; step++)
            {
                loss = CentralDifferences.Gradient(ref _function, _w, _gradient);
                _adam.Step();
            }

            return loss;
        }

        public bool HasProposed => true;

        [Benchmark]
        public double Proposed()
        {
            Restart();
            double loss = 0;
            for (int step = 0; step < Steps; step++)
            {
                loss = Benchmarks.Proposed.PolyMseGradient(_w, _x, _y, _gradient);
                _adam.Step();
            }

            return loss;
        }

        public double ProposedError()
        {
            Restart();
            var proposed = new double[3];
            var generated = new double[3];
            double value = Benchmarks.Proposed.PolyMseGradient(_w, _x, _y, proposed);
            return value == Workloads.PolyMseGradient(_w, _x, _y, generated) ? CheckResult.Relative(proposed, generated) : double.NaN;
        }

        public CheckResult SelfCheck()
        {
            // The gradients at the start, then the weights after the whole run (not for finite differences: their
            // noise in dL/dw1, which is 0 by symmetry, is far above eps, so Adam follows it and w1 wanders).
            Restart();
            var generated = new double[3];
            var hand = new double[3];
            double value = Workloads.PolyMseGradient(_w, _x, _y, generated);
            HandWritten.PolyMse(_w, _x, _y, hand);
            double startError = CheckResult.Relative(generated, hand);
            CentralDifferences.Gradient(ref _function, _w, _gradient);
            double fdError = CheckResult.Relative(generated, _gradient);
            Generated();
            double[] afterGenerated = (double[])_w.Clone();
            Hand();
            double runError = CheckResult.Relative(afterGenerated, _w);
            return new CheckResult(
                CheckResult.Relative(value, Workloads.PolyMse(Start, _x, _y)),
                Math.Max(startError, runError),
                fdError);
        }

        private void Restart()
        {
            Start.CopyTo(_w, 0);
            _adam.Reset();
        }
    }
    /// <summary>
    /// W6 mlp: the mean softmax cross-entropy of a perceptron with one tanh hidden layer (4 inputs, 32 hidden units,
    /// 3 classes) on a batch of 256, X_sk = sin(0.37 s + 1.3 k), class s % 3, at p_i = 0.1 sin(i + 1); n = 259.
    /// Finite differences are not timed (n &gt; 100) but the self-check still compares against them once.
    /// </summary>
    [MemoryDiagnoser]
    public partial class W6Mlp : IWorkload
    {
        public const int Batch = 256, Inputs = 4, Hidden = 32;
        private double[] _p = [], _x = [], _targets = [], _gradient = [];
        private readonly double[] _scratch = new double[Hidden];
        private double[] _preActivations = [];

        public string Row => $"W6 mlp batch={Batch}";

        public int OperationsPerInvoke => 1;

        public bool HasFiniteDifferences => false;

        [GlobalSetup]
        public void Setup()
        {
            (_p, _x, _targets) = Data.Mlp(Batch, Inputs, Hidden);
            _gradient = new double[_p.Length];
            _preActivations = new double[Batch * Hidden];
            for (int s = 0; s < Batch; s++)
            {
                for (int j = 0; j < Hidden; j++)
                {
                    _preActivations[(s * Hidden) + j] = Math.Atanh(Workloads.MlpHidden(_p, _x, Inputs, Hidden, s, j));
                }
            }
        }

        [Benchmark(Baseline = true)]
        public double Forward() => Workloads.Mlp(_p, _x, _targets, Inputs, Hidden);

        [Benchmark]
        public double Generated() => Workloads.MlpGradient(_p, _x, _targets, Inputs, Hidden, _gradient);

        [Benchmark]
        public double Hand() => HandWritten.Mlp(_p, _x, _targets, Inputs, Hidden, _gradient, _scratch);

        public double FiniteDifferences() => throw new NotSupportedException("n = 259 > 100: finite differences are not measured");

        public bool HasProposed => true;

        [Benchmark]
        public double Proposed() => Benchmarks.Proposed.MlpGradient(_p, _x, _targets, Inputs, Hidden, _gradient);

        /// <summary>The smaller rewrite alone (see <see cref="Benchmarks.Proposed.MlpGradientFusedCallee"/>).</summary>
        [Benchmark]
        public double ProposedFusedCallee() => Benchmarks.Proposed.MlpGradientFusedCallee(_p, _x, _targets, Inputs, Hidden, _gradient);

        public double ProposedError()
        {
            var proposed = new double[_p.Length];
            var generated = new double[_p.Length];
            double value = Benchmarks.Proposed.MlpGradient(_p, _x, _targets, Inputs, Hidden, proposed);
            var fused = new double[_p.Length];
            double fusedValue = Benchmarks.Proposed.MlpGradientFusedCallee(_p, _x, _targets, Inputs, Hidden, fused);
            double expected = Workloads.MlpGradient(_p, _x, _targets, Inputs, Hidden, generated);
            return value == expected && fusedValue == expected
                ? Math.Max(CheckResult.Relative(proposed, generated), CheckResult.Relative(fused, generated))
                : double.NaN;
        }

        /// <summary>Not a benchmark: the batch's 8192 <c>Math.Tanh</c> calls alone, on the hidden units' actual
        /// pre-activations (W6's forward, generated and hand-written gradients each evaluate every hidden unit once).</summary>
        public double TanhAlone()
        {
            double sum = 0;
            foreach (double a in _preActivations)
            {
                sum += Math.Tanh(a);
            }

            return sum;
        }

        public CheckResult SelfCheck()
        {
            var generated = new double[_p.Length];
            var hand = new double[_p.Length];
            var fd = new double[_p.Length];
            double value = Workloads.MlpGradient(_p, _x, _targets, Inputs, Hidden, generated);
            HandWritten.Mlp(_p, _x, _targets, Inputs, Hidden, hand, _scratch);
            var function = new MlpFunction(_x, _targets, Inputs, Hidden);
            CentralDifferences.Gradient(ref function, (double[])_p.Clone(), fd);
            return new CheckResult(
                CheckResult.Relative(value, Forward()),
                CheckResult.Relative(generated, hand),
                CheckResult.Relative(generated, fd));
        }
    }
}

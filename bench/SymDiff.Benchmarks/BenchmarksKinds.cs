using System;
using BenchmarkDotNet.Attributes;

namespace SymDiff.Benchmarks
{
    /// <summary>W7 huber: mean Huber loss (delta = 1) of r_i = y_i - (w x_i + b) on W1's data, N = 1000, at
    /// w = 2.5, b = 3, where r_i runs from about -3 to 2: 397 of the 1000 points take the quadratic branch, 603 the
    /// linear one (221 with r &gt; 0, 382 with r &lt; 0); the branch changes 29 times over the 1000 points.</summary>
    [MemoryDiagnoser]
    public class W7Huber : IWorkload
    {
        public const int N = 1_000;
        public const double W = 2.5, B = 3, Delta = 1;
        private readonly double[] _point = new double[2], _gradient = new double[2];
        private double[] _x = [], _y = [];
        private HuberFunction _function;

        public string Row => $"W7 huber N={N}";

        public int OperationsPerInvoke => 1;

        public bool HasFiniteDifferences => true;

        [GlobalSetup]
        public void Setup()
        {
            (_x, _y) = Data.Linear(N);
            _function = new HuberFunction(_x, _y, Delta);
        }

        [Benchmark(Baseline = true)]
        public double Forward() => Workloads.Huber(W, B, _x, _y, Delta);

        [Benchmark]
        public double Generated()
        {
            double value = Workloads.HuberGradient(W, B, _x, _y, Delta, out double dW, out double dB);
            return value + dW + dB;
        }

        [Benchmark]
        public double Hand()
        {
            double value = HandWrittenKinds.Huber(W, B, _x, _y, Delta, out double dW, out double dB);
            return value + dW + dB;
        }

        [Benchmark]
        public double FiniteDifferences()
        {
            _point[0] = W;
            _point[1] = B;
            return CentralDifferences.Gradient(ref _function, _point, _gradient);
        }

        public bool HasProposed => true;

        /// <summary>The generated code with its two branches on the same condition merged (<see cref="ProposedKinds.HuberMergedBranches"/>).</summary>
        [Benchmark]
        public double Proposed()
        {
            double value = ProposedKinds.HuberMergedBranches(W, B, _x, _y, Delta, out double dW, out double dB);
            return value + dW + dB;
        }

        public double ProposedError()
        {
            double value = ProposedKinds.HuberMergedBranches(W, B, _x, _y, Delta, out double pw, out double pb);
            double expected = Workloads.HuberGradient(W, B, _x, _y, Delta, out double gw, out double gb);
            return value == expected ? CheckResult.Relative([pw, pb], [gw, gb]) : double.NaN;
        }

        public CheckResult SelfCheck()
        {
            double value = Workloads.HuberGradient(W, B, _x, _y, Delta, out double gw, out double gb);
            HandWrittenKinds.Huber(W, B, _x, _y, Delta, out double hw, out double hb);
            FiniteDifferences();
            return new CheckResult(
                CheckResult.Relative(value, Forward()),
                CheckResult.Relative([gw, gb], [hw, hb]),
                CheckResult.Relative([gw, gb], _gradient));
        }
    }

    /// <summary>W8 stencil2d: smoothness energy of a 64 x 64 grid u_ij = sin(0.37 i + 1.3 j), n = 4096.</summary>
    [MemoryDiagnoser]
    public class W8Stencil2D : IWorkload
    {
        public const int M = 64;
        private double[] _u = [], _gradient = [];

        public string Row => $"W8 stencil2d grid={M}x{M}";

        public int OperationsPerInvoke => 1;

        // n = 4096 > 100: not timed; the self-check still compares with them once.
        public bool HasFiniteDifferences => false;

        [GlobalSetup]
        public void Setup()
        {
            _u = DataKinds.Grid(M, M);
            _gradient = new double[_u.Length];
        }

        [Benchmark(Baseline = true)]
        public double Forward() => Workloads.Smoothness(_u, M);

        [Benchmark]
        public double Generated() => Workloads.SmoothnessGradient(_u, M, _gradient);

        [Benchmark]
        public double Hand() => HandWrittenKinds.Smoothness(_u, M, _gradient);

        public double FiniteDifferences() => throw new NotSupportedException("n = 4096 > 100: finite differences are not measured");

        public bool HasProposed => true;

        /// <summary>The generated code with its outer loop fused (<see cref="ProposedKinds.SmoothnessFused"/>).</summary>
        [Benchmark]
        public double Proposed() => ProposedKinds.SmoothnessFused(_u, M, _gradient);

        public double ProposedError()
        {
            var proposed = new double[_u.Length];
            var generated = new double[_u.Length];
            double value = ProposedKinds.SmoothnessFused(_u, M, proposed);
            double expected = Workloads.SmoothnessGradient(_u, M, generated);
            return value == expected ? CheckResult.Relative(proposed, generated) : double.NaN;
        }

        public CheckResult SelfCheck()
        {
            var generated = new double[_u.Length];
            var hand = new double[_u.Length];
            var fd = new double[_u.Length];
            Array.Fill(generated, double.NaN);   // every element must be written
            Array.Fill(hand, double.NaN);
            double value = Workloads.SmoothnessGradient(_u, M, generated);
            HandWrittenKinds.Smoothness(_u, M, hand);
            var function = new SmoothnessFunction(M);
            CentralDifferences.Gradient(ref function, (double[])_u.Clone(), fd);
            return new CheckResult(
                CheckResult.Relative(value, Forward()),
                CheckResult.Relative(generated, hand),
                CheckResult.Relative(generated, fd));
        }
    }

    /// <summary>W9 polyrec: the sum over N = 1000 points x_k = sin(0.37 k) of a degree-8 polynomial evaluated by
    /// Horner's recurrence, at c_d = 0.1 (d + 1) (-1)^d; active c (9).</summary>
    [MemoryDiagnoser]
    public class W9PolyRec : IWorkload
    {
        public const int N = 1_000, Degree = 8;
        private readonly double[] _gradient = new double[Degree + 1];
        private double[] _c = [], _x = [], _point = [];
        private PolySumFunction _function;

        public string Row => $"W9 polyrec N={N} degree={Degree}";

        public int OperationsPerInvoke => 1;

        public bool HasFiniteDifferences => true;

        [GlobalSetup]
        public void Setup()
        {
            (_c, _x) = DataKinds.Polynomial(N, Degree);
            _point = (double[])_c.Clone();
            _function = new PolySumFunction(_x);
        }

        [Benchmark(Baseline = true)]
        public double Forward() => Workloads.PolySum(_c, _x);

        [Benchmark]
        public double Generated() => Workloads.PolySumGradient(_c, _x, _gradient);

        [Benchmark]
        public double Hand() => HandWrittenKinds.PolySum(_c, _x, _gradient);

        [Benchmark]
        public double FiniteDifferences() => CentralDifferences.Gradient(ref _function, _point, _gradient);

        public bool HasProposed => false;

        public double Proposed() => throw new NotSupportedException();

        public double ProposedError() => 0;

        public CheckResult SelfCheck()
        {
            var generated = new double[_c.Length];
            var hand = new double[_c.Length];
            double value = Workloads.PolySumGradient(_c, _x, generated);
            HandWrittenKinds.PolySum(_c, _x, hand);
            FiniteDifferences();
            return new CheckResult(
                CheckResult.Relative(value, Forward()),
                CheckResult.Relative(generated, hand),
                CheckResult.Relative(generated, _gradient));
        }
    }

    /// <summary>W10 glm-poisson: mean Poisson regression loss over N = 2000 rows of d = 8 features
    /// X_ij = 0.5 sin(0.37 i + 1.3 j), counts y_i = floor(3 + 2.5 sin(0.7 i)), at w_j = 0.1 cos(j); active w (8).</summary>
    [MemoryDiagnoser]
    public class W10Poisson : IWorkload
    {
        public const int N = 2_000, D = 8;
        private readonly double[] _gradient = new double[D];
        private double[] _w = [], _xs = [], _y = [], _point = [];
        private PoissonFunction _function;

        public string Row => $"W10 glm-poisson N={N} d={D}";

        public int OperationsPerInvoke => 1;

        public bool HasFiniteDifferences => true;

        [GlobalSetup]
        public void Setup()
        {
            (_w, _xs, _y) = DataKinds.Counts(N, D);
            _point = (double[])_w.Clone();
            _function = new PoissonFunction(_xs, _y);
        }

        [Benchmark(Baseline = true)]
        public double Forward() => Workloads.Poisson(_w, _xs, _y);

        [Benchmark]
        public double Generated() => Workloads.PoissonGradient(_w, _xs, _y, _gradient);

        [Benchmark]
        public double Hand() => HandWrittenKinds.Poisson(_w, _xs, _y, _gradient);

        [Benchmark]
        public double FiniteDifferences() => CentralDifferences.Gradient(ref _function, _point, _gradient);

        public bool HasProposed => false;

        public double Proposed() => throw new NotSupportedException();

        public double ProposedError() => 0;

        public CheckResult SelfCheck()
        {
            var generated = new double[D];
            var hand = new double[D];
            double value = Workloads.PoissonGradient(_w, _xs, _y, generated);
            HandWrittenKinds.Poisson(_w, _xs, _y, hand);
            FiniteDifferences();
            return new CheckResult(
                CheckResult.Relative(value, Forward()),
                CheckResult.Relative(generated, hand),
                CheckResult.Relative(generated, _gradient));
        }
    }

    /// <summary>W10 over w.</summary>
    public readonly struct PoissonFunction : IScalarFunction
    {
        private readonly double[] _xs;
        private readonly double[] _y;

        public PoissonFunction(double[] xs, double[] y)
        {
            _xs = xs;
            _y = y;
        }

        public double Evaluate(ReadOnlySpan<double> p) => Workloads.Poisson(p, _xs, _y);
    }

    /// <summary>W7 over (w, b).</summary>
    public readonly struct HuberFunction : IScalarFunction
    {
        private readonly double[] _x;
        private readonly double[] _y;
        private readonly double _delta;

        public HuberFunction(double[] x, double[] y, double delta)
        {
            _x = x;
            _y = y;
            _delta = delta;
        }

        public double Evaluate(ReadOnlySpan<double> p) => Workloads.Huber(p[0], p[1], _x, _y, _delta);
    }

    /// <summary>W8 over u (used by the self-check only: n = 4096 > 100 is not timed).</summary>
    public readonly struct SmoothnessFunction : IScalarFunction
    {
        private readonly int _m;

        public SmoothnessFunction(int m) => _m = m;

        public double Evaluate(ReadOnlySpan<double> p) => Workloads.Smoothness(p, _m);
    }

    /// <summary>W9 over c.</summary>
    public readonly struct PolySumFunction : IScalarFunction
    {
        private readonly double[] _x;

        public PolySumFunction(double[] x) => _x = x;

        public double Evaluate(ReadOnlySpan<double> p) => Workloads.PolySum(p, _x);
    }

    /// <summary>The deterministic inputs of W8, W9 and W10 (W7 uses W1's <see cref="Data.Linear"/>).</summary>
    public static class DataKinds
    {
        /// <summary>W10: X_ij = 0.5 sin(0.37 i + 1.3 j), y_i = floor(3 + 2.5 sin(0.7 i)) (counts 0 to 5), w_j = 0.1 cos(j).</summary>
        public static (double[] W, double[] Xs, double[] Y) Counts(int n, int d)
        {
            var w = new double[d];
            var xs = new double[n * d];
            var y = new double[n];
            for (int j = 0; j < d; j++)
            {
                w[j] = 0.1 * Math.Cos(j);
            }

            for (int i = 0; i < n; i++)
            {
                y[i] = Math.Floor(3 + (2.5 * Math.Sin(0.7 * i)));
                for (int j = 0; j < d; j++)
                {
                    xs[(i * d) + j] = 0.5 * Math.Sin((0.37 * i) + (1.3 * j));
                }
            }

            return (w, xs, y);
        }

        /// <summary>W8: u_ij = sin(0.37 i + 1.3 j), row-major, <paramref name="rows"/> x <paramref name="m"/>.</summary>
        public static double[] Grid(int rows, int m)
        {
            var u = new double[rows * m];
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < m; j++)
                {
                    u[(i * m) + j] = Math.Sin((0.37 * i) + (1.3 * j));
                }
            }

            return u;
        }

        /// <summary>W9: c_d = 0.1 (d + 1) (-1)^d (d = 0 .. degree, highest degree first), x_k = sin(0.37 k).</summary>
        public static (double[] C, double[] X) Polynomial(int n, int degree)
        {
            var c = new double[degree + 1];
            var x = new double[n];
            for (int d = 0; d <= degree; d++)
            {
                c[d] = 0.1 * (d + 1) * ((d % 2 == 0) ? 1 : -1);
            }

            for (int k = 0; k < n; k++)
            {
                x[k] = Math.Sin(0.37 * k);
            }

            return (c, x);
        }
    }
}

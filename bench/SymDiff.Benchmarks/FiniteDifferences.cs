using System;

namespace SymDiff.Benchmarks
{
    /// <summary>A scalar function of a parameter vector, as a struct so that the difference loop is specialised
    /// and allocation-free.</summary>
    public interface IScalarFunction
    {
        double Evaluate(ReadOnlySpan<double> parameters);
    }

    /// <summary>Central finite differences: the value plus 2n evaluations, step h = 1e-6 * max(1, |p_i|).</summary>
    public static class CentralDifferences
    {
        /// <summary>Writes the gradient of <paramref name="function"/> at <paramref name="point"/> into
        /// <paramref name="gradient"/> and returns the value. <paramref name="point"/> is perturbed in place and
        /// restored exactly.</summary>
        public static double Gradient<TFunction>(ref TFunction function, Span<double> point, Span<double> gradient)
            where TFunction : struct, IScalarFunction
        {
            for (int i = 0; i < point.Length; i++)
            {
                double p = point[i];
                double h = 1e-6 * Math.Max(1.0, Math.Abs(p));
                point[i] = p + h;
                double plus = function.Evaluate(point);
                point[i] = p - h;
                double minus = function.Evaluate(point);
                point[i] = p;
                gradient[i] = (plus - minus) / (2 * h);
            }

            return function.Evaluate(point);
        }
    }

    /// <summary>W1 over (w, b).</summary>
    public readonly struct LinRegFunction : IScalarFunction
    {
        private readonly double[] _x;
        private readonly double[] _y;

        public LinRegFunction(double[] x, double[] y)
        {
            _x = x;
            _y = y;
        }

        public double Evaluate(ReadOnlySpan<double> p) => Workloads.LinReg(p[0], p[1], _x, _y);
    }

    /// <summary>W2.</summary>
    public readonly struct RosenbrockFunction : IScalarFunction
    {
        public double Evaluate(ReadOnlySpan<double> p) => Workloads.Rosenbrock(p);
    }

    /// <summary>W3 over w.</summary>
    public readonly struct LogRegFunction : IScalarFunction
    {
        private readonly double[] _x;
        private readonly double[] _t;

        public LogRegFunction(double[] x, double[] t)
        {
            _x = x;
            _t = t;
        }

        public double Evaluate(ReadOnlySpan<double> p) => Workloads.LogReg(p, _x, _t);
    }

    /// <summary>W4 over (w, x).</summary>
    public readonly struct TinyFunction : IScalarFunction
    {
        public double Evaluate(ReadOnlySpan<double> p) => Workloads.Tiny(p[0], p[1]);
    }

    /// <summary>W5 over w.</summary>
    public readonly struct PolyMseFunction : IScalarFunction
    {
        private readonly double[] _x;
        private readonly double[] _y;

        public PolyMseFunction(double[] x, double[] y)
        {
            _x = x;
            _y = y;
        }

        public double Evaluate(ReadOnlySpan<double> p) => Workloads.PolyMse(p, _x, _y);
    }
    /// <summary>W6 over p (used by the self-check only: n = 259 > 100 is not timed).</summary>
    public readonly struct MlpFunction : IScalarFunction
    {
        private readonly double[] _x;
        private readonly double[] _targets;
        private readonly int _inputs;
        private readonly int _hidden;

        public MlpFunction(double[] x, double[] targets, int inputs, int hidden)
        {
            _x = x;
            _targets = targets;
            _inputs = inputs;
            _hidden = hidden;
        }

        public double Evaluate(ReadOnlySpan<double> p) => Workloads.Mlp(p, _x, _targets, _inputs, _hidden);
    }
}

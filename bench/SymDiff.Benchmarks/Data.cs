using System;

namespace SymDiff.Benchmarks
{
    /// <summary>The deterministic inputs of shared/BENCHMARKS.md.</summary>
    public static class Data
    {
        /// <summary>x_i = (i % 97) / 9.7, y_i = 2 x_i + 5 + 0.1 sin(i).</summary>
        public static (double[] X, double[] Y) Linear(int n)
        {
            var x = new double[n];
            var y = new double[n];
            for (int i = 0; i < n; i++)
            {
                x[i] = (i % 97) / 9.7;
                y[i] = (2 * x[i]) + 5 + (0.1 * Math.Sin(i));
            }

            return (x, y);
        }

        /// <summary>W2's point: x_i = 1 + 0.1 sin(i).</summary>
        public static double[] RosenbrockPoint(int n)
        {
            var x = new double[n];
            for (int i = 0; i < n; i++)
            {
                x[i] = 1 + (0.1 * Math.Sin(i));
            }

            return x;
        }

        /// <summary>W3: X_ij = sin(0.37 i + 1.3 j) row-major, t_i = (i % 3 == 0) ? -1 : 1, w_j = 0.01 j.</summary>
        public static (double[] W, double[] X, double[] T) Logistic(int n, int d)
        {
            var w = new double[d];
            var x = new double[n * d];
            var t = new double[n];
            for (int j = 0; j < d; j++)
            {
                w[j] = 0.01 * j;
            }

            for (int i = 0; i < n; i++)
            {
                t[i] = (i % 3 == 0) ? -1 : 1;
                for (int j = 0; j < d; j++)
                {
                    x[(i * d) + j] = Math.Sin((0.37 * i) + (1.3 * j));
                }
            }

            return (w, x, t);
        }

        /// <summary>W5: 100 points x_k = -10 + 20 k / 99 on y = 5 x^2 + 3.</summary>
        public static (double[] X, double[] Y) Quadratic()
        {
            const int n = 100;
            var x = new double[n];
            var y = new double[n];
            for (int k = 0; k < n; k++)
            {
                x[k] = -10 + (20.0 * k / 99);
                y[k] = (5 * x[k] * x[k]) + 3;
            }

            return (x, y);
        }
    }
}

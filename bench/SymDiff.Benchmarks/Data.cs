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
        /// <summary>W6: X_sk = sin(0.37 s + 1.3 k) (batch x inputs, row-major), class s % 3 as one-hot targets
        /// (batch x 3), and the parameters p_i = 0.1 sin(i + 1), n = hidden * inputs + hidden + 3 * hidden + 3.</summary>
        public static (double[] P, double[] X, double[] Targets) Mlp(int batch, int inputs, int hidden)
        {
            var p = new double[(hidden * inputs) + hidden + (3 * hidden) + 3];
            var x = new double[batch * inputs];
            var targets = new double[batch * 3];
            for (int i = 0; i < p.Length; i++)
            {
                p[i] = 0.1 * Math.Sin(i + 1);
            }

            for (int s = 0; s < batch; s++)
            {
                for (int k = 0; k < inputs; k++)
                {
                    x[(s * inputs) + k] = Math.Sin((0.37 * s) + (1.3 * k));
                }

                targets[(3 * s) + (s % 3)] = 1;
            }

            return (p, x, targets);
        }
    }
}

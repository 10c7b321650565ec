using System;
using SymDiff;

namespace SymDiff.Benchmarks
{
    /// <summary>
    /// Workloads of kinds W1-W6 do not have (issue 12 item 5), written as a user would write them: a branchy robust
    /// loss (W7), a 2-D stencil over a flattened grid (W8), a nested polynomial recurrence (W9) and a generalised linear
    /// model with <c>Math.Exp</c> (W10).
    /// </summary>
    public static partial class Workloads
    {
        /// <summary>W7: mean Huber loss of the residuals r_i = y_i - (w x_i + b): 0.5 r^2 where |r| &lt; delta,
        /// delta (|r| - 0.5 delta) elsewhere.</summary>
        [Differentiable]
        public static double Huber(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y, [NoGrad] double delta)
        {
            double loss = 0;
            for (int i = 0; i < x.Length; i++)
            {
                double r = y[i] - ((w * x[i]) + b);
                if (Math.Abs(r) < delta)
                {
                    loss += 0.5 * r * r;
                }
                else
                {
                    loss += delta * (Math.Abs(r) - (0.5 * delta));
                }
            }

            return loss / x.Length;
        }

        /// <summary>W8: smoothness energy of a grid stored row-major with <paramref name="m"/> columns: the sum over
        /// (i, j) of the squared differences to the right and downward neighbours, (u[i, j+1] - u[i, j])^2 +
        /// (u[i+1, j] - u[i, j])^2, for i &lt; rows - 1, j &lt; m - 1.</summary>
        [Differentiable]
        public static double Smoothness(ReadOnlySpan<double> u, int m)
        {
            int rows = u.Length / m;
            double energy = 0;
            for (int i = 0; i < rows - 1; i++)
            {
                for (int j = 0; j < m - 1; j++)
                {
                    int k = (i * m) + j;
                    double dx = u[k + 1] - u[k];
                    double dy = u[k + m] - u[k];
                    energy += (dx * dx) + (dy * dy);
                }
            }

            return energy;
        }

        /// <summary>W9: the sum over the points x_k of the polynomial with coefficients <paramref name="c"/>
        /// (highest degree first), each evaluated by Horner's recurrence p = p x_k + c_d.</summary>
        [Differentiable]
        public static double PolySum(ReadOnlySpan<double> c, [NoGrad] ReadOnlySpan<double> x)
        {
            double total = 0;
            for (int k = 0; k < x.Length; k++)
            {
                double p = c[0];
                for (int d = 1; d < c.Length; d++)
                {
                    p = (p * x[k]) + c[d];
                }

                total += p;
            }

            return total;
        }
    
        /// <summary>W10: mean Poisson regression loss (negative log-likelihood up to a constant) of counts
        /// <paramref name="y"/> with a log link: mean_i exp(w . X_i) - y_i (w . X_i), X row-major with w.Length columns.</summary>
        [Differentiable]
        public static double Poisson(ReadOnlySpan<double> w, [NoGrad] ReadOnlySpan<double> xs, [NoGrad] ReadOnlySpan<double> y)
        {
            int d = w.Length;
            double loss = 0;
            for (int i = 0; i < y.Length; i++)
            {
                double z = 0;
                for (int j = 0; j < d; j++)
                {
                    z += w[j] * xs[(i * d) + j];
                }

                loss += Math.Exp(z) - (y[i] * z);
            }

            return loss / y.Length;
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using PolynomialAdam;
using Samples;
using SymDiff;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
SampleOptions? options = SampleOptions.Parse(args, "PolynomialAdam", allowNoReset: false);
if (options is null)
{
    return 2;
}

const int Steps = 1000;

// Data (workload W5 of shared/BENCHMARKS.md): 100 points x_k = -10 + 20k/99 on y = 5x^2 + 3.
const int N = 100;
double[] x = new double[N], y = new double[N];
for (int k = 0; k < N; k++)
{
    x[k] = -10 + (20.0 * k / 99);
    y[k] = (5 * x[k] * x[k]) + 3;
}

// Model yhat = w0*x^2 + w1*x + w2, PyTorch's torch.optim.Adam(params, lr=0.1) with its default betas and eps.
double[] w = { 0.1, -0.2, 0.3 };
double[] grad = new double[w.Length];
var optimizer = new Adam(w, grad, learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8);

Console.WriteLine($"Fitting yhat = w0*x^2 + w1*x + w2 to {N} points of y = 5x^2 + 3: Adam, lr = 0.1, {Steps} steps");
var losses = new List<double>(Steps);
for (int step = 1; step <= Steps; step++)
{
    double loss = Model.MseGradient(w, x, y, grad);   // forward and loss.backward() in one call; grad is overwritten
    optimizer.Step();                                 // optimizer.step()
    losses.Add(loss);
    if (step == 1 || step % 100 == 0)
    {
        Console.WriteLine($"step {step,4}  loss {loss,12:G6}  w = ({F5(w[0]),9}, {F5(w[1]),9}, {F5(w[2]),9})");
    }
}

Console.WriteLine();
LossCurve.Print(losses, "step");
Console.WriteLine();
Console.WriteLine("final weights (true: 5, 0, 3):");
for (int i = 0; i < w.Length; i++)
{
    Console.WriteLine($"  w{i} = {w[i].ToString("R", CultureInfo.InvariantCulture)}");
}

Console.WriteLine($"final loss = {Model.Mse(w, x, y).ToString("R", CultureInfo.InvariantCulture)}");

if (options.CsvPath is not null)
{
    LossCurve.WriteCsv(options.CsvPath, losses);
    Console.WriteLine($"wrote {options.CsvPath}");
}

if (options.SvgPath is not null)
{
    LossCurve.WriteSvg(options.SvgPath, losses, "Quadratic fit, Adam (lr 0.1)", "step");
    Console.WriteLine($"wrote {options.SvgPath}");
}

return 0;

// Five decimals, without printing a tiny negative number as "-0.00000".
static string F5(double value) => (Math.Round(value, 5) + 0.0).ToString("F5", CultureInfo.InvariantCulture);

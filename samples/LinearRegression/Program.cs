using System;
using System.Collections.Generic;
using System.Globalization;
using LinearRegression;
using Samples;
using SymDiff;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
SampleOptions? options = SampleOptions.Parse(args, "LinearRegression", allowNoReset: true);
if (options is null)
{
    return 2;
}

const int Epochs = 1000;
const double LearningRate = 0.02;

// Data: y = 2x + 5 plus a little deterministic noise (the generator of shared/BENCHMARKS.md, N = 100).
const int N = 100;
double[] x = new double[N], y = new double[N];
for (int i = 0; i < N; i++)
{
    x[i] = (i % 97) / 9.7;
    y[i] = (2 * x[i]) + 5 + (0.1 * Math.Sin(i));
}

// The parameters (w, b) and their gradient buffer: PyTorch's param.data and param.grad.
double[] parameters = { 0.0, 0.0 };
double[] gradients = new double[2];
var optimizer = new Sgd(parameters, gradients, learningRate: LearningRate);

Console.WriteLine($"Fitting y = w*x + b to {N} points of y = 2x + 5 + noise: SGD, lr = {LearningRate}, {Epochs} epochs"
    + (options.NoReset ? ", WITHOUT zero_grad()" : string.Empty));
var losses = new List<double>(Epochs);
for (int epoch = 1; epoch <= Epochs; epoch++)
{
    double loss = Model.Mse(parameters[0], parameters[1], x, y);                                      // loss = criterion(model(x), y)
    Model.MseBackward(parameters[0], parameters[1], x, y, 1.0, ref gradients[0], ref gradients[1]);  // loss.backward()
    optimizer.Step();                                                                                 // optimizer.step()
    if (!options.NoReset)
    {
        optimizer.ZeroGrad();                                                                         // optimizer.zero_grad()
    }

    losses.Add(loss);
    if (epoch == 1 || epoch % 100 == 0)
    {
        Console.WriteLine($"epoch {epoch,4}  loss {loss,12:G6}  w {parameters[0],10:F5}  b {parameters[1],10:F5}");
    }
}

Console.WriteLine();
LossCurve.Print(losses);
Console.WriteLine();
Console.WriteLine($"w = {parameters[0]:F6}, b = {parameters[1]:F6}   (true: w = 2, b = 5)");
if (options.NoReset)
{
    Console.WriteLine("Without zero_grad() the gradient buffer holds the SUM of every gradient so far: the loss oscillates and never converges.");
}

if (options.CsvPath is not null)
{
    LossCurve.WriteCsv(options.CsvPath, losses);
    Console.WriteLine($"wrote {options.CsvPath}");
}

if (options.SvgPath is not null)
{
    LossCurve.WriteSvg(options.SvgPath, losses, "Linear regression, SGD" + (options.NoReset ? " without zero_grad()" : string.Empty));
    Console.WriteLine($"wrote {options.SvgPath}");
}

return 0;

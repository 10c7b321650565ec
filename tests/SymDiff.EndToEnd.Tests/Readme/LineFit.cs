using System;
using SymDiff;

public static partial class LineFit
{
    // Mean squared error of the line w * x + b on the data (x, y).
    [Differentiable]
    public static double Loss(double w, double b, [NoGrad] ReadOnlySpan<double> x, [NoGrad] ReadOnlySpan<double> y)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double r = w * x[i] + b - y[i];
            sum += r * r;
        }

        return sum / x.Length;
    }

    public static double[] Train(double[] x, double[] y, int epochs)
    {
        double[] parameters = { 0.0, 0.0 };   // w and b (PyTorch: the parameters' .data)
        double[] gradients = new double[2];   // dLoss/dw and dLoss/db (PyTorch: the parameters' .grad)
        var optimizer = new Sgd(parameters, gradients, learningRate: 0.05);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            optimizer.ZeroGrad();                                                                     // optimizer.zero_grad()
            LossBackward(parameters[0], parameters[1], x, y, 1.0, ref gradients[0], ref gradients[1]); // loss.backward()
            optimizer.Step();                                                                         // optimizer.step()
        }

        return parameters;
    }
}

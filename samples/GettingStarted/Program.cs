using System;
using System.Globalization;
using GettingStarted;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

Console.WriteLine("SymDiff: derivatives generated at compile time");
Console.WriteLine();

// 1. Value and gradient in one call. Gradient outputs are overwritten.
double y = Examples.YGradient(1.0, 2.0, out double dW, out double dX);
Console.WriteLine("1. y = (w + x) * (w + 1) at w = 1, x = 2");
Console.WriteLine($"   y = {y}, dy/dw = {dW}, dy/dx = {dX}");
Console.WriteLine();

// 2. Backward accumulates into its gradient arguments, like .grad in PyTorch.
Console.WriteLine("2. z = (w + x) * (w * x) at w = 1, x = 2; ZBackward called four times");
double gw = 0, gx = 0;
var accumulated = new double[4];
#pragma warning disable SD2001 // on purpose: this loop shows what happens without a reset (SymDiff warns here)
for (int i = 0; i < 4; i++)
{
    Examples.ZBackward(1.0, 2.0, 1.0, ref gw, ref gx);
    accumulated[i] = gw;
}
#pragma warning restore SD2001

var reset = new double[4];
for (int i = 0; i < 4; i++)
{
    gw = 0; // zero_grad()
    gx = 0;
    Examples.ZBackward(1.0, 2.0, 1.0, ref gw, ref gx);
    reset[i] = gw;
}

Console.WriteLine($"   without resetting:     dz/dw = {string.Join(", ", accumulated)}");
Console.WriteLine($"   zeroed before each:    dz/dw = {string.Join(", ", reset)}");
Console.WriteLine("   (gradients add up, so reset them before each training step, as with optimizer.zero_grad())");
Console.WriteLine();

// 3. Grad.Detach: a value without a gradient.
Examples.SquareGradient(3.0, out double dSquare);
Examples.SquareDetachedGradient(3.0, out double dDetached);
Console.WriteLine("3. Grad.Detach stops the gradient, at x = 3");
Console.WriteLine($"   d/dx x * x              = {dSquare}");
Console.WriteLine($"   d/dx x * Grad.Detach(x) = {dDetached}");
Console.WriteLine();

// 4. Grad.Retain: the gradient of an intermediate value (PyTorch a.retain_grad(), then a.grad).
double yr = Examples.YRetainedGradientRetained(1.0, 2.0, out double rW, out double rX, out double rA);
Console.WriteLine("4. a = Grad.Retain(w + x); b = w + 1; y = a * b at w = 1, x = 2");
Console.WriteLine($"   y = {yr}, w.grad = {rW}, x.grad = {rX}, a.grad = {rA}");
Console.WriteLine();

// 5. The same for a vector: b.backward(ones) is BBackward with a seed of ones.
double[] bx = { 1, 2 }, by = { 3, 4 }, bz = { 5, 6 }, bOut = new double[2];
double[] bdX = new double[2], bdY = new double[2], bdZ = new double[2];
Examples.BBackwardRetained(bx, by, bz, bOut, new[] { 1.0, 1.0 }, bdX, bdY, bdZ, out double dA0, out double dA1);
Console.WriteLine("5. a = Grad.Retain(x + 2 * y); b = a + z / 2; b.backward(ones)");
Console.WriteLine($"   a.grad = [{dA0}, {dA1}], x.grad = [{bdX[0]}, {bdX[1]}], y.grad = [{bdY[0]}, {bdY[1]}], z.grad = [{bdZ[0]}, {bdZ[1]}]");
Console.WriteLine();

// 6. The graph each method was differentiated from: leaves (is_leaf), and the grad_fn of every node.
Console.WriteLine("6. Examples.YRetainedGraph");
Console.Write(Examples.YRetainedGraph);

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

namespace SymDiff.Analyzers.Tests.Infrastructure
{
    /// <summary>Differentiable functions that training-loop tests call the generated methods of.</summary>
    public static class TestSources
    {
        /// <summary>
        /// <c>Model.Loss(w, b, x, y)</c>, a squared error (generated: <c>LossGradient</c>, <c>LossBackward(w, b, x, y,
        /// seed, ref dW, ref dB)</c>), and <c>Model.Dot(w, x)</c> over spans (<c>DotBackward(w, x, seed, Span dW)</c>).
        /// Append it to a test source: the markers stay where the test wrote them.
        /// </summary>
        public const string Model = @"
public static partial class Model
{
    [SymDiff.Differentiable]
    public static double Loss(double w, double b, [SymDiff.NoGrad] double x, [SymDiff.NoGrad] double y)
    {
        double r = w * x + b - y;
        return r * r;
    }

    [SymDiff.Differentiable]
    public static double Dot(System.ReadOnlySpan<double> w, [SymDiff.NoGrad] System.ReadOnlySpan<double> x)
    {
        double s = 0;
        for (int i = 0; i < w.Length; i++)
        {
            s += w[i] * x[i];
        }

        return s;
    }
}
";
    }
}

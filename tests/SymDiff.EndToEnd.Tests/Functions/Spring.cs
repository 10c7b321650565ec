namespace SymDiff.EndToEnd.Tests.Functions
{
    /// <summary>An instance method: the spring's properties are constants of the differentiation.</summary>
    public sealed partial class Spring
    {
        public Spring(double stiffness, double restLength)
        {
            Stiffness = stiffness;
            RestLength = restLength;
        }

        public double Stiffness { get; }

        public double RestLength { get; }

        /// <summary>The elastic energy k (x - L)^2 / 2 at length x; its derivative is the force magnitude k (x - L).</summary>
        [Differentiable]
        public double Energy(double x)
        {
            double stretch = x - RestLength;
            return 0.5 * Stiffness * stretch * stretch;
        }
    }
}

namespace SymDiff.Generator.Helpers
{
    /// <summary>Order-dependent hash combining (netstandard2.0 has no System.HashCode).</summary>
    internal static class Hash
    {
        public static int Combine(int a, int b)
        {
            unchecked
            {
                return (a * -1521134295) + b;
            }
        }
    }
}

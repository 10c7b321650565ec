namespace SymDiff.Generator.Parsing
{
    /// <summary>Metadata names the parser recognises.</summary>
    internal static class KnownNames
    {
        public const string DifferentiableAttribute = "SymDiff.DifferentiableAttribute";
        public const string NoGradAttribute = "SymDiff.NoGradAttribute";
        public const string DerivativeOfAttribute = "SymDiff.DerivativeOfAttribute";
        public const string AccumulatesAttribute = "SymDiff.AccumulatesAttribute";
        public const string Grad = "SymDiff.Grad";
    }
}

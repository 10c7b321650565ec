using System.Collections.Generic;
using SymDiff.Generator.IR;

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

        /// <summary>
        /// The functions of <c>System.Math</c>, <c>System.MathF</c>, <c>double</c> and <c>float</c> that have a
        /// derivative rule, by method name. <c>Log</c> with two arguments is <see cref="KnownFunction.LogBase"/>.
        /// </summary>
        public static readonly IReadOnlyDictionary<string, KnownFunction> MathFunctions = new Dictionary<string, KnownFunction>
        {
            ["Sin"] = KnownFunction.Sin,
            ["Cos"] = KnownFunction.Cos,
            ["Tan"] = KnownFunction.Tan,
            ["Asin"] = KnownFunction.Asin,
            ["Acos"] = KnownFunction.Acos,
            ["Atan"] = KnownFunction.Atan,
            ["Atan2"] = KnownFunction.Atan2,
            ["Sinh"] = KnownFunction.Sinh,
            ["Cosh"] = KnownFunction.Cosh,
            ["Tanh"] = KnownFunction.Tanh,
            ["Exp"] = KnownFunction.Exp,
            ["Log"] = KnownFunction.Log,
            ["Log2"] = KnownFunction.Log2,
            ["Log10"] = KnownFunction.Log10,
            ["Pow"] = KnownFunction.Pow,
            ["Sqrt"] = KnownFunction.Sqrt,
            ["Cbrt"] = KnownFunction.Cbrt,
            ["Abs"] = KnownFunction.Abs,
            ["Max"] = KnownFunction.Max,
            ["Min"] = KnownFunction.Min,
            ["Clamp"] = KnownFunction.Clamp,
            ["FusedMultiplyAdd"] = KnownFunction.FusedMultiplyAdd,
            ["Floor"] = KnownFunction.Floor,
            ["Ceiling"] = KnownFunction.Ceiling,
            ["Round"] = KnownFunction.Round,
            ["Truncate"] = KnownFunction.Truncate,
            ["Sign"] = KnownFunction.Sign,
        };

        /// <summary>The C# name of a known function, as the emitter writes it after <c>Math.</c> or <c>MathF.</c>.</summary>
        public static string MethodName(KnownFunction f) => f == KnownFunction.LogBase ? "Log" : f.ToString();
    }
}

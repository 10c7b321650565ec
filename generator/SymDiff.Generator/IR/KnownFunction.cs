namespace SymDiff.Generator.IR
{
    /// <summary>
    /// The IR's key for a mathematical function SymDiff knows a derivative for. Everything else about a function (its
    /// C# names and arity, derivative rule, piecewise-constant flag, printed form, fuzzer domain) is its row in
    /// <c>Rules/MathFunctions.cs</c>; <c>Math.Sin</c>, <c>MathF.Sin</c>, <c>double.Sin</c> and <c>float.Sin</c> are one row.
    /// </summary>
    internal enum KnownFunction
    {
        Sin,
        Cos,
        Tan,
        Asin,
        Acos,
        Atan,
        Atan2,
        Sinh,
        Cosh,
        Tanh,
        Exp,
        Log,
        LogBase,
        Log2,
        Log10,
        Pow,
        Sqrt,
        Cbrt,
        Abs,
        Max,
        Min,
        Clamp,
        FusedMultiplyAdd,
        Floor,
        Ceiling,
        Round,
        Truncate,
        Sign,

        /// <summary><c>Grad.Detach(x)</c>: the identity with a zero derivative.</summary>
        Detach,

        /// <summary><c>Grad.Retain(x)</c>: the identity (derivative 1); the local it is assigned to is retained.</summary>
        Retain,

        // Appended, so that the members above keep their values (and existing IR its orderings and hashes).
        Asinh,
        Acosh,
        Atanh,

        /// <summary>
        /// <c>double.Clamp</c> / <c>float.Clamp</c> (INumber's): the same derivative as <see cref="Clamp"/>, but not the same
        /// value at signed zeros (<c>double.Clamp(-0.0, 0.0, 1.0)</c> is +0, <c>Math.Clamp</c>'s is -0), so it is printed as
        /// the user wrote it, for the bit-exact value.
        /// </summary>
        ClampNumber,

        /// <summary>
        /// <c>Math.Round(x, digits)</c> (and <c>Math.Round(x, mode)</c>, <c>Math.Round(x, digits, mode)</c>): piecewise constant
        /// like <see cref="Round"/>; the other arguments are data, printed as the user passed them.
        /// </summary>
        RoundDigits,

        /// <summary><c>Math.Round(x, digits, mode)</c>.</summary>
        RoundDigitsMode,
    }
}

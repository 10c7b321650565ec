namespace SymDiff.Generator.IR
{
    /// <summary>
    /// The mathematical functions SymDiff knows a derivative for. The parser maps <c>Math.Sin</c>,
    /// <c>MathF.Sin</c>, <c>double.Sin</c> and <c>float.Sin</c> to the same entry; the derivative table in
    /// <c>Rules/DerivativeRules.cs</c> is keyed by it.
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
    }
}

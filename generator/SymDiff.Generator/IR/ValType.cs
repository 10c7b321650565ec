namespace SymDiff.Generator.IR
{
    /// <summary>The value types the IR knows. Everything else in a differentiable body is rejected by the parser.</summary>
    internal enum ValType
    {
        /// <summary>IEEE double; differentiable.</summary>
        Double,

        /// <summary>IEEE single; differentiable.</summary>
        Float,

        /// <summary>32-bit integer; data only (indices, counters).</summary>
        Int,

        /// <summary>Boolean; data only (conditions).</summary>
        Bool,

        /// <summary>A value of some other type used only as a call receiver (an object instance).</summary>
        Object,

        /// <summary>The tuple a k-argument custom derivative rule returns.</summary>
        Tuple,

        /// <summary>A whole array or span, passed to another method.</summary>
        Span,
    }

    /// <summary>Facts about <see cref="ValType"/>.</summary>
    internal static class ValTypes
    {
        public static bool IsFloating(this ValType t) => t == ValType.Double || t == ValType.Float;

        /// <summary>The size of one element in bytes (a buffer's, a tape's).</summary>
        public static int Bytes(this ValType t) => t switch { ValType.Double => 8, ValType.Float or ValType.Int => 4, _ => 1 };

        /// <summary>The C# keyword for a type, as the emitter writes it.</summary>
        public static string Keyword(this ValType t) => t switch
        {
            ValType.Double => "double",
            ValType.Float => "float",
            ValType.Int => "int",
            ValType.Bool => "bool",
            _ => "var",
        };
    }
}

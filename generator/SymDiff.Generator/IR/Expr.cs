using System.Globalization;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.IR
{
    /// <summary>
    /// An expression of the IR: a pure, immutable tree with structural equality, so equal subexpressions
    /// compare equal and can be shared (common-subexpression elimination works on that equality).
    /// </summary>
    /// <remarks>
    /// Every node precomputes its hash in its constructor, so hashing a large tree is O(1) per node. Never
    /// use a <c>with</c> expression on a node: it would copy the cached hash of the original.
    /// </remarks>
    internal abstract record Expr(ValType Type);

    /// <summary>A literal. Booleans are 0 and 1; integers are exact in a double up to 2^53.</summary>
    /// <remarks>
    /// A floating-point zero the user wrote (or that the parser derived from what the user wrote) is a
    /// <em>value</em> zero (<see cref="IsValueZero"/>): IEEE arithmetic decides what it makes of its neighbours
    /// (<c>0 * Math.Log(x)</c> has the derivative <c>0 * (1 / x)</c>, NaN at 0, as in PyTorch), so the simplifier
    /// never folds it away with a term that may be infinite. Every other zero is <em>structural</em>: a path no
    /// gradient reaches, which differentiation drops. The two compare unequal.
    /// </remarks>
    internal sealed record Const : Expr
    {
        private readonly int _hash;

        private Const(double value, ValType type, bool isValueZero)
            : base(type)
        {
            Value = value;
            IsValueZero = isValueZero;
            _hash = Hash.Combine(Hash.Combine(value.GetHashCode(), (int)type), isValueZero ? 1 : 0);
        }

        public double Value { get; }

        /// <summary>A floating-point zero of the user's own arithmetic (see the remarks).</summary>
        public bool IsValueZero { get; }

        public static readonly Const Zero = Of(0, ValType.Double);
        public static readonly Const One = Of(1, ValType.Double);
        public static readonly Const True = Of(1, ValType.Bool);
        public static readonly Const False = Of(0, ValType.Bool);

        /// <summary>A literal SymDiff makes (a structural zero when 0).</summary>
        public static Const Of(double value, ValType type) => new Const(value, type, false);

        /// <summary>A literal of the user's code: a floating-point zero is a value zero.</summary>
        public static Const FromSource(double value, ValType type) => new Const(value, type, value == 0 && type.IsFloating());

        public bool IsZero => Value == 0;

        public bool IsOne => Value == 1;

        /// <summary>The same literal with another value, keeping whether it is a value zero (for folding and conversions).</summary>
        public Const WithValue(double value, ValType type) => new Const(value, type, IsValueZero && value == 0 && type.IsFloating());

        public bool Equals(Const? other) =>
            other is not null && Type == other.Type && Value.Equals(other.Value) && IsNegativeZero(Value) == IsNegativeZero(other.Value) && IsValueZero == other.IsValueZero;

        public override int GetHashCode() => _hash;

        private static bool IsNegativeZero(double v) => v == 0 && double.IsNegativeInfinity(1 / v);

        public override string ToString() => Value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>A scalar variable: a scalar parameter or an SSA value (a local, a temporary, an adjoint).</summary>
    internal sealed record Var(string Name, ValType Type) : Expr(Type)
    {
        private readonly int _hash = Hash.Combine(Name.GetHashCode(), (int)Type);

        public override int GetHashCode() => _hash;
    }

    /// <summary>An element of an array or span: a parameter, or a buffer the generated code owns.</summary>
    internal sealed record Elem(string Array, Expr Index, ValType Type) : Expr(Type)
    {
        private readonly int _hash = Hash.Combine(Hash.Combine(Array.GetHashCode(), Index.GetHashCode()), (int)Type);

        public override int GetHashCode() => _hash;
    }

    /// <summary>The length of an array or span parameter.</summary>
    internal sealed record Len(string Array) : Expr(ValType.Int)
    {
        private readonly int _hash = Hash.Combine(Array.GetHashCode(), 7);

        public override int GetHashCode() => _hash;
    }

    /// <summary>Unary operators; <see cref="UnaryOp.Convert"/> converts to the node's type.</summary>
    internal enum UnaryOp
    {
        Neg,
        Not,
        Convert,
    }

    internal sealed record Unary(UnaryOp Op, Expr Operand, ValType Type) : Expr(Type)
    {
        private readonly int _hash = Hash.Combine(Hash.Combine((int)Op, Operand.GetHashCode()), (int)Type);

        public override int GetHashCode() => _hash;
    }

    /// <summary>Binary operators. <c>And</c> and <c>Or</c> are the short-circuit <c>&amp;&amp;</c> and <c>||</c>.</summary>
    internal enum BinaryOp
    {
        Add,
        Sub,
        Mul,
        Div,
        Rem,
        Lt,
        Le,
        Gt,
        Ge,
        Eq,
        Ne,
        And,
        Or,
    }

    internal sealed record Binary(BinaryOp Op, Expr Left, Expr Right, ValType Type) : Expr(Type)
    {
        private readonly int _hash = Hash.Combine(Hash.Combine(Hash.Combine((int)Op, Left.GetHashCode()), Right.GetHashCode()), (int)Type);

        public override int GetHashCode() => _hash;
    }

    /// <summary>The conditional operator <c>c ? a : b</c>.</summary>
    internal sealed record Cond(Expr Condition, Expr WhenTrue, Expr WhenFalse, ValType Type) : Expr(Type)
    {
        private readonly int _hash = Hash.Combine(Hash.Combine(Condition.GetHashCode(), WhenTrue.GetHashCode()), WhenFalse.GetHashCode());

        public override int GetHashCode() => _hash;
    }

    /// <summary>A call of a function from the derivative table.</summary>
    internal sealed record Call(KnownFunction Function, EquatableArray<Expr> Args, ValType Type) : Expr(Type)
    {
        private readonly int _hash = Hash.Combine(Hash.Combine((int)Function, Args.GetHashCode()), (int)Type);

        public override int GetHashCode() => _hash;
    }

    /// <summary>
    /// A call of a user method: another <c>[Differentiable]</c> method, a function with a
    /// <c>[DerivativeOf]</c> rule, a rule itself, or a plain method called on data only.
    /// </summary>
    internal sealed record UserCall(CalleeSpec Callee, Expr? Receiver, EquatableArray<Expr> Args, ValType Type) : Expr(Type)
    {
        private readonly int _hash = Hash.Combine(Hash.Combine(Callee.GetHashCode(), Args.GetHashCode()), Receiver?.GetHashCode() ?? 0);

        public override int GetHashCode() => _hash;
    }

    /// <summary>Item <see cref="Index"/> (0-based) of the tuple a multi-argument custom rule returns.</summary>
    internal sealed record TupleItem(Expr Tuple, int Index, ValType Type) : Expr(Type)
    {
        private readonly int _hash = Hash.Combine(Tuple.GetHashCode(), Index);

        public override int GetHashCode() => _hash;
    }

    /// <summary>
    /// A read of a field, property or <c>this</c>: a constant as far as differentiation goes. <see cref="Code"/> is
    /// the C# that reads it from inside the containing type (fully qualified where needed).
    /// </summary>
    internal sealed record Opaque(string Code, ValType Type) : Expr(Type)
    {
        private readonly int _hash = Hash.Combine(Code.GetHashCode(), (int)Type);

        public override int GetHashCode() => _hash;
    }
}

namespace SymDiff.Generator.IR
{
    /// <summary>A whole array or span parameter (or a buffer), passed as an argument. <see cref="Element"/> is its element type.</summary>
    internal sealed record SpanRef(string Array, ValType Element) : Expr(ValType.Span)
    {
        private readonly int _hash = Hash.Combine(Array.GetHashCode(), 11);

        public override int GetHashCode() => _hash;
    }
}

namespace SymDiff.Generator.IR
{
    /// <summary>
    /// A view of <see cref="Length"/> elements of <see cref="Array"/> from <see cref="Start"/>: a slice of a span parameter
    /// (<c>hessian.Slice(i * n, n)</c>), or of an array (<c>new Span&lt;T&gt;(buffer, 0, length)</c> over a pooled buffer).
    /// </summary>
    /// <param name="OverArray">Whether <see cref="Array"/> is a <c>T[]</c> (an array parameter) rather than a span (pooled buffers are spans of their exact length, <see cref="RentBuffer.Grown"/>).</param>
    /// <param name="Row">
    /// A loop's row (<c>Checks.Row(array, start, length)</c>, <see cref="Simplification.Scheduler"/>'s row views): the
    /// <c>IndexOutOfRangeException</c> of the loop's own reads when the range is outside the array, empty when
    /// <see cref="Length"/> is 0. <see cref="Length"/> is never negative.
    /// </param>
    internal sealed record SpanView(string Array, Expr Start, Expr Length, ValType Element, bool ReadOnly, bool OverArray, bool Row = false) : Expr(ValType.Span)
    {
        private readonly int _hash = Hash.Combine(Hash.Combine(Hash.Combine(Array.GetHashCode(), Start.GetHashCode()), Length.GetHashCode()), (ReadOnly ? 2 : 0) + (OverArray ? 1 : 0) + (Row ? 4 : 0));

        public override int GetHashCode() => _hash;

        /// <summary><c>buffer.Slice(0, length)</c>: all of a pooled scratch buffer that is in use.</summary>
        public static SpanView Scratch(string buffer, Expr length, ValType element) => new SpanView(buffer, Const.Of(0, ValType.Int), length, element, false, false);
    }
}

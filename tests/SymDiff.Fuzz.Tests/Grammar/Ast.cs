using System.Collections.Immutable;

namespace SymDiff.Fuzz.Tests.Grammar
{
    // The random programs of the fuzzer: a small C# subset, exactly what README.md lists as supported inside a
    // [Differentiable] method. Every node is a record, so programs compare and print by value. The generator
    // (ProgramGenerator) keeps indices in bounds and arguments inside their functions' domains by construction;
    // the renderer (Renderer) prints the same tree as the user's method and as the dual-number oracle.

    /// <summary>Floating-point precision of a method (a method is all-double or all-float).</summary>
    public enum Precision
    {
        Double,
        Float,
    }

    /// <summary>What a parameter is.</summary>
    public enum ParamKind
    {
        /// <summary><c>double x</c></summary>
        Scalar,

        /// <summary><c>double[] u</c></summary>
        Array,

        /// <summary><c>ReadOnlySpan&lt;double&gt; u</c></summary>
        Span,

        /// <summary><c>int n</c>: data.</summary>
        Int,

        /// <summary><c>Span&lt;double&gt; o</c>: the output of a vector function.</summary>
        Output,

        /// <summary><c>P{Id} peer</c>: another instance of an instance program's class (data), whose helpers and fields the method may use.</summary>
        Peer,
    }

    /// <summary>A parameter with the value the fuzzer passes (scalars: one value; arrays: the elements; int: <see cref="IntValue"/>).</summary>
    public sealed record Param(string Name, ParamKind Kind, bool NoGrad, ImmutableArray<double> Values, int IntValue)
    {
        public bool IsVector => Kind is ParamKind.Array or ParamKind.Span;

        public int Length => Kind == ParamKind.Scalar ? 1 : Values.Length;
    }

    // ------------------------------------------------------------------ integer expressions (data only)

    /// <summary>An <c>int</c> expression: loop counters, lengths, offsets. Never active.</summary>
    public abstract record IEx;

    public sealed record IConst(int Value) : IEx;

    public sealed record IVar(string Name) : IEx;

    /// <summary><c>u.Length</c></summary>
    public sealed record ILen(string Array) : IEx;

    /// <summary><c>e + c</c> or <c>e - c</c> (c may be negative).</summary>
    public sealed record IOffset(IEx E, int C) : IEx;

    /// <summary><c>Math.Min(e, u.Length - 1)</c>: an index kept in bounds (u is not empty).</summary>
    public sealed record IClampIndex(IEx E, string Array) : IEx;

    /// <summary><c>e % c</c></summary>
    public sealed record IMod(IEx E, int C) : IEx;

    /// <summary>
    /// A row of a 2-D layout, <c>row * Width + col</c> (<c>row + col</c> when <paramref name="Width"/> is 1, a sliding window):
    /// in a loop over <paramref name="Col"/> nested in one over <paramref name="Row"/>, a unit-stride row with an offset the
    /// inner loop does not change, which SymDiff reads through a row view and, under <c>Vectorize = true</c>, in lanes.
    /// </summary>
    public sealed record IRow(IEx Row, int Width, IEx Col) : IEx;

    /// <summary>
    /// An element of a row-major grid whose row length is the int parameter: <c>(row + RowOffset) * n + col + ColOffset</c>,
    /// in a nest over rows (<paramref name="Row"/>) and columns (<paramref name="Col"/>): the shape of a 2-D stencil, whose
    /// adjoint the scheduler's <c>OverwriteRows</c> stores instead of zeroing and adding (<see cref="FuzzGrammar.Grids"/>).
    /// </summary>
    public sealed record IGrid(IEx Row, int RowOffset, string Stride, IEx Col, int ColOffset) : IEx;

    /// <summary><c>(int)Math.Abs(e) % c</c>: a real value (usually data) cast to an index; in bounds for any value, NaN and overflow included (the cast saturates).</summary>
    public sealed record ICastIndex(Ex E, int C) : IEx;

    /// <summary><c>D0.Length</c>: the length of a constant-data member (<see cref="DataMember"/>), spelled as <see cref="Access"/> says.</summary>
    public sealed record IDataLen(string Name, MemberAccess Access) : IEx;

    /// <summary><c>T0[e]</c>: an element of an <c>int[]</c> table (<see cref="DataKind.IntTable"/>) used as an index; its values are below <see cref="DataMember.TableBound"/>.</summary>
    public sealed record ITableAt(string Name, MemberAccess Access, IEx Index) : IEx;

    // ------------------------------------------------------------------ real expressions

    /// <summary>A <c>double</c> (or <c>float</c>) expression.</summary>
    public abstract record Ex;

    public sealed record Num(double Value) : Ex;

    /// <summary>A real local or scalar parameter.</summary>
    public sealed record Ref(string Name) : Ex;

    /// <summary>A <c>const</c> local (<see cref="DeclConst"/>).</summary>
    public sealed record ConstRef(string Name) : Ex;

    /// <summary>A field or property of the program's class (<see cref="Member"/>), read as a constant.</summary>
    public sealed record MemberRef(string Name, MemberAccess Access) : Ex;

    /// <summary>How a member is spelled where it is read.</summary>
    public enum MemberAccess
    {
        /// <summary><c>A0</c></summary>
        Bare,

        /// <summary><c>P{Id}.A0</c> (static) or <c>this.W0</c> (instance).</summary>
        Qualified,

        /// <summary><c>peer.W0</c>: the field of the other instance.</summary>
        Peer,
    }

    /// <summary><c>D0[i]</c>: an element of a constant-data member (array field, span property), read as a constant.</summary>
    public sealed record DataAt(string Name, MemberAccess Access, IEx Index) : Ex;

    /// <summary><c>(double)i</c>: an int used as a factor.</summary>
    public sealed record FromInt(IEx E) : Ex;

    /// <summary><c>u[i]</c> (also the output span, read back after it was written).</summary>
    public sealed record At(string Array, IEx Index) : Ex;

    /// <summary><c>l op r</c> for <c>+ - *</c>.</summary>
    public sealed record Bin(char Op, Ex L, Ex R) : Ex;

    /// <summary>A division whose denominator stays away from zero: see <see cref="DivForm"/>.</summary>
    public sealed record Div(Ex L, Ex R, DivForm Form) : Ex;

    /// <summary>A remainder <c>l % r</c> whose divisor stays away from zero: see <see cref="RemForm"/>.</summary>
    /// <remarks>API.md: <c>x % y = x - trunc(x / y) * y</c>, so d/dx = 1 and d/dy = -trunc(x / y) (away from the jumps).</remarks>
    public sealed record Rem(Ex L, Ex R, RemForm Form) : Ex;

    public enum RemForm
    {
        /// <summary><c>l % r</c> with r a non-zero literal.</summary>
        ByConstant,

        /// <summary><c>l % (r * r + 0.5)</c></summary>
        SquarePlusHalf,
    }

    public enum DivForm
    {
        /// <summary><c>l / (r * r + 0.5)</c></summary>
        SquarePlusHalf,

        /// <summary><c>l / (Math.Abs(r) + 1)</c></summary>
        AbsPlusOne,

        /// <summary><c>l / r</c> with r a non-zero literal.</summary>
        ByConstant,

        /// <summary><c>l / (k + 1)</c> with r an int expression that is never negative.</summary>
        ByIntPlusOne,
    }

    public sealed record Neg(Ex E) : Ex;

    /// <summary>A <c>Math</c> function; <see cref="Shape"/> keeps the argument in the domain (see the renderer).</summary>
    public sealed record Fn(MathFn Function, ImmutableArray<Ex> Args, int Shape, FnSpelling Spelling = FnSpelling.Class) : Ex;

    /// <summary>How a function call is spelled in the user's code (the oracle is the same for all).</summary>
    public enum FnSpelling
    {
        /// <summary><c>Math.Sin(x)</c> in a double method, <c>MathF.Sin(x)</c> in a float method.</summary>
        Class,

        /// <summary>The generic-math spelling: <c>double.Sin(x)</c>, <c>float.Sin(x)</c>.</summary>
        Generic,

        /// <summary>In a float method, the double function on float arguments, cast back: <c>(float)Math.Sin(x)</c>.</summary>
        Widened,
    }

    public enum MathFn
    {
        Sin, Cos, Tan, Asin, Acos, Atan, Atan2, Sinh, Cosh, Tanh, Exp, Log, LogBase, Log2, Log10, Pow, PowActive, Sqrt, Cbrt,
        Abs, Max, Min, Clamp, FusedMultiplyAdd, Floor, Ceiling, Round, Truncate, Sign,

        /// <summary>Rendered from the math-function table's domain (<c>Renderer.FromDomain</c>): a row added there is one entry here.</summary>
        Asinh, Acosh, Atanh,
    }

    /// <summary><c>c ? a : b</c></summary>
    public sealed record Tern(Cond C, Ex A, Ex B) : Ex;

    /// <summary><c>Grad.Detach(e)</c></summary>
    public sealed record Detach(Ex E) : Ex;

    /// <summary>
    /// A call of the program's [Differentiable] helper <see cref="Helper"/>; <see cref="SpanArg"/> names the array passed to
    /// its span parameter; <see cref="ViaPeer"/> calls it on the <see cref="ParamKind.Peer"/> instance (<c>peer.H0(...)</c>).
    /// </summary>
    public sealed record CallHelper(int Helper, ImmutableArray<Ex> Args, string? SpanArg, bool ViaPeer = false) : Ex
    {
        /// <summary>A sub-model the helper is called on instead (<c>Shared.H0(x)</c>, <c>this.Layer.H0(x)</c>): FINDINGS F17.</summary>
        public SubModel Via { get; init; }

        /// <summary>
        /// A part of the parameter <see cref="SpanArg"/> passed instead of the whole (<c>u.Slice(start, length)</c>,
        /// <c>u.AsSpan(start, length)</c> for an array): the first element and the length; null for the whole.
        /// </summary>
        public (int Start, int Length, bool OfArray)? Slice { get; init; }

        /// <summary>When set, <see cref="SpanArg"/> names constant data of the class (<see cref="DataMember"/>), spelled so.</summary>
        public MemberAccess? DataArg { get; init; }
    }

    /// <summary>The sub-model, held in a field or property of the program's class, that a helper is called on.</summary>
    public enum SubModel
    {
        None,

        /// <summary><c>Shared.H0(x)</c>: <c>internal static readonly P3 Shared = new P3 { ... };</c></summary>
        Shared,

        /// <summary><c>P3.Shared.H0(x)</c></summary>
        SharedQualified,

        /// <summary><c>Layer.H0(x)</c>: <c>internal P3 Layer { get; set; } = null!;</c>, set by the driver.</summary>
        Layer,

        /// <summary><c>this.Layer.H0(x)</c></summary>
        LayerThis,
    }

    /// <summary>A call of a library function that has a [DerivativeOf] rule.</summary>
    public sealed record CallRule(RuleFn Function, ImmutableArray<Ex> Args) : Ex;

    public enum RuleFn
    {
        /// <summary><c>FuzzFns.Soft(t) = log(1 + exp(t))</c>, rule <c>1 / (1 + exp(-t))</c> (double).</summary>
        Soft,

        /// <summary><c>FuzzFns.Mix(a, b) = a exp(b / 2)</c>, a two-argument (tuple) rule (double).</summary>
        Mix,

        /// <summary><c>FuzzFns.SoftF</c>: <see cref="Soft"/> in float.</summary>
        SoftF,

        /// <summary><c>FuzzFns.Cube(t) = t³</c> whose rule <c>3t²</c> is itself [Differentiable]: fine to second order.</summary>
        Cube,
    }

    // ------------------------------------------------------------------ conditions

    public abstract record Cond;

    /// <summary><c>a op b</c> on reals, op one of <c>&lt; &gt; &lt;= &gt;= == !=</c>.</summary>
    public sealed record Cmp(string Op, Ex A, Ex B) : Cond;

    /// <summary><c>a op b</c> on ints.</summary>
    public sealed record ICmp(string Op, IEx A, IEx B) : Cond;

    /// <summary><c>a &amp;&amp; b</c> or <c>a || b</c>.</summary>
    public sealed record Logic(bool And, Cond A, Cond B) : Cond;

    public sealed record Not(Cond A) : Cond;

    // ------------------------------------------------------------------ statements

    public abstract record St;

    /// <summary><c>double s = e;</c> (or <c>var s = e;</c>).</summary>
    public sealed record DeclReal(string Name, Ex Init, bool UseVar) : St;

    /// <summary><c>const double k = e;</c> with e a constant expression (literals, other consts, const fields).</summary>
    public sealed record DeclConst(string Name, Ex Init) : St;

    /// <summary><c>s op e;</c> with op one of <c>= += -= *= /= %=</c> (the last two with a right side away from zero).</summary>
    public sealed record Assign(string Name, string Op, Ex E) : St;

    /// <summary><c>int k = e;</c></summary>
    public sealed record DeclInt(string Name, IEx Init) : St;

    /// <summary><c>k++;</c> or <c>k += c;</c></summary>
    public sealed record IncInt(string Name, int By) : St;

    public sealed record If(Cond C, ImmutableArray<St> Then, ImmutableArray<St> Else) : St;

    /// <summary>
    /// <c>for (int i = start; i &lt; bound; i += step)</c>, or counting down
    /// <c>for (int i = start; i &gt;= bound; i -= step)</c>.
    /// </summary>
    public sealed record For(string Var, IEx Start, IEx Bound, bool Down, int Step, ImmutableArray<St> Body) : St;

    public enum WhileForm
    {
        /// <summary><c>int k = 0; while (k &lt; b) { k++; body }</c></summary>
        IncrementFirst,

        /// <summary><c>int k = 0; while (k &lt; b) { body k++; }</c> (no <c>continue</c> at this level)</summary>
        IncrementLast,

        /// <summary><c>int k = 0; do { k++; body } while (k &lt; b);</c></summary>
        DoWhile,

        /// <summary><c>int k = 0; while (true) { if (k &gt;= b) break; k++; body }</c></summary>
        WhileTrue,
    }

    /// <summary>A counted <c>while</c>/<c>do</c> loop; the counter <see cref="Var"/> is declared just before it.</summary>
    public sealed record While(string Var, IEx Bound, WhileForm Form, ImmutableArray<St> Body) : St;

    /// <summary><c>foreach (double e in u)</c></summary>
    public sealed record Foreach(string Var, string Array, bool UseVar, ImmutableArray<St> Body) : St
    {
        /// <summary>Set when <see cref="Array"/> is a constant-data member (<c>foreach (double e in D0)</c>): how it is spelled.</summary>
        public MemberAccess? Data { get; init; }
    }

    /// <summary><c>if (c) break;</c>, <c>if (c) continue;</c>, or unconditional when <see cref="C"/> is null.</summary>
    public sealed record Jump(bool IsBreak, Cond? C) : St;

    /// <summary><c>if (c) return e;</c> or <c>return e;</c></summary>
    public sealed record Return(Cond? C, Ex E) : St;

    /// <summary><c>o[i] = e;</c> or <c>o[i] op= e</c> on the output span.</summary>
    public sealed record Store(IEx Index, string Op, Ex E) : St;

    /// <summary>
    /// A local buffer and the loop that fills it: <c>Span&lt;T&gt; h = stackalloc T[n];</c> (<paramref name="Stack"/>) or
    /// <c>T[] h = new T[n];</c>, then <c>for (int j = 0; j &lt; n; j++) { h[j] = e; }</c>. The oracle uses a <c>Dual[]</c>.
    /// With <paramref name="Extra"/>, the element is then filled by accumulation: <c>h[j] += extra;</c>, or twice in an
    /// inner loop (<paramref name="Nested"/>): <c>for (int jm = 0; jm &lt; 2; jm++) { h[j] += extra; }</c>.
    /// </summary>
    public sealed record Layer(string Buffer, IEx Length, bool Stack, string Var, Ex Value, Ex? Extra = null, bool Nested = false) : St
    {
        /// <summary>Declared just before the enclosing loop (of whose body it is a direct statement) instead of here.</summary>
        public bool Hoisted { get; init; }

        /// <summary>The length goes through an int local first: <c>int hSize = n; ... stackalloc T[hSize]</c>.</summary>
        public bool SizedByLocal { get; init; }

        /// <summary>
        /// An update in place after the fill, <c>h[j] = f(h[j]);</c> (it reads <c>h[j]</c> through <see cref="At"/>), at the end
        /// of the filling loop's body, or in a loop of its own after it (<see cref="UpdateSeparate"/>).
        /// </summary>
        public Ex? Update { get; init; }

        public bool UpdateSeparate { get; init; }

        /// <summary>
        /// A hidden layer (<c>Vectorize = true</c> programs): the element is a sum over an inner loop of <see cref="DotWidth"/>
        /// iterations kept in a local, then an elementwise function of it: <c>T hAcc = value; for (int jm = 0; jm &lt; w; jm++)
        /// { hAcc += term; } h[j] = tail(hAcc);</c>, the term reading rows such as <c>x[j * w + jm]</c> (<see cref="IRow"/>).
        /// </summary>
        public int DotWidth { get; init; }

        public Ex? DotTerm { get; init; }

        public Ex? DotTail { get; init; }

        /// <summary>
        /// Each element also reads the one the previous iteration stored: <c>h[j] = v + 0.5 * (j &gt; 0 ? h[j - 1] * h[j - 1] :
        /// 0.25)</c> (FINDINGS F39: the reverse sweep must count backwards). Only without <see cref="Extra"/> and <see cref="Update"/>.
        /// </summary>
        public bool Chained { get; init; }

        /// <summary>
        /// After the fill (and update), the buffer swept in place <see cref="Sweeps"/>.Count times, a stencil in
        /// Gauss-Seidel order (the heat equation, relaxation: issue 11): <c>for (int js = 0; js &lt; count; js++) for (int j =
        /// low; j &lt; n - trim; j++) h[j] = value;</c>, the value reading <c>h[j - 1]</c> (low &gt;= 1), <c>h[j]</c> and
        /// <c>h[j + 1]</c> (trim &gt;= 1).
        /// </summary>
        public Stencil? Sweeps { get; init; }
    }

    /// <summary>
    /// A small local buffer written at constant indices, some elements more than once (<c>Span&lt;T&gt; b = stackalloc T[3];
    /// b[1] = e; b[1] *= e2; b[0] += e3;</c>), then read only at constant indices: the generator makes it one local per
    /// element (Lowering/BufferScalars). An element never written reads 0.
    /// </summary>
    public sealed record ScalarBuffer(string Buffer, int Length, bool Stack, ImmutableArray<ScalarWrite> Writes) : St;

    /// <summary>A later write into a <see cref="ScalarBuffer"/> in scope, often in a loop below its declaration (then carried).</summary>
    public sealed record ScalarStore(string Buffer, ScalarWrite Write) : St;

    /// <summary>One write of a <see cref="ScalarBuffer"/>: <c>b[Index] Op Value;</c> (<c>=</c>, <c>+=</c>, <c>-=</c>, <c>*=</c>).</summary>
    public sealed record ScalarWrite(int Index, string Op, Ex Value);

    /// <summary>The in-place sweeps of a <see cref="Layer"/>: how many (a constant or an input's length), the range, the value.</summary>
    public sealed record Stencil(IEx Count, int Low, int Trim, Ex Value);

    /// <summary>
    /// An argument check at the top of a method: <c>if (c) throw new ...;</c> (with braces when <see cref="Braces"/>).
    /// In the oracle the same condition throws an exception of its own (only the user's and the generated methods are compared).
    /// </summary>
    public sealed record GuardIf(Cond C, Thrown X, bool Braces) : St;

    /// <summary><c>return accept ? e : throw new ...;</c>: the whole rest of a method after its other guards.</summary>
    public sealed record GuardedReturn(Cond Accept, Ex E, Thrown X) : St;

    /// <summary>What a guard throws, naming the parameter <see cref="Param"/>.</summary>
    public sealed record Thrown(ThrownForm Form, string Param);

    public enum ThrownForm
    {
        /// <summary><c>new ArgumentException("x is out of range", nameof(x))</c></summary>
        Argument,

        /// <summary><c>new ArgumentOutOfRangeException(nameof(x), "x must be ...")</c></summary>
        OutOfRange,

        /// <summary><c>new System.ArgumentOutOfRangeException(nameof(x), x, $"x = {x} is not accepted")</c> (scalars: the value in the message)</summary>
        OutOfRangeWithValue,
    }

    /// <summary><c>Math.Abs(p) &gt; c</c>: a guard condition on a helper's parameter, rarely true.</summary>
    public sealed record AbsAbove(string Name, double Bound) : Cond;

    /// <summary>A two-value recurrence written with a temporary: <c>double t = a; a = b; b = e;</c> (e may read t).</summary>
    public sealed record Rotate(string Temp, string A, string B, Ex NewB) : St;

    // ------------------------------------------------------------------ methods and programs

    /// <summary>
    /// A [Differentiable] helper the method under test calls: scalar parameters (some [NoGrad]) and maybe one span. In an
    /// instance program a helper is an instance method unless <see cref="Static"/>.
    /// </summary>
    public sealed record Helper(int Index, ImmutableArray<Param> Params, ImmutableArray<St> Body, bool Static = true);

    /// <summary>
    /// A [Differentiable] vector function (a layer) the method under test calls as a statement:
    /// <c>void L{Index}(T p0, [T p1,] [ReadOnlySpan&lt;T&gt; sp,] Span&lt;T&gt; o)</c>, whose body writes each element of
    /// <c>o</c> (length <see cref="OutputLength"/>) once and never reads it back. The generator inlines the call.
    /// </summary>
    public sealed record LayerFn(int Index, ImmutableArray<Param> Params, ImmutableArray<St> Body, int OutputLength, bool Static = true);

    /// <summary>
    /// <c>Span&lt;T&gt; y = stackalloc T[m];</c> (<paramref name="Stack"/>) or <c>T[] y = new T[m];</c>, then
    /// <c>L{Fn}(args, span, y);</c>: a call of the layer <see cref="LayerFn"/> <paramref name="Fn"/> into a new local
    /// buffer, whose elements later expressions read. <paramref name="SpanArg"/> is passed to the layer's span parameter
    /// (a parameter of the method, or a filled local buffer: a layer's output feeding the next).
    /// </summary>
    public sealed record LayerCall(int Fn, ImmutableArray<Ex> Args, string? SpanArg, string Buffer, bool Stack) : St
    {
        /// <summary>Declared just before the enclosing loop (of whose body the call is a direct statement) instead of here.</summary>
        public bool Hoisted { get; init; }

        /// <summary>Into the vector method's own output span <c>o</c> (<see cref="Buffer"/>), which is not declared.</summary>
        public bool IntoOutput { get; init; }

        /// <summary>An instance layer called on a sub-model (<c>Shared.L0(...)</c>, <c>this.Layer.L0(...)</c>) instead of this object.</summary>
        public SubModel Via { get; init; }

        /// <summary>An instance layer called on the <see cref="ParamKind.Peer"/> instance (<c>peer.L0(...)</c>).</summary>
        public bool ViaPeer { get; init; }

        /// <summary>
        /// How many calls fill the buffer: 1, or 2 (a buffer of twice the layer's output, each half written by a call of its
        /// own, <c>L0(a, x, y.Slice(0, m)); L0(b, x, y.Slice(m, m));</c>: a concatenation), with <see cref="SecondArgs"/>.
        /// </summary>
        public int Parts { get; init; } = 1;

        /// <summary>The scalar arguments of the second call when <see cref="Parts"/> is 2.</summary>
        public ImmutableArray<Ex> SecondArgs { get; init; } = ImmutableArray<Ex>.Empty;

        /// <summary>A part of the parameter <see cref="SpanArg"/> passed instead of the whole (first element, length, of an array).</summary>
        public (int Start, int Length, bool OfArray)? Slice { get; init; }

        /// <summary>When set, <see cref="SpanArg"/> names constant data of the class (<see cref="DataMember"/>), spelled so.</summary>
        public MemberAccess? DataArg { get; init; }
    }

    /// <summary>What a field or property of the program's class is.</summary>
    public enum MemberKind
    {
        /// <summary><c>internal const double C0 = 1.25;</c></summary>
        Const,

        /// <summary><c>internal static readonly double A0 = 0.75;</c></summary>
        StaticReadonly,

        /// <summary><c>internal static double P0 =&gt; 0.5;</c> (or a getter block)</summary>
        StaticProperty,

        /// <summary><c>internal double W0 = 1.75;</c> (instance programs; the peer instance holds <see cref="Member.PeerValue"/>)</summary>
        InstanceField,

        /// <summary><c>internal double Q0 { get; set; } = 1.5;</c> (instance programs)</summary>
        InstanceProperty,
    }

    /// <summary>A field or property of the program's class, read as a constant inside the differentiable methods.</summary>
    public sealed record Member(string Name, MemberKind Kind, double Value, double PeerValue)
    {
        public bool IsInstance => Kind is MemberKind.InstanceField or MemberKind.InstanceProperty;
    }

    /// <summary>What a constant-data member is (API.md 9, constant data).</summary>
    public enum DataKind
    {
        /// <summary><c>internal static readonly double[] D0 = { ... };</c></summary>
        StaticArray,

        /// <summary><c>internal static ReadOnlySpan&lt;double&gt; D0 =&gt; new double[] { ... };</c></summary>
        StaticReadOnlySpan,

        /// <summary><c>internal static Span&lt;double&gt; D0 =&gt; new double[] { ... };</c></summary>
        StaticSpan,

        /// <summary><c>internal readonly double[] D0 = { ... };</c> (instance programs; read as <c>D0</c> or <c>this.D0</c>)</summary>
        InstanceArray,

        /// <summary><c>internal static readonly int[] T0 = { 3, 1, 0, 2 };</c>: a table of indices, every value below <see cref="DataMember.TableBound"/>.</summary>
        IntTable,
    }

    /// <summary>A constant-data member of the program's class: an array field or a span property.</summary>
    public sealed record DataMember(string Name, DataKind Kind, ImmutableArray<double> Values)
    {
        /// <summary>Every value of an <see cref="DataKind.IntTable"/> is below this, so it indexes any array at least this long.</summary>
        public const int TableBound = 4;

        public bool IsInstance => Kind == DataKind.InstanceArray;

        public int Length => Values.Length;
    }

    /// <summary>
    /// One program: a <c>static partial class P{Id}</c> (or, when <see cref="Instance"/>, a <c>partial class</c> whose
    /// method under test is an instance method the driver calls on an instance it creates) with the method under test
    /// <c>F</c> (scalar) or <c>G</c> (vector, output <c>o</c> of length <see cref="OutputLength"/>), its helpers, its fields
    /// and properties (<see cref="Members"/>), and the inputs and seeds of the checks.
    /// </summary>
    public sealed record FuzzProgram(
        int Id,
        Precision Precision,
        ImmutableArray<Param> Params,
        ImmutableArray<string> Wrt,
        bool Hessian,
        bool IsVector,
        int OutputLength,
        ImmutableArray<St> Body,
        ImmutableArray<Helper> Helpers,
        Seeds Seeds,
        bool Instance,
        ImmutableArray<Member> Members)
    {
        public string MethodName => IsVector ? "G" : "F";

        public string ClassName => $"P{Id}";

        /// <summary>Constant data: array fields and span properties of the program's class.</summary>
        public ImmutableArray<DataMember> Data { get; init; } = ImmutableArray<DataMember>.Empty;

        /// <summary>Instance programs: a <c>static readonly</c> field <c>Shared</c> holding another instance (a sub-model).</summary>
        public bool HasShared { get; init; }

        /// <summary>Instance programs: a property <c>Layer</c> holding another instance, set by the driver.</summary>
        public bool HasLayer { get; init; }

        /// <summary>Whether a method of the program (the method under test or a helper) has an argument check.</summary>
        public bool HasGuards { get; init; }

        /// <summary><c>[Differentiable(Vectorize = true)]</c> on the method under test: its sums may be reordered.</summary>
        public bool Vectorize { get; init; }

        /// <summary>The vector functions (layers) the method under test calls as statements (<see cref="LayerCall"/>).</summary>
        public ImmutableArray<LayerFn> Layers { get; init; } = ImmutableArray<LayerFn>.Empty;

        /// <summary>Span locals over parts of the parameters of the method under test (<see cref="ViewDecl"/>).</summary>
        public ImmutableArray<ViewDecl> Views { get; init; } = ImmutableArray<ViewDecl>.Empty;

        /// <summary>The output element a vector function leaves unwritten (<see cref="FuzzGrammar.UnwrittenOutputs"/>), or -1.</summary>
        public int UnwrittenOutput { get; init; } = -1;
    }

    /// <summary>How a span local over a part of a parameter is written.</summary>
    public enum ViewForm
    {
        /// <summary><c>u.Slice(s, n)</c> (<c>u.AsSpan(s, n)</c> for an array).</summary>
        Slice,

        /// <summary><c>u.Slice(s)</c> (<c>u.AsSpan(s)</c>): to the end.</summary>
        ToEnd,

        /// <summary><c>u[s..(s + n)]</c>, or <c>u[s..]</c> to the end.</summary>
        Range,
    }

    /// <summary>
    /// <c>ReadOnlySpan&lt;T&gt; Name = Array.Slice(Start, Length)</c> at the top of the method under test (after its
    /// argument checks); the renderer reads <c>Array[c]</c> for a constant <c>c</c> inside the part as <c>Name[c - Start]</c>.
    /// A null <see cref="Length"/> runs to the end.
    /// </summary>
    public sealed record ViewDecl(string Name, string Array, int Start, int? Length, ViewForm Form)
    {
        public bool Covers(int index, int arrayLength) => index >= Start && index < (Length is { } n ? Start + n : arrayLength);

        /// <summary>
        /// The index into this span local that an element read <c>Array[index]</c> is rendered as, when the index is computed
        /// from data (a cast, a table of indices): <c>Name[(int)Math.Abs(e) % m]</c> with m at most the view's length, or
        /// <c>Name[T0[k]]</c> when the view holds a table's every value; null to read <c>Array</c> itself. SymDiff cannot
        /// show such an index is inside the view, so the generated methods keep the view's bounds check.
        /// </summary>
        public IEx? DataIndex(IEx index, int arrayLength)
        {
            int length = Length ?? (arrayLength - Start);
            return index switch
            {
                ICastIndex cast when (cast.C + Start + arrayLength) % 3 != 0 => cast with { C = System.Math.Min(cast.C, length) },
                ITableAt when length >= DataMember.TableBound => index,
                _ => null,
            };
        }
    }

    /// <summary>
    /// The numbers a check feeds in: the seed of Backward (a scalar, or one per output), the values gradient buffers
    /// hold before Backward (to check that it accumulates), the tangent of Derivative, the direction of the
    /// Hessian-vector product; each flattened over the active scalars (or outputs).
    /// </summary>
    public sealed record Seeds(ImmutableArray<double> BackwardSeed, ImmutableArray<double> Initial, ImmutableArray<double> Tangent, ImmutableArray<double> Direction);
}

using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.IR
{
    /// <summary>
    /// A statement of the IR. The IR is in structured SSA form: every <see cref="Let"/> defines a new name once;
    /// control flow is nested (<see cref="If"/>, <see cref="Loop"/>), and values that flow out of a branch or around
    /// a loop are named explicitly (<see cref="Phi"/>, <see cref="LoopVar"/>). That makes every derivative rule
    /// local: a let has one definition to differentiate, a phi sends its adjoint into one branch, a loop variable
    /// carries its adjoint back one iteration.
    /// </summary>
    internal abstract record Stmt;

    /// <summary>A sequence of statements with value equality.</summary>
    internal sealed record Block(EquatableArray<Stmt> Statements)
    {
        public static readonly Block Empty = new Block(EquatableArray<Stmt>.Empty);

        public static Block Of(params Stmt[] statements) => new Block(EquatableArray.Create(statements));
    }

    /// <summary><c>T name = value;</c> The name is unique in the function.</summary>
    internal sealed record Let(string Name, Expr Value) : Stmt
    {
        public ValType Type => Value.Type;

        public Var Ref => new Var(Name, Value.Type);
    }

    /// <summary>A value that leaves an <see cref="If"/>: <see cref="WhenTrue"/> from the then-branch, <see cref="WhenFalse"/> from the else-branch.</summary>
    internal sealed record Phi(string Name, ValType Type, Expr WhenTrue, Expr WhenFalse)
    {
        public Var Ref => new Var(Name, Type);
    }

    /// <summary><c>if (condition) { then } else { else }</c>, after which each phi holds the value of the branch taken.</summary>
    internal sealed record If(Expr Condition, Block Then, Block Else, EquatableArray<Phi> Phis) : Stmt;

    /// <summary>
    /// A value carried around a loop. Inside <see cref="Loop.Header"/>, <see cref="Loop.Condition"/> and
    /// <see cref="Loop.Body"/>, <see cref="Name"/> is the value at the start of the iteration; <see cref="Next"/>
    /// (evaluated at the end of the body) is its value for the next iteration; after the loop, <see cref="Name"/>
    /// holds the final value.
    /// </summary>
    internal sealed record LoopVar(string Name, ValType Type, Expr Init, Expr Next)
    {
        public Var Ref => new Var(Name, Type);
    }

    /// <summary>How a loop was written, so the emitter can write it back the same way.</summary>
    internal enum LoopKind
    {
        /// <summary><c>while (cond) { ... }</c> or a <c>for</c> loop of no canonical shape.</summary>
        While,

        /// <summary><c>for (int i = init; cond; i++)</c> with <see cref="Loop.Counter"/> as <c>i</c>.</summary>
        For,
    }

    /// <summary>
    /// <c>while (true) { header; if (!condition) break; body; carried = next; }</c>.
    /// <see cref="Counter"/> names the carried integer that counts iterations (<c>i = i + 1</c>), if there is one.
    /// </summary>
    /// <remarks><see cref="Site"/> indexes the method's diagnostic locations (-1 for loops SymDiff made).</remarks>
    internal sealed record Loop(EquatableArray<LoopVar> Carried, Block Header, Expr Condition, Block Body, LoopKind Kind, string? Counter, int Site = -1) : Stmt
    {
        /// <summary>
        /// Set by the final naming pass (<see cref="ScopedNames"/>) when nothing outside the loop reads its counter: the
        /// emitter declares the counter in the <c>for</c> statement, even when a sibling loop's counter has the same name.
        /// </summary>
        public bool CounterInFor { get; init; }
    }

    /// <summary><c>return value;</c> as the last statement of a scalar function's body.</summary>
    internal sealed record Return(Expr Value) : Stmt;

    /// <summary><c>array[index] = value;</c> for an output span.</summary>
    internal sealed record Store(string Array, Expr Index, Expr Value) : Stmt;

    /// <summary><c>target[index] += value;</c> (or <c>target += value</c> when <see cref="Index"/> is null) into a gradient buffer.</summary>
    internal sealed record Accumulate(string Target, Expr? Index, Expr Value) : Stmt;
}

namespace SymDiff.Generator.IR
{
    /// <summary><c>target = value;</c> for an <c>out</c> or <c>ref</c> result of a generated method.</summary>
    internal sealed record SetOutput(string Target, Expr Value) : Stmt;

    /// <summary><c>target.Clear();</c> for a gradient buffer that is about to be accumulated into.</summary>
    internal sealed record ClearBuffer(string Target) : Stmt;

    /// <summary>
    /// <c>T name = MGradient(args, out T p0, out T p1 ...);</c>: the value of a differentiable callee together with
    /// its partial derivatives with respect to the arguments (null names where an argument is inactive).
    /// </summary>
    internal sealed record CallWithGradient(string Name, UserCall Call, EquatableArray<string> Partials) : Stmt;
}

namespace SymDiff.Generator.IR
{
    /// <summary><c>T name = 0;</c>: a variable hoisted by scope repair, assigned later by <see cref="Assign"/> or a call's <c>out</c>.</summary>
    internal sealed record Declare(string Name, ValType Type) : Stmt;

    /// <summary><c>name = value;</c> to a variable introduced by <see cref="Declare"/>.</summary>
    internal sealed record Assign(string Name, Expr Value) : Stmt;
}

namespace SymDiff.Generator.IR
{
    /// <summary>
    /// <c>T[] name = ArrayPool&lt;T&gt;.Shared.Rent(length);</c> and, around the rest of the enclosing block,
    /// <c>try { ... } finally { ArrayPool&lt;T&gt;.Shared.Return(name); }</c>: the tape of values a loop's reverse sweep reads.
    /// </summary>
    internal sealed record RentBuffer(string Name, ValType Type, Expr Length) : Stmt
    {
        /// <summary>
        /// A user's local buffer (<c>stackalloc</c>, <c>new T[n]</c>), or its adjoint or tangent: zeroed after allocation,
        /// and written and read only at indices below <see cref="Length"/>.
        /// </summary>
        public bool Zeroed { get; init; }

        /// <summary>
        /// <c>Span&lt;T&gt; name = stackalloc T[length];</c> instead of the pool (a constant length of at most
        /// <see cref="StackLimitBytes"/> bytes); no <c>try</c>/<c>finally</c>.
        /// </summary>
        public bool OnStack { get; init; }

        /// <summary>
        /// A user's buffer filled by plain stores, each element at most once per iteration of the loop around its
        /// declaration (not by accumulation): a stored value can be read back from the buffer for as long as that
        /// iteration lasts, instead of being computed again (the reverse sweep of the loop that fills it).
        /// </summary>
        public bool WriteOnce { get; init; }

        /// <summary>The largest buffer, in bytes, that generated code puts on the stack.</summary>
        public const int StackLimitBytes = 1024;

        /// <summary>Whether a buffer of this length and element type goes on the stack: a constant length of at most <see cref="StackLimitBytes"/> bytes.</summary>
        public static bool FitsOnStack(Expr length, ValType element) => length is Const { Value: var n } && n >= 0 && n * element.Bytes() <= StackLimitBytes;

        /// <summary>
        /// The pooled buffers of <paramref name="body"/> that grow (<see cref="EnsureCapacity"/>: a tape of a loop with no
        /// known bound), which generated code holds as <c>T[]</c>. Every other pooled buffer is a span of exactly its
        /// length over the rented array, so that an index past the length throws where the user's method throws, instead
        /// of reading what the pool's array held before.
        /// </summary>
        public static HashSet<string> Grown(Block body) =>
            new HashSet<string>(Walk.AllStatements(body).OfType<EnsureCapacity>().Select(e => e.Name), StringComparer.Ordinal);

        /// <summary>A statement that zeroes this buffer again (a declaration inside a loop): <c>name.Clear()</c> on the stack, <c>Array.Clear</c> for the pool.</summary>
        public Stmt Clear() => OnStack ? new ClearBuffer(Name) : new ClearArray(Name, Length);
    }

    /// <summary>Grows a buffer made by <see cref="RentBuffer"/> when <see cref="Index"/> is past its end (a loop with no known bound).</summary>
    internal sealed record EnsureCapacity(string Name, ValType Type, Expr Index) : Stmt;
}

namespace SymDiff.Generator.IR
{
    /// <summary>
    /// <c>T name = MDerivative(args, tangents, out T tangentName);</c>: the value of a differentiable callee and its
    /// directional derivative along the tangents of its active arguments.
    /// </summary>
    internal sealed record CallWithDerivative(string Name, UserCall Call, EquatableArray<Expr> Tangents, string Tangent) : Stmt;
}

namespace SymDiff.Generator.IR
{
    /// <summary><c>source.CopyTo(target);</c>: fills a buffer made by <see cref="RentBuffer"/> (the output adjoints start as the seed).</summary>
    internal sealed record CopySpan(string Source, string Target) : Stmt;
}

namespace SymDiff.Generator.IR
{
    /// <summary>
    /// <c>MBackward(args, seed, outputs...)</c>: a differentiable callee adds <see cref="Seed"/> times its gradient into
    /// <see cref="Outputs"/>, one per parameter it differentiates, in order: a <see cref="Var"/> is a scalar adjoint
    /// local passed by <c>ref</c> (declared zero before), anything else a span buffer (the caller's own gradient
    /// buffer, or scratch).
    /// </summary>
    internal sealed record CallBackward(UserCall Call, Expr Seed, EquatableArray<Expr> Outputs) : Stmt;
}

namespace SymDiff.Generator.IR
{
    /// <summary><c>Array.Clear(name, 0, length)</c>: zeroes a pooled scratch buffer (a zero tangent for data).</summary>
    internal sealed record ClearArray(string Name, Expr Length) : Stmt;
}

namespace SymDiff.Generator.IR
{
    /// <summary><c>M(args);</c>: a call made for what it writes (a generated method filling a span), its result unused.</summary>
    internal sealed record Invoke(UserCall Call) : Stmt;
}

namespace SymDiff.Generator.IR
{
    /// <summary><c>// text</c>: says what the next statements do (which sweep, which driver step). Not code.</summary>
    internal sealed record Comment(string Text) : Stmt;
}

namespace SymDiff.Generator.IR
{
    /// <summary>
    /// <c>if (!IsFinite(value) &amp;&amp; IsFinite(operand) ...) ThrowNotFinite(...)</c>: a finite check
    /// (<c>CheckFinite = true</c>) after a value is computed. It throws only when the value is NaN or infinite while
    /// everything it was computed from is finite, so the first operation that made a non-finite value out of finite
    /// ones is the one reported, and values that are non-finite because an input was pass. Inserted after scheduling,
    /// so no other pass sees it.
    /// </summary>
    /// <param name="Value">The value checked (a variable, or an output just assigned).</param>
    /// <param name="Operands">The floating-point variables and elements the value was computed from.</param>
    /// <param name="Method">The user's method.</param>
    /// <param name="GeneratedMethod">The generated method the check is in.</param>
    /// <param name="File">The user's source file name.</param>
    /// <param name="Line">The 1-based line of the user's statement the value belongs to.</param>
    /// <param name="Expression">That statement's text.</param>
    /// <param name="Sweep">"forward" or "reverse".</param>
    internal sealed record FiniteCheck(Expr Value, EquatableArray<Expr> Operands, string Method, string GeneratedMethod, string File, int Line, string Expression, string Sweep) : Stmt;
}

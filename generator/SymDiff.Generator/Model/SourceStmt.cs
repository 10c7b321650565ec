using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Model
{
    /// <summary>
    /// A statement of the user's method body as the parser read it: C#'s own structure, with mutable locals,
    /// but no Roslyn objects. Expressions are already IR expressions; <see cref="Var"/> names a local
    /// (made unique across the method) or a parameter. Lowering turns this into SSA IR.
    /// </summary>
    internal abstract record SourceStmt
    {
        /// <summary>
        /// Index into the method's origins (<see cref="Parsing.ParseResult.Origins"/>) of the user's statement this one was
        /// read from, for <c>CheckFinite</c>'s messages; -1 when none. An ordinal, not a position: moving the method leaves
        /// it equal.
        /// </summary>
        public int Origin { get; init; } = -1;

        /// <summary>The statement lists nested in <paramref name="s"/>: a branch's two arms, a loop's body and increment.</summary>
        public static System.Collections.Generic.IEnumerable<System.Collections.Generic.IReadOnlyList<SourceStmt>> Nested(SourceStmt s) => s switch
        {
            SourceIf i => new System.Collections.Generic.IReadOnlyList<SourceStmt>[] { i.Then, i.Else },
            SourceLoop l => new System.Collections.Generic.IReadOnlyList<SourceStmt>[] { l.Body, l.Increment },
            _ => System.Array.Empty<System.Collections.Generic.IReadOnlyList<SourceStmt>>(),
        };
    }

    /// <summary>A declaration with initializer, or an assignment (compound assignments are expanded).</summary>
    internal sealed record SourceAssign(string Name, ValType Type, Expr Value) : SourceStmt;

    /// <summary><c>array[index] = value</c> for an output span or a local buffer.</summary>
    internal sealed record SourceStore(string Array, Expr Index, Expr Value) : SourceStmt
    {
        /// <summary>
        /// For a store into a local buffer: index into the method's sites (<see cref="Parsing.ParseResult.Sites"/>) of the
        /// assignment, where SD1000 about overwriting the buffer goes; -1 otherwise.
        /// </summary>
        public int Site { get; init; } = -1;
    }

    internal sealed record SourceIf(Expr Condition, EquatableArray<SourceStmt> Then, EquatableArray<SourceStmt> Else) : SourceStmt;

    /// <summary>
    /// <c>while (condition) { body; increment }</c>. A <c>for</c> loop is its initializers followed by this, with
    /// <see cref="Increment"/> run after the body and after every <c>continue</c>. A <c>do</c> loop has
    /// <see cref="TestFirst"/> false.
    /// </summary>
    /// <param name="Site">Index into the method's sites (<see cref="Parsing.ParseResult.Sites"/>) of the loop statement, for diagnostics about it.</param>
    internal sealed record SourceLoop(Expr Condition, EquatableArray<SourceStmt> Body, EquatableArray<SourceStmt> Increment, bool TestFirst, int Site = -1) : SourceStmt
    {
        /// <summary>
        /// For <c>i &lt; limit</c>: the limit with its int locals replaced by the values they were set to once, as a local
        /// buffer's length is recorded (<c>int n = x.Length;</c> makes <c>n</c> read as <c>x.Length</c>); null otherwise.
        /// </summary>
        public IR.Expr? KnownLimit { get; init; }
    }

    internal sealed record SourceBreak : SourceStmt;

    internal sealed record SourceContinue : SourceStmt;

    /// <summary><c>return value;</c> (<see cref="Value"/> is null in a void method).</summary>
    internal sealed record SourceReturn(Expr? Value) : SourceStmt;
}

namespace SymDiff.Generator.Model
{
    /// <summary>
    /// <c>Span&lt;T&gt; name = stackalloc T[length];</c> or <c>T[] name = new T[length];</c>: a local buffer whose elements
    /// are written (<see cref="SourceStore"/>) and read (<see cref="IR.Elem"/>) by index. <see cref="Length"/> reads only
    /// constants, lengths of parameters and <c>int</c> parameters, so it is known at the top of the method.
    /// </summary>
    internal sealed record SourceBuffer(string Name, IR.ValType Element, IR.Expr Length) : SourceStmt
    {
        /// <summary>
        /// A history made by <see cref="Lowering.BufferHistory"/>: one version of a carried buffer per loop iteration, each
        /// element written once by construction.
        /// </summary>
        public bool IsHistory { get; init; }

        /// <summary>For a history: the buffer it versions, its length and the site of the loop that carries it (SD1006).</summary>
        public CarriedBuffer? HistoryOf { get; init; }
    }

    /// <summary>A local buffer carried by the loop at <paramref name="Site"/>, of <paramref name="Length"/> elements.</summary>
    internal sealed record CarriedBuffer(string Name, IR.Expr Length, int Site);

    /// <summary>Shapes of loops and statements of the parsed body that several phases recognise.</summary>
    internal static class SourceLoops
    {
        /// <summary>
        /// <c>int j = 0;</c> (<paramref name="init"/>) then <c>for (; j &lt; limit; j++)</c> whose body never leaves early nor
        /// assigns the counter: the limit, or null.
        /// </summary>
        public static Expr? CountsTo(SourceStmt init, SourceLoop loop, out string counter)
        {
            counter = string.Empty;
            if (init is not SourceAssign { Value: Const { Value: 0 } } start || !loop.TestFirst)
            {
                return null;
            }

            string name = counter = start.Name;
            bool step = loop.Increment.Count == 1 && loop.Increment[0] is SourceAssign { Value: Binary { Op: BinaryOp.Add, Left: Var c, Right: Const { Value: 1 } } } inc
                && inc.Name == name && c.Name == name;
            return loop.Condition is Binary { Op: BinaryOp.Lt, Left: Var v, Right: var limit } && v.Name == name && step
                && !loop.Body.Any(s => LeavesEarly(s) || Assigns(s, name)) ? limit : null;
        }

        public static bool LeavesEarly(SourceStmt s) => s switch
        {
            SourceBreak or SourceContinue or SourceReturn => true,
            SourceLoop l => l.Body.Any(ReturnsAnywhere) || l.Increment.Any(ReturnsAnywhere), // break/continue there leave only that loop
            _ => SourceStmt.Nested(s).Any(b => b.Any(LeavesEarly)),
        };

        public static bool ReturnsAnywhere(SourceStmt s) => s is SourceReturn || SourceStmt.Nested(s).Any(b => b.Any(ReturnsAnywhere));

        public static bool Assigns(SourceStmt s, string name) => (s is SourceAssign a && a.Name == name) || SourceStmt.Nested(s).Any(b => b.Any(x => Assigns(x, name)));
    }
}

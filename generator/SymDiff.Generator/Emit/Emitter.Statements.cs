using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Emit
{
    /// <summary>What statement emission needs to know about the whole method.</summary>
    /// <param name="Names">Every name the method uses (parameters, locals, reads): temporaries the emitter makes avoid them.</param>
    /// <param name="Grown">The pooled buffers that grow, held as <c>T[]</c>; every other pooled buffer is a span of its exact length.</param>
    internal sealed record StatementContext(ISet<string> Hoisted, Dictionary<string, int> Uses, HashSet<string> Names, ISet<string> Grown)
    {
        /// <summary>The length each pooled span was rented with, by name (a clear of that length is a clear of the whole span).</summary>
        public Dictionary<string, Expr> PooledLengths { get; } = new Dictionary<string, Expr>(System.StringComparer.Ordinal);

        /// <summary>A name that clashes with nothing in the method: <paramref name="stem"/>, else <c>stem2</c>, <c>stem3</c>...</summary>
        public string FreshName(string stem)
        {
            string name = stem;
            for (int i = 2; !Names.Add(name); i++)
            {
                name = stem + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return name;
        }
    }

    internal static partial class Emitter
    {
        /// <param name="tail">What the block hands out at its end (phi values, a loop's next values): written last, inside every <c>try</c> a rented buffer opened, so it still sees the block's locals.</param>
        private static void EmitBlock(SourceWriter w, Block block, StatementContext context, System.Action? tail = null)
        {
            for (int i = 0; i < block.Statements.Count; i++)
            {
                if (block.Statements[i] is RentBuffer { OnStack: true } stack)
                {
                    // A small local buffer of constant length: on the stack, zeroed (stackalloc is not zeroed under SkipLocalsInit),
                    // by scalar stores (Checks.Zero: no AVX/SSE transition before Math calls, docs/performance.md).
                    // (A scratch buffer that is always written before it is read, Vectorize's split loops, is not zeroed.)
                    w.WriteLine("global::System.Span<" + stack.Type.Keyword() + "> " + Id(stack.Name) + " = stackalloc " + stack.Type.Keyword() + "[" + ExprPrinter.Print(stack.Length) + "];");
                    if (stack.Zeroed)
                    {
                        w.WriteLine("global::SymDiff.Checks.Zero(" + Id(stack.Name) + ");");
                    }
                    continue;
                }

                if (block.Statements[i] is RentBuffer rent)
                {
                    // The rest of the block runs with the buffer rented, and returns it however it leaves.
                    // A buffer that does not grow is used through a span of exactly its length: the pool's array is usually
                    // longer, and an index past the length must throw as in the user's method, not read an old value.
                    string pool = "global::System.Buffers.ArrayPool<" + rent.Type.Keyword() + ">.Shared";
                    bool grows = context.Grown.Contains(rent.Name);
                    string array = grows ? rent.Name : context.FreshName(rent.Name + "Rented");
                    string length = ExprPrinter.Print(rent.Length);
                    w.WriteLine(rent.Type.Keyword() + "[] " + Id(array) + " = " + pool + ".Rent(" + length + ");");
                    w.WriteLine("try");
                    w.OpenBrace();
                    if (!grows)
                    {
                        context.PooledLengths[rent.Name] = rent.Length;
                        w.WriteLine("global::System.Span<" + rent.Type.Keyword() + "> " + Id(rent.Name) + " = new global::System.Span<" + rent.Type.Keyword() + ">(" + Id(array) + ", 0, " + length + ");");
                    }

                    if (rent.Zeroed)
                    {
                        w.WriteLine(grows
                            ? "global::SymDiff.Checks.Zero(" + Id(rent.Name) + ", " + length + ");"
                            : "global::SymDiff.Checks.Zero(" + Id(rent.Name) + ");");
                    }

                    EmitBlock(w, new Block(block.Statements.Skip(i + 1).ToEquatableArray()), context, tail);
                    w.CloseBrace();
                    w.WriteLine("finally");
                    w.OpenBrace();
                    w.WriteLine(pool + ".Return(" + Id(array) + ");");
                    w.CloseBrace();
                    return;
                }

                EmitStatement(w, block.Statements[i], context);
            }

            tail?.Invoke();
        }

        private static void EmitStatement(SourceWriter w, Stmt s, StatementContext context)
        {
            switch (s)
            {
                case Let let when context.Hoisted.Contains(let.Name) && !context.Uses.ContainsKey(let.Name):
                    WriteUnread(w, let.Value);
                    break;
                case Let let:
                    w.WriteLine((context.Hoisted.Contains(let.Name) ? string.Empty : TypeOf(let) + " ") + Id(let.Name) + " = " + ExprPrinter.Print(let.Value) + ";");
                    break;
                case Declare d when !context.Uses.ContainsKey(d.Name):
                    // Declared for assignments in inner scopes that dead-code elimination removed since: never read (CS0219).
                    break;
                case Declare d:
                    w.WriteLine(d.Type.Keyword() + " " + Id(d.Name) + " = " + Literals.Of(Const.Of(0, d.Type)) + ";");
                    break;
                case Assign a when !context.Uses.ContainsKey(a.Name):
                    WriteUnread(w, a.Value);
                    break;
                case Assign { Value: Var same } a when same.Name == a.Name:
                    // x = x: nothing to do (and CS1717 under TreatWarningsAsErrors; F95). The two names become one only in the
                    // final renames (scoped names, merged copies), after the scheduler's dead code: so here, not there.
                    break;
                case Assign a:
                    w.WriteLine(Assignment(a.Name, a.Value));
                    break;
                case Return r:
                    w.WriteLine("return " + ExprPrinter.Print(r.Value) + ";");
                    break;
                case Store st:
                {
                    // h[i] = h[i] + x is written h[i] += x (the same element, read and rounded the same).
                    string target = Id(st.Array) + "[" + ExprPrinter.Print(st.Index) + "]";
                    w.WriteLine(st.Value is Binary { Op: BinaryOp.Add or BinaryOp.Sub, Left: Elem self } update && self.Array == st.Array && self.Index.Equals(st.Index)
                        ? target + (update.Op == BinaryOp.Add ? " += " : " -= ") + ExprPrinter.Print(update.Right) + ";"
                        : target + " = " + ExprPrinter.Print(st.Value) + ";");
                    break;
                }
                case Accumulate ac:
                {
                    // "x += -y" is written "x -= y", "x += -y * z" "x -= y * z" (the same bits: see Tidy).
                    string target = Id(ac.Target) + (ac.Index is null ? string.Empty : "[" + ExprPrinter.Print(ac.Index) + "]");
                    w.WriteLine(ac.Value is Unary { Op: UnaryOp.Neg } negated
                        ? target + " -= " + ExprPrinter.Print(negated.Operand) + ";"
                        : ac.Value.Type.IsFloating() && Negated(ac.Value) is { } positive
                            ? target + " -= " + ExprPrinter.Print(positive) + ";"
                            : target + " += " + ExprPrinter.Print(ac.Value) + ";");
                    break;
                }
                case SetOutput o:
                    w.WriteLine(Id(o.Target) + " = " + ExprPrinter.Print(o.Value) + ";");
                    break;
                case EnsureCapacity e:
                    w.WriteLine("global::SymDiff.TapeBuffer.EnsureCapacity(ref " + Id(e.Name) + ", " + ExprPrinter.Print(e.Index) + ");");
                    break;
                case CopySpan copy:
                    // Scalar copies, not Span.CopyTo (a vectorised move): Math calls follow (docs/performance.md).
                    w.WriteLine("global::SymDiff.Checks.Copy(" + Id(copy.Source) + ", " + Id(copy.Target) + ");");
                    break;
                case ClearBuffer c:
                    w.WriteLine("global::SymDiff.Checks.Zero(" + Id(c.Target) + "); // scalar stores: no AVX/SSE transition before Math calls (docs/performance.md)");
                    break;
                case CallWithGradient call:
                    EmitCallWithGradient(w, call, context);
                    break;
                case Comment comment:
                    w.Separate();
                    w.WriteLine("// " + comment.Text);
                    break;
                case Invoke invoke:
                    w.WriteLine(ExprPrinter.Print(invoke.Call) + ";");
                    break;
                case ClearArray clear when context.PooledLengths.TryGetValue(clear.Name, out var rented):
                    w.WriteLine("global::SymDiff.Checks.Zero(" + Id(clear.Name) + (Equals(rented, clear.Length) ? string.Empty : ".Slice(0, " + ExprPrinter.Print(clear.Length) + ")") + ");");
                    break;
                case ClearArray clear:
                    w.WriteLine("global::SymDiff.Checks.Zero(" + Id(clear.Name) + ", " + ExprPrinter.Print(clear.Length) + ");");
                    break;

                case CallBackward backward:
                {
                    var args = backward.Call.Args.Select(ExprPrinter.Print)
                        .Concat(new[] { ExprPrinter.Print(backward.Seed) })
                        .Concat(backward.Outputs.Select(o => o is Var v ? "ref " + Id(v.Name) : ExprPrinter.Print(o)));
                    w.WriteLine(ExprPrinter.CallTarget(backward.Call, "Backward") + "(" + string.Join(", ", args) + ");");
                    break;
                }

                case CallWithDerivative call:
                {
                    string type = call.Call.Type.Keyword();
                    var args = call.Call.Args.Select(ExprPrinter.Print).Concat(call.Tangents.Select(ExprPrinter.Print))
                        .Concat(new[] { context.Hoisted.Contains(call.Tangent) ? "out " + Id(call.Tangent) : "out " + type + " " + Id(call.Tangent) });
                    string target = (context.Hoisted.Contains(call.Name) ? string.Empty : type + " ") + Id(call.Name);
                    w.WriteLine(target + " = " + ExprPrinter.CallTarget(call.Call, "Derivative") + "(" + string.Join(", ", args) + ");");
                    break;
                }
                case FiniteCheck check:
                {
                    // One line: the failure path is a call, so the check costs one comparison while values are finite.
                    var condition = new[] { "!global::SymDiff.Checks.IsFinite(" + ExprPrinter.Print(check.Value) + ")" }
                        .Concat(check.Operands.Select(o => "global::SymDiff.Checks.IsFinite(" + ExprPrinter.Print(o) + ")"));
                    var args = new[]
                    {
                        ExprPrinter.Print(check.Value), Emitter.Quote(check.Method), Emitter.Quote(check.GeneratedMethod), Emitter.Quote(check.File),
                        check.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), Emitter.Quote(check.Expression), Emitter.Quote(check.Sweep),
                    };
                    w.WriteLine("if (" + string.Join(" && ", condition) + ") global::SymDiff.Checks.ThrowNotFinite(" + string.Join(", ", args) + ");");
                    break;
                }
                case If branch:
                    EmitIf(w, branch, context);
                    break;
                case Loop loop:
                    EmitLoop(w, loop, context);
                    break;
                case VectorLoop vector:
                    EmitVectorLoop(w, vector, context);
                    break;
                default:
                    throw new System.InvalidOperationException("Cannot emit " + s.GetType().Name);
            }
        }

        /// <summary>A value nobody reads: written only if it calls a method (which may check its arguments and throw).</summary>
        private static void WriteUnread(SourceWriter w, Expr value)
        {
            if (Walk.Contains(value, e => e is UserCall))
            {
                w.WriteLine("_ = " + ExprPrinter.Print(value) + ";");
            }
        }

        private static void EmitCallWithGradient(SourceWriter w, CallWithGradient call, StatementContext context)
        {
            string type = call.Call.Type.Keyword();
            var args = call.Call.Args.Select(ExprPrinter.Print).ToList();
            for (int i = 0; i < call.Partials.Count; i++)
            {
                string p = call.Partials[i];
                if (p.Length > 0)
                {
                    args.Add(context.Hoisted.Contains(p) ? "out " + Id(p) : "out " + type + " " + Id(p));
                }
                else if (i < call.Call.Callee.Active.Count && call.Call.Callee.Active[i])
                {
                    args.Add("out _"); // a partial that is zero by construction: the callee reads the parameter only where no gradient flows
                }
            }

            // Only the partials may be needed (Backward): then the value is discarded, not kept in an unused local.
            string target = !context.Uses.ContainsKey(call.Name) ? "_" : (context.Hoisted.Contains(call.Name) ? string.Empty : type + " ") + Id(call.Name);
            w.WriteLine(target + " = " + ExprPrinter.CallTarget(call.Call, "Gradient") + "(" + string.Join(", ", args) + ");");
        }

        private static void EmitIf(SourceWriter w, If branch, StatementContext context)
        {
            foreach (var phi in branch.Phis.Where(p => !context.Hoisted.Contains(p.Name)))
            {
                w.WriteLine(phi.Type.Keyword() + " " + Id(phi.Name) + ";");
            }

            // A condition of constants only (left after a `?:` with equal arms was folded, FINDINGS F18): C# would call
            // the branch not taken unreachable (CS0162), so only the taken one is written, in a block of its own.
            if (ConstantCondition(branch.Condition) is bool taken)
            {
                EmitBranch(w, taken ? branch.Then : branch.Else, branch.Phis.Select(p => (p.Name, taken ? p.WhenTrue : p.WhenFalse)), context);
                return;
            }

            bool thenEmpty = branch.Then.Statements.Count == 0 && branch.Phis.Count == 0;
            bool elseEmpty = branch.Else.Statements.Count == 0 && branch.Phis.Count == 0;
            if (thenEmpty && !elseEmpty)
            {
                w.WriteLine("if (" + ExprPrinter.Print(new Unary(UnaryOp.Not, branch.Condition, ValType.Bool)) + ")");
                EmitBranch(w, branch.Else, branch.Phis.Select(p => (p.Name, p.WhenFalse)), context);
                return;
            }

            w.WriteLine("if (" + ExprPrinter.Print(branch.Condition) + ")");
            EmitBranch(w, branch.Then, branch.Phis.Select(p => (p.Name, p.WhenTrue)), context);
            if (!elseEmpty)
            {
                w.WriteLine("else");
                EmitBranch(w, branch.Else, branch.Phis.Select(p => (p.Name, p.WhenFalse)), context);
            }
        }

        /// <summary>The value of a condition the C# compiler evaluates itself (constants compared, combined), or null.</summary>
        internal static bool? ConstantCondition(Expr condition)
        {
            switch (condition)
            {
                case Const c when c.Type == ValType.Bool:
                    return c.Value != 0;
                case Unary { Op: UnaryOp.Not } not:
                    return !ConstantCondition(not.Operand);
                case Binary { Op: BinaryOp.And } and:
                    return ConstantCondition(and.Left) is bool l && ConstantCondition(and.Right) is bool r ? l && r : null;
                case Binary { Op: BinaryOp.Or } or:
                    return ConstantCondition(or.Left) is bool l2 && ConstantCondition(or.Right) is bool r2 ? l2 || r2 : null;
                case Binary { Op: BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge or BinaryOp.Eq or BinaryOp.Ne } compare
                    when compare.Left.Type != ValType.Bool && compare.Right.Type != ValType.Bool
                        && ConstantArithmetic.Value(compare.Left) is double a && ConstantArithmetic.Value(compare.Right) is double b:
                    return compare.Op switch
                    {
                        BinaryOp.Lt => a < b,
                        BinaryOp.Le => a <= b,
                        BinaryOp.Gt => a > b,
                        BinaryOp.Ge => a >= b,
                        BinaryOp.Eq => a == b,
                        _ => a != b,
                    };
                default:
                    return null;
            }
        }

        private static void EmitBranch(SourceWriter w, Block block, IEnumerable<(string Name, Expr Value)> results, StatementContext context)
        {
            w.OpenBrace();
            EmitBlock(w, block, context, () =>
            {
                foreach (var (name, value) in results)
                {
                    w.WriteLine(Id(name) + " = " + ExprPrinter.Print(value) + ";");
                }
            });
            w.CloseBrace();
        }

        /// <param name="continued">The scalar remainder of a <see cref="VectorLoop"/>: its carried values are declared, and it goes on from where the lanes stopped.</param>
        private static void EmitLoop(SourceWriter w, Loop loop, StatementContext context, bool continued = false)
        {
            // A counter read only inside the loop is declared in the for statement, as a person would write it.
            var shape = LoopShape.Counter(loop);
            var counter = shape?.Counter;
            // (Names are unique until the final naming pass, which marks the loops whose counter it gave a sibling's name.)
            bool counterInside = !continued && counter is not null && !context.Hoisted.Contains(counter.Name)
                && (loop.CounterInFor || (context.Uses.TryGetValue(counter.Name, out int total) && total == UsesWithin(loop, counter.Name)));
            foreach (var v in loop.Carried.Where(_ => !continued))
            {
                // A loop value that starts as itself goes on from a local of the block (MergeCopies): nothing to declare.
                if ((v != counter || !counterInside) && !(v.Init is Var self && self.Name == v.Name))
                {
                    string declaration = context.Hoisted.Contains(v.Name) ? string.Empty : v.Type.Keyword() + " ";
                    w.WriteLine(declaration + Id(v.Name) + " = " + ExprPrinter.Print(v.Init) + ";");
                }
            }

            var updates = loop.Carried.Where(v => v != counter && !(v.Next is Var same && same.Name == v.Name)).ToList();
            if (counter is not null)
            {
                string init = counterInside ? "int " + Id(counter.Name) + " = " + ExprPrinter.Print(counter.Init) : string.Empty;
                string step = shape!.Value.Step < 0 ? "--" : "++";
                w.WriteLine("for (" + init + "; " + ExprPrinter.Print(loop.Condition) + "; " + Id(counter.Name) + step + ")");
                w.OpenBrace();
            }
            else if (loop.Header.Statements.Count == 0)
            {
                w.WriteLine("while (" + ExprPrinter.Print(loop.Condition) + ")");
                w.OpenBrace();
            }
            else
            {
                w.WriteLine("while (true)");
                w.OpenBrace();
                EmitBlock(w, loop.Header, context);
                w.WriteLine("if (" + ExprPrinter.Print(new Unary(UnaryOp.Not, loop.Condition, ValType.Bool)) + ")");
                w.OpenBrace();
                w.WriteLine("break;");
                w.CloseBrace();
                w.WriteLine();
            }

            EmitBlock(w, loop.Body, context, () =>
            {
                // Carried values update together: each next value reads the old values. Assign a variable only once no
                // pending next value reads it. When every pending variable is still read by another's next value (a swap,
                // a rotation), keep one variable's old value in a temporary, let the others read that, and go on.
                var pending = updates.ToList();
                while (pending.Count > 0)
                {
                    var ready = pending.FirstOrDefault(v => !pending.Any(o => o != v && Walk.Reads(o.Next, v.Name)));
                    if (ready is not null)
                    {
                        if (!(ready.Next is Var same && same.Name == ready.Name))
                        {
                            w.WriteLine(Assignment(ready.Name, ready.Next));
                        }

                        pending.Remove(ready);
                        continue;
                    }

                    var saved = pending[0];
                    var old = new Var(context.FreshName(saved.Name + "Old"), saved.Type);
                    w.WriteLine(saved.Type.Keyword() + " " + Id(old.Name) + " = " + Id(saved.Name) + ";");
                    var rename = new Dictionary<string, Expr>(System.StringComparer.Ordinal) { [saved.Name] = old };
                    pending = pending.Select(v => v == saved ? v : new LoopVar(v.Name, v.Type, v.Init, Walk.Substitute(v.Next, rename))).ToList();
                }
            });

            w.CloseBrace();
        }

        private static string Id(string name) => Identifiers.Escape(name);

        /// <summary><c>name = value;</c>, and <c>s += x;</c> for <c>s = s + x</c> (C# evaluates <c>s + x</c> and assigns it: the same bits).</summary>
        /// <summary><c>s = s + x</c> is written <c>s += x</c> (the same bits), <c>k = k + 1</c> on an int <c>k++</c>.</summary>
        private static string Assignment(string name, Expr value) =>
            value is Binary { Op: BinaryOp.Add or BinaryOp.Sub, Left: Var self } update && self.Name == name && (value.Type.IsFloating() || value.Type == ValType.Int)
                ? value.Type == ValType.Int && update.Right is Const { Value: 1 }
                    ? Id(name) + (update.Op == BinaryOp.Add ? "++;" : "--;")
                    : Id(name) + (update.Op == BinaryOp.Add ? " += " : " -= ") + ExprPrinter.Print(update.Right) + ";"
                : Id(name) + " = " + ExprPrinter.Print(value) + ";";

        /// <summary>The declared type of a let: its keyword, or the span type of a view.</summary>
        private static string TypeOf(Let let) => let.Value is SpanView view
            ? "global::System." + (view.ReadOnly ? "ReadOnlySpan<" : "Span<") + view.Element.Keyword() + ">"
            : let.Type.Keyword();

        private static int UsesWithin(Stmt s, string name)
        {
            int n = 0;
            foreach (var e in Walk.AllExpressions(s))
            {
                Walk.Vars(e, v => n += v == name ? 1 : 0);
            }

            return n;
        }
    }
}

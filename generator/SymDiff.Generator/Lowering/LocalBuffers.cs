using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Lowering
{
    /// <summary>
    /// Local buffers (<c>Span&lt;T&gt; h = stackalloc T[n]</c>, <c>T[] h = new T[n]</c>): where they live, and the rule that
    /// makes their reverse sweep right without a tape (docs/architecture.md, "Local buffers").
    /// </summary>
    internal static class LocalBuffers
    {
        /// <summary>
        /// The one allocation of a buffer: on the stack when its length is a constant of at most
        /// <see cref="RentBuffer.StackLimitBytes"/> bytes, from the pool otherwise; zeroed either way.
        /// </summary>
        public static RentBuffer Allocation(string name, ValType element, Expr length)
        {
            return new RentBuffer(name, element, length) { Zeroed = true, OnStack = RentBuffer.FitsOnStack(length, element) };
        }

        /// <summary>
        /// Checks that every element of every buffer is written at most once per iteration of the loop that encloses the
        /// buffer's declaration: constant indices written once each outside the buffer's loops, or a single store site in
        /// a counting loop directly inside them at <c>counter + c</c>. Anything else is not supported yet (SD1000).
        /// </summary>
        /// <param name="depths">How many loops enclose each buffer's declaration.</param>
        /// <param name="source">The user's statements: a buffer that breaks the rule may still be filled by accumulation (<see cref="IsAccumulated"/>).</param>
        /// <returns>The buffers filled by plain stores under this rule (<see cref="RentBuffer.WriteOnce"/>).</returns>
        /// <param name="siteOf">The site of the user's assignment a store was lowered from (-1 when unknown): where SD1000 goes.</param>
        public static HashSet<string> CheckWriteOnce(Block body, IReadOnlyDictionary<string, int> depths, IReadOnlyList<Model.SourceStmt> source, Func<Store, int>? siteOf = null)
        {
            var sites = new Dictionary<string, List<StoreSite>>(StringComparer.Ordinal);
            var writeOnce = new HashSet<string>(StringComparer.Ordinal);
            Visit(body, new List<Loop>(), depths, sites);
            foreach (var pair in sites)
            {
                // A buffer filled by accumulation may break the write-once rule; one that keeps it is write-once either way.
                // A history (BufferHistory) writes each element once by construction.
                var violation = IsHistory(source, pair.Key) || IsFilledInPieces(source, pair.Key) ? null : Violation(pair.Key, pair.Value, source);
                if (violation is null)
                {
                    writeOnce.Add(pair.Key);
                }
                else if (!IsAccumulated(source, pair.Key))
                {
                    if (CarryingLoop(source, pair.Key) is { } carrying)
                    {
                        throw Carried(pair.Key, carrying.Site);
                    }

                    // At the user's assignment that breaks the rule; failing that, at the loop around it; else at the method.
                    var (why, at) = violation.Value;
                    int site = at is null ? -1 : siteOf?.Invoke(at.Store) ?? -1;
                    if (site < 0 && at?.Loop is { Site: >= 0 } around)
                    {
                        site = around.Site;
                    }

                    throw Overwritten(pair.Key, why, site);
                }
            }

            return writeOnce;
        }

        /// <summary>A store into a local buffer: how many loops deeper than the buffer's declaration, and the loop directly inside the declaration's loops that holds it.</summary>
        private sealed record StoreSite(int Relative, Store Store, Loop? Loop)
        {
            public Expr Index => Store.Index;
        }

        /// <summary>
        /// A buffer its declaring block writes in pieces (<see cref="BufferScopes.WritePieces"/>), every store of the block
        /// among them: range fills and constant stores, each element once, read before the last of them only at elements
        /// already written (two layers called into the halves of one buffer, <c>Dense(a, x, z.Slice(0, 4)); Dense(b, x,
        /// z.Slice(4, 4));</c>, inlined). Every read then sees an element's only value, as after one loop over the whole buffer.
        /// </summary>
        private static bool IsFilledInPieces(IReadOnlyList<Model.SourceStmt> statements, string buffer)
        {
            var block = DeclaringBlock(statements, buffer);
            if (block is null)
            {
                return false;
            }

            int declaration = block.FindIndex(s => s is Model.SourceBuffer b && b.Name == buffer);
            var (_, stop) = BufferScopes.WritePieces(block, declaration + 1, buffer, length: null);
            return !block.Skip(stop).Any(s => StoresTo(s, buffer));
        }

        private static bool IsHistory(IReadOnlyList<Model.SourceStmt> statements, string buffer) =>
            statements.Any(s => (s is Model.SourceBuffer { IsHistory: true } b && b.Name == buffer) || Nested(s).Any(n => IsHistory(n, buffer)));

        /// <summary>The supported ways to fill a buffer with a loop, for the SD1000 messages.</summary>
        private const string FillForms = "supported: a loop that stores into it once per iteration at its counter plus a constant (for (int i = 0; i < n; i++) h[i + c] = ...), "
            + "which may read back elements earlier iterations wrote (h[i - 1]); or any stores (several per iteration, h[2 * i] = a; h[2 * i + 1] = b;, other indices) "
            + "when nothing reads the buffer until the statement holding all of them has ended";

        /// <summary>Why the buffer breaks the write-once rule, and the store that does, or null when it keeps it.</summary>
        private static (string Why, StoreSite? At)? Violation(string name, List<StoreSite> stores, IReadOnlyList<Model.SourceStmt> source)
        {
            if (PassedBeforeFilled(source, name))
            {
                // The call reads every element: in the reverse sweep its backward would see the later values.
                return ("it is passed to a method before every store into it is done", null);
            }

            if (ReadBeforeWritten(source, name))
            {
                // Its zeros would be read in the forward sweep, and a reverse loop recomputing that read would see the later values.
                return ("it is read before the statement that writes it", null);
            }

            // A store in a loop nested in another loop that runs after the declaration writes its elements again on every
            // iteration of the outer loop: report it first, it is usually the refill the user meant (an update over steps).
            if (stores.FirstOrDefault(s => s.Relative > 1 || s.Relative < 0) is { } nested)
            {
                string earlier = stores.Any(s => !ReferenceEquals(s, nested)) ? " (other stores write it too)" : string.Empty;
                return ("this assignment, inside a loop nested in another loop, overwrites elements that an earlier iteration wrote" + earlier
                    + ", and those values are read" + SsaLowering.HintSeparator + "; the reverse sweep would need every version of them. Write each element once before reading it, "
                    + "or refill it in a form SymDiff keeps a history of: in each iteration of the outer loop, a loop at the top level of its body that rewrites every element "
                    + "(for (int j = 0; j < h.Length; j++) h[j] = f(h[j]), reading the old value of element j only), or an iteration that " + StencilHint
                    + " (counting up, no fixed element such as h[0]); or, when each iteration of the outer loop fills it anew, declare it inside that loop "
                    + "(new T[n]; the generated methods still allocate it once)", nested);
            }

            foreach (var site in stores)
            {
                var (relative, index, loop) = (site.Relative, site.Index, site.Loop);
                if (relative == 1)
                {
                    if (stores.Count > 1)
                    {
                        var other = stores.First(s => !ReferenceEquals(s, site));
                        bool sameLoop = stores.All(s => ReferenceEquals(s.Loop, loop));
                        var second = stores.Skip(1).First();
                        return (sameLoop
                            ? "the loop that fills it stores into it more than once per iteration, and it is read before that loop has ended" + SsaLowering.HintSeparator + "; " + FillForms
                            : "it is written by a loop and by another store, and read before the last of them", second);
                    }

                    if (LoopShape.Counter(loop!) is not { } shape || !IsCounterPlusConstant(index, shape.Counter.Name))
                    {
                        return ("this assignment writes it at an index other than its loop's counter plus a constant, and it is read before that loop has ended" + SsaLowering.HintSeparator + "; " + FillForms, site);
                    }

                    // Inside the loop that fills it, only elements earlier iterations wrote may be read (h[j - 1] in a
                    // loop counting up): a read of one it writes later would see a zero the reverse sweep cannot tell apart.
                    int storeAt = StatementStoring(loop!, name);
                    foreach (var (read, at) in ReadsIn(loop!, name))
                    {
                        bool earlier = shape.Step > 0 ? Offset(read) < Offset(index) : Offset(read) > Offset(index);
                        bool justWritten = Offset(read) == Offset(index) && at > storeAt; // 'e[i] = ...; sum += e[i];'
                        if (!IsCounterPlusConstant(read, shape.Counter.Name) || !(earlier || justWritten))
                        {
                            return ("it is read, inside the loop that writes it, at an element that loop may not have written yet", site);
                        }
                    }
                }
                else if (index is not Const)
                {
                    return ("it is written outside a loop at an index that is not a constant", site);
                }
            }

            var constants = stores.Where(s => s.Relative == 0).ToList();
            for (int k = 1; k < constants.Count; k++)
            {
                if (constants.Take(k).Any(c => ((Const)c.Index).Value == ((Const)constants[k].Index).Value))
                {
                    return ("an element is written twice", constants[k]);
                }
            }

            return null;
        }

        /// <summary>
        /// The accumulation rule: every store into the buffer lies in one statement <c>S</c> of the block that declares it
        /// (a loop nest, typically), the buffer is not read before <c>S</c>, and inside <c>S</c> it is read only by
        /// accumulations into the element being written (<c>h[j] += e</c>, <c>h[j] -= e</c>, <c>e</c> not reading it).
        /// The reverse sweep never needs an element's value inside <c>S</c> (the derivative of <c>h[j] + e</c> does not depend
        /// on <c>h[j]</c>), and after <c>S</c> the elements keep their final values, so no tape is needed.
        /// </summary>
        public static bool IsAccumulated(IReadOnlyList<Model.SourceStmt> statements, string buffer)
        {
            var block = DeclaringBlock(statements, buffer);
            if (block is null)
            {
                return false;
            }

            int declaration = block.FindIndex(s => s is Model.SourceBuffer b && b.Name == buffer);
            bool stored = false;
            foreach (var s in block.Skip(declaration + 1))
            {
                bool stores = StoresTo(s, buffer);
                if (stores && (stored || (ReadsValue(s, buffer) && !ReadsEachElementWhenDone(s, buffer))))
                {
                    return false;
                }

                if (!stored && !stores && ReadsValue(s, buffer))
                {
                    return false;
                }

                stored |= stores;
            }

            return true;
        }

        /// <summary>
        /// <c>for (; j &lt; n; j++) { h[j] = b; for (...) h[j] += e; ... = f(h[j]); }</c>: a loop counting up by 1 whose body
        /// mentions the buffer only at <c>[j]</c>, and stores into it only before the first statement that reads it. Element
        /// <c>j</c> is complete when iteration <c>j</c> reads it, and no later iteration touches it, so the value read is
        /// the final one (what <see cref="BufferVersions"/> makes of an update in place, <c>h[j] = Math.Tanh(h[j])</c>).
        /// </summary>
        private static bool ReadsEachElementWhenDone(Model.SourceStmt s, string buffer)
        {
            if (s is not Model.SourceLoop { TestFirst: true } loop || loop.Increment.Count != 1
                || loop.Increment[0] is not Model.SourceAssign { Value: Binary { Op: BinaryOp.Add, Left: Var c, Right: Const { Value: 1 } } } step || step.Name != c.Name
                || Reads(loop.Condition, buffer) || loop.Body.Any(x => Model.SourceLoops.LeavesEarly(x) || Model.SourceLoops.Assigns(x, c.Name)))
            {
                return false;
            }

            var own = new Var(c.Name, ValType.Int);
            bool reading = false;
            foreach (var x in loop.Body)
            {
                if (!OnlyAtIndex(x, buffer, own))
                {
                    return false;
                }

                bool stores = StoresTo(x, buffer);
                bool reads = ReadsValue(x, buffer);
                if (stores && (reading || reads))
                {
                    return false;
                }

                reading |= reads;
            }

            return true;
        }

        /// <summary>Whether every store into and read of the buffer in the statement is at index <paramref name="index"/>, and nothing passes it whole.</summary>
        private static bool OnlyAtIndex(Model.SourceStmt s, string buffer, Var index)
        {
            bool Expr(Expr e) => !Walk.Contains(e, x => (x is Elem el && el.Array == buffer && !el.Index.Equals(index)) || IsWhole(x, buffer) || (x is Len len && len.Array == buffer));
            return s switch
            {
                Model.SourceStore st => (st.Array != buffer || st.Index.Equals(index)) && Expr(st.Index) && Expr(st.Value),
                Model.SourceAssign a => Expr(a.Value),
                Model.SourceReturn r => r.Value is null || Expr(r.Value),
                Model.SourceIf i => Expr(i.Condition) && Nested(s).All(b => b.All(x => OnlyAtIndex(x, buffer, index))),
                Model.SourceLoop l => Expr(l.Condition) && Nested(s).All(b => b.All(x => OnlyAtIndex(x, buffer, index))),
                _ => true,
            };
        }

        /// <summary>Whether a statement of the declaring block reads the buffer before the first statement that stores into it.</summary>
        private static bool ReadBeforeWritten(IReadOnlyList<Model.SourceStmt> statements, string buffer)
        {
            var block = DeclaringBlock(statements, buffer);
            if (block is null)
            {
                return false;
            }

            int declaration = block.FindIndex(s => s is Model.SourceBuffer b && b.Name == buffer);
            foreach (var s in block.Skip(declaration + 1))
            {
                if (StoresTo(s, buffer))
                {
                    return false;
                }

                if (ReadsValue(s, buffer))
                {
                    return true;
                }
            }

            return false;
        }

        private static List<Model.SourceStmt>? DeclaringBlock(IReadOnlyList<Model.SourceStmt> statements, string buffer)
        {
            if (statements.Any(s => s is Model.SourceBuffer b && b.Name == buffer))
            {
                return statements.ToList();
            }

            foreach (var s in statements)
            {
                foreach (var nested in Nested(s))
                {
                    if (DeclaringBlock(nested, buffer) is { } found)
                    {
                        return found;
                    }
                }
            }

            return null;
        }

        /// <summary>The statement lists directly inside a source statement (an if's branches, a loop's body and increment).</summary>
        internal static IEnumerable<IReadOnlyList<Model.SourceStmt>> Nested(Model.SourceStmt s) => Model.SourceStmt.Nested(s);

        internal static bool StoresTo(Model.SourceStmt s, string buffer) =>
            (s is Model.SourceStore st && st.Array == buffer) || Nested(s).Any(b => b.Any(x => StoresTo(x, buffer)));

        /// <summary>Whether a statement reads an element's value: any read but the one an accumulation <c>h[j] = h[j] ± e</c> makes of its own element.</summary>
        private static bool ReadsValue(Model.SourceStmt s, string buffer)
        {
            switch (s)
            {
                case Model.SourceStore st when st.Array == buffer && st.Value is Binary { Op: BinaryOp.Add or BinaryOp.Sub, Left: Elem own } sum && own.Array == buffer && own.Index.Equals(st.Index):
                    return Reads(st.Index, buffer) || Reads(sum.Right, buffer);
                case Model.SourceStore st:
                    return Reads(st.Index, buffer) || Reads(st.Value, buffer);
                case Model.SourceAssign a:
                    return Reads(a.Value, buffer);
                case Model.SourceReturn { Value: { } value }:
                    return Reads(value, buffer);
                case Model.SourceIf i:
                    return Reads(i.Condition, buffer) || Nested(s).Any(b => b.Any(x => ReadsValue(x, buffer)));
                case Model.SourceLoop l:
                    return Reads(l.Condition, buffer) || Nested(s).Any(b => b.Any(x => ReadsValue(x, buffer)));
                default:
                    return false;
            }
        }

        private static bool Reads(Expr e, string buffer) => Walk.Contains(e, x => (x is Elem el && el.Array == buffer) || IsWhole(x, buffer));

        /// <summary>The buffer, or a part of it, passed to a method (<c>F(h)</c>, <c>F(h.Slice(0, 3))</c>): a read of every element (conservatively, for a part).</summary>
        private static bool IsWhole(Expr e, string buffer) => (e is SpanRef r && r.Array == buffer) || (e is SpanView v && v.Array == buffer);

        private static bool ReadsWhole(Expr e, string buffer) => Walk.Contains(e, x => IsWhole(x, buffer));

        /// <summary>
        /// Whether the buffer is passed whole to a method (which reads every element) by a statement of its declaring block
        /// at or after which something still stores into it: the call would see elements the reverse sweep cannot tell apart
        /// from their final values.
        /// </summary>
        private static bool PassedBeforeFilled(IReadOnlyList<Model.SourceStmt> statements, string buffer)
        {
            var block = DeclaringBlock(statements, buffer);
            if (block is null)
            {
                return false;
            }

            int first = block.FindIndex(s => PassesWhole(s, buffer));
            return first >= 0 && block.Skip(first).Any(s => StoresTo(s, buffer));
        }

        private static bool PassesWhole(Model.SourceStmt s, string buffer) => s switch
        {
            Model.SourceStore st => ReadsWhole(st.Index, buffer) || ReadsWhole(st.Value, buffer),
            Model.SourceAssign a => ReadsWhole(a.Value, buffer),
            Model.SourceReturn { Value: { } value } => ReadsWhole(value, buffer),
            Model.SourceIf i => ReadsWhole(i.Condition, buffer) || Nested(s).Any(b => b.Any(x => PassesWhole(x, buffer))),
            Model.SourceLoop l => ReadsWhole(l.Condition, buffer) || Nested(s).Any(b => b.Any(x => PassesWhole(x, buffer))),
            _ => false,
        };

        /// <summary>
        /// Whether a loop reads the buffer before the statement of its body that stores into it: the values read are the
        /// ones the previous iteration stored (a recurrent state, <c>h[j] = Math.Tanh(w * h[j] + ...)</c> over time steps).
        /// </summary>
        /// <returns>The outermost such loop, or null.</returns>
        private static Model.SourceLoop? CarryingLoop(IReadOnlyList<Model.SourceStmt> statements, string buffer)
        {
            foreach (var s in statements)
            {
                if (s is Model.SourceLoop loop)
                {
                    int store = loop.Body.ToList().FindIndex(x => StoresTo(x, buffer));
                    if (store > 0 && loop.Body.Take(store).Any(x => ReadsValue(x, buffer)))
                    {
                        return loop;
                    }
                }

                foreach (var nested in Nested(s))
                {
                    if (CarryingLoop(nested, buffer) is { } found)
                    {
                        return found;
                    }
                }
            }

            return null;
        }

        /// <summary>SD1000 at the loop that carries the buffer.</summary>
        private static NotSupportedException Carried(string name, int site) =>
            new LocatedNotSupportedException("a local buffer carried from one loop iteration to the next ('" + name + "' is read in a loop before that loop stores into it again: a recurrent state)" + SsaLowering.HintSeparator
                + ": the reverse sweep would need every iteration's values, a tape SymDiff does not keep for buffers other than a history of the shapes it recognises: each iteration refills the buffer completely (for (int j = 0; j < h.Length; j++) h[j] = ...), or " + StencilHint + "; rewrite the loop into one of these, or keep a small state in scalar locals, which loops may carry", site);

        /// <summary>The stencil shapes <see cref="BufferStencil"/> gives a history, for the SD1000 messages.</summary>
        private const string StencilHint = "sweeps it in place over a range by 1 in each iteration of a loop (for (int i = 1; i < h.Length - 1; i++) h[i] = f(h[i - 1], h[i], h[i + 1]), constant start and trim, reads at constant offsets inside the buffer), or computes a range into a second buffer and copies it back (Jacobi)";

        private static NotSupportedException Overwritten(string name, string why, int site) =>
            why.IndexOf(SsaLowering.HintSeparator, StringComparison.Ordinal) is int split and >= 0
                // A reason with its own hint: the supported forms that come closest to what the user wrote.
                ? new LocatedNotSupportedException("overwriting elements of the local buffer '" + name + "' (" + why.Substring(0, split) + ")" + why.Substring(split), site)
                : new LocatedNotSupportedException("overwriting elements of the local buffer '" + name + "' (" + why + ")" + SsaLowering.HintSeparator
                + "; write each element once before reading it (h[j] = value in one loop over j, a sum kept in a local first), a buffer declared before a loop may be filled again in each iteration (a layer refilled for each sample), or an iteration " + StencilHint + ")", site);

        /// <summary>The constant of <c>counter ± c</c>.</summary>
        private static double Offset(Expr index) => index switch
        {
            Binary { Op: BinaryOp.Add, Right: Const c } => c.Value,
            Binary { Op: BinaryOp.Sub, Right: Const c } => -c.Value,
            Binary { Op: BinaryOp.Add, Left: Const c } => c.Value,
            _ => 0,
        };

        /// <summary>
        /// The indices at which a loop (its header, body and carried values, nested blocks too) reads the buffer, each with
        /// the position of the body statement that reads it (-1: the header or a carried value).
        /// </summary>
        private static List<(Expr Index, int At)> ReadsIn(Loop loop, string buffer)
        {
            var found = new List<(Expr, int)>();
            void VisitExpr(Expr e, int at)
            {
                if (e is Elem el && el.Array == buffer)
                {
                    found.Add((el.Index, at));
                }

                foreach (var c in Walk.Children(e))
                {
                    VisitExpr(c, at);
                }
            }

            for (int k = 0; k < loop.Body.Statements.Count; k++)
            {
                foreach (var e in Walk.AllExpressions(loop.Body.Statements[k]))
                {
                    VisitExpr(e, k);
                }
            }

            var outside = loop with { Body = Block.Empty };
            foreach (var e in Walk.AllExpressions(outside))
            {
                VisitExpr(e, -1);
            }

            return found;
        }

        /// <summary>The position of the loop body's statement that stores into the buffer (the store or the block around it).</summary>
        private static int StatementStoring(Loop loop, string buffer)
        {
            for (int k = 0; k < loop.Body.Statements.Count; k++)
            {
                if (Stores(loop.Body.Statements[k], buffer))
                {
                    return k;
                }
            }

            return int.MaxValue;
        }

        private static bool Stores(Stmt s, string buffer) =>
            (s is Store store && store.Array == buffer) || Walk.Blocks(s).Any(b => b.Statements.Any(x => Stores(x, buffer)));

        private static bool IsCounterPlusConstant(Expr index, string counter) => index switch
        {
            Var v => v.Name == counter,
            Binary { Op: BinaryOp.Add or BinaryOp.Sub, Left: Var v, Right: Const } => v.Name == counter,
            Binary { Op: BinaryOp.Add, Left: Const, Right: Var v } => v.Name == counter,
            _ => false,
        };

        private static void Visit(Block block, List<Loop> loops, IReadOnlyDictionary<string, int> depths, Dictionary<string, List<StoreSite>> sites)
        {
            foreach (var s in block.Statements)
            {
                switch (s)
                {
                    case Store store when depths.TryGetValue(store.Array, out int depth):
                    {
                        if (!sites.TryGetValue(store.Array, out var list))
                        {
                            sites[store.Array] = list = new List<StoreSite>();
                        }

                        int relative = loops.Count - depth;
                        list.Add(new StoreSite(relative, store, relative >= 1 ? loops[depth] : null));
                        break;
                    }

                    case Loop loop:
                        loops.Add(loop);
                        Visit(loop.Header, loops, depths, sites);
                        Visit(loop.Body, loops, depths, sites);
                        loops.RemoveAt(loops.Count - 1);
                        break;
                    default:
                        foreach (var nested in Walk.Blocks(s))
                        {
                            Visit(nested, loops, depths, sites);
                        }

                        break;
                }
            }
        }
    }
}

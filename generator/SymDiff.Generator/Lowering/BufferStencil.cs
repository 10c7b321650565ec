using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Lowering
{
    /// <summary>
    /// A stencil sweep repeated over an outer loop and updating a carried buffer in place, the heat equation or a relaxation
    /// in Gauss-Seidel order: <c>for (s...) for (int i = lo; i &lt; a.Length - k; i++) a[i] = a[i] + alpha * (a[i - 1] - 2 * a[i] + a[i + 1]);</c>.
    /// <see cref="BufferHistory"/> gives the buffer one version per sweep; this class finds the sweep and rewrites it so that
    /// every version is complete and written once: before the sweep, the elements it does not write (<c>[0, lo)</c> and
    /// <c>[length - k, length)</c>) are copied from the previous version, and inside it, a read <c>a[i + c]</c> takes the
    /// new version when that element is already written in this sweep (<c>c &lt; 0</c>, whether by the sweep or by the copy
    /// of the boundary; <c>c == 0</c> after the store) and the previous version otherwise. Pure, over the source model.
    /// </summary>
    /// <remarks>
    /// The shape: a counter from a constant <c>lo &gt;= 0</c> by 1 while below the buffer's length minus a constant
    /// <c>k &gt;= 0</c> (or a constant, for a buffer of constant length); one store <c>a[i] = v</c> at the top level of the
    /// body; every read of the buffer at <c>a[i + c]</c> with a constant <c>c</c> that stays inside the buffer for every
    /// <c>i</c> the loop visits (<c>lo + c &gt;= 0</c>, <c>c &lt;= k</c>), so the history, longer than the buffer, is never read
    /// where the user's code would have thrown. Any other shape is left to the SD1000 of <see cref="LocalBuffers"/>.
    /// </remarks>
    internal static class BufferStencil
    {
        /// <summary>A sweep over <c>[Low, length - Trim)</c> with counter <c>Counter</c> and the store at body index <c>Store</c>.</summary>
        internal sealed record Sweep(string Counter, int Low, int Trim, int Store);

        /// <summary>The sweep, when <paramref name="refill"/> (after <paramref name="init"/>) is one of the shape above.</summary>
        public static Sweep? Find(SourceStmt init, SourceLoop refill, SourceBuffer buffer, Dictionary<string, Expr?> known)
        {
            string name = buffer.Name;
            if (Range(init, refill, buffer, known) is not var (j, lo, trim))
            {
                return null;
            }

            var stores = Enumerable.Range(0, refill.Body.Count).Where(k => LocalBuffers.StoresTo(refill.Body[k], name)).ToList();
            if (stores.Count != 1 || refill.Body[stores[0]] is not SourceStore { Index: Var index } store || store.Array != name || index.Name != j)
            {
                return null;
            }

            return ReadsWithin(refill.Body, buffer.Name, j, -lo, trim) ? new Sweep(j, lo, trim, stores[0]) : null;
        }

        /// <summary>
        /// The block with the last statement that stores into the buffer declared at <paramref name="declaration"/>, when it
        /// is a sweep (after its counter's initialisation) that reads a neighbour (<c>a[i - 1]</c>, <c>a[i + 1]</c>: an update
        /// of <c>a[i]</c> alone is <see cref="BufferVersions"/>' case), wrapped with that initialisation in a loop of one
        /// iteration, <c>for (int once = 0; once &lt; 1; once++) { int i = lo; for (...) ... }</c>, which
        /// <see cref="BufferHistory"/> then gives two versions; null when it is not such a sweep.
        /// </summary>
        public static List<SourceStmt>? WrapSinglePass(IReadOnlyList<SourceStmt> block, int declaration, SourceBuffer buffer, Dictionary<string, Expr?> known, Func<string, string> fresh)
        {
            string name = buffer.Name;
            int last = -1;
            for (int k = declaration + 1; k < block.Count; k++)
            {
                if (LocalBuffers.StoresTo(block[k], name))
                {
                    last = k;
                }
            }

            if (last < declaration + 2 || block[last] is not SourceLoop sweep || BufferScopes.Mentions(block[last - 1], name)
                || Find(block[last - 1], sweep, buffer, known) is not { } found
                || !sweep.Body.SelectMany(Expressions).Any(e => Walk.Contains(e, x => x is Elem el && el.Array == name && Offset(el.Index, found.Counter) is int c && c != 0)))
            {
                return null;
            }

            string once = fresh("once");
            var counter = new Var(once, ValType.Int);
            var list = block.Take(last - 1).ToList();
            list.Add(new SourceAssign(once, ValType.Int, Const.Of(0, ValType.Int)));
            list.Add(new SourceLoop(
                new Binary(BinaryOp.Lt, counter, Const.Of(1, ValType.Int), ValType.Bool),
                EquatableArray.Create(block[last - 1], block[last]),
                EquatableArray.Create<SourceStmt>(new SourceAssign(once, ValType.Int, BufferHistory.Add(counter, Const.Of(1, ValType.Int)))),
                TestFirst: true));
            list.AddRange(block.Skip(last + 1));
            return list;
        }

        /// <summary>
        /// Whether the buffer declared before <paramref name="body"/>'s loop can move into it although the statement at
        /// <paramref name="fill"/> fills only a range of it (a Jacobi sweep's <c>next[i]</c>, <c>i</c> in <c>[1, n - 1)</c>): the
        /// fill stores <c>h[i]</c> once per iteration from values that do not read the buffer, and every later mention is a
        /// read <c>h[j + c]</c> in a loop over a range (after its counter's initialisation) that keeps <c>j + c</c> inside the
        /// filled range, so every element an iteration reads was written earlier in that iteration.
        /// </summary>
        public static bool FillsWhatItReads(IReadOnlyList<SourceStmt> body, int fill, SourceBuffer buffer, Dictionary<string, Expr?> known)
        {
            string name = buffer.Name;
            if (fill == 0 || body[fill] is not SourceLoop loop || Find(body[fill - 1], loop, buffer, known) is not { } sweep
                || loop.Body.Any(s => s is SourceStore st && st.Array == name ? BufferScopes.Mentions(st.Value, name) : BufferScopes.Mentions(s, name)))
            {
                return false;
            }

            for (int k = fill + 1; k < body.Count; k++)
            {
                if (!BufferScopes.Mentions(body[k], name))
                {
                    continue;
                }

                if (body[k] is not SourceLoop reader || BufferScopes.Mentions(body[k - 1], name) || LocalBuffers.StoresTo(reader, name)
                    || Range(body[k - 1], reader, buffer, known) is not var (j, lo, trim) || !ReadsWithin(reader.Body, name, j, sweep.Low - lo, trim - sweep.Trim))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// <c>int j = lo;</c> then <c>for (; j &lt; length - k; j++)</c>, constants <c>lo, k &gt;= 0</c>, a body that never leaves
        /// early nor assigns the counter, a condition and increment that do not mention the buffer but by its length.
        /// </summary>
        private static (string Counter, int Low, int Trim)? Range(SourceStmt init, SourceLoop loop, SourceBuffer buffer, Dictionary<string, Expr?> known)
        {
            if (init is not SourceAssign { Type: ValType.Int, Value: Const { Value: >= 0 } low } start || !Whole(low) || !loop.TestFirst)
            {
                return null;
            }

            string j = start.Name;
            if (loop.Condition is not Binary { Op: BinaryOp.Lt, Left: Var v, Right: var limit } || v.Name != j || Trim(BufferHistory.Resolve(limit, known), buffer, known) is not int trim
                || loop.Increment.Count != 1 || loop.Increment[0] is not SourceAssign { Value: Binary { Op: BinaryOp.Add, Left: Var c, Right: Const { Value: 1 } } } step
                || step.Name != j || c.Name != j || loop.Increment.Any(s => BufferScopes.Mentions(s, buffer.Name))
                || loop.Body.Any(s => SourceLoops.LeavesEarly(s) || SourceLoops.Assigns(s, j)))
            {
                return null;
            }

            return (j, (int)low.Value, trim);
        }

        /// <summary>Whether every mention of the buffer in the statements is an element <c>h[j + c]</c> with <c>min &lt;= c &lt;= max</c>.</summary>
        private static bool ReadsWithin(IEnumerable<SourceStmt> statements, string name, string j, int min, int max) =>
            statements.SelectMany(Expressions).All(e => !Walk.Contains(e, x => x switch
            {
                Elem el when el.Array == name => !(Offset(el.Index, j) is int o && o >= min && o <= max),
                Len len when len.Array == name => false,
                SpanRef or SpanView or Opaque => BufferScopes.Mentions(x, name),
                _ => false,
            }));

        /// <summary>
        /// <c>for (q = 0; q &lt; min(lo, length); q++) new[q] = old[q];</c> and <c>for (q = max(length - k, lo); q &lt; length; q++) new[q] = old[q];</c>:
        /// the elements the sweep leaves alone, each once (the ranges do not overlap and stay inside the buffer, even when it
        /// is shorter than <c>lo + k</c> and the sweep runs zero times: <c>length - k</c> may be negative, FINDINGS F41).
        /// </summary>
        public static IEnumerable<SourceStmt> CopyRest(Sweep sweep, string history, ValType element, Expr length, Func<Expr, Expr> old, Func<Expr, Expr> updated, string counter)
        {
            var q = new Var(counter, ValType.Int);
            var lo = Const.Of(sweep.Low, ValType.Int);
            if (sweep.Low > 0)
            {
                foreach (var s in Copy(q, Const.Of(0, ValType.Int), Min(lo, length), history, element, old, updated))
                {
                    yield return s;
                }
            }

            if (sweep.Trim > 0)
            {
                var hi = BufferHistory.Sub(length, Const.Of(sweep.Trim, ValType.Int));
                foreach (var s in Copy(q, Max(hi, lo), length, history, element, old, updated))
                {
                    yield return s;
                }
            }
        }

        /// <summary>The sweep with each read of the buffer redirected to the version it sees and the store to the new one.</summary>
        public static SourceStmt Rewrite(SourceLoop refill, Sweep sweep, string name, string history, Func<Expr, Expr> old, Func<Expr, Expr> updated)
        {
            Func<Expr, Expr> Reads(bool afterStore) => index => Offset(index, sweep.Counter) is int c && (c < 0 || (c == 0 && afterStore)) ? updated(index) : old(index);
            var body = refill.Body.Select((s, u) =>
                u == sweep.Store && s is SourceStore store
                    ? new SourceStore(history, updated(store.Index), BufferHistory.Redirect(store.Value, name, history, Reads(false))) { Origin = s.Origin, Site = store.Site }
                    : BufferHistory.Redirect(s, name, history, Reads(u > sweep.Store))).ToEquatableArray();
            return refill with { Body = body };
        }

        /// <summary>How far past the end of the buffer the sweep stops: <c>k</c> for a limit <c>length - k</c>, or null.</summary>
        private static int? Trim(Expr limit, SourceBuffer buffer, Dictionary<string, Expr?> known)
        {
            var length = BufferHistory.Resolve(buffer.Length, known);
            bool IsLength(Expr e) => e.Equals(length) || (e is Len len && len.Array == buffer.Name);
            if (IsLength(limit))
            {
                return 0;
            }

            if (limit is Binary { Op: BinaryOp.Sub, Right: Const k } b && IsLength(b.Left) && k.Value >= 0 && k.Value == Math.Floor(k.Value))
            {
                return (int)k.Value;
            }

            return limit is Const hi && length is Const total && hi.Value <= total.Value && hi.Value == Math.Floor(hi.Value) ? (int)(total.Value - hi.Value) : null;
        }

        /// <summary><c>c</c> for an index <c>j + c</c>, <c>c + j</c>, <c>j - c</c> or <c>j</c> with a constant <c>c</c>, else null.</summary>
        private static int? Offset(Expr index, string j) => index switch
        {
            Var v when v.Name == j => 0,
            Binary { Op: BinaryOp.Add, Left: Var v, Right: Const c } when v.Name == j && Whole(c) => (int)c.Value,
            Binary { Op: BinaryOp.Add, Left: Const c, Right: Var v } when v.Name == j && Whole(c) => (int)c.Value,
            Binary { Op: BinaryOp.Sub, Left: Var v, Right: Const c } when v.Name == j && Whole(c) => -(int)c.Value,
            _ => null,
        };

        private static bool Whole(Const c) => c.Value == Math.Floor(c.Value) && Math.Abs(c.Value) < 1 << 20;

        private static IEnumerable<SourceStmt> Copy(Var q, Expr from, Expr to, string history, ValType element, Func<Expr, Expr> old, Func<Expr, Expr> updated)
        {
            yield return new SourceAssign(q.Name, ValType.Int, from);
            yield return new SourceLoop(
                new Binary(BinaryOp.Lt, q, to, ValType.Bool),
                EquatableArray.Create<SourceStmt>(new SourceStore(history, updated(q), new Elem(history, old(q), element))),
                EquatableArray.Create<SourceStmt>(new SourceAssign(q.Name, ValType.Int, BufferHistory.Add(q, Const.Of(1, ValType.Int)))),
                TestFirst: true);
        }

        private static Expr Min(Const a, Expr b) => b is Const cb ? Const.Of(Math.Min(a.Value, cb.Value), ValType.Int) : new Cond(new Binary(BinaryOp.Lt, b, a, ValType.Bool), b, a, ValType.Int);

        private static Expr Max(Expr a, Const b) => a is Const ca ? Const.Of(Math.Max(ca.Value, b.Value), ValType.Int) : new Cond(new Binary(BinaryOp.Gt, a, b, ValType.Bool), a, b, ValType.Int);

        /// <summary>Every expression of a statement, at any depth.</summary>
        internal static IEnumerable<Expr> Expressions(SourceStmt s)
        {
            switch (s)
            {
                case SourceAssign a:
                    yield return a.Value;
                    break;
                case SourceStore st:
                    yield return st.Index;
                    yield return st.Value;
                    break;
                case SourceIf i:
                    yield return i.Condition;
                    break;
                case SourceLoop l:
                    yield return l.Condition;
                    break;
                case SourceReturn { Value: { } r }:
                    yield return r;
                    break;
                case SourceBuffer b:
                    yield return b.Length;
                    break;
            }

            foreach (var nested in LocalBuffers.Nested(s))
            {
                foreach (var e in nested.SelectMany(Expressions))
                {
                    yield return e;
                }
            }
        }
    }
}

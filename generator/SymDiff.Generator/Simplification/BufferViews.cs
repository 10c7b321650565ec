using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>
    /// A pooled buffer (<c>ArrayPool</c> rents an array at least as long as asked) passed whole to a method, or whose length
    /// is read, stands for its first <see cref="RentBuffer.Length"/> elements: <c>F(h)</c> becomes
    /// <c>F(new Span&lt;double&gt;(h, 0, n))</c> and <c>h.Length</c> becomes <c>n</c>. A buffer on the stack already has its
    /// exact length. Only buffers passed whole are rewritten, and their lengths read only parameters, so they are in scope
    /// wherever the buffer is.
    /// </summary>
    internal static class BufferViews
    {
        public static Block Apply(Block body)
        {
            var passed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var s in body.Statements)
            {
                foreach (var e in Walk.AllExpressions(s))
                {
                    Walk.Contains(e, x =>
                    {
                        if (x is SpanRef r)
                        {
                            passed.Add(r.Array);
                        }

                        return false;
                    });
                }
            }

            if (passed.Count == 0)
            {
                return body;
            }

            var pooled = new Dictionary<string, RentBuffer>(StringComparer.Ordinal);
            foreach (var rent in body.Statements.OfType<RentBuffer>().Where(r => !r.OnStack && passed.Contains(r.Name)))
            {
                pooled[rent.Name] = rent;
            }

            if (pooled.Count == 0)
            {
                return body;
            }

            Expr View(Expr e) => Walk.Transform(e, x => x switch
            {
                SpanRef r when pooled.TryGetValue(r.Array, out var rent) => SpanView.Scratch(r.Array, rent.Length, r.Element),
                Len l when pooled.TryGetValue(l.Array, out var rent) => rent.Length,
                _ => x,
            });

            Block Map(Block block) => new Block(block.Statements.Select(s => Walk.MapBlocks(Walk.MapExpressions(s, View), Map)).ToEquatableArray());
            return Map(body);
        }
    }
}

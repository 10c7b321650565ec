using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.IR;
using static SymDiff.Generator.Simplification.Ir;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>
    /// Local buffers in reverse mode (docs/architecture.md, "Local buffers"): an active buffer <c>h</c> has an adjoint
    /// buffer <c>hBar</c> of the same length and storage, zeroed at the top. A read <c>h[j]</c> adds into
    /// <c>hBar[j]</c> at once; a store <c>h[j] = v</c> takes <c>hBar[j]</c> as the adjoint of <c>v</c> and zeroes it.
    /// </summary>
    internal sealed partial class ReverseDifferentiator
    {
        /// <summary>Active local buffer → the allocation of its adjoint buffer.</summary>
        private readonly Dictionary<string, RentBuffer> _bufferAdjoints = new Dictionary<string, RentBuffer>(StringComparer.Ordinal);

        /// <summary>Every local buffer, and those declared inside a loop (cleared there: rewritten each iteration).</summary>
        private readonly HashSet<string> _localBuffers = new HashSet<string>(StringComparer.Ordinal);
        private readonly HashSet<string> _rewrittenBuffers = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>
        /// A buffer declared outside every loop is written once in all (lowering's rule): its elements still hold their
        /// values when a reverse loop recomputes an iteration, so its stores are not repeated. One declared inside a loop
        /// is rewritten each iteration, and a reverse loop's recomputation rebuilds it.
        /// </summary>
        private bool IsWrittenOnce(string array) => _localBuffers.Contains(array) && !_rewrittenBuffers.Contains(array);

        /// <summary>Gives every active local buffer (a zeroed allocation at the top of the body) its adjoint buffer.</summary>
        private void AllocateBufferAdjoints(Block body)
        {
            _localBuffers.UnionWith(body.Statements.OfType<RentBuffer>().Where(r => r.Zeroed).Select(r => r.Name));
            CollectRewritten(body);

            foreach (var rent in body.Statements.OfType<RentBuffer>().Where(r => r.Zeroed && _activity.IsActiveArray(r.Name)))
            {
                var adjoint = rent with { Name = _namer.NewSourceName(rent.Name + "Bar") };
                _bufferAdjoints[rent.Name] = adjoint;
                _topLevelBuffers.Add(adjoint);
            }
        }

        private void CollectRewritten(Block block)
        {
            foreach (var s in block.Statements)
            {
                if (Cleared(s) is { } cleared)
                {
                    _rewrittenBuffers.Add(cleared);
                }

                foreach (var nested in Walk.Blocks(s))
                {
                    CollectRewritten(nested);
                }
            }
        }

        /// <summary>The buffer a statement clears, or null.</summary>
        private static string? Cleared(Stmt s) => s switch
        {
            ClearBuffer c => c.Target,
            ClearArray c => c.Name,
            _ => null,
        };

        /// <summary>Whether a block (at any depth) stores into an active local buffer.</summary>
        private bool StoresBuffer(Block block) =>
            block.Statements.Any(s => (s is Store st && _bufferAdjoints.ContainsKey(st.Array)) || Walk.Blocks(s).Any(StoresBuffer));

        /// <summary>The reverse of a buffer's own statements: its allocation needs none; a clear (a declaration inside a loop) clears the adjoint too.</summary>
        private static void ReverseBufferStatement(Stmt s, Dictionary<string, RentBuffer> adjoints, List<Stmt> reverse)
        {
            if (Cleared(s) is { } name && adjoints.TryGetValue(name, out var adjoint))
            {
                // Contributions to elements read before this iteration wrote them belong to the zeros, not to the previous iteration.
                reverse.Add(adjoint.Clear());
            }
        }

        /// <summary><c>h[j] = v</c>: <c>v</c> receives <c>hBar[j]</c>, which the write then zeroes (the old value is gone).</summary>
        private bool ReverseBufferStore(Store store, Adjoints adjoints, List<Stmt> reverse)
        {
            if (!_bufferAdjoints.TryGetValue(store.Array, out var adjoint))
            {
                return false;
            }

            var type = store.Value.Type;
            var taken = new Let(_namer.NewSourceName(store.Array + "Bar"), new Elem(adjoint.Name, store.Index, type));
            _types[taken.Name] = type;
            _adjointNames.Add(taken.Name);
            reverse.Add(taken);
            reverse.Add(new Store(adjoint.Name, store.Index, Lit(0, type)));
            Backprop(store.Value, taken.Ref, adjoints, reverse);
            return true;
        }
    }
}

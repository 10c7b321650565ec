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

        /// <summary>Every local buffer.</summary>
        private readonly HashSet<string> _localBuffers = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>The local buffers declared (cleared) inside the loop whose reverse loop is being built.</summary>
        private HashSet<string> _declaredInLoop = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>
        /// Whether a buffer holds its final values (for the current iteration of the scope that declares it) all through a
        /// loop's reverse sweep: it is declared outside that loop. Lowering's rules (written once, or filled by accumulation
        /// before any read) make every value the reverse sweep reads the final one, so the recomputation must not store
        /// into it again (an accumulation would add twice). A buffer declared inside the loop is made again each iteration,
        /// and the recomputation rebuilds it.
        /// </summary>
        private bool IsFinalDuringReverse(string array) => _localBuffers.Contains(array) && !_declaredInLoop.Contains(array);

        /// <summary>Gives every active local buffer (a zeroed allocation at the top of the body) its adjoint buffer.</summary>
        private void AllocateBufferAdjoints(Block body)
        {
            _localBuffers.UnionWith(body.Statements.OfType<RentBuffer>().Where(r => r.Zeroed).Select(r => r.Name));

            foreach (var rent in body.Statements.OfType<RentBuffer>().Where(r => r.Zeroed && _activity.IsActiveArray(r.Name)))
            {
                var adjoint = rent with { Name = _namer.NewSourceName(rent.Name + "Bar") };
                _bufferAdjoints[rent.Name] = adjoint;
                _topLevelBuffers.Add(adjoint);
            }
        }

        /// <summary>The local buffers a block declares (clears), at any depth.</summary>
        private static HashSet<string> BuffersDeclaredIn(Block block)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            void Visit(Block b)
            {
                foreach (var s in b.Statements)
                {
                    if (Cleared(s) is { } cleared)
                    {
                        names.Add(cleared);
                    }

                    foreach (var nested in Walk.Blocks(s))
                    {
                        Visit(nested);
                    }
                }
            }

            Visit(block);
            return names;
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

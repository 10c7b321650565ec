using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace SymDiff.Generator.Helpers
{
    /// <summary>Compares objects by identity: memo tables over IR nodes, whose structural equality costs a walk of the tree.</summary>
    internal sealed class ReferenceComparer : IEqualityComparer<object>
    {
        public static readonly ReferenceComparer Instance = new ReferenceComparer();

        public new bool Equals(object? x, object? y) => ReferenceEquals(x, y);

        /// <remarks>An IR expression's own hash is computed once, when the node is built (equal nodes share it, which identity allows); it is cheaper than the runtime's identity hash, which a fresh object has to be given first.</remarks>
        public int GetHashCode(object obj) => obj is IR.Expr e ? e.GetHashCode() : RuntimeHelpers.GetHashCode(obj);
    }
}

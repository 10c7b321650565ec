using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace SymDiff.Generator.Helpers
{
    /// <summary>Compares objects by identity: memo tables over IR nodes, whose structural equality costs a walk of the tree.</summary>
    internal sealed class ReferenceComparer : IEqualityComparer<object>
    {
        public static readonly ReferenceComparer Instance = new ReferenceComparer();

        public new bool Equals(object? x, object? y) => ReferenceEquals(x, y);

        public int GetHashCode(object obj) => RuntimeHelpers.GetHashCode(obj);
    }
}

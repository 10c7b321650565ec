using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;

namespace SymDiff.Generator.Helpers
{
    /// <summary>
    /// An immutable array with value equality, so that models holding sequences compare by content and the
    /// incremental pipeline can cache them.
    /// </summary>
    internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
        where T : IEquatable<T>
    {
        public static readonly EquatableArray<T> Empty = new EquatableArray<T>(ImmutableArray<T>.Empty);

        private readonly ImmutableArray<T> _items;

        public EquatableArray(ImmutableArray<T> items)
        {
            _items = items;
        }

        public ImmutableArray<T> AsImmutableArray() => _items.IsDefault ? ImmutableArray<T>.Empty : _items;

        public int Count => _items.IsDefault ? 0 : _items.Length;

        /// <summary>
        /// Maps each item in order, like <c>Select(map).ToEquatableArray()</c>, but returns this array itself (and
        /// allocates nothing) when every item maps to the same object.
        /// </summary>
        public EquatableArray<T> Map(Func<T, T> map)
        {
            var items = AsImmutableArray();
            ImmutableArray<T>.Builder? copy = null;
            for (int i = 0; i < items.Length; i++)
            {
                var item = items[i];
                var mapped = map(item);
                if (copy is null)
                {
                    if (ReferenceEquals(mapped, item))
                    {
                        continue;
                    }

                    copy = ImmutableArray.CreateBuilder<T>(items.Length);
                    for (int j = 0; j < i; j++)
                    {
                        copy.Add(items[j]);
                    }
                }

                copy.Add(mapped);
            }

            return copy is null ? this : new EquatableArray<T>(copy.MoveToImmutable());
        }

        public T this[int index] => _items[index];

        public bool Equals(EquatableArray<T> other)
        {
            var a = AsImmutableArray();
            var b = other.AsImmutableArray();
            if (a.Length != b.Length)
            {
                return false;
            }

            for (int i = 0; i < a.Length; i++)
            {
                if (!EqualityComparer<T>.Default.Equals(a[i], b[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

        public override int GetHashCode()
        {
            int hash = 17;
            foreach (var item in AsImmutableArray())
            {
                hash = Hash.Combine(hash, item is null ? 0 : item.GetHashCode());
            }

            return hash;
        }

        public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)AsImmutableArray()).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

        public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);
    }

    /// <summary>Construction helpers for <see cref="EquatableArray{T}"/>.</summary>
    internal static class EquatableArray
    {
        public static EquatableArray<T> Create<T>(params T[] items)
            where T : IEquatable<T> => new EquatableArray<T>(ImmutableArray.Create(items));

        public static EquatableArray<T> ToEquatableArray<T>(this IEnumerable<T> items)
            where T : IEquatable<T> => new EquatableArray<T>(ImmutableArray.CreateRange(items));
    }
}

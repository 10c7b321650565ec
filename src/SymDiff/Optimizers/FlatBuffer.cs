using System.Runtime.CompilerServices;

namespace SymDiff
{
    /// <summary>
    /// An optimizer's view of one flat buffer of <c>double</c> or <c>float</c> elements, read and written as <c>double</c>:
    /// the optimizers compute each step in <c>double</c>, and a <c>float</c> buffer rounds each stored value once. Structs,
    /// so a generic step method is compiled once per element type, with no virtual calls and no boxing.
    /// </summary>
    internal interface IFlatBuffer
    {
        double this[int index] { get; set; }
    }

    /// <summary>A <c>double[]</c> buffer.</summary>
    internal readonly struct DoubleBuffer : IFlatBuffer
    {
        private readonly double[] _elements;

        public DoubleBuffer(double[] elements) => _elements = elements;

        public double this[int index]
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => _elements[index];
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            set => _elements[index] = value;
        }
    }

    /// <summary>A <c>float[]</c> buffer: each value stored is rounded to <c>float</c>.</summary>
    internal readonly struct FloatBuffer : IFlatBuffer
    {
        private readonly float[] _elements;

        public FloatBuffer(float[] elements) => _elements = elements;

        public double this[int index]
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => _elements[index];
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            set => _elements[index] = (float)value;
        }
    }
}

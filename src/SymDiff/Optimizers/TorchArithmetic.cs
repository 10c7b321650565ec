using System;
using System.Runtime.CompilerServices;

namespace SymDiff
{
    /// <summary>
    /// The elementwise arithmetic of PyTorch's CPU kernels, so that the optimizers round as PyTorch does.
    /// </summary>
    /// <remarks>
    /// On x86-64 with AVX2 (and on ARM64), PyTorch's kernels for <c>add(other, alpha)</c>, <c>lerp</c> and
    /// <c>addcmul</c> compute their final multiply-add as one fused operation (explicit <c>fmadd</c> in the
    /// vectorised loop, compiler contraction in the scalar one); <c>addcdiv</c> divides, then adds.
    /// <see cref="MultiplyAdd"/> reproduces the fused rounding where the runtime offers
    /// <c>Math.FusedMultiplyAdd</c> (.NET Core 3.0 and later); the netstandard2.0 build rounds the product
    /// separately, which differs in the last bit at most.
    /// </remarks>
    internal static class TorchArithmetic
    {
        /// <summary>Returns <c>a * b + c</c>, rounded once where the runtime allows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double MultiplyAdd(double a, double b, double c)
        {
#if NETCOREAPP3_0_OR_GREATER
            return Math.FusedMultiplyAdd(a, b, c);
#else
            return (a * b) + c;
#endif
        }

        /// <summary>PyTorch's <c>self.add(other, alpha=alpha)</c>: <c>self + alpha * other</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Add(double self, double other, double alpha) => MultiplyAdd(alpha, other, self);

        /// <summary>
        /// PyTorch's <c>self.lerp(end, weight)</c>: <c>self + weight * (end - self)</c> for <c>|weight| &lt; 0.5</c>,
        /// otherwise <c>end - (end - self) * (1 - weight)</c>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Lerp(double self, double end, double weight) => Math.Abs(weight) < 0.5
            ? MultiplyAdd(weight, end - self, self)
            : MultiplyAdd(-(end - self), 1 - weight, end);

        /// <summary>PyTorch's <c>self.addcmul(t1, t2, value=value)</c>: <c>self + value * t1 * t2</c>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double AddCMul(double self, double t1, double t2, double value) => MultiplyAdd(value * t1, t2, self);

        /// <summary>PyTorch's <c>self.addcdiv(t1, t2, value=value)</c>: <c>self + value * t1 / t2</c>, evaluated left to right.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double AddCDiv(double self, double t1, double t2, double value) => self + (value * t1 / t2);
    }
}

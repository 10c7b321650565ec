using System;

namespace SymDiff
{
    /// <summary>
    /// Declares a custom derivative rule: the marked method returns the partial derivatives of the target
    /// function at the same arguments.
    /// </summary>
    /// <remarks>
    /// A rule for a function of one scalar argument returns the derivative; a rule for a function of
    /// <c>k</c> scalar arguments returns a <c>k</c>-tuple of partial derivatives in argument order.
    /// The rule takes the same parameters as the target. Rules serve forward and reverse mode.
    /// </remarks>
    /// <example>
    /// <code>
    /// [DerivativeOf(typeof(MyMath), nameof(MyMath.Softplus))]
    /// static double SoftplusDerivative(double x) => 1 / (1 + Math.Exp(-x));
    /// </code>
    /// </example>
    [AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
    public sealed class DerivativeOfAttribute : Attribute
    {
        /// <summary>Declares the marked method as the derivative of <paramref name="type"/>.<paramref name="methodName"/>.</summary>
        /// <param name="type">The type that declares the target function.</param>
        /// <param name="methodName">The name of the target function; use <c>nameof</c>.</param>
        public DerivativeOfAttribute(Type type, string methodName)
        {
            Type = type;
            MethodName = methodName;
        }

        /// <summary>The type that declares the target function.</summary>
        public Type Type { get; }

        /// <summary>The name of the target function.</summary>
        public string MethodName { get; }
    }
}

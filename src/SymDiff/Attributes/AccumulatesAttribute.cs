using System;

namespace SymDiff
{
    /// <summary>
    /// Marks a parameter that a method adds into instead of overwriting, like PyTorch's <c>.grad</c>.
    /// </summary>
    /// <remarks>
    /// The generated <c>Backward</c> methods carry it on their gradient parameters. Analyzers use it to warn
    /// when a buffer accumulates across training iterations without being reset (the missing <c>zero_grad()</c>).
    /// User methods may carry it too.
    /// </remarks>
    [AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    public sealed class AccumulatesAttribute : Attribute
    {
    }
}

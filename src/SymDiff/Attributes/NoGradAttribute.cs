using System;

namespace SymDiff
{
    /// <summary>
    /// Marks a parameter of a <see cref="DifferentiableAttribute"/> method as data: it is never differentiated
    /// and gets no gradient buffer.
    /// </summary>
    [AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
    public sealed class NoGradAttribute : Attribute
    {
    }
}

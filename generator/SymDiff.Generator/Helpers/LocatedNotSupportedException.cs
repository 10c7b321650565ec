using System;

namespace SymDiff.Generator.Helpers
{
    /// <summary>
    /// A construct a phase after parsing cannot handle yet, at a known place in the user's method: becomes SD1000 at that
    /// site (an index into the method's sites, like every diagnostic after parsing) instead of at the method's name.
    /// </summary>
    internal sealed class LocatedNotSupportedException : NotSupportedException
    {
        public LocatedNotSupportedException(string message, int site)
            : base(message)
        {
            Site = site;
        }

        /// <summary>Index into the method's sites; negative for the method itself.</summary>
        public int Site { get; }
    }
}

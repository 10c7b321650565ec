using System;
using Xunit;

namespace SymDiff.Fuzz.Tests.Tests
{
    /// <summary>
    /// A developer tool run through the test runner, not a test: skipped unless <see cref="Variable"/> is set, so it
    /// never shows up as a passing test that checks nothing.
    /// </summary>
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class ToolFactAttribute : FactAttribute
    {
        public ToolFactAttribute(string variable)
        {
            Variable = variable;
            if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(variable)))
            {
                Skip = $"A tool, not a test: set {variable} to run it (see docs/testing.md).";
            }
        }

        public string Variable { get; }
    }
}

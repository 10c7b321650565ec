using System.Collections.Generic;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Parsing
{
    internal static partial class Parser
    {
        private sealed partial class BodyParser
        {
            // Which elements of the output span may have been written so far, in source order. Conservative the safe
            // way: a write in any branch counts, and a write at a computed index may have written anything.
            private readonly HashSet<double> _outputWrites = new HashSet<double>();
            private bool _outputWrittenAnywhere;

            private void RecordOutputWrite(Expr index)
            {
                if (index is Const c)
                {
                    _outputWrites.Add(c.Value);
                }
                else
                {
                    _outputWrittenAnywhere = true;
                }
            }

            private bool OutputMayHaveBeenWritten(Expr index) =>
                _outputWrittenAnywhere || (index is Const c ? _outputWrites.Contains(c.Value) : _outputWrites.Count > 0);
        }
    }
}

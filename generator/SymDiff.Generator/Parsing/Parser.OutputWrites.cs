using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using SymDiff.Generator.Rules;

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

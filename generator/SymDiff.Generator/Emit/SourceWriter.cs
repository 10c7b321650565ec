using System.Text;

namespace SymDiff.Generator.Emit
{
    /// <summary>A small indented text writer: four spaces per level, \n line endings.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _text = new StringBuilder();
        private int _indent;

        /// <summary>Whether the last line closed a block: a statement after it gets a blank line first, as a person writes it.</summary>
        private bool _closed;

        public void Indent() => _indent++;

        public void Unindent() => _indent--;

        public void WriteLine(string line = "")
        {
            if (_closed && line.Length > 0 && !ContinuesBlock(line))
            {
                _text.Append('\n');
            }

            _closed = false;
            if (line.Length > 0)
            {
                _text.Append(' ', _indent * 4).Append(line);
            }

            _text.Append('\n');
        }

        /// <summary>A blank line, unless the last line was one or opened a block: before a comment that starts a section.</summary>
        public void Separate()
        {
            int n = _text.Length;
            if (n == 0 || (n >= 2 && _text[n - 2] == '\n') || (n >= 2 && _text[n - 2] == '{'))
            {
                return;
            }

            _text.Append('\n');
            _closed = false;
        }

        public void OpenBrace()
        {
            WriteLine("{");
            Indent();
        }

        public void CloseBrace(string suffix = "")
        {
            Unindent();
            WriteLine("}" + suffix);
            _closed = suffix.Length == 0;
        }

        /// <summary>A line that belongs with the block just closed: another closing brace, or the rest of an <c>if</c> or <c>try</c>.</summary>
        private static bool ContinuesBlock(string line) =>
            line[0] == '}' || line.StartsWith("else", System.StringComparison.Ordinal) || line.StartsWith("finally", System.StringComparison.Ordinal)
            || line.StartsWith("catch", System.StringComparison.Ordinal) || line[0] == '#';

        public override string ToString() => _text.ToString();
    }
}

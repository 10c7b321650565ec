using System.Text;

namespace SymDiff.Generator.Emit
{
    /// <summary>A small indented text writer: four spaces per level, \n line endings.</summary>
    internal sealed class SourceWriter
    {
        private readonly StringBuilder _text = new StringBuilder();
        private int _indent;

        public void Indent() => _indent++;

        public void Unindent() => _indent--;

        public void WriteLine(string line = "")
        {
            if (line.Length > 0)
            {
                _text.Append(' ', _indent * 4).Append(line);
            }

            _text.Append('\n');
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
        }

        public override string ToString() => _text.ToString();
    }
}

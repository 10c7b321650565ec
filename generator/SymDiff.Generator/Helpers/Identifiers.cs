using Microsoft.CodeAnalysis.CSharp;

namespace SymDiff.Generator.Helpers
{
    /// <summary>Writes names as C# identifiers: a user's <c>@in</c> or <c>@double</c> keeps its <c>@</c>.</summary>
    internal static class Identifiers
    {
        public static string Escape(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
    }
}

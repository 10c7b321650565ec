using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.Diagnostics
{
    /// <summary>A location as plain data (path and spans), so models that carry one stay equatable.</summary>
    internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
    {
        public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

        /// <summary>The location in <paramref name="compilation"/>'s syntax tree of that path (so #pragma and editors see it), else a file location.</summary>
        public Location ToLocation(Compilation compilation)
        {
            foreach (var tree in compilation.SyntaxTrees)
            {
                if (tree.FilePath == FilePath && Span.End <= tree.Length)
                {
                    return Location.Create(tree, Span);
                }
            }

            return ToLocation();
        }

        public static LocationInfo? From(Location? location)
        {
            if (location is null || location.SourceTree is null)
            {
                return null;
            }

            return new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
        }

        public static LocationInfo? From(SyntaxNode? node) => From(node?.GetLocation());
    }

    /// <summary>A diagnostic as plain data: which descriptor, where, and the message arguments.</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            new DiagnosticInfo(descriptor.Id, location, EquatableArray.Create(arguments));

        public Diagnostic ToDiagnostic(Compilation? compilation = null)
        {
            var descriptor = DiagnosticDescriptors.ById(Id);
            object[] args = new object[Arguments.Count];
            for (int i = 0; i < args.Length; i++)
            {
                args[i] = Arguments[i];
            }

            var location = Location is null ? null : compilation is null ? Location.ToLocation() : Location.ToLocation(compilation);
            return Diagnostic.Create(descriptor, location, args);
        }
    }
}

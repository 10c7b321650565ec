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
    /// <remarks>
    /// The phases after parsing know no positions (so moving a method re-runs none of them): they say where by
    /// <see cref="Site"/>, an index into the method's sites (<see cref="Parsing.ParseResult.Sites"/>), or
    /// <see cref="MethodSite"/> for the method's name; the last step of the generator turns it into a location.
    /// </remarks>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments)
    {
        /// <summary>The <see cref="Site"/> of a diagnostic about the method as a whole (at its name).</summary>
        public const int MethodSite = -1;

        /// <summary>The <see cref="Site"/> of a diagnostic that carries its <see cref="Location"/> itself.</summary>
        public const int NoSite = -2;

        /// <summary>Where the diagnostic goes when it has no location yet: a site index, <see cref="MethodSite"/>, or <see cref="NoSite"/>.</summary>
        public int Site { get; init; } = NoSite;

        /// <summary>
        /// For SD1006 while its method is built: the pooled tapes it reports, each with the value it stores ("s (double)")
        /// and its bytes, so that the report can leave out tapes the scheduler later removes as unread (then empty).
        /// </summary>
        public EquatableArray<StoredValue> Tapes { get; init; } = EquatableArray<StoredValue>.Empty;

        public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
            new DiagnosticInfo(descriptor.Id, location, EquatableArray.Create(arguments));

        /// <summary>A diagnostic at site <paramref name="site"/> of the method (or <see cref="MethodSite"/>), placed later.</summary>
        public static DiagnosticInfo AtSite(DiagnosticDescriptor descriptor, int site, params string[] arguments) =>
            new DiagnosticInfo(descriptor.Id, null, EquatableArray.Create(arguments)) { Site = site };

        /// <summary>This diagnostic with its site resolved against the method's <paramref name="sites"/> and name location.</summary>
        public DiagnosticInfo Placed(EquatableArray<LocationInfo> sites, LocationInfo? method) => Site switch
        {
            NoSite => this,
            MethodSite => this with { Location = method, Site = NoSite },
            _ => this with { Location = Site < sites.Count ? sites[Site] : method, Site = NoSite },
        };

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

    /// <summary>A value a loop stores per iteration in the pooled tape <paramref name="Tape"/> (SD1006).</summary>
    internal sealed record StoredValue(string Tape, string Value, int Bytes);
}

using System.Linq;
using Microsoft.CodeAnalysis;
using SymDiff.Generator.Model;

namespace SymDiff.Generator.Parsing
{
    /// <summary>Reads from the compilation which vector APIs generated code may call (<c>Vectorize = true</c>).</summary>
    internal static class VectorApis
    {
        public const string Vector256 = "System.Runtime.Intrinsics.Vector256";

        public static VectorTarget Of(Compilation compilation)
        {
            var type = compilation.GetTypeByMetadataName(Vector256);
            if (type is null)
            {
                return VectorTarget.None;
            }

            var members = type.GetMembers();
            bool Has(string name, System.Func<IMethodSymbol, bool> shape) =>
                members.OfType<IMethodSymbol>().Any(m => m.Name == name && m.DeclaredAccessibility == Accessibility.Public && shape(m));

            bool lanes = members.Any(m => m is IPropertySymbol { Name: "IsHardwareAccelerated" })
                && Has("Create", m => m.IsGenericMethod && m.Parameters.Length == 1 && m.Parameters[0].Type.Name == "ReadOnlySpan")
                && Has("CopyTo", m => m.Parameters.Length == 2 && m.Parameters[1].Type.Name == "Span")
                && Has("Sum", m => m.Parameters.Length == 1);
            if (!lanes)
            {
                return VectorTarget.None;
            }

            bool expLog = Has("Exp", m => m.Parameters.Length == 1) && Has("Log", m => m.Parameters.Length == 1);
            return new VectorTarget(true, expLog, string.Empty);
        }
    }
}

using System.Collections.Immutable;
using SymDiff.Fuzz.Tests.Grammar;

namespace SymDiff.Fuzz.Tests.Tests
{
    /// <summary>The programs the checker's own tests feed it: one double scalar parameter <c>x = 1.75</c> and one statement.</summary>
    internal static class CheckerPrograms
    {
        /// <param name="seed">The program's seed (its number in reports).</param>
        /// <param name="body">The method's one statement.</param>
        /// <param name="backwardSeed">The seed Backward runs with.</param>
        /// <param name="initial">What Backward's gradient buffer holds before it runs.</param>
        public static FuzzProgram OneScalar(int seed, St body, double backwardSeed, double initial) => new FuzzProgram(
            seed,
            Precision.Double,
            ImmutableArray.Create(new Param("x", ParamKind.Scalar, false, ImmutableArray.Create(1.75), 0)),
            ImmutableArray<string>.Empty,
            Hessian: false,
            IsVector: false,
            OutputLength: 0,
            ImmutableArray.Create(body),
            ImmutableArray<Helper>.Empty,
            new Seeds(ImmutableArray.Create(backwardSeed), ImmutableArray.Create(initial), ImmutableArray.Create(1.0), ImmutableArray.Create(1.0)),
            Instance: false,
            ImmutableArray<Member>.Empty);
    }
}

using System.Linq;
using SymDiff.Generator.Tests.Corpus;
using SymDiff.Generator.Tests.Infrastructure;
using Xunit;

namespace SymDiff.Generator.Tests.Emit
{
    /// <summary>
    /// The generated code of each construct group of the corpus (<see cref="DifferentiableFunctions"/>), one
    /// compilation per group, compared with <c>Snapshots/EmitterSnapshotTests/&lt;group&gt;/</c>. Every snapshot must
    /// also compile with no warning. The numbers are checked by <c>Numeric/GeneratedCodeNumericTests</c>; these tests
    /// pin down the shape of the code a user reads.
    /// </summary>
    public sealed class EmitterSnapshotTests
    {
        /// <summary>PyTorch's autograd tutorial: (w + x)(w + 1) and (w + x)(w x).</summary>
        [Fact]
        public void Tutorial() => VerifyGroup("Tutorial");

        /// <summary>Operators, literals, consts, locals (var, re-assigned, compound), casts, integer data, fields.</summary>
        [Fact]
        public void Arithmetic() => VerifyGroup("Arithmetic");

        /// <summary>Sin, Cos, Tan, Asin, Acos, Atan, Atan2.</summary>
        [Fact]
        public void MathTrigonometric() => VerifyGroup("MathTrigonometric");

        /// <summary>Sinh, Cosh, Tanh.</summary>
        [Fact]
        public void MathHyperbolic() => VerifyGroup("MathHyperbolic");

        /// <summary>Asinh, Acosh, Atanh (double, double's and float's static methods, MathF).</summary>
        [Fact]
        public void MathInverseHyperbolic() => VerifyGroup("MathInverseHyperbolic");

        /// <summary>Exp, Log (1 and 2 arguments), Log2, Log10, double's static methods.</summary>
        [Fact]
        public void MathExpLog() => VerifyGroup("MathExpLog");

        /// <summary>Pow (constant, inactive and active exponent), Sqrt, Cbrt.</summary>
        [Fact]
        public void MathPowRoot() => VerifyGroup("MathPowRoot");

        /// <summary>Abs, Max, Min, Clamp, FusedMultiplyAdd.</summary>
        [Fact]
        public void MathPiecewise() => VerifyGroup("MathPiecewise");

        /// <summary>Floor, Ceiling, Round, Truncate, Sign: zero derivatives.</summary>
        [Fact]
        public void MathRounding() => VerifyGroup("MathRounding");

        /// <summary>float methods: MathF, float's static methods, float[], a branch, Detach, double Math, overloads.</summary>
        [Fact]
        public void Float() => VerifyGroup("Float");

        /// <summary>if/else, else-if chains, &amp;&amp; || !, == !=, sibling scopes, merged values in conditions.</summary>
        [Fact]
        public void Branches() => VerifyGroup("Branches");

        /// <summary>An if nested in an if, with a value merged in the inner one and read by the reverse sweep.</summary>
        [Fact]
        public void NestedBranches() => VerifyGroup("NestedBranches");

        /// <summary>The conditional operator, nested.</summary>
        [Fact]
        public void Ternary() => VerifyGroup("Ternary");

        /// <summary>Early returns: guard clauses, returns in nested ifs, in both arms, in else-if chains.</summary>
        [Fact]
        public void EarlyReturn() => VerifyGroup("EarlyReturn");

        /// <summary>Calls to other [Differentiable] methods: nested, constant, [NoGrad] callee parameter, in a branch, another type.</summary>
        [Fact]
        public void Calls() => VerifyGroup("Calls");

        /// <summary>[DerivativeOf] rules of one argument and of two (tuple), with an inactive argument.</summary>
        [Fact]
        public void CustomRules() => VerifyGroup("CustomRules");

        /// <summary>Grad.Detach.</summary>
        [Fact]
        public void Detach() => VerifyGroup("Detach");

        /// <summary>[NoGrad] parameters (scalar, span, array) and wrt lists.</summary>
        [Fact]
        public void NoGradWrt() => VerifyGroup("NoGradWrt");

        /// <summary>Element reads of arrays and spans: constant, int and computed indices, Length, aliasing.</summary>
        [Fact]
        public void ElementAccess() => VerifyGroup("ElementAccess");

        /// <summary>Instance methods, a nested type, a struct, a record, a record struct, the global namespace.</summary>
        [Fact]
        public void Containers() => VerifyGroup("Containers");

        /// <summary>Unusual names: verbatim keywords, non-ASCII, names like the generated ones (seed, dX, t0, xBar).</summary>
        [Fact]
        public void Identifiers() => VerifyGroup("Identifiers");

        /// <summary>A primary constructor parameter read in the body.</summary>
        [Fact]
        public void PrimaryConstructor() => VerifyGroup("PrimaryConstructor");

        /// <summary>Every corpus group has a snapshot test above.</summary>
        [Fact]
        public void EveryCorpusGroupHasASnapshotTest()
        {
            string[] tests = typeof(EmitterSnapshotTests).GetMethods()
                .Where(m => m.GetCustomAttributes(typeof(FactAttribute), inherit: false).Length > 0)
                .Select(m => m.Name)
                .ToArray();

            Assert.All(DifferentiableFunctions.Groups, group => Assert.Contains(group, tests));
        }

        private void VerifyGroup(string group)
        {
            GeneratorOutput output = GeneratorRunner.Run(DifferentiableFunctions.SourcesOf(group));

            // Compile first: a snapshot of code that does not compile is never the expected output.
            GeneratorRunner.AssertCleanCompile(output);
            Snapshot.Verify(this, output, group);
        }
    }
}

using System.Globalization;
using System.Linq;
using SymDiff.Generator.Tests.Corpus;
using SymDiff.Generator.Tests.Infrastructure;
using SymDiff.Generator.Tests.Simplification;
using Xunit;

namespace SymDiff.Generator.Tests.Emit
{
    /// <summary>
    /// The generator runs inside the compiler, on a build machine with any culture: its output must not depend on
    /// it. Each group is generated under the invariant culture and under cultures with a comma decimal separator and
    /// a non-ASCII minus sign (U+2212), and the texts must be identical.
    /// </summary>
    public sealed class EmitterCultureTests
    {
        [Theory]
        [InlineData("Arithmetic")]
        [InlineData("MathExpLog")]
        [InlineData("Float")]
        [InlineData("Branches")]
        [InlineData("ElementAccess")]
        public void GeneratedCodeDoesNotDependOnTheCulture(string group)
        {
            string[] sources = DifferentiableFunctions.SourcesOf(group);
            string[] invariant = GenerateUnder(CultureInfo.InvariantCulture, sources);

            foreach (CultureInfo culture in new[] { ExprPrinterTests.CultureWithUnicodeMinus(), CultureInfo.GetCultureInfo("de-DE"), CultureInfo.GetCultureInfo("ar-SA") })
            {
                string[] localized = GenerateUnder(culture, sources);
                Assert.True(invariant.SequenceEqual(localized), $"The generated code of group {group} differs under culture {culture.Name} (minus '{culture.NumberFormat.NegativeSign}', decimal '{culture.NumberFormat.NumberDecimalSeparator}').");
            }
        }

        private static string[] GenerateUnder(CultureInfo culture, string[] sources)
        {
            CultureInfo saved = CultureInfo.CurrentCulture;
            CultureInfo savedUi = CultureInfo.CurrentUICulture;
            try
            {
                CultureInfo.CurrentCulture = culture;
                CultureInfo.CurrentUICulture = culture;
                GeneratorOutput output = GeneratorRunner.Run(sources);
                return output.GeneratedSources.Select(s => s.HintName + "\n" + s.Text).ToArray();
            }
            finally
            {
                CultureInfo.CurrentCulture = saved;
                CultureInfo.CurrentUICulture = savedUi;
            }
        }
    }
}

using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Xunit;

namespace SymDiff.EndToEnd.Tests.Readme
{
    /// <summary>
    /// The training loop of README.md's Training section, compiled here as <c>LineFit.cs</c> (a verbatim copy that a
    /// test keeps equal to the README) and run: it must reach the known least-squares optimum.
    /// </summary>
    public sealed class ReadmeTrainingTests
    {
        // Exact data on y = 2x + 1: the least-squares optimum is w = 2, b = 1 with a loss of 0.
        private static readonly double[] X = { 0, 1, 2, 3, 4 };
        private static readonly double[] Y = { 1, 3, 5, 7, 9 };

        [Fact]
        public void LineFit_is_the_code_of_the_README()
        {
            string root = RepositoryRoot();
            string readme = File.ReadAllText(Path.Combine(root, "README.md"));
            string copy = File.ReadAllText(Path.Combine(root, "tests", "SymDiff.EndToEnd.Tests", "Readme", "LineFit.cs"));

            Assert.Equal(Normalize(copy), Normalize(TrainingCodeBlocks(readme)[0]));
        }

        [Fact]
        public void Training_reaches_the_least_squares_optimum()
        {
            double[] p = LineFit.Train(X, Y, epochs: 1000);

            // Gradient descent with rate 0.05 on this quadratic shrinks the slowest error component by
            // 1 - 0.05 * 0.597 = 0.970 per epoch (0.597 = the smaller eigenvalue of the Hessian 2 [[6, 2], [2, 1]]),
            // so after 1000 epochs the error is about 0.970^1000 * 2 ≈ 1e-13.
            Assert.Equal(2.0, p[0], 1e-10);
            Assert.Equal(1.0, p[1], 1e-10);
            Assert.InRange(LineFit.Loss(p[0], p[1], X, Y), 0, 1e-20);
        }

        [Fact]
        public void Loss_decreases_every_epoch()
        {
            // Rate 0.05 is below 1 / L = 1 / 13.4 (L the largest Hessian eigenvalue), so gradient descent on this
            // convex quadratic lowers the loss at every step until rounding takes over.
            double previous = LineFit.Loss(0, 0, X, Y);
            Assert.Equal(33.0, previous, 12); // (1 + 9 + 25 + 49 + 81) / 5
            for (int epochs = 1; epochs <= 60; epochs++)
            {
                double[] p = LineFit.Train(X, Y, epochs);
                double loss = LineFit.Loss(p[0], p[1], X, Y);
                Assert.True(loss < previous, $"epoch {epochs}: loss {loss:R} did not decrease from {previous:R}");
                previous = loss;
            }
        }

        [Fact]
        public void Generated_gradient_matches_the_closed_form()
        {
            // dL/dw = 2/n sum (w x + b - y) x and dL/db = 2/n sum (w x + b - y); at (0, 0) they are
            // -2/5 * (0*1 + 1*3 + 2*5 + 3*7 + 4*9) = -28 and -2/5 * 25 = -10.
            double loss = LineFit.LossGradient(0, 0, X, Y, out double dw, out double db);

            Assert.Equal(33.0, loss, 12);
            Assert.Equal(-28.0, dw, 12);
            Assert.Equal(-10.0, db, 12);
        }

        /// <summary>The <c>```csharp</c> blocks of the README's Training section, in order.</summary>
        internal static string[] TrainingCodeBlocks(string readme)
        {
            readme = Normalize(readme);
            int start = readme.IndexOf("\n## Training\n", StringComparison.Ordinal);
            Assert.True(start >= 0, "README.md has no '## Training' section.");
            int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            string section = end < 0 ? readme.Substring(start) : readme.Substring(start, end - start);
            return Regex.Matches(section, @"```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToArray();
        }

        private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();

        private static string RepositoryRoot() =>
            typeof(ReadmeTrainingTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;
    }
}

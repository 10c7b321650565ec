using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace SymDiff.Package.Tests.Infrastructure
{
    /// <summary>The code of the repository README's Training section, as a new user would copy it.</summary>
    public static class Readme
    {
        /// <summary>Gets the first block: the <c>LineFit</c> class with the loss and the training loop.</summary>
        public static string TrainingClass => TrainingBlocks()[0];

        /// <summary>Gets the second block: the top-level statements that train and print.</summary>
        public static string TrainingProgram => TrainingBlocks()[1];

        /// <summary>Gets what the README says the program prints (the comment at the end of its last line).</summary>
        public static string ExpectedOutput
        {
            get
            {
                Match m = Regex.Match(TrainingProgram, @"Console\.WriteLine\(.*\);\s*//\s*(?<output>.+?)\s*$", RegexOptions.Multiline);
                Assert.True(m.Success, "The README's training program does not end with a comment that shows its output.");
                return m.Groups["output"].Value;
            }
        }

        private static string[] TrainingBlocks()
        {
            string readme = File.ReadAllText(Path.Combine(PackageFeed.RepositoryRoot, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
            int start = readme.IndexOf("\n## Training\n", StringComparison.Ordinal);
            Assert.True(start >= 0, "README.md has no '## Training' section.");
            int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            string section = end < 0 ? readme.Substring(start) : readme.Substring(start, end - start);
            string[] blocks = Regex.Matches(section, @"```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToArray();
            Assert.Equal(2, blocks.Length);
            return blocks;
        }
    }
}

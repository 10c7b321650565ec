using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using DiffPlex.Renderer;
using Xunit;

namespace SymDiff.Generator.Tests.Infrastructure
{
    /// <summary>
    /// Compares generated files with checked-in snapshots:
    /// <c>Snapshots/&lt;TestClass&gt;/&lt;TestName&gt;/&lt;HintName without .cs&gt;.verified.cs</c>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// Before comparing, line endings become <c>\n</c> and the generator's version becomes <c>%VERSION%</c>, so
    /// snapshots survive checkouts on any OS and version bumps. The set of generated hint names must equal the
    /// set of verified files, so a new or vanished file is a failure too.
    /// </para>
    /// <para>
    /// On a mismatch or a missing snapshot the test writes <c>&lt;name&gt;.received.cs</c> (gitignored) beside
    /// the verified file and fails with a unified diff. With <c>SYMDIFF_ACCEPT_SNAPSHOTS=1</c> it overwrites the
    /// verified files, deletes stale ones in that test's folder, and still fails, so CI can never pass in
    /// accept mode.
    /// </para>
    /// </remarks>
    public static class Snapshot
    {
        /// <summary>The environment variable that switches to accept mode when set to <c>1</c>.</summary>
        public const string AcceptVariable = "SYMDIFF_ACCEPT_SNAPSHOTS";

        private const string VerifiedSuffix = ".verified.cs";
        private const string ReceivedSuffix = ".received.cs";
        private const int MaxDiffLines = 60;

        private static readonly Lazy<string> LazySnapshotsDirectory = new(() => Path.Combine(ReadSnapshotRoot(), "Snapshots"));
        private static readonly Lazy<Regex?> LazyVersionPattern = new(BuildVersionPattern);

        /// <summary><c>tests/SymDiff.Generator.Tests/Snapshots</c> in the source tree, from the csproj's <c>SnapshotRoot</c> metadata.</summary>
        public static string SnapshotsDirectory => LazySnapshotsDirectory.Value;

        /// <summary>
        /// Verifies the files generated in <paramref name="output"/> against
        /// <c>Snapshots/&lt;test's class&gt;/&lt;testName&gt;/</c>. Call as <c>Snapshot.Verify(this, output)</c>;
        /// theory rows pass a name of their own, e.g. <c>Snapshot.Verify(this, output, $"{nameof(Test)}_{row}")</c>.
        /// </summary>
        /// <param name="test">The test class instance; its type name is the folder (a subclass gets its own folder).</param>
        /// <param name="output">The generator run.</param>
        /// <param name="testName">The test folder name; defaults to the calling method's name.</param>
        public static void Verify(object test, GeneratorOutput output, [CallerMemberName] string testName = "")
        {
            ArgumentNullException.ThrowIfNull(output);
            Verify(test, output.GeneratedSources, testName);
        }

        /// <summary>
        /// Verifies <paramref name="sources"/> (for example an emitter's output, produced without a driver) like
        /// <see cref="Verify(object, GeneratorOutput, string)"/>.
        /// </summary>
        public static void Verify(object test, IReadOnlyList<GeneratedSource> sources, [CallerMemberName] string testName = "")
        {
            ArgumentNullException.ThrowIfNull(test);
            Verify(SnapshotsDirectory, test.GetType().Name, testName, sources, IsAcceptMode());
        }

        /// <summary>
        /// The implementation, with the snapshot directory and the mode passed in so that the harness can test
        /// itself in a temporary folder without touching <see cref="SnapshotsDirectory"/> or the environment.
        /// </summary>
        internal static void Verify(string snapshotsDirectory, string testClass, string testName, IReadOnlyList<GeneratedSource> sources, bool accept)
        {
            ArgumentNullException.ThrowIfNull(sources);
            if (string.IsNullOrWhiteSpace(testName))
            {
                throw new ArgumentException("A snapshot needs a test name.", nameof(testName));
            }

            string directory = Path.Combine(snapshotsDirectory, Sanitize(testClass), Sanitize(testName));
            string label = $"{testClass}.{testName}";

            var generated = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (GeneratedSource source in sources)
            {
                string stem = StemOf(source.HintName);
                if (!generated.TryAdd(stem, Normalize(source.Text)))
                {
                    throw new ArgumentException($"Two generated files map to the snapshot name '{stem}'.", nameof(sources));
                }
            }

            SortedSet<string> verified = Directory.Exists(directory)
                ? new SortedSet<string>(
                    Directory.EnumerateFiles(directory, "*" + VerifiedSuffix)
                        .Select(path => Path.GetFileName(path)[..^VerifiedSuffix.Length]),
                    StringComparer.Ordinal)
                : new SortedSet<string>(StringComparer.Ordinal);

            if (accept)
            {
                Accept(directory, label, generated, verified);
                return;
            }

            var failures = new List<string>();
            foreach (KeyValuePair<string, string> file in generated)
            {
                string verifiedPath = Path.Combine(directory, file.Key + VerifiedSuffix);
                string receivedPath = Path.Combine(directory, file.Key + ReceivedSuffix);
                if (!verified.Contains(file.Key))
                {
                    WriteFile(receivedPath, file.Value);
                    failures.Add($"New generated file '{file.Key}.cs' has no snapshot; wrote {receivedPath}");
                    continue;
                }

                string expected = Normalize(File.ReadAllText(verifiedPath));
                if (string.Equals(expected, file.Value, StringComparison.Ordinal))
                {
                    File.Delete(receivedPath); // a leftover from an earlier failing run
                    continue;
                }

                WriteFile(receivedPath, file.Value);
                failures.Add($"'{file.Key}.cs' differs from its snapshot; wrote {receivedPath}\n{Diff(expected, file.Value, verifiedPath, receivedPath)}");
            }

            foreach (string stale in verified.Where(name => !generated.ContainsKey(name)))
            {
                failures.Add($"Snapshot '{stale}{VerifiedSuffix}' has no generated file any more; it was: {Path.Combine(directory, stale + VerifiedSuffix)}");
            }

            if (failures.Count == 0)
            {
                return;
            }

            var message = new StringBuilder();
            message.AppendLine($"Snapshot mismatch in {label} ({directory}).");
            message.AppendLine($"Generated files: [{string.Join(", ", generated.Keys)}]");
            message.AppendLine($"Verified files:  [{string.Join(", ", verified)}]");
            foreach (string failure in failures)
            {
                message.AppendLine().AppendLine(failure);
            }

            message.AppendLine()
                .AppendLine("If the new output is right, accept it and re-run without the variable:")
                .AppendLine($"  {AcceptVariable}=1 dotnet test tests/SymDiff.Generator.Tests --filter \"FullyQualifiedName~{testClass}\"")
                .AppendLine("or copy each *.received.cs over its *.verified.cs.");
            Assert.Fail(message.ToString());
        }

        /// <summary>Normalises line endings to <c>\n</c> and the generator's version to <c>%VERSION%</c>.</summary>
        internal static string Normalize(string text)
        {
            string normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
            return LazyVersionPattern.Value?.Replace(normalized, "%VERSION%") ?? normalized;
        }

        private static void Accept(string directory, string label, SortedDictionary<string, string> generated, SortedSet<string> verified)
        {
            Directory.CreateDirectory(directory);
            int written = 0;
            foreach (KeyValuePair<string, string> file in generated)
            {
                string verifiedPath = Path.Combine(directory, file.Key + VerifiedSuffix);
                if (!File.Exists(verifiedPath) || !string.Equals(Normalize(File.ReadAllText(verifiedPath)), file.Value, StringComparison.Ordinal))
                {
                    WriteFile(verifiedPath, file.Value);
                    written++;
                }

                File.Delete(Path.Combine(directory, file.Key + ReceivedSuffix));
            }

            var deleted = verified.Where(name => !generated.ContainsKey(name)).ToList();
            foreach (string stale in deleted)
            {
                File.Delete(Path.Combine(directory, stale + VerifiedSuffix));
                File.Delete(Path.Combine(directory, stale + ReceivedSuffix));
            }

            Assert.Fail(
                $"{label}: accepted {generated.Count} snapshots ({written} written, {deleted.Count} stale deleted) in {directory}; " +
                $"re-run without {AcceptVariable}. Accept mode always fails so that CI cannot pass in it.");
        }

        private static string Diff(string expected, string received, string verifiedPath, string receivedPath)
        {
            string diff = new UnidiffRenderer(contextLines: 2).Generate(
                expected, received, Path.GetFileName(verifiedPath), Path.GetFileName(receivedPath), ignoreWhitespace: false, ignoreCase: false);

            var text = new StringBuilder();
            int changed = 0;
            int omitted = 0;
            foreach (string line in diff.TrimEnd('\n').Split('\n'))
            {
                bool isChange = (line.StartsWith('+') && !line.StartsWith("+++", StringComparison.Ordinal))
                    || (line.StartsWith('-') && !line.StartsWith("---", StringComparison.Ordinal));
                if (isChange && ++changed > MaxDiffLines)
                {
                    omitted++;
                    continue;
                }

                if (changed <= MaxDiffLines)
                {
                    text.AppendLine(line);
                }
            }

            if (changed == 0)
            {
                // The line diff saw nothing, so the texts differ only where lines are not compared (a final newline).
                int at = 0;
                while (at < expected.Length && at < received.Length && expected[at] == received[at])
                {
                    at++;
                }

                text.AppendLine($"The texts differ only at character {at} (lengths {expected.Length} and {received.Length}), e.g. a final newline.");
            }

            if (omitted > 0)
            {
                text.AppendLine($"... {omitted} more differing lines not shown; compare the files.");
            }

            return text.ToString();
        }

        private static string StemOf(string hintName) =>
            Sanitize(hintName.EndsWith(".cs", StringComparison.OrdinalIgnoreCase) ? hintName[..^3] : hintName);

        /// <summary>Keeps names usable as file names everywhere (theory rows may contain anything).</summary>
        private static string Sanitize(string name)
        {
            var builder = new StringBuilder(name.Length);
            foreach (char c in name)
            {
                builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
            }

            return builder.ToString();
        }

        private static void WriteFile(string path, string text)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }

        private static bool IsAcceptMode() =>
            string.Equals(Environment.GetEnvironmentVariable(AcceptVariable), "1", StringComparison.Ordinal);

        private static string ReadSnapshotRoot() =>
            typeof(Snapshot).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .SingleOrDefault(a => a.Key == "SnapshotRoot")?.Value
            ?? throw new InvalidOperationException(
                "The test assembly has no [AssemblyMetadata(\"SnapshotRoot\", ...)]; the csproj's AssemblyAttribute item emits it.");

        /// <summary>
        /// Matches the generator's informational, assembly and file versions as whole version numbers (not inside
        /// a longer number), longest first.
        /// </summary>
        private static Regex? BuildVersionPattern()
        {
            Assembly generator = typeof(DifferentiableGenerator).Assembly;
            string? informational = generator.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
            string?[] candidates =
            {
                informational,
                informational?.Split('+')[0],
                generator.GetName().Version?.ToString(),
                generator.GetCustomAttribute<AssemblyFileVersionAttribute>()?.Version,
            };

            string[] versions = candidates
                .Where(v => !string.IsNullOrEmpty(v))
                .Select(v => v!)
                .Distinct(StringComparer.Ordinal)
                .OrderByDescending(v => v.Length)
                .ToArray();
            if (versions.Length == 0)
            {
                return null;
            }

            string alternatives = string.Join("|", versions.Select(Regex.Escape));
            return new Regex($@"(?<![0-9.])(?:{alternatives})(?![0-9]|\.[0-9])", RegexOptions.CultureInvariant);
        }
    }
}

using System;

namespace Samples
{
    /// <summary>The command line of the training samples: <c>[--no-reset] [--csv PATH] [--svg PATH]</c>.</summary>
    public sealed class SampleOptions
    {
        public bool NoReset { get; private set; }

        public string? CsvPath { get; private set; }

        public string? SvgPath { get; private set; }

        /// <summary>Parses <paramref name="args"/>; returns null (after printing the usage) on anything unknown.</summary>
        public static SampleOptions? Parse(string[] args, string program, bool allowNoReset)
        {
            var options = new SampleOptions();
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--no-reset" when allowNoReset:
                        options.NoReset = true;
                        break;
                    case "--csv" when i + 1 < args.Length:
                        options.CsvPath = args[++i];
                        break;
                    case "--svg" when i + 1 < args.Length:
                        options.SvgPath = args[++i];
                        break;
                    default:
                        Console.Error.WriteLine($"unknown or incomplete option '{args[i]}'");
                        Console.Error.WriteLine($"usage: {program} {(allowNoReset ? "[--no-reset] " : string.Empty)}[--csv PATH] [--svg PATH]");
                        return null;
                }
            }

            return options;
        }
    }
}

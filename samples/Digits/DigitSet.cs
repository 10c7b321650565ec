using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Digits
{
    /// <summary>
    /// A set of 8x8 digit images: the pixels scaled from 0..16 to 0..1, stored one image after the other, and the
    /// labels 0..9. Nothing here knows about SymDiff.
    /// </summary>
    public sealed class DigitSet
    {
        /// <summary>Pixels per image.</summary>
        public const int Pixels = 64;

        private DigitSet(double[] images, int[] labels)
        {
            Images = images;
            Labels = labels;
        }

        /// <summary>The images, <see cref="Pixels"/> values in [0, 1] each, row by row.</summary>
        public double[] Images { get; }

        /// <summary>The digit each image shows.</summary>
        public int[] Labels { get; }

        public int Count => Labels.Length;

        /// <summary>Reads scikit-learn's <c>digits.csv.gz</c>: one image a line, 64 pixels (0..16) and the label.</summary>
        public static DigitSet Load(string path)
        {
            var images = new List<double>();
            var labels = new List<int>();
            using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                string[] fields = line.Split(',');
                if (fields.Length != Pixels + 1)
                {
                    throw new InvalidDataException($"{path}: expected {Pixels + 1} values a line, found {fields.Length}");
                }

                for (int k = 0; k < Pixels; k++)
                {
                    images.Add(double.Parse(fields[k], CultureInfo.InvariantCulture) / 16);
                }

                labels.Add((int)double.Parse(fields[Pixels], CultureInfo.InvariantCulture));
            }

            return new DigitSet(images.ToArray(), labels.ToArray());
        }

        /// <summary>Splits each class in the proportion <paramref name="trainFraction"/> : rest, after shuffling it
        /// with <paramref name="random"/>, so both parts have the classes in the proportions of the whole set.</summary>
        public (DigitSet Train, DigitSet Test) StratifiedSplit(double trainFraction, Random random)
        {
            var train = new List<int>();
            var test = new List<int>();
            for (int digit = 0; digit <= 9; digit++)
            {
                var members = new List<int>();
                for (int s = 0; s < Count; s++)
                {
                    if (Labels[s] == digit)
                    {
                        members.Add(s);
                    }
                }

                int[] shuffled = members.ToArray();
                random.Shuffle(shuffled);
                int cut = (int)Math.Round(trainFraction * shuffled.Length);
                train.AddRange(shuffled.AsSpan(0, cut).ToArray());
                test.AddRange(shuffled.AsSpan(cut).ToArray());
            }

            // Mix the classes (each part was built class by class).
            int[] trainRows = train.ToArray(), testRows = test.ToArray();
            random.Shuffle(trainRows);
            random.Shuffle(testRows);
            return (Subset(trainRows), Subset(testRows));
        }

        /// <summary>Copies the images <paramref name="rows"/> into <paramref name="images"/>, one after the other,
        /// and their labels into <paramref name="targets"/> as one-hot vectors of 10.</summary>
        public void CopyBatch(ReadOnlySpan<int> rows, Span<double> images, Span<double> targets)
        {
            for (int r = 0; r < rows.Length; r++)
            {
                Images.AsSpan(rows[r] * Pixels, Pixels).CopyTo(images.Slice(r * Pixels, Pixels));
                Span<double> oneHot = targets.Slice(r * 10, 10);
                for (int c = 0; c < oneHot.Length; c++)
                {
                    oneHot[c] = c == Labels[rows[r]] ? 1 : 0;
                }
            }
        }

        /// <summary>Draws the images <paramref name="rows"/> side by side in text, each captioned with the label
        /// <paramref name="predict"/> gives it and marked when that is wrong.</summary>
        public string Draw(IReadOnlyList<int> rows, Func<int, int> predict)
        {
            const string shades = " .:-=+*#%@";   // dark to bright, 10 levels
            var text = new StringBuilder();
            for (int y = 0; y < 8; y++)
            {
                text.Append("  ");
                foreach (int s in rows)
                {
                    for (int x = 0; x < 8; x++)
                    {
                        double v = Images[(s * Pixels) + (y * 8) + x];
                        char c = shades[(int)Math.Round(v * (shades.Length - 1))];
                        text.Append(c).Append(c);   // two characters a pixel: terminal cells are about twice as tall as wide
                    }

                    text.Append("    ");
                }

                text.AppendLine();
            }

            text.Append("  ");
            foreach (int s in rows)
            {
                int label = predict(s);
                string caption = label == Labels[s] ? $"reads {label}" : $"reads {label} (is {Labels[s]})";
                text.Append(caption.PadRight(20));
            }

            return text.AppendLine().ToString();
        }

        private DigitSet Subset(int[] rows)
        {
            var images = new double[rows.Length * Pixels];
            var labels = new int[rows.Length];
            for (int r = 0; r < rows.Length; r++)
            {
                Images.AsSpan(rows[r] * Pixels, Pixels).CopyTo(images.AsSpan(r * Pixels));
                labels[r] = Labels[rows[r]];
            }

            return new DigitSet(images, labels);
        }
    }
}

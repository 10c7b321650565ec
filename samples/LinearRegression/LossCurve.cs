using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Samples
{
    /// <summary>
    /// Shows a training loss curve: as a plain-text chart in the terminal, and written to a CSV or SVG file.
    /// Nothing here knows about SymDiff; it is shared by the training samples.
    /// </summary>
    public static class LossCurve
    {
        /// <summary>Prints an ASCII chart of <paramref name="losses"/> (one per epoch or step) with a log-scale y axis.
        /// Each column covers a range of epochs and spans the lowest to the highest loss among them, so an
        /// oscillating curve shows up as a band.</summary>
        public static void Print(IReadOnlyList<double> losses, string xLabel = "epoch", int width = 64, int height = 14)
        {
            if (losses.Count == 0)
            {
                return;
            }

            width = Math.Min(width, losses.Count);
            (double lo, double hi) = DecadeRange(losses);
            var grid = new char[height, width];
            for (int r = 0; r < height; r++)
            {
                for (int c = 0; c < width; c++)
                {
                    grid[r, c] = ' ';
                }
            }

            for (int c = 0; c < width; c++)
            {
                int first = (int)((long)c * losses.Count / width);
                int last = (int)((long)(c + 1) * losses.Count / width);
                int top = height - 1, bottom = 0;
                for (int e = first; e < last; e++)
                {
                    int row = Row(losses[e], lo, hi, height);
                    top = Math.Min(top, row);
                    bottom = Math.Max(bottom, row);
                }

                for (int r = top; r <= bottom; r++)
                {
                    grid[r, c] = '*';
                }
            }

            // Label the decades on the y axis, at most about five of them.
            var labels = new string[height];
            int decades = (int)(hi - lo);
            int stepDecades = Math.Max(1, (decades + 4) / 5);
            for (int d = (int)hi; d >= (int)lo; d -= stepDecades)
            {
                labels[Row(Math.Pow(10, d), lo, hi, height)] = "1e" + d.ToString("+00;-00", CultureInfo.InvariantCulture);
            }

            Console.WriteLine("  loss (log scale)");
            var line = new StringBuilder();
            for (int r = 0; r < height; r++)
            {
                line.Clear();
                line.Append((labels[r] ?? string.Empty).PadLeft(7)).Append(labels[r] is null ? " |" : " +");
                for (int c = 0; c < width; c++)
                {
                    line.Append(grid[r, c]);
                }

                Console.WriteLine(line.ToString().TrimEnd());
            }

            Console.WriteLine("        +" + new string('-', width));
            string left = "1", right = losses.Count.ToString(CultureInfo.InvariantCulture), middle = xLabel;
            int gap = width - left.Length - right.Length - middle.Length;
            Console.WriteLine("         " + left + new string(' ', Math.Max(1, gap / 2)) + middle
                + new string(' ', Math.Max(1, gap - (gap / 2))) + right);
        }

        /// <summary>Writes <c>epoch,loss</c> lines (or <paramref name="xLabel"/>), with the losses in round-trip precision.</summary>
        public static void WriteCsv(string path, IReadOnlyList<double> losses, string xLabel = "epoch")
        {
            var csv = new StringBuilder(xLabel + ",loss\n");
            for (int e = 0; e < losses.Count; e++)
            {
                csv.Append(e + 1).Append(',').Append(losses[e].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }

            File.WriteAllText(path, csv.ToString());
        }

        /// <summary>Writes a self-contained SVG line chart of the losses, log-scale y axis with decade grid lines.</summary>
        public static void WriteSvg(string path, IReadOnlyList<double> losses, string title, string xLabel = "epoch")
        {
            const double W = 720, H = 420, left = 70, right = 24, top = 40, bottom = 52;
            double plotW = W - left - right, plotH = H - top - bottom;
            (double lo, double hi) = DecadeRange(losses);
            int n = Math.Max(1, losses.Count - 1);
            double X(int epoch) => left + (plotW * epoch / n);
            double Y(double loss) => top + (plotH * (hi - Log(loss, lo, hi)) / (hi - lo));

            var svg = new StringBuilder();
            svg.Append(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{W}\" height=\"{H}\" viewBox=\"0 0 {W} {H}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
            svg.Append(F($"<rect width=\"{W}\" height=\"{H}\" fill=\"white\"/>\n"));
            svg.Append(F($"<text x=\"{W / 2}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n"));

            int stepDecades = Math.Max(1, ((int)(hi - lo) + 7) / 8);
            for (int d = (int)lo; d <= (int)hi; d += stepDecades)
            {
                double y = Y(Math.Pow(10, d));
                svg.Append(F($"<line x1=\"{left}\" y1=\"{y:0.##}\" x2=\"{W - right}\" y2=\"{y:0.##}\" stroke=\"#ddd\"/>\n"));
                svg.Append(F($"<text x=\"{left - 6}\" y=\"{y + 4:0.##}\" text-anchor=\"end\">1e{d:+00;-00}</text>\n"));
            }

            for (int k = 0; k <= 4; k++)
            {
                int epoch = Math.Max(1, (int)Math.Round((double)losses.Count * k / 4));
                double x = X(epoch - 1);
                svg.Append(F($"<line x1=\"{x:0.##}\" y1=\"{H - bottom}\" x2=\"{x:0.##}\" y2=\"{H - bottom + 5}\" stroke=\"black\"/>\n"));
                svg.Append(F($"<text x=\"{x:0.##}\" y=\"{H - bottom + 18}\" text-anchor=\"middle\">{epoch}</text>\n"));
            }

            svg.Append(F($"<rect x=\"{left}\" y=\"{top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"black\"/>\n"));
            svg.Append(F($"<text x=\"{left + (plotW / 2)}\" y=\"{H - 12}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n"));
            svg.Append(F($"<text x=\"16\" y=\"{top + (plotH / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {top + (plotH / 2)})\">loss (log scale)</text>\n"));

            svg.Append("<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"");
            for (int e = 0; e < losses.Count; e++)
            {
                svg.Append(F($"{X(e):0.##},{Y(losses[e]):0.##} "));
            }

            svg.Append("\"/>\n</svg>\n");
            File.WriteAllText(path, svg.ToString());
        }

        /// <summary>Whole decades that enclose every finite, positive loss.</summary>
        private static (double Lo, double Hi) DecadeRange(IReadOnlyList<double> losses)
        {
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            foreach (double loss in losses)
            {
                if (loss > 0 && !double.IsInfinity(loss))
                {
                    min = Math.Min(min, loss);
                    max = Math.Max(max, loss);
                }
            }

            if (min > max)
            {
                return (0, 1);
            }

            double lo = Math.Floor(Math.Log10(min)), hi = Math.Ceiling(Math.Log10(max));
            return (lo, Math.Max(hi, lo + 1));
        }

        /// <summary>log10 of the loss, clamped to the plotted range (NaN and overflow plot at the top).</summary>
        private static double Log(double loss, double lo, double hi) =>
            double.IsNaN(loss) ? hi : Math.Clamp(Math.Log10(Math.Max(loss, double.Epsilon)), lo, hi);

        private static int Row(double loss, double lo, double hi, int height) =>
            (int)Math.Round((height - 1) * (hi - Log(loss, lo, hi)) / (hi - lo));

        private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

        private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    }
}

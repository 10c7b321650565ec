using System.Globalization;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Emit
{
    /// <summary>C# literals: invariant culture, round-trip precision, special values spelled out.</summary>
    internal static class Literals
    {
        public static string Of(Const c) => c.Type switch
        {
            ValType.Double => Double(c.Value),
            ValType.Float => Float((float)c.Value),
            ValType.Bool => c.Value != 0 ? "true" : "false",
            ValType.Int when c.Value == CheckedIndex.Outside => "int.MinValue", // the index outside a span (IR.CheckedIndex)
            _ => ((long)c.Value).ToString(CultureInfo.InvariantCulture),
        };

        /// <summary>A double literal that is a double even with no context (<c>2.0</c>, never <c>2</c>, so <c>1 / 2</c> is never integer division).</summary>
        public static string Double(double value)
        {
            if (double.IsNaN(value))
            {
                return "double.NaN";
            }

            if (double.IsPositiveInfinity(value))
            {
                return "double.PositiveInfinity";
            }

            if (double.IsNegativeInfinity(value))
            {
                return "double.NegativeInfinity";
            }

            if (value == 0 && double.IsNegativeInfinity(1 / value))
            {
                return "-0.0";
            }

            // Whole numbers of up to 15 digits, the most common constants: "R" writes them as plain digits.
            if (value > -1e15 && value < 1e15 && value == System.Math.Floor(value))
            {
                long whole = (long)value;
                return whole >= 0 && whole < SmallWholes.Length ? SmallWholes[whole] : whole.ToString(CultureInfo.InvariantCulture) + ".0";
            }

            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.IndexOfAny(Exponent) >= 0 ? text : text + ".0";
        }

        private static readonly char[] Exponent = { '.', 'E', 'e' };

        private static readonly string[] SmallWholes = { "0.0", "1.0", "2.0", "3.0", "4.0", "5.0", "6.0", "7.0", "8.0", "9.0", "10.0" };

        public static string Float(float value)
        {
            if (float.IsNaN(value))
            {
                return "float.NaN";
            }

            if (float.IsPositiveInfinity(value))
            {
                return "float.PositiveInfinity";
            }

            if (float.IsNegativeInfinity(value))
            {
                return "float.NegativeInfinity";
            }

            if (value == 0 && float.IsNegativeInfinity(1 / value))
            {
                return "-0f";
            }

            return value.ToString("R", CultureInfo.InvariantCulture) + "f";
        }
    }
}

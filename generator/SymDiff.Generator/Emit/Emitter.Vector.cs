using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Emit
{
    /// <summary>Writes a <see cref="VectorLoop"/> (<c>Vectorize = true</c>): <c>Vector256</c> lanes, then the scalar loop for the rest.</summary>
    internal static partial class Emitter
    {
        private const string Vector256 = "global::System.Runtime.Intrinsics.Vector256";

        private static void EmitVectorLoop(SourceWriter w, VectorLoop v, StatementContext context)
        {
            var loop = v.Scalar;
            var counter = loop.Carried.First(c => c.Name == v.Counter);
            bool counterInside = !context.Hoisted.Contains(counter.Name)
                && (loop.CounterInFor || (context.Uses.TryGetValue(counter.Name, out int total) && total == UsesWithin(loop, counter.Name)));
            foreach (var c in loop.Carried.Where(c => c != counter))
            {
                string declaration = context.Hoisted.Contains(c.Name) ? string.Empty : c.Type.Keyword() + " ";
                w.WriteLine(declaration + Id(c.Name) + " = " + ExprPrinter.Print(c.Init) + ";");
            }

            if (counterInside)
            {
                // The lanes and the remainder share the counter, declared before both: a block of its own keeps it out of
                // the enclosing scope, where a sibling loop may declare the same name.
                w.OpenBrace();
            }

            w.WriteLine((context.Hoisted.Contains(counter.Name) ? string.Empty : "int ") + Id(counter.Name) + " = " + ExprPrinter.Print(counter.Init) + ";");

            string element = v.Element.Keyword();
            string count = Vector256 + "<" + element + ">.Count";
            string i = Id(v.Counter);
            string bound = ExprPrinter.Print(v.Bound);
            // The left operand of "- C": anything but a name, a length or a non-negative literal in parentheses (a
            // conditional bound, `q < (f < n ? f : n)`, would otherwise bind the comparison first: F72).
            string boundOperand = v.Bound is Var or Len or Const { Value: >= 0 } ? bound : "(" + bound + ")";
            w.WriteLine("// Vectorize = true: " + (v.Unroll > 1 ? v.Unroll.ToString(CultureInfo.InvariantCulture) + " x " : string.Empty) + "Vector256<" + element + "> lanes" + (v.Sums.Count > 0 ? " (sums reordered)" : string.Empty) + ", then the scalar loop for the rest");
            w.WriteLine("if (" + Vector256 + ".IsHardwareAccelerated && " + i + " <= " + boundOperand + " - " + count + ")");
            w.OpenBrace();
            var names = new Dictionary<string, string>(System.StringComparer.Ordinal);
            string? tanh = UsesTanh(v) ? context.FreshName("VectorTanh") : null;
            if (tanh is not null)
            {
                names[TanhKey] = tanh;
            }

            foreach (var b in v.Broadcasts)
            {
                names[b.Name] = context.FreshName(b.Name);
                w.WriteLine("var " + Id(names[b.Name]) + " = " + Vector256 + ".Create(" + ExprPrinter.Print(b.Value) + ");");
            }

            var accumulators = v.Sums.Select(s => Enumerable.Range(0, v.Unroll).Select(k => context.FreshName(s.Name + "Acc" + (v.Unroll > 1 ? k.ToString(CultureInfo.InvariantCulture) : string.Empty))).ToList()).ToList();
            foreach (var acc in accumulators)
            {
                w.WriteLine("var " + Id(acc[0]) + " = " + Vector256 + "<" + element + ">.Zero;");
            }

            // Values carried one iteration: each keeps its next value rotated by one lane, whose lane 0 is the value of the
            // iteration after the vector (first: the scalar value before the lanes).
            var delays = v.Body.Statements.OfType<VectorDelay>().ToList();
            var carries = new Dictionary<string, string>(System.StringComparer.Ordinal);
            string? firstLane = null;
            if (delays.Count > 0)
            {
                firstLane = context.FreshName("firstLane");
                string mask = v.Element == ValType.Float
                    ? Vector256 + ".AsSingle(" + Vector256 + ".Create(-1, 0, 0, 0, 0, 0, 0, 0))"
                    : Vector256 + ".AsDouble(" + Vector256 + ".Create(-1L, 0L, 0L, 0L))";
                w.WriteLine("var " + Id(firstLane) + " = " + mask + ";");
                foreach (var d in delays)
                {
                    carries[d.Name] = context.FreshName(d.Name + "Carry");
                    w.WriteLine("var " + Id(carries[d.Name]) + " = " + Vector256 + ".Create(" + Id(d.Name) + ");");
                }
            }

            if (v.Unroll > 1)
            {
                string step = v.Unroll.ToString(CultureInfo.InvariantCulture) + " * " + count;
                string unrolled = "for (; " + i + " <= " + boundOperand + " - " + step + "; " + i + " += " + step + ")";
                if (v.Sums.Count > 0)
                {
                    // The other accumulators only where the lanes reach one unrolled iteration: a short loop (a layer of
                    // 4 inputs) pays neither their set-up nor their combination.
                    w.WriteLine("if (" + i + " <= " + boundOperand + " - " + step + ")");
                    w.OpenBrace();
                    foreach (var acc in accumulators.SelectMany(a => a.Skip(1)))
                    {
                        w.WriteLine("var " + Id(acc) + " = " + Vector256 + "<" + element + ">.Zero;");
                    }
                }

                w.WriteLine(unrolled);
                w.OpenBrace();
                for (int k = 0; k < v.Unroll; k++)
                {
                    EmitLanes(w, v, context, names, accumulators.Select(a => a[k]).ToList(), k, "V" + k.ToString(CultureInfo.InvariantCulture), carries, firstLane);
                }

                w.CloseBrace();
                if (v.Sums.Count > 0)
                {
                    w.WriteLine();
                    foreach (var acc in accumulators)
                    {
                        string all = acc.Count == 4 ? Id(acc[0]) + " + " + Id(acc[1]) + " + (" + Id(acc[2]) + " + " + Id(acc[3]) + ")" : string.Join(" + ", acc.Select(Id));
                        w.WriteLine(Id(acc[0]) + " = " + all + ";");
                    }

                    w.CloseBrace();
                }

                w.WriteLine();
            }

            w.WriteLine("for (; " + i + " <= " + boundOperand + " - " + count + "; " + i + " += " + count + ")");
            w.OpenBrace();
            EmitLanes(w, v, context, names, accumulators.Select(a => a[0]).ToList(), 0, "V", carries, firstLane);
            w.CloseBrace();
            w.WriteLine();
            for (int s = 0; s < v.Sums.Count; s++)
            {
                w.WriteLine(Id(v.Sums[s].Name) + " = " + Id(v.Sums[s].Name) + " + " + Vector256 + ".Sum(" + Id(accumulators[s][0]) + ");");
            }

            foreach (var d in delays)
            {
                w.WriteLine(Id(d.Name) + " = " + Vector256 + ".ToScalar(" + Id(carries[d.Name]) + ");");
            }

            if (tanh is not null)
            {
                if (v.Sums.Count + delays.Count > 0)
                {
                    w.WriteLine(); // else the loop above ended with one
                }

                EmitVectorTanh(w, v.Element, tanh, context);
            }

            w.CloseBrace();
            w.WriteLine();
            EmitLoop(w, loop, context, continued: true);
            if (counterInside)
            {
                w.CloseBrace();
            }
        }

        /// <summary>The key of <see cref="VectorPrinter"/>'s names under which the vector Tanh's local function is (not an identifier).</summary>
        private const string TanhKey = "<tanh>";

        private static bool UsesTanh(VectorLoop v)
        {
            var expressions = v.Body.Statements.SelectMany(s => s switch
            {
                VectorMaskedAccumulate m => new[] { m.Mask, m.Value },
                VectorDelay d => new[] { d.Next },
                _ => Walk.AllExpressions(s),
            }).Concat(v.Sums.Select(x => x.Term));
            return expressions.Any(e => Walk.Contains(e, x => x is Call { Function: KnownFunction.Tanh }));
        }

        /// <summary>
        /// SymDiff's vector Tanh (.NET has no <c>Vector256.Tanh</c>), a local function of the lanes' block: for |x| up to
        /// 0.625 the rational function of Cephes' <c>tanh</c> (double; <c>tanhf</c>'s polynomial for float), beyond it
        /// <c>1 - 2 / (exp(2|x|) + 1)</c> with <c>Vector256.Exp</c>, both on |x| and the sign of x put back (so -0, NaN and
        /// the infinities come out as <c>Math.Tanh</c>'s). Measured within 3 ulp of <c>Math.Tanh</c> (double) and 2 of
        /// <c>MathF.Tanh</c> (float): <c>VectorMathAccuracyTests</c>.
        /// </summary>
        private static void EmitVectorTanh(SourceWriter w, ValType element, string name, StatementContext context)
        {
            bool single = element == ValType.Float;
            string t = element.Keyword();
            string vector = Vector256 + "<" + t + ">";
            string f = single ? "f" : string.Empty;
            string C(string literal) => Vector256 + ".Create(" + literal + f + ")";
            string x = context.FreshName("lanes"), ax = context.FreshName("abs"), sq = context.FreshName("square");
            string near = context.FreshName("nearZero"), e = context.FreshName("exp2"), far = context.FreshName("farFromZero");
            w.WriteLine("// Math.Tanh in lanes (Vector256 has none): near 0 a rational function, beyond 0.625 1 - 2 / (exp(2|x|) + 1); within " + (single ? "2" : "3") + " ulp of Math.Tanh.");
            w.WriteLine(vector + " " + Id(name) + "(" + vector + " " + Id(x) + ")");
            w.OpenBrace();
            w.WriteLine("var " + Id(ax) + " = " + Vector256 + ".Abs(" + Id(x) + ");");
            w.WriteLine("var " + Id(sq) + " = " + Id(ax) + " * " + Id(ax) + ";");
            if (single)
            {
                w.WriteLine("var " + Id(near) + " = " + Id(ax) + " + ((((((" + C("-5.70498872745E-3") + " * " + Id(sq) + ") + " + C("2.06390887954E-2") + ") * " + Id(sq) + " - " + C("5.37397155531E-2") + ") * " + Id(sq) + " + " + C("1.33314422036E-1") + ") * " + Id(sq) + " - " + C("3.33332819422E-1") + ") * " + Id(sq) + " * " + Id(ax) + ");");
            }
            else
            {
                string p = "((" + C("-0.964399179425052238628") + " * " + Id(sq) + ") + " + C("-99.2877231001918586564") + ") * " + Id(sq) + " + " + C("-1614.68768441708447952");
                string q = "(((" + Id(sq) + " + " + C("112.811678491632931402") + ") * " + Id(sq) + ") + " + C("2235.48839060100448583") + ") * " + Id(sq) + " + " + C("4844.06305325125486048");
                w.WriteLine("var " + Id(near) + " = " + Id(ax) + " + (" + Id(ax) + " * " + Id(sq) + " * ((" + p + ") / (" + q + ")));");
            }

            w.WriteLine("var " + Id(e) + " = " + Vector256 + ".Exp(" + Id(ax) + " + " + Id(ax) + ");");
            w.WriteLine("var " + Id(far) + " = " + vector + ".One - (" + C("2.0") + " / (" + Id(e) + " + " + vector + ".One));");
            w.WriteLine("return " + Vector256 + ".ConditionalSelect(" + Vector256 + ".GreaterThan(" + Id(ax) + ", " + C("0.625") + "), " + Id(far) + ", " + Id(near) + ") | (" + Id(x) + " & " + C("-0.0") + ");");
            w.CloseBrace();
        }

        /// <summary>One copy of the vector body, <paramref name="copy"/> vectors past the counter.</summary>
        private static void EmitLanes(SourceWriter w, VectorLoop v, StatementContext context, Dictionary<string, string> shared, List<string> accumulators, int copy, string suffix, IReadOnlyDictionary<string, string> carries, string? firstLane)
        {
            var names = new Dictionary<string, string>(shared, System.StringComparer.Ordinal);
            string count = Vector256 + "<" + v.Element.Keyword() + ">.Count";
            string Index(Expr index) => ExprPrinter.Print(index) + (copy == 0 ? string.Empty : " + " + (copy == 1 ? string.Empty : copy.ToString(CultureInfo.InvariantCulture) + " * ") + count);
            // Constant data (a field or property: its IR name is the member's code, global::M.Xs or this.xs) may be an array,
            // a span or a ReadOnlySpan; each converts to ReadOnlySpan<T>, which has Slice.
            string Load(string array, Expr index) => v.Arrays.Contains(array)
                ? Vector256 + ".Create(" + Id(array) + ", " + Index(index) + ")"
                : array.IndexOf('.') >= 0
                    ? Vector256 + ".Create<" + v.Element.Keyword() + ">(((global::System.ReadOnlySpan<" + v.Element.Keyword() + ">)" + Id(array) + ").Slice(" + Index(index) + "))"
                    : Vector256 + ".Create<" + v.Element.Keyword() + ">(" + Id(array) + ".Slice(" + Index(index) + "))";
            string Target(string array, Expr index) => v.Arrays.Contains(array) ? Id(array) + ", " + Index(index) : Id(array) + ".Slice(" + Index(index) + ")";
            string Print(Expr e) => VectorPrinter.Print(e, names, Load);

            foreach (var s in v.Body.Statements)
            {
                switch (s)
                {
                    case Let let:
                        names[let.Name] = context.FreshName(let.Name + suffix);
                        w.WriteLine("var " + Id(names[let.Name]) + " = " + Print(let.Value) + ";");
                        break;
                    case Store store:
                        w.WriteLine(Vector256 + ".CopyTo(" + Print(store.Value) + ", " + Target(store.Array, store.Index) + ");");
                        break;
                    case Accumulate acc:
                        w.WriteLine(Vector256 + ".CopyTo(" + Load(acc.Target, acc.Index!) + " + " + VectorPrinter.RightOfAdditive(Print(acc.Value), acc.Value) + ", " + Target(acc.Target, acc.Index!) + ");");
                        break;
                    case VectorMaskedAccumulate masked:
                    {
                        string old = Load(masked.Target, masked.Index);
                        w.WriteLine(Vector256 + ".CopyTo(" + Vector256 + ".ConditionalSelect(" + Print(masked.Mask) + ", " + old + " + " + VectorPrinter.RightOfAdditive(Print(masked.Value), masked.Value) + ", " + old + "), " + Target(masked.Target, masked.Index) + ");");
                        break;
                    }

                    case VectorDelay delay:
                    {
                        // [n3, n0, n1, n2] (double): each lane gets the next value of the lane before it; lane 0 that of the
                        // previous vector's last lane, kept in lane 0 of the carry.
                        string rotation = v.Element == ValType.Float
                            ? Vector256 + ".Create(7, 0, 1, 2, 3, 4, 5, 6)"
                            : Vector256 + ".Create(3L, 0L, 1L, 2L)";
                        string rotated = context.FreshName(delay.Name + "Rotated" + suffix);
                        w.WriteLine("var " + Id(rotated) + " = " + Vector256 + ".Shuffle(" + Print(delay.Next) + ", " + rotation + ");");
                        names[delay.Name] = context.FreshName(delay.Name + suffix);
                        w.WriteLine("var " + Id(names[delay.Name]) + " = " + Vector256 + ".ConditionalSelect(" + Id(firstLane!) + ", " + Id(carries[delay.Name]) + ", " + Id(rotated) + ");");
                        w.WriteLine(Id(carries[delay.Name]) + " = " + Id(rotated) + ";");
                        break;
                    }

                    default:
                        throw new System.InvalidOperationException("Cannot emit " + s.GetType().Name + " in vector lanes");
                }
            }

            for (int k = 0; k < v.Sums.Count; k++)
            {
                var sum = v.Sums[k];
                w.WriteLine(Id(accumulators[k]) + " = " + Id(accumulators[k]) + (sum.Subtract ? " - " : " + ") + VectorPrinter.RightOfAdditive(Print(sum.Term), sum.Term) + ";");
            }
        }

        /// <summary>Prints the vector expressions of a <see cref="VectorLoop"/>: operators on <c>Vector256&lt;T&gt;</c>, <c>Vector256.Exp</c>...</summary>
        /// <remarks>Parentheses follow the tree as the scalar printer's do, so each lane computes its element with the same operations in the same order.</remarks>
        private static class VectorPrinter
        {
            private const int Additive = 6;
            private const int Multiplicative = 7;
            private const int UnaryLevel = 8;
            private const int Primary = 9;

            public static string Print(Expr e, IReadOnlyDictionary<string, string> names, System.Func<string, Expr, string> load) => e switch
            {
                Var v => Id(names.TryGetValue(v.Name, out var n) ? n : v.Name),
                Elem el => load(el.Array, el.Index),
                Binary { Op: BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge or BinaryOp.Eq } b => Vector256 + "." + Comparison(b.Op) + "(" + Print(b.Left, names, load) + ", " + Print(b.Right, names, load) + ")",
                Binary { Op: BinaryOp.Ne } b => "~" + Vector256 + ".Equals(" + Print(b.Left, names, load) + ", " + Print(b.Right, names, load) + ")",
                Binary { Op: BinaryOp.And or BinaryOp.Or } b => "(" + Print(b.Left, names, load) + (b.Op == BinaryOp.And ? " & " : " | ") + Print(b.Right, names, load) + ")",
                Unary { Op: UnaryOp.Not } u => "~" + Wrap(Print(u.Operand, names, load), u.Operand, Primary),
                Binary b => Wrap(Print(b.Left, names, load), b.Left, Precedence(b)) + " " + Symbol(b.Op) + " " + Wrap(Print(b.Right, names, load), b.Right, Precedence(b) + 1),
                Unary { Op: UnaryOp.Neg } u => "-" + Wrap(Print(u.Operand, names, load), u.Operand, Primary),
                IR.Cond c => Vector256 + ".ConditionalSelect(" + Print(c.Condition, names, load) + ", " + Print(c.WhenTrue, names, load) + ", " + Print(c.WhenFalse, names, load) + ")",
                Call { Function: KnownFunction.Tanh } c => Id(names[TanhKey]) + "(" + Print(c.Args[0], names, load) + ")",
                Call c => Vector256 + "." + Rules.MathFunctions.Of(c.Function).Name + "(" + string.Join(", ", c.Args.Select(a => Print(a, names, load))) + ")",
                _ => throw new System.InvalidOperationException("Cannot print " + e.GetType().Name + " in vector lanes"),
            };

            /// <summary>A printed operand, in parentheses when its precedence is below <paramref name="least"/>.</summary>
            public static string Wrap(string text, Expr e, int least) => Precedence(e) < least ? "(" + text + ")" : text;

            /// <summary>The right operand of <c>+</c> or <c>-</c>.</summary>
            public static string RightOfAdditive(string text, Expr e) => Wrap(text, e, Additive + 1);

            private static string Comparison(BinaryOp op) => op switch
            {
                BinaryOp.Lt => "LessThan",
                BinaryOp.Le => "LessThanOrEqual",
                BinaryOp.Gt => "GreaterThan",
                BinaryOp.Ge => "GreaterThanOrEqual",
                _ => "Equals",
            };

            private static int Precedence(Expr e) => e switch
            {
                Binary { Op: BinaryOp.Lt or BinaryOp.Le or BinaryOp.Gt or BinaryOp.Ge or BinaryOp.Eq or BinaryOp.And or BinaryOp.Or } => Primary,
                Binary { Op: BinaryOp.Ne } => UnaryLevel,
                Binary { Op: BinaryOp.Add or BinaryOp.Sub } => Additive,
                Binary => Multiplicative,
                Unary => UnaryLevel,
                _ => Primary,
            };

            private static string Symbol(BinaryOp op) => op switch
            {
                BinaryOp.Add => "+",
                BinaryOp.Sub => "-",
                BinaryOp.Mul => "*",
                _ => "/",
            };
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using SymDiff.Generator.IR;
using SymDiff.Generator.Rules;
using Xunit;

namespace SymDiff.Generator.Tests.Rules
{
    /// <summary>
    /// The math-function table (<c>Rules/MathFunctions.cs</c>) checked against an independent source: <c>System.Math</c>
    /// itself, called by the row's name and arity. The flags and domains are claims about those functions; these tests
    /// evaluate the functions to see that the claims hold.
    /// </summary>
    public sealed class MathFunctionTableTests
    {
        private static readonly double[] Finite =
        {
            0.0, -0.0, 1e-300, -1e-300, 0.5, -0.5, 1, -1, 2, -2, 1e10, -1e10, 1e300, -1e300, double.MaxValue, -double.MaxValue,
        };

        public static TheoryData<string> MathRows()
        {
            var data = new TheoryData<string>();
            foreach (var row in MathFunctions.All.Where(f => f.IsMath))
            {
                data.Add(row.Function.ToString());
            }

            return data;
        }

        [Fact]
        public void EveryKnownFunctionHasExactlyOneRow()
        {
            var functions = (KnownFunction[])Enum.GetValues(typeof(KnownFunction));
            Assert.All(functions, f => Assert.Single(MathFunctions.All, row => row.Function == f));
            Assert.Equal(functions.Length, MathFunctions.All.Length);
        }

        [Fact]
        public void ANameHasAtMostOneRowPerArity()
        {
            // Per spelling: double.Clamp has a row of its own (its value differs from Math.Clamp's at signed zeros).
            Assert.All(MathFunctions.All.GroupBy(f => (f.Name, f.Arity, f.IsNumberMethod)), g => Assert.Single(g));
            Assert.Equal(KnownFunction.ClampNumber, MathFunctions.NumberMethod(MathFunctions.Of(KnownFunction.Clamp)).Function);
            Assert.Equal(KnownFunction.Sqrt, MathFunctions.NumberMethod(MathFunctions.Of(KnownFunction.Sqrt)).Function);
        }

        [Fact]
        public void TheParserFindsLogByItsArity()
        {
            Assert.Equal(new[] { KnownFunction.Log, KnownFunction.LogBase }, MathFunctions.Named("Log").Select(f => f.Function).OrderBy(f => f).ToArray());
            Assert.Empty(MathFunctions.Named("Detach")); // Grad.Detach is not spelled Math.Detach
            Assert.False(MathFunctions.IsMathName("Hypot"));
        }

        /// <summary>Each Math row names a method of <c>System.Math</c> with that many double arguments, and of <c>MathF</c> when float calls print <c>MathF</c>.</summary>
        [Theory]
        [MemberData(nameof(MathRows))]
        public void TheRowNamesARealMethod(string function)
        {
            var row = Row(function);
            Assert.NotNull(MathMethod(typeof(Math), row, typeof(double)));
            if (row.HasMathF)
            {
                Assert.NotNull(MathMethod(typeof(MathF), row, typeof(float)));
            }
        }

        /// <summary>A row that says its value is finite for finite arguments: so it is, at huge, tiny and signed-zero arguments.</summary>
        [Theory]
        [MemberData(nameof(MathRows))]
        public void TheNonFiniteFlagIsRight(string function)
        {
            var row = Row(function);
            var nonFinite = Arguments(Finite, row).Where(args => Evaluate(row, args) is double v && !double.IsFinite(v)).ToList();
            if (row.CanBeNonFinite)
            {
                Assert.NotEmpty(nonFinite);
            }
            else
            {
                Assert.True(nonFinite.Count == 0, $"{row}: not finite at ({string.Join(", ", nonFinite.FirstOrDefault() ?? Array.Empty<double>())}).");
            }
        }

        /// <summary>
        /// Inside a row's domain, the value and a central difference of it are finite (what the fuzzer relies on when it
        /// draws arguments from the domain); a piecewise-constant row's difference is exactly zero between its steps,
        /// every other row's is not zero everywhere.
        /// </summary>
        [Theory]
        [MemberData(nameof(MathRows))]
        public void TheDomainAndThePiecewiseConstantFlagAreRight(string function)
        {
            var row = Row(function);
            // With digits (Round(x, 2)) the steps are at multiples of 0.01 too: the points move off them.
            double shift = row.Domain.Contains(MathDomain.Data) ? 0.0049 : 0;
            var samples = row.Domain.Select(d => d == MathDomain.Data ? Samples(d) : Samples(d).Select(v => v + shift).ToArray()).ToArray();
            bool anyNonZero = false;
            foreach (var args in Product(samples))
            {
                double? value = Evaluate(row, args);
                if (value is null)
                {
                    continue; // Clamp with lo > hi throws
                }

                Assert.True(double.IsFinite(value.Value), $"{row} at ({string.Join(", ", args)}) = {value}.");
                for (int i = 0; i < args.Length; i++)
                {
                    if (row.Domain[i] == MathDomain.Data)
                    {
                        continue;
                    }

                    const double h = 1e-6;
                    double[] up = (double[])args.Clone(), down = (double[])args.Clone();
                    up[i] += h;
                    down[i] -= h;
                    if (Evaluate(row, up) is double u && Evaluate(row, down) is double d)
                    {
                        double slope = (u - d) / (2 * h);
                        Assert.True(double.IsFinite(slope), $"{row}: the slope in argument {i} at ({string.Join(", ", args)}) is {slope}.");
                        anyNonZero |= slope != 0;
                        if (row.PiecewiseConstant)
                        {
                            Assert.Equal(0.0, slope);
                        }
                    }
                }
            }

            Assert.Equal(!row.PiecewiseConstant, anyNonZero);
        }

        /// <summary>
        /// A row that says no partial can be infinite or grow without bound: its slope (a central difference of
        /// <c>System.Math</c>) stays finite and within 10 (1 + the largest |argument|) wherever the value is finite, on a grid
        /// with tiny arguments, the ends of the inverse functions' domains, pi/2 and 700 (where exp is near its range's
        /// end). A row that says it may: somewhere on that grid the slope is not finite or beyond that bound. Piecewise-
        /// constant rows have zero partials by convention and are left out.
        /// </summary>
        [Theory]
        [MemberData(nameof(MathRows))]
        public void TheInfinitePartialFlagIsRight(string function)
        {
            var row = Row(function);
            if (row.PiecewiseConstant)
            {
                Assert.False(row.MayHaveInfinitePartial);
                return;
            }

            double[] grid = { 0.0, 1e-300, -1e-300, 0.5, -0.5, 1, -1, 0.999999, -0.999999, 1.000001, 2, -2, Math.PI / 2, 700, -700, 1e10, -1e10 };
            var unbounded = new List<string>();
            foreach (var args in Arguments(grid, row))
            {
                if (Evaluate(row, args) is not double value || !double.IsFinite(value))
                {
                    continue;
                }

                double bound = 10 * (1 + args.Max(Math.Abs));
                for (int i = 0; i < args.Length; i++)
                {
                    if (row.Domain[i] == MathDomain.Data)
                    {
                        continue;
                    }

                    double h = 1e-6 * Math.Max(1, Math.Abs(args[i]));
                    double[] up = (double[])args.Clone(), down = (double[])args.Clone();
                    up[i] += h;
                    down[i] -= h;
                    if (Evaluate(row, up) is not double u || Evaluate(row, down) is not double d)
                    {
                        continue; // Clamp with lo > hi throws
                    }

                    double slope = (u - d) / (2 * h);
                    if (!double.IsFinite(slope) || Math.Abs(slope) > bound)
                    {
                        unbounded.Add($"d/d{i} at ({string.Join(", ", args)}) = {slope}");
                    }
                }
            }

            Assert.True(row.MayHaveInfinitePartial == (unbounded.Count > 0), $"{row}: MayHaveInfinitePartial is {row.MayHaveInfinitePartial}; unbounded slopes: {string.Join("; ", unbounded.Take(3))}.");
        }

        private static MathFunction Row(string function) => MathFunctions.Of((KnownFunction)Enum.Parse(typeof(KnownFunction), function));

        /// <summary>Points inside a domain, away from integers and half-integers (where the rounding functions step).</summary>
        private static double[] Samples(MathDomain domain) => domain switch
        {
            MathDomain.All => new[] { -3.3, -0.7, 0.3, 1.2, 4.1 },
            MathDomain.Moderate => new[] { -2.2, -0.4, 0.3, 1.7 },
            MathDomain.OpenUnit => new[] { -0.9, -0.3, 0.2, 0.85 },
            MathDomain.Positive => new[] { 0.1, 0.7, 2.3, 40.2 },
            MathDomain.AboveOne => new[] { 1.1, 1.6, 3.3, 20.3 },
            MathDomain.Data => DataValues,
            _ => throw new ArgumentOutOfRangeException(nameof(domain)),
        };

        /// <summary>The values a data argument takes here: Round's digits 0 to 2, or MidpointRounding ToEven, AwayFromZero, ToZero.</summary>
        private static readonly double[] DataValues = { 0, 1, 2 };

        private static IEnumerable<double[]> Arguments(double[] values, MathFunction row) => Product(row.Domain.Select(d => d == MathDomain.Data ? DataValues : values).ToArray());

        private static IEnumerable<double[]> Product(double[][] sets)
        {
            IEnumerable<double[]> result = new[] { Array.Empty<double>() };
            foreach (var set in sets)
            {
                result = result.SelectMany(prefix => set.Select(v => prefix.Append(v).ToArray())).ToList();
            }

            return result;
        }

        /// <summary>
        /// The method of <paramref name="type"/> the row names: <paramref name="argument"/> for each value argument, and for
        /// data arguments (<see cref="MathDomain.Data"/>) an <c>int</c> or a <c>MidpointRounding</c>, the first that exists.
        /// </summary>
        private static MethodInfo? MathMethod(Type type, MathFunction row, Type argument)
        {
            IEnumerable<Type[]> signatures = new[] { Array.Empty<Type>() };
            foreach (var domain in row.Domain)
            {
                var choices = domain == MathDomain.Data ? new[] { typeof(int), typeof(MidpointRounding) } : new[] { argument };
                signatures = signatures.SelectMany(prefix => choices.Select(c => prefix.Append(c).ToArray())).ToList();
            }

            return signatures.Select(types => type.GetMethod(row.Name, BindingFlags.Public | BindingFlags.Static, null, types, null)).FirstOrDefault(m => m is not null);
        }

        private static double? Evaluate(MathFunction row, double[] args)
        {
            var method = MathMethod(typeof(Math), row, typeof(double))!;
            var parameters = method.GetParameters();
            object[] boxed = args.Select((a, i) => parameters[i].ParameterType == typeof(int) ? (int)a
                : parameters[i].ParameterType == typeof(MidpointRounding) ? (MidpointRounding)(int)a : (object)a).ToArray();
            try
            {
                return Convert.ToDouble(method.Invoke(null, boxed), System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (TargetInvocationException e) when (e.InnerException is ArgumentException)
            {
                return null;
            }
        }
    }
}

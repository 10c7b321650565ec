using System;
using System.Collections.Generic;
using System.Numerics;

namespace SymDiff.Fuzz.Tests.Oracle
{
    /// <summary>What one program's driver reported: named vectors of numbers, oracle passes, and exceptions.</summary>
    public sealed class ProgramRecord
    {
        public Dictionary<string, double[]> Values { get; } = new Dictionary<string, double[]>(StringComparer.Ordinal);

        /// <summary>Oracle passes by key, each pass a list of (value, tangent, magnitude), one per output.</summary>
        public Dictionary<string, List<(double V, double D, double M)[]>> Duals { get; } = new Dictionary<string, List<(double V, double D, double M)[]>>(StringComparer.Ordinal);

        /// <summary>Exceptions by the call that threw.</summary>
        public Dictionary<string, Exception> Threw { get; } = new Dictionary<string, Exception>(StringComparer.Ordinal);

        public bool Finished { get; set; }

        /// <summary>Whether the oracle met a non-finite value or partial derivative anywhere (overflow, Sqrt'(0), Cbrt'(0)), even if the results are finite.</summary>
        public bool NonFiniteSeen { get; set; }

        /// <summary>Whether a value of the user's computation overflowed (<see cref="OracleFlags.ValueOverflow"/>).</summary>
        public bool ValueOverflowSeen { get; set; }
    }

    /// <summary>
    /// Collects what the generated drivers report, by program id. The driver of each program runs in the loaded test
    /// assembly and calls these methods; the checks run afterwards, in <c>Checker</c>.
    /// </summary>
    public sealed class Recorder
    {
        private ProgramRecord? _current;

        public Dictionary<int, ProgramRecord> Programs { get; } = new Dictionary<int, ProgramRecord>();

        /// <summary>The id of the program whose driver runs now (a hang or a crash points at it).</summary>
        public int CurrentProgram { get; private set; } = -1;

        public void Begin(int program)
        {
            CurrentProgram = program;
            _current = new ProgramRecord();
            Programs[program] = _current;
            OracleFlags.NonFiniteValue = false;
            OracleFlags.ValueOverflow = false;
        }

        public void End()
        {
            Current.Finished = true;
            Current.NonFiniteSeen = OracleFlags.NonFiniteValue;
            Current.ValueOverflowSeen = OracleFlags.ValueOverflow;
        }

        public void Values(string key, double[] values) => Current.Values[key] = values;

        public void Values(string key, float[] values) => Current.Values[key] = Array.ConvertAll(values, v => (double)v);

        public void Value(string key, double value) => Current.Values[key] = new[] { value };

        public void Dual<T>(string key, Dual<T> d) where T : IFloatingPointIeee754<T> => Add(key, new[] { (d.Vd, d.D, d.M) });

        public void Duals<T>(string key, Dual<T>[] ds) where T : IFloatingPointIeee754<T> => Add(key, Array.ConvertAll(ds, d => (d.Vd, d.D, d.M)));

        /// <summary>A hyper-dual pass: its mixed part and magnitude are the second derivative.</summary>
        public void Hyper(string key, HyperDual h) => Add(key, new[] { (h.V, h.AB, h.MAB) });

        public void Threw(string call, Exception e) => Current.Threw[call] = e;

        private ProgramRecord Current => _current ?? throw new InvalidOperationException("Begin was not called.");

        private void Add(string key, (double, double, double)[] pass)
        {
            if (!Current.Duals.TryGetValue(key, out var list))
            {
                list = new List<(double, double, double)[]>();
                Current.Duals[key] = list;
            }

            list.Add(pass);
        }
    }

    /// <summary>Small helpers the generated drivers call to build oracle arguments and flatten results.</summary>
    public static class R
    {
        /// <summary>A unit vector of length <paramref name="n"/>.</summary>
        public static double[] Unit(int n, int k)
        {
            var t = new double[n];
            t[k] = 1;
            return t;
        }

        /// <summary>An array of <paramref name="n"/> NaNs (gradient buffers that must be overwritten).</summary>
        public static double[] NaNs(int n)
        {
            var a = new double[n];
            Array.Fill(a, double.NaN);
            return a;
        }

        public static float[] NaNsF(int n)
        {
            var a = new float[n];
            Array.Fill(a, float.NaN);
            return a;
        }

        /// <summary>Active scalar with tangent <c>t[slot]</c>.</summary>
        public static Dual<T> S<T>(T v, double[] t, int slot) where T : IFloatingPointIeee754<T> => Dual<T>.Var(v, t[slot]);

        /// <summary>Active array with tangents <c>t[offset..]</c>.</summary>
        public static Dual<T>[] A<T>(T[] v, double[] t, int offset) where T : IFloatingPointIeee754<T>
        {
            var d = new Dual<T>[v.Length];
            for (int i = 0; i < v.Length; i++)
            {
                d[i] = Dual<T>.Var(v[i], t[offset + i]);
            }

            return d;
        }

        /// <summary>Inactive scalar.</summary>
        public static Dual<T> C<T>(T v) where T : IFloatingPointIeee754<T> => Dual<T>.C(v);

        /// <summary>Inactive array.</summary>
        public static Dual<T>[] C<T>(T[] v) where T : IFloatingPointIeee754<T> => Array.ConvertAll(v, x => Dual<T>.C(x));

        /// <summary>The oracle's output span: <paramref name="m"/> NaN constants, as the driver fills every output buffer (an element the method leaves unwritten keeps its NaN and has derivative 0).</summary>
        public static Dual<T>[] Out<T>(int m) where T : IFloatingPointIeee754<T> => Array.ConvertAll(new T[m], _ => Dual<T>.C(T.NaN));

        public static HyperDual SH(double v, double[] a, double[] b, int slot) => HyperDual.Var(v, a[slot], b[slot]);

        public static HyperDual[] AH(double[] v, double[] a, double[] b, int offset)
        {
            var d = new HyperDual[v.Length];
            for (int i = 0; i < v.Length; i++)
            {
                d[i] = HyperDual.Var(v[i], a[offset + i], b[offset + i]);
            }

            return d;
        }

        public static HyperDual CH(double v) => HyperDual.C(v);

        public static HyperDual[] CH(double[] v) => Array.ConvertAll(v, HyperDual.C);

        /// <summary>Concatenates scalars and arrays (double or float) into one double array.</summary>
        public static double[] Flat(params object[] parts)
        {
            var all = new List<double>();
            foreach (object part in parts)
            {
                switch (part)
                {
                    case double d:
                        all.Add(d);
                        break;
                    case float f:
                        all.Add(f);
                        break;
                    case double[] ds:
                        all.AddRange(ds);
                        break;
                    case float[] fs:
                        foreach (float f in fs)
                        {
                            all.Add(f);
                        }

                        break;
                    default:
                        throw new ArgumentException($"Cannot flatten {part}.", nameof(parts));
                }
            }

            return all.ToArray();
        }
    }
}

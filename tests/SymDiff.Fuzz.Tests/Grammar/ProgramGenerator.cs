using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using CsCheck;

namespace SymDiff.Fuzz.Tests.Grammar
{
    /// <summary>
    /// The CsCheck generator of random programs. Generation is driven by CsCheck's <see cref="PCG"/>, so a program is
    /// reproduced from its seed string, and the <see cref="Size"/> is the number of tree nodes plus the input sizes,
    /// so CsCheck's shrinking looks for failing programs with fewer nodes and shorter inputs.
    /// </summary>
    public sealed class ProgramGen : Gen<FuzzProgram>
    {
        private readonly FuzzGrammar _grammar;

        public ProgramGen(FuzzGrammar grammar) => _grammar = grammar;

        public override FuzzProgram Generate(PCG pcg, Size? min, out Size size)
        {
            var builder = new ProgramBuilder(pcg, _grammar);
            FuzzProgram program = builder.Program();
            size = new Size((ulong)builder.Nodes);
            return program;
        }
    }

    /// <summary>Builds one program, tracking scopes, index ranges and loop nesting so that every program is valid C# that runs without an exception.</summary>
    internal sealed class ProgramBuilder
    {
        private static readonly double[] Literals = { 0.5, 1.5, 2.0, 0.25, 3.0, 0.75, 1.25, -0.5, -1.0, 0.1, 1.0, -2.0 };
        private static readonly string[] LoopVars = { "i", "j", "h", "g" };

        private readonly PCG _pcg;
        private readonly FuzzGrammar _g;

        // Scope state.
        private readonly List<RealVar> _reals = new List<RealVar>();
        private readonly List<IntVar> _ints = new List<IntVar>();
        private readonly List<ArrayVar> _arrays = new List<ArrayVar>();

        /// <summary>Local buffers in scope, each with its length in this program (all elements written).</summary>
        private readonly List<ArrayVar> _buffers = new List<ArrayVar>();

        /// <summary>The local buffers filled as hidden layers (a sum over an inner loop, then an elementwise function).</summary>
        private readonly HashSet<string> _hiddenLayers = new HashSet<string>(StringComparer.Ordinal);
        private readonly List<LoopCtx> _loops = new List<LoopCtx>();
        private readonly List<Helper> _helpers = new List<Helper>();
        private readonly Dictionary<int, string?> _helperSpan = new Dictionary<int, string?>();

        /// <summary>The vector functions (layers) the body calls as statements, and the array each one's span parameter is made for.</summary>
        private readonly List<LayerFn> _layers = new List<LayerFn>();
        private readonly Dictionary<int, string?> _layerSpan = new Dictionary<int, string?>();

        /// <summary>Generating a layer's body: no early return (it is void), no reads of its output (it is inlined into a local buffer).</summary>
        private bool _inLayer;
        private readonly List<Member> _members = new List<Member>();
        private readonly List<string> _consts = new List<string>();
        private readonly List<DataMember> _constData = new List<DataMember>();
        private bool _hasShared;
        private bool _hasLayer;
        private bool _hasGuards;

        // Names of the parameters in scope that are data (inactive): [NoGrad], or left out of a wrt list.
        private readonly HashSet<string> _data = new HashSet<string>(StringComparer.Ordinal);

        private Precision _precision;
        private bool _isVector;
        private bool _hessian;

        /// <summary>The method's own parameters (a helper call may pass a part of one of its arrays).</summary>
        private ImmutableArray<Param> _mainParams = ImmutableArray<Param>.Empty;
        private bool _inHelper;
        private bool _outputReadable;
        private int _outputLength;
        private int _names;
        private int _stmtBudget;
        private int _loopCount;
        private int _ifDepth;
        private int _inConditional;
        private bool _hasN;
        private int _nValue;
        private bool _instance;
        private bool _hasPeer;
        private bool _staticContext;
        private bool _inCastIndex;

        public ProgramBuilder(PCG pcg, FuzzGrammar grammar)
        {
            _pcg = pcg;
            _g = grammar;
            _side = SideStream(pcg);
            _gridStream = GridStreamOf(pcg);
            _outputStream = StreamOf("output:", pcg, 0x0D7E_5EEDu);
            _dataArgumentStream = StreamOf("data-argument:", pcg, 0x0DA7_A5EDu);
            _bufferPartStream = StreamOf("buffer-part:", pcg, 0x0B0F_FE25u);
            _scalarBufferStream = StreamOf("scalar-buffer:", pcg, 0x5CA1_AB1Eu);
            _roundStream = StreamOf("round:", pcg, 0x0D16_1750u);
        }

        /// <summary>A stream of its own for the overload of <c>Round</c> (digits, <c>MidpointRounding</c>): see <see cref="Renderer"/>'s shapes.</summary>
        private readonly PCG _roundStream;

        /// <summary>A stream of its own for the decision to write a <see cref="ScalarBuffer"/> instead of declaring a local.</summary>
        private readonly PCG _scalarBufferStream;

        /// <summary>A stream of its own for a part of a local buffer passed as a helper's span argument.</summary>
        private readonly PCG _bufferPartStream;

        /// <summary>A stream of its own for constant data passed as a helper's span argument.</summary>
        private readonly PCG _dataArgumentStream;

        /// <summary>A stream of its own for the unwritten output element (<see cref="FuzzGrammar.UnwrittenOutputs"/>).</summary>
        private readonly PCG _outputStream;

        /// <summary>The output element <see cref="OutputWrites"/> left unwritten, or -1.</summary>
        private int _unwrittenOutput = -1;

        /// <summary>
        /// A second random stream, derived from the program's seed without drawing from it: the <c>Vectorize = true</c>
        /// decision and the long lengths of its inputs come from here, so a program that is not vectorised is the same
        /// program it was before those draws existed.
        /// </summary>
        private readonly PCG _side;

        /// <summary>The accumulator of a grid nest (<see cref="FuzzGrammar.Grids"/>), added into the result; null without one.</summary>
        private string? _gridSum;

        private readonly PCG _gridStream;

        /// <summary><c>[Differentiable(Vectorize = true)]</c> on the method under test (decided first, from <see cref="_side"/>).</summary>
        private bool _vectorize;

        private static PCG SideStream(PCG pcg)
        {
            // FNV-1a of the seed string (stable across runs and processes, unlike string.GetHashCode).
            ulong h = 14695981039346656037UL;
            foreach (char c in pcg.ToString())
            {
                h = (h ^ c) * 1099511628211UL;
            }

            return new PCG((uint)(h >> 32) ^ 0x5EC0_17ADu, h);
        }

        private bool SideChance(double p) => _side.Next(1_000_000) < p * 1_000_000;

        private int SideInt(int lo, int hi) => lo + (int)_side.Next((uint)(hi - lo + 1));

        /// <summary>
        /// A length for an input (or the output) of a <c>Vectorize = true</c> method that reaches every path of its lanes:
        /// with L lanes (4 double, 8 float in Vector256) and four accumulators, the unrolled body takes 4 L elements at a
        /// time, the one-vector loop L, and the scalar remainder the rest. Mostly 0 .. 2 (4 L) + 3 (every remainder of
        /// both loops, no lanes at all below L), sometimes up to 3 (4 L) + L - 1; <c>null</c> keeps the short length.
        /// </summary>
        private int? VectorLength()
        {
            if (!_vectorize || _hessian || !SideChance(0.6))
            {
                return null;
            }

            int block = 4 * (_precision == Precision.Float ? 8 : 4);
            return SideChance(0.85) ? SideInt(0, (2 * block) + 3) : SideInt((2 * block) + 4, (3 * block) + (block / 4) - 1);
        }

        /// <summary>The values of an input of <paramref name="length"/> elements when its short draw gave <paramref name="values"/>: those first, then values of <see cref="_side"/>.</summary>
        private ImmutableArray<double> Lengthened(ImmutableArray<double> values, int length)
        {
            if (length <= values.Length)
            {
                return values.RemoveRange(length, values.Length - length);
            }

            var more = Enumerable.Range(0, length - values.Length).Select(_ =>
            {
                double v = SideChance(0.5) ? SideInt(-16, 16) / 8.0 : Math.Round((_side.Next(4_000_001) / 1_000_000.0) - 2.0, 6);
                return _precision == Precision.Float ? (float)v : v;
            });
            return values.AddRange(more);
        }

        public int Nodes { get; private set; }

        private bool Has(FuzzGrammar feature) => (_g & feature) == feature;

        /// <summary>
        /// <c>%</c> and <c>%=</c>, except in a <c>Vectorize = true</c> program: there the generated value may differ from
        /// the user's in the last bits (reordered sums), and a remainder multiplies that difference by dividend / divisor
        /// (1e24 % 1.25 is any number in (-1.25, 1.25); FINDINGS F48), which no tolerance on the value can follow.
        /// </summary>
        private bool RemainderHere => Has(FuzzGrammar.Remainder) && !_vectorize;

        // ------------------------------------------------------------------ random helpers

        private int Int(int n) => n <= 1 ? 0 : (int)_pcg.Next((uint)n);

        private int Int(int lo, int hi) => lo + Int(hi - lo + 1);

        private bool Chance(double p) => _pcg.Next(1_000_000) < p * 1_000_000;

        private T Pick<T>(IReadOnlyList<T> items) => items[Int(items.Count)];

        private int Weighted(params int[] weights)
        {
            int total = weights.Sum();
            int r = Int(total);
            for (int i = 0; i < weights.Length; i++)
            {
                if (r < weights[i])
                {
                    return i;
                }

                r -= weights[i];
            }

            return weights.Length - 1;
        }

        private double InputValue()
        {
            double v = Chance(0.5) ? Int(-16, 16) / 8.0 : Math.Round((_pcg.Next(4_000_001) / 1_000_000.0) - 2.0, 6);
            return _precision == Precision.Float ? (float)v : v;
        }

        private double Literal() => Pick(Literals);

        private string Fresh(string prefix) => prefix + (_names++).ToString(System.Globalization.CultureInfo.InvariantCulture);

        // ------------------------------------------------------------------ program

        public FuzzProgram Program()
        {
            _vectorize = Has(FuzzGrammar.Vectorize) && SideChance(0.25);
            _precision = Has(FuzzGrammar.Float) && Chance(0.2) ? Precision.Float : Precision.Double;
            _isVector = Has(FuzzGrammar.Vector) && Chance(0.2);
            _hessian = Has(FuzzGrammar.Hessian) && !_isVector && _precision == Precision.Double && Chance(0.3);
            _instance = Has(FuzzGrammar.Instance) && Chance(0.15);
            _staticContext = !_instance;
            if (_isVector)
            {
                _outputLength = Int(1, 4);
                if (VectorLength() is int n && n > 0)
                {
                    _outputLength = n;
                }
            }

            if (Has(FuzzGrammar.Members) && Chance(0.35))
            {
                Members();
            }

            if (Has(FuzzGrammar.ConstantData) && Chance(0.35))
            {
                DataMembers();
            }

            if (_instance && Has(FuzzGrammar.SubModels) && Has(FuzzGrammar.Calls) && Chance(0.6))
            {
                _hasShared = Chance(0.6);
                _hasLayer = !_hasShared || Chance(0.6);
            }

            var ps = Params();
            _mainParams = ps;
            var wrt = ImmutableArray<string>.Empty;
            var floating = ps.Where(p => p.Kind is ParamKind.Scalar or ParamKind.Array or ParamKind.Span && !p.NoGrad).ToList();
            if (Has(FuzzGrammar.Wrt) && floating.Count > 1 && Chance(0.15))
            {
                var chosen = floating.Where(_ => Chance(0.5)).ToList();
                if (chosen.Count == 0)
                {
                    chosen.Add(floating[0]);
                }

                wrt = chosen.Select(p => p.Name).ToImmutableArray();
            }

            foreach (Param p in ps)
            {
                if (p.Kind is ParamKind.Scalar or ParamKind.Array or ParamKind.Span && (wrt.IsEmpty ? p.NoGrad : !wrt.Contains(p.Name)))
                {
                    _data.Add(p.Name);
                }

                switch (p.Kind)
                {
                    case ParamKind.Peer:
                        _hasPeer = true;
                        break;
                    case ParamKind.Scalar:
                        _reals.Add(new RealVar(p.Name, Assignable: false, Depth: 0));
                        break;
                    case ParamKind.Array:
                    case ParamKind.Span:
                        _arrays.Add(new ArrayVar(p.Name, p.Length));
                        break;
                    case ParamKind.Int:
                        _hasN = true;
                        _nValue = p.IntValue;
                        _ints.Add(new IntVar(p.Name, p.IntValue, p.IntValue, IsCounter: false, Depth: 0));
                        break;
                }
            }

            // Helpers first (they are leaves: no calls of their own), then the body that calls them. A Hessian program's
            // helpers have Hessian = true (second order goes through their Hessian-vector products).
            if (Has(FuzzGrammar.Calls) && (!_hessian || Has(FuzzGrammar.SecondOrderRules)))
            {
                int count = Weighted(50, 35, 15);
                for (int h = 0; h < count; h++)
                {
                    _helpers.Add(HelperMethod(h));
                }
            }

            // Layers: decided from the side stream, so a program without them is the one it was before they existed.
            if (Has(FuzzGrammar.VectorCalls) && SideChance(0.2))
            {
                int count = Chance(0.7) ? 1 : 2;
                for (int k = 0; k < count; k++)
                {
                    _layers.Add(LayerMethod(k));
                }
            }

            _stmtBudget = Int(3, 14);
            var body = new List<St>();
            if (Has(FuzzGrammar.Guards) && Chance(0.2))
            {
                body.AddRange(Guards(ps));
            }

            if (!_isVector && body.Count > 0 && Chance(0.25))
            {
                // return accept ? e : throw ...; the whole body after the guards (a later throw is SD1000).
                var (accept, thrown) = GuardCondition(ps);
                body.Add(new GuardedReturn(new Not(accept), Expression(3), thrown));
            }
            else
            {
                // A grid nest (its decision from a stream of its own, so a program without one is the one it was before):
                // the input lengthened first, before any statement is drawn for its length (no guard reads it: the body
                // has none yet); the nest itself last, before the return, so its reverse sweep is the first writer of
                // the input's gradient, as OverwriteRows needs.
                ArrayVar? grid = null;
                if (Has(FuzzGrammar.Grids) && _hasN && !_isVector && body.Count == 0 && _gridStream.Next(1_000_000) < 300_000
                    && _arrays.Where(a => a.Length >= 2 && !_data.Contains(a.Name) && ps.Any(p => p.Name == a.Name)).ToList() is { Count: > 0 } grids)
                {
                    grid = Pick(grids);
                    int want = Math.Min(24, Math.Max(grid.Length, (_nValue * Int(2, 4)) + Int(0, 3)));
                    if (want > grid.Length)
                    {
                        int at = ps.IndexOf(ps.First(p => p.Name == grid.Name));
                        ps = ps.SetItem(at, ps[at] with { Values = ps[at].Values.AddRange(Enumerable.Range(0, want - grid.Length).Select(_ => InputValue())) });
                        _mainParams = ps;
                        grid = _arrays[_arrays.FindIndex(x => x.Name == grid.Name)] = grid with { Length = want };
                    }
                }

                body.AddRange(Statements(Int(1, 5), depth: 0));
                if (_isVector)
                {
                    body.AddRange(OutputWrites());
                }
                else
                {
                    if (grid is not null)
                    {
                        body.AddRange(GridNest(grid));
                    }

                    body.Add(new Return(null, FinalExpression()));
                }
            }

            Nodes += ps.Sum(p => 1 + p.Length);
            var actives = ps.Where(p => p.Kind is ParamKind.Scalar or ParamKind.Array or ParamKind.Span && (wrt.IsEmpty ? !p.NoGrad : wrt.Contains(p.Name))).Sum(p => p.Length);
            var seeds = new Seeds(
                _isVector ? Enumerable.Range(0, _outputLength).Select(_ => SeedValue()).ToImmutableArray() : ImmutableArray.Create(SeedValue()),
                Enumerable.Range(0, actives).Select(_ => InputValue()).ToImmutableArray(),
                Enumerable.Range(0, actives).Select(_ => InputValue()).ToImmutableArray(),
                Enumerable.Range(0, actives).Select(_ => InputValue()).ToImmutableArray());
            return new FuzzProgram(0, _precision, ps, wrt, _hessian, _isVector, _outputLength, body.ToImmutableArray(), _helpers.ToImmutableArray(), seeds,
                _instance, _members.ToImmutableArray())
            {
                Data = _constData.ToImmutableArray(),
                HasShared = _hasShared,
                HasLayer = _hasLayer,
                HasGuards = _hasGuards,
                Vectorize = _vectorize,
                Views = Has(FuzzGrammar.SpanLocals) && !body.OfType<GuardedReturn>().Any() && Chance(0.3) ? Views(ps) : ImmutableArray<ViewDecl>.Empty,
                Layers = _layers.ToImmutableArray(),
                UnwrittenOutput = _unwrittenOutput,
            };
        }

        /// <summary>One or two span locals over parts of the input span and array parameters of the method under test.</summary>
        private ImmutableArray<ViewDecl> Views(ImmutableArray<Param> ps)
        {
            var inputs = ps.Where(q => q.Kind is ParamKind.Array or ParamKind.Span && q.Length > 0).ToList();
            var views = new List<ViewDecl>();
            int count = Math.Min(inputs.Count, Int(1, 2));
            for (int i = 0; i < count; i++)
            {
                Param q = inputs[i];
                int start = Int(0, q.Length - 1);
                var form = (ViewForm)Int(0, 2);
                int? length = form == ViewForm.ToEnd || (form == ViewForm.Range && Chance(0.3)) ? null : Int(1, q.Length - start);
                views.Add(new ViewDecl(q.Name + "Part", q.Name, start, length, form));
                Nodes++;
            }

            return views.ToImmutableArray();
        }

        /// <summary>Constant data (API.md 9): array fields and span properties, and int[] tables of indices.</summary>
        private void DataMembers()
        {
            int count = Int(1, 3);
            for (int i = 0; i < count; i++)
            {
                var kind = (DataKind)Weighted(4, 3, 1, _instance ? 4 : 0, 3);
                int length = Int(DataMember.TableBound, 6);
                var values = kind == DataKind.IntTable
                    ? Enumerable.Range(0, length).Select(_ => (double)Int(DataMember.TableBound)).ToImmutableArray()
                    : Enumerable.Range(0, length).Select(_ => InputValue()).ToImmutableArray();
                string prefix = kind == DataKind.IntTable ? "T" : "D";
                _constData.Add(new DataMember(prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture), kind, values));
                Nodes++;
            }
        }

        /// <summary>The constant data a body may read here: static members anywhere, instance ones only in instance methods.</summary>
        private IEnumerable<DataMember> VisibleData => _constData.Where(d => !d.IsInstance || !_staticContext);

        private MemberAccess DataAccess() => Chance(0.6) ? MemberAccess.Bare : MemberAccess.Qualified;

        /// <summary>One to three argument checks on the parameters, each true for a small share of the inputs.</summary>
        private IEnumerable<St> Guards(ImmutableArray<Param> ps)
        {
            _hasGuards = true;
            int count = Weighted(60, 30, 10) + 1;
            for (int i = 0; i < count; i++)
            {
                var (c, thrown) = GuardCondition(ps);
                Nodes++;
                yield return new GuardIf(c, thrown, Chance(0.4));
            }
        }

        /// <summary>A condition on the parameters that the inputs meet now and then (x &gt; 1.5, u.Length == 0, n &gt; 4), and what it throws.</summary>
        private (Cond C, Thrown X) GuardCondition(ImmutableArray<Param> ps)
        {
            (Cond, string) One()
            {
                var candidates = ps.Where(q => q.Kind is ParamKind.Scalar or ParamKind.Array or ParamKind.Span or ParamKind.Int).ToList();
                Param q = Pick(candidates);
                Cond c = q.Kind switch
                {
                    ParamKind.Scalar => Chance(0.5) ? new Cmp(">", new Ref(q.Name), new Num(1.5)) : new Cmp("<", new Ref(q.Name), new Num(-1.5)),
                    ParamKind.Int => new ICmp(">", new IVar(q.Name), new IConst(4)),
                    _ => Chance(0.6) ? new ICmp("==", new ILen(q.Name), new IConst(0)) : new ICmp(">", new ILen(q.Name), new IConst(5)),
                };
                return (c, q.Name);
            }

            var (first, name) = One();
            Cond cond = first;
            if (Chance(0.2))
            {
                cond = new Logic(false, first, One().Item1);
            }

            bool scalar = ps.First(q => q.Name == name).Kind == ParamKind.Scalar;
            var form = (ThrownForm)Weighted(4, 3, scalar ? 3 : 0);
            return (cond, new Thrown(form, name));
        }

        /// <summary>Fields and properties of the program's class, read as constants (instance ones only in instance programs).</summary>
        private void Members()
        {
            int count = Int(1, 3);
            for (int i = 0; i < count; i++)
            {
                var kind = (MemberKind)Weighted(3, 3, 3, _instance ? 5 : 0, _instance ? 3 : 0);
                string prefix = kind switch
                {
                    MemberKind.Const => "C",
                    MemberKind.StaticReadonly => "A",
                    MemberKind.StaticProperty => "Prop",
                    MemberKind.InstanceField => "W",
                    _ => "Q",
                };
                double value = InputValue() is var v && v != 0 ? v : Literal();
                _members.Add(new Member(prefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture), kind, value, Literal()));
                Nodes++;
            }
        }

        /// <summary>The members a body may read here: static ones anywhere, instance ones only in instance methods.</summary>
        private IEnumerable<Member> VisibleMembers => _members.Where(m => !m.IsInstance || !_staticContext);

        private double SeedValue() => Pick(new[] { 1.5, -0.75, 2.0, 0.5, 3.0 });

        private ImmutableArray<Param> Params()
        {
            var list = new List<Param>();
            int count = Int(1, 4);
            string[] scalarNames = { "x", "y", "z", "q" };
            string[] arrayNames = { "u", "v", "w" };
            int scalars = 0, arrays = 0, activeScalars = 0;
            for (int i = 0; i < count; i++)
            {
                bool array = arrays < arrayNames.Length && (scalars >= scalarNames.Length || Chance(0.45));
                bool noGrad = Chance(0.25);
                if (array)
                {
                    int maxLength = _hessian ? Math.Max(0, 6 - activeScalars) : 6;
                    if (_hessian && maxLength == 0)
                    {
                        noGrad = true;
                        maxLength = 3;
                    }

                    int length = Weighted(6, 10, 16, 16, 14, 10, 8) % (maxLength + 1);
                    if (!noGrad)
                    {
                        activeScalars += length;
                    }

                    var kind = Chance(0.5) ? ParamKind.Array : ParamKind.Span;
                    var values = Enumerable.Range(0, length).Select(_ => InputValue()).ToImmutableArray();
                    if (VectorLength() is int longer)
                    {
                        values = Lengthened(values, longer);
                    }

                    list.Add(new Param(arrayNames[arrays++], kind, noGrad, values, 0));
                }
                else
                {
                    if (_hessian && activeScalars >= 6)
                    {
                        noGrad = true;
                    }

                    if (!noGrad)
                    {
                        activeScalars++;
                    }

                    list.Add(new Param(scalarNames[scalars++], ParamKind.Scalar, noGrad, ImmutableArray.Create(InputValue()), 0));
                }
            }

            // At least one active scalar: otherwise SD0006 (no active parameter), a rejection the grammar avoids.
            if (!list.Any(p => !p.NoGrad && (p.Kind == ParamKind.Scalar || p.Values.Length > 0)))
            {
                int at = list.FindIndex(p => p.Kind == ParamKind.Scalar);
                if (at >= 0)
                {
                    list[at] = list[at] with { NoGrad = false };
                }
                else
                {
                    list.Add(new Param(scalarNames[0], ParamKind.Scalar, false, ImmutableArray.Create(InputValue()), 0));
                }
            }

            if (Chance(0.3))
            {
                list.Insert(Int(list.Count + 1), new Param("n", ParamKind.Int, false, ImmutableArray<double>.Empty, Int(0, 5)));
            }

            if (_isVector)
            {
                list.Insert(Int(list.Count + 1), new Param("o", ParamKind.Output, false, ImmutableArray<double>.Empty, 0));
            }

            if (_instance && Chance(0.6))
            {
                list.Insert(Int(list.Count + 1), new Param("peer", ParamKind.Peer, false, ImmutableArray<double>.Empty, 0));
            }

            return list.ToImmutableArray();
        }

        private Helper HelperMethod(int index)
        {
            var mainArrays = _arrays.ToList();
            bool isStatic = !_instance || Chance(0.3);
            return InCallee(isStatic, () => HelperBody(index, isStatic, mainArrays));
        }

        /// <summary>
        /// Builds a helper or a layer (<paramref name="build"/>) in a scope of its own: none of the method's locals, arrays
        /// or data names, calls off (<see cref="_inHelper"/>); everything restored afterwards.
        /// </summary>
        private T InCallee<T>(bool isStatic, Func<T> build)
        {
            var saved = (_reals.ToList(), _ints.ToList(), _arrays.ToList());
            int constMark = _consts.Count, bufferMark = _buffers.Count;
            var savedData = _data.ToList();
            bool hadN = _hasN;
            _hasN = false;
            _reals.Clear();
            _ints.Clear();
            _arrays.Clear();
            _data.Clear();
            _inHelper = true;
            _staticContext = isStatic;
            T result = build();
            _inHelper = false;
            _staticContext = !_instance;
            _data.Clear();
            _data.UnionWith(savedData);
            _hasN = hadN;
            _reals.Clear();
            _reals.AddRange(saved.Item1);
            _ints.Clear();
            _ints.AddRange(saved.Item2);
            _arrays.Clear();
            _arrays.AddRange(saved.Item3);
            // The callee body's own consts and buffers (in scope until its return) end with it.
            _consts.RemoveRange(constMark, _consts.Count - constMark);
            _buffers.RemoveRange(bufferMark, _buffers.Count - bufferMark);
            return result;
        }

        /// <summary>
        /// A helper's or layer's parameters, in scope for its body: one or two scalars <c>p0</c>, <c>p1</c> (one active,
        /// the other [NoGrad] sometimes), then, with probability <paramref name="spanChance"/>, a span <c>sp</c> made for
        /// one of the method's arrays (its name is returned), [NoGrad] with probability <paramref name="noGradSpan"/>.
        /// </summary>
        private (List<Param> Params, string? Span) CalleeParams(List<ArrayVar> mainArrays, double spanChance, double noGradSpan)
        {
            var ps = new List<Param>();
            int scalars = Int(1, 2);
            int activeIndex = Int(scalars);
            for (int i = 0; i < scalars; i++)
            {
                bool noGrad = i != activeIndex && Chance(0.4);
                ps.Add(new Param($"p{i}", ParamKind.Scalar, noGrad, ImmutableArray<double>.Empty, 0));
                if (noGrad)
                {
                    _data.Add($"p{i}");
                }

                _reals.Add(new RealVar($"p{i}", false, 0));
            }

            string? span = null;
            if (mainArrays.Count > 0 && Chance(spanChance))
            {
                ArrayVar bound = Pick(mainArrays);
                span = bound.Name;
                ps.Add(new Param("sp", ParamKind.Span, Chance(noGradSpan), Enumerable.Repeat(0.0, bound.Length).ToImmutableArray(), 0));
                _arrays.Add(new ArrayVar("sp", bound.Length));
                if (ps[^1].NoGrad)
                {
                    _data.Add("sp");
                }
            }

            return (ps, span);
        }

        private Helper HelperBody(int index, bool isStatic, List<ArrayVar> mainArrays)
        {
            var (ps, span) = CalleeParams(mainArrays, spanChance: 0.4, noGradSpan: 0.25);

            _helperSpan[index] = span;
            _stmtBudget = Int(1, 5);
            var body = new List<St>();
            Thrown HelperThrown() => new Thrown((ThrownForm)Int(3), "p0");
            if (Has(FuzzGrammar.Guards) && Chance(0.2))
            {
                // A check of the helper's argument, rarely failed: the caller's inputs seldom make it that large.
                _hasGuards = true;
                if (Chance(0.4))
                {
                    body.Add(new GuardedReturn(new Not(new AbsAbove("p0", 1000)), Expression(3), HelperThrown()));
                }
                else
                {
                    body.Add(new GuardIf(new AbsAbove("p0", 1000), HelperThrown(), Chance(0.4)));
                }
            }

            if (body.Count == 0 || body[^1] is not GuardedReturn)
            {
                body.AddRange(Statements(Int(0, 3), depth: 0));
                body.Add(new Return(null, FinalExpression()));
            }

            return new Helper(index, ps.ToImmutableArray(), body.ToImmutableArray(), isStatic);
        }

        /// <summary>
        /// A layer: <c>void L{index}(T p0, [T p1,] [ReadOnlySpan&lt;T&gt; sp,] Span&lt;T&gt; o)</c>, a few statements, then each
        /// element of <c>o</c> written once (a loop over <c>o.Length</c> or one store per element) and never read back.
        /// Its output is a local buffer of the caller (docs/architecture.md: a layer reading its output back into a local
        /// buffer is SD1000), so it may be as long as an input array and feed a helper or the next layer.
        /// </summary>
        private LayerFn LayerMethod(int index)
        {
            var mainArrays = _arrays.ToList();
            bool isStatic = !_instance || Chance(0.3);
            return InCallee(isStatic, () =>
            {
                _inLayer = true;
                var (ps, span) = CalleeParams(mainArrays, spanChance: 0.7, noGradSpan: 0.2);

                var lengths = mainArrays.Where(a => a.Length is >= 1 and <= 8).Select(a => a.Length).ToList();
                int m = _isVector && Chance(0.4) ? _outputLength : lengths.Count > 0 && Chance(0.6) ? Pick(lengths) : Int(1, 4);
                ps.Add(new Param("o", ParamKind.Output, false, Enumerable.Repeat(0.0, m).ToImmutableArray(), 0));
                _layerSpan[index] = span;
                _stmtBudget = Int(1, 5);
                var body = new List<St>(Statements(Int(0, 3), depth: 0));
                if (Has(FuzzGrammar.For) && (Chance(0.5) || m > 4))
                {
                    // for (int i = 0; i < o.Length; i++) o[i] = e(i);
                    _loops.Add(new LoopCtx(m, true));
                    _ints.Add(new IntVar("i", 0, m - 1, false, LoopDepth));
                    var store = new Store(new IVar("i"), "=", Combine(Expression(2)));
                    _ints.RemoveAt(_ints.Count - 1);
                    _loops.RemoveAt(_loops.Count - 1);
                    body.Add(new For("i", new IConst(0), new ILen("o"), false, 1, ImmutableArray.Create<St>(store)));
                }
                else
                {
                    for (int k = 0; k < m; k++)
                    {
                        body.Add(new Store(new IConst(k), "=", Combine(Expression(2))));
                    }
                }

                Nodes += body.Count;
                _inLayer = false;
                return new LayerFn(index, ps.ToImmutableArray(), body.ToImmutableArray(), m, isStatic);
            });
        }

        /// <summary>
        /// <c>Span&lt;T&gt; y = stackalloc T[m]; L0(args, span, y);</c>: a layer called into a new local buffer (declared
        /// before the enclosing loop in half of the calls directly in a loop's body), readable afterwards. The span argument
        /// is the array the layer was made for, a filled local buffer of its length (the previous layer's output), or a part
        /// of a longer parameter.
        /// </summary>
        /// <summary>
        /// The earlier layers a layer's body may call (inlined two deep): static unless this layer is an instance method,
        /// and with no span parameter or one this layer's own span <c>sp</c> fits.
        /// </summary>
        private List<int> LayersALayerCalls() => Enumerable.Range(0, _layers.Count)
            .Where(f => (_layers[f].Static || !_staticContext)
                && (_layerSpan[f] is null || _arrays.FirstOrDefault(a => a.Name == "sp") is { } sp && _layers[f].Params.First(q => q.Kind == ParamKind.Span).Length == sp.Length))
            .ToList();

        private St LayerCallStatement(int? layer = null, string? into = null)
        {
            int f = layer ?? (_inLayer ? Pick(LayersALayerCalls()) : Int(_layers.Count));
            LayerFn fn = _layers[f];
            int scalars = fn.Params.Count(p => p.Kind == ParamKind.Scalar);
            var args = Enumerable.Range(0, scalars).Select(_ => Expression(1)).ToImmutableArray();
            string? span = _layerSpan[f] is null ? null : _inLayer ? "sp" : _layerSpan[f];
            (int Start, int Length, bool OfArray)? slice = null;
            if (span is not null)
            {
                int length = _arrays.First(a => a.Name == span).Length;
                var buffers = _buffers.Where(b => b.Whole && b.Length == length).ToList();
                var longer = _mainParams.Where(p => p.Kind is ParamKind.Array or ParamKind.Span && p.Length > length).ToList();
                if (buffers.Count > 0 && Chance(0.8))
                {
                    span = Pick(buffers).Name;
                }
                else if (!_inLayer && longer.Count > 0 && Chance(0.75))
                {
                    var source = Pick(longer);
                    span = source.Name;
                    slice = (Int(0, source.Length - length), length, source.Kind == ParamKind.Array);
                }
            }

            // An instance layer may be called on another object of the class: a sub-model or the peer parameter.
            var via = SubModel.None;
            bool viaPeer = false;
            if (!fn.Static && !_inLayer && (_hasShared || _hasLayer || _hasPeer) && Chance(0.5))
            {
                var vias = new List<SubModel>();
                if (_hasShared)
                {
                    vias.AddRange(new[] { SubModel.Shared, SubModel.SharedQualified });
                }

                if (_hasLayer)
                {
                    vias.AddRange(new[] { SubModel.Layer, SubModel.LayerThis });
                }

                viaPeer = _hasPeer && (vias.Count == 0 || Chance(0.3));
                via = viaPeer ? SubModel.None : Pick(vias);
            }

            if (into is not null)
            {
                // The method's own output span: written whole by the layer, then read back and re-written as usual.
                return new LayerCall(f, args, span, into, Stack: false) { IntoOutput = true, Slice = slice, Via = via, ViaPeer = viaPeer };
            }

            string name = Fresh("y");
            bool hoisted = LoopDepth > 0 && _loops[^1].IfDepth == _ifDepth && Chance(0.5);
            // Sometimes two calls, each into its half of a buffer twice as long (a concatenation of two layers' outputs).
            int parts = Chance(0.25) ? 2 : 1;
            var second = parts == 2 ? Enumerable.Range(0, scalars).Select(_ => Expression(1)).ToImmutableArray() : ImmutableArray<Ex>.Empty;
            // Read through one of its elements by the result (Combine), so every layer call reaches the derivatives.
            bool stack = Chance(0.6);
            _buffers.Add(new ArrayVar(name, parts * fn.OutputLength) { Stack = stack });
            _hiddenLayers.Add(name);
            return new LayerCall(f, args, span, name, stack) { Hoisted = hoisted, Slice = slice, Via = via, ViaPeer = viaPeer, Parts = parts, SecondArgs = second };
        }

        // ------------------------------------------------------------------ statements

        private ImmutableArray<St> Statements(int count, int depth)
        {
            var list = new List<St>();
            int realMark = _reals.Count, intMark = _ints.Count, constMark = _consts.Count, bufferMark = _buffers.Count;
            for (int i = 0; i < count && _stmtBudget > 0; i++)
            {
                list.Add(Statement(depth));
            }

            if (depth == 0)
            {
                // A method's body: its locals and buffers stay in scope for the returned expression and the output writes,
                // which combine them (FinalExpression, OutputWrites), so the body's computation reaches the result. Until
                // 2026-12-03 they were dropped here first, and the result read only parameters and fresh leaves: the
                // body's top-level values were dead code except through early returns.
                return list.ToImmutableArray();
            }

            _reals.RemoveRange(realMark, _reals.Count - realMark);
            _ints.RemoveRange(intMark, _ints.Count - intMark);
            _consts.RemoveRange(constMark, _consts.Count - constMark);
            _buffers.RemoveRange(bufferMark, _buffers.Count - bufferMark);
            return list.ToImmutableArray();
        }

        private int LoopDepth => _loops.Count;

        private St Statement(int depth)
        {
            _stmtBudget--;
            Nodes++;
            bool inLoop = LoopDepth > 0;
            var assignable = _reals.Where(r => r.Assignable).ToList();
            var carried = assignable.Where(r => inLoop && r.Depth < LoopDepth).ToList();
            var counters = _ints.Where(c => c.IsCounter && inLoop && c.Depth < LoopDepth).ToList();
            bool loopsOn = Has(FuzzGrammar.For) || Has(FuzzGrammar.While) || Has(FuzzGrammar.Foreach);
            long trips = _loops.Aggregate(1L, (a, l) => a * Math.Max(1, l.Trips));
            int kind = Weighted(
                22,                                                                      // 0 declare
                assignable.Count > 0 ? (inLoop ? 30 : 18) : 0,                           // 1 assign
                _ifDepth < 3 ? 10 : 0,                                                   // 2 if
                loopsOn && LoopDepth < (Has(FuzzGrammar.DeepLoops) ? 4 : 2) && trips < 100 && _loopCount < 5 ? (_inHelper ? 6 : 16) : 0, // 3 loop
                Has(FuzzGrammar.IntCounters) && !inLoop && loopsOn ? 5 : 0,              // 4 int counter
                counters.Count > 0 ? 8 : 0,                                              // 5 increment a counter
                inLoop && Has(FuzzGrammar.Jumps) ? 7 : 0,                                // 6 break / continue
                Has(FuzzGrammar.EarlyReturn) && !_isVector && !_inLayer && (inLoop || _ifDepth > 0) && (LoopDepth < 2 || Has(FuzzGrammar.NestedEarlyReturn)) ? 4 : 0, // 7 early return
                Has(FuzzGrammar.Rotate) && carried.Count >= 2 && (LoopDepth == 1 || Has(FuzzGrammar.NestedRecurrences)) ? 8 : 0,                   // 8 rotate
                Has(FuzzGrammar.ConstLocals) ? 2 : 0,                                    // 9 const local
                Has(FuzzGrammar.LocalBuffers) && _buffers.Count < 2 && trips < 50 ? (_vectorize ? 10 : 4) : 0, // 10 local buffer (often a hidden layer under Vectorize)
                ((_layers.Count > 0 && !_inHelper) || (_inLayer && LayersALayerCalls().Count > 0)) && (LoopDepth == 0 || Has(FuzzGrammar.CallsInLoops)) && _buffers.Count < 3 && trips < 50 ? 14 : 0); // 11 layer call
            switch (kind)
            {
                case 0 when Has(FuzzGrammar.LocalBuffers) && _scalarBufferStream.Next(1_000_000) < (CarriedScalarBuffers().Count > 0 ? 300_000 : 60_000) && ScalarBufferOrStore() is { } scalar:
                    return scalar;
                case 0:
                {
                    string name = Fresh("s");
                    var init = BufferCall() is { } call && Chance(0.5) ? new Bin('+', call, Expression(1)) : Expression(2);
                    _reals.Add(new RealVar(name, true, LoopDepth));
                    return new DeclReal(name, init, Chance(0.2));
                }

                case 1:
                {
                    RealVar target = carried.Count > 0 && Chance(0.7) ? Pick(carried) : Pick(assignable);
                    string op = new[] { "=", "+=", "-=", "*=", "/=", "%=" }[Weighted(8, 4, 4, 4, Has(FuzzGrammar.DivideAssign) ? 2 : 0, RemainderHere ? 1 : 0)];
                    if (op is "/=" or "%=")
                    {
                        // A right side away from zero: s /= e * e + 0.5.
                        return new Assign(target.Name, op, SquarePlusHalf(Expression(1)));
                    }

                    Ex value = op == "=" && Chance(0.6) ? Recurrence(target.Name) : Expression(2);
                    if (value is Ref r && r.Name == target.Name)
                    {
                        value = new Bin('+', value, new Num(Literal()));
                    }

                    return new Assign(target.Name, op, value);
                }

                case 2:
                    return IfStatement(depth);
                case 3:
                    return Loop(depth);
                case 4:
                {
                    string name = Fresh("k");
                    _ints.Add(new IntVar(name, 0, int.MaxValue / 4, IsCounter: true, Depth: LoopDepth));
                    return new DeclInt(name, new IConst(0));
                }

                case 5:
                    return new IncInt(Pick(counters).Name, Chance(0.8) ? 1 : 2);
                case 6:
                {
                    bool canContinue = _loops[^1].ContinueAllowed;
                    bool isBreak = !canContinue || Chance(0.5);
                    return new Jump(isBreak, Condition());
                }

                case 7:
                    return new Return(Condition(), Expression(2));
                case 10:
                    return LayerStatement();
                case 11:
                    return LayerCallStatement();
                case 9:
                {
                    string name = Fresh("cst");
                    var init = ConstInit();
                    _consts.Add(name);
                    return new DeclConst(name, init);
                }

                default:
                {
                    RealVar a = Pick(carried);
                    RealVar b = Pick(carried.Where(c => c.Name != a.Name).ToList());
                    string temp = Fresh("t");
                    _reals.Add(new RealVar(temp, false, LoopDepth));
                    Ex next = Chance(0.5)
                        ? new Bin('-', new Bin('*', new Bin('*', new Num(2.0), Leaf()), new Ref(b.Name)), new Ref(temp))
                        : new Bin('+', new Bin('*', new Ref(temp), Leaf()), new Ref(b.Name));
                    _reals.RemoveAt(_reals.Count - 1);
                    return new Rotate(temp, a.Name, b.Name, next);
                }
            }
        }

        /// <summary>
        /// A local buffer filled by one loop, each element written once (the rule of docs/architecture.md, "Local buffers"):
        /// a constant length (stack or new), or the length of an input array. Its elements are readable afterwards.
        /// </summary>
        private St LayerStatement()
        {
            string name = Fresh("h");
            string var = Fresh("j");
            var inputs = _arrays.Where(a => a.Name != "o" && a.Length is >= 1 and <= 6).ToList();
            IEx length;
            int n;
            // Often the length of an array a helper takes whole, so the buffer can be passed to that helper instead.
            var helperArrays = inputs.Where(a => _helperSpan.Values.Contains(a.Name)).ToList();
            if (helperArrays.Count > 0 && Chance(0.5))
            {
                var a = Pick(helperArrays);
                length = Chance(0.5) ? new ILen(a.Name) : new IConst(a.Length);
                n = a.Length;
            }
            else if (inputs.Count > 0 && Chance(0.3))
            {
                var a = Pick(inputs);
                length = new ILen(a.Name);
                n = a.Length;
            }
            else
            {
                n = Int(1, 4);
                length = new IConst(n);
            }

            bool readable = _outputReadable;
            _outputReadable = false;
            _ints.Add(new IntVar(var, 0, n - 1, IsCounter: false, Depth: LoopDepth + 1));
            var value = Expression(2);
            Ex? extra = Chance(0.35) ? Expression(1) : null;
            _ints.RemoveAt(_ints.Count - 1);
            _outputReadable = readable;
            // Directly in a loop's body and filled completely: in a third of them the declaration goes before that loop
            // (the stackalloc users write once), which the generator lowers as if declared inside.
            bool hoisted = extra is null && LoopDepth > 0 && _loops[^1].IfDepth == _ifDepth && Chance(0.35);

            // An activation applied in place, h[j] = f(h[j]) (PyTorch's h = tanh(h)): in the filling loop or a loop of its own
            // (a buffer declared before the loop that refills it must be filled completely first, so only the latter).
            Ex? update = null;
            bool separate = false;
            if (Chance(0.3))
            {
                Ex self = new At(name, new IVar(var));
                _ints.Add(new IntVar(var, 0, n - 1, IsCounter: false, Depth: LoopDepth + 1));
                update = Chance(0.7) ? Function(1, self) : new Bin('+', new Bin('*', self, self), new Bin('*', Leaf(), self));
                _ints.RemoveAt(_ints.Count - 1);
                separate = hoisted || Chance(0.4);
            }

            // Swept in place after the fill (before the buffer is readable: the sweep reads it only at its neighbours).
            Stencil? sweeps = Chance(0.3) ? StencilSweeps(name, var, inputs) : null;

            // A hidden layer: a sum over an inner loop (reading rows of the inputs) in a local, then an elementwise function.
            int dotWidth = 0;
            Ex? dotTerm = null, dotTail = null;
            if (_vectorize && extra is null && update is null && sweeps is null && !hoisted && Chance(0.8))
            {
                int[] widths = { 1, 2, 3, 4, 5, 7, 8, 9, 16, 17 };
                var sources = _arrays.Where(a => a.Name != "o").ToList();
                var fitting = widths.Where(w => sources.Any(a => n * w <= a.Length)).ToList();
                dotWidth = fitting.Count > 0 && Chance(0.8) ? Pick(fitting) : widths[Int(widths.Length)];
                _ints.Add(new IntVar(var, 0, n - 1, IsCounter: false, Depth: LoopDepth + 1));
                _ints.Add(new IntVar(var + "m", 0, dotWidth - 1, IsCounter: false, Depth: LoopDepth + 2));

                // Mostly a row of an input times something (p[j * w + jm] * x[jm], a hidden layer), or a sliding window.
                var rows = sources.Where(a => n * dotWidth <= a.Length).ToList();
                var windows = sources.Where(a => n + dotWidth - 1 <= a.Length).ToList();
                if (rows.Count > 0 && Chance(0.6))
                {
                    dotTerm = new Bin('*', new At(Pick(rows).Name, new IRow(new IVar(var), dotWidth, new IVar(var + "m"))), Expression(1));
                }
                else if (windows.Count > 0 && Chance(0.5))
                {
                    dotTerm = new Bin('*', new At(Pick(windows).Name, new IRow(new IVar(var), 1, new IVar(var + "m"))), Expression(1));
                }
                else
                {
                    dotTerm = Expression(2);
                }
                _ints.RemoveAt(_ints.Count - 1);
                _ints.RemoveAt(_ints.Count - 1);
                Ex acc = new Ref(name + "Acc");
                (MathFn Fn, int Shapes)[] tails = { (MathFn.Tanh, 2), (MathFn.Exp, 2), (MathFn.Log, 3), (MathFn.Sqrt, 1) };
                var (fn, shapes) = tails[Int(tails.Length)];
                dotTail = new Fn(fn, ImmutableArray.Create(acc), Int(shapes));
                if (Chance(0.4))
                {
                    dotTail = new Bin('+', dotTail, Leaf());
                }
            }

            // Readable only after its filling statement (an update's leaves may not read other elements of it).
            bool onStack = length is IConst && Chance(0.6);
            _buffers.Add(new ArrayVar(name, n, Whole: sweeps is null) { Stack = onStack });
            if (dotWidth > 0)
            {
                _hiddenLayers.Add(name);
            }

            return new Layer(name, length, onStack, var, value, extra, extra is not null && Chance(0.5))
            {
                Hoisted = hoisted, SizedByLocal = Chance(0.25), Update = update, UpdateSeparate = separate,
                Chained = extra is null && update is null && dotWidth == 0 && Chance(0.3),
                Sweeps = sweeps,
                DotWidth = dotWidth, DotTerm = dotTerm, DotTail = dotTail,
            };
        }

        /// <summary>
        /// Sweeps of a stencil over the buffer, in place (<see cref="Stencil"/>): 0 to 3 of them or an input's length, over
        /// <c>[low, n - trim)</c> (so short buffers sweep nothing), each element mixing its old value with a bounded function
        /// of its left neighbour (already this sweep's) and its right one (the previous sweep's).
        /// </summary>
        private Stencil StencilSweeps(string buffer, string var, List<ArrayVar> inputs)
        {
            IEx count = inputs.Count > 0 && Chance(0.3) ? new ILen(Pick(inputs).Name) : new IConst(Int(0, 3));
            int low = Int(0, 2);
            int trim = Int(0, 2);
            Ex At(int c) => new At(buffer, c == 0 ? new IVar(var) : new IOffset(new IVar(var), c));
            Ex neighbours = low >= 1 && trim >= 1 ? new Bin('-', At(-1), At(1)) : low >= 1 ? At(-1) : trim >= 1 ? At(1) : At(0);
            Ex mixed = new Bin('+', neighbours, Leaf());
            Ex bounded = new Fn(Chance(0.5) ? MathFn.Sin : MathFn.Tanh, ImmutableArray.Create(mixed), 0);
            return new Stencil(count, low, trim, new Bin('+', new Bin('*', new Num(0.5), At(0)), new Bin('*', Leaf(), bounded)));
        }

        /// <summary>
        /// The array passed to helper <paramref name="h"/>'s span parameter: the array it was made for, or a filled local buffer
        /// of the same length (<see cref="_buffers"/> holds only buffers whose filling statement is complete).
        /// </summary>
        /// <summary>A call of a helper with a filled local buffer as its span argument (a loss over a layer), or null when none can be made here.</summary>
        private Ex? BufferCall()
        {
            var helpers = HelpersTakingABuffer();
            if (helpers.Count == 0 || _inHelper || (LoopDepth > 0 && !Has(FuzzGrammar.CallsInLoops)))
            {
                return null;
            }

            int h = Pick(helpers);
            string bound = _helperSpan[h]!;
            int length = _arrays.First(a => a.Name == bound).Length;
            string buffer = Pick(_buffers.Where(b => b.Whole && b.Length == length).ToList()).Name;
            int scalars = _helpers[h].Params.Count(p => p.Kind == ParamKind.Scalar);
            var args = Enumerable.Range(0, scalars).Select(_ => Expression(1)).ToImmutableArray();
            return new CallHelper(h, args, buffer, ViaPeer: _hasPeer && !_helpers[h].Static && Chance(0.5));
        }

        /// <summary>The helpers a layer's body may call: no span parameter (the method's arrays are not in its scope), static unless the layer is an instance method.</summary>
        private List<int> HelpersALayerCalls() =>
            Enumerable.Range(0, _helpers.Count).Where(h => _helperSpan[h] is null && (_helpers[h].Static || !_staticContext)).ToList();

        /// <summary>The helpers whose span parameter a part of a longer filled local buffer in scope could be passed to (<see cref="Sliced"/>).</summary>
        private List<int> HelpersTakingAPartOfABuffer() => _buffers.Count == 0 || _inHelper
            ? new List<int>()
            : Enumerable.Range(0, _helpers.Count).Where(h => _helperSpan[h] is { } bound && _arrays.FirstOrDefault(a => a.Name == bound) is { } array && _buffers.Any(b => b.Whole && b.Length > array.Length)).ToList();

        /// <summary>The helpers whose span parameter a filled local buffer in scope could be passed to.</summary>
        private List<int> HelpersTakingABuffer() => _buffers.Count == 0
            ? new List<int>()
            : Enumerable.Range(0, _helpers.Count).Where(h => _helperSpan[h] is { } bound && _arrays.FirstOrDefault(a => a.Name == bound) is { } array && _buffers.Any(b => b.Whole && b.Length == array.Length)).ToList();

        /// <summary>
        /// Sometimes passes a part of a longer array or span parameter of the method instead (<c>u.Slice(1, 3)</c>,
        /// <c>a.AsSpan(1, 3)</c>): a row of a matrix, one layer's part of a parameter vector.
        /// </summary>
        private CallHelper Sliced(CallHelper call)
        {
            if (call.SpanArg is null || _inHelper)
            {
                return call;
            }

            int length = _arrays.First(a => a.Name == _helperSpan[call.Helper]).Length;

            // Sometimes constant data of the class, whole or a part (D0.AsSpan(1, 3), D1.Slice(1, 3)), from a stream of its own.
            if (Has(FuzzGrammar.ConstantData) && _dataArgumentStream.Next(1_000_000) < 200_000)
            {
                var data = VisibleData.Where(d => d.Kind != DataKind.IntTable && d.Length >= length).ToList();
                if (data.Count > 0)
                {
                    var d = data[(int)_dataArgumentStream.Next((uint)data.Count)];
                    int start = (int)_dataArgumentStream.Next((uint)(d.Length - length + 1));
                    var access = _dataArgumentStream.Next(2) == 0 ? MemberAccess.Bare : MemberAccess.Qualified;
                    return call with
                    {
                        SpanArg = d.Name,
                        DataArg = access,
                        Slice = d.Length == length ? null : (start, length, d.Kind is DataKind.StaticArray or DataKind.InstanceArray),
                    };
                }
            }

            // A part of a longer filled local buffer in scope (torch.chunk) whenever there is one (rare), drawn from a stream of its own.
            var longerBuffers = _buffers.Where(b => b.Whole && b.Length > length).ToList();
            if (longerBuffers.Count > 0)
            {
                var b = longerBuffers[(int)_bufferPartStream.Next((uint)longerBuffers.Count)];
                return call with { SpanArg = b.Name, Slice = ((int)_bufferPartStream.Next((uint)(b.Length - length + 1)), length, !b.Stack) };
            }

            if (!Chance(0.5))
            {
                return call;
            }

            var longer = _mainParams.Where(p => p.Kind is ParamKind.Array or ParamKind.Span && p.Length > length).ToList();
            if (longer.Count == 0)
            {
                return call;
            }

            var source = Pick(longer);
            return call with { SpanArg = source.Name, Slice = (Int(0, source.Length - length), length, source.Kind == ParamKind.Array) };
        }

        private string? SpanArgument(int h)
        {
            string? bound = _helperSpan[h];
            if (bound is null || !Chance(0.95))
            {
                return bound;
            }

            var array = _arrays.FirstOrDefault(a => a.Name == bound);
            var buffers = _buffers.Where(b => b.Whole && array is not null && b.Length == array.Length).ToList();
            return buffers.Count > 0 ? Pick(buffers).Name : bound;
        }

        /// <summary><c>e * e + 0.5</c>: a right side of <c>/=</c> and <c>%=</c> that is never zero.</summary>
        private static Ex SquarePlusHalf(Ex e) => new Bin('+', new Bin('*', e, e), new Num(0.5));

        /// <summary>The initializer of a <c>const</c> local: a literal, or an operation on literals, earlier consts and const fields.</summary>
        private Ex ConstInit()
        {
            Nodes++;
            var atoms = new List<Func<Ex>> { () => new Num(Literal()) };
            foreach (string k in _consts)
            {
                atoms.Add(() => new ConstRef(k));
            }

            foreach (Member m in _members.Where(m => m.Kind == MemberKind.Const))
            {
                atoms.Add(() => new MemberRef(m.Name, Chance(0.5) ? MemberAccess.Bare : MemberAccess.Qualified));
            }

            return Weighted(3, 4, 2, 1) switch
            {
                0 => new Num(Literal()),
                1 => new Bin(Pick(new[] { '+', '-', '*' }), Pick(atoms)(), Pick(atoms)()),
                2 => new Div(Pick(atoms)(), new Num(Pick(new[] { 2.0, 3.0, -4.0, 0.5 })), DivForm.ByConstant),
                _ => new Neg(Pick(atoms)()),
            };
        }

        /// <summary>An update that reads the variable itself: <c>s * e + f</c>, <c>s + e</c>, <c>f(s) ...</c>.</summary>
        private Ex Recurrence(string name)
        {
            Ex self = new Ref(name);
            return Weighted(4, 3, 2, 1) switch
            {
                0 => new Bin('+', new Bin('*', self, Expression(1)), Expression(1)),
                1 => new Bin('+', self, Expression(2)),
                2 => Function(1, self),
                _ => new Div(self, Expression(1), DivForm.SquarePlusHalf),
            };
        }

        private If IfStatement(int depth)
        {
            _ifDepth++;
            Cond c = Condition();
            var then = Statements(Int(1, 3), depth + 1);
            if (LoopDepth > 0 && Chance(0.2))
            {
                then = then.Add(Has(FuzzGrammar.EarlyReturn) && !_isVector && !_inLayer && (LoopDepth < 2 || Has(FuzzGrammar.NestedEarlyReturn)) && Chance(0.3)
                    ? new Return(null, Expression(1))
                    : Has(FuzzGrammar.Jumps) ? new Jump(!_loops[^1].ContinueAllowed || Chance(0.5), null) : new Assign(Fresh("unused"), "=", new Num(0)));
                if (then[^1] is Assign { Name: var unused } && unused.StartsWith("unused", StringComparison.Ordinal))
                {
                    then = then.RemoveAt(then.Length - 1);
                }
            }

            var otherwise = ImmutableArray<St>.Empty;
            if (Chance(0.45))
            {
                otherwise = Chance(0.25) && _ifDepth < 3 ? ImmutableArray.Create<St>(IfStatement(depth + 1)) : Statements(Int(1, 2), depth + 1);
            }

            _ifDepth--;
            return new If(c, then, otherwise);
        }

        /// <summary>A stream of its own for the grid decision, derived from the program's seed like <see cref="_side"/>.</summary>
        private static PCG GridStreamOf(PCG pcg) => StreamOf("grid:", pcg, 0x6E1D_5EEDu);

        /// <summary>A random stream derived from the program's seed without drawing from it (FNV-1a of a tag and the seed).</summary>
        private static PCG StreamOf(string tag, PCG pcg, uint salt)
        {
            ulong h = 14695981039346656037UL;
            foreach (char c in tag + pcg.ToString())
            {
                h = (h ^ c) * 1099511628211UL;
            }

            return new PCG((uint)(h >> 32) ^ salt, h);
        }

        /// <summary>
        /// <c>double g = 0; for (gi = i0; gi &lt; R; gi++) for (gj = j0; gj &lt; n + e; gj++) { g += ...; }</c>: terms of
        /// elements <c>a[(gi + c) * n + gj + d]</c> (or with n's value as a constant) of an active input, each in bounds for the int parameter's value and the
        /// input's length by construction (offsets that could leave the input are not offered). Row offsets c from -1 to 2,
        /// column offsets d from -1 to 2, inner bounds n - 2 .. n: some nests meet OverwriteRows' conditions (one element of
        /// the last row, columns inside the row), others not (two elements of the last row, d + e &gt; 0), and both must be right.
        /// </summary>
        private List<St> GridNest(ArrayVar a)
        {
            int n = _nValue;
            int i0 = Pick(new[] { 0, 0, 1 });
            int j0 = Pick(new[] { 0, 0, 1 });
            int e = Int(-2, 0);
            int rows = i0 + Int(1, 3);
            bool inRow = Chance(0.6); // every column inside the row (j0 + d >= 0, d + e <= 0): OverwriteRows' condition
            string gi = Fresh("gi");
            string gj = Fresh("gj");
            List<(int C, int D)> Offsets(int r)
            {
                var list = new List<(int, int)>();
                for (int c = -1; c <= 2; c++)
                {
                    for (int d = inRow ? -j0 : -1; d <= (inRow ? -e : 2); d++)
                    {
                        bool runs = r > i0 && n + e > j0;
                        if (!runs || ((i0 + c) * n + j0 + d >= 0 && ((r - 1 + c) * n) + n + e - 1 + d <= a.Length - 1))
                        {
                            list.Add((c, d));
                        }
                    }
                }

                return list;
            }

            var offsets = Offsets(rows);
            while (rows > i0 && offsets.Count == 0)
            {
                offsets = Offsets(--rows);
            }

            var sum = Fresh("g");
            var result = new List<St> { new DeclReal(sum, new Num(0), false) };
            if (offsets.Count == 0)
            {
                return result;
            }

            _loops.Add(new LoopCtx(Math.Max(0, rows - i0), true) { IfDepth = _ifDepth });
            _ints.Add(new IntVar(gi, i0, rows - 1, IsCounter: false, Depth: LoopDepth));
            _loops.Add(new LoopCtx(Math.Max(0, n + e - j0), true) { IfDepth = _ifDepth });
            _ints.Add(new IntVar(gj, j0, n + e - 1, IsCounter: false, Depth: LoopDepth));

            // The element of the lowest row first, often: the one OverwriteRows turns into a store.
            int top = offsets.Max(o => o.C);
            // The row length written as n or, in 40 % of nests (from the grid stream, so the rest of the program is the
            // one it was), as the constant n holds: OverwriteRows then reads i * W + j and a constant inner bound.
            string stride = _gridStream.Next(1_000_000) < 400_000 ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "n";
            Ex Load((int C, int D) o) => new At(a.Name, new IGrid(new IVar(gi), o.C, stride, new IVar(gj), o.D));
            (int, int) PickOffset() => Chance(0.4) ? Pick(offsets.Where(o => o.C == top).ToList()) : Pick(offsets);
            var xOffset = PickOffset();
            var others = offsets.Where(o => o != xOffset).ToList();
            var x = Load(xOffset);
            var y = Load(others.Count > 0 ? Pick(others) : xOffset);
            // Mostly terms of grid elements only (an expression reading another element of the input is another index,
            // which keeps OverwriteRows away: right too, but not the rule's case).
            Ex term = Weighted(5, 3, 2, 2) switch
            {
                0 => new Bin('*', new Bin('-', x, y), new Bin('-', x, y)),
                1 => new Bin('*', new Num(Literal()), new Bin('*', x, y)),
                2 => new Bin('+', new Bin('*', x, y), new Bin('*', Expression(1), Load(PickOffset()))),
                _ => new Bin('*', Expression(1), new Bin('-', x, y)),
            };
            var inner = new List<St> { new Assign(sum, "+=", term) };
            if (Chance(0.2))
            {
                _reals.Add(new RealVar(sum, true, 0));
                inner.AddRange(Statements(1, depth: 2));
                _reals.RemoveAt(_reals.FindIndex(r => r.Name == sum));
            }

            _ints.RemoveAt(_ints.FindIndex(v => v.Name == gj));
            _loops.RemoveAt(_loops.Count - 1);
            _ints.RemoveAt(_ints.FindIndex(v => v.Name == gi));
            _loops.RemoveAt(_loops.Count - 1);
            IEx bound = stride != "n" ? new IConst(n + e) : e == 0 ? new IVar("n") : new IOffset(new IVar("n"), e);
            result.Add(new For(gi, new IConst(i0), new IConst(rows), false, 1, ImmutableArray.Create<St>(
                new For(gj, new IConst(j0), bound, false, 1, inner.ToImmutableArray()))));
            _gridSum = sum;
            return result;
        }

        private St Loop(int depth)
        {
            _loopCount++;
            var kinds = new List<int>();
            if (Has(FuzzGrammar.For))
            {
                kinds.AddRange(new[] { 0, 0, 0, 0 });
            }

            if (Has(FuzzGrammar.While))
            {
                kinds.AddRange(new[] { 1, 1, 1 });
            }

            if (Has(FuzzGrammar.Foreach) && _arrays.Count > 0)
            {
                kinds.Add(2);
            }

            int kind = Pick(kinds);
            if (kind == 2)
            {
                ArrayVar arr = Pick(_arrays);
                MemberAccess? access = null;
                var data = Has(FuzzGrammar.ConstantData) ? VisibleData.Where(d => d.Kind != DataKind.IntTable).ToList() : new List<DataMember>();
                if (data.Count > 0 && Chance(0.3))
                {
                    // foreach over constant data (an array field or a span property of the class).
                    DataMember d = Pick(data);
                    arr = new ArrayVar(d.Name, d.Values.Length);
                    access = DataAccess();
                }

                string name = Fresh("e");
                _loops.Add(new LoopCtx(arr.Length, true) { IfDepth = _ifDepth });
                _reals.Add(new RealVar(name, false, LoopDepth));
                var body = Statements(Int(1, 3), depth + 1);
                _reals.RemoveAt(_reals.FindIndex(r => r.Name == name));
                _loops.RemoveAt(_loops.Count - 1);
                return new Foreach(name, arr.Name, Chance(0.3), body) { Data = access };
            }

            if (kind == 1)
            {
                var form = (WhileForm)Int(4);
                (IEx bound, int max) = Bound(allowOuter: false);
                if (form == WhileForm.DoWhile)
                {
                    max = Math.Max(1, max);
                }

                string counter = Fresh("c");
                int lo = form == WhileForm.IncrementLast ? 0 : 1;
                int hi = form == WhileForm.IncrementLast ? max - 1 : max;
                _loops.Add(new LoopCtx(max, form != WhileForm.IncrementLast) { IfDepth = _ifDepth });
                _ints.Add(new IntVar(counter, lo, hi, IsCounter: false, Depth: LoopDepth));
                var body = Statements(Int(1, 4), depth + 1);
                _ints.RemoveAt(_ints.FindIndex(v => v.Name == counter));
                _loops.RemoveAt(_loops.Count - 1);
                return new While(counter, bound, form, body);
            }

            // for
            string var = LoopVars[Math.Min(LoopDepth, LoopVars.Length - 1)];
            if (_ints.Any(v => v.Name == var))
            {
                var = Fresh("i");
            }

            bool down = Chance(0.25);
            int step = Chance(0.8) ? 1 : 2;
            int start = Pick(new[] { 0, 0, 0, 1, 1, 2 });
            (IEx b, int bmax) = Bound(allowOuter: true);
            IEx startEx, boundEx;
            int vlo, vhi;
            if (!down)
            {
                startEx = new IConst(start);
                boundEx = b;
                vlo = start;
                vhi = bmax - 1;
            }
            else
            {
                // for (int i = b - 1; i >= start; i -= step)
                startEx = b is IConst bc ? new IConst(bc.Value - 1) : new IOffset(b, -1);
                boundEx = new IConst(start);
                vlo = start;
                vhi = bmax - 1;
            }

            int trips = Math.Max(0, vhi - vlo + 1) / step + 1;
            _loops.Add(new LoopCtx(trips, true) { IfDepth = _ifDepth });
            _ints.Add(new IntVar(var, vlo, vhi, IsCounter: false, Depth: LoopDepth));
            var forBody = Statements(Int(1, 4), depth + 1);
            _ints.RemoveAt(_ints.FindIndex(v => v.Name == var));
            _loops.RemoveAt(_loops.Count - 1);
            return new For(var, startEx, boundEx, down, step, forBody);
        }

        /// <summary>A loop bound and its largest value.</summary>
        private (IEx Bound, int Max) Bound(bool allowOuter)
        {
            var options = new List<(IEx, int)>();
            foreach (ArrayVar a in _arrays)
            {
                options.Add((new ILen(a.Name), a.Length));
                options.Add((new ILen(a.Name), a.Length));
                if (a.Length > 0)
                {
                    options.Add((new IOffset(new ILen(a.Name), -1), a.Length - 1));
                }
            }

            foreach (DataMember d in VisibleData)
            {
                options.Add((new IDataLen(d.Name, DataAccess()), d.Length));
            }

            int c = Int(0, 6);
            options.Add((new IConst(c), c));
            options.Add((new IConst(Int(1, 4)), 4));
            if (_hasN)
            {
                options.Add((new IVar("n"), _nValue));
            }

            if (allowOuter)
            {
                foreach (IntVar v in _ints.Where(v => !v.IsCounter && v.Name != "n" && v.Hi < 64))
                {
                    options.Add((new IVar(v.Name), Math.Max(v.Hi, 0)));
                    options.Add((new IOffset(new IVar(v.Name), 1), Math.Max(v.Hi + 1, 0)));
                }
            }

            var chosen = Pick(options);
            if (chosen.Item1 is IConst ic)
            {
                return (ic, ic.Value);
            }

            return chosen;
        }

        /// <summary>
        /// <c>double r = e; for (i &lt; o.Length) { double t = 0; for (j &lt; a.Length) t += e * r; o[i] = t + e; r = Math.Sin(r * Math.Tanh(e)); }</c>
        /// (<see cref="FuzzGrammar.OutputRecurrences"/>): r's adjoint changes every iteration, so the outer loop's reverse
        /// sweep is separate, while t's is the output seed's element, so the inner loop alone could fuse.
        /// </summary>
        private IEnumerable<St> OutputRecurrence(ArrayVar input)
        {
            string r = Fresh("r");
            string t = Fresh("t");
            var list = new List<St> { new DeclReal(r, Expression(1), false) };
            _reals.Add(new RealVar(r, true, LoopDepth));
            _loops.Add(new LoopCtx(_outputLength, true));
            _ints.Add(new IntVar("i", 0, _outputLength - 1, false, LoopDepth));
            string j = Fresh("j");
            _loops.Add(new LoopCtx(input.Length, true));
            _ints.Add(new IntVar(j, 0, input.Length - 1, false, LoopDepth));
            Ex term = new Bin('*', new Bin('+', new At(input.Name, new IVar(j)), Expression(1)), new Ref(r));
            _ints.RemoveAt(_ints.Count - 1);
            _loops.RemoveAt(_loops.Count - 1);
            var body = ImmutableArray.Create<St>(
                new DeclReal(t, new Num(0.0), false),
                new For(j, new IConst(0), new ILen(input.Name), false, 1, ImmutableArray.Create<St>(new Assign(t, "+=", term))),
                new Store(new IVar("i"), "=", new Bin('+', new Ref(t), Expression(1))),
                // r's factor is a tanh: |d r_next / d r| <= 1, so r's adjoint cannot overflow float over many outputs (F44).
                new Assign(r, "=", new Fn(MathFn.Sin, ImmutableArray.Create<Ex>(new Bin('*', new Ref(r), new Fn(MathFn.Tanh, ImmutableArray.Create(Expression(1)), 0))), 0)));
            _ints.RemoveAt(_ints.Count - 1);
            _loops.RemoveAt(_loops.Count - 1);
            list.Add(new For("i", new IConst(0), new ILen("o"), false, 1, body));
            Nodes += 6;
            return list;
        }

        private IEnumerable<St> OutputWrites()
        {
            var list = new List<St>();
            var inputs = _arrays.Where(a => a.Whole && a.Length > 0).ToList();
            if (Has(FuzzGrammar.OutputRecurrences) && Has(FuzzGrammar.For) && inputs.Count > 0 && Chance(0.2))
            {
                list.AddRange(OutputRecurrence(Pick(inputs)));
            }
            // A layer of the output's length writes the whole output (inlined into the caller's output span).
            else if (_layers.FindIndex(l => l.OutputLength == _outputLength) is int layer and >= 0 && Chance(0.6))
            {
                list.Add(LayerCallStatement(layer, "o"));
            }
            // A long output of a Vectorize = true method (VectorLength) is written by the loop, which its lanes take.
            else if ((Chance(0.3) || _outputLength > 4) && Has(FuzzGrammar.For))
            {
                // for (int i = 0; i < o.Length; i++) o[i] = e(i);
                _loops.Add(new LoopCtx(_outputLength, true));
                _ints.Add(new IntVar("i", 0, _outputLength - 1, false, LoopDepth));
                var store = new Store(new IVar("i"), "=", Combine(Expression(2)));
                _ints.RemoveAt(_ints.Count - 1);
                _loops.RemoveAt(_loops.Count - 1);
                list.Add(new For("i", new IConst(0), new ILen("o"), false, 1, ImmutableArray.Create<St>(store)));
            }
            else
            {
                // Sometimes one element is left unwritten: then nothing reads the output back (each element must be
                // written before it is read), and the caller's NaN stays in it.
                int skip = _outputLength >= 2 && Has(FuzzGrammar.UnwrittenOutputs) && _outputStream.Next(1_000_000) < 150_000
                    ? (int)_outputStream.Next((uint)_outputLength) : -1;
                for (int k = 0; k < _outputLength; k++)
                {
                    if (k != skip)
                    {
                        list.Add(new Store(new IConst(k), "=", Combine(Expression(2))));
                    }
                }

                if (skip >= 0)
                {
                    _unwrittenOutput = skip;
                    Nodes += list.Count;
                    return list;
                }
            }

            Nodes += list.Count;
            _outputReadable = true;
            _arrays.Add(new ArrayVar("o", _outputLength));
            int post = Weighted(50, 30, 20);
            for (int i = 0; i < post; i++)
            {
                int k = Int(_outputLength);
                string op = Pick(Has(FuzzGrammar.Normalise) ? new[] { "=", "*=", "+=", "/=" } : new[] { "=", "*=", "+=" });
                Ex value = op switch
                {
                    "=" => new Div(new At("o", new IConst(k)), Expression(1), DivForm.SquarePlusHalf),
                    "/=" => SquarePlusHalf(Expression(1)),
                    _ => Expression(2),
                };
                list.Add(new Store(new IConst(k), op, value));
                Nodes++;
            }

            if (Has(FuzzGrammar.Normalise) && Chance(0.3))
            {
                // Normalisation: norm = 0.25 + the sum of o[k]^2 (every output read back), then every o[k] divided by its
                // square root. Unrolled with constant indices; in loops only with OutputReadInLoop (FINDINGS F14: SD1000).
                bool loops = Has(FuzzGrammar.OutputReadInLoop) && Has(FuzzGrammar.For) && (Chance(0.5) || _outputLength > 4);
                string norm = Fresh("s");
                list.Add(new DeclReal(norm, new Num(0.25), false));
                Ex Square(IEx k) => new Bin('*', new At("o", k), new At("o", k));
                if (loops)
                {
                    list.Add(new For("i", new IConst(0), new ILen("o"), false, 1, ImmutableArray.Create<St>(new Assign(norm, "+=", Square(new IVar("i"))))));
                }
                else
                {
                    list.AddRange(Enumerable.Range(0, _outputLength).Select(k => new Assign(norm, "+=", Square(new IConst(k)))));
                }

                Ex root = new Fn(MathFn.Sqrt, ImmutableArray.Create<Ex>(new Ref(norm)), 2);
                if (Chance(0.5))
                {
                    list.Add(new Assign(norm, "=", root));
                    root = new Ref(norm);
                }

                if (loops)
                {
                    list.Add(new For("i", new IConst(0), new ILen("o"), false, 1, ImmutableArray.Create<St>(new Store(new IVar("i"), "/=", root))));
                }
                else
                {
                    list.AddRange(Enumerable.Range(0, _outputLength).Select(k => new Store(new IConst(k), "/=", root)));
                }

                Nodes += 2 + (2 * _outputLength);
            }

            _arrays.RemoveAt(_arrays.Count - 1);
            _outputReadable = false;
            return list;
        }

        /// <summary>The returned expression: combines the live locals of the method body with a fresh expression, so little is dead code.</summary>
        private Ex FinalExpression() => Combine(Expression(2));

        private Ex Combine(Ex e)
        {
            // A hidden layer in scope reaches the result through one of its elements, so its lanes (LoopFission's split
            // tail) are checked by the derivatives and not only by the value (a fault doubling the parked values passed
            // 800 programs while the layers were read only by chance).
            foreach (ArrayVar b in _buffers.Where(b => _hiddenLayers.Contains(b.Name) && b.Length > 0).ToList())
            {
                e = new Bin('+', e, new At(b.Name, new IConst(Int(b.Length))));
            }

            if (_gridSum is not null)
            {
                e = new Bin('+', e, new Ref(_gridSum));
            }

            var locals = _reals.Where(r => r.Assignable).ToList();
            int take = Math.Min(locals.Count, Int(1, 3));
            for (int i = 0; i < take; i++)
            {
                RealVar r = locals[locals.Count - 1 - Int(Math.Min(locals.Count, 4))];
                e = Chance(0.7) ? new Bin('+', e, new Ref(r.Name)) : new Bin('*', e, new Ref(r.Name));
            }

            return e;
        }

        // ------------------------------------------------------------------ expressions

        private Ex Expression(int depth)
        {
            Nodes++;
            if (depth <= 0 || Chance(0.25))
            {
                return Leaf();
            }

            bool callsHere = ((!_inHelper && _helpers.Count > 0) || (_inLayer && HelpersALayerCalls().Count > 0)) && (LoopDepth == 0 || Has(FuzzGrammar.CallsInLoops));
            bool rulesHere = Has(FuzzGrammar.Rules) && (!_hessian || true);
            int kind = Weighted(
                34,                                               // 0 + - *
                6,                                                // 1 division
                3,                                                // 2 unary minus
                22,                                               // 3 Math function
                Has(FuzzGrammar.NonSmooth) ? 4 : 0,               // 4 ?:
                Has(FuzzGrammar.Detach) ? 3 : 0,                  // 5 Detach
                callsHere ? (_hasShared || _hasLayer || HelpersTakingABuffer().Count > 0 ? 16 : 8) : 0, // 6 helper call
                rulesHere ? 3 : 0,                                // 7 custom rule
                RemainderHere ? 2 : 0);                           // 8 %
            switch (kind)
            {
                case 0:
                    return new Bin(Pick(new[] { '+', '-', '*', '*' }), Expression(depth - 1), Expression(depth - 1));
                case 1:
                {
                    var ints = IntFactors();
                    int form = Weighted(4, 3, 3, ints.Count > 0 ? 2 : 0);
                    return form switch
                    {
                        0 => new Div(Expression(depth - 1), Expression(depth - 1), DivForm.SquarePlusHalf),
                        1 => new Div(Expression(depth - 1), Expression(depth - 1), DivForm.AbsPlusOne),
                        2 => new Div(Expression(depth - 1), new Num(Pick(new[] { 2.0, 3.0, -4.0, 0.5 })), DivForm.ByConstant),
                        _ => new Div(Expression(depth - 1), new FromInt(Pick(ints)), DivForm.ByIntPlusOne),
                    };
                }

                case 2:
                    return new Neg(Expression(depth - 1));
                case 3:
                    return Function(depth - 1, null);
                case 4:
                {
                    _inConditional++;
                    var tern = new Tern(Condition(), Expression(depth - 1), Expression(depth - 1));
                    _inConditional--;
                    return tern;
                }
                case 5:
                    return new Detach(Expression(depth - 1));
                case 6 when _inLayer:
                {
                    // A layer's body calls a helper (inlined with it, so the call lands in the caller's body).
                    int h = Pick(HelpersALayerCalls());
                    int scalars = _helpers[h].Params.Count(p => p.Kind == ParamKind.Scalar);
                    return new CallHelper(h, Enumerable.Range(0, scalars).Select(_ => Expression(depth - 1)).ToImmutableArray(), null);
                }

                case 6:
                {
                    var takingABuffer = HelpersTakingABuffer();
                    var takingAPart = HelpersTakingAPartOfABuffer();
                    int h = takingAPart.Count > 0 && _bufferPartStream.Next(1_000_000) < 500_000 ? takingAPart[(int)_bufferPartStream.Next((uint)takingAPart.Count)]
                        : takingABuffer.Count > 0 && Chance(0.9) ? Pick(takingABuffer) : Int(_helpers.Count);
                    int scalars = _helpers[h].Params.Count(p => p.Kind == ParamKind.Scalar);
                    var args = Enumerable.Range(0, scalars).Select(_ => Expression(depth - 1)).ToImmutableArray();

                    // In an instance program, an instance helper may be called on the other instance (peer.H0(x)), or on a
                    // sub-model held in a field or property (Shared.H0(x), this.Layer.H0(x)).
                    if (!_helpers[h].Static && (_hasShared || _hasLayer) && Chance(0.5))
                    {
                        var vias = new List<SubModel>();
                        if (_hasShared)
                        {
                            vias.AddRange(new[] { SubModel.Shared, SubModel.SharedQualified });
                        }

                        if (_hasLayer)
                        {
                            vias.AddRange(new[] { SubModel.Layer, SubModel.LayerThis });
                        }

                        return Sliced(new CallHelper(h, args, SpanArgument(h)) { Via = Pick(vias) });
                    }

                    return Sliced(new CallHelper(h, args, SpanArgument(h), ViaPeer: _hasPeer && !_helpers[h].Static && Chance(0.5)));
                }

                case 8:
                {
                    // The dividend is often scaled up, so that trunc(l / r), the derivative in r, is not always 0.
                    Ex l = Chance(0.5) ? new Bin('*', new Num(3.0), Expression(depth - 1)) : Expression(depth - 1);
                    return Chance(0.4)
                        ? new Rem(l, new Num(Pick(new[] { 1.5, 0.75, 2.0, -1.25, 0.5 })), RemForm.ByConstant)
                        : new Rem(l, Expression(depth - 1), RemForm.SquarePlusHalf);
                }

                default:
                {
                    var fns = new List<RuleFn>();
                    if (_precision == Precision.Float)
                    {
                        fns.Add(RuleFn.SoftF);
                    }
                    else
                    {
                        if (!_hessian || Has(FuzzGrammar.SecondOrderRules))
                        {
                            fns.Add(RuleFn.Cube);
                        }

                        // In a Hessian program a first-order rule is SD1007 where its argument varies (FINDINGS F74: the
                        // tuple rule's Hessian was silently zero); drawn rarely there, since such a program is rejected.
                        if (!_hessian || Chance(0.15))
                        {
                            fns.Add(RuleFn.Soft);
                            fns.Add(RuleFn.Mix);
                        }
                    }

                    if (fns.Count == 0)
                    {
                        return Expression(depth - 1);
                    }

                    RuleFn fn = Pick(fns);
                    int arity = fn == RuleFn.Mix ? 2 : 1;
                    return new CallRule(fn, Enumerable.Range(0, arity).Select(_ => Expression(depth - 1)).ToImmutableArray());
                }
            }
        }

        private Ex Function(int depth, Ex? first)
        {
            var fns = new List<(MathFn Fn, int Weight)>
            {
                (MathFn.Sin, 6), (MathFn.Cos, 5), (MathFn.Tan, 2), (MathFn.Asin, 2), (MathFn.Acos, 2), (MathFn.Atan, 3), (MathFn.Atan2, 2),
                (MathFn.Sinh, 2), (MathFn.Cosh, 2), (MathFn.Tanh, 4), (MathFn.Exp, 4), (MathFn.Log, 4), (MathFn.LogBase, 1), (MathFn.Log2, 1),
                (MathFn.Log10, 1), (MathFn.Pow, 5), (MathFn.PowActive, 2), (MathFn.Sqrt, 4), (MathFn.Cbrt, 1), (MathFn.FusedMultiplyAdd, 2),
                (MathFn.Asinh, 1), (MathFn.Acosh, 1), (MathFn.Atanh, 1),
            };
            if (Has(FuzzGrammar.NonSmooth))
            {
                fns.AddRange(new[] { (MathFn.Abs, 3), (MathFn.Max, 3), (MathFn.Min, 3), (MathFn.Clamp, 2), (MathFn.Floor, 1), (MathFn.Ceiling, 1), (MathFn.Round, 1), (MathFn.Truncate, 1), (MathFn.Sign, 1) });
            }

            MathFn fn = fns[Weighted(fns.Select(f => f.Weight).ToArray())].Fn;
            int shapes = fn switch
            {
                MathFn.Sin or MathFn.Cos or MathFn.Atan or MathFn.Tanh or MathFn.Sinh or MathFn.Cosh or MathFn.Exp => 2,
                MathFn.Tan or MathFn.Atan2 or MathFn.PowActive or MathFn.Clamp => 2,
                MathFn.Asin or MathFn.Acos or MathFn.Log or MathFn.Log2 or MathFn.Log10 => 3,
                MathFn.Sqrt => Has(FuzzGrammar.Edges) ? 2 : 1,
                MathFn.Pow => Renderer.PowExponents.Length + (_hasN && Has(FuzzGrammar.Edges) ? 1 : 0),
                _ => 1,
            };
            int shape = fn == MathFn.Sqrt && shapes == 2 ? (Chance(0.2) ? 1 : 0) : Int(shapes);
            if (fn == MathFn.Round)
            {
                // Round(x), Round(x, 2), Round(x, MidpointRounding.AwayFromZero), Round(x, 1, MidpointRounding.ToZero).
                shape = (int)_roundStream.Next(4);
            }

            if (fn == MathFn.Pow && shapes > Renderer.PowExponents.Length && Chance(0.2))
            {
                // Pow(e, n) with the int parameter (n may be 0): a rare edge otherwise (one shape in nine).
                shape = Renderer.PowExponents.Length;
            }

            int arity = fn switch
            {
                MathFn.Atan2 or MathFn.LogBase or MathFn.PowActive or MathFn.Max or MathFn.Min => 2,
                MathFn.Clamp => shape == 0 ? 1 : 2,
                MathFn.FusedMultiplyAdd => 3,
                _ => 1,
            };
            var args = new List<Ex>();
            for (int i = 0; i < arity; i++)
            {
                args.Add(i == 0 && first is not null ? first : Expression(depth));
            }

            var spelling = FnSpelling.Class;
            if (_precision == Precision.Float && Has(FuzzGrammar.WidenedMath) && Renderer.HasDoubleOnlyOverload(fn) && Chance(0.2))
            {
                spelling = FnSpelling.Widened;
            }
            else if (Has(FuzzGrammar.GenericMath) && Chance(0.2))
            {
                spelling = FnSpelling.Generic;
            }

            return new Fn(fn, args.ToImmutableArray(), shape, spelling);
        }

        private List<IEx> IntFactors()
        {
            var list = new List<IEx>();
            foreach (IntVar v in _ints)
            {
                if (v.Lo >= 0)
                {
                    list.Add(new IVar(v.Name));
                }
            }

            foreach (ArrayVar a in _arrays.Where(a => a.Name != "o"))
            {
                list.Add(new ILen(a.Name));
            }

            if (Chance(0.5))
            {
                foreach (DataMember d in VisibleData)
                {
                    list.Add(new IDataLen(d.Name, DataAccess()));
                }
            }

            return list;
        }

        private Ex Leaf()
        {
            Nodes++;
            var options = new List<Func<Ex>>();
            options.Add(() => new Num(Literal()));
            foreach (RealVar r in _reals)
            {
                options.Add(() => new Ref(r.Name));
                options.Add(() => new Ref(r.Name));
                options.Add(() => new Ref(r.Name));
            }

            foreach (ArrayVar a in _arrays)
            {
                if (a.Name == "o" && !_outputReadable)
                {
                    continue;
                }

                var indices = Indices(a);
                if (indices.Count > 0)
                {
                    options.Add(() => new At(a.Name, Pick(indices)));
                    options.Add(() => new At(a.Name, Pick(indices)));
                    options.Add(() => new At(a.Name, Pick(indices)));
                }
            }

            foreach (ArrayVar b in _buffers)
            {
                var indices = b.ConstantIndices ? Enumerable.Range(0, b.Length).Select(k => (IEx)new IConst(k)).ToList() : IndicesCore(b);
                options.Add(() => new At(b.Name, Pick(indices)));
                options.Add(() => new At(b.Name, Pick(indices)));
                options.Add(() => new At(b.Name, Pick(indices)));
                options.Add(() => new At(b.Name, Pick(indices)));
            }

            var ints = IntFactors();
            if (ints.Count > 0)
            {
                options.Add(() => new FromInt(Pick(ints)));
            }

            foreach (string k in _consts)
            {
                options.Add(() => new ConstRef(k));
                options.Add(() => new ConstRef(k));
            }

            foreach (Member m in VisibleMembers)
            {
                options.Add(() => new MemberRef(m.Name, MemberAccessFor(m)));
            }

            foreach (DataMember d in VisibleData.Where(d => d.Kind != DataKind.IntTable))
            {
                options.Add(() => new DataAt(d.Name, DataAccess(), Pick(Indices(new ArrayVar(d.Name, d.Length)))));
            }

            if (Has(FuzzGrammar.CastIndex) && !_inCastIndex && Chance(0.1))
            {
                foreach (ArrayVar a in _arrays.Where(a => a.Length > 0 && a.Name != "o"))
                {
                    options.Add(() => new At(a.Name, CastIndex(a)));
                }
            }

            return Pick(options)();
        }

        private MemberAccess MemberAccessFor(Member m) =>
            m.IsInstance && _hasPeer && !_inHelper && Chance(0.3) ? MemberAccess.Peer : Chance(0.6) ? MemberAccess.Bare : MemberAccess.Qualified;

        /// <summary><c>(int)Math.Abs(e) % c</c> with c at most the array's length: e mostly data (an inactive parameter, a const, a field).</summary>
        private IEx CastIndex(ArrayVar a)
        {
            _inCastIndex = true;
            var data = new List<Func<Ex>>();
            foreach (RealVar r in _reals.Where(r => _data.Contains(r.Name)))
            {
                data.Add(() => new Ref(r.Name));
            }

            foreach (ArrayVar d in _arrays.Where(d => _data.Contains(d.Name) && d.Length > 0))
            {
                data.Add(() => new At(d.Name, new IConst(Int(d.Length))));
            }

            foreach (string k in _consts)
            {
                data.Add(() => new ConstRef(k));
            }

            foreach (Member m in VisibleMembers)
            {
                data.Add(() => new MemberRef(m.Name, MemberAccessFor(m)));
            }

            // Mostly data; sometimes an active value (the cast cuts its derivative) scaled up so the index moves.
            Ex e = data.Count > 0 && Chance(0.75) ? Pick(data)() : new Bin('*', Expression(1), new Num(3.0));
            _inCastIndex = false;
            Nodes++;
            return new ICastIndex(e, Int(1, a.Length));
        }

        /// <summary>Index expressions that are in bounds for every value the variables they read can take.</summary>
        private List<IEx> Indices(ArrayVar a)
        {
            var list = IndicesCore(a);
            if (a.Length >= DataMember.TableBound)
            {
                // T0[i]: an int[] table of indices, its own index in bounds for the table.
                foreach (DataMember t in VisibleData.Where(t => t.Kind == DataKind.IntTable))
                {
                    list.Add(new ITableAt(t.Name, DataAccess(), Pick(IndicesCore(new ArrayVar(t.Name, t.Length)))));
                }
            }

            return list;
        }

        private List<IEx> IndicesCore(ArrayVar a)
        {
            var list = new List<IEx>();
            if (a.Length == 0)
            {
                return list;
            }

            list.Add(new IConst(Int(a.Length)));
            foreach (IntVar v in _ints)
            {
                if (v.IsCounter)
                {
                    list.Add(new IClampIndex(new IVar(v.Name), a.Name));
                    if (a.Length >= 2)
                    {
                        list.Add(new IMod(new IVar(v.Name), Int(2, a.Length)));
                    }

                    continue;
                }

                if (v.Hi < v.Lo)
                {
                    continue;
                }

                for (int c = -2; c <= 2; c++)
                {
                    if (v.Lo + c >= 0 && v.Hi + c <= a.Length - 1)
                    {
                        list.Add(c == 0 ? new IVar(v.Name) : new IOffset(new IVar(v.Name), c));
                        if (c == 0)
                        {
                            list.Add(new IVar(v.Name));
                        }
                    }
                }
            }

            if (_vectorize)
            {
                // Rows of a 2-D layout read in a loop nested in another (a hidden layer's p[j * inputs + k], a convolution's
                // x[j + k]): unit-stride rows the inner loop's lanes take, with the outer loop's tail split off (LoopFission).
                foreach (IntVar v in _ints)
                {
                    foreach (IntVar u in _ints)
                    {
                        if (v.IsCounter || u.IsCounter || v.Depth >= u.Depth || v.Lo < 0 || u.Lo < 0 || v.Hi < v.Lo || u.Hi < u.Lo)
                        {
                            continue;
                        }

                        int width = u.Hi + 1;
                        if ((v.Hi * width) + u.Hi <= a.Length - 1)
                        {
                            list.Add(new IRow(new IVar(v.Name), width, new IVar(u.Name)));
                            list.Add(new IRow(new IVar(v.Name), width, new IVar(u.Name)));
                        }

                        if (width > 1 && v.Hi + u.Hi <= a.Length - 1)
                        {
                            list.Add(new IRow(new IVar(v.Name), 1, new IVar(u.Name)));
                        }
                    }
                }
            }

            return list;
        }

        private Cond Condition()
        {
            // Conditions count as conditional contexts too (operands of && and || are evaluated conditionally).
            _inConditional++;
            Cond c = ConditionCore();
            _inConditional--;
            return c;
        }

        private Cond ConditionCore()
        {
            Nodes++;
            var intVars = _ints.Where(v => v.Hi >= v.Lo).ToList();
            int kind = Weighted(10, intVars.Count > 0 ? 4 : 0, 2, 1);
            switch (kind)
            {
                case 0:
                {
                    Ex a = Expression(1);
                    Ex b = Chance(0.5) ? new Num(Literal()) : Expression(1);

                    // A comparison of constants only, or of an expression with itself, is a warning in the user's own code
                    // (CS1718) or folds to a constant: not what users write. Compare with a variable instead.
                    if (!ReadsVariable(a) && !ReadsVariable(b) || a == b)
                    {
                        a = _reals.Count > 0 ? new Ref(Pick(_reals).Name) : a;
                        if (a == b)
                        {
                            b = new Num(Literal());
                        }
                    }

                    return new Cmp(Pick(new[] { "<", ">", "<=", ">=", "==", "!=", "<", ">" }), a, b);
                }

                case 1:
                {
                    IntVar v = Pick(intVars);
                    return Chance(0.5)
                        ? new ICmp("==", new IMod(new IVar(v.Name), Int(2, 3)), new IConst(0))
                        : new ICmp(Pick(new[] { "<", ">", ">=" }), new IVar(v.Name), new IConst(Int(0, 3)));
                }

                case 2:
                    return new Logic(Chance(0.5), Condition(), Condition());
                default:
                    return new Not(Condition());
            }
        }

        private static bool ReadsVariable(Ex e) => e switch
        {
            Num or ConstRef or MemberRef => false,
            Rem r => ReadsVariable(r.L) || ReadsVariable(r.R),
            Ref or At or FromInt => true,
            Bin b => ReadsVariable(b.L) || ReadsVariable(b.R),
            Div d => ReadsVariable(d.L) || ReadsVariable(d.R),
            Neg n => ReadsVariable(n.E),
            Fn f => f.Args.Any(ReadsVariable) || (f.Function == MathFn.Pow && f.Shape == Renderer.PowExponents.Length),
            Tern => true,
            Detach d => ReadsVariable(d.E),
            CallHelper c => c.Args.Any(ReadsVariable) || c.SpanArg is not null,
            CallRule c => c.Args.Any(ReadsVariable),
            _ => true,
        };

        private sealed record RealVar(string Name, bool Assignable, int Depth);

        private sealed record IntVar(string Name, int Lo, int Hi, bool IsCounter, int Depth);

        /// <param name="Whole">Whether the buffer may be passed whole to a helper (not one swept in place: its versions live in a history).</param>
        /// <summary>
        /// A small buffer written at constant indices, an element sometimes again (<see cref="ScalarBuffer"/>); readable
        /// (at constant indices only) while each write is made, and after.
        /// </summary>
        /// <summary>
        /// A write into a <see cref="ScalarBuffer"/> in scope, in half of the draws where there is one (inside a loop below
        /// its declaration, its elements are carried from one iteration to the next), else a new one; null when neither.
        /// </summary>
        private St? ScalarBufferOrStore()
        {
            var carried = CarriedScalarBuffers();
            var inScope = carried.Count > 0 && _scalarBufferStream.Next(5) != 0 ? carried : _buffers.Where(b => b.ConstantIndices).ToList();
            if (inScope.Count > 0 && (carried.Count > 0 || _scalarBufferStream.Next(2) == 0))
            {
                var b = inScope[(int)_scalarBufferStream.Next((uint)inScope.Count)];
                string op = new[] { "=", "+=", "-=", "*=" }[Weighted(4, 3, 2, 3)];
                return new ScalarStore(b.Name, new ScalarWrite(Int(b.Length), op, Expression(2)));
            }

            return _buffers.Count < 3 ? ScalarBufferStatement() : null;
        }

        /// <summary>The <see cref="ScalarBuffer"/>s in scope declared outside the innermost loop: written here, carried by it.</summary>
        private List<ArrayVar> CarriedScalarBuffers() => _buffers.Where(b => b.ConstantIndices && b.Depth < LoopDepth).ToList();

        private St ScalarBufferStatement()
        {
            string name = Fresh("b");
            int length = 1 + Int(4);
            var buffer = new ArrayVar(name, length, Whole: false) { ConstantIndices = true, Stack = Chance(0.6), Depth = LoopDepth };
            _buffers.Add(buffer);
            var writes = ImmutableArray.CreateBuilder<ScalarWrite>();
            int count = 1 + Int(length + 2);
            for (int w = 0; w < count; w++)
            {
                string op = new[] { "=", "+=", "-=", "*=" }[Weighted(6, 3, 2, 3)];
                writes.Add(new ScalarWrite(Int(length), op, Expression(2)));
            }

            return new ScalarBuffer(name, length, buffer.Stack, writes.ToImmutable());
        }

        private sealed record ArrayVar(string Name, int Length, bool Whole = true)
        {
            /// <summary>Read only at constant indices (a <see cref="ScalarBuffer"/>).</summary>
            public bool ConstantIndices { get; init; }

            /// <summary>The loop depth of its declaration (<see cref="ConstantIndices"/> buffers).</summary>
            public int Depth { get; init; }

            /// <summary>A local buffer on the stack (a <c>Span&lt;T&gt;</c>: a part of it is <c>Slice</c>, of an array <c>AsSpan</c>).</summary>
            public bool Stack { get; init; }
        }

        private sealed record LoopCtx(int Trips, bool ContinueAllowed)
        {
            /// <summary>How many <c>if</c>s enclosed the loop: a statement generated at this depth is directly in its body.</summary>
            public int IfDepth { get; init; }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using SymDiff.Fuzz.Tests.Grammar;

namespace SymDiff.Fuzz.Tests.Harness
{
    /// <summary>
    /// Counts, over a set of programs, how many programs contain each construct of README.md's "Supported inside a
    /// differentiable method" list (each program counts once per construct). <c>GrammarCoverageTests</c> checks that the
    /// CI run generates every construct, and docs/testing.md's coverage table names the key of each row.
    /// </summary>
    public static class GrammarCensus
    {
        /// <summary>The key of a <c>Vectorize = true</c> program with an input (or output) long enough for the unrolled lanes.</summary>
        public const string UnrolledLanes = "Vectorize = true: a length reaching the unrolled body (4 vectors a step)";

        public static SortedDictionary<string, int> Count(IEnumerable<FuzzProgram> programs)
        {
            var totals = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (FuzzProgram p in programs)
            {
                foreach (string key in Of(p))
                {
                    totals[key] = totals.GetValueOrDefault(key) + 1;
                }
            }

            return totals;
        }

        /// <summary>
        /// The paths of the lanes that the inputs (and the output) of a <c>Vectorize = true</c> method can reach, by length:
        /// L lanes (4 double, 8 float) and four accumulators, so the unrolled body needs 4 L elements, the one-vector loop L,
        /// and a length that is not a multiple of L leaves a scalar remainder after the lanes.
        /// </summary>
        private static void VectorLengths(FuzzProgram p, HashSet<string> keys)
        {
            int lanes = p.Precision == Precision.Float ? 8 : 4;
            var lengths = p.Params.Where(q => q.IsVector).Select(q => q.Length).ToList();
            if (p.IsVector)
            {
                lengths.Add(p.OutputLength);
            }

            foreach (int n in lengths)
            {
                if (n >= 4 * lanes)
                {
                    keys.Add(UnrolledLanes);
                }
                else if (n >= lanes)
                {
                    keys.Add("Vectorize = true: a length reaching only the one-vector loop");
                }

                if (n >= lanes && n % lanes != 0)
                {
                    keys.Add("Vectorize = true: a scalar remainder after the lanes");
                }
            }
        }

        /// <summary>The constructs one program contains.</summary>
        public static HashSet<string> Of(FuzzProgram p)
        {
            var keys = new HashSet<string>(StringComparer.Ordinal);
            var walker = new Walker(p, keys);
            keys.Add(p.Precision == Precision.Float ? "method: float" : "method: double");
            keys.Add(p.IsVector ? "method: vector (void, Span output)" : "method: scalar");
            if (p.Hessian)
            {
                keys.Add("method: Hessian = true");
            }

            if (p.Vectorize)
            {
                keys.Add("method: Vectorize = true");
                VectorLengths(p, keys);
            }

            if (p.Instance)
            {
                keys.Add("method: instance");
            }

            if (!p.Wrt.IsEmpty)
            {
                keys.Add("[Differentiable(nameof(a), ...)] subset");
            }

            foreach (Param q in p.Params.Concat(p.Helpers.SelectMany(h => h.Params)))
            {
                switch (q.Kind)
                {
                    case ParamKind.Scalar:
                    case ParamKind.Array:
                    case ParamKind.Span:
                        keys.Add($"parameter: {q.Kind}{(q.NoGrad ? " [NoGrad]" : string.Empty)}");
                        break;
                    case ParamKind.Int:
                        keys.Add("parameter: int");
                        break;
                    case ParamKind.Peer:
                        keys.Add("parameter: another instance (peer)");
                        break;
                }
            }

            foreach (Member m in p.Members)
            {
                keys.Add($"member declared: {m.Kind}");
            }

            foreach (DataMember d in p.Data)
            {
                keys.Add($"data declared: {d.Kind}");
            }

            foreach (ViewDecl v in p.Views)
            {
                keys.Add(v.Form switch
                {
                    ViewForm.Range => "span local: a range (u[a..b], u[a..])",
                    ViewForm.ToEnd => "span local: to the end (u.Slice(a), u.AsSpan(a))",
                    _ => "span local: u.Slice(a, n), u.AsSpan(a, n)",
                });
            }

            if (p.UnwrittenOutput >= 0)
            {
                keys.Add("output: an element left unwritten");
            }

            walker.Views = p.Views;
            walker.Statements(p.Body, 0);
            walker.Views = ImmutableArray<ViewDecl>.Empty;
            foreach (Helper h in p.Helpers)
            {
                keys.Add(h.Static ? "helper: static" : "helper: instance");
                walker.Statements(h.Body, 0);
            }

            foreach (LayerFn l in p.Layers)
            {
                keys.Add(l.Static ? "layer: static" : "layer: instance");
                walker.InLayer = true;
                walker.Statements(l.Body, 0);
                walker.InLayer = false;
            }

            return keys;
        }

        private sealed class Walker
        {
            private readonly FuzzProgram _p;
            private readonly HashSet<string> _keys;
            private int _loopDepth;

            public Walker(FuzzProgram p, HashSet<string> keys)
            {
                _p = p;
                _keys = keys;
            }

            private void Add(string key) => _keys.Add(key);

            /// <summary>Walking a layer's body.</summary>
            public bool InLayer { get; set; }

            /// <summary>The span locals in scope: the method under test's, while walking its body.</summary>
            public ImmutableArray<ViewDecl> Views { get; set; } = ImmutableArray<ViewDecl>.Empty;

            public void Statements(ImmutableArray<St> body, int loopDepth)
            {
                foreach (St s in body)
                {
                    Statement(s, loopDepth);
                }
            }

            private void Statement(St s, int loopDepth)
            {
                _loopDepth = loopDepth;
                switch (s)
                {
                    case DeclReal d:
                        Add(d.UseVar ? "local: var" : "local: declared");
                        Ex(d.Init);
                        break;
                    case DeclConst k:
                        Add("local: const");
                        Ex(k.Init);
                        break;
                    case Assign a:
                        Add(a.Op == "=" ? "local: re-assigned" : $"local: compound {a.Op}");
                        if (loopDepth > 0 && a.Op == "=" && Reads(a.E, a.Name))
                        {
                            Add("loop: value carried across iterations");
                        }

                        Ex(a.E);
                        break;
                    case DeclInt d:
                        Add("int local");
                        I(d.Init);
                        break;
                    case IncInt:
                        Add("int local updated in a loop");
                        break;
                    case If f:
                        Add(f.Else.IsEmpty ? "if" : "if/else");
                        Cond(f.C);
                        Statements(f.Then, loopDepth);
                        Statements(f.Else, loopDepth);
                        break;
                    case For f:
                        Add("loop: for");
                        if (f.Var.StartsWith("gi", StringComparison.Ordinal) && f.Body.Any(x => x is For))
                        {
                            Add("loop: a grid nest over rows of n (a 2-D stencil)");
                        }

                        if (f.Body.Any(x => x is Store) && f.Body.Any(x => x is For))
                        {
                            Add("output: written in a loop holding a loop");
                        }

                        Loop(loopDepth);
                        I(f.Start);
                        I(f.Bound);
                        Statements(f.Body, loopDepth + 1);
                        break;
                    case While w:
                        Add(w.Form == WhileForm.DoWhile ? "loop: do/while" : "loop: while");
                        Loop(loopDepth);
                        I(w.Bound);
                        Statements(w.Body, loopDepth + 1);
                        break;
                    case Foreach f:
                        Add(f.Data is null ? $"loop: foreach over {KindOf(f.Array)}" : "loop: foreach over constant data");
                        Loop(loopDepth);
                        Statements(f.Body, loopDepth + 1);
                        break;
                    case Jump j:
                        Add(j.IsBreak ? "break" : "continue");
                        if (j.C is not null)
                        {
                            Cond(j.C);
                        }

                        break;
                    case Return r:
                        if (r.C is not null || loopDepth > 0)
                        {
                            Add(loopDepth > 0 ? "early return inside a loop" : "early return");
                        }

                        if (r.C is not null)
                        {
                            Cond(r.C);
                        }

                        Ex(r.E);
                        break;
                    case LayerCall c:
                        Add(c.IntoOutput ? "call: [Differentiable] vector function (a layer) into the method's output span" : "call: [Differentiable] vector function (a layer) into a local buffer");
                        if (loopDepth > 0)
                        {
                            Add(c.Hoisted ? "call: a layer inside a loop, its buffer declared before the loop" : "call: a layer inside a loop");
                        }

                        if (c.Via != SubModel.None || c.ViaPeer)
                        {
                            Add("call: a layer on another object (a sub-model or a parameter)");
                        }

                        if (InLayer)
                        {
                            Add("call: a layer inside a layer (inlined two deep)");
                        }

                        if (c.Parts == 2)
                        {
                            Add("call: two layers, each into its half of a local buffer (a part of one)");
                        }

                        foreach (Ex a in c.SecondArgs)
                        {
                            Ex(a);
                        }

                        if (c.SpanArg is not null)
                        {
                            Add(_bufferNames.Contains(c.SpanArg) ? "call: a layer's input is a local buffer (layers chained)" : c.Slice is not null ? "call: a layer's input is a part of a parameter" : "call: a layer's input is a parameter");
                        }

                        if (!c.IntoOutput)
                        {
                            _bufferNames.Add(c.Buffer);
                        }

                        foreach (Ex a in c.Args)
                        {
                            Ex(a);
                        }

                        break;
                    case Layer l:
                        _bufferNames.Add(l.Buffer);
                        Add(l.Stack ? "local buffer: stackalloc" : l.Length is IConst ? "local buffer: new T[c]" : "local buffer: new T[u.Length]");
                        if (l.Hoisted)
                        {
                            Add("local buffer: declared before the loop that refills it");
                        }

                        if (l.SizedByLocal)
                        {
                            Add("local buffer: length in an int local");
                        }

                        if (l.Chained)
                        {
                            Add("local buffer: reads the element the previous iteration stored");
                        }

                        if (l.DotWidth > 0)
                        {
                            Add("local buffer: a hidden layer (a sum over an inner loop, then an elementwise function)");
                            Ex(l.DotTerm!);
                            Ex(l.DotTail!);
                        }

                        if (l.Sweeps is { } sweeps)
                        {
                            Add("local buffer: swept in place over sweeps (a stencil)");
                            Ex(sweeps.Value);
                        }

                        if (l.Update is not null)
                        {
                            Add(l.UpdateSeparate ? "local buffer: updated in place in a loop of its own" : "local buffer: updated in place in the filling loop");
                            Ex(l.Update);
                        }
                        else if (loopDepth > 0)
                        {
                            Add("local buffer: declared inside a loop");
                        }

                        if (l.Extra is not null)
                        {
                            Add(l.Nested ? "local buffer: filled by accumulation in an inner loop" : "local buffer: filled by accumulation");
                            Ex(l.Extra);
                        }

                        I(l.Length);
                        Ex(l.Value);
                        break;
                    case ScalarStore ss:
                        Add(loopDepth > 0 ? "local buffer: an element written again in a loop (a carried local)" : "local buffer: written at constant indices, an element again (one local each)");
                        Ex(ss.Write.Value);
                        break;
                    case ScalarBuffer sb:
                        _bufferNames.Add(sb.Buffer);
                        Add("local buffer: written at constant indices, an element again (one local each)");
                        foreach (var w in sb.Writes)
                        {
                            Ex(w.Value);
                        }

                        break;
                    case Store st:
                        Add(st.Op == "=" ? "output: written" : $"output: read back and re-written ({st.Op})");
                        if (st.Op != "=" && loopDepth > 0)
                        {
                            Add("output: read back inside a loop");
                        }

                        if (st.Op == "/=" && st.E is Fn { Function: MathFn.Sqrt } or Ref)
                        {
                            Add("output: normalised");
                        }

                        I(st.Index);
                        Ex(st.E);
                        break;
                    case GuardIf g:
                        Add(g.Braces ? "guard: if (...) { throw ...; }" : "guard: if (...) throw ...;");
                        Add($"guard: throws {g.X.Form}");
                        Cond(g.C);
                        break;
                    case GuardedReturn gr:
                        Add("guard: return c ? e : throw ...;");
                        Add($"guard: throws {gr.X.Form}");
                        Cond(gr.Accept);
                        Ex(gr.E);
                        break;
                    case Rotate rot:
                        Add("loop: two-value recurrence");
                        Ex(rot.NewB);
                        break;
                    default:
                        throw new InvalidOperationException($"Unknown statement {s}.");
                }
            }

            private void Loop(int loopDepth)
            {
                if (loopDepth > 0)
                {
                    Add("loop: nested");
                }
            }

            private readonly HashSet<string> _bufferNames = new HashSet<string>(StringComparer.Ordinal);

            private string KindOf(string array) => array == "o" ? "the output span" :
                _p.Params.Concat(_p.Helpers.SelectMany(h => h.Params)).Concat(_p.Layers.SelectMany(l => l.Params)).FirstOrDefault(q => q.Name == array)?.Kind switch
                {
                    ParamKind.Span => "ReadOnlySpan",
                    ParamKind.Array => "array",
                    _ => "other",
                };

            private void Ex(Ex e)
            {
                switch (e)
                {
                    case Num:
                        Add("literal");
                        break;
                    case Ref:
                        break;
                    case ConstRef:
                        Add("const read");
                        break;
                    case MemberRef m:
                        Member member = _p.Members.First(x => x.Name == m.Name);
                        Add($"member read: {member.Kind}");
                        if (m.Access == MemberAccess.Peer)
                        {
                            Add("member read: of another instance");
                        }

                        break;
                    case DataAt d:
                        Add(DataKey(d.Name, d.Access));
                        I(d.Index);
                        break;
                    case FromInt f:
                        Add("cast: int -> real");
                        I(f.E);
                        break;
                    case At a:
                        if (a.Index is IConst { Value: var constant } && Views.FirstOrDefault(v => v.Array == a.Array) is { } view && view.Covers(constant, _p.Params.First(q => q.Name == a.Array).Length))
                        {
                            Add("span local: read by a constant index");
                        }
                        else if (Views.FirstOrDefault(v => v.Array == a.Array) is { } over && over.DataIndex(a.Index, _p.Params.First(q => q.Name == a.Array).Length) is not null)
                        {
                            Add("span local: indexed by data (a cast or a table of indices; bounds-checked)");
                        }

                        Add(_bufferNames.Contains(a.Array) ? "local buffer: read" : a.Array == "o" ? _loopDepth > 0 ? "output: read back inside a loop" : "output: read back" : $"indexing: {KindOf(a.Array)}");
                        I(a.Index);
                        break;
                    case Bin b:
                        Add($"operator {b.Op}");
                        Ex(b.L);
                        Ex(b.R);
                        break;
                    case Div d:
                        Add("operator /");
                        Ex(d.L);
                        Ex(d.R);
                        break;
                    case Rem r:
                        Add("operator %");
                        Ex(r.L);
                        Ex(r.R);
                        break;
                    case Neg n:
                        Add("unary minus");
                        Ex(n.E);
                        break;
                    case Fn f:
                        Add($"function: {FunctionName(f.Function)}" + (f.Function != MathFn.Round ? string.Empty : f.Shape switch { 1 or 2 => " (digits or mode)", 3 => " (digits, mode)", _ => string.Empty }));
                        Add(f.Spelling switch
                        {
                            FnSpelling.Generic => _p.Precision == Precision.Float ? "spelling: float.X" : "spelling: double.X",
                            FnSpelling.Widened => "spelling: (float)Math.X (cast of a double value)",
                            _ => _p.Precision == Precision.Float ? "spelling: MathF.X" : "spelling: Math.X",
                        });
                        if (f.Function == MathFn.Sign)
                        {
                            Add("cast: int -> real");
                        }

                        if (f.Function == MathFn.Sqrt && f.Shape == 1)
                        {
                            Add("edge: Sqrt(Abs(e)) (Sqrt'(0) = inf)");
                        }

                        if (f.Function == MathFn.Pow && f.Shape == Renderer.PowExponents.Length)
                        {
                            Add("edge: Pow(e, n) (n may be 0)");
                        }

                        foreach (Ex a in f.Args)
                        {
                            Ex(a);
                        }

                        break;
                    case Tern t:
                        Add("?:");
                        Cond(t.C);
                        Ex(t.A);
                        Ex(t.B);
                        break;
                    case Detach d:
                        Add("Grad.Detach");
                        Ex(d.E);
                        break;
                    case CallHelper c:
                        Helper h = _p.Helpers[c.Helper];
                        if (c.Via != SubModel.None)
                        {
                            Add(c.Via is SubModel.Shared or SubModel.SharedQualified
                                ? "call: [Differentiable] on a sub-model in a static field"
                                : "call: [Differentiable] on a sub-model in an instance property");
                        }

                        if (InLayer)
                        {
                            Add("call: [Differentiable] helper inside a layer");
                        }

                        Add(c.Via != SubModel.None ? "call: [Differentiable] on a sub-model" : c.ViaPeer ? "call: [Differentiable] on another instance" : h.Static ? "call: [Differentiable] static" : "call: [Differentiable] instance");
                        if (c.SpanArg is not null)
                        {
                            Add(c.DataArg is not null ? "call: constant data, whole or a part, as the span argument"
                                : _bufferNames.Contains(c.SpanArg) ? c.Slice is not null ? "call: a part of a local buffer as the span argument" : "call: a local buffer as the span argument" : c.Slice is not null ? "call: a part of a span or array (Slice, AsSpan)" : "call: span argument");
                        }

                        foreach (Ex a in c.Args)
                        {
                            Ex(a);
                        }

                        break;
                    case CallRule r:
                        Add(r.Args.Length == 1 ? "call: [DerivativeOf] rule, 1 argument" : "call: [DerivativeOf] rule, 2 arguments");
                        if (_p.Hessian && r.Function is RuleFn.Soft or RuleFn.Mix)
                        {
                            Add("call: a first-order [DerivativeOf] rule in a Hessian program (SD1007 where its argument varies)");
                        }

                        foreach (Ex a in r.Args)
                        {
                            Ex(a);
                        }

                        break;
                    default:
                        throw new InvalidOperationException($"Unknown expression {e}.");
                }
            }

            private void I(IEx e)
            {
                switch (e)
                {
                    case ILen l:
                        Add($".Length of {KindOf(l.Array)}");
                        break;
                    case IOffset o:
                        I(o.E);
                        break;
                    case IClampIndex c:
                        I(c.E);
                        break;
                    case IMod m:
                        I(m.E);
                        break;
                    case IRow r:
                        Add(r.Width == 1 ? "index: a sliding window (v + u, u an inner loop's counter)" : "index: a row of a 2-D layout (v * width + u, u an inner loop's counter)");
                        I(r.Row);
                        I(r.Col);
                        break;
                    case IGrid g:
                        Add(g.Stride == "n" ? "index: a grid element (i + c) * n + j + d, n the int parameter" : "index: a grid element (i + c) * W + j + d, W a constant row length");
                        I(g.Row);
                        I(g.Col);
                        break;
                    case ICastIndex c:
                        Add("cast: real -> int (index)");
                        Ex(c.E);
                        break;
                    case IDataLen l:
                        Add("constant data: .Length");
                        break;
                    case ITableAt t:
                        Add("constant data: int[] table as an index");
                        I(t.Index);
                        break;
                }
            }

            private void Cond(Cond c)
            {
                switch (c)
                {
                    case Cmp cmp:
                        Add($"comparison {cmp.Op}");
                        Ex(cmp.A);
                        Ex(cmp.B);
                        break;
                    case ICmp icmp:
                        Add($"comparison {icmp.Op}");
                        I(icmp.A);
                        I(icmp.B);
                        break;
                    case Logic l:
                        Add(l.And ? "&&" : "||");
                        Cond(l.A);
                        Cond(l.B);
                        break;
                    case Not n:
                        Add("!");
                        Cond(n.A);
                        break;
                    case AbsAbove:
                        Add("guard: in a helper");
                        break;
                }
            }

            /// <summary>The census key of a constant-data read: its kind, and for instance arrays how it is spelled.</summary>
            private string DataKey(string name, MemberAccess access)
            {
                DataMember d = _p.Data.First(x => x.Name == name);
                return d.Kind switch
                {
                    DataKind.StaticArray => "constant data: static readonly array",
                    DataKind.StaticReadOnlySpan => "constant data: static ReadOnlySpan property",
                    DataKind.StaticSpan => "constant data: static Span property",
                    _ => access == MemberAccess.Bare ? "constant data: instance array" : "constant data: instance array through this.",
                };
            }

            private static string FunctionName(MathFn f) => f switch
            {
                MathFn.LogBase => "Log (2 arguments)",
                MathFn.Log => "Log (1 argument)",
                MathFn.PowActive => "Pow (active exponent)",
                _ => f.ToString(),
            };

            private static bool Reads(Ex e, string name) => e switch
            {
                Ref r => r.Name == name,
                Bin b => Reads(b.L, name) || Reads(b.R, name),
                Div d => Reads(d.L, name) || Reads(d.R, name),
                Rem r => Reads(r.L, name) || Reads(r.R, name),
                Neg n => Reads(n.E, name),
                Fn f => f.Args.Any(a => Reads(a, name)),
                Tern t => Reads(t.A, name) || Reads(t.B, name),
                Detach d => Reads(d.E, name),
                CallHelper c => c.Args.Any(a => Reads(a, name)),
                CallRule c => c.Args.Any(a => Reads(a, name)),
                _ => false,
            };
        }
    }
}

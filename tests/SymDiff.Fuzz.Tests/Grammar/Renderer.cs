using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using SymDiff.Generator.Rules;

namespace SymDiff.Fuzz.Tests.Grammar
{
    /// <summary>How a tree is printed: as the user's C#, or as the oracle over dual or hyper-dual numbers.</summary>
    public enum RenderMode
    {
        Primal,
        Dual,
        Hyper,
    }

    /// <summary>
    /// Prints a <see cref="FuzzProgram"/> as C#: the user's partial class (<see cref="Program"/>), the oracle class
    /// that runs the same statements over <c>Dual&lt;T&gt;</c>/<c>HyperDual</c> (<see cref="Oracle"/>), and the driver
    /// that calls every generated method and every oracle pass and hands the numbers to a <c>Recorder</c>
    /// (<see cref="Driver"/>). The statements are printed by one code path for all three, so the oracle differentiates
    /// exactly the user's operations, in the user's order.
    /// </summary>
    public sealed class Renderer
    {
        private readonly FuzzProgram _p;
        private readonly RenderMode _mode;
        private readonly StringBuilder _sb = new StringBuilder();
        private int _indent;

        /// <summary>Rendering the initializer of a <c>const</c>: plain numbers, no duals (the oracle declares the same const).</summary>
        private bool _constContext;

        private Renderer(FuzzProgram program, RenderMode mode)
        {
            _p = program;
            _mode = mode;
        }

        private bool IsFloat => _p.Precision == Precision.Float;

        /// <summary>A renderer used only for <see cref="Literal"/>.</summary>
        public static Renderer ForLiterals(FuzzProgram p) => new Renderer(p, RenderMode.Primal);

        private string T => IsFloat ? "float" : "double";

        /// <summary>The element type of reals in the current mode.</summary>
        private string RT => _mode switch
        {
            RenderMode.Primal => T,
            RenderMode.Dual => $"Dual<{T}>",
            _ => "HyperDual",
        };

        /// <summary>The shared source every compilation includes: the user-side library and the oracle's versions of it.</summary>
        public const string Library = UserLibrary + OracleLibrary;

        /// <summary>Functions with [DerivativeOf] rules, as a user would write them (also pasted into regression tests).</summary>
        public const string UserLibrary = """
            public static class FuzzFns
            {
                public static double Soft(double t) => System.Math.Log(1.0 + System.Math.Exp(t));

                public static double Mix(double a, double b) => a * System.Math.Exp(0.5 * b);

                public static float SoftF(float t) => System.MathF.Log(1f + System.MathF.Exp(t));

                public static double Cube(double t) => t * t * t;
            }

            public static class FuzzRules
            {
                [SymDiff.DerivativeOf(typeof(FuzzFns), nameof(FuzzFns.Soft))]
                public static double SoftDerivative(double t) => 1.0 / (1.0 + System.Math.Exp(-t));

                [SymDiff.DerivativeOf(typeof(FuzzFns), nameof(FuzzFns.Mix))]
                internal static (double, double) MixDerivative(double a, double b) => (System.Math.Exp(0.5 * b), 0.5 * a * System.Math.Exp(0.5 * b));

                [SymDiff.DerivativeOf(typeof(FuzzFns), nameof(FuzzFns.SoftF))]
                public static float SoftFDerivative(float t) => 1f / (1f + System.MathF.Exp(-t));
            }

            public static partial class FuzzSecondOrderRules
            {
                [SymDiff.Differentiable]
                [SymDiff.DerivativeOf(typeof(FuzzFns), nameof(FuzzFns.Cube))]
                public static double CubeDerivative(double t) => 3.0 * t * t;
            }

            """;

        /// <summary>The oracle's versions of the library functions: the value of the function, the derivative from its rule.</summary>
        public const string OracleLibrary = """
            public static class FuzzOracle
            {
                public static SymDiff.Fuzz.Tests.Oracle.Dual<double> Soft(SymDiff.Fuzz.Tests.Oracle.Dual<double> t) =>
                    SymDiff.Fuzz.Tests.Oracle.DM.Rule(t, FuzzFns.Soft(t.V), FuzzRules.SoftDerivative(t.V));

                public static SymDiff.Fuzz.Tests.Oracle.Dual<double> Mix(SymDiff.Fuzz.Tests.Oracle.Dual<double> a, SymDiff.Fuzz.Tests.Oracle.Dual<double> b)
                {
                    var (da, db) = FuzzRules.MixDerivative(a.V, b.V);
                    return SymDiff.Fuzz.Tests.Oracle.DM.Rule2(FuzzFns.Mix(a.V, b.V), a, da, b, db);
                }

                public static SymDiff.Fuzz.Tests.Oracle.Dual<float> SoftF(SymDiff.Fuzz.Tests.Oracle.Dual<float> t) =>
                    SymDiff.Fuzz.Tests.Oracle.DM.Rule(t, FuzzFns.SoftF(t.V), FuzzRules.SoftFDerivative(t.V));

                public static SymDiff.Fuzz.Tests.Oracle.Dual<double> Cube(SymDiff.Fuzz.Tests.Oracle.Dual<double> t) =>
                    SymDiff.Fuzz.Tests.Oracle.DM.Rule(t, FuzzFns.Cube(t.V), FuzzSecondOrderRules.CubeDerivative(t.V));

                public static SymDiff.Fuzz.Tests.Oracle.HyperDual Cube(SymDiff.Fuzz.Tests.Oracle.HyperDual t) =>
                    t.Chain(FuzzFns.Cube(t.V), FuzzSecondOrderRules.CubeDerivative(t.V), 6.0 * t.V);

                // The first-order rules' true second derivatives (by hand, not from the rules): a Hessian program that calls
                // Soft or Mix must be SD1007 (FINDINGS F74); if the generator accepts one, its Hessian is held to these.
                public static SymDiff.Fuzz.Tests.Oracle.HyperDual Soft(SymDiff.Fuzz.Tests.Oracle.HyperDual t)
                {
                    double s = 1.0 / (1.0 + System.Math.Exp(-t.V));
                    return t.Chain(FuzzFns.Soft(t.V), s, s * (1.0 - s));
                }

                public static SymDiff.Fuzz.Tests.Oracle.HyperDual Mix(SymDiff.Fuzz.Tests.Oracle.HyperDual a, SymDiff.Fuzz.Tests.Oracle.HyperDual b)
                {
                    double e = System.Math.Exp(0.5 * b.V);
                    return SymDiff.Fuzz.Tests.Oracle.HyperDual.Chain2(FuzzFns.Mix(a.V, b.V), a, b, e, 0.5 * a.V * e, 0.0, 0.5 * e, 0.25 * a.V * e);
                }
            }
            """;

        /// <summary>The user's code: <c>public static partial class P{Id}</c> with the method under test and its helpers.</summary>
        public static string Program(FuzzProgram p)
        {
            var r = new Renderer(p, RenderMode.Primal);
            r.Line("using System;");
            r.Line("using SymDiff;");
            r.Line();
            string isStatic = p.Instance ? string.Empty : "static ";
            r.Line($"public {isStatic}partial class {p.ClassName}");
            r.Open();
            foreach (Member m in p.Members)
            {
                r.Line(r.MemberDeclaration(m));
            }

            foreach (DataMember d in p.Data)
            {
                r.Line(r.DataDeclaration(d));
            }

            if (p.HasShared)
            {
                r.Line($"internal static readonly {p.ClassName} Shared = {SubModelInit(p, SubModel.Shared)};");
            }

            if (p.HasLayer)
            {
                r.Line($"internal {p.ClassName} Layer {{ get; set; }} = null!;");
            }

            if (p.Members.Length + p.Data.Length > 0 || p.HasShared || p.HasLayer)
            {
                r.Line();
            }

            r.Line(r.Attribute(p.Wrt, p.Hessian, p.Vectorize));
            r.Line($"public {isStatic}{(p.IsVector ? "void" : r.T)} {p.MethodName}({r.ParamList(p.Params, primal: true)})");
            r.MainBlock(p.Body);
            foreach (Helper h in p.Helpers)
            {
                r.Line();
                r.Line(p.Hessian ? "[Differentiable(Hessian = true)]" : "[Differentiable]");
                r.Line($"{Access(h.Index)} {(h.Static ? "static " : string.Empty)}{r.T} H{h.Index}({r.ParamList(h.Params, primal: true)})");
                r.Block(h.Body);
            }

            foreach (LayerFn l in p.Layers)
            {
                r.Line();
                r.Line("[Differentiable]");
                r.Line($"{Access(l.Index + 1)} {(l.Static ? "static " : string.Empty)}void L{l.Index}({r.ParamList(l.Params, primal: true)})");
                r.Block(l.Body);
            }

            r.Close();
            return r._sb.ToString();
        }

        /// <summary>The oracle: the same statements over dual numbers (and hyper-dual numbers for a Hessian program).</summary>
        public static string Oracle(FuzzProgram p)
        {
            var sb = new StringBuilder();
            sb.AppendLine("using System;");
            sb.AppendLine("using SymDiff.Fuzz.Tests.Oracle;");
            sb.AppendLine();
            sb.AppendLine($"public static class P{p.Id}_Oracle");
            sb.AppendLine("{");
            foreach (RenderMode mode in p.Hessian ? new[] { RenderMode.Dual, RenderMode.Hyper } : new[] { RenderMode.Dual })
            {
                var r = new Renderer(p, mode) { _indent = 1 };
                string suffix = mode == RenderMode.Dual ? "_d" : "_h";
                // An instance method's oracle is static and takes the instance first (its fields are constants to it).
                string self = p.Instance ? $"{p.ClassName} self" : string.Empty;
                r.Line($"public static {(p.IsVector ? "void" : r.RT)} {p.MethodName}{suffix}({Join(self, r.ParamList(p.Params, primal: false))})");
                r.MainBlock(p.Body);
                foreach (Helper h in p.Helpers)
                {
                    string hself = p.Instance && !h.Static ? $"{p.ClassName} self" : string.Empty;
                    r.Line($"public static {r.RT} H{h.Index}{suffix}({Join(hself, r.ParamList(h.Params, primal: false))})");
                    r.Block(h.Body);
                }

                foreach (LayerFn l in p.Layers)
                {
                    string lself = p.Instance && !l.Static ? $"{p.ClassName} self" : string.Empty;
                    // The output as a span of the oracle's numbers, so that a call may pass a part of a buffer (y.AsSpan(m, m)).
                    string lparams = string.Join(", ", l.Params.Select(q => q.Kind == ParamKind.Output ? $"Span<{r.RT}> {q.Name}" : r.ParamDecl(q, primal: false)));
                    r.Line($"public static void L{l.Index}{suffix}({Join(lself, lparams)})");
                    r.Block(l.Body);
                }

                sb.Append(r._sb);
            }

            sb.AppendLine("}");
            return sb.ToString();
        }

        /// <summary>
        /// <c>new P3 { W0 = ... }</c>: the sub-model held in <c>Shared</c> or <c>Layer</c>, whose instance fields and properties
        /// hold values of their own, so that a call on the wrong instance shows.
        /// </summary>
        public static string SubModelInit(FuzzProgram p, SubModel which)
        {
            var lit = ForLiterals(p);
            double shift = which == SubModel.Shared ? -0.25 : 0.625;
            var inits = p.Members.Where(m => m.IsInstance).Select(m => $"{m.Name} = {lit.Literal(which == SubModel.Shared ? shift - m.Value : m.Value + shift)}").ToList();
            return inits.Count == 0 ? $"new {p.ClassName}()" : $"new {p.ClassName} {{ {string.Join(", ", inits)} }}";
        }

        /// <summary>The declaration of a constant-data member.</summary>
        private string DataDeclaration(DataMember d)
        {
            if (d.Kind == DataKind.IntTable)
            {
                return $"internal static readonly int[] {d.Name} = {{ {string.Join(", ", d.Values.Select(v => ((int)v).ToString(CultureInfo.InvariantCulture)))} }};";
            }

            string values = string.Join(", ", d.Values.Select(Literal));
            return d.Kind switch
            {
                DataKind.StaticArray => $"internal static readonly {T}[] {d.Name} = {{ {values} }};",
                DataKind.StaticReadOnlySpan => $"internal static ReadOnlySpan<{T}> {d.Name} => new {T}[] {{ {values} }};",
                DataKind.StaticSpan => $"internal static Span<{T}> {d.Name} => new {T}[] {{ {values} }};",
                _ => $"internal readonly {T}[] {d.Name} = {{ {values} }};",
            };
        }

        /// <summary>
        /// A constant-data member as read: in the user's code bare (<c>D0</c>) or qualified (<c>P3.D0</c>, <c>this.D0</c>); in
        /// the oracle (a static class) through the class or the instance it receives (<c>self.D0</c>).
        /// </summary>
        private string DataName(string name, MemberAccess access)
        {
            DataMember d = _p.Data.First(x => x.Name == name);
            if (_mode == RenderMode.Primal)
            {
                return access == MemberAccess.Bare ? name : d.IsInstance ? $"this.{name}" : $"{_p.ClassName}.{name}";
            }

            return d.IsInstance ? $"self.{name}" : $"{_p.ClassName}.{name}";
        }

        /// <summary>An array named in an int expression (<c>Math.Min(k, D0.Length - 1)</c>): constant data is qualified in the oracle.</summary>
        private string ArrayName(string name) => _p.Data.Any(d => d.Name == name) ? DataName(name, MemberAccess.Bare) : name;

        /// <summary>What a guard throws; in the oracle an exception of its own (the oracle's throw is not compared).</summary>
        private string ThrowExpression(Thrown x)
        {
            if (_mode != RenderMode.Primal)
            {
                return "new InvalidOperationException(\"oracle: guard\")";
            }

            string p = x.Param;
            return x.Form switch
            {
                ThrownForm.Argument => $"new ArgumentException(\"{p} is out of range\", nameof({p}))",
                ThrownForm.OutOfRange => $"new ArgumentOutOfRangeException(nameof({p}), \"{p} must be small\")",
                _ => $"new System.ArgumentOutOfRangeException(nameof({p}), {p}, $\"{p} = {{{p}}} is not accepted\")",
            };
        }

        private static string Join(string first, string rest) => first.Length == 0 ? rest : rest.Length == 0 ? first : first + ", " + rest;

        /// <summary>The declaration of a field or property in the program's class.</summary>
        private string MemberDeclaration(Member m)
        {
            string v = Literal(m.Value);
            return m.Kind switch
            {
                MemberKind.Const => $"internal const {T} {m.Name} = {v};",
                MemberKind.StaticReadonly => $"internal static readonly {T} {m.Name} = {v};",
                MemberKind.StaticProperty => m.Name.EndsWith('0') || m.Name.EndsWith('2')
                    ? $"internal static {T} {m.Name} => {v};"
                    : $"internal static {T} {m.Name} {{ get {{ return {v}; }} }}",
                MemberKind.InstanceField => $"internal {T} {m.Name} = {v};",
                _ => $"internal {T} {m.Name} {{ get; set; }} = {v};",
            };
        }

        private static string Access(int index) => (index % 3) switch { 0 => "public", 1 => "private", _ => "internal" };

        private string Attribute(ImmutableArray<string> wrt, bool hessian, bool vectorize)
        {
            var args = wrt.Select(n => $"nameof({n})").ToList();
            if (hessian)
            {
                args.Add("Hessian = true");
            }

            if (vectorize)
            {
                args.Add("Vectorize = true");
            }

            return args.Count == 0 ? "[Differentiable]" : $"[Differentiable({string.Join(", ", args)})]";
        }

        private string ParamList(ImmutableArray<Param> ps, bool primal) => string.Join(", ", ps.Select(p => ParamDecl(p, primal)));

        internal string ParamDecl(Param p, bool primal)
        {
            if (p.Kind == ParamKind.Peer)
            {
                return $"{_p.ClassName} {p.Name}";
            }

            if (!primal)
            {
                return p.Kind switch
                {
                    ParamKind.Int => $"int {p.Name}",
                    ParamKind.Scalar => $"{RT} {p.Name}",
                    _ => $"{RT}[] {p.Name}",
                };
            }

            string noGrad = p.NoGrad ? "[NoGrad] " : string.Empty;
            return p.Kind switch
            {
                ParamKind.Int => $"int {p.Name}",
                ParamKind.Scalar => $"{noGrad}{T} {p.Name}",
                ParamKind.Array => $"{noGrad}{T}[] {p.Name}",
                ParamKind.Span => $"{noGrad}ReadOnlySpan<{T}> {p.Name}",
                _ => $"Span<{T}> {p.Name}",
            };
        }

        // ------------------------------------------------------------------ statements

        /// <summary>The span locals in scope (the method under test's body only).</summary>
        private ImmutableArray<ViewDecl> _views = ImmutableArray<ViewDecl>.Empty;

        /// <summary>The method under test's body: its argument checks, then its span locals (<see cref="ViewDecl"/>), then the rest.</summary>
        private void MainBlock(ImmutableArray<St> body)
        {
            Open();
            int guards = body.TakeWhile(s => s is GuardIf).Count();
            foreach (St s in body.Take(guards))
            {
                Statement(s);
            }

            foreach (ViewDecl v in _p.Views)
            {
                Param source = _p.Params.First(q => q.Name == v.Array);
                string start = v.Start.ToString(CultureInfo.InvariantCulture);
                string length = v.Length?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
                string method = source.Kind == ParamKind.Array || _mode != RenderMode.Primal ? "AsSpan" : "Slice"; // the oracle takes arrays
                string init = v.Form switch
                {
                    // Half the ranges spell their bounds in parentheses, as C# needs for arithmetic bounds (a parenthesized
                    // bound was once read as absent: value and gradient silently wrong).
                    ViewForm.Range when (v.Start + _p.Id) % 2 == 0 => v.Length is { } n ? $"{v.Array}[({start})..({start} + {length})]" : $"{v.Array}[({start})..]",
                    ViewForm.Range => v.Length is { } n ? $"{v.Array}[{start}..{(v.Start + n).ToString(CultureInfo.InvariantCulture)}]" : $"{v.Array}[{start}..]",
                    ViewForm.ToEnd => $"{v.Array}.{method}({start})",
                    _ => $"{v.Array}.{method}({start}, {length})",
                };
                Line($"ReadOnlySpan<{RT}> {v.Name} = {init};");
            }

            _views = _p.Views;
            foreach (St s in body.Skip(guards))
            {
                Statement(s);
            }

            _views = ImmutableArray<ViewDecl>.Empty;
            Close();
        }

        /// <summary><c>u[c]</c>, or <c>uPart[c - s]</c> when a span local in scope covers element <c>c</c> of <c>u</c>.</summary>
        private string ElementRead(At a)
        {
            if (a.Index is IConst { Value: var c } && _views.FirstOrDefault(v => v.Array == a.Array) is { } view
                && view.Covers(c, _p.Params.First(q => q.Name == a.Array).Length))
            {
                return $"{view.Name}[{(c - view.Start).ToString(CultureInfo.InvariantCulture)}]";
            }

            // An index computed from data into a span local over the array (ViewDecl.DataIndex): kept bounds-checked.
            if (_views.FirstOrDefault(v => v.Array == a.Array) is { } over
                && over.DataIndex(a.Index, _p.Params.First(q => q.Name == a.Array).Length) is { } dataIndex)
            {
                return $"{over.Name}[{I(dataIndex)}]";
            }

            return $"{a.Array}[{I(a.Index)}]";
        }

        private void Block(ImmutableArray<St> body)
        {
            Open();
            foreach (St s in body)
            {
                Statement(s);
            }

            Close();
        }

        /// <summary>The declarations of the buffers of <paramref name="body"/> that go before its loop (<see cref="Layer.Hoisted"/>).</summary>
        private void HoistedDeclarations(ImmutableArray<St> body)
        {
            foreach (var layer in body.OfType<Layer>().Where(l => l.Hoisted))
            {
                LayerDeclaration(layer);
            }

            foreach (var call in body.OfType<LayerCall>().Where(c => c.Hoisted))
            {
                OutputBufferDeclaration(call);
            }
        }

        private void LayerDeclaration(Layer l)
        {
            string length = I(l.Length);
            if (l.SizedByLocal)
            {
                Line($"int {l.Buffer}Size = {length};");
                length = l.Buffer + "Size";
            }

            if (_mode != RenderMode.Primal)
            {
                Line($"{RT}[] {l.Buffer} = new {RT}[{length}];");
            }
            else if (l.Stack)
            {
                Line($"Span<{T}> {l.Buffer} = stackalloc {T}[{length}];");
            }
            else
            {
                Line($"{T}[] {l.Buffer} = new {T}[{length}];");
            }
        }

        /// <summary>The local buffer a layer writes: <c>Span&lt;T&gt; y = stackalloc T[m];</c> or <c>T[] y = new T[m];</c> (the oracle: an array).</summary>
        private void OutputBufferDeclaration(LayerCall c)
        {
            string m = (c.Parts * _p.Layers[c.Fn].OutputLength).ToString(CultureInfo.InvariantCulture);
            Line(_mode != RenderMode.Primal ? $"{RT}[] {c.Buffer} = new {RT}[{m}];"
                : c.Stack ? $"Span<{T}> {c.Buffer} = stackalloc {T}[{m}];"
                : $"{T}[] {c.Buffer} = new {T}[{m}];");
        }

        /// <summary>The argument passed to a span parameter: the whole array or buffer, or a part of a parameter (the oracle slices its array).</summary>
        private string SpanArgument(string array, (int Start, int Length, bool OfArray)? slice, bool noGrad)
        {
            string span = slice is not { } part ? array
                : _mode != RenderMode.Primal ? $"{array}[{part.Start}..{part.Start + part.Length}]"
                : part.OfArray ? $"{array}.AsSpan({part.Start}, {part.Length})" : $"{array}.Slice({part.Start}, {part.Length})";
            return _mode != RenderMode.Primal && noGrad ? $"DM.Detach({span})" : span;
        }

        /// <summary>
        /// Constant data passed as a span argument, whole or a part: <c>D0</c>, <c>D0.AsSpan(1, 3)</c>, <c>P3.D1.Slice(1, 3)</c>;
        /// in the oracle the data as constant duals (<c>R.C(P3.D0)</c>, a span property copied to an array first).
        /// </summary>
        private string DataArgument(string name, MemberAccess access, (int Start, int Length, bool OfArray)? slice)
        {
            DataMember d = _p.Data.First(x => x.Name == name);
            bool isArray = d.Kind is DataKind.StaticArray or DataKind.InstanceArray;
            string data = DataName(name, access);
            if (_mode != RenderMode.Primal)
            {
                string lift = _mode == RenderMode.Hyper ? "R.CH" : "R.C";
                string duals = isArray ? $"{lift}({data})" : $"{lift}({data}.ToArray())";
                return slice is { } part ? $"{duals}[{part.Start}..{part.Start + part.Length}]" : duals;
            }

            return slice is not { } p ? data : isArray ? $"{data}.AsSpan({p.Start}, {p.Length})" : $"{data}.Slice({p.Start}, {p.Length})";
        }

        /// <summary><c>L0(args, span, y)</c>, or in the oracle <c>P3_Oracle.L0_d([self,] args, span, y)</c> with [NoGrad] arguments detached.</summary>
        private string LayerCallText(LayerCall c, int part = 0)
        {
            LayerFn fn = _p.Layers[c.Fn];
            var args = new List<string>();
            var scalars = part == 0 ? c.Args : c.SecondArgs;
            int next = 0;
            foreach (Param lp in fn.Params)
            {
                if (lp.Kind == ParamKind.Output)
                {
                    string start = (part * fn.OutputLength).ToString(CultureInfo.InvariantCulture), length = fn.OutputLength.ToString(CultureInfo.InvariantCulture);
                    args.Add(c.Parts == 1 ? c.Buffer : _mode == RenderMode.Primal && c.Stack ? $"{c.Buffer}.Slice({start}, {length})" : $"{c.Buffer}.AsSpan({start}, {length})");
                }
                else if (lp.IsVector)
                {
                    args.Add(SpanArgument(c.SpanArg!, c.Slice, lp.NoGrad));
                }
                else
                {
                    string arg = E(scalars[next++]);
                    args.Add(_mode != RenderMode.Primal && lp.NoGrad ? $"DM.Detach({arg})" : arg);
                }
            }

            if (_mode == RenderMode.Primal)
            {
                return $"{Receiver(c.Via, c.ViaPeer)}L{c.Fn}({string.Join(", ", args)})";
            }

            if (_p.Instance && !fn.Static)
            {
                args.Insert(0, OracleSelf(c.Via, c.ViaPeer));
            }

            return $"{_p.ClassName}_Oracle.L{c.Fn}{(_mode == RenderMode.Dual ? "_d" : "_h")}({string.Join(", ", args)})";
        }

        private void Statement(St s)
        {
            switch (s)
            {
                case LayerCall c:
                    if (!c.Hoisted && !c.IntoOutput)
                    {
                        OutputBufferDeclaration(c);
                    }

                    for (int part = 0; part < c.Parts; part++)
                    {
                        Line($"{LayerCallText(c, part)};");
                    }

                    break;
                case DeclReal d:
                    Line($"{(_mode == RenderMode.Primal && d.UseVar ? "var" : RT)} {d.Name} = {E(d.Init)};");
                    break;
                case DeclConst k:
                    _constContext = true;
                    Line($"const {T} {k.Name} = {E(k.Init)};");
                    _constContext = false;
                    break;
                case Assign a:
                    Line($"{a.Name} {a.Op} {E(a.E)};");
                    break;
                case DeclInt d:
                    Line($"int {d.Name} = {I(d.Init)};");
                    break;
                case IncInt inc:
                    Line(inc.By == 1 ? $"{inc.Name}++;" : $"{inc.Name} += {inc.By.ToString(CultureInfo.InvariantCulture)};");
                    break;
                case If f:
                    IfStatement(f, prefix: "if");
                    break;
                case For f:
                {
                    HoistedDeclarations(f.Body);
                    string step = f.Step == 1 ? (f.Down ? $"{f.Var}--" : $"{f.Var}++") : $"{f.Var} {(f.Down ? "-=" : "+=")} {f.Step}";
                    string cond = f.Down ? $"{f.Var} >= {I(f.Bound)}" : $"{f.Var} < {I(f.Bound)}";
                    Line($"for (int {f.Var} = {I(f.Start)}; {cond}; {step})");
                    Block(f.Body);
                    break;
                }

                case While w:
                    HoistedDeclarations(w.Body);
                    Line($"int {w.Var} = 0;");
                    switch (w.Form)
                    {
                        case WhileForm.IncrementFirst:
                            Line($"while ({w.Var} < {I(w.Bound)})");
                            Open();
                            Line($"{w.Var}++;");
                            Statements(w.Body);
                            Close();
                            break;
                        case WhileForm.IncrementLast:
                            Line($"while ({w.Var} < {I(w.Bound)})");
                            Open();
                            Statements(w.Body);
                            Line($"{w.Var}++;");
                            Close();
                            break;
                        case WhileForm.DoWhile:
                            Line("do");
                            Open();
                            Line($"{w.Var}++;");
                            Statements(w.Body);
                            _indent--;
                            Line($"}} while ({w.Var} < {I(w.Bound)});");
                            break;
                        default:
                            Line("while (true)");
                            Open();
                            Line($"if ({w.Var} >= {I(w.Bound)})");
                            Open();
                            Line("break;");
                            Close();
                            Line();
                            Line($"{w.Var}++;");
                            Statements(w.Body);
                            Close();
                            break;
                    }

                    break;
                case Foreach f when f.Data is { } access:
                    HoistedDeclarations(f.Body);
                    if (_mode == RenderMode.Primal)
                    {
                        Line($"foreach ({(f.UseVar ? "var" : T)} {f.Var} in {DataName(f.Array, access)})");
                        Block(f.Body);
                    }
                    else
                    {
                        // The oracle iterates the same constant data and lifts each element to a constant of its number type.
                        Line($"foreach ({T} {f.Var}Data in {DataName(f.Array, access)})");
                        Open();
                        Line($"{RT} {f.Var} = {RT}.C({f.Var}Data);");
                        foreach (St inner in f.Body)
                        {
                            Statement(inner);
                        }

                        Close();
                    }

                    break;
                case Foreach f:
                    HoistedDeclarations(f.Body);
                    Line($"foreach ({(_mode == RenderMode.Primal ? (f.UseVar ? "var" : T) : RT)} {f.Var} in {f.Array})");
                    Block(f.Body);
                    break;
                case Jump j:
                    Guarded(j.C, j.IsBreak ? "break;" : "continue;");
                    break;
                case Return r:
                    Guarded(r.C, $"return {E(r.E)};");
                    break;
                case Store st:
                    Line($"o[{I(st.Index)}] {st.Op} {E(st.E)};");
                    break;
                case ScalarStore ss:
                    Line($"{ss.Buffer}[{ss.Write.Index.ToString(CultureInfo.InvariantCulture)}] {ss.Write.Op} {E(ss.Write.Value)};");
                    break;
                case ScalarBuffer sb:
                {
                    string length = sb.Length.ToString(CultureInfo.InvariantCulture);
                    Line(_mode != RenderMode.Primal ? $"{RT}[] {sb.Buffer} = new {RT}[{length}];"
                        : sb.Stack ? $"Span<{T}> {sb.Buffer} = stackalloc {T}[{length}];" : $"{T}[] {sb.Buffer} = new {T}[{length}];");
                    foreach (var w in sb.Writes)
                    {
                        Line($"{sb.Buffer}[{w.Index.ToString(CultureInfo.InvariantCulture)}] {w.Op} {E(w.Value)};");
                    }

                    break;
                }
                case Layer l:
                    if (!l.Hoisted)
                    {
                        LayerDeclaration(l);
                    }

                    Line($"for (int {l.Var} = 0; {l.Var} < {I(l.Length)}; {l.Var}++)");
                    Open();
                    if (l.DotWidth > 0)
                    {
                        Line($"{RT} {l.Buffer}Acc = {E(l.Value)};");
                        Line($"for (int {l.Var}m = 0; {l.Var}m < {l.DotWidth.ToString(CultureInfo.InvariantCulture)}; {l.Var}m++)");
                        Open();
                        Line($"{l.Buffer}Acc += {E(l.DotTerm!)};");
                        Close();
                        Line($"{l.Buffer}[{l.Var}] = {E(l.DotTail!)};");
                    }
                    else if (l.Chained)
                    {
                        // The element the previous iteration stored, squared: h[j] = v + 0.5 * (j > 0 ? h[j - 1] * h[j - 1] : 0.25).
                        var previous = new At(l.Buffer, new IOffset(new IVar(l.Var), -1));
                        var chained = new Bin('+', l.Value, new Bin('*', new Num(0.5), new Tern(new ICmp(">", new IVar(l.Var), new IConst(0)), new Bin('*', previous, previous), new Num(0.25))));
                        Line($"{l.Buffer}[{l.Var}] = {E(chained)};");
                    }
                    else
                    {
                        Line($"{l.Buffer}[{l.Var}] = {E(l.Value)};");
                    }

                    if (l.Extra is not null && l.Nested)
                    {
                        Line($"for (int {l.Var}m = 0; {l.Var}m < 2; {l.Var}m++)");
                        Open();
                        Line($"{l.Buffer}[{l.Var}] += {E(l.Extra)};");
                        Close();
                    }
                    else if (l.Extra is not null)
                    {
                        Line($"{l.Buffer}[{l.Var}] += {E(l.Extra)};");
                    }

                    if (l.Update is not null && !l.UpdateSeparate)
                    {
                        Line($"{l.Buffer}[{l.Var}] = {E(l.Update)};");
                    }

                    Close();
                    if (l.Update is not null && l.UpdateSeparate)
                    {
                        Line($"for (int {l.Var} = 0; {l.Var} < {I(l.Length)}; {l.Var}++)");
                        Open();
                        Line($"{l.Buffer}[{l.Var}] = {E(l.Update)};");
                        Close();
                    }

                    if (l.Sweeps is { } sweeps)
                    {
                        Line($"for (int {l.Var}s = 0; {l.Var}s < {I(sweeps.Count)}; {l.Var}s++)");
                        Open();
                        string limit = sweeps.Trim == 0 ? I(l.Length) : $"{I(l.Length)} - {sweeps.Trim.ToString(CultureInfo.InvariantCulture)}";
                        Line($"for (int {l.Var} = {sweeps.Low.ToString(CultureInfo.InvariantCulture)}; {l.Var} < {limit}; {l.Var}++)");
                        Open();
                        Line($"{l.Buffer}[{l.Var}] = {E(sweeps.Value)};");
                        Close();
                        Close();
                    }

                    break;
                case GuardIf g:
                    Line($"if ({C(g.C)})");
                    if (g.Braces)
                    {
                        Open();
                        Line($"throw {ThrowExpression(g.X)};");
                        Close();
                        Line();
                    }
                    else
                    {
                        _indent++;
                        Line($"throw {ThrowExpression(g.X)};");
                        _indent--;
                    }

                    break;
                case GuardedReturn gr:
                    Line($"return {C(gr.Accept)} ? {Expr(gr.E, 1)} : throw {ThrowExpression(gr.X)};");
                    break;
                case Rotate rot:
                    Line($"{RT} {rot.Temp} = {rot.A};");
                    Line($"{rot.A} = {rot.B};");
                    Line($"{rot.B} = {E(rot.NewB)};");
                    break;
                default:
                    throw new InvalidOperationException($"Unknown statement {s}.");
            }
        }

        private void Statements(ImmutableArray<St> body)
        {
            foreach (St s in body)
            {
                Statement(s);
            }
        }

        private void Guarded(Cond? c, string statement)
        {
            if (c is null)
            {
                Line(statement);
                return;
            }

            Line($"if ({C(c)})");
            Open();
            Line(statement);
            Close();
        }

        private void IfStatement(If f, string prefix)
        {
            Line($"{prefix} ({C(f.C)})");
            Block(f.Then);
            if (f.Else.Length == 1 && f.Else[0] is If elseIf)
            {
                IfStatement(elseIf, "else if");
            }
            else if (f.Else.Length > 0)
            {
                Line("else");
                Block(f.Else);
            }
        }

        // ------------------------------------------------------------------ expressions

        /// <summary>Renders a real expression.</summary>
        public string E(Ex e) => Expr(e, 0);

        private int Prec(Ex e) => e switch
        {
            Bin { Op: '*' } => 2,
            Bin => 1,
            Div => 2,
            Rem => 2,
            Fn { Spelling: FnSpelling.Widened } when _mode == RenderMode.Primal => 3,
            Neg => 3,
            Num n when (_mode == RenderMode.Primal || _constContext) && (n.Value < 0 || (n.Value == 0 && double.IsNegative(n.Value))) => 3,
            Tern => 0,
            _ => 4,
        };

        private string Expr(Ex e, int context)
        {
            string text = e switch
            {
                Num n => Lift(Literal(n.Value)),
                Ref r => r.Name,
                ConstRef k => Lift(k.Name),
                MemberRef m => Lift(MemberName(m)),
                FromInt f => Lift($"({T}){IAtom(f.E)}"),
                At a => ElementRead(a),
                DataAt d => Lift($"{DataName(d.Name, d.Access)}[{I(d.Index)}]"),
                Bin b => $"{Expr(b.L, Prec(b))} {b.Op} {Expr(b.R, Prec(b) + 1)}",
                Div d => d.Form switch
                {
                    DivForm.SquarePlusHalf => $"{Expr(d.L, 2)} / ({Expr(d.R, 2)} * {Expr(d.R, 3)} + {Literal(0.5)})",
                    DivForm.AbsPlusOne => $"{Expr(d.L, 2)} / ({MathName("Abs")}({E(d.R)}) + {Literal(1)})",
                    DivForm.ByConstant => $"{Expr(d.L, 2)} / {Expr(d.R, 3)}",
                    _ => $"{Expr(d.L, 2)} / ({IntOf(d.R)} + 1)",
                },
                Rem r => r.Form == RemForm.ByConstant
                    ? $"{Expr(r.L, 2)} % {Expr(r.R, 3)}"
                    : $"{Expr(r.L, 2)} % ({Expr(r.R, 2)} * {Expr(r.R, 3)} + {Literal(0.5)})",
                Neg n => Prec(n.E) < 3 || E(n.E).StartsWith('-') ? $"-({E(n.E)})" : $"-{Expr(n.E, 3)}",
                Fn f => Function(f),
                Tern t => $"{C(t.C)} ? {Expr(t.A, 1)} : {Expr(t.B, 1)}",
                Detach d => _mode == RenderMode.Primal ? $"Grad.Detach({E(d.E)})" : $"DM.Detach({E(d.E)})",
                CallHelper c => HelperCall(c),
                CallRule c => RuleCall(c),
                _ => throw new InvalidOperationException($"Unknown expression {e}."),
            };
            return Prec(e) < context ? $"({text})" : text;
        }

        /// <summary>In the oracle, a plain number becomes a constant dual, so generic calls such as <c>DM.Sin(0.5)</c> infer their type.</summary>
        private string Lift(string number) => _mode == RenderMode.Primal || _constContext ? number : $"{RT}.C({number})";

        /// <summary>
        /// A field or property as read: in the user's code as the program spells it; in the oracle (a static class) through
        /// the class (static members) or the instance the oracle method receives (<c>self</c>, or the <c>peer</c> parameter).
        /// </summary>
        private string MemberName(MemberRef m)
        {
            Member member = _p.Members.First(x => x.Name == m.Name);
            if (m.Access == MemberAccess.Peer)
            {
                return $"peer.{m.Name}";
            }

            if (_mode == RenderMode.Primal)
            {
                return m.Access == MemberAccess.Bare ? m.Name : member.IsInstance ? $"this.{m.Name}" : $"{_p.ClassName}.{m.Name}";
            }

            return member.IsInstance ? $"self.{m.Name}" : $"{_p.ClassName}.{m.Name}";
        }

        private string IntOf(Ex e) => e is FromInt f ? IAtom(f.E) : throw new InvalidOperationException("ByIntPlusOne needs an int.");

        private string HelperCall(CallHelper c)
        {
            Helper h = _p.Helpers[c.Helper];
            var args = new List<string>();
            int next = 0;
            foreach (Param hp in h.Params)
            {
                if (hp.IsVector)
                {
                    args.Add(c.DataArg is { } access ? DataArgument(c.SpanArg!, access, c.Slice) : SpanArgument(c.SpanArg!, c.Slice, hp.NoGrad));
                    continue;
                }

                string arg = E(c.Args[next++]);
                args.Add(_mode != RenderMode.Primal && hp.NoGrad ? $"DM.Detach({arg})" : arg);
            }

            string suffix = _mode switch { RenderMode.Primal => string.Empty, RenderMode.Dual => "_d", _ => "_h" };
            if (_mode == RenderMode.Primal)
            {
                return $"{Receiver(c.Via, c.ViaPeer)}H{c.Helper}({string.Join(", ", args)})";
            }

            // The oracle of an instance helper takes the instance it is called on first.
            if (_p.Instance && !h.Static)
            {
                args.Insert(0, OracleSelf(c.Via, c.ViaPeer));
            }

            return $"{_p.ClassName}_Oracle.H{c.Helper}{suffix}({string.Join(", ", args)})";
        }

        /// <summary>What the user's code calls an instance method on: a sub-model, the peer, or (empty) this object.</summary>
        private string Receiver(SubModel via, bool viaPeer) => via switch
        {
            SubModel.Shared => "Shared.",
            SubModel.SharedQualified => $"{_p.ClassName}.Shared.",
            SubModel.Layer => "Layer.",
            SubModel.LayerThis => "this.Layer.",
            _ => viaPeer ? "peer." : string.Empty,
        };

        /// <summary>The instance the oracle of an instance method called there receives first.</summary>
        private string OracleSelf(SubModel via, bool viaPeer) => via switch
        {
            SubModel.Shared or SubModel.SharedQualified => $"{_p.ClassName}.Shared",
            SubModel.Layer or SubModel.LayerThis => "self.Layer",
            _ => viaPeer ? "peer" : "self",
        };

        private string RuleCall(CallRule c)
        {
            string type = _mode == RenderMode.Primal ? "FuzzFns" : "FuzzOracle";
            return $"{type}.{c.Function}({string.Join(", ", c.Args.Select(E))})";
        }

        private string MathName(string name) => MathName(name, FnSpelling.Class);

        /// <summary>The qualified name of a function; <see cref="FnSpelling.Widened"/> is handled by <see cref="Call"/>.</summary>
        private string MathName(string name, FnSpelling spelling)
        {
            if (_mode != RenderMode.Primal)
            {
                // double.Clamp and Math.Clamp differ at signed zeros (the oracle follows the spelling, as the generator must).
                return "DM." + (spelling == FnSpelling.Generic && name == "Clamp" ? "ClampNumber" : name);
            }

            if (spelling == FnSpelling.Generic)
            {
                return (IsFloat ? "float." : "double.") + name;
            }

            return name == "Clamp" ? "Math.Clamp" : (IsFloat ? "MathF." : "Math.") + name;
        }

        /// <summary>
        /// The outer call of a function. <see cref="FnSpelling.Widened"/> (float methods): the double function, its float
        /// arguments widened implicitly, the result cast back: <c>(float)Math.Sin(e)</c>; in the oracle the same conversions
        /// explicitly, over <c>Dual&lt;double&gt;</c>.
        /// </summary>
        private string Call(string name, FnSpelling spelling, params string[] args)
        {
            if (spelling != FnSpelling.Widened)
            {
                return $"{MathName(name, spelling)}({string.Join(", ", args)})";
            }

            return _mode == RenderMode.Primal
                ? $"(float)Math.{name}({string.Join(", ", args)})"
                : $"DM.ToFloat(DM.{name}({string.Join(", ", args.Select((a, i) => i > 0 && name == "Round" ? a : $"DM.ToDouble({a})"))}))"; // Round's digits and mode are data
        }

        private string Function(Fn f)
        {
            string a0 = f.Args.Length > 0 ? E(f.Args[0]) : string.Empty;
            string a1 = f.Args.Length > 1 ? E(f.Args[1]) : string.Empty;
            string a2 = f.Args.Length > 2 ? E(f.Args[2]) : string.Empty;
            string Sq(Ex x) => $"{Expr(x, 2)} * {Expr(x, 3)}";

            // Functions inside the arguments (Tanh in Asin(0.9 * Tanh(e))) are spelled like the call, except in a widened
            // call, whose arguments stay float expressions.
            FnSpelling inner = f.Spelling == FnSpelling.Widened ? FnSpelling.Class : f.Spelling;
            string M(string name) => MathName(name, inner);
            string Outer(string name, params string[] args) => Call(name, f.Spelling, args);
            string L(double v) => Literal(v);
            string name = f.Function.ToString();
            switch (f.Function)
            {
                case MathFn.Sin or MathFn.Cos or MathFn.Atan or MathFn.Tanh or MathFn.Sinh or MathFn.Cosh or MathFn.Exp:
                    return f.Shape == 0 ? Outer(name, a0) : Outer(name, $"{L(0.5)} * {Expr(f.Args[0], 3)}");
                case MathFn.Tan:
                    return f.Shape == 0 ? Outer("Tan", $"{L(0.7)} * {M("Tanh")}({a0})") : Outer("Tan", $"{M("Sin")}({a0})");
                case MathFn.Asin or MathFn.Acos:
                    return f.Shape switch
                    {
                        0 => Outer(name, $"{L(0.9)} * {M("Tanh")}({a0})"),
                        1 => Outer(name, $"{L(0.5)} * {M("Sin")}({a0})"),
                        _ => Outer(name, $"{Expr(f.Args[0], 2)} / ({M("Abs")}({a0}) + {L(1)})"),
                    };
                case MathFn.Atan2:
                    return f.Shape == 0 ? Outer("Atan2", a0, a1) : Outer("Atan2", a0, $"{Sq(f.Args[1])} + {L(0.5)}");
                case MathFn.Log or MathFn.Log2 or MathFn.Log10:
                    return f.Shape switch
                    {
                        0 => Outer(name, $"{Sq(f.Args[0])} + {L(0.5)}"),
                        1 => Outer(name, $"{M("Abs")}({a0}) + {L(0.25)}"),
                        _ => Outer(name, $"{M("Sqrt")}({Sq(f.Args[0])} + {L(1)})"),
                    };
                case MathFn.LogBase:
                    return Outer("Log", $"{Sq(f.Args[0])} + {L(0.5)}", $"{Sq(f.Args[1])} + {L(2)}");
                case MathFn.Pow:
                {
                    double c = PowExponents[f.Shape % PowExponents.Length];
                    bool integer = c == Math.Floor(c) && c > 0;
                    string exponent = f.Shape == PowExponents.Length ? $"({T})n" : L(c);
                    if (f.Shape == PowExponents.Length)
                    {
                        integer = true;
                    }

                    return integer ? Outer("Pow", a0, exponent) : Outer("Pow", $"{Sq(f.Args[0])} + {L(0.5)}", exponent);
                }

                case MathFn.PowActive:
                    return f.Shape == 0 ? Outer("Pow", $"{Sq(f.Args[0])} + {L(0.5)}", a1) : Outer("Pow", $"{Sq(f.Args[0])} + {L(0.5)}", $"{M("Sin")}({a1})");
                case MathFn.Sqrt:
                    // Shape 2, a plain Sqrt of a value known to be positive, only in an output normalisation.
                    return f.Shape switch
                    {
                        0 => Outer("Sqrt", $"{Sq(f.Args[0])} + {L(0.25)}"),
                        1 => Outer("Sqrt", $"{M("Abs")}({a0})"),
                        _ => Outer("Sqrt", a0),
                    };
                case MathFn.Round:
                    // The overloads with digits and a MidpointRounding (rows RoundDigits and RoundDigitsMode).
                    return f.Shape switch
                    {
                        1 => Outer(name, a0, "2"),
                        2 => Outer(name, a0, "MidpointRounding.AwayFromZero"),
                        3 => Outer(name, a0, "1", "MidpointRounding.ToZero"),
                        _ => Outer(name, a0),
                    };
                case MathFn.Cbrt or MathFn.Abs or MathFn.Floor or MathFn.Ceiling or MathFn.Truncate:
                    return Outer(name, a0);
                case MathFn.Sign:
                    return Lift($"({T}){M("Sign")}({a0})");
                case MathFn.Max or MathFn.Min:
                    return Outer(name, a0, a1);
                case MathFn.Clamp:
                    return f.Shape == 0 ? Outer("Clamp", a0, L(-1), L(1.5)) : Outer("Clamp", a0, a1, $"{Expr(f.Args[1], 1)} + {L(1)}");
                case MathFn.FusedMultiplyAdd:
                    return Outer("FusedMultiplyAdd", a0, a1, a2);
                default:
                    // A function without a shape of its own: each argument kept inside the domain that the generator's
                    // math-function table gives it (Rules/MathFunctions.cs), so a row added there needs nothing here.
                    var row = MathFunctions.Named(name).SingleOrDefault(r => r.Arity == f.Args.Length)
                        ?? throw new InvalidOperationException($"Unknown function {f.Function}.");
                    return Outer(name, f.Args.Select((a, i) => InDomain(row.Domain[i], a, M)).ToArray());
            }
        }

        /// <summary><paramref name="e"/> mapped into <paramref name="domain"/>: finite values and finite derivatives for every finite e.</summary>
        private string InDomain(MathDomain domain, Ex e, Func<string, string> math) => domain switch
        {
            MathDomain.All => E(e),
            MathDomain.Moderate => $"{Literal(0.5)} * {Expr(e, 3)}",
            MathDomain.OpenUnit => $"{Literal(0.9)} * {math("Tanh")}({E(e)})",
            MathDomain.Positive => $"{Expr(e, 2)} * {Expr(e, 3)} + {Literal(0.5)}",
            MathDomain.AboveOne => $"{Expr(e, 2)} * {Expr(e, 3)} + {Literal(1.5)}",
            _ => throw new InvalidOperationException($"Unknown domain {domain}."),
        };

        /// <summary>Functions that <see cref="FnSpelling.Widened"/> may use: those <c>Math</c> has for double only (no float overload chosen instead).</summary>
        public static bool HasDoubleOnlyOverload(MathFn fn) => fn is not (MathFn.Abs or MathFn.Max or MathFn.Min or MathFn.Clamp or MathFn.Sign);

        /// <summary>Constant exponents of <c>Pow</c>; shape <c>Length</c> is the int parameter <c>n</c>.</summary>
        public static readonly double[] PowExponents = { 2, 3, 0.5, -1, 1.5, -0.5, 2.5, 4 };

        /// <summary>Renders a literal of the method's precision.</summary>
        public string Literal(double v)
        {
            if (IsFloat)
            {
                string f = ((float)v).ToString("R", CultureInfo.InvariantCulture);
                return f + "f";
            }

            string s = v.ToString("R", CultureInfo.InvariantCulture);
            return s.Contains('.') || s.Contains('E') ? s : s + ".0";
        }

        private string C(Cond c) => c switch
        {
            Cmp cmp => $"{Expr(cmp.A, 1)} {cmp.Op} {Expr(cmp.B, 1)}",
            ICmp cmp => $"{I(cmp.A)} {cmp.Op} {I(cmp.B)}",
            Logic l => $"{CAtom(l.A)} {(l.And ? "&&" : "||")} {CAtom(l.B)}",
            Not n => $"!({C(n.A)})",
            AbsAbove a => _mode == RenderMode.Primal
                ? $"{(IsFloat ? "MathF" : "Math")}.Abs({a.Name}) > {Literal(a.Bound)}"
                : $"Math.Abs((double){a.Name}.V) > {Literal(a.Bound)}",
            _ => throw new InvalidOperationException($"Unknown condition {c}."),
        };

        private string CAtom(Cond c) => c is Logic ? $"({C(c)})" : C(c);

        /// <summary>Renders an int expression.</summary>
        private string I(IEx e) => e switch
        {
            IConst c => c.Value.ToString(CultureInfo.InvariantCulture),
            IVar v => v.Name,
            ILen l => $"{l.Array}.Length",
            IOffset o => o.C >= 0 ? $"{I(o.E)} + {o.C}" : $"{I(o.E)} - {-o.C}",
            IClampIndex c => $"Math.Min({I(c.E)}, {ArrayName(c.Array)}.Length - 1)",
            IMod m => $"{IAtom(m.E)} % {m.C}",
            IRow r => r.Width == 1 ? $"{IAtom(r.Row)} + {IAtom(r.Col)}" : $"{IAtom(r.Row)} * {r.Width} + {IAtom(r.Col)}",
            IGrid g => (g.RowOffset == 0 ? IAtom(g.Row) : $"({I(new IOffset(g.Row, g.RowOffset))})") + $" * {g.Stride} + " + (g.ColOffset == 0 ? IAtom(g.Col) : I(new IOffset(g.Col, g.ColOffset))),
            ICastIndex c => _mode == RenderMode.Primal ? $"(int)Math.Abs({E(c.E)}) % {c.C}" : $"(int)Math.Abs(({E(c.E)}).V) % {c.C}",
            IDataLen l => $"{DataName(l.Name, l.Access)}.Length",
            ITableAt t => $"{DataName(t.Name, t.Access)}[{I(t.Index)}]",
            _ => throw new InvalidOperationException($"Unknown int expression {e}."),
        };

        private string IAtom(IEx e) => e is IConst or IVar or ILen or IClampIndex or IDataLen or ITableAt ? I(e) : $"({I(e)})";

        // ------------------------------------------------------------------ writer

        private void Line(string text = "")
        {
            if (text.Length > 0)
            {
                _sb.Append(' ', 4 * _indent);
            }

            _sb.Append(text).Append('\n');
        }

        private void Open()
        {
            Line("{");
            _indent++;
        }

        private void Close()
        {
            _indent--;
            Line("}");
        }
    }
}

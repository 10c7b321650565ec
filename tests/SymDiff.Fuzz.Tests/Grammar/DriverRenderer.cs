using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;

namespace SymDiff.Fuzz.Tests.Grammar
{
    /// <summary>
    /// Prints the driver of a program: one method that calls the user's method, every generated method (each call
    /// guarded, so an exception is reported, not fatal) and the oracle passes, and hands all numbers to a
    /// <c>Recorder</c>. Spans cannot pass through reflection, so this is C# compiled with the program.
    /// </summary>
    public static class DriverRenderer
    {
        /// <summary>The active parameters, in declaration order (the order of gradient and tangent parameters).</summary>
        public static ImmutableArray<Param> Actives(FuzzProgram p) =>
            p.Params.Where(q => q.Kind is ParamKind.Scalar or ParamKind.Array or ParamKind.Span
                && (p.Wrt.IsEmpty ? !q.NoGrad : p.Wrt.Contains(q.Name))).ToImmutableArray();

        /// <summary>The number of active scalars, spans flattened.</summary>
        public static int ActiveCount(FuzzProgram p) => Actives(p).Sum(q => q.Length);

        /// <summary>What the generated methods are called on: the class, or the instance <see cref="Setup"/> creates.</summary>
        public static string Receiver(FuzzProgram p) => p.Instance ? "self" : p.ClassName;

        /// <summary>
        /// Statements that create the instances an instance program needs: <c>self</c>, whose fields hold their initial
        /// values, and the <c>peer</c> argument, whose instance fields and properties hold other values.
        /// </summary>
        public static IEnumerable<string> Setup(FuzzProgram p)
        {
            if (!p.Instance)
            {
                yield break;
            }

            yield return p.HasLayer
                ? $"var self = new {p.ClassName} {{ Layer = {Grammar.Renderer.SubModelInit(p, SubModel.Layer)} }};"
                : $"var self = new {p.ClassName}();";
            if (p.Params.Any(q => q.Kind == ParamKind.Peer))
            {
                var lit = Grammar.Renderer.ForLiterals(p);
                var inits = p.Members.Where(m => m.IsInstance).Select(m => $"{m.Name} = {lit.Literal(m.PeerValue)}").ToList();
                yield return inits.Count == 0 ? $"var peer = new {p.ClassName}();" : $"var peer = new {p.ClassName} {{ {string.Join(", ", inits)} }};";
            }
        }

        public static string Render(FuzzProgram p)
        {
            var r = new Renderer(p);
            return r.Build();
        }

        private sealed class Renderer
        {
            private readonly FuzzProgram _p;
            private readonly Grammar.Renderer _lit;
            private readonly StringBuilder _sb = new StringBuilder();
            private readonly ImmutableArray<Param> _actives;
            private readonly int _n;

            public Renderer(FuzzProgram p)
            {
                _p = p;
                _lit = GetLiteralRenderer(p);
                _actives = Actives(p);
                _n = ActiveCount(p);
            }

            private bool IsFloat => _p.Precision == Precision.Float;

            private string T => IsFloat ? "float" : "double";

            private string Cls => _p.ClassName;

            private string Recv => Receiver(_p);

            private static Grammar.Renderer GetLiteralRenderer(FuzzProgram p) => Grammar.Renderer.ForLiterals(p);

            private string L(double v) => _lit.Literal(v);

            private string Arr(IEnumerable<double> values) => $"new {T}[] {{ {string.Join(", ", values.Select(L))} }}";

            public string Build()
            {
                Line("using System;");
                Line("using SymDiff.Fuzz.Tests.Oracle;");
                Line();
                Line($"public static class {Cls}_Driver");
                Line("{");
                Line("    public static void Run(Recorder r)");
                Line("    {");
                foreach (string setup in Setup(_p))
                {
                    Line("        " + setup);
                }

                foreach (Param q in _p.Params)
                {
                    switch (q.Kind)
                    {
                        case ParamKind.Int:
                            Line($"        int {q.Name} = {q.IntValue.ToString(CultureInfo.InvariantCulture)};");
                            break;
                        case ParamKind.Scalar:
                            Line($"        {T} {q.Name} = {L(q.Values[0])};");
                            break;
                        case ParamKind.Output:
                        case ParamKind.Peer:
                            break;
                        default:
                            Line($"        {T}[] {q.Name} = {Arr(q.Values)};");
                            break;
                    }
                }

                int m = _p.OutputLength;
                if (_p.IsVector)
                {
                    Guard("User", $"var o = {Junk(m)}; {Recv}.G({Args()}); r.Values(\"G\", o);");
                    if (_p.Vectorize)
                    {
                        Probe($"var o = {Junk(m)}; {Recv}.G({Args()}); var probeStart = ({T}[])o.Clone();",
                            $"{Recv}.G({Args()}); for (int probeAt = 0; probeAt < o.Length; probeAt++) if (!{(IsFloat ? "float" : "double")}.IsNaN(probeStart[probeAt])) probeWorst = Math.Max(probeWorst, Math.Abs((double)o[probeAt] - probeStart[probeAt]) / (1 + Math.Abs((double)probeStart[probeAt])));");
                    }

                    BackwardGuard($"var o = {Junk(m)}; {InitialBuffers("b")} var seed = {Arr(_p.Seeds.BackwardSeed)}; ",
                        $"{Recv}.GBackward({Args()}, seed, {GradArgs("b", byRef: true)}); {Recv}.GBackward({Args()}, seed, {GradArgs("b", byRef: true)}); "
                        + $"r.Values(\"Backward.y\", o); r.Values(\"Backward\", R.Flat({Names("b")}));");
                    Guard("Backward.scaled", $"for (int k = 0; k < {m}; k++) {{ var o = {Junk(m)}; {ZeroBuffers("z")} var seed = new {T}[{m}]; seed[k] = {ScaledSeed}; "
                        + $"{Recv}.GBackward({Args()}, seed, {GradArgs("z", byRef: true)}); r.Values(\"Backward.scaled.\" + k, R.Flat({Names("z")})); }}");
                    Guard("Derivative", $"var o = {Junk(m)}; var d = {Junk(m)}; {Recv}.GDerivative({Args()}, {Tangents()}, d); "
                        + "r.Values(\"Derivative.y\", o); r.Values(\"Derivative\", d);");
                    Guard("Jacobian", $"var o = {Junk(m)}; var jac = {Junk(m * _n)}; {Recv}.GJacobian({Args()}, jac); "
                        + "r.Values(\"Jacobian.y\", o); r.Values(\"Jacobian\", jac);");
                    Guard("Oracle", $"for (int k = 0; k < {_n}; k++) {{ double[] t = R.Unit({_n}, k); var o = R.Out<{T}>({m}); {Cls}_Oracle.G_d({OracleArgs("t")}); r.Duals(\"Oracle.col\", o); }} "
                        + $"double[] td = new double[] {{ {string.Join(", ", _p.Seeds.Tangent.Select(D))} }}; {{ var o = R.Out<{T}>({m}); {Cls}_Oracle.G_d({OracleArgs("td")}); r.Duals(\"Oracle.dir\", o); }}");
                }
                else
                {
                    Guard("User", $"r.Value(\"F\", {Recv}.F({Args()}));");
                    if (_p.Vectorize)
                    {
                        Probe($"double probeStart = {Recv}.F({Args()});", $"probeWorst = Math.Max(probeWorst, Math.Abs({Recv}.F({Args()}) - probeStart) / (1 + Math.Abs(probeStart)));");
                    }

                    Guard("Gradient", $"{NaNBuffers("g")} var value = {Recv}.FGradient({Args()}, {GradArgs("g", byRef: false)}); "
                        + $"r.Value(\"Gradient.value\", value); r.Values(\"Gradient\", R.Flat({Names("g")}));");
                    BackwardGuard(InitialBuffers("b"), $"{Recv}.FBackward({Args()}, {L(_p.Seeds.BackwardSeed[0])}, {GradArgs("b", byRef: true)}); "
                        + $"{Recv}.FBackward({Args()}, {L(_p.Seeds.BackwardSeed[0])}, {GradArgs("b", byRef: true)}); r.Values(\"Backward\", R.Flat({Names("b")}));");
                    Guard("Backward.scaled", $"{ZeroBuffers("z")} {Recv}.FBackward({Args()}, {ScaledSeed}, {GradArgs("z", byRef: true)}); r.Values(\"Backward.scaled\", R.Flat({Names("z")}));");
                    Guard("Derivative", $"{T} derivative; var value = {Recv}.FDerivative({Args()}, {Tangents()}, out derivative); "
                        + "r.Value(\"Derivative.value\", value); r.Value(\"Derivative\", derivative);");
                    if (_p.Hessian)
                    {
                        Guard("Hessian", $"var h = {Junk(_n * _n)}; var value = {Recv}.FHessian({Args()}, h); r.Value(\"Hessian.value\", value); r.Values(\"Hessian\", h);");
                        Guard("HessianVectorProduct", $"var hv = {Junk(_n)}; var value = {Recv}.FHessianVectorProduct({Args()}, {Arr(_p.Seeds.Direction)}, hv); "
                            + "r.Value(\"HessianVectorProduct.value\", value); r.Values(\"HessianVectorProduct\", hv);");
                    }

                    var oracle = new StringBuilder();
                    oracle.Append($"for (int k = 0; k < {_n}; k++) {{ double[] t = R.Unit({_n}, k); r.Dual(\"Oracle.grad\", {Cls}_Oracle.F_d({OracleArgs("t")})); }} ");
                    oracle.Append($"double[] td = new double[] {{ {string.Join(", ", _p.Seeds.Tangent.Select(D))} }}; r.Dual(\"Oracle.dir\", {Cls}_Oracle.F_d({OracleArgs("td")}));");
                    if (_p.Hessian)
                    {
                        oracle.Append($" for (int i = 0; i < {_n}; i++) {{ for (int j = i; j < {_n}; j++) {{ double[] a = R.Unit({_n}, i); double[] b = R.Unit({_n}, j); "
                            + $"r.Hyper(\"Oracle.H\", {Cls}_Oracle.F_h({HyperArgs()})); }} }}");
                    }

                    Guard("Oracle", oracle.ToString());
                }

                Line("        r.End();");
                Line("    }");
                Line("}");
                return _sb.ToString();
            }

            private static string D(double v)
            {
                string s = v.ToString("R", CultureInfo.InvariantCulture);
                return s.Contains('.') || s.Contains('E') ? s : s + ".0";
            }

            /// <summary>
            /// Backward, its buffers declared outside the <c>try</c>: when it throws (a guard), what the buffers then hold is
            /// recorded, for the check that a guard runs before anything is written.
            /// </summary>
            private void BackwardGuard(string declarations, string body) =>
                Line($"        {{ {declarations}try {{ {body} }} catch (Exception e) {{ r.Threw(\"Backward\", e); r.Values(\"Backward.afterThrow\", R.Flat({Names("b")})); }} }}");

            /// <summary>
            /// For a <c>Vectorize = true</c> program: the largest relative change of the user's value when one active input
            /// element moves up by one ulp (<c>Probe</c>; infinity when the method throws there). A program that moves by
            /// more than the value tolerance amplifies last-bit differences, which API.md 9 allows a vectorised method to
            /// make: the checker leaves it open (FINDINGS F76). Its own try/catch: a throw here is not a disagreement.
            /// </summary>
            private void Probe(string start, string measure)
            {
                string up = IsFloat ? "MathF.BitIncrement" : "Math.BitIncrement";
                var body = new StringBuilder();
                // Its locals start with "probe": no parameter of a generated program is named so.
                body.Append($"{start} double probeWorst = 0; ");
                foreach (Param q in _actives)
                {
                    body.Append(q.Kind == ParamKind.Scalar
                        ? $"{{ var probeSaved = {q.Name}; {q.Name} = {up}(probeSaved); {measure} {q.Name} = probeSaved; }} "
                        : $"for (int probeK = 0; probeK < {q.Name}.Length; probeK++) {{ var probeSaved = {q.Name}[probeK]; {q.Name}[probeK] = {up}(probeSaved); {measure} {q.Name}[probeK] = probeSaved; }} ");
                }

                body.Append("r.Value(\"Probe\", probeWorst);");
                Line($"        try {{ {body} }} catch (Exception) {{ r.Value(\"Probe\", double.PositiveInfinity); }}");
            }

            private void Guard(string call, string body) =>
                Line($"        try {{ {body} }} catch (Exception e) {{ r.Threw(\"{call}\", e); }}");

            private string Args() => string.Join(", ", _p.Params.Select(q => q.Name));

            private string Names(string prefix) => string.Join(", ", _actives.Select(q => $"{prefix}_{q.Name}"));

            private string GradArgs(string prefix, bool byRef) =>
                string.Join(", ", _actives.Select(q => q.Kind == ParamKind.Scalar ? $"{(byRef ? "ref" : "out")} {prefix}_{q.Name}" : $"{prefix}_{q.Name}"));

            private string NaNBuffers(string prefix) =>
                string.Concat(_actives.Select(q => q.Kind == ParamKind.Scalar
                    ? $"{T} {prefix}_{q.Name}; "
                    : $"var {prefix}_{q.Name} = R.{(IsFloat ? "NaNsF" : "NaNs")}({q.Length}); "));

            /// <summary>
            /// The seed of the scaled Backward run, <c>2^-ScaleExponent</c>: reverse mode is linear in its seed, so a
            /// gradient that overflows with seed 1 (an adjoint past the type's range meets a zero: inf * 0) but is finite
            /// and right with this seed overflowed only in magnitude (see <see cref="Harness.Checker"/>).
            /// </summary>
            private string ScaledSeed => IsFloat ? $"(float)System.Math.ScaleB(1.0, -{Harness.Checker.FloatScaleExponent})" : $"System.Math.ScaleB(1.0, -{Harness.Checker.DoubleScaleExponent})";

            /// <summary>
            /// A new output buffer of <paramref name="length"/> NaNs: API.md 7 overwrites every output buffer but Backward's
            /// gradients, so what it held must not show (an element a vector function leaves unwritten keeps it).
            /// </summary>
            private string Junk(int length) => $"R.{(IsFloat ? "NaNsF" : "NaNs")}({length})";

            private string ZeroBuffers(string prefix) =>
                string.Concat(_actives.Select(q => q.Kind == ParamKind.Scalar ? $"{T} {prefix}_{q.Name} = 0; " : $"var {prefix}_{q.Name} = new {T}[{q.Length}]; "));

            private string InitialBuffers(string prefix)
            {
                var sb = new StringBuilder();
                int slot = 0;
                foreach (Param q in _actives)
                {
                    var values = _p.Seeds.Initial.Skip(slot).Take(q.Length).ToList();
                    slot += q.Length;
                    sb.Append(q.Kind == ParamKind.Scalar ? $"{T} {prefix}_{q.Name} = {L(values[0])}; " : $"var {prefix}_{q.Name} = {Arr(values)}; ");
                }

                return sb.ToString();
            }

            private string Tangents()
            {
                var parts = new List<string>();
                int slot = 0;
                foreach (Param q in _actives)
                {
                    var values = _p.Seeds.Tangent.Skip(slot).Take(q.Length).ToList();
                    slot += q.Length;
                    parts.Add(q.Kind == ParamKind.Scalar ? L(values[0]) : Arr(values));
                }

                return string.Join(", ", parts);
            }

            private string OracleArgs(string t)
            {
                var parts = new List<string>();
                if (_p.Instance)
                {
                    parts.Add("self");
                }

                int slot = 0;
                foreach (Param q in _p.Params)
                {
                    bool active = _actives.Contains(q);
                    switch (q.Kind)
                    {
                        case ParamKind.Int:
                        case ParamKind.Output:
                        case ParamKind.Peer:
                            parts.Add(q.Name);
                            break;
                        case ParamKind.Scalar:
                            parts.Add(active ? $"R.S({q.Name}, {t}, {slot})" : $"R.C({q.Name})");
                            break;
                        default:
                            parts.Add(active ? $"R.A({q.Name}, {t}, {slot})" : $"R.C({q.Name})");
                            break;
                    }

                    if (active)
                    {
                        slot += q.Length;
                    }
                }

                return string.Join(", ", parts);
            }

            private string HyperArgs()
            {
                var parts = new List<string>();
                if (_p.Instance)
                {
                    parts.Add("self");
                }

                int slot = 0;
                foreach (Param q in _p.Params)
                {
                    bool active = _actives.Contains(q);
                    switch (q.Kind)
                    {
                        case ParamKind.Int:
                        case ParamKind.Peer:
                            parts.Add(q.Name);
                            break;
                        case ParamKind.Scalar:
                            parts.Add(active ? $"R.SH({q.Name}, a, b, {slot})" : $"R.CH({q.Name})");
                            break;
                        default:
                            parts.Add(active ? $"R.AH({q.Name}, a, b, {slot})" : $"R.CH({q.Name})");
                            break;
                    }

                    if (active)
                    {
                        slot += q.Length;
                    }
                }

                return string.Join(", ", parts);
            }

            private void Line(string text = "") => _sb.Append(text).Append('\n');
        }
    }
}

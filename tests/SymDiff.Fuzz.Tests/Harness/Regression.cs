using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using SymDiff.Fuzz.Tests.Grammar;
using SymDiff.Fuzz.Tests.Oracle;

namespace SymDiff.Fuzz.Tests.Harness
{
    /// <summary>Shrinks a failing program with CsCheck and prints it as a ready-to-paste xunit regression test.</summary>
    public static class Regression
    {
        private static readonly Regex Code = new(@"\b(CS\d{4}|SD\d{4})\b", RegexOptions.CultureInvariant);

        /// <summary>What makes two failures "the same": the outcome class, the first diagnostic ID, the first failing call.</summary>
        public static string Signature(Outcome o)
        {
            string code = Code.Match(o.Details) is { Success: true } m ? m.Value : string.Empty;
            string call = o.Details.Split(' ', 2)[0];
            return $"{o.Kind}/{o.Class}/{code}/{(o.Class == "derivative disagrees" ? call : string.Empty)}";
        }

        /// <summary>
        /// Asks CsCheck for smaller programs (fewer nodes, shorter inputs) from the failing seed on, for at most
        /// <paramref name="seconds"/>, and returns the smallest one that still fails the same way.
        /// </summary>
        public static Outcome Shrink(Outcome failing, string seed, FuzzGrammar grammar, int seconds, Action<string>? log = null)
        {
            if (seconds <= 0)
            {
                return failing;
            }

            string signature = Signature(failing);
            Outcome best = failing;
            var gen = new ProgramGen(grammar).Select(p => p with { Id = 0 });
            try
            {
                gen.Sample(
                    p =>
                    {
                        Outcome o = BatchRunner.Run(new[] { p })[0];
                        if (Signature(o) != signature)
                        {
                            return true;
                        }

                        best = o;
                        return false;
                    },
                    seed: seed,
                    iter: 1_000_000,
                    time: seconds,
                    threads: 1,
                    print: p => Renderer.Program(p));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // CsCheck reports the smallest failing sample by throwing; we kept it in 'best'.
                log?.Invoke($"shrunk to {Renderer.Program(best.Program).Count(c => c == '\n')} lines");
            }

            return best;
        }

        /// <summary>A ready-to-paste xunit test (for tests/SymDiff.Generator.Tests) that reproduces <paramref name="o"/>.</summary>
        public static string Print(Outcome o, string seed)
        {
            FuzzProgram p = o.Program;
            var sb = new StringBuilder();
            string source = Renderer.Program(p) + (Uses<CallRule>(p) ? "\n" + Renderer.UserLibrary : string.Empty);
            sb.AppendLine(CultureInfo.InvariantCulture, $"// Found by the differential fuzzer (CsCheck seed \"{seed}\"): {o.Class}.");
            foreach (string line in o.Details.Split('\n').Take(6))
            {
                sb.AppendLine("// " + line);
            }

            sb.AppendLine("[Fact]");
            sb.AppendLine(CultureInfo.InvariantCulture, $"public void Fuzz_{Regex.Replace(o.Class, "[^A-Za-z0-9]+", "_")}_{Math.Abs(seed.GetHashCode(StringComparison.Ordinal)) % 100000}()");
            sb.AppendLine("{");
            sb.AppendLine("    const string source = \"\"\"");
            foreach (string line in source.TrimEnd().Split('\n'))
            {
                sb.AppendLine(line.Length == 0 ? string.Empty : "        " + line);
            }

            sb.AppendLine("        \"\"\";");
            if (o.Record is null || o.Class is "generated code threw" or "generated code does not compile" or "generated signatures do not match the contract" or "generator exception" or "generator too slow"
                || o.Kind == OutcomeKind.Failed && o.Details.StartsWith("SD9001", StringComparison.Ordinal) || o.Class == "SD9001")
            {
                sb.AppendLine("    GeneratorRunner.AssertCleanCompile(GeneratorRunner.Run(source));");
            }
            else
            {
                (string body, double[] want, double tol) = Call(p, o);
                sb.AppendLine("    double[] got = GeneratedCode.RunDriver(source, \"\"\"");
                foreach (string line in body.Split('\n'))
                {
                    sb.AppendLine("        " + line);
                }

                sb.AppendLine("        \"\"\");");
                sb.AppendLine("    // Expected: the dual-number oracle of tests/SymDiff.Fuzz.Tests (forward mode over the same statements).");
                sb.AppendLine(CultureInfo.InvariantCulture, $"    double[] want = {{ {string.Join(", ", want.Select(Lit))} }};");
                sb.AppendLine(CultureInfo.InvariantCulture, $"    FiniteDifferences.AssertClose(want, got, relTol: 1e-9, absTol: {Lit(tol)}, \"{o.Details.Split(':')[0].Replace("\"", "'", StringComparison.Ordinal)}\");");
            }

            sb.AppendLine("}");
            return sb.ToString();
        }

        private static string Lit(double v) => double.IsNaN(v) ? "double.NaN" : double.IsPositiveInfinity(v) ? "double.PositiveInfinity" : double.IsNegativeInfinity(v) ? "double.NegativeInfinity" : v.ToString("R", CultureInfo.InvariantCulture);

        private static bool Uses<T>(FuzzProgram p) => Renderer.Program(p).Contains("FuzzFns.", StringComparison.Ordinal);

        /// <summary>The driver body of the first failing call, and the oracle's expected numbers.</summary>
        private static (string Body, double[] Want, double Tol) Call(FuzzProgram p, Outcome o)
        {
            ProgramRecord rec = o.Record!;
            var actives = DriverRenderer.Actives(p);
            int n = DriverRenderer.ActiveCount(p);
            bool isFloat = p.Precision == Precision.Float;
            string t = isFloat ? "float" : "double";
            string L(double v) => isFloat ? ((float)v).ToString("R", CultureInfo.InvariantCulture) + "f" : Lit(v) + (Lit(v).Contains('.') || Lit(v).Contains('E') ? string.Empty : ".0");
            var sb = new StringBuilder();
            foreach (string setup in DriverRenderer.Setup(p))
            {
                sb.AppendLine(setup);
            }

            string recv = DriverRenderer.Receiver(p);
            foreach (Param q in p.Params)
            {
                switch (q.Kind)
                {
                    case ParamKind.Peer:
                        break;
                    case ParamKind.Int:
                        sb.AppendLine(CultureInfo.InvariantCulture, $"int {q.Name} = {q.IntValue};");
                        break;
                    case ParamKind.Scalar:
                        sb.AppendLine($"{t} {q.Name} = {L(q.Values[0])};");
                        break;
                    case ParamKind.Output:
                        sb.AppendLine($"var o = new {t}[{p.OutputLength}];");
                        break;
                    default:
                        sb.AppendLine($"{t}[] {q.Name} = new {t}[] {{ {string.Join(", ", q.Values.Select(L))} }};");
                        break;
                }
            }

            string args = string.Join(", ", p.Params.Select(q => q.Name));
            var grad = rec.Duals.TryGetValue("Oracle.grad", out var g) ? g.Select(x => x[0]).ToArray() : Array.Empty<(double V, double D, double M)>();
            string what = o.Details;
            double tolOf(IEnumerable<double> ms) => 1e-9 * ms.Where(double.IsFinite).DefaultIfEmpty(1).Max() + 1e-300;
            if (p.IsVector)
            {
                var cols = rec.Duals.GetValueOrDefault("Oracle.col") ?? new List<(double V, double D, double M)[]>();
                int m = p.OutputLength;
                sb.AppendLine($"var jac = new {t}[{m * n}];");
                sb.AppendLine($"{recv}.GJacobian({args}, jac);");
                sb.AppendLine("var res = new double[jac.Length];");
                sb.AppendLine("for (int k = 0; k < jac.Length; k++) res[k] = jac[k];");
                sb.Append("return res;");
                var want = new double[m * n];
                var ms = new List<double>();
                for (int k = 0; k < m; k++)
                {
                    for (int i = 0; i < n; i++)
                    {
                        want[(k * n) + i] = cols[i][k].D;
                        ms.Add(cols[i][k].M);
                    }
                }

                return (sb.ToString(), want, tolOf(ms));
            }

            if (what.StartsWith("FHessian", StringComparison.Ordinal) && rec.Duals.TryGetValue("Oracle.H", out var hp))
            {
                var want = new double[n * n];
                var ms = new List<double>();
                int at = 0;
                for (int i = 0; i < n; i++)
                {
                    for (int j = i; j < n; j++)
                    {
                        want[(i * n) + j] = want[(j * n) + i] = hp[at][0].D;
                        ms.Add(hp[at++][0].M);
                    }
                }

                sb.AppendLine($"var h = new {t}[{n * n}];");
                sb.AppendLine($"{recv}.FHessian({args}, h);");
                sb.AppendLine("var res = new double[h.Length];");
                sb.AppendLine("for (int k = 0; k < h.Length; k++) res[k] = h[k];");
                sb.Append("return res;");
                return (sb.ToString(), want, tolOf(ms));
            }

            if (what.StartsWith("FDerivative", StringComparison.Ordinal) && rec.Duals.TryGetValue("Oracle.dir", out var dir))
            {
                var tangents = new List<string>();
                int slot = 0;
                foreach (Param q in actives)
                {
                    var values = p.Seeds.Tangent.Skip(slot).Take(q.Length).ToList();
                    slot += q.Length;
                    tangents.Add(q.Kind == ParamKind.Scalar ? L(values[0]) : $"new {t}[] {{ {string.Join(", ", values.Select(L))} }}");
                }

                sb.AppendLine($"{recv}.FDerivative({args}, {string.Join(", ", tangents)}, out {t} derivative);");
                sb.Append("return new double[] { derivative };");
                return (sb.ToString(), new[] { dir[0][0].D }, tolOf(new[] { dir[0][0].M }));
            }

            // FGradient (also for a failing FBackward: the gradient is the simplest repro; the message names the call).
            var outs = new List<string>();
            foreach (Param q in actives)
            {
                if (q.Kind == ParamKind.Scalar)
                {
                    sb.AppendLine($"{t} d_{q.Name};");
                    outs.Add($"out d_{q.Name}");
                }
                else
                {
                    sb.AppendLine($"var d_{q.Name} = new {t}[{q.Length}];");
                    outs.Add($"d_{q.Name}");
                }
            }

            sb.AppendLine($"{recv}.FGradient({args}, {string.Join(", ", outs)});");
            sb.AppendLine($"var res = new double[{n}];");
            int s2 = 0;
            foreach (Param q in actives)
            {
                if (q.Kind == ParamKind.Scalar)
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"res[{s2}] = d_{q.Name};");
                }
                else
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"for (int k = 0; k < {q.Length}; k++) res[{s2} + k] = d_{q.Name}[k];");
                }

                s2 += q.Length;
            }

            sb.Append("return res;");
            return (sb.ToString(), grad.Select(x => x.D).ToArray(), tolOf(grad.Select(x => x.M)));
        }
    }
}

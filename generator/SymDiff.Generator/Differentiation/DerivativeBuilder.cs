using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Analysis;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Lowering;
using SymDiff.Generator.Model;
using SymDiff.Generator.Simplification;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>The generated file for one method, plus the diagnostics found while differentiating it.</summary>
    internal sealed record DerivativeResult(DerivativeSet Set, EquatableArray<DiagnosticInfo> Diagnostics);

    /// <summary>
    /// Lowers a parsed method, differentiates it in each mode and schedules each generated method's body:
    /// everything between the parser and the emitter. Never throws: an internal failure becomes SD9001 and the
    /// method gets throwing stubs.
    /// </summary>
    internal static class DerivativeBuilder
    {
        public static DerivativeResult Build(MethodSpec spec, bool bodyIsValid, EquatableArray<RuleSpec> rules)
        {
            var diagnostics = new List<DiagnosticInfo>();
            var signatures = new Signatures(spec);
            if (!bodyIsValid)
            {
                return new DerivativeResult(Stubs(spec, signatures, "SymDiff could not differentiate '" + spec.DisplayName + "': see the SymDiff error reported at the method."), EquatableArray<DiagnosticInfo>.Empty);
            }

            try
            {
                var methods = new List<MethodFamily>();
                var function = SsaLowering.Lower(spec);
                var liftNamer = new Namer(spec.UserNames, function.Names);
                var body = CallLifting.Lift(function.Body, liftNamer);
                // The user's own names are never inlined away; SSA versions (s_1) and SymDiff's names may be.
                var userFacing = new HashSet<string>(spec.UserNames, StringComparer.Ordinal);
                var activity = Activity.Analyze(body, spec.Parameters);

                if (!spec.IsVectorFunction)
                {
                    methods.Add(Gradient(spec, signatures, body, activity, userFacing, liftNamer.AllNames, rules, diagnostics));
                    methods.Add(Backward(spec, signatures, body, activity, userFacing, liftNamer.AllNames, rules, diagnostics));
                    methods.Add(Derivative(spec, signatures, body, activity, userFacing, liftNamer.AllNames, rules, diagnostics));
                }

                if (diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error))
                {
                    return new DerivativeResult(Stubs(spec, signatures, "SymDiff could not differentiate '" + spec.DisplayName + "': see the SymDiff error reported in its body."), Distinct(diagnostics));
                }

                return new DerivativeResult(Set(spec, methods), Distinct(diagnostics));
            }
            catch (NotSupportedException e)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedConstruct, spec.Location, Capitalize(e.Message) + " (in '" + spec.Name + "')", " yet"));
                return new DerivativeResult(Stubs(spec, signatures, "SymDiff cannot differentiate '" + spec.DisplayName + "' yet: " + e.Message + "."), Distinct(diagnostics));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, spec.Location, spec.DisplayName, e.GetType().Name + ": " + e.Message));
                return new DerivativeResult(Stubs(spec, signatures, "SymDiff failed to differentiate '" + spec.DisplayName + "' (SD9001)."), Distinct(diagnostics));
            }
        }

        private static MethodFamily Gradient(MethodSpec spec, Signatures sig, Block body, Activity activity, HashSet<string> userFacing, IEnumerable<string> usedNames, EquatableArray<RuleSpec> rules, List<DiagnosticInfo> diagnostics)
        {
            var namer = new Namer(spec.UserNames.Concat(sig.Reserved), usedNames);
            var sweep = ReverseDifferentiator.Differentiate(spec, body, activity, namer, Simplification.Ir.Lit(1, spec.Scalar), sig.GradientNames, rules.AsImmutableArray(), userFacing, diagnostics);
            var statements = new List<Stmt>();
            foreach (var p in spec.Parameters.Where(p => p.Active && p.IsVector))
            {
                statements.Add(new ClearBuffer(sig.GradientNames[p.Name]));
            }

            statements.AddRange(sweep.Forward.Statements);
            var derivative = sweep.Reverse.Statements.Concat(sweep.ScalarAdjoints.Select(a => (Stmt)new SetOutput(sig.GradientNames[a.Name], a.Value)));
            statements.AddRange(Simplifier.Simplify(new Block(derivative.ToEquatableArray()), userFacing, Simplifier.Subexpressions(body)).Statements);
            statements.Add(new Return(sweep.Value!));
            var (scheduled, hoisted) = Scheduler.Schedule(new Block(statements.ToEquatableArray()), userFacing, namer, Unstable(sig, statements));

            var parameters = sig.Original.Concat(spec.Parameters.Where(p => p.Active).Select(p => p.IsVector
                ? new GeneratedParam(sig.GradientNames[p.Name], Signatures.SpanOf(p.ElementType), string.Empty, false, $"Receives the gradient with respect to {p.Name}; overwritten. Must have the length of {p.Name}.")
                : new GeneratedParam(sig.GradientNames[p.Name], p.TypeCode, "out", false, $"Receives the derivative with respect to {p.Name}.")));
            return new MethodFamily(
                spec.Name + "Gradient",
                spec.Scalar.Keyword(),
                parameters.ToEquatableArray(),
                sig.GradientChecks,
                scheduled,
                hoisted,
                $"Computes {spec.Name} and its gradient with respect to {sig.ActiveList}.\nThe gradient outputs are overwritten.",
                $"The value of {spec.Name}, bit for bit.",
                Unsupported: null);
        }

        private static MethodFamily Backward(MethodSpec spec, Signatures sig, Block body, Activity activity, HashSet<string> userFacing, IEnumerable<string> usedNames, EquatableArray<RuleSpec> rules, List<DiagnosticInfo> diagnostics)
        {
            var namer = new Namer(spec.UserNames.Concat(sig.Reserved), usedNames);
            var seed = new Var(sig.Seed, spec.Scalar);
            var sweep = ReverseDifferentiator.Differentiate(spec, body, activity, namer, seed, sig.GradientNames, rules.AsImmutableArray(), userFacing, new List<DiagnosticInfo>());
            var statements = new List<Stmt>(sweep.Forward.Statements);
            var derivative = sweep.Reverse.Statements.Concat(sweep.ScalarAdjoints.Select(a => (Stmt)new Accumulate(sig.GradientNames[a.Name], null, a.Value)));
            var simplified = Simplifier.Simplify(new Block(derivative.ToEquatableArray()), userFacing, Simplifier.Subexpressions(body)).Statements
                .Where(s => s is not Accumulate { Value: Const { Value: 0 } });
            statements.AddRange(simplified);
            var (scheduled, hoisted) = Scheduler.Schedule(new Block(statements.ToEquatableArray()), userFacing, namer, Unstable(sig, statements));

            var parameters = sig.Original
                .Concat(new[] { new GeneratedParam(sig.Seed, spec.Scalar.Keyword(), string.Empty, false, $"The gradient flowing into the result of {spec.Name} (1 for the plain gradient).") })
                .Concat(spec.Parameters.Where(p => p.Active).Select(p => p.IsVector
                    ? new GeneratedParam(sig.GradientNames[p.Name], Signatures.SpanOf(p.ElementType), string.Empty, true, $"Accumulates seed times the gradient with respect to {p.Name}. Must have the length of {p.Name}.")
                    : new GeneratedParam(sig.GradientNames[p.Name], p.TypeCode, "ref", true, $"Accumulates seed times the derivative with respect to {p.Name}.")));
            return new MethodFamily(
                spec.Name + "Backward",
                "void",
                parameters.ToEquatableArray(),
                sig.GradientChecks,
                scheduled,
                hoisted,
                $"Adds seed times the gradient of {spec.Name} with respect to {sig.ActiveList} into the gradient arguments, like PyTorch's backward().\nThey accumulate across calls: reset them (zero_grad) before each training step.",
                Returns: null,
                Unsupported: null);
        }

        private static MethodFamily Derivative(MethodSpec spec, Signatures sig, Block body, Activity activity, HashSet<string> userFacing, IEnumerable<string> usedNames, EquatableArray<RuleSpec> rules, List<DiagnosticInfo> diagnostics)
        {
            var namer = new Namer(spec.UserNames.Concat(sig.Reserved), usedNames);
            var (forward, value, tangent) = ForwardDifferentiator.Differentiate(spec, body, activity, namer, sig.TangentNames, rules.AsImmutableArray(), new List<DiagnosticInfo>());
            var statements = forward.Statements
                .Concat(new Stmt[] { new SetOutput(sig.DerivativeName, tangent ?? Simplification.Ir.Lit(0, spec.Scalar)), new Return(value!) })
                .ToEquatableArray();
            var simplified = Simplifier.Simplify(new Block(statements), userFacing, Simplifier.Subexpressions(body));
            var (scheduled, hoisted) = Scheduler.Schedule(simplified, userFacing, namer, Unstable(sig, simplified.Statements));
            var parameters = sig.Original
                .Concat(sig.TangentParameters)
                .Concat(new[] { new GeneratedParam(sig.DerivativeName, spec.Scalar.Keyword(), "out", false, $"Receives the directional derivative of {spec.Name} along the tangents.") });
            return new MethodFamily(
                spec.Name + "Derivative",
                spec.Scalar.Keyword(),
                parameters.ToEquatableArray(),
                sig.TangentChecks,
                scheduled,
                hoisted,
                $"Computes {spec.Name} and its directional derivative (forward mode, JAX jvp) along the tangents of {sig.ActiveList}.",
                $"The value of {spec.Name}, bit for bit.",
                Unsupported: null);
        }

        /// <summary>Public signatures whose bodies throw, for a method that cannot be differentiated: call sites still compile.</summary>
        private static DerivativeSet Stubs(MethodSpec spec, Signatures sig, string message)
        {
            var methods = new List<MethodFamily>();
            if (!spec.IsVectorFunction)
            {
                var gradientParams = sig.Original.Concat(spec.Parameters.Where(p => p.Active).Select(p => p.IsVector
                    ? new GeneratedParam(sig.GradientNames[p.Name], Signatures.SpanOf(p.ElementType), string.Empty, false, "Gradient buffer.")
                    : new GeneratedParam(sig.GradientNames[p.Name], p.TypeCode, "out", false, "Derivative.")));
                methods.Add(new MethodFamily(spec.Name + "Gradient", spec.Scalar.Keyword(), gradientParams.ToEquatableArray(), EquatableArray<LengthCheck>.Empty, Block.Empty, EquatableArray<string>.Empty, "Not generated: " + message, "Never returns.", message));
                var backwardParams = sig.Original.Concat(new[] { new GeneratedParam(sig.Seed, spec.Scalar.Keyword(), string.Empty, false, "Seed.") })
                    .Concat(spec.Parameters.Where(p => p.Active).Select(p => p.IsVector
                        ? new GeneratedParam(sig.GradientNames[p.Name], Signatures.SpanOf(p.ElementType), string.Empty, true, "Gradient buffer.")
                        : new GeneratedParam(sig.GradientNames[p.Name], p.TypeCode, "ref", true, "Derivative.")));
                methods.Add(new MethodFamily(spec.Name + "Backward", "void", backwardParams.ToEquatableArray(), EquatableArray<LengthCheck>.Empty, Block.Empty, EquatableArray<string>.Empty, "Not generated: " + message, null, message));
                var derivativeParams = sig.Original.Concat(sig.TangentParameters).Concat(new[] { new GeneratedParam(sig.DerivativeName, spec.Scalar.Keyword(), "out", false, "Derivative.") });
                methods.Add(new MethodFamily(spec.Name + "Derivative", spec.Scalar.Keyword(), derivativeParams.ToEquatableArray(), EquatableArray<LengthCheck>.Empty, Block.Empty, EquatableArray<string>.Empty, "Not generated: " + message, "Never returns.", message));
            }

            return Set(spec, methods);
        }

        /// <summary>Arrays whose elements change during the method: output spans and tapes. Their reads are never shared.</summary>
        private static HashSet<string> Unstable(Signatures sig, IEnumerable<Stmt> statements)
        {
            var names = new HashSet<string>(sig.OutputArrays, StringComparer.Ordinal);
            void Visit(Stmt s)
            {
                if (s is RentBuffer r)
                {
                    names.Add(r.Name);
                }

                foreach (var b in Walk.Blocks(s))
                {
                    foreach (var inner in b.Statements)
                    {
                        Visit(inner);
                    }
                }
            }

            foreach (var s in statements)
            {
                Visit(s);
            }

            return names;
        }

        private static DerivativeSet Set(MethodSpec spec, List<MethodFamily> methods) =>
            new DerivativeSet(spec.HintName, spec.Namespace, spec.ContainingTypes, spec.Accessibility, spec.IsStatic, methods.ToEquatableArray());

        private static EquatableArray<DiagnosticInfo> Distinct(List<DiagnosticInfo> diagnostics) => diagnostics.Distinct().ToEquatableArray();

        private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);

        /// <summary>Names and pieces shared by every generated signature of one method.</summary>
        private sealed class Signatures
        {
            public Signatures(MethodSpec spec)
            {
                var namer = new Namer(spec.Parameters.Select(p => p.Name));
                foreach (var p in spec.Parameters.Where(p => p.Active))
                {
                    GradientNames[p.Name] = namer.NewSourceName(ReverseDifferentiator.GradientName(p.Name));
                }

                Seed = namer.NewSourceName("seed");
                var tangentNamer = new Namer(spec.Parameters.Select(p => p.Name));
                foreach (var p in spec.Parameters.Where(p => p.Active))
                {
                    TangentNames[p.Name] = tangentNamer.NewSourceName("t" + char.ToUpperInvariant(p.Name[0]) + p.Name.Substring(1));
                }

                DerivativeName = tangentNamer.NewSourceName("derivative");
                Reserved = GradientNames.Values.Concat(TangentNames.Values).Concat(new[] { Seed, DerivativeName }).ToList();
                TangentParameters = spec.Parameters.Where(p => p.Active).Select(p => new GeneratedParam(
                    TangentNames[p.Name],
                    p.IsVector ? "global::System.ReadOnlySpan<" + p.ElementType.Keyword() + ">" : p.TypeCode,
                    string.Empty,
                    false,
                    p.IsVector ? $"The tangent (direction) of {p.Name}. Must have the length of {p.Name}." : $"The tangent (direction) of {p.Name}.")).ToList();
                TangentChecks = spec.Parameters.Where(p => p.Active && p.IsVector).Select(p => new LengthCheck(
                    TangentNames[p.Name],
                    p.Name + ".Length",
                    "$\"The tangent '" + TangentNames[p.Name] + "' for parameter '" + p.Name + "' has length {" + TangentNames[p.Name] + ".Length}, but '" + p.Name + "' has length {" + p.Name + ".Length}.\"")).ToEquatableArray();
                Original = spec.Parameters.Select(p => new GeneratedParam(p.Name, p.TypeCode, string.Empty, false, $"The argument {p.Name} of {spec.Name}.")).ToList();
                ActiveList = string.Join(", ", spec.Parameters.Where(p => p.Active).Select(p => p.Name));
                OutputArrays = new HashSet<string>(spec.Parameters.Where(p => p.Shape == ParamShape.OutputSpan).Select(p => p.Name), StringComparer.Ordinal);
                GradientChecks = spec.Parameters.Where(p => p.Active && p.IsVector).Select(p => new LengthCheck(
                    GradientNames[p.Name],
                    p.Name + ".Length",
                    "$\"The gradient buffer '" + GradientNames[p.Name] + "' for parameter '" + p.Name + "' has length {" + GradientNames[p.Name] + ".Length}, but '" + p.Name + "' has length {" + p.Name + ".Length}.\"")).ToEquatableArray();
            }

            public Dictionary<string, string> GradientNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

            public string Seed { get; }

            public Dictionary<string, string> TangentNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

            public string DerivativeName { get; }

            public List<GeneratedParam> TangentParameters { get; }

            public EquatableArray<LengthCheck> TangentChecks { get; }

            public List<string> Reserved { get; }

            public List<GeneratedParam> Original { get; }

            public string ActiveList { get; }

            public HashSet<string> OutputArrays { get; }

            public EquatableArray<LengthCheck> GradientChecks { get; }

            public static string SpanOf(ValType t) => "global::System.Span<" + t.Keyword() + ">";
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Analysis;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Emit;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Lowering;
using SymDiff.Generator.Model;
using SymDiff.Generator.Simplification;
using SymDiff.Generator.Verification;

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
                if (Testing.FaultInjection.Is(Testing.Fault.CrashInDifferentiation) && spec.Name.StartsWith("Crash", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException("injected failure");
                }

                var methods = new List<MethodFamily>();
                IrFunction function;
                using (Testing.PhaseTimer.Measure("lower"))
                {
                    function = SsaLowering.Lower(spec, signatures.Reserved);
                }

                var liftNamer = new Namer(spec.UserNames, function.Names);
                IrVerifier.VerifyPass(function.Body, "lowering", signatures.Outside);
                var lifted = CallLifting.Lift(function.Body, liftNamer);
                IrVerifier.VerifyPass(lifted, "call lifting", signatures.Outside);
                var body = DepthLimit.Apply(lifted, liftNamer);
                IrVerifier.VerifyPass(body, "depth limiting", signatures.Outside);
                // The user's own names are never inlined away; SSA versions (s_1) and SymDiff's names may be.
                var userFacing = new HashSet<string>(spec.UserNames, StringComparer.Ordinal);
                var activity = Activity.Analyze(body, spec.Parameters);

                if (!spec.IsVectorFunction)
                {
                    using (Testing.PhaseTimer.Measure("gradient"))
                    {
                        methods.Add(Gradient(spec, signatures, body, activity, userFacing, liftNamer.AllNames, rules, diagnostics));
                    }

                    using (Testing.PhaseTimer.Measure("backward"))
                    {
                        methods.Add(Backward(spec, signatures, body, activity, userFacing, liftNamer.AllNames, rules, diagnostics));
                    }

                    using (Testing.PhaseTimer.Measure("derivative"))
                    {
                        methods.Add(Derivative(spec, signatures, body, activity, userFacing, liftNamer.AllNames, rules, diagnostics));
                    }
                    if (spec.Hessian)
                    {
                        methods.Add(Hessian(spec, signatures));
                        methods.Add(HessianVectorProduct(spec, signatures, body, activity, userFacing, liftNamer.AllNames, rules, diagnostics));
                    }
                }
                else
                {
                    methods.Add(VectorBackward(spec, signatures, body, activity, userFacing, liftNamer.AllNames, rules, diagnostics));
                    methods.Add(VectorDerivative(spec, signatures, body, activity, userFacing, liftNamer.AllNames, rules));
                    methods.Add(Jacobian(spec, signatures));
                }

                if (diagnostics.Any(d => DiagnosticDescriptors.ById(d.Id).DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error))
                {
                    return new DerivativeResult(Stubs(spec, signatures, "SymDiff could not differentiate '" + spec.DisplayName + "': see the SymDiff error reported in its body."), Distinct(diagnostics));
                }

                return new DerivativeResult(Set(spec, methods), Distinct(diagnostics));
            }
            catch (BudgetExceededException e)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, spec.Location, spec.DisplayName, "its derivatives need " + e.Message));
                return new DerivativeResult(Stubs(spec, signatures, "SymDiff could not differentiate '" + spec.DisplayName + "': it is too large (SD1009)."), Distinct(diagnostics));
            }
            catch (InsufficientExecutionStackException)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, spec.Location, spec.DisplayName, "its expressions are nested too deeply to walk"));
                return new DerivativeResult(Stubs(spec, signatures, "SymDiff could not differentiate '" + spec.DisplayName + "': it is too large (SD1009)."), Distinct(diagnostics));
            }
            catch (NotSupportedException e)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedConstruct, spec.Location, Capitalize(e.Message) + " (in '" + spec.Name + "')", " yet"));
                return new DerivativeResult(Stubs(spec, signatures, "SymDiff cannot differentiate '" + spec.DisplayName + "' yet: " + e.Message + "."), Distinct(diagnostics));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, spec.Location, spec.DisplayName, e.GetType().Name + ": " + e.Message.TrimEnd('.')));
                return new DerivativeResult(Stubs(spec, signatures, "SymDiff failed to differentiate '" + spec.DisplayName + "' (SD9001)."), Distinct(diagnostics));
            }
        }

        private static MethodFamily Gradient(MethodSpec spec, Signatures sig, Block body, Activity activity, HashSet<string> userFacing, IEnumerable<string> usedNames, EquatableArray<RuleSpec> rules, List<DiagnosticInfo> diagnostics)
        {
            var (statements, namer) = GradientStatements(spec, sig, body, activity, userFacing, usedNames, rules, diagnostics);
            Block scheduled;
            EquatableArray<string> hoisted;
            using (Testing.PhaseTimer.Measure("gradient.schedule"))
            {
                (scheduled, hoisted) = Scheduler.Schedule(new Block(statements.ToEquatableArray()), userFacing, namer, Unstable(sig, statements), sig.Outside);
            }


            var parameters = sig.GradientParameters;
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

        /// <summary>The gradient's IR before scheduling: shared by Gradient and, differentiated again, by the Hessian-vector product.</summary>
        private static (List<Stmt> Statements, Namer Namer) GradientStatements(MethodSpec spec, Signatures sig, Block body, Activity activity, HashSet<string> userFacing, IEnumerable<string> usedNames, EquatableArray<RuleSpec> rules, List<DiagnosticInfo> diagnostics)
        {
            var namer = new Namer(spec.UserNames.Concat(sig.Reserved), usedNames);
            ReverseSweep sweep;
            using (Testing.PhaseTimer.Measure("gradient.reverse"))
            {
                sweep = ReverseDifferentiator.Differentiate(spec, body, activity, namer, Simplification.Ir.Lit(1, spec.Scalar), sig.GradientNames, rules.AsImmutableArray(), userFacing, diagnostics);
            }

            var statements = new List<Stmt>();
            foreach (var p in spec.Parameters.Where(p => p.Active && p.IsVector))
            {
                statements.Add(new ClearBuffer(sig.GradientNames[p.Name]));
            }

            statements.AddRange(sweep.Forward.Statements);
            var derivative = sweep.Reverse.Statements.Concat(sweep.ScalarAdjoints.Select(a => (Stmt)new SetOutput(sig.GradientNames[a.Name], a.Value)));
            var derivativeBlock = new Block(derivative.ToEquatableArray());
            IrVerifier.VerifyPass(new Block(statements.Concat(derivativeBlock.Statements).ToEquatableArray()), "reverse differentiation", sig.Outside);
            using (Testing.PhaseTimer.Measure("gradient.simplify"))
            {
                statements.AddRange(Simplifier.Simplify(derivativeBlock, userFacing, Simplifier.Subexpressions(body)).Statements);
            }

            statements.Add(new Return(sweep.Value!));
            IrVerifier.VerifyPass(new Block(statements.ToEquatableArray()), "simplification", sig.Outside);
            return (statements, namer);
        }

        /// <summary>
        /// The Hessian-vector product by forward mode over the gradient's own IR (forward over reverse): one pass,
        /// the gradient's intermediate values computed once and shared by their tangents; the Hessian is never formed.
        /// </summary>
        private static MethodFamily HessianVectorProduct(MethodSpec spec, Signatures sig, Block body, Activity activity, HashSet<string> userFacing, IEnumerable<string> usedNames, EquatableArray<RuleSpec> rules, List<DiagnosticInfo> diagnostics)
        {
            var (gradientStatements, namer) = GradientStatements(spec, sig, body, activity, userFacing, usedNames, rules, new List<DiagnosticInfo>());
            string t = spec.Scalar.Keyword();
            string direction = sig.DirectionName, product = sig.ProductName;

            // Views of the flattened direction and product: offsets, one tangent per parameter, one product slice per span.
            var offsets = new List<string>();
            var views = new List<string>();
            var tangentNames = new Dictionary<string, string>(StringComparer.Ordinal);
            var second = new ForwardDifferentiator.SecondOrder();
            string running = "0";
            foreach (var p in spec.Parameters.Where(p => p.Active))
            {
                string offset = namer.NewSourceName("at" + ReverseDifferentiator.Capitalize(p.Name));
                offsets.Add($"int {offset} = {running};");
                running = offset + " + " + (p.IsVector ? Identifiers.Escape(p.Name) + ".Length" : "1");
                tangentNames[p.Name] = sig.TangentNames[p.Name];
                if (p.IsVector)
                {
                    string slice = namer.NewSourceName("p" + ReverseDifferentiator.Capitalize(p.Name));
                    second.Products[sig.GradientNames[p.Name]] = slice;
                    views.Add($"global::System.ReadOnlySpan<{t}> {tangentNames[p.Name]} = {direction}.Slice({offset}, {Identifiers.Escape(p.Name)}.Length);");
                    views.Add($"global::System.Span<{t}> {slice} = {product}.Slice({offset}, {Identifiers.Escape(p.Name)}.Length);");
                }
                else
                {
                    second.ScalarProducts[sig.GradientNames[p.Name]] = (product, new Var(offset, ValType.Int));
                    views.Add($"{t} {tangentNames[p.Name]} = {direction}[{offset}];");
                }
            }

            string n = namer.NewSourceName("n");
            var prelude = offsets
                .Concat(new[]
                {
                    $"int {n} = {running};",
                    $"if ({direction}.Length != {n}) throw new global::System.ArgumentException($\"The direction '{direction}' has length {{{direction}.Length}}, but '{spec.Name}' has {{{n}}} active scalars.\", nameof({direction}));",
                    $"if ({product}.Length != {n}) throw new global::System.ArgumentException($\"The buffer '{product}' has length {{{product}.Length}}, but '{spec.Name}' has {{{n}}} active scalars.\", nameof({product}));",
                    string.Empty,
                    $"{product}.Clear();",
                })
                .Concat(views)
                .ToList();

            // Forward mode over the gradient: tapes of active values get tangent tapes.
            var gradient = CallLifting.Lift(new Block(gradientStatements.ToEquatableArray()), namer);
            foreach (var rent in gradient.Statements.OfType<RentBuffer>().Concat(Nested(gradient).OfType<RentBuffer>()))
            {
                tangentNames[rent.Name] = namer.NewSourceName(rent.Name + "Dot");
            }

            var secondActivity = Activity.Analyze(gradient, spec.Parameters);
            foreach (var tape in tangentNames.Keys.ToList().Where(k => !spec.Parameters.Any(p => p.Name == k) && !secondActivity.IsActiveArray(k)))
            {
                tangentNames.Remove(tape);
            }

            // The prelude (text, for now) declares the offsets, n, the tangent views and the product slices.
            var outside = sig.Outside
                .Concat(offsets.Select(o => o.Substring(4, o.IndexOf(' ', 4) - 4)))
                .Concat(new[] { n })
                .Concat(spec.Parameters.Where(p => p.Active).Select(p => sig.TangentNames[p.Name]))
                .Concat(second.Products.Values)
                .ToList();
            var (forward, value, _) = ForwardDifferentiator.Differentiate(spec, gradient, secondActivity, namer, tangentNames, rules.AsImmutableArray(), diagnostics, second);
            forward = new Block(forward.Statements.Concat(new[] { (Stmt)new Return(value!) }).ToEquatableArray());
            IrVerifier.VerifyPass(forward, "forward over reverse differentiation", outside);
            var simplified = Simplifier.Simplify(forward, userFacing, Simplifier.Subexpressions(gradient));
            IrVerifier.VerifyPass(simplified, "simplification", outside);
            var unstable = Unstable(sig, simplified.Statements);
            unstable.Add(product);
            foreach (var slice in second.Products.Values)
            {
                unstable.Add(slice);
            }

            var (scheduled, hoisted) = Scheduler.Schedule(simplified, userFacing, namer, unstable, outside);
            var parameters = sig.HessianVectorProductParameters;
            return new MethodFamily(
                spec.Name + "HessianVectorProduct",
                t,
                parameters.ToEquatableArray(),
                EquatableArray<LengthCheck>.Empty,
                scheduled,
                hoisted,
                $"Computes {spec.Name} and its Hessian times a direction (forward over reverse), without forming the Hessian.",
                $"The value of {spec.Name}, bit for bit.",
                Unsupported: null)
            {
                Prelude = prelude.ToEquatableArray(),
            };
        }

        /// <summary>The dense Hessian: one Hessian-vector product per active scalar, then made exactly symmetric.</summary>
        private static MethodFamily Hessian(MethodSpec spec, Signatures sig)
        {
            var namer = new Namer(spec.Parameters.Select(p => p.Name).Concat(new[] { sig.HessianName }));
            string t = spec.Scalar.Keyword();
            string pool = "global::System.Buffers.ArrayPool<" + t + ">.Shared";
            string hessian = sig.HessianName;
            string n = namer.NewSourceName("n"), direction = namer.NewSourceName("direction"), value = namer.NewSourceName("value");
            string i = namer.NewSourceName("i"), j = namer.NewSourceName("j"), h = namer.NewSourceName("h");
            string count = string.Join(" + ", spec.Parameters.Where(p => p.Active).Select(p => p.IsVector ? Identifiers.Escape(p.Name) + ".Length" : "1"));
            string originals = string.Join(", ", spec.Parameters.Select(p => Identifiers.Escape(p.Name)));
            var lines = new List<string>
            {
                $"int {n} = {count};",
                $"if ({hessian}.Length != {n} * {n})",
                "{",
                $"throw new global::System.ArgumentException($\"The buffer '{hessian}' has length {{{hessian}.Length}}, but the Hessian of '{spec.Name}' is {{{n}}} by {{{n}}}.\", nameof({hessian}));",
                "}",
                string.Empty,
                $"// Row {i} is the Hessian times the unit vector e_{i}.",
                $"{t} {value} = 0;",
                $"{t}[] {direction} = {pool}.Rent({n});",
                "try",
                "{",
                $"global::System.Array.Clear({direction}, 0, {n});",
                $"for (int {i} = 0; {i} < {n}; {i}++)",
                "{",
                $"{direction}[{i}] = 1;",
                $"{value} = {spec.Name}HessianVectorProduct({originals}, new global::System.ReadOnlySpan<{t}>({direction}, 0, {n}), {hessian}.Slice({i} * {n}, {n}));",
                $"{direction}[{i}] = 0;",
                "}",
                "}",
                "finally",
                "{",
                $"{pool}.Return({direction});",
                "}",
                string.Empty,
                "// Symmetric to the last bit: both triangles get the same average.",
                $"for (int {i} = 0; {i} < {n}; {i}++)",
                "{",
                $"for (int {j} = {i} + 1; {j} < {n}; {j}++)",
                "{",
                $"{t} {h} = ({hessian}[{i} * {n} + {j}] + {hessian}[{j} * {n} + {i}]) * 0.5{(t == "float" ? "f" : string.Empty)};",
                $"{hessian}[{i} * {n} + {j}] = {h};",
                $"{hessian}[{j} * {n} + {i}] = {h};",
                "}",
                "}",
                string.Empty,
                $"return {value};",
            };
            var parameters = sig.HessianParameters;
            return new MethodFamily(spec.Name + "Hessian", t, parameters.ToEquatableArray(), EquatableArray<LengthCheck>.Empty, Block.Empty, EquatableArray<string>.Empty,
                $"Computes {spec.Name} and its dense Hessian with respect to {sig.ActiveList}, exactly symmetric.", $"The value of {spec.Name}, bit for bit.", Unsupported: null)
            {
                RawBody = lines.ToEquatableArray(),
            };
        }

        private static IEnumerable<Stmt> Nested(Block block) =>
            block.Statements.SelectMany(s => Walk.Blocks(s).SelectMany(b => b.Statements.Concat(Nested(b))));

        private static MethodFamily Backward(MethodSpec spec, Signatures sig, Block body, Activity activity, HashSet<string> userFacing, IEnumerable<string> usedNames, EquatableArray<RuleSpec> rules, List<DiagnosticInfo> diagnostics)
        {
            var namer = new Namer(spec.UserNames.Concat(sig.Reserved), usedNames);
            var seed = new Var(sig.Seed, spec.Scalar);
            ReverseSweep sweep;
            using (Testing.PhaseTimer.Measure("backward.reverse"))
            {
                sweep = ReverseDifferentiator.Differentiate(spec, body, activity, namer, seed, sig.GradientNames, rules.AsImmutableArray(), userFacing, new List<DiagnosticInfo>());
            }

            var statements = new List<Stmt>(sweep.Forward.Statements);
            var derivative = sweep.Reverse.Statements.Concat(sweep.ScalarAdjoints.Select(a => (Stmt)new Accumulate(sig.GradientNames[a.Name], null, a.Value))).ToList();
            IrVerifier.VerifyPass(new Block(statements.Concat(derivative).ToEquatableArray()), "reverse differentiation", sig.Outside);
            using (Testing.PhaseTimer.Measure("backward.simplify"))
            {
                var simplified = Simplifier.Simplify(new Block(derivative.ToEquatableArray()), userFacing, Simplifier.Subexpressions(body)).Statements
                    .Where(s => s is not Accumulate { Value: Const { Value: 0 } });
                statements.AddRange(simplified);
            }

            Block scheduled;
            EquatableArray<string> hoisted;
            using (Testing.PhaseTimer.Measure("backward.schedule"))
            {
                (scheduled, hoisted) = Scheduler.Schedule(new Block(statements.ToEquatableArray()), userFacing, namer, Unstable(sig, statements), sig.Outside);
            }


            var parameters = sig.BackwardParameters;
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
            IrVerifier.VerifyPass(new Block(statements), "forward differentiation", sig.Outside);
            var simplified = Simplifier.Simplify(new Block(statements), userFacing, Simplifier.Subexpressions(body));
            IrVerifier.VerifyPass(simplified, "simplification", sig.Outside);
            var (scheduled, hoisted) = Scheduler.Schedule(simplified, userFacing, namer, Unstable(sig, simplified.Statements), sig.Outside);
            var parameters = sig.DerivativeParameters;
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

        private static MethodFamily VectorBackward(MethodSpec spec, Signatures sig, Block body, Activity activity, HashSet<string> userFacing, IEnumerable<string> usedNames, EquatableArray<RuleSpec> rules, List<DiagnosticInfo> diagnostics)
        {
            var output = sig.Output!;
            var namer = new Namer(spec.UserNames.Concat(sig.Reserved), usedNames);
            bool readsOutput = ReadsArray(body, output.Name);
            string? adjointBuffer = readsOutput ? namer.NewSourceName(output.Name + "Bar") : null;
            var sweep = ReverseDifferentiator.Differentiate(spec, body, activity, namer, Simplification.Ir.Lit(1, spec.Scalar), sig.GradientNames, rules.AsImmutableArray(), userFacing, diagnostics, sig.Seed, adjointBuffer);
            var statements = new List<Stmt>();
            if (adjointBuffer is not null)
            {
                statements.Add(new RentBuffer(adjointBuffer, spec.Scalar, new Len(output.Name)));
                statements.Add(new CopySpan(sig.Seed, adjointBuffer));
            }

            statements.AddRange(sweep.Forward.Statements);
            var derivative = sweep.Reverse.Statements.Concat(sweep.ScalarAdjoints.Select(a => (Stmt)new Accumulate(sig.GradientNames[a.Name], null, a.Value)));
            statements.AddRange(Simplifier.Simplify(new Block(derivative.ToEquatableArray()), userFacing, Simplifier.Subexpressions(body)).Statements
                .Where(st => st is not Accumulate { Value: Const { Value: 0 } }));
            var unstable = Unstable(sig, statements);
            if (adjointBuffer is not null)
            {
                unstable.Add(adjointBuffer);
            }

            var (scheduled, hoisted) = Scheduler.Schedule(new Block(statements.ToEquatableArray()), userFacing, namer, unstable, sig.Outside);
            var parameters = sig.VectorBackwardParameters;
            var checks = new[] { new LengthCheck(sig.Seed, Identifiers.Escape(output.Name) + ".Length", "The seed '" + sig.Seed + "' has length {0}, but the output '" + output.Name + "' has length {1}.") }
                .Concat(sig.GradientChecks).ToEquatableArray();
            return new MethodFamily(
                spec.Name + "Backward",
                "void",
                parameters.ToEquatableArray(),
                checks,
                scheduled,
                hoisted,
                $"Writes {output.Name} and adds the vector-Jacobian product seed^T J into the gradient arguments (PyTorch's y.backward(gradient=seed)).\nThey accumulate across calls: reset them (zero_grad) before each training step.",
                Returns: null,
                Unsupported: null);
        }

        private static MethodFamily VectorDerivative(MethodSpec spec, Signatures sig, Block body, Activity activity, HashSet<string> userFacing, IEnumerable<string> usedNames, EquatableArray<RuleSpec> rules)
        {
            var output = sig.Output!;
            var namer = new Namer(spec.UserNames.Concat(sig.Reserved), usedNames);
            var tangentNames = new Dictionary<string, string>(sig.TangentNames, StringComparer.Ordinal) { [output.Name] = sig.DerivativeName };
            var (forward, _, _) = ForwardDifferentiator.Differentiate(spec, body, activity, namer, tangentNames, rules.AsImmutableArray(), new List<DiagnosticInfo>());
            var simplified = Simplifier.Simplify(forward, userFacing, Simplifier.Subexpressions(body));
            var unstable = Unstable(sig, simplified.Statements);
            unstable.Add(sig.DerivativeName);
            var (scheduled, hoisted) = Scheduler.Schedule(simplified, userFacing, namer, unstable, sig.Outside);
            var parameters = sig.VectorDerivativeParameters;
            var checks = sig.TangentChecks.Concat(new[] { new LengthCheck(sig.DerivativeName, Identifiers.Escape(output.Name) + ".Length", "The buffer '" + sig.DerivativeName + "' has length {0}, but the output '" + output.Name + "' has length {1}.") }).ToEquatableArray();
            return new MethodFamily(
                spec.Name + "Derivative",
                "void",
                parameters.ToEquatableArray(),
                checks,
                scheduled,
                hoisted,
                $"Writes {output.Name} and its directional derivative (forward mode, JAX jvp) along the tangents of {sig.ActiveList}.",
                Returns: null,
                Unsupported: null);
        }

        /// <summary>
        /// The Jacobian, m outputs by n flattened active inputs, row-major: n forward sweeps (one per input) when
        /// n &lt;= m, otherwise m reverse sweeps (one per output). Chosen at run time, when m and n are known.
        /// </summary>
        private static MethodFamily Jacobian(MethodSpec spec, Signatures sig)
        {
            var output = sig.Output!;
            // Locals of the driver only need to avoid its own parameters.
            var namer = new Namer(spec.Parameters.Select(p => p.Name).Concat(new[] { sig.JacobianName }));
            string t = spec.Scalar.Keyword();
            string pool = "global::System.Buffers.ArrayPool<" + t + ">.Shared";
            string jacobian = sig.JacobianName;
            string m = namer.NewSourceName("m"), n = namer.NewSourceName("n");
            var active = spec.Parameters.Where(p => p.Active).ToList();
            var offsets = new Dictionary<string, string>(StringComparer.Ordinal);
            var lines = new List<string> { $"int {m} = {Identifiers.Escape(output.Name)}.Length;" };
            string running = "0";
            foreach (var p in active)
            {
                string offset = namer.NewSourceName("at" + char.ToUpperInvariant(p.Name[0]) + p.Name.Substring(1));
                offsets[p.Name] = offset;
                lines.Add($"int {offset} = {running};");
                running = offset + " + " + (p.IsVector ? Identifiers.Escape(p.Name) + ".Length" : "1");
            }

            lines.Add($"int {n} = {running};");
            lines.Add($"if ({jacobian}.Length != {m} * {n})");
            lines.Add("{");
            lines.Add($"throw new global::System.ArgumentException($\"The buffer '{jacobian}' has length {{{jacobian}.Length}}, but the Jacobian of '{spec.Name}' is {{{m}}} by {{{n}}}.\", nameof({jacobian}));");
            lines.Add("}");
            lines.Add(string.Empty);
            string originals = string.Join(", ", spec.Parameters.Select(p => Identifiers.Escape(p.Name)));
            string direction = namer.NewSourceName("direction"), column = namer.NewSourceName("column"), j = namer.NewSourceName("j"), k = namer.NewSourceName("k");
            lines.Add($"if ({n} <= {m})");
            lines.Add("{");
            lines.Add($"// Fewer inputs than outputs: one forward sweep per input gives a column.");
            lines.Add($"{t}[] {direction} = {pool}.Rent({n});");
            lines.Add($"{t}[] {column} = {pool}.Rent({m});");
            lines.Add("try");
            lines.Add("{");
            lines.Add($"global::System.Array.Clear({direction}, 0, {n});");
            lines.Add($"for (int {j} = 0; {j} < {n}; {j}++)");
            lines.Add("{");
            lines.Add($"{direction}[{j}] = 1;");
            var tangentArgs = active.Select(p => p.IsVector
                ? $"new global::System.ReadOnlySpan<{t}>({direction}, {offsets[p.Name]}, {Identifiers.Escape(p.Name)}.Length)"
                : $"{direction}[{offsets[p.Name]}]");
            lines.Add($"{spec.Name}Derivative({originals}, {string.Join(", ", tangentArgs)}, new global::System.Span<{t}>({column}, 0, {m}));");
            lines.Add($"{direction}[{j}] = 0;");
            lines.Add($"for (int {k} = 0; {k} < {m}; {k}++)");
            lines.Add("{");
            lines.Add($"{jacobian}[{k} * {n} + {j}] = {column}[{k}];");
            lines.Add("}");
            lines.Add("}");
            lines.Add("}");
            lines.Add("finally");
            lines.Add("{");
            lines.Add($"{pool}.Return({direction});");
            lines.Add($"{pool}.Return({column});");
            lines.Add("}");
            lines.Add("}");
            lines.Add("else");
            lines.Add("{");
            lines.Add($"// Fewer outputs than inputs: one reverse sweep per output gives a row.");
            string seed = namer.NewSourceName("seed");
            lines.Add($"{t}[] {seed} = {pool}.Rent({m});");
            lines.Add("try");
            lines.Add("{");
            lines.Add($"global::System.Array.Clear({seed}, 0, {m});");
            lines.Add($"for (int {k} = 0; {k} < {m}; {k}++)");
            lines.Add("{");
            lines.Add($"{seed}[{k}] = 1;");
            string row = namer.NewSourceName("row");
            lines.Add($"global::System.Span<{t}> {row} = {jacobian}.Slice({k} * {n}, {n});");
            lines.Add($"{row}.Clear();");
            var gradientArgs = new List<string>();
            foreach (var p in active)
            {
                if (p.IsVector)
                {
                    gradientArgs.Add($"{row}.Slice({offsets[p.Name]}, {Identifiers.Escape(p.Name)}.Length)");
                }
                else
                {
                    string local = namer.NewSourceName(sig.GradientNames[p.Name]);
                    lines.Add($"{t} {local} = 0;");
                    gradientArgs.Add("ref " + local);
                }
            }

            lines.Add($"{spec.Name}Backward({originals}, new global::System.ReadOnlySpan<{t}>({seed}, 0, {m}), {string.Join(", ", gradientArgs)});");
            int g = 0;
            foreach (var p in active)
            {
                if (!p.IsVector)
                {
                    lines.Add($"{row}[{offsets[p.Name]}] = {gradientArgs[g].Substring(4)};");
                }

                g++;
            }

            lines.Add($"{seed}[{k}] = 0;");
            lines.Add("}");
            lines.Add("}");
            lines.Add("finally");
            lines.Add("{");
            lines.Add($"{pool}.Return({seed});");
            lines.Add("}");
            lines.Add("}");
            var parameters = sig.JacobianParameters;
            return new MethodFamily(
                spec.Name + "Jacobian",
                "void",
                parameters.ToEquatableArray(),
                EquatableArray<LengthCheck>.Empty,
                Block.Empty,
                EquatableArray<string>.Empty,
                $"Writes {output.Name} and the Jacobian of {spec.Name} with respect to {sig.ActiveList} (columns in declaration order, spans flattened).",
                Returns: null,
                Unsupported: null)
            {
                RawBody = lines.ToEquatableArray(),
            };
        }

        private static bool ReadsArray(Block block, string array)
        {
            bool found = false;
            foreach (var s in block.Statements)
            {
                foreach (var e in Walk.AllExpressions(s))
                {
                    found |= Reads(e, array);
                }
            }

            return found;
        }

        private static bool Reads(Expr e, string array) => (e is Elem el && el.Array == array) || Walk.Children(e).Any(c => Reads(c, array));

        /// <summary>Public signatures whose bodies throw, for a method that cannot be differentiated: call sites still compile.</summary>
        private static DerivativeSet Stubs(MethodSpec spec, Signatures sig, string message)
        {
            // The same signatures as the real methods (from Signatures), so call sites compile either way.
            string t = spec.Scalar.Keyword();
            var signatures = spec.IsVectorFunction
                ? new (string Suffix, string Return, List<GeneratedParam> Parameters)[]
                {
                    ("Backward", "void", sig.VectorBackwardParameters),
                    ("Derivative", "void", sig.VectorDerivativeParameters),
                    ("Jacobian", "void", sig.JacobianParameters),
                }
                : new (string Suffix, string Return, List<GeneratedParam> Parameters)[]
                {
                    ("Gradient", t, sig.GradientParameters),
                    ("Backward", "void", sig.BackwardParameters),
                    ("Derivative", t, sig.DerivativeParameters),
                };
            var methods = signatures.Select(m => Stub(spec.Name + m.Suffix, m.Return, m.Parameters, message)).ToList();
            if (spec.Hessian && !spec.IsVectorFunction)
            {
                methods.Add(Stub(spec.Name + "Hessian", t, sig.HessianParameters, message));
                methods.Add(Stub(spec.Name + "HessianVectorProduct", t, sig.HessianVectorProductParameters, message));
            }

            return Set(spec, methods);
        }

        private static MethodFamily Stub(string name, string returnType, List<GeneratedParam> parameters, string message) =>
            new MethodFamily(name, returnType, parameters.ToEquatableArray(), EquatableArray<LengthCheck>.Empty, Block.Empty, EquatableArray<string>.Empty, "Not generated: " + message, returnType == "void" ? null : "Never returns.", message);

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
            new DerivativeSet(spec.HintName, spec.Namespace, spec.ContainingTypes, spec.Accessibility, spec.IsStatic, methods.ToEquatableArray()) { LanguageVersion = spec.LanguageVersion, IsDeep = spec.IsDeep };

        private static EquatableArray<DiagnosticInfo> Distinct(List<DiagnosticInfo> diagnostics) => diagnostics.Distinct().ToEquatableArray();

        private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s.Substring(1);

        /// <summary>Names and pieces shared by every generated signature of one method.</summary>
        private sealed class Signatures
        {
            private readonly MethodSpec _spec;

            public Signatures(MethodSpec spec)
            {
                _spec = spec;
                var namer = new Namer(spec.Parameters.Select(p => p.Name));
                foreach (var p in spec.Parameters.Where(p => p.Active))
                {
                    GradientNames[p.Name] = namer.NewSourceName(ReverseDifferentiator.GradientName(p.Name));
                }

                Seed = namer.NewSourceName("seed");
                Output = spec.Parameters.FirstOrDefault(p => p.Shape == ParamShape.OutputSpan);
                var tangentNamer = new Namer(spec.Parameters.Select(p => p.Name));
                foreach (var p in spec.Parameters.Where(p => p.Active))
                {
                    TangentNames[p.Name] = tangentNamer.NewSourceName("t" + char.ToUpperInvariant(p.Name[0]) + p.Name.Substring(1));
                }

                DerivativeName = tangentNamer.NewSourceName("derivative");
                JacobianName = tangentNamer.NewSourceName("jacobian");
                HessianName = tangentNamer.NewSourceName("hessian");
                DirectionName = tangentNamer.NewSourceName("direction");
                ProductName = tangentNamer.NewSourceName("product");
                Reserved = GradientNames.Values.Concat(TangentNames.Values).Concat(new[] { Seed, DerivativeName, JacobianName, HessianName, DirectionName, ProductName }).ToList();
                Outside = spec.Parameters.Select(p => p.Name).Concat(Reserved).ToList();
                TangentParameters = spec.Parameters.Where(p => p.Active).Select(p => new GeneratedParam(
                    TangentNames[p.Name],
                    p.IsVector ? "global::System.ReadOnlySpan<" + p.ElementType.Keyword() + ">" : p.TypeCode,
                    string.Empty,
                    false,
                    p.IsVector ? $"The tangent (direction) of {p.Name}. Must have the length of {p.Name}." : $"The tangent (direction) of {p.Name}.")).ToList();
                TangentChecks = spec.Parameters.Where(p => p.Active && p.IsVector).Select(p => new LengthCheck(
                    TangentNames[p.Name],
                    Identifiers.Escape(p.Name) + ".Length",
                    "The tangent '" + TangentNames[p.Name] + "' for parameter '" + p.Name + "' has length {0}, but '" + p.Name + "' has length {1}.")).ToEquatableArray();
                Original = spec.Parameters.Select(p => new GeneratedParam(p.Name, p.TypeCode, string.Empty, false, $"The argument {p.Name} of {spec.Name}.")).ToList();
                ActiveList = string.Join(", ", spec.Parameters.Where(p => p.Active).Select(p => p.Name));
                OutputArrays = new HashSet<string>(spec.Parameters.Where(p => p.Shape == ParamShape.OutputSpan).Select(p => p.Name), StringComparer.Ordinal);
                GradientChecks = spec.Parameters.Where(p => p.Active && p.IsVector).Select(p => new LengthCheck(
                    GradientNames[p.Name],
                    Identifiers.Escape(p.Name) + ".Length",
                    "The gradient buffer '" + GradientNames[p.Name] + "' for parameter '" + p.Name + "' has length {0}, but '" + p.Name + "' has length {1}.")).ToEquatableArray();
            }

            public Dictionary<string, string> GradientNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

            public string Seed { get; }

            public Dictionary<string, string> TangentNames { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

            public string DerivativeName { get; }

            public string JacobianName { get; }

            public string HessianName { get; }

            public string DirectionName { get; }

            public string ProductName { get; }

            /// <summary>The output span of a vector function.</summary>
            public ParamSpec? Output { get; }

            public List<GeneratedParam> TangentParameters { get; }

            public EquatableArray<LengthCheck> TangentChecks { get; }

            public List<string> Reserved { get; }

            /// <summary>Every name defined before a generated body: the parameters and the generated parameters (for the IR verifier).</summary>
            public List<string> Outside { get; }

            public List<GeneratedParam> Original { get; }

            public string ActiveList { get; }

            public HashSet<string> OutputArrays { get; }

            public EquatableArray<LengthCheck> GradientChecks { get; }

            public static string SpanOf(ValType t) => "global::System.Span<" + t.Keyword() + ">";

            /// <summary>The one definition of each generated method's parameters, shared by the real method and its stub.</summary>
            public List<GeneratedParam> GradientParameters => Original.Concat(Active.Select(p => p.IsVector
                ? new GeneratedParam(GradientNames[p.Name], SpanOf(p.ElementType), string.Empty, false, $"Receives the gradient with respect to {p.Name}; overwritten. Must have the length of {p.Name}.")
                : new GeneratedParam(GradientNames[p.Name], p.TypeCode, "out", false, $"Receives the derivative with respect to {p.Name}."))).ToList();

            public List<GeneratedParam> BackwardParameters => Original
                .Concat(new[] { new GeneratedParam(Seed, _spec.Scalar.Keyword(), string.Empty, false, $"The gradient flowing into the result of {_spec.Name} (1 for the plain gradient).") })
                .Concat(AccumulatingGradients("seed times the gradient", "seed times the derivative")).ToList();

            public List<GeneratedParam> VectorBackwardParameters => Original
                .Concat(new[] { new GeneratedParam(Seed, "global::System.ReadOnlySpan<" + _spec.Scalar.Keyword() + ">", string.Empty, false, $"The gradient flowing into each element of {Output?.Name} (PyTorch's backward(gradient=...)). Must have the length of {Output?.Name}.") })
                .Concat(AccumulatingGradients("the vector-Jacobian product", "the vector-Jacobian product")).ToList();

            public List<GeneratedParam> DerivativeParameters => Original.Concat(TangentParameters)
                .Concat(new[] { new GeneratedParam(DerivativeName, _spec.Scalar.Keyword(), "out", false, $"Receives the directional derivative of {_spec.Name} along the tangents.") }).ToList();

            public List<GeneratedParam> VectorDerivativeParameters => Original.Concat(TangentParameters)
                .Concat(new[] { new GeneratedParam(DerivativeName, SpanOf(_spec.Scalar), string.Empty, false, $"Receives the directional derivative of each element of {Output?.Name}. Must have the length of {Output?.Name}.") }).ToList();

            public List<GeneratedParam> JacobianParameters => Original
                .Concat(new[] { new GeneratedParam(JacobianName, SpanOf(_spec.Scalar), string.Empty, false, $"Receives the Jacobian: {Output?.Name}.Length rows by the number of active scalars, row-major. Overwritten.") }).ToList();

            public List<GeneratedParam> HessianParameters => Original
                .Concat(new[] { new GeneratedParam(HessianName, SpanOf(_spec.Scalar), string.Empty, false, "Receives the Hessian, n by n row-major over the active scalars (spans flattened in declaration order); overwritten.") }).ToList();

            public List<GeneratedParam> HessianVectorProductParameters => Original
                .Concat(new[]
                {
                    new GeneratedParam(DirectionName, "global::System.ReadOnlySpan<" + _spec.Scalar.Keyword() + ">", string.Empty, false, "The direction: one entry per active scalar, spans flattened in declaration order."),
                    new GeneratedParam(ProductName, SpanOf(_spec.Scalar), string.Empty, false, "Receives the Hessian times the direction; overwritten. Same length as the direction."),
                }).ToList();

            private IEnumerable<ParamSpec> Active => _spec.Parameters.Where(p => p.Active);

            private IEnumerable<GeneratedParam> AccumulatingGradients(string vectorWhat, string scalarWhat) => Active.Select(p => p.IsVector
                ? new GeneratedParam(GradientNames[p.Name], SpanOf(p.ElementType), string.Empty, true, $"Accumulates {vectorWhat} with respect to {p.Name}. Must have the length of {p.Name}.")
                : new GeneratedParam(GradientNames[p.Name], p.TypeCode, "ref", true, $"Accumulates {scalarWhat} with respect to {p.Name}."));
        }
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Analysis;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using SymDiff.Generator.Simplification;

namespace SymDiff.Generator.Differentiation
{
    /// <summary>What every builder of a generated method reads: the method, its signatures, its lowered body and its activity.</summary>
    internal sealed class BuildContext
    {
        public BuildContext(MethodSpec spec, Signatures signatures, MethodKind kind, Block body, Activity activity, IEnumerable<string> usedNames, EquatableArray<RuleSpec> rules, List<DiagnosticInfo> diagnostics)
        {
            Spec = spec;
            Sig = signatures;
            Kind = kind;
            Body = body;
            Activity = activity;
            UsedNames = usedNames;
            Rules = rules;
            Diagnostics = diagnostics;
            UserFacing = new HashSet<string>(spec.UserNames, StringComparer.Ordinal);
        }

        public MethodSpec Spec { get; }

        public Signatures Sig { get; }

        public MethodKind Kind { get; }

        /// <summary>The lowered, lifted body every mode differentiates.</summary>
        public Block Body { get; }

        public Activity Activity { get; }

        /// <summary>For each local retained with <c>Grad.Retain</c>, the let that defines it: let name to source name.</summary>
        public IReadOnlyDictionary<string, string> RetainedLets { get; init; } = new Dictionary<string, string>();

        /// <summary>The locals a small buffer's elements became (<c>b2</c> for <c>b[2]</c>): user-facing, so no pass reads them as a version of <c>b</c>.</summary>
        public EquatableArray<string> ElementLocals
        {
            init => UserFacing.UnionWith(value);
        }

        /// <summary>Names lowering made: later phases' names avoid them.</summary>
        public IEnumerable<string> UsedNames { get; }

        public EquatableArray<RuleSpec> Rules { get; }

        /// <summary>Where builders report what they find (SD1004, SD1005, SD1006...).</summary>
        public List<DiagnosticInfo> Diagnostics { get; }

        /// <summary>Which user statement each lowered value comes from (read only for <c>CheckFinite</c>).</summary>
        public Lowering.OriginTable Origins { get; init; } = new Lowering.OriginTable();

        /// <summary>The user's own names: never inlined away.</summary>
        public HashSet<string> UserFacing { get; }

        /// <summary>The user's locals the parser named apart (<c>i2</c>) and the names they were written with (<c>i</c>), for the final naming pass.</summary>
        public Dictionary<string, string> SourceNames => Spec.SourceNames.ToDictionary(n => n.Name, n => n.Source, StringComparer.Ordinal);

        /// <summary>A namer for one generated method's body, clear of the user's and the signature's names.</summary>
        public Namer NewNamer() => new Namer(Spec.UserNames.Concat(Sig.Reserved), UsedNames);

        /// <summary>Arrays whose elements change during the method: output spans and tapes. Their reads are never shared.</summary>
        public HashSet<string> Unstable(IEnumerable<Stmt> statements)
        {
            var names = new HashSet<string>(Sig.OutputArrays, StringComparer.Ordinal);
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

        /// <summary>
        /// Simplifies derivative code: every subexpression of <paramref name="primal"/> (the lowered body unless given) is
        /// the user's own computation and stays as it is.
        /// </summary>
        public Block Simplify(Block derivative, Block? primal = null) => Simplifier.Simplify(derivative, UserFacing, Simplifier.Subexpressions(primal ?? Body));

        /// <summary>
        /// <see cref="CarryLoads"/> on the default path. Under <c>Vectorize = true</c> the loads stay as written: in lanes,
        /// <c>x[i]</c> and <c>x[i + 1]</c> are two unit-stride loads, cheaper than the rotation and blend a carried value
        /// costs there (W2: 0.90-0.94x of the hand-vectorised gradient with the loads, 1.13-1.15x carried;
        /// docs/performance.md). Only the loads change; every value is the same, bit for bit.
        /// </summary>
        public Block CarryInputLoads(Block body, Namer namer) =>
            Spec.Vectorize is null ? CarryLoads.Apply(body, new HashSet<string>(Sig.InputSpans), namer) : body;

        /// <summary>Schedules a generated body; names in <paramref name="outside"/> (the signature's unless given) are taken.</summary>
        /// <remarks>
        /// <c>Vectorize = true</c> methods get every rule of the default path too (fusion, its buffer rules, row views), so a
        /// loop the vectoriser leaves scalar runs as fast as on the default path (docs/performance.md, "Fourth slice"), but
        /// for the row-nest stores (<c>OverwriteRows</c>): its store beside another buffer's addition keeps the vectoriser off
        /// the inner loop, and its zero loops would run in lanes; measured on the default path only.
        /// </remarks>
        public (Block Block, EquatableArray<string> Hoisted) Schedule(Block body, Namer namer, ISet<string> unstable, IReadOnlyCollection<string>? outside = null) =>
            Scheduler.Schedule(body, UserFacing, namer, unstable, outside ?? Sig.Outside, rows: Spec.Vectorize is null);

        /// <summary>The generated method, named and typed by its kind.</summary>
        /// <remarks>With <c>CheckFinite</c>, the body gets its finite checks here, after scheduling (<see cref="FiniteChecks"/>).</remarks>
        public MethodFamily Family(EquatableArray<LengthCheck> checks, EquatableArray<AliasCheck> aliases, Block body, EquatableArray<string> hoisted, string summary, string? returns)
        {
            if (Spec.Check is not null && FiniteChecks.Applies(Kind))
            {
                body = FiniteChecks.Insert(this, body);
                summary += "\nChecks every value it computes: throws ArithmeticException at the first NaN or infinity made from finite values (CheckFinite).";
            }

            var parameters = Kind.Parameters(Sig).ToEquatableArray();
            HashSet<string>? renamed;
            using (Testing.PhaseTimer.Measure("names"))
            {
                // Last: the user's name wherever it is free in its C# scope (i, not i_4). Finite checks are placed by the
                // names lowering made, so this runs after them.
                var reserved = Sig.Outside.Concat(parameters.Select(p => p.Name)).Concat(Spec.Guards.SelectMany(g => ScopedNames.Tokens(g.Condition).Concat(ScopedNames.Tokens(g.Exception)).Concat(ScopedNames.Tokens(g.Call ?? string.Empty))));
                var named = ScopedNames.Apply(body, hoisted, UserFacing, reserved, SourceNames);
                (body, hoisted, renamed) = (named.Body, named.Hoisted, ReferenceEquals(named.Body, body) ? null : named.Outside);
            }

            if (renamed is not null)
            {
                using (Testing.PhaseTimer.Measure("names.verify"))
                {
                    // Always checked, like the scheduler's output: C#'s scoping, with sibling blocks sharing names. What the body
                    // reads from outside (parameters, a driver's prelude) is what it read before: the pass never takes those names.
                    Verification.IrVerifier.Verify(body, "final names", Verification.ScopeRules.Lexical, renamed, renamed);
                }
            }

            if (Spec.Vectorize is { } target && Kind.Suffix is "Gradient" or "Backward" or "Derivative")
            {
                body = Vectorise(body, target, Sig.Outside.Concat(parameters.Select(p => p.Name)), hoisted);
            }

            return new MethodFamily(Spec.Name + Kind.Suffix, Kind.ReturnType(Spec), parameters, checks, aliases, body, hoisted, summary, returns, Unsupported: null);
        }

        /// <summary>
        /// <c>Vectorize = true</c>: the vectorisable loops of the named body become SIMD loops (last, so no other pass sees
        /// them); each loop left scalar is reported (SD1023).
        /// </summary>
        private Block Vectorise(Block body, VectorTarget target, IEnumerable<string> reserved, IEnumerable<string> hoisted)
        {
            // T[] in the emitted code: array parameters and the pooled buffers that grow (every other pooled buffer is a span).
            var arrays = new HashSet<string>(Spec.Parameters.Where(p => p.Shape == ParamShape.Array).Select(p => p.Name), StringComparer.Ordinal);
            arrays.UnionWith(RentBuffer.Grown(body));
            var refusals = new List<Vectorization.Vectorizer.Refusal>();
            using (Testing.PhaseTimer.Measure("vectorize"))
            {
                var outputs = new HashSet<string>(Spec.Parameters.Where(p => p.Shape == ParamShape.OutputSpan).Select(p => p.Name), StringComparer.Ordinal);
                body = Vectorization.Vectorizer.Apply(body, target, arrays, outputs, refusals, reserved, hoisted);
            }

            foreach (var r in refusals)
            {
                Diagnostics.Add(DiagnosticInfo.AtSite(
                    DiagnosticDescriptors.LoopNotVectorized,
                    r.Site >= 0 ? r.Site : DiagnosticInfo.MethodSite,
                    r.Counter is null ? string.Empty : " over '" + r.Counter + "'",
                    Spec.Name,
                    Spec.Name + Kind.Suffix,
                    r.Reason));
            }

            return body;
        }

        /// <summary>A call of one of this method's own generated methods (or of the method itself, with no suffix).</summary>
        public UserCall SelfCall(string suffix, IEnumerable<Expr> arguments, ValType type)
        {
            var callee = new CalleeSpec(CalleeKind.Plain, Spec.Name + suffix, string.Empty, EquatableArray<string>.Empty, EquatableArray<bool>.Empty, EquatableArray<string>.Empty, -1);
            return new UserCall(callee, null, arguments.ToEquatableArray(), type);
        }

        /// <summary>The method's own parameters, passed on as arguments.</summary>
        public IEnumerable<Expr> Originals => Spec.Parameters.Select(p => p.IsVector ? (Expr)new SpanRef(p.Name, p.ElementType) : new Var(p.Name, p.Shape == ParamShape.Scalar ? p.ElementType : ValType.Object));

        /// <summary>The simplest for loop: <c>for (int counter = 0; counter &lt; count; counter++) { body }</c>.</summary>
        public static Loop CountingLoop(string counter, Expr count, params Stmt[] body)
        {
            var i = new Var(counter, ValType.Int);
            var next = new Binary(BinaryOp.Add, i, Const.Of(1, ValType.Int), ValType.Int);
            return new Loop(EquatableArray.Create(new LoopVar(counter, ValType.Int, Const.Of(0, ValType.Int), next)), Block.Empty, new Binary(BinaryOp.Lt, i, count, ValType.Bool), Block.Of(body), LoopKind.For, counter);
        }

        public static Expr Int(int value) => Const.Of(value, ValType.Int);

        public static Expr Plus(Expr a, Expr b) => Ir.Add(a, b);

        /// <summary>An int product, literals folded by the simplifier's rule (where C# computes the same int).</summary>
        public static Expr Times(Expr a, Expr b) => Ir.Mul(a, b);
    }
}

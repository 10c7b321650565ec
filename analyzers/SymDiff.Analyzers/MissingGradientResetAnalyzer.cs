using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using SymDiff.Analyzers.Flow;
using SymDiff.Generator.Diagnostics;

namespace SymDiff.Analyzers
{
    /// <summary>
    /// SD2001, the missing <c>zero_grad()</c>: a call adds into a gradient buffer (an argument for an
    /// <c>[Accumulates]</c> parameter, as on every generated <c>Backward</c> method) inside a loop that also uses the
    /// buffer (an optimizer step, a parameter update, a print), and nothing in that loop resets it. Every iteration
    /// then sees the sum of all earlier gradients.
    /// </summary>
    /// <remarks>
    /// <para>
    /// From the innermost loop around the call outwards, for each loop: a buffer declared inside the loop's body is
    /// new on every iteration, so that loop and the ones outside it are fine; a loop that resets the buffer anywhere in
    /// its body is fine, and so are the loops outside it; a loop that does not reset it but reads it is reported.
    /// A loop that only accumulates (the inner loop over a mini-batch, or the loop over the data of a full-batch
    /// gradient) reads nothing, so the search moves to the loop outside it: the mini-batch pattern, with the reset in
    /// the outer loop, is silent.
    /// </para>
    /// <para>
    /// One diagnostic per loop and buffer, at the first accumulating argument in that loop; the loop is the
    /// diagnostic's additional location, where the code fix inserts the reset.
    /// </para>
    /// </remarks>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class MissingGradientResetAnalyzer : GradientResetAnalyzer
    {
        public MissingGradientResetAnalyzer()
            : base(DiagnosticDescriptors.MissingGradientReset)
        {
        }
    }

    /// <summary>
    /// SD2005: the same search as SD2001's (<see cref="MissingGradientResetAnalyzer"/>), for a loop whose only resets run
    /// under a condition that changes between iterations while the step does not.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class ConditionalResetAnalyzer : GradientResetAnalyzer
    {
        public ConditionalResetAnalyzer()
            : base(DiagnosticDescriptors.ConditionalReset)
        {
        }
    }

    /// <summary>
    /// The loop search behind SD2001 and SD2005, one analyzer per ID: <c>dotnet format</c> hands a code fix the first
    /// diagnostic of the analyzers that support the ID it fixes, whatever that diagnostic's ID, so an analyzer with a
    /// fixable ID reports only that ID.
    /// </summary>
    public abstract class GradientResetAnalyzer : DiagnosticAnalyzer
    {
        private readonly bool _conditional;

        private protected GradientResetAnalyzer(DiagnosticDescriptor descriptor)
        {
            _conditional = descriptor.Id == DiagnosticDescriptors.ConditionalResetId;
            SupportedDiagnostics = ImmutableArray.Create(descriptor);
        }

        /// <inheritdoc />
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; }

        /// <inheritdoc />
        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                // Without SymDiff (or with a runtime too old to have [Accumulates]) nothing accumulates.
                var known = KnownSymbols.TryCreate(start.Compilation);
                if (known?.Accumulates is null)
                {
                    return;
                }

                start.RegisterOperationAction(context => AnalyzeInvocation(context, known, _conditional), OperationKind.Invocation);
            });
        }

        private static void AnalyzeInvocation(OperationAnalysisContext context, KnownSymbols known, bool conditionalOnly)
        {
            var invocation = (IInvocationOperation)context.Operation;

            // We only care about calls that add into an argument: one entry per buffer, at its first argument.
            List<(ISymbol Buffer, BufferKind Kind, IArgumentOperation Argument)>? buffers = null;
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is not { } parameter || !KnownSymbols.HasAttribute(parameter, known.Accumulates))
                {
                    continue;
                }

                // A parameter is the caller's buffer: accumulating into it is the mini-batch pattern seen from inside,
                // and resetting is the caller's business, unless the loop also steps with it (FindUnresetLoop).
                var buffer = GradientBuffers.SymbolOf(argument.Value, known, includeParameters: true);
                if (buffer is null || GradientBuffers.KindOf(buffer, known) is not { } kind)
                {
                    continue;
                }

                buffers ??= new List<(ISymbol, BufferKind, IArgumentOperation)>();
                if (!buffers.Exists(b => SymbolEqualityComparer.Default.Equals(b.Buffer, buffer)))
                {
                    buffers.Add((buffer, kind, argument));
                }
            }

            if (buffers is null)
            {
                return;
            }

            // Accumulating once, outside any loop, is what Backward is for.
            var loops = OperationFacts.EnclosingLoops(invocation);
            if (loops.Count == 0)
            {
                return;
            }

            foreach (var (buffer, kind, argument) in buffers)
            {
                context.CancellationToken.ThrowIfCancellationRequested();

                // Report once per loop and buffer: at the first call that accumulates into it.
                if (FindUnresetLoop(buffer, kind, loops, known) is not { } found || found.Use.FirstAccumulation is not { } first || first.Syntax != argument.Syntax)
                {
                    continue;
                }

                if (found.Conditional is { } conditional)
                {
                    if (!conditionalOnly)
                    {
                        continue;
                    }

                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.ConditionalReset,
                        conditional.Reset.Syntax.GetLocation(),
                        conditional.Reset.Syntax.ToString(),
                        conditional.Condition,
                        conditional.Step.Syntax.ToString()));
                }
                else if (!conditionalOnly)
                {
                    Report(context, known, argument, found.Loop);
                }
            }
        }

        /// <summary>
        /// The loop, innermost first among <paramref name="loops"/>, that uses <paramref name="buffer"/> without resetting
        /// it, or null when every loop either gets a new buffer, resets it, or only accumulates into it. A loop that
        /// resets it only under a condition while stepping with it unconditionally is returned too, with
        /// <c>Conditional</c> set (SD2005).
        /// </summary>
        private static (ILoopOperation Loop, BufferUse Use, ConditionalUse? Conditional)? FindUnresetLoop(ISymbol buffer, BufferKind kind, List<ILoopOperation> loops, KnownSymbols known)
        {
            foreach (var loop in loops)
            {
                if (buffer is ILocalSymbol local && OperationFacts.IsDeclaredInBody(local, loop))
                {
                    return null; // a new buffer every iteration
                }

                var use = BufferUse.Scan(loop, buffer, kind, known);
                if (use.Resets)
                {
                    return FindConditionalUse(loop, use) is { } conditional ? (loop, use, conditional) : null;
                }

                // A caller's buffer (a parameter) is reported only where the loop steps with it (a training loop in a
                // Train(p, g) helper, a user trial): a read that only looks at it (a print) is the mini-batch's own.
                if (use.FirstRead is not null && (buffer is not IParameterSymbol || use.Steps.Count > 0))
                {
                    return (loop, use, null);
                }

                // This loop only accumulates (a mini-batch): look at the loop outside it.
            }

            return null;
        }

        private static void Report(OperationAnalysisContext context, KnownSymbols known, IArgumentOperation argument, ILoopOperation loop)
        {
            // The fix resets every buffer that this loop lacks a reset for, so that fixing one diagnostic of the loop
            // and fixing all of them make the same edit (fix-all merges identical edits, and only those).
            var resets = new List<string>();
            var seen = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var operation in OperationFacts.IteratedOperations(loop))
            {
                if (operation is not IArgumentOperation { Parameter: { } parameter } accumulating || !KnownSymbols.HasAttribute(parameter, known.Accumulates)
                    || GradientBuffers.SymbolOf(accumulating.Value, known, includeParameters: true) is not { } buffer || GradientBuffers.KindOf(buffer, known) is not { } kind
                    || !seen.Add(buffer) || accumulating.Parent is not IInvocationOperation call)
                {
                    continue;
                }

                if (FindUnresetLoop(buffer, kind, OperationFacts.EnclosingLoops(call), known) is { Conditional: null } found && ReferenceEquals(found.Loop, loop))
                {
                    resets.Add(ResetSpec(accumulating, kind, loop, found.Use, known));
                }
            }

            string bufferText = GradientBuffers.VariableReference(argument.Value, known)?.Syntax.ToString() ?? "?";
            var properties = ImmutableDictionary<string, string?>.Empty.Add(RuleIds.ResetsProperty, string.Join("\n", resets.Distinct()));
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.MissingGradientReset,
                argument.Syntax.GetLocation(),
                additionalLocations: new[] { loop.Syntax.GetLocation() },
                properties: properties,
                bufferText));
        }

        /// <summary>
        /// SD2005: every reset of the buffer in <paramref name="loop"/> runs only in a branch (<c>if (epoch % 5 == 0)
        /// opt.ZeroGrad();</c>), and some step that consumes the gradient runs outside those branches. Deliberate gradient
        /// accumulation steps under the same condition as it resets (<c>if ((i + 1) % k == 0) { opt.Step();
        /// opt.ZeroGrad(); }</c>, or two <c>if</c>s with the same condition), and is silent.
        /// </summary>
        private static ConditionalUse? FindConditionalUse(ILoopOperation loop, BufferUse use)
        {
            var branches = new List<(IOperation Branch, string Condition)>();
            HashSet<ISymbol>? written = null;
            foreach (var reset in use.ResetOperations)
            {
                if (BranchOf(reset, loop) is not { } branch)
                {
                    return null; // this reset runs on every iteration
                }

                // A condition no iteration changes (a command-line flag) resets on all iterations or on none: not this
                // rule's saw-tooth, and which one it is cannot be told here.
                written ??= WrittenInLoop(loop);
                if (!Varies(branch.Test, written))
                {
                    return null;
                }

                branches.Add((branch.Branch, branch.Condition));
            }

            foreach (var step in use.Steps)
            {
                var stepBranch = BranchOf(step, loop);
                bool covered = branches.Exists(b => IsInside(step, b.Branch) || (stepBranch is { } sb && sb.Condition == b.Condition));
                if (!covered)
                {
                    return new ConditionalUse(use.ResetOperations[0], branches[0].Condition, step);
                }
            }

            return null;
        }

        /// <summary>
        /// The innermost branch between <paramref name="operation"/> and <paramref name="loop"/> (the then or else part
        /// of an <c>if</c> or <c>?:</c>, or a <c>switch</c> section) and the condition under which it runs, as the user
        /// reads it; null when <paramref name="operation"/> runs on every iteration. Loops in between do not count: a
        /// reset is often a loop over the elements. <c>Test</c> is the condition (or the switch's value) itself.
        /// </summary>
        private static (IOperation Branch, string Condition, IOperation Test)? BranchOf(IOperation operation, ILoopOperation loop)
        {
            for (var child = operation; child.Parent is { } parent && !ReferenceEquals(child, loop); child = parent)
            {
                switch (parent)
                {
                    case IConditionalOperation conditional when ReferenceEquals(child, conditional.WhenTrue):
                        return (child, "'" + Normalize(conditional.Condition.Syntax.ToString()) + "'", conditional.Condition);
                    case IConditionalOperation conditional when ReferenceEquals(child, conditional.WhenFalse):
                        return (child, "'" + Normalize(conditional.Condition.Syntax.ToString()) + "' is false", conditional.Condition);
                    case ISwitchCaseOperation { Parent: ISwitchOperation switchStatement } section:
                        return (section, "'" + Normalize(string.Join(" ", section.Clauses.Select(c => c.Syntax.ToString()))) + "'", switchStatement.Value);
                }
            }

            return null;
        }

        /// <summary>The variables (locals, parameters, fields, properties) that the iterated parts of <paramref name="loop"/> assign or declare.</summary>
        private static HashSet<ISymbol> WrittenInLoop(ILoopOperation loop)
        {
            var written = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            if (loop is IForEachLoopOperation { LoopControlVariable: IVariableDeclaratorOperation variable })
            {
                written.Add(variable.Symbol);
            }

            foreach (var operation in OperationFacts.IteratedOperations(loop))
            {
                var target = operation switch
                {
                    IAssignmentOperation assignment => assignment.Target,
                    IIncrementOrDecrementOperation increment => increment.Target,
                    IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument => argument.Value,
                    _ => null,
                };
                if (operation is IVariableDeclaratorOperation declarator)
                {
                    written.Add(declarator.Symbol);
                }

                if (VariableOf(target) is { } symbol)
                {
                    written.Add(symbol);
                }
            }

            return written;
        }

        /// <summary>Whether <paramref name="test"/> may change from one iteration to the next: it calls something, or reads a variable the loop writes.</summary>
        private static bool Varies(IOperation test, HashSet<ISymbol> written) =>
            test.DescendantsAndSelf().Any(o => o is IInvocationOperation || (VariableOf(o) is { } symbol && written.Contains(symbol)));

        private static ISymbol? VariableOf(IOperation? operation) => OperationFacts.Unwrap(operation) switch
        {
            ILocalReferenceOperation local => local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFieldReferenceOperation field => field.Field,
            IPropertyReferenceOperation { Property.IsIndexer: false } property => property.Property,
            _ => null,
        };

        private static bool IsInside(IOperation operation, IOperation ancestor)
        {
            for (var current = operation; current is not null; current = current.Parent)
            {
                if (ReferenceEquals(current, ancestor))
                {
                    return true;
                }
            }

            return false;
        }

        private static string Normalize(string code) => string.Join(" ", code.Split(new[] { ' ', '\t', '\r', '\n' }, System.StringSplitOptions.RemoveEmptyEntries));

        /// <summary>A reset that runs only when <see cref="Condition"/> holds, and a step outside that condition.</summary>
        private sealed record ConditionalUse(IOperation Reset, string Condition, IOperation Step);

        /// <summary>
        /// How to reset one buffer, for the code fix: <c>Kind|text</c>. The kind is <c>Optimizer</c> (text: the optimizer,
        /// whose <c>ZeroGrad()</c> to call), <c>Scalar</c>, <c>Array</c> or <c>Span</c> (text: the buffer as written).
        /// </summary>
        private static string ResetSpec(IArgumentOperation argument, BufferKind kind, ILoopOperation loop, BufferUse use, KnownSymbols known)
        {
            // optimizer.ZeroGrad() is the idiomatic reset when the loop steps an optimizer that owns this buffer and
            // the optimizer is in scope at the top of the loop.
            if (use.Optimizer is { } optimizer
                && OperationFacts.Unwrap(optimizer) is ILocalReferenceOperation { Local: var optimizerLocal }
                && !OperationFacts.IsDeclaredInBody(optimizerLocal, loop))
            {
                return "Optimizer|" + optimizer.Syntax;
            }

            return kind + "|" + GradientBuffers.VariableReference(argument.Value, known)?.Syntax;
        }
    }
}

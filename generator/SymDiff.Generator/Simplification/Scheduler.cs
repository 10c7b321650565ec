using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Simplification
{
    /// <summary>
    /// Prepares a whole generated method for emission without changing any floating-point operation:
    /// removes dead code; shares common subexpressions (every unconditional subexpression gets a temporary, equal
    /// ones share it, then temporaries used once are put back inline, so only shared ones stay named); and
    /// repairs scopes, hoisting a value that the reverse sweep reads outside the branch that computed it.
    /// </summary>
    internal sealed partial class Scheduler
    {
        private readonly ISet<string> _keep;
        private readonly Namer _namer;
        private readonly ISet<string> _unstable;
        private bool _inlined;

        /// <param name="keep">Names never inlined away: the user's variables.</param>
        /// <param name="namer">Makes temporaries.</param>
        /// <param name="unstable">Arrays whose elements change during the method (output spans): their reads are never shared.</param>
        private Scheduler(ISet<string> keep, Namer namer, ISet<string> unstable)
        {
            _keep = keep;
            _namer = namer;
            _unstable = unstable;
        }

        /// <summary>The scheduled block and the names scope repair hoisted (declared before being assigned).</summary>
        /// <param name="outside">Names defined before the body (parameters, generated parameters): the IR verifier checks each pass against them, and the final IR always.</param>
        /// <param name="fuse">Whether loops are fused (<see cref="FuseLoops"/> and the buffer rules it enables) and rows taken (<see cref="RowViews"/>); every generated method does, <c>Vectorize = true</c> ones too (the vectoriser then takes the fused loops' innermost loops and reads rows as spans); false only in per-pass tests.</param>
        /// <param name="rows">Whether a zeroed buffer written first by a nest over rows is stored row by row (<see cref="OverwriteRows"/>; not under <c>Vectorize = true</c>).</param>
        public static (Block Block, EquatableArray<string> Hoisted) Schedule(Block body, ISet<string> keep, Namer namer, ISet<string> unstable, IReadOnlyCollection<string> outside, bool fuse = true, bool rows = true)
        {
            var s = new Scheduler(keep, namer, unstable);
            body = BufferViews.Apply(body);
            using (Testing.PhaseTimer.Measure("schedule.dead"))
            {
                body = RemoveDeadCode(body);
            }

            Verification.IrVerifier.VerifyPass(body, "scheduling (dead code)", outside);

            if (fuse)
            {
                using (Testing.PhaseTimer.Measure("schedule.fuse"))
                {
                    body = s.PrepareNests(body);
                    body = FuseLoops(body);
                    body = MergeEqualLets(body);
                    body = MergeBranches(body);
                    body = DropCoveredClears(body);
                    body = s.ScalarizeBuffers(body);
                    body = s.ForwardStores(body);
                    body = s.HoistLoopGuards(body);
                    body = s.CarryAdds(body);
                    body = StoreLastCarried(body);
                    if (rows)
                    {
                        body = s.OverwriteRows(body);
                    }
                }

                Verification.IrVerifier.VerifyPass(body, "scheduling (loop fusion)", outside);
            }

            using (Testing.PhaseTimer.Measure("schedule.share"))
            {
                body = s.ShareSubexpressions(body, new AvailableValues());
            }

            Verification.IrVerifier.VerifyPass(body, "scheduling (common subexpressions)", outside);

            using (Testing.PhaseTimer.Measure("schedule.inline"))
            {
                body = s.InlineSingleUses(body);
            }

            Verification.IrVerifier.VerifyPass(body, "scheduling (inlining)", outside);

            using (Testing.PhaseTimer.Measure("schedule.stores"))
            {
                body = RedundantStores.Apply(body, s._keep);
            }

            Verification.IrVerifier.VerifyPass(body, "scheduling (redundant stores)", outside);

            using (Testing.PhaseTimer.Measure("schedule.dead2"))
            {
                body = RemoveDeadCode(body, buffers: rows);
            }

            Verification.IrVerifier.VerifyPass(body, "scheduling (dead code after inlining)", outside);

            using (Testing.PhaseTimer.Measure("schedule.counters"))
            {
                body = CounterEnds.Apply(body);
            }

            Verification.IrVerifier.VerifyPass(body, "scheduling (final counters)", outside);

            if (fuse)
            {
                using (Testing.PhaseTimer.Measure("schedule.rows"))
                {
                    body = s.RowViews(body, ViewableArrays(body, outside));
                }

                Verification.IrVerifier.VerifyPass(body, "scheduling (row views)", outside);
            }

            using (Testing.PhaseTimer.Measure("schedule.constants"))
            {
                body = ConstantLets.Apply(body, keep);
            }

            Verification.IrVerifier.VerifyPass(body, "scheduling (constant lets)", outside);

            using (Testing.PhaseTimer.Measure("schedule.names"))
            {
                // Coalescing only ever gives a loop variable its start value's name: without a loop it changes nothing,
                // and it scans the statements after each let, which is quadratic in a long block.
                if (Walk.HasLoop(body))
                {
                    body = CoalesceLoopVariables(body, keep, namer);
                }

                body = RenumberTemporaries(body, namer);
            }

            Verification.IrVerifier.VerifyPass(body, "scheduling (naming)", outside);

            EquatableArray<string> hoisted;
            using (Testing.PhaseTimer.Measure("schedule.scopes"))
            {
                hoisted = ScopeRepair.Repair(ref body);
            }

            // Always checked: the IR the emitter writes. Never emit code that breaks an invariant.
            Verification.IrVerifier.Verify(body, "scope repair", Verification.ScopeRules.Lexical, outside, outside);

            return (body, hoisted);
        }

        /// <summary>The common-subexpression pass of <see cref="Schedule"/> alone, for the per-pass tests.</summary>
        internal static Block ShareSubexpressionsPass(Block body, ISet<string> keep, Namer namer, ISet<string> unstable) =>
            new Scheduler(keep, namer, unstable).ShareSubexpressions(body, new AvailableValues());

        /// <summary>The buffer scalarisation of <see cref="Schedule"/> alone (after <see cref="FuseLoops"/>), for the per-pass tests.</summary>
        internal static Block ScalarizeBuffersPass(Block body, Namer namer) =>
            new Scheduler(new HashSet<string>(), namer, new HashSet<string>()).ScalarizeBuffers(body);

        /// <summary>The read-back of stored buffer elements alone, for the per-pass tests.</summary>
        internal static Block ForwardStoresPass(Block body, Namer namer) =>
            new Scheduler(new HashSet<string>(), namer, new HashSet<string>()).ForwardStores(body);

        /// <summary>The hoisting of loops' invariant guards alone, for the per-pass tests.</summary>
        internal static Block HoistLoopGuardsPass(Block body, Namer namer) =>
            new Scheduler(new HashSet<string>(), namer, new HashSet<string>()).HoistLoopGuards(body);

        /// <summary>The inlining pass of <see cref="Schedule"/> alone, for the per-pass tests.</summary>
        internal static Block InlineSingleUsesPass(Block body, ISet<string> keep, Namer namer, ISet<string> unstable) =>
            new Scheduler(keep, namer, unstable).InlineSingleUses(body);
    }
}

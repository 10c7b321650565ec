using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.Diagnostics;
using SymDiff.Generator.Helpers;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Differentiation
{
    internal sealed partial class ReverseDifferentiator
    {
        /// <summary>
        /// What the reverse sweep adds to one forward loop. A fused loop carries its reverse sweep in its own body
        /// (one pass); an unfused loop stores, per iteration, the carried values its separate reverse loop reads.
        /// </summary>
        private sealed class LoopPlan
        {
            public bool Fused;

            /// <summary>Statements before the forward loop: adjoint constants of a fused loop, tape buffers.</summary>
            public List<Stmt> PreLoop { get; } = new List<Stmt>();

            /// <summary>Values the forward loop carries in addition to the user's (adjoint sums, an iteration count).</summary>
            public List<LoopVar> ExtraCarried { get; } = new List<LoopVar>();

            /// <summary>Statements at the start of each forward iteration (tape stores).</summary>
            public List<Stmt> BodyPrefix { get; } = new List<Stmt>();

            /// <summary>Statements at the end of each forward iteration (a fused loop's reverse sweep).</summary>
            public List<Stmt> BodySuffix { get; } = new List<Stmt>();

            /// <summary>Statements right after the forward loop (gradient elements summed in locals by a fused loop).</summary>
            public List<Stmt> PostLoop { get; } = new List<Stmt>();
        }

        /// <summary>
        /// Everything the sweep builds up besides the statements it returns: the loops' plans, the buffers rented before
        /// the forward sweep, the named adjoints, the diagnostics. Loop planning differentiates a body on a copy of it and
        /// keeps the copy only if it keeps that attempt, so a discarded attempt leaves nothing behind (nothing is rolled
        /// back, no diagnostic is reported twice). The fresh-name supply and the types of the names it gave out are
        /// shared: a discarded attempt's names are never used again.
        /// </summary>
        private sealed class SweepState
        {
            public SweepState()
            {
            }

            private SweepState(SweepState other)
            {
                Plans = new Dictionary<Loop, LoopPlan>(other.Plans, ReferenceComparer.Instance);
                Materialized = new Dictionary<string, Expr>(other.Materialized, StringComparer.Ordinal);
                LiveWhen = new Dictionary<string, Expr>(other.LiveWhen, StringComparer.Ordinal);
                AdjointNames = new HashSet<string>(other.AdjointNames, StringComparer.Ordinal);
                TopLevelBuffers = new List<Stmt>(other.TopLevelBuffers);
                RetainedAlways = new List<string>(other.RetainedAlways);
                RetainedSometimes = new List<string>(other.RetainedSometimes);
                Diagnostics = new List<DiagnosticInfo>(other.Diagnostics);
                DeclaredInLoop = other.DeclaredInLoop;
            }

            /// <summary>Each planned loop's plan (a plan is complete once its loop is planned; later plans never change it).</summary>
            public Dictionary<Loop, LoopPlan> Plans { get; } = new Dictionary<Loop, LoopPlan>(ReferenceComparer.Instance);

            /// <summary>The adjoint lets written so far, by name (so a fused loop's constant adjoint can move before them).</summary>
            public Dictionary<string, Expr> Materialized { get; } = new Dictionary<string, Expr>(StringComparer.Ordinal);

            /// <summary>For an adjoint variable that is zero except on some paths, the condition under which it may be non-zero.</summary>
            public Dictionary<string, Expr> LiveWhen { get; } = new Dictionary<string, Expr>(StringComparer.Ordinal);

            /// <summary>Every adjoint the sweep names.</summary>
            public HashSet<string> AdjointNames { get; } = new HashSet<string>(StringComparer.Ordinal);

            /// <summary>Buffers rented before the forward sweep: buffer adjoints, growable tapes, span-call scratch.</summary>
            public List<Stmt> TopLevelBuffers { get; } = new List<Stmt>();

            public List<string> RetainedAlways { get; } = new List<string>();

            public List<string> RetainedSometimes { get; } = new List<string>();

            public List<DiagnosticInfo> Diagnostics { get; } = new List<DiagnosticInfo>();

            /// <summary>The local buffers declared (cleared) inside the loop whose reverse loop is being built.</summary>
            public HashSet<string> DeclaredInLoop { get; set; } = new HashSet<string>(StringComparer.Ordinal);

            public SweepState Copy() => new SweepState(this);
        }

        private SweepState _state = new SweepState();

        /// <summary>The reverse of a loop's body, whether the loop fuses, and a fused loop's adjoints known before it.</summary>
        private readonly record struct LoopDecision(BodyReverse Body, bool Fuse, Dictionary<string, Expr>? Hoisted);

        /// <summary>
        /// Plans one loop: differentiates its body and decides whether its reverse sweep fuses into it (it may, every
        /// carried adjoint comes back unchanged, and the final adjoints are known before the loop). The last is known
        /// before the body is differentiated; the body is then differentiated with its inner loops free to fuse when this
        /// loop may still fuse. If this loop then does not fuse (its carried adjoints change), its body
        /// is recomputed in a separate reverse loop, where a fused inner loop would run its reverse sweep twice: that first
        /// attempt is dropped whole (it ran on a copy of the state) and the body differentiated with inner fusion off.
        /// </summary>
        private LoopDecision PlanLoop(Loop loop, List<LoopVar> active, Dictionary<string, Expr> finalAdjoints, bool mayFuse)
        {
            // The final adjoints come from after the loop: whether they are known before it is decided before its body.
            Dictionary<string, Expr>? hoisted = null;
            mayFuse = mayFuse && TryHoist(finalAdjoints, _definedBefore[loop], _writtenAfter[loop], out hoisted);
            var before = _state;
            bool mayDrop = mayFuse && (Walk.HasLoop(loop.Header) || Walk.HasLoop(loop.Body));
            if (mayDrop)
            {
                _state = before.Copy();
            }

            var body = DifferentiateBody(loop, active, innerFusion: mayFuse);
            bool fuse = mayFuse && body.Invariant;
            if (mayDrop && !fuse && _state.Plans.Any(p => p.Value.Fused && !before.Plans.ContainsKey(p.Key)))
            {
                _state = before;
                body = DifferentiateBody(loop, active, innerFusion: false);
            }

            return new LoopDecision(body, fuse, hoisted);
        }
    }
}

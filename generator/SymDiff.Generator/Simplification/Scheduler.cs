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
    internal sealed class Scheduler
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
        public static (Block Block, EquatableArray<string> Hoisted) Schedule(Block body, ISet<string> keep, Namer namer, ISet<string> unstable, IReadOnlyCollection<string> outside)
        {
            var s = new Scheduler(keep, namer, unstable);
            using (Testing.PhaseTimer.Measure("schedule.dead"))
            {
                body = RemoveDeadCode(body);
            }

            Verification.IrVerifier.VerifyPass(body, "scheduling (dead code)", outside);

            using (Testing.PhaseTimer.Measure("schedule.share"))
            {
                body = s.ShareSubexpressions(body, new Dictionary<Expr, Expr>());
            }

            Verification.IrVerifier.VerifyPass(body, "scheduling (common subexpressions)", outside);

            using (Testing.PhaseTimer.Measure("schedule.inline"))
            {
                body = s.InlineSingleUses(body);
            }

            Verification.IrVerifier.VerifyPass(body, "scheduling (inlining)", outside);

            using (Testing.PhaseTimer.Measure("schedule.dead2"))
            {
                body = RemoveDeadCode(body);
            }

            Verification.IrVerifier.VerifyPass(body, "scheduling (dead code after inlining)", outside);

            using (Testing.PhaseTimer.Measure("schedule.names"))
            {
                body = CoalesceLoopVariables(body, keep, namer);
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
            new Scheduler(keep, namer, unstable).ShareSubexpressions(body, new Dictionary<Expr, Expr>());

        /// <summary>The inlining pass of <see cref="Schedule"/> alone, for the per-pass tests.</summary>
        internal static Block InlineSingleUsesPass(Block body, ISet<string> keep, Namer namer, ISet<string> unstable) =>
            new Scheduler(keep, namer, unstable).InlineSingleUses(body);

        /// <summary>
        /// <c>int i = n - 1; int i_1 = i; for (...)</c> → <c>for (int i = n - 1; ...)</c>: a user's variable whose
        /// only use is to start a loop variable that is a version of it gives the loop variable its name.
        /// </summary>
        internal static Block CoalesceLoopVariables(Block body, ISet<string> keep, Namer namer)
        {
            var uses = CountUses(body);
            var renames = new Dictionary<string, string>(StringComparer.Ordinal);
            body = Coalesce(body, uses, renames, namer);
            return Walk.Rename(body, renames);
        }

        private static Block Coalesce(Block block, Dictionary<string, int> uses, Dictionary<string, string> renames, Namer namer)
        {
            var statements = block.Statements.Select(s => Walk.MapBlocks(s, b => Coalesce(b, uses, renames, namer))).ToList();
            for (int i = statements.Count - 1; i >= 0; i--)
            {
                if (statements[i] is not Let let || !uses.TryGetValue(let.Name, out int n))
                {
                    continue;
                }

                if (n > 1)
                {
                    // The start value is needed elsewhere (the reverse sweep): the loop variable still takes the
                    // user's name, and the start value is called iStart.
                    var loopWithVersion = statements.Skip(i + 1).OfType<Loop>().FirstOrDefault(l => l.Carried.Any(v => v.Init is Var init && init.Name == let.Name && Differentiation.ReverseDifferentiator.Stem(v.Name) == let.Name));
                    if (loopWithVersion is not null && !renames.ContainsKey(let.Name))
                    {
                        var version = loopWithVersion.Carried.First(v => v.Init is Var init && init.Name == let.Name);
                        renames[let.Name] = namer.NewSourceName(let.Name + "Start");
                        renames[version.Name] = let.Name;
                    }

                    continue;
                }

                for (int j = i + 1; j < statements.Count; j++)
                {
                    if (statements[j] is Loop loop && loop.Carried.FirstOrDefault(v => v.Init is Var init && init.Name == let.Name) is { } v
                        && Differentiation.ReverseDifferentiator.Stem(v.Name) == let.Name)
                    {
                        statements[j] = loop with { Carried = loop.Carried.Select(c => c == v ? new LoopVar(c.Name, c.Type, let.Value, c.Next) : c).ToEquatableArray() };
                        statements.RemoveAt(i);
                        renames[v.Name] = let.Name;
                        break;
                    }
                }
            }

            return new Block(statements.ToEquatableArray());
        }

        /// <summary>Renames the surviving temporaries t0, t1, ... in order of definition, so the numbering has no gaps.</summary>
        internal static Block RenumberTemporaries(Block body, Namer namer)
        {
            var temps = new List<string>();
            void Collect(Block b)
            {
                foreach (var s in b.Statements)
                {
                    if (s is Let let && namer.IsTemp(let.Name))
                    {
                        temps.Add(let.Name);
                    }

                    foreach (var nested in Walk.Blocks(s))
                    {
                        Collect(nested);
                    }
                }
            }

            Collect(body);
            var map = new Dictionary<string, Expr>(StringComparer.Ordinal);
            var renames = new Dictionary<string, string>(StringComparer.Ordinal);
            var taken = new HashSet<string>(CountUses(body).Keys.Where(n => !namer.IsTemp(n)), StringComparer.Ordinal);
            int next = 0;
            foreach (var t in temps)
            {
                string name;
                do
                {
                    name = "t" + next.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    next++;
                }
                while (taken.Contains(name) || !namer.MayUseTempName(name));

                renames[t] = name;
            }

            if (renames.All(r => r.Key == r.Value))
            {
                return body;
            }

            return Walk.Rename(body, renames);
        }

        // ---- Dead code -------------------------------------------------------------------------------------

        public static Block RemoveDeadCode(Block body)
        {
            while (true)
            {
                var uses = CountUses(body);
                bool removed = false;
                body = RemoveDead(body, uses, ref removed);
                if (!removed)
                {
                    return body;
                }
            }
        }

        /// <summary>
        /// One pass of dead-code removal; <paramref name="removed"/> is set when anything was dropped. Statements are
        /// visited last to first and a removed statement gives back the uses it held, so a whole chain of dead values
        /// goes in one pass (a chain of n dead lets once took n passes over the method).
        /// </summary>
        private static Block RemoveDead(Block block, Dictionary<string, int> uses, ref bool removed)
        {
            var output = new List<Stmt>();
            for (int k = block.Statements.Count - 1; k >= 0; k--)
            {
                var s = block.Statements[k];
                switch (s)
                {
                    case Let let when !Live(uses, let.Name) && !Walk.HasEffect(let):
                        Release(uses, let.Value);
                        removed = true;
                        continue;
                    case Declare d when !Live(uses, d.Name):
                        removed = true;
                        continue;
                    case CallWithGradient call when !Live(uses, call.Name) && !Walk.HasEffect(call) && call.Partials.All(p => p.Length == 0 || !Live(uses, p)):
                        Release(uses, call.Call);
                        removed = true;
                        continue;
                    case CallWithDerivative call when !Live(uses, call.Name) && !Walk.HasEffect(call) && !Live(uses, call.Tangent):
                        Release(uses, call.Call);
                        foreach (var t in call.Tangents)
                        {
                            Release(uses, t);
                        }

                        removed = true;
                        continue;
                    case If branch:
                    {
                        var phis = new List<Phi>();
                        foreach (var p in branch.Phis)
                        {
                            if (Live(uses, p.Name) || Walk.CallsGuarded(p.WhenTrue) || Walk.CallsGuarded(p.WhenFalse))
                            {
                                phis.Add(p);
                                continue;
                            }

                            Release(uses, p.WhenTrue);
                            Release(uses, p.WhenFalse);
                            removed = true;
                        }

                        var then = RemoveDead(branch.Then, uses, ref removed);
                        var @else = RemoveDead(branch.Else, uses, ref removed);
                        if (phis.Count == 0 && then.Statements.Count == 0 && @else.Statements.Count == 0 && !Walk.CallsGuarded(branch.Condition))
                        {
                            Release(uses, branch.Condition);
                            removed = true;
                            continue;
                        }

                        output.Add(new If(branch.Condition, then, @else, phis.ToEquatableArray()));
                        break;
                    }

                    case Loop loop:
                    {
                        // A carried value is dead when nothing but its own next value reads it.
                        var carried = new List<LoopVar>();
                        foreach (var v in loop.Carried)
                        {
                            // A value computed by a call with argument checks stays: the check may throw (FINDINGS F33).
                            if ((uses.TryGetValue(v.Name, out int n) && n > SelfUses(v, loop.Body, uses)) || Walk.CallsGuarded(v.Init) || Walk.CallsGuarded(v.Next))
                            {
                                carried.Add(v);
                                continue;
                            }

                            Release(uses, v.Init);
                            Release(uses, v.Next);
                            removed = true;
                        }

                        var body = RemoveDead(loop.Body, uses, ref removed);
                        var header = RemoveDead(loop.Header, uses, ref removed);
                        if (carried.Count == 0 && !body.Statements.Any(Walk.HasEffect) && !header.Statements.Any(Walk.HasEffect))
                        {
                            Release(uses, loop.Condition);
                            removed = true;
                            continue;
                        }

                        if (EmptyCount(loop, carried, body, header) is { } end)
                        {
                            // A loop left with nothing to do but count (a reverse sweep that needs only its trip count):
                            // the counter's final value, computed at once.
                            var counter = carried[0];
                            Release(uses, counter.Next);
                            Release(uses, ((Binary)loop.Condition).Left);
                            output.Add(new Let(counter.Name, end));
                            removed = true;
                            break;
                        }

                        output.Add(loop with { Carried = carried.ToEquatableArray(), Body = body, Header = header });
                        break;
                    }

                    default:
                        output.Add(s);
                        break;
                }
            }

            output.Reverse();
            return new Block(output.ToEquatableArray());
        }

        /// <summary>
        /// For <c>for (int k = init; k &lt; bound; k++) { }</c>, with nothing else carried and <c>bound</c> not changed by the
        /// loop: the value of <c>k</c> after it, <c>init &lt; bound ? bound : init</c>; otherwise null.
        /// </summary>
        private static Expr? EmptyCount(Loop loop, List<LoopVar> carried, Block body, Block header)
        {
            if (loop.Kind != LoopKind.For || carried.Count != 1 || body.Statements.Count != 0 || header.Statements.Count != 0)
            {
                return null;
            }

            var counter = carried[0];
            if (counter.Type != ValType.Int
                || loop.Condition is not Binary { Op: BinaryOp.Lt, Left: Var tested, Right: var bound } || tested.Name != counter.Name
                || counter.Next is not Binary { Op: BinaryOp.Add, Left: Var self, Right: Const { Value: 1 } } || self.Name != counter.Name
                || Walk.Contains(bound, e => e is Var v && v.Name == counter.Name)
                || Walk.Contains(bound, e => e is UserCall or Elem))
            {
                return null;
            }

            return counter.Init is Const init && bound is Const limit
                ? Const.Of(Math.Max(init.Value, limit.Value), ValType.Int)
                : new IR.Cond(new Binary(BinaryOp.Lt, counter.Init, bound, ValType.Bool), bound, counter.Init, ValType.Int);
        }

        private static bool Live(Dictionary<string, int> uses, string name) => uses.TryGetValue(name, out int n) && n > 0;

        /// <summary>Gives back the uses an expression held when its statement goes.</summary>
        private static void Release(Dictionary<string, int> uses, Expr e) => Walk.Vars(e, name =>
        {
            if (uses.TryGetValue(name, out int n))
            {
                uses[name] = n - 1;
            }
        });

        /// <summary>
        /// The reads of a carried value that only compute its own next value: in the next value itself, or in a let of the
        /// body that nothing but the next value reads (<c>s_2 = s + e; next s = s_2</c>).
        /// </summary>
        private static int SelfUses(LoopVar v, Block body, Dictionary<string, int> uses)
        {
            int n = CountReads(v.Next, v.Name);
            foreach (var let in body.Statements.OfType<Let>())
            {
                int inNext = CountReads(v.Next, let.Name);
                if (inNext > 0 && uses.TryGetValue(let.Name, out int all) && all == inNext && !Walk.CallsGuarded(let.Value))
                {
                    n += CountReads(let.Value, v.Name);
                }
            }

            return n;
        }

        private static int CountReads(Expr e, string name)
        {
            int n = 0;
            Walk.Vars(e, x => n += x == name ? 1 : 0);
            return n;
        }

        /// <summary>How many times each name is read anywhere in the tree.</summary>
        public static Dictionary<string, int> CountUses(Block body)
        {
            var uses = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var s in body.Statements)
            {
                foreach (var e in Walk.AllExpressions(s))
                {
                    Walk.Vars(e, name => uses[name] = uses.TryGetValue(name, out int n) ? n + 1 : 1);
                }
            }

            return uses;
        }

        // ---- Common subexpressions ---------------------------------------------------------------------------

        private Block ShareSubexpressions(Block block, Dictionary<Expr, Expr> inherited)
        {
            var available = new Dictionary<Expr, Expr>(inherited);
            var output = new List<Stmt>();
            var hoists = HoistCandidates(block, available);
            for (int k = 0; k < block.Statements.Count; k++)
            {
                var s = block.Statements[k];
                foreach (var e in hoists.Where(h => h.Statement == k).Select(h => h.Expr))
                {
                    Flatten(e, available, output, unconditional: true);
                }

                Stmt mapped;
                switch (s)
                {
                    case If branch:
                    {
                        var condition = Flatten(branch.Condition, available, output, unconditional: true);
                        var then = ShareWithTail(branch.Then, available, branch.Phis.Select(p => p.WhenTrue).ToList(), out var thenTails);
                        var @else = ShareWithTail(branch.Else, available, branch.Phis.Select(p => p.WhenFalse).ToList(), out var elseTails);
                        var phis = branch.Phis.Select((p, i) => new Phi(p.Name, p.Type, thenTails[i], elseTails[i])).ToEquatableArray();
                        mapped = new If(condition, then, @else, phis);
                        break;
                    }

                    case Loop loop:
                    {
                        var inits = loop.Carried.Select(v => FlattenRoot(v.Init, available, output)).ToList();
                        var condition = Substitute(loop.Condition, available);
                        var header = ShareSubexpressions(loop.Header, available);
                        var body = ShareWithTail(loop.Body, available, loop.Carried.Select(v => v.Next).ToList(), out var nexts);
                        var carried = loop.Carried.Select((v, i) => new LoopVar(v.Name, v.Type, inits[i], nexts[i])).ToEquatableArray();
                        mapped = loop with { Carried = carried, Condition = condition, Header = header, Body = body };
                        break;
                    }

                    case Let plain:
                        mapped = new Let(plain.Name, FlattenLetValue(plain.Value, available, output));
                        break;

                    case CallWithGradient withGradient:
                        mapped = new CallWithGradient(withGradient.Name, (UserCall)MapOperands(withGradient.Call, available, output, unconditional: true), withGradient.Partials);
                        break;

                    case Invoke invoke:
                        mapped = new Invoke((UserCall)MapOperands(invoke.Call, available, output, unconditional: true));
                        break;

                    case CallBackward backward:
                        mapped = new CallBackward(
                            (UserCall)MapOperands(backward.Call, available, output, unconditional: true),
                            FlattenRoot(backward.Seed, available, output),
                            backward.Outputs);
                        break;

                    case CallWithDerivative withDerivative:
                        mapped = new CallWithDerivative(
                            withDerivative.Name,
                            (UserCall)MapOperands(withDerivative.Call, available, output, unconditional: true),
                            withDerivative.Tangents.Select(t => FlattenRoot(t, available, output)).ToEquatableArray(),
                            withDerivative.Tangent);
                        break;

                    default:
                        mapped = Walk.MapExpressions(s, e => FlattenRoot(e, available, output));
                        break;
                }

                if (mapped is Let let && Shareable(let.Value))
                {
                    available[let.Value] = let.Ref;
                }

                output.Add(mapped);
            }

            return new Block(output.ToEquatableArray());
        }

        /// <summary>
        /// Expressions this block evaluates unconditionally at its own level that also occur inside its nested
        /// blocks: computing them once, before the first statement that needs them, costs nothing extra. With the
        /// index of that statement.
        /// </summary>
        private List<(Expr Expr, int Statement)> HoistCandidates(Block block, Dictionary<Expr, Expr> available)
        {
            var direct = new HashSet<Expr>();
            foreach (var s in block.Statements)
            {
                foreach (var e in DirectExpressions(s))
                {
                    CollectUnconditional(e, direct);
                }
            }

            direct.RemoveWhere(e => available.ContainsKey(e) || !Shareable(e));
            if (direct.Count == 0)
            {
                return new List<(Expr, int)>();
            }

            var nestedCounts = new Dictionary<Expr, int>();
            var first = new Dictionary<Expr, int>();
            for (int k = 0; k < block.Statements.Count; k++)
            {
                var s = block.Statements[k];
                foreach (var e in DirectExpressions(s))
                {
                    Visit(e, x =>
                    {
                        if (direct.Contains(x) && !first.ContainsKey(x))
                        {
                            first[x] = k;
                        }
                    });
                }

                foreach (var e in NestedExpressions(s))
                {
                    Visit(e, x =>
                    {
                        if (direct.Contains(x))
                        {
                            nestedCounts[x] = nestedCounts.TryGetValue(x, out int n) ? n + 1 : 1;
                            if (!first.ContainsKey(x) || first[x] > k)
                            {
                                first[x] = k;
                            }
                        }
                    });
                }
            }

            // An expression can only move up to a point where everything it reads is defined. A loop's carried names
            // mean the iteration's values inside it and the final values after it: an expression after the loop that
            // reads them is not the one inside, and must not move above the loop.
            var definedAt = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int k = 0; k < block.Statements.Count; k++)
            {
                foreach (var name in Walk.Defines(block.Statements[k]))
                {
                    definedAt[name] = k;
                }
            }

            bool Movable(Expr e)
            {
                bool ok = true;
                Walk.Vars(e, name => ok &= !definedAt.TryGetValue(name, out int k) || k < first[e]);
                return ok;
            }

            // Smallest first, so a hoisted expression's own parts are already named when it is.
            return nestedCounts.Keys
                .Where(Movable)
                .Select(e => (Expr: e, Statement: first[e]))
                .OrderBy(h => h.Statement)
                .ThenBy(h => Size(h.Expr))
                .ToList();
        }

        private static int Size(Expr e) => 1 + Walk.Children(e).Sum(Size);

        private static void Visit(Expr e, Action<Expr> action)
        {
            action(e);
            foreach (var c in Walk.Children(e))
            {
                Visit(c, action);
            }
        }

        private static void CollectUnconditional(Expr e, HashSet<Expr> into)
        {
            if (Ir.IsAtomic(e))
            {
                return;
            }

            into.Add(e);
            switch (e)
            {
                case Cond c:
                    CollectUnconditional(c.Condition, into);
                    break;
                case Binary { Op: BinaryOp.And or BinaryOp.Or } b:
                    CollectUnconditional(b.Left, into);
                    break;
                default:
                    foreach (var c in Walk.Children(e))
                    {
                        CollectUnconditional(c, into);
                    }

                    break;
            }
        }

        /// <summary>The expressions a statement evaluates in its enclosing block.</summary>
        private static IEnumerable<Expr> DirectExpressions(Stmt s) => s switch
        {
            If i => new[] { i.Condition },
            Loop l => l.Carried.Select(v => v.Init),
            _ => CollectExpressions(s),
        };

        /// <summary>The expressions a statement evaluates inside its nested blocks (phi and next values included).</summary>
        private static IEnumerable<Expr> NestedExpressions(Stmt s) => s switch
        {
            If i => i.Phis.SelectMany(p => new[] { p.WhenTrue, p.WhenFalse }).Concat(i.Then.Statements.Concat(i.Else.Statements).SelectMany(Walk.AllExpressions)),
            Loop l => l.Carried.Select(v => v.Next).Concat(new[] { l.Condition }).Concat(l.Header.Statements.Concat(l.Body.Statements).SelectMany(Walk.AllExpressions)),
            _ => Array.Empty<Expr>(),
        };

        private static List<Expr> CollectExpressions(Stmt s)
        {
            var list = new List<Expr>();
            Walk.MapExpressions(s, e =>
            {
                list.Add(e);
                return e;
            });
            return list;
        }

        /// <summary>Shares subexpressions in a nested block whose end also evaluates <paramref name="tails"/> (phi or next values).</summary>
        private Block ShareWithTail(Block block, Dictionary<Expr, Expr> available, List<Expr> tails, out List<Expr> mappedTails)
        {
            var inner = new Dictionary<Expr, Expr>(available);
            var shared = ShareSubexpressions(block, inner);

            // Rebuild the availability at the end of the block to flatten the tails there.
            var atEnd = new Dictionary<Expr, Expr>(available);
            foreach (var s in shared.Statements)
            {
                if (s is Let let && Shareable(let.Value))
                {
                    atEnd[let.Value] = let.Ref;
                }
            }

            var extra = new List<Stmt>();
            mappedTails = tails.Select(t => FlattenRoot(t, atEnd, extra)).ToList();
            return extra.Count == 0 ? shared : new Block(shared.Statements.Concat(extra).ToEquatableArray());
        }

        private Expr FlattenRoot(Expr e, Dictionary<Expr, Expr> available, List<Stmt> output)
        {
            if (available.TryGetValue(e, out var known))
            {
                return known;
            }

            // The root of a value that is not a let (an output, a return) gets a temporary too, so a later statement
            // can share it; the inliner puts it back when nothing does.
            return Flatten(e, available, output, unconditional: true);
        }

        /// <summary>A let's own value: its operands are shared, the value itself becomes the let.</summary>
        private Expr FlattenLetValue(Expr e, Dictionary<Expr, Expr> available, List<Stmt> output)
        {
            if (available.TryGetValue(e, out var known))
            {
                return known;
            }

            return MapOperands(e, available, output, unconditional: true);
        }

        private Expr Flatten(Expr e, Dictionary<Expr, Expr> available, List<Stmt> output, bool unconditional)
        {
            Limits.EnsureStack();
            if (Ir.IsAtomic(e))
            {
                return e;
            }

            if (available.TryGetValue(e, out var known))
            {
                return known;
            }

            var mapped = MapOperands(e, available, output, unconditional);
            if (available.TryGetValue(mapped, out known))
            {
                return known;
            }

            if (!unconditional || !Shareable(mapped))
            {
                return mapped;
            }

            var temp = new Let(_namer.NewTemp(), mapped);
            output.Add(temp);
            available[mapped] = temp.Ref;

            // The expression as it was written names the same value here: a parent flattened later finds it at once,
            // instead of walking down to it again (which made deep expressions quadratic).
            available[e] = temp.Ref;
            return temp.Ref;
        }

        /// <summary>Flattens the operands of <paramref name="e"/>; operands evaluated only conditionally are only substituted.</summary>
        private Expr MapOperands(Expr e, Dictionary<Expr, Expr> available, List<Stmt> output, bool unconditional)
        {
            switch (e)
            {
                case Cond c:
                {
                    var condition = Flatten(c.Condition, available, output, unconditional);
                    var t = Flatten(c.WhenTrue, available, output, unconditional: false);
                    var f = Flatten(c.WhenFalse, available, output, unconditional: false);
                    return new Cond(condition, t, f, c.Type);
                }

                case Binary { Op: BinaryOp.And or BinaryOp.Or } b:
                {
                    var l = Flatten(b.Left, available, output, unconditional);
                    var r = Flatten(b.Right, available, output, unconditional: false);
                    return new Binary(b.Op, l, r, b.Type);
                }

                default:
                    return Walk.MapChildren(e, c => Flatten(c, available, output, unconditional));
            }
        }

        private static Expr Substitute(Expr e, Dictionary<Expr, Expr> available) =>
            available.TryGetValue(e, out var known) ? known : Walk.MapChildren(e, c => Substitute(c, available));

        private readonly Dictionary<object, bool> _shareable = new Dictionary<object, bool>(ReferenceComparer.Instance);

        /// <summary>Whether an expression's value may be shared: not a read of an array that changes during the method. Memoized per node, so the scheduler stays linear in the size of the method.</summary>
        private bool Shareable(Expr e)
        {
            if (e is Var or Const)
            {
                return true;
            }

            if (_shareable.TryGetValue(e, out bool known))
            {
                return known;
            }

            bool result = !(e is Elem el && _unstable.Contains(el.Array));
            if (result)
            {
                foreach (var c in Walk.Children(e))
                {
                    if (!Shareable(c))
                    {
                        result = false;
                        break;
                    }
                }
            }

            _shareable[e] = result;
            return result;
        }

        // ---- Inlining ----------------------------------------------------------------------------------------

        /// <summary>Puts back inline every generated let that is read exactly once, by a later statement of the same block.</summary>
        private Block InlineSingleUses(Block body)
        {
            while (true)
            {
                var uses = CountUses(body);
                _inlined = false;
                body = Inline(body, uses);
                if (!_inlined)
                {
                    return body;
                }
            }
        }

        private Block Inline(Block block, Dictionary<string, int> uses)
        {
            var statements = block.Statements.Select(s => InlineNested(s, uses)).ToList();

            // For each name, the index of the statement of this block that reads it at its own level (kept up to
            // date as values move), so each let finds its single reader without rescanning the block.
            var reader = new Dictionary<string, int>(StringComparer.Ordinal);
            var scratch = new List<Expr>();
            for (int j = 0; j < statements.Count; j++)
            {
                foreach (var name in DirectReads(statements[j], scratch))
                {
                    reader[name] = j;
                }
            }

            // The size of each statement's own expressions, kept up to date as values move into it: a chain of
            // single uses (s = s * a + b written a thousand times) is inlined only up to a readable size, which also
            // keeps this pass linear in the length of the method.
            var sizes = statements.Select(st =>
            {
                DirectReads(st, scratch);
                return scratch.Sum(NodeCount);
            }).ToArray();
            var removed = new bool[statements.Count];
            for (int i = statements.Count - 1; i >= 0; i--)
            {
                if (statements[i] is not Let let || _keep.Contains(let.Name) || !uses.TryGetValue(let.Name, out int n) || n != 1 || !Shareable(let.Value)
                    || !reader.TryGetValue(let.Name, out int j) || j <= i || sizes[j] + sizes[i] > MaxInlinedSize)
                {
                    continue;
                }

                var map = new Dictionary<string, Expr>(StringComparer.Ordinal) { [let.Name] = let.Value };
                statements[j] = MapDirect(statements[j], e => Walk.Substitute(e, map));
                sizes[j] += sizes[i];
                removed[i] = true;
                _inlined = true;
                Walk.Vars(let.Value, name => reader[name] = j);
            }

            return new Block(statements.Where((_, k) => !removed[k]).ToEquatableArray());
        }

        /// <summary>The largest expression (in IR nodes) that inlining single uses may build: bigger ones keep their lets.</summary>
        private const int MaxInlinedSize = 64;

        private readonly Dictionary<object, int> _nodeCounts = new Dictionary<object, int>(ReferenceComparer.Instance);

        /// <summary>The number of nodes of an expression as a tree, memoized per node.</summary>
        private int NodeCount(Expr e)
        {
            if (e is Var or Const)
            {
                return 1;
            }

            if (_nodeCounts.TryGetValue(e, out int known))
            {
                return known;
            }

            int n = 1;
            foreach (var c in Walk.Children(e))
            {
                n += NodeCount(c);
            }

            _nodeCounts[e] = n;
            return n;
        }

        /// <summary>The names a statement reads at its own level (a branch condition, a loop's initial values, a let's value...).</summary>
        private static List<string> DirectReads(Stmt s, List<Expr> scratch)
        {
            scratch.Clear();
            switch (s)
            {
                case If i:
                    scratch.Add(i.Condition);
                    break;
                case Loop l:
                    scratch.AddRange(l.Carried.Select(v => v.Init));
                    break;
                default:
                    Walk.DirectExpressions(s, scratch);
                    break;
            }

            var names = new List<string>();
            foreach (var e in scratch)
            {
                Walk.Vars(e, names.Add);
            }

            return names;
        }

        /// <summary>Inlines inside nested blocks, including into the values a block hands out at its end (phi and next values).</summary>
        private Stmt InlineNested(Stmt s, Dictionary<string, int> uses)
        {
            switch (s)
            {
                case If branch:
                {
                    var (then, thenTails) = InlineWithTails(branch.Then, branch.Phis.Select(p => p.WhenTrue).ToList(), uses);
                    var (@else, elseTails) = InlineWithTails(branch.Else, branch.Phis.Select(p => p.WhenFalse).ToList(), uses);
                    return new If(branch.Condition, then, @else, branch.Phis.Select((p, i) => new Phi(p.Name, p.Type, thenTails[i], elseTails[i])).ToEquatableArray());
                }

                case Loop loop:
                {
                    var (body, nexts) = InlineWithTails(loop.Body, loop.Carried.Select(v => v.Next).ToList(), uses);
                    return loop with { Header = Inline(loop.Header, uses), Body = body, Carried = loop.Carried.Select((v, i) => new LoopVar(v.Name, v.Type, v.Init, nexts[i])).ToEquatableArray() };
                }

                default:
                    return s;
            }
        }

        private (Block, List<Expr>) InlineWithTails(Block block, List<Expr> tails, Dictionary<string, int> uses)
        {
            var inlined = Inline(block, uses);
            var statements = inlined.Statements.ToList();
            for (int i = statements.Count - 1; i >= 0; i--)
            {
                if (statements[i] is not Let let || _keep.Contains(let.Name) || !uses.TryGetValue(let.Name, out int n) || n != 1 || !Shareable(let.Value))
                {
                    continue;
                }

                int tail = tails.FindIndex(t => Reads(t, let.Name));
                if (tail < 0 || NodeCount(tails[tail]) + NodeCount(let.Value) > MaxInlinedSize)
                {
                    continue;
                }

                var map = new Dictionary<string, Expr>(StringComparer.Ordinal) { [let.Name] = let.Value };
                tails[tail] = Walk.Substitute(tails[tail], map);
                statements.RemoveAt(i);
                _inlined = true;
            }

            return (new Block(statements.ToEquatableArray()), tails);
        }

        private static bool Reads(Expr e, string name)
        {
            bool found = false;
            Walk.Vars(e, v => found |= v == name);
            return found;
        }

        /// <summary>Whether a statement reads a name in the expressions evaluated in its enclosing block (a branch condition, a loop's initial values).</summary>
        private static bool DirectlyReads(Stmt s, string name)
        {
            bool found = false;
            MapDirect(s, e =>
            {
                Walk.Vars(e, v => found |= v == name);
                return e;
            });
            return found;
        }

        private static Stmt MapDirect(Stmt s, Func<Expr, Expr> map) => s switch
        {
            If i => new If(map(i.Condition), i.Then, i.Else, i.Phis),
            Loop l => l with { Carried = l.Carried.Select(v => new LoopVar(v.Name, v.Type, map(v.Init), v.Next)).ToEquatableArray() },
            _ => Walk.MapExpressions(s, map),
        };
    }
}

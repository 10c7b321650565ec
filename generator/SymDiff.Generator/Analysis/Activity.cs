using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.IR;
using SymDiff.Generator.Model;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.Analysis
{
    /// <summary>
    /// Activity analysis: which SSA values depend on an active parameter. Inactive values get no adjoint and no
    /// tangent, and are never stored for the reverse sweep. <c>Grad.Detach</c>, piecewise-constant functions,
    /// comparisons and conversions to int cut the dependence.
    /// </summary>
    internal sealed class Activity
    {
        private readonly HashSet<string> _vars;
        private readonly HashSet<string> _arrays;

        private Activity(HashSet<string> vars, HashSet<string> arrays)
        {
            _vars = vars;
            _arrays = arrays;
        }

        public bool IsActiveVar(string name) => _vars.Contains(name);

        public bool IsActiveArray(string name) => _arrays.Contains(name);

        /// <summary>
        /// The arguments of <paramref name="body"/>'s differentiable calls that depend on an active parameter but go to a
        /// parameter the callee does not differentiate (SD1005): reported whether or not the call itself is active.
        /// </summary>
        public List<(UserCall Call, int Parameter)> CutArguments(Block body)
        {
            var cuts = new List<(UserCall, int)>();
            var expressions = new List<Expr>();
            Walk.AllExpressions(body, expressions);
            foreach (var e in expressions)
            {
                Walk.Contains(e, x =>
                {
                    if (x is UserCall { Callee.Kind: CalleeKind.Differentiable } call)
                    {
                        for (int i = 0; i < call.Args.Count; i++)
                        {
                            bool differentiated = i < call.Callee.Active.Count && call.Callee.Active[i];
                            if (!differentiated && (IsActive(call.Args[i]) || (SpanArguments.Is(call.Args[i], out var array) && _arrays.Contains(array))))
                            {
                                cuts.Add((call, i));
                            }
                        }
                    }

                    return false;
                });
            }

            return cuts;
        }

        /// <summary>Whether the value of <paramref name="e"/> depends on an active parameter.</summary>
        public bool IsActive(Expr e)
        {
            if (!e.Type.IsFloating())
            {
                return false;
            }

            if (e is Var v)
            {
                return _vars.Contains(v.Name);
            }

            if (e is Const)
            {
                return false;
            }

            // Memoized per node: differentiation asks about every subexpression of every expression it walks.
            if (_known.TryGetValue(e, out bool known))
            {
                return known;
            }

            Limits.EnsureStack();
            bool active = Compute(e);
            _known[e] = active;
            return active;
        }

        private readonly Dictionary<object, bool> _known = new Dictionary<object, bool>(ReferenceComparer.Instance);

        private bool Compute(Expr e)
        {
            return e switch
            {
                Var v => _vars.Contains(v.Name),
                Elem el => _arrays.Contains(el.Array),
                Unary u => IsActive(u.Operand),
                Binary b => IsActive(b.Left) || IsActive(b.Right),
                Cond c => IsActive(c.WhenTrue) || IsActive(c.WhenFalse),
                Call c => !Rules.DerivativeRules.IsPiecewiseConstant(c.Function) && c.Args.Any(IsActive),
                // A differentiable callee's parameter that never reaches its result (FINDINGS F21) or that it does not
                // differentiate ([NoGrad], SD1005; F53) passes no derivative.
                UserCall c => CallIsActive(c),
                // A partial from a multi-argument rule (an item of its rule method's tuple, a type that is never active
                // itself): active when the call's arguments are, which only a second derivative sees (a Hessian through a
                // tuple rule was a silent zero before).
                TupleItem { Tuple: UserCall c } => CallIsActive(c),
                _ => false,
            };
        }

        private bool CallIsActive(UserCall c) =>
            c.Args.Where((a, i) => c.Callee.Kind != CalleeKind.Differentiable || c.Callee.PassesDerivative(i))
                .Any(a => IsActive(a) || (SpanArguments.Is(a, out var array) && _arrays.Contains(array)));

        /// <summary>Analyses a function body: a fixed point over loops, whose carried values may become active in a later iteration.</summary>
        public static Activity Analyze(Block body, IEnumerable<ParamSpec> parameters)
        {
            var vars = new HashSet<string>(StringComparer.Ordinal);
            var arrays = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in parameters.Where(p => p.Active))
            {
                (p.Shape == ParamShape.Scalar ? vars : arrays).Add(p.Name);
            }

            var activity = new Activity(vars, arrays);
            while (activity.Visit(body))
            {
                // More values are active now: answers given before may change.
                activity._known.Clear();
            }

            return activity;
        }

        /// <summary>One pass; true if anything became active.</summary>
        private bool Visit(Block block)
        {
            bool changed = false;
            foreach (var s in block.Statements)
            {
                switch (s)
                {
                    case Let let when IsActive(let.Value):
                        changed |= _vars.Add(let.Name);
                        break;
                    case CallWithGradient call when call.Call.Args.Any(IsActive):
                        // In a gradient's own IR (forward over reverse): the value and the callee's partials all vary.
                        changed |= _vars.Add(call.Name);
                        foreach (var partial in call.Partials.Where(p => p.Length > 0))
                        {
                            changed |= _vars.Add(partial);
                        }

                        break;
                    case CallBackward backward when IsActive(backward.Seed) || backward.Call.Args.Any(a => IsActive(a) || (SpanArguments.Is(a, out var array) && _arrays.Contains(array))):
                        // In a gradient's own IR (forward over reverse): a span call's Backward adds seed times the callee's
                        // gradient into its outputs, which vary with the seed and the arguments.
                        foreach (var o in backward.Outputs)
                        {
                            changed |= o switch
                            {
                                Var v => _vars.Add(v.Name),
                                SpanRef r => _arrays.Add(r.Array),
                                SpanView v => _arrays.Add(v.Array),
                                _ => false,
                            };
                        }

                        break;
                    case Store store when IsActive(store.Value):
                        // An array written with an active value (the output span, a tape) is active.
                        changed |= _arrays.Add(store.Array);
                        break;
                    case Accumulate { Index: not null } accumulate when IsActive(accumulate.Value):
                        // Forward over reverse: an adjoint buffer accumulating active values (hBar[j] += ...) is active.
                        changed |= _arrays.Add(accumulate.Target);
                        break;
                    case If branch:
                        changed |= Visit(branch.Then);
                        changed |= Visit(branch.Else);
                        foreach (var phi in branch.Phis)
                        {
                            if (IsActive(phi.WhenTrue) || IsActive(phi.WhenFalse))
                            {
                                changed |= _vars.Add(phi.Name);
                            }
                        }

                        break;
                    case Loop loop:
                        foreach (var v in loop.Carried)
                        {
                            if (IsActive(v.Init))
                            {
                                changed |= _vars.Add(v.Name);
                            }
                        }

                        changed |= Visit(loop.Header);
                        changed |= Visit(loop.Body);
                        foreach (var v in loop.Carried)
                        {
                            if (IsActive(v.Next))
                            {
                                changed |= _vars.Add(v.Name);
                            }
                        }

                        break;
                }
            }

            return changed;
        }
    }
}

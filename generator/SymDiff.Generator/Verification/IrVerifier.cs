using System;
using System.Collections.Generic;
using System.Linq;
using SymDiff.Generator.IR;

namespace SymDiff.Generator.Verification
{
    /// <summary>Thrown when a pass produced IR that breaks an invariant; the method gets SD9001 naming the pass.</summary>
    internal sealed class IrVerificationException : Exception
    {
        public IrVerificationException(string pass, string problem)
            : base("after " + pass + ": " + problem)
        {
            Pass = pass;
        }

        public string Pass { get; }
    }

    /// <summary>How much of the IR the verifier checks.</summary>
    internal enum VerificationLevel
    {
        /// <summary>The IR each generated method is emitted from, once (what the shipped generator does: cheap).</summary>
        FinalOnly,

        /// <summary>After every pass (what the tests do): a broken pass is named.</summary>
        EveryPass,
    }

    /// <summary>How names are visible in the IR being checked.</summary>
    internal enum ScopeRules
    {
        /// <summary>
        /// Between lowering and scope repair: every use follows its definition in program order, and a value defined in
        /// a branch may be read after the branch (the reverse sweep reads forward values under the same condition; scope
        /// repair then hoists them). A loop's body values stay in the loop.
        /// </summary>
        ProgramOrder,

        /// <summary>After scope repair: C#'s own scoping. What a branch or a loop body defines stays in it.</summary>
        Lexical,
    }

    /// <summary>
    /// The IR verifier, like LLVM's: run after every pass, it checks that every read has a definition before it and in
    /// scope, that no name is defined twice, that every read agrees with its definition's type, that arrays are
    /// parameters, outputs or rented buffers, and that loop counters and buffer indices are integers. A broken pass
    /// is stopped here, with the pass named, instead of emitting code that does not compile or computes something else.
    /// Linear in the size of the IR; pure.
    /// </summary>
    internal sealed class IrVerifier
    {
        private readonly string _pass;
        private readonly ScopeRules _rules;
        /// <summary>The type of every name defined so far (one per name before scope repair).</summary>
        private readonly Dictionary<string, ValType> _types = new Dictionary<string, ValType>(StringComparer.Ordinal);

        private readonly HashSet<string> _defined = new HashSet<string>(StringComparer.Ordinal);
        private readonly HashSet<string> _declared = new HashSet<string>(StringComparer.Ordinal);

        private IrVerifier(string pass, ScopeRules rules)
        {
            _pass = pass;
            _rules = rules;
        }

        /// <summary>How much is checked; tests raise it to <see cref="VerificationLevel.EveryPass"/> (a module initializer in each test project).</summary>
        public static VerificationLevel Level { get; set; } = VerificationLevel.FinalOnly;

        /// <summary>Checks <paramref name="body"/> after an intermediate pass, when <see cref="Level"/> asks for every pass.</summary>
        public static void VerifyPass(Block body, string pass, IEnumerable<string> outside)
        {
            if (Level == VerificationLevel.EveryPass)
            {
                Verify(body, pass, ScopeRules.ProgramOrder, outside, outside);
            }
        }

        /// <summary>Checks <paramref name="body"/>; throws <see cref="IrVerificationException"/> naming <paramref name="pass"/> at the first problem.</summary>
        /// <param name="outside">Names defined before the body: parameters, generated parameters, and what a driver prelude declares.</param>
        /// <param name="arrays">Arrays defined before the body: array and span parameters, gradient and output buffers.</param>
        public static void Verify(Block body, string pass, ScopeRules rules, IEnumerable<string> outside, IEnumerable<string> arrays)
        {
            var verifier = new IrVerifier(pass, rules);
            var scope = new Scope(null);
            foreach (var name in outside)
            {
                scope.Names.Add(name);
            }

            foreach (var array in arrays)
            {
                scope.Arrays.Add(array);
            }

            verifier.Block(body, scope);
        }

        /// <summary>What is visible at a point: names and arrays, chained to the enclosing scope.</summary>
        private sealed class Scope
        {
            public Scope(Scope? parent)
            {
                Parent = parent;
            }

            public Scope? Parent { get; }

            public HashSet<string> Names { get; } = new HashSet<string>(StringComparer.Ordinal);

            public HashSet<string> Arrays { get; } = new HashSet<string>(StringComparer.Ordinal);

            /// <summary>The type of each name defined in this scope: sibling blocks may reuse a name with another type.</summary>
            public Dictionary<string, ValType> Types { get; } = new Dictionary<string, ValType>(StringComparer.Ordinal);

            public bool Sees(string name) => Names.Contains(name) || (Parent?.Sees(name) ?? false);

            /// <summary>The type of the definition of <paramref name="name"/> visible here, if this verifier recorded one.</summary>
            public bool TryGetType(string name, out ValType type)
            {
                for (var s = this; s is not null; s = s.Parent)
                {
                    if (s.Types.TryGetValue(name, out type))
                    {
                        return true;
                    }
                }

                type = default;
                return false;
            }

            public bool SeesArray(string name) => Arrays.Contains(name) || (Parent?.SeesArray(name) ?? false);
        }

        /// <summary>Every expression <see cref="Read"/> has still to look at (one stack for the whole verification).</summary>
        private readonly Stack<Expr> _pending = new Stack<Expr>();

        /// <summary>Where an expression is, for a failure's message: written out only when a check fails (the checks run on every generated method).</summary>
        private readonly struct Place
        {
            private readonly string _text;
            private readonly string? _name;
            private readonly string _suffix;

            public Place(string text, string? name = null, string suffix = "")
            {
                _text = text;
                _name = name;
                _suffix = suffix;
            }

            public override string ToString() => _name is null ? _text : _text + " '" + _name + _suffix + "'";
        }

        private void Fail(string problem) => throw new IrVerificationException(_pass, problem);

        private void Define(string name, ValType type, Scope scope)
        {
            // A name scope repair declared earlier is assigned here, not defined again.
            if (_declared.Contains(name) && scope.Sees(name))
            {
                CheckType(name, type, scope);
                return;
            }

            // Before scope repair every name is defined once in the whole method (SSA); after it, C#'s rule: not again
            // where it is visible (sibling blocks may reuse a name, as two loops may each have their 'i').
            if (_rules == ScopeRules.ProgramOrder ? !_defined.Add(name) : scope.Sees(name))
            {
                Fail($"'{name}' is defined twice");
            }

            _defined.Add(name);
            scope.Types[name] = type;
            _types[name] = type;
            scope.Names.Add(name);
        }

        private void Block(Block block, Scope scope)
        {
            foreach (var s in block.Statements)
            {
                Statement(s, scope);
            }
        }

        private void Statement(Stmt s, Scope scope)
        {
            switch (s)
            {
                case Let l:
                    Read(l.Value, scope, new Place("the value of", l.Name));
                    Define(l.Name, l.Type, scope);
                    if (l.Type == ValType.Span)
                    {
                        // A view (a slice of a buffer) is indexed and written like one.
                        scope.Arrays.Add(l.Name);
                    }

                    break;
                case Comment:
                    break;
                case FiniteCheck check:
                    // Inserted after scheduling (CheckFinite): it only reads, and the final naming pass sees it.
                    Read(check.Value, scope, new Place("a finite check"));
                    foreach (var operand in check.Operands)
                    {
                        Read(operand, scope, new Place("a finite check"));
                    }

                    break;
                case Declare d:
                    Define(d.Name, d.Type, scope);
                    _declared.Add(d.Name);
                    break;
                case Assign a:
                    if (!_declared.Contains(a.Name) || !scope.Sees(a.Name))
                    {
                        Fail($"'{a.Name}' is assigned without a declaration in scope");
                    }

                    Read(a.Value, scope, new Place("the value assigned to", a.Name));
                    CheckType(a.Name, a.Value.Type, scope);
                    break;
                case Return r:
                    Read(r.Value, scope, new Place("the returned value"));
                    break;
                case Store st:
                    Array(st.Array, scope);
                    Index(st.Index, scope, st.Array);
                    Read(st.Value, scope, new Place("the value stored into", st.Array));
                    break;
                case Accumulate ac:
                    if (ac.Index is null)
                    {
                        if (!scope.Sees(ac.Target))
                        {
                            Fail($"'{ac.Target}' is accumulated into but not in scope");
                        }
                    }
                    else
                    {
                        Array(ac.Target, scope);
                        Index(ac.Index, scope, ac.Target);
                    }

                    Read(ac.Value, scope, new Place("the value accumulated into", ac.Target));
                    break;
                case SetOutput o:
                    if (!scope.Sees(o.Target))
                    {
                        Fail($"the output '{o.Target}' is not a parameter in scope");
                    }

                    Read(o.Value, scope, new Place("the value of the output", o.Target));
                    break;
                case ClearBuffer c:
                    Array(c.Target, scope);
                    break;
                case RentBuffer rent:
                    Read(rent.Length, scope, new Place("the length of", rent.Name));
                    IntOnly(rent.Length, new Place("the length of", rent.Name));
                    if (!_defined.Add(rent.Name))
                    {
                        Fail($"'{rent.Name}' is defined twice");
                    }

                    scope.Arrays.Add(rent.Name);
                    break;
                case EnsureCapacity e:
                    Array(e.Name, scope);
                    Index(e.Index, scope, e.Name);
                    break;
                case ClearArray c:
                    Array(c.Name, scope);
                    Read(c.Length, scope, new Place("the length cleared in", c.Name));
                    break;
                case CopySpan copy:
                    Array(copy.Source, scope);
                    Array(copy.Target, scope);
                    break;
                case CallWithGradient call:
                    Read(call.Call, scope, new Place("the call of", call.Call.Callee.Name));
                    Define(call.Name, call.Call.Type, scope);
                    foreach (var p in call.Partials.Where(p => p.Length > 0))
                    {
                        Define(p, call.Call.Type, scope);
                    }

                    break;
                case CallWithDerivative call:
                    Read(call.Call, scope, new Place("the call of", call.Call.Callee.Name));
                    foreach (var t in call.Tangents)
                    {
                        Read(t, scope, new Place("a tangent passed to", call.Call.Callee.Name));
                    }

                    Define(call.Name, call.Call.Type, scope);
                    Define(call.Tangent, call.Call.Type, scope);
                    break;
                case CallBackward call:
                    Read(call.Call, scope, new Place("the call of", call.Call.Callee.Name, "Backward"));
                    Read(call.Seed, scope, new Place("the seed of", call.Call.Callee.Name, "Backward"));
                    foreach (var o in call.Outputs)
                    {
                        if (o is Var v)
                        {
                            if (!scope.Sees(v.Name))
                            {
                                Fail($"'{v.Name}' receives a gradient but is not declared in scope");
                            }
                        }
                        else
                        {
                            Read(o, scope, new Place("a gradient buffer of", call.Call.Callee.Name, "Backward"));
                        }
                    }

                    break;
                case Invoke invoke:
                    Read(invoke.Call, scope, new Place("the call of", invoke.Call.Callee.Name));
                    break;
                case If branch:
                    If(branch, scope);
                    break;
                case Loop loop:
                    Loop(loop, scope);
                    break;
                default:
                    Fail("unknown statement " + s.GetType().Name);
                    break;
            }
        }

        private void If(If branch, Scope scope)
        {
            Read(branch.Condition, scope, new Place("an if condition"));
            if (branch.Condition.Type != ValType.Bool)
            {
                Fail("an if condition is not a bool");
            }

            var then = new Scope(scope);
            Block(branch.Then, then);
            var @else = new Scope(scope);
            Block(branch.Else, @else);
            foreach (var phi in branch.Phis)
            {
                Read(phi.WhenTrue, then, new Place("the then-value of", phi.Name));
                Read(phi.WhenFalse, @else, new Place("the else-value of", phi.Name));
            }

            foreach (var phi in branch.Phis)
            {
                Define(phi.Name, phi.Type, scope);
            }

            if (_rules == ScopeRules.ProgramOrder)
            {
                // The reverse sweep reads what a forward branch computed, under the same condition; scope repair hoists it.
                scope.Names.UnionWith(then.Names);
                scope.Names.UnionWith(@else.Names);
                scope.Arrays.UnionWith(then.Arrays);
                scope.Arrays.UnionWith(@else.Arrays);
            }
        }

        private void Loop(Loop loop, Scope scope)
        {
            foreach (var v in loop.Carried)
            {
                Read(v.Init, scope, new Place("the initial value of", v.Name));
                if (v.Init.Type != v.Type && !(v.Init is Const))
                {
                    Fail($"'{v.Name}' is a {v.Type} but starts as a {v.Init.Type}");
                }
            }

            var inner = new Scope(scope);
            foreach (var v in loop.Carried)
            {
                Define(v.Name, v.Type, inner);
            }

            if (loop.Counter is not null && !loop.Carried.Any(v => v.Name == loop.Counter && v.Type == ValType.Int))
            {
                Fail($"the loop counter '{loop.Counter}' is not a carried int");
            }

            Block(loop.Header, inner);
            Read(loop.Condition, inner, new Place("a loop condition"));
            if (loop.Condition.Type != ValType.Bool)
            {
                Fail("a loop condition is not a bool");
            }

            var body = new Scope(inner);
            Block(loop.Body, body);
            foreach (var v in loop.Carried)
            {
                Read(v.Next, body, new Place("the next value of", v.Name));
                if (v.Next.Type != v.Type && !(v.Next is Const))
                {
                    Fail($"'{v.Name}' is a {v.Type} but its next value is a {v.Next.Type}");
                }
            }

            // After the loop its carried names hold the final values; what the body defined is gone. A counter the emitter
            // declares in the for (Loop.CounterInFor) is gone too, so a sibling loop may count with the same name.
            var forCounter = loop.CounterInFor && _rules != ScopeRules.ProgramOrder ? LoopShape.Counter(loop)?.Counter.Name : null;
            foreach (var v in loop.Carried)
            {
                if (v.Name != forCounter)
                {
                    scope.Names.Add(v.Name);
                }
            }
        }

        private void Array(string name, Scope scope)
        {
            // A name with a dot is the code of a field or property read as constant data (Parser.ConstantData).
            if (!scope.SeesArray(name) && name.IndexOf('.') < 0)
            {
                Fail($"the array '{name}' is used but is neither a parameter nor a buffer in scope");
            }
        }

        private void Index(Expr index, Scope scope, string array)
        {
            Read(index, scope, new Place("an index into", array));
            IntOnly(index, new Place("an index into", array));
        }

        private void IntOnly(Expr e, Place what)
        {
            if (e.Type != ValType.Int)
            {
                Fail(what + " is not an int");
            }
        }

        private void CheckType(string name, ValType type, Scope scope)
        {
            // Each name is defined once before scope repair (SSA): its one type. After it, the definition in scope.
            bool known = _rules == ScopeRules.ProgramOrder ? _types.TryGetValue(name, out var defined) : scope.TryGetType(name, out defined);
            if (known && defined != type && type is not (ValType.Object or ValType.Tuple or ValType.Span))
            {
                Fail($"'{name}' is defined as a {defined} but read as a {type}");
            }
        }

        /// <summary>Every variable and array <paramref name="e"/> reads is defined and visible, with its defined type.</summary>
        private void Read(Expr e, Scope scope, Place where)
        {
            var pending = _pending;
            pending.Clear();
            pending.Push(e);
            while (pending.Count > 0)
            {
                var x = pending.Pop();
                switch (x)
                {
                    case Var v:
                        if (!scope.Sees(v.Name))
                        {
                            Fail($"'{v.Name}' is read in {where} before it is defined, or out of its scope");
                        }

                        CheckType(v.Name, v.Type, scope);
                        break;
                    case Elem el:
                        Array(el.Array, scope);
                        IntOnly(el.Index, new Place("an index into", el.Array));
                        break;
                    case Len len:
                        Array(len.Array, scope);
                        break;
                    case SpanRef span:
                        Array(span.Array, scope);
                        break;
                    case SpanView view:
                        Array(view.Array, scope);
                        break;
                }

                foreach (var c in Walk.Children(x))
                {
                    pending.Push(c);
                }
            }
        }
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.IR
{
    /// <summary>
    /// The last naming pass, on a finished method body (scheduled, scopes repaired, checks inserted): gives each name
    /// SymDiff made with a suffix (<c>i_4</c>, <c>s_3</c>, <c>yBar2</c>, <c>hValue_1</c>) the shortest name it may have
    /// in C#: its stem (<c>i</c>) when no local of an enclosing, the same or a nested C# scope has it, else
    /// <c>stem2</c>, <c>stem3</c>... (<c>i2_2</c> for a stem that ends in a digit) when that name appears nowhere in the method. A
    /// local the parser named apart because the user reused a name (a second loop's <c>i</c> is <c>i2</c>) takes the name the
    /// user wrote back where it is free, and its versions (<c>i2_2</c>) try that name first, then <c>i2</c>, then <c>i4</c>... Parameters, fields and any other
    /// name the method reads without declaring are never taken. Only names change; the IR is the same otherwise.
    /// </summary>
    /// <remarks>
    /// Scopes are those the emitter writes: a branch's sides and a loop's header and body are blocks; a loop's counter
    /// belongs to the loop when nothing outside the loop reads it (the emitter declares it in the <c>for</c>), else to
    /// the enclosing block, like every other carried value and every phi. The statements after a rented buffer (in a
    /// <c>try</c>) count as the enclosing block's, which only forbids more. Linear in the body's size times its
    /// nesting depth.
    /// </remarks>
    internal static class ScopedNames
    {
        private sealed class Scope
        {
            public Scope(Scope? parent) => Parent = parent;

            public Scope? Parent { get; }

            /// <summary>Names declared directly in this scope.</summary>
            public HashSet<string> Declared { get; } = new HashSet<string>(StringComparer.Ordinal);

            /// <summary>Names declared in this scope or any scope nested in it, with how many declarations.</summary>
            public Dictionary<string, int> Within { get; } = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        /// <param name="body">The finished body.</param>
        /// <param name="hoisted">Names declared ahead (scope repair): their lets, phis and loop values assign, not declare.</param>
        /// <param name="userNames">The user's own names: never renamed (a stem may still be one).</param>
        /// <param name="reserved">Names the method may not declare: parameters, and every identifier of C# text around the body (guards).</param>
        /// <param name="sourceNames">The user's locals the parser named apart (<c>i2</c>), with the name the user wrote (<c>i</c>): each takes that name back where it is free, and its versions start from it.</param>
        /// <returns>The body and hoisted names renamed, and the names the body reads without declaring them.</returns>
        public static (Block Body, EquatableArray<string> Hoisted, HashSet<string> Outside) Apply(Block body, EquatableArray<string> hoisted, ICollection<string> userNames, IEnumerable<string> reserved, IReadOnlyDictionary<string, string>? sourceNames = null)
        {
            var state = new State(new HashSet<string>(hoisted, StringComparer.Ordinal));
            var expressions = new List<Expr>();
            Walk.AllExpressions(body, expressions);
            foreach (var e in expressions)
            {
                state.CountReads(e);
            }

            var root = new Scope(null);
            state.VisitBlock(body, root);
            if (state.CountersInFor.Count > 0)
            {
                body = MarkCounters(body, state.CountersInFor);
            }

            // Every name the method mentions: renamed ones are replaced as the pass goes.
            var present = new HashSet<string>(state.Mentioned, StringComparer.Ordinal);
            present.UnionWith(state.Declarations.Keys);
            var outside = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in state.Mentioned)
            {
                if (!state.Declarations.ContainsKey(name))
                {
                    outside.Add(name); // read but never declared: a parameter, a field, a constant
                }
            }

            var forbidden = new HashSet<string>(reserved, StringComparer.Ordinal);
            forbidden.UnionWith(outside);

            present.UnionWith(forbidden);
            var renames = new Dictionary<string, string>(StringComparer.Ordinal);

            // Per stem, a number k such that stem2 ... stem(k-1) are all taken (present or the user's).
            var taken = new Dictionary<string, int>(StringComparer.Ordinal);
            // The user's names a numbered name may not take; a local given its source name back frees its own.
            var userTaken = new HashSet<string>(userNames, StringComparer.Ordinal);
            // Earlier versions first (stable otherwise): the loop counter k_3 gets k before its bound k_4 does.
            var versions = new int[state.Order.Count];
            var order = new int[state.Order.Count];
            for (int i = 0; i < order.Length; i++)
            {
                versions[i] = Version(state.Order[i]);
                order[i] = i;
            }

            System.Array.Sort(order, (a, b) => versions[a] != versions[b] ? versions[a].CompareTo(versions[b]) : a.CompareTo(b));
            foreach (int index in order)
            {
                string name = state.Order[index];
                if (forbidden.Contains(name) || state.Fixed.Contains(name) || state.Declarations[name].Count != 1)
                {
                    continue;
                }

                // A local the parser named apart (the second loop's i is i2) may have the name the user wrote back; a
                // version (i2_2) starts from that name too. Any other user's name stays as it is.
                string? source = null;
                string? stem = null;
                bool user = userNames.Contains(name);
                if (user)
                {
                    if (sourceNames is null || !sourceNames.TryGetValue(name, out source))
                    {
                        continue;
                    }
                }
                else if ((stem = Stem(name)) is null)
                {
                    // A name made from another (yRead2Dot, the tangent of yRead2) follows it when it was renamed: yReadDot.
                    if (Derived(name, renames) is { } follows && IsFree(state, forbidden, present, name, follows))
                    {
                        Rename(name, follows);
                    }

                    continue;
                }

                string basis = (stem is not null && sourceNames is not null && sourceNames.TryGetValue(stem, out var original) ? original : stem) ?? source!;
                string? chosen = null;

                // The emitter decides by name whether a name declared ahead is declared or assigned (and whether it is
                // read at all): such a name stays unique in the method, and no other takes its name (see Free).
                bool Free(string candidate) => IsFree(state, forbidden, present, name, candidate);

                // A version of a name SymDiff numbered itself (aIndex2_3, of the second copy loop's aIndex2) counts from
                // that name's own stem: aIndex where free, then aIndex2, then aIndex3..., never aIndex2_3.
                string? ownStem = !user && basis == stem && !userNames.Contains(basis) ? Stem(basis) : null;
                if (ownStem is not null && Free(ownStem))
                {
                    chosen = ownStem;
                }
                else if (Free(basis))
                {
                    chosen = basis;
                }
                else if (stem is not null && stem != basis && Free(stem))
                {
                    chosen = stem;
                }
                else if (!user)
                {
                    basis = ownStem ?? basis;

                    // i2 taken: i2_2, not i22. The search starts where the last one for this stem stopped (every
                    // number below it is still taken), so many versions of one stem cost linear time, not quadratic.
                    string separator = char.IsDigit(basis[basis.Length - 1]) ? "_" : string.Empty;
                    int k = taken.TryGetValue(basis, out int first) ? first : 2;
                    if (k > 2 && Number(name, basis.Length + separator.Length) is int own && own >= 2 && own < k
                        && string.CompareOrdinal(name, 0, basis, 0, basis.Length) == 0 && string.CompareOrdinal(name, basis.Length, separator, 0, separator.Length) == 0)
                    {
                        continue; // a number below the first free one: already the shortest free name
                    }

                    for (; ; k++)
                    {
                        string candidate = basis + separator + k.ToString(CultureInfo.InvariantCulture);
                        if (candidate == name)
                        {
                            break; // already the shortest free one
                        }

                        if (!present.Contains(candidate) && !userTaken.Contains(candidate))
                        {
                            chosen = candidate;
                            break;
                        }
                    }

                    taken[basis] = k + 1; // the name (or the one chosen) takes number k
                }

                if (chosen is null || chosen == name)
                {
                    continue;
                }

                Rename(name, chosen);
            }

            void Rename(string from, string to)
            {
                var declared = state.Declarations[from][0];
                renames[from] = to;
                present.Remove(from);
                userTaken.Remove(from);
                Freed(taken, from);
                present.Add(to);
                if (state.DeclaredAhead.Remove(from))
                {
                    state.DeclaredAhead.Add(to);
                }

                declared.Declared.Remove(from);
                declared.Declared.Add(to);
                for (var enclosing = declared; enclosing is not null; enclosing = enclosing.Parent)
                {
                    int count = enclosing.Within[from];
                    if (count == 1)
                    {
                        enclosing.Within.Remove(from);
                    }
                    else
                    {
                        enclosing.Within[from] = count - 1;
                    }

                    enclosing.Within[to] = enclosing.Within.TryGetValue(to, out int already) ? already + 1 : 1;
                }
            }

            if (renames.Count == 0)
            {
                return (body, hoisted, outside);
            }

            return (Walk.Rename(body, renames), hoisted.Select(h => renames.TryGetValue(h, out var r) ? r : h).ToEquatableArray(), outside);
        }

        /// <summary>Whether <paramref name="name"/>, declared once, may be called <paramref name="candidate"/>: nothing outside reads that name, it is not declared ahead (nor taken, for a name declared ahead), and no local of its scope, an enclosing or a nested one has it.</summary>
        private static bool IsFree(State state, HashSet<string> forbidden, HashSet<string> present, string name, string candidate) =>
            !forbidden.Contains(candidate) && !state.DeclaredAhead.Contains(candidate)
            && !(state.DeclaredAhead.Contains(name) && present.Contains(candidate)) && !Clashes(state.Declarations[name][0], candidate);

        /// <summary>
        /// For a name made of another and a suffix of letters (<c>yRead2Dot</c>, <c>s3Bar</c>) whose base was renamed
        /// (<c>yRead2</c> to <c>yRead</c>), the name with the new base (<c>yReadDot</c>); null otherwise.
        /// </summary>
        private static string? Derived(string name, Dictionary<string, string> renames)
        {
            for (int p = name.Length - 1; p > 0; p--)
            {
                char c = name[p];
                if (!char.IsLetter(c))
                {
                    return null;
                }

                if (char.IsUpper(c) && renames.TryGetValue(name.Substring(0, p), out var renamed))
                {
                    return renamed + name.Substring(p);
                }
            }

            return null;
        }

        /// <summary>
        /// A name no longer present may be a numbered candidate (<c>stem</c> + <c>k</c> or <c>stem</c> + <c>_k</c>) of
        /// some stem: that stem's search starts at <c>k</c> again at the latest.
        /// </summary>
        private static void Freed(Dictionary<string, int> taken, string name)
        {
            int digits = name.Length;
            while (digits > 0 && name[digits - 1] >= '0' && name[digits - 1] <= '9')
            {
                digits--;
            }

            if (digits == 0 || digits == name.Length || Number(name, digits) is not int k)
            {
                return;
            }

            // The separator is "_" exactly when the stem ends in a digit (i2_2).
            if (!char.IsDigit(name[digits - 1]))
            {
                Lower(name.Substring(0, digits));
            }

            if (name[digits - 1] == '_' && digits > 1 && char.IsDigit(name[digits - 2]))
            {
                Lower(name.Substring(0, digits - 1));
            }

            void Lower(string stem)
            {
                if (taken.TryGetValue(stem, out int first) && first > k)
                {
                    taken[stem] = k;
                }
            }
        }

        /// <summary>The number that <paramref name="name"/> ends with from <paramref name="start"/> on, written as <c>k.ToString()</c> writes it; null for anything else.</summary>
        private static int? Number(string name, int start)
        {
            if (start >= name.Length || name.Length - start > 9 || name[start] == '0')
            {
                return null;
            }

            int n = 0;
            for (int i = start; i < name.Length; i++)
            {
                char c = name[i];
                if (c < '0' || c > '9')
                {
                    return null;
                }

                n = (n * 10) + (c - '0');
            }

            return n;
        }

        /// <summary>The loops whose counter the emitter declares in the <c>for</c>, marked so before names stop being unique.</summary>
        private static Block MarkCounters(Block block, HashSet<Loop> loops) => Walk.MapStatements(block, s =>
        {
            var mapped = Walk.MapBlocks(s, b => MarkCounters(b, loops));
            return s is Loop original && loops.Contains(original) ? (Loop)mapped with { CounterInFor = true } : mapped;
        });

        /// <summary>Whether declaring <paramref name="name"/> in <paramref name="scope"/> clashes with a local of that scope, an enclosing one or a nested one.</summary>
        private static bool Clashes(Scope scope, string name)
        {
            if (scope.Within.ContainsKey(name))
            {
                return true;
            }

            for (var s = scope.Parent; s is not null; s = s.Parent)
            {
                if (s.Declared.Contains(name))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The number of a version <c>s_3</c> (3), 0 for any other name.</summary>
        private static int Version(string name)
        {
            int underscore = name.LastIndexOf('_');
            return underscore > 0 && underscore < name.Length - 1 && int.TryParse(name.Substring(underscore + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : 0;
        }

        /// <summary>
        /// The stem of a name made with a suffix: <c>s</c> of a version <c>s_3</c>, <c>yBar</c> of <c>yBar2</c>; null for
        /// a name without one (temporaries <c>t0</c>, <c>t1</c> are numbered, not suffixed).
        /// </summary>
        internal static string? Stem(string name)
        {
            int end = name.Length;
            int digits = end;
            while (digits > 0 && char.IsDigit(name[digits - 1]))
            {
                digits--;
            }

            if (digits == end || digits == 0)
            {
                return null;
            }

            if (name[digits - 1] == '_')
            {
                return digits > 1 ? name.Substring(0, digits - 1) : null;
            }

            // stem2, stem3...: a name made again when the stem was taken. Not a temporary, not a number from 0 or 1.
            if ((digits == 1 && name[0] == 't') || name[digits] == '0' || (end - digits == 1 && name[digits] == '1'))
            {
                return null;
            }

            return name.Substring(0, digits);
        }

        private sealed class State
        {
            private readonly HashSet<string> _hoisted;
            private readonly Dictionary<string, int> _reads = new Dictionary<string, int>(StringComparer.Ordinal);

            public State(HashSet<string> hoisted)
            {
                _hoisted = hoisted;
                DeclaredAhead.UnionWith(hoisted);
            }

            /// <summary>Each declared name's scopes (one, in SSA), in order of first declaration in <see cref="Order"/>.</summary>
            public Dictionary<string, List<Scope>> Declarations { get; } = new Dictionary<string, List<Scope>>(StringComparer.Ordinal);

            public List<string> Order { get; } = new List<string>();

            /// <summary>Every name read, written or named in the body.</summary>
            public HashSet<string> Mentioned { get; } = new HashSet<string>(StringComparer.Ordinal);

            /// <summary>Names a rename would miss (arrays, accumulation targets, names inside C# text): never renamed.</summary>
            public HashSet<string> Fixed { get; } = new HashSet<string>(StringComparer.Ordinal);

            /// <summary>Names declared ahead of their assignment (scope repair's <see cref="IR.Declare"/>, the hoisted names).</summary>
            public HashSet<string> DeclaredAhead { get; } = new HashSet<string>(StringComparer.Ordinal);

            /// <summary>Loops whose counter nothing outside reads (compared by reference: the loops of this body).</summary>
            public HashSet<Loop> CountersInFor { get; } = new HashSet<Loop>(ReferenceComparer.Instance);

            public void CountReads(Expr e)
            {
                Limits.EnsureStack();
                switch (e)
                {
                    case Var v:
                        Mentioned.Add(v.Name);
                        _reads[v.Name] = _reads.TryGetValue(v.Name, out int n) ? n + 1 : 1;
                        return;
                    case Elem el:
                        Array(el.Array);
                        break;
                    case Len l:
                        Array(l.Array);
                        break;
                    case SpanRef r:
                        Array(r.Array);
                        break;
                    case SpanView sv:
                        Array(sv.Array);
                        break;
                    case Opaque o:
                        foreach (var token in Tokens(o.Code))
                        {
                            Array(token);
                        }

                        break;
                    case UserCall c:
                        foreach (var token in Tokens(c.Callee.Qualified(string.Empty)))
                        {
                            Array(token);
                        }

                        break;
                }

                foreach (var child in Walk.Children(e))
                {
                    CountReads(child);
                }
            }

            private void Array(string name)
            {
                Mentioned.Add(name);
                Fixed.Add(name);
            }

            private void Declare(string name, Scope scope, bool declaredAhead = false)
            {
                if (name.Length == 0 || (!declaredAhead && _hoisted.Contains(name)))
                {
                    return;
                }

                Mentioned.Add(name);
                if (!Declarations.TryGetValue(name, out var scopes))
                {
                    scopes = new List<Scope>();
                    Declarations[name] = scopes;
                    Order.Add(name);
                }

                scopes.Add(scope);
                scope.Declared.Add(name);
                for (var s = scope; s is not null; s = s.Parent)
                {
                    s.Within[name] = s.Within.TryGetValue(name, out int n) ? n + 1 : 1;
                }
            }

            public void VisitBlock(Block block, Scope scope)
            {
                foreach (var s in block.Statements)
                {
                    Visit(s, scope);
                }
            }

            private void Visit(Stmt s, Scope scope)
            {
                switch (s)
                {
                    case Let l:
                        Declare(l.Name, scope);
                        break;
                    case Declare d:
                        Declare(d.Name, scope, declaredAhead: true); // a hoisted name's one declaration
                        DeclaredAhead.Add(d.Name);
                        break;
                    case Assign a:
                        Mentioned.Add(a.Name);
                        break;
                    case CallWithGradient c:
                        Declare(c.Name, scope);
                        foreach (var p in c.Partials)
                        {
                            Declare(p, scope);
                        }

                        break;
                    case CallWithDerivative d:
                        Declare(d.Name, scope);
                        Declare(d.Tangent, scope);
                        break;
                    case Store st:
                        Array(st.Array);
                        break;
                    case Accumulate ac:
                        Array(ac.Target);
                        break;
                    case SetOutput o:
                        Array(o.Target);
                        break;
                    case ClearBuffer c:
                        Array(c.Target);
                        break;
                    case RentBuffer r:
                        Array(r.Name);
                        Declare(r.Name, scope);
                        break;
                    case EnsureCapacity e:
                        Array(e.Name);
                        break;
                    case CopySpan c:
                        Array(c.Source);
                        Array(c.Target);
                        break;
                    case ClearArray c:
                        Array(c.Name);
                        break;
                    case If i:
                        foreach (var p in i.Phis)
                        {
                            Declare(p.Name, scope);
                        }

                        VisitBlock(i.Then, new Scope(scope));
                        VisitBlock(i.Else, new Scope(scope));
                        break;
                    case Loop loop:
                    {
                        var inner = new Scope(scope);
                        var counter = LoopShape.Counter(loop)?.Counter;
                        foreach (var v in loop.Carried)
                        {
                            bool inFor = v == counter && !_hoisted.Contains(v.Name) && ReadOnlyWithin(loop, v.Name);
                            if (inFor)
                            {
                                CountersInFor.Add(loop);
                            }

                            Declare(v.Name, inFor ? inner : scope);
                        }

                        VisitBlock(loop.Header, inner);
                        VisitBlock(loop.Body, inner);
                        break;
                    }
                }
            }

            /// <summary>Whether every read of <paramref name="name"/> in the method is inside <paramref name="loop"/>: then the emitter declares the counter in the <c>for</c>.</summary>
            private bool ReadOnlyWithin(Loop loop, string name)
            {
                int within = 0;
                foreach (var e in Walk.AllExpressions(loop))
                {
                    Walk.Vars(e, v => within += v == name ? 1 : 0);
                }

                return _reads.TryGetValue(name, out int total) && total == within;
            }
        }

        /// <summary>The identifiers in a piece of C# text.</summary>
        internal static IEnumerable<string> Tokens(string code)
        {
            for (int i = 0; i < code.Length; i++)
            {
                char c = code[i];
                if (char.IsLetter(c) || c == '_')
                {
                    int start = i;
                    while (i + 1 < code.Length && (char.IsLetterOrDigit(code[i + 1]) || code[i + 1] == '_'))
                    {
                        i++;
                    }

                    yield return code.Substring(start, i - start + 1);
                }
                else if (char.IsDigit(c))
                {
                    while (i + 1 < code.Length && (char.IsLetterOrDigit(code[i + 1]) || code[i + 1] == '.'))
                    {
                        i++;
                    }
                }
            }
        }
    }
}

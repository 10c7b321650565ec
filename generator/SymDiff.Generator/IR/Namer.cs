using System;
using System.Collections.Generic;
using System.Globalization;
using SymDiff.Generator.Helpers;

namespace SymDiff.Generator.IR
{
    /// <summary>
    /// Makes the names of the generated code: versions of the user's variables (<c>s</c>, <c>s_1</c>), adjoints
    /// (<c>sBar</c>), tangents (<c>sDot</c>), temporaries (<c>t0</c>), never clashing with a name the user wrote
    /// or one already made. Deterministic: the same calls in the same order give the same names.
    /// </summary>
    internal sealed class Namer
    {
        private readonly HashSet<string> _reserved;
        private readonly HashSet<string> _used = new HashSet<string>(StringComparer.Ordinal);

        public Namer(IEnumerable<string> userNames)
        {
            _reserved = new HashSet<string>(userNames, StringComparer.Ordinal);
        }

        /// <summary>A namer that continues after <paramref name="used"/> names were already made.</summary>
        public Namer(IEnumerable<string> userNames, IEnumerable<string> used)
            : this(userNames)
        {
            _used.UnionWith(used);
        }

        /// <summary>What a phase that may run again needs to make the same names the second time.</summary>
        internal sealed class Checkpoint
        {
            internal Checkpoint(Namer namer)
            {
                Used = new HashSet<string>(namer._used, StringComparer.Ordinal);
                Next = new Dictionary<string, int>(namer._next, StringComparer.Ordinal);
                Temps = new HashSet<string>(namer._temps, StringComparer.Ordinal);
                Made = namer._made;
                TempCounter = namer._tempCounter;
            }

            internal HashSet<string> Used { get; }

            internal Dictionary<string, int> Next { get; }

            internal HashSet<string> Temps { get; }

            internal int Made { get; }

            internal int TempCounter { get; }
        }

        /// <summary>The state to <see cref="Restore"/> if the phase that starts now runs again.</summary>
        public Checkpoint Save() => new Checkpoint(this);

        /// <summary>Forgets every name made since <paramref name="checkpoint"/> was saved.</summary>
        public void Restore(Checkpoint checkpoint)
        {
            _used.Clear();
            _used.UnionWith(checkpoint.Used);
            _next.Clear();
            foreach (var pair in checkpoint.Next)
            {
                _next[pair.Key] = pair.Value;
            }

            _temps.Clear();
            _temps.UnionWith(checkpoint.Temps);
            _made = checkpoint.Made;
            _tempCounter = checkpoint.TempCounter;
        }

        /// <summary>Every name made or marked so far.</summary>
        public IEnumerable<string> AllNames => _used;

        public void MarkUsed(string name) => _used.Add(name);

        private int _made;

        /// <summary>For each stem, the suffix to try first: every smaller one is taken.</summary>
        private readonly Dictionary<string, int> _next = new Dictionary<string, int>(StringComparer.Ordinal);

        /// <summary>Counts a made name against <see cref="Limits.MaxNames"/>: the size of what one phase builds.</summary>
        private void Count()
        {
            if ((_made & 255) == 0)
            {
                Limits.ThrowIfCancelled();
            }

            if (++_made > Limits.MaxNames)
            {
                throw new BudgetExceededException("more than " + Limits.MaxNames.ToString(CultureInfo.InvariantCulture) + " intermediate values");
            }
        }

        /// <summary>A new SSA version of the user's variable <paramref name="stem"/>: the name itself first, then <c>stem_1</c>, <c>stem_2</c>...</summary>
        public string NewVersion(string stem)
        {
            Count();
            if (_used.Add(stem))
            {
                return stem;
            }

            // Names are never released, so the search resumes where the last one for this stem ended (linear in the
            // number of versions, however many a long method makes).
            string key = stem + "_";
            for (int i = _next.TryGetValue(key, out int from) ? from : 1; ; i++)
            {
                string candidate = key + i.ToString(CultureInfo.InvariantCulture);
                if (!_reserved.Contains(candidate) && _used.Add(candidate))
                {
                    _next[key] = i + 1;
                    return candidate;
                }
            }
        }

        /// <summary>A name SymDiff makes up (<c>result</c>, <c>broke</c>, <c>wBar</c>): the stem if free, else <c>stem2</c>, <c>stem3</c>...</summary>
        public string NewSourceName(string stem)
        {
            Count();
            stem = IdentifierStem(stem);
            if (!_reserved.Contains(stem) && _used.Add(stem))
            {
                return stem;
            }

            for (int i = _next.TryGetValue(stem, out int from) ? from : 2; ; i++)
            {
                string candidate = stem + i.ToString(CultureInfo.InvariantCulture);
                if (!_reserved.Contains(candidate) && _used.Add(candidate))
                {
                    _next[stem] = i + 1;
                    return candidate;
                }
            }
        }

        /// <summary>
        /// The stem of a name made from the name of constant data (<c>global::S.Centers</c>, <c>this._bias</c>), which is an
        /// expression: its last member name without leading underscores, as a local's name (<c>centers</c>, <c>bias</c>); other stems as they are.
        /// </summary>
        private static string IdentifierStem(string stem)
        {
            if (stem.IndexOf('.') < 0 && stem.IndexOf(':') < 0 && stem.IndexOf('!') < 0)
            {
                return stem;
            }

            // The last member name, its identifier characters only (a nullable member is read as "Centers!").
            string last = stem.Substring(Math.Max(stem.LastIndexOf('.'), stem.LastIndexOf(':')) + 1);
            var letters = new System.Text.StringBuilder(last.Length);
            foreach (char c in last)
            {
                if (char.IsLetterOrDigit(c) || (c == '_' && letters.Length > 0))
                {
                    letters.Append(c);
                }
            }

            string name = letters.ToString();
            return name.Length == 0 || char.IsDigit(name[0]) ? "data" + name : char.ToLowerInvariant(name[0]) + name.Substring(1);
        }

        /// <summary>A temporary: <c>t0</c>, <c>t1</c>...</summary>
        public string NewTemp(string prefix = "t")
        {
            Count();
            for (int i = _tempCounter; ; i++)
            {
                string candidate = TempName(prefix, i);
                if (!_reserved.Contains(candidate) && _used.Add(candidate))
                {
                    _tempCounter = i + 1;
                    _temps.Add(candidate);
                    return candidate;
                }
            }
        }

        private int _tempCounter;

        private readonly HashSet<string> _temps = new HashSet<string>(StringComparer.Ordinal);

        /// <summary><c>t0</c>, <c>t1</c>, ...: made once per process for the usual prefix and numbers (every method makes hundreds).</summary>
        private static readonly string?[] CommonTempNames = new string?[4096];

        /// <summary><paramref name="prefix"/> followed by <paramref name="i"/> (the same text as concatenating them; shared strings for <c>t</c> and small numbers).</summary>
        internal static string TempName(string prefix, int i)
        {
            if (prefix != "t" || (uint)i >= (uint)CommonTempNames.Length)
            {
                return prefix + i.ToString(CultureInfo.InvariantCulture);
            }

            // A race makes two equal strings, either of which is right.
            return CommonTempNames[i] ??= "t" + i.ToString(CultureInfo.InvariantCulture);
        }

        /// <summary>Whether <paramref name="name"/> was made by <see cref="NewTemp"/>.</summary>
        public bool IsTemp(string name) => _temps.Contains(name);

        /// <summary>Whether a temporary may be called <paramref name="name"/> (no user name is).</summary>
        public bool MayUseTempName(string name) => !_reserved.Contains(name);
    }
}

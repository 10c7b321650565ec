using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace SymDiff.Analyzers.Tests.Infrastructure
{
    /// <summary>A diagnostic a test expects: its ID (null for the test's default ID) and its exact span.</summary>
    public sealed record ExpectedDiagnostic(string? Id, TextSpan Span);

    /// <summary>
    /// Test sources with the expected diagnostics marked in them: <c>[|code|]</c> for the default ID of the test,
    /// <c>{|SD2001:code|}</c> for a named one. Markers may nest.
    /// </summary>
    public static class Markup
    {
        /// <summary>Removes the markers from <paramref name="markup"/> and returns the source and the marked spans.</summary>
        public static (string Source, ImmutableArray<ExpectedDiagnostic> Expected) Parse(string markup)
        {
            ArgumentNullException.ThrowIfNull(markup);
            var source = new StringBuilder(markup.Length);
            var open = new Stack<(string? Id, int Start)>();
            var expected = new List<ExpectedDiagnostic>();
            int i = 0;
            while (i < markup.Length)
            {
                if (Starts(markup, i, "[|"))
                {
                    open.Push((null, source.Length));
                    i += 2;
                }
                else if (Starts(markup, i, "{|") && markup.IndexOf(':', i) is var colon and > 0 && IsId(markup, i + 2, colon))
                {
                    open.Push((markup.Substring(i + 2, colon - i - 2), source.Length));
                    i = colon + 1;
                }
                else if ((Starts(markup, i, "|]") || Starts(markup, i, "|}")) && open.Count > 0)
                {
                    var (id, start) = open.Pop();
                    if ((id is null) != (markup[i + 1] == ']'))
                    {
                        throw new FormatException($"Mismatched markers at offset {i} of the test source.");
                    }

                    expected.Add(new ExpectedDiagnostic(id, TextSpan.FromBounds(start, source.Length)));
                    i += 2;
                }
                else
                {
                    source.Append(markup[i]);
                    i++;
                }
            }

            if (open.Count > 0)
            {
                throw new FormatException("An expected-diagnostic marker is not closed.");
            }

            return (source.ToString(), expected.ToImmutableArray());
        }

        private static bool Starts(string text, int index, string marker) =>
            string.CompareOrdinal(text, index, marker, 0, marker.Length) == 0;

        private static bool IsId(string text, int start, int end)
        {
            if (end - start < 2 || end - start > 12)
            {
                return false;
            }

            for (int k = start; k < end; k++)
            {
                if (!char.IsLetterOrDigit(text[k]))
                {
                    return false;
                }
            }

            return true;
        }
    }
}

using System.Globalization;
using System.Text;

namespace Crm.Modules.Customers.Domain;

/// <summary>
/// The two search columns of a customer and how a query <c>q</c> uses them (docs/adr/0010-cjk-search.md):
/// <list type="bullet">
/// <item><c>search_text</c>: name, short name, external id, phones (digits only) and emails, lower-cased,
/// under a pg_trgm GIN index. Serves every query of 3 or more characters with <c>LIKE '%q%'</c>, OR-ed with
/// <c>code ILIKE '%q%'</c> under a second trigram index (the code is only known after the insert).</item>
/// <item><c>name_bigrams</c>: every pair of adjacent characters of the name and short name, lower-cased,
/// under a GIN array index. Serves 2-character Chinese queries with <c>name_bigrams @&gt; ARRAY[q]</c>:
/// pg_trgm extracts nothing indexable from 2 characters, so it cannot.</item>
/// </list>
/// </summary>
internal static class CustomerSearch
{
    /// <summary>Queries of Latin letters, digits and symbols need this many characters.</summary>
    public const int MinLatinLength = 3;

    /// <summary>Queries with a Chinese (CJK) character need this many characters.</summary>
    public const int MinCjkLength = 2;

    /// <summary>A trimmed, lower-cased query, or the reason it cannot be searched.</summary>
    public static (string? Term, string? Error) Parse(string q)
    {
        var term = Collapse(q).ToLowerInvariant();
        if (IsPhoneLike(term))
        {
            // Phones are indexed as digits: "138-0013 8000" and "+86 138" search by their digits.
            term = DigitsOf(term);
        }

        var length = term.EnumerateRunes().Count();
        var cjk = term.EnumerateRunes().Any(IsCjk);
        var minimum = cjk ? MinCjkLength : MinLatinLength;
        return length >= minimum
            ? (term, null)
            : (null, $"q needs at least {MinCjkLength} characters when it contains Chinese characters and {MinLatinLength} otherwise.");
    }

    /// <summary>True when the term is served by the bigram index rather than the trigram index.</summary>
    public static bool UsesBigrams(string term) => term.EnumerateRunes().Count() < MinLatinLength;

    public static string SearchText(string name, string? shortName, string? externalId, IEnumerable<string> phones, IEnumerable<string> emails)
    {
        var parts = new[] { name, shortName, externalId }.Concat(phones.Select(DigitsOf)).Concat(emails);
        return string.Join(' ', parts.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => Collapse(p!))).ToLowerInvariant();
    }

    /// <summary>Distinct adjacent-character pairs of each name, lower-cased, spaces excluded, in first-seen order.</summary>
    public static List<string> NameBigrams(string name, string? shortName)
    {
        var bigrams = new List<string>();
        foreach (var text in new[] { name, shortName })
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            var runes = text.ToLowerInvariant().EnumerateRunes().ToList();
            for (var i = 0; i + 1 < runes.Count; i++)
            {
                if (Rune.IsWhiteSpace(runes[i]) || Rune.IsWhiteSpace(runes[i + 1]))
                {
                    continue;
                }

                var bigram = string.Concat(runes[i].ToString(), runes[i + 1].ToString());
                if (!bigrams.Contains(bigram, StringComparer.Ordinal))
                {
                    bigrams.Add(bigram);
                }
            }
        }

        return bigrams;
    }

    /// <summary>Digits only, keeping a leading + (so +86 138... and 138-... both match a fragment 138).</summary>
    public static string NormalizePhone(string phone)
    {
        var trimmed = phone.Trim();
        var digits = DigitsOf(trimmed);
        return trimmed.StartsWith('+') ? "+" + digits : digits;
    }

    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    private static bool IsPhoneLike(string term) =>
        term.Any(char.IsAsciiDigit) && term.All(c => char.IsAsciiDigit(c) || c is '+' or '-' or ' ' or '(' or ')');

    private static string DigitsOf(string text) => string.Concat(text.Where(char.IsAsciiDigit));

    private static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    private static bool IsCjk(Rune rune) => Rune.GetUnicodeCategory(rune) == UnicodeCategory.OtherLetter && rune.Value is
        (>= 0x3400 and <= 0x9FFF) or (>= 0xF900 and <= 0xFAFF) or (>= 0x20000 and <= 0x3134F);
}

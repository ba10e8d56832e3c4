using System.Text;

namespace Crm.Modules.Customers.Contracts;

/// <summary>
/// The normalized keys duplicate detection compares (see docs/adr/0011-customer-duplicates-and-merge.md). Public and
/// pure, so set-based callers (the import pipeline) compute the same keys the customers table stores and compare
/// in SQL: <c>name_key = ANY(@keys)</c>, <c>phone_keys &amp;&amp; @keys</c>, <c>emails &amp;&amp; @keys</c>.
/// </summary>
public static class CustomerMatchKeys
{
    /// <summary>Phone keys shorter than this are too common to mean the same customer (extensions, short codes).</summary>
    public const int MinPhoneKeyLength = 5;

    // Latin legal forms are whole words (so "Costco" keeps its "co"); CJK ones are suffixes of the run of characters.
    private static readonly HashSet<string> LatinLegalForms = new(StringComparer.Ordinal)
    {
        "co", "company", "ltd", "limited", "inc", "incorporated", "corp", "corporation", "llc", "llp", "plc", "gmbh", "group",
    };

    private static readonly string[] CjkLegalForms = ["有限责任公司", "股份有限公司", "股份公司", "有限公司", "集团", "公司"];

    /// <summary>
    /// The name key: NFKC (full-width to half-width), lower-case, legal-form suffixes removed (有限责任公司, 股份有限公司,
    /// 有限公司, 集团, 公司, Co., Ltd, Limited, Inc, Corp, LLC, ...), then only letters and digits kept:
    /// <c>华为技术有限公司</c> and <c>华为 技术（集团）</c> give <c>华为技术</c>, <c>ＡＣＭＥ Trading Co., Ltd.</c> and
    /// <c>acme trading</c> give <c>acmetrading</c>. Empty when nothing is left (an empty key matches nothing).
    /// </summary>
    public static string NameKey(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return string.Empty;
        }

        var words = Words(name.Normalize(NormalizationForm.FormKC).ToLowerInvariant());
        var changed = true;
        while (changed && words.Count > 0)
        {
            changed = false;
            var last = words[^1];
            if (words.Count > 1 && LatinLegalForms.Contains(last))
            {
                words.RemoveAt(words.Count - 1);
                changed = true;
                continue;
            }

            foreach (var suffix in CjkLegalForms)
            {
                if (last.Length > suffix.Length && last.EndsWith(suffix, StringComparison.Ordinal))
                {
                    words[^1] = last[..^suffix.Length];
                    changed = true;
                    break;
                }

                if (last == suffix && words.Count > 1)
                {
                    words.RemoveAt(words.Count - 1);
                    changed = true;
                    break;
                }
            }
        }

        return string.Concat(words);
    }

    /// <summary>
    /// The phone key: the digits (full-width digits included), without a leading <c>+86</c> / <c>0086</c> country code
    /// and without the domestic trunk <c>0</c>, so <c>+86 755 2878 0808</c> and <c>0755-28780808</c> match, as do
    /// <c>+86 138 0013 8000</c> and <c>13800138000</c>. Null when fewer than <see cref="MinPhoneKeyLength"/> digits remain.
    /// </summary>
    public static string? PhoneKey(string? phone)
    {
        if (string.IsNullOrWhiteSpace(phone))
        {
            return null;
        }

        var text = phone.Normalize(NormalizationForm.FormKC).Trim();
        var digits = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c is >= '0' and <= '9')
            {
                digits.Append(c);
            }
        }

        var key = digits.ToString();
        if (text.StartsWith("+86", StringComparison.Ordinal))
        {
            key = key[2..];
        }
        else if (key.StartsWith("0086", StringComparison.Ordinal))
        {
            key = key[4..];
        }

        if (key.StartsWith('0') && !key.StartsWith("00", StringComparison.Ordinal))
        {
            key = key[1..];
        }

        return key.Length >= MinPhoneKeyLength ? key : null;
    }

    /// <summary>The email key: trimmed and lower-case (how customer emails are stored). Null when blank.</summary>
    public static string? EmailKey(string? email) =>
        string.IsNullOrWhiteSpace(email) ? null : email.Trim().ToLowerInvariant();

    /// <summary>The registration number key (unified social credit code or resident ID number): trimmed, upper-case. Null when blank.</summary>
    public static string? RegistrationNumberKey(string? number) =>
        string.IsNullOrWhiteSpace(number) ? null : number.Normalize(NormalizationForm.FormKC).Trim().ToUpperInvariant();

    /// <summary>The distinct phone keys of a list of phones, in order.</summary>
    public static List<string> PhoneKeys(IEnumerable<string> phones) =>
        phones.Select(PhoneKey).OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune))
            {
                word.Append(rune.ToString());
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}

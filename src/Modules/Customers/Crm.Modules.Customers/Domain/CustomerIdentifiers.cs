using System.Globalization;

namespace Crm.Modules.Customers.Domain;

/// <summary>
/// Format and checksum of the two legal identifiers a customer can carry: the unified social credit code
/// (统一社会信用代码, GB 32100-2015) of an organization and the resident ID number (居民身份证号码,
/// GB 11643-1999, ISO 7064 MOD 11-2) of a person. Both are 18 characters; a typo almost always breaks the checksum.
/// </summary>
internal static class CustomerIdentifiers
{
    // GB 32100-2015 leaves out I, O, Z, S and V so codes cannot be misread.
    private const string CreditCodeAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    private static readonly int[] CreditCodeWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
    private static readonly int[] IdNumberWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string IdNumberCheckDigits = "10X98765432";

    /// <summary>Trimmed and upper-cased: both identifiers are case-insensitive on paper (a trailing x is X).</summary>
    public static string Normalize(string value) => value.Trim().ToUpperInvariant();

    public static bool IsValidCreditCode(string value)
    {
        var code = Normalize(value);
        if (code.Length != 18)
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            var digit = CreditCodeAlphabet.IndexOf(code[i], StringComparison.Ordinal);
            if (digit < 0)
            {
                return false;
            }

            sum += digit * CreditCodeWeights[i];
        }

        var check = (31 - (sum % 31)) % 31;
        return code[17] == CreditCodeAlphabet[check];
    }

    public static bool IsValidIdNumber(string value)
    {
        var id = Normalize(value);
        if (id.Length != 18 || id.AsSpan(0, 17).ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        if (!DateOnly.TryParseExact(id.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return false;
        }

        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (id[i] - '0') * IdNumberWeights[i];
        }

        return id[17] == IdNumberCheckDigits[sum % 11];
    }
}

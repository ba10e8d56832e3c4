using Crm.SharedKernel.Errors;

namespace Crm.Modules.Customers.Features.Regions;

internal static class RegionCodes
{
    /// <summary>
    /// A region code filter as the prefix its divisions share: 44 and 440000 are 广东省 (prefix 44), 4403 and 440300
    /// 深圳市 (4403), 440305 南山区. Null when absent; 400 when it is not 2, 4 or 6 digits.
    /// </summary>
    public static string? Prefix(string? code, string parameter)
    {
        if (string.IsNullOrWhiteSpace(code))
        {
            return null;
        }

        code = code.Trim();
        if (code.Length is not (2 or 4 or 6) || !code.All(char.IsAsciiDigit))
        {
            throw ValidationFailedException.For(parameter, $"'{code}' is not a GB/T 2260 code or prefix: 2 (province), 4 (city) or 6 digits.");
        }

        while (code.Length > 2 && code.EndsWith("00", StringComparison.Ordinal))
        {
            code = code[..^2];
        }

        return code;
    }
}

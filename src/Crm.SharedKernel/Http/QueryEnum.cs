using System.Text.Json;
using Crm.SharedKernel.Errors;

namespace Crm.SharedKernel.Http;

/// <summary>
/// Parses an enum query parameter the way the JSON contract spells enums (camelCase names, any case;
/// never numbers). An unknown value is a 400 naming the parameter and the allowed values.
/// </summary>
public static class QueryEnum
{
    public static TEnum? Parse<TEnum>(string? value, string parameter)
        where TEnum : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(candidate.ToString(), value.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }

        throw ValidationFailedException.For(parameter, $"'{value}' is not one of: {string.Join(", ", Names<TEnum>())}.");
    }

    /// <summary>The enum's names as the API spells them (camelCase).</summary>
    public static IEnumerable<string> Names<TEnum>()
        where TEnum : struct, Enum =>
        Enum.GetNames<TEnum>().Select(JsonNamingPolicy.CamelCase.ConvertName);
}

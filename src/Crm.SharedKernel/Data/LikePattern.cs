namespace Crm.SharedKernel.Data;

/// <summary>
/// Builds LIKE / ILIKE patterns from user text. The text is a literal: %, _ and the escape character itself are escaped,
/// and queries must pass <see cref="Escape"/> as the escape character, because Npgsql otherwise emits <c>ESCAPE ''</c>,
/// which turns the backslashes into ordinary characters.
/// </summary>
public static class LikePattern
{
    public const string Escape = "\\";

    /// <summary>A pattern matching any value that contains <paramref name="text"/> literally.</summary>
    public static string Contains(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return $"%{EscapeText(text)}%";
    }

    /// <summary>The text with %, _ and the escape character escaped.</summary>
    public static string EscapeText(string text) =>
        text.Replace(Escape, Escape + Escape, StringComparison.Ordinal)
            .Replace("%", Escape + "%", StringComparison.Ordinal)
            .Replace("_", Escape + "_", StringComparison.Ordinal);
}

using System.Globalization;

namespace Crm.Modules.Integration.Contracts;

/// <summary>
/// Turns the text cells of a row into typed values, collecting one error per bad cell (the row is then rejected).
/// Enum values take their API spelling (any case) or a listed Chinese name; booleans take true/false, 1/0, yes/no, 是/否.
/// </summary>
public sealed class ImportValues(ImportRow row, List<ImportRowError> errors)
{
    private static readonly string[] True = ["true", "1", "yes", "y", "是", "t"];
    private static readonly string[] False = ["false", "0", "no", "n", "否", "f"];

    public ImportRow Row => row;

    public bool Failed { get; private set; }

    public string? Text(string field) => row[field];

    public IReadOnlyList<string> List(string field) => row.List(field);

    public TEnum? Enum<TEnum>(string field, IReadOnlyDictionary<string, TEnum>? aliases = null)
        where TEnum : struct, Enum
    {
        if (row[field]?.Trim() is not { Length: > 0 } text)
        {
            return null;
        }

        foreach (var value in System.Enum.GetValues<TEnum>())
        {
            if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        if (aliases is not null && aliases.TryGetValue(text, out var aliased))
        {
            return aliased;
        }

        var names = System.Enum.GetNames<TEnum>().Select(System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName);
        return Fail<TEnum?>(field, $"'{text}' is not one of: {string.Join(", ", names)}.", null);
    }

    public bool? Bool(string field)
    {
        if (row[field]?.Trim().ToLowerInvariant() is not { Length: > 0 } text)
        {
            return null;
        }

        return True.Contains(text) ? true : False.Contains(text) ? false : Fail<bool?>(field, $"'{text}' is not true or false.", null);
    }

    public decimal? Decimal(string field)
    {
        if (row[field]?.Trim() is not { Length: > 0 } text)
        {
            return null;
        }

        return decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value)
            ? value
            : Fail<decimal?>(field, $"'{text}' is not a number (use . for decimals).", null);
    }

    public int? Integer(string field)
    {
        if (row[field]?.Trim() is not { Length: > 0 } text)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : Fail<int?>(field, $"'{text}' is not a whole number.", null);
    }

    public Guid? Id(string field)
    {
        if (row[field]?.Trim() is not { Length: > 0 } text)
        {
            return null;
        }

        return Guid.TryParse(text, out var value) ? value : Fail<Guid?>(field, $"'{text}' is not an id (a UUID).", null);
    }

    public DateOnly? Date(string field)
    {
        if (row[field]?.Trim() is not { Length: > 0 } text)
        {
            return null;
        }

        return DateOnly.TryParseExact(text, ["yyyy-MM-dd", "yyyy/M/d", "yyyy-M-d"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)
            ? value
            : Fail<DateOnly?>(field, $"'{text}' is not a date (yyyy-MM-dd).", null);
    }

    public void Error(string? field, string message)
    {
        Failed = true;
        errors.Add(new ImportRowError(row.Row, field, message));
    }

    /// <summary>Validator property names such as <c>phones[1]</c> name the column <c>phones</c>.</summary>
    public static string ColumnOf(string propertyName)
    {
        var bracket = propertyName.IndexOf('[', StringComparison.Ordinal);
        return bracket < 0 ? propertyName : propertyName[..bracket];
    }

    private T Fail<T>(string field, string message, T value)
    {
        Error(field, message);
        return value;
    }
}

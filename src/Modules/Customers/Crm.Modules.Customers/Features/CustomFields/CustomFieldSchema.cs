using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Crm.SharedKernel.Errors;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.CustomFields;

/// <summary>
/// The definitions of one entity's custom fields, and what follows from them: checking and normalizing the
/// values a write sends, and turning a list filter into the jsonb object that <c>@&gt;</c> matches.
/// </summary>
internal sealed class CustomFieldSchema(IEnumerable<CustomFieldDefinition> definitions)
{
    public const string EmptyObject = "{}";
    public const int DefaultTextLength = 1000;
    private const int MaxUrlLength = 2000;
    private const int MaxEmailLength = 254;

    private readonly FrozenDictionary<string, CustomFieldDefinition> _byKey = definitions.ToFrozenDictionary(d => d.Key, StringComparer.Ordinal);

    /// <summary>
    /// Applies a merge patch to the stored object: a value sets the key (checked against its active definition),
    /// null removes it. Keys the patch does not name are left as stored, even when their definition has since
    /// been deactivated or changed. <paramref name="requireAll"/> (creates) also demands every required field.
    /// Every problem is reported at once, as <c>customFields.&lt;key&gt;</c>.
    /// </summary>
    public string Apply(string stored, IReadOnlyDictionary<string, JsonElement>? patch, bool requireAll)
    {
        var values = JsonNode.Parse(stored) as JsonObject ?? [];
        var errors = new List<(string Field, string Message)>();
        foreach (var (key, value) in patch ?? FrozenDictionary<string, JsonElement>.Empty)
        {
            var field = $"customFields.{key}";
            if (!_byKey.TryGetValue(key, out var definition))
            {
                errors.Add((field, $"'{key}' is not a custom field of this record; see GET /api/v1/custom-fields/{{entity}}."));
            }
            else if (value.ValueKind == JsonValueKind.Null)
            {
                if (definition.IsActive && definition.IsRequired)
                {
                    errors.Add((field, $"{definition.Label} ({key}) is required and cannot be removed."));
                }
                else
                {
                    values.Remove(key);
                }
            }
            else if (!definition.IsActive)
            {
                errors.Add((field, $"{definition.Label} ({key}) is deactivated: its stored values are kept, but it takes no new ones (null removes it)."));
            }
            else if (Normalize(definition, value, out var error) is { } normalized)
            {
                values[key] = normalized;
            }
            else
            {
                errors.Add((field, error!));
            }
        }

        if (requireAll)
        {
            errors.AddRange(_byKey.Values
                .Where(d => d.IsActive && d.IsRequired && values[d.Key] is null)
                .Where(d => !errors.Any(e => e.Field == $"customFields.{d.Key}"))
                .Select(d => ($"customFields.{d.Key}", $"{d.Label} ({d.Key}) is required.")));
        }

        if (errors.Count > 0)
        {
            throw ValidationFailedException.From(errors);
        }

        return values.ToJsonString();
    }

    /// <summary>
    /// A <c>key:value</c> list filter as the jsonb object the stored values must contain (<c>@&gt;</c>, served by the
    /// jsonb_path_ops GIN index): the value is read as the field's type (a multiSelect matches when it holds the option).
    /// Deactivated fields can be filtered on: their values are still stored.
    /// </summary>
    public string Containment(string filter, string parameter)
    {
        var colon = filter.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw ValidationFailedException.For(parameter, $"'{filter}' must be key:value, e.g. {parameter}=grade:A.");
        }

        var key = filter[..colon].Trim();
        var text = filter[(colon + 1)..].Trim();
        if (!_byKey.TryGetValue(key, out var definition))
        {
            throw ValidationFailedException.For(parameter, $"'{key}' is not a custom field of this record.");
        }

        // Numbers and booleans are read as JSON literals, a multiSelect value as a one-option array, everything else as a string.
        var probe = definition.Type switch
        {
            CustomFieldType.Number or CustomFieldType.Integer or CustomFieldType.Decimal or CustomFieldType.Boolean
                when TryParseLiteral(text) is { } literal => literal,
            CustomFieldType.MultiSelect => JsonSerializer.SerializeToElement(new[] { text }),
            _ => JsonSerializer.SerializeToElement(text),
        };
        var normalized = Normalize(definition, probe, out var error, checkOptions: false)
            ?? throw ValidationFailedException.For(parameter, error!);
        return new JsonObject { [key] = normalized }.ToJsonString();
    }

    private static JsonElement? TryParseLiteral(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False
                ? document.RootElement.Clone()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The value as it is stored, or null with the reason it is not acceptable.</summary>
    private static JsonNode? Normalize(CustomFieldDefinition definition, JsonElement value, out string? error, bool checkOptions = true)
    {
        error = null;
        var name = $"{definition.Label} ({definition.Key})";
        switch (definition.Type)
        {
            case CustomFieldType.Text:
                return Text(value, definition.MaxLength ?? DefaultTextLength, name, out error) is { } text ? JsonValue.Create(text) : null;

            case CustomFieldType.Number:
            case CustomFieldType.Integer:
            case CustomFieldType.Decimal:
                return Numeric(definition, value, name, out error);

            case CustomFieldType.Boolean:
                if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    return JsonValue.Create(value.GetBoolean());
                }

                error = $"{name} must be true or false.";
                return null;

            case CustomFieldType.Date:
                if (value.ValueKind == JsonValueKind.String
                    && DateOnly.TryParseExact(value.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                {
                    return JsonValue.Create(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                }

                error = $"{name} must be a date as yyyy-MM-dd.";
                return null;

            case CustomFieldType.DateTime:
                if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: >= 20 } raw
                    && DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var instant)
                    && (raw.EndsWith('Z') || raw.EndsWith('z') || raw[^6] is '+' or '-'))
                {
                    return JsonValue.Create(instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
                }

                error = $"{name} must be an ISO 8601 date and time with Z or an offset, e.g. 2026-11-23T09:30:00+08:00.";
                return null;

            case CustomFieldType.Select:
                if (value.ValueKind == JsonValueKind.String && Option(definition, value.GetString()!, checkOptions) is { } option)
                {
                    return JsonValue.Create(option);
                }

                error = $"{name} must be one of: {Choices(definition)}.";
                return null;

            case CustomFieldType.MultiSelect:
                if (value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String))
                {
                    var chosen = value.EnumerateArray().Select(v => Option(definition, v.GetString()!, checkOptions)).ToList();
                    if (chosen.All(c => c is not null))
                    {
                        return new JsonArray(chosen.Distinct(StringComparer.Ordinal).Select(c => (JsonNode?)JsonValue.Create(c)).ToArray());
                    }
                }

                error = $"{name} must be an array of: {Choices(definition)}.";
                return null;

            case CustomFieldType.Url:
                if (Text(value, MaxUrlLength, name, out error) is { } url)
                {
                    if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
                    {
                        return JsonValue.Create(url);
                    }

                    error = $"{name} must be an absolute http or https URL.";
                }

                return null;

            case CustomFieldType.Email:
                if (Text(value, MaxEmailLength, name, out error) is { } email)
                {
                    var at = email.IndexOf('@', StringComparison.Ordinal);
                    if (at > 0 && at == email.LastIndexOf('@') && at < email.Length - 1 && !email.Any(char.IsWhiteSpace))
                    {
                        return JsonValue.Create(CustomerSearch.NormalizeEmail(email));
                    }

                    error = $"{name} must be an email address.";
                }

                return null;

            case CustomFieldType.Phone:
                if (value.ValueKind == JsonValueKind.String && CustomerDetailsValidator.BeAPhone(value.GetString()))
                {
                    return JsonValue.Create(CustomerSearch.NormalizePhone(value.GetString()!));
                }

                error = $"{name} must be a phone number: 5 to 20 digits, optionally with a leading +, spaces, dashes and parentheses.";
                return null;

            default:
                throw new InvalidOperationException($"Unhandled custom field type {definition.Type}.");
        }
    }

    private static string? Text(JsonElement value, int maxLength, string name, out string? error)
    {
        error = null;
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()!.Trim() : null;
        if (string.IsNullOrEmpty(text))
        {
            error = $"{name} must be a non-empty string (null removes it).";
            return null;
        }

        if (text.Length > maxLength)
        {
            error = $"{name} must be at most {maxLength} characters.";
            return null;
        }

        return text;
    }

    private static JsonValue? Numeric(CustomFieldDefinition definition, JsonElement value, string name, out string? error)
    {
        error = null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var number))
        {
            error = $"{name} must be a number.";
            return null;
        }

        if (definition.Type == CustomFieldType.Integer && (number != decimal.Truncate(number) || number is < long.MinValue or > long.MaxValue))
        {
            error = $"{name} must be a whole number.";
            return null;
        }

        if (definition.Type == CustomFieldType.Decimal && decimal.Round(number, 2) != number)
        {
            error = $"{name} must have at most 2 decimal places.";
            return null;
        }

        if (number < definition.Min || number > definition.Max)
        {
            error = $"{name} must be between {definition.Min?.ToString(CultureInfo.InvariantCulture) ?? "-∞"} and {definition.Max?.ToString(CultureInfo.InvariantCulture) ?? "∞"}.";
            return null;
        }

        return definition.Type == CustomFieldType.Integer ? JsonValue.Create((long)number) : JsonValue.Create(number);
    }

    private static string? Option(CustomFieldDefinition definition, string value, bool activeOnly) =>
        definition.Options.FirstOrDefault(o => o.Value == value.Trim() && (o.IsActive || !activeOnly))?.Value;

    private static string Choices(CustomFieldDefinition definition) =>
        string.Join(", ", definition.Options.Where(o => o.IsActive).Select(o => o.Value));
}

/// <summary>
/// The definitions are read on every customer and contact write, so they are cached per entity. A change on this
/// instance invalidates at once; other instances pick it up within <see cref="Lifetime"/>.
/// </summary>
internal sealed class CustomFieldSchemaCache(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<CustomFieldEntity, (CustomFieldSchema Schema, DateTimeOffset ExpiresAt)> _entries = new();
    private long _generation;

    public async Task<CustomFieldSchema> GetAsync(CustomersDbContext db, CustomFieldEntity entity, CancellationToken ct)
    {
        if (_entries.TryGetValue(entity, out var entry) && entry.ExpiresAt > time.GetUtcNow())
        {
            return entry.Schema;
        }

        var generation = Interlocked.Read(ref _generation);
        var schema = new CustomFieldSchema(await db.CustomFieldDefinitions.AsNoTracking().Where(d => d.Entity == entity).ToListAsync(ct));

        // An invalidation while this read ran may mean it missed the change: answer with it, but do not keep it.
        if (Interlocked.Read(ref _generation) == generation)
        {
            _entries[entity] = (schema, time.GetUtcNow() + Lifetime);
        }

        return schema;
    }

    public void Invalidate()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }
}

internal static class CustomFieldJson
{
    /// <summary>The stored jsonb object as the response's map of values.</summary>
    public static IReadOnlyDictionary<string, JsonElement> Read(string stored)
    {
        // Most customers have no custom values: PostgreSQL returns an empty jsonb object as exactly "{}".
        if (stored == "{}")
        {
            return ReadOnlyDictionary<string, JsonElement>.Empty;
        }

        using var document = JsonDocument.Parse(stored);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }
}

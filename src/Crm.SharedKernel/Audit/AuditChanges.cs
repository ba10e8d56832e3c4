using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crm.SharedKernel.Audit;

/// <summary>
/// Writes the <c>changes</c> document, <c>{ "field": { "old": ..., "new": ... } }</c>, and reads it back.
/// Values use the API's JSON shape (camelCase enum names, ISO 8601 timestamps), so entries read like the
/// records they describe.
/// </summary>
internal sealed class AuditChanges : IDisposable
{
    public const string Redacted = "***";

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly ArrayBufferWriter<byte> _buffer = new();
    private readonly Utf8JsonWriter _writer;

    public AuditChanges()
    {
        _writer = new Utf8JsonWriter(_buffer);
        _writer.WriteStartObject();
    }

    public int Count { get; private set; }

    /// <summary>Adds one field; a side passed as <see cref="Side.Absent"/> is left out (old on create, new on delete).</summary>
    public void Add(string field, Side old, Side @new, bool redacted)
    {
        _writer.WritePropertyName(field);
        _writer.WriteStartObject();
        if (old.IsPresent)
        {
            _writer.WritePropertyName("old");
            WriteValue(old.Value, redacted);
        }

        if (@new.IsPresent)
        {
            _writer.WritePropertyName("new");
            WriteValue(@new.Value, redacted);
        }

        _writer.WriteEndObject();
        Count++;
    }

    public string Build()
    {
        _writer.WriteEndObject();
        _writer.Flush();
        return System.Text.Encoding.UTF8.GetString(_buffer.WrittenSpan);
    }

    public void Dispose() => _writer.Dispose();

    public static IReadOnlyDictionary<string, AuditFieldChange> Parse(string changes)
    {
        using var document = JsonDocument.Parse(changes);
        var fields = new Dictionary<string, AuditFieldChange>(StringComparer.Ordinal);
        foreach (var field in document.RootElement.EnumerateObject())
        {
            fields[field.Name] = new AuditFieldChange(
                field.Value.TryGetProperty("old", out var old) ? old.Clone() : null,
                field.Value.TryGetProperty("new", out var @new) ? @new.Clone() : null);
        }

        return fields;
    }

    private void WriteValue(object? value, bool redacted)
    {
        if (redacted)
        {
            _writer.WriteStringValue(Redacted);
            return;
        }

        if (value is null)
        {
            _writer.WriteNullValue();
            return;
        }

        JsonElement element;
        try
        {
            element = JsonSerializer.SerializeToElement(value, value.GetType(), Options);
        }
        catch (NotSupportedException)
        {
            // A provider type System.Text.Json cannot write (an IPAddress, say) is still worth recording as text.
            _writer.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
            return;
        }

        element.WriteTo(_writer);
    }

    /// <summary>One side (old or new) of a field change.</summary>
    public readonly record struct Side(bool IsPresent, object? Value)
    {
        public static Side Absent => default;

        public static Side Of(object? value) => new(true, value);
    }
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crm.SharedKernel.Http;

// A member of a JSON merge patch (RFC 7396): absent (leave unchanged), or present with a value, where
// null means "clear it". Used for the properties of PATCH request records. (A plain comment, not XML docs:
// OpenAPI documents each member as its T, with the member's own description.)
[JsonConverter(typeof(OptionalJsonConverterFactory))]
public readonly record struct Optional<T>
{
    public Optional(T value)
    {
        HasValue = true;
        Value = value;
    }

    /// <summary>True when the property was present in the request, even as null.</summary>
    public bool HasValue { get; }

    public T Value { get; }

    /// <summary>The patched value, or <paramref name="current"/> when the property was absent.</summary>
    public T Or(T current) => HasValue ? Value : current;
}

internal sealed class OptionalJsonConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Optional<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(OptionalJsonConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class OptionalJsonConverter<T> : JsonConverter<Optional<T>>
    {
        // Called for an explicit null too, so "field": null is "present, clear it".
        public override bool HandleNull => true;

        public override Optional<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(JsonSerializer.Deserialize<T>(ref reader, options)!);

        public override void Write(Utf8JsonWriter writer, Optional<T> value, JsonSerializerOptions options) =>
            JsonSerializer.Serialize(writer, value.Value, options);
    }
}

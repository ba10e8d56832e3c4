using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crm.SharedKernel.Outbox;

/// <summary>The one JSON shape integration events are stored and read in: camelCase, enums as strings.</summary>
public static class IntegrationEventSerializer
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };
}

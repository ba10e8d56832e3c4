using System.Text.Json;
using System.Text.Json.Serialization;

namespace Crm.Api.Hosting;

/// <summary>One JSON contract for requests, responses and the OpenAPI schemas.</summary>
internal static class JsonSetup
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        // "12" is not a number: clients get a 400 instead of a silently coerced value.
        options.NumberHandling = JsonNumberHandling.Strict;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
    }
}

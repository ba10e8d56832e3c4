using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Modules.Sales.Features.Activities;
using NUnit.Framework;

namespace Crm.IntegrationTests.Sales.Activities;

internal static class ActivityApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    internal sealed record ActivityPage(List<ActivityResponse> Items, string? NextCursor);

    /// <summary>Monday 4 January 2027, 10:00 in Shanghai (02:00 UTC): inside a weekday 09:00-12:00 window.</summary>
    public static readonly DateTimeOffset MondayMorning = new(2027, 1, 4, 2, 0, 0, TimeSpan.Zero);

    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string uri, object? body, string? ifMatch = null, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, contentType);
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return client.SendAsync(request);
    }

    public static async Task<(ActivityResponse Activity, string ETag)> CreateActivityAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/v1/sales/activities", body, Json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), text);
        return (JsonSerializer.Deserialize<ActivityResponse>(text, Json)!, response.Headers.ETag!.ToString());
    }

    public static object Meeting(string subject, DateTimeOffset start, object? extra = null) =>
        Merge(new { kind = "meeting", subject, startAt = start, endAt = start.AddHours(1) }, extra);

    public static object Merge(object a, object? b)
    {
        var merged = JsonSerializer.SerializeToNode(a, Json)!.AsObject();
        if (b is not null)
        {
            foreach (var (key, value) in JsonSerializer.SerializeToNode(b, Json)!.AsObject().ToList())
            {
                merged[key] = value?.DeepClone();
            }
        }

        return merged;
    }
}

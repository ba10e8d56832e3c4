using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Leads;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.IntegrationTests.Sales.Leads;

/// <summary>Request helpers of the lead tests.</summary>
internal static class LeadApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    internal sealed record LeadPage(List<LeadResponse> Items, string? NextCursor, long? Total);

    internal sealed record LeadFollowUpPage(List<LeadFollowUpResponse> Items, string? NextCursor);

    public static async Task<(LeadResponse Lead, string ETag)> CreateAsync(HttpClient client, object body)
    {
        var response = await client.PostAsync("/api/v1/sales/leads", JsonContent.Create(body, options: Json));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), text);
        return (JsonSerializer.Deserialize<LeadResponse>(text, Json)!, response.Headers.ETag!.ToString());
    }

    public static Task<(LeadResponse Lead, string ETag)> CreateAsync(HttpClient client, string companyName) => CreateAsync(client, new { companyName });

    public static async Task<LeadPage> ListAsync(HttpClient client, string query = "")
    {
        var response = await client.GetAsync($"/api/v1/sales/leads{query}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonSerializer.Deserialize<LeadPage>(text, Json)!;
    }

    public static HttpRequestMessage Patch(Guid id, string json, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/sales/leads/{id}")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/merge-patch+json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    public static HttpRequestMessage Post(string path, object? body = null, string? ifMatch = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }, options: Json) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    public static HttpRequestMessage Put(string path, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body, options: Json) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    /// <summary>Inserts an active partner directly (the partner API is another slice of work).</summary>
    public static async Task<Guid> SeedPartnerAsync(IServiceProvider services, string name, PartnerKind kind = PartnerKind.Agent)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SalesDbContext>();
        var partner = Partner.Create(name, kind, null, DateTimeOffset.UtcNow);
        db.Partners.Add(partner);
        await db.SaveChangesAsync();
        return partner.Id;
    }
}

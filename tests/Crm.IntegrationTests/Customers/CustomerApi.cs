using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.Modules.Customers.Features.Balance;
using Crm.Modules.Customers.Features.Customers;

namespace Crm.IntegrationTests.Customers;

/// <summary>Valid identifiers (checksums computed by hand against GB 32100-2015 and GB 11643-1999) and request helpers.</summary>
internal static class CustomerApi
{
    public const string CreditCode = "91350100M000100Y43";
    public const string OtherCreditCode = "91110000600037341L";
    public const string IdNumber = "11010519491231002X";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static async Task<(CustomerResponse Customer, string ETag)> CreateAsync(HttpClient client, object body)
    {
        var response = await client.PostAsync("/api/v1/customers", JsonContent.Create(body, options: Json));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), text);
        return (JsonSerializer.Deserialize<CustomerResponse>(text, Json)!, response.Headers.ETag!.ToString());
    }

    public static Task<(CustomerResponse Customer, string ETag)> CreateAsync(HttpClient client, string name, string kind = "organization") =>
        CreateAsync(client, new { kind, name });

    /// <summary>Adds a contact to the customer and answers its id.</summary>
    public static async Task<Guid> CreateContactAsync(HttpClient client, Guid customerId, string name)
    {
        var response = await client.PostAsync($"/api/v1/customers/{customerId}/contacts", JsonContent.Create(new { name }, options: Json));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }

    public static HttpRequestMessage Patch(Guid id, string json, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/customers/{id}")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/merge-patch+json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    /// <summary>Moves a customer's outstanding balance the only way a client can: a manual adjustment (manager or admin).</summary>
    public static async Task<BalanceLedgerEntryResponse> AdjustBalanceAsync(HttpClient managerOrAdmin, Guid customerId, decimal amount, string reason = "期初欠款")
    {
        var response = await managerOrAdmin.PostAsync($"/api/v1/customers/{customerId}/balance-adjustments", JsonContent.Create(new { amount, currency = "CNY", reason }, options: Json));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), text);
        return JsonSerializer.Deserialize<BalanceLedgerEntryResponse>(text, Json)!;
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Features.Quotes;
using Npgsql;

namespace Crm.IntegrationTests.Sales.Quotes;

/// <summary>
/// Two sales groups under one department: the east manager and rep, the south manager and rep (the department manager
/// sees both groups), plus an admin and a marketer (sales:read only).
/// </summary>
internal sealed record QuoteOrg(TestUser Director, TestUser EastManager, TestUser EastRep, TestUser SouthManager, TestUser SouthRep, TestUser Admin, TestUser Marketer);

/// <summary>Request helpers of the quote and discount approval tests.</summary>
internal static class QuoteApi
{
    public const string QuotesUrl = "/api/v1/sales/quotes";
    public const string ApprovalsUrl = "/api/v1/sales/approvals";
    public const string SettingsUrl = "/api/v1/sales/quote-settings";

    public static JsonSerializerOptions Json => CustomerApi.Json;

    public static async Task<QuoteOrg> CreateOrgAsync(CrmApiFactory factory)
    {
        var company = await TestUsers.CreateTeamAsync(factory, "公司", TeamKind.Company);
        var sales = await TestUsers.CreateTeamAsync(factory, "销售部", TeamKind.Department, company);
        var east = await TestUsers.CreateTeamAsync(factory, "华东组", TeamKind.Group, sales);
        var south = await TestUsers.CreateTeamAsync(factory, "华南组", TeamKind.Group, sales);
        return new QuoteOrg(
            await TestUsers.CreateAsync(factory, Roles.SalesManager, sales),
            await TestUsers.CreateAsync(factory, Roles.SalesManager, east),
            await TestUsers.CreateAsync(factory, Roles.SalesRep, east),
            await TestUsers.CreateAsync(factory, Roles.SalesManager, south),
            await TestUsers.CreateAsync(factory, Roles.SalesRep, south),
            await TestUsers.CreateAsync(factory, Roles.Admin, company),
            await TestUsers.CreateAsync(factory, Roles.Marketing, company));
    }

    public static async Task<(QuoteResponse Quote, string ETag)> CreateAsync(HttpClient client, object body)
    {
        var response = await client.PostAsync(QuotesUrl, JsonContent.Create(body, options: Json));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), text);
        return (JsonSerializer.Deserialize<QuoteResponse>(text, Json)!, response.Headers.ETag!.ToString());
    }

    /// <summary>A quote of one line of <paramref name="productId"/> at its resolved price.</summary>
    public static Task<(QuoteResponse Quote, string ETag)> CreateAsync(HttpClient client, Guid customerId, Guid productId, decimal discountPercent = 0m, decimal quantity = 1m) =>
        CreateAsync(client, new { customerId, title = "年度报价", lines = new[] { new { productId, quantity, discountPercent } } });

    public static async Task<(QuoteResponse Quote, string ETag)> GetAsync(HttpClient client, Guid id)
    {
        var response = await client.GetAsync($"{QuotesUrl}/{id}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return (JsonSerializer.Deserialize<QuoteResponse>(text, Json)!, response.Headers.ETag!.ToString());
    }

    public static HttpRequestMessage Post(string path, object? body = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body ?? new { }, options: Json) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    public static HttpRequestMessage Patch(Guid id, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"{QuotesUrl}/{id}")
        {
            Content = new StringContent(JsonSerializer.Serialize(body, Json), Encoding.UTF8, "application/merge-patch+json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    /// <summary>Runs one statement against the test database (to put a quote's validity in the past without moving the shared clock).</summary>
    public static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(IntegrationTestRun.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

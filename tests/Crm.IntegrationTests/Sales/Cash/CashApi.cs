using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Features.Contracts;

namespace Crm.IntegrationTests.Sales.Cash;

/// <summary>A sales department with a manager and two reps in different groups, plus an admin and a marketer.</summary>
internal sealed record CashOrg(TestUser Manager, TestUser EastRep, TestUser SouthRep, TestUser Admin, TestUser Marketer);

/// <summary>Request helpers of the contract, receipt and balance tests.</summary>
internal static class CashApi
{
    public static async Task<CashOrg> CreateOrgAsync(CrmApiFactory factory)
    {
        var company = await TestUsers.CreateTeamAsync(factory, "公司", TeamKind.Company);
        var sales = await TestUsers.CreateTeamAsync(factory, "销售部", TeamKind.Department, company);
        var east = await TestUsers.CreateTeamAsync(factory, "华东组", TeamKind.Group, sales);
        var south = await TestUsers.CreateTeamAsync(factory, "华南组", TeamKind.Group, sales);
        return new CashOrg(
            await TestUsers.CreateAsync(factory, Roles.SalesManager, sales),
            await TestUsers.CreateAsync(factory, Roles.SalesRep, east),
            await TestUsers.CreateAsync(factory, Roles.SalesRep, south),
            await TestUsers.CreateAsync(factory, Roles.Admin, company),
            await TestUsers.CreateAsync(factory, Roles.Marketing, company));
    }

    /// <summary>A customer owned by <paramref name="user"/> (the creator owns what they create).</summary>
    public static async Task<Guid> CustomerOfAsync(CrmApiFactory factory, TestUser user, string name)
    {
        using var client = factory.ClientFor(user);
        return (await CustomerApi.CreateAsync(client, name)).Customer.Id;
    }

    public static async Task<(ContractResponse Contract, string ETag)> CreateContractAsync(
        HttpClient client, Guid customerId, decimal amount = 100_000m, string title = "年度维保合同", DateOnly? endDate = null, string? productCategory = null)
    {
        var response = await client.PostAsync("/api/v1/sales/contracts", JsonContent.Create(
            new { customerId, title, amount, startDate = new DateOnly(2026, 12, 1), endDate = endDate ?? new DateOnly(2027, 11, 30), productCategory },
            options: CustomerApi.Json));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), text);
        return (JsonSerializer.Deserialize<ContractResponse>(text, CustomerApi.Json)!, response.Headers.ETag!.ToString());
    }

    /// <summary>A JSON merge patch of a contract, with If-Match when given.</summary>
    public static HttpRequestMessage PatchContract(Guid contractId, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/sales/contracts/{contractId}")
        {
            Content = JsonContent.Create(body, options: CustomerApi.Json),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/merge-patch+json");
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    public static HttpRequestMessage Sign(Guid contractId, string? ifMatch, DateOnly? signedDate = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sales/contracts/{contractId}/sign")
        {
            Content = JsonContent.Create(new { signedDate = signedDate ?? new DateOnly(2026, 11, 20) }, options: CustomerApi.Json),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    /// <summary>Creates and signs a contract; returns the signed contract.</summary>
    public static async Task<ContractResponse> SignedContractAsync(HttpClient client, Guid customerId, decimal amount, string? productCategory = null)
    {
        var (contract, etag) = await CreateContractAsync(client, customerId, amount, productCategory: productCategory);
        var response = await client.SendAsync(Sign(contract.Id, etag));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonSerializer.Deserialize<ContractResponse>(text, CustomerApi.Json)!;
    }
}

using System.Net;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Features.Opportunities;

namespace Crm.IntegrationTests.Sales.Opportunities;

internal sealed class OpportunityListTests : IntegrationTest
{
    private sealed record OpportunityPage(List<OpportunityResponse> Items, string? NextCursor, long? Total);

    private static async Task<OpportunityPage> ListAsync(HttpClient client, string query) =>
        await ReadAsync<OpportunityPage>(await client.GetAsync($"/api/v1/sales/opportunities{query}"), HttpStatusCode.OK);

    private static async Task<OpportunityResponse> OpenAsync(HttpClient client, Guid customerId, string name, decimal amount, string close) =>
        await ReadAsync<OpportunityResponse>(
            await client.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name, customerId, amount, expectedCloseDate = close })), HttpStatusCode.Created);

    [Test]
    public async Task The_list_filters_sorts_pages_by_keyset_and_shows_only_what_the_caller_may_see()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "列表公司", TeamKind.Company);
        var east = await TestUsers.CreateTeamAsync(Factory, "华东", TeamKind.Department, company);
        var west = await TestUsers.CreateTeamAsync(Factory, "华西", TeamKind.Department, company);
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, east);
        using var repClient = Factory.ClientFor(rep);
        using var otherClient = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep, west));
        using var managerClient = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesManager, east));
        var customerId = (await CustomerApi.CreateAsync(repClient, "列表客户")).Customer.Id;
        var otherCustomerId = (await CustomerApi.CreateAsync(repClient, "另一客户")).Customer.Id;

        var small = await OpenAsync(repClient, customerId, "小单 100%_off", 1000m, "2027-01-15");
        var medium = await OpenAsync(repClient, customerId, "中单", 50000m, "2027-02-15");
        var large = await OpenAsync(repClient, otherCustomerId, "大单", 900000m, "2027-03-15");
        await ReadAsync<OpportunityResponse>(await repClient.PostAsync($"/api/v1/sales/opportunities/{medium.Id}/win", null), HttpStatusCode.OK);
        await OpenAsync(otherClient, (await CustomerApi.CreateAsync(otherClient, "华西客户")).Customer.Id, "别人的", 1m, "2027-01-01");

        Assert.Multiple(async () =>
        {
            Assert.That((await ListAsync(repClient, "?sort=amount")).Items.Select(o => o.Id), Is.EqualTo(new[] { small.Id, medium.Id, large.Id }));
            Assert.That((await ListAsync(repClient, "?sort=-amount&amountMin=1000&amountMax=50000")).Items.Select(o => o.Id), Is.EqualTo(new[] { medium.Id, small.Id }));
            Assert.That((await ListAsync(repClient, $"?customerId={customerId}&status=open")).Items.Select(o => o.Id), Is.EqualTo(new[] { small.Id }));
            Assert.That((await ListAsync(repClient, "?status=won")).Items.Select(o => o.Id), Is.EqualTo(new[] { medium.Id }));
            Assert.That((await ListAsync(repClient, "?expectedCloseFrom=2027-02-01&expectedCloseTo=2027-03-31&sort=amount")).Items.Select(o => o.Id), Is.EqualTo(new[] { medium.Id, large.Id }));
            Assert.That((await ListAsync(repClient, $"?stageId={OpportunityApi.StageId("initialContact")}&sort=amount")).Items.Select(o => o.Id), Is.EqualTo(new[] { small.Id, large.Id }));
            Assert.That((await ListAsync(repClient, $"?ownerId={rep.Id}&includeTotal=true")).Total, Is.EqualTo(3));

            // q is a literal: % and _ match themselves, not anything.
            Assert.That((await ListAsync(repClient, "?q=100%25_OFF")).Items.Select(o => o.Id), Is.EqualTo(new[] { small.Id }));
            Assert.That((await ListAsync(repClient, "?q=%25")).Items.Select(o => o.Id), Is.EqualTo(new[] { small.Id }));

            Assert.That((await ListAsync(otherClient, "")).Items.Select(o => o.Name), Is.EqualTo(new[] { "别人的" }));
            Assert.That((await ListAsync(managerClient, "")).Items, Has.Count.EqualTo(3));
        });

        var first = await ListAsync(repClient, "?sort=amount&limit=2");
        Assert.That(first.Items.Select(o => o.Id), Is.EqualTo(new[] { small.Id, medium.Id }));
        var second = await ListAsync(repClient, $"?sort=amount&limit=2&cursor={Uri.EscapeDataString(first.NextCursor!)}");
        Assert.That(second.Items.Select(o => o.Id), Is.EqualTo(new[] { large.Id }));
        Assert.That(second.NextCursor, Is.Null);
    }

    [TestCase("?status=pending", "status")]
    [TestCase("?expectedCloseFrom=2027-03-01&expectedCloseTo=2027-02-01", "expectedCloseTo")]
    [TestCase("?amountMin=10&amountMax=5", "amountMax")]
    public async Task Bad_filters_answer_400_naming_the_field(string query, string field)
    {
        using var client = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
        var problem = await ReadProblemAsync(await client.GetAsync($"/api/v1/sales/opportunities{query}"), HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
    }

    [Test]
    public async Task An_unknown_sort_answers_400_and_users_without_sales_read_get_403()
    {
        using var client = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
        await ReadProblemAsync(await client.GetAsync("/api/v1/sales/opportunities?sort=probability"), HttpStatusCode.BadRequest);
        using var agent = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.ServiceAgent));
        await ReadProblemAsync(await agent.GetAsync("/api/v1/sales/opportunities"), HttpStatusCode.Forbidden);
    }
}

using System.Net;
using System.Text;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Features.Opportunities;

namespace Crm.IntegrationTests.Sales.Opportunities;

/// <summary>The ownership and reopening events of opportunities, and their timeline entries.</summary>
internal sealed class OpportunityEventTests : IntegrationTest
{
    private TestUser _rep = null!;
    private TestUser _teammate = null!;
    private TestUser _manager = null!;
    private HttpClient _repClient = null!;
    private HttpClient _managerClient = null!;
    private Guid _east;
    private Guid _customerId;

    [SetUp]
    public async Task CreateOrgAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "商机事件公司", TeamKind.Company);
        _east = await TestUsers.CreateTeamAsync(Factory, "华东", TeamKind.Department, company);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, _east);
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _east);
        _teammate = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _east);
        _repClient = Factory.ClientFor(_rep);
        _managerClient = Factory.ClientFor(_manager);
        _customerId = (await CustomerApi.CreateAsync(_repClient, "苏州事件客户")).Customer.Id;
    }

    [TearDown]
    public void DisposeClients()
    {
        _repClient.Dispose();
        _managerClient.Dispose();
    }

    private static Task<long> EventsAsync(string type, string where = "true") =>
        CountAsync($"SELECT count(*) FROM sales.outbox_messages WHERE type = 'Crm.Modules.Sales.Contracts.{type}' AND {where}");

    private async Task<OpportunityResponse> OpenAsync(string name, decimal amount) =>
        await ReadAsync<OpportunityResponse>(
            await _repClient.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name, customerId = _customerId, amount })), HttpStatusCode.Created);

    private static HttpRequestMessage Patch(Guid id, string json) =>
        new(HttpMethod.Patch, $"/api/v1/sales/opportunities/{id}") { Content = new StringContent(json, Encoding.UTF8, "application/merge-patch+json") };

    private async Task<List<string>> TimelineAsync(string kind)
    {
        await DispatchOutboxAsync();
        var page = await ReadAsync<TimelineTests.TimelinePage>(
            await _managerClient.GetAsync($"/api/v1/customers/{_customerId}/timeline?kind={kind}&limit=50"), HttpStatusCode.OK);
        return page.Items.Select(e => e.Summary).ToList();
    }

    [Test]
    public async Task Giving_an_opportunity_to_another_owner_raises_OpportunityOwnerChanged_with_the_patched_fields_and_it_lands_on_the_timeline()
    {
        var opportunity = await OpenAsync("无锡 MES 项目", 50_000m);

        // Refused, unchanged and plain edits raise nothing.
        await ReadProblemAsync(await _repClient.SendAsync(Patch(opportunity.Id, $$"""{"ownerId":"{{_teammate.Id}}"}""")), HttpStatusCode.Forbidden);
        await ReadAsync<OpportunityResponse>(await _managerClient.SendAsync(Patch(opportunity.Id, $$"""{"ownerId":"{{_rep.Id}}","description":"同一负责人"}""")), HttpStatusCode.OK);
        Assert.That(await EventsAsync("OpportunityOwnerChanged"), Is.Zero);

        var moved = await ReadAsync<OpportunityResponse>(
            await _managerClient.SendAsync(Patch(opportunity.Id, $$"""{"ownerId":"{{_teammate.Id}}","name":"无锡 MES 二期","amount":65000}""")), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(moved.OwnerId, Is.EqualTo(_teammate.Id));
            Assert.That(await EventsAsync("OpportunityOwnerChanged"), Is.EqualTo(1));
            Assert.That(await EventsAsync("OpportunityOwnerChanged",
                $"payload->>'opportunityId' = '{opportunity.Id}' AND payload->>'customerId' = '{_customerId}' AND payload->>'fromOwnerId' = '{_rep.Id}' "
                + $"AND payload->>'toOwnerId' = '{_teammate.Id}' AND payload->>'toTeamId' = '{_east}' AND payload->>'changedBy' = '{_manager.Id}' "
                + "AND payload->>'name' = '无锡 MES 二期' AND (payload->>'amount')::numeric = 65000 AND payload->>'currency' = 'CNY'"), Is.EqualTo(1));
        });

        Assert.That(await TimelineAsync("opportunityOwnerChanged"), Is.EqualTo(new[] { "Opportunity handed over: 无锡 MES 二期, 65,000.00 CNY" }));
    }

    [Test]
    public async Task Reopening_a_closed_opportunity_by_reopen_or_by_a_stage_move_raises_OpportunityReopened_with_the_outcome_it_undid()
    {
        var lost = await OpenAsync("常州 WMS", 12_000m);
        var won = await OpenAsync("南通 ERP", 30_000m);
        await ReadAsync<OpportunityResponse>(
            await _repClient.PostAsync($"/api/v1/sales/opportunities/{lost.Id}/lose", JsonBody(new { reason = "预算取消" })), HttpStatusCode.OK);
        await ReadAsync<OpportunityResponse>(await _repClient.PostAsync($"/api/v1/sales/opportunities/{won.Id}/win", null), HttpStatusCode.OK);

        // An open opportunity moving between open stages is no reopening.
        var open = await OpenAsync("扬州 CRM", 1_000m);
        await ReadAsync<OpportunityResponse>(
            await _repClient.PostAsync($"/api/v1/sales/opportunities/{open.Id}/stage", JsonBody(new { stageCode = "intentReached" })), HttpStatusCode.OK);
        Assert.That(await EventsAsync("OpportunityReopened"), Is.Zero);

        await ReadAsync<OpportunityResponse>(await _repClient.PostAsync($"/api/v1/sales/opportunities/{lost.Id}/reopen", JsonBody(new { })), HttpStatusCode.OK);
        await ReadAsync<OpportunityResponse>(
            await _repClient.PostAsync($"/api/v1/sales/opportunities/{won.Id}/stage", JsonBody(new { stageCode = "businessNegotiation" })), HttpStatusCode.OK);
        await ReadProblemAsync(await _repClient.PostAsync($"/api/v1/sales/opportunities/{lost.Id}/reopen", JsonBody(new { })), HttpStatusCode.Conflict);

        Assert.Multiple(async () =>
        {
            Assert.That(await EventsAsync("OpportunityReopened"), Is.EqualTo(2), "a refused reopening raises nothing");
            Assert.That(await EventsAsync("OpportunityReopened",
                $"payload->>'opportunityId' = '{lost.Id}' AND payload->>'customerId' = '{_customerId}' AND payload->>'fromStatus' = 'lost' "
                + $"AND payload->>'stageId' = '{OpportunityApi.StageId("initialContact")}' AND payload->>'stageCode' = 'initialContact' "
                + $"AND (payload->>'amount')::numeric = 12000 AND payload->>'ownerId' = '{_rep.Id}' AND payload->>'reopenedBy' = '{_rep.Id}'"), Is.EqualTo(1));
            Assert.That(await EventsAsync("OpportunityReopened",
                $"payload->>'opportunityId' = '{won.Id}' AND payload->>'fromStatus' = 'won' AND payload->>'stageCode' = 'businessNegotiation'"), Is.EqualTo(1));
            Assert.That(await EventsAsync("OpportunityStageChanged", $"payload->>'opportunityId' IN ('{lost.Id}', '{won.Id}') AND payload->>'status' = 'open'"),
                Is.EqualTo(2), "the stage move is still announced as before");
        });

        Assert.That(await TimelineAsync("opportunityReopened"), Is.EquivalentTo(new[]
        {
            "Opportunity reopened (lost before): 常州 WMS, 12,000.00 CNY", "Opportunity reopened (won before): 南通 ERP, 30,000.00 CNY",
        }));
    }
}

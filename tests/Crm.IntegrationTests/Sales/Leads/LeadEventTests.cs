using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using static Crm.IntegrationTests.Integration.ImportApi;
using static Crm.IntegrationTests.Sales.Leads.LeadApi;

namespace Crm.IntegrationTests.Sales.Leads;

internal sealed class LeadEventTests : IntegrationTest
{
    private TestUser _manager = null!;
    private TestUser _rep = null!;
    private HttpClient _managerClient = null!;

    [SetUp]
    public async Task CreateTeamAsync()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "线索事件组", TeamKind.Group);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, team);
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        _managerClient = Factory.ClientFor(_manager);
    }

    [TearDown]
    public void DisposeManager() => _managerClient.Dispose();

    private static Task<long> EventsAsync(string type, string where = "true") =>
        CountAsync($"SELECT count(*) FROM sales.outbox_messages WHERE type = 'Crm.Modules.Sales.Contracts.{type}' AND {where}");

    [Test]
    public async Task Creating_a_lead_raises_LeadCreated_with_its_owner_and_assigning_it_raises_LeadAssigned_from_the_previous_owner()
    {
        var (lead, etag) = await CreateAsync(_managerClient, new { companyName = "事件公司", source = "website" });
        Assert.That(await EventsAsync("LeadCreated", $"payload->>'leadId' = '{lead.Id}' AND payload->>'ownerId' IS NULL AND payload->>'source' = 'website'"), Is.EqualTo(1));

        await ReadAsync<object>(await _managerClient.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/assign", new { ownerId = _rep.Id }, etag)), HttpStatusCode.OK);
        Assert.That(await EventsAsync("LeadAssigned", $"payload->>'leadId' = '{lead.Id}' AND payload->>'fromOwnerId' IS NULL AND payload->>'toOwnerId' = '{_rep.Id}'"), Is.EqualTo(1));

        // Giving it to the owner it has is no change, so no event.
        await ReadAsync<object>(await _managerClient.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/assign", new { ownerId = _rep.Id })), HttpStatusCode.OK);
        Assert.That(await EventsAsync("LeadAssigned"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_bulk_reassign_raises_one_LeadAssigned_per_moved_lead_with_each_previous_owner()
    {
        var ids = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await CreateAsync(_managerClient, new { companyName = $"批量 {i}", ownerId = _rep.Id })).Lead.Id);
        }

        var alreadyMine = (await CreateAsync(_managerClient, new { companyName = "已是经理的", ownerId = _manager.Id })).Lead.Id;
        var response = await _managerClient.PostAsync("/api/v1/sales/leads/reassign", JsonBody(new { toOwnerId = _manager.Id, ids = ids.Append(alreadyMine) }));
        await ReadAsync<object>(response, HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(await EventsAsync("LeadAssigned"), Is.EqualTo(3));
            Assert.That(await EventsAsync("LeadAssigned", $"payload->>'fromOwnerId' = '{_rep.Id}' AND payload->>'toOwnerId' = '{_manager.Id}'"), Is.EqualTo(3));
            Assert.That(await EventsAsync("LeadAssigned", $"payload->>'leadId' = '{alreadyMine}'"), Is.Zero);
        });
    }

    [Test]
    public async Task Disqualifying_an_open_lead_raises_LeadDisqualified_with_the_reason_and_its_origin_once()
    {
        var (lead, _) = await CreateAsync(_managerClient, new { companyName = "无效公司", personName = "王五", source = "website", ownerId = _rep.Id });
        var disqualify = () => _managerClient.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/disqualify", new { reason = " 空号 " }));
        await ReadAsync<object>(await disqualify(), HttpStatusCode.OK);
        var again = await disqualify();

        Assert.Multiple(async () =>
        {
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "a closed lead is not disqualified twice");
            Assert.That(await EventsAsync("LeadDisqualified"), Is.EqualTo(1));
            Assert.That(await EventsAsync("LeadDisqualified",
                $"payload->>'leadId' = '{lead.Id}' AND payload->>'reason' = '空号' AND payload->>'companyName' = '无效公司' AND payload->>'personName' = '王五' "
                + $"AND payload->>'source' = 'website' AND payload->>'ownerId' = '{_rep.Id}' AND payload->>'teamId' = '{lead.TeamId}'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task An_import_raises_LeadCreated_for_each_created_row_only()
    {
        await ImportAsync(_managerClient, "leads", Csv($"companyName,emails,ownerEmail\n导入一,a@import.cn,{_rep.Email}\n导入二,b@import.cn,\n"));
        await ImportAsync(_managerClient, "leads", Csv("companyName,emails\n导入一,a@import.cn\n"));

        Assert.Multiple(async () =>
        {
            Assert.That(await EventsAsync("LeadCreated"), Is.EqualTo(2));
            Assert.That(await EventsAsync("LeadCreated", $"payload->>'companyName' = '导入一' AND payload->>'ownerId' = '{_rep.Id}'"), Is.EqualTo(1));
        });
    }
}

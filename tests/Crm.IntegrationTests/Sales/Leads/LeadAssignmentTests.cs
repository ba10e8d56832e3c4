using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Features.Assignment;
using Crm.Modules.Sales.Features.Leads;
using static Crm.IntegrationTests.Sales.Leads.LeadApi;

namespace Crm.IntegrationTests.Sales.Leads;

internal sealed class LeadAssignmentTests : IntegrationTest
{
    private Guid _team;
    private TestUser _manager = null!;
    private HttpClient _managerClient = null!;

    [SetUp]
    public async Task SignInManagerAsync()
    {
        _team = await TestUsers.CreateTeamAsync(Factory, "线索组", TeamKind.Group);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, _team);
        _managerClient = Factory.ClientFor(_manager);
    }

    [TearDown]
    public void DisposeManager() => _managerClient.Dispose();

    private async Task<List<TestUser>> RepsAsync(int count)
    {
        var reps = new List<TestUser>();
        for (var i = 0; i < count; i++)
        {
            reps.Add(await TestUsers.CreateAsync(Factory, Roles.SalesRep, _team));
        }

        return reps;
    }

    private async Task<AssignmentRuleResponse> RuleAsync(object body)
    {
        var response = await _managerClient.PostAsync("/api/v1/sales/assignment-rules", JsonBody(body));
        return await ReadAsync<AssignmentRuleResponse>(response, HttpStatusCode.Created);
    }

    [Test]
    public async Task Round_robin_deals_30_concurrent_leads_out_10_each_to_3_reps()
    {
        var reps = await RepsAsync(3);
        var rule = await RuleAsync(new { name = "轮询", position = 1, strategy = "roundRobin", userIds = reps.Select(r => r.Id) });

        using var rep = Factory.ClientFor(reps[0]);
        var created = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => CreateAsync(rep, $"并发线索 {i}")));

        var perOwner = created.GroupBy(c => c.Lead.OwnerId).ToDictionary(g => g.Key!.Value, g => g.Count());
        var stored = await ReadAsync<AssignmentRuleResponse>(await _managerClient.GetAsync($"/api/v1/sales/assignment-rules/{rule.Id}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(perOwner.Keys, Is.EquivalentTo(reps.Select(r => r.Id)));
            Assert.That(perOwner.Values, Is.All.EqualTo(10));
            Assert.That(created.Select(c => c.Lead.TeamId), Is.All.EqualTo(_team));
            Assert.That(stored.Rotation, Is.EqualTo(30));
        });
    }

    [Test]
    public async Task Least_loaded_fills_the_emptiest_rep_first_counting_only_open_leads()
    {
        var reps = await RepsAsync(3);
        var (a, b, c) = (reps[0].Id, reps[1].Id, reps[2].Id);
        await CreateAsync(_managerClient, new { companyName = "A1", ownerId = a });
        await CreateAsync(_managerClient, new { companyName = "A2", ownerId = a });
        await CreateAsync(_managerClient, new { companyName = "C1", ownerId = c });
        foreach (var name in new[] { "B 作废1", "B 作废2" })
        {
            var (closed, _) = await CreateAsync(_managerClient, new { companyName = name, ownerId = b });
            await ReadAsync<LeadResponse>(await _managerClient.SendAsync(Post($"/api/v1/sales/leads/{closed.Id}/disqualify", new { reason = "重复" })), HttpStatusCode.OK);
        }

        await RuleAsync(new { name = "最少负载", position = 1, strategy = "leastLoaded", userIds = new[] { a, b, c } });
        var owners = new List<Guid?>();
        for (var i = 0; i < 4; i++)
        {
            owners.Add((await CreateAsync(_managerClient, $"新线索 {i}")).Lead.OwnerId);
        }

        // Open loads 2 / 0 / 1: b, then b or c by list order (b), then c, then everyone has 2 and a comes first.
        Assert.That(owners, Is.EqualTo(new Guid?[] { b, b, c, a }));
    }

    [Test]
    public async Task The_first_matching_rule_wins_a_territory_rotates_among_its_reps_and_no_match_leaves_the_lead_unassigned()
    {
        var reps = await RepsAsync(3);
        var territory = await ReadAsync<TerritoryResponse>(await _managerClient.PostAsync("/api/v1/sales/territories", JsonBody(new
        {
            name = "华南制造", provinces = new[] { "广东省", "广西壮族自治区" }, industries = new[] { "制造业" }, userIds = new[] { reps[0].Id, reps[1].Id },
        })), HttpStatusCode.Created);
        await RuleAsync(new { name = "官网线索", position = 2, strategy = "roundRobin", sources = new[] { "website" }, userIds = new[] { reps[2].Id } });
        await RuleAsync(new { name = "华南", position = 1, strategy = "territory", territoryId = territory.Id });
        await RuleAsync(new { name = "停用", position = 0, active = false, strategy = "roundRobin", userIds = new[] { _manager.Id } });

        var first = (await CreateAsync(_managerClient, new { companyName = "佛山工厂", province = "广东省", industry = "制造业", source = "website" })).Lead;
        var second = (await CreateAsync(_managerClient, new { companyName = "南宁工厂", province = "广西壮族自治区", industry = "制造业" })).Lead;
        var web = (await CreateAsync(_managerClient, new { companyName = "广州餐饮", province = "广东省", industry = "餐饮", source = "website" })).Lead;
        var none = (await CreateAsync(_managerClient, new { companyName = "杭州餐饮", province = "浙江省", industry = "餐饮", source = "exhibition" })).Lead;
        var explicitOwner = (await CreateAsync(_managerClient, new { companyName = "指定", province = "广东省", industry = "制造业", ownerId = _manager.Id })).Lead;

        Assert.Multiple(() =>
        {
            Assert.That(first.OwnerId, Is.EqualTo(reps[0].Id));
            Assert.That(second.OwnerId, Is.EqualTo(reps[1].Id));
            Assert.That(web.OwnerId, Is.EqualTo(reps[2].Id));
            Assert.That(none.OwnerId, Is.Null);
            Assert.That(explicitOwner.OwnerId, Is.EqualTo(_manager.Id));
        });
    }

    [Test]
    public async Task Only_managers_edit_rules_and_territories_and_bad_ones_are_400_422_409_or_412()
    {
        var reps = await RepsAsync(1);
        using var rep = Factory.ClientFor(reps[0]);
        await ReadProblemAsync(await rep.PostAsync("/api/v1/sales/assignment-rules", JsonBody(new { name = "x", position = 1, strategy = "roundRobin", userIds = new[] { reps[0].Id } })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await rep.PostAsync("/api/v1/sales/territories", JsonBody(new { name = "x" })), HttpStatusCode.Forbidden);
        using var agent = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.ServiceAgent));
        await ReadProblemAsync(await agent.GetAsync("/api/v1/sales/assignment-rules"), HttpStatusCode.Forbidden);

        var invalid = await _managerClient.PostAsync("/api/v1/sales/assignment-rules", JsonBody(new { position = -1, strategy = "territory" }));
        var errors = (await ReadProblemAsync(invalid, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "name", "position", "territoryId" })
            {
                Assert.That(errors.TryGetProperty(field, out _), Is.True, field + " in " + errors);
            }
        });
        var noUsers = await _managerClient.PostAsync("/api/v1/sales/assignment-rules", JsonBody(new { name = "x", position = 1, strategy = "leastLoaded" }));
        Assert.That((await ReadProblemAsync(noUsers, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("userIds", out _), Is.True);
        var unknownUser = await _managerClient.PostAsync("/api/v1/sales/assignment-rules", JsonBody(new { name = "x", position = 1, strategy = "roundRobin", userIds = new[] { Guid.CreateVersion7() } }));
        Assert.That((await ReadProblemAsync(unknownUser, (HttpStatusCode)422)).GetProperty("type").GetString(), Does.EndWith("/unknown-users"));
        var unknownTerritory = await _managerClient.PostAsync("/api/v1/sales/assignment-rules", JsonBody(new { name = "x", position = 1, strategy = "territory", territoryId = Guid.CreateVersion7() }));
        Assert.That((await ReadProblemAsync(unknownTerritory, (HttpStatusCode)422)).GetProperty("type").GetString(), Does.EndWith("/unknown-territory"));

        var territoryResponse = await _managerClient.PostAsync("/api/v1/sales/territories", JsonBody(new { name = "华东", provinces = new[] { "上海市" } }));
        var territory = await ReadAsync<TerritoryResponse>(territoryResponse, HttpStatusCode.Created);
        await ReadProblemAsync(await _managerClient.PostAsync("/api/v1/sales/territories", JsonBody(new { name = "华东" })), HttpStatusCode.Conflict);
        var rule = await RuleAsync(new { name = "华东", position = 1, strategy = "territory", territoryId = territory.Id });
        var duplicate = await _managerClient.PostAsync("/api/v1/sales/assignment-rules", JsonBody(new { name = "y", position = 1, strategy = "roundRobin", userIds = new[] { reps[0].Id } }));
        Assert.That((await ReadProblemAsync(duplicate, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("/duplicate-rule-position"));
        var inUse = await _managerClient.DeleteAsync($"/api/v1/sales/territories/{territory.Id}");
        Assert.That((await ReadProblemAsync(inUse, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("/territory-in-use"));

        var stale = Put($"/api/v1/sales/assignment-rules/{rule.Id}", new { name = "改名", position = 5, strategy = "territory", territoryId = territory.Id }, "\"1\"");
        await ReadProblemAsync(await _managerClient.SendAsync(stale), HttpStatusCode.PreconditionFailed);
        var get = await _managerClient.GetAsync($"/api/v1/sales/assignment-rules/{rule.Id}");
        var put = Put($"/api/v1/sales/assignment-rules/{rule.Id}", new { name = "改名", position = 5, strategy = "roundRobin", userIds = new[] { reps[0].Id } }, get.Headers.ETag!.ToString());
        var replaced = await ReadAsync<AssignmentRuleResponse>(await _managerClient.SendAsync(put), HttpStatusCode.OK);
        Assert.That((replaced.Name, replaced.Position, replaced.TerritoryId), Is.EqualTo(("改名", 5, (Guid?)null)));

        Assert.That((await _managerClient.DeleteAsync($"/api/v1/sales/territories/{territory.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await ReadProblemAsync(await _managerClient.GetAsync($"/api/v1/sales/territories/{territory.Id}"), HttpStatusCode.NotFound);
        Assert.That((await _managerClient.DeleteAsync($"/api/v1/sales/assignment-rules/{rule.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        var list = await ReadAsync<List<AssignmentRuleResponse>>(await rep.GetAsync("/api/v1/sales/assignment-rules"), HttpStatusCode.OK);
        Assert.That(list, Is.Empty);
    }

    [Test]
    public async Task A_rep_takes_an_unassigned_lead_but_only_managers_give_leads_to_others()
    {
        var reps = await RepsAsync(2);
        using var rep = Factory.ClientFor(reps[0]);
        var (lead, etag) = await CreateAsync(rep, "待认领");

        await ReadProblemAsync(await rep.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/assign", new { ownerId = reps[0].Id }, ifMatch: "\"1\"")), HttpStatusCode.PreconditionFailed);
        var taken = await ReadAsync<LeadResponse>(await rep.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/assign", new { ownerId = reps[0].Id }, ifMatch: etag)), HttpStatusCode.OK);
        Assert.That(taken.OwnerId, Is.EqualTo(reps[0].Id));

        await ReadProblemAsync(await rep.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/assign", new { ownerId = reps[1].Id })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await rep.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/assign", new { })), HttpStatusCode.BadRequest);
        using var other = Factory.ClientFor(reps[1]);
        await ReadProblemAsync(await other.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/assign", new { ownerId = reps[1].Id })), HttpStatusCode.NotFound);

        var given = await ReadAsync<LeadResponse>(await _managerClient.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/assign", new { ownerId = reps[1].Id })), HttpStatusCode.OK);
        Assert.That(given.OwnerId, Is.EqualTo(reps[1].Id));

        await ReadAsync<LeadResponse>(await _managerClient.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/disqualify", new { reason = "无需求" })), HttpStatusCode.OK);
        await ReadProblemAsync(await _managerClient.SendAsync(Post($"/api/v1/sales/leads/{lead.Id}/assign", new { ownerId = reps[0].Id })), HttpStatusCode.Conflict);
    }

    [Test]
    public async Task Bulk_reassign_moves_open_visible_leads_by_ids_or_filter_in_one_update_with_one_audit_summary()
    {
        var reps = await RepsAsync(2);
        var (from, to) = (reps[0], reps[1]);
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await CreateAsync(_managerClient, new { companyName = $"转移 {i}", province = "江苏省", ownerId = from.Id })).Lead.Id);
        }

        var (closed, _) = await CreateAsync(_managerClient, new { companyName = "已作废", province = "江苏省", ownerId = from.Id });
        await ReadAsync<LeadResponse>(await _managerClient.SendAsync(Post($"/api/v1/sales/leads/{closed.Id}/disqualify", new { reason = "空号" })), HttpStatusCode.OK);
        var outsider = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        var (invisible, _) = await CreateAsync(admin, new { companyName = "别组的", ownerId = outsider.Id });

        var byIds = await ReadAsync<ReassignLeadsResponse>(
            await _managerClient.PostAsync("/api/v1/sales/leads/reassign", JsonBody(new { toOwnerId = to.Id, ids = new[] { ids[0], ids[1], closed.Id, invisible.Id } })),
            HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(byIds.Reassigned, Is.EqualTo(2));
            Assert.That(byIds.NotFound, Is.EquivalentTo(new[] { closed.Id, invisible.Id }));
        });

        var byFilter = await ReadAsync<ReassignLeadsResponse>(
            await _managerClient.PostAsync("/api/v1/sales/leads/reassign", JsonBody(new { toOwnerId = to.Id, filter = new { ownerId = from.Id, province = "江苏省" } })),
            HttpStatusCode.OK);
        Assert.That(byFilter.Reassigned, Is.EqualTo(3));

        var toList = await ListAsync(_managerClient, $"?ownerId={to.Id}");
        var stillFrom = await ListAsync(_managerClient, $"?ownerId={from.Id}");
        var summaries = await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'lead' AND affected_count = 3");
        Assert.Multiple(() =>
        {
            Assert.That(toList.Items.Select(l => l.Id), Is.EquivalentTo(ids));
            Assert.That(toList.Items.Select(l => l.TeamId), Is.All.EqualTo(_team));
            Assert.That(stillFrom.Items.Select(l => l.Id), Is.EqualTo(new[] { closed.Id }));
            Assert.That(summaries, Is.EqualTo(1));
        });

        using var rep = Factory.ClientFor(from);
        await ReadProblemAsync(await rep.PostAsync("/api/v1/sales/leads/reassign", JsonBody(new { toOwnerId = from.Id, ids })), HttpStatusCode.Forbidden);
        var both = await _managerClient.PostAsync("/api/v1/sales/leads/reassign", JsonBody(new { toOwnerId = to.Id, ids, filter = new { } }));
        Assert.That((await ReadProblemAsync(both, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("ids", out _), Is.True);
        await ReadProblemAsync(await _managerClient.PostAsync("/api/v1/sales/leads/reassign", JsonBody(new { toOwnerId = outsider.Id, ids })), HttpStatusCode.Forbidden);
    }
}

using System.Net;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Integration.Domain;
using Crm.Modules.Sales.Features.Assignment;
using Crm.Modules.Sales.Features.Leads;
using static Crm.IntegrationTests.Integration.ImportApi;
using static Crm.IntegrationTests.Sales.Leads.LeadApi;

namespace Crm.IntegrationTests.Sales.Leads;

/// <summary>Rules that distribute leads over a team subtree (teamId) with round robin and least loaded.</summary>
internal sealed class LeadTeamAssignmentTests : IntegrationTest
{
    private Guid _team;
    private Guid _subTeam;
    private TestUser _manager = null!;
    private HttpClient _managerClient = null!;
    private HttpClient _admin = null!;

    /// <summary>华东销售部 (the manager's team) with one sub-team, 上海组.</summary>
    [SetUp]
    public async Task CreateTeamsAsync()
    {
        _team = await TestUsers.CreateTeamAsync(Factory, "华东销售部", TeamKind.Department);
        _subTeam = await TestUsers.CreateTeamAsync(Factory, "上海组", TeamKind.Group, _team);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, _team);
        _managerClient = Factory.ClientFor(_manager);
        _admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
    }

    [TearDown]
    public void DisposeClients()
    {
        _managerClient.Dispose();
        _admin.Dispose();
    }

    private async Task<AssignmentRuleResponse> RuleAsync(object body)
    {
        var response = await _managerClient.PostAsync("/api/v1/sales/assignment-rules", JsonBody(body));
        return await ReadAsync<AssignmentRuleResponse>(response, HttpStatusCode.Created);
    }

    private async Task<AssignmentRuleResponse> GetRuleAsync(Guid id) =>
        await ReadAsync<AssignmentRuleResponse>(await _managerClient.GetAsync($"/api/v1/sales/assignment-rules/{id}"), HttpStatusCode.OK);

    private async Task MoveToTeamAsync(TestUser user, Guid? teamId)
    {
        var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/users/{user.Id}")
        {
            Content = new StringContent(teamId is null ? """{"teamId":null}""" : $$"""{"teamId":"{{teamId}}"}""", Encoding.UTF8, "application/merge-patch+json"),
        };
        var response = await _admin.SendAsync(patch);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private async Task<Guid?> NextOwnerAsync(object? body = null) =>
        (await CreateAsync(_managerClient, body ?? new { companyName = $"线索 {Guid.NewGuid():N}" })).Lead.OwnerId;

    [Test]
    public async Task Round_robin_over_a_team_deals_30_concurrent_leads_10_each_to_its_reps_sub_teams_included_and_to_no_one_else()
    {
        var rep1 = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _team);
        var rep2 = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _team);
        var rep3 = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _subTeam);
        await TestUsers.CreateAsync(Factory, Roles.Marketing, _team);
        var deactivated = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _subTeam);
        await ReadAsync<object>(await _admin.PostAsync($"/api/v1/users/{deactivated.Id}/deactivate", null), HttpStatusCode.OK);
        var rule = await RuleAsync(new { name = "华东轮询", position = 1, strategy = "roundRobin", teamId = _team });

        using var rep = Factory.ClientFor(rep1);
        var created = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => CreateAsync(rep, $"团队并发线索 {i}")));

        var perOwner = created.GroupBy(c => c.Lead.OwnerId!.Value).ToDictionary(g => g.Key, g => g.Count());
        var stored = await GetRuleAsync(rule.Id);
        Assert.Multiple(() =>
        {
            Assert.That(rule.TeamId, Is.EqualTo(_team));
            Assert.That(rule.UserIds, Is.Empty);
            Assert.That(perOwner.Keys, Is.EquivalentTo(new[] { rep1.Id, rep2.Id, rep3.Id }), "the manager, a marketing user and a deactivated rep get none");
            Assert.That(perOwner.Values, Is.All.EqualTo(10));
            Assert.That(created.Where(c => c.Lead.OwnerId == rep3.Id).Select(c => c.Lead.TeamId), Is.All.EqualTo(_subTeam), "a lead carries its owner's own team");
            Assert.That(stored.Rotation, Is.EqualTo(30));
        });
    }

    [Test]
    public async Task Least_loaded_over_a_team_fills_the_emptiest_rep_first()
    {
        var full = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _team);
        var empty = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _team);
        var half = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _subTeam);
        foreach (var (owner, count) in new[] { (full, 2), (half, 1) })
        {
            for (var i = 0; i < count; i++)
            {
                await CreateAsync(_managerClient, new { companyName = $"存量 {i}", ownerId = owner.Id });
            }
        }

        await RuleAsync(new { name = "华东最少负载", position = 1, strategy = "leastLoaded", teamId = _team });
        var owners = new List<Guid?>();
        for (var i = 0; i < 3; i++)
        {
            owners.Add(await NextOwnerAsync());
        }

        // Open loads 2 / 0 / 1: the empty rep first, then one lead each to the two reps at 1; the full rep waits.
        Assert.Multiple(() =>
        {
            Assert.That(owners[0], Is.EqualTo(empty.Id));
            Assert.That(owners.Skip(1), Is.EquivalentTo(new Guid?[] { empty.Id, half.Id }));
            Assert.That(owners, Does.Not.Contain(full.Id));
        });
    }

    [Test]
    public async Task A_rep_who_leaves_the_team_stops_receiving_its_leads_and_one_who_joins_starts_without_editing_the_rule()
    {
        var stayer = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _team);
        var leaver = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _subTeam);
        var otherTeam = await TestUsers.CreateTeamAsync(Factory, "华南销售部", TeamKind.Department);
        var joiner = await TestUsers.CreateAsync(Factory, Roles.SalesRep, otherTeam);
        await RuleAsync(new { name = "华东轮询", position = 1, strategy = "roundRobin", teamId = _team });

        var before = new[] { await NextOwnerAsync(), await NextOwnerAsync() };
        await MoveToTeamAsync(leaver, otherTeam);
        var afterLeaving = new[] { await NextOwnerAsync(), await NextOwnerAsync(), await NextOwnerAsync() };
        await MoveToTeamAsync(joiner, _subTeam);
        var afterJoining = new[] { await NextOwnerAsync(), await NextOwnerAsync() };

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EquivalentTo(new Guid?[] { stayer.Id, leaver.Id }));
            Assert.That(afterLeaving, Is.All.EqualTo(stayer.Id));
            Assert.That(afterJoining, Is.EquivalentTo(new Guid?[] { stayer.Id, joiner.Id }));
        });
    }

    [Test]
    public async Task A_team_without_active_reps_falls_through_to_the_next_rule_and_with_no_next_rule_the_lead_stays_unassigned()
    {
        var emptyTeam = await TestUsers.CreateTeamAsync(Factory, "杭州组", TeamKind.Group, _team);
        await TestUsers.CreateAsync(Factory, Roles.SalesManager, emptyTeam);
        var gone = await TestUsers.CreateAsync(Factory, Roles.SalesRep, emptyTeam);
        await ReadAsync<object>(await _admin.PostAsync($"/api/v1/users/{gone.Id}/deactivate", null), HttpStatusCode.OK);
        var fallback = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _team);
        await RuleAsync(new { name = "杭州组", position = 1, strategy = "roundRobin", teamId = emptyTeam });
        await RuleAsync(new { name = "官网兜底", position = 2, strategy = "leastLoaded", sources = new[] { "website" }, userIds = new[] { fallback.Id } });

        var web = await NextOwnerAsync(new { companyName = "官网线索", source = "website" });
        var fair = await NextOwnerAsync(new { companyName = "展会线索", source = "exhibition" });

        Assert.Multiple(() =>
        {
            Assert.That(web, Is.EqualTo(fallback.Id));
            Assert.That(fair, Is.Null);
        });
    }

    [Test]
    public async Task Listed_users_come_first_in_their_order_then_the_team_reps_by_user_id()
    {
        var reps = new List<TestUser>();
        for (var i = 0; i < 3; i++)
        {
            reps.Add(await TestUsers.CreateAsync(Factory, Roles.SalesRep, i == 2 ? _subTeam : _team));
        }

        // The manager sells too when named; a listed rep of the team is not counted twice.
        var listed = new[] { _manager.Id, reps[1].Id };
        var rule = await RuleAsync(new { name = "经理也接单", position = 1, strategy = "roundRobin", userIds = listed, teamId = _team });
        var owners = new List<Guid?>();
        for (var i = 0; i < 8; i++)
        {
            owners.Add(await NextOwnerAsync());
        }

        var cycle = listed.Concat(new[] { reps[0].Id, reps[2].Id }.Order()).Select(id => (Guid?)id).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(rule.UserIds, Is.EqualTo(listed));
            Assert.That(owners, Is.EqualTo(cycle.Concat(cycle)));
        });
    }

    [Test]
    public async Task An_import_assigns_its_rows_over_the_team_in_one_batch_of_turns()
    {
        var reps = new List<TestUser>();
        for (var i = 0; i < 3; i++)
        {
            reps.Add(await TestUsers.CreateAsync(Factory, Roles.SalesRep, i == 0 ? _subTeam : _team));
        }

        var rule = await RuleAsync(new { name = "华东导入", position = 1, strategy = "roundRobin", teamId = _team });
        var rows = string.Join('\n', Enumerable.Range(0, 6).Select(i => $"导入公司{i},联系人{i},lead{i}@import.cn,上海市"));

        var report = await ImportAsync(_managerClient, "leads", Csv("公司名称,姓名,邮箱,省份\n" + rows));

        Assert.That((report.Status, report.Created, report.Rejected), Is.EqualTo((ImportJobStatus.Succeeded, 6L, 0L)), string.Join("; ", report.Errors.Select(e => $"{e.Row} {e.Column}: {e.Message}")));
        var page = await ListAsync(_managerClient, "?limit=10&sort=createdAt");
        var stored = await GetRuleAsync(rule.Id);
        Assert.Multiple(() =>
        {
            Assert.That(page.Items.GroupBy(l => l.OwnerId).ToDictionary(g => g.Key!.Value, g => g.Count()), Is.EquivalentTo(reps.ToDictionary(r => r.Id, _ => 2)));
            Assert.That(stored.Rotation, Is.EqualTo(6));
        });
    }

    [Test]
    public async Task A_team_rule_needs_consistent_settings_400_an_existing_team_422_and_one_in_the_managers_subtree_403()
    {
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _team);
        var sibling = await TestUsers.CreateTeamAsync(Factory, "华南销售部", TeamKind.Department);

        async Task<System.Text.Json.JsonElement> ProblemAsync(object body, HttpStatusCode status) =>
            await ReadProblemAsync(await _managerClient.PostAsync("/api/v1/sales/assignment-rules", JsonBody(body)), status);

        var territory = await ReadAsync<TerritoryResponse>(await _managerClient.PostAsync("/api/v1/sales/territories", JsonBody(new { name = "华东", provinces = new[] { "上海市" } })), HttpStatusCode.Created);
        var territoryWithTeam = await ProblemAsync(new { name = "x", position = 1, strategy = "territory", territoryId = territory.Id, teamId = _team, userIds = new[] { rep.Id } }, HttpStatusCode.BadRequest);
        var neither = await ProblemAsync(new { name = "x", position = 1, strategy = "roundRobin" }, HttpStatusCode.BadRequest);
        var emptyId = await ProblemAsync(new { name = "x", position = 1, strategy = "leastLoaded", teamId = Guid.Empty }, HttpStatusCode.BadRequest);
        var unknown = await ProblemAsync(new { name = "x", position = 1, strategy = "roundRobin", teamId = Guid.CreateVersion7() }, (HttpStatusCode)422);
        await ProblemAsync(new { name = "x", position = 1, strategy = "roundRobin", teamId = sibling }, HttpStatusCode.Forbidden);
        Assert.Multiple(() =>
        {
            Assert.That(territoryWithTeam.GetProperty("errors").TryGetProperty("teamId", out _), Is.True, territoryWithTeam.ToString());
            Assert.That(territoryWithTeam.GetProperty("errors").TryGetProperty("userIds", out _), Is.True, territoryWithTeam.ToString());
            Assert.That(neither.GetProperty("errors").TryGetProperty("userIds", out _), Is.True, neither.ToString());
            Assert.That(emptyId.GetProperty("errors").TryGetProperty("teamId", out _), Is.True, emptyId.ToString());
            Assert.That(unknown.GetProperty("type").GetString(), Does.EndWith("/unknown-team"));
        });

        // A sub-team is the manager's to use; replacing the rule with a team outside the subtree is refused and changes nothing.
        var rule = await RuleAsync(new { name = "上海组", position = 1, strategy = "leastLoaded", teamId = _subTeam });
        var get = await _managerClient.GetAsync($"/api/v1/sales/assignment-rules/{rule.Id}");
        var outside = Put($"/api/v1/sales/assignment-rules/{rule.Id}", new { name = "上海组", position = 1, strategy = "leastLoaded", teamId = sibling }, get.Headers.ETag!.ToString());
        await ReadProblemAsync(await _managerClient.SendAsync(outside), HttpStatusCode.Forbidden);
        var widen = Put($"/api/v1/sales/assignment-rules/{rule.Id}", new { name = "华东", position = 1, strategy = "leastLoaded", teamId = _team, userIds = new[] { _manager.Id } }, get.Headers.ETag!.ToString());
        var replaced = await ReadAsync<AssignmentRuleResponse>(await _managerClient.SendAsync(widen), HttpStatusCode.OK);
        var explicitOnly = Put($"/api/v1/sales/assignment-rules/{rule.Id}", new { name = "华东", position = 1, strategy = "leastLoaded", userIds = new[] { _manager.Id } });
        var cleared = await ReadAsync<AssignmentRuleResponse>(await _managerClient.SendAsync(explicitOnly), HttpStatusCode.OK);

        // Administrators may use any team.
        var adminRule = await ReadAsync<AssignmentRuleResponse>(
            await _admin.PostAsync("/api/v1/sales/assignment-rules", JsonBody(new { name = "华南", position = 2, strategy = "roundRobin", teamId = sibling })), HttpStatusCode.Created);
        var storedAdminRule = await GetRuleAsync(adminRule.Id);
        Assert.Multiple(() =>
        {
            Assert.That((replaced.TeamId, replaced.UserIds.Single()), Is.EqualTo(((Guid?)_team, _manager.Id)));
            Assert.That(cleared.TeamId, Is.Null);
            Assert.That(adminRule.TeamId, Is.EqualTo(sibling));
            Assert.That(storedAdminRule.TeamId, Is.EqualTo(sibling));
        });
    }
}

using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Features.Assignment;
using static Crm.IntegrationTests.Sales.Leads.LeadApi;

namespace Crm.IntegrationTests.Sales.Leads;

/// <summary>Territories worked by teams (teamIds): the territory strategy rotates over their active sales reps.</summary>
internal sealed class TerritoryTeamAssignmentTests : IntegrationTest
{
    private Guid _team;
    private Guid _subTeam;
    private TestUser _manager = null!;
    private HttpClient _managerClient = null!;

    /// <summary>华南销售部 (the manager's team) with one sub-team, 深圳组.</summary>
    [SetUp]
    public async Task CreateTeamsAsync()
    {
        _team = await TestUsers.CreateTeamAsync(Factory, "华南销售部", TeamKind.Department);
        _subTeam = await TestUsers.CreateTeamAsync(Factory, "深圳组", TeamKind.Group, _team);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, _team);
        _managerClient = Factory.ClientFor(_manager);
    }

    [TearDown]
    public void DisposeClients() => _managerClient.Dispose();

    private async Task<TerritoryResponse> TerritoryAsync(object body) =>
        await ReadAsync<TerritoryResponse>(await _managerClient.PostAsync("/api/v1/sales/territories", JsonBody(body)), HttpStatusCode.Created);

    [Test]
    public async Task The_territory_strategy_deals_30_concurrent_leads_fairly_over_the_listed_user_and_the_teams_active_reps()
    {
        var listed = await TestUsers.CreateAsync(Factory, Roles.SalesManager, _team);
        var rep1 = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _team);
        var rep2 = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _subTeam);
        await TestUsers.CreateAsync(Factory, Roles.Marketing, _subTeam);
        var deactivated = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _team);
        using (var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin)))
        {
            await ReadAsync<object>(await admin.PostAsync($"/api/v1/users/{deactivated.Id}/deactivate", null), HttpStatusCode.OK);
        }

        var territory = await TerritoryAsync(new { name = "华南", provinces = new[] { "广东省" }, userIds = new[] { listed.Id }, teamIds = new[] { _team, _subTeam } });
        await ReadAsync<AssignmentRuleResponse>(
            await _managerClient.PostAsync("/api/v1/sales/assignment-rules", JsonBody(new { name = "华南领域", position = 1, strategy = "territory", territoryId = territory.Id })),
            HttpStatusCode.Created);

        var created = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => CreateAsync(_managerClient, new { companyName = $"华南线索 {i}", province = "广东省" })));
        var outside = await CreateAsync(_managerClient, new { companyName = "华北线索", province = "北京市" });

        var perOwner = created.GroupBy(c => c.Lead.OwnerId!.Value).ToDictionary(g => g.Key, g => g.Count());
        Assert.Multiple(() =>
        {
            Assert.That(territory.TeamIds, Is.EqualTo(new[] { _team, _subTeam }));
            Assert.That(perOwner.Keys, Is.EquivalentTo(new[] { listed.Id, rep1.Id, rep2.Id }),
                "the listed manager and the reps of the team and its sub-team; not the team's manager, marketing or a deactivated rep");
            Assert.That(perOwner.Values, Is.All.EqualTo(10));
            Assert.That(outside.Lead.OwnerId, Is.Null, "a lead outside the territory matches no rule");
        });
    }

    [Test]
    public async Task A_territory_whose_teams_have_no_active_reps_falls_through_to_the_next_rule()
    {
        var empty = await TestUsers.CreateTeamAsync(Factory, "空组", TeamKind.Group, _team);
        var fallback = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _subTeam);
        var territory = await TerritoryAsync(new { name = "空领域", teamIds = new[] { empty } });
        foreach (var rule in new object[]
        {
            new { name = "空领域规则", position = 1, strategy = "territory", territoryId = territory.Id },
            new { name = "兜底", position = 2, strategy = "roundRobin", userIds = new[] { fallback.Id } },
        })
        {
            await ReadAsync<AssignmentRuleResponse>(await _managerClient.PostAsync("/api/v1/sales/assignment-rules", JsonBody(rule)), HttpStatusCode.Created);
        }

        Assert.That((await CreateAsync(_managerClient, new { companyName = "任意线索" })).Lead.OwnerId, Is.EqualTo(fallback.Id));
    }

    [Test]
    public async Task Team_ids_must_exist_and_be_teams_the_caller_reports_on()
    {
        var otherTeam = await TestUsers.CreateTeamAsync(Factory, "华北销售部", TeamKind.Department);
        var unknown = await _managerClient.PostAsync("/api/v1/sales/territories", JsonBody(new { name = "未知", teamIds = new[] { Guid.CreateVersion7() } }));
        Assert.That((await ReadProblemAsync(unknown, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("unknown-team"));
        await ReadProblemAsync(await _managerClient.PostAsync("/api/v1/sales/territories", JsonBody(new { name = "别人的", teamIds = new[] { otherTeam } })), HttpStatusCode.Forbidden);
        var empty = await _managerClient.PostAsync("/api/v1/sales/territories", JsonBody(new { name = "空 id", teamIds = new[] { Guid.Empty } }));
        await ReadProblemAsync(empty, HttpStatusCode.BadRequest);

        var territory = await TerritoryAsync(new { name = "华南", teamIds = new[] { _subTeam } });
        var read = await _managerClient.GetAsync($"/api/v1/sales/territories/{territory.Id}");
        var replace = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/sales/territories/{territory.Id}") { Content = JsonBody(new { name = "华南", teamIds = Array.Empty<Guid>() }) };
        replace.Headers.TryAddWithoutValidation("If-Match", read.Headers.ETag!.ToString());
        var replaced = await ReadAsync<TerritoryResponse>(await _managerClient.SendAsync(replace), HttpStatusCode.OK);
        Assert.That(replaced.TeamIds, Is.Empty);
    }
}

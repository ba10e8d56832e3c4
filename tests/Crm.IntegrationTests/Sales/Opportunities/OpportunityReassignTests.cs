using System.Net;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Integration;
using Crm.IntegrationTests.Sales.Activities;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Identity.Features.Users;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Activities;
using Crm.Modules.Sales.Features.Opportunities;

namespace Crm.IntegrationTests.Sales.Opportunities;

/// <summary>Bulk reassignment of opportunities: <c>POST /api/v1/sales/opportunities/reassign</c>.</summary>
internal sealed class OpportunityReassignTests : IntegrationTest
{
    private const string Path = "/api/v1/sales/opportunities/reassign";

    private Guid _east;
    private Guid _west;
    private TestUser _manager = null!;
    private TestUser _rep = null!;
    private TestUser _teammate = null!;
    private TestUser _outsider = null!;
    private HttpClient _managerClient = null!;
    private HttpClient _repClient = null!;
    private HttpClient _adminClient = null!;
    private Guid _customerId;

    [SetUp]
    public async Task CreateOrgAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "商机移交公司", TeamKind.Company);
        _east = await TestUsers.CreateTeamAsync(Factory, "华东", TeamKind.Department, company);
        _west = await TestUsers.CreateTeamAsync(Factory, "华西", TeamKind.Department, company);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, _east);
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _east);
        _teammate = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _east);
        _outsider = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _west);
        _managerClient = Factory.ClientFor(_manager);
        _repClient = Factory.ClientFor(_rep);
        _adminClient = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        _customerId = (await CustomerApi.CreateAsync(_repClient, "常州移交客户")).Customer.Id;
    }

    [TearDown]
    public void DisposeClients()
    {
        _managerClient.Dispose();
        _repClient.Dispose();
        _adminClient.Dispose();
    }

    private async Task<OpportunityResponse> OpenAsync(HttpClient client, string name, decimal amount, object? extra = null)
    {
        var body = new Dictionary<string, object?> { ["name"] = name, ["customerId"] = _customerId, ["amount"] = amount };
        foreach (var property in extra?.GetType().GetProperties() ?? [])
        {
            body[property.Name] = property.GetValue(extra);
        }

        return await ReadAsync<OpportunityResponse>(await client.PostAsync("/api/v1/sales/opportunities", JsonBody(body)), HttpStatusCode.Created);
    }

    private static Task<long> OwnerChangedEventsAsync(string where = "true") =>
        CountAsync($"SELECT count(*) FROM sales.outbox_messages WHERE type = 'Crm.Modules.Sales.Contracts.OpportunityOwnerChanged' AND {where}");

    private static Task<long> OwnedByAsync(Guid ownerId, string status = "Open") =>
        CountAsync($"SELECT count(*) FROM sales.opportunities WHERE owner_id = '{ownerId}' AND status = '{status}'");

    private async Task<ReassignOpportunitiesResponse> ReassignAsync(HttpClient client, object body) =>
        await ReadAsync<ReassignOpportunitiesResponse>(await client.PostAsync(Path, JsonBody(body)), HttpStatusCode.OK);

    [Test]
    public async Task A_manager_moves_a_leaving_reps_open_deals_with_one_event_each_on_the_timeline_and_one_audit_summary_and_closed_deals_stay()
    {
        var open = new List<OpportunityResponse>();
        for (var i = 0; i < 3; i++)
        {
            open.Add(await OpenAsync(_repClient, $"常州项目 {i}", 10_000m * (i + 1)));
        }

        var won = await OpenAsync(_repClient, "已赢项目", 5_000m);
        await ReadAsync<OpportunityResponse>(await _repClient.PostAsync($"/api/v1/sales/opportunities/{won.Id}/win", null), HttpStatusCode.OK);
        var lost = await OpenAsync(_repClient, "已输项目", 7_000m);
        await ReadAsync<OpportunityResponse>(await _repClient.PostAsync($"/api/v1/sales/opportunities/{lost.Id}/lose", JsonBody(new { reason = "预算取消" })), HttpStatusCode.OK);
        await ReadAsync<UserResponse>(await _adminClient.PostAsync($"/api/v1/users/{_rep.Id}/deactivate", null), HttpStatusCode.OK);

        var result = await ReassignAsync(_managerClient, new { fromOwnerId = _rep.Id, toOwnerId = _teammate.Id, reason = "离职交接" });

        await DispatchOutboxAsync();
        var timeline = await ReadAsync<TimelineTests.TimelinePage>(
            await _managerClient.GetAsync($"/api/v1/customers/{_customerId}/timeline?kind=opportunityOwnerChanged&limit=50"), HttpStatusCode.OK);
        var moved = await ReadAsync<OpportunityResponse>(await _managerClient.GetAsync($"/api/v1/sales/opportunities/{open[2].Id}"), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(result.Reassigned, Is.EqualTo(3));
            Assert.That(result.NotFound.Concat(result.Closed).Concat(result.AlreadyOwned), Is.Empty);
            Assert.That(result.ClosedKept, Is.EqualTo(2), "the won and the lost deal stayed with their owner");
            Assert.That(moved.OwnerId, Is.EqualTo(_teammate.Id));
            Assert.That(moved.TeamId, Is.EqualTo(_east));
            Assert.That(await OwnedByAsync(_teammate.Id), Is.EqualTo(3));
            Assert.That(await OwnedByAsync(_rep.Id, "Won"), Is.EqualTo(1));
            Assert.That(await OwnedByAsync(_rep.Id, "Lost"), Is.EqualTo(1));
            Assert.That(await OwnerChangedEventsAsync(), Is.EqualTo(3));
            Assert.That(await OwnerChangedEventsAsync(
                $"payload->>'opportunityId' = '{open[2].Id}' AND payload->>'customerId' = '{_customerId}' AND payload->>'fromOwnerId' = '{_rep.Id}' "
                + $"AND payload->>'toOwnerId' = '{_teammate.Id}' AND payload->>'toTeamId' = '{_east}' AND payload->>'changedBy' = '{_manager.Id}' "
                + "AND payload->>'reason' = '离职交接' AND payload->>'name' = '常州项目 2' AND (payload->>'amount')::numeric = 30000 AND payload->>'currency' = 'CNY'"),
                Is.EqualTo(1));
            Assert.That(timeline.Items.Select(e => e.Summary), Is.EquivalentTo(open.Select(o => FormattableString.Invariant($"Opportunity handed over: {o.Name}, {o.Amount:N2} CNY (离职交接)"))));
            Assert.That(await CountAsync(
                "SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'opportunity' AND affected_count = 3 AND changes::text LIKE '%离职交接%'"),
                Is.EqualTo(1));
        });
    }

    [Test]
    public async Task By_ids_it_moves_the_open_visible_ones_and_names_the_ids_it_skipped_and_why()
    {
        var first = await OpenAsync(_repClient, "按编号一", 1_000m);
        var second = await OpenAsync(_repClient, "按编号二", 2_000m);
        var owned = await OpenAsync(_managerClient, "已归队友", 3_000m, new { ownerId = _teammate.Id });
        var won = await OpenAsync(_repClient, "按编号已赢", 4_000m);
        await ReadAsync<OpportunityResponse>(await _repClient.PostAsync($"/api/v1/sales/opportunities/{won.Id}/win", null), HttpStatusCode.OK);
        var invisible = await OpenAsync(_adminClient, "华西项目", 5_000m, new { ownerId = _outsider.Id });
        var unknown = Guid.CreateVersion7();

        var result = await ReassignAsync(_managerClient, new
        {
            toOwnerId = _teammate.Id, reason = "区域调整", ids = new[] { first.Id, second.Id, second.Id, owned.Id, won.Id, invisible.Id, unknown },
        });

        Assert.Multiple(async () =>
        {
            Assert.That(result.Reassigned, Is.EqualTo(2));
            Assert.That(result.AlreadyOwned, Is.EqualTo(new[] { owned.Id }));
            Assert.That(result.Closed, Is.EqualTo(new[] { won.Id }));
            Assert.That(result.ClosedKept, Is.EqualTo(1));
            Assert.That(result.NotFound, Is.EquivalentTo(new[] { invisible.Id, unknown }));
            Assert.That(await OwnedByAsync(_teammate.Id), Is.EqualTo(3));
            Assert.That(await OwnedByAsync(_outsider.Id), Is.EqualTo(1));
            Assert.That(await OwnerChangedEventsAsync(), Is.EqualTo(2));
        });

        var again = await ReassignAsync(_managerClient, new { toOwnerId = _teammate.Id, reason = "区域调整", ids = new[] { first.Id } });
        Assert.Multiple(async () =>
        {
            Assert.That(again.Reassigned, Is.Zero);
            Assert.That(again.AlreadyOwned, Is.EqualTo(new[] { first.Id }));
            Assert.That(await OwnerChangedEventsAsync(), Is.EqualTo(2));
            Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'opportunity' AND affected_count IS NOT NULL"), Is.EqualTo(1));
        });
    }

    [TestCase("owner_id = '{other}'", 1)]
    [TestCase("status = 'Won'", 0)]
    public async Task A_deal_changed_while_the_reassignment_waits_for_its_lock_is_moved_from_its_new_owner_or_left_alone_once_closed(string change, int expected)
    {
        var deal = await OpenAsync(_repClient, "并发项目", 6_000m);
        var other = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _east);
        var hold = $"UPDATE sales.opportunities SET {change.Replace("{other}", other.Id.ToString())} WHERE id = '{deal.Id}'";

        var result = await ImportApi.WhileHeldConcurrentlyAsync(hold, "UPDATE sales.opportunities o%",
            () => ReassignAsync(_managerClient, new { ids = new[] { deal.Id }, toOwnerId = _teammate.Id, reason = "并发移交" }));

        Assert.Multiple(async () =>
        {
            Assert.That(result.Reassigned, Is.EqualTo(expected));
            Assert.That(await OwnerChangedEventsAsync($"payload->>'fromOwnerId' = '{other.Id}'"), Is.EqualTo(expected));
            Assert.That(await OwnerChangedEventsAsync(), Is.EqualTo(expected));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.opportunities WHERE id = '{deal.Id}' AND owner_id = '{_teammate.Id}'"), Is.EqualTo(expected));
        });
    }

    [Test]
    public async Task With_includeOpenActivities_the_previous_owners_planned_activities_on_the_moved_deals_follow_them()
    {
        var deal = await OpenAsync(_repClient, "带活动项目", 8_000m);
        var other = await OpenAsync(_repClient, "不带活动项目", 9_000m);
        var start = ActivityApi.MondayMorning;
        var planned = (await ActivityApi.CreateActivityAsync(_managerClient,
            ActivityApi.Meeting("方案交流", start, new { ownerId = _rep.Id, opportunityId = deal.Id, attendeeIds = new[] { _teammate.Id, _manager.Id } }))).Activity;
        var done = (await ActivityApi.CreateActivityAsync(_repClient, ActivityApi.Meeting("首次拜访", start.AddDays(1), new { opportunityId = deal.Id }))).Activity;
        await ReadAsync<ActivityResponse>(await _repClient.PostAsync($"/api/v1/sales/activities/{done.Id}/complete", JsonBody(new { outcome = "已完成" })), HttpStatusCode.OK);
        var managers = (await ActivityApi.CreateActivityAsync(_managerClient, ActivityApi.Meeting("经理陪访", start.AddDays(2), new { opportunityId = deal.Id }))).Activity;
        var onOther = (await ActivityApi.CreateActivityAsync(_repClient, ActivityApi.Meeting("另一个项目", start.AddDays(3), new { opportunityId = other.Id }))).Activity;

        var without = await ReassignAsync(_managerClient, new { ids = new[] { other.Id }, toOwnerId = _teammate.Id, reason = "不带活动" });
        var with = await ReassignAsync(_managerClient, new { ids = new[] { deal.Id }, toOwnerId = _teammate.Id, reason = "连同活动", includeOpenActivities = true });

        var moved = await ReadAsync<ActivityResponse>(await _managerClient.GetAsync($"/api/v1/sales/activities/{planned.Id}"), HttpStatusCode.OK);
        Task<long> OwnerOfAsync(Guid activityId, Guid ownerId) =>
            CountAsync($"SELECT count(*) FROM sales.activities WHERE id = '{activityId}' AND owner_id = '{ownerId}'");
        Assert.Multiple(async () =>
        {
            Assert.That((without.Reassigned, without.ActivitiesReassigned), Is.EqualTo((1, 0)));
            Assert.That((with.Reassigned, with.ActivitiesReassigned), Is.EqualTo((1, 1)));
            Assert.That(moved.OwnerId, Is.EqualTo(_teammate.Id));
            Assert.That(moved.AttendeeIds, Is.EqualTo(new[] { _manager.Id }));
            Assert.That(await OwnerOfAsync(done.Id, _rep.Id), Is.EqualTo(1));
            Assert.That(await OwnerOfAsync(managers.Id, _manager.Id), Is.EqualTo(1));
            Assert.That(await OwnerOfAsync(onOther.Id, _rep.Id), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'activity' AND affected_count = 1"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task PipelineId_and_teamId_narrow_the_selection_of_fromOwnerId()
    {
        var stages = new object[]
        {
            new { code = "demo", name = "产品演示", probability = 20 },
            new { code = "won", name = "赢单", probability = 100, kind = "won" },
            new { code = "lost", name = "输单", probability = 0, kind = "lost" },
        };
        var pipeline = await ReadAsync<PipelineResponse>(
            await _managerClient.PostAsync("/api/v1/sales/pipelines", JsonBody(new { name = "项目型销售", stages })), HttpStatusCode.Created);
        var inPipeline = await OpenAsync(_repClient, "项目型一", 1_000m, new { pipelineId = pipeline.Id });
        var otherTeam = await OpenAsync(_repClient, "项目型旧组", 2_000m, new { pipelineId = pipeline.Id });
        var inDefault = await OpenAsync(_repClient, "默认渠道", 3_000m);
        foreach (var won in new[] { await OpenAsync(_repClient, "项目型已赢", 500m, new { pipelineId = pipeline.Id }), await OpenAsync(_repClient, "默认已赢", 600m) })
        {
            await ReadAsync<OpportunityResponse>(await _repClient.PostAsync($"/api/v1/sales/opportunities/{won.Id}/win", null), HttpStatusCode.OK);
        }

        await CountAsync($"UPDATE sales.opportunities SET team_id = '{_west}' WHERE id = '{otherTeam.Id}'");

        var result = await ReassignAsync(_managerClient, new { fromOwnerId = _rep.Id, pipelineId = pipeline.Id, teamId = _east, toOwnerId = _teammate.Id, reason = "项目型归队友" });

        var owners = await Task.WhenAll(new[] { inPipeline, otherTeam, inDefault }.Select(async o =>
            (await ReadAsync<OpportunityResponse>(await _managerClient.GetAsync($"/api/v1/sales/opportunities/{o.Id}"), HttpStatusCode.OK)).OwnerId));
        Assert.Multiple(() =>
        {
            Assert.That(result.Reassigned, Is.EqualTo(1));
            Assert.That(result.ClosedKept, Is.EqualTo(1), "the won deal of the pipeline, not the one of the default pipeline");
            Assert.That(owners, Is.EqualTo(new Guid?[] { _teammate.Id, _rep.Id, _rep.Id }));
        });
    }

    [Test]
    public async Task Reps_and_managers_beyond_their_team_are_forbidden_and_unknown_or_inactive_owners_are_422()
    {
        var deal = await OpenAsync(_repClient, "权限项目", 1_000m);
        var inactive = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _east);
        await ReadAsync<UserResponse>(await _adminClient.PostAsync($"/api/v1/users/{inactive.Id}/deactivate", null), HttpStatusCode.OK);

        await ReadProblemAsync(await _repClient.PostAsync(Path, JsonBody(new { toOwnerId = _rep.Id, reason = "自己拿", ids = new[] { deal.Id } })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _managerClient.PostAsync(Path, JsonBody(new { toOwnerId = _outsider.Id, reason = "跨组", ids = new[] { deal.Id } })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _managerClient.PostAsync(Path, JsonBody(new { fromOwnerId = _outsider.Id, toOwnerId = _teammate.Id, reason = "跨组" })), HttpStatusCode.Forbidden);
        var gone = await ReadProblemAsync(await _managerClient.PostAsync(Path, JsonBody(new { toOwnerId = inactive.Id, reason = "已离职", ids = new[] { deal.Id } })), HttpStatusCode.UnprocessableEntity);
        var unknown = await ReadProblemAsync(
            await _adminClient.PostAsync(Path, JsonBody(new { toOwnerId = Guid.CreateVersion7(), reason = "无此人", ids = new[] { deal.Id } })), HttpStatusCode.UnprocessableEntity);

        Assert.Multiple(async () =>
        {
            Assert.That(gone.GetProperty("type").GetString(), Does.EndWith("/unknown-owner"));
            Assert.That(unknown.GetProperty("type").GetString(), Does.EndWith("/unknown-owner"));
            Assert.That(await OwnedByAsync(_rep.Id), Is.EqualTo(1));
            Assert.That(await OwnerChangedEventsAsync(), Is.Zero);
        });
    }

    [TestCase("""{"toOwnerId":"{to}","reason":"无选择"}""", "ids")]
    [TestCase("""{"toOwnerId":"{to}","reason":"两者都给","ids":["{from}"],"fromOwnerId":"{from}"}""", "ids")]
    [TestCase("""{"toOwnerId":"{to}","reason":"空列表","ids":[]}""", "ids")]
    [TestCase("""{"toOwnerId":"{to}","fromOwnerId":"{from}"}""", "reason")]
    [TestCase("""{"fromOwnerId":"{from}","reason":"没有新负责人"}""", "toOwnerId")]
    [TestCase("""{"toOwnerId":"{to}","reason":"只给渠道","ids":["{from}"],"pipelineId":"{from}"}""", "pipelineId")]
    [TestCase("""{"toOwnerId":"{to}","reason":"同一人","fromOwnerId":"{to}"}""", "fromOwnerId")]
    public async Task Bad_input_is_a_400_naming_the_field(string template, string field)
    {
        var json = template.Replace("{to}", _teammate.Id.ToString()).Replace("{from}", _rep.Id.ToString());
        var response = await _managerClient.PostAsync(Path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
    }

    [Test]
    public async Task An_Idempotency_Key_replays_the_first_answer_without_moving_anything_again()
    {
        await OpenAsync(_repClient, "幂等一", 1_000m);
        await OpenAsync(_repClient, "幂等二", 2_000m);
        var body = new { fromOwnerId = _rep.Id, toOwnerId = _teammate.Id, reason = "幂等移交" };

        HttpRequestMessage Request(object content)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, Path) { Content = JsonBody(content) };
            request.Headers.Add("Idempotency-Key", "reassign-rep-deals");
            return request;
        }

        var first = await ReadAsync<ReassignOpportunitiesResponse>(await _managerClient.SendAsync(Request(body)), HttpStatusCode.OK);
        var later = await OpenAsync(_repClient, "幂等之后", 3_000m);
        var replay = await ReadAsync<ReassignOpportunitiesResponse>(await _managerClient.SendAsync(Request(body)), HttpStatusCode.OK);
        await ReadProblemAsync(await _managerClient.SendAsync(Request(body with { reason = "另一个理由" })), HttpStatusCode.UnprocessableEntity);

        var stays = await ReadAsync<OpportunityResponse>(await _managerClient.GetAsync($"/api/v1/sales/opportunities/{later.Id}"), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(first.Reassigned, Is.EqualTo(2));
            Assert.That(replay.Reassigned, Is.EqualTo(2));
            Assert.That(stays.OwnerId, Is.EqualTo(_rep.Id));
            Assert.That(await OwnerChangedEventsAsync(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Two_thousand_open_deals_move_in_one_call_with_an_event_each()
    {
        const int Rows = 2_000;
        await CountAsync($"""
            INSERT INTO sales.opportunities (id, name, customer_id, pipeline_id, stage_id, status, amount, currency, probability,
                owner_id, team_id, stage_entered_at, created_at, updated_at)
            SELECT gen_random_uuid(), '批量商机 ' || i, '{_customerId}', '{Pipeline.DefaultId}', '{OpportunityApi.StageId("initialContact")}', 'Open', i, 'CNY', 10,
                   '{_rep.Id}', '{_east}', now(), now(), now()
            FROM generate_series(1, {Rows}) AS i
            """);

        var result = await ReassignAsync(_managerClient, new { fromOwnerId = _rep.Id, toOwnerId = _teammate.Id, reason = "批量移交" });

        Assert.Multiple(async () =>
        {
            Assert.That(result.Reassigned, Is.EqualTo(Rows));
            Assert.That(await OwnedByAsync(_teammate.Id), Is.EqualTo(Rows));
            Assert.That(await OwnedByAsync(_rep.Id), Is.Zero);
            Assert.That(await OwnerChangedEventsAsync($"payload->>'fromOwnerId' = '{_rep.Id}' AND payload->>'customerId' = '{_customerId}'"), Is.EqualTo(Rows));
            Assert.That(await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'opportunity' AND affected_count = {Rows}"), Is.EqualTo(1));
        });
    }
}

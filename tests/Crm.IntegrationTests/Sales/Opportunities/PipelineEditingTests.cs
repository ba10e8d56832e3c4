using System.Net;
using System.Text;
using System.Text.Json;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Funnel;
using Crm.Modules.Sales.Features.Opportunities;

namespace Crm.IntegrationTests.Sales.Opportunities;

internal sealed class PipelineEditingTests : IntegrationTest
{
    private const string Url = "/api/v1/sales/pipelines";

    private HttpClient _rep = null!;
    private HttpClient _manager = null!;
    private Guid _customerId;

    [SetUp]
    public async Task CreateOrgAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "渠道公司", TeamKind.Company);
        var east = await TestUsers.CreateTeamAsync(Factory, "华东", TeamKind.Department, company);
        _manager = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesManager, east));
        _rep = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep, east));
        _customerId = (await CustomerApi.CreateAsync(_rep, "渠道编辑客户")).Customer.Id;
    }

    [TearDown]
    public void DisposeClients()
    {
        _rep.Dispose();
        _manager.Dispose();
    }

    [Test]
    public async Task A_manager_renames_and_deactivates_a_pipeline_but_never_the_default_one()
    {
        var (pipeline, etag) = await CreatePipelineAsync("项目型销售");

        await ReadProblemAsync(await _rep.SendAsync(Request(HttpMethod.Patch, $"{Url}/{pipeline.Id}", new { name = "代表改名" })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Patch, $"{Url}/{pipeline.Id}", new { name = "旧版" }, "\"1\"")), HttpStatusCode.PreconditionFailed);
        var cleared = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Patch, $"{Url}/{pipeline.Id}", new { name = (string?)null, active = (bool?)null })), HttpStatusCode.BadRequest);
        var renamed = await _manager.SendAsync(Request(HttpMethod.Patch, $"{Url}/{pipeline.Id}", new { name = "Project sales", nameZh = "项目型销售", active = false }, etag));
        var body = await ReadAsync<PipelineResponse>(renamed, HttpStatusCode.OK);
        var duplicate = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Patch, $"{Url}/{pipeline.Id}", new { name = "默认销售流程 Default pipeline" })), HttpStatusCode.Conflict);
        var defaultOff = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Patch, $"{Url}/{Pipeline.DefaultId}", new { active = false })), HttpStatusCode.Conflict);
        await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Patch, $"{Url}/{Guid.CreateVersion7()}", new { name = "无" })), HttpStatusCode.NotFound);
        var inactiveCreate = await _rep.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = "停用渠道", customerId = _customerId, pipelineId = pipeline.Id }));

        Assert.Multiple(async () =>
        {
            Assert.That(cleared.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "name", "active" }));
            Assert.That((body.Name, body.NameZh, body.Active), Is.EqualTo(("Project sales", "项目型销售", false)));
            Assert.That(renamed.Headers.ETag!.Tag, Is.Not.EqualTo(etag));
            Assert.That(duplicate.GetProperty("type").GetString(), Is.EqualTo(PipelineProblems.DuplicateNameType));
            Assert.That(defaultOff.GetProperty("type").GetString(), Is.EqualTo(PipelineProblems.DefaultPipelineType));
            Assert.That(inactiveCreate.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'pipeline' AND entity_id = '{pipeline.Id}' AND action = 'updated'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Adding_a_stage_places_it_among_the_open_stages_with_a_code_unique_in_the_pipeline()
    {
        var (pipeline, etag) = await CreatePipelineAsync("加阶段");

        await ReadProblemAsync(await _rep.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages", new { code = "qualify", name = "资格确认", probability = 5 })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages", new { code = "qualify", name = "资格确认", probability = 5 }, "\"1\"")), HttpStatusCode.PreconditionFailed);
        var invalid = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages", new { code = "Bad-Code", name = "", probability = 101, position = 0 })), HttpStatusCode.BadRequest);
        var tooFar = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages", new { code = "far", name = "太远", probability = 5, position = 4 })), HttpStatusCode.BadRequest);
        var first = await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages", new { code = "qualify", name = "Qualify", nameZh = "资格确认", probability = 5, position = 1 }, etag, "add-qualify"));
        var replay = await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages", new { code = "qualify", name = "Qualify", nameZh = "资格确认", probability = 5, position = 1 }, etag, "add-qualify"));
        var last = await ReadAsync<PipelineResponse>(await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages", new { code = "contract", name = "合同", probability = 80 })), HttpStatusCode.Created);
        var duplicate = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages", new { code = "won", name = "又一个", probability = 10 })), HttpStatusCode.Conflict);

        Assert.Multiple(async () =>
        {
            Assert.That(invalid.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "code", "name", "probability", "position" }));
            Assert.That(tooFar.GetProperty("errors").GetProperty("position")[0].GetString(), Does.Contain("1 to 3"));
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(first.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/sales/pipelines/{pipeline.Id}"));
            Assert.That(replay.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
            Assert.That(last.Stages.Select(s => (s.Code, s.Position)), Is.EqualTo(new[]
            {
                ("qualify", 1), ("demo", 2), ("proposal", 3), ("contract", 4), ("won", 5), ("lost", 6),
            }));
            Assert.That(last.Stages[0].NameZh, Is.EqualTo("资格确认"));
            Assert.That(duplicate.GetProperty("type").GetString(), Is.EqualTo(PipelineProblems.DuplicateStageCodeType));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.pipeline_stages WHERE pipeline_id = '{pipeline.Id}'"), Is.EqualTo(6));
            Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'pipelineStage' AND action = 'created'"), Is.EqualTo(6), "four with the pipeline, two added");
        });
    }

    [Test]
    public async Task A_pipeline_has_at_most_30_active_stages()
    {
        var stages = Enumerable.Range(1, 28).Select(i => (object)new { code = $"step{i}", name = $"步骤{i}", probability = i })
            .Concat([new { code = "won", name = "赢单", probability = 100, kind = "won" }, new { code = "lost", name = "输单", probability = 0, kind = "lost" }]);
        var full = await ReadAsync<PipelineResponse>(await _manager.PostAsync(Url, JsonBody(new { name = "满员", stages })), HttpStatusCode.Created);

        var problem = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{full.Id}/stages", new { code = "extra", name = "多余", probability = 50 })), HttpStatusCode.UnprocessableEntity);

        Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo(PipelineProblems.TooManyStagesType));
    }

    [Test]
    public async Task Editing_a_stage_changes_names_and_the_default_probability_but_never_the_code_or_a_closing_probability()
    {
        var (pipeline, _) = await CreatePipelineAsync("改阶段");
        var demo = pipeline.Stages[0];
        var won = pipeline.Stages[2];
        var before = await CreateOpportunityAsync(pipeline.Id, demo.Id, 1000m);

        var code = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Patch, $"{Url}/{pipeline.Id}/stages/{demo.Id}", new { code = "presentation" })), HttpStatusCode.BadRequest);
        var range = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Patch, $"{Url}/{pipeline.Id}/stages/{demo.Id}", new { probability = (int?)null, name = "" })), HttpStatusCode.BadRequest);
        var closing = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Patch, $"{Url}/{pipeline.Id}/stages/{won.Id}", new { probability = 90 })), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Patch, $"{Url}/{pipeline.Id}/stages/{Guid.CreateVersion7()}", new { name = "无" })), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _rep.SendAsync(Request(HttpMethod.Patch, $"{Url}/{pipeline.Id}/stages/{demo.Id}", new { name = "代表" })), HttpStatusCode.Forbidden);
        var edited = await ReadAsync<PipelineResponse>(
            await _manager.SendAsync(Request(HttpMethod.Patch, $"{Url}/{pipeline.Id}/stages/{demo.Id}", new { name = "Demo", nameZh = "产品演示", probability = 25 })), HttpStatusCode.OK);
        var renamedWon = await ReadAsync<PipelineResponse>(
            await _manager.SendAsync(Request(HttpMethod.Patch, $"{Url}/{pipeline.Id}/stages/{won.Id}", new { name = "Won", probability = 100 })), HttpStatusCode.OK);
        var after = await CreateOpportunityAsync(pipeline.Id, demo.Id, 1000m);

        Assert.Multiple(async () =>
        {
            Assert.That(code.GetProperty("errors").GetProperty("code")[0].GetString(), Does.Contain("never changes"));
            Assert.That(range.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "name", "probability" }));
            Assert.That(closing.GetProperty("errors").GetProperty("probability")[0].GetString(), Does.Contain("100"));
            Assert.That((edited.Stages[0].Code, edited.Stages[0].Name, edited.Stages[0].NameZh, edited.Stages[0].Probability), Is.EqualTo(("demo", "Demo", "产品演示", 25)));
            Assert.That(renamedWon.Stages[2].Name, Is.EqualTo("Won"));
            Assert.That(await CountAsync($"SELECT probability FROM sales.opportunities WHERE id = '{before.Id}'"), Is.EqualTo(20), "existing deals keep their probability");
            Assert.That(after.Probability, Is.EqualTo(25));
        });
    }

    [Test]
    public async Task Reordering_takes_exactly_the_open_stages_and_keeps_won_and_lost_last()
    {
        var (pipeline, etag) = await CreatePipelineAsync("排序");
        pipeline = await ReadAsync<PipelineResponse>(
            await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages", new { code = "contract", name = "合同", probability = 80 }, etag)), HttpStatusCode.Created);
        var (demo, proposal, won, contract) = (pipeline.Stages[0].Id, pipeline.Stages[1].Id, pipeline.Stages[3].Id, pipeline.Stages[2].Id);

        var missing = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Put, $"{Url}/{pipeline.Id}/stage-order", new { stageIds = new[] { demo, proposal } })), HttpStatusCode.BadRequest);
        var closing = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Put, $"{Url}/{pipeline.Id}/stage-order", new { stageIds = new[] { demo, proposal, won } })), HttpStatusCode.BadRequest);
        var twice = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Put, $"{Url}/{pipeline.Id}/stage-order", new { stageIds = new[] { demo, demo, proposal } })), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Put, $"{Url}/{pipeline.Id}/stage-order", new { stageIds = new[] { contract, proposal, demo } }, etag)), HttpStatusCode.PreconditionFailed);
        await ReadProblemAsync(await _rep.SendAsync(Request(HttpMethod.Put, $"{Url}/{pipeline.Id}/stage-order", new { stageIds = new[] { contract, proposal, demo } })), HttpStatusCode.Forbidden);
        var reordered = await ReadAsync<PipelineResponse>(
            await _manager.SendAsync(Request(HttpMethod.Put, $"{Url}/{pipeline.Id}/stage-order", new { stageIds = new[] { contract, proposal, demo } })), HttpStatusCode.OK);
        var opportunity = await ReadAsync<OpportunityResponse>(
            await _rep.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = "新顺序", customerId = _customerId, pipelineId = pipeline.Id })), HttpStatusCode.Created);

        Assert.Multiple(() =>
        {
            Assert.That(missing.GetProperty("errors").GetProperty("stageIds")[0].GetString(), Does.Contain("exactly once"));
            Assert.That(closing.GetProperty("errors").TryGetProperty("stageIds", out _), Is.True);
            Assert.That(twice.GetProperty("errors").TryGetProperty("stageIds", out _), Is.True);
            Assert.That(reordered.Stages.Select(s => (s.Code, s.Position)), Is.EqualTo(new[] { ("contract", 1), ("proposal", 2), ("demo", 3), ("won", 4), ("lost", 5) }));
            Assert.That(opportunity.StageId, Is.EqualTo(contract), "new deals start in the first stage of the new order");
        });
    }

    [Test]
    public async Task Retiring_a_stage_moves_its_open_opportunities_set_based_with_history_rows_and_stage_events()
    {
        var (pipeline, etag) = await CreatePipelineAsync("退役");
        var (demo, proposal) = (pipeline.Stages[0], pipeline.Stages[1]);
        var moving = new[]
        {
            await CreateOpportunityAsync(pipeline.Id, demo.Id, 100m),
            await CreateOpportunityAsync(pipeline.Id, demo.Id, 200m),
            await CreateOpportunityAsync(pipeline.Id, demo.Id, 300m),
        };
        var staying = await CreateOpportunityAsync(pipeline.Id, proposal.Id, 400m);
        var lost = await CreateOpportunityAsync(pipeline.Id, demo.Id, 500m);
        await ReadAsync<OpportunityResponse>(await _rep.PostAsync($"/api/v1/sales/opportunities/{lost.Id}/lose", JsonBody(new { reason = "预算取消" })), HttpStatusCode.OK);
        Factory.Time.Advance(TimeSpan.FromMinutes(3));
        var staleOpportunityTag = (await _rep.GetAsync($"/api/v1/sales/opportunities/{moving[0].Id}")).Headers.ETag!.Tag;

        var response = await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages/{demo.Id}/deactivate", new { moveTo = proposal.Id }, etag));
        var retired = await ReadAsync<PipelineStageRetiredResponse>(response, HttpStatusCode.OK);
        var history = await ReadAsync<List<OpportunityStageChangeResponse>>(await _rep.GetAsync($"/api/v1/sales/opportunities/{moving[0].Id}/history"), HttpStatusCode.OK);
        var moveIn = await ReadProblemAsync(await _rep.PostAsync($"/api/v1/sales/opportunities/{staying.Id}/stage", JsonBody(new { stageId = demo.Id })), HttpStatusCode.UnprocessableEntity);
        var createIn = await ReadProblemAsync(
            await _rep.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = "进不去", customerId = _customerId, pipelineId = pipeline.Id, stageId = demo.Id })), HttpStatusCode.UnprocessableEntity);
        var reopened = await ReadAsync<OpportunityResponse>(await _rep.PostAsync($"/api/v1/sales/opportunities/{lost.Id}/reopen", JsonBody(new { })), HttpStatusCode.OK);
        var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sales/opportunities/{moving[0].Id}/win");
        stale.Headers.TryAddWithoutValidation("If-Match", staleOpportunityTag);
        var staleWin = await _rep.SendAsync(stale);

        var ids = string.Join(",", moving.Select(o => $"'{o.Id}'"));
        Assert.Multiple(async () =>
        {
            Assert.That(retired.MovedOpportunities, Is.EqualTo(3));
            Assert.That(response.Headers.ETag!.Tag, Is.Not.EqualTo(etag));
            Assert.That(retired.Pipeline.Stages.Select(s => (s.Code, s.Position, s.Active)), Is.EqualTo(new[]
            {
                ("proposal", 1, true), ("won", 2, true), ("lost", 3, true), ("demo", 4, false),
            }));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.opportunities WHERE id IN ({ids}) AND stage_id = '{proposal.Id}' AND probability = 50 AND stage_entered_at = '{Factory.Time.GetUtcNow():O}'"), Is.EqualTo(3));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.opportunity_stage_changes WHERE from_stage_id = '{demo.Id}' AND to_stage_id = '{proposal.Id}' AND opportunity_id IN ({ids})"), Is.EqualTo(3));
            Assert.That(history.Select(h => (h.FromStageCode, h.ToStageCode)), Is.EqualTo(new[] { ("demo", "proposal") }));
            Assert.That(history[0].FromStageEnteredAt, Is.EqualTo(moving[0].StageEnteredAt));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%OpportunityStageChanged' AND payload->>'fromStageId' = '{demo.Id}' AND payload->>'toStageCode' = 'proposal'"), Is.EqualTo(3));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.opportunities WHERE id = '{staying.Id}' AND stage_entered_at < '{Factory.Time.GetUtcNow():O}'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT coalesce(sum(affected_count), 0) FROM platform.audit_entries WHERE entity_type = 'opportunity' AND entity_id IS NULL"), Is.EqualTo(3));
            Assert.That(moveIn.GetProperty("type").GetString(), Is.EqualTo(PipelineProblems.StageRetiredType));
            Assert.That(createIn.GetProperty("type").GetString(), Is.EqualTo(PipelineProblems.StageRetiredType));
            Assert.That(reopened.StageId, Is.EqualTo(proposal.Id), "a deal lost from a retired stage reopens in the first open stage");
            Assert.That(staleWin.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed), "the move changed the opportunities' ETags");
        });
    }

    [Test]
    public async Task Retiring_refuses_the_closing_stages_the_last_open_stage_and_bad_targets()
    {
        var (pipeline, etag) = await CreatePipelineAsync("退役规则");
        var (other, _) = await CreatePipelineAsync("另一个");
        var (demo, proposal, won) = (pipeline.Stages[0].Id, pipeline.Stages[1].Id, pipeline.Stages[2].Id);
        string Deactivate(Guid stageId) => $"{Url}/{pipeline.Id}/stages/{stageId}/deactivate";

        await ReadProblemAsync(await _rep.SendAsync(Request(HttpMethod.Post, Deactivate(demo), new { moveTo = proposal })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, Deactivate(demo), new { moveTo = proposal }, "\"1\"")), HttpStatusCode.PreconditionFailed);
        var noTarget = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, Deactivate(demo), new { })), HttpStatusCode.BadRequest);
        var closing = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, Deactivate(won), new { moveTo = proposal })), HttpStatusCode.Conflict);
        var toWon = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, Deactivate(demo), new { moveTo = won })), HttpStatusCode.UnprocessableEntity);
        var toOther = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, Deactivate(demo), new { moveTo = other.Stages[0].Id })), HttpStatusCode.UnprocessableEntity);
        var toSelf = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, Deactivate(demo), new { moveTo = demo })), HttpStatusCode.UnprocessableEntity);
        await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages/{Guid.CreateVersion7()}/deactivate", new { moveTo = proposal })), HttpStatusCode.NotFound);
        await ReadAsync<PipelineStageRetiredResponse>(await _manager.SendAsync(Request(HttpMethod.Post, Deactivate(demo), new { moveTo = proposal }, etag)), HttpStatusCode.OK);
        var again = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, Deactivate(demo), new { moveTo = proposal })), HttpStatusCode.Conflict);
        var last = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, Deactivate(proposal), new { moveTo = demo })), HttpStatusCode.Conflict);
        var added = await ReadAsync<PipelineResponse>(
            await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages", new { code = "contract", name = "合同", probability = 80 })), HttpStatusCode.Created);
        var toRetired = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, Deactivate(proposal), new { moveTo = demo })), HttpStatusCode.UnprocessableEntity);
        var closingOrder = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Put, $"{Url}/{pipeline.Id}/stage-order", new { stageIds = new[] { proposal, demo } })), HttpStatusCode.BadRequest);

        Assert.Multiple(() =>
        {
            Assert.That(noTarget.GetProperty("errors").TryGetProperty("moveTo", out _), Is.True);
            Assert.That(closing.GetProperty("type").GetString(), Is.EqualTo(PipelineProblems.ClosingStageType));
            Assert.That(new[] { toWon, toOther, toSelf, toRetired }.Select(p => p.GetProperty("type").GetString()), Has.All.EqualTo(PipelineProblems.InvalidMoveTargetType));
            Assert.That(again.GetProperty("type").GetString(), Is.EqualTo(PipelineProblems.StageRetiredType));
            Assert.That(last.GetProperty("type").GetString(), Is.EqualTo(PipelineProblems.LastOpenStageType));
            Assert.That(added.Stages.Count(s => s.Active && s.Kind == StageKind.Open), Is.EqualTo(2));
            Assert.That(closingOrder.GetProperty("errors").TryGetProperty("stageIds", out _), Is.True, "a retired stage is not in the order");
        });
    }

    [Test]
    public async Task A_retired_stage_comes_back_after_the_last_open_stage()
    {
        var (pipeline, _) = await CreatePipelineAsync("复用");
        var (demo, proposal) = (pipeline.Stages[0].Id, pipeline.Stages[1].Id);
        await ReadAsync<PipelineStageRetiredResponse>(
            await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages/{demo}/deactivate", new { moveTo = proposal })), HttpStatusCode.OK);

        await ReadProblemAsync(await _rep.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages/{demo}/reactivate")), HttpStatusCode.Forbidden);
        var back = await ReadAsync<PipelineResponse>(await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages/{demo}/reactivate")), HttpStatusCode.OK);
        var active = await ReadProblemAsync(await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages/{demo}/reactivate")), HttpStatusCode.Conflict);
        var moved = await CreateOpportunityAsync(pipeline.Id, demo, 10m);

        Assert.Multiple(() =>
        {
            Assert.That(back.Stages.Select(s => (s.Code, s.Position, s.Active)), Is.EqualTo(new[]
            {
                ("proposal", 1, true), ("demo", 2, true), ("won", 3, true), ("lost", 4, true),
            }));
            Assert.That(active.GetProperty("type").GetString(), Is.EqualTo(PipelineProblems.StageActiveType));
            Assert.That(moved.StageId, Is.EqualTo(demo));
        });
    }

    [Test]
    public async Task The_funnel_and_the_forecast_keep_working_over_a_retired_stage()
    {
        var (pipeline, _) = await CreatePipelineAsync("漏斗退役");
        var (demo, proposal) = (pipeline.Stages[0], pipeline.Stages[1]);
        await CreateOpportunityAsync(pipeline.Id, demo.Id, 1000m);
        await CreateOpportunityAsync(pipeline.Id, demo.Id, 2000m);
        await CreateOpportunityAsync(pipeline.Id, proposal.Id, 4000m);
        var won = await CreateOpportunityAsync(pipeline.Id, demo.Id, 8000m);
        await ReadAsync<OpportunityResponse>(await _rep.PostAsync($"/api/v1/sales/opportunities/{won.Id}/win", null), HttpStatusCode.OK);
        Factory.Time.Advance(TimeSpan.FromMinutes(2));

        await ReadAsync<PipelineStageRetiredResponse>(
            await _manager.SendAsync(Request(HttpMethod.Post, $"{Url}/{pipeline.Id}/stages/{demo.Id}/deactivate", new { moveTo = proposal.Id })), HttpStatusCode.OK);
        var funnel = await ReadAsync<FunnelResponse>(await _manager.GetAsync($"/api/v1/sales/funnel?pipelineId={pipeline.Id}"), HttpStatusCode.OK);
        var today = DateOnly.FromDateTime(Factory.Time.GetUtcNow().UtcDateTime);
        var forecast = await ReadAsync<ForecastResponse>(
            await _manager.GetAsync($"/api/v1/sales/forecast?pipelineId={pipeline.Id}&period=year&from={today.AddDays(-5):yyyy-MM-dd}&to={today.AddDays(60):yyyy-MM-dd}"), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(funnel.Stages.Select(s => (s.Code, s.Count, s.Amount, s.WeightedAmount, s.Reached)), Is.EqualTo(new[] { ("proposal", 3, 7000m, 3500m, 4) }));
            Assert.That(funnel.Stages[0].ConversionRate, Is.EqualTo(0.25m));
            Assert.That(funnel.Stages[0].AverageDaysInStage, Is.Not.Null);
            Assert.That((funnel.Won.Count, funnel.Won.Amount), Is.EqualTo((1, 8000m)));
            Assert.That(forecast.Rows.Sum(r => r.PipelineCount), Is.EqualTo(3));
            Assert.That(forecast.Rows.Sum(r => r.WeightedAmount), Is.EqualTo(3500m));
            Assert.That(forecast.Rows.Sum(r => r.WonAmount), Is.EqualTo(8000m));
        });
    }

    private static object Stages() => new object[]
    {
        new { code = "demo", name = "产品演示", probability = 20 },
        new { code = "proposal", name = "方案报价", probability = 50 },
        new { code = "won", name = "赢单", probability = 100, kind = "won" },
        new { code = "lost", name = "输单", probability = 0, kind = "lost" },
    };

    private static HttpRequestMessage Request(HttpMethod method, string path, object? body = null, string? ifMatch = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, path)
        {
            Content = new StringContent(JsonSerializer.Serialize(body ?? new { }, Json), Encoding.UTF8, method == HttpMethod.Patch ? "application/merge-patch+json" : "application/json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    private async Task<(PipelineResponse Pipeline, string ETag)> CreatePipelineAsync(string name)
    {
        var response = await _manager.PostAsync(Url, JsonBody(new { name, stages = Stages() }));
        return (await ReadAsync<PipelineResponse>(response, HttpStatusCode.Created), response.Headers.ETag!.Tag);
    }

    private async Task<OpportunityResponse> CreateOpportunityAsync(Guid pipelineId, Guid stageId, decimal amount)
    {
        var expectedCloseDate = DateOnly.FromDateTime(Factory.Time.GetUtcNow().UtcDateTime).AddDays(30);
        return await ReadAsync<OpportunityResponse>(
            await _rep.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = $"商机{amount}", customerId = _customerId, pipelineId, stageId, amount, expectedCloseDate })),
            HttpStatusCode.Created);
    }
}

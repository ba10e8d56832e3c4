using System.Net;
using System.Net.Http.Headers;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Opportunities;

namespace Crm.IntegrationTests.Sales.Opportunities;

internal sealed class PipelineTests : IntegrationTest
{
    private HttpClient _repClient = null!;
    private HttpClient _managerClient = null!;

    [SetUp]
    public async Task CreateOrgAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "渠道公司", TeamKind.Company);
        var east = await TestUsers.CreateTeamAsync(Factory, "华东", TeamKind.Department, company);
        _managerClient = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesManager, east));
        _repClient = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep, east));
    }

    [TearDown]
    public void DisposeClients()
    {
        _repClient.Dispose();
        _managerClient.Dispose();
    }

    private static object Stages() => new object[]
    {
        new { code = "demo", name = "产品演示", probability = 20 },
        new { code = "proposal", name = "方案报价", probability = 50 },
        new { code = "won", name = "赢单", probability = 100, kind = "won" },
        new { code = "lost", name = "输单", probability = 0, kind = "lost" },
    };

    private async Task<(PipelineResponse Pipeline, string ETag)> CreateAsync(string name)
    {
        var response = await _managerClient.PostAsync("/api/v1/sales/pipelines", JsonBody(new { name, stages = Stages() }));
        return (await ReadAsync<PipelineResponse>(response, HttpStatusCode.Created), response.Headers.ETag!.Tag);
    }

    [Test]
    public async Task A_manager_creates_a_pipeline_with_ordered_stages_that_everyone_can_read()
    {
        var (created, etag) = await CreateAsync("项目型销售");

        var fetched = await _repClient.GetAsync($"/api/v1/sales/pipelines/{created.Id}");
        var all = await ReadAsync<List<PipelineResponse>>(await _repClient.GetAsync("/api/v1/sales/pipelines"), HttpStatusCode.OK);
        await ReadProblemAsync(await _repClient.PostAsync("/api/v1/sales/pipelines", JsonBody(new { name = "代表不能建", stages = Stages() })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _managerClient.PostAsync("/api/v1/sales/pipelines", JsonBody(new { name = "项目型销售", stages = Stages() })), HttpStatusCode.Conflict);
        await ReadProblemAsync(await _repClient.GetAsync($"/api/v1/sales/pipelines/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound);

        Assert.Multiple(async () =>
        {
            Assert.That(created.Stages.Select(s => (s.Code, s.Position, s.Probability, s.Kind)), Is.EqualTo(new[]
            {
                ("demo", 1, 20, StageKind.Open), ("proposal", 2, 50, StageKind.Open), ("won", 3, 100, StageKind.Won), ("lost", 4, 0, StageKind.Lost),
            }));
            Assert.That(created.IsDefault, Is.False);
            Assert.That(fetched.Headers.ETag!.Tag, Is.EqualTo(etag));
            Assert.That((await ReadAsync<PipelineResponse>(fetched, HttpStatusCode.OK)).Stages, Has.Count.EqualTo(4));
            Assert.That(all.Select(p => p.Id), Is.EqualTo(new[] { Pipeline.DefaultId, created.Id }));
            Assert.That(all[0].Stages.Select(s => s.Code), Does.Contain("businessNegotiation"));
        });
    }

    [Test]
    public async Task A_pipeline_needs_one_won_and_one_lost_stage_after_the_open_ones_and_unique_camelCase_codes()
    {
        var problem = await ReadProblemAsync(await _managerClient.PostAsync("/api/v1/sales/pipelines", JsonBody(new
        {
            name = "",
            stages = new object[]
            {
                new { code = "Demo", name = "演示", probability = 20 },
                new { code = "won", name = "赢单", probability = 90, kind = "won" },
                new { code = "demo2", name = "", probability = 101 },
                new { code = "demo2", name = "重复", probability = 10 },
            },
        })), HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors").EnumerateObject().ToDictionary(p => p.Name, p => string.Join(" ", p.Value.EnumerateArray().Select(e => e.GetString())));

        Assert.Multiple(() =>
        {
            Assert.That(errors.Keys, Is.SupersetOf(new[] { "name", "stages[0].code", "stages[1].probability", "stages[2].name", "stages[2].probability", "stages" }));
            Assert.That(errors["stages"], Does.Contain("unique").And.Contain("exactly one won and one lost").And.Contain("after every open stage"));
        });
    }

    [Test]
    public async Task Setting_the_default_pipeline_moves_new_opportunities_there_and_honours_If_Match()
    {
        var (created, etag) = await CreateAsync("新默认");

        await ReadProblemAsync(await _repClient.PostAsync($"/api/v1/sales/pipelines/{created.Id}/default", null), HttpStatusCode.Forbidden);
        using var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sales/pipelines/{created.Id}/default");
        stale.Headers.IfMatch.Add(EntityTagHeaderValue.Parse("\"1\""));
        await ReadProblemAsync(await _managerClient.SendAsync(stale), HttpStatusCode.PreconditionFailed);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sales/pipelines/{created.Id}/default");
        request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
        var made = await ReadAsync<PipelineResponse>(await _managerClient.SendAsync(request), HttpStatusCode.OK);
        var customerId = (await CustomerApi.CreateAsync(_repClient, "默认渠道客户")).Customer.Id;
        var opportunity = await ReadAsync<OpportunityResponse>(
            await _repClient.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = "落在新默认", customerId })), HttpStatusCode.Created);

        Assert.Multiple(async () =>
        {
            Assert.That(made.IsDefault, Is.True);
            Assert.That(await CountAsync("SELECT count(*) FROM sales.pipelines WHERE is_default"), Is.EqualTo(1));
            Assert.That(opportunity.PipelineId, Is.EqualTo(created.Id));
            Assert.That(opportunity.StageId, Is.EqualTo(created.Stages[0].Id));
            Assert.That(opportunity.Probability, Is.EqualTo(20));
        });
    }
}

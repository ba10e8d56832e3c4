using System.Net;
using System.Net.Http.Headers;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Features.Competitors;
using Crm.Modules.Sales.Features.Opportunities;
using Crm.SharedKernel.Paging;

namespace Crm.IntegrationTests.Sales.Opportunities;

internal sealed class CompetitorTests : IntegrationTest
{
    private TestUser _rep = null!;
    private TestUser _otherRep = null!;
    private TestUser _manager = null!;
    private HttpClient _repClient = null!;
    private HttpClient _managerClient = null!;

    [SetUp]
    public async Task CreateOrgAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "竞品公司", TeamKind.Company);
        var east = await TestUsers.CreateTeamAsync(Factory, "华东", TeamKind.Department, company);
        var west = await TestUsers.CreateTeamAsync(Factory, "华西", TeamKind.Department, company);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, east);
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, east);
        _otherRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, west);
        _repClient = Factory.ClientFor(_rep);
        _managerClient = Factory.ClientFor(_manager);
    }

    [TearDown]
    public void DisposeClients()
    {
        _repClient.Dispose();
        _managerClient.Dispose();
    }

    private async Task<(CompetitorResponse Competitor, string ETag)> CreateCompetitorAsync(string name, object? body = null)
    {
        var response = await _managerClient.PostAsync("/api/v1/sales/competitors", JsonBody(body ?? new { name }));
        return (await ReadAsync<CompetitorResponse>(response, HttpStatusCode.Created), response.Headers.ETag!.Tag);
    }

    private static async Task<OpportunityResponse> OpenAsync(HttpClient client, string name, decimal amount)
    {
        var customerId = (await CustomerApi.CreateAsync(client, name + " 客户")).Customer.Id;
        return await ReadAsync<OpportunityResponse>(
            await client.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name, customerId, amount })), HttpStatusCode.Created);
    }

    private static async Task LinkAsync(HttpClient client, Guid opportunityId, Guid competitorId)
    {
        var response = await client.PutAsync($"/api/v1/sales/opportunities/{opportunityId}/competitors/{competitorId}", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), await response.Content.ReadAsStringAsync());
    }

    private static HttpRequestMessage Replace(Guid id, object body, string ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/sales/competitors/{id}") { Content = JsonBody(body) };
        request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        return request;
    }

    [Test]
    public async Task A_manager_creates_reads_lists_and_replaces_competitors_with_If_Match()
    {
        var (created, etag) = await CreateCompetitorAsync("销售易", new
        {
            name = "销售易",
            website = "https://www.xiaoshouyi.com",
            strengths = "移动端体验好",
            weaknesses = "定制能力弱",
        });
        await CreateCompetitorAsync("纷享销客");

        var fetched = await _repClient.GetAsync($"/api/v1/sales/competitors/{created.Id}");
        var page = await ReadAsync<Page<CompetitorResponse>>(await _repClient.GetAsync("/api/v1/sales/competitors?q=销售"), HttpStatusCode.OK);
        var replaced = await ReadAsync<CompetitorResponse>(
            await _managerClient.SendAsync(Replace(created.Id, new { name = "销售易 Neocrm", notes = "2026 年融资" }, etag)), HttpStatusCode.OK);
        await ReadProblemAsync(await _managerClient.SendAsync(Replace(created.Id, new { name = "再改" }, etag)), HttpStatusCode.PreconditionFailed);

        Assert.Multiple(async () =>
        {
            Assert.That(await ReadAsync<CompetitorResponse>(fetched, HttpStatusCode.OK), Is.EqualTo(created));
            Assert.That(fetched.Headers.ETag!.Tag, Is.EqualTo(etag));
            Assert.That(created.Strengths, Is.EqualTo("移动端体验好"));
            Assert.That(page.Items.Select(c => c.Name), Is.EqualTo(new[] { "销售易" }));
            Assert.That(replaced.Name, Is.EqualTo("销售易 Neocrm"));
            Assert.That(replaced.Website, Is.Null);
            Assert.That(replaced.Notes, Is.EqualTo("2026 年融资"));
        });
    }

    [Test]
    public async Task Bad_input_is_400_a_taken_name_409_and_reps_may_not_change_competitors()
    {
        await CreateCompetitorAsync("用友");

        var bad = await ReadProblemAsync(
            await _managerClient.PostAsync("/api/v1/sales/competitors", JsonBody(new { name = "", website = "ftp://example.com", strengths = new string('x', 2001) })), HttpStatusCode.BadRequest);
        var duplicate = await ReadProblemAsync(await _managerClient.PostAsync("/api/v1/sales/competitors", JsonBody(new { name = "用友" })), HttpStatusCode.Conflict);
        await ReadProblemAsync(await _repClient.PostAsync("/api/v1/sales/competitors", JsonBody(new { name = "金蝶" })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _repClient.GetAsync($"/api/v1/sales/competitors/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound);

        Assert.Multiple(() =>
        {
            Assert.That(bad.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "name", "website", "strengths" }));
            Assert.That(duplicate.GetProperty("type").GetString(), Is.EqualTo(CompetitorProblems.DuplicateNameType));
        });
    }

    [Test]
    public async Task Reps_link_competitors_to_their_open_opportunities_idempotently_and_unlink_them()
    {
        var (competitor, _) = await CreateCompetitorAsync("Salesforce");
        var opportunity = await OpenAsync(_repClient, "对标 Salesforce", 1000m);
        using var other = Factory.ClientFor(_otherRep);

        await LinkAsync(_repClient, opportunity.Id, competitor.Id);
        await LinkAsync(_repClient, opportunity.Id, competitor.Id);
        var linked = await ReadAsync<List<CompetitorResponse>>(await _repClient.GetAsync($"/api/v1/sales/opportunities/{opportunity.Id}/competitors"), HttpStatusCode.OK);
        await ReadProblemAsync(await other.PutAsync($"/api/v1/sales/opportunities/{opportunity.Id}/competitors/{competitor.Id}", null), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _repClient.PutAsync($"/api/v1/sales/opportunities/{opportunity.Id}/competitors/{Guid.CreateVersion7()}", null), HttpStatusCode.NotFound);
        var unlinked = await _repClient.DeleteAsync($"/api/v1/sales/opportunities/{opportunity.Id}/competitors/{competitor.Id}");
        await ReadProblemAsync(await _repClient.DeleteAsync($"/api/v1/sales/opportunities/{opportunity.Id}/competitors/{competitor.Id}"), HttpStatusCode.NotFound);

        Assert.Multiple(async () =>
        {
            Assert.That(linked.Select(c => c.Id), Is.EqualTo(new[] { competitor.Id }));
            Assert.That(unlinked.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.opportunity_competitors"), Is.Zero);
        });
    }

    [Test]
    public async Task Losing_to_a_competitor_checks_it_links_it_and_tells_the_event_while_reopening_forgets_it()
    {
        var (competitor, _) = await CreateCompetitorAsync("金蝶");
        var opportunity = await OpenAsync(_repClient, "输给金蝶", 5000m);

        var unknown = await ReadProblemAsync(
            await _repClient.PostAsync($"/api/v1/sales/opportunities/{opportunity.Id}/lose", JsonBody(new { reason = "价格", competitorId = Guid.CreateVersion7() })), HttpStatusCode.BadRequest);
        var lost = await ReadAsync<OpportunityResponse>(
            await _repClient.PostAsync($"/api/v1/sales/opportunities/{opportunity.Id}/lose", JsonBody(new { reason = "价格", competitorId = competitor.Id })), HttpStatusCode.OK);
        await ReadProblemAsync(await _repClient.PutAsync($"/api/v1/sales/opportunities/{opportunity.Id}/competitors/{competitor.Id}", null), HttpStatusCode.Conflict);
        var reopened = await ReadAsync<OpportunityResponse>(
            await _repClient.PostAsync($"/api/v1/sales/opportunities/{opportunity.Id}/reopen", JsonBody(new { })), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(unknown.GetProperty("errors").TryGetProperty("competitorId", out _), Is.True);
            Assert.That(lost.LostToCompetitorId, Is.EqualTo(competitor.Id));
            Assert.That(reopened.LostToCompetitorId, Is.Null);
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.opportunity_competitors WHERE opportunity_id = '{opportunity.Id}' AND competitor_id = '{competitor.Id}'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%OpportunityLost' AND payload->>'competitorId' = '{competitor.Id}'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Stats_count_the_callers_visible_opportunities_against_the_competitor_by_outcome_with_win_rate_and_amounts()
    {
        var (competitor, _) = await CreateCompetitorAsync("八百客");
        var open = await OpenAsync(_repClient, "进行中", 100m);
        var won = await OpenAsync(_repClient, "赢了", 200m);
        var lostToThem = await OpenAsync(_repClient, "输给他们", 300m);
        var lostOtherwise = await OpenAsync(_repClient, "输给预算", 50m);
        var notAgainstThem = await OpenAsync(_repClient, "无关", 9999m);
        using var other = Factory.ClientFor(_otherRep);
        var hidden = await OpenAsync(other, "别的团队", 7777m);
        foreach (var id in new[] { open.Id, won.Id, lostOtherwise.Id })
        {
            await LinkAsync(_repClient, id, competitor.Id);
        }

        await LinkAsync(other, hidden.Id, competitor.Id);
        await ReadAsync<OpportunityResponse>(await _repClient.PostAsync($"/api/v1/sales/opportunities/{won.Id}/win", null), HttpStatusCode.OK);
        await ReadAsync<OpportunityResponse>(
            await _repClient.PostAsync($"/api/v1/sales/opportunities/{lostToThem.Id}/lose", JsonBody(new { reason = "功能", competitorId = competitor.Id })), HttpStatusCode.OK);
        await ReadAsync<OpportunityResponse>(
            await _repClient.PostAsync($"/api/v1/sales/opportunities/{lostOtherwise.Id}/lose", JsonBody(new { reason = "预算" })), HttpStatusCode.OK);
        Assert.That(notAgainstThem.Amount, Is.EqualTo(9999m));

        var stats = await ReadAsync<CompetitorStatsResponse>(await _repClient.GetAsync($"/api/v1/sales/competitors/{competitor.Id}/stats"), HttpStatusCode.OK);
        await ReadProblemAsync(await _repClient.GetAsync($"/api/v1/sales/competitors/{Guid.CreateVersion7()}/stats"), HttpStatusCode.NotFound);

        Assert.Multiple(() =>
        {
            Assert.That((stats.Open, stats.Won, stats.Lost, stats.LostToThem), Is.EqualTo((1, 1, 2, 1)));
            Assert.That(stats.WinRate, Is.EqualTo(0.3333m));
            Assert.That(stats.Amounts, Is.EqualTo(new[] { new CompetitorStatsAmounts("CNY", 100m, 200m, 350m) }));
        });
    }

    [Test]
    public async Task A_competitor_in_use_cannot_be_deleted_while_an_unused_one_can()
    {
        var (used, _) = await CreateCompetitorAsync("在用");
        var (unused, etag) = await CreateCompetitorAsync("没用过");
        var opportunity = await OpenAsync(_repClient, "有竞品", 10m);
        await LinkAsync(_repClient, opportunity.Id, used.Id);

        var inUse = await ReadProblemAsync(await _managerClient.DeleteAsync($"/api/v1/sales/competitors/{used.Id}"), HttpStatusCode.Conflict);
        await ReadProblemAsync(await _repClient.DeleteAsync($"/api/v1/sales/competitors/{unused.Id}"), HttpStatusCode.Forbidden);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/sales/competitors/{unused.Id}");
        delete.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
        var deleted = await _managerClient.SendAsync(delete);

        Assert.Multiple(async () =>
        {
            Assert.That(inUse.GetProperty("type").GetString(), Is.EqualTo(CompetitorProblems.InUseType));
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
            Assert.That((await _managerClient.GetAsync($"/api/v1/sales/competitors/{unused.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });
    }
}

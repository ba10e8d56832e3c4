using System.Net;
using System.Net.Http.Headers;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Timeline;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Activities;
using Crm.Modules.Sales.Features.Opportunities;

namespace Crm.IntegrationTests.Sales.Opportunities;

internal sealed class OpportunityTests : IntegrationTest
{
    private TestUser _rep = null!;
    private TestUser _otherRep = null!;
    private TestUser _manager = null!;
    private HttpClient _repClient = null!;

    private sealed record TimelinePage(List<TimelineEntryResponse> Items, string? NextCursor, long? Total);

    [SetUp]
    public async Task CreateOrgAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "商机公司", TeamKind.Company);
        var east = await TestUsers.CreateTeamAsync(Factory, "华东", TeamKind.Department, company);
        var west = await TestUsers.CreateTeamAsync(Factory, "华西", TeamKind.Department, company);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, east);
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, east);
        _otherRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, west);
        _repClient = Factory.ClientFor(_rep);
    }

    [TearDown]
    public void DisposeRepClient() => _repClient.Dispose();

    private async Task<Guid> CustomerAsync(HttpClient client, string name) => (await CustomerApi.CreateAsync(client, name)).Customer.Id;

    private async Task<(OpportunityResponse Opportunity, string ETag)> OpenAsync(HttpClient client, object body)
    {
        var response = await client.PostAsync("/api/v1/sales/opportunities", JsonBody(body));
        var opportunity = await ReadAsync<OpportunityResponse>(response, HttpStatusCode.Created);
        return (opportunity, response.Headers.ETag!.Tag);
    }

    private static HttpRequestMessage Move(Guid id, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sales/opportunities/{id}/stage") { Content = JsonBody(body) };
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }

        return request;
    }

    [Test]
    public async Task An_opportunity_starts_in_the_first_stage_of_the_default_pipeline_owned_by_the_caller()
    {
        var customerId = await CustomerAsync(_repClient, "华为技术");
        var (created, etag) = await OpenAsync(_repClient, new { name = "华为 ERP 项目", customerId, amount = 120000.50m, expectedCloseDate = "2027-03-31" });

        var response = await _repClient.GetAsync($"/api/v1/sales/opportunities/{created.Id}");
        var fetched = await ReadAsync<OpportunityResponse>(response, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(fetched.PipelineId, Is.EqualTo(Pipeline.DefaultId));
            Assert.That(fetched.Status, Is.EqualTo(OpportunityStatus.Open));
            Assert.That(fetched.Probability, Is.EqualTo(10));
            Assert.That(fetched.OwnerId, Is.EqualTo(_rep.Id));
            Assert.That(fetched.Amount, Is.EqualTo(120000.50m));
            Assert.That(fetched.Currency, Is.EqualTo("CNY"));
            Assert.That(fetched.ExpectedCloseDate, Is.EqualTo(new DateOnly(2027, 3, 31)));
            Assert.That(response.Headers.ETag!.Tag, Is.EqualTo(etag));
        });
        Assert.That(await CountAsync($"SELECT count(*) FROM sales.pipeline_stages WHERE id = '{fetched.StageId}' AND code = 'initialContact'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Creating_with_bad_input_answers_400_with_the_field_errors()
    {
        var problem = await ReadProblemAsync(
            await _repClient.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = "", amount = -1m, currency = "rmb" })), HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Multiple(() =>
        {
            Assert.That(errors.TryGetProperty("name", out _), Is.True);
            Assert.That(errors.TryGetProperty("customerId", out _), Is.True);
            Assert.That(errors.TryGetProperty("amount", out _), Is.True);
            Assert.That(errors.TryGetProperty("currency", out _), Is.True);
        });
    }

    [Test]
    public async Task A_rep_cannot_open_an_opportunity_for_a_customer_of_another_team_nor_a_missing_one()
    {
        using var otherClient = Factory.ClientFor(_otherRep);
        var theirs = await CustomerAsync(otherClient, "别的团队客户");

        foreach (var customerId in new[] { theirs, Guid.CreateVersion7() })
        {
            var problem = await ReadProblemAsync(
                await _repClient.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = "x", customerId })), HttpStatusCode.BadRequest);
            Assert.That(problem.GetProperty("errors").TryGetProperty("customerId", out _), Is.True);
        }
    }

    [Test]
    public async Task The_contact_must_be_a_live_contact_of_the_customer_else_400_or_422_for_an_unknown_one()
    {
        var customerId = await CustomerAsync(_repClient, "华为技术");
        var contactId = await CustomerApi.CreateContactAsync(_repClient, customerId, "余经理");
        var othersContact = await CustomerApi.CreateContactAsync(_repClient, await CustomerAsync(_repClient, "中兴通讯"), "李经理");
        var archivedContact = await CustomerApi.CreateContactAsync(_repClient, customerId, "离职联系人");
        await ReadAsync<object>(await _repClient.DeleteAsync($"/api/v1/contacts/{archivedContact}"), HttpStatusCode.OK);

        var (created, _) = await OpenAsync(_repClient, new { name = "华为 ERP 项目", customerId, contactId });
        var other = await ReadProblemAsync(
            await _repClient.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = "x", customerId, contactId = othersContact })), HttpStatusCode.BadRequest);
        var unknown = await ReadProblemAsync(
            await _repClient.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = "x", customerId, contactId = Guid.CreateVersion7() })), HttpStatusCode.UnprocessableEntity);
        var archived = await ReadProblemAsync(
            await _repClient.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = "x", customerId, contactId = archivedContact })), HttpStatusCode.UnprocessableEntity);

        Assert.Multiple(async () =>
        {
            Assert.That(created.ContactId, Is.EqualTo(contactId));
            Assert.That(other.GetProperty("errors").TryGetProperty("contactId", out _), Is.True, other.ToString());
            Assert.That(unknown.GetProperty("type").GetString(), Is.EqualTo(ActivityProblems.UnknownReference));
            Assert.That(unknown.GetProperty("title").GetString(), Is.EqualTo("Unknown Contact"));
            Assert.That(archived.GetProperty("title").GetString(), Is.EqualTo("Unknown Contact"));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.opportunities"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_closing_stage_cannot_be_the_starting_stage()
    {
        var customerId = await CustomerAsync(_repClient, "起步即赢单");
        var problem = await ReadProblemAsync(
            await _repClient.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = "x", customerId, stageId = OpportunityApi.StageId("closedWon") })), HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty("stageId", out _), Is.True);
    }

    [Test]
    public async Task Opportunities_of_other_teams_answer_404_while_the_manager_of_the_owner_sees_them()
    {
        var customerId = await CustomerAsync(_repClient, "可见性客户");
        var (created, _) = await OpenAsync(_repClient, new { name = "可见性", customerId });

        using var other = Factory.ClientFor(_otherRep);
        using var manager = Factory.ClientFor(_manager);
        await ReadProblemAsync(await other.GetAsync($"/api/v1/sales/opportunities/{created.Id}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await other.PostAsync($"/api/v1/sales/opportunities/{created.Id}/stage", JsonBody(new { stageCode = "closedLost" })), HttpStatusCode.NotFound);
        await ReadAsync<OpportunityResponse>(await manager.GetAsync($"/api/v1/sales/opportunities/{created.Id}"), HttpStatusCode.OK);
        await ReadProblemAsync(await _repClient.GetAsync($"/api/v1/sales/opportunities/{Guid.CreateVersion7()}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Users_without_sales_permissions_get_403()
    {
        using var agent = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.ServiceAgent));
        await ReadProblemAsync(await agent.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = "x", customerId = Guid.CreateVersion7() })), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Stage_moves_write_the_history_and_winning_closes_the_opportunity_and_lands_on_the_customer_timeline()
    {
        var customerId = await CustomerAsync(_repClient, "比亚迪");
        var (created, etag) = await OpenAsync(_repClient, new { name = "比亚迪 电池采购", customerId, amount = 500000m });

        var negotiating = await ReadAsync<OpportunityResponse>(
            await _repClient.SendAsync(Move(created.Id, new { stageCode = "businessNegotiation", probability = 75 }, etag)), HttpStatusCode.OK);
        Assert.That(negotiating.Probability, Is.EqualTo(75));
        Factory.Time.Advance(TimeSpan.FromMinutes(5));
        var won = await ReadAsync<OpportunityResponse>(
            await _repClient.SendAsync(Move(created.Id, new { stageId = OpportunityApi.StageId("closedWon") })), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(won.Status, Is.EqualTo(OpportunityStatus.Won));
            Assert.That(won.Probability, Is.EqualTo(100));
            Assert.That(won.ClosedAt, Is.Not.Null);
        });

        var history = await ReadAsync<List<OpportunityStageChangeResponse>>(
            await _repClient.GetAsync($"/api/v1/sales/opportunities/{created.Id}/history"), HttpStatusCode.OK);
        Assert.That(history.Select(h => (h.FromStageCode, h.ToStageCode)), Is.EqualTo(new[]
        {
            ("initialContact", "businessNegotiation"),
            ("businessNegotiation", "closedWon"),
        }));
        Assert.That(history.All(h => h.ChangedBy == _rep.Id), Is.True);

        // Each row carries when the stage it left was entered, so time in stage needs no self-join.
        Assert.That(history[1].FromStageEnteredAt, Is.EqualTo(history[0].ChangedAt));
        Assert.That(history[1].ChangedAt - history[1].FromStageEnteredAt, Is.EqualTo(TimeSpan.FromMinutes(5)));

        await DispatchOutboxAsync();
        var timeline = await ReadAsync<TimelinePage>(await _repClient.GetAsync($"/api/v1/customers/{customerId}/timeline"), HttpStatusCode.OK);
        Assert.That(timeline.Items.Select(e => e.Kind), Does.Contain("opportunityWon"));
    }

    [Test]
    public async Task Losing_needs_a_reason_which_lands_on_the_timeline_and_reopening_returns_to_the_stage_it_was_closed_from()
    {
        var customerId = await CustomerAsync(_repClient, "重新打开");
        var (created, _) = await OpenAsync(_repClient, new { name = "重开", customerId });
        await ReadAsync<OpportunityResponse>(await _repClient.SendAsync(Move(created.Id, new { stageCode = "businessNegotiation" })), HttpStatusCode.OK);

        var noReason = await ReadProblemAsync(await _repClient.PostAsync($"/api/v1/sales/opportunities/{created.Id}/lose", JsonBody(new { reason = " " })), HttpStatusCode.BadRequest);
        Assert.That(noReason.GetProperty("errors").TryGetProperty("reason", out _), Is.True);
        var viaStage = await ReadProblemAsync(await _repClient.SendAsync(Move(created.Id, new { stageCode = "closedLost" })), HttpStatusCode.BadRequest);
        Assert.That(viaStage.GetProperty("errors").TryGetProperty("stageCode", out _), Is.True);

        var lost = await ReadAsync<OpportunityResponse>(
            await _repClient.PostAsync($"/api/v1/sales/opportunities/{created.Id}/lose", JsonBody(new { reason = "价格太高 price too high" })), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(lost.Status, Is.EqualTo(OpportunityStatus.Lost));
            Assert.That(lost.LostReason, Is.EqualTo("价格太高 price too high"));
            Assert.That(lost.Probability, Is.Zero);
            Assert.That(lost.ClosedAt, Is.Not.Null);
        });

        // Closed is final until reopened: neither a second loss nor a win rewrites the outcome.
        await ReadProblemAsync(await _repClient.PostAsync($"/api/v1/sales/opportunities/{created.Id}/win", null), HttpStatusCode.Conflict);
        await ReadProblemAsync(await _repClient.PostAsync($"/api/v1/sales/opportunities/{created.Id}/lose", JsonBody(new { reason = "again" })), HttpStatusCode.Conflict);
        await ReadProblemAsync(await _repClient.SendAsync(Move(created.Id, new { stageCode = "closedWon" })), HttpStatusCode.Conflict);

        await DispatchOutboxAsync();
        var timeline = await ReadAsync<TimelinePage>(await _repClient.GetAsync($"/api/v1/customers/{customerId}/timeline"), HttpStatusCode.OK);
        Assert.That(timeline.Items.Single(e => e.Kind == "opportunityLost").Summary, Does.Contain("价格太高"));

        var reopened = await ReadAsync<OpportunityResponse>(
            await _repClient.PostAsync($"/api/v1/sales/opportunities/{created.Id}/reopen", JsonBody(new { })), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(reopened.Status, Is.EqualTo(OpportunityStatus.Open));
            Assert.That(reopened.StageId, Is.EqualTo(OpportunityApi.StageId("businessNegotiation")));
            Assert.That(reopened.ClosedAt, Is.Null);
            Assert.That(reopened.LostReason, Is.Null);
            Assert.That(reopened.Probability, Is.EqualTo(60));
        });
        await ReadProblemAsync(await _repClient.PostAsync($"/api/v1/sales/opportunities/{created.Id}/reopen", JsonBody(new { })), HttpStatusCode.Conflict);
        Assert.That(await CountAsync($"SELECT count(*) FROM sales.opportunity_stage_changes WHERE opportunity_id = '{created.Id}'"), Is.EqualTo(3));
    }

    [Test]
    public async Task Winning_honours_If_Match_and_reopening_in_a_named_stage_checks_it_is_open()
    {
        var customerId = await CustomerAsync(_repClient, "赢单客户");
        var (created, etag) = await OpenAsync(_repClient, new { name = "赢单", customerId, amount = 8800m });
        await _repClient.SendAsync(Move(created.Id, new { stageCode = "intentReached" }));

        var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/sales/opportunities/{created.Id}/win");
        stale.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
        await ReadProblemAsync(await _repClient.SendAsync(stale), HttpStatusCode.PreconditionFailed);

        var won = await ReadAsync<OpportunityResponse>(await _repClient.PostAsync($"/api/v1/sales/opportunities/{created.Id}/win", null), HttpStatusCode.OK);
        Assert.That((won.Status, won.Probability, won.StageId), Is.EqualTo((OpportunityStatus.Won, 100, OpportunityApi.StageId("closedWon"))));

        var closing = await ReadProblemAsync(
            await _repClient.PostAsync($"/api/v1/sales/opportunities/{created.Id}/reopen", JsonBody(new { stageCode = "closedLost" })), HttpStatusCode.BadRequest);
        Assert.That(closing.GetProperty("errors").TryGetProperty("stageCode", out _), Is.True);
        var reopened = await ReadAsync<OpportunityResponse>(
            await _repClient.PostAsync($"/api/v1/sales/opportunities/{created.Id}/reopen", JsonBody(new { stageCode = "contractSigned" })), HttpStatusCode.OK);
        Assert.That(reopened.StageId, Is.EqualTo(OpportunityApi.StageId("contractSigned")));

        using var other = Factory.ClientFor(_otherRep);
        await ReadProblemAsync(await other.PostAsync($"/api/v1/sales/opportunities/{created.Id}/win", null), HttpStatusCode.NotFound);
        await DispatchOutboxAsync();
        var timeline = await ReadAsync<TimelinePage>(await _repClient.GetAsync($"/api/v1/customers/{customerId}/timeline"), HttpStatusCode.OK);
        Assert.That(timeline.Items.Count(e => e.Kind == "opportunityWon"), Is.EqualTo(1));
    }

    [Test]
    public async Task Stage_moves_check_their_input_and_the_If_Match_version()
    {
        var customerId = await CustomerAsync(_repClient, "校验");
        var (created, etag) = await OpenAsync(_repClient, new { name = "校验", customerId });

        var none = await ReadProblemAsync(await _repClient.SendAsync(Move(created.Id, new { probability = 101 })), HttpStatusCode.BadRequest);
        Assert.That(none.GetProperty("errors").TryGetProperty("probability", out _), Is.True);
        await ReadProblemAsync(await _repClient.SendAsync(Move(created.Id, new { stageCode = "noSuchStage" })), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _repClient.SendAsync(Move(created.Id, new { stageCode = "closedWon", probability = 50 })), HttpStatusCode.BadRequest);

        await _repClient.SendAsync(Move(created.Id, new { stageCode = "intentReached" }));
        await ReadProblemAsync(await _repClient.SendAsync(Move(created.Id, new { stageCode = "contractSigned" }, etag)), HttpStatusCode.PreconditionFailed);
        await ReadProblemAsync(await _repClient.GetAsync($"/api/v1/sales/opportunities/{Guid.CreateVersion7()}/history"), HttpStatusCode.NotFound);
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Activities;
using Crm.Modules.Sales.Features.Opportunities;

namespace Crm.IntegrationTests.Sales.Opportunities;

internal sealed class OpportunityPatchTests : IntegrationTest
{
    private TestUser _rep = null!;
    private TestUser _teammate = null!;
    private TestUser _otherRep = null!;
    private TestUser _manager = null!;
    private HttpClient _repClient = null!;
    private Guid _east;

    [SetUp]
    public async Task CreateOrgAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "改单公司", TeamKind.Company);
        var east = await TestUsers.CreateTeamAsync(Factory, "华东", TeamKind.Department, company);
        _east = east;
        var west = await TestUsers.CreateTeamAsync(Factory, "华西", TeamKind.Department, company);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, east);
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, east);
        _teammate = await TestUsers.CreateAsync(Factory, Roles.SalesRep, east);
        _otherRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, west);
        _repClient = Factory.ClientFor(_rep);
    }

    [TearDown]
    public void DisposeRepClient() => _repClient.Dispose();

    private async Task<(OpportunityResponse Opportunity, string ETag)> OpenAsync(object? extra = null)
    {
        var customerId = (await CustomerApi.CreateAsync(_repClient, "改单客户" + Guid.NewGuid().ToString("N")[..6])).Customer.Id;
        var body = new Dictionary<string, object?> { ["name"] = "改单商机", ["customerId"] = customerId, ["amount"] = 1000m };
        foreach (var property in extra?.GetType().GetProperties() ?? [])
        {
            body[property.Name] = property.GetValue(extra);
        }

        var response = await _repClient.PostAsync("/api/v1/sales/opportunities", JsonBody(body));
        return (await ReadAsync<OpportunityResponse>(response, HttpStatusCode.Created), response.Headers.ETag!.Tag);
    }

    private static HttpRequestMessage Patch(Guid id, string json, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/sales/opportunities/{id}")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/merge-patch+json"),
        };
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }

        return request;
    }

    [Test]
    public async Task A_merge_patch_changes_only_the_named_fields_clears_with_null_and_answers_a_new_ETag()
    {
        var (created, etag) = await OpenAsync(new { source = "展会", description = "首次接触", expectedCloseDate = "2027-01-31" });

        var response = await _repClient.SendAsync(Patch(created.Id, """{"name":"改单商机 二期","amount":2500.50,"expectedCloseDate":"2027-06-30","description":null,"probability":45}""", etag));
        var patched = await ReadAsync<OpportunityResponse>(response, HttpStatusCode.OK);
        var fetched = await _repClient.GetAsync($"/api/v1/sales/opportunities/{created.Id}");

        Assert.Multiple(async () =>
        {
            Assert.That(patched.Name, Is.EqualTo("改单商机 二期"));
            Assert.That(patched.Amount, Is.EqualTo(2500.50m));
            Assert.That(patched.ExpectedCloseDate, Is.EqualTo(new DateOnly(2027, 6, 30)));
            Assert.That(patched.Description, Is.Null);
            Assert.That(patched.Source, Is.EqualTo("展会"));
            Assert.That(patched.Probability, Is.EqualTo(45));
            Assert.That(patched.Currency, Is.EqualTo("CNY"));
            Assert.That(response.Headers.ETag!.Tag, Is.Not.EqualTo(etag));
            Assert.That(fetched.Headers.ETag!.Tag, Is.EqualTo(response.Headers.ETag!.Tag));
            Assert.That(await ReadAsync<OpportunityResponse>(fetched, HttpStatusCode.OK), Is.EqualTo(patched));
        });
    }

    [Test]
    public async Task A_stale_If_Match_is_412_and_changes_nothing()
    {
        var (created, etag) = await OpenAsync();
        await ReadAsync<OpportunityResponse>(await _repClient.SendAsync(Patch(created.Id, """{"amount":5}""", etag)), HttpStatusCode.OK);

        await ReadProblemAsync(await _repClient.SendAsync(Patch(created.Id, """{"amount":7}""", etag)), HttpStatusCode.PreconditionFailed);

        Assert.That(await CountAsync($"SELECT count(*) FROM sales.opportunities WHERE id = '{created.Id}' AND amount = 5"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_null_probability_returns_to_the_default_of_the_stage()
    {
        var (created, _) = await OpenAsync();
        await ReadAsync<OpportunityResponse>(await _repClient.SendAsync(Patch(created.Id, """{"probability":80}""")), HttpStatusCode.OK);

        var reset = await ReadAsync<OpportunityResponse>(await _repClient.SendAsync(Patch(created.Id, """{"probability":null}""")), HttpStatusCode.OK);

        Assert.That(reset.Probability, Is.EqualTo(10));
    }

    [Test]
    public async Task Bad_patches_answer_400_naming_every_field()
    {
        var (created, _) = await OpenAsync();

        var shape = await ReadProblemAsync(await _repClient.SendAsync(Patch(created.Id,
            """{"name":"","amount":null,"ownerId":null,"probability":101,"stageId":"01930000-0000-7000-8000-000000000102","status":"won","customerId":"01930000-0000-7000-8000-000000000102"}""")),
            HttpStatusCode.BadRequest);
        var values = await ReadProblemAsync(await _repClient.SendAsync(Patch(created.Id,
            $$"""{"amount":-1,"currency":"rmb","source":"{{new string('s', 51)}}","partnerId":"{{Guid.CreateVersion7()}}"}""")), HttpStatusCode.BadRequest);
        var partner = await ReadProblemAsync(await _repClient.SendAsync(Patch(created.Id, $$"""{"partnerId":"{{Guid.CreateVersion7()}}"}""")), HttpStatusCode.BadRequest);

        Assert.Multiple(() =>
        {
            Assert.That(shape.GetProperty("errors").EnumerateObject().Select(p => p.Name),
                Is.EquivalentTo(new[] { "name", "amount", "ownerId", "probability", "stageId", "status", "customerId" }));
            Assert.That(values.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[] { "amount", "currency", "source" }));
            Assert.That(partner.GetProperty("errors").TryGetProperty("partnerId", out _), Is.True);
        });
    }

    [Test]
    public async Task A_patched_contact_must_be_a_live_contact_of_the_customer_and_is_checked_only_when_it_changes()
    {
        var (created, _) = await OpenAsync();
        var contactId = await CustomerApi.CreateContactAsync(_repClient, created.CustomerId, "王经理");
        var othersContact = await CustomerApi.CreateContactAsync(_repClient, (await CustomerApi.CreateAsync(_repClient, "别家客户")).Customer.Id, "赵经理");

        var other = await ReadProblemAsync(await _repClient.SendAsync(Patch(created.Id, $$"""{"contactId":"{{othersContact}}"}""")), HttpStatusCode.BadRequest);
        var unknown = await ReadProblemAsync(
            await _repClient.SendAsync(Patch(created.Id, $$"""{"contactId":"{{Guid.CreateVersion7()}}"}""")), HttpStatusCode.UnprocessableEntity);
        var patched = await ReadAsync<OpportunityResponse>(await _repClient.SendAsync(Patch(created.Id, $$"""{"contactId":"{{contactId}}"}""")), HttpStatusCode.OK);

        // The contact is archived later: the deal keeps it, and other edits are not refused for it.
        await ReadAsync<object>(await _repClient.DeleteAsync($"/api/v1/contacts/{contactId}"), HttpStatusCode.OK);
        var renamed = await ReadAsync<OpportunityResponse>(await _repClient.SendAsync(Patch(created.Id, """{"name":"改单商机 三期"}""")), HttpStatusCode.OK);
        var cleared = await ReadAsync<OpportunityResponse>(await _repClient.SendAsync(Patch(created.Id, """{"contactId":null}""")), HttpStatusCode.OK);
        var archived = await ReadProblemAsync(await _repClient.SendAsync(Patch(created.Id, $$"""{"contactId":"{{contactId}}"}""")), HttpStatusCode.UnprocessableEntity);

        Assert.Multiple(() =>
        {
            Assert.That(other.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "contactId" }));
            Assert.That(unknown.GetProperty("type").GetString(), Is.EqualTo(ActivityProblems.UnknownReference));
            Assert.That(unknown.GetProperty("title").GetString(), Is.EqualTo("Unknown Contact"));
            Assert.That(patched.ContactId, Is.EqualTo(contactId));
            Assert.That(renamed.ContactId, Is.EqualTo(contactId));
            Assert.That(cleared.ContactId, Is.Null);
            Assert.That(archived.GetProperty("title").GetString(), Is.EqualTo("Unknown Contact"));
        });
    }

    [Test]
    public async Task A_manager_gives_the_opportunity_to_a_teammate_which_moves_the_team_and_is_audited_while_a_rep_cannot_give_it_away()
    {
        var (created, _) = await OpenAsync();

        await ReadProblemAsync(await _repClient.SendAsync(Patch(created.Id, $$"""{"ownerId":"{{_teammate.Id}}"}""")), HttpStatusCode.Forbidden);
        using var manager = Factory.ClientFor(_manager);
        await ReadProblemAsync(await manager.SendAsync(Patch(created.Id, $$"""{"ownerId":"{{_otherRep.Id}}"}""")), HttpStatusCode.Forbidden);
        var moved = await ReadAsync<OpportunityResponse>(await manager.SendAsync(Patch(created.Id, $$"""{"ownerId":"{{_teammate.Id}}"}""")), HttpStatusCode.OK);

        using var teammate = Factory.ClientFor(_teammate);
        Assert.Multiple(async () =>
        {
            Assert.That(moved.OwnerId, Is.EqualTo(_teammate.Id));
            Assert.That(moved.TeamId, Is.EqualTo(_east));
            Assert.That((await teammate.GetAsync($"/api/v1/sales/opportunities/{created.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await _repClient.GetAsync($"/api/v1/sales/opportunities/{created.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'opportunity' AND entity_id = '{created.Id}' AND action = 'updated' AND changes::text LIKE '%{_teammate.Id}%'"),
                Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Won_and_lost_opportunities_are_read_only_until_reopened()
    {
        var (created, _) = await OpenAsync();
        await ReadAsync<OpportunityResponse>(await _repClient.PostAsync($"/api/v1/sales/opportunities/{created.Id}/win", null), HttpStatusCode.OK);

        var problem = await ReadProblemAsync(await _repClient.SendAsync(Patch(created.Id, """{"amount":1}""")), HttpStatusCode.Conflict);
        await ReadAsync<OpportunityResponse>(await _repClient.PostAsync($"/api/v1/sales/opportunities/{created.Id}/reopen", JsonBody(new { })), HttpStatusCode.OK);
        var reopened = await ReadAsync<OpportunityResponse>(await _repClient.SendAsync(Patch(created.Id, """{"amount":1}""")), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo(OpportunityProblems.ClosedType));
            Assert.That(reopened.Amount, Is.EqualTo(1m));
            Assert.That(reopened.Status, Is.EqualTo(OpportunityStatus.Open));
        });
    }

    [Test]
    public async Task Patching_an_invisible_or_missing_opportunity_is_404_and_without_sales_write_403()
    {
        var (created, _) = await OpenAsync();
        using var other = Factory.ClientFor(_otherRep);
        using var agent = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.ServiceAgent));

        await ReadProblemAsync(await other.SendAsync(Patch(created.Id, """{"amount":1}""")), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _repClient.SendAsync(Patch(Guid.CreateVersion7(), """{"amount":1}""")), HttpStatusCode.NotFound);
        await ReadProblemAsync(await agent.SendAsync(Patch(created.Id, """{"amount":1}""")), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Creating_with_the_same_Idempotency_Key_replays_the_first_answer_instead_of_opening_a_second_deal()
    {
        var customerId = (await CustomerApi.CreateAsync(_repClient, "幂等客户")).Customer.Id;
        HttpRequestMessage Post()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sales/opportunities")
            {
                Content = JsonBody(new { name = "只开一次", customerId, amount = 10m, contactId = (Guid?)null, source = "referral", description = "转介绍" }),
            };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", "open-opportunity-1");
            return request;
        }

        var one = await ReadAsync<OpportunityResponse>(await _repClient.SendAsync(Post()), HttpStatusCode.Created);
        var second = await _repClient.SendAsync(Post());
        var two = await ReadAsync<OpportunityResponse>(second, HttpStatusCode.Created);

        Assert.Multiple(async () =>
        {
            Assert.That(two.Id, Is.EqualTo(one.Id));
            Assert.That(two.Source, Is.EqualTo("referral"));
            Assert.That(two.Description, Is.EqualTo("转介绍"));
            Assert.That(second.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.opportunities"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%OpportunityCreated'"), Is.EqualTo(1));
        });
    }
}

using System.Net;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Customers.Features.CustomFields;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Leads;
using Microsoft.Extensions.DependencyInjection;
using static Crm.IntegrationTests.Sales.Leads.LeadApi;

namespace Crm.IntegrationTests.Sales.Leads;

internal sealed class LeadConversionTests : IntegrationTest
{
    private TestUser _manager = null!;
    private TestUser _rep = null!;
    private TestUser _otherRep = null!;
    private HttpClient _managerClient = null!;
    private HttpClient _repClient = null!;
    private HttpClient _otherRepClient = null!;

    [SetUp]
    public async Task CreateTeamAsync()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "转化组", TeamKind.Group);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, team);
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        _otherRep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        _managerClient = Factory.ClientFor(_manager);
        _repClient = Factory.ClientFor(_rep);
        _otherRepClient = Factory.ClientFor(_otherRep);
    }

    [TearDown]
    public void DisposeClients()
    {
        // The definitions are cached per instance; the reset between tests does not clear the cache.
        Factory.Services.GetRequiredService<CustomFieldSchemaCache>().Invalidate();
        _managerClient.Dispose();
        _repClient.Dispose();
        _otherRepClient.Dispose();
    }

    private Task<(LeadResponse Lead, string ETag)> RepLeadAsync(string companyName = "深圳云帆科技有限公司") => CreateAsync(_repClient, new
    {
        companyName, personName = "陈思", title = "采购经理", source = "exhibition", phones = new[] { "138-0013-8000" },
        emails = new[] { "chen.si@yunfan.cn" }, province = "广东省", city = "深圳市", industry = "制造业", estimatedValue = 88000m, ownerId = _rep.Id,
    });

    private static async Task<(long Customers, long Contacts, long Opportunities)> CountsAsync() => (
        await CountAsync("SELECT count(*) FROM customers.customers"),
        await CountAsync("SELECT count(*) FROM customers.contacts"),
        await CountAsync("SELECT count(*) FROM sales.opportunities"));

    private static Task<HttpResponseMessage> ConvertAsync(HttpClient client, Guid leadId, object body, string? ifMatch = null) =>
        client.SendAsync(Post($"/api/v1/sales/leads/{leadId}/convert", body, ifMatch));

    [Test]
    public async Task Converting_creates_the_customer_contact_and_opportunity_from_the_lead_and_records_the_lineage()
    {
        var (lead, etag) = await RepLeadAsync();
        var response = await ConvertAsync(_repClient, lead.Id, new
        {
            contact = new { },
            createOpportunity = new { name = "云帆 ERP 项目", expectedCloseDate = "2027-03-31" },
        }, etag);
        var result = await ReadAsync<LeadConversionResponse>(response, HttpStatusCode.OK);

        var customer = await ReadAsync<CustomerResponse>(await _repClient.GetAsync($"/api/v1/customers/{result.CustomerId}"), HttpStatusCode.OK);
        var contact = await ReadAsync<ContactResponse>(await _repClient.GetAsync($"/api/v1/contacts/{result.ContactId}"), HttpStatusCode.OK);
        var opportunity = await ReadAsync<OpportunityView>(await _repClient.GetAsync($"/api/v1/sales/opportunities/{result.OpportunityId}"), HttpStatusCode.OK);
        var stored = await ReadAsync<LeadResponse>(await _repClient.GetAsync($"/api/v1/sales/leads/{lead.Id}"), HttpStatusCode.OK);
        var firstStage = await CountAsync($"SELECT count(*) FROM sales.pipeline_stages WHERE id = '{opportunity.StageId}' AND code = 'initialContact'");
        Assert.That(firstStage, Is.EqualTo(1), "the default pipeline's first stage");
        Assert.Multiple(() =>
        {
            Assert.That(result.CustomerCreated, Is.True);
            Assert.That(response.Headers.ETag, Is.Not.Null);
            Assert.That(customer.Name, Is.EqualTo("深圳云帆科技有限公司"));
            Assert.That(customer.Kind.ToString(), Is.EqualTo("Organization"));
            Assert.That(customer.OwnerId, Is.EqualTo(_rep.Id));
            Assert.That(customer.Province, Is.EqualTo("广东省"));
            Assert.That(customer.Phones, Is.EqualTo(new[] { "13800138000" }));
            Assert.That(customer.SourceChannel, Is.EqualTo("exhibition"));
            Assert.That(contact.Name, Is.EqualTo("陈思"));
            Assert.That(contact.Title, Is.EqualTo("采购经理"));
            Assert.That(contact.CustomerId, Is.EqualTo(result.CustomerId));
            Assert.That(opportunity.Name, Is.EqualTo("云帆 ERP 项目"));
            Assert.That(opportunity.CustomerId, Is.EqualTo(result.CustomerId));
            Assert.That(opportunity.OwnerId, Is.EqualTo(_rep.Id));
            Assert.That(opportunity.Amount, Is.EqualTo(88000m), "the lead's estimated value");
            Assert.That(opportunity.LeadId, Is.EqualTo(lead.Id));
            Assert.That(opportunity.ContactId, Is.EqualTo(result.ContactId));
            Assert.That(stored.Status, Is.EqualTo(LeadStatus.Converted));
            Assert.That(stored.ConvertedCustomerId, Is.EqualTo(result.CustomerId));
            Assert.That(stored.ConvertedContactId, Is.EqualTo(result.ContactId));
            Assert.That(stored.ConvertedOpportunityId, Is.EqualTo(result.OpportunityId));
            Assert.That(stored.ConvertedAt, Is.Not.Null);
            Assert.That(stored.ConvertedAt, Is.EqualTo(result.Lead.ConvertedAt));
        });
    }

    [Test]
    public async Task Converting_twice_is_409_naming_the_first_conversion_and_closed_leads_are_409()
    {
        var (lead, _) = await RepLeadAsync();
        var first = await ReadAsync<LeadConversionResponse>(await ConvertAsync(_repClient, lead.Id, new { }), HttpStatusCode.OK);

        var again = await ReadProblemAsync(await ConvertAsync(_repClient, lead.Id, new { confirmDuplicate = true }), HttpStatusCode.Conflict);
        Assert.Multiple(() =>
        {
            Assert.That(again.GetProperty("type").GetString(), Does.EndWith("/lead-already-converted"));
            Assert.That(again.GetProperty("convertedCustomerId").GetGuid(), Is.EqualTo(first.CustomerId));
        });

        var (disqualified, _) = await CreateAsync(_repClient, new { personName = "王先生", ownerId = _rep.Id });
        await _repClient.SendAsync(Post($"/api/v1/sales/leads/{disqualified.Id}/disqualify", new { reason = "预算不足" }));
        var closed = await ReadProblemAsync(await ConvertAsync(_repClient, disqualified.Id, new { }), HttpStatusCode.Conflict);
        Assert.That(closed.GetProperty("type").GetString(), Does.EndWith("/lead-closed"));
        Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_lookalike_customer_is_409_with_candidates_until_confirmed_or_linked_and_nothing_is_written_before()
    {
        var (existing, _) = await CustomerApi.CreateAsync(_repClient, new { kind = "organization", name = "深圳云帆科技有限公司" });
        var (lead, _) = await RepLeadAsync();

        var conflict = await ReadProblemAsync(await ConvertAsync(_repClient, lead.Id, new { contact = new { } }), HttpStatusCode.Conflict);
        var candidates = conflict.GetProperty("candidates");
        Assert.Multiple(() =>
        {
            Assert.That(conflict.GetProperty("type").GetString(), Does.EndWith("/duplicate-customer"));
            Assert.That(candidates.GetArrayLength(), Is.EqualTo(1));
            Assert.That(candidates[0].GetProperty("id").GetGuid(), Is.EqualTo(existing.Id));
            Assert.That(candidates[0].GetProperty("matchedOn").EnumerateArray().Select(m => m.GetString()), Does.Contain("name"));
        });
        Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(1));
        Assert.That(await CountAsync("SELECT count(*) FROM customers.contacts"), Is.EqualTo(0));
        Assert.That((await ReadAsync<LeadResponse>(await _repClient.GetAsync($"/api/v1/sales/leads/{lead.Id}"), HttpStatusCode.OK)).Status, Is.EqualTo(LeadStatus.New));

        var linked = await ReadAsync<LeadConversionResponse>(
            await ConvertAsync(_repClient, lead.Id, new { customerId = existing.Id, contact = new { } }), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(linked.CustomerId, Is.EqualTo(existing.Id));
            Assert.That(linked.CustomerCreated, Is.False);
            Assert.That(linked.OpportunityId, Is.Null);
        });
        Assert.That(await CountAsync($"SELECT count(*) FROM customers.contacts WHERE customer_id = '{existing.Id}'"), Is.EqualTo(1));

        var (second, _) = await RepLeadAsync();
        var confirmed = await ReadAsync<LeadConversionResponse>(await ConvertAsync(_repClient, second.Id, new { confirmDuplicate = true }), HttpStatusCode.OK);
        Assert.That(confirmed.CustomerId, Is.Not.EqualTo(existing.Id));
        Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(2));
    }

    [Test]
    public async Task Overrides_shape_the_new_customer_and_bad_input_is_400_under_the_member_the_client_sent()
    {
        var (lead, _) = await RepLeadAsync();
        var both = await ReadProblemAsync(await ConvertAsync(_repClient, lead.Id, new { customerId = Guid.CreateVersion7(), createCustomer = new { name = "x" } }), HttpStatusCode.BadRequest);
        Assert.That(both.GetProperty("errors").TryGetProperty("createCustomer", out _), Is.True, both.ToString());

        var opportunity = await ReadProblemAsync(await ConvertAsync(_repClient, lead.Id, new { createOpportunity = new { amount = -1, currency = "rmb" } }), HttpStatusCode.BadRequest);
        var errors = opportunity.GetProperty("errors");
        Assert.Multiple(() =>
        {
            foreach (var field in new[] { "createOpportunity.name", "createOpportunity.amount", "createOpportunity.currency" })
            {
                Assert.That(errors.TryGetProperty(field, out _), Is.True, field + " in " + errors);
            }
        });

        // The Customers module validates the customer; its field errors come back under createCustomer.
        var badNumber = await ReadProblemAsync(await ConvertAsync(_repClient, lead.Id, new { createCustomer = new { registrationNumber = "123" } }), HttpStatusCode.BadRequest);
        Assert.That(badNumber.GetProperty("errors").TryGetProperty("createCustomer.registrationNumber", out _), Is.True, badNumber.ToString());

        var (personOnly, _) = await CreateAsync(_repClient, new { companyName = "无名公司", ownerId = _rep.Id });
        var noName = await ReadProblemAsync(await ConvertAsync(_repClient, personOnly.Id, new { contact = new { } }), HttpStatusCode.BadRequest);
        Assert.That(noName.GetProperty("errors").TryGetProperty("contact.name", out _), Is.True, noName.ToString());
        Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(0), "validation failed before any write");

        var result = await ReadAsync<LeadConversionResponse>(await ConvertAsync(_repClient, lead.Id, new
        {
            createCustomer = new { kind = "organization", name = "云帆科技集团", shortName = "云帆", registrationNumber = CustomerApi.CreditCode, tags = new[] { "展会" } },
        }), HttpStatusCode.OK);
        var customer = await ReadAsync<CustomerResponse>(await _repClient.GetAsync($"/api/v1/customers/{result.CustomerId}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(customer.Name, Is.EqualTo("云帆科技集团"));
            Assert.That(customer.ShortName, Is.EqualTo("云帆"));
            Assert.That(customer.RegistrationNumber, Is.EqualTo(CustomerApi.CreditCode));
            Assert.That(customer.Industry, Is.EqualTo("制造业"), "not overridden: the lead's");
        });
    }

    [Test]
    public async Task A_failure_after_the_customer_was_created_leaves_the_lead_open_and_the_retry_reuses_that_customer()
    {
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        await ReadAsync<object>(await admin.PostAsync("/api/v1/custom-fields/contacts", JsonBody(new { key = "wechatGroup", label = "微信群", type = "text", isRequired = true })), HttpStatusCode.Created);
        var (lead, etag) = await RepLeadAsync();

        // The customer commits in the Customers module, then the contact fails its required custom field.
        var failed = await ReadProblemAsync(await ConvertAsync(_repClient, lead.Id, new { contact = new { }, createOpportunity = new { name = "云帆项目" } }, etag), HttpStatusCode.BadRequest);
        Assert.That(failed.GetProperty("errors").EnumerateObject().Select(e => e.Name), Has.Some.StartsWith("contact.customFields"), failed.ToString());
        Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE id = '{lead.Id}'"), Is.EqualTo(1), "the customer was committed");
        Assert.That(await CountAsync("SELECT count(*) FROM sales.opportunities"), Is.EqualTo(0));
        var open = await ReadAsync<LeadResponse>(await _repClient.GetAsync($"/api/v1/sales/leads/{lead.Id}"), HttpStatusCode.OK);
        Assert.That(open.Status, Is.EqualTo(LeadStatus.New));

        // The retry is not refused as a duplicate of the customer it created itself, and creates no second one.
        var retried = await ReadAsync<LeadConversionResponse>(await ConvertAsync(_repClient, lead.Id, new
        {
            contact = new { customFields = new { wechatGroup = "云帆采购群" } }, createOpportunity = new { name = "云帆项目" },
        }, etag), HttpStatusCode.OK);
        var counts = await CountsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(retried.CustomerId, Is.EqualTo(lead.Id));
            Assert.That(retried.CustomerCreated, Is.False);
            Assert.That(counts, Is.EqualTo((1, 1, 1)), "customers, contacts, opportunities");
        });
        Assert.That(await CountAsync($"SELECT count(*) FROM customers.outbox_messages WHERE type LIKE '%CustomerCreated' AND payload->>'customerId' = '{lead.Id}'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Concurrent_conversions_of_one_lead_end_in_one_customer_and_one_opportunity()
    {
        var (lead, _) = await RepLeadAsync();
        var body = new { contact = new { }, createOpportunity = new { name = "并发项目" } };
        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ConvertAsync(_repClient, lead.Id, body)));

        var counts = await CountsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.OK), Is.EqualTo(1), string.Join(", ", responses.Select(r => r.StatusCode)));
            Assert.That(responses.Where(r => r.StatusCode != HttpStatusCode.OK).Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.Conflict));
            Assert.That(counts, Is.EqualTo((1, 1, 1)), "customers, contacts, opportunities");
        });
    }

    [Test]
    public async Task LeadConverted_lands_on_the_customer_timeline()
    {
        var (lead, _) = await RepLeadAsync();
        var result = await ReadAsync<LeadConversionResponse>(await ConvertAsync(_repClient, lead.Id, new { createOpportunity = new { name = "云帆项目" } }), HttpStatusCode.OK);
        await DispatchOutboxAsync();

        var timeline = await ReadAsync<TimelineTests.TimelinePage>(await _repClient.GetAsync($"/api/v1/customers/{result.CustomerId}/timeline?limit=50"), HttpStatusCode.OK);
        var converted = timeline.Items.Single(e => e.Kind == "leadConverted");
        Assert.That(converted.Summary, Does.Contain("深圳云帆科技有限公司").And.Contain("new customer").And.Contain("opportunity"));
        Assert.That(await CountAsync($"SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%LeadConverted' AND payload->>'leadId' = '{lead.Id}'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Reps_convert_only_leads_they_see_managers_convert_for_their_reps_and_an_unassigned_lead_goes_to_its_converter()
    {
        var (lead, etag) = await RepLeadAsync();
        await ReadProblemAsync(await ConvertAsync(_otherRepClient, lead.Id, new { }), HttpStatusCode.NotFound);
        await ReadProblemAsync(await ConvertAsync(_repClient, Guid.CreateVersion7(), new { }), HttpStatusCode.NotFound);
        using var agent = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.ServiceAgent));
        await ReadProblemAsync(await ConvertAsync(agent, lead.Id, new { }), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await ConvertAsync(_repClient, lead.Id, new { }, "\"1\""), HttpStatusCode.PreconditionFailed);

        var byManager = await ReadAsync<LeadConversionResponse>(await ConvertAsync(_managerClient, lead.Id, new { createOpportunity = new { name = "经理转化" } }, etag), HttpStatusCode.OK);
        var customer = await ReadAsync<CustomerResponse>(await _repClient.GetAsync($"/api/v1/customers/{byManager.CustomerId}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(customer.OwnerId, Is.EqualTo(_rep.Id), "the lead's owner, not the manager");
            Assert.That(byManager.Lead.OwnerId, Is.EqualTo(_rep.Id));
        });

        var (unassigned, _) = await CreateAsync(_repClient, new { personName = "刘女士", phones = new[] { "13900139000" } });
        Assert.That(unassigned.OwnerId, Is.Null);
        var taken = await ReadAsync<LeadConversionResponse>(await ConvertAsync(_otherRepClient, unassigned.Id, new { contact = new { } }), HttpStatusCode.OK);
        var individual = await ReadAsync<CustomerResponse>(await _otherRepClient.GetAsync($"/api/v1/customers/{taken.CustomerId}"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(taken.Lead.OwnerId, Is.EqualTo(_otherRep.Id));
            Assert.That(individual.OwnerId, Is.EqualTo(_otherRep.Id));
            Assert.That(individual.Kind.ToString(), Is.EqualTo("Individual"), "a lead without company becomes an individual customer");
            Assert.That(individual.Name, Is.EqualTo("刘女士"));
        });
    }

    [Test]
    public async Task Linking_needs_a_customer_the_caller_can_see_and_one_still_open_for_business()
    {
        var (hidden, _) = await CustomerApi.CreateAsync(_otherRepClient, "别人的客户");
        var (lead, _) = await RepLeadAsync("另一家公司");
        var unknown = await ReadProblemAsync(await ConvertAsync(_repClient, lead.Id, new { customerId = hidden.Id }), (HttpStatusCode)422);
        Assert.That(unknown.GetProperty("type").GetString(), Does.EndWith("/unknown-customer"));

        var (mine, mineETag) = await CustomerApi.CreateAsync(_repClient, "我的客户");
        using var archive = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/customers/{mine.Id}");
        archive.Headers.TryAddWithoutValidation("If-Match", mineETag);
        Assert.That((await _repClient.SendAsync(archive)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var archived = await ReadProblemAsync(await ConvertAsync(_repClient, lead.Id, new { customerId = mine.Id }), (HttpStatusCode)422);
        Assert.That(archived.GetProperty("type").GetString(), Does.EndWith("/customer-not-open"));
    }

    /// <summary>The fields of an opportunity these tests read.</summary>
    internal sealed record OpportunityView(Guid Id, string Name, Guid CustomerId, Guid? ContactId, Guid? LeadId, Guid StageId, Guid? OwnerId, decimal Amount);
}

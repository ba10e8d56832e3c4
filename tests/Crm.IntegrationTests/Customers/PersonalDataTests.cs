using System.Net;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sample;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.FollowUps;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Time;
using Microsoft.Extensions.DependencyInjection;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

internal sealed class PersonalDataTests : IntegrationTest
{
    private const string Name = "王小明";
    private const string Phone = "13800138000";
    private const string Email = "xiaoming@example.com";

    private TestUser _admin = null!;
    private HttpClient _adminClient = null!;

    [SetUp]
    public async Task CreateAdminAsync()
    {
        _admin = await TestUsers.CreateAsync(Factory, Roles.Admin);
        _adminClient = Factory.ClientFor(_admin);
    }

    [TearDown]
    public void DisposeAdmin() => _adminClient.Dispose();

    private static async Task<CustomerResponse> CreatePersonAsync(HttpClient client) =>
        (await CreateAsync(client, new
        {
            kind = "individual",
            name = Name,
            shortName = "小明",
            registrationNumber = IdNumber,
            phones = new[] { "138-0013-8000" },
            emails = new[] { "XiaoMing@Example.com" },
            province = "北京市",
            city = "北京市",
            district = "朝阳区",
            address = "建国路 88 号",
            creditLimit = 5000m,
        })).Customer;

    private static async Task<ContactResponse> CreateContactAsync(HttpClient client, Guid customerId, object body) =>
        await ReadAsync<ContactResponse>(await client.PostAsync($"/api/v1/customers/{customerId}/contacts", JsonBody(body)), HttpStatusCode.Created);

    private static async Task<FollowUpResponse> LogAsync(HttpClient client, Guid customerId, string content, Guid? contactId = null) =>
        await ReadAsync<FollowUpResponse>(
            await client.PostAsync($"/api/v1/customers/{customerId}/follow-ups", JsonBody(new { kind = "visit", content, occurredAt = Factory.Time.GetUtcNow().AddHours(-1), contactId })),
            HttpStatusCode.Created);

    private async Task<int> SearchAsync(string q) =>
        (await ReadAsync<Page<CustomerResponse>>(await _adminClient.GetAsync($"/api/v1/customers?status=archived&q={Uri.EscapeDataString(q)}"), HttpStatusCode.OK)).Items.Count;

    /// <summary>Every string value of a document, unescaped, one per line.</summary>
    private static string StringsOf(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()! + "\n",
        JsonValueKind.Object => string.Concat(element.EnumerateObject().Select(p => StringsOf(p.Value))),
        JsonValueKind.Array => string.Concat(element.EnumerateArray().Select(StringsOf)),
        _ => string.Empty,
    };

    private static Task<long> RowsHoldingAsync(string table, string column, string value) =>
        CountAsync($"SELECT count(*) FROM {table} WHERE {column}::text ILIKE '%{value}%'");

    [Test]
    public async Task Erasing_an_individual_anonymises_it_everywhere_keeps_the_aggregates_and_search_no_longer_finds_it()
    {
        var customer = await CreatePersonAsync(_adminClient);
        await AdjustBalanceAsync(_adminClient, customer.Id, 1200.50m);
        var contact = await CreateContactAsync(_adminClient, customer.Id, new { name = Name, phones = new[] { Phone }, emails = new[] { Email }, weChatId = "wxm2026", birthday = "1949-12-31" });
        await LogAsync(_adminClient, customer.Id, $"拜访{Name}，电话 {Phone}");
        var patch = await _adminClient.SendAsync(Patch(customer.Id, """{"address":"建国路 99 号"}"""));
        Assert.That(patch.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // Archived customers are searched too (status=archived), so a hit after the erase would be a leak, not a filter.
        await ReadAsync<CustomerResponse>(await _adminClient.DeleteAsync($"/api/v1/customers/{customer.Id}"), HttpStatusCode.OK);
        Assert.That(await SearchAsync("小明") + await SearchAsync(Name) + await SearchAsync(Phone) + await SearchAsync("xiaoming"), Is.EqualTo(4));

        var erasure = await _adminClient.PostAsync($"/api/v1/customers/{customer.Id}/erase", JsonBody(new { reason = "DSR-2026-001" }));
        var result = JsonDocument.Parse(await erasure.Content.ReadAsStringAsync()).RootElement;
        Assert.That(erasure.StatusCode, Is.EqualTo(HttpStatusCode.OK), result.ToString());

        var erased = await ReadAsync<CustomerResponse>(await _adminClient.GetAsync($"/api/v1/customers/{customer.Id}"), HttpStatusCode.OK);
        var erasedContact = await ReadAsync<ContactResponse>(await _adminClient.GetAsync($"/api/v1/contacts/{contact.Id}"), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(result.GetProperty("contactIds").EnumerateArray().Select(e => e.GetGuid()), Is.EqualTo(new[] { contact.Id }));
            Assert.That(result.GetProperty("followUpsScrubbed").GetInt32(), Is.EqualTo(1));
            Assert.That(result.GetProperty("auditEntriesScrubbed").GetInt32(), Is.GreaterThanOrEqualTo(4));

            Assert.That(erased.Name, Is.EqualTo($"已删除客户 {customer.Code}"));
            Assert.That((erased.ShortName, erased.RegistrationNumber, erased.Address, erased.District), Is.EqualTo(((string?)null, (string?)null, (string?)null, (string?)null)));
            Assert.That(erased.Phones.Concat(erased.Emails), Is.Empty);
            Assert.That((erased.Id, erased.Code, erased.OwnerId, erased.Province, erased.CreditLimit, erased.OutstandingBalance),
                Is.EqualTo((customer.Id, customer.Code, customer.OwnerId, "北京市", (decimal?)5000m, 1200.50m)));
            Assert.That(erasedContact.Name, Does.StartWith("已删除联系人"));
            Assert.That((erasedContact.WeChatId, erasedContact.Birthday, erasedContact.IsArchived), Is.EqualTo(((string?)null, (DateOnly?)null, true)));

            Assert.That(await SearchAsync("小明") + await SearchAsync(Name) + await SearchAsync(Phone) + await SearchAsync("xiaoming"), Is.Zero);
            foreach (var value in new[] { Name, "小明", Phone, "xiaoming", IdNumber, "建国路", "wxm2026", "1949-12-31" })
            {
                Assert.That(await RowsHoldingAsync("platform.audit_entries", "changes", value), Is.Zero, $"audit entries hold {value}");
                Assert.That(await RowsHoldingAsync("customers.customers", "customers", value), Is.Zero, $"the customer row holds {value}");
                Assert.That(await RowsHoldingAsync("customers.contacts", "contacts", value), Is.Zero, $"the contact row holds {value}");
                Assert.That(await RowsHoldingAsync("customers.follow_ups", "follow_ups", value), Is.Zero, $"a follow-up holds {value}");
                Assert.That(await RowsHoldingAsync("customers.outbox_messages", "payload", value), Is.Zero, $"an outbox event holds {value}");
            }

            // The history stays (who changed what, when, the balance adjustment included), only the values are gone; the erasure has its own entry.
            Assert.That(await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_id = '{customer.Id}'"), Is.EqualTo(5));
            Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'personalDataErasure'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.outbox_messages WHERE type LIKE '%PersonalDataErased%'"), Is.EqualTo(1));
        });

        // Erase is idempotent: the same answer, nothing written again.
        var again = JsonDocument.Parse(await (await _adminClient.PostAsync($"/api/v1/customers/{customer.Id}/erase", JsonBody(new { reason = "重复请求" }))).Content.ReadAsStringAsync()).RootElement;
        Assert.Multiple(async () =>
        {
            Assert.That(again.GetProperty("id").GetGuid(), Is.EqualTo(result.GetProperty("id").GetGuid()));
            Assert.That(again.GetProperty("reason").GetString(), Is.EqualTo("DSR-2026-001"));
            Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'personalDataErasure'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.outbox_messages WHERE type LIKE '%PersonalDataErased%'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Concurrent_erasures_of_one_person_erase_once_and_answer_the_same()
    {
        var customer = await CreatePersonAsync(_adminClient);
        await CreateContactAsync(_adminClient, customer.Id, new { name = Name });

        var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _adminClient.PostAsync($"/api/v1/customers/{customer.Id}/erase", JsonBody(new { reason = "DSR-7" }))));
        var ids = new List<Guid>();
        foreach (var response in responses)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            ids.Add(JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid());
        }

        Assert.Multiple(async () =>
        {
            Assert.That(ids.Distinct().Count(), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.outbox_messages WHERE type LIKE '%PersonalDataErased%'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Organizations_cannot_be_erased_but_their_contacts_can_and_follow_ups_naming_them_are_scrubbed()
    {
        var (org, _) = await CreateAsync(_adminClient, "华为技术有限公司");
        var contact = await CreateContactAsync(_adminClient, org.Id, new { name = "李四", title = "采购总监", phones = new[] { "139-0000-1111" }, emails = new[] { "lisi@huawei.com" } });
        var colleague = await CreateContactAsync(_adminClient, org.Id, new { name = "赵六" });
        var own = await LogAsync(_adminClient, org.Id, "和李四谈价格", contact.Id);
        var mention = await LogAsync(_adminClient, org.Id, "赵六说李四下周出差，邮件 lisi@huawei.com", colleague.Id);
        var unrelated = await LogAsync(_adminClient, org.Id, "送样品给赵六");

        var refused = await ReadProblemAsync(await _adminClient.PostAsync($"/api/v1/customers/{org.Id}/erase", JsonBody(new { reason = "DSR-1" })), HttpStatusCode.UnprocessableEntity);
        Assert.That(refused.GetProperty("type").GetString(), Does.EndWith("/not-a-person"));
        await ReadProblemAsync(await _adminClient.GetAsync($"/api/v1/customers/{org.Id}/personal-data"), HttpStatusCode.UnprocessableEntity);

        var erasure = await _adminClient.PostAsync($"/api/v1/contacts/{contact.Id}/erase", JsonBody(new { reason = "DSR-2" }));
        Assert.That(erasure.StatusCode, Is.EqualTo(HttpStatusCode.OK), await erasure.Content.ReadAsStringAsync());

        var followUps = (await ReadAsync<Page<FollowUpResponse>>(await _adminClient.GetAsync($"/api/v1/customers/{org.Id}/follow-ups"), HttpStatusCode.OK)).Items.ToDictionary(f => f.Id, f => f.Content);
        var erased = await ReadAsync<ContactResponse>(await _adminClient.GetAsync($"/api/v1/contacts/{contact.Id}"), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(followUps[own.Id], Is.EqualTo("[已删除]"));
            Assert.That(followUps[mention.Id], Is.EqualTo("赵六说[已删除]下周出差，邮件 [已删除]"));
            Assert.That(followUps[unrelated.Id], Is.EqualTo("送样品给赵六"));
            Assert.That((erased.Title, erased.Phones.Count, erased.Emails.Count, erased.IsArchived), Is.EqualTo(((string?)null, 0, 0, true)));
            Assert.That((await ReadAsync<CustomerResponse>(await _adminClient.GetAsync($"/api/v1/customers/{org.Id}"), HttpStatusCode.OK)).Name, Is.EqualTo("华为技术有限公司"));
            Assert.That((await ReadAsync<ContactResponse>(await _adminClient.GetAsync($"/api/v1/contacts/{colleague.Id}"), HttpStatusCode.OK)).Name, Is.EqualTo("赵六"));
            foreach (var value in new[] { "李四", "采购总监", "13900001111", "lisi@" })
            {
                Assert.That(await RowsHoldingAsync("platform.audit_entries", "changes", value), Is.Zero, $"audit entries hold {value}");
                Assert.That(await RowsHoldingAsync("customers.contacts", "contacts", value), Is.Zero, $"a contact row holds {value}");
            }
        });
    }

    [Test]
    public async Task Administrators_erase_and_managers_export_the_people_of_their_team_subtree()
    {
        var sales = await TestUsers.CreateTeamAsync(Factory, "销售部", TeamKind.Department);
        var service = await TestUsers.CreateTeamAsync(Factory, "客服部", TeamKind.Department);
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, sales);
        using var repClient = Factory.ClientFor(rep);
        using var manager = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales));
        using var otherManager = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.ServiceManager, service));
        using var analyst = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Analyst));
        var customer = await CreatePersonAsync(repClient);
        var contact = await CreateContactAsync(repClient, customer.Id, new { name = "张三" });
        var erase = JsonBody(new { reason = "DSR-3" });

        await ReadProblemAsync(await repClient.GetAsync($"/api/v1/customers/{customer.Id}/personal-data"), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await analyst.GetAsync($"/api/v1/contacts/{contact.Id}/personal-data"), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await repClient.PostAsync($"/api/v1/customers/{customer.Id}/erase", erase), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await manager.PostAsync($"/api/v1/contacts/{contact.Id}/erase", JsonBody(new { reason = "DSR-3" })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await otherManager.GetAsync($"/api/v1/customers/{customer.Id}/personal-data"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await otherManager.GetAsync($"/api/v1/contacts/{contact.Id}/personal-data"), HttpStatusCode.NotFound);
        Assert.That((await manager.GetAsync($"/api/v1/customers/{customer.Id}/personal-data")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await manager.GetAsync($"/api/v1/contacts/{contact.Id}/personal-data")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var missing = await ReadProblemAsync(await _adminClient.PostAsync($"/api/v1/customers/{customer.Id}/erase", JsonBody(new { reason = "" })), HttpStatusCode.BadRequest);
        Assert.That(missing.GetProperty("errors").TryGetProperty("reason", out _), Is.True);
        await ReadProblemAsync(await _adminClient.PostAsync($"/api/v1/customers/{Guid.NewGuid()}/erase", JsonBody(new { reason = "DSR-4" })), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _adminClient.PostAsync($"/api/v1/contacts/{Guid.NewGuid()}/erase", JsonBody(new { reason = "DSR-4" })), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _adminClient.GetAsync($"/api/v1/contacts/{Guid.NewGuid()}/personal-data"), HttpStatusCode.NotFound);
        Assert.That(await CountAsync("SELECT count(*) FROM customers.personal_data_erasures"), Is.Zero);
    }

    [Test]
    public async Task The_export_holds_the_record_contacts_consents_follow_ups_owner_history_audit_and_the_erasure()
    {
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using var repClient = Factory.ClientFor(rep);
        var customer = await CreatePersonAsync(repClient);
        var contact = await CreateContactAsync(repClient, customer.Id, new { name = Name, phones = new[] { Phone } });
        var consent = await repClient.PostAsync($"/api/v1/contacts/{contact.Id}/consents", JsonBody(new { channel = "sms", state = "optedOut", source = "短信退订" }));
        Assert.That(consent.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        await LogAsync(repClient, customer.Id, "电话回访", contact.Id);
        var transfer = await _adminClient.PostAsync($"/api/v1/customers/{customer.Id}/transfer", JsonBody(new { newOwnerId = _admin.Id, reason = "接手" }));
        Assert.That(transfer.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var export = await _adminClient.GetAsync($"/api/v1/customers/{customer.Id}/personal-data");
        var document = JsonDocument.Parse(await export.Content.ReadAsStringAsync()).RootElement;
        Assert.That(export.StatusCode, Is.EqualTo(HttpStatusCode.OK), document.ToString());
        Assert.Multiple(() =>
        {
            Assert.That(export.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
            Assert.That(document.GetProperty("subject").GetProperty("type").GetString(), Is.EqualTo("customer"));
            Assert.That(document.GetProperty("subject").GetProperty("customerCode").GetString(), Is.EqualTo(customer.Code));
            Assert.That(document.GetProperty("generatedAt").GetDateTimeOffset(), Is.EqualTo(Factory.Time.GetUtcNow()));
            Assert.That(document.GetProperty("generatedBy").GetGuid(), Is.EqualTo(_admin.Id));
            Assert.That(document.GetProperty("erasure").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(document.GetProperty("customer").GetProperty("registrationNumber").GetString(), Is.EqualTo(IdNumber));
            Assert.That(document.GetProperty("contacts")[0].GetProperty("phones")[0].GetString(), Is.EqualTo(Phone));
            Assert.That(document.GetProperty("consentHistory").EnumerateArray().Select(c => c.GetProperty("source").GetString()), Is.EqualTo(new[] { "短信退订" }));
            Assert.That(document.GetProperty("followUps").EnumerateArray().Select(f => f.GetProperty("content").GetString()), Is.EqualTo(new[] { "电话回访" }));
            Assert.That(document.GetProperty("ownerHistory").EnumerateArray().Select(h => h.GetProperty("reason").GetString()), Is.EqualTo(new[] { "接手" }));
            Assert.That(document.GetProperty("auditEntries").EnumerateArray().Select(a => a.GetProperty("entityType").GetString()).Distinct(),
                Is.EquivalentTo(new[] { "customer", "contact" }));
        });

        var ofContact = JsonDocument.Parse(await (await _adminClient.GetAsync($"/api/v1/contacts/{contact.Id}/personal-data")).Content.ReadAsStringAsync()).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(ofContact.GetProperty("subject").GetProperty("type").GetString(), Is.EqualTo("contact"));
            Assert.That(ofContact.GetProperty("customer").GetProperty("id").GetGuid(), Is.EqualTo(customer.Id));
            Assert.That(ofContact.GetProperty("contacts").GetArrayLength(), Is.EqualTo(1));
            Assert.That(ofContact.GetProperty("followUps").GetArrayLength(), Is.EqualTo(1));
        });

        Assert.That((await _adminClient.PostAsync($"/api/v1/customers/{customer.Id}/erase", JsonBody(new { reason = "DSR-5" }))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var after = JsonDocument.Parse(await (await _adminClient.GetAsync($"/api/v1/customers/{customer.Id}/personal-data")).Content.ReadAsStringAsync()).RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(after.GetProperty("erasure").GetProperty("reason").GetString(), Is.EqualTo("DSR-5"));
            Assert.That(after.GetProperty("customer").GetProperty("name").GetString(), Is.EqualTo($"已删除客户 {customer.Code}"));
            Assert.That(after.GetProperty("auditEntries").EnumerateArray().Select(a => a.GetProperty("entityType").GetString()), Does.Contain("personalDataErasure"));
            Assert.That(StringsOf(document), Does.Contain(Name).And.Contain(Phone).And.Contain(IdNumber));
            Assert.That(StringsOf(after), Does.Not.Contain(Name).And.Not.Contain(Phone).And.Not.Contain(IdNumber));
        });
    }

    [Test]
    public async Task Erase_scrubs_custom_fields_the_timeline_and_events_delivered_after_it_land_without_their_words()
    {
        var customer = await CreatePersonAsync(_adminClient);
        await ReadAsync<object>(await _adminClient.PostAsync("/api/v1/custom-fields/customers", JsonBody(new { key = "nickname", label = "昵称", type = "text" })), HttpStatusCode.Created);
        await ReadAsync<CustomerResponse>(await _adminClient.SendAsync(Patch(customer.Id, $$$"""{"customFields":{"nickname":"{{{Name}}}"}}""")), HttpStatusCode.OK);
        await LogAsync(_adminClient, customer.Id, $"拜访{Name}，电话 {Phone}");
        await DispatchOutboxAsync();
        Assert.That(await RowsHoldingAsync("customers.timeline_entries", "timeline_entries", Name), Is.Positive);

        // Published before the erase, delivered after: a follow-up of this module, an order quoting the name from another.
        await LogAsync(_adminClient, customer.Id, $"再次拜访{Name}");
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var notes = scope.ServiceProvider.GetRequiredService<NotesDbContext>();
            notes.AddIntegrationEvent(new SampleOrderPlaced(Factory.Time.UtcNow()) { CustomerId = customer.Id, OrderNumber = $"SO-{Name}", Amount = 88m });
            await notes.SaveChangesAsync();
        }

        var erasure = await _adminClient.PostAsync($"/api/v1/customers/{customer.Id}/erase", JsonBody(new { reason = "DSR-2026-007" }));
        Assert.That(erasure.StatusCode, Is.EqualTo(HttpStatusCode.OK), await erasure.Content.ReadAsStringAsync());
        await DispatchOutboxAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.timeline_entries WHERE customer_id = '{customer.Id}' AND kind IN ('followUp', 'order')"), Is.EqualTo(3));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE id = '{customer.Id}' AND custom_fields = '{{}}'::jsonb"), Is.EqualTo(1), "custom field values are erased");
            foreach (var value in new[] { Name, Phone })
            {
                Assert.That(await RowsHoldingAsync("customers.timeline_entries", "timeline_entries", value), Is.Zero, $"the timeline holds {value}");
            }
        });
    }
}

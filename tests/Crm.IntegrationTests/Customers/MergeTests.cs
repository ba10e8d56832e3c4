using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Features.Contacts;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Customers.Features.Duplicates;
using Crm.Modules.Customers.Features.Pool;
using Crm.Modules.Customers.Features.Transfers;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Microsoft.AspNetCore.Mvc.Testing;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

internal sealed class MergeTests : IntegrationTest
{
    private const string MergedType = "https://crm.local/problems/customer-merged";

    private sealed record Org(TestUser Manager, TestUser RepA, TestUser RepB, TestUser Outsider, TestUser Admin);

    private sealed record CustomerPage(List<CustomerResponse> Items, string? NextCursor);

    private Org _org = null!;

    [SetUp]
    public async Task CreateOrganisationAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        var sales = await TestUsers.CreateTeamAsync(Factory, "销售部", TeamKind.Department, company);
        var east = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group, sales);
        var service = await TestUsers.CreateTeamAsync(Factory, "客服部", TeamKind.Department, company);
        _org = new Org(
            await TestUsers.CreateAsync(Factory, Roles.SalesManager, sales),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, east),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, east),
            await TestUsers.CreateAsync(Factory, Roles.SalesRep, service),
            await TestUsers.CreateAsync(Factory, Roles.Admin, company));
    }

    private async Task<(CustomerResponse Customer, string ETag)> CreateForAsync(TestUser user, object body)
    {
        using var client = Factory.ClientFor(user);
        return await CreateAsync(client, body);
    }

    private static HttpRequestMessage Merge(Guid survivorId, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/customers/{survivorId}/merge") { Content = JsonBody(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    private async Task<CustomerResponse> MergeAsync(TestUser user, Guid survivorId, Guid loserId)
    {
        using var client = Factory.ClientFor(user);
        return await ReadAsync<CustomerResponse>(await client.SendAsync(Merge(survivorId, new { loserId, reason = "重复客户" })), HttpStatusCode.OK);
    }

    private HttpClient NoRedirectClientFor(TestUser user)
    {
        var client = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", user.AccessToken);
        return client;
    }

    [Test]
    public async Task A_manager_merges_a_duplicate_moving_its_children_and_filling_empty_fields_in_one_transaction()
    {
        var (survivor, etag) = await CreateForAsync(_org.RepA, new
        {
            kind = "organization", name = "华为技术有限公司", phones = new[] { "0755-28780808" }, emails = new[] { "a@huawei.com" }, tags = new[] { "战略" },
            industry = "通信",
        });
        var (loser, _) = await CreateForAsync(_org.RepB, new
        {
            kind = "organization", name = "华为技术", registrationNumber = CreditCode, externalId = "ERP-7", phones = new[] { "13800138000", "0755-28780808" },
            emails = new[] { "b@huawei.com" }, tags = new[] { "战略", "华南" }, industry = "电子", province = "广东省", city = "深圳市", shortName = "华为",
            isKeyAccount = true, creditLimit = 5000m, confirmDuplicate = true,
        });
        using (var admin = Factory.ClientFor(_org.Admin))
        {
            await AdjustBalanceAsync(admin, survivor.Id, 100.50m);
            await AdjustBalanceAsync(admin, loser.Id, 20m);
            etag = (await admin.GetAsync($"/api/v1/customers/{survivor.Id}")).Headers.ETag!.ToString();
        }

        using var repB = Factory.ClientFor(_org.RepB);
        var contact = await ReadAsync<ContactResponse>(
            await repB.PostAsync($"/api/v1/customers/{loser.Id}/contacts", JsonBody(new { name = "张经理" })), HttpStatusCode.Created);
        Assert.That((await repB.PostAsync($"/api/v1/customers/{loser.Id}/follow-ups",
            JsonBody(new { kind = "call", content = "电话沟通", occurredAt = Factory.Time.GetUtcNow().AddHours(-1), nextFollowUpAt = Factory.Time.GetUtcNow().AddDays(3) }))).StatusCode,
            Is.EqualTo(HttpStatusCode.Created));
        using var manager = Factory.ClientFor(_org.Manager);
        await ReadAsync<CustomerResponse>(await manager.PostAsync($"/api/v1/customers/{loser.Id}/release", JsonBody(new { reason = "放入公海" })), HttpStatusCode.OK);

        var response = await manager.SendAsync(Merge(survivor.Id, new { loserId = loser.Id, reason = "同一家公司" }, etag));
        var merged = await ReadAsync<CustomerResponse>(response, HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(response.Headers.ETag, Is.Not.Null);
            Assert.That(response.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
            Assert.That(merged.Name, Is.EqualTo("华为技术有限公司"));
            Assert.That(merged.OwnerId, Is.EqualTo(_org.RepA.Id));
            Assert.That(merged.Industry, Is.EqualTo("通信"));
            Assert.That((merged.ShortName, merged.Province, merged.City, merged.RegistrationNumber, merged.ExternalId), Is.EqualTo(("华为", "广东省", "深圳市", CreditCode, "ERP-7")));
            Assert.That(merged.Phones, Is.EqualTo(new[] { "075528780808", "13800138000" }));
            Assert.That(merged.Emails, Is.EqualTo(new[] { "a@huawei.com", "b@huawei.com" }));
            Assert.That(merged.Tags, Is.EqualTo(new[] { "战略", "华南" }));
            Assert.That((merged.IsKeyAccount, merged.CreditLimit, merged.OutstandingBalance), Is.EqualTo((true, (decimal?)5000m, 120.50m)));
            Assert.That(merged.LastFollowUpAt, Is.EqualTo(Factory.Time.GetUtcNow().AddHours(-1)));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.contacts WHERE id = '{contact.Id}' AND customer_id = '{survivor.Id}' AND owner_id = '{_org.RepA.Id}'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.follow_ups WHERE customer_id = '{survivor.Id}'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customer_owner_history WHERE customer_id = '{survivor.Id}'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE id = '{loser.Id}' AND status = 'Merged' AND merged_into_id = '{survivor.Id}' AND registration_number IS NULL AND external_id IS NULL"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.outbox_messages WHERE type LIKE '%CustomersMerged%' AND payload::text LIKE '%{loser.Id}%'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'customer' AND changes::text LIKE '%同一家公司%'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'customer' AND entity_id = '{loser.Id}' AND changes::text LIKE '%{survivor.Id}%'"), Is.EqualTo(1));
        });

        var contacts = await manager.GetAsync($"/api/v1/customers/{survivor.Id}/contacts");
        Assert.That(await contacts.Content.ReadAsStringAsync(), Does.Contain("张经理"));
    }

    [Test]
    public async Task A_merged_customer_redirects_reads_with_308_to_the_survivor_and_chains_resolve_to_the_last_survivor()
    {
        var (a, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "甲" });
        var (b, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "乙" });
        var (c, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "丙" });
        await MergeAsync(_org.Manager, b.Id, a.Id);
        await MergeAsync(_org.Admin, c.Id, b.Id);
        using var client = NoRedirectClientFor(_org.RepA);

        foreach (var (loser, path) in new[] { (a.Id, ""), (b.Id, ""), (a.Id, "/contacts?limit=5"), (b.Id, "/follow-ups"), (a.Id, "/owner-history") })
        {
            var response = await client.GetAsync($"/api/v1/customers/{loser}{path}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PermanentRedirect), path);
            Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/v1/customers/{c.Id}{path}"));
        }

        // HttpClient drops the Authorization header on redirects, so follow the Location by hand.
        var upper = await client.GetAsync($"/api/v1/customers/{a.Id.ToString().ToUpperInvariant()}");
        var followed = await ReadAsync<CustomerResponse>(await client.GetAsync(upper.Headers.Location), HttpStatusCode.OK);
        Assert.That(followed.Id, Is.EqualTo(c.Id));
    }

    [Test]
    public async Task Writes_to_a_merged_customer_are_409_customer_merged_naming_the_survivor()
    {
        var (survivor, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "甲" });
        var (loser, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "乙" });
        await MergeAsync(_org.Manager, survivor.Id, loser.Id);
        using var rep = Factory.ClientFor(_org.RepA);
        using var manager = Factory.ClientFor(_org.Manager);

        var writes = new[]
        {
            await rep.SendAsync(Patch(loser.Id, """{"industry":"x"}""")),
            await rep.DeleteAsync($"/api/v1/customers/{loser.Id}"),
            await rep.PostAsync($"/api/v1/customers/{loser.Id}/contacts", JsonBody(new { name = "王" })),
            await rep.PostAsync($"/api/v1/customers/{loser.Id}/follow-ups", JsonBody(new { kind = "note", content = "x", occurredAt = Factory.Time.GetUtcNow() })),
            await manager.PostAsync($"/api/v1/customers/{loser.Id}/transfer", JsonBody(new { newOwnerId = _org.RepB.Id, reason = "x" })),
            await manager.PostAsync($"/api/v1/customers/{loser.Id}/release", JsonBody(new { reason = "x" })),
            await manager.SendAsync(Merge(loser.Id, new { loserId = survivor.Id, reason = "x" })),
            await manager.SendAsync(Merge(survivor.Id, new { loserId = loser.Id, reason = "again" })),
        };

        foreach (var response in writes)
        {
            var problem = await ReadProblemAsync(response, HttpStatusCode.Conflict);
            Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo(MergedType));
            Assert.That(problem.GetProperty("survivorId").GetGuid(), Is.EqualTo(survivor.Id));
        }
    }

    [Test]
    public async Task A_merged_pool_customer_cannot_be_claimed_and_bulk_transfers_by_id_report_merged_customers_as_not_found()
    {
        var (survivor, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "甲" });
        var (pooled, _) = await CreateForAsync(_org.RepB, new { kind = "organization", name = "乙" });
        var (owned, _) = await CreateForAsync(_org.RepB, new { kind = "organization", name = "丙" });
        using var manager = Factory.ClientFor(_org.Manager);
        await ReadAsync<CustomerResponse>(await manager.PostAsync($"/api/v1/customers/{pooled.Id}/release", JsonBody(new { reason = "公海" })), HttpStatusCode.OK);
        await MergeAsync(_org.Manager, survivor.Id, pooled.Id);
        await MergeAsync(_org.Manager, survivor.Id, owned.Id);
        using var repB = Factory.ClientFor(_org.RepB);

        var claim = await ReadProblemAsync(await repB.PostAsync($"/api/v1/customers/{pooled.Id}/claim", null), HttpStatusCode.Conflict);
        var bulk = await ReadAsync<BulkTransferResponse>(
            await manager.PostAsync("/api/v1/customers/transfer", JsonBody(new { customerIds = new[] { owned.Id, survivor.Id }, newOwnerId = _org.RepB.Id, reason = "x" })),
            HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That(claim.GetProperty("type").GetString(), Is.EqualTo(MergedType));
            Assert.That(bulk.Transferred, Is.EqualTo(1));
            Assert.That(bulk.NotFound, Is.EqualTo(new[] { owned.Id }));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE id = '{pooled.Id}' AND owner_id IS NULL"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE id = '{owned.Id}' AND owner_id = '{_org.RepB.Id}'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Merged_customers_a_rep_still_owns_do_not_count_towards_the_claim_limit()
    {
        using var admin = Factory.ClientFor(_org.Admin);
        await ReadAsync<PoolRulesDto>(await admin.PutAsync("/api/v1/customers/pool/rules", JsonBody(new { rules = new object[] { new { tier = (string?)null, maxOwnedPerRep = 1 } } })), HttpStatusCode.OK);
        var (survivor, _) = await CreateForAsync(_org.Admin, new { kind = "organization", name = "甲", ownerId = _org.Admin.Id });
        var (owned, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "乙" });
        var (pooled, _) = await CreateForAsync(_org.RepB, new { kind = "organization", name = "丙" });
        using var manager = Factory.ClientFor(_org.Manager);
        await ReadAsync<CustomerResponse>(await manager.PostAsync($"/api/v1/customers/{pooled.Id}/release", JsonBody(new { reason = "公海" })), HttpStatusCode.OK);
        await MergeAsync(_org.Admin, survivor.Id, owned.Id);
        using var repA = Factory.ClientFor(_org.RepA);

        var claimed = await ReadAsync<CustomerResponse>(await repA.PostAsync($"/api/v1/customers/{pooled.Id}/claim", null), HttpStatusCode.OK);

        Assert.That(claimed.OwnerId, Is.EqualTo(_org.RepA.Id));
    }

    [Test]
    public async Task Merged_customers_are_not_listed_searched_or_offered_as_duplicates()
    {
        var (survivor, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "华为技术", phones = new[] { "13800138000" } });
        var (loser, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "华为终端", phones = new[] { "13800138000" }, confirmDuplicate = true });
        await MergeAsync(_org.Manager, survivor.Id, loser.Id);
        using var rep = Factory.ClientFor(_org.RepA);

        var all = await ReadAsync<CustomerPage>(await rep.GetAsync("/api/v1/customers"), HttpStatusCode.OK);
        var search = await ReadAsync<CustomerPage>(await rep.GetAsync("/api/v1/customers?q=" + Uri.EscapeDataString("华为终端")), HttpStatusCode.OK);
        var asked = await ReadAsync<CustomerPage>(await rep.GetAsync("/api/v1/customers?status=merged"), HttpStatusCode.OK);
        var duplicates = await ReadAsync<DuplicateCheckResponse>(await rep.GetAsync("/api/v1/customers/duplicates?name=" + Uri.EscapeDataString("华为终端")), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(all.Items.Select(c => c.Id), Is.EqualTo(new[] { survivor.Id }));
            Assert.That(search.Items, Is.Empty);
            Assert.That(asked.Items, Is.Empty);
            Assert.That(duplicates.Candidates, Is.Empty);
        });
    }

    [Test]
    public async Task Only_managers_of_both_owners_and_administrators_may_merge()
    {
        var (mine, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "甲" });
        var (teammate, _) = await CreateForAsync(_org.RepB, new { kind = "organization", name = "乙" });
        var (outside, _) = await CreateForAsync(_org.Outsider, new { kind = "organization", name = "丙" });
        using var rep = Factory.ClientFor(_org.RepA);
        using var manager = Factory.ClientFor(_org.Manager);
        using var admin = Factory.ClientFor(_org.Admin);

        await ReadProblemAsync(await rep.SendAsync(Merge(mine.Id, new { loserId = teammate.Id, reason = "x" })), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await manager.SendAsync(Merge(mine.Id, new { loserId = outside.Id, reason = "x" })), HttpStatusCode.NotFound);
        await ReadProblemAsync(await manager.SendAsync(Merge(outside.Id, new { loserId = mine.Id, reason = "x" })), HttpStatusCode.NotFound);
        await ReadAsync<CustomerResponse>(await manager.SendAsync(Merge(mine.Id, new { loserId = teammate.Id, reason = "x" })), HttpStatusCode.OK);
        var merged = await ReadAsync<CustomerResponse>(await admin.SendAsync(Merge(outside.Id, new { loserId = mine.Id, reason = "x" })), HttpStatusCode.OK);

        Assert.That(merged.Id, Is.EqualTo(outside.Id));
        var repPermissions = await (await rep.GetAsync("/api/v1/me")).Content.ReadAsStringAsync();
        var managerPermissions = await (await manager.GetAsync("/api/v1/me")).Content.ReadAsStringAsync();
        Assert.That(repPermissions, Does.Contain("customers:write").And.Not.Contain("customers:merge"));
        Assert.That(managerPermissions, Does.Contain("customers:merge"));
    }

    [Test]
    public async Task A_stale_if_match_on_the_survivor_is_412_and_changes_nothing()
    {
        var (survivor, etag) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "甲" });
        var (loser, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "乙" });
        using var rep = Factory.ClientFor(_org.RepA);
        Assert.That((await rep.SendAsync(Patch(survivor.Id, """{"industry":"x"}"""))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var manager = Factory.ClientFor(_org.Manager);

        await ReadProblemAsync(await manager.SendAsync(Merge(survivor.Id, new { loserId = loser.Id, reason = "x" }, etag)), HttpStatusCode.PreconditionFailed);

        Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE status = 'Merged'"), Is.Zero);
    }

    [Test]
    public async Task Bad_merges_are_400_404_409_or_422_never_500()
    {
        var (survivor, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "甲" });
        var (archived, archivedTag) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "乙" });
        var (crowded, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "丙", tags = Enumerable.Range(0, 20).Select(i => $"a{i}").ToArray() });
        var (crowded2, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "丁", tags = Enumerable.Range(0, 20).Select(i => $"b{i}").ToArray() });
        using var rep = Factory.ClientFor(_org.RepA);
        var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/customers/{archived.Id}");
        delete.Headers.TryAddWithoutValidation("If-Match", archivedTag);
        Assert.That((await rep.SendAsync(delete)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var manager = Factory.ClientFor(_org.Manager);

        var missing = await ReadProblemAsync(await manager.SendAsync(Merge(survivor.Id, new { reason = "x" })), HttpStatusCode.BadRequest);
        var noReason = await ReadProblemAsync(await manager.SendAsync(Merge(survivor.Id, new { loserId = archived.Id, reason = "" })), HttpStatusCode.BadRequest);
        var malformed = await manager.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/customers/{survivor.Id}/merge")
        {
            Content = new StringContent("""{"loserId":"not-a-guid","reason":"x"}""", System.Text.Encoding.UTF8, "application/json"),
        });
        var self = await ReadProblemAsync(await manager.SendAsync(Merge(survivor.Id, new { loserId = survivor.Id, reason = "x" })), HttpStatusCode.UnprocessableEntity);
        var unknown = await ReadProblemAsync(await manager.SendAsync(Merge(survivor.Id, new { loserId = Guid.NewGuid(), reason = "x" })), HttpStatusCode.NotFound);
        var intoArchived = await ReadProblemAsync(await manager.SendAsync(Merge(archived.Id, new { loserId = survivor.Id, reason = "x" })), HttpStatusCode.Conflict);
        var fromArchived = await ReadProblemAsync(await manager.SendAsync(Merge(survivor.Id, new { loserId = archived.Id, reason = "x" })), HttpStatusCode.Conflict);
        var tooMany = await ReadProblemAsync(await manager.SendAsync(Merge(crowded.Id, new { loserId = crowded2.Id, reason = "x" })), HttpStatusCode.UnprocessableEntity);

        Assert.Multiple(async () =>
        {
            Assert.That(missing.GetProperty("errors").TryGetProperty("loserId", out _), Is.True, missing.ToString());
            Assert.That(noReason.GetProperty("errors").TryGetProperty("reason", out _), Is.True, noReason.ToString());
            await ReadProblemAsync(malformed, HttpStatusCode.BadRequest);
            Assert.That(self.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/merge-into-itself"));
            Assert.That(unknown.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/not-found"));
            Assert.That(intoArchived.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/customer-archived"));
            Assert.That(fromArchived.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/customer-archived"));
            Assert.That(tooMany.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/merge-too-many-values"));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE status = 'Merged'"), Is.Zero);
        });
    }

    [Test]
    public async Task The_survivor_takes_the_losers_region_custom_fields_history_and_timeline_and_later_events_about_the_loser()
    {
        using var admin = Factory.ClientFor(_org.Admin);
        foreach (var key in new[] { "grade", "erpGroup" })
        {
            await ReadAsync<object>(await admin.PostAsync("/api/v1/custom-fields/customers", JsonBody(new { key, label = key, type = "text" })), HttpStatusCode.Created);
        }

        var (survivor, _) = await CreateForAsync(_org.RepA, new { kind = "organization", name = "存续方科技", customFields = new { grade = "A" } });
        var (loser, _) = await CreateForAsync(_org.RepB, new
        {
            kind = "organization", name = "被并方贸易", province = "广东省", city = "深圳市", district = "南山区", customFields = new { grade = "C", erpGroup = "华南" },
        });
        using (var manager = Factory.ClientFor(_org.Manager))
        {
            await ReadAsync<CustomerResponse>(await manager.PostAsync($"/api/v1/customers/{loser.Id}/key-account",
                JsonBody(new { isKeyAccount = false, isPotentialKeyAccount = true, reason = "潜力大" })), HttpStatusCode.OK);
        }

        await DispatchOutboxAsync();
        using (var repB = Factory.ClientFor(_org.RepB))
        {
            // Published before the merge, delivered after it.
            await ReadAsync<object>(await repB.PostAsync($"/api/v1/customers/{loser.Id}/follow-ups",
                JsonBody(new { kind = "call", content = "合并前的电话", occurredAt = Factory.Time.GetUtcNow() })), HttpStatusCode.Created);
        }

        var merged = await MergeAsync(_org.Manager, survivor.Id, loser.Id);
        await DispatchOutboxAsync();

        var history = await ReadAsync<JsonElement>(await admin.GetAsync($"/api/v1/customers/{survivor.Id}/history?field=isPotentialKeyAccount"), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That((merged.Province, merged.City, merged.District, merged.RegionCode), Is.EqualTo(("广东省", "深圳市", "南山区", "440305")));
            Assert.That((merged.CustomFields["grade"].GetString(), merged.CustomFields["erpGroup"].GetString()), Is.EqualTo(("A", "华南")));
            Assert.That(history.GetProperty("items").GetArrayLength(), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.timeline_entries WHERE customer_id = '{loser.Id}'"), Is.Zero);
            Assert.That(
                await CountAsync($"SELECT count(*) FROM customers.timeline_entries WHERE customer_id = '{survivor.Id}' AND kind IN ('created', 'keyAccount', 'followUp', 'merge')"),
                Is.EqualTo(5),
                "both creations, the loser's key-account change, its follow-up delivered after the merge, and the merge");
        });
    }
}

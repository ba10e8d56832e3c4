using System.Net;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;

namespace Crm.IntegrationTests.Customers;

internal sealed class ExternalIdUpsertTests : IntegrationTest
{
    private static string PathOf(string externalId) => $"/api/v1/customers/by-external-id/{Uri.EscapeDataString(externalId)}";

    private static HttpRequestMessage Put(string externalId, object body, string? ifMatch = null, string? ifNoneMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, PathOf(externalId)) { Content = JsonBody(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return request;
    }

    private static async Task<long> AuditCountAsync(Guid customerId) =>
        await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'customer' AND entity_id = '{customerId}'");

    [Test]
    public async Task Put_creates_then_replaces_and_the_same_body_again_changes_nothing()
    {
        using var rep = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
        var body = new { kind = "organization", name = "华为技术有限公司", shortName = "华为", phones = new[] { "0755-2878 0808" }, creditLimit = 1000m };

        var created = await rep.SendAsync(Put("ERP-0001", body));
        var customer = await ReadAsync<CustomerResponse>(created, HttpStatusCode.Created);
        var etag = created.Headers.ETag!.ToString();
        Assert.Multiple(() =>
        {
            Assert.That(created.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/customers/{customer.Id}"));
            Assert.That(customer.ExternalId, Is.EqualTo("ERP-0001"));
            Assert.That(customer.Phones, Is.EqualTo(new[] { "075528780808" }));
        });

        var again = await rep.SendAsync(Put("ERP-0001", body));
        var same = await ReadAsync<CustomerResponse>(again, HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(again.Headers.ETag!.ToString(), Is.EqualTo(etag));
            Assert.That(same.UpdatedAt, Is.EqualTo(customer.UpdatedAt));
            Assert.That(await AuditCountAsync(customer.Id), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.outbox_messages WHERE type LIKE '%CustomerCreated%'"), Is.EqualTo(1));
        });

        // A PUT replaces the whole representation: the short name it no longer carries is cleared.
        var replaced = await rep.SendAsync(Put("ERP-0001", new { kind = "organization", name = "华为技术", creditLimit = 1000m }));
        var updated = await ReadAsync<CustomerResponse>(replaced, HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(updated.Id, Is.EqualTo(customer.Id));
            Assert.That((updated.Name, updated.ShortName, updated.Phones.Count), Is.EqualTo(("华为技术", (string?)null, 0)));
            Assert.That(replaced.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
            Assert.That(await AuditCountAsync(customer.Id), Is.EqualTo(2));
        });

        var read = await rep.GetAsync(PathOf("ERP-0001"));
        Assert.Multiple(async () =>
        {
            Assert.That((await ReadAsync<CustomerResponse>(read, HttpStatusCode.OK)).Name, Is.EqualTo("华为技术"));
            Assert.That(read.Headers.ETag!.ToString(), Is.EqualTo(replaced.Headers.ETag!.ToString()));
        });
    }

    [Test]
    public async Task Chinese_and_reserved_characters_in_the_external_id_round_trip_through_the_path()
    {
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        var ids = new[] { "金蝶/客户 001?#&%", "a/b", "a%b", "50%25", "用友U8+：张三" };
        // Numbered names: differing only in punctuation, they would be possible duplicates (409).
        string NameOf(string id) => $"客户{Array.IndexOf(ids, id)} {id}";
        foreach (var id in ids)
        {
            var customer = await ReadAsync<CustomerResponse>(await admin.SendAsync(Put(id, new { kind = "organization", name = NameOf(id) })), HttpStatusCode.Created);
            Assert.That(customer.ExternalId, Is.EqualTo(id));
        }

        foreach (var id in ids)
        {
            var customer = await ReadAsync<CustomerResponse>(await admin.GetAsync(PathOf(id)), HttpStatusCode.OK);
            Assert.That((customer.ExternalId, customer.Name), Is.EqualTo((id, NameOf(id))));
        }

        Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(ids.Length));
    }

    [TestCase("/api/v1/customers/by-external-id/a%2Fb", "a/b")]
    [TestCase("/api/v1/customers/by-external-id/a%252Fb?x=1", "a%2Fb")]
    [TestCase("/api/v1/customers/by-external-id/%E9%87%91%E8%9D%B6%20K3", "金蝶 K3")]
    public void Behind_a_real_server_the_id_is_decoded_once_from_the_raw_target(string rawTarget, string expected)
    {
        // Kestrel passes the raw request target; the in-memory test server does not, so this is checked directly.
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget = rawTarget;
        Assert.That(ExternalIdPath.Read(http, "ignored"), Is.EqualTo(expected));
    }

    [Test]
    public async Task Bad_external_ids_bodies_and_headers_are_400_with_the_field()
    {
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        var body = new { kind = "organization", name = "客户" };

        var cases = new (HttpRequestMessage Request, string Field)[]
        {
            (Put(new string('号', 101), body), "externalId"),
            (Put(" ERP-1", body), "externalId"),
            (Put("ERP\u0001", body), "externalId"),
            (Put("ERP-1", new { kind = "organization", name = "客户", externalId = "ERP-2" }), "externalId"),
            (Put("ERP-1", new { name = "客户" }), "kind"),
            (Put("ERP-1", new { kind = "organization", name = "客户", emails = new[] { "not-an-email" } }), "emails[0]"),
            (Put("ERP-1", body, ifNoneMatch: "\"5\""), "If-None-Match"),
        };
        foreach (var (request, field) in cases)
        {
            var problem = await ReadProblemAsync(await admin.SendAsync(request), HttpStatusCode.BadRequest);
            Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
        }

        var get = await ReadProblemAsync(await admin.GetAsync(PathOf(new string('x', 101))), HttpStatusCode.BadRequest);
        Assert.That(get.GetProperty("errors").TryGetProperty("externalId", out _), Is.True);
        Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.Zero);
    }

    [Test]
    public async Task If_match_and_if_none_match_star_are_honoured()
    {
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        var body = new { kind = "organization", name = "客户" };

        await ReadProblemAsync(await admin.SendAsync(Put("ERP-1", body, ifMatch: "*")), HttpStatusCode.PreconditionFailed);
        var created = await admin.SendAsync(Put("ERP-1", body, ifNoneMatch: "*"));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var etag = created.Headers.ETag!.ToString();

        await ReadProblemAsync(await admin.SendAsync(Put("ERP-1", body, ifNoneMatch: "*")), HttpStatusCode.PreconditionFailed);
        await ReadProblemAsync(await admin.SendAsync(Put("ERP-1", new { kind = "organization", name = "新名字" }, ifMatch: "\"1\"")), HttpStatusCode.PreconditionFailed);
        var updated = await ReadAsync<CustomerResponse>(await admin.SendAsync(Put("ERP-1", new { kind = "organization", name = "新名字" }, ifMatch: etag)), HttpStatusCode.OK);
        Assert.That(updated.Name, Is.EqualTo("新名字"));
    }

    [Test]
    public async Task An_integration_key_must_name_the_owner_to_create_and_a_replace_keeps_the_owner()
    {
        using var adminClient = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        var keyResponse = await adminClient.PostAsync("/api/v1/api-keys", JsonBody(new { name = "ERP", scopes = new[] { Permissions.CustomersRead, Permissions.CustomersWrite } }));
        var key = JsonDocument.Parse(await keyResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
        using var erp = Factory.CreateClient();
        erp.DefaultRequestHeaders.Add("X-Api-Key", key);

        var problem = await ReadProblemAsync(await erp.SendAsync(Put("K3-100", new { kind = "individual", name = "张三" })), HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty("ownerId", out _), Is.True);

        var created = await ReadAsync<CustomerResponse>(await erp.SendAsync(Put("K3-100", new { kind = "individual", name = "张三", ownerId = rep.Id })), HttpStatusCode.Created);
        Assert.That(created.OwnerId, Is.EqualTo(rep.Id));

        // The CRM owns ownership (transfers, the pool): a replace does not move the customer, whatever ownerId says.
        var other = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        var replaced = await ReadAsync<CustomerResponse>(await erp.SendAsync(Put("K3-100", new { kind = "individual", name = "张三丰", ownerId = other.Id })), HttpStatusCode.OK);
        Assert.That((replaced.Name, replaced.OwnerId), Is.EqualTo(("张三丰", (Guid?)rep.Id)));
    }

    [Test]
    public async Task Invisible_customers_are_404_the_kind_cannot_change_and_archived_customers_are_409()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group);
        using var repA = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep, team));
        using var repB = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep, team));
        var body = new { kind = "organization", name = "客户甲" };
        var created = await repA.SendAsync(Put("ERP-9", body));
        var customer = await ReadAsync<CustomerResponse>(created, HttpStatusCode.Created);

        await ReadProblemAsync(await repB.SendAsync(Put("ERP-9", new { kind = "organization", name = "抢过来" })), HttpStatusCode.NotFound);
        await ReadProblemAsync(await repB.GetAsync(PathOf("ERP-9")), HttpStatusCode.NotFound);
        await ReadProblemAsync(await repA.GetAsync(PathOf("ERP-404")), HttpStatusCode.NotFound);

        var kind = await ReadProblemAsync(await repA.SendAsync(Put("ERP-9", new { kind = "individual", name = "客户甲" })), HttpStatusCode.UnprocessableEntity);
        Assert.That(kind.GetProperty("type").GetString(), Does.EndWith("/kind-cannot-change"));

        var archive = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/customers/{customer.Id}");
        Assert.That((await repA.SendAsync(archive)).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var archived = await ReadProblemAsync(await repA.SendAsync(Put("ERP-9", body)), HttpStatusCode.Conflict);
        Assert.That(archived.GetProperty("type").GetString(), Does.EndWith("/customer-archived"));
        Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE name = '客户甲'"), Is.EqualTo(1));
    }

    [Test]
    public async Task Concurrent_upserts_of_a_new_external_id_create_one_customer()
    {
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => admin.SendAsync(Put("ERP-RACE", new { kind = "organization", name = "并发客户" }))));

        Assert.Multiple(async () =>
        {
            Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Created), Is.EqualTo(1));
            Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.OK), Is.EqualTo(5));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE external_id = 'ERP-RACE'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_replace_checks_the_region_keeps_action_owned_fields_and_records_a_stage_change()
    {
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        var body = new { kind = "organization", name = "比亚迪股份有限公司", province = "广东省", city = "深圳市", lifecycleStage = "potential", creditLimit = 1000m, isKeyAccount = true };
        var customer = await ReadAsync<CustomerResponse>(await admin.SendAsync(Put("ERP-BYD", body)), HttpStatusCode.Created);

        var badRegion = await admin.SendAsync(Put("ERP-BYD", new { kind = "organization", name = "比亚迪", province = "浙江省", city = "深圳市" }));
        Assert.That((await ReadProblemAsync(badRegion, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("city", out _), Is.True);

        // The ERP's view of credit and key-account status does not undo the CRM's decisions; the stage it sends is history.
        var replaced = await ReadAsync<CustomerResponse>(
            await admin.SendAsync(Put("ERP-BYD", new { kind = "organization", name = "比亚迪", province = "广东", city = "深圳", lifecycleStage = "growth", creditLimit = 5m, isKeyAccount = false })),
            HttpStatusCode.OK);
        var history = JsonDocument.Parse(await (await admin.GetAsync($"/api/v1/customers/{customer.Id}/history?field=lifecycleStage")).Content.ReadAsStringAsync())
            .RootElement.GetProperty("items");
        Assert.Multiple(() =>
        {
            Assert.That((replaced.Province, replaced.City, replaced.RegionCode), Is.EqualTo(("广东省", "深圳市", "440300")));
            Assert.That((replaced.CreditLimit, replaced.IsKeyAccount, replaced.LifecycleStage), Is.EqualTo(((decimal?)1000m, true, LifecycleStage.Growth)));
            Assert.That(history.GetArrayLength(), Is.EqualTo(1));
            Assert.That(history[0].GetProperty("to").GetString(), Is.EqualTo("growth"));
        });
    }
}

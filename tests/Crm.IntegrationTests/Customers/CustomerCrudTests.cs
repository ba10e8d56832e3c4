using System.Net;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using static Crm.IntegrationTests.Customers.CustomerApi;

namespace Crm.IntegrationTests.Customers;

internal sealed class CustomerCrudTests : IntegrationTest
{
    private HttpClient _admin = null!;
    private TestUser _adminUser = null!;

    [SetUp]
    public async Task SignInAdminAsync()
    {
        _adminUser = await TestUsers.CreateAsync(Factory, Roles.Admin);
        _admin = Factory.ClientFor(_adminUser);
    }

    [TearDown]
    public void DisposeAdmin() => _admin.Dispose();

    [Test]
    public async Task A_created_customer_round_trips_its_Chinese_text_with_a_generated_code_and_an_ETag()
    {
        var (created, etag) = await CreateAsync(_admin, new
        {
            kind = "organization",
            name = "华为技术有限公司",
            shortName = "华为",
            registrationNumber = CreditCode.ToLowerInvariant(),
            industry = "通信设备",
            sourceChannel = "展会",
            province = "广东省",
            city = "深圳市",
            district = "龙岗区",
            address = "坂田华为基地",
            phones = new[] { "+86 755-2878 0808", "138 0013 8000" },
            emails = new[] { "Contact@Huawei.COM" },
            tags = new[] { "战略客户", "5G" },
            tier = "A",
            relationshipType = "partner",
            lifecycleStage = "maturity",
            isKeyAccount = true,
            creditLimit = 1250000.50m,
            creditRating = "aaa",
        });

        var response = await _admin.GetAsync($"/api/v1/customers/{created.Id}");
        var fetched = await ReadAsync<CustomerResponse>(response, HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(created.Code, Does.Match("^C[0-9]{8,}$"));
            Assert.That(fetched.Name, Is.EqualTo("华为技术有限公司"));
            Assert.That(fetched.Address, Is.EqualTo("坂田华为基地"));
            Assert.That(fetched.Tags, Is.EqualTo(new[] { "战略客户", "5G" }));
            Assert.That(fetched.RegistrationNumber, Is.EqualTo(CreditCode));
            Assert.That(fetched.Phones, Is.EqualTo(new[] { "+8675528780808", "13800138000" }));
            Assert.That(fetched.Emails, Is.EqualTo(new[] { "contact@huawei.com" }));
            Assert.That(fetched.CreditRating, Is.EqualTo("AAA"));
            Assert.That(fetched.CreditLimit, Is.EqualTo(1250000.50m));
            Assert.That(fetched.Currency, Is.EqualTo("CNY"));
            Assert.That(fetched.Status, Is.EqualTo(CustomerStatus.Active));
            Assert.That(fetched.OwnerId, Is.EqualTo(_adminUser.Id));
            Assert.That(fetched, Is.EqualTo(created).Using<CustomerResponse>((a, b) => JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b)));
            Assert.That(response.Headers.ETag!.ToString(), Is.EqualTo(etag));
        });
    }

    [Test]
    public async Task Codes_come_from_a_sequence_and_are_unique()
    {
        var first = await CreateAsync(_admin, "甲公司");
        var second = await CreateAsync(_admin, "乙公司");
        Assert.That(long.Parse(second.Customer.Code[1..], System.Globalization.CultureInfo.InvariantCulture),
            Is.GreaterThan(long.Parse(first.Customer.Code[1..], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [TestCase("organization", "91350100M000100Y44", "registrationNumber")]
    [TestCase("organization", "91350100I000100Y43", "registrationNumber")]
    [TestCase("individual", "110105194912310021", "registrationNumber")]
    [TestCase("individual", "110105194913310029", "registrationNumber")]
    public async Task A_bad_identifier_checksum_is_400_naming_the_field(string kind, string number, string field)
    {
        var response = await _admin.PostAsync("/api/v1/customers", JsonBody(new { kind, name = "测试", registrationNumber = number }));
        var problem = await ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").GetProperty(field)[0].GetString(), Does.Contain("check"));
    }

    [Test]
    public async Task A_valid_resident_id_number_is_accepted_for_an_individual_and_refused_for_an_organization()
    {
        await CreateAsync(_admin, new { kind = "individual", name = "张三", registrationNumber = IdNumber.ToLowerInvariant() });
        var response = await _admin.PostAsync("/api/v1/customers", JsonBody(new { kind = "organization", name = "张三公司", registrationNumber = IdNumber }));
        await ReadProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Bad_email_phone_missing_kind_and_name_are_400_with_field_errors()
    {
        var response = await _admin.PostAsync("/api/v1/customers", JsonBody(new { name = "", emails = new[] { "not-an-email" }, phones = new[] { "12ab" } }));
        var errors = (await ReadProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.Multiple(() =>
        {
            Assert.That(errors.TryGetProperty("kind", out _), Is.True, errors.ToString());
            Assert.That(errors.TryGetProperty("name", out _), Is.True, errors.ToString());
            Assert.That(errors.TryGetProperty("emails[0]", out _), Is.True, errors.ToString());
            Assert.That(errors.TryGetProperty("phones[0]", out _), Is.True, errors.ToString());
        });
    }

    [TestCase("""{"kind":"company","name":"x"}""")]
    [TestCase("""{"kind":"organization","name":"x","lifecycleStage":"adolescence"}""")]
    [TestCase("""{"kind":"organization","name":"x","relationshipType":3}""")]
    [TestCase("""{"kind":"organization","name":"x","creditLimit":"many"}""")]
    [TestCase("""{"kind":"organization","name":"x","creditLimit":-1}""")]
    [TestCase("""{"kind":"organization","name":"x","creditLimit":1.234}""")]
    [TestCase("""{"kind":"organization","name":"x","tags":"vip"}""")]
    [TestCase("""{"kind":"organization","name":""")]
    public async Task Malformed_or_out_of_range_input_is_400_never_500(string json)
    {
        var response = await _admin.PostAsync("/api/v1/customers", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        await ReadProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task A_duplicate_registration_number_or_external_id_is_409()
    {
        await CreateAsync(_admin, new { kind = "organization", name = "甲", registrationNumber = CreditCode, externalId = "ERP-001" });

        var byNumber = await ReadProblemAsync(
            await _admin.PostAsync("/api/v1/customers", JsonBody(new { kind = "organization", name = "乙", registrationNumber = CreditCode.ToLowerInvariant() })),
            HttpStatusCode.Conflict);
        var byExternalId = await ReadProblemAsync(
            await _admin.PostAsync("/api/v1/customers", JsonBody(new { kind = "organization", name = "丙", externalId = "ERP-001" })),
            HttpStatusCode.Conflict);
        var (other, etag) = await CreateAsync(_admin, new { kind = "organization", name = "丁", registrationNumber = OtherCreditCode });
        var byPatch = await ReadProblemAsync(await _admin.SendAsync(Patch(other.Id, """{"externalId":"ERP-001"}""", etag)), HttpStatusCode.Conflict);

        Assert.Multiple(() =>
        {
            Assert.That(byNumber.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/duplicate-registration-number"));
            Assert.That(byExternalId.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/duplicate-external-id"));
            Assert.That(byPatch.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/duplicate-external-id"));
        });
    }

    [Test]
    public async Task Patch_merges_null_clears_and_a_stale_If_Match_is_412()
    {
        var (customer, etag) = await CreateAsync(_admin, new { kind = "organization", name = "上海贸易", shortName = "上贸", phones = new[] { "13800138000" }, tier = "B" });

        var patched = await _admin.SendAsync(Patch(customer.Id, """{"shortName":null,"phones":null,"tier":"A","lifecycleStage":"growth"}""", etag));
        var updated = await ReadAsync<CustomerResponse>(patched, HttpStatusCode.OK);
        var stale = await _admin.SendAsync(Patch(customer.Id, """{"name":"冲突"}""", etag));

        Assert.Multiple(async () =>
        {
            Assert.That(updated.Name, Is.EqualTo("上海贸易"));
            Assert.That(updated.ShortName, Is.Null);
            Assert.That(updated.Phones, Is.Empty);
            Assert.That(updated.Tier, Is.EqualTo("A"));
            Assert.That(updated.LifecycleStage, Is.EqualTo(LifecycleStage.Growth));
            Assert.That(patched.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
            await ReadProblemAsync(stale, HttpStatusCode.PreconditionFailed);
        });
    }

    [Test]
    public async Task Patch_refuses_a_null_name_and_an_unknown_customer()
    {
        var (customer, _) = await CreateAsync(_admin, "北京公司");
        var problem = await ReadProblemAsync(await _admin.SendAsync(Patch(customer.Id, """{"name":null}""")), HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty("name", out _), Is.True);
        await ReadProblemAsync(await _admin.SendAsync(Patch(Guid.NewGuid(), """{"name":"x"}""")), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Delete_archives_the_customer_and_hides_it_from_the_default_list()
    {
        var (customer, etag) = await CreateAsync(_admin, "广州公司");
        var stale = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/customers/{customer.Id}");
        stale.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        await ReadProblemAsync(await _admin.SendAsync(stale), HttpStatusCode.PreconditionFailed);

        var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/customers/{customer.Id}");
        delete.Headers.TryAddWithoutValidation("If-Match", etag);
        var archived = await ReadAsync<CustomerResponse>(await _admin.SendAsync(delete), HttpStatusCode.OK);

        var listed = await ReadAsync<ListPage>(await _admin.GetAsync("/api/v1/customers"), HttpStatusCode.OK);
        var archivedList = await ReadAsync<ListPage>(await _admin.GetAsync("/api/v1/customers?status=archived"), HttpStatusCode.OK);
        Assert.Multiple(async () =>
        {
            Assert.That(archived.Status, Is.EqualTo(CustomerStatus.Archived));
            Assert.That(archived.ArchivedAt, Is.Not.Null);
            Assert.That(listed.Items, Is.Empty);
            Assert.That(archivedList.Items.Select(c => c.Id), Is.EqualTo(new[] { customer.Id }));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task An_archived_customer_is_read_only()
    {
        var (customer, etag) = await CreateAsync(_admin, "深圳公司");
        var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/customers/{customer.Id}");
        delete.Headers.TryAddWithoutValidation("If-Match", etag);
        Assert.That((await _admin.SendAsync(delete)).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var problem = await ReadProblemAsync(await _admin.SendAsync(Patch(customer.Id, """{"name":"改名"}""")), HttpStatusCode.Conflict);

        Assert.That(problem.GetProperty("type").GetString(), Is.EqualTo("https://crm.local/problems/customer-archived"));
    }

    [Test]
    public async Task An_Idempotency_Key_replays_the_create_instead_of_creating_twice()
    {
        HttpRequestMessage Post()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/customers") { Content = JsonBody(new { kind = "organization", name = "重复提交公司" }) };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", "create-customer-1");
            return request;
        }

        var first = await _admin.SendAsync(Post());
        var second = await _admin.SendAsync(Post());

        var one = await ReadAsync<CustomerResponse>(first, HttpStatusCode.Created);
        var two = await ReadAsync<CustomerResponse>(second, HttpStatusCode.Created);
        Assert.Multiple(async () =>
        {
            Assert.That(two.Id, Is.EqualTo(one.Id));
            Assert.That(two.Code, Is.EqualTo(one.Code));
            Assert.That(second.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Creating_a_customer_writes_CustomerCreated_to_the_outbox_in_the_same_transaction()
    {
        var (customer, _) = await CreateAsync(_admin, new { kind = "organization", name = "深圳公司", externalId = "ERP-9" });

        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync(
                "SELECT count(*) FROM customers.outbox_messages WHERE type = 'Crm.Modules.Customers.Contracts.CustomerCreated' " +
                $"AND payload->>'customerId' = '{customer.Id}' AND payload->>'code' = '{customer.Code}' AND payload->>'externalId' = 'ERP-9'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'customer'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Unknown_sort_fields_enum_filters_and_cursors_are_400()
    {
        await ReadProblemAsync(await _admin.GetAsync("/api/v1/customers?sort=credit"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _admin.GetAsync("/api/v1/customers?stage=teenager"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _admin.GetAsync("/api/v1/customers?cursor=garbage"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _admin.GetAsync("/api/v1/customers?limit=501"), HttpStatusCode.BadRequest);
    }

    internal sealed record ListPage(List<CustomerResponse> Items, string? NextCursor, long? Total);
}

using System.Text;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using static Crm.IntegrationTests.Customers.CustomerApi;
using static Crm.IntegrationTests.Integration.ImportApi;

namespace Crm.IntegrationTests.Integration;

internal sealed class ContactImportAndExportTests : IntegrationTest
{
    private TestUser _rep = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SignInAsync()
    {
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        _client = Factory.ClientFor(_rep);
    }

    [TearDown]
    public void DisposeClient2() => _client.Dispose();

    [Test]
    public async Task Contacts_import_by_customer_code_or_external_id_and_upsert_on_email()
    {
        var (customer, _) = await CreateAsync(_client, new { kind = "organization", name = "华为", externalId = "HW" });
        var other = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using (var otherClient = Factory.ClientFor(other))
        {
            await CreateAsync(otherClient, new { kind = "organization", name = "别人的", externalId = "NOT-MINE" });
        }

        var csv = $"""
            客户编号,customerExternalId,姓名,职务,邮箱,手机,决策角色,birthday
            {customer.Code},,王经理,采购总监,Wang@HW.com,13800138000,决策者,1980-02-29
            ,HW,李工,,li@hw.com,,influencer,
            ,NOT-MINE,赵六,,zhao@x.com,,,
            C99999999,,钱七,,qian@x.com,,,
            ,HW,王经理2,,wang@hw.com,,,
            """;

        var report = await ImportCsvAsync(_client, csv, entity: "contacts");

        Assert.Multiple(async () =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((2L, 3L)));
            Assert.That(report.Errors.Select(e => (e.Row, e.Column)), Is.EqualTo(new (int, string?)[] { (4, "customerExternalId"), (5, "客户编号"), (6, "邮箱") }));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.contacts WHERE customer_id = '{customer.Id}' AND owner_id = '{_rep.Id}'"), Is.EqualTo(2));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.contacts WHERE name = '王经理' AND decision_role = 'DecisionMaker' AND birthday = '1980-02-29' AND emails = '{wang@hw.com}'"), Is.EqualTo(1));
        });

        var update = await ImportCsvAsync(_client, $"customerCode,name,emails,title\n{customer.Code},王总,wang@hw.com,副总裁\n", entity: "contacts");
        var again = await ImportCsvAsync(_client, $"customerCode,name,emails,title\n{customer.Code},王总,wang@hw.com,副总裁\n", entity: "contacts");
        Assert.Multiple(async () =>
        {
            Assert.That((update.Updated, update.Created), Is.EqualTo((1L, 0L)));
            Assert.That((again.Unchanged, again.Updated), Is.EqualTo((1L, 0L)));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.contacts WHERE name = '王总' AND title = '副总裁'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_second_row_for_the_same_existing_contact_is_rejected_and_its_values_are_not_written()
    {
        var (customer, _) = await CreateAsync(_client, new { kind = "organization", name = "重复联系人公司" });
        await ImportCsvAsync(_client, $"customerCode,name,emails,title\n{customer.Code},孙经理,sun@a.com;sun2@a.com,经理\n", entity: "contacts");
        var csv = $"""
            customerCode,name,emails,title
            {customer.Code},孙总,sun@a.com,总监
            {customer.Code},孙董,sun@a.com,董事
            {customer.Code},孙先生,sun2@a.com,顾问
            """;

        var report = await ImportCsvAsync(_client, csv, entity: "contacts");

        Assert.Multiple(async () =>
        {
            Assert.That((report.Updated, report.Rejected), Is.EqualTo((1L, 2L)));
            Assert.That(report.Errors.Select(e => e.Message), Is.EqualTo(new[]
            {
                "Duplicate of row 2 in this file (same customer and emails 'sun@a.com').",
                $"Row 2 of this file already matches this contact of customer {customer.Code}: one row per contact.",
            }));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.contacts WHERE customer_id = '{customer.Id}' AND name = '孙总' AND title = '总监'"), Is.EqualTo(1),
                "the contact holds the values of the first row that matched it");
        });
    }

    [Test]
    public async Task The_customer_export_is_a_utf8_csv_with_a_bom_filtered_and_limited_to_what_the_caller_sees()
    {
        await ImportCsvAsync(_client, $"kind,name,externalId,province,phones,tags,registrationNumber\norganization,\"华为, 深圳\",X-1,广东省,13800138000;010-1234567,a;b,{CreditCode}\norganization,京东,X-2,北京市,,,\n");
        var other = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using (var otherClient = Factory.ClientFor(other))
        {
            await CreateAsync(otherClient, new { kind = "organization", name = "别人的", province = "广东省" });
        }

        var response = await _client.GetAsync("/api/v1/customers/export?province=" + Uri.EscapeDataString("广东省"));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var text = Encoding.UTF8.GetString(bytes);
        var lines = text.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\n')).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(response.Content.Headers.ContentType?.ToString(), Is.EqualTo("text/csv; charset=utf-8"));
            Assert.That(bytes.Take(3), Is.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }));
            Assert.That(text, Does.Contain("code,externalId,kind,name,").And.Contain("\"华为, 深圳\"").And.Contain("13800138000;0101234567").And.Contain(_rep.Email));
            Assert.That(text, Does.Not.Contain("京东").And.Not.Contain("别人的"));
        });

        // Every list filter applies, the region code roll-up included.
        var beijing = await (await _client.GetAsync("/api/v1/customers/export?format=ndjson&regionCode=11")).Content.ReadAsStringAsync();
        Assert.That((beijing.Contains("京东", StringComparison.Ordinal), beijing.Contains("华为", StringComparison.Ordinal)), Is.EqualTo((true, false)), "the NDJSON export keeps Chinese text as it is");
    }

    [Test]
    public async Task The_export_writes_gb18030_and_ndjson_and_refuses_unknown_formats()
    {
        await ImportCsvAsync(_client, "kind,name,externalId,tags\norganization,腾讯,T-1,游戏;社交\n");

        var gb = await ExportAsync(_client, "/api/v1/customers/export?charset=gb18030", Gb18030);
        var ndjson = await ExportAsync(_client, "/api/v1/customers/export?format=ndjson");
        var line = JsonDocument.Parse(ndjson.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single()).RootElement;

        Assert.Multiple(() =>
        {
            Assert.That(gb, Does.Contain("腾讯").And.Contain("游戏;社交"));
            Assert.That(line.GetProperty("name").GetString(), Is.EqualTo("腾讯"));
            Assert.That(line.GetProperty("tags").EnumerateArray().Select(t => t.GetString()), Is.EqualTo(new[] { "游戏", "社交" }));
            Assert.That(line.GetProperty("isKeyAccount").GetBoolean(), Is.False);
        });
        await ReadProblemAsync(await _client.GetAsync("/api/v1/customers/export?format=xlsx"), System.Net.HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _client.GetAsync("/api/v1/customers/export?charset=latin1"), System.Net.HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _client.GetAsync("/api/v1/customers/export?q=a"), System.Net.HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task An_exported_file_re_imports_with_everything_unchanged()
    {
        await ImportCsvAsync(_client, $"""
            kind,name,shortName,externalId,registrationNumber,phones,emails,website,tags,tier,relationshipType,lifecycleStage,isKeyAccount,creditLimit,creditRating,outstandingBalance,address
            organization,"华为技术有限公司","华为",R-1,{CreditCode},13800138000;+86 10 1234,a@b.com;c@d.com,https://huawei.com,"5G;ICT, cloud",A,partner,growth,true,1000000.50,AAA,0.00,"深圳市龙岗区
            坂田"
            individual,张三,,R-2,{IdNumber},,,,,,basic,potential,false,,,0,
            """);
        var (customer, _) = await CreateAsync(_client, new { kind = "organization", name = "无外部编号" });
        var contactCsv = $"customerCode,name,emails,phones,decisionRole,birthday,preferredChannel\n{customer.Code},联系人,x@y.com,13900000000,user,1990-01-01,wechat\n";
        await ImportCsvAsync(_client, contactCsv, entity: "contacts");

        var customers = await ExportAsync(_client, "/api/v1/customers/export");
        var contacts = await ExportAsync(_client, "/api/v1/contacts/export?format=ndjson");
        var customersBack = await ImportAsync(_client, "customers", Csv(customers.TrimStart('\uFEFF'), bom: true), "matchOn=code&mode=update");
        var contactsBack = await ImportAsync(_client, "contacts", Body(contacts, "application/x-ndjson"), "mode=update");

        Assert.Multiple(() =>
        {
            Assert.That((customersBack.Unchanged, customersBack.Updated, customersBack.Rejected), Is.EqualTo((3L, 0L, 0L)), string.Join("; ", customersBack.Errors.Select(e => e.Message)));
            Assert.That((contactsBack.Unchanged, contactsBack.Updated, contactsBack.Rejected), Is.EqualTo((1L, 0L, 0L)), string.Join("; ", contactsBack.Errors.Select(e => e.Message)));
        });
    }
}

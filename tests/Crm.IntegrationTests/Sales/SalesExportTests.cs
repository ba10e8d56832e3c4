using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sales.Leads;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Integration.Features.Imports;
using static Crm.IntegrationTests.Integration.ImportApi;

namespace Crm.IntegrationTests.Sales;

internal sealed class SalesExportTests : IntegrationTest
{
    private TestUser _manager = null!;
    private TestUser _rep1 = null!;
    private TestUser _rep2 = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task CreateTeamAsync()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "导出组", TeamKind.Group);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, team);
        _rep1 = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        _rep2 = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        _client = Factory.ClientFor(_manager);
    }

    [TearDown]
    public void DisposeManager() => _client.Dispose();

    private static async Task<(byte[] Body, string? ContentType)> DownloadAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), Encoding.UTF8.GetString(body));
        return (body, response.Content.Headers.ContentType?.ToString());
    }

    private static HttpContent Raw(byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    private static string Lines(ImportReport report) => string.Join("; ", report.Errors.Select(e => $"{e.Row} {e.Column}: {e.Message}"));

    [Test]
    public async Task The_product_export_applies_the_list_filters_and_every_format_re_imports_unchanged()
    {
        var seeded = await ImportAsync(_client, "products", Csv(
            "sku,name,unit,category,listPrice,active,description\n" +
            "CRM-STD,CRM 标准版,套,软件,29800,true,\"含 10 个用户, 一年 \"\"标准\"\" 服务\"\n" +
            "CRM-PRO,CRM 专业版,套,软件,59800.50,true,\n" +
            "SVC-IMPL,实施服务,人天,服务,3000,false,按人天计费\n"));
        Assert.That(seeded.Created, Is.EqualTo(3), Lines(seeded));
        using var rep = Factory.ClientFor(_rep1);

        var (gb, gbType) = await DownloadAsync(rep, "/api/v1/sales/products/export?category=软件&charset=gb18030");
        var (utf8, _) = await DownloadAsync(rep, "/api/v1/sales/products/export");
        var (ndjson, ndjsonType) = await DownloadAsync(rep, "/api/v1/sales/products/export?format=ndjson&active=false");

        var gbLines = Gb18030.GetString(gb).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Multiple(() =>
        {
            Assert.That(gbType, Does.StartWith("text/csv").And.Contain("gb18030"));
            Assert.That(gbLines[0].TrimEnd('\r'), Is.EqualTo("sku,name,unit,category,description,listPrice,currency,active,id,createdAt,updatedAt"));
            Assert.That(gbLines.Skip(1).Select(l => l.Split(',')[0]), Is.EquivalentTo(new[] { "CRM-STD", "CRM-PRO" }), "category filter");
            Assert.That(utf8.Take(3), Is.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }), "UTF-8 CSV starts with a BOM for Excel");
            Assert.That(ndjsonType, Does.StartWith("application/x-ndjson"));
            Assert.That(Encoding.UTF8.GetString(ndjson).Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), "active filter");
        });

        var fromGb = await ImportAsync(_client, "products", Raw(gb, "text/csv; charset=gb18030"));
        var fromUtf8 = await ImportAsync(_client, "products", Raw(utf8, "text/csv"));
        var fromNdjson = await ImportAsync(_client, "products", Raw(ndjson, "application/x-ndjson"));

        Assert.Multiple(() =>
        {
            Assert.That((fromGb.Unchanged, fromGb.Updated, fromGb.Created, fromGb.Rejected), Is.EqualTo((2L, 0L, 0L, 0L)), Lines(fromGb));
            Assert.That((fromUtf8.Unchanged, fromUtf8.Updated, fromUtf8.Created, fromUtf8.Rejected), Is.EqualTo((3L, 0L, 0L, 0L)), Lines(fromUtf8));
            Assert.That((fromNdjson.Unchanged, fromNdjson.Rejected), Is.EqualTo((1L, 0L)), Lines(fromNdjson));
        });
        await ReadProblemAsync(await rep.GetAsync("/api/v1/sales/products/export?format=xlsx"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await rep.GetAsync("/api/v1/sales/products/export?charset=latin1"), HttpStatusCode.BadRequest);
    }

    private async Task<(Guid Mine, Guid Theirs, Guid Unassigned)> SeedLeadsAsync()
    {
        using var rep1 = Factory.ClientFor(_rep1);
        using var rep2 = Factory.ClientFor(_rep2);
        var (mine, _) = await LeadApi.CreateAsync(rep1, new
        {
            companyName = "深圳云帆科技", personName = "陈思", phones = new[] { "138-0013-8000" }, emails = new[] { "chen@yunfan.cn" }, province = "广东省",
            estimatedValue = 120000.5m, score = 70, notes = "展会, 二次跟进", ownerId = _rep1.Id,
        });
        var (theirs, _) = await LeadApi.CreateAsync(rep2, new
        {
            companyName = "杭州云栖", phones = new[] { "136-0000-0003" }, emails = new[] { "zm@yunqi.cn" }, province = "浙江省", ownerId = _rep2.Id,
        });
        var (unassigned, _) = await LeadApi.CreateAsync(_client, new { companyName = "无人认领", emails = new[] { "pool@example.cn" }, province = "广东省" });
        Assert.That(unassigned.OwnerId, Is.Null);
        return (mine.Id, theirs.Id, unassigned.Id);
    }

    [Test]
    public async Task The_lead_export_shows_only_what_the_caller_sees_with_the_list_filters()
    {
        var (mine, theirs, unassigned) = await SeedLeadsAsync();
        using var rep1 = Factory.ClientFor(_rep1);

        var repFile = await ExportAsync(rep1, "/api/v1/sales/leads/export");
        var managerFile = await ExportAsync(_client, "/api/v1/sales/leads/export?province=" + Uri.EscapeDataString("广东省"));
        var teamFile = await ExportAsync(_client, "/api/v1/sales/leads/export?unassigned=false");

        Assert.Multiple(() =>
        {
            Assert.That(repFile, Does.Contain(mine.ToString()).And.Contain(unassigned.ToString()).And.Not.Contain(theirs.ToString()), "a rep sees own and unassigned leads");
            Assert.That(repFile, Does.Contain(_rep1.Email), "the owner is written as ownerEmail, what the import reads");
            Assert.That(managerFile, Does.Contain(mine.ToString()).And.Contain(unassigned.ToString()).And.Not.Contain(theirs.ToString()), "province filter");
            Assert.That(teamFile, Does.Contain(mine.ToString()).And.Contain(theirs.ToString()).And.Not.Contain(unassigned.ToString()), "unassigned filter");
        });
        await ReadProblemAsync(await rep1.GetAsync("/api/v1/sales/leads/export?q=a"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await rep1.GetAsync("/api/v1/sales/leads/export?status=won"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await rep1.GetAsync($"/api/v1/sales/leads/export?teamId={Guid.NewGuid()}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task An_exported_lead_file_re_imports_as_all_unchanged_in_gb18030_csv_and_ndjson()
    {
        await SeedLeadsAsync();
        using var rep1 = Factory.ClientFor(_rep1);
        var versions = await CountAsync("SELECT sum(xmin::text::bigint) FROM sales.leads");

        var (csv, csvType) = await DownloadAsync(_client, "/api/v1/sales/leads/export?charset=gb18030");
        var (ndjson, _) = await DownloadAsync(rep1, "/api/v1/sales/leads/export?format=ndjson");

        var fromCsv = await ImportAsync(_client, "leads", Raw(csv, csvType!));
        var fromNdjson = await ImportAsync(rep1, "leads", Raw(ndjson, "application/x-ndjson"));

        Assert.Multiple(async () =>
        {
            Assert.That((fromCsv.Unchanged, fromCsv.Updated, fromCsv.Created, fromCsv.Rejected), Is.EqualTo((3L, 0L, 0L, 0L)), Lines(fromCsv));
            Assert.That((fromNdjson.Unchanged, fromNdjson.Updated, fromNdjson.Created, fromNdjson.Rejected), Is.EqualTo((2L, 0L, 0L, 0L)), Lines(fromNdjson));
            Assert.That(await CountAsync("SELECT sum(xmin::text::bigint) FROM sales.leads"), Is.EqualTo(versions), "no row was rewritten");
        });
    }
}

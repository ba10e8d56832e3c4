using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Domain;
using Crm.Modules.Integration.Features.Imports;
using static Crm.IntegrationTests.Integration.ImportApi;

namespace Crm.IntegrationTests.Sales.Quotes;

internal sealed class ProductImportTests : IntegrationTest
{
    private const string Catalogue = """
        产品编号,产品名称,单位,产品类别,标准价,是否启用,描述
        crm-std,CRM 标准版,套,软件,29800,是,含 10 个用户
        CRM-PRO,CRM 专业版,套,软件,59800.50,是,
        svc-impl,实施服务,人天,服务,3000,否,按人天计费
        """;

    private TestUser _manager = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task CreateManagerAsync()
    {
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager);
        _client = Factory.ClientFor(_manager);
    }

    [TearDown]
    public void DisposeManager() => _client.Dispose();

    private static string Errors(ImportReport report) =>
        string.Join("; ", report.Errors.Select(e => $"{e.Row} {e.Column}: {e.Message}"));

    [Test]
    public async Task A_gb18030_csv_with_chinese_headers_creates_the_products_as_the_api_would_with_one_audit_summary()
    {
        var report = await ImportAsync(_client, "products", Csv(Catalogue, Gb18030));

        Assert.That((report.Status, report.Created, report.Updated, report.Rejected), Is.EqualTo((ImportJobStatus.Succeeded, 3L, 0L, 0L)), Errors(report));
        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync(
                "SELECT count(*) FROM sales.products WHERE sku = 'CRM-STD' AND name = 'CRM 标准版' AND unit = '套' AND category = '软件' " +
                "AND list_price = 29800 AND currency = 'CNY' AND active AND description = '含 10 个用户'"), Is.EqualTo(1), "SKU upper-cased, defaults applied");
            Assert.That(await CountAsync("SELECT count(*) FROM sales.products WHERE sku = 'CRM-PRO' AND list_price = 59800.50 AND description IS NULL"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.products WHERE sku = 'SVC-IMPL' AND NOT active"), Is.EqualTo(1), "是否启用 = 否");
            Assert.That(await CountAsync(
                "SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'product' AND action = 'created' AND affected_count = 3"), Is.EqualTo(1));
        });

        var (product, _) = await ProductApi.CreateProductAsync(_client, "NEW-1", "新产品", 10m);
        Assert.That(product.Sku, Is.EqualTo("NEW-1"), "the API still creates products next to imported ones");
    }

    [Test]
    public async Task A_product_another_transaction_creates_at_the_same_time_is_a_row_error_while_the_rest_of_the_chunk_lands()
    {
        await ProductApi.CreateProductAsync(_client, "SEED-P", "种子产品", 10m);
        const string csv = "sku,name,unit,listPrice\nRACE-P,并发产品,套,100\nOTHER-P,其他产品,套,200\n";

        var report = await WhileInsertedConcurrentlyAsync("""
            INSERT INTO sales.products
            SELECT (jsonb_populate_record(p, jsonb_build_object('id', gen_random_uuid(), 'sku', 'RACE-P'))).*
              FROM sales.products p WHERE sku = 'SEED-P'
            """, "sales.products", () => ImportAsync(_client, "products", Csv(csv)));

        Assert.Multiple(async () =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((1L, 1L)), Errors(report));
            Assert.That(report.Errors.Single().Row, Is.EqualTo(2));
            Assert.That(report.Errors.Single().Column, Is.EqualTo("sku"));
            Assert.That(report.Errors.Single().Message, Does.Contain("at the same time"));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.products WHERE sku = 'RACE-P' AND name = '种子产品'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.products WHERE sku = 'OTHER-P'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'product' AND action = 'created' AND affected_count = 1"),
                Is.EqualTo(1), "the summary counts only what was inserted");
        });

        var again = await ImportAsync(_client, "products", Csv(csv));
        Assert.That((again.Created, again.Updated, again.Unchanged, again.Rejected), Is.EqualTo((0L, 1L, 1L, 0L)), Errors(again));
    }

    [Test]
    public async Task Running_the_same_file_again_changes_nothing_and_a_changed_cell_updates_only_that_product()
    {
        await ImportAsync(_client, "products", Csv(Catalogue));
        var versions = await CountAsync("SELECT sum(xmin::text::bigint) FROM sales.products");

        var again = await ImportAsync(_client, "products", Csv(Catalogue, Gb18030));

        Assert.That((again.Created, again.Updated, again.Unchanged, again.Rejected), Is.EqualTo((0L, 0L, 3L, 0L)), Errors(again));
        Assert.That(await CountAsync("SELECT sum(xmin::text::bigint) FROM sales.products"), Is.EqualTo(versions), "no row was rewritten");

        var changed = await ImportAsync(_client, "products", Csv("sku,listPrice,active\ncrm-std,31800,true\nSVC-IMPL,3000.00,false\n"));

        Assert.That((changed.Created, changed.Updated, changed.Unchanged), Is.EqualTo((0L, 1L, 1L)), Errors(changed));
        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync("SELECT count(*) FROM sales.products WHERE sku = 'CRM-STD' AND list_price = 31800 AND name = 'CRM 标准版' AND category = '软件'"),
                Is.EqualTo(1), "absent columns keep their values");
            Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'product' AND action = 'updated' AND affected_count = 1"),
                Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Create_mode_refuses_known_skus_update_mode_refuses_unknown_ones_and_sku_is_the_only_match_key()
    {
        await ImportAsync(_client, "products", Csv(Catalogue));

        var created = await ImportAsync(_client, "products", Csv("sku,name,unit,listPrice\nCRM-STD,x,套,1\nNEW-2,新品,个,5\n"), "mode=create");
        var updated = await ImportAsync(_client, "products", Csv("sku,name\nCRM-PRO,CRM 专业版 2026\nNOPE-1,没有\n"), "mode=update&matchOn=sku");

        Assert.Multiple(async () =>
        {
            Assert.That((created.Created, created.Rejected, created.Errors.Single().Row, created.Errors.Single().Column), Is.EqualTo((1L, 1L, 2, "sku")));
            Assert.That((updated.Updated, updated.Rejected, updated.Errors.Single().Row), Is.EqualTo((1L, 1L, 3)));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.products WHERE sku = 'CRM-PRO' AND name = 'CRM 专业版 2026'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.products WHERE sku IN ('NEW-2', 'NOPE-1')"), Is.EqualTo(1));
        });
        await ReadProblemAsync(await _client.PostAsync("/api/v1/imports/products?matchOn=name", Csv("sku,name\nA,b\n")), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _client.PostAsync("/api/v1/imports/products", Csv("sku,name,colour\nA,b,red\n")), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Bad_rows_are_rejected_with_their_line_and_column_and_the_valid_rows_are_imported()
    {
        var csv = """
            sku,name,unit,listPrice,currency,active
            GOOD-1,好产品,个,10,cny,true
            NO-NAME,,个,10,,true
            NEG-1,负价,个,-1,,true
            BAD-BOOL,布尔,个,1,,maybe
            ,没有编号,个,1,,true
            good-1,重复,个,1,,true
            HAS SPACE,空格,个,1,,true
            BAD-CUR,币种,个,1,RMB1,true
            NO-PRICE,无价,个,,,true
            """;

        var report = await ImportAsync(_client, "products", Csv(csv));

        var errors = report.Errors.Select(e => (e.Row, e.Column)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((1L, 8L)), Errors(report));
            Assert.That(errors, Does.Contain((3, (string?)"name")));
            Assert.That(errors, Does.Contain((4, (string?)"listPrice")));
            Assert.That(errors, Does.Contain((5, (string?)"active")));
            Assert.That(errors, Does.Contain((6, (string?)"sku")), "sku is required");
            Assert.That(errors, Does.Contain((7, (string?)"sku")), "a duplicate of row 2 in the file (SKUs compare case-insensitively)");
            Assert.That(report.Errors.Single(e => e.Row == 7).Message, Does.Contain("row 2"));
            Assert.That(errors, Does.Contain((8, (string?)"sku")));
            Assert.That(errors, Does.Contain((9, (string?)"currency")));
            Assert.That(errors, Does.Contain((10, (string?)"listPrice")));
        });
        Assert.That(await CountAsync("SELECT count(*) FROM sales.products WHERE sku = 'GOOD-1' AND currency = 'CNY'"), Is.EqualTo(1));
        Assert.That(await CountAsync("SELECT count(*) FROM sales.products"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_dry_run_reports_the_same_and_changes_nothing()
    {
        var dry = await ImportAsync(_client, "products", Csv(Catalogue + "\nBAD,坏,个,软件,-5,是,\n"), "dryRun=true");

        Assert.Multiple(async () =>
        {
            Assert.That((dry.DryRun, dry.Created, dry.Rejected, dry.Errors.Single().Row), Is.EqualTo((true, 3L, 1L, 5)), Errors(dry));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.products"), Is.EqualTo(0));
            Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'product'"), Is.EqualTo(0));
        });
    }

    [Test]
    public async Task Ndjson_and_json_bodies_import_the_same_fields()
    {
        var ndjson = await ImportAsync(_client, "products", Body(
            "{\"sku\":\"N-1\",\"name\":\"行一\",\"unit\":\"个\",\"listPrice\":12.5,\"active\":true}\n{\"sku\":\"N-2\",\"name\":\"行二\",\"unit\":\"个\",\"listPrice\":\"7\"}\n",
            "application/x-ndjson"));
        var json = await ImportAsync(_client, "products", Body(
            "[{\"产品编号\":\"J-1\",\"产品名称\":\"数组\",\"单位\":\"台\",\"标准价\":99,\"币种\":\"USD\"}]", "application/json"));

        Assert.Multiple(async () =>
        {
            Assert.That((ndjson.Created, json.Created), Is.EqualTo((2L, 1L)), Errors(ndjson) + Errors(json));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.products WHERE (sku = 'N-1' AND list_price = 12.5) OR (sku = 'J-1' AND currency = 'USD')"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Importing_products_needs_sales_manage_besides_imports_write()
    {
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using var repClient = Factory.ClientFor(rep);

        var problem = await ReadProblemAsync(await repClient.PostAsync("/api/v1/imports/products", Csv(Catalogue)), HttpStatusCode.Forbidden);

        Assert.Multiple(async () =>
        {
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("sales:manage"));
            Assert.That(await CountAsync("SELECT count(*) FROM integration.import_jobs"), Is.EqualTo(0), "refused before a job is recorded");
            Assert.That(await CountAsync("SELECT count(*) FROM sales.products"), Is.EqualTo(0));
        });
        Assert.That((await ImportAsync(repClient, "leads", Csv("companyName,emails\n甲,a@example.cn\n"))).Created, Is.EqualTo(1), "other entities need only imports:write");
    }
}

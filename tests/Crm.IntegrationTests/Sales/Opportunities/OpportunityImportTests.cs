using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Integration.Domain;
using Crm.Modules.Integration.Features.Imports;
using static Crm.IntegrationTests.Integration.ImportApi;

namespace Crm.IntegrationTests.Sales.Opportunities;

internal sealed class OpportunityImportTests : IntegrationTest
{
    private TestUser _manager = null!;
    private TestUser _rep = null!;
    private TestUser _outsider = null!;
    private HttpClient _client = null!;
    private string _code = null!;
    private string _outsiderCode = null!;

    [SetUp]
    public async Task CreateOrgAsync()
    {
        var east = await TestUsers.CreateTeamAsync(Factory, "商机导入东区", TeamKind.Group);
        var west = await TestUsers.CreateTeamAsync(Factory, "商机导入西区", TeamKind.Group);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, east);
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, east);
        _outsider = await TestUsers.CreateAsync(Factory, Roles.SalesRep, west);
        _client = Factory.ClientFor(_manager);
        using var rep = Factory.ClientFor(_rep);
        _code = (await CustomerApi.CreateAsync(rep, new { kind = "organization", name = "商机导入客户", externalId = "CUS-EXT-1" })).Customer.Code;
        using var outsider = Factory.ClientFor(_outsider);
        _outsiderCode = (await CustomerApi.CreateAsync(outsider, "西区客户")).Customer.Code;
    }

    [TearDown]
    public void DisposeManager() => _client.Dispose();

    private static string Lines(ImportReport report) => string.Join("; ", report.Errors.Select(e => $"{e.Row} {e.Column}: {e.Message}"));

    private string Deals() => $"""
        外部编号,商机名称,客户编号,客户外部编号,阶段,金额,币种,预计成交日期,负责人
        ERP-1,ERP 一期,{_code},,意向达成,120000.50,,2027-03-31,{_rep.Email}
        ERP-2,ERP 二期,,CUS-EXT-1,businessNegotiation,80000,cny,,
        ERP-3,运维服务,{_code.ToLowerInvariant()},,,5000,,,{_rep.Email}
        """;

    [Test]
    public async Task A_gb18030_csv_creates_opportunities_with_customers_owners_and_stages_by_natural_key_and_the_api_events()
    {
        var report = await ImportAsync(_client, "opportunities", Csv(Deals(), Gb18030));

        Assert.That((report.Status, report.Created, report.Rejected), Is.EqualTo((ImportJobStatus.Succeeded, 3L, 0L)), Lines(report));
        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM sales.opportunities WHERE external_id = 'ERP-1' AND stage_id = '{OpportunityApi.StageId("intentReached")}' " +
                $"AND probability = 30 AND amount = 120000.50 AND expected_close_date = '2027-03-31' AND owner_id = '{_rep.Id}' AND status = 'Open'"), Is.EqualTo(1));
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM sales.opportunities WHERE external_id = 'ERP-2' AND stage_id = '{OpportunityApi.StageId("businessNegotiation")}' " +
                $"AND currency = 'CNY' AND owner_id = '{_manager.Id}'"), Is.EqualTo(1), "customer by external id; owner defaults to the caller");
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.opportunities WHERE external_id = 'ERP-3' AND stage_id = '{OpportunityApi.StageId("initialContact")}'"),
                Is.EqualTo(1), "no stage: the default pipeline's first stage");
            Assert.That(await CountAsync("SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%OpportunityCreated'"), Is.EqualTo(3));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.opportunity_stage_changes"), Is.EqualTo(0), "a new opportunity starts in its stage, as by the API");
            Assert.That(await CountAsync("SELECT coalesce(sum(affected_count), 0) FROM platform.audit_entries WHERE entity_type = 'opportunity' AND action = 'created'"),
                Is.EqualTo(3));
        });
    }

    [Test]
    public async Task An_opportunity_another_transaction_creates_at_the_same_time_is_a_row_error_while_the_rest_of_the_chunk_lands()
    {
        await ImportAsync(_client, "opportunities", Csv($"externalId,name,customerCode,amount\nSEED-O,种子商机,{_code},1000\n"));
        var csv = $"externalId,name,customerCode,amount\nRACE-O,并发商机,{_code},2000\nOTHER-O,其他商机,{_code},3000\n";

        var report = await WhileInsertedConcurrentlyAsync("""
            INSERT INTO sales.opportunities
            SELECT (jsonb_populate_record(o, jsonb_build_object('id', gen_random_uuid(), 'external_id', 'RACE-O'))).*
              FROM sales.opportunities o WHERE external_id = 'SEED-O'
            """, "sales.opportunities", () => ImportAsync(_client, "opportunities", Csv(csv)));

        Assert.Multiple(async () =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((1L, 1L)), Lines(report));
            Assert.That(report.Errors.Single().Row, Is.EqualTo(2));
            Assert.That(report.Errors.Single().Column, Is.EqualTo("externalId"));
            Assert.That(report.Errors.Single().Message, Does.Contain("at the same time"));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.opportunities WHERE external_id = 'RACE-O' AND name = '种子商机'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%OpportunityCreated'"), Is.EqualTo(2), "SEED-O and OTHER-O only");
        });

        var again = await ImportAsync(_client, "opportunities", Csv(csv));
        Assert.That((again.Created, again.Updated, again.Unchanged, again.Rejected), Is.EqualTo((0L, 1L, 1L, 0L)), Lines(again));
    }

    [Test]
    public async Task Re_running_changes_nothing_and_a_stage_change_writes_history_and_the_stage_event()
    {
        await ImportAsync(_client, "opportunities", Csv(Deals()));
        var versions = await CountAsync("SELECT sum(xmin::text::bigint) FROM sales.opportunities");

        var again = await ImportAsync(_client, "opportunities", Csv(Deals(), Gb18030));

        Assert.That((again.Created, again.Updated, again.Unchanged, again.Rejected), Is.EqualTo((0L, 0L, 3L, 0L)), Lines(again));
        Assert.That(await CountAsync("SELECT sum(xmin::text::bigint) FROM sales.opportunities"), Is.EqualTo(versions), "no row was rewritten");

        var moved = await ImportAsync(_client, "opportunities", Csv("externalId,stage,amount\nERP-1,合同签订,150000\nERP-2,商务谈判,80000\n"));

        Assert.That((moved.Updated, moved.Unchanged), Is.EqualTo((1L, 1L)), Lines(moved));
        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM sales.opportunities WHERE external_id = 'ERP-1' AND stage_id = '{OpportunityApi.StageId("contractSigned")}' AND probability = 90 " +
                "AND amount = 150000 AND name = 'ERP 一期'"), Is.EqualTo(1), "absent columns keep their value");
            Assert.That(await CountAsync(
                $"SELECT count(*) FROM sales.opportunity_stage_changes WHERE from_stage_id = '{OpportunityApi.StageId("intentReached")}' " +
                $"AND to_stage_id = '{OpportunityApi.StageId("contractSigned")}' AND changed_by = '{_manager.Id}'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.outbox_messages WHERE type LIKE '%OpportunityStageChanged' AND payload->>'toStageCode' = 'contractSigned'"),
                Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Rows_that_close_name_hidden_customers_or_change_what_import_may_not_are_rejected_with_their_line()
    {
        await ImportAsync(_client, "opportunities", Csv(Deals()));
        var csv = $"""
            externalId,name,customerCode,stage,amount,expectedCloseDate,ownerEmail
            NEW-1,直接赢单,{_code},closedWon,1,,
            ERP-1,,,赢单,,,
            NEW-2,看不见的客户,{_outsiderCode},,1,,
            NEW-3,没有客户,,,1,,
            NEW-4,没有阶段,{_code},报价中,1,,
            ERP-2,,,,,,{_outsider.Email}
            NEW-5,坏日期,{_code},,1,2027-13-01,
            NEW-6,负金额,{_code},,-5,,
            ,没有编号,{_code},,1,,
            NEW-7,好的,{_code},,1,,
            NEW-7,重复,{_code},,1,,
            ERP-3,换客户,{_outsiderCode},,,,
            """;

        var report = await ImportAsync(_client, "opportunities", Csv(csv));

        var errors = report.Errors.Select(e => (e.Row, e.Column)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((1L, 11L)), Lines(report));
            Assert.That(errors, Does.Contain((2, (string?)"stage")), "a new opportunity cannot start closed");
            Assert.That(errors, Does.Contain((3, (string?)"stage")), "closing goes through the actions");
            Assert.That(errors, Does.Contain((4, (string?)"customerCode")), "a customer the caller cannot see");
            Assert.That(errors, Does.Contain((5, (string?)"customerCode")));
            Assert.That(errors, Does.Contain((6, (string?)"stage")));
            Assert.That(errors, Does.Contain((7, (string?)"ownerEmail")), "owners change through PATCH");
            Assert.That(errors, Does.Contain((8, (string?)"expectedCloseDate")));
            Assert.That(errors, Does.Contain((9, (string?)"amount")));
            Assert.That(errors, Does.Contain((10, (string?)"externalId")));
            Assert.That(errors, Does.Contain((12, (string?)"externalId")), "a duplicate of row 11");
            Assert.That(errors, Does.Contain((13, (string?)"customerCode")), "an opportunity stays with its customer");
        });
        Assert.That(await CountAsync("SELECT count(*) FROM sales.opportunities"), Is.EqualTo(4));
    }

    [Test]
    public async Task Modes_dry_run_and_visibility_apply_to_updates()
    {
        await ImportAsync(_client, "opportunities", Csv(Deals()));
        using var outsider = Factory.ClientFor(_outsider);

        var created = await ImportAsync(_client, "opportunities", Csv($"externalId,name,customerCode\nERP-1,x,{_code}\nERP-9,新的,{_code}\n"), "mode=create");
        var updated = await ImportAsync(_client, "opportunities", Csv("externalId,amount\nERP-3,6000\nERP-404,1\n"), "mode=update&matchOn=externalId");
        var dry = await ImportAsync(_client, "opportunities", Csv($"externalId,name,customerCode\nERP-10,试算,{_code}\n"), "dryRun=true");
        var hidden = await ImportAsync(outsider, "opportunities", Csv("externalId,amount\nERP-1,1\n"));

        Assert.Multiple(async () =>
        {
            Assert.That((created.Created, created.Rejected, created.Errors.Single().Row), Is.EqualTo((1L, 1L, 2)), Lines(created));
            Assert.That((updated.Updated, updated.Rejected, updated.Errors.Single().Row), Is.EqualTo((1L, 1L, 3)), Lines(updated));
            Assert.That((dry.Created, await CountAsync("SELECT count(*) FROM sales.opportunities WHERE external_id = 'ERP-10'")), Is.EqualTo((1L, 0L)));
            Assert.That((hidden.Updated, hidden.Rejected), Is.EqualTo((0L, 1L)), "another team's opportunity is not reachable by import");
            Assert.That(await CountAsync("SELECT count(*) FROM sales.opportunities WHERE external_id = 'ERP-1' AND amount = 120000.50"), Is.EqualTo(1));
        });
        await ReadProblemAsync(await _client.PostAsync("/api/v1/imports/opportunities?matchOn=name", Csv("name\nx\n")), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task The_export_shows_what_the_caller_sees_and_re_imports_unchanged_won_deals_included()
    {
        await ImportAsync(_client, "opportunities", Csv(Deals()));
        var erp3 = await _client.GetStringAsync("/api/v1/sales/opportunities/export?externalId=ERP-3&format=ndjson");
        var erp3Id = System.Text.Json.JsonDocument.Parse(erp3).RootElement.GetProperty("id").GetGuid();
        var win = await _client.PostAsync($"/api/v1/sales/opportunities/{erp3Id}/win", null);
        Assert.That(win.StatusCode, Is.EqualTo(HttpStatusCode.OK), await win.Content.ReadAsStringAsync());
        using var outsider = Factory.ClientFor(_outsider);

        var csv = await _client.GetAsync("/api/v1/sales/opportunities/export?charset=gb18030");
        var csvBytes = await csv.Content.ReadAsByteArrayAsync();
        var ndjson = await _client.GetByteArrayAsync("/api/v1/sales/opportunities/export?format=ndjson");
        var open = await ExportAsync(_client, "/api/v1/sales/opportunities/export?status=open");
        var theirs = await ExportAsync(outsider, "/api/v1/sales/opportunities/export");

        Assert.Multiple(() =>
        {
            Assert.That(csv.Content.Headers.ContentType?.CharSet, Is.EqualTo("gb18030"));
            Assert.That(Gb18030.GetString(csvBytes), Does.Contain(_code).And.Contain("intentReached").And.Contain("closedWon").And.Contain(_rep.Email));
            Assert.That(open, Does.Contain("ERP-1").And.Not.Contain("ERP-3"), "status filter");
            Assert.That(theirs.Trim().Split('\n'), Has.Length.EqualTo(1), "only the header: another team's deals stay hidden");
        });

        var csvContent = new ByteArrayContent(csvBytes);
        csvContent.Headers.ContentType = MediaTypeHeaderValue.Parse("text/csv; charset=gb18030");
        var fromCsv = await ImportAsync(_client, "opportunities", csvContent);
        var fromNdjson = await ImportAsync(_client, "opportunities", Body(Encoding.UTF8.GetString(ndjson), "application/x-ndjson"));

        Assert.Multiple(() =>
        {
            Assert.That((fromCsv.Unchanged, fromCsv.Updated, fromCsv.Created, fromCsv.Rejected), Is.EqualTo((3L, 0L, 0L, 0L)), Lines(fromCsv));
            Assert.That((fromNdjson.Unchanged, fromNdjson.Rejected), Is.EqualTo((3L, 0L)), Lines(fromNdjson));
        });
    }
}

using System.Net;
using System.Text;
using System.Text.Json;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Integration.Domain;
using Npgsql;
using static Crm.IntegrationTests.Customers.CustomerApi;
using static Crm.IntegrationTests.Integration.ImportApi;

namespace Crm.IntegrationTests.Integration;

internal sealed class CustomerImportTests : IntegrationTest
{
    private const string Header = "kind,name,shortName,externalId,registrationNumber,phones,emails,province,tags";

    private TestUser _rep = null!;
    private HttpClient _client = null!;

    [SetUp]
    public async Task SignInAsync()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group);
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        _client = Factory.ClientFor(_rep);
    }

    [TearDown]
    public void DisposeClient2() => _client.Dispose();

    private static async Task<List<object?[]>> RowsAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(IntegrationTestRun.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var values = new object?[reader.FieldCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(values);
        }

        return rows;
    }

    [Test]
    public async Task A_csv_import_creates_customers_with_generated_codes_the_callers_ownership_and_the_search_columns_the_api_derives()
    {
        var csv = $"""
            {Header}
            organization,华为技术有限公司,华为,ERP-1,{CreditCode},138-0013-8000;+86 10 1234 5678,Sales@Huawei.com,广东省,5G;ICT
            individual,张三,,ERP-2,,13900000000,,北京市,
            """;

        var report = await ImportCsvAsync(_client, csv);

        Assert.That((report.Status, report.Created, report.Updated, report.Unchanged, report.Rejected), Is.EqualTo((ImportJobStatus.Succeeded, 2L, 0L, 0L, 0L)));
        var rows = await RowsAsync("SELECT code, search_text, name_bigrams, owner_id, team_id, phones, emails, tags FROM customers.customers WHERE external_id = 'ERP-1'");
        var row = rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That((string)row[0]!, Does.Match("^C[0-9]{8,}$"));
            Assert.That(row[1], Is.EqualTo(CustomerSearch.SearchText("华为技术有限公司", "华为", "ERP-1", ["13800138000", "+861012345678"], ["sales@huawei.com"])));
            Assert.That(row[2], Is.EqualTo(CustomerSearch.NameBigrams("华为技术有限公司", "华为").ToArray()));
            Assert.That(row[3], Is.EqualTo(_rep.Id));
            Assert.That(row[4], Is.Not.Null);
            Assert.That(row[5], Is.EqualTo(new[] { "13800138000", "+861012345678" }));
            Assert.That(row[6], Is.EqualTo(new[] { "sales@huawei.com" }));
            Assert.That(row[7], Is.EqualTo(new[] { "5G", "ICT" }));
        });

        var found = await _client.GetStringAsync("/api/v1/customers?q=" + Uri.EscapeDataString("华为"));
        Assert.That(found, Does.Contain("ERP-1").And.Not.Contain("ERP-2"));
    }

    [Test]
    public async Task A_gb18030_csv_with_chinese_headers_and_values_imports_with_the_owner_named_by_email()
    {
        var team = await TestUsers.CreateTeamAsync(Factory, "销售部", TeamKind.Department);
        var manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, team);
        var rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, team);
        var csv = $"客户类型,客户名称,手机,省份,负责人,外部编号,生命周期\r\n企业,深圳市腾讯计算机系统有限公司,0755-86013388,广东省,{rep.Email},T-1,成长期\r\n";
        using var client = Factory.ClientFor(manager);

        var report = await ImportAsync(client, "customers", Csv(csv, Gb18030));

        Assert.That(report.Created, Is.EqualTo(1), string.Join("; ", report.Errors.Select(e => e.Message)));
        var row = (await RowsAsync("SELECT name, province, owner_id, kind, lifecycle_stage FROM customers.customers WHERE external_id = 'T-1'")).Single();
        Assert.That(row, Is.EqualTo(new object?[] { "深圳市腾讯计算机系统有限公司", "广东省", rep.Id, "Organization", "Growth" }));
    }

    [Test]
    public async Task Utf8_with_a_bom_ndjson_and_a_json_array_import_the_same_way()
    {
        var bom = await ImportAsync(_client, "customers", Csv("客户名称,客户类型,外部编号\n阿里巴巴,organization,A-1\n", bom: true));
        var ndjson = await ImportAsync(_client, "customers", Body(
            """
            {"kind":"organization","name":"京东","externalId":"J-1","phones":["010-8911 8888"],"isKeyAccount":true,"creditLimit":1250.5}

            {"kind":"individual","name":"李四","externalId":"J-2"}
            """, "application/x-ndjson"));
        var json = await ImportAsync(_client, "customers", Body("""[{"kind":"organization","name":"美团","externalId":"M-1","tags":["外卖"]}]""", "application/json"));

        Assert.Multiple(async () =>
        {
            Assert.That((bom.Created, ndjson.Created, json.Created), Is.EqualTo((1L, 2L, 1L)));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE external_id = 'A-1' AND name = '阿里巴巴'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE external_id = 'J-1' AND is_key_account AND credit_limit = 1250.50 AND phones = '{01089118888}'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE external_id = 'M-1' AND tags = '{外卖}'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Rejected_rows_are_reported_with_their_line_numbers_and_never_block_the_valid_ones()
    {
        var csv = $"""
            kind,name,externalId,registrationNumber,address,lifecycleStage
            organization,好公司,OK-1,,"深圳市
            南山区",potential
            organization,坏代码,BAD-1,91350100M000100Y44,,
            organization,,BAD-2,,,
            organization,坏阶段,BAD-3,,,sleeping
            individual,好个人,OK-2,{IdNumber},,
            """;

        var report = await ImportCsvAsync(_client, csv);

        Assert.Multiple(() =>
        {
            Assert.That((report.Created, report.Rejected, report.RowsProcessed), Is.EqualTo((2L, 3L, 5L)));
            Assert.That(report.Errors.Select(e => (e.Row, e.Column)), Is.EqualTo(new (int, string?)[] { (4, "registrationNumber"), (5, "name"), (6, "lifecycleStage") }));
            Assert.That(report.Errors[0].Message, Does.Contain("unified social credit code"));
        });
        Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE external_id IN ('OK-1', 'OK-2')"), Is.EqualTo(2));
    }

    [Test]
    public async Task Duplicates_within_the_file_and_against_the_database_are_rejected()
    {
        await CreateAsync(_client, new { kind = "organization", name = "已存在", externalId = "DB-1", registrationNumber = OtherCreditCode });
        var csv = $"""
            kind,name,externalId,registrationNumber
            organization,甲,F-1,{CreditCode}
            organization,乙,F-1,
            organization,丙,F-2,{CreditCode}
            organization,丁,F-3,{OtherCreditCode}
            """;

        var report = await ImportCsvAsync(_client, csv, "mode=create");

        Assert.Multiple(() =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((1L, 3L)));
            Assert.That(report.Errors.Select(e => e.Row), Is.EqualTo(new[] { 3, 4, 5 }));
            Assert.That(report.Errors[0].Message, Does.Contain("Duplicate of row 2"));
            Assert.That(report.Errors[1].Message, Does.Contain("Duplicate of row 2"));
            Assert.That(report.Errors[2].Message, Does.Contain("already has the registration number"));
        });
    }

    [Test]
    public async Task A_second_row_for_the_same_existing_customer_is_rejected_and_its_values_are_not_written()
    {
        await CreateAsync(_client, new { kind = "organization", name = "原名称", externalId = "TWICE-1", phones = new[] { "13800000001", "13800000002" } });
        var csv = """
            kind,name,externalId,industry
            organization,第一次改名,TWICE-1,制造业
            organization,第二次改名,TWICE-1,零售业
            """;

        var report = await ImportCsvAsync(_client, csv, "mode=upsert");
        var byPhone = await ImportCsvAsync(_client, "name,phones\n按电话一,13800000001\n按电话二,13800000002\n", "mode=update&matchOn=phone");

        Assert.Multiple(async () =>
        {
            Assert.That((report.Updated, report.Rejected), Is.EqualTo((1L, 1L)));
            Assert.That(report.Errors.Single().Message, Is.EqualTo("Duplicate of row 2 in this file (externalId 'TWICE-1')."));
            Assert.That((byPhone.Updated, byPhone.Rejected), Is.EqualTo((1L, 1L)));
            Assert.That(byPhone.Errors.Single().Message, Does.StartWith("Row 2 of this file already matches customer "));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE external_id = 'TWICE-1' AND name = '按电话一' AND industry = '制造业'"), Is.EqualTo(1),
                "each customer holds the values of the first row that matched it");
        });
    }

    [Test]
    public async Task A_new_key_saved_by_a_concurrent_transaction_rejects_only_that_row()
    {
        await ImportCsvAsync(_client, "kind,name,externalId\norganization,模板公司,RACE-SEED\n");
        await using var rival = new NpgsqlConnection(IntegrationTestRun.ConnectionString);
        await rival.OpenAsync();
        await using var transaction = await rival.BeginTransactionAsync();
        // Another writer saves RACE-1 and has not committed yet: the import's probes cannot see it.
        await using (var insert = new NpgsqlCommand(
            """
            INSERT INTO customers.customers
            SELECT (jsonb_populate_record(NULL::customers.customers, to_jsonb(c) || jsonb_build_object(
                'id', gen_random_uuid(), 'code', 'CRACE1', 'external_id', 'RACE-1', 'name', '对手公司', 'name_key', 'race-rival'))).*
            FROM customers.customers c WHERE c.external_id = 'RACE-SEED'
            """, rival, transaction))
        {
            await insert.ExecuteNonQueryAsync();
        }

        var import = ImportCsvAsync(_client, "kind,name,externalId\norganization,竞速一号公司,RACE-1\norganization,竞速二号公司,RACE-2\n");
        await WaitForBlockedCopyAsync();
        await transaction.CommitAsync();
        var report = await import;

        var codes = await RowsAsync("SELECT external_id, code, name FROM customers.customers WHERE external_id IN ('RACE-1', 'RACE-2') ORDER BY external_id");
        Assert.Multiple(() =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((1L, 1L)));
            Assert.That(report.Errors.Single().Row, Is.EqualTo(2));
            Assert.That(report.Errors.Single().Message, Does.Contain("saved at the same time"));
            Assert.That(codes.Select(r => (string)r[2]!), Is.EqualTo(new[] { "对手公司", "竞速二号公司" }));
            Assert.That((string)codes[1][1]!, Does.Match("^C[0-9]{8,}$"));
        });
    }

    /// <summary>Waits until the import's COPY waits on the rival's uncommitted key (its unique check blocks until that commits).</summary>
    private static async Task WaitForBlockedCopyAsync()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var waiting = await RowsAsync("SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'COPY customers.customers%'");
            if (waiting.Count > 0)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail("The import's COPY never waited on the concurrent transaction's key.");
    }

    [Test]
    public async Task Re_running_the_same_file_changes_nothing()
    {
        var csv = $"""
            {Header}
            organization,华为技术有限公司,华为,ERP-1,{CreditCode},13800138000,a@b.com,广东省,5G
            individual,张三,,ERP-2,,13900000000,,北京市,
            """;
        await ImportCsvAsync(_client, csv);
        var before = await CountAsync("SELECT count(*) FROM customers.customers");
        var versions = await RowsAsync("SELECT xmin::text, updated_at FROM customers.customers ORDER BY external_id");

        var again = await ImportCsvAsync(_client, csv);

        Assert.Multiple(async () =>
        {
            Assert.That((again.Created, again.Updated, again.Unchanged, again.Rejected), Is.EqualTo((0L, 0L, 2L, 0L)));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(before));
            Assert.That(await RowsAsync("SELECT xmin::text, updated_at FROM customers.customers ORDER BY external_id"), Is.EqualTo(versions));
        });
    }

    [Test]
    public async Task Modes_create_update_and_upsert_treat_matches_and_misses_as_documented()
    {
        await ImportCsvAsync(_client, "kind,name,externalId,province\norganization,旧名,E-1,广东省\n");

        var create = await ImportCsvAsync(_client, "kind,name,externalId\norganization,新名,E-1\n", "mode=create");
        var update = await ImportCsvAsync(_client, "name,externalId\n新名,E-1\n新客户,E-2\n", "mode=update");
        var upsert = await ImportCsvAsync(_client, "kind,name,externalId\norganization,更新,E-1\norganization,新建,E-3\n", "mode=upsert");

        Assert.Multiple(async () =>
        {
            Assert.That((create.Created, create.Rejected), Is.EqualTo((0L, 1L)));
            Assert.That(create.Errors.Single().Message, Does.Contain("already exists"));
            Assert.That((update.Updated, update.Rejected), Is.EqualTo((1L, 1L)));
            Assert.That(update.Errors.Single().Row, Is.EqualTo(3));
            Assert.That((upsert.Created, upsert.Updated), Is.EqualTo((1L, 1L)));
            // Columns the file does not carry keep their values, as in a merge patch.
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE external_id = 'E-1' AND name = '更新' AND province = '广东省'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task MatchOn_code_credit_code_email_and_phone_find_the_existing_customer()
    {
        var (customer, _) = await CreateAsync(_client, new
        {
            kind = "organization", name = "原名", registrationNumber = CreditCode, phones = new[] { "138-0013-8000" }, emails = new[] { "A@B.com" },
        });

        var byCode = await ImportCsvAsync(_client, $"code,industry\n{customer.Code.ToLowerInvariant()},制造业\n", "matchOn=code&mode=update");
        var byCreditCode = await ImportCsvAsync(_client, $"统一社会信用代码,tier\n{CreditCode.ToLowerInvariant()},A\n", "matchOn=creditCode&mode=update");
        var byEmail = await ImportCsvAsync(_client, "emails,province,city\na@b.com,广东省,深圳市\n", "matchOn=email&mode=update");
        var byPhone = await ImportCsvAsync(_client, "手机,district\n+86 138 0013 8000,南山区\n", "matchOn=phone&mode=update");

        Assert.Multiple(async () =>
        {
            Assert.That(new[] { byCode.Updated, byCreditCode.Updated, byEmail.Updated, byPhone.Updated }, Is.All.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE id = '{customer.Id}' AND industry = '制造业' AND tier = 'A' AND city = '深圳市' AND district = '南山区'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_dry_run_reports_what_would_happen_and_changes_nothing()
    {
        var csv = "kind,name,externalId\norganization,甲,D-1\norganization,,D-2\norganization,乙,D-1\n";

        var dry = await ImportCsvAsync(_client, csv, "dryRun=true");

        Assert.Multiple(async () =>
        {
            Assert.That((dry.DryRun, dry.Created, dry.Rejected), Is.EqualTo((true, 1L, 2L)));
            Assert.That(dry.Errors.Select(e => e.Row), Is.EqualTo(new[] { 3, 4 }));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers"), Is.EqualTo(0));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.outbox_messages"), Is.EqualTo(0));
        });
        var real = await ImportCsvAsync(_client, csv);
        Assert.That((real.Created, real.Rejected), Is.EqualTo((dry.Created, dry.Rejected)));
    }

    [Test]
    public async Task An_update_of_a_customer_the_caller_cannot_see_is_rejected_without_changing_it()
    {
        var other = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using (var otherClient = Factory.ClientFor(other))
        {
            await ImportCsvAsync(otherClient, "kind,name,externalId\norganization,别人的,V-1\n");
        }

        var report = await ImportCsvAsync(_client, "kind,name,externalId\norganization,改名,V-1\n");

        Assert.Multiple(async () =>
        {
            Assert.That((report.Updated, report.Created, report.Rejected), Is.EqualTo((0L, 0L, 1L)));
            Assert.That(report.Errors.Single().Message, Does.Contain("No customer you may change"));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE name = '别人的'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Owners_named_in_the_file_must_be_active_users_the_caller_may_assign()
    {
        var other = await TestUsers.CreateAsync(Factory, Roles.SalesRep);

        var report = await ImportCsvAsync(_client, $"kind,name,externalId,ownerEmail\norganization,甲,O-1,{other.Email}\norganization,乙,O-2,nobody@test.local\norganization,丙,O-3,{_rep.Email.ToUpperInvariant()}\n");

        Assert.Multiple(() =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((1L, 2L)));
            Assert.That(report.Errors.Select(e => (e.Row, e.Column)), Is.EqualTo(new (int, string?)[] { (2, "ownerEmail"), (3, "ownerEmail") }));
        });
    }

    [Test]
    public async Task An_api_key_with_the_imports_scope_imports_rows_that_name_their_owner()
    {
        using var admin = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.Admin));
        async Task<HttpClient> KeyAsync(params string[] scopes)
        {
            var created = await admin.PostAsync("/api/v1/api-keys", JsonBody(new { name = "ERP", scopes }));
            var body = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
            var client = Factory.CreateClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", body.GetProperty("key").GetString());
            return client;
        }

        using var importer = await KeyAsync(Permissions.ImportsWrite);
        using var reader = await KeyAsync(Permissions.CustomersRead);

        var report = await ImportCsvAsync(importer, $"kind,name,externalId,ownerEmail\norganization,甲,K-1,{_rep.Email}\norganization,乙,K-2,\n");

        Assert.Multiple(async () =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((1L, 1L)));
            Assert.That(report.Errors.Single().Message, Does.Contain("ownerEmail is required"));
            Assert.That(await CountAsync($"SELECT count(*) FROM customers.customers WHERE external_id = 'K-1' AND owner_id = '{_rep.Id}'"), Is.EqualTo(1));
        });
        await ReadProblemAsync(await reader.PostAsync("/api/v1/imports/customers", Csv("name\nx\n")), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Files_that_cannot_be_imported_are_clear_problems()
    {
        await ReadProblemAsync(await _client.PostAsync("/api/v1/imports/customers", Csv("kind,name,colour\norganization,x,red\n")), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _client.PostAsync("/api/v1/imports/customers", Csv(string.Empty)), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _client.PostAsync("/api/v1/imports/customers?matchOn=name", Csv("name\nx\n")), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _client.PostAsync("/api/v1/imports/customers?mode=merge", Csv("name\nx\n")), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _client.PostAsync("/api/v1/imports/customers", Body("<xml/>", "application/xml")), HttpStatusCode.UnsupportedMediaType);
        await ReadProblemAsync(await _client.PostAsync("/api/v1/imports/customers", Body("name\nx\n", "text/csv; charset=latin-9")), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _client.PostAsync("/api/v1/imports/invoices", Csv("name\nx\n")), HttpStatusCode.NotFound);

        var agent = await TestUsers.CreateAsync(Factory, Roles.ServiceAgent);
        using var agentClient = Factory.ClientFor(agent);
        await ReadProblemAsync(await agentClient.PostAsync("/api/v1/imports/customers", Csv("name\nx\n")), HttpStatusCode.Forbidden);
        Assert.That(await CountAsync("SELECT count(*) FROM integration.import_jobs"), Is.EqualTo(0));
    }

    [Test]
    public async Task A_malformed_json_array_stops_the_job_after_the_rows_before_it()
    {
        var report = await ImportAsync(_client, "customers", Body("""[{"kind":"organization","name":"甲","externalId":"J-1"}, {"name": """, "application/json"));

        Assert.Multiple(() =>
        {
            Assert.That((report.Status, report.Created), Is.EqualTo((ImportJobStatus.Failed, 1L)));
            Assert.That(report.Error, Does.Contain("not valid JSON"));
        });
    }

    [Test]
    public async Task An_import_writes_one_audit_entry_for_the_job_and_summaries_of_the_changed_customers()
    {
        await ImportAsync(_client, "customers", Csv("kind,name,externalId\norganization,甲,AU-1\norganization,乙,AU-2\n"), "fileName=客户.csv");

        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'import' AND actor_id = '{_rep.Id}' AND changes->'fileName'->>'new' = '客户.csv' AND (changes->'created'->>'new')::int = 2"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'customer' AND affected_count = 2 AND owner_id = '{_rep.Id}'"), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'customer' AND entity_id IS NOT NULL"), Is.EqualTo(0));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.outbox_messages WHERE type LIKE '%CustomerCreated'"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task An_async_import_answers_202_runs_in_the_background_and_lists_its_errors_as_json_and_csv()
    {
        var job = await StartAsync(_client, "customers", Csv("kind,name,externalId\norganization,甲,AS-1\norganization,,AS-2\n"), "fileName=a.csv");
        Assert.That(job.Status, Is.EqualTo(ImportJobStatus.Queued));

        var done = await WaitAsync(_client, job.Id);

        Assert.Multiple(async () =>
        {
            Assert.That((done.Status, done.RowsProcessed, done.Created, done.Rejected, done.FileName), Is.EqualTo((ImportJobStatus.Succeeded, 2L, 1L, 1L, "a.csv")));
            Assert.That(done.StartedAt, Is.Not.Null);
            Assert.That(done.DurationSeconds, Is.Not.Null);
            Assert.That(await _client.GetStringAsync($"/api/v1/imports/{job.Id}/errors"), Does.Contain("\"row\":3").And.Contain("\"column\":\"name\""));
            Assert.That(await _client.GetStringAsync($"/api/v1/imports/{job.Id}/errors?format=csv"), Does.StartWith("row,column,message").And.Contain("\n3,name,"));
            Assert.That(Directory.GetFiles(Path.Combine(Path.GetTempPath(), "crm-imports-tests"), $"{job.Id:N}*"), Is.Empty);
        });
        await ReadProblemAsync(await _client.DeleteAsync($"/api/v1/imports/{job.Id}"), HttpStatusCode.Conflict);
        await ReadProblemAsync(await _client.GetAsync($"/api/v1/imports/{job.Id}/errors?format=xml"), HttpStatusCode.BadRequest);

        var stranger = await TestUsers.CreateAsync(Factory, Roles.SalesRep);
        using var strangerClient = Factory.ClientFor(stranger);
        await ReadProblemAsync(await strangerClient.GetAsync($"/api/v1/imports/{job.Id}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await strangerClient.GetAsync($"/api/v1/imports/{job.Id}/errors"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task An_async_import_of_a_file_with_unknown_columns_is_refused_before_it_is_queued()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/imports/customers") { Content = Csv("kind,colour\norganization,red\n") };
        request.Headers.TryAddWithoutValidation("Prefer", "respond-async");

        await ReadProblemAsync(await _client.SendAsync(request), HttpStatusCode.BadRequest);
        Assert.That(await CountAsync("SELECT count(*) FROM integration.import_jobs"), Is.EqualTo(0));
    }

    [Test]
    public async Task A_100k_row_file_streams_through_in_chunks()
    {
        // Not timed (benchmarks measure speed), but a shared machine needs more than HttpClient's default 100 s.
        _client.Timeout = TimeSpan.FromMinutes(15);
        var path = Path.Combine(Path.GetTempPath(), $"crm-import-100k-{Guid.NewGuid():N}.csv");
        try
        {
            await using (var writer = new StreamWriter(path, false, new UTF8Encoding(false)))
            {
                await writer.WriteLineAsync("kind,name,externalId,phones,province");
                for (var i = 0; i < 100_000; i++)
                {
                    await writer.WriteLineAsync($"organization,测试公司{i},BULK-{i},1380000{i:D4},广东省");
                }
            }

            await using var file = File.OpenRead(path);
            using var content = new StreamContent(file);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/csv");
            var report = await ImportAsync(_client, "customers", content);

            Assert.Multiple(async () =>
            {
                Assert.That((report.Created, report.Rejected, report.RowsProcessed), Is.EqualTo((100_000L, 0L, 100_000L)));
                Assert.That(await CountAsync("SELECT count(DISTINCT code) FROM customers.customers"), Is.EqualTo(100_000));
                // Each chunk summarises its own inserts: more than one summary proves the file went in several transactions.
                Assert.That(await CountAsync("SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'customer' AND action = 'created'"), Is.GreaterThan(1));
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task Rows_follow_the_single_record_rules_for_duplicates_regions_action_owned_fields_and_stage_history()
    {
        var (existing, _) = await CreateAsync(_client, new { kind = "organization", name = "华为技术有限公司", externalId = "E-1", phones = new[] { "0755-28780808" } });

        // Like POST /customers: a possible duplicate (here of a customer, and of an earlier row) is rejected unless the row confirms it.
        var created = await ImportCsvAsync(_client,
            "kind,name,externalId,phones,confirmDuplicate,province,city\n" +
            "organization,华为技术,E-2,,,,\n" +
            "organization,华为技术,E-3,,true,,\n" +
            "organization,中兴通讯,E-4,+86 755 2878 0808,,,\n" +
            "organization,腾讯科技,E-5,,,广东省,深圳\n" +
            "organization,腾讯科技有限公司,E-6,,,,\n" +
            "organization,阿里巴巴,E-7,,,浙江省,深圳市\n");
        Assert.Multiple(() =>
        {
            Assert.That((created.Created, created.Rejected), Is.EqualTo((2, 4)));
            Assert.That(created.Errors.Select(e => (e.Row, e.Column)), Is.EquivalentTo(new (int, string?)[] { (2, "name"), (4, "phones"), (6, "name"), (7, "city") }));
            Assert.That(created.Errors.Single(e => e.Row == 2).Message, Does.Contain(existing.Code));
            Assert.That(created.Errors.Single(e => e.Row == 6).Message, Does.Contain("row 5"));
        });

        // Imported rows carry the match keys, so the API's duplicate check sees them.
        var again = await _client.PostAsync("/api/v1/customers", JsonBody(new { kind = "organization", name = "腾讯科技股份有限公司" }));
        Assert.That((await ReadProblemAsync(again, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("/duplicate-customer"));
        Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE external_id = 'E-5' AND region_code = '440300' AND city = '深圳市'"), Is.EqualTo(1));

        // An update leaves what the status actions own alone, and its stage change is history.
        var updated = await ImportCsvAsync(_client, "externalId,creditLimit,lifecycleStage\nE-1,99999,\nE-3,,growth\n", "mode=update");
        var history = await ReadAsync<JsonElement>(
            await _client.GetAsync($"/api/v1/customers/{await IdOfAsync("E-3")}/history?field=lifecycleStage"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That((updated.Updated, updated.Rejected), Is.EqualTo((1, 1)));
            Assert.That(updated.Errors.Single().Column, Is.EqualTo("creditLimit"));
            Assert.That(history.GetProperty("items").GetArrayLength(), Is.EqualTo(1));
        });
    }

    private async Task<Guid> IdOfAsync(string externalId) =>
        (await ReadAsync<CustomerResponse>(await _client.GetAsync($"/api/v1/customers/by-external-id/{externalId}"), HttpStatusCode.OK)).Id;

    [Test]
    public async Task An_outstanding_balance_column_is_read_only_new_customers_start_at_zero_and_updates_may_only_repeat_it()
    {
        var created = await ImportCsvAsync(_client, "kind,name,externalId,欠款\norganization,有欠款,B-1,100.00\norganization,无欠款,B-2,\norganization,零欠款,B-3,0\n");
        var updated = await ImportCsvAsync(_client, "externalId,outstandingBalance\nB-2,0.00\nB-3,5\n", "mode=update");

        Assert.Multiple(async () =>
        {
            Assert.That((created.Created, created.Rejected), Is.EqualTo((2L, 1L)));
            // Errors name the column as the file spells it (the alias 欠款).
            Assert.That(created.Errors.Select(e => (e.Row, e.Column)), Is.EqualTo(new (int, string?)[] { (2, "欠款") }));
            Assert.That(created.Errors.Single().Message, Does.Contain("read-only").And.Contain("balance-adjustments"));
            Assert.That((updated.Unchanged, updated.Rejected), Is.EqualTo((1L, 1L)));
            Assert.That(updated.Errors.Select(e => (e.Row, e.Column)), Is.EqualTo(new (int, string?)[] { (3, "outstandingBalance") }));
            Assert.That(updated.Errors.Single().Message, Does.Contain("balance-adjustments"));
            Assert.That(await CountAsync("SELECT count(*) FROM customers.customers WHERE outstanding_balance <> 0"), Is.Zero);
        });
    }
}

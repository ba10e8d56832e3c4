using System.Net;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sales.Quotes;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Integration.Domain;
using Crm.Modules.Integration.Features.Imports;
using static Crm.IntegrationTests.Integration.ImportApi;
using static Crm.IntegrationTests.Sales.Orders.OrderApi;

namespace Crm.IntegrationTests.Sales.Orders;

/// <summary>
/// Background order imports keep the entity's options (ADR 0035): the credit override is checked when the job is submitted,
/// stored with it and honoured by the worker, also after a restart. The host's worker does not run by itself and a chunk
/// is one order, so a test can stop a job between chunks. The credit customer may take 8,000.00; one unit is 1,130.00.
/// </summary>
internal sealed class OrderImportJobTests : IntegrationTest
{
    private const string Reason = "战略客户，总监同意";
    private static CrmApiFactory _host = null!;
    private QuoteOrg _org = null!;
    private HttpClient _rep = null!;
    private HttpClient _manager = null!;
    private string _credit = null!;

    [OneTimeSetUp]
    public void StartHost() => _host = HostWithoutWorker(1);

    [OneTimeTearDown]
    public async Task StopHostAsync() => await _host.DisposeAsync();

    [SetUp]
    public async Task ArrangeAsync()
    {
        _org = await QuoteApi.CreateOrgAsync(_host);
        _rep = _host.ClientFor(_org.EastRep);
        _manager = _host.ClientFor(_org.EastManager);
        using var director = _host.ClientFor(_org.Director);
        await ProductAsync(director, "OJ-A", 1000m);
        var credit = (await CustomerApi.CreateAsync(_rep, new { kind = "organization", name = "后台信用客户", creditLimit = 10_000m })).Customer;
        _credit = credit.Code;
        await SetOutstandingBalanceAsync(credit.Id, 2_000m);
    }

    [TearDown]
    public void DisposeClients()
    {
        _rep.Dispose();
        _manager.Dispose();
    }

    /// <summary>CR-1 (5 units, 5,650.00) fits; CR-2 (3 units, 3,390.00) then exceeds the 2,350.00 left.</summary>
    private string TwoConfirmedOrders() => $"externalId,customerCode,status,sku,quantity\nCR-1,{_credit},confirmed,OJ-A,5\nCR-2,{_credit},confirmed,OJ-A,3\n";

    private static string OverrideQuery(string reason = Reason) => "overrideCredit=true&overrideReason=" + Uri.EscapeDataString(reason);

    private static Task<bool> RunNextAsync() => RunNextJobAsync(_host);

    private static Task<long> OverriddenAsync(Guid managerId) => CountAsync(
        $"SELECT count(*) FROM sales.orders WHERE external_id = 'CR-2' AND status = 'Confirmed' AND credit_override_by = '{managerId}' AND credit_override_reason = '{Reason}'");

    private async Task<HttpResponseMessage> SubmitAsync(HttpClient client, string query, bool respondAsync)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/imports/orders?{query}") { Content = Csv(TwoConfirmedOrders()) };
        if (respondAsync)
        {
            request.Headers.TryAddWithoutValidation("Prefer", "respond-async");
        }

        return await client.SendAsync(request);
    }

    [Test]
    public async Task A_background_import_with_a_managers_credit_override_confirms_over_the_limit_and_audits_the_reason()
    {
        var job = await StartAsync(_manager, "orders", Csv(TwoConfirmedOrders()), OverrideQuery() + "&unrelated=1");

        Assert.That(job.Options, Is.EqualTo(new Dictionary<string, string> { ["overrideCredit"] = "true", ["overrideReason"] = Reason }));
        Assert.That(await RunNextAsync(), Is.True);

        var done = await GetJobAsync(_manager, job.Id);
        Assert.Multiple(async () =>
        {
            Assert.That((done.Status, done.Created, done.Rejected), Is.EqualTo((ImportJobStatus.Succeeded, 2L, 0L)));
            Assert.That(await OverriddenAsync(_org.EastManager.Id), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'order' AND changes::text LIKE '%{Reason}%'"), Is.EqualTo(1));
            Assert.That(await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'import' AND changes::text LIKE '%{Reason}%'"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Options_are_checked_at_submit_before_a_job_exists_for_background_and_synchronous_imports_alike()
    {
        foreach (var respondAsync in new[] { true, false })
        {
            var rep = await ReadProblemAsync(await SubmitAsync(_rep, OverrideQuery(), respondAsync), HttpStatusCode.Forbidden);
            var noReason = await ReadProblemAsync(await SubmitAsync(_manager, "overrideCredit=true", respondAsync), HttpStatusCode.BadRequest);
            var tooLong = await ReadProblemAsync(await SubmitAsync(_manager, OverrideQuery(new string('理', 501)), respondAsync), HttpStatusCode.BadRequest);
            var notABoolean = await ReadProblemAsync(await SubmitAsync(_manager, "overrideCredit=maybe&overrideReason=x", respondAsync), HttpStatusCode.BadRequest);

            Assert.Multiple(() =>
            {
                Assert.That(rep.GetProperty("detail").GetString(), Does.Contain("sales:manage"));
                Assert.That(noReason.GetProperty("errors").GetProperty("overrideReason")[0].GetString(), Does.Contain("overrideReason"));
                Assert.That(tooLong.GetProperty("errors").TryGetProperty("overrideReason", out _), Is.True);
                Assert.That(notABoolean.GetProperty("errors").TryGetProperty("overrideCredit", out _), Is.True);
            });
        }

        Assert.Multiple(async () =>
        {
            Assert.That(await CountAsync("SELECT count(*) FROM integration.import_jobs"), Is.EqualTo(0), "no job was recorded");
            Assert.That(await CountAsync("SELECT count(*) FROM sales.orders"), Is.EqualTo(0));
            Assert.That(await RunNextAsync(), Is.False);
        });
    }

    [Test]
    public async Task A_background_import_resumed_after_a_restart_still_overrides_the_credit_check()
    {
        var job = await StartAsync(_manager, "orders", Csv(TwoConfirmedOrders()), OverrideQuery());
        // The crash: the first chunk (CR-1) committed with its progress, then the instance died before CR-2.
        await ImportAsync(_manager, "orders", Csv(TwoConfirmedOrders().Split('\n')[0] + "\n" + TwoConfirmedOrders().Split('\n')[1] + "\n"));
        await QuoteApi.ExecuteAsync($"""
            UPDATE integration.import_jobs SET status = 'Running', rows_processed = 1, created = 1,
                   started_at = '2026-11-23T07:00:00Z', heartbeat_at = '2026-11-23T07:00:00Z'
             WHERE id = '{job.Id}'
            """);

        Assert.That(await RunNextAsync(), Is.True);

        var done = await GetJobAsync(_manager, job.Id);
        Assert.Multiple(async () =>
        {
            Assert.That((done.Status, done.RowsProcessed, done.Created, done.Rejected), Is.EqualTo((ImportJobStatus.Succeeded, 2L, 2L, 0L)));
            Assert.That(await OverriddenAsync(_org.EastManager.Id), Is.EqualTo(1));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.orders WHERE external_id = 'CR-1' AND credit_override_at IS NULL"), Is.EqualTo(1));
        });
    }

    /// <summary>RS-1 is on rows 2 and 4, RS-2 on row 3; chunks are one row.</summary>
    private string SplitOrders() => $"externalId,customerCode,sku,quantity\nRS-1,{_credit},OJ-A,1\nRS-2,{_credit},OJ-A,2\nRS-1,,OJ-A,3\n";

    private static string Staged(Guid job, int row, string externalId, string customerCode, int quantity) =>
        $$"""('{{job}}', {{row}}, '{{externalId}}', '{"externalId":"{{externalId}}","customerCode":"{{customerCode}}","sku":"OJ-A","quantity":"{{quantity}}"}')""";

    private static Task<long> LinesAsync(string externalId) => CountAsync(
        $"SELECT sum(l.quantity) * 1000 + count(*) FROM sales.order_lines l JOIN sales.orders o ON o.id = l.order_id WHERE o.external_id = '{externalId}'");

    [Test]
    public async Task A_job_interrupted_while_staging_resumes_after_its_staged_rows_and_assembles_the_orders_from_them_and_the_rest()
    {
        var job = await StartAsync(_rep, "orders", Csv(SplitOrders()));
        // The crash: the chunks of rows 2 and 3 were staged and committed with their progress, then the instance died.
        await QuoteApi.ExecuteAsync($"""
            INSERT INTO integration.import_staged_rows (job_id, "row", group_key, "values")
            VALUES {Staged(job.Id, 2, "RS-1", _credit, 1)}, {Staged(job.Id, 3, "RS-2", _credit, 2)};
            UPDATE integration.import_jobs SET status = 'Running', rows_processed = 2,
                   started_at = '2026-11-23T07:00:00Z', heartbeat_at = '2026-11-23T07:00:00Z'
             WHERE id = '{job.Id}'
            """);

        Assert.That(await RunNextAsync(), Is.True);

        var done = await GetJobAsync(_rep, job.Id);
        Assert.Multiple(async () =>
        {
            Assert.That((done.Status, done.RowsProcessed, done.Created, done.Rejected), Is.EqualTo((ImportJobStatus.Succeeded, 3L, 3L, 0L)));
            Assert.That(await LinesAsync("RS-1"), Is.EqualTo(4 * 1000 + 2), "rows 2 (staged before the crash) and 4 (read after it): 1 + 3 units");
            Assert.That(await LinesAsync("RS-2"), Is.EqualTo(2 * 1000 + 1));
            Assert.That(await CountAsync("SELECT count(*) FROM integration.import_staged_rows"), Is.EqualTo(0));
        });
    }

    [Test]
    public async Task A_job_interrupted_while_writing_its_orders_resumes_with_the_orders_not_written_yet()
    {
        var job = await StartAsync(_rep, "orders", Csv(SplitOrders()));
        // The crash: the whole file was staged, RS-1 written and its staged rows deleted in its chunk, then the instance died.
        await ImportAsync(_rep, "orders", Csv($"externalId,customerCode,sku,quantity\nRS-1,{_credit},OJ-A,1\nRS-1,,OJ-A,3\n"));
        await QuoteApi.ExecuteAsync($"""
            INSERT INTO integration.import_staged_rows (job_id, "row", group_key, "values") VALUES {Staged(job.Id, 3, "RS-2", _credit, 2)};
            UPDATE integration.import_jobs SET status = 'Running', rows_processed = 3, created = 2,
                   started_at = '2026-11-23T07:00:00Z', heartbeat_at = '2026-11-23T07:00:00Z'
             WHERE id = '{job.Id}'
            """);

        Assert.That(await RunNextAsync(), Is.True);

        var done = await GetJobAsync(_rep, job.Id);
        Assert.Multiple(async () =>
        {
            Assert.That((done.Status, done.RowsProcessed, done.Created, done.Rejected), Is.EqualTo((ImportJobStatus.Succeeded, 3L, 3L, 0L)));
            Assert.That(await LinesAsync("RS-1"), Is.EqualTo(4 * 1000 + 2), "written once, before the crash");
            Assert.That(await LinesAsync("RS-2"), Is.EqualTo(2 * 1000 + 1));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.orders"), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task A_cancelled_job_and_an_interrupted_synchronous_import_leave_nothing_staged()
    {
        var job = await StartAsync(_rep, "orders", Csv(SplitOrders()));
        // The cancel arrives while the first row is being staged: the job stops there and drops what it staged.
        await QuoteApi.ExecuteAsync("""
            CREATE OR REPLACE FUNCTION integration.cancel_after_first_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.rows_processed >= 1 THEN NEW.cancel_requested := true; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER cancel_after_first_chunk BEFORE UPDATE OF rows_processed ON integration.import_jobs
                FOR EACH ROW EXECUTE FUNCTION integration.cancel_after_first_chunk();
            """);
        try
        {
            Assert.That(await RunNextAsync(), Is.True);
        }
        finally
        {
            await QuoteApi.ExecuteAsync("DROP TRIGGER cancel_after_first_chunk ON integration.import_jobs; DROP FUNCTION integration.cancel_after_first_chunk();");
        }

        var report = await ImportAsync(_rep, "orders", Csv(SplitOrders()), "dryRun=true");
        await QuoteApi.ExecuteAsync($"""
            UPDATE integration.import_jobs SET status = 'Running', finished_at = NULL, heartbeat_at = '2026-11-23T07:00:00Z' WHERE id = '{report.JobId}';
            INSERT INTO integration.import_staged_rows (job_id, "row", group_key, "values") VALUES {Staged(report.JobId, 2, "RS-1", _credit, 1)};
            """);
        Assert.That(await RunNextAsync(), Is.True);

        Assert.Multiple(async () =>
        {
            Assert.That(((await GetJobAsync(_rep, job.Id)).Status, (await GetJobAsync(_rep, job.Id)).RowsProcessed), Is.EqualTo((ImportJobStatus.Cancelled, 1L)));
            Assert.That((await GetJobAsync(_rep, report.JobId)).Error, Does.Contain("interrupted"));
            Assert.That(await CountAsync("SELECT count(*) FROM integration.import_staged_rows"), Is.EqualTo(0));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.orders"), Is.EqualTo(0));
        });
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task A_job_whose_caller_lost_sales_manage_since_the_submit_fails_instead_of_overriding(bool resumed)
    {
        var job = await StartAsync(_manager, "orders", Csv(TwoConfirmedOrders()), OverrideQuery());
        if (resumed)
        {
            await QuoteApi.ExecuteAsync($"UPDATE integration.import_jobs SET status = 'Running', started_at = '2026-11-23T07:00:00Z', heartbeat_at = '2026-11-23T07:00:00Z' WHERE id = '{job.Id}'");
        }

        await QuoteApi.ExecuteAsync($"UPDATE identity.users SET roles = ARRAY['{Roles.SalesRep}'] WHERE id = '{_org.EastManager.Id}'");

        Assert.That(await RunNextAsync(), Is.True);

        var done = await GetJobAsync(_manager, job.Id);
        Assert.Multiple(async () =>
        {
            Assert.That((done.Status, done.RowsProcessed, done.Created), Is.EqualTo((ImportJobStatus.Failed, 0L, 0L)));
            Assert.That(done.Error, Does.Contain("no longer allowed").And.Contain("sales:manage"));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.orders"), Is.EqualTo(0), "not even CR-1, which fits the limit: the job stops before its rows");
            Assert.That(await RunNextAsync(), Is.False, "the failed job is not picked up again");
        });
    }
}

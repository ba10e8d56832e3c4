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

    [Test]
    public async Task Rows_of_an_order_that_reappear_in_a_later_chunk_are_rejected_naming_the_orders_first_row()
    {
        var report = await ImportAsync(_manager, "orders", Csv($"externalId,customerCode,sku,quantity\nS-1,{_credit},OJ-A,1\nS-2,{_credit},OJ-A,1\nS-1,,OJ-A,2\nS-1,,OJ-A,3\n"));

        Assert.Multiple(async () =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((2L, 2L)));
            Assert.That(report.Errors.Select(e => e.Row), Is.EqualTo(new[] { 4, 5 }));
            Assert.That(report.Errors[0].Message, Does.Contain("already appeared from row 2"));
            Assert.That(report.Errors[1].Message, Does.Contain("see row 4"));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.order_lines l JOIN sales.orders o ON o.id = l.order_id WHERE o.external_id = 'S-1'"), Is.EqualTo(1));
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

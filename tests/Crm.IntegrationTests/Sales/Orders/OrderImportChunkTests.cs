using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sales.Quotes;
using Npgsql;
using static Crm.IntegrationTests.Integration.ImportApi;
using static Crm.IntegrationTests.Sales.Orders.OrderApi;

namespace Crm.IntegrationTests.Sales.Orders;

/// <summary>
/// On a host whose chunks are two rows: the pipeline assembles an order's rows wherever they are in the file and writes
/// each order whole (ADR 0043).
/// </summary>
internal sealed class OrderImportChunkTests : IntegrationTest
{
    private static CrmApiFactory _host = null!;

    [OneTimeSetUp]
    public void StartHost() => _host = HostWithoutWorker(2);

    [OneTimeTearDown]
    public async Task StopHostAsync() => await _host.DisposeAsync();

    [Test]
    public async Task An_order_longer_than_a_chunk_stays_whole_and_the_next_chunk_starts_with_the_next_order()
    {
        var org = await QuoteApi.CreateOrgAsync(_host);
        using var director = _host.ClientFor(org.Director);
        using var rep = _host.ClientFor(org.EastRep);
        await ProductAsync(director, "CH-1", 100m);
        var customer = (await CustomerApi.CreateAsync(rep, new { kind = "organization", name = "分块客户" })).Customer.Code;
        var csv = $"""
            externalId,customerCode,sku,quantity
            CH-A,{customer},CH-1,1
            CH-A,,CH-1,2
            CH-A,,CH-1,3
            CH-B,{customer},CH-1,1
            CH-C,{customer},CH-1,1
            CH-C,,CH-1,2
            """;

        var report = await ImportAsync(rep, "orders", Csv(csv));
        var again = await ImportAsync(rep, "orders", Csv(csv));

        Assert.Multiple(async () =>
        {
            Assert.That((report.Created, report.Rejected), Is.EqualTo((6L, 0L)), string.Join("; ", report.Errors.Select(e => $"{e.Row}: {e.Message}")));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.orders WHERE external_id LIKE 'CH-%'"), Is.EqualTo(3));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.order_lines l JOIN sales.orders o ON o.id = l.order_id WHERE o.external_id = 'CH-A'"), Is.EqualTo(3));
            Assert.That(again.Unchanged, Is.EqualTo(6L));
        });
    }

    [Test]
    public async Task Interleaved_lines_of_orders_across_chunks_are_assembled_in_file_order_with_file_rows_in_errors_and_a_re_run_changes_nothing()
    {
        var org = await QuoteApi.CreateOrgAsync(_host);
        using var director = _host.ClientFor(org.Director);
        using var rep = _host.ClientFor(org.EastRep);
        await ProductAsync(director, "IL-1", 100m);
        await ProductAsync(director, "IL-2", 10m);
        var customer = (await CustomerApi.CreateAsync(rep, new { kind = "organization", name = "交错客户" })).Customer.Code;
        // Sorted by date, as an ERP exports: the lines of IL-A, IL-B and IL-C (and the broken IL-D) alternate across chunks.
        var csv = $"""
            externalId,customerCode,orderDate,sku,quantity
            IL-A,{customer},2026-12-01,IL-1,1
            IL-B,{customer},2026-12-01,IL-2,2
            IL-D,{customer},2026-12-01,IL-1,1
            IL-C,{customer},2026-12-02,IL-1,3
            IL-A,,2026-12-01,IL-2,5
            IL-B,,,IL-1,1
            IL-D,,,NOPE,1
            IL-C,,,IL-2,1
            IL-A,,,IL-1,2
            {new string('L', 501)},{customer},,IL-1,1
            """;

        var report = await ImportAsync(rep, "orders", Csv(csv));
        var again = await ImportAsync(rep, "orders", Csv(csv));

        Assert.Multiple(async () =>
        {
            Assert.That((report.RowsProcessed, report.Created, report.Rejected), Is.EqualTo((10L, 7L, 3L)), string.Join("; ", report.Errors.Select(e => $"{e.Row}: {e.Message}")));
            Assert.That(report.Errors.Select(e => (e.Row, e.Column)), Is.EqualTo(new[] { (4, (string?)null), (8, "sku"), (11, "externalId") }));
            Assert.That(report.Errors[0].Message, Does.Contain("see row 8"));
            Assert.That(report.Errors[2].Message, Does.Contain("longer than 500 characters"));
            Assert.That(await LinesAsync("IL-A"), Is.EqualTo("IL-1x1,IL-2x5,IL-1x2 = 395.50"), "1 x 100 + 5 x 10 + 2 x 100, 13% VAT");
            Assert.That(await LinesAsync("IL-B"), Is.EqualTo("IL-2x2,IL-1x1 = 135.60"));
            Assert.That(await LinesAsync("IL-C"), Is.EqualTo("IL-1x3,IL-2x1 = 350.30"));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.orders WHERE external_id = 'IL-D'"), Is.EqualTo(0));
            Assert.That(await CountAsync("SELECT count(*) FROM integration.import_staged_rows"), Is.EqualTo(0), "a finished job leaves nothing staged");
            Assert.That((again.Created, again.Updated, again.Unchanged, again.Rejected), Is.EqualTo((0L, 0L, 7L, 3L)));
            Assert.That(again.Errors.Select(e => e.Row), Is.EqualTo(new[] { 4, 8, 11 }));
        });
    }

    [Test]
    public async Task An_order_on_more_rows_than_two_chunks_is_rejected_whole_without_stopping_the_others()
    {
        var org = await QuoteApi.CreateOrgAsync(_host);
        using var director = _host.ClientFor(org.Director);
        using var rep = _host.ClientFor(org.EastRep);
        await ProductAsync(director, "BIG-1", 100m);
        var customer = (await CustomerApi.CreateAsync(rep, new { kind = "organization", name = "超长订单客户" })).Customer.Code;
        var csv = $"externalId,customerCode,sku,quantity\nOK-1,{customer},BIG-1,1\n"
            + string.Concat(Enumerable.Range(1, 5).Select(i => $"BIG,{customer},BIG-1,{i}\n")) + $"OK-2,{customer},BIG-1,1\n";

        var report = await ImportAsync(rep, "orders", Csv(csv));

        Assert.Multiple(async () =>
        {
            Assert.That((report.RowsProcessed, report.Created, report.Rejected), Is.EqualTo((7L, 2L, 5L)), string.Join("; ", report.Errors.Select(e => $"{e.Row}: {e.Message}")));
            Assert.That(report.Errors.Select(e => e.Row), Is.EqualTo(new[] { 3, 4, 5, 6, 7 }));
            Assert.That(report.Errors[0].Message, Does.Contain("'BIG' is on 5 rows, more than the 4 one group may have"));
            Assert.That(report.Errors[0].Column, Is.EqualTo("externalId"));
            Assert.That(await CountAsync($"SELECT count(*) FROM integration.import_errors WHERE job_id = '{report.JobId}'"), Is.EqualTo(5));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.orders"), Is.EqualTo(2));
        });
    }

    private static async Task<string> LinesAsync(string externalId)
    {
        await using var connection = new NpgsqlConnection(IntegrationTestRun.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT string_agg(l.sku || 'x' || l.quantity::int, ',' ORDER BY l.position) || ' = ' || to_char(o.total, 'FM999990.00')
              FROM sales.orders o JOIN sales.order_lines l ON l.order_id = o.id
             WHERE o.external_id = @id
             GROUP BY o.total
            """, connection);
        command.Parameters.AddWithValue("id", externalId);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}

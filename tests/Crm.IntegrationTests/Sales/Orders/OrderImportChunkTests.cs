using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sales.Quotes;
using static Crm.IntegrationTests.Integration.ImportApi;
using static Crm.IntegrationTests.Sales.Orders.OrderApi;

namespace Crm.IntegrationTests.Sales.Orders;

/// <summary>On a host whose chunks are two rows: the pipeline never cuts an order's consecutive rows into two chunks.</summary>
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
}

using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sales.Quotes;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Orders;
using static Crm.IntegrationTests.Sales.Orders.OrderApi;

namespace Crm.IntegrationTests.Sales.Orders;

internal sealed class OrderUpsertTests : IntegrationTest
{
    private QuoteOrg _org = null!;
    private HttpClient _rep = null!;
    private HttpClient _otherRep = null!;
    private Guid _product;
    private Guid _customer;

    [SetUp]
    public async Task ArrangeAsync()
    {
        _org = await QuoteApi.CreateOrgAsync(Factory);
        _rep = Factory.ClientFor(_org.EastRep);
        _otherRep = Factory.ClientFor(_org.SouthRep);
        using var director = Factory.ClientFor(_org.Director);
        _product = await ProductAsync(director, "ERP-1", 100m);
        _customer = await CustomerAsync(_rep, "ERP 客户");
    }

    [TearDown]
    public void DisposeClients()
    {
        _rep.Dispose();
        _otherRep.Dispose();
    }

    private object Body(decimal quantity, string? notes = null) =>
        new { customerId = _customer, notes, lines = new[] { new { productId = _product, quantity, taxRatePercent = 0m } } };

    [Test]
    public async Task The_first_put_creates_a_draft_201_and_the_next_replaces_it_200_under_the_same_external_id()
    {
        var createdResponse = await _rep.SendAsync(Put("ERP-SO-0001", Body(1m, "首单")));
        var created = await ReadAsync<OrderResponse>(createdResponse, HttpStatusCode.Created);
        var replacedResponse = await _rep.SendAsync(Put("ERP-SO-0001", Body(3m), createdResponse.Headers.ETag!.ToString()));
        var replaced = await ReadAsync<OrderResponse>(replacedResponse, HttpStatusCode.OK);
        var (fetched, etag) = await GetAsync(_rep, created.Id);
        var count = await CountAsync("SELECT count(*) FROM sales.orders");

        Assert.Multiple(() =>
        {
            Assert.That(createdResponse.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/sales/orders/{created.Id}"));
            Assert.That(created.ExternalId, Is.EqualTo("ERP-SO-0001"));
            Assert.That(created.Total, Is.EqualTo(100.00m));
            Assert.That(replaced.Id, Is.EqualTo(created.Id));
            Assert.That(replaced.Number, Is.EqualTo(created.Number));
            Assert.That(replaced.Total, Is.EqualTo(300.00m));
            Assert.That(replaced.Notes, Is.Null, "a PUT replaces: absent notes are cleared");
            Assert.That(fetched.Total, Is.EqualTo(300.00m));
            Assert.That(etag, Is.EqualTo(replacedResponse.Headers.ETag!.ToString()));
            Assert.That(count, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Replacing_an_order_that_is_no_longer_a_draft_is_409()
    {
        var created = await ReadAsync<OrderResponse>(await _rep.SendAsync(Put("ERP-2", Body(1m))), HttpStatusCode.Created);
        await ActOkAsync(_rep, created.Id, "confirm");

        var problem = await ReadProblemAsync(await _rep.SendAsync(Put("ERP-2", Body(2m))), HttpStatusCode.Conflict);
        var (after, _) = await GetAsync(_rep, created.Id);

        Assert.Multiple(() =>
        {
            Assert.That(problem.GetProperty("type").GetString(), Does.EndWith("/order-not-draft"));
            Assert.That(after.Status, Is.EqualTo(OrderStatus.Confirmed));
            Assert.That(after.Total, Is.EqualTo(100.00m));
        });
    }

    [Test]
    public async Task A_stale_if_match_is_412_a_bad_body_is_400_and_another_owners_order_is_404()
    {
        await ReadProblemAsync(await _rep.SendAsync(Put("ERP-3", Body(1m), "\"1\"")), HttpStatusCode.PreconditionFailed);
        await ReadAsync<OrderResponse>(await _rep.SendAsync(Put("ERP-3", Body(1m))), HttpStatusCode.Created);
        await ReadProblemAsync(await _rep.SendAsync(Put("ERP-3", Body(2m), "\"1\"")), HttpStatusCode.PreconditionFailed);

        var bad = await ReadProblemAsync(await _rep.SendAsync(Put("ERP-3", new { lines = Array.Empty<object>() })), HttpStatusCode.BadRequest);
        Assert.That(bad.GetProperty("errors").TryGetProperty("customerId", out _), Is.True, bad.ToString());
        await ReadProblemAsync(await _rep.SendAsync(Put(" ERP-4 ", Body(1m))), HttpStatusCode.BadRequest);

        await ReadProblemAsync(await _otherRep.SendAsync(Put("ERP-3", Body(1m))), HttpStatusCode.NotFound);
    }
}

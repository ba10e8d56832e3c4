using System.Net;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sales.Quotes;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Orders;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Sales.Orders.OrderApi;

namespace Crm.IntegrationTests.Sales.Orders;

/// <summary>
/// Partial shipments (发货). The order has two lines: 3 × "SH-A" at 10.00 with 5% off and 13% VAT (30.00 − 1.50 = 28.50,
/// tax 3.71, line total 32.21), and 2 × "SH-B" at 100.00 with 13% VAT (line total 226.00): 258.21 in all.
/// </summary>
internal sealed class ShipmentTests : IntegrationTest
{
    private QuoteOrg _org = null!;
    private HttpClient _rep = null!;
    private HttpClient _southRep = null!;
    private HttpClient _manager = null!;
    private HttpClient _marketer = null!;
    private Guid _customer;
    private Guid _productA;
    private Guid _productB;

    [SetUp]
    public async Task ArrangeAsync()
    {
        _org = await QuoteApi.CreateOrgAsync(Factory);
        _rep = Factory.ClientFor(_org.EastRep);
        _southRep = Factory.ClientFor(_org.SouthRep);
        _manager = Factory.ClientFor(_org.EastManager);
        _marketer = Factory.ClientFor(_org.Marketer);
        using var director = Factory.ClientFor(_org.Director);
        _productA = await ProductAsync(director, "SH-A", 10m);
        _productB = await ProductAsync(director, "SH-B", 100m);
        _customer = await CustomerAsync(_rep, "发货客户");
    }

    [TearDown]
    public void DisposeClients()
    {
        _rep.Dispose();
        _southRep.Dispose();
        _manager.Dispose();
        _marketer.Dispose();
    }

    [Test]
    public async Task Shipments_ship_an_order_in_parts_and_the_last_one_carries_the_rest_of_each_line_total()
    {
        var order = await ConfirmedOrderAsync();
        var (a, b) = (order.Lines[0].Id, order.Lines[1].Id);
        var yesterday = Factory.Time.GetUtcNow().AddDays(-1);

        var response = await _rep.SendAsync(Shipment(order.Id, new
        {
            lines = new[] { new { orderLineId = a, quantity = 1m }, new { orderLineId = b, quantity = 2m } },
            shippedAt = yesterday,
            carrier = "顺丰",
            trackingNumber = "SF1234567890",
            note = "第一批",
        }));
        var first = await ReadAsync<ShipmentResponse>(response, HttpStatusCode.Created);
        var (partial, _) = await GetAsync(_rep, order.Id);

        var complete = await ReadProblemAsync(await ActAsync(_rep, order.Id, "complete"), HttpStatusCode.Conflict);
        var second = await ShipAsync(order.Id, (a, 1m));
        var third = await ShipAsync(order.Id, (a, 1m));
        var (shipped, _) = await GetAsync(_rep, order.Id);
        var list = await ReadAsync<Page<ShipmentResponse>>(await _rep.GetAsync($"{OrdersUrl}/{order.Id}/shipments?includeTotal=true"), HttpStatusCode.OK);
        var fetched = await ReadAsync<ShipmentResponse>(await _rep.GetAsync($"{OrdersUrl}/{order.Id}/shipments/{first.Id}"), HttpStatusCode.OK);
        var again = await ReadProblemAsync(await _rep.SendAsync(Shipment(order.Id, new { lines = new[] { new { orderLineId = a, quantity = 1m } } })), HttpStatusCode.Conflict);
        var shippedAmounts = await CountAsync($"SELECT sum(shipped_amount * 100)::bigint FROM sales.order_lines WHERE order_id = '{order.Id}'");

        Assert.Multiple(() =>
        {
            Assert.That(order.Total, Is.EqualTo(258.21m));
            Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/sales/orders/{order.Id}/shipments/{first.Id}"));
            Assert.That(first.Number, Is.EqualTo(1));
            Assert.That(first.Amount, Is.EqualTo(10.74m + 226.00m));
            Assert.That(first.Carrier, Is.EqualTo("顺丰"));
            Assert.That(first.TrackingNumber, Is.EqualTo("SF1234567890"));
            Assert.That(first.ShippedAt, Is.EqualTo(yesterday).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(first.CreatedBy, Is.EqualTo(_org.EastRep.Id));
            Assert.That(partial.Status, Is.EqualTo(OrderStatus.PartiallyShipped));
            Assert.That(partial.ShippedAt, Is.Null);
            Assert.That(partial.Lines.Select(l => l.ShippedQuantity), Is.EqualTo(new[] { 1m, 2m }));
            Assert.That(complete.GetProperty("type").GetString(), Does.EndWith("/invalid-order-transition"));
            Assert.That(second.Amount, Is.EqualTo(10.74m));
            Assert.That(third.Amount, Is.EqualTo(10.73m), "the last shipment of a line carries what is left of its total");
            Assert.That(first.Amount + second.Amount + third.Amount, Is.EqualTo(order.Total));
            Assert.That(shippedAmounts, Is.EqualTo(25821));
            Assert.That(shipped.Status, Is.EqualTo(OrderStatus.Shipped));
            Assert.That(shipped.ShippedAt, Is.EqualTo(third.ShippedAt).Within(TimeSpan.FromMilliseconds(1)));
            Assert.That(shipped.Lines.Select(l => l.ShippedQuantity), Is.EqualTo(new[] { 3m, 2m }));
            Assert.That(list.Items.Select(s => s.Id), Is.EqualTo(new[] { first.Id, second.Id, third.Id }));
            Assert.That(list.Total, Is.EqualTo(3));
            Assert.That(fetched.Lines.Select(l => (l.OrderLineId, l.Quantity, l.Amount)), Is.EquivalentTo(new[] { (a, 1m, 10.74m), (b, 2m, 226.00m) }));
            Assert.That(again.GetProperty("type").GetString(), Does.EndWith("/invalid-order-transition"));
        });
    }

    [Test]
    public async Task Shipping_more_than_is_left_is_a_422_with_the_figures_and_ships_nothing()
    {
        var order = await ConfirmedOrderAsync();
        var (a, b) = (order.Lines[0].Id, order.Lines[1].Id);
        await ShipAsync(order.Id, (a, 2m));

        var over = await ReadProblemAsync(
            await _rep.SendAsync(Shipment(order.Id, new { lines = new[] { new { orderLineId = b, quantity = 1m }, new { orderLineId = a, quantity = 1.5m } } })),
            HttpStatusCode.UnprocessableEntity);
        var unknown = await ReadProblemAsync(
            await _rep.SendAsync(Shipment(order.Id, new { lines = new[] { new { orderLineId = Guid.NewGuid(), quantity = 1m } } })), HttpStatusCode.UnprocessableEntity);
        var (after, _) = await GetAsync(_rep, order.Id);
        var line = over.GetProperty("lines")[0];
        var listed = await ReadAsync<Page<OrderSummaryResponse>>(await _rep.GetAsync($"{OrdersUrl}?status=partiallyShipped&customerId={_customer}"), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(over.GetProperty("type").GetString(), Does.EndWith("/over-shipment"));
            Assert.That(over.GetProperty("lines").GetArrayLength(), Is.EqualTo(1));
            Assert.That(line.GetProperty("orderLineId").GetGuid(), Is.EqualTo(a));
            Assert.That(line.GetProperty("sku").GetString(), Is.EqualTo("SH-A"));
            Assert.That(line.GetProperty("ordered").GetDecimal(), Is.EqualTo(3m));
            Assert.That(line.GetProperty("shipped").GetDecimal(), Is.EqualTo(2m));
            Assert.That(line.GetProperty("remaining").GetDecimal(), Is.EqualTo(1m));
            Assert.That(line.GetProperty("requested").GetDecimal(), Is.EqualTo(1.5m));
            Assert.That(over.GetProperty("detail").GetString(), Does.Contain("1.5 asked, 1 left of 3"));
            Assert.That(unknown.GetProperty("type").GetString(), Does.EndWith("/unknown-order-line"));
            Assert.That(after.Lines.Select(l => l.ShippedQuantity), Is.EqualTo(new[] { 2m, 0m }), "the refused shipment shipped nothing");
            Assert.That(after.Status, Is.EqualTo(OrderStatus.PartiallyShipped));
            Assert.That(listed.Items.Select(o => o.Id), Is.EqualTo(new[] { order.Id }), "the order list filters on the new status");
        });
    }

    [Test]
    public async Task Bad_shipment_fields_are_400_naming_each_field_and_a_draft_cannot_ship()
    {
        var order = await ConfirmedOrderAsync();
        var a = order.Lines[0].Id;

        var bad = await ReadProblemAsync(await _rep.SendAsync(Shipment(order.Id, new
        {
            lines = new object[] { new { orderLineId = a, quantity = 0m }, new { quantity = 1.0001m } },
            shippedAt = Factory.Time.GetUtcNow().AddDays(2),
            carrier = new string('c', 101),
        })), HttpStatusCode.BadRequest);
        var twice = await ReadProblemAsync(
            await _rep.SendAsync(Shipment(order.Id, new { lines = new[] { new { orderLineId = a, quantity = 1m }, new { orderLineId = a, quantity = 1m } } })),
            HttpStatusCode.BadRequest);
        var none = await ReadProblemAsync(await _rep.SendAsync(Shipment(order.Id, new { lines = Array.Empty<object>() })), HttpStatusCode.BadRequest);
        var (draft, _) = await CreateAsync(_rep, _customer, _productA);
        var notConfirmed = await ReadProblemAsync(
            await _rep.SendAsync(Shipment(draft.Id, new { lines = new[] { new { orderLineId = draft.Lines[0].Id, quantity = 1m } } })), HttpStatusCode.Conflict);
        var errors = bad.GetProperty("errors");

        Assert.Multiple(() =>
        {
            Assert.That(errors.TryGetProperty("lines[0].quantity", out _), Is.True, errors.ToString());
            Assert.That(errors.TryGetProperty("lines[1].orderLineId", out _), Is.True, errors.ToString());
            Assert.That(errors.TryGetProperty("lines[1].quantity", out _), Is.True, errors.ToString());
            Assert.That(errors.TryGetProperty("shippedAt", out _), Is.True, errors.ToString());
            Assert.That(errors.TryGetProperty("carrier", out _), Is.True, errors.ToString());
            Assert.That(twice.GetProperty("errors").TryGetProperty("lines", out _), Is.True, twice.ToString());
            Assert.That(none.GetProperty("errors").TryGetProperty("lines", out _), Is.True, none.ToString());
            Assert.That(notConfirmed.GetProperty("type").GetString(), Does.EndWith("/invalid-order-transition"));
        });
    }

    [Test]
    public async Task A_shipment_honours_If_Match_on_the_order_and_an_Idempotency_Key_replays_it()
    {
        var order = await ConfirmedOrderAsync();
        var (_, etag) = await GetAsync(_rep, order.Id);
        var body = new { lines = new[] { new { orderLineId = order.Lines[0].Id, quantity = 1m } } };

        await ReadProblemAsync(await _rep.SendAsync(Shipment(order.Id, body, "\"1\"")), HttpStatusCode.PreconditionFailed);
        var first = await _rep.SendAsync(Shipment(order.Id, body, etag, idempotencyKey: "ship-once"));
        var replay = await _rep.SendAsync(Shipment(order.Id, body, etag, idempotencyKey: "ship-once"));
        var created = await ReadAsync<ShipmentResponse>(first, HttpStatusCode.Created);
        var replayed = await ReadAsync<ShipmentResponse>(replay, HttpStatusCode.Created);
        var stale = await ReadProblemAsync(await _rep.SendAsync(Shipment(order.Id, body, etag)), HttpStatusCode.PreconditionFailed);
        var (after, _) = await GetAsync(_rep, order.Id);
        var shipments = await CountAsync($"SELECT count(*) FROM sales.shipments WHERE order_id = '{order.Id}'");
        var audited = await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'shipment' AND entity_id = '{created.Id}'");

        Assert.Multiple(() =>
        {
            Assert.That(replayed.Id, Is.EqualTo(created.Id));
            Assert.That(replay.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
            Assert.That(stale.GetProperty("status").GetInt32(), Is.EqualTo(412), "a shipment changes the order's ETag");
            Assert.That(after.Lines[0].ShippedQuantity, Is.EqualTo(1m));
            Assert.That(shipments, Is.EqualTo(1));
            Assert.That(audited, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Two_concurrent_shipments_of_what_is_left_ship_it_once()
    {
        var order = await ConfirmedOrderAsync();
        var body = new { lines = new[] { new { orderLineId = order.Lines[0].Id, quantity = 3m } } };

        var responses = await Task.WhenAll(_rep.SendAsync(Shipment(order.Id, body)), _rep.SendAsync(Shipment(order.Id, body)));
        var (after, _) = await GetAsync(_rep, order.Id);
        var shipments = await CountAsync($"SELECT count(*) FROM sales.shipments WHERE order_id = '{order.Id}'");

        Assert.Multiple(() =>
        {
            Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Created), Is.EqualTo(1));
            Assert.That(responses.Select(r => (int)r.StatusCode), Has.One.AnyOf(409, 422), "the second is a concurrent update or finds nothing left");
            Assert.That(shipments, Is.EqualTo(1));
            Assert.That(after.Lines[0].ShippedQuantity, Is.EqualTo(3m));
        });
    }

    [Test]
    public async Task Shipments_follow_the_order_for_visibility_and_need_sales_write()
    {
        var order = await ConfirmedOrderAsync();
        var shipment = await ShipAsync(order.Id, (order.Lines[0].Id, 1m));
        var other = await ConfirmedOrderAsync();
        var body = new { lines = new[] { new { orderLineId = order.Lines[0].Id, quantity = 1m } } };

        await ReadProblemAsync(await _southRep.SendAsync(Shipment(order.Id, body)), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _southRep.GetAsync($"{OrdersUrl}/{order.Id}/shipments"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _southRep.GetAsync($"{OrdersUrl}/{order.Id}/shipments/{shipment.Id}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _southRep.SendAsync(QuoteApi.Post($"{OrdersUrl}/{order.Id}/shipments/{shipment.Id}/cancel", new { reason = "x" })), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _rep.GetAsync($"{OrdersUrl}/{other.Id}/shipments/{shipment.Id}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _marketer.SendAsync(Shipment(order.Id, body)), HttpStatusCode.Forbidden);
        var seen = await ReadAsync<ShipmentResponse>(await _manager.GetAsync($"{OrdersUrl}/{order.Id}/shipments/{shipment.Id}"), HttpStatusCode.OK);
        var page = await ReadAsync<Page<ShipmentResponse>>(await _manager.GetAsync($"{OrdersUrl}/{order.Id}/shipments?limit=1"), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(seen.Id, Is.EqualTo(shipment.Id));
            Assert.That(page.Items.Select(s => s.Id), Is.EqualTo(new[] { shipment.Id }));
        });
    }

    [Test]
    public async Task The_one_step_ship_action_ships_everything_left_and_an_order_with_shipments_cannot_be_cancelled()
    {
        var order = await ConfirmedOrderAsync();
        var first = await ShipAsync(order.Id, (order.Lines[0].Id, 1m));
        var cancel = await ReadProblemAsync(await ActAsync(_rep, order.Id, "cancel", new { reason = "客户撤单" }), HttpStatusCode.Conflict);

        var shipped = await ActOkAsync(_rep, order.Id, "ship");
        var list = await ReadAsync<Page<ShipmentResponse>>(await _rep.GetAsync($"{OrdersUrl}/{order.Id}/shipments"), HttpStatusCode.OK);
        var cancelShipped = await ReadProblemAsync(await ActAsync(_rep, order.Id, "cancel", new { reason = "客户撤单" }), HttpStatusCode.Conflict);

        Assert.Multiple(() =>
        {
            Assert.That(cancel.GetProperty("type").GetString(), Does.EndWith("/order-has-shipments"));
            Assert.That(shipped.Status, Is.EqualTo(OrderStatus.Shipped));
            Assert.That(shipped.Lines.Select(l => l.ShippedQuantity), Is.EqualTo(new[] { 3m, 2m }));
            Assert.That(list.Items, Has.Count.EqualTo(2));
            Assert.That(list.Items[1].Lines.Select(l => (l.OrderLineId, l.Quantity)), Is.EquivalentTo(new[] { (order.Lines[0].Id, 2m), (order.Lines[1].Id, 2m) }));
            Assert.That(first.Amount + list.Items[1].Amount, Is.EqualTo(order.Total));
            Assert.That(cancelShipped.GetProperty("type").GetString(), Does.EndWith("/order-has-shipments"));
        });
    }

    [Test]
    public async Task Cancelling_a_shipment_gives_its_quantities_back_and_the_order_status_follows()
    {
        var order = await ConfirmedOrderAsync();
        var first = await ShipAsync(order.Id, (order.Lines[0].Id, 1m));
        var second = await ShipAsync(order.Id, (order.Lines[0].Id, 2m), (order.Lines[1].Id, 2m));
        var (shipped, _) = await GetAsync(_rep, order.Id);

        var missingReason = await ReadProblemAsync(await _rep.SendAsync(QuoteApi.Post(CancelUrl(order.Id, second.Id), new { })), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _rep.SendAsync(QuoteApi.Post(CancelUrl(order.Id, second.Id), new { reason = "退回" }, "\"1\"")), HttpStatusCode.PreconditionFailed);
        await CancelShipmentAsync(order.Id, second.Id, "快递丢件");
        var cancelled = await ReadAsync<ShipmentResponse>(await _rep.GetAsync($"{OrdersUrl}/{order.Id}/shipments/{second.Id}"), HttpStatusCode.OK);
        var (partial, _) = await GetAsync(_rep, order.Id);
        var twice = await ReadProblemAsync(await CancelShipmentAsync(order.Id, second.Id, "again", HttpStatusCode.Conflict), HttpStatusCode.Conflict);
        await CancelShipmentAsync(order.Id, first.Id, "整单退回");
        var (confirmed, _) = await GetAsync(_rep, order.Id);
        var reshipped = await ShipAsync(order.Id, (order.Lines[1].Id, 2m));
        var list = await ReadAsync<Page<ShipmentResponse>>(await _rep.GetAsync($"{OrdersUrl}/{order.Id}/shipments"), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That(shipped.Status, Is.EqualTo(OrderStatus.Shipped));
            Assert.That(missingReason.GetProperty("errors").TryGetProperty("reason", out _), Is.True);
            Assert.That(cancelled.Cancelled, Is.True);
            Assert.That(cancelled.CancellationReason, Is.EqualTo("快递丢件"));
            Assert.That(partial.Status, Is.EqualTo(OrderStatus.PartiallyShipped));
            Assert.That(partial.ShippedAt, Is.Null);
            Assert.That(partial.Lines.Select(l => l.ShippedQuantity), Is.EqualTo(new[] { 1m, 0m }));
            Assert.That(twice.GetProperty("type").GetString(), Does.EndWith("/shipment-cancelled"));
            Assert.That(confirmed.Status, Is.EqualTo(OrderStatus.Confirmed));
            Assert.That(confirmed.Lines.Select(l => l.ShippedQuantity), Is.EqualTo(new[] { 0m, 0m }));
            Assert.That(reshipped.Number, Is.EqualTo(3), "cancelled shipments keep their numbers");
            Assert.That(list.Items.Select(s => s.Cancelled), Is.EqualTo(new[] { true, true, false }));
        });
    }

    [Test]
    public async Task A_shipment_has_its_own_ETag_and_its_cancellation_requires_it()
    {
        var order = await ConfirmedOrderAsync();
        var recorded = await _rep.SendAsync(Shipment(order.Id, new { lines = new[] { new { orderLineId = order.Lines[0].Id, quantity = 1m } } }));
        var shipment = await ReadAsync<ShipmentResponse>(recorded, HttpStatusCode.Created);
        var read = await _rep.GetAsync($"{OrdersUrl}/{order.Id}/shipments/{shipment.Id}");
        var etag = read.Headers.ETag!.ToString();

        // A second shipment a second later changes the order (and its ETag), not this shipment.
        Factory.Time.Advance(TimeSpan.FromSeconds(1));
        await ShipAsync(order.Id, (order.Lines[1].Id, 1m));
        var (_, orderEtag) = await GetAsync(_rep, order.Id);
        var afterSecond = await _rep.GetAsync($"{OrdersUrl}/{order.Id}/shipments/{shipment.Id}");

        var missing = await ReadProblemAsync(await _rep.SendAsync(QuoteApi.Post(CancelUrl(order.Id, shipment.Id), new { reason = "退回" })), HttpStatusCode.PreconditionRequired);
        var withOrderEtag = await _rep.SendAsync(QuoteApi.Post(CancelUrl(order.Id, shipment.Id), new { reason = "退回" }, orderEtag));
        var cancelled = await _rep.SendAsync(QuoteApi.Post(CancelUrl(order.Id, shipment.Id), new { reason = "退回" }, etag));
        var cancelledBody = await ReadAsync<ShipmentResponse>(cancelled, HttpStatusCode.OK);
        var stale = await _rep.SendAsync(QuoteApi.Post(CancelUrl(order.Id, shipment.Id), new { reason = "again" }, etag));
        var afterCancel = await _rep.GetAsync($"{OrdersUrl}/{order.Id}/shipments/{shipment.Id}");

        Assert.Multiple(async () =>
        {
            Assert.That(recorded.Headers.ETag!.ToString(), Is.EqualTo(etag), "the shipment's ETag comes with the 201");
            Assert.That(afterSecond.Headers.ETag!.ToString(), Is.EqualTo(etag), "another shipment of the order leaves this one's ETag alone");
            Assert.That(etag, Is.Not.EqualTo(orderEtag));
            Assert.That(missing.GetProperty("type").GetString(), Does.EndWith("/if-match-required"));
            Assert.That(withOrderEtag.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed), "the order's ETag is not the shipment's");
            Assert.That(cancelledBody.Cancelled, Is.True);
            Assert.That(cancelled.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
            Assert.That(afterCancel.Headers.ETag!.ToString(), Is.EqualTo(cancelled.Headers.ETag!.ToString()));
            Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.PreconditionFailed), await stale.Content.ReadAsStringAsync());
            Assert.That(await CountAsync($"SELECT count(*) FROM sales.shipments WHERE order_id = '{order.Id}' AND cancelled_at IS NOT NULL"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_completed_orders_shipments_cannot_be_cancelled_and_a_confirmed_order_without_shipments_can_be()
    {
        var order = await ConfirmedOrderAsync();
        await ActOkAsync(_rep, order.Id, "ship");
        var shipment = (await ReadAsync<Page<ShipmentResponse>>(await _rep.GetAsync($"{OrdersUrl}/{order.Id}/shipments"), HttpStatusCode.OK)).Items[0];
        await ActOkAsync(_rep, order.Id, "complete");

        var closed = await ReadProblemAsync(await CancelShipmentAsync(order.Id, shipment.Id, "太晚了", HttpStatusCode.Conflict), HttpStatusCode.Conflict);

        var returned = await ConfirmedOrderAsync();
        var only = await ShipAsync(returned.Id, (returned.Lines[0].Id, 1m));
        await CancelShipmentAsync(returned.Id, only.Id, "退回");
        var cancelled = await ActOkAsync(_rep, returned.Id, "cancel", new { reason = "客户撤单" });

        Assert.Multiple(() =>
        {
            Assert.That(closed.GetProperty("type").GetString(), Does.EndWith("/invalid-order-transition"));
            Assert.That(cancelled.Status, Is.EqualTo(OrderStatus.Cancelled));
        });
    }

    [Test]
    public async Task A_partially_shipped_order_still_counts_against_the_customers_credit()
    {
        var limited = await CustomerAsync(_rep, "额度客户", creditLimit: 500m);
        var order = await ConfirmedOrderAsync(limited);
        await ShipAsync(order.Id, (order.Lines[0].Id, 1m));
        var (next, _) = await CreateAsync(_rep, limited, _productB, quantity: 3m);

        var refused = await ReadProblemAsync(await ActAsync(_rep, next.Id, "confirm"), HttpStatusCode.UnprocessableEntity);

        Assert.That(refused.GetProperty("openOrders").GetDecimal(), Is.EqualTo(258.21m));
    }

    [Test]
    public async Task Shipments_cancellations_and_completion_land_on_the_customer_timeline()
    {
        var order = await ConfirmedOrderAsync();
        var lastWeek = Factory.Time.GetUtcNow().AddDays(-7);
        var first = await ReadAsync<ShipmentResponse>(await _rep.SendAsync(Shipment(order.Id, new
        {
            lines = new[] { new { orderLineId = order.Lines[1].Id, quantity = 2m } },
            shippedAt = lastWeek,
            carrier = "顺丰",
            trackingNumber = "SF" + order.Number,
        })), HttpStatusCode.Created);
        var second = await ShipAsync(order.Id, (order.Lines[0].Id, 3m));
        await ActOkAsync(_rep, order.Id, "complete");
        var dropped = await ConfirmedOrderAsync();
        var returned = await ShipAsync(dropped.Id, (dropped.Lines[0].Id, 1m));
        await CancelShipmentAsync(dropped.Id, returned.Id, "拒收");
        await ActOkAsync(_rep, dropped.Id, "cancel", new { reason = "客户撤单" });
        await DispatchOutboxAsync();

        var timeline = await ReadAsync<TimelineTests.TimelinePage>(await _rep.GetAsync($"/api/v1/customers/{_customer}/timeline?limit=50"), HttpStatusCode.OK);
        var summaries = timeline.Items.Where(e => e.Kind == "order").Select(e => e.Summary).ToArray();
        var firstEntry = timeline.Items.Single(e => e.Summary.StartsWith($"Order {order.Number} shipment 1:", StringComparison.Ordinal));

        Assert.Multiple(() =>
        {
            Assert.That(first.Amount + second.Amount, Is.EqualTo(258.21m));
            Assert.That(firstEntry.OccurredAt, Is.EqualTo(lastWeek).Within(TimeSpan.FromMilliseconds(1)), "a shipment is on the timeline when the goods left");
            Assert.That(firstEntry.Data.GetProperty("fullyShipped").GetBoolean(), Is.False);
            Assert.That(summaries, Is.SupersetOf(new[]
            {
                $"Order {order.Number} shipment 1: 226.00 CNY (partial), 顺丰 SF{order.Number}",
                $"Order {order.Number} shipment 2: 32.21 CNY (fully shipped), 顺丰 SF{order.Number}",
                $"Order {order.Number} completed: 258.21 CNY",
                $"Order {dropped.Number} shipment 1 cancelled: 10.74 CNY (拒收)",
                $"Order {dropped.Number} cancelled: 258.21 CNY (客户撤单)",
            }));
        });
    }

    private static string CancelUrl(Guid orderId, Guid shipmentId) => $"{OrdersUrl}/{orderId}/shipments/{shipmentId}/cancel";

    /// <summary>Cancels a shipment as the rep with the shipment's current ETag (read first); asserts <paramref name="expected"/>.</summary>
    private async Task<HttpResponseMessage> CancelShipmentAsync(Guid orderId, Guid shipmentId, string reason, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var current = await _rep.GetAsync($"{OrdersUrl}/{orderId}/shipments/{shipmentId}");
        var response = await _rep.SendAsync(QuoteApi.Post(CancelUrl(orderId, shipmentId), new { reason }, current.Headers.ETag!.ToString()));
        Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
        return response;
    }

    private static HttpRequestMessage Shipment(Guid orderId, object body, string? ifMatch = null, string? idempotencyKey = null)
    {
        var request = QuoteApi.Post($"{OrdersUrl}/{orderId}/shipments", body, ifMatch);
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        return request;
    }

    /// <summary>A confirmed order of the two lines described on the class.</summary>
    private async Task<OrderResponse> ConfirmedOrderAsync(Guid? customer = null)
    {
        var (order, _) = await CreateAsync(_rep, new
        {
            customerId = customer ?? _customer,
            lines = new object[] { new { productId = _productA, quantity = 3m, discountPercent = 5m }, new { productId = _productB, quantity = 2m } },
        });
        return await ActOkAsync(_rep, order.Id, "confirm");
    }

    /// <summary>A shipment of these quantities by the rep, carried by 顺丰 under a tracking number made of the order number.</summary>
    private async Task<ShipmentResponse> ShipAsync(Guid orderId, params (Guid Line, decimal Quantity)[] lines)
    {
        var (order, _) = await GetAsync(_rep, orderId);
        var body = new
        {
            lines = lines.Select(l => new { orderLineId = l.Line, quantity = l.Quantity }).ToArray(),
            carrier = "顺丰",
            trackingNumber = "SF" + order.Number,
        };
        return await ReadAsync<ShipmentResponse>(await _rep.SendAsync(Shipment(orderId, body)), HttpStatusCode.Created);
    }
}

using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sales.Quotes;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Orders;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Sales.Orders.OrderApi;

namespace Crm.IntegrationTests.Sales.Orders;

internal sealed partial class OrderTests : IntegrationTest
{
    private QuoteOrg _org = null!;
    private HttpClient _eastRep = null!;
    private HttpClient _southRep = null!;
    private HttpClient _eastManager = null!;
    private HttpClient _director = null!;
    private HttpClient _admin = null!;
    private HttpClient _marketer = null!;

    [SetUp]
    public async Task SignInAsync()
    {
        _org = await QuoteApi.CreateOrgAsync(Factory);
        _eastRep = Factory.ClientFor(_org.EastRep);
        _southRep = Factory.ClientFor(_org.SouthRep);
        _eastManager = Factory.ClientFor(_org.EastManager);
        _director = Factory.ClientFor(_org.Director);
        _admin = Factory.ClientFor(_org.Admin);
        _marketer = Factory.ClientFor(_org.Marketer);
    }

    [TearDown]
    public void DisposeClients()
    {
        _eastRep.Dispose();
        _southRep.Dispose();
        _eastManager.Dispose();
        _director.Dispose();
        _admin.Dispose();
        _marketer.Dispose();
    }

    [GeneratedRegex(@"^SO-\d{4}-\d{6}$")]
    private static partial Regex OrderNumber();

    [Test]
    public async Task Creating_an_order_prices_its_lines_like_a_quote_numbers_it_and_answers_location_and_etag()
    {
        var server = await ProductAsync(_director, "O-SRV", 100m);
        var service = await ProductAsync(_director, "O-SVC", 40m);
        var customer = await CustomerAsync(_eastRep, "华东制造");

        var response = await _eastRep.PostAsync(OrdersUrl, JsonBody(new
        {
            customerId = customer,
            notes = "月底前发货",
            lines = new object[]
            {
                new { productId = server, quantity = 3m, discountPercent = 5m },
                new { productId = service, quantity = 1.5m, unitPrice = 33.33m, taxRatePercent = 6m, description = "上门安装" },
            },
        }));
        var created = await ReadAsync<OrderResponse>(response, HttpStatusCode.Created);
        var (fetched, etag) = await GetAsync(_eastRep, created.Id);

        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/sales/orders/{created.Id}"));
            Assert.That(response.Headers.ETag, Is.Not.Null);
            Assert.That(etag, Is.EqualTo(response.Headers.ETag!.ToString()));
            Assert.That(created.Number, Does.Match(OrderNumber()));
            Assert.That(created.Status, Is.EqualTo(OrderStatus.Draft));
            Assert.That(created.OwnerId, Is.EqualTo(_org.EastRep.Id));
            Assert.That(created.Currency, Is.EqualTo("CNY"));

            // 3 × 100 = 300, 5% off = 15, net 285, 13% VAT 37.05 → 322.05; 1.5 × 33.33 = 49.995 → 50.00, 6% → 3.00 → 53.00.
            Assert.That(created.Lines.Select(l => l.LineTotal), Is.EqualTo(new[] { 322.05m, 53.00m }));
            Assert.That(created.Lines[0].PriceSource, Is.EqualTo(PriceSource.ListPrice));
            Assert.That(created.Lines[1].Description, Is.EqualTo("上门安装"));
            Assert.That(created.Subtotal, Is.EqualTo(350.00m));
            Assert.That(created.DiscountTotal, Is.EqualTo(15.00m));
            Assert.That(created.TaxTotal, Is.EqualTo(40.05m));
            Assert.That(created.Total, Is.EqualTo(375.05m));
            Assert.That(JsonSerializer.Serialize(fetched with { Lines = [] }, Json), Is.EqualTo(JsonSerializer.Serialize(created with { Lines = [] }, Json)));
            Assert.That(fetched.Lines, Is.EqualTo(created.Lines), "decimals compare by value: 3 and 3.000 are the same quantity");
        });
    }

    [Test]
    public async Task Creating_an_order_with_bad_fields_is_a_400_naming_each_field()
    {
        var product = await ProductAsync(_director, "O-BAD", 10m);
        var problem = await ReadProblemAsync(await _eastRep.PostAsync(OrdersUrl, JsonBody(new
        {
            currency = "rmb",
            lines = new object[] { new { productId = product, quantity = 0m, discountPercent = 120m } },
        })), HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");

        Assert.Multiple(() =>
        {
            Assert.That(errors.TryGetProperty("customerId", out _), Is.True, errors.ToString());
            Assert.That(errors.TryGetProperty("currency", out _), Is.True, errors.ToString());
            Assert.That(errors.TryGetProperty("lines[0].quantity", out _), Is.True, errors.ToString());
            Assert.That(errors.TryGetProperty("lines[0].discountPercent", out _), Is.True, errors.ToString());
        });

        var noLines = await ReadProblemAsync(
            await _eastRep.PostAsync(OrdersUrl, JsonBody(new { customerId = Guid.NewGuid(), lines = Array.Empty<object>() })), HttpStatusCode.BadRequest);
        Assert.That(noLines.GetProperty("errors").TryGetProperty("lines", out _), Is.True);
    }

    [Test]
    public async Task An_inactive_product_a_price_in_another_currency_and_an_archived_customer_are_422_in_the_words_of_orders()
    {
        var product = await ProductAsync(_director, "O-OK", 10m);
        var dollars = (await ProductApi.CreateProductAsync(_director, new { sku = "O-USD", name = "进口件", unit = "个", listPrice = 10m, currency = "USD" })).Product.Id;
        var retired = await ProductAsync(_director, "O-OLD", 10m);
        await ReadAsync<JsonElement>(await _director.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"{ProductApi.Products}/{retired}")
        {
            Content = new StringContent("{\"active\":false}", System.Text.Encoding.UTF8, "application/merge-patch+json"),
        }), HttpStatusCode.OK);
        var customer = await CustomerAsync(_eastRep, "华东客户");
        var archived = await CustomerAsync(_eastRep, "已归档客户");
        await ReadAsync<JsonElement>(await _admin.DeleteAsync($"/api/v1/customers/{archived}"), HttpStatusCode.OK);

        var inactive = await ReadProblemAsync(
            await _eastRep.PostAsync(OrdersUrl, JsonBody(new { customerId = customer, lines = new[] { new { productId = retired, quantity = 1m } } })),
            HttpStatusCode.UnprocessableEntity);
        var currency = await ReadProblemAsync(
            await _eastRep.PostAsync(OrdersUrl, JsonBody(new { customerId = customer, lines = new[] { new { productId = dollars, quantity = 1m } } })),
            HttpStatusCode.UnprocessableEntity);
        var closed = await ReadProblemAsync(
            await _eastRep.PostAsync(OrdersUrl, JsonBody(new { customerId = archived, lines = new[] { new { productId = product, quantity = 1m } } })),
            HttpStatusCode.UnprocessableEntity);

        Assert.Multiple(async () =>
        {
            Assert.That(inactive.GetProperty("type").GetString(), Does.EndWith("/product-inactive"));
            Assert.That(inactive.GetProperty("detail").GetString(), Does.EndWith("is inactive and cannot be ordered."));
            Assert.That(currency.GetProperty("type").GetString(), Does.EndWith("/price-currency-mismatch"));
            Assert.That(currency.GetProperty("detail").GetString(), Does.EndWith("this order is in CNY."));
            Assert.That(closed.GetProperty("type").GetString(), Does.EndWith("/customer-not-open"));
            Assert.That(closed.GetProperty("detail").GetString(), Does.EndWith("no new orders."));
            foreach (var problem in new[] { inactive, currency, closed })
            {
                Assert.That(problem.GetProperty("detail").GetString(), Does.Not.Contain("quote"));
            }

            Assert.That(await CountAsync("SELECT count(*) FROM sales.orders"), Is.Zero);
        });
    }

    [Test]
    public async Task Orders_follow_their_owner_for_visibility_and_need_sales_write()
    {
        var product = await ProductAsync(_director, "O-VIS", 10m);
        var customer = await CustomerAsync(_eastRep, "华东可见");
        var (order, _) = await CreateAsync(_eastRep, customer, product);

        await ReadProblemAsync(await _southRep.GetAsync($"{OrdersUrl}/{order.Id}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _eastRep.GetAsync($"{OrdersUrl}/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await GetAsync(_eastManager, order.Id);
        await GetAsync(_director, order.Id);
        await GetAsync(_admin, order.Id);

        // The south rep cannot see the east customer, nor order for it.
        var unknown = await ReadProblemAsync(
            await _southRep.PostAsync(OrdersUrl, JsonBody(new { customerId = customer, lines = new[] { new { productId = product, quantity = 1m } } })),
            HttpStatusCode.UnprocessableEntity);
        Assert.That(unknown.GetProperty("type").GetString(), Does.EndWith("/unknown-customer"));

        await ReadProblemAsync(
            await _marketer.PostAsync(OrdersUrl, JsonBody(new { customerId = customer, lines = new[] { new { productId = product, quantity = 1m } } })),
            HttpStatusCode.Forbidden);
        await ReadProblemAsync(await ActAsync(_marketer, order.Id, "confirm"), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task A_draft_is_patched_with_if_match_and_its_lines_are_repriced_while_a_confirmed_order_is_read_only()
    {
        var product = await ProductAsync(_director, "O-PAT", 100m);
        var customer = await CustomerAsync(_eastRep, "华东补丁");
        var (order, etag) = await CreateAsync(_eastRep, customer, product);

        await ReadProblemAsync(await _eastRep.SendAsync(Patch(order.Id, new { notes = "x" }, "\"1\"")), HttpStatusCode.PreconditionFailed);
        var bad = await ReadProblemAsync(await _eastRep.SendAsync(Patch(order.Id, new { lines = Array.Empty<object>() }, etag)), HttpStatusCode.BadRequest);
        Assert.That(bad.GetProperty("errors").TryGetProperty("lines", out _), Is.True);

        var patched = await ReadAsync<OrderResponse>(
            await _eastRep.SendAsync(Patch(order.Id, new { notes = "加急", lines = new[] { new { productId = product, quantity = 2m, taxRatePercent = 0m } } }, etag)),
            HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(patched.Notes, Is.EqualTo("加急"));
            Assert.That(patched.Lines, Has.Count.EqualTo(1));
            Assert.That(patched.Total, Is.EqualTo(200.00m));
        });

        await ActOkAsync(_eastRep, order.Id, "confirm");
        var readOnly = await ReadProblemAsync(await _eastRep.SendAsync(Patch(order.Id, new { notes = "改" })), HttpStatusCode.Conflict);
        Assert.That(readOnly.GetProperty("type").GetString(), Does.EndWith("/order-not-draft"));
        await ReadProblemAsync(await _southRep.SendAsync(Patch(order.Id, new { notes = "x" })), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task An_order_moves_draft_confirmed_shipped_completed_and_disallowed_moves_are_409()
    {
        var product = await ProductAsync(_director, "O-FLOW", 10m);
        var customer = await CustomerAsync(_eastRep, "华东流程");
        var (order, etag) = await CreateAsync(_eastRep, customer, product);

        var ship = await ReadProblemAsync(await ActAsync(_eastRep, order.Id, "ship"), HttpStatusCode.Conflict);
        Assert.That(ship.GetProperty("type").GetString(), Does.EndWith("/invalid-order-transition"));
        await ReadProblemAsync(await ActAsync(_eastRep, order.Id, "confirm", ifMatch: "\"1\""), HttpStatusCode.PreconditionFailed);

        var confirmed = await ReadAsync<OrderResponse>(await ActAsync(_eastRep, order.Id, "confirm", ifMatch: etag), HttpStatusCode.OK);
        var shipped = await ActOkAsync(_eastRep, order.Id, "ship");
        await ReadProblemAsync(await ActAsync(_eastRep, order.Id, "cancel", new { reason = "客户变卦" }), HttpStatusCode.Conflict);
        var completed = await ActOkAsync(_eastRep, order.Id, "complete");
        await ReadProblemAsync(await ActAsync(_eastRep, order.Id, "confirm"), HttpStatusCode.Conflict);
        await ReadProblemAsync(await ActAsync(_southRep, order.Id, "ship"), HttpStatusCode.NotFound);

        Assert.Multiple(() =>
        {
            Assert.That(confirmed.Status, Is.EqualTo(OrderStatus.Confirmed));
            Assert.That(confirmed.ConfirmedAt, Is.Not.Null);
            Assert.That(confirmed.ReadOnly, Is.True);
            Assert.That(shipped.Status, Is.EqualTo(OrderStatus.Shipped));
            Assert.That(shipped.ShippedAt, Is.Not.Null);
            Assert.That(completed.Status, Is.EqualTo(OrderStatus.Completed));
            Assert.That(completed.CompletedAt, Is.Not.Null);
        });
    }

    [Test]
    public async Task Draft_and_confirmed_orders_are_cancelled_with_a_reason()
    {
        var product = await ProductAsync(_director, "O-CXL", 10m);
        var customer = await CustomerAsync(_eastRep, "华东取消");
        var (draft, _) = await CreateAsync(_eastRep, customer, product);
        var (confirmed, _) = await CreateAsync(_eastRep, customer, product);
        await ActOkAsync(_eastRep, confirmed.Id, "confirm");

        var missing = await ReadProblemAsync(await ActAsync(_eastRep, draft.Id, "cancel", new { }), HttpStatusCode.BadRequest);
        Assert.That(missing.GetProperty("errors").TryGetProperty("reason", out _), Is.True);

        var cancelledDraft = await ActOkAsync(_eastRep, draft.Id, "cancel", new { reason = "重复下单" });
        var cancelledConfirmed = await ActOkAsync(_eastRep, confirmed.Id, "cancel", new { reason = "客户撤单" });
        await ReadProblemAsync(await ActAsync(_eastRep, draft.Id, "cancel", new { reason = "again" }), HttpStatusCode.Conflict);

        Assert.Multiple(() =>
        {
            Assert.That(cancelledDraft.Status, Is.EqualTo(OrderStatus.Cancelled));
            Assert.That(cancelledDraft.CancellationReason, Is.EqualTo("重复下单"));
            Assert.That(cancelledConfirmed.Status, Is.EqualTo(OrderStatus.Cancelled));
            Assert.That(cancelledConfirmed.CancelledAt, Is.Not.Null);
        });
    }

    [Test]
    public async Task An_accepted_quote_becomes_one_order_with_its_lines_and_a_second_order_is_409()
    {
        var product = await ProductAsync(_director, "O-QTE", 100m);
        var customer = await CustomerAsync(_eastRep, "华东报价");
        var quote = await AcceptedQuoteAsync(_eastRep, customer, product, 4m);

        var response = await _eastRep.PostAsync($"/api/v1/sales/quotes/{quote.Id}/order", JsonBody(new { notes = "按报价下单" }));
        var order = await ReadAsync<OrderResponse>(response, HttpStatusCode.Created);
        var second = await ReadProblemAsync(await _eastRep.PostAsync($"/api/v1/sales/quotes/{quote.Id}/order", JsonBody(new { })), HttpStatusCode.Conflict);

        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/sales/orders/{order.Id}"));
            Assert.That(order.QuoteId, Is.EqualTo(quote.Id));
            Assert.That(order.CustomerId, Is.EqualTo(customer));
            Assert.That(order.OwnerId, Is.EqualTo(quote.OwnerId));
            Assert.That(order.Notes, Is.EqualTo("按报价下单"));
            Assert.That(order.Total, Is.EqualTo(quote.Total));
            Assert.That(order.Lines.Select(l => (l.ProductId, l.Quantity, l.UnitPrice, l.LineTotal)),
                Is.EqualTo(quote.Lines.Select(l => (l.ProductId, l.Quantity, l.UnitPrice, l.LineTotal))));
            Assert.That(second.GetProperty("type").GetString(), Does.EndWith("/quote-already-ordered"));
        });
    }

    [Test]
    public async Task Only_an_accepted_visible_quote_becomes_an_order()
    {
        var product = await ProductAsync(_director, "O-QDR", 100m);
        var customer = await CustomerAsync(_eastRep, "华东草稿");
        var (draft, _) = await QuoteApi.CreateAsync(_eastRep, customer, product);

        var notAccepted = await ReadProblemAsync(await _eastRep.PostAsync($"/api/v1/sales/quotes/{draft.Id}/order", JsonBody(new { })), HttpStatusCode.Conflict);
        Assert.That(notAccepted.GetProperty("type").GetString(), Does.EndWith("/quote-not-accepted"));
        await ReadProblemAsync(await _southRep.PostAsync($"/api/v1/sales/quotes/{draft.Id}/order", JsonBody(new { })), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _marketer.PostAsync($"/api/v1/sales/quotes/{draft.Id}/order", JsonBody(new { })), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task The_list_filters_by_customer_status_number_and_created_range_in_keyset_pages_within_the_callers_scope()
    {
        var product = await ProductAsync(_director, "O-LST", 10m);
        var east = await CustomerAsync(_eastRep, "华东列表");
        var south = await CustomerAsync(_southRep, "华南列表");
        var (first, _) = await CreateAsync(_eastRep, east, product);
        Factory.Time.Advance(TimeSpan.FromMinutes(1));
        var (second, _) = await CreateAsync(_eastRep, east, product);
        Factory.Time.Advance(TimeSpan.FromMinutes(1));
        var (southOrder, _) = await CreateAsync(_southRep, south, product);
        await ActOkAsync(_eastRep, second.Id, "confirm");
        string Instant(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

        async Task<Page<OrderSummaryResponse>> ListAsync(HttpClient client, string query) =>
            await ReadAsync<Page<OrderSummaryResponse>>(await client.GetAsync($"{OrdersUrl}?{query}"), HttpStatusCode.OK);

        var mine = await ListAsync(_eastRep, "includeTotal=true");
        var director = await ListAsync(_director, "");
        var confirmed = await ListAsync(_director, "status=confirmed");
        var byNumber = await ListAsync(_admin, $"q={first.Number[^6..]}");
        var byCustomer = await ListAsync(_admin, $"customerId={south}");
        var byOwner = await ListAsync(_admin, $"ownerId={_org.SouthRep.Id}");
        var range = await ListAsync(_admin, $"createdFrom={Instant(second.CreatedAt)}&createdTo={Instant(southOrder.CreatedAt)}");
        var future = await ListAsync(_admin, $"createdFrom={Instant(southOrder.CreatedAt.AddSeconds(1).ToOffset(TimeSpan.FromHours(8)))}");
        var page1 = await ListAsync(_admin, "limit=2&sort=createdAt");
        var page2 = await ListAsync(_admin, $"limit=2&sort=createdAt&cursor={page1.NextCursor}");

        Assert.Multiple(() =>
        {
            Assert.That(mine.Items.Select(o => o.Id), Is.EqualTo(new[] { second.Id, first.Id }));
            Assert.That(mine.Total, Is.EqualTo(2));
            Assert.That(director.Items, Has.Count.EqualTo(3));
            Assert.That(confirmed.Items.Select(o => o.Id), Is.EqualTo(new[] { second.Id }));
            Assert.That(byNumber.Items.Select(o => o.Id), Is.EqualTo(new[] { first.Id }));
            Assert.That(byCustomer.Items.Select(o => o.Id), Is.EqualTo(new[] { southOrder.Id }));
            Assert.That(byOwner.Items.Select(o => o.Id), Is.EqualTo(new[] { southOrder.Id }));
            Assert.That(range.Items.Select(o => o.Id), Is.EqualTo(new[] { second.Id }));
            Assert.That(future.Items, Is.Empty);
            Assert.That(page1.Items.Concat(page2.Items).Select(o => o.Id), Is.EqualTo(new[] { first.Id, second.Id, southOrder.Id }));
            Assert.That(page2.NextCursor, Is.Null);
        });

        await ReadProblemAsync(await _admin.GetAsync($"{OrdersUrl}?status=shipping"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await _admin.GetAsync($"{OrdersUrl}?sort=number"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(
            await _admin.GetAsync($"{OrdersUrl}?createdFrom=2026-12-02T00:00:00Z&createdTo=2026-12-01T00:00:00Z"), HttpStatusCode.BadRequest);
    }

    [Test]
    public async Task Creating_an_order_honours_the_idempotency_key()
    {
        var product = await ProductAsync(_director, "O-IDEM", 10m);
        var customer = await CustomerAsync(_eastRep, "华东幂等");
        var body = new { customerId = customer, lines = new[] { new { productId = product, quantity = 1m } } };
        var key = Guid.NewGuid().ToString();

        async Task<HttpResponseMessage> PostAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, OrdersUrl) { Content = JsonBody(body) };
            request.Headers.Add("Idempotency-Key", key);
            return await _eastRep.SendAsync(request);
        }

        var first = await ReadAsync<OrderResponse>(await PostAsync(), HttpStatusCode.Created);
        var replay = await PostAsync();
        var again = await ReadAsync<OrderResponse>(replay, HttpStatusCode.Created);
        var stored = await CountAsync("SELECT count(*) FROM sales.orders");

        Assert.Multiple(() =>
        {
            Assert.That(again.Id, Is.EqualTo(first.Id));
            Assert.That(replay.Headers.GetValues("Idempotent-Replayed").Single(), Is.EqualTo("true"));
            Assert.That(stored, Is.EqualTo(1));
        });
    }
}

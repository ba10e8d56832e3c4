using System.Net;
using System.Net.Http.Json;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.PriceBooks;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Sales.Quotes.ProductApi;

namespace Crm.IntegrationTests.Sales.Quotes;

internal sealed class PriceBookTests : IntegrationTest
{
    private const string PriceBooks = "/api/v1/sales/price-books";
    private const string Prices = "/api/v1/sales/prices";

    private HttpClient _manager = null!;
    private HttpClient _rep = null!;
    private HttpClient _otherRep = null!;

    [SetUp]
    public async Task SignInAsync()
    {
        _manager = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesManager));
        _rep = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
        _otherRep = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.SalesRep));
    }

    [TearDown]
    public void DisposeClients()
    {
        _manager.Dispose();
        _rep.Dispose();
        _otherRep.Dispose();
    }

    private async Task<PriceBookResponse> CreateBookAsync(object body) =>
        await ReadAsync<PriceBookResponse>(await _manager.PostAsJsonAsync(PriceBooks, body, CustomerApi.Json), HttpStatusCode.Created);

    private async Task SetPriceAsync(Guid bookId, Guid productId, decimal unitPrice) =>
        await ReadAsync<PriceBookEntryResponse>(await _manager.PutAsJsonAsync($"{PriceBooks}/{bookId}/entries/{productId}", new { unitPrice }), HttpStatusCode.OK);

    private async Task<PriceResolutionResponse> PriceAsync(HttpClient client, Guid productId, Guid? customerId, string on) =>
        await ReadAsync<PriceResolutionResponse>(
            await client.GetAsync($"{Prices}?productId={productId}&on={on}" + (customerId is null ? string.Empty : $"&customerId={customerId}")), HttpStatusCode.OK);

    [Test]
    public async Task The_customer_book_beats_the_tier_book_which_beats_the_standard_book_which_beats_the_list_price_and_the_answer_says_which()
    {
        var (server, _) = await CreateProductAsync(_manager, "PB-SRV", "服务器", 100m);
        var (service, _) = await CreateProductAsync(_manager, "PB-SVC", "实施服务", 50m);
        var (cable, _) = await CreateProductAsync(_manager, "PB-CBL", "线缆", 5m);
        var (customer, _) = await CustomerApi.CreateAsync(_rep, new { kind = "organization", name = "华东电力", tier = "A" });

        var standard = await CreateBookAsync(new { name = "标准价格表", kind = "standard" });
        var tierA = await CreateBookAsync(new { name = "A 类客户价", kind = "tier", tier = "A" });
        var agreement = await CreateBookAsync(new { name = "华东电力 2026 协议价", kind = "customer", customerId = customer.Id, validFrom = "2026-01-01", validTo = "2026-06-30" });
        await SetPriceAsync(standard.Id, server.Id, 90m);
        await SetPriceAsync(standard.Id, service.Id, 45m);
        await SetPriceAsync(tierA.Id, server.Id, 80m);
        await SetPriceAsync(agreement.Id, server.Id, 70m);

        var inAgreement = await PriceAsync(_rep, server.Id, customer.Id, "2026-06-30");
        var afterAgreement = await PriceAsync(_rep, server.Id, customer.Id, "2026-07-01");
        var standardOnly = await PriceAsync(_rep, service.Id, customer.Id, "2026-03-01");
        var listOnly = await PriceAsync(_rep, cable.Id, customer.Id, "2026-03-01");
        var noCustomer = await PriceAsync(_rep, server.Id, null, "2026-03-01");

        Assert.Multiple(() =>
        {
            Assert.That((inAgreement.Source, inAgreement.UnitPrice, inAgreement.PriceBookId), Is.EqualTo((PriceSource.CustomerBook, 70m, (Guid?)agreement.Id)));
            Assert.That(inAgreement.Explanation, Does.Contain("华东电力 2026 协议价"));
            Assert.That((afterAgreement.Source, afterAgreement.UnitPrice, afterAgreement.PriceBookId), Is.EqualTo((PriceSource.TierBook, 80m, (Guid?)tierA.Id)));
            Assert.That(afterAgreement.CustomerTier, Is.EqualTo("A"));
            Assert.That((standardOnly.Source, standardOnly.UnitPrice, standardOnly.PriceBookName), Is.EqualTo((PriceSource.StandardBook, 45m, "标准价格表")));
            Assert.That((listOnly.Source, listOnly.UnitPrice, listOnly.PriceBookId), Is.EqualTo((PriceSource.ListPrice, 5m, (Guid?)null)));
            Assert.That(listOnly.Explanation, Does.Contain("list price"));
            Assert.That((noCustomer.Source, noCustomer.UnitPrice), Is.EqualTo((PriceSource.StandardBook, 90m)));
        });
    }

    [Test]
    public async Task A_book_that_has_not_started_yet_does_not_price_and_a_reprice_replaces_the_entry()
    {
        var (product, _) = await CreateProductAsync(_manager, "PB-FUT", "新品", 100m);
        var standard = await CreateBookAsync(new { name = "2027 标准价", kind = "standard", validFrom = "2027-01-01" });
        await SetPriceAsync(standard.Id, product.Id, 95m);
        await SetPriceAsync(standard.Id, product.Id, 93.5m);

        var before = await PriceAsync(_rep, product.Id, null, "2026-12-31");
        var from = await PriceAsync(_rep, product.Id, null, "2027-01-01");
        var entries = await ReadAsync<Page<PriceBookEntryResponse>>(await _rep.GetAsync($"{PriceBooks}/{standard.Id}/entries"), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That((before.Source, before.UnitPrice), Is.EqualTo((PriceSource.ListPrice, 100m)));
            Assert.That((from.Source, from.UnitPrice), Is.EqualTo((PriceSource.StandardBook, 93.5m)));
            Assert.That(entries.Items.Select(e => (e.ProductId, e.UnitPrice, e.Currency)), Is.EqualTo(new[] { (product.Id, 93.5m, "CNY") }));
        });
    }

    [Test]
    public async Task A_second_standard_book_or_a_duplicate_name_is_409()
    {
        await CreateBookAsync(new { name = "标准价格表", kind = "standard" });

        var second = await _manager.PostAsJsonAsync(PriceBooks, new { name = "另一个标准价", kind = "standard" });
        var sameName = await _manager.PostAsJsonAsync(PriceBooks, new { name = "标准价格表", kind = "tier", tier = "B" });

        await ReadProblemAsync(second, HttpStatusCode.Conflict);
        await ReadProblemAsync(sameName, HttpStatusCode.Conflict);
        Assert.That(await CountAsync("SELECT count(*) FROM sales.price_books"), Is.EqualTo(1));
    }

    [Test]
    public async Task Inconsistent_targets_reversed_dates_an_unknown_customer_and_bad_prices_are_400_with_field_errors()
    {
        var tierWithout = await _manager.PostAsJsonAsync(PriceBooks, new { name = "x", kind = "tier" });
        var standardWithTier = await _manager.PostAsJsonAsync(PriceBooks, new { name = "x", kind = "standard", tier = "A", customerId = Guid.NewGuid() });
        var reversed = await _manager.PostAsJsonAsync(PriceBooks, new { name = "", kind = "standard", validFrom = "2026-05-01", validTo = "2026-04-30" });
        var unknownCustomer = await _manager.PostAsJsonAsync(PriceBooks, new { name = "x", kind = "customer", customerId = Guid.NewGuid() });
        var badKind = await _manager.PostAsJsonAsync(PriceBooks, new { name = "x", kind = "everyone" });
        var book = await CreateBookAsync(new { name = "标准", kind = "standard" });
        var (product, _) = await CreateProductAsync(_manager, "PB-BAD", "x", 1m);
        var badPrice = await _manager.PutAsJsonAsync($"{PriceBooks}/{book.Id}/entries/{product.Id}", new { unitPrice = -1.005m, currency = "RMB1" });
        var noProduct = await _rep.GetAsync(Prices);
        var badDay = await _rep.GetAsync($"{Prices}?productId={product.Id}&on=31.12.2026");

        Assert.Multiple(async () =>
        {
            Assert.That((await ReadProblemAsync(tierWithout, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("tier", out _), Is.True);
            var standardErrors = (await ReadProblemAsync(standardWithTier, HttpStatusCode.BadRequest)).GetProperty("errors");
            Assert.That(standardErrors.TryGetProperty("tier", out _) && standardErrors.TryGetProperty("customerId", out _), Is.True);
            var reversedErrors = (await ReadProblemAsync(reversed, HttpStatusCode.BadRequest)).GetProperty("errors");
            Assert.That(reversedErrors.TryGetProperty("validTo", out _) && reversedErrors.TryGetProperty("name", out _), Is.True);
            Assert.That((await ReadProblemAsync(unknownCustomer, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("customerId", out _), Is.True);
            await ReadProblemAsync(badKind, HttpStatusCode.BadRequest);
            var priceErrors = (await ReadProblemAsync(badPrice, HttpStatusCode.BadRequest)).GetProperty("errors");
            Assert.That(priceErrors.TryGetProperty("unitPrice", out _) && priceErrors.TryGetProperty("currency", out _), Is.True);
            Assert.That((await ReadProblemAsync(noProduct, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("productId", out _), Is.True);
            await ReadProblemAsync(badDay, HttpStatusCode.BadRequest);
        });
    }

    [Test]
    public async Task Reps_read_but_cannot_write_price_books()
    {
        var book = await CreateBookAsync(new { name = "标准", kind = "standard" });
        var (product, _) = await CreateProductAsync(_manager, "PB-403", "x", 1m);

        await ReadProblemAsync(await _rep.PostAsJsonAsync(PriceBooks, new { name = "mine", kind = "tier", tier = "A" }), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _rep.PutAsJsonAsync($"{PriceBooks}/{book.Id}/entries/{product.Id}", new { unitPrice = 0m }), HttpStatusCode.Forbidden);
        var fetched = await ReadAsync<PriceBookResponse>(await _rep.GetAsync($"{PriceBooks}/{book.Id}"), HttpStatusCode.OK);
        var listed = await ReadAsync<Page<PriceBookResponse>>(await _rep.GetAsync($"{PriceBooks}?kind=standard"), HttpStatusCode.OK);

        Assert.Multiple(() =>
        {
            Assert.That((fetched.Name, fetched.Kind), Is.EqualTo(("标准", PriceBookKind.Standard)));
            Assert.That(listed.Items.Select(b => b.Id), Is.EqualTo(new[] { book.Id }));
        });
    }

    [Test]
    public async Task Unknown_books_and_products_are_404_and_a_customer_the_caller_cannot_see_is_404_for_pricing()
    {
        var book = await CreateBookAsync(new { name = "标准", kind = "standard" });
        var (product, _) = await CreateProductAsync(_manager, "PB-404", "x", 1m);
        var (customer, _) = await CustomerApi.CreateAsync(_rep, "只属于甲的客户");

        await ReadProblemAsync(await _rep.GetAsync($"{PriceBooks}/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _rep.GetAsync($"{PriceBooks}/{Guid.NewGuid()}/entries"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _manager.PutAsJsonAsync($"{PriceBooks}/{Guid.NewGuid()}/entries/{product.Id}", new { unitPrice = 1m }), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _manager.PutAsJsonAsync($"{PriceBooks}/{book.Id}/entries/{Guid.NewGuid()}", new { unitPrice = 1m }), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _rep.GetAsync($"{Prices}?productId={Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _otherRep.GetAsync($"{Prices}?productId={product.Id}&customerId={customer.Id}"), HttpStatusCode.NotFound);

        var own = await PriceAsync(_rep, product.Id, customer.Id, "2026-03-01");
        Assert.That(own.CustomerId, Is.EqualTo(customer.Id));
    }

    [Test]
    public async Task A_deactivated_or_re_dated_book_stops_pricing_and_a_removed_entry_falls_back_with_If_Match_checked()
    {
        var (product, _) = await CreateProductAsync(_manager, "PB-PATCH", "x", 100m);
        var (customer, _) = await CustomerApi.CreateAsync(_rep, new { kind = "organization", name = "上海港务", tier = "B" });
        var standard = await CreateBookAsync(new { name = "标准", kind = "standard" });
        var tierB = await CreateBookAsync(new { name = "B 类客户价", kind = "tier", tier = "B" });
        await SetPriceAsync(standard.Id, product.Id, 90m);
        await SetPriceAsync(tierB.Id, product.Id, 85m);
        var etag = (await _rep.GetAsync($"{PriceBooks}/{tierB.Id}")).Headers.ETag!.ToString();

        var stale = new HttpRequestMessage(HttpMethod.Patch, $"{PriceBooks}/{tierB.Id}") { Content = JsonContent.Create(new { active = false }) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        await ReadProblemAsync(await _manager.SendAsync(stale), HttpStatusCode.PreconditionFailed);
        var crossing = await _manager.PatchAsJsonAsync($"{PriceBooks}/{standard.Id}", new { validFrom = "2026-05-01", validTo = "2026-04-01" });
        Assert.That((await ReadProblemAsync(crossing, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("validTo", out _), Is.True);
        await ReadProblemAsync(await _rep.PatchAsJsonAsync($"{PriceBooks}/{tierB.Id}", new { active = false }), HttpStatusCode.Forbidden);

        var patch = new HttpRequestMessage(HttpMethod.Patch, $"{PriceBooks}/{tierB.Id}") { Content = JsonContent.Create(new { active = false }) };
        patch.Headers.TryAddWithoutValidation("If-Match", etag);
        var deactivated = await ReadAsync<PriceBookResponse>(await _manager.SendAsync(patch), HttpStatusCode.OK);
        var afterDeactivation = await PriceAsync(_rep, product.Id, customer.Id, "2026-03-01");

        await ReadAsync<PriceBookResponse>(await _manager.PatchAsJsonAsync($"{PriceBooks}/{standard.Id}", new { validTo = "2026-02-28" }), HttpStatusCode.OK);
        var afterExpiry = await PriceAsync(_rep, product.Id, customer.Id, "2026-03-01");
        var stillInside = await PriceAsync(_rep, product.Id, customer.Id, "2026-02-28");

        Assert.That((await _manager.DeleteAsync($"{PriceBooks}/{standard.Id}/entries/{product.Id}")).StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await ReadProblemAsync(await _manager.DeleteAsync($"{PriceBooks}/{standard.Id}/entries/{product.Id}"), HttpStatusCode.NotFound);
        var afterRemoval = await PriceAsync(_rep, product.Id, customer.Id, "2026-02-28");

        Assert.Multiple(() =>
        {
            Assert.That(deactivated.Active, Is.False);
            Assert.That((afterDeactivation.Source, afterDeactivation.UnitPrice), Is.EqualTo((PriceSource.StandardBook, 90m)));
            Assert.That((afterExpiry.Source, afterExpiry.UnitPrice), Is.EqualTo((PriceSource.ListPrice, 100m)));
            Assert.That((stillInside.Source, stillInside.UnitPrice), Is.EqualTo((PriceSource.StandardBook, 90m)));
            Assert.That((afterRemoval.Source, afterRemoval.UnitPrice), Is.EqualTo((PriceSource.ListPrice, 100m)));
        });
    }

    [Test]
    public async Task Of_two_overlapping_customer_books_the_one_that_started_latest_wins_and_an_open_start_counts_as_earliest()
    {
        var (product, _) = await CreateProductAsync(_manager, "PB-OVL", "x", 100m);
        var (customer, _) = await CustomerApi.CreateAsync(_rep, "重叠协议客户");
        var renewal = await CreateBookAsync(new { name = "2026 续约价", kind = "customer", customerId = customer.Id, validFrom = "2026-03-01" });
        var original = await CreateBookAsync(new { name = "原协议价", kind = "customer", customerId = customer.Id });
        await SetPriceAsync(renewal.Id, product.Id, 65m);
        await SetPriceAsync(original.Id, product.Id, 70m);

        var beforeRenewal = await PriceAsync(_rep, product.Id, customer.Id, "2026-02-28");
        var afterRenewal = await PriceAsync(_rep, product.Id, customer.Id, "2026-04-01");

        Assert.Multiple(() =>
        {
            Assert.That((beforeRenewal.PriceBookId, beforeRenewal.UnitPrice), Is.EqualTo(((Guid?)original.Id, 70m)));
            Assert.That((afterRenewal.PriceBookId, afterRenewal.UnitPrice), Is.EqualTo(((Guid?)renewal.Id, 65m)));
        });
    }

    [Test]
    public async Task Creating_a_price_book_twice_with_the_same_Idempotency_Key_replays_the_first_answer()
    {
        HttpRequestMessage Post()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, PriceBooks) { Content = JsonBody(new { name = "重放价", kind = "tier", tier = "C" }) };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", "create-price-book-1");
            return request;
        }

        using var first = Post();
        using var second = Post();
        var created = await ReadAsync<PriceBookResponse>(await _manager.SendAsync(first), HttpStatusCode.Created);
        var replayed = await ReadAsync<PriceBookResponse>(await _manager.SendAsync(second), HttpStatusCode.Created);

        Assert.That(replayed.Id, Is.EqualTo(created.Id));
        Assert.That(await CountAsync("SELECT count(*) FROM sales.price_books"), Is.EqualTo(1));
    }
}

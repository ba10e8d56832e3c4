using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.IntegrationTests.Customers;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Opportunities;
using Crm.Modules.Sales.Features.PriceBooks;
using Crm.Modules.Sales.Features.Quotes;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Sales.Quotes.QuoteApi;

namespace Crm.IntegrationTests.Sales.Quotes;

internal sealed partial class QuoteTests : IntegrationTest
{
    /// <summary>The shared test clock's day (earlier tests may have moved it on).</summary>
    private static DateOnly Today => DateOnly.FromDateTime(Factory.Time.GetUtcNow().UtcDateTime);

    private QuoteOrg _org = null!;
    private HttpClient _eastRep = null!;
    private HttpClient _southRep = null!;
    private HttpClient _eastManager = null!;
    private HttpClient _director = null!;
    private HttpClient _admin = null!;

    [SetUp]
    public async Task SignInAsync()
    {
        _org = await CreateOrgAsync(Factory);
        _eastRep = Factory.ClientFor(_org.EastRep);
        _southRep = Factory.ClientFor(_org.SouthRep);
        _eastManager = Factory.ClientFor(_org.EastManager);
        _director = Factory.ClientFor(_org.Director);
        _admin = Factory.ClientFor(_org.Admin);
    }

    [TearDown]
    public void DisposeClients()
    {
        _eastRep.Dispose();
        _southRep.Dispose();
        _eastManager.Dispose();
        _director.Dispose();
        _admin.Dispose();
    }

    [GeneratedRegex(@"^Q-2026-\d{6}$")]
    private static partial Regex QuoteNumber();

    private async Task<Guid> ProductAsync(string sku, decimal listPrice, string name = "产品") =>
        (await ProductApi.CreateProductAsync(_director, sku, name, listPrice)).Product.Id;

    private async Task<Guid> CustomerAsync(HttpClient owner, string name, string? tier = null) =>
        (await CustomerApi.CreateAsync(owner, new { kind = "organization", name, tier })).Customer.Id;

    [Test]
    public async Task A_quote_prices_its_lines_by_price_resolution_and_computes_totals_per_line_rounded_half_away_from_zero()
    {
        var server = await ProductAsync("Q-SRV", 100m, "服务器");
        var service = await ProductAsync("Q-SVC", 40m, "实施服务");
        var customer = await CustomerAsync(_eastRep, "华东电力", tier: "A");
        var tierBook = await ReadAsync<PriceBookResponse>(
            await _director.PostAsJsonAsync("/api/v1/sales/price-books", new { name = "A 类客户价", kind = "tier", tier = "A" }), HttpStatusCode.Created);
        await ReadAsync<PriceBookEntryResponse>(
            await _director.PutAsJsonAsync($"/api/v1/sales/price-books/{tierBook.Id}/entries/{server}", new { unitPrice = 80m }), HttpStatusCode.OK);

        var response = await _eastRep.PostAsync(QuotesUrl, JsonBody(new
        {
            customerId = customer,
            title = "服务器采购报价",
            notes = "含三年维保",
            lines = new object[]
            {
                new { productId = server, quantity = 3m, discountPercent = 5m },
                new { productId = service, quantity = 1.5m, unitPrice = 33.33m, taxRatePercent = 6m, description = "上门安装" },
            },
        }));
        var created = await ReadAsync<QuoteResponse>(response, HttpStatusCode.Created);
        var (fetched, etag) = await GetAsync(_eastRep, created.Id);

        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/sales/quotes/{created.Id}"));
            Assert.That(response.Headers.ETag!.ToString(), Is.EqualTo(etag));
            Assert.That(created.Number, Does.Match(QuoteNumber()));
            Assert.That((created.Revision, created.DisplayNumber), Is.EqualTo((1, created.Number + " v1")));
            Assert.That((created.ReadOnly, created.OwnerId), Is.EqualTo((false, (Guid?)_org.EastRep.Id)));
            Assert.That((created.PricedOn, created.ValidUntil), Is.EqualTo((Today, Today.AddDays(30))), "valid 30 days by default");

            var first = created.Lines[0];
            Assert.That((first.Position, first.Sku, first.ProductName, first.PriceSource, first.PriceBookId), Is.EqualTo((1, "Q-SRV", "服务器", PriceSource.TierBook, (Guid?)tierBook.Id)));
            Assert.That((first.ReferenceUnitPrice, first.UnitPrice, first.TaxRatePercent), Is.EqualTo((80m, 80m, 13m)), "unit price from the tier book; VAT 13% by default");
            Assert.That((first.GrossAmount, first.DiscountAmount, first.NetAmount, first.TaxAmount, first.LineTotal), Is.EqualTo((240m, 12m, 228m, 29.64m, 257.64m)));

            // 1.5 × 33.33 = 49.995 rounds half away from zero to 50.00; the list price stays the reference.
            var second = created.Lines[1];
            Assert.That((second.PriceSource, second.ReferenceUnitPrice, second.UnitPrice, second.Description), Is.EqualTo((PriceSource.ListPrice, 40m, 33.33m, "上门安装")));
            Assert.That((second.GrossAmount, second.TaxAmount, second.LineTotal), Is.EqualTo((50m, 3m, 53m)));
            Assert.That(second.EffectiveDiscountPercent, Is.EqualTo(16.68m), "1 − 33.33 / 40, in percent");
            Assert.That((created.MaxDiscountPercent, created.Status), Is.EqualTo((16.68m, QuoteStatus.PendingApproval)), "the lowered unit price is a discount over 10%");

            Assert.That((created.Subtotal, created.DiscountTotal, created.TaxTotal, created.Total), Is.EqualTo((290m, 12m, 32.64m, 310.64m)));
            Assert.That(fetched with { Lines = created.Lines }, Is.EqualTo(created), "a read returns what the write returned");
            Assert.That(fetched.Lines, Is.EqualTo(created.Lines));
        });
    }

    [Test]
    public async Task A_quote_for_an_opportunity_takes_its_customer_and_owner_and_an_opportunity_of_another_customer_is_422()
    {
        var product = await ProductAsync("Q-OPP", 100m);
        var customer = await CustomerAsync(_eastRep, "华东港务");
        var other = await CustomerAsync(_eastRep, "华东物流");
        var opportunity = await ReadAsync<OpportunityResponse>(
            await _eastRep.PostAsync("/api/v1/sales/opportunities", JsonBody(new { name = "港口 ERP", customerId = customer, amount = 1000m })), HttpStatusCode.Created);

        var (quote, _) = await CreateAsync(_eastManager, new { opportunityId = opportunity.Id, title = "港口 ERP 报价", lines = new[] { new { productId = product, quantity = 1m } } });
        var mismatch = await _eastRep.PostAsync(QuotesUrl, JsonBody(new { customerId = other, opportunityId = opportunity.Id, title = "x", lines = new[] { new { productId = product, quantity = 1m } } }));
        var hidden = await _southRep.PostAsync(QuotesUrl, JsonBody(new { opportunityId = opportunity.Id, title = "x", lines = new[] { new { productId = product, quantity = 1m } } }));
        var byOpportunity = await ReadAsync<Page<QuoteSummaryResponse>>(await _eastRep.GetAsync($"{QuotesUrl}?opportunityId={opportunity.Id}"), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That((quote.CustomerId, quote.OpportunityId, quote.OwnerId), Is.EqualTo((customer, (Guid?)opportunity.Id, (Guid?)_org.EastRep.Id)));
            Assert.That((await ReadProblemAsync(mismatch, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("/unknown-opportunity"));
            Assert.That((await ReadProblemAsync(hidden, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("/unknown-opportunity"));
            Assert.That(byOpportunity.Items.Select(q => q.Id), Is.EqualTo(new[] { quote.Id }));
        });
    }

    [Test]
    public async Task Bad_input_is_400_with_field_errors()
    {
        var product = await ProductAsync("Q-BAD", 10m);
        var customer = await CustomerAsync(_eastRep, "校验客户");

        var nothing = await _eastRep.PostAsync(QuotesUrl, JsonBody(new { title = "", lines = Array.Empty<object>() }));
        var badLines = await _eastRep.PostAsync(QuotesUrl, JsonBody(new
        {
            customerId = customer,
            title = "x",
            currency = "rmb",
            validUntil = Today.AddDays(-1),
            lines = new object[]
            {
                new { productId = product, quantity = 0m, discountPercent = 101m, taxRatePercent = -1m },
                new { productId = product, quantity = 1.0001m, unitPrice = 1.005m },
                new { quantity = 1m },
            },
        }));
        var unknownProduct = await _eastRep.PostAsync(QuotesUrl, JsonBody(new { customerId = customer, title = "x", lines = new[] { new { productId = Guid.NewGuid(), quantity = 1m } } }));
        var malformed = await _eastRep.PostAsync(QuotesUrl, new StringContent("{\"customerId\":", System.Text.Encoding.UTF8, "application/json"));
        var badStatus = await _eastRep.GetAsync($"{QuotesUrl}?status=lost");
        var badSort = await _eastRep.GetAsync($"{QuotesUrl}?sort=title");

        Assert.Multiple(async () =>
        {
            var errors = (await ReadProblemAsync(nothing, HttpStatusCode.BadRequest)).GetProperty("errors");
            Assert.That(new[] { "customerId", "title", "lines" }.All(f => errors.TryGetProperty(f, out _)), Is.True, errors.ToString());
            var lineErrors = (await ReadProblemAsync(badLines, HttpStatusCode.BadRequest)).GetProperty("errors");
            Assert.That(
                new[] { "currency", "validUntil", "lines[0].quantity", "lines[0].discountPercent", "lines[0].taxRatePercent", "lines[1].quantity", "lines[1].unitPrice", "lines[2].productId" }
                    .All(f => lineErrors.TryGetProperty(f, out _)), Is.True, lineErrors.ToString());
            Assert.That((await ReadProblemAsync(unknownProduct, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("lines[0].productId", out _), Is.True);
            await ReadProblemAsync(malformed, HttpStatusCode.BadRequest);
            Assert.That((await ReadProblemAsync(badStatus, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("status", out _), Is.True);
            Assert.That((await ReadProblemAsync(badSort, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("sort", out _), Is.True);
        });
        Assert.That(await CountAsync("SELECT count(*) FROM sales.quotes"), Is.Zero);
    }

    [Test]
    public async Task A_hidden_customer_an_inactive_product_and_a_price_in_another_currency_are_422()
    {
        var product = await ProductAsync("Q-422", 10m);
        var dollars = (await ProductApi.CreateProductAsync(_director, new { sku = "Q-USD", name = "进口件", unit = "个", listPrice = 10m, currency = "USD" })).Product.Id;
        var retired = await ProductAsync("Q-OLD", 10m);
        await ReadAsync<JsonElement>(await _director.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"{ProductApi.Products}/{retired}")
        {
            Content = new StringContent("{\"active\":false}", System.Text.Encoding.UTF8, "application/merge-patch+json"),
        }), HttpStatusCode.OK);
        var southCustomer = await CustomerAsync(_southRep, "华南客户");
        var customer = await CustomerAsync(_eastRep, "华东客户");

        var hidden = await _eastRep.PostAsync(QuotesUrl, JsonBody(new { customerId = southCustomer, title = "x", lines = new[] { new { productId = product, quantity = 1m } } }));
        var inactive = await _eastRep.PostAsync(QuotesUrl, JsonBody(new { customerId = customer, title = "x", lines = new[] { new { productId = retired, quantity = 1m } } }));
        var currency = await _eastRep.PostAsync(QuotesUrl, JsonBody(new { customerId = customer, title = "x", lines = new[] { new { productId = dollars, quantity = 1m } } }));

        Assert.Multiple(async () =>
        {
            Assert.That((await ReadProblemAsync(hidden, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("/unknown-customer"));
            Assert.That((await ReadProblemAsync(inactive, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("/product-inactive"));
            Assert.That((await ReadProblemAsync(currency, HttpStatusCode.UnprocessableEntity)).GetProperty("type").GetString(), Does.EndWith("/price-currency-mismatch"));
        });
    }

    [Test]
    public async Task Reps_see_their_own_quotes_managers_their_team_admins_all_and_a_hidden_quote_is_404()
    {
        var product = await ProductAsync("Q-VIS", 10m);
        var (east, eastETag) = await CreateAsync(_eastRep, await CustomerAsync(_eastRep, "华东甲"), product);
        var (south, _) = await CreateAsync(_southRep, await CustomerAsync(_southRep, "华南乙"), product);

        async Task<Guid[]> ListAsync(HttpClient client) =>
            (await ReadAsync<Page<QuoteSummaryResponse>>(await client.GetAsync(QuotesUrl), HttpStatusCode.OK)).Items.Select(q => q.Id).Order().ToArray();

        var hiddenGet = await _southRep.GetAsync($"{QuotesUrl}/{east.Id}");
        var hiddenPatch = await _southRep.SendAsync(Patch(east.Id, new { title = "偷改" }, eastETag));
        var hiddenSend = await _southRep.SendAsync(Post($"{QuotesUrl}/{east.Id}/send"));
        var hiddenPrint = await _southRep.GetAsync($"{QuotesUrl}/{east.Id}/print");
        var missing = await _admin.GetAsync($"{QuotesUrl}/{Guid.NewGuid()}");
        using var marketer = Factory.ClientFor(_org.Marketer);
        var forbidden = await marketer.PostAsync(QuotesUrl, JsonBody(new { customerId = east.CustomerId, title = "x", lines = new[] { new { productId = product, quantity = 1m } } }));

        Assert.Multiple(async () =>
        {
            Assert.That(await ListAsync(_eastRep), Is.EqualTo(new[] { east.Id }));
            Assert.That(await ListAsync(_eastManager), Is.EqualTo(new[] { east.Id }));
            Assert.That(await ListAsync(_director), Is.EqualTo(new[] { east.Id, south.Id }.Order().ToArray()));
            Assert.That(await ListAsync(_admin), Is.EqualTo(new[] { east.Id, south.Id }.Order().ToArray()));
            Assert.That(await ListAsync(marketer), Is.Empty, "sales:read, but owns nothing and manages nobody");
            await ReadProblemAsync(hiddenGet, HttpStatusCode.NotFound);
            await ReadProblemAsync(hiddenPatch, HttpStatusCode.NotFound);
            await ReadProblemAsync(hiddenSend, HttpStatusCode.NotFound);
            await ReadProblemAsync(hiddenPrint, HttpStatusCode.NotFound);
            await ReadProblemAsync(missing, HttpStatusCode.NotFound);
            await ReadProblemAsync(forbidden, HttpStatusCode.Forbidden);
        });
    }

    [Test]
    public async Task Patching_lines_reprices_and_recomputes_while_a_stale_If_Match_is_412_and_a_sent_quote_is_read_only()
    {
        var product = await ProductAsync("Q-PATCH", 200m);
        var (quote, etag) = await CreateAsync(_eastRep, await CustomerAsync(_eastRep, "修改客户"), product);

        var stale = await _eastRep.SendAsync(Patch(quote.Id, new { title = "新标题" }, "\"1\""));
        var retitled = await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Patch(quote.Id, new { title = "新标题", notes = (string?)null }, etag)), HttpStatusCode.OK);
        var relined = await _eastRep.SendAsync(Patch(quote.Id, new { lines = new[] { new { productId = product, quantity = 2m, taxRatePercent = 0m }, new { productId = product, quantity = 1m, taxRatePercent = 0m } } }));
        var relinedQuote = await ReadAsync<QuoteResponse>(relined, HttpStatusCode.OK);
        var badPatch = await _eastRep.SendAsync(Patch(quote.Id, new { validUntil = (string?)null, lines = Array.Empty<object>() }));
        await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Post($"{QuotesUrl}/{quote.Id}/send")), HttpStatusCode.OK);
        var afterSend = await _eastRep.SendAsync(Patch(quote.Id, new { title = "发出后" }));

        Assert.Multiple(async () =>
        {
            await ReadProblemAsync(stale, HttpStatusCode.PreconditionFailed);
            Assert.That((retitled.Title, retitled.Total), Is.EqualTo(("新标题", 226m)));
            Assert.That(relinedQuote.Lines.Select(l => (l.Position, l.Quantity, l.LineTotal)), Is.EqualTo(new[] { (1, 2m, 400m), (2, 1m, 200m) }));
            Assert.That((relinedQuote.Subtotal, relinedQuote.TaxTotal, relinedQuote.Total, relinedQuote.Title), Is.EqualTo((600m, 0m, 600m, "新标题")));
            Assert.That(relined.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
            var errors = (await ReadProblemAsync(badPatch, HttpStatusCode.BadRequest)).GetProperty("errors");
            Assert.That(errors.TryGetProperty("validUntil", out _) && errors.TryGetProperty("lines", out _), Is.True, errors.ToString());
            Assert.That((await ReadProblemAsync(afterSend, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("/quote-read-only"));
        });
        Assert.That(await CountAsync($"SELECT count(*) FROM sales.quote_lines WHERE quote_id = '{quote.Id}'"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_sent_quote_is_accepted_or_rejected_once_and_other_transitions_are_409()
    {
        var product = await ProductAsync("Q-FLOW", 10m);
        var customer = await CustomerAsync(_eastRep, "流程客户");
        var (accepted, etag) = await CreateAsync(_eastRep, customer, product);
        var (rejected, _) = await CreateAsync(_eastRep, customer, product);

        var acceptDraft = await _eastRep.SendAsync(Post($"{QuotesUrl}/{accepted.Id}/accept"));
        var staleSend = await _eastRep.SendAsync(Post($"{QuotesUrl}/{accepted.Id}/send", ifMatch: "\"1\""));
        var sent = await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Post($"{QuotesUrl}/{accepted.Id}/send", ifMatch: etag)), HttpStatusCode.OK);
        var sendAgain = await _eastRep.SendAsync(Post($"{QuotesUrl}/{accepted.Id}/send"));
        var accept = await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Post($"{QuotesUrl}/{accepted.Id}/accept")), HttpStatusCode.OK);
        var rejectAccepted = await _eastRep.SendAsync(Post($"{QuotesUrl}/{accepted.Id}/reject"));
        await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Post($"{QuotesUrl}/{rejected.Id}/send")), HttpStatusCode.OK);
        var longReason = await _eastRep.SendAsync(Post($"{QuotesUrl}/{rejected.Id}/reject", new { reason = new string('x', 501) }));
        var reject = await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Post($"{QuotesUrl}/{rejected.Id}/reject", new { reason = "价格太高" })), HttpStatusCode.OK);
        var listed = await ReadAsync<Page<QuoteSummaryResponse>>(await _eastRep.GetAsync($"{QuotesUrl}?status=accepted"), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            Assert.That((await ReadProblemAsync(acceptDraft, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("/invalid-quote-transition"));
            await ReadProblemAsync(staleSend, HttpStatusCode.PreconditionFailed);
            Assert.That((sent.Status, sent.SentAt, sent.ReadOnly), Is.EqualTo((QuoteStatus.Sent, (DateTimeOffset?)Factory.Time.GetUtcNow(), true)));
            await ReadProblemAsync(sendAgain, HttpStatusCode.Conflict);
            Assert.That((accept.Status, accept.AnsweredAt), Is.EqualTo((QuoteStatus.Accepted, (DateTimeOffset?)Factory.Time.GetUtcNow())));
            await ReadProblemAsync(rejectAccepted, HttpStatusCode.Conflict);
            Assert.That((await ReadProblemAsync(longReason, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("reason", out _), Is.True);
            Assert.That((reject.Status, reject.RejectionReason), Is.EqualTo((QuoteStatus.Rejected, "价格太高")));
            Assert.That(listed.Items.Select(q => q.Id), Is.EqualTo(new[] { accepted.Id }));
        });
    }

    [Test]
    public async Task Revising_creates_the_next_version_under_the_same_number_and_leaves_the_previous_read_only()
    {
        var product = await ProductAsync("Q-REV", 100m);
        var (v1, etag) = await CreateAsync(_eastRep, await CustomerAsync(_eastRep, "修订客户"), product, discountPercent: 5m, quantity: 2m);
        await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Post($"{QuotesUrl}/{v1.Id}/send", ifMatch: etag)), HttpStatusCode.OK);

        var staleRevise = await _eastRep.SendAsync(Post($"{QuotesUrl}/{v1.Id}/revise", ifMatch: etag));
        Factory.Time.Advance(TimeSpan.FromMinutes(1));
        var revised = await _eastRep.SendAsync(Post($"{QuotesUrl}/{v1.Id}/revise", new { validUntil = "2027-01-31" }));
        var v2 = await ReadAsync<QuoteResponse>(revised, HttpStatusCode.Created);
        var (old, _) = await GetAsync(_eastRep, v1.Id);
        var reviseOld = await _eastRep.SendAsync(Post($"{QuotesUrl}/{v1.Id}/revise"));
        var acceptOld = await _eastRep.SendAsync(Post($"{QuotesUrl}/{v1.Id}/accept"));
        var patchOld = await _eastRep.SendAsync(Patch(v1.Id, new { title = "改旧版" }));
        var revisions = await ReadAsync<List<QuoteSummaryResponse>>(await _eastRep.GetAsync($"{QuotesUrl}/{v2.Id}/revisions"), HttpStatusCode.OK);
        var latest = await ReadAsync<Page<QuoteSummaryResponse>>(await _eastRep.GetAsync(QuotesUrl), HttpStatusCode.OK);
        var all = await ReadAsync<Page<QuoteSummaryResponse>>(await _eastRep.GetAsync($"{QuotesUrl}?includeSuperseded=true&sort=createdAt"), HttpStatusCode.OK);

        Assert.Multiple(async () =>
        {
            await ReadProblemAsync(staleRevise, HttpStatusCode.PreconditionFailed);
            Assert.That(revised.Headers.Location!.ToString(), Is.EqualTo($"/api/v1/sales/quotes/{v2.Id}"));
            Assert.That((v2.Number, v2.Revision, v2.DisplayNumber, v2.RevisionOfId), Is.EqualTo((v1.Number, 2, v1.Number + " v2", (Guid?)v1.Id)));
            Assert.That((v2.Status, v2.ValidUntil, v2.ReadOnly), Is.EqualTo((QuoteStatus.Draft, new DateOnly(2027, 1, 31), false)));
            Assert.That(v2.Lines.Select(l => (l.ProductId, l.Quantity, l.DiscountPercent, l.LineTotal)), Is.EqualTo(v1.Lines.Select(l => (l.ProductId, l.Quantity, l.DiscountPercent, l.LineTotal))));
            Assert.That(v2.Total, Is.EqualTo(v1.Total));
            Assert.That((old.Status, old.SupersededById, old.ReadOnly), Is.EqualTo((QuoteStatus.Sent, (Guid?)v2.Id, true)));
            Assert.That((await ReadProblemAsync(reviseOld, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("/quote-already-revised"));
            Assert.That((await ReadProblemAsync(acceptOld, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("/quote-read-only"));
            Assert.That((await ReadProblemAsync(patchOld, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("/quote-read-only"));
            Assert.That(revisions.Select(r => (r.Revision, r.Id)), Is.EqualTo(new[] { (1, v1.Id), (2, v2.Id) }));
            Assert.That(latest.Items.Select(q => q.Id), Is.EqualTo(new[] { v2.Id }));
            Assert.That(all.Items.Select(q => q.Id), Is.EqualTo(new[] { v1.Id, v2.Id }));
        });
    }

    [Test]
    public async Task An_accepted_quote_cannot_be_revised()
    {
        var product = await ProductAsync("Q-ACC", 100m);
        var (quote, _) = await CreateAsync(_eastRep, await CustomerAsync(_eastRep, "成交客户"), product);
        await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Post($"{QuotesUrl}/{quote.Id}/send")), HttpStatusCode.OK);
        await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Post($"{QuotesUrl}/{quote.Id}/accept")), HttpStatusCode.OK);

        var revise = await _eastRep.SendAsync(Post($"{QuotesUrl}/{quote.Id}/revise"));

        Assert.That((await ReadProblemAsync(revise, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("/invalid-quote-transition"));
        Assert.That(await CountAsync("SELECT count(*) FROM sales.quotes"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_quote_past_its_validity_date_reads_expired_cannot_be_sent_and_is_revised_with_a_new_date()
    {
        var product = await ProductAsync("Q-EXP", 100m);
        var customer = await CustomerAsync(_eastRep, "过期客户");
        var (expiring, _) = await CreateAsync(_eastRep, customer, product);
        var (current, _) = await CreateAsync(_eastRep, customer, product);
        await ExecuteAsync($"UPDATE sales.quotes SET valid_until = DATE '{Today.AddDays(-1):yyyy-MM-dd}' WHERE id = '{expiring.Id}'");

        var (expired, _) = await GetAsync(_eastRep, expiring.Id);
        var send = await _eastRep.SendAsync(Post($"{QuotesUrl}/{expiring.Id}/send"));
        var expiredList = await ReadAsync<Page<QuoteSummaryResponse>>(await _eastRep.GetAsync($"{QuotesUrl}?status=expired"), HttpStatusCode.OK);
        var draftList = await ReadAsync<Page<QuoteSummaryResponse>>(await _eastRep.GetAsync($"{QuotesUrl}?status=draft"), HttpStatusCode.OK);
        var revised = await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Post($"{QuotesUrl}/{expiring.Id}/revise")), HttpStatusCode.Created);

        Assert.Multiple(async () =>
        {
            Assert.That(expired.Status, Is.EqualTo(QuoteStatus.Expired));
            Assert.That((await ReadProblemAsync(send, HttpStatusCode.Conflict)).GetProperty("type").GetString(), Does.EndWith("/quote-expired"));
            Assert.That(expiredList.Items.Select(q => (q.Id, q.Status)), Is.EqualTo(new[] { (expiring.Id, QuoteStatus.Expired) }));
            Assert.That(draftList.Items.Select(q => q.Id), Is.EqualTo(new[] { current.Id }));
            Assert.That((revised.Status, revised.ValidUntil, revised.Revision), Is.EqualTo((QuoteStatus.Draft, Today.AddDays(30), 2)));
        });
    }

    [Test]
    public async Task The_print_view_is_html_with_every_user_value_encoded()
    {
        var product = await ProductAsync("Q-HTML", 100m, "<script>alert('x')</script> 服务器");
        var customer = await CustomerAsync(_eastRep, "A&B <公司>");
        var (quote, _) = await CreateAsync(_eastRep, new
        {
            customerId = customer,
            title = "报价 \"<b>粗体</b>\"",
            notes = "<img src=x onerror=alert(1)>",
            lines = new[] { new { productId = product, quantity = 2m, discountPercent = 10m, description = "<i>说明</i>" } },
        });

        var response = await _eastRep.GetAsync($"{QuotesUrl}/{quote.Id}/print");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(html, Does.StartWith("<!DOCTYPE html>"));
            Assert.That(html, Does.Contain(quote.DisplayNumber));
            Assert.That(html, Does.Not.Contain("<script>").And.Not.Contain("<img").And.Not.Contain("<b>").And.Not.Contain("<i>"));
            Assert.That(html, Does.Contain("&lt;script&gt;").And.Contain("A&amp;B &lt;公司&gt;").And.Contain("&lt;img src=x onerror=alert(1)&gt;"));
            Assert.That(html, Does.Contain("服务器"), "Chinese text stays readable");
            Assert.That(html, Does.Contain("180.00").And.Contain("203.40"), "net and total of the line");
        });
    }

    [Test]
    public async Task Creating_with_an_Idempotency_Key_twice_creates_one_quote_and_replays_the_first_answer()
    {
        var product = await ProductAsync("Q-IDEM", 100m);
        var body = new { customerId = await CustomerAsync(_eastRep, "幂等客户"), title = "x", lines = new[] { new { productId = product, quantity = 1m } } };

        HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, QuotesUrl) { Content = JsonBody(body) };
            request.Headers.Add("Idempotency-Key", "quote-0001");
            return request;
        }

        var first = await ReadAsync<QuoteResponse>(await _eastRep.SendAsync(Request()), HttpStatusCode.Created);
        var replay = await _eastRep.SendAsync(Request());
        var second = await ReadAsync<QuoteResponse>(replay, HttpStatusCode.Created);

        Assert.Multiple(async () =>
        {
            Assert.That((second.Id, second.Number), Is.EqualTo((first.Id, first.Number)));
            Assert.That(replay.Headers.GetValues("Idempotent-Replayed"), Is.EqualTo(new[] { "true" }));
            Assert.That(await CountAsync("SELECT count(*) FROM sales.quotes"), Is.EqualTo(1));
        });
    }
}

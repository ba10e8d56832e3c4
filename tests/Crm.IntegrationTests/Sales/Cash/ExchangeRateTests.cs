using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Sales.Features.ExchangeRates;
using Crm.SharedKernel.Paging;
using static Crm.IntegrationTests.Sales.Cash.CashApi;

namespace Crm.IntegrationTests.Sales.Cash;

/// <summary>Exchange rates (汇率) against CNY: create or replace by currency and day, reads, the effective rate, permissions.</summary>
internal sealed class ExchangeRateTests : IntegrationTest
{
    private CashOrg _org = null!;
    private HttpClient _admin = null!;
    private HttpClient _manager = null!;
    private HttpClient _rep = null!;

    [SetUp]
    public async Task CreateOrgAsync()
    {
        _org = await CashApi.CreateOrgAsync(Factory);
        _admin = Factory.ClientFor(_org.Admin);
        _manager = Factory.ClientFor(_org.Manager);
        _rep = Factory.ClientFor(_org.EastRep);
    }

    [TearDown]
    public void DisposeClients()
    {
        _admin.Dispose();
        _manager.Dispose();
        _rep.Dispose();
    }

    /// <summary>PUT /sales/exchange-rates/{currency}/{date}, optionally with If-Match.</summary>
    public static HttpRequestMessage Put(string currency, string date, object body, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/sales/exchange-rates/{currency}/{date}") { Content = JsonBody(body) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    private static HttpRequestMessage Delete(string currency, string date, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/sales/exchange-rates/{currency}/{date}");
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        return request;
    }

    [Test]
    public async Task Put_creates_then_replaces_the_rate_of_a_day_with_etags_and_audit()
    {
        var created = await _manager.SendAsync(Put("usd", "2026-11-20", new { rate = 7.123456m, source = "中国人民银行中间价" }));
        var rate = await ReadAsync<ExchangeRateResponse>(created, HttpStatusCode.Created);
        var etag = created.Headers.ETag!.ToString();
        Assert.Multiple(() =>
        {
            Assert.That((rate.Currency, rate.RateDate, rate.Rate, rate.Source), Is.EqualTo(("USD", new DateOnly(2026, 11, 20), 7.123456m, "中国人民银行中间价")));
            Assert.That(created.Headers.Location!.ToString(), Is.EqualTo("/api/v1/sales/exchange-rates/USD/2026-11-20"));
        });

        var read = await _rep.GetAsync("/api/v1/sales/exchange-rates/USD/2026-11-20");
        Assert.That(read.Headers.ETag!.ToString(), Is.EqualTo(etag));
        Assert.That((await ReadAsync<ExchangeRateResponse>(read, HttpStatusCode.OK)).Id, Is.EqualTo(rate.Id));

        var replaced = await _manager.SendAsync(Put("USD", "2026-11-20", new { rate = 7.2m, source = "ERP" }, etag));
        var after = await ReadAsync<ExchangeRateResponse>(replaced, HttpStatusCode.OK);
        var stale = await _manager.SendAsync(Put("USD", "2026-11-20", new { rate = 7.3m, source = "ERP" }, etag));
        var ifMatchOnNew = await _manager.SendAsync(Put("EUR", "2026-11-20", new { rate = 7.8m, source = "ERP" }, etag));
        Assert.Multiple(async () =>
        {
            Assert.That((after.Id, after.Rate, after.Source), Is.EqualTo((rate.Id, 7.2m, "ERP")), "replaced in place");
            Assert.That(replaced.Headers.ETag!.ToString(), Is.Not.EqualTo(etag));
            await ReadProblemAsync(stale, HttpStatusCode.PreconditionFailed);
            await ReadProblemAsync(ifMatchOnNew, HttpStatusCode.PreconditionFailed);
            Assert.That(await CountAsync("SELECT count(*) FROM sales.exchange_rates"), Is.EqualTo(1));
            Assert.That(
                await CountAsync($"SELECT count(*) FROM platform.audit_entries WHERE entity_type = 'exchangeRate' AND entity_id = '{rate.Id}'"), Is.EqualTo(2),
                "created and updated");
        });
    }

    [Test]
    public async Task Bad_rates_currencies_and_days_are_400()
    {
        var tooPrecise = await _admin.SendAsync(Put("USD", "2026-11-20", new { rate = 7.1234567m, source = "x" }));
        var zero = await _admin.SendAsync(Put("USD", "2026-11-20", new { rate = 0m }));
        var badCurrency = await _admin.SendAsync(Put("US1", "2026-11-20", new { rate = 7m, source = "x" }));
        var baseCurrency = await _admin.SendAsync(Put("CNY", "2026-11-20", new { rate = 1m, source = "x" }));
        var badDay = await _admin.SendAsync(Put("USD", "2026-13-01", new { rate = 7m, source = "x" }));
        var badFilter = await _rep.GetAsync("/api/v1/sales/exchange-rates?currency=dollar");
        var backwards = await _rep.GetAsync("/api/v1/sales/exchange-rates?from=2026-11-20&to=2026-11-01");

        Assert.Multiple(async () =>
        {
            Assert.That((await ReadProblemAsync(tooPrecise, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("rate", out _), Is.True);
            var errors = (await ReadProblemAsync(zero, HttpStatusCode.BadRequest)).GetProperty("errors");
            Assert.That(errors.TryGetProperty("rate", out _) && errors.TryGetProperty("source", out _), Is.True, errors.ToString());
            Assert.That((await ReadProblemAsync(badCurrency, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("currency", out _), Is.True);
            Assert.That((await ReadProblemAsync(baseCurrency, HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("currency")[0].GetString(), Does.Contain("base currency"));
            Assert.That((await ReadProblemAsync(badDay, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("date", out _), Is.True);
            Assert.That((await ReadProblemAsync(badFilter, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("currency", out _), Is.True);
            Assert.That((await ReadProblemAsync(backwards, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("to", out _), Is.True);
            Assert.That(await CountAsync("SELECT count(*) FROM sales.exchange_rates"), Is.Zero);
        });
    }

    [Test]
    public async Task Reps_read_managers_write_and_only_administrators_delete()
    {
        await ReadProblemAsync(await _rep.SendAsync(Put("USD", "2026-11-20", new { rate = 7.1m, source = "x" })), HttpStatusCode.Forbidden);
        var created = await _manager.SendAsync(Put("USD", "2026-11-20", new { rate = 7.1m, source = "x" }));
        await ReadAsync<ExchangeRateResponse>(created, HttpStatusCode.Created);

        await ReadProblemAsync(await _manager.SendAsync(Delete("USD", "2026-11-20")), HttpStatusCode.Forbidden);
        await ReadProblemAsync(await _admin.SendAsync(Delete("USD", "2026-11-20", "\"1\"")), HttpStatusCode.PreconditionFailed);
        var deleted = await _admin.SendAsync(Delete("USD", "2026-11-20", created.Headers.ETag!.ToString()));
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        await ReadProblemAsync(await _rep.GetAsync("/api/v1/sales/exchange-rates/USD/2026-11-20"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await _admin.SendAsync(Delete("USD", "2026-11-20")), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_effective_rate_is_the_latest_dated_on_or_before_the_day_and_none_is_a_404_problem()
    {
        await ReadAsync<ExchangeRateResponse>(await _admin.SendAsync(Put("USD", "2026-11-01", new { rate = 7.0m, source = "PBOC" })), HttpStatusCode.Created);
        await ReadAsync<ExchangeRateResponse>(await _admin.SendAsync(Put("USD", "2026-11-20", new { rate = 7.2m, source = "PBOC" })), HttpStatusCode.Created);

        async Task<EffectiveExchangeRateResponse> OnAsync(string currency, string day) =>
            await ReadAsync<EffectiveExchangeRateResponse>(await _rep.GetAsync($"/api/v1/sales/exchange-rates/{currency}/effective?on={day}"), HttpStatusCode.OK);

        var before = await _rep.GetAsync("/api/v1/sales/exchange-rates/USD/effective?on=2026-10-31");
        var otherCurrency = await _rep.GetAsync("/api/v1/sales/exchange-rates/EUR/effective?on=2026-11-23");
        var problem = await ReadProblemAsync(before, HttpStatusCode.NotFound);
        Assert.Multiple(async () =>
        {
            Assert.That(await OnAsync("USD", "2026-11-19"), Is.EqualTo(new EffectiveExchangeRateResponse("USD", new DateOnly(2026, 11, 19), 7.0m, new DateOnly(2026, 11, 1), "PBOC")));
            Assert.That((await OnAsync("usd", "2026-11-20")).Rate, Is.EqualTo(7.2m));
            Assert.That((await OnAsync("USD", "2027-02-01")).RateDate, Is.EqualTo(new DateOnly(2026, 11, 20)));
            Assert.That(await OnAsync("CNY", "2026-11-23"), Is.EqualTo(new EffectiveExchangeRateResponse("CNY", new DateOnly(2026, 11, 23), 1m, null, null)));
            Assert.That(problem.GetProperty("type").GetString(), Does.EndWith("exchange-rate-missing"));
            Assert.That((problem.GetProperty("currency").GetString(), problem.GetProperty("date").GetString()), Is.EqualTo(("USD", "2026-10-31")));
            Assert.That((await ReadProblemAsync(otherCurrency, HttpStatusCode.NotFound)).GetProperty("type").GetString(), Does.EndWith("exchange-rate-missing"));
        });
    }

    [Test]
    public async Task The_list_pages_by_keyset_newest_day_first_with_currency_and_day_filters()
    {
        foreach (var (currency, day, rate) in new[] { ("USD", "2026-11-01", 7.0m), ("USD", "2026-11-02", 7.01m), ("USD", "2026-11-03", 7.02m), ("EUR", "2026-11-02", 7.7m) })
        {
            await ReadAsync<ExchangeRateResponse>(await _admin.SendAsync(Put(currency, day, new { rate, source = "PBOC" })), HttpStatusCode.Created);
        }

        var first = await ReadAsync<Page<ExchangeRateResponse>>(await _rep.GetAsync("/api/v1/sales/exchange-rates?currency=USD&limit=2"), HttpStatusCode.OK);
        var second = await ReadAsync<Page<ExchangeRateResponse>>(
            await _rep.GetAsync($"/api/v1/sales/exchange-rates?currency=USD&limit=2&cursor={Uri.EscapeDataString(first.NextCursor!)}"), HttpStatusCode.OK);
        var window = await ReadAsync<Page<ExchangeRateResponse>>(await _rep.GetAsync("/api/v1/sales/exchange-rates?from=2026-11-02&to=2026-11-02"), HttpStatusCode.OK);
        Assert.Multiple(() =>
        {
            Assert.That(first.Items.Select(r => r.Rate), Is.EqualTo(new[] { 7.02m, 7.01m }));
            Assert.That(second.Items.Select(r => r.Rate), Is.EqualTo(new[] { 7.0m }));
            Assert.That(second.NextCursor, Is.Null);
            Assert.That(window.Items.Select(r => r.Currency).Order(), Is.EqualTo(new[] { "EUR", "USD" }));
        });
    }
}

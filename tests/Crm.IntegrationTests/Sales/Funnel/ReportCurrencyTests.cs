using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sales.Cash;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.ExchangeRates;
using Crm.Modules.Sales.Features.Funnel;
using static Crm.IntegrationTests.Sales.Funnel.FunnelApi;

namespace Crm.IntegrationTests.Sales.Funnel;

/// <summary>The funnel, forecast and performance in CNY convert deals and quotas in other currencies at the rate effective on the report day.</summary>
internal sealed class ReportCurrencyTests : IntegrationTest
{
    private static readonly DateTimeOffset October5 = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);

    private TestUser _rep = null!;
    private TestUser _admin = null!;

    [SetUp]
    public async Task SeedAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        var east = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group, company);
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, east);
        _admin = await TestUsers.CreateAsync(Factory, Roles.Admin, company);

        // USD: 7.0 from the start of 2026; a rate dated after the report day must not be used. JPY has no rate at all.
        using var admin = Factory.ClientFor(_admin);
        await ReadAsync<ExchangeRateResponse>(await admin.SendAsync(ExchangeRateTests.Put("USD", "2026-01-01", new { rate = 7.0m, source = "PBOC" })), HttpStatusCode.Created);
        await ReadAsync<ExchangeRateResponse>(await admin.SendAsync(ExchangeRateTests.Put("USD", "2099-01-01", new { rate = 99m, source = "future" })), HttpStatusCode.Created);

        await AddOpportunityAsync(Factory, _rep.Id, "intentReached", 1000m, new DateOnly(2026, 11, 15));
        await AddOpportunityAsync(Factory, _rep.Id, "intentReached", 100.01m, new DateOnly(2026, 11, 20), currency: "USD");
        await AddOpportunityAsync(Factory, _rep.Id, "intentReached", 5000m, new DateOnly(2026, 11, 20), currency: "JPY");
        await AddOpportunityAsync(Factory, _rep.Id, "closedWon", 1000m, closedAt: October5);
        await AddOpportunityAsync(Factory, _rep.Id, "closedWon", 50m, closedAt: October5, currency: "USD");
        await AddQuotaAsync(Factory, QuotaSubjectKind.User, _rep.Id, "2026-Q4", 1000m, currency: "USD");
    }

    private async Task<T> GetAsync<T>(string path)
    {
        using var client = Factory.ClientFor(_admin);
        return await ReadAsync<T>(await client.GetAsync(path), HttpStatusCode.OK);
    }

    [Test]
    public async Task A_cny_forecast_converts_usd_deals_and_quotas_and_leaves_out_currencies_without_a_rate()
    {
        var cny = (await GetAsync<ForecastResponse>($"/api/v1/sales/forecast?period=quarter&from=2026-10-01&to=2026-12-31&ownerId={_rep.Id}")).Rows.Single();
        var usd = (await GetAsync<ForecastResponse>($"/api/v1/sales/forecast?period=quarter&from=2026-10-01&to=2026-12-31&ownerId={_rep.Id}&currency=USD")).Rows.Single();
        Assert.Multiple(() =>
        {
            Assert.That((cny.PipelineCount, cny.PipelineAmount), Is.EqualTo((2, 1_700.07m)), "1,000 CNY + 100.01 USD × 7; the JPY deal has no rate");
            Assert.That((cny.WonCount, cny.WonAmount, cny.Quota), Is.EqualTo((2, 1_350m, (decimal?)7_000m)));
            Assert.That((usd.PipelineCount, usd.PipelineAmount, usd.WonAmount, usd.Quota), Is.EqualTo((1, 100.01m, 50m, (decimal?)1_000m)), "another report currency counts only itself");
        });
    }

    [Test]
    public async Task A_cny_funnel_converts_each_deal_at_the_report_day_rate_and_counts_but_does_not_sum_currencies_without_one()
    {
        using (var admin = Factory.ClientFor(_admin))
        {
            await ReadAsync<ExchangeRateResponse>(await admin.SendAsync(ExchangeRateTests.Put("EUR", "2026-06-30", new { rate = 7.8123m, source = "PBOC" })), HttpStatusCode.Created);
        }

        await AddOpportunityAsync(Factory, _rep.Id, "businessNegotiation", 123.45m, new DateOnly(2026, 12, 1), currency: "EUR");

        var cny = await GetAsync<FunnelResponse>($"/api/v1/sales/funnel?ownerId={_rep.Id}");
        var usd = await GetAsync<FunnelResponse>($"/api/v1/sales/funnel?ownerId={_rep.Id}&currency=usd");
        var intent = cny.Stages.Single(s => s.Code == "intentReached");
        var negotiation = cny.Stages.Single(s => s.Code == "businessNegotiation");
        Assert.Multiple(() =>
        {
            Assert.That((cny.Currency, cny.RatesOn), Is.EqualTo(("CNY", DateOnly.FromDateTime(Factory.Time.GetUtcNow().UtcDateTime))));

            // 1,000 CNY + 100.01 USD × 7 (not the 2099 rate); the JPY deal counts in the stage but has no rate, so no amount.
            Assert.That((intent.Count, intent.UnconvertedCount, intent.Amount, intent.WeightedAmount), Is.EqualTo((3, 1, 1_700.07m, 510.02m)));

            // 123.45 EUR × 7.8123 = 964.428…, converted to the cent before the 60 % weight: 578.66.
            Assert.That((negotiation.Count, negotiation.UnconvertedCount, negotiation.Amount, negotiation.WeightedAmount), Is.EqualTo((1, 0, 964.43m, 578.66m)));
            Assert.That(cny.Won, Is.EqualTo(new FunnelClosedResponse(2, 1_350m)), "1,000 CNY + 50 USD × 7");
            Assert.That(cny.Stages.Select(s => s.Reached), Is.EqualTo(new[] { 6, 6, 3, 2 }), "counts ignore currencies");

            Assert.That(usd.Currency, Is.EqualTo("USD"));
            Assert.That((usd.Stages[1].Count, usd.Stages[1].UnconvertedCount, usd.Stages[1].Amount, usd.Stages[1].WeightedAmount), Is.EqualTo((3, 2, 100.01m, 30m)),
                "another report currency sums only itself");
            Assert.That(usd.Won, Is.EqualTo(new FunnelClosedResponse(2, 50m, 1)));
        });
    }

    [Test]
    public async Task An_invalid_funnel_currency_or_time_zone_is_a_400_with_the_field()
    {
        using var client = Factory.ClientFor(_admin);
        var currency = await ReadProblemAsync(await client.GetAsync("/api/v1/sales/funnel?currency=US"), HttpStatusCode.BadRequest);
        var zone = await ReadProblemAsync(await client.GetAsync("/api/v1/sales/funnel?timeZone=Mars/Olympus"), HttpStatusCode.BadRequest);
        Assert.Multiple(() =>
        {
            Assert.That(currency.GetProperty("errors").TryGetProperty("currency", out _), Is.True);
            Assert.That(zone.GetProperty("errors").TryGetProperty("timeZone", out _), Is.True);
        });
    }

    [Test]
    public async Task Cny_performance_converts_won_amounts_and_targets()
    {
        var performance = await GetAsync<PerformanceResponse>("/api/v1/sales/performance?period=2026-Q4");
        var rep = performance.Users.Single(u => u.UserId == _rep.Id);
        Assert.That((rep.WonCount, rep.WonAmount, rep.AmountTarget, rep.Attainment), Is.EqualTo((2, 1_350m, (decimal?)7_000m, (decimal?)0.1929m)));
    }
}

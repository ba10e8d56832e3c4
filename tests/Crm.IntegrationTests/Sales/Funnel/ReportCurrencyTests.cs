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

/// <summary>Forecast and performance in CNY convert deals and quotas in other currencies at the rate effective on the report day.</summary>
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
    public async Task Cny_performance_converts_won_amounts_and_targets()
    {
        var performance = await GetAsync<PerformanceResponse>("/api/v1/sales/performance?period=2026-Q4");
        var rep = performance.Users.Single(u => u.UserId == _rep.Id);
        Assert.That((rep.WonCount, rep.WonAmount, rep.AmountTarget, rep.Attainment), Is.EqualTo((2, 1_350m, (decimal?)7_000m, (decimal?)0.1929m)));
    }
}

using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Funnel;
using static Crm.IntegrationTests.Sales.Funnel.FunnelApi;

namespace Crm.IntegrationTests.Sales.Funnel;

internal sealed class ForecastTests : IntegrationTest
{
    private static readonly DateTimeOffset October5 = new(2026, 10, 5, 10, 0, 0, TimeSpan.Zero);

    private Guid _sales;
    private Guid _east;
    private Guid _service;
    private TestUser _rep = null!;
    private TestUser _colleague = null!;
    private TestUser _outsider = null!;
    private TestUser _manager = null!;

    [SetUp]
    public async Task SeedAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        _sales = await TestUsers.CreateTeamAsync(Factory, "销售部", TeamKind.Department, company);
        _east = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group, _sales);
        _service = await TestUsers.CreateTeamAsync(Factory, "客服部", TeamKind.Department, company);
        _rep = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _east);
        _colleague = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _east);
        _outsider = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _service);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, _sales);

        // The rep: three open deals expected in Q4 (10 %, 30 %, and 60 % overridden to 75 %), one in Q1 2027, a win in Q4,
        // a win at 23:00 UTC on 30 September (1 October in Shanghai), and deals the forecast ignores.
        await AddOpportunityAsync(Factory, _rep.Id, "initialContact", 1000m, new DateOnly(2026, 11, 15));
        await AddOpportunityAsync(Factory, _rep.Id, "intentReached", 2000m, new DateOnly(2026, 12, 20));
        await AddOpportunityAsync(Factory, _rep.Id, "businessNegotiation", 3000m, new DateOnly(2026, 12, 31), probability: 75);
        await AddOpportunityAsync(Factory, _rep.Id, "contractSigned", 4000m, new DateOnly(2027, 1, 10));
        await AddOpportunityAsync(Factory, _rep.Id, "closedWon", 5000m, closedAt: October5);
        await AddOpportunityAsync(Factory, _rep.Id, "closedWon", 700m, closedAt: new DateTimeOffset(2026, 9, 30, 23, 0, 0, TimeSpan.Zero));
        await AddOpportunityAsync(Factory, _rep.Id, "closedLost", 9999m, new DateOnly(2026, 11, 1), closedAt: October5);
        await AddOpportunityAsync(Factory, _rep.Id, "intentReached", 8888m);
        await AddOpportunityAsync(Factory, _rep.Id, "intentReached", 1234m, new DateOnly(2026, 11, 10), currency: "USD");

        // The colleague: a 90 % deal in October and a win in November; the outsider: a deal the manager cannot see.
        await AddOpportunityAsync(Factory, _colleague.Id, "contractSigned", 10000m, new DateOnly(2026, 10, 20));
        await AddOpportunityAsync(Factory, _colleague.Id, "closedWon", 2000m, closedAt: new DateTimeOffset(2026, 11, 10, 3, 0, 0, TimeSpan.Zero));
        await AddOpportunityAsync(Factory, _outsider.Id, "contractSigned", 77777m, new DateOnly(2026, 10, 20));

        await AddQuotaAsync(Factory, QuotaSubjectKind.User, _rep.Id, "2026-Q4", 20000m);
        await AddQuotaAsync(Factory, QuotaSubjectKind.User, _colleague.Id, "2026-10", 3000m);
        await AddQuotaAsync(Factory, QuotaSubjectKind.User, _colleague.Id, "2026-11", 3000m);
        await AddQuotaAsync(Factory, QuotaSubjectKind.User, _colleague.Id, "2026-12", 2000m);
        await AddQuotaAsync(Factory, QuotaSubjectKind.User, _outsider.Id, "2026-Q4", 1m);
        await AddQuotaAsync(Factory, QuotaSubjectKind.Team, _east, "2026-Q4", 50000m);
    }

    private static async Task<ForecastResponse> ForecastAsync(TestUser user, string query)
    {
        using var client = Factory.ClientFor(user);
        return await ReadAsync<ForecastResponse>(await client.GetAsync($"/api/v1/sales/forecast{query}"), HttpStatusCode.OK);
    }

    [Test]
    public async Task Every_figure_of_the_quarterly_forecast_per_owner_comes_from_the_deals_and_quotas()
    {
        var forecast = await ForecastAsync(_manager, "?period=quarter&from=2026-10-01&to=2027-03-31&groupBy=owner");

        Assert.Multiple(() =>
        {
            Assert.That((forecast.Period, forecast.GroupBy, forecast.From, forecast.To, forecast.Currency, forecast.TimeZone),
                Is.EqualTo((SalesPeriodKind.Quarter, ForecastGroupBy.Owner, new DateOnly(2026, 10, 1), new DateOnly(2027, 4, 1), "CNY", "UTC")));
            var ids = new[] { _rep.Id, _colleague.Id }.Order().ToArray();
            Assert.That(forecast.Rows.Select(r => (r.Period, r.OwnerId)), Is.EqualTo(new (string, Guid?)[] { ("2026-Q4", ids[0]), ("2026-Q4", ids[1]), ("2027-Q1", _rep.Id) }));

            // Weighted 100 + 600 + 2250; commit = won 5000 + the 75 % deal; best case adds the 30 % deal.
            Assert.That(forecast.Rows.Single(r => r.Period == "2026-Q4" && r.OwnerId == _rep.Id), Is.EqualTo(new ForecastRowResponse(
                "2026-Q4", new DateOnly(2026, 10, 1), _rep.Id, null, 3, 6000m, 2950m, 8000m, 10000m, 1, 5000m, 20000m, 0.25m)));

            // Month quotas add up to the quarter: 3000 + 3000 + 2000.
            Assert.That(forecast.Rows.Single(r => r.Period == "2026-Q4" && r.OwnerId == _colleague.Id), Is.EqualTo(new ForecastRowResponse(
                "2026-Q4", new DateOnly(2026, 10, 1), _colleague.Id, null, 1, 10000m, 9000m, 12000m, 12000m, 1, 2000m, 8000m, 0.25m)));
            Assert.That(forecast.Rows.Single(r => r.Period == "2027-Q1"), Is.EqualTo(new ForecastRowResponse(
                "2027-Q1", new DateOnly(2027, 1, 1), _rep.Id, null, 1, 4000m, 3600m, 4000m, 4000m, 0, 0m, null, null)));
        });
    }

    [Test]
    public async Task Grouped_by_team_the_owners_add_up_against_the_team_quota()
    {
        var forecast = await ForecastAsync(_manager, "?from=2026-10-01&to=2027-01-01&groupBy=team");

        Assert.That(forecast.Rows, Is.EqualTo(new[]
        {
            new ForecastRowResponse("2026-Q4", new DateOnly(2026, 10, 1), null, _east, 4, 16000m, 11950m, 20000m, 22000m, 2, 7000m, 50000m, 0.14m),
            new ForecastRowResponse("2027-Q1", new DateOnly(2027, 1, 1), null, _east, 1, 4000m, 3600m, 4000m, 4000m, 0, 0m, null, null),
        }));
    }

    [Test]
    public async Task Months_the_time_zone_and_the_owner_filter_change_the_buckets()
    {
        var november = await ForecastAsync(_manager, "?period=month&from=2026-11-01&to=2026-11-30");
        var shanghai = await ForecastAsync(_manager, $"?from=2026-10-01&timeZone=Asia/Shanghai&ownerId={_rep.Id}");
        var mine = await ForecastAsync(_rep, "?from=2026-11-23");

        Assert.Multiple(() =>
        {
            Assert.That(november.Rows.Select(r => (r.Period, r.OwnerId, r.PipelineAmount, r.WonAmount, r.Quota, r.Attainment)), Is.EquivalentTo(new (string, Guid?, decimal, decimal, decimal?, decimal?)[]
            {
                ("2026-11", _rep.Id, 1000m, 0m, null, null),
                ("2026-11", _colleague.Id, 0m, 2000m, 3000m, 0.6667m),
            }));

            // 23:00 UTC on 30 September is 1 October in Shanghai: the 700 win moves into Q4.
            Assert.That(shanghai.Rows.Select(r => (r.OwnerId, r.WonCount, r.WonAmount, r.Attainment)), Is.EqualTo(new (Guid?, int, decimal, decimal?)[] { (_rep.Id, 2, 5700m, 0.285m) }));
            Assert.That(shanghai.TimeZone, Is.EqualTo("Asia/Shanghai"));

            // A rep's forecast holds only their own deals; the default period is the quarter of the day asked for.
            Assert.That(mine.Rows.Select(r => (r.Period, r.OwnerId, r.PipelineAmount)), Is.EqualTo(new (string, Guid?, decimal)[] { ("2026-Q4", _rep.Id, 6000m) }));
        });
    }

    [Test]
    public async Task The_team_filter_takes_the_subtree_and_teams_outside_the_scope_are_404()
    {
        var east = await ForecastAsync(_manager, $"?from=2026-10-01&teamId={_east}");
        var sales = await ForecastAsync(_manager, $"?from=2026-10-01&teamId={_sales}&groupBy=team");
        using var manager = Factory.ClientFor(_manager);
        using var rep = Factory.ClientFor(_rep);

        Assert.Multiple(() =>
        {
            Assert.That(east.Rows.Select(r => r.OwnerId), Is.EquivalentTo(new Guid?[] { _rep.Id, _colleague.Id }));
            Assert.That(sales.Rows.Select(r => (r.TeamId, r.PipelineAmount)), Is.EqualTo(new (Guid?, decimal)[] { (_east, 16000m) }));
        });
        await ReadProblemAsync(await manager.GetAsync($"/api/v1/sales/forecast?teamId={_service}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await manager.GetAsync($"/api/v1/sales/forecast?teamId={Guid.CreateVersion7()}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await rep.GetAsync($"/api/v1/sales/forecast?teamId={_sales}"), HttpStatusCode.NotFound);
        var own = await ReadAsync<ForecastResponse>(await rep.GetAsync($"/api/v1/sales/forecast?from=2026-10-01&teamId={_east}"), HttpStatusCode.OK);
        Assert.That(own.Rows.Select(r => r.OwnerId), Is.EqualTo(new Guid?[] { _rep.Id }));
    }

    [Test]
    public async Task Bad_forecast_parameters_are_400_with_the_field_and_unknown_pipelines_404()
    {
        using var client = Factory.ClientFor(_manager);
        var cases = new Dictionary<string, string>
        {
            ["?period=week"] = "period",
            ["?groupBy=region"] = "groupBy",
            ["?from=2026-12-01&to=2026-11-01"] = "to",
            ["?period=month&from=2020-01-01&to=2026-01-01"] = "to",
            ["?currency=yuan"] = "currency",
            ["?timeZone=Mars/Olympus"] = "timeZone",
        };
        foreach (var (query, field) in cases)
        {
            var problem = await ReadProblemAsync(await client.GetAsync($"/api/v1/sales/forecast{query}"), HttpStatusCode.BadRequest);
            Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, query);
        }

        await ReadProblemAsync(await client.GetAsync("/api/v1/sales/forecast?from=soon"), HttpStatusCode.BadRequest);
        await ReadProblemAsync(await client.GetAsync($"/api/v1/sales/forecast?pipelineId={Guid.CreateVersion7()}"), HttpStatusCode.NotFound);
        using var agent = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.ServiceAgent));
        await ReadProblemAsync(await agent.GetAsync("/api/v1/sales/forecast"), HttpStatusCode.Forbidden);
    }
}

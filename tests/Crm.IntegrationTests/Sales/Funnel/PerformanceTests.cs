using System.Net;
using Crm.IntegrationTests.Infrastructure;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Identity.Domain;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Funnel;
using static Crm.IntegrationTests.Sales.Funnel.FunnelApi;

namespace Crm.IntegrationTests.Sales.Funnel;

internal sealed class PerformanceTests : IntegrationTest
{
    private static readonly DateTimeOffset InQ4 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private Guid _sales;
    private Guid _east;
    private Guid _west;
    private Guid _service;
    private TestUser _a = null!;
    private TestUser _b = null!;
    private TestUser _c = null!;
    private TestUser _d = null!;
    private TestUser _e = null!;
    private TestUser _manager = null!;

    [SetUp]
    public async Task SeedAsync()
    {
        var company = await TestUsers.CreateTeamAsync(Factory, "公司", TeamKind.Company);
        _sales = await TestUsers.CreateTeamAsync(Factory, "销售部", TeamKind.Department, company);
        _east = await TestUsers.CreateTeamAsync(Factory, "华东组", TeamKind.Group, _sales);
        _west = await TestUsers.CreateTeamAsync(Factory, "西南组", TeamKind.Group, _sales);
        _service = await TestUsers.CreateTeamAsync(Factory, "客服部", TeamKind.Department, company);
        _a = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _east);
        _b = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _east);
        _c = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _east);
        _d = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _west);
        _e = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _west);
        _manager = await TestUsers.CreateAsync(Factory, Roles.SalesManager, _sales);
        var outsider = await TestUsers.CreateAsync(Factory, Roles.SalesRep, _service);

        var c1 = Guid.CreateVersion7();
        var c2 = Guid.CreateVersion7();

        // A wins 8000: customer c1 for the first time, and c2, which B first won in May (so c2 is not new).
        await AddOpportunityAsync(Factory, _a.Id, "closedWon", 5000m, closedAt: InQ4, customerId: c1);
        await AddOpportunityAsync(Factory, _a.Id, "closedWon", 3000m, closedAt: InQ4.AddDays(3), customerId: c2);
        await AddOpportunityAsync(Factory, _b.Id, "closedWon", 100m, closedAt: new DateTimeOffset(2026, 5, 6, 0, 0, 0, TimeSpan.Zero), customerId: c2);

        // B wins 2000 from a new customer, and c1 again after A's first win (not new for B).
        await AddOpportunityAsync(Factory, _b.Id, "closedWon", 2000m, closedAt: InQ4);
        await AddOpportunityAsync(Factory, _b.Id, "closedWon", 0m, closedAt: InQ4.AddDays(10), customerId: c1);

        // D and E win new customers; E's figures tie with A's. Open, lost and USD deals add nothing to the won amounts (a
        // USD win still makes a new customer: the customer is new whatever the currency); the outsider is not in scope.
        await AddOpportunityAsync(Factory, _d.Id, "closedWon", 4000m, closedAt: InQ4);
        await AddOpportunityAsync(Factory, _e.Id, "closedWon", 8000m, closedAt: InQ4);
        await AddOpportunityAsync(Factory, _e.Id, "closedWon", 900m, closedAt: InQ4, currency: "USD");
        await AddOpportunityAsync(Factory, _c.Id, "contractSigned", 50000m, new DateOnly(2026, 12, 1));
        await AddOpportunityAsync(Factory, _c.Id, "closedLost", 50000m, closedAt: InQ4);
        await AddOpportunityAsync(Factory, _a.Id, "closedWon", 6000m, closedAt: new DateTimeOffset(2027, 1, 3, 0, 0, 0, TimeSpan.Zero));
        await AddOpportunityAsync(Factory, outsider.Id, "closedWon", 99999m, closedAt: InQ4);

        await AddQuotaAsync(Factory, QuotaSubjectKind.User, _a.Id, "2026-Q4", 10000m, newCustomers: 2);
        await AddQuotaAsync(Factory, QuotaSubjectKind.User, _b.Id, "2026-10", 2000m, newCustomers: 1);
        await AddQuotaAsync(Factory, QuotaSubjectKind.User, _b.Id, "2026-11", 2000m, newCustomers: 1);
        await AddQuotaAsync(Factory, QuotaSubjectKind.User, _b.Id, "2026-12", 1000m, newCustomers: 1);
        await AddQuotaAsync(Factory, QuotaSubjectKind.User, _c.Id, "2026-Q4", 1000m);
        await AddQuotaAsync(Factory, QuotaSubjectKind.User, _e.Id, "2026-Q4", 10000m, newCustomers: 1);
        await AddQuotaAsync(Factory, QuotaSubjectKind.User, outsider.Id, "2026-Q4", 1m);
    }

    private static async Task<PerformanceResponse> PerformanceAsync(TestUser user, string query)
    {
        using var client = Factory.ClientFor(user);
        return await ReadAsync<PerformanceResponse>(await client.GetAsync($"/api/v1/sales/performance{query}"), HttpStatusCode.OK);
    }

    [Test]
    public async Task Each_user_is_measured_against_their_quota_and_dense_ranked_by_attainment_then_amount()
    {
        var performance = await PerformanceAsync(_manager, "?period=2026-q4");

        Assert.Multiple(() =>
        {
            Assert.That((performance.Period, performance.PeriodStart, performance.PeriodEnd, performance.Currency),
                Is.EqualTo(("2026-Q4", new DateOnly(2026, 10, 1), new DateOnly(2027, 1, 1), "CNY")));
            var byUser = performance.Users.ToDictionary(u => u.UserId);
            Assert.That(byUser.Keys, Is.EquivalentTo(new[] { _a.Id, _b.Id, _c.Id, _d.Id, _e.Id }));
            Assert.That(byUser[_a.Id] with { Name = null }, Is.EqualTo(new PerformanceUserResponse(1, _a.Id, null, 2, 8000m, 1, 10000m, 2, 0.8m, 0.5m)));
            Assert.That(byUser[_e.Id] with { Name = null }, Is.EqualTo(new PerformanceUserResponse(1, _e.Id, null, 1, 8000m, 2, 10000m, 1, 0.8m, 2m)));

            // Month quotas add up to the quarter: 5000 and 3 new customers.
            Assert.That(byUser[_b.Id] with { Name = null }, Is.EqualTo(new PerformanceUserResponse(2, _b.Id, null, 2, 2000m, 1, 5000m, 3, 0.4m, 0.3333m)));
            Assert.That(byUser[_c.Id] with { Name = null }, Is.EqualTo(new PerformanceUserResponse(3, _c.Id, null, 0, 0m, 0, 1000m, 0, 0m, null)));

            // Without a quota, D ranks after everyone with one.
            Assert.That(byUser[_d.Id] with { Name = null }, Is.EqualTo(new PerformanceUserResponse(4, _d.Id, null, 1, 4000m, 1, null, null, null, null)));
            Assert.That(performance.Users.Select(u => u.Rank), Is.Ordered);
            Assert.That(byUser[_a.Id].Name, Is.EqualTo("Test salesRep"));
        });
    }

    [Test]
    public async Task The_team_filter_keeps_the_members_of_the_subtree_and_reps_see_themselves()
    {
        var east = await PerformanceAsync(_manager, $"?period=2026-Q4&teamId={_east}");
        var sales = await PerformanceAsync(_manager, $"?period=2026-Q4&teamId={_sales}");
        var self = await PerformanceAsync(_d, "?period=2026");
        var january = await PerformanceAsync(_manager, "?period=2027-01");

        Assert.Multiple(() =>
        {
            Assert.That(east.Users.Select(u => (u.UserId, u.Rank)), Is.EquivalentTo(new[] { (_a.Id, 1), (_b.Id, 2), (_c.Id, 3) }));
            Assert.That(sales.Users, Has.Count.EqualTo(5));
            Assert.That(self.Users.Select(u => (u.UserId, u.WonAmount, u.AmountTarget)), Is.EqualTo(new[] { (_d.Id, 4000m, (decimal?)null) }));
            Assert.That(january.Users.Select(u => (u.UserId, u.WonAmount, u.NewCustomers)), Is.EqualTo(new[] { (_a.Id, 6000m, 1) }));
        });

        using var manager = Factory.ClientFor(_manager);
        using var rep = Factory.ClientFor(_a);
        await ReadProblemAsync(await manager.GetAsync($"/api/v1/sales/performance?period=2026-Q4&teamId={_service}"), HttpStatusCode.NotFound);
        await ReadProblemAsync(await rep.GetAsync($"/api/v1/sales/performance?period=2026-Q4&teamId={_west}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_missing_or_malformed_period_is_a_400_and_users_without_sales_read_get_a_403()
    {
        using var client = Factory.ClientFor(_manager);
        foreach (var query in new[] { "", "?period=2026-Q5", "?period=Q4", "?period=2026-Q4&currency=rmb1", "?period=2026-Q4&timeZone=Nowhere" })
        {
            var problem = await ReadProblemAsync(await client.GetAsync($"/api/v1/sales/performance{query}"), HttpStatusCode.BadRequest);
            Assert.That(problem.GetProperty("errors").EnumerateObject().Select(e => e.Name), Is.SubsetOf(new[] { "period", "currency", "timeZone" }), query);
        }

        using var agent = Factory.ClientFor(await TestUsers.CreateAsync(Factory, Roles.ServiceAgent));
        await ReadProblemAsync(await agent.GetAsync("/api/v1/sales/performance?period=2026-Q4"), HttpStatusCode.Forbidden);
    }
}

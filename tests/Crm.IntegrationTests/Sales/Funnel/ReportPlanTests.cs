using Crm.IntegrationTests.Infrastructure;
using Crm.IntegrationTests.Sales.Opportunities;
using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.Modules.Sales.Features.Funnel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.IntegrationTests.Sales.Funnel;

/// <summary>
/// The plans PostgreSQL chooses for the exact statements the forecast and performance endpoints send (built by the same
/// <see cref="ForecastSql"/> and <see cref="PerformanceSql"/>), over 30,000 opportunities spread over six years.
/// </summary>
internal sealed class ReportPlanTests : IntegrationTest
{
    private const int Rows = 30_000;

    private static readonly SalesPeriod Q4 = new(SalesPeriodKind.Quarter, 2026, 4);

    [SetUp]
    public async Task SeedAsync()
    {
        await CountAsync(OpportunityPlanData.SeedSql(Rows));
        await CountAsync("VACUUM ANALYZE sales.opportunities");
    }

    private static async Task<string> PlanAsync<T>(Func<SalesDbContext, IQueryable<T>> query)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        return await ExplainAsync(query(scope.ServiceProvider.GetRequiredService<SalesDbContext>()));
    }

    private static ReportScope Admin() => new(new AccessScope(null, seesAll: true, []), null);

    private static ReportScope Manager() => new(new AccessScope(
        Guid.Parse("00000000-0000-0000-0001-000000000001"), seesAll: false,
        Enumerable.Range(1, 5).Select(i => Guid.Parse($"00000000-0000-0000-0001-{i:D12}"))), null);

    private static FormattableString Forecast(ReportScope scope)
    {
        var starts = new[] { Q4.Start };
        var ends = new[] { Q4.End };
        return ForecastSql.Build(scope, null, null, "CNY", Q4.End, starts, ends,
            [ReportParameters.StartOf(Q4.Start, TimeZoneInfo.Utc)], [ReportParameters.StartOf(Q4.End, TimeZoneInfo.Utc)]);
    }

    [Test]
    public async Task The_forecast_reads_the_open_by_expected_close_and_won_by_close_time_partial_indexes_and_buckets_each_deal_once()
    {
        var all = await PlanAsync(db => db.Database.SqlQuery<ForecastSqlRow>(Forecast(Admin())));
        var some = await PlanAsync(db => db.Database.SqlQuery<ForecastSqlRow>(Forecast(Manager())));

        Assert.Multiple(() =>
        {
            foreach (var plan in new[] { all, some })
            {
                Assert.That(plan, Does.Contain(FunnelModel.OpenByExpectedCloseIndex));
                Assert.That(plan, Does.Contain(FunnelModel.WonByClosedAtIndex));
                Assert.That(plan, Does.Not.Contain("Seq Scan on opportunities"));

                // The period comes from width_bucket per deal, not from a join testing every period against every deal.
                Assert.That(plan, Does.Not.Contain("Function Scan on unnest"));
            }
        });
    }

    [Test]
    public async Task Performance_reads_wins_by_close_time_and_first_wins_by_customer()
    {
        var plan = await PlanAsync(db => db.Database.SqlQuery<PerformanceSqlRow>(PerformanceSql.Build(
            Admin(), Q4, "CNY", Q4.End, ReportParameters.StartOf(Q4.Start, TimeZoneInfo.Utc), ReportParameters.StartOf(Q4.End, TimeZoneInfo.Utc))));

        Assert.Multiple(() =>
        {
            Assert.That(plan, Does.Contain(FunnelModel.WonByClosedAtIndex));
            Assert.That(plan, Does.Contain(FunnelModel.WonByCustomerIndex));
            Assert.That(plan, Does.Not.Contain("Seq Scan on opportunities"));
        });
    }

    [Test]
    public async Task A_managers_funnel_reads_only_their_owners_rows_through_the_owner_index()
    {
        var plan = await PlanAsync(db => db.Database.SqlQuery<FunnelStageRow>(
            FunnelSql.Build(Pipeline.DefaultId, Manager(), null, null, null, "CNY", new DateOnly(2026, 11, 23), new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero))));

        Assert.Multiple(() =>
        {
            Assert.That(plan, Does.Contain("ix_opportunities_owner_id_created_at_id"));
            Assert.That(plan, Does.Not.Contain("Seq Scan on opportunities"));
        });
    }

    [Test]
    public async Task The_funnel_reads_the_stage_history_once_and_aggregates_it_without_a_subplan_per_opportunity()
    {
        // Every closed opportunity left the first stage: 20,000 history rows next to the 30,000 opportunities.
        await CountAsync("""
            INSERT INTO sales.opportunity_stage_changes (id, opportunity_id, from_stage_id, to_stage_id, from_stage_entered_at, changed_at)
            SELECT gen_random_uuid(), id, '01930000-0000-7000-8000-000000000101', stage_id, created_at, closed_at
            FROM sales.opportunities WHERE status <> 'Open'
            RETURNING 1
            """);
        await CountAsync("VACUUM ANALYZE sales.opportunity_stage_changes");

        var plan = await PlanAsync(db => db.Database.SqlQuery<FunnelStageRow>(
            FunnelSql.Build(Pipeline.DefaultId, Admin(), null, null, null, "CNY", new DateOnly(2026, 11, 23), new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero))));

        // A correlated subquery per opportunity (or per stage over all of them) shows as a SubPlan: at 1,000,000
        // opportunities that was most of the funnel's time (ADR 0028).
        Assert.Multiple(() =>
        {
            Assert.That(plan, Does.Not.Contain("SubPlan"));
            Assert.That(plan.Split('\n').Count(line => line.Contains(" on opportunity_stage_changes", StringComparison.Ordinal)), Is.EqualTo(1));
        });
    }
}

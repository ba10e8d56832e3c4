using System.Globalization;
using Crm.Modules.Sales.Domain;
using Npgsql;

namespace Crm.Benchmarks;

/// <summary>The sales data the report scenarios read, as the report states it.</summary>
internal sealed record SalesDataInfo(
    int Opportunities, long StageChanges, int Activities, long Quotas, double SalesTablesMb, double SeedSeconds, Dictionary<string, long> Matches);

/// <summary>
/// The sales report scenarios: the funnel over twelve months of created opportunities (everyone's, and one department's
/// with its groups), the monthly forecast of a year per owner, and a group's calendar for a month, each against the
/// hand-written SQL of <see cref="SalesCeilings"/>. They are heavy reads, so they run with few clients.
/// </summary>
internal static class SalesScenarios
{
    public static readonly DateTimeOffset FunnelFrom = new(2025, 12, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset FunnelTo = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateOnly ForecastFrom = new(2026, 1, 1);
    public static readonly DateOnly ForecastTo = new(2027, 1, 1);
    public static readonly DateTimeOffset CalendarFrom = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset CalendarTo = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    public static readonly string[] Ids = ["funnel", "funnel-team", "forecast-month", "calendar-team"];

    /// <summary>The plans, each verified against its ceiling first (see <see cref="SalesCrossCheck"/>), and the verdicts.</summary>
    public static async Task<(List<ScenarioPlan> Plans, List<string> Checks)> PlanAsync(
        NpgsqlDataSource db, HttpClient http, Uri api, Uri raw, string token, int clients, CancellationToken ct)
    {
        var (department, departmentName) = await TeamAsync(db, "Department", ct);
        var (group, groupName) = await TeamAsync(db, "Group", ct);
        var funnelRange = $"from={Instant(FunnelFrom)}&to={Instant(FunnelTo)}";
        var calendarRange = $"from={Instant(CalendarFrom)}&to={Instant(CalendarTo)}";
        var forecastLast = ForecastTo.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var forecastFrom = ForecastFrom.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var forecastTo = ForecastTo.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var twelveMonths = $"created {FunnelFrom:yyyy-MM} to {FunnelTo.AddMonths(-1):yyyy-MM}";

        var scenarios = new (ScenarioPlan Plan, SalesReportKind Kind)[]
        {
            (new("funnel", $"Sales funnel (admin, {twelveMonths}): GET /api/v1/sales/funnel ({clients} clients)", "hand-written SQL via raw Npgsql",
                _ => new Uri(api, $"/api/v1/sales/funnel?{funnelRange}"), _ => new Uri(raw, $"/raw/funnel?{funnelRange}"), clients), SalesReportKind.Funnel),
            (new("funnel-team", $"Sales funnel, teamId={departmentName} and its groups, same period ({clients} clients)", "hand-written SQL via raw Npgsql",
                _ => new Uri(api, $"/api/v1/sales/funnel?{funnelRange}&teamId={department}"), _ => new Uri(raw, $"/raw/funnel?{funnelRange}&team={department}"), clients),
                SalesReportKind.Funnel),
            (new("forecast-month", $"Sales forecast by month and owner, {ForecastFrom.Year}: GET /api/v1/sales/forecast?period=month ({clients} clients)", "hand-written SQL via raw Npgsql",
                _ => new Uri(api, $"/api/v1/sales/forecast?period=month&from={forecastFrom}&to={forecastLast}"),
                _ => new Uri(raw, $"/raw/forecast?from={forecastFrom}&to={forecastTo}&currency={SalesQuota.DefaultCurrency}"), clients), SalesReportKind.Forecast),
            (new("calendar-team", $"Team calendar, teamId={groupName}, {CalendarFrom:yyyy-MM}: GET /api/v1/calendar ({clients} clients)", "hand-written SQL via raw Npgsql",
                _ => new Uri(api, $"/api/v1/calendar?teamId={group}&{calendarRange}"), _ => new Uri(raw, $"/raw/calendar?team={group}&{calendarRange}"), clients),
                SalesReportKind.Calendar),
        };

        var checks = new List<string>();
        foreach (var (plan, kind) in scenarios)
        {
            checks.Add(await SalesCrossCheck.VerifyAsync(http, plan.Id, kind, plan.Api(0), plan.Raw(0), token, ct));
        }

        return (scenarios.Select(s => s.Plan).ToList(), checks);
    }

    public static async Task<SalesDataInfo> DescribeAsync(NpgsqlDataSource db, SalesSeededData seeded, CancellationToken ct)
    {
        var (department, departmentName) = await TeamAsync(db, "Department", ct);
        await using var command = db.CreateCommand(
            """
            SELECT (SELECT sum(pg_total_relation_size(t)) FROM unnest(ARRAY['sales.opportunities', 'sales.opportunity_stage_changes', 'sales.activities', 'sales.sales_quotas']::regclass[]) AS t),
                   (SELECT count(*) FROM sales.opportunities WHERE created_at >= @from AND created_at < @to),
                   (SELECT count(*) FROM sales.opportunities o JOIN identity.users u ON u.id = o.owner_id
                    WHERE o.created_at >= @from AND o.created_at < @to
                      AND u.team_id IN (SELECT @department UNION ALL SELECT id FROM identity.teams WHERE parent_id = @department)),
                   (SELECT count(*) FROM sales.opportunities WHERE (status = 'Open' AND expected_close_date >= @forecast_from AND expected_close_date < @forecast_to)
                                                             OR (status = 'Won' AND closed_at >= @forecast_from_at AND closed_at < @forecast_to_at))
            """);
        command.Parameters.AddWithValue("from", FunnelFrom);
        command.Parameters.AddWithValue("to", FunnelTo);
        command.Parameters.AddWithValue("department", department);
        command.Parameters.AddWithValue("forecast_from", ForecastFrom);
        command.Parameters.AddWithValue("forecast_to", ForecastTo);
        command.Parameters.AddWithValue("forecast_from_at", new DateTimeOffset(ForecastFrom.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        command.Parameters.AddWithValue("forecast_to_at", new DateTimeOffset(ForecastTo.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new SalesDataInfo(
            seeded.Opportunities, seeded.StageChanges, seeded.Activities, seeded.Quotas,
            Math.Round(reader.GetInt64(0) / 1024d / 1024, 1), Math.Round(seeded.Elapsed.TotalSeconds, 1),
            new Dictionary<string, long>
            {
                ["funnel (created in the 12 months)"] = reader.GetInt64(1),
                [$"funnel of {departmentName}"] = reader.GetInt64(2),
                [$"forecast {ForecastFrom.Year} (open by expected close, won by close time)"] = reader.GetInt64(3),
            });
    }

    /// <summary>The first generated team of a kind by name (the funnel's department has groups below it).</summary>
    private static async Task<(Guid Id, string Name)> TeamAsync(NpgsqlDataSource db, string kind, CancellationToken ct)
    {
        await using var command = db.CreateCommand("SELECT id, name FROM identity.teams WHERE kind = @kind ORDER BY name LIMIT 1");
        command.Parameters.AddWithValue("kind", kind);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? (reader.GetGuid(0), reader.GetString(1))
            : throw new InvalidOperationException($"No generated team of kind {kind}.");
    }

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}

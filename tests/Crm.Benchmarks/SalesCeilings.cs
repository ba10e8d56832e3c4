using Crm.Modules.Sales.Domain;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;

namespace Crm.Benchmarks;

/// <summary>
/// The ceilings of the sales report scenarios: SQL written by hand for the numbers the funnel, forecast and team calendar
/// report (not the handlers' statements), run through raw Npgsql. <see cref="SalesCrossCheck"/> proves both give the same
/// numbers before anything is measured.
/// </summary>
internal static class SalesCeilings
{
    // Team filters, as the reports define them: the users whose team is the named one or below it.
    private const string Subtree =
        """
        subtree AS (
            SELECT id FROM identity.teams WHERE id = @team
            UNION ALL
            SELECT t.id FROM identity.teams t JOIN subtree s ON t.parent_id = s.id
        )
        """;

    // The conversion factors of a report in @currency on @on: itself at 1 and, for CNY, every currency's latest rate on or
    // before that day (a currency without one has no row).
    private const string Rates =
        """
        fx AS (
            SELECT @currency::text AS currency, 1::numeric AS factor
            UNION ALL
            (SELECT DISTINCT ON (r.currency) r.currency::text, r.rate FROM sales.exchange_rates r
             WHERE @currency = 'CNY' AND r.rate_date <= @on ORDER BY r.currency, r.rate_date DESC)
        )
        """;

    /// <summary>
    /// The funnel of the default pipeline over the opportunities created in [@from, @to), optionally of a team's members:
    /// one row per stage. Reached counts each opportunity at the furthest open stage it has been in (a win passed them
    /// all), summed downwards from the end of the pipeline; stays are the finished ones from the history plus the running
    /// ones of open deals. Amounts are in @currency, each deal converted to the cent at the rate effective on @on; a deal
    /// whose currency has no rate counts everywhere but in the sums.
    /// </summary>
    public const string FunnelSql =
        $"""
        WITH RECURSIVE {Subtree},
        {Rates},
        stage AS (
            SELECT id, code, position, kind FROM sales.pipeline_stages WHERE pipeline_id = @pipeline
        ),
        opp AS MATERIALIZED (
            SELECT o.id, o.stage_id, o.status, round(o.amount * fx.factor, 2) AS amount, o.probability, o.stage_entered_at
            FROM sales.opportunities o LEFT JOIN fx ON fx.currency = o.currency
            WHERE o.pipeline_id = @pipeline AND o.created_at >= @from AND o.created_at < @to
              AND (NOT @by_team OR o.owner_id IN (SELECT u.id FROM identity.users u JOIN subtree s ON s.id = u.team_id))
        ),
        move AS MATERIALIZED (
            SELECT c.opportunity_id, c.from_stage_id, c.to_stage_id, c.changed_at - c.from_stage_entered_at AS stay
            FROM sales.opportunity_stage_changes c JOIN opp ON opp.id = c.opportunity_id
        ),
        history_top AS (
            SELECT m.opportunity_id, max(s.position) AS position
            FROM move m
            CROSS JOIN LATERAL (VALUES (m.from_stage_id), (m.to_stage_id)) AS v(stage_id)
            JOIN stage s ON s.id = v.stage_id AND s.kind = 'Open'
            GROUP BY m.opportunity_id
        ),
        furthest AS (
            SELECT CASE WHEN cur.kind = 'Won' THEN (SELECT max(position) FROM stage WHERE kind = 'Open')
                        ELSE greatest(CASE WHEN cur.kind = 'Open' THEN cur.position END, h.position) END AS position
            FROM opp JOIN stage cur ON cur.id = opp.stage_id LEFT JOIN history_top h ON h.opportunity_id = opp.id
        ),
        reached AS (
            SELECT s.position, sum(count(f.position)) OVER (ORDER BY s.position DESC) AS reached
            FROM stage s LEFT JOIN furthest f ON f.position = s.position
            GROUP BY s.position
        ),
        stay AS (
            SELECT stage_id, sum(seconds) / sum(n) / 86400 AS days
            FROM (SELECT from_stage_id AS stage_id, sum(extract(epoch FROM stay)) AS seconds, count(*) AS n FROM move GROUP BY from_stage_id
                  UNION ALL
                  SELECT stage_id, sum(extract(epoch FROM now() - stage_entered_at)), count(*) FROM opp WHERE status = 'Open' GROUP BY stage_id) AS x
            GROUP BY stage_id
        ),
        total AS (
            SELECT stage_id, count(*) AS n, sum(amount) AS amount, round(sum(amount * probability) / 100, 2) AS weighted FROM opp GROUP BY stage_id
        )
        SELECT st.code, st.kind, coalesce(t.n, 0) AS count, coalesce(t.amount, 0) AS amount, coalesce(t.weighted, 0) AS weighted_amount,
               r.reached,
               CASE WHEN st.kind = 'Open' AND r.reached > 0
                    THEN round(coalesce(lead(r.reached) OVER (PARTITION BY st.kind ORDER BY st.position),
                                        (SELECT count(*) FROM opp JOIN stage w ON w.id = opp.stage_id AND w.kind = 'Won')) / r.reached, 4) END AS conversion_rate,
               round(y.days, 2) AS average_days
        FROM stage st
        LEFT JOIN total t ON t.stage_id = st.id
        LEFT JOIN reached r ON r.position = st.position
        LEFT JOIN stay y ON y.stage_id = st.id
        ORDER BY st.position
        """;

    /// <summary>
    /// The monthly forecast per owner over [@from, @to) in @currency (UTC months): open deals by expected close date, wins
    /// by close time, commit at 60 % and best case at 30 % probability on top of the wins, and each owner's month quota.
    /// A CNY report converts other currencies at the rate effective on @on (a currency without one does not count).
    /// </summary>
    public const string ForecastSql =
        $"""
        WITH {Rates},
        deal AS (
            SELECT date_trunc('month', o.expected_close_date::timestamp)::date AS period_start, o.owner_id, true AS open,
                   round(o.amount * fx.factor, 2) AS amount, o.probability
            FROM sales.opportunities o JOIN fx ON fx.currency = o.currency
            WHERE o.status = 'Open' AND o.expected_close_date >= @from AND o.expected_close_date < @to
            UNION ALL
            SELECT date_trunc('month', o.closed_at AT TIME ZONE 'UTC')::date, o.owner_id, false, round(o.amount * fx.factor, 2), o.probability
            FROM sales.opportunities o JOIN fx ON fx.currency = o.currency
            WHERE o.status = 'Won' AND o.closed_at >= @from_at AND o.closed_at < @to_at
        ),
        per AS (
            SELECT period_start, owner_id,
                   count(*) FILTER (WHERE open) AS pipeline_count,
                   coalesce(sum(amount) FILTER (WHERE open), 0) AS pipeline_amount,
                   round(coalesce(sum(amount * probability) FILTER (WHERE open), 0) / 100, 2) AS weighted_amount,
                   coalesce(sum(amount) FILTER (WHERE open AND probability >= 60), 0) AS commit_open,
                   coalesce(sum(amount) FILTER (WHERE open AND probability >= 30), 0) AS best_case_open,
                   count(*) FILTER (WHERE NOT open) AS won_count,
                   coalesce(sum(amount) FILTER (WHERE NOT open), 0) AS won_amount
            FROM deal GROUP BY period_start, owner_id
        ),
        quota AS (
            SELECT q.period_start, q.subject_id AS owner_id, round(q.amount_target * fx.factor, 2) AS amount_target
            FROM sales.sales_quotas q JOIN fx ON fx.currency = q.currency
            WHERE q.subject_kind = 'User' AND q.period_kind = 'Month' AND q.period_start >= @from AND q.period_end <= @to
        )
        SELECT coalesce(p.period_start, q.period_start)::text AS period_start, coalesce(p.owner_id, q.owner_id) AS owner_id,
               coalesce(p.pipeline_count, 0) AS pipeline_count, coalesce(p.pipeline_amount, 0) AS pipeline_amount,
               coalesce(p.weighted_amount, 0) AS weighted_amount,
               coalesce(p.won_amount, 0) + coalesce(p.commit_open, 0) AS commit_amount,
               coalesce(p.won_amount, 0) + coalesce(p.best_case_open, 0) AS best_case_amount,
               coalesce(p.won_count, 0) AS won_count, coalesce(p.won_amount, 0) AS won_amount,
               q.amount_target AS quota,
               CASE WHEN q.amount_target > 0 THEN round(coalesce(p.won_amount, 0) / q.amount_target, 4) END AS attainment
        FROM per p FULL JOIN quota q ON q.period_start = p.period_start AND q.owner_id = p.owner_id
        ORDER BY 1, 2
        """;

    /// <summary>
    /// A team's calendar over [@from, @to): the activities its members (the team and below) own or attend that are not
    /// cancelled and overlap the range (a task is the instant of its due time), by start time, at most 2,000.
    /// </summary>
    public const string CalendarSql =
        $"""
        WITH RECURSIVE {Subtree},
        member AS (SELECT u.id FROM identity.users u JOIN subtree s ON s.id = u.team_id)
        SELECT a.id, a.kind, a.subject, a.description, a.start_at, a.end_at, CASE WHEN a.kind = 'Task' THEN a.start_at END AS due_at,
               a.owner_id, a.attendee_ids, a.customer_id, a.contact_id, a.lead_id, a.opportunity_id, a.channel, a.status, a.outcome,
               a.urgent, a.important, a.quadrant, a.reminder_minutes_before, a.consent_override_reason, a.completed_at, a.created_at, a.updated_at
        FROM sales.activities a
        WHERE (a.owner_id = ANY(ARRAY(SELECT id FROM member)) OR a.attendee_ids && ARRAY(SELECT id FROM member))
          AND a.status <> 'Cancelled'
          AND a.start_at >= @from - interval '31 days' AND a.start_at < @to
          AND CASE WHEN a.end_at IS NULL THEN a.start_at >= @from ELSE a.end_at > @from END
        ORDER BY a.start_at, a.id
        LIMIT 2000
        """;

    public static void Map(IEndpointRouteBuilder app, NpgsqlDataSource db)
    {
        app.MapGet("/raw/funnel", (DateTimeOffset from, DateTimeOffset to, Guid? team, HttpContext http, CancellationToken ct) =>
            CeilingHost.WriteRowsAsync(db, FunnelSql, http, single: false, ct,
                ("pipeline", Pipeline.DefaultId), ("from", from), ("to", to), ("by_team", team is not null), ("team", team ?? Guid.Empty),
                ("currency", SalesQuota.DefaultCurrency), ("on", Today())));
        app.MapGet("/raw/forecast", (DateOnly from, DateOnly to, string currency, HttpContext http, CancellationToken ct) =>
            CeilingHost.WriteRowsAsync(db, ForecastSql, http, single: false, ct,
                ("from", from), ("to", to), ("currency", currency), ("on", Today()),
                ("from_at", new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)),
                ("to_at", new DateTimeOffset(to.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero))));
        app.MapGet("/raw/calendar", (Guid team, DateTimeOffset from, DateTimeOffset to, HttpContext http, CancellationToken ct) =>
            CeilingHost.WriteRowsAsync(db, CalendarSql, http, single: false, ct, ("team", team), ("from", from), ("to", to)));
    }

    // The report day of the API's default (UTC) reports.
    private static DateOnly Today() => DateOnly.FromDateTime(DateTimeOffset.UtcNow.UtcDateTime);
}

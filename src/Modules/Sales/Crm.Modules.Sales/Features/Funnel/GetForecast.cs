using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Funnel;

/// <summary>Query string of <c>GET /api/v1/sales/forecast</c>.</summary>
/// <param name="Period">Period length: month, quarter (default) or year.</param>
/// <param name="From">A day in the first period (default today); the report starts at that period's first day.</param>
/// <param name="To">A day in the last period (default: from); the report ends with that period.</param>
/// <param name="GroupBy">owner (default) or team (the owner's current team).</param>
/// <param name="OwnerId">Only this owner's opportunities.</param>
/// <param name="TeamId">Only opportunities owned by the current members of this team and its sub-teams.</param>
/// <param name="PipelineId">Only this pipeline (default: all).</param>
/// <param name="Currency">Report currency (default CNY). CNY converts opportunities and quotas in other currencies at the rate effective on the report day (today in timeZone); a currency without a rate does not count. Any other currency counts only its own opportunities and quotas.</param>
/// <param name="TimeZone">IANA time zone whose calendar bounds the periods (default UTC), e.g. Asia/Shanghai.</param>
internal sealed record ForecastQuery(
    string? Period, DateOnly? From, DateOnly? To, string? GroupBy, Guid? OwnerId, Guid? TeamId, Guid? PipelineId, string? Currency, string? TimeZone);

/// <summary>How forecast rows are grouped.</summary>
internal enum ForecastGroupBy
{
    Owner,
    Team,
}

/// <summary>The sales forecast (销售预测): per period and owner or team, the open pipeline by expected close date and what was won.</summary>
/// <param name="Period">The period length.</param>
/// <param name="GroupBy">owner or team.</param>
/// <param name="From">First day of the first period.</param>
/// <param name="To">The day after the last period (exclusive).</param>
/// <param name="Currency">The report currency.</param>
/// <param name="TimeZone">The time zone of the period boundaries.</param>
/// <param name="Rows">One row per period and owner (or team) with pipeline, wins or a quota, in period order.</param>
internal sealed record ForecastResponse(
    SalesPeriodKind Period, ForecastGroupBy GroupBy, DateOnly From, DateOnly To, string Currency, string TimeZone, IReadOnlyList<ForecastRowResponse> Rows);

/// <summary>One period of one owner or team.</summary>
/// <param name="Period">The period key (2026-Q4, 2026-11, 2026).</param>
/// <param name="PeriodStart">First day of the period.</param>
/// <param name="OwnerId">The owner (groupBy=owner; null for unowned opportunities).</param>
/// <param name="TeamId">The owner's current team (groupBy=team; null for owners without a team).</param>
/// <param name="PipelineCount">Open opportunities expected to close in the period.</param>
/// <param name="PipelineAmount">Their total amount.</param>
/// <param name="WeightedAmount">Σ amount × probability / 100 over them, rounded to cents.</param>
/// <param name="CommitAmount">Won in the period plus the open amount at 60 % probability or more.</param>
/// <param name="BestCaseAmount">Won in the period plus the open amount at 30 % probability or more.</param>
/// <param name="WonCount">Opportunities won (closed) in the period.</param>
/// <param name="WonAmount">Their total amount.</param>
/// <param name="Quota">The amount target of the owner or team for the period (see the docs for how month quotas add up), null without one.</param>
/// <param name="Attainment">Won ÷ quota, 4 decimals (1 = 100 %); null without a positive quota.</param>
internal sealed record ForecastRowResponse(
    string Period,
    DateOnly PeriodStart,
    Guid? OwnerId,
    Guid? TeamId,
    int PipelineCount,
    decimal PipelineAmount,
    decimal WeightedAmount,
    decimal CommitAmount,
    decimal BestCaseAmount,
    int WonCount,
    decimal WonAmount,
    decimal? Quota,
    decimal? Attainment);

internal sealed record GetForecastRequest(ForecastQuery Query) : IRequest<ForecastResponse>;

/// <summary>The aggregates of one owner in one period, as the forecast SQL returns them.</summary>
internal sealed record ForecastSqlRow(
    DateOnly PeriodStart, Guid? OwnerId, int PipelineCount, decimal PipelineAmount, decimal WeightedPercent, decimal CommitOpen, decimal BestCaseOpen, int WonCount, decimal WonAmount);

internal sealed class GetForecastHandler(SalesDbContext db, ReportScopes scopes, ITeamDirectory teams, TimeProvider time) : IRequestHandler<GetForecastRequest, ForecastResponse>
{
    /// <summary>Three years of months: enough for any plan, small enough to stay one cheap statement.</summary>
    public const int MaxPeriods = 36;

    public async Task<ForecastResponse> Handle(GetForecastRequest request, CancellationToken cancellationToken)
    {
        var query = request.Query;
        var kind = QueryEnum.Parse<SalesPeriodKind>(query.Period, "period") ?? SalesPeriodKind.Quarter;
        var groupBy = QueryEnum.Parse<ForecastGroupBy>(query.GroupBy, "groupBy") ?? ForecastGroupBy.Owner;
        var currency = ReportParameters.Currency(query.Currency);
        var zone = ReportParameters.Zone(query.TimeZone);
        var from = query.From ?? ReportParameters.Today(time, zone);
        var to = query.To ?? from;
        if (to < from)
        {
            throw ValidationFailedException.For("to", "to must not be before from.");
        }

        var periods = new List<SalesPeriod>();
        var last = SalesPeriod.Containing(kind, to);
        for (var period = SalesPeriod.Containing(kind, from); period.Start <= last.Start; period = period.Next())
        {
            if (periods.Count == MaxPeriods)
            {
                throw ValidationFailedException.For("to", $"A forecast spans at most {MaxPeriods} periods.");
            }

            periods.Add(period);
        }

        if (query.PipelineId is { } pipelineId && !await db.Pipelines.AnyAsync(p => p.Id == pipelineId, cancellationToken))
        {
            throw new NotFoundException("Pipeline", pipelineId);
        }

        var scope = await scopes.ResolveAsync(query.TeamId, cancellationToken);
        var starts = periods.Select(p => p.Start).ToArray();
        var ends = periods.Select(p => p.End).ToArray();
        var today = ReportParameters.Today(time, zone);
        var rows = await db.Database.SqlQuery<ForecastSqlRow>(ForecastSql.Build(
            scope, query.OwnerId, query.PipelineId, currency, today, starts, ends,
            starts.Select(d => ReportParameters.StartOf(d, zone)).ToArray(), ends.Select(d => ReportParameters.StartOf(d, zone)).ToArray()))
            .ToListAsync(cancellationToken);

        var targets = groupBy == ForecastGroupBy.Owner
            ? QuotaTargetsSql.Build(kind, starts, ends, QuotaSubjectKind.User, currency, today, scope.SeesAll, scope.Owners, !scope.ByTeam, scope.Members)
            : QuotaTargetsSql.Build(kind, starts, ends, QuotaSubjectKind.Team, currency, today, scope.SeesAll, scope.VisibleTeams, !scope.ByTeam, scope.TeamIds);
        var quotas = (await db.Database.SqlQuery<QuotaTargetRow>(targets).ToListAsync(cancellationToken))
            .Where(q => groupBy == ForecastGroupBy.Team || query.OwnerId is null || q.SubjectId == query.OwnerId)
            .ToDictionary(q => (q.PeriodStart, (Guid?)q.SubjectId), q => q.AmountTarget);

        // Teams by the owners' current team: one lookup for the owners that appear, then the rows add up in memory.
        var teamOf = groupBy == ForecastGroupBy.Team
            ? (await teams.GetTeamsOfAsync(rows.Where(r => r.OwnerId is not null).Select(r => r.OwnerId!.Value).ToList(), cancellationToken))
                .ToDictionary(m => m.UserId, m => m.TeamId)
            : [];
        Guid? GroupOf(Guid? owner) => groupBy == ForecastGroupBy.Owner ? owner
            : owner is { } id && teamOf.TryGetValue(id, out var team) ? team : null;

        var grouped = rows
            .GroupBy(r => (r.PeriodStart, Group: GroupOf(r.OwnerId)))
            .ToDictionary(g => g.Key, g => g.ToList());
        var keys = grouped.Keys.Union(quotas.Keys).OrderBy(k => k.PeriodStart).ThenBy(k => k.Item2 is null).ThenBy(k => k.Item2).ToList();
        var result = keys.Select(key =>
        {
            var group = grouped.GetValueOrDefault(key) ?? [];
            var quota = quotas.GetValueOrDefault(key);
            var won = group.Sum(r => r.WonAmount);
            return new ForecastRowResponse(
                SalesPeriod.Containing(kind, key.PeriodStart).Key,
                key.PeriodStart,
                groupBy == ForecastGroupBy.Owner ? key.Item2 : null,
                groupBy == ForecastGroupBy.Team ? key.Item2 : null,
                group.Sum(r => r.PipelineCount),
                group.Sum(r => r.PipelineAmount),
                Math.Round(group.Sum(r => r.WeightedPercent) / 100, 2, MidpointRounding.AwayFromZero),
                won + group.Sum(r => r.CommitOpen),
                won + group.Sum(r => r.BestCaseOpen),
                group.Sum(r => r.WonCount),
                won,
                quota,
                quota > 0 ? Math.Round(won / quota.Value, 4, MidpointRounding.AwayFromZero) : null);
        }).ToList();

        return new ForecastResponse(kind, groupBy, periods[0].Start, periods[^1].End, currency, zone.Id, result);
    }
}

internal static class ForecastSql
{
    /// <summary>
    /// One statement: the visible opportunities that are open with an expected close date in the report, or won in it,
    /// aggregated per period (bucket) and owner. Open deals fall in the period of their expected close date, won deals in
    /// the period of their close time. Amounts are converted to the report currency at the rates effective on
    /// <paramref name="day"/>, per deal to the cent (<see cref="ReportParameters.Currency"/>).
    /// </summary>
    public static FormattableString Build(
        ReportScope scope, Guid? ownerId, Guid? pipelineId, string currency, DateOnly day, DateOnly[] starts, DateOnly[] ends, DateTimeOffset[] startsAt, DateTimeOffset[] endsAt)
    {
        var seesAll = scope.SeesAll;
        var owners = scope.Owners;
        var allTeams = !scope.ByTeam;
        var members = scope.Members;
        var first = starts[0];
        var end = ends[^1];
        var firstAt = startsAt[0];
        var endAt = endsAt[^1];
        var commit = ReportParameters.CommitProbability;
        var bestCase = ReportParameters.BestCaseProbability;
        // Each deal finds its period with width_bucket over the periods' (contiguous, ascending) starts: a binary search per
        // row instead of a join that tests every period against every deal (ADR 0028's rule: read each input once).
        return $"""
            WITH scoped AS (
                SELECT o.owner_id, round(o.amount * fx.factor, 2) AS amount, o.probability, o.status,
                       CASE WHEN o.status = 'Open' THEN width_bucket(o.expected_close_date, {starts}::date[])
                            ELSE width_bucket(o.closed_at, {startsAt}::timestamptz[]) END AS bucket
                FROM sales.opportunities o
                JOIN sales.report_rates({currency}, {day}) fx ON fx.currency = o.currency
                WHERE ((o.status = 'Open' AND o.expected_close_date >= {first} AND o.expected_close_date < {end})
                       OR (o.status = 'Won' AND o.closed_at >= {firstAt} AND o.closed_at < {endAt}))
                  AND ({seesAll} OR o.owner_id = ANY({owners}::uuid[]))
                  AND ({allTeams} OR o.owner_id = ANY({members}::uuid[]))
                  AND ({ownerId}::uuid IS NULL OR o.owner_id = {ownerId}::uuid)
                  AND ({pipelineId}::uuid IS NULL OR o.pipeline_id = {pipelineId}::uuid)
            )
            SELECT ({starts}::date[])[s.bucket] AS period_start, s.owner_id,
                   (count(*) FILTER (WHERE s.status = 'Open'))::int AS pipeline_count,
                   coalesce(sum(s.amount) FILTER (WHERE s.status = 'Open'), 0) AS pipeline_amount,
                   coalesce(sum(s.amount * s.probability) FILTER (WHERE s.status = 'Open'), 0) AS weighted_percent,
                   coalesce(sum(s.amount) FILTER (WHERE s.status = 'Open' AND s.probability >= {commit}), 0) AS commit_open,
                   coalesce(sum(s.amount) FILTER (WHERE s.status = 'Open' AND s.probability >= {bestCase}), 0) AS best_case_open,
                   (count(*) FILTER (WHERE s.status = 'Won'))::int AS won_count,
                   coalesce(sum(s.amount) FILTER (WHERE s.status = 'Won'), 0) AS won_amount
            FROM scoped s
            GROUP BY s.bucket, s.owner_id
            """;
    }
}

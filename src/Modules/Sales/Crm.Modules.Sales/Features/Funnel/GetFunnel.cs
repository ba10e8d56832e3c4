using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Time;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Funnel;

/// <summary>Query string of <c>GET /api/v1/sales/funnel</c>.</summary>
/// <param name="PipelineId">The pipeline (default: the default pipeline).</param>
/// <param name="OwnerId">Only opportunities of this owner (within what the caller may see).</param>
/// <param name="TeamId">Only opportunities owned by the current members of this team and its sub-teams (a team the caller may report on, else 404).</param>
/// <param name="From">Only opportunities created at or after this instant (ISO 8601).</param>
/// <param name="To">Only opportunities created before this instant (ISO 8601).</param>
/// <param name="Currency">Report currency of the amounts (default CNY). CNY converts opportunities in other currencies at the rate effective on the report day (today in timeZone); an opportunity whose currency has no rate is counted but left out of the amounts. Any other currency sums only its own opportunities.</param>
/// <param name="TimeZone">IANA time zone whose today is the report day of the rates (default UTC), e.g. Asia/Shanghai.</param>
internal sealed record FunnelQuery(Guid? PipelineId, Guid? OwnerId, Guid? TeamId, DateTimeOffset? From, DateTimeOffset? To, string? Currency, string? TimeZone);

/// <summary>The sales funnel (销售漏斗) of a pipeline: the open stages in pipeline order plus the closed totals.</summary>
/// <param name="PipelineId">The pipeline.</param>
/// <param name="From">Created-at lower bound applied, if any.</param>
/// <param name="To">Created-at upper bound applied (exclusive), if any.</param>
/// <param name="Currency">The report currency of every amount.</param>
/// <param name="RatesOn">The report day: amounts in other currencies are converted at the rates effective on it.</param>
/// <param name="Stages">The open stages in pipeline order.</param>
/// <param name="Won">Opportunities closed won.</param>
/// <param name="Lost">Opportunities closed lost.</param>
internal sealed record FunnelResponse(
    Guid PipelineId,
    DateTimeOffset? From,
    DateTimeOffset? To,
    string Currency,
    DateOnly RatesOn,
    IReadOnlyList<FunnelStageResponse> Stages,
    FunnelClosedResponse Won,
    FunnelClosedResponse Lost);

/// <summary>One open stage of the funnel.</summary>
/// <param name="StageId">The stage.</param>
/// <param name="Code">The stage code (initialContact).</param>
/// <param name="Name">The stage name.</param>
/// <param name="Position">Position in the pipeline, from 1.</param>
/// <param name="Count">Opportunities now in this stage.</param>
/// <param name="Amount">Their total amount in the report currency (each converted to the cent), without the unconverted ones.</param>
/// <param name="WeightedAmount">The forecast: sum of converted amount × probability / 100 over them, rounded to cents.</param>
/// <param name="Reached">Opportunities that reached this stage: now in it, in a later stage, won, or lost after having been in it or later.</param>
/// <param name="ConversionRate">Reached the next open stage (or won, for the last open stage) ÷ reached this one, 0 to 1; null when none reached this one.</param>
/// <param name="AverageDaysInStage">Mean days per stay in this stage: finished stays from the stage history plus the running stays of open opportunities now in it (until now); null without stays.</param>
/// <param name="UnconvertedCount">Of Count, the opportunities whose currency has no rate into the report currency: counted, not in the amounts.</param>
internal sealed record FunnelStageResponse(
    Guid StageId,
    string Code,
    string Name,
    int Position,
    int Count,
    decimal Amount,
    decimal WeightedAmount,
    int Reached,
    decimal? ConversionRate,
    decimal? AverageDaysInStage,
    int UnconvertedCount = 0);

/// <summary>Closed opportunities of one kind.</summary>
/// <param name="Count">How many.</param>
/// <param name="Amount">Their total amount in the report currency, without the unconverted ones.</param>
/// <param name="UnconvertedCount">Of Count, those whose currency has no rate into the report currency.</param>
internal sealed record FunnelClosedResponse(int Count, decimal Amount, int UnconvertedCount = 0);

internal sealed record GetFunnelRequest(FunnelQuery Query) : IRequest<FunnelResponse>;

internal sealed class GetFunnelHandler(SalesDbContext db, ReportScopes scopes, TimeProvider time) : IRequestHandler<GetFunnelRequest, FunnelResponse>
{
    public async Task<FunnelResponse> Handle(GetFunnelRequest request, CancellationToken cancellationToken)
    {
        var query = request.Query;
        var currency = ReportParameters.Currency(query.Currency);
        var ratesOn = ReportParameters.Today(time, ReportParameters.Zone(query.TimeZone));
        if (query.From is { } from && query.To is { } to && from >= to)
        {
            throw ValidationFailedException.For("to", "Must be after from.");
        }

        var pipelineId = query.PipelineId ?? Pipeline.DefaultId;
        if (!await db.Pipelines.AnyAsync(p => p.Id == pipelineId, cancellationToken))
        {
            throw new NotFoundException("Pipeline", pipelineId);
        }

        var scope = await scopes.ResolveAsync(query.TeamId, cancellationToken);
        var rows = await db.Database.SqlQuery<FunnelStageRow>(
            FunnelSql.Build(pipelineId, scope, query.OwnerId, query.From, query.To, currency, ratesOn, time.UtcNow())).ToListAsync(cancellationToken);

        var open = rows.Where(r => r.Kind == nameof(StageKind.Open)).OrderBy(r => r.Position).ToList();
        var won = rows.Single(r => r.Kind == nameof(StageKind.Won));
        var lost = rows.Single(r => r.Kind == nameof(StageKind.Lost));
        var stages = open.Select((row, i) =>
        {
            // The last open stage converts into a win; the others into the next open stage.
            var next = i + 1 < open.Count ? open[i + 1].Reached : won.Count;
            decimal? conversion = row.Reached == 0 ? null : Math.Round((decimal)next / row.Reached, 4);
            decimal? days = row.AverageDays is { } d ? Math.Round(d, 2) : null;
            return new FunnelStageResponse(row.StageId, row.Code, row.Name, row.Position, row.Count, row.Amount, row.WeightedAmount, row.Reached, conversion, days, row.Unconverted);
        }).ToList();

        return new FunnelResponse(
            pipelineId, query.From, query.To, currency, ratesOn, stages, new FunnelClosedResponse(won.Count, won.Amount, won.Unconverted),
            new FunnelClosedResponse(lost.Count, lost.Amount, lost.Unconverted));
    }
}

/// <summary>One stage of the pipeline with its aggregates, as the funnel SQL returns it.</summary>
internal sealed record FunnelStageRow(
    Guid StageId,
    string Code,
    string Name,
    int Position,
    string Kind,
    int Count,
    decimal Amount,
    decimal WeightedAmount,
    int Reached,
    decimal? AverageDays,
    int Unconverted);

internal static class FunnelSql
{
    /// <summary>
    /// One set-based statement over the visible opportunities of the pipeline, each input read once (ADR 0028).
    /// "Reached" is the highest open stage position an opportunity has been in (now or per its history); a won one has
    /// passed through every open stage. The history is aggregated per opportunity in one grouped pass, and the reached
    /// counts per stage are a running total from the end of the pipeline, so the cost grows with the rows, not with rows
    /// times stages. Amounts are converted to the report currency at the rates effective on <paramref name="day"/>, per
    /// deal to the cent, like the forecast's (<see cref="ReportParameters.Currency"/>); a deal whose currency has no rate
    /// keeps a null amount, so it counts in every count but in no sum.
    /// </summary>
    public static FormattableString Build(
        Guid pipelineId, ReportScope scope, Guid? ownerId, DateTimeOffset? from, DateTimeOffset? to, string currency, DateOnly day, DateTimeOffset now)
    {
        var seesAll = scope.SeesAll;
        var owners = scope.Owners;
        var allTeams = !scope.ByTeam;
        var members = scope.Members;
        return $"""
            WITH stages AS (
                -- Retired stages are left out: their deals moved on, and history through them counts for the stages around.
                SELECT id, code, name, position, kind FROM sales.pipeline_stages WHERE pipeline_id = {pipelineId} AND active
            ),
            scoped AS MATERIALIZED (
                SELECT o.id, o.stage_id, o.status, round(o.amount * fx.factor, 2) AS amount, o.probability, o.stage_entered_at
                FROM sales.opportunities o
                LEFT JOIN sales.report_rates({currency}, {day}) fx ON fx.currency = o.currency
                WHERE o.pipeline_id = {pipelineId}
                  AND ({seesAll} OR o.owner_id = ANY({owners}::uuid[]))
                  AND ({allTeams} OR o.owner_id = ANY({members}::uuid[]))
                  AND ({ownerId}::uuid IS NULL OR o.owner_id = {ownerId}::uuid)
                  AND ({from}::timestamptz IS NULL OR o.created_at >= {from}::timestamptz)
                  AND ({to}::timestamptz IS NULL OR o.created_at < {to}::timestamptz)
            ),
            changes AS MATERIALIZED (
                SELECT c.opportunity_id, c.from_stage_id, c.to_stage_id, c.changed_at - c.from_stage_entered_at AS stay
                FROM sales.opportunity_stage_changes c JOIN scoped s ON s.id = c.opportunity_id
            ),
            history AS (
                SELECT c.opportunity_id,
                       max(GREATEST(CASE WHEN f.kind = 'Open' THEN f.position END, CASE WHEN t.kind = 'Open' THEN t.position END)) AS position
                FROM changes c JOIN stages f ON f.id = c.from_stage_id JOIN stages t ON t.id = c.to_stage_id
                GROUP BY c.opportunity_id
            ),
            reached AS (
                SELECT CASE WHEN cur.kind = 'Won' THEN (SELECT max(position) FROM stages WHERE kind = 'Open')
                            ELSE GREATEST(CASE WHEN cur.kind = 'Open' THEN cur.position END, h.position)
                       END AS position
                FROM scoped s JOIN stages cur ON cur.id = s.stage_id LEFT JOIN history h ON h.opportunity_id = s.id
            ),
            reached_from AS (
                SELECT st.position, sum(count(r.position)) OVER (ORDER BY st.position DESC) AS n
                FROM stages st LEFT JOIN reached r ON r.position = st.position
                GROUP BY st.position
            ),
            stays AS (
                SELECT stage_id, avg(days) AS days
                FROM (SELECT from_stage_id AS stage_id, extract(epoch FROM stay) / 86400.0 AS days FROM changes
                      UNION ALL
                      SELECT stage_id, extract(epoch FROM {now}::timestamptz - stage_entered_at) / 86400.0 FROM scoped WHERE status = 'Open') AS y
                GROUP BY stage_id
            ),
            per_stage AS (
                SELECT stage_id, count(*)::int AS n, sum(amount) AS amount, round(sum(amount * probability) / 100, 2) AS weighted,
                       (count(*) - count(amount))::int AS unconverted
                FROM scoped GROUP BY stage_id
            )
            -- Snake-case aliases: the module's naming convention maps FunnelStageRow's properties to them.
            SELECT st.id AS stage_id, st.code, st.name, st.position, st.kind,
                   coalesce(p.n, 0) AS count, coalesce(p.amount, 0) AS amount, coalesce(p.weighted, 0) AS weighted_amount,
                   coalesce(r.n, 0)::int AS reached, y.days AS average_days, coalesce(p.unconverted, 0) AS unconverted
            FROM stages st
            LEFT JOIN per_stage p ON p.stage_id = st.id
            LEFT JOIN reached_from r ON r.position = st.position
            LEFT JOIN stays y ON y.stage_id = st.id
            ORDER BY st.position
            """;
    }
}

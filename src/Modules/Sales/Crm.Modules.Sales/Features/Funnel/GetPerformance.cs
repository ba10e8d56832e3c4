using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.Funnel;

/// <summary>Query string of <c>GET /api/v1/sales/performance</c>.</summary>
/// <param name="Period">The period (required): 2026 (year), 2026-Q4 (quarter) or 2026-11 (month).</param>
/// <param name="TeamId">Only the current members of this team and its sub-teams.</param>
/// <param name="Currency">Report currency (default CNY). CNY converts opportunities and quotas in other currencies at the rate effective on the report day (today in timeZone); a currency without a rate does not count. Any other currency counts only its own opportunities and quotas.</param>
/// <param name="TimeZone">IANA time zone whose calendar bounds the period (default UTC), e.g. Asia/Shanghai.</param>
internal sealed record PerformanceQuery(string? Period, Guid? TeamId, string? Currency, string? TimeZone);

/// <summary>Sales performance (销售业绩) of one period: each user's results against their quota, ranked.</summary>
/// <param name="Period">The period key.</param>
/// <param name="PeriodStart">First day of the period.</param>
/// <param name="PeriodEnd">The day after the period (exclusive).</param>
/// <param name="Currency">The report currency.</param>
/// <param name="TimeZone">The time zone of the period boundaries.</param>
/// <param name="Users">The users the caller may see who won something or have a quota in the period, best first.</param>
internal sealed record PerformanceResponse(string Period, DateOnly PeriodStart, DateOnly PeriodEnd, string Currency, string TimeZone, IReadOnlyList<PerformanceUserResponse> Users);

/// <summary>One user's results in the period.</summary>
/// <param name="Rank">Dense rank: by attainment (users without a target after those with one), then by won amount; equal on both, equal rank.</param>
/// <param name="UserId">The user.</param>
/// <param name="Name">The user's name.</param>
/// <param name="WonCount">Opportunities the user won (closed won) in the period.</param>
/// <param name="WonAmount">Their total amount.</param>
/// <param name="NewCustomers">Customers whose first won opportunity ever was won by this user in the period.</param>
/// <param name="AmountTarget">The user's amount target for the period, null without a quota.</param>
/// <param name="NewCustomersTarget">The user's new-customers target for the period, null without a quota.</param>
/// <param name="Attainment">Won amount ÷ amount target, 4 decimals (1 = 100 %); null without a positive target.</param>
/// <param name="NewCustomersAttainment">New customers ÷ new-customers target, 4 decimals; null without a positive target.</param>
internal sealed record PerformanceUserResponse(
    int Rank,
    Guid UserId,
    string? Name,
    int WonCount,
    decimal WonAmount,
    int NewCustomers,
    decimal? AmountTarget,
    int? NewCustomersTarget,
    decimal? Attainment,
    decimal? NewCustomersAttainment);

internal sealed record GetPerformanceRequest(PerformanceQuery Query) : IRequest<PerformanceResponse>;

/// <summary>One user's figures, as the performance SQL returns them.</summary>
internal sealed record PerformanceSqlRow(
    int Rank, Guid UserId, int WonCount, decimal WonAmount, int NewCustomers, decimal? AmountTarget, int? NewCustomersTarget, decimal? Attainment, decimal? NewCustomersAttainment);

internal sealed class GetPerformanceHandler(SalesDbContext db, ReportScopes scopes, IUserDirectory users, TimeProvider time) : IRequestHandler<GetPerformanceRequest, PerformanceResponse>
{
    public async Task<PerformanceResponse> Handle(GetPerformanceRequest request, CancellationToken cancellationToken)
    {
        var query = request.Query;
        if (!SalesPeriod.TryParse(query.Period, out var period))
        {
            throw ValidationFailedException.For("period", Quotas.SalesQuotaRules.PeriodMessage);
        }

        var currency = ReportParameters.Currency(query.Currency);
        var zone = ReportParameters.Zone(query.TimeZone);
        var scope = await scopes.ResolveAsync(query.TeamId, cancellationToken);
        var rows = await db.Database.SqlQuery<PerformanceSqlRow>(PerformanceSql.Build(
            scope, period, currency, ReportParameters.Today(time, zone), ReportParameters.StartOf(period.Start, zone), ReportParameters.StartOf(period.End, zone)))
            .ToListAsync(cancellationToken);
        var names = await users.FindByIdsAsync(rows.Select(r => r.UserId).ToList(), cancellationToken);
        var result = rows
            .Select(r => new PerformanceUserResponse(
                r.Rank, r.UserId, names.GetValueOrDefault(r.UserId)?.Name, r.WonCount, r.WonAmount, r.NewCustomers,
                r.AmountTarget, r.NewCustomersTarget, r.Attainment, r.NewCustomersAttainment))
            .ToList();
        return new PerformanceResponse(period.Key, period.Start, period.End, currency, zone.Id, result);
    }
}

internal static class PerformanceSql
{
    /// <summary>
    /// One statement: wins per owner in the period, new customers (customers whose first won opportunity, over all
    /// owners, was won in the period; credited to its owner), the user quotas of the period, and a dense rank. Won amounts
    /// and targets are converted to the report currency at the rates effective on <paramref name="day"/>.
    /// </summary>
    public static FormattableString Build(ReportScope scope, SalesPeriod period, string currency, DateOnly day, DateTimeOffset startsAt, DateTimeOffset endsAt)
    {
        var seesAll = scope.SeesAll;
        var owners = scope.Owners;
        var allTeams = !scope.ByTeam;
        var members = scope.Members;
        var kind = period.Kind.ToString();
        var start = period.Start;
        var end = period.End;
        return $"""
            WITH won AS (
                SELECT o.owner_id, count(*)::int AS won_count, sum(round(o.amount * fx.factor, 2)) AS won_amount
                FROM sales.opportunities o
                JOIN sales.report_rates({currency}, {day}) fx ON fx.currency = o.currency
                WHERE o.status = 'Won' AND o.closed_at >= {startsAt} AND o.closed_at < {endsAt}
                  AND o.owner_id IS NOT NULL
                  AND ({seesAll} OR o.owner_id = ANY({owners}::uuid[]))
                  AND ({allTeams} OR o.owner_id = ANY({members}::uuid[]))
                GROUP BY o.owner_id
            ),
            period_customers AS (
                SELECT DISTINCT w.customer_id FROM sales.opportunities w
                WHERE w.status = 'Won' AND w.closed_at >= {startsAt} AND w.closed_at < {endsAt}
            ),
            first_wins AS (
                -- Each customer's first win ever, over all owners: one probe of the won-by-customer index per customer.
                SELECT f.owner_id, f.closed_at
                FROM period_customers c
                CROSS JOIN LATERAL (
                    SELECT o.owner_id, o.closed_at FROM sales.opportunities o
                    WHERE o.status = 'Won' AND o.customer_id = c.customer_id
                    ORDER BY o.closed_at, o.id
                    LIMIT 1) f
            ),
            new_customers AS (
                SELECT f.owner_id, count(*)::int AS new_customers
                FROM first_wins f
                WHERE f.closed_at >= {startsAt} AND f.closed_at < {endsAt} AND f.owner_id IS NOT NULL
                  AND ({seesAll} OR f.owner_id = ANY({owners}::uuid[]))
                  AND ({allTeams} OR f.owner_id = ANY({members}::uuid[]))
                GROUP BY f.owner_id
            ),
            quotas AS (
                SELECT q.subject_id AS owner_id,
                       coalesce(max(round(q.amount_target * fx.factor, 2)) FILTER (WHERE q.period_kind = {kind}),
                                sum(round(q.amount_target * fx.factor, 2)) FILTER (WHERE q.period_kind = 'Quarter'),
                                sum(round(q.amount_target * fx.factor, 2)) FILTER (WHERE q.period_kind = 'Month')) AS amount_target,
                       coalesce(max(q.new_customers_target) FILTER (WHERE q.period_kind = {kind}),
                                sum(q.new_customers_target) FILTER (WHERE q.period_kind = 'Quarter'),
                                sum(q.new_customers_target) FILTER (WHERE q.period_kind = 'Month'))::int AS new_customers_target
                FROM sales.sales_quotas q
                JOIN sales.report_rates({currency}, {day}) fx ON fx.currency = q.currency
                WHERE q.subject_kind = 'User' AND q.period_start >= {start} AND q.period_end <= {end}
                  AND ({seesAll} OR q.subject_id = ANY({owners}::uuid[]))
                  AND ({allTeams} OR q.subject_id = ANY({members}::uuid[]))
                GROUP BY q.subject_id
            ),
            people AS (
                SELECT owner_id FROM won UNION SELECT owner_id FROM new_customers UNION SELECT owner_id FROM quotas
            ),
            figures AS (
                SELECT p.owner_id AS user_id, coalesce(w.won_count, 0) AS won_count, coalesce(w.won_amount, 0) AS won_amount,
                       coalesce(n.new_customers, 0) AS new_customers, q.amount_target, q.new_customers_target,
                       CASE WHEN q.amount_target > 0 THEN round(coalesce(w.won_amount, 0) / q.amount_target, 4) END AS attainment,
                       CASE WHEN q.new_customers_target > 0 THEN round(coalesce(n.new_customers, 0)::numeric / q.new_customers_target, 4) END AS new_customers_attainment
                FROM people p
                LEFT JOIN won w ON w.owner_id = p.owner_id
                LEFT JOIN new_customers n ON n.owner_id = p.owner_id
                LEFT JOIN quotas q ON q.owner_id = p.owner_id
            )
            SELECT dense_rank() OVER (ORDER BY attainment DESC NULLS LAST, won_amount DESC)::int AS rank, *
            FROM figures
            ORDER BY rank, user_id
            """;
    }
}

using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;

namespace Crm.Modules.Sales.Features.Funnel;

/// <summary>The parameters the forecast and performance reports share: currency, time zone and quota targets.</summary>
internal static class ReportParameters
{
    /// <summary>Open deals at or above this probability are committed (by default: negotiation and contract signed).</summary>
    public const int CommitProbability = 60;

    /// <summary>Open deals at or above this probability make the best case (by default: intent reached and later).</summary>
    public const int BestCaseProbability = 30;

    public const string DefaultTimeZone = "UTC";

    /// <summary>
    /// The report currency (default CNY). A CNY report converts deals and quotas in other currencies at the rate effective
    /// on the report day (<c>sales.report_rates</c>; a currency without one does not count); any other report counts only
    /// its own currency.
    /// </summary>
    public static string Currency(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return SalesQuota.DefaultCurrency;
        }

        var code = value.Trim();
        return code.Length == 3 && code.All(char.IsAsciiLetter)
            ? code.ToUpperInvariant()
            : throw ValidationFailedException.For("currency", "currency must be an ISO 4217 code such as CNY.");
    }

    /// <summary>The IANA time zone whose calendar days bound the periods (default UTC); won deals count by their close time in it.</summary>
    public static TimeZoneInfo Zone(string? value)
    {
        var id = string.IsNullOrWhiteSpace(value) ? DefaultTimeZone : value.Trim();
        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) && zone.HasIanaId
            ? zone
            : throw ValidationFailedException.For("timeZone", $"'{id}' is not an IANA time zone such as Asia/Shanghai.");
    }

    /// <summary>The UTC instant a calendar day starts in <paramref name="zone"/>.</summary>
    public static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    /// <summary>Today's date in <paramref name="zone"/>.</summary>
    public static DateOnly Today(TimeProvider time, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);
}

/// <summary>A user's or team's targets for one report period, resolved from their quotas.</summary>
internal sealed record QuotaTargetRow(DateOnly PeriodStart, Guid SubjectId, decimal? AmountTarget, int? NewCustomersTarget);

internal static class QuotaTargetsSql
{
    /// <summary>
    /// The targets of each subject for each period (bucket): its quota of the period's own kind; without one, the sum of
    /// its quarter quotas inside the period (a year), else the sum of its month quotas inside it. Targets are converted
    /// to the report currency at the rates effective on <paramref name="day"/> (see <see cref="ReportParameters.Currency"/>).
    /// </summary>
    public static FormattableString Build(
        SalesPeriodKind kind, DateOnly[] starts, DateOnly[] ends, QuotaSubjectKind subjectKind, string currency, DateOnly day,
        bool allSubjects, Guid[] subjects, bool allOfFilter, Guid[] filter)
    {
        var kindName = kind.ToString();
        var subjectKindName = subjectKind.ToString();
        return $"""
            WITH buckets AS (
                SELECT * FROM unnest({starts}::date[], {ends}::date[]) AS b(period_start, period_end)
            )
            SELECT b.period_start, q.subject_id,
                   coalesce(max(round(q.amount_target * fx.factor, 2)) FILTER (WHERE q.period_kind = {kindName}),
                            sum(round(q.amount_target * fx.factor, 2)) FILTER (WHERE q.period_kind = 'Quarter'),
                            sum(round(q.amount_target * fx.factor, 2)) FILTER (WHERE q.period_kind = 'Month')) AS amount_target,
                   coalesce(max(q.new_customers_target) FILTER (WHERE q.period_kind = {kindName}),
                            sum(q.new_customers_target) FILTER (WHERE q.period_kind = 'Quarter'),
                            sum(q.new_customers_target) FILTER (WHERE q.period_kind = 'Month'))::int AS new_customers_target
            FROM buckets b
            JOIN sales.sales_quotas q ON q.period_start >= b.period_start AND q.period_end <= b.period_end
            JOIN sales.report_rates({currency}, {day}) fx ON fx.currency = q.currency
            WHERE q.subject_kind = {subjectKindName}
              AND ({allSubjects} OR q.subject_id = ANY({subjects}::uuid[]))
              AND ({allOfFilter} OR q.subject_id = ANY({filter}::uuid[]))
            GROUP BY b.period_start, q.subject_id
            """;
    }
}

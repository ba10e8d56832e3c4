using System.Globalization;
using System.Text.RegularExpressions;
using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>
/// A sales quota (销售定额): the amount to win and the new customers to sign for one user or one team in one calendar
/// period (a month, a quarter or a year). At most one per subject and period.
/// </summary>
[AuditEntityType("salesQuota")]
internal sealed class SalesQuota : IAuditable, IOwnedRecord
{
    public const string DefaultCurrency = "CNY";

    private SalesQuota()
    {
    }

    public Guid Id { get; private set; }

    public QuotaSubjectKind SubjectKind { get; private set; }

    /// <summary>The user or the team (ids of the Identity module, no foreign key across modules).</summary>
    public Guid SubjectId { get; private set; }

    /// <summary>The canonical period key: <c>2026</c>, <c>2026-Q4</c> or <c>2026-11</c>.</summary>
    public string Period { get; private set; } = string.Empty;

    public SalesPeriodKind PeriodKind { get; private set; }

    /// <summary>First day of the period.</summary>
    public DateOnly PeriodStart { get; private set; }

    /// <summary>The day after the period (exclusive end), so ranges compare with &lt; and reports need no date arithmetic.</summary>
    public DateOnly PeriodEnd { get; private set; }

    public decimal AmountTarget { get; private set; }

    public string Currency { get; private set; } = DefaultCurrency;

    public int NewCustomersTarget { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    /// <summary>A user quota belongs to its user in the audit trail; a team quota to nobody.</summary>
    Guid? IOwnedRecord.OwnerId => SubjectKind == QuotaSubjectKind.User ? SubjectId : null;

    public static SalesQuota Create(QuotaSubjectKind subjectKind, Guid subjectId, SalesPeriod period, decimal amountTarget, string currency, int newCustomersTarget, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            SubjectKind = subjectKind,
            SubjectId = subjectId,
            Period = period.Key,
            PeriodKind = period.Kind,
            PeriodStart = period.Start,
            PeriodEnd = period.End,
            AmountTarget = amountTarget,
            Currency = currency.ToUpperInvariant(),
            NewCustomersTarget = newCustomersTarget,
            CreatedAt = now,
            UpdatedAt = now,
        };

    /// <summary>Replaces the targets; the subject and the period are the quota's identity and do not change.</summary>
    public void SetTargets(decimal amountTarget, string currency, int newCustomersTarget, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amountTarget);
        ArgumentOutOfRangeException.ThrowIfNegative(newCustomersTarget);
        AmountTarget = amountTarget;
        Currency = currency.ToUpperInvariant();
        NewCustomersTarget = newCustomersTarget;
        UpdatedAt = now;
    }
}

/// <summary>Whom a quota is for.</summary>
internal enum QuotaSubjectKind
{
    User,
    Team,
}

/// <summary>The length of a calendar period.</summary>
internal enum SalesPeriodKind
{
    Month,
    Quarter,
    Year,
}

/// <summary>
/// A calendar period named by its key: <c>2026</c> (year), <c>2026-Q4</c> (quarter) or <c>2026-11</c> (month), with its
/// first day and the day after its last (<see cref="End"/>, exclusive).
/// </summary>
internal readonly partial record struct SalesPeriod(SalesPeriodKind Kind, int Year, int Number)
{
    public const int MinYear = 2000;
    public const int MaxYear = 2100;

    public string Key => Kind switch
    {
        SalesPeriodKind.Year => Year.ToString(CultureInfo.InvariantCulture),
        SalesPeriodKind.Quarter => string.Create(CultureInfo.InvariantCulture, $"{Year}-Q{Number}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Year}-{Number:D2}"),
    };

    public DateOnly Start => Kind switch
    {
        SalesPeriodKind.Year => new DateOnly(Year, 1, 1),
        SalesPeriodKind.Quarter => new DateOnly(Year, ((Number - 1) * 3) + 1, 1),
        _ => new DateOnly(Year, Number, 1),
    };

    public DateOnly End => Kind switch
    {
        SalesPeriodKind.Year => Start.AddYears(1),
        SalesPeriodKind.Quarter => Start.AddMonths(3),
        _ => Start.AddMonths(1),
    };

    /// <summary>The period of kind <paramref name="kind"/> that contains <paramref name="day"/>.</summary>
    public static SalesPeriod Containing(SalesPeriodKind kind, DateOnly day) => kind switch
    {
        SalesPeriodKind.Year => new SalesPeriod(kind, day.Year, 1),
        SalesPeriodKind.Quarter => new SalesPeriod(kind, day.Year, ((day.Month - 1) / 3) + 1),
        _ => new SalesPeriod(kind, day.Year, day.Month),
    };

    /// <summary>The period that follows this one.</summary>
    public SalesPeriod Next() => Containing(Kind, End);

    /// <summary>Parses a period key (case-insensitive <c>q</c>); false for anything else, including months 13+ and quarters 5+.</summary>
    public static bool TryParse(string? value, out SalesPeriod period)
    {
        period = default;
        var match = value is null ? Match.Empty : KeyPattern().Match(value.Trim());
        if (!match.Success)
        {
            return false;
        }

        var year = int.Parse(match.Groups["year"].ValueSpan, CultureInfo.InvariantCulture);
        if (year is < MinYear or > MaxYear)
        {
            return false;
        }

        if (match.Groups["quarter"].Success)
        {
            period = new SalesPeriod(SalesPeriodKind.Quarter, year, int.Parse(match.Groups["quarter"].ValueSpan, CultureInfo.InvariantCulture));
            return true;
        }

        if (match.Groups["month"].Success)
        {
            var month = int.Parse(match.Groups["month"].ValueSpan, CultureInfo.InvariantCulture);
            if (month is < 1 or > 12)
            {
                return false;
            }

            period = new SalesPeriod(SalesPeriodKind.Month, year, month);
            return true;
        }

        period = new SalesPeriod(SalesPeriodKind.Year, year, 1);
        return true;
    }

    [GeneratedRegex(@"^(?<year>\d{4})(?:-[Qq](?<quarter>[1-4])|-(?<month>\d{2}))?$", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();
}

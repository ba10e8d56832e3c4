using Crm.SharedKernel.Audit;

namespace Crm.Modules.Sales.Domain;

/// <summary>
/// An exchange rate (汇率): how many CNY one unit of a currency is worth from a day on. The rate effective on a day is the
/// latest one dated on or before it. CNY is the base currency and has no rows (its rate is always 1).
/// </summary>
[AuditEntityType("exchangeRate")]
internal sealed class ExchangeRate : IAuditable
{
    public const string BaseCurrency = "CNY";
    public const int MaxSourceLength = 100;

    private ExchangeRate()
    {
    }

    public Guid Id { get; private set; }

    /// <summary>ISO 4217 code, never CNY.</summary>
    public string Currency { get; private set; } = string.Empty;

    /// <summary>The day the rate is quoted for; it stays effective until the next dated rate of the currency.</summary>
    public DateOnly RateDate { get; private set; }

    /// <summary>CNY per 1 unit of the currency, more than 0, at most 6 decimals.</summary>
    public decimal Rate { get; private set; }

    /// <summary>Where it comes from (PBOC central parity, a bank, the ERP).</summary>
    public string? Source { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public uint Version { get; private set; }

    /// <summary>The CNY value of <paramref name="amount"/> at <paramref name="rate"/>, to the fen, half away from zero (as PostgreSQL rounds numeric).</summary>
    public static decimal ToCny(decimal amount, decimal rate) => Math.Round(amount * rate, 2, MidpointRounding.AwayFromZero);

    public static ExchangeRate Create(string currency, DateOnly rateDate, decimal rate, string? source, DateTimeOffset now) =>
        new()
        {
            Id = Guid.CreateVersion7(now),
            Currency = currency,
            RateDate = rateDate,
            Rate = rate,
            Source = Normalize(source),
            CreatedAt = now,
            UpdatedAt = now,
        };

    public void Replace(decimal rate, string? source, DateTimeOffset now)
    {
        Rate = rate;
        Source = Normalize(source);
        UpdatedAt = now;
    }

    private static string? Normalize(string? source) => string.IsNullOrWhiteSpace(source) ? null : source.Trim();
}

using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace Crm.Modules.Sales.Features.ExchangeRates;

/// <summary>
/// The rate effective on a day: the latest rate of the currency dated on or before it (CNY is always 1). Read on the
/// unique (currency, rate_date) index, one seek per currency and day.
/// </summary>
internal static class ExchangeRateLookup
{
    public static IQueryable<ExchangeRate> Effective(SalesDbContext db, string currency, DateOnly day) =>
        db.ExchangeRates.AsNoTracking().Where(r => r.Currency == currency && r.RateDate <= day).OrderByDescending(r => r.RateDate).Take(1);

    /// <summary>CNY per unit of <paramref name="currency"/> on <paramref name="day"/>, or 422 <c>exchange-rate-missing</c>.</summary>
    public static async Task<decimal> RateAsync(SalesDbContext db, string currency, DateOnly day, CancellationToken ct)
    {
        if (currency == ExchangeRate.BaseCurrency)
        {
            return 1m;
        }

        return await Effective(db, currency, day).Select(r => (decimal?)r.Rate).SingleOrDefaultAsync(ct) ?? throw ExchangeRateProblems.Missing(currency, day);
    }

    /// <summary>
    /// The effective rates of many (currency, day) pairs in one statement (an import chunk); a pair without a rate is
    /// left out, CNY pairs are 1 without a query.
    /// </summary>
    public static async Task<Dictionary<(string Currency, DateOnly Day), decimal>> RatesAsync(
        NpgsqlConnection connection, IEnumerable<(string Currency, DateOnly Day)> wanted, CancellationToken ct)
    {
        var pairs = wanted.Distinct().ToList();
        var rates = pairs.Where(p => p.Currency == ExchangeRate.BaseCurrency).ToDictionary(p => p, _ => 1m);
        var foreign = pairs.Where(p => p.Currency != ExchangeRate.BaseCurrency).ToList();
        if (foreign.Count == 0)
        {
            return rates;
        }

        await using var command = new NpgsqlCommand(
            """
            SELECT w.currency, w.day, r.rate
            FROM unnest(@currencies, @days) AS w(currency, day)
            CROSS JOIN LATERAL (
                SELECT rate FROM sales.exchange_rates
                WHERE currency = w.currency AND rate_date <= w.day
                ORDER BY rate_date DESC
                LIMIT 1) r
            """, connection);
        command.Parameters.Add(new NpgsqlParameter("currencies", NpgsqlDbType.Array | NpgsqlDbType.Varchar) { Value = foreign.Select(p => p.Currency).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("days", NpgsqlDbType.Array | NpgsqlDbType.Date) { Value = foreign.Select(p => p.Day).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rates[(reader.GetString(0), reader.GetFieldValue<DateOnly>(1))] = reader.GetDecimal(2);
        }

        return rates;
    }
}

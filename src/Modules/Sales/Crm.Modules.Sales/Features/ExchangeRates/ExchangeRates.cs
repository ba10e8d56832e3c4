using System.Text.Json.Serialization;
using Crm.Modules.Sales.Data;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Time;
using FluentValidation;
using MediatR;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Sales.Features.ExchangeRates;

/// <summary>An exchange rate (汇率) of a currency against CNY, dated.</summary>
/// <param name="Id">Rate id.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="RateDate">The day it is quoted for; it is effective from that day until the next dated rate of the currency.</param>
/// <param name="Rate">CNY per 1 unit of the currency.</param>
/// <param name="Source">Where it comes from.</param>
/// <param name="CreatedAt">When it was first stored.</param>
/// <param name="UpdatedAt">When it was last replaced.</param>
internal sealed record ExchangeRateResponse(Guid Id, string Currency, DateOnly RateDate, decimal Rate, string? Source, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

internal sealed record VersionedExchangeRate(ExchangeRateResponse Rate, uint Version, bool Created = false);

/// <summary>The rate a currency has on a day.</summary>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="On">The day asked about.</param>
/// <param name="Rate">CNY per 1 unit of the currency (1 for CNY).</param>
/// <param name="RateDate">The date of the rate that is effective: the latest on or before the day; null for CNY.</param>
/// <param name="Source">Where that rate comes from; null for CNY.</param>
internal sealed record EffectiveExchangeRateResponse(string Currency, DateOnly On, decimal Rate, DateOnly? RateDate, string? Source);

internal static class ExchangeRateProjection
{
    public static readonly System.Linq.Expressions.Expression<Func<ExchangeRate, ExchangeRateResponse>> ToResponse = r =>
        new ExchangeRateResponse(r.Id, r.Currency, r.RateDate, r.Rate, r.Source, r.CreatedAt, r.UpdatedAt);

    /// <summary>Newest day first by default.</summary>
    public static readonly SortDefinition<ExchangeRate, ExchangeRateResponse> Sort =
        new SortDefinition<ExchangeRate, ExchangeRateResponse>(r => r.Id, r => r.Id, "-rateDate")
            .Add("rateDate", r => r.RateDate, r => r.RateDate);

    private static readonly Func<ExchangeRate, ExchangeRateResponse> Compiled = ToResponse.Compile();

    public static VersionedExchangeRate Versioned(ExchangeRate rate, bool created = false) => new(Compiled(rate), rate.Version, created);
}

internal static class ExchangeRateProblems
{
    public const string MissingType = ProblemTypes.BaseUri + "exchange-rate-missing";
    public const string CurrencyPattern = "^[A-Z]{3}$";

    /// <summary>No rate of <paramref name="currency"/> is dated on or before <paramref name="day"/>: 422 when a write needs it, 404 when it was asked for.</summary>
    public static ProblemException Missing(string currency, DateOnly day, int status = 422)
    {
        var problem = new ProblemException(status, MissingType, "Exchange rate missing",
            $"There is no {currency} exchange rate effective on {day:yyyy-MM-dd} (none dated on or before it); "
            + $"add one with PUT /api/v1/sales/exchange-rates/{currency}/{{date}}.");
        problem.Extensions["currency"] = currency;
        problem.Extensions["date"] = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        return problem;
    }

    /// <summary>An upper-cased ISO 4217 code from a path or query, or 400 naming <paramref name="field"/>.</summary>
    public static string Currency(string? value, string field)
    {
        var code = value?.Trim().ToUpperInvariant();
        return code is not null && System.Text.RegularExpressions.Regex.IsMatch(code, CurrencyPattern)
            ? code
            : throw ValidationFailedException.For(field, $"{field} must be an ISO 4217 code such as USD.");
    }

    public static NotFoundException NotFound(string currency, DateOnly day) =>
        new("Exchange rate", $"{currency}/{day:yyyy-MM-dd}");
}

/// <summary>Create or replace the rate of a currency for a day.</summary>
/// <param name="Rate">CNY per 1 unit of the currency (required, more than 0, at most 6 decimals).</param>
/// <param name="Source">Where it comes from, e.g. PBOC central parity (required, at most 100 characters).</param>
internal sealed record PutExchangeRateRequest(decimal? Rate, string? Source) : IRequest<VersionedExchangeRate>
{
    [JsonIgnore]
    public string Currency { get; init; } = string.Empty;

    [JsonIgnore]
    public DateOnly RateDate { get; init; }

    [JsonIgnore]
    public IfMatch IfMatch { get; init; } = IfMatch.None;
}

internal sealed class PutExchangeRateValidator : AbstractValidator<PutExchangeRateRequest>
{
    public PutExchangeRateValidator()
    {
        RuleFor(r => r.Currency).Matches(ExchangeRateProblems.CurrencyPattern).WithMessage("currency must be an ISO 4217 code such as USD.")
            .NotEqual(ExchangeRate.BaseCurrency).WithMessage("CNY is the base currency: its rate is always 1.").OverridePropertyName("currency");
        RuleFor(r => r.Rate).NotNull().GreaterThan(0).PrecisionScale(18, 6, ignoreTrailingZeros: true);
        RuleFor(r => r.Source).NotEmpty().MaximumLength(ExchangeRate.MaxSourceLength);
    }
}

internal sealed class PutExchangeRateHandler(SalesDbContext db, TimeProvider time) : IRequestHandler<PutExchangeRateRequest, VersionedExchangeRate>
{
    public async Task<VersionedExchangeRate> Handle(PutExchangeRateRequest request, CancellationToken cancellationToken)
    {
        var now = time.UtcNow();
        var rate = await db.ExchangeRates.SingleOrDefaultAsync(r => r.Currency == request.Currency && r.RateDate == request.RateDate, cancellationToken);
        if (rate is null)
        {
            // If-Match names a representation the caller has seen; there is none yet.
            if (request.IfMatch.IsPresent)
            {
                throw new PreconditionFailedException($"There is no {request.Currency} rate dated {request.RateDate:yyyy-MM-dd} yet; send the first one without If-Match.");
            }

            rate = ExchangeRate.Create(request.Currency, request.RateDate, request.Rate!.Value, request.Source, now);
            db.ExchangeRates.Add(rate);
        }
        else
        {
            request.IfMatch.EnsureMatches(rate.Version);
            rate.Replace(request.Rate!.Value, request.Source, now);
        }

        var created = db.Entry(rate).State == EntityState.Added;
        await db.SaveChangesOrConflictAsync(
            _ => new ConflictException(ProblemTypes.Conflict, "Exchange rate written concurrently",
                $"Another request stored the {request.Currency} rate of {request.RateDate:yyyy-MM-dd} at the same time; fetch it and retry with its ETag."),
            cancellationToken);
        return ExchangeRateProjection.Versioned(rate, created);
    }
}

internal sealed record GetExchangeRateRequest(string Currency, DateOnly RateDate) : IRequest<VersionedExchangeRate>;

internal sealed class GetExchangeRateHandler(SalesDbContext db) : IRequestHandler<GetExchangeRateRequest, VersionedExchangeRate>
{
    public async Task<VersionedExchangeRate> Handle(GetExchangeRateRequest request, CancellationToken cancellationToken) =>
        ExchangeRateProjection.Versioned(
            await db.ExchangeRates.AsNoTracking().SingleOrDefaultAsync(r => r.Currency == request.Currency && r.RateDate == request.RateDate, cancellationToken)
            ?? throw ExchangeRateProblems.NotFound(request.Currency, request.RateDate));
}

internal sealed record DeleteExchangeRateRequest(string Currency, DateOnly RateDate, IfMatch IfMatch) : IRequest<Unit>;

internal sealed class DeleteExchangeRateHandler(SalesDbContext db) : IRequestHandler<DeleteExchangeRateRequest, Unit>
{
    public async Task<Unit> Handle(DeleteExchangeRateRequest request, CancellationToken cancellationToken)
    {
        var rate = await db.ExchangeRates.SingleOrDefaultAsync(r => r.Currency == request.Currency && r.RateDate == request.RateDate, cancellationToken)
            ?? throw ExchangeRateProblems.NotFound(request.Currency, request.RateDate);
        request.IfMatch.EnsureMatches(rate.Version);
        db.ExchangeRates.Remove(rate);
        await db.SaveChangesAsync(cancellationToken);
        return Unit.Value;
    }
}

/// <summary>Filters of the rate list.</summary>
/// <param name="Currency">Only this currency.</param>
/// <param name="From">Rates dated on or after this day.</param>
/// <param name="To">Rates dated on or before this day.</param>
internal sealed record ExchangeRateFilter(string? Currency, DateOnly? From, DateOnly? To);

internal sealed record ListExchangeRatesRequest(PageRequest Page, string? Sort, ExchangeRateFilter Filter) : IRequest<Page<ExchangeRateResponse>>;

internal sealed class ListExchangeRatesHandler(SalesDbContext db) : IRequestHandler<ListExchangeRatesRequest, Page<ExchangeRateResponse>>
{
    public async Task<Page<ExchangeRateResponse>> Handle(ListExchangeRatesRequest request, CancellationToken cancellationToken)
    {
        var order = ExchangeRateProjection.Sort.Parse(request.Sort);
        var rates = db.ExchangeRates.AsNoTracking();
        var filter = request.Filter;
        if (filter.From is { } from && filter.To is { } to && to < from)
        {
            throw ValidationFailedException.For("to", "to cannot be before from.");
        }

        if (filter.Currency is not null)
        {
            var currency = ExchangeRateProblems.Currency(filter.Currency, "currency");
            rates = rates.Where(r => r.Currency == currency);
        }

        if (filter.From is { } fromDay)
        {
            rates = rates.Where(r => r.RateDate >= fromDay);
        }

        if (filter.To is { } toDay)
        {
            rates = rates.Where(r => r.RateDate <= toDay);
        }

        return await rates.ToPageAsync(ExchangeRateProjection.ToResponse, order, request.Page, cancellationToken);
    }
}

internal sealed record GetEffectiveExchangeRateRequest(string Currency, DateOnly On) : IRequest<EffectiveExchangeRateResponse>;

internal sealed class GetEffectiveExchangeRateHandler(SalesDbContext db) : IRequestHandler<GetEffectiveExchangeRateRequest, EffectiveExchangeRateResponse>
{
    public async Task<EffectiveExchangeRateResponse> Handle(GetEffectiveExchangeRateRequest request, CancellationToken cancellationToken)
    {
        if (request.Currency == ExchangeRate.BaseCurrency)
        {
            return new EffectiveExchangeRateResponse(request.Currency, request.On, 1m, null, null);
        }

        var rate = await ExchangeRateLookup.Effective(db, request.Currency, request.On).SingleOrDefaultAsync(cancellationToken)
            ?? throw ExchangeRateProblems.Missing(request.Currency, request.On, 404);
        return new EffectiveExchangeRateResponse(request.Currency, request.On, rate.Rate, rate.RateDate, rate.Source);
    }
}

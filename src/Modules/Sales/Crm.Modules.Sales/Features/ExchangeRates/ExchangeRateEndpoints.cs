using System.Globalization;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Errors;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.ExchangeRates;

/// <summary>Query string of <c>GET /api/v1/sales/exchange-rates</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">rateDate; prefix - for descending (default -rateDate).</param>
/// <param name="IncludeTotal">Also count all matching rates.</param>
/// <param name="Currency">Only this currency (ISO 4217).</param>
/// <param name="From">Rates dated on or after this day.</param>
/// <param name="To">Rates dated on or before this day.</param>
internal sealed record ListExchangeRatesQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, string? Currency, DateOnly? From, DateOnly? To);

internal static class ExchangeRateEndpoints
{
    public static void MapExchangeRateEndpoints(this IEndpointRouteBuilder api)
    {
        var rates = api.MapGroup("/sales/exchange-rates").WithTags("Exchange rates");

        rates.MapGet("/", async Task<Ok<Page<ExchangeRateResponse>>> ([AsParameters] ListExchangeRatesQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                return TypedResults.Ok(await mediator.Send(new ListExchangeRatesRequest(page, query.Sort, new ExchangeRateFilter(query.Currency, query.From, query.To)), ct));
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListExchangeRates")
            .WithSummary("List exchange rates against CNY (keyset pages, newest day first; filters currency, from, to)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        rates.MapGet("/{currency}/effective", async Task<Ok<EffectiveExchangeRateResponse>> (string currency, DateOnly? on, IMediator mediator, TimeProvider time, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(
                    new GetEffectiveExchangeRateRequest(ExchangeRateProblems.Currency(currency, "currency"), on ?? DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("GetEffectiveExchangeRate")
            .WithSummary("The rate effective on a day (default today): the latest rate dated on or before it; CNY is 1; 404 exchange-rate-missing when there is none")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        rates.MapGet("/{currency}/{date}", async Task<Ok<ExchangeRateResponse>> (string currency, string date, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var found = await mediator.Send(new GetExchangeRateRequest(ExchangeRateProblems.Currency(currency, "currency"), Day(date)), ct);
                return response.OkWithETag(found.Rate, found.Version);
            })
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetExchangeRate")
            .WithSummary("Get the rate of a currency dated exactly that day, with its ETag")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        rates.MapPut("/{currency}/{date}", async Task<Results<Created<ExchangeRateResponse>, Ok<ExchangeRateResponse>>> (
                string currency, string date, PutExchangeRateRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var stored = await mediator.Send(
                    request with { Currency = currency.Trim().ToUpperInvariant(), RateDate = Day(date), IfMatch = IfMatch.From(http) }, ct);
                var response = http.HttpContext.Response;
                return stored.Created
                    ? response.CreatedWithETag($"/api/v1/sales/exchange-rates/{stored.Rate.Currency}/{stored.Rate.RateDate:yyyy-MM-dd}", stored.Rate, stored.Version)
                    : response.OkWithETag(stored.Rate, stored.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("PutExchangeRate")
            .WithSummary("Create (201) or replace (200) the rate of a currency for a day: CNY per 1 unit (managers and administrators; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        rates.MapDelete("/{currency}/{date}", async Task<NoContent> (string currency, string date, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                // sales:manage is held by managers too; removing a rate that booked amounts may rest on is an administrator's call.
                if (!http.HttpContext.User.IsInRole(Roles.Admin))
                {
                    throw new ProblemException(403, ProblemTypes.Forbidden, "Forbidden", "Only administrators delete exchange rates.");
                }

                await mediator.Send(new DeleteExchangeRateRequest(ExchangeRateProblems.Currency(currency, "currency"), Day(date), IfMatch.From(http)), ct);
                return TypedResults.NoContent();
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .WithName("DeleteExchangeRate")
            .WithSummary("Delete the rate of a currency for a day (administrators; honours If-Match); amounts already converted keep their rate")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed);
    }

    /// <summary>The path's day as yyyy-MM-dd, or 400.</summary>
    private static DateOnly Day(string date) =>
        DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : throw ValidationFailedException.For("date", "date must be a day such as 2026-11-23 (yyyy-MM-dd).");
}

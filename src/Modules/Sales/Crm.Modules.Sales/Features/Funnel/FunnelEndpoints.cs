using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.Funnel;

internal static class FunnelEndpoints
{
    public static void MapFunnelEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/sales/funnel", async Task<Ok<FunnelResponse>> ([AsParameters] FunnelQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetFunnelRequest(query), ct)))
            .WithTags("Sales funnel")
            .RequirePermission(Permissions.SalesRead)
            .WithName("GetSalesFunnel")
            .WithSummary("The sales funnel of a pipeline over the opportunities the caller may see")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        api.MapGet("/sales/forecast", async Task<Ok<ForecastResponse>> ([AsParameters] ForecastQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetForecastRequest(query), ct)))
            .WithTags("Sales funnel")
            .RequirePermission(Permissions.SalesRead)
            .WithName("GetSalesForecast")
            .WithSummary("The sales forecast per period and owner or team: pipeline by expected close date, weighted, commit, best case, won, quota and attainment")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        api.MapGet("/sales/performance", async Task<Ok<PerformanceResponse>> ([AsParameters] PerformanceQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetPerformanceRequest(query), ct)))
            .WithTags("Sales funnel")
            .RequirePermission(Permissions.SalesRead)
            .WithName("GetSalesPerformance")
            .WithSummary("Sales performance of a period: each user's won amount and new customers against their quota, ranked")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
    }
}

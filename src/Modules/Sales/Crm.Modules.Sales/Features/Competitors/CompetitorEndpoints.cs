using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.Competitors;

/// <summary>Query string of <c>GET /api/v1/sales/competitors</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">name or createdAt; prefix - for descending (default name).</param>
/// <param name="IncludeTotal">Also count all matching competitors.</param>
/// <param name="Q">Part of the name (case-insensitive, taken literally).</param>
internal sealed record ListCompetitorsQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, string? Q);

internal static class CompetitorEndpoints
{
    public static void MapCompetitorEndpoints(this IEndpointRouteBuilder api)
    {
        var competitors = api.MapGroup("/sales/competitors").WithTags("Competitors");

        competitors.MapGet("/", async Task<Ok<Page<CompetitorResponse>>> ([AsParameters] ListCompetitorsQuery query, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListCompetitorsRequest(new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false), query.Sort, query.Q), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListCompetitors")
            .WithSummary("List competitors (keyset pages, q on the name)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        competitors.MapGet("/{id:guid}", async Task<Ok<CompetitorResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var found = await mediator.Send(new GetCompetitorRequest(id), ct);
                return response.OkWithETag(found.Competitor, found.Version);
            })
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetCompetitor")
            .WithSummary("Get a competitor")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        competitors.MapGet("/{id:guid}/stats", async Task<Ok<CompetitorStatsResponse>> (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetCompetitorStatsRequest(id), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("GetCompetitorStats")
            .WithSummary("Open, won and lost opportunities against a competitor, win rate and amounts (over the opportunities the caller may see)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        competitors.MapPost("/", async Task<Created<CompetitorResponse>> (CompetitorRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/competitors/{created.Competitor.Id}", created.Competitor, created.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .ReturnsETag()
            .WithName("CreateCompetitor")
            .WithSummary("Create a competitor (managers and administrators; honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict);

        competitors.MapPut("/{id:guid}", async Task<Ok<CompetitorResponse>> (Guid id, CompetitorRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var updated = await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct);
                return http.HttpContext.Response.OkWithETag(updated.Competitor, updated.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ReplaceCompetitor")
            .WithSummary("Replace a competitor's details (managers and administrators; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        competitors.MapDelete("/{id:guid}", async Task<NoContent> (Guid id, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                await mediator.Send(new DeleteCompetitorRequest(id, IfMatch.From(http)), ct);
                return TypedResults.NoContent();
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .WithName("DeleteCompetitor")
            .WithSummary("Delete a competitor no opportunity refers to (managers and administrators; honours If-Match)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed);

        var links = api.MapGroup("/sales/opportunities/{opportunityId:guid}/competitors").WithTags("Opportunities");

        links.MapGet("/", async Task<Ok<IReadOnlyList<CompetitorResponse>>> (Guid opportunityId, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new ListOpportunityCompetitorsRequest(opportunityId), ct)))
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListOpportunityCompetitors")
            .WithSummary("The competitors an opportunity runs against")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        links.MapPut("/{competitorId:guid}", async Task<NoContent> (Guid opportunityId, Guid competitorId, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new LinkOpportunityCompetitorRequest(opportunityId, competitorId), ct);
                return TypedResults.NoContent();
            })
            .RequirePermission(Permissions.SalesWrite)
            .WithName("LinkOpportunityCompetitor")
            .WithSummary("Record that an open opportunity runs against a competitor (idempotent)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

        links.MapDelete("/{competitorId:guid}", async Task<NoContent> (Guid opportunityId, Guid competitorId, IMediator mediator, CancellationToken ct) =>
            {
                await mediator.Send(new UnlinkOpportunityCompetitorRequest(opportunityId, competitorId), ct);
                return TypedResults.NoContent();
            })
            .RequirePermission(Permissions.SalesWrite)
            .WithName("UnlinkOpportunityCompetitor")
            .WithSummary("Remove a competitor from an open opportunity")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
    }
}

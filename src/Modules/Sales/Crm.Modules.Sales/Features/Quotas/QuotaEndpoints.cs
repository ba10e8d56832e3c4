using Crm.Modules.Identity.Contracts;
using Crm.Modules.Sales.Domain;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Sales.Features.Quotas;

/// <summary>Query string of <c>GET /api/v1/sales/quotas</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">periodStart or createdAt; prefix - for descending (default periodStart).</param>
/// <param name="IncludeTotal">Also count all matching quotas.</param>
/// <param name="UserId">Only this user's quotas.</param>
/// <param name="TeamId">Only this team's quotas.</param>
/// <param name="SubjectKind">user or team.</param>
/// <param name="Period">One period key: 2026, 2026-Q4 or 2026-11.</param>
/// <param name="PeriodKind">month, quarter or year.</param>
/// <param name="Year">Only periods of this year.</param>
internal sealed record ListSalesQuotasQuery(
    int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, Guid? UserId, Guid? TeamId, string? SubjectKind, string? Period, string? PeriodKind, int? Year);

internal static class QuotaEndpoints
{
    public static void MapQuotaEndpoints(this IEndpointRouteBuilder api)
    {
        var quotas = api.MapGroup("/sales/quotas").WithTags("Sales quotas");

        quotas.MapGet("/", async Task<Ok<Page<SalesQuotaResponse>>> ([AsParameters] ListSalesQuotasQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                var filter = new SalesQuotaFilter(
                    query.UserId, query.TeamId, QueryEnum.Parse<QuotaSubjectKind>(query.SubjectKind, "subjectKind"), query.Period,
                    QueryEnum.Parse<SalesPeriodKind>(query.PeriodKind, "periodKind"), query.Year);
                return TypedResults.Ok(await mediator.Send(new ListSalesQuotasRequest(page, query.Sort, filter), ct));
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListSalesQuotas")
            .WithSummary("List the quotas the caller may see (keyset pages, filters): reps their own and their team's, managers their subtree's")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        quotas.MapGet("/{id:guid}", async Task<Ok<SalesQuotaResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var found = await mediator.Send(new GetSalesQuotaRequest(id), ct);
                return response.OkWithETag(found.Quota, found.Version);
            })
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetSalesQuota")
            .WithSummary("Get a quota with its ETag")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        quotas.MapPost("/", async Task<Created<SalesQuotaResponse>> (CreateSalesQuotaRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/quotas/{created.Quota.Id}", created.Quota, created.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .ReturnsETag()
            .WithName("CreateSalesQuota")
            .WithSummary("Set a user's or a team's quota for a period (one per subject and period: 409; managers and administrators; honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);

        quotas.MapPatch("/{id:guid}", async Task<Ok<SalesQuotaResponse>> (Guid id, UpdateSalesQuotaRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var updated = await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct);
                return http.HttpContext.Response.OkWithETag(updated.Quota, updated.Version);
            })
            .Accepts<UpdateSalesQuotaRequest>("application/merge-patch+json", "application/json")
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("UpdateSalesQuota")
            .WithSummary("Change a quota's targets (JSON merge patch; managers and administrators; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed);

        quotas.MapDelete("/{id:guid}", async Task<NoContent> (Guid id, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                await mediator.Send(new DeleteSalesQuotaRequest(id, IfMatch.From(http)), ct);
                return TypedResults.NoContent();
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .WithName("DeleteSalesQuota")
            .WithSummary("Delete a quota (managers and administrators; honours If-Match)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status412PreconditionFailed);
    }
}

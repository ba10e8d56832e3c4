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

namespace Crm.Modules.Sales.Features.Partners;

/// <summary>Query string of <c>GET /api/v1/sales/partners</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">name or createdAt; prefix - for descending (default name).</param>
/// <param name="IncludeTotal">Also count all matching partners.</param>
/// <param name="Q">Part of the name.</param>
/// <param name="Kind">agent, distributor or partner.</param>
/// <param name="Province">Only this province.</param>
/// <param name="Active">Only active (true) or inactive (false) partners.</param>
internal sealed record ListPartnersQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, string? Q, string? Kind, string? Province, bool? Active);

internal static class PartnerEndpoints
{
    public static void MapPartnerEndpoints(this IEndpointRouteBuilder api)
    {
        var partners = api.MapGroup("/sales/partners").WithTags("Partners");

        partners.MapGet("/", async Task<Ok<Page<PartnerResponse>>> ([AsParameters] ListPartnersQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                var kind = QueryEnum.Parse<PartnerKind>(query.Kind, "kind");
                return TypedResults.Ok(await mediator.Send(new ListPartnersRequest(page, query.Sort, query.Q, kind, query.Province, query.Active), ct));
            })
            .RequirePermission(Permissions.SalesRead)
            .WithName("ListPartners")
            .WithSummary("List partners (keyset pages, filters)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden);

        partners.MapGet("/{id:guid}", async Task<Ok<PartnerResponse>> (Guid id, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var found = await mediator.Send(new GetPartnerRequest(id), ct);
                return response.OkWithETag(found.Partner, found.Version);
            })
            .RequirePermission(Permissions.SalesRead)
            .ReturnsETag()
            .WithName("GetPartner")
            .WithSummary("Get a partner")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        partners.MapPost("/", async Task<Created<PartnerResponse>> (PartnerRequest request, IMediator mediator, HttpResponse response, CancellationToken ct) =>
            {
                var created = await mediator.Send(request, ct);
                return response.CreatedWithETag($"/api/v1/sales/partners/{created.Partner.Id}", created.Partner, created.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .ReturnsETag()
            .WithName("CreatePartner")
            .WithSummary("Create a partner (managers and administrators; honours Idempotency-Key)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);

        partners.MapPut("/{id:guid}", async Task<Ok<PartnerResponse>> (Guid id, PartnerRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var updated = await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http) }, ct);
                return http.HttpContext.Response.OkWithETag(updated.Partner, updated.Version);
            })
            .RequirePermission(Permissions.SalesManage)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("ReplacePartner")
            .WithSummary("Replace a partner's settings; active false retires it (managers and administrators; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);
    }
}

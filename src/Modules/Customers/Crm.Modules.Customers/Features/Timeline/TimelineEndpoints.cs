using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Customers.Features.Timeline;

/// <summary>Query string of <c>GET /api/v1/customers/{id}/timeline</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">occurredAt; prefix - for descending (default -occurredAt, newest first).</param>
/// <param name="IncludeTotal">Also count all matching entries.</param>
/// <param name="Kind">Only entries of this kind (created, ownership, status, stage, keyAccount, credit, balance, followUp, merge, order, ...).</param>
/// <param name="From">Entries that occurred at or after this instant (ISO 8601).</param>
/// <param name="To">Entries that occurred before this instant (ISO 8601).</param>
internal sealed record ListTimelineQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, string? Kind, DateTimeOffset? From, DateTimeOffset? To);

internal static class TimelineEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGroup("/customers").WithTags("Customers")
            .MapGet("/{id:guid}/timeline", async Task<Ok<Page<TimelineEntryResponse>>> (Guid id, [AsParameters] ListTimelineQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                return TypedResults.Ok(await mediator.Send(new ListTimelineRequest(id, page, query.Sort, query.Kind, query.From, query.To), ct));
            })
            .RequirePermission(Permissions.CustomersRead)
            .WithName("GetCustomerTimeline")
            .WithSummary("The customer's 360° timeline: follow-ups, ownership, status and stage changes and other modules' events, newest first (keyset pages)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
    }
}

using Crm.Modules.Customers.Domain;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Customers.Features.FollowUps;

/// <summary>Query string of <c>GET /api/v1/customers/{customerId}/follow-ups</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">occurredAt; prefix - for descending (default -occurredAt, newest first).</param>
/// <param name="IncludeTotal">Also count all matching follow-ups.</param>
/// <param name="ContactId">Only follow-ups with this contact.</param>
/// <param name="Kind">note, visit, call or email.</param>
internal sealed record ListFollowUpsQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, Guid? ContactId, string? Kind);

internal static class FollowUpEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var followUps = api.MapGroup("/customers/{customerId:guid}/follow-ups").WithTags("Follow-ups");

        followUps.MapPost("/", async Task<Created<FollowUpResponse>> (Guid customerId, CreateFollowUpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var created = await mediator.Send(request with { CustomerId = customerId }, ct);
                return TypedResults.Created($"/api/v1/customers/{customerId}/follow-ups", created);
            })
            .RequirePermission(Permissions.CustomersWrite)
            .WithName("CreateFollowUp")
            .WithSummary("Log a follow-up (note, visit, call, email) of a customer; updates its lastFollowUpAt and nextFollowUpAt")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);

        followUps.MapGet("/", async Task<Ok<Page<FollowUpResponse>>> (Guid customerId, [AsParameters] ListFollowUpsQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                var kind = QueryEnum.Parse<FollowUpKind>(query.Kind, "kind");
                return TypedResults.Ok(await mediator.Send(new ListFollowUpsRequest(customerId, page, query.Sort, query.ContactId, kind), ct));
            })
            .RequirePermission(Permissions.CustomersRead)
            .WithName("ListFollowUps")
            .WithSummary("List a customer's follow-ups, newest first (keyset pages)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
    }
}

using Crm.Modules.Customers.Data;
using Crm.Modules.Customers.Domain;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Crm.Modules.Customers.Features.Actions;

/// <summary>One change of a customer's status, lifecycle stage, key-account flags or credit.</summary>
/// <param name="Id">Entry id.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="Field">status, lifecycleStage, isKeyAccount, isPotentialKeyAccount, creditLimit or creditRating.</param>
/// <param name="From">The value before, in its API spelling (null: none).</param>
/// <param name="To">The value after (null: cleared).</param>
/// <param name="Reason">Why (null for a lifecycle stage changed by PATCH).</param>
/// <param name="ActorId">The user or API key that made the change.</param>
/// <param name="At">When.</param>
internal sealed record CustomerHistoryResponse(Guid Id, Guid CustomerId, CustomerHistoryField Field, string? From, string? To, string? Reason, Guid? ActorId, DateTimeOffset At);

/// <summary>Query string of <c>GET /api/v1/customers/{id}/history</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">at; prefix - for descending (default -at, newest first).</param>
/// <param name="IncludeTotal">Also count all matching entries.</param>
/// <param name="Field">Only changes of this field: status, lifecycleStage, isKeyAccount, isPotentialKeyAccount, creditLimit or creditRating.</param>
internal sealed record ListCustomerHistoryQuery(int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, string? Field);

internal sealed record ListCustomerHistoryRequest(Guid CustomerId, PageRequest Page, string? Sort, CustomerHistoryField? Field) : IRequest<Page<CustomerHistoryResponse>>;

internal sealed class ListCustomerHistoryHandler(CustomersDbContext db, IAccessScopeProvider access) : IRequestHandler<ListCustomerHistoryRequest, Page<CustomerHistoryResponse>>
{
    private static readonly SortDefinition<CustomerHistoryEntry, CustomerHistoryResponse> Sort =
        new SortDefinition<CustomerHistoryEntry, CustomerHistoryResponse>(e => e.Id, e => e.Id, "-at").Add("at", e => e.At, e => e.At);

    public async Task<Page<CustomerHistoryResponse>> Handle(ListCustomerHistoryRequest request, CancellationToken cancellationToken)
    {
        var order = Sort.Parse(request.Sort);
        await CustomerAccess.FindVisibleReadOnlyAsync(db, access, request.CustomerId, cancellationToken, includePool: true);
        var entries = db.CustomerHistory.AsNoTracking().Where(e => e.CustomerId == request.CustomerId);
        if (request.Field is { } field)
        {
            entries = entries.Where(e => e.Field == field);
        }

        return await entries.ToPageAsync(
            e => new CustomerHistoryResponse(e.Id, e.CustomerId, e.Field, e.FromValue, e.ToValue, e.Reason, e.ActorId, e.At), order, request.Page, cancellationToken);
    }
}

internal static class CustomerHistoryEndpoints
{
    public static void Map(IEndpointRouteBuilder api) =>
        api.MapGroup("/customers").WithTags("Customers")
            .MapGet("/{id:guid}/history", async Task<Ok<Page<CustomerHistoryResponse>>> (Guid id, [AsParameters] ListCustomerHistoryQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                var field = QueryEnum.Parse<CustomerHistoryField>(query.Field, "field");
                return TypedResults.Ok(await mediator.Send(new ListCustomerHistoryRequest(id, page, query.Sort, field), ct));
            })
            .RequirePermission(Permissions.CustomersRead)
            .WithName("GetCustomerHistory")
            .WithSummary("The customer's status, lifecycle stage, key-account and credit changes, newest first (keyset pages; field filter)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
}

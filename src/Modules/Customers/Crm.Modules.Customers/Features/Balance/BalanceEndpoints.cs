using Crm.Modules.Customers.Features.Actions;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Paging;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Customers.Features.Balance;

/// <summary>Query string of <c>GET /api/v1/customers/{id}/balance-ledger</c>.</summary>
/// <param name="Limit">Page size, 1 to 500 (default 50).</param>
/// <param name="Cursor">The nextCursor of the previous page.</param>
/// <param name="Sort">appliedAt; prefix - for descending (default -appliedAt, newest first).</param>
/// <param name="IncludeTotal">Also count all matching entries.</param>
/// <param name="Kind">Only entries of this kind: contractSigned, paymentReceived, paymentReversed, contractTerminated, exchangeDifference, manualAdjustment, mergedOut, mergedIn or opening.</param>
/// <param name="From">Entries applied at or after this instant (ISO 8601).</param>
/// <param name="To">Entries applied before this instant (ISO 8601).</param>
/// <param name="ContractId">Only the entries of this contract: its signing, receipts, reversals, termination and exchange differences.</param>
internal sealed record ListBalanceLedgerQuery(
    int? Limit, string? Cursor, string? Sort, bool? IncludeTotal, string? Kind, DateTimeOffset? From, DateTimeOffset? To, Guid? ContractId);

internal static class BalanceEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var customers = api.MapGroup("/customers").WithTags("Customers");

        customers.MapPost("/{id:guid}/balance-adjustments", async Task<Created<BalanceLedgerEntryResponse>> (
                Guid id, AdjustCustomerBalanceRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var adjusted = await mediator.Send(
                    request with { Id = id, IfMatch = IfMatch.From(http), CallerIsManagerOrAdmin = CustomerActionEndpoints.IsManagerOrAdmin(http.HttpContext.User) }, ct);

                // Like the status actions, the answer carries the customer's new ETag: the adjustment changed the customer's
                // row, and the caller's next If-Match on the customer needs it. The body and Location are the ledger entry's.
                return http.HttpContext.Response.CreatedWithETag($"/api/v1/customers/{id}/balance-ledger/{adjusted.Entry.Id}", adjusted.Entry, adjusted.CustomerVersion);
            })
            .RequirePermission(Permissions.CustomersWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("AdjustCustomerBalance")
            .WithSummary("Adjust a customer's outstanding balance by hand: one manualAdjustment ledger entry (managers and administrators; CNY only; honours If-Match and Idempotency-Key)")
            .WithDescription("Answers 201 with the ledger entry (Location: the entry) and the ETag header of the customer after the change, not of the entry: "
                + "send it as If-Match on the customer's next PATCH or action. If-Match on this request is checked against the customer's ETag too.")
            // 422: a currency other than CNY, or an Idempotency-Key reused with another body.
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed,
                StatusCodes.Status422UnprocessableEntity);

        customers.MapGet("/{id:guid}/balance-ledger", async Task<Ok<Page<BalanceLedgerEntryResponse>>> (
                Guid id, [AsParameters] ListBalanceLedgerQuery query, IMediator mediator, CancellationToken ct) =>
            {
                var page = new PageRequest(query.Limit, query.Cursor, query.IncludeTotal ?? false);
                return TypedResults.Ok(await mediator.Send(new ListBalanceLedgerRequest(id, page, query.Sort, query.Kind, query.From, query.To, query.ContractId), ct));
            })
            .RequirePermission(Permissions.CustomersRead)
            .WithName("ListCustomerBalanceLedger")
            .WithSummary("The customer's balance ledger: every change of its outstanding balance with the balance after it, newest first (keyset pages; kind, contractId, from, to)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);

        customers.MapGet("/{id:guid}/balance-ledger/{entryId:guid}", async Task<Results<Ok<BalanceLedgerEntryResponse>, StatusCodeHttpResult>> (
                Guid id, Guid entryId, IMediator mediator, HttpContext http, CancellationToken ct) =>
            {
                var found = await mediator.Send(new GetBalanceLedgerEntryRequest(id, entryId), ct);
                return http.OkOrNotModified(found.Entry, found.Version);
            })
            .RequirePermission(Permissions.CustomersRead)
            .ReturnsETag()
            .HonoursIfNoneMatch()
            .WithName("GetCustomerBalanceLedgerEntry")
            .WithSummary("One entry of the customer's balance ledger, with the balance after it (entries never change: honours If-None-Match)")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
    }
}

using System.Security.Claims;
using Crm.Modules.Customers.Features.Customers;
using Crm.Modules.Identity.Contracts;
using Crm.SharedKernel.Http;
using Crm.SharedKernel.Security;
using MediatR;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Crm.Modules.Customers.Features.Transfers;

internal static class TransferEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var customers = api.MapGroup("/customers").WithTags("Customers");

        customers.MapPost("/{id:guid}/transfer", async Task<Ok<CustomerResponse>> (Guid id, TransferCustomerRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                var transferred = await mediator.Send(request with { Id = id, IfMatch = IfMatch.From(http), CallerMayTransfer = MayTransfer(http.HttpContext.User) }, ct);
                return http.HttpContext.Response.OkWithETag(transferred.Customer, transferred.Version);
            })
            .RequirePermission(Permissions.CustomersWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName("TransferCustomer")
            .WithSummary("Transfer a customer to another owner, with a reason kept in its owner history (managers and administrators; honours If-Match)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity);

        customers.MapPost("/transfer", async Task<Ok<BulkTransferResponse>> (BulkTransferRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(request with { CallerMayTransfer = MayTransfer(http.HttpContext.User) }, ct)))
            .RequirePermission(Permissions.CustomersWrite)
            .WithName("BulkTransferCustomers")
            .WithSummary("Transfer many customers (ids, at most 1000, or a filter) to one owner in one transaction (managers and administrators)")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status422UnprocessableEntity);

        customers.MapGet("/{id:guid}/owner-history", async Task<Ok<IReadOnlyList<OwnerChangeResponse>>> (Guid id, IMediator mediator, CancellationToken ct) =>
                TypedResults.Ok(await mediator.Send(new GetOwnerHistoryRequest(id), ct)))
            .RequirePermission(Permissions.CustomersRead)
            .WithName("GetCustomerOwnerHistory")
            .WithSummary("A customer's changes of owner, newest first")
            .ProducesProblems(StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound);
    }

    // Reps hold customers:write too, so the permission alone does not decide: transfers are a manager's call.
    private static bool MayTransfer(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin) || Roles.Managers.Any(user.IsInRole);
}

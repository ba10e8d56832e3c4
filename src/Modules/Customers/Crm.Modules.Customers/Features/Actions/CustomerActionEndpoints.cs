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

namespace Crm.Modules.Customers.Features.Actions;

internal static class CustomerActionEndpoints
{
    public static void Map(IEndpointRouteBuilder api)
    {
        var customers = api.MapGroup("/customers").WithTags("Customers");

        MapAction<BlacklistCustomerRequest>(customers, "blacklist", "BlacklistCustomer",
            "Put a customer on the blacklist (黑名单) with a reason (from active or churned; honours If-Match and Idempotency-Key)");
        MapAction<UnblacklistCustomerRequest>(customers, "unblacklist", "UnblacklistCustomer",
            "Take a customer off the blacklist; it becomes active (managers and administrators; honours If-Match and Idempotency-Key)");
        MapAction<ChurnCustomerRequest>(customers, "churn", "ChurnCustomer",
            "Mark an active customer churned (流失) with reason, competitor and date (honours If-Match and Idempotency-Key)");
        MapAction<ReactivateCustomerRequest>(customers, "reactivate", "ReactivateCustomer",
            "Reactivate a churned customer (honours If-Match and Idempotency-Key)");
        MapAction<SetKeyAccountRequest>(customers, "key-account", "SetCustomerKeyAccount",
            "Promote or demote a key account (大客户) or potential key account (managers and administrators; honours If-Match and Idempotency-Key)");
        MapAction<SetCreditLimitRequest>(customers, "credit-limit", "SetCustomerCreditLimit",
            "Change a customer's credit limit and rating (managers and administrators; honours If-Match and Idempotency-Key)");
    }

    private static void MapAction<TRequest>(RouteGroupBuilder customers, string action, string name, string summary)
        where TRequest : CustomerActionRequest =>
        customers.MapPost($"/{{id:guid}}/{action}", async Task<Ok<CustomerResponse>> (Guid id, TRequest request, IMediator mediator, HttpRequest http, CancellationToken ct) =>
            {
                // The base record's with keeps the runtime type of the action.
                CustomerActionRequest command = request;
                var changed = await mediator.Send(
                    command with { Id = id, IfMatch = IfMatch.From(http), CallerIsManagerOrAdmin = IsManagerOrAdmin(http.HttpContext.User) }, ct);
                return http.HttpContext.Response.OkWithETag(changed.Customer, changed.Version);
            })
            .RequirePermission(Permissions.CustomersWrite)
            .HonoursIfMatch()
            .ReturnsETag()
            .WithName(name)
            .WithSummary(summary)
            // 422: an Idempotency-Key reused with another body.
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status412PreconditionFailed,
                StatusCodes.Status422UnprocessableEntity);

    // Reps hold customers:write too, so the permission alone does not decide the manager-only actions.
    public static bool IsManagerOrAdmin(ClaimsPrincipal user) =>
        user.IsInRole(Roles.Admin) || Roles.Managers.Any(user.IsInRole);
}
